#!/usr/bin/env bash
# ci-readme.sh — checks that README.md still opens with the two set-up
# commands CI relies on, and runs the first one (install, build, run the main
# job) exactly as written.  The second one, the test command, must be
# `bash scripts/test.sh`, which .ci/run runs as its first stage.
set -euo pipefail
cd "$(dirname "$0")/.."

# The first two fenced ```sh blocks of README.md, one command line each.
mapfile -t cmds < <(awk '/^```sh$/ { inblk = 1; next } /^```$/ { inblk = 0; next }
                        inblk && NF { print }' README.md | head -n 2)
if [ ${#cmds[@]} != 2 ]; then
	echo "ci-readme.sh: README.md must open with two \`\`\`sh blocks (main job, tests)" >&2
	exit 1
fi
if [ "${cmds[1]}" != "bash scripts/test.sh" ]; then
	echo "ci-readme.sh: README.md's test command is '${cmds[1]}', not 'bash scripts/test.sh'" >&2
	exit 1
fi

echo "ci-readme.sh: running README.md's first command:"
echo "  ${cmds[0]}"
out=$(mktemp)
status=0
timeout 600 bash -c "${cmds[0]}" > "$out" 2>&1 || status=$?
tail -n 5 "$out"
rm -f "$out"
# The demo ROM ends through isa-debug-exit (port F4h) with the value 10h:
# the process exits with (10h << 1) | 1 = 33, as qemu-system-i386 does.
case $status in
0|33) echo "ci-readme.sh: main job exited with $status" ;;
*) echo "ci-readme.sh: main job failed with exit status $status" >&2; exit 1 ;;
esac
