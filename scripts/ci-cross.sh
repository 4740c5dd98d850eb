#!/usr/bin/env bash
# ci-cross.sh — cross-builds amber for Linux on ARM64 (cross/aarch64-linux-gnu.ini,
# -Werror, no SDL) and runs the unit and conformance suites under qemu-aarch64
# user-mode emulation.
set -euo pipefail
cd "$(dirname "$0")/.."

# native: nasm and python3 run on the build machine.
bash scripts/ci-deps.sh native cross

dir=build-aarch64
if [ ! -f "$dir/build.ninja" ]; then
	meson setup "$dir" --cross-file cross/aarch64-linux-gnu.ini \
		--cross-file build-aarch64-deps/cross.ini \
		-Dsdl=disabled -Dtests=enabled -Dwerror=true
fi
ninja -C "$dir" -j"${AMBER_JOBS:-2}"

suites=(--suite unit --suite conformance)
# Criterion starts each test with execve() of the test binary, which works
# only when binfmt_misc hands arm64 programs to qemu-aarch64 (ci-deps.sh
# sets that up; a sandbox may forbid it).
if ! grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null; then
	echo "ci-cross.sh: binfmt_misc has no qemu-aarch64 rule: the unit suite" \
	     "(Criterion) cannot run under qemu-user here; running conformance only" >&2
	suites=(--suite conformance)
fi
# Emulation is slower: the tests get three times their timeouts.
meson test -C "$dir" "${suites[@]}" --print-errorlogs \
	--num-processes "${AMBER_JOBS:-2}" --timeout-multiplier 3
