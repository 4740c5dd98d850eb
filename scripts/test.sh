#!/usr/bin/env bash
# test.sh — README.md's test command: on Debian 12, as root, installs the
# packages, builds amber with -Wall -Wextra -Werror and runs the default
# test suite (every suite meson knows: unit, conformance, guests, oracle).
# CI (.ci/run) runs exactly this script as its first stage.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ci-deps.sh native

# warning_level=2 (-Wall -Wextra) is the project default; werror makes
# every warning an error.
if [ -f build/build.ninja ]; then
	meson configure build -Dwerror=true
else
	meson setup build -Dwerror=true
fi
ninja -C build -j"${AMBER_JOBS:-2}"
meson test -C build --print-errorlogs --num-processes "${AMBER_JOBS:-2}"
