#!/usr/bin/env bash
# ci-fuzz.sh — builds the libFuzzer targets (clang, ASan + UBSan) and fuzzes
# each for a bounded time from its checked-in seed corpus.
#
#   scripts/ci-fuzz.sh [SECONDS]      default 120 per target (FUZZ_SECONDS)
#
# A crash, a sanitizer report, a leak, an input that runs longer than 10 s
# (-timeout) or more than 2 GiB of memory fails the run; the input is left in
# build-fuzz/artifacts/ and printed in base64 to reproduce it:
#   base64 -d > crash.bin <<< '...'; build-fuzz/tests/fuzz/fuzz_exec crash.bin
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-${FUZZ_SECONDS:-120}}

bash scripts/ci-deps.sh native fuzz

dir=build-fuzz
if [ ! -f "$dir/build.ninja" ]; then
	CC=clang meson setup "$dir" -Dfuzz=true -Db_lundef=false -Dsdl=disabled -Dtests=disabled
fi
ninja -C "$dir" -j"${AMBER_JOBS:-2}" tests/fuzz/fuzz_exec tests/fuzz/fuzz_gdb

rm -rf "$dir/artifacts"
mkdir -p "$dir/artifacts"
status=0
for target in fuzz_exec fuzz_gdb; do
	seeds=tests/fuzz/corpus
	[ -d "tests/fuzz/corpus-${target#fuzz_}" ] && seeds="tests/fuzz/corpus-${target#fuzz_}"
	work="$dir/corpus-$target"   # new inputs go here, not into the repository
	mkdir -p "$work"
	echo "ci-fuzz.sh: $target for ${seconds}s"
	if ! "$dir/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 \
		-rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 \
		-artifact_prefix="$dir/artifacts/$target-" \
		"$work" "$seeds" 2> "$dir/$target.log"; then
		status=1
		grep -vE '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse)|NEW_FUNC' "$dir/$target.log" | tail -60 >&2
		for a in "$dir/artifacts/$target-"*; do
			[ -f "$a" ] && echo "ci-fuzz.sh: $a (base64): $(base64 -w0 "$a")" >&2
		done
	else
		grep -E '^(Done|stat::)' "$dir/$target.log" || true
	fi
done
exit $status
