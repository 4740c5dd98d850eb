#!/usr/bin/env bash
# ci-sanitize.sh — builds amber with AddressSanitizer and
# UndefinedBehaviorSanitizer (gcc) and runs the unit and conformance suites.
# Any sanitizer report fails the run: UBSan does not recover
# (-fno-sanitize-recover=all) and ASan aborts on its first error.
# LeakSanitizer is on: it works on Debian 12 here, also inside Criterion's
# worker processes (a leak in a test makes that test fail).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ci-deps.sh native

dir=build-asan
if [ ! -f "$dir/build.ninja" ]; then
	# b_lundef=false: the sanitizer runtimes are linked by the driver, and
	# shared objects must be allowed undefined references into them.
	meson setup "$dir" -Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fno-sanitize-recover=all -Dsdl=disabled -Dtests=enabled
fi
ninja -C "$dir" -j"${AMBER_JOBS:-2}"

export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:print_summary=1:strict_string_checks=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1:print_summary=1
export LSAN_OPTIONS=print_suppressions=0
meson test -C "$dir" --suite unit --suite conformance --print-errorlogs \
	--num-processes "${AMBER_JOBS:-2}" --timeout-multiplier 3
