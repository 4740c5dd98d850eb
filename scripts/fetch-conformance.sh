#!/bin/sh
# Fetches the full upstream SingleStepTests CPU suites into the layout that
# build/amber-conformance reads (see ../shared/conformance/README.md):
#
#   DEST/8086/v1/{metadata.json,*.json.gz}
#   DEST/80286/v1_real_mode/{metadata.json,*.json.gz}
#   DEST/80286/revocation_list.txt
#
# The commits are the ones the checked-in subset was cut from, so results
# compare.  Upstream 8086 ships JSON; upstream 80286 ships only the binary MOO
# format, converted here with upstream's own tools/moo2json.py (python3).
# Needs git, python3, gzip and network access; about 2 GB of downloads.
#
# usage: scripts/fetch-conformance.sh [DEST]   (default: ../shared/conformance-full)
# then:  build/amber-conformance DEST
set -eu

COMMIT_8086=e71c68d215a6bb8c356bd4cb3842de3bef345ca9   # 2025-11-02, suite v1.0.1
COMMIT_80286=1870e4676cd606f9087a4e7d5d85fa3d32131db0  # 2025-07-25, suite v1.0.0

dest=${1:-../shared/conformance-full}
work=$(mktemp -d "${TMPDIR:-/tmp}/sst.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# A blobless, sparse clone fetches only the folders we use.
fetch() { # url commit dir folders...
	url=$1 commit=$2 dir=$3
	shift 3
	git clone --quiet --filter=blob:none --no-checkout --sparse "$url" "$dir"
	git -C "$dir" sparse-checkout set --no-cone "$@"
	git -C "$dir" checkout --quiet "$commit"
}

echo "fetching SingleStepTests/8086 at $COMMIT_8086"
fetch https://github.com/SingleStepTests/8086 "$COMMIT_8086" "$work/8086" \
	/v1/ /LICENSE
mkdir -p "$dest/8086/v1"
cp "$work/8086/v1/"*.json.gz "$work/8086/v1/metadata.json" "$dest/8086/v1/"
cp "$work/8086/LICENSE" "$dest/8086/" 2>/dev/null || true

echo "fetching SingleStepTests/80286 at $COMMIT_80286"
fetch https://github.com/SingleStepTests/80286 "$COMMIT_80286" "$work/80286" \
	/v1_real_mode/ /tools/ /revocation_list.txt /LICENSE
mkdir -p "$dest/80286/v1_real_mode"
echo "converting 80286 MOO files to JSON (tools/moo2json.py)"
python3 "$work/80286/tools/moo2json.py" "$work/80286/v1_real_mode" "$work/286json" >/dev/null
for f in "$work/286json/"*.json; do
	gzip -9 -c "$f" > "$dest/80286/v1_real_mode/$(basename "$f").gz"
done
cp "$work/80286/v1_real_mode/metadata.json" "$dest/80286/v1_real_mode/"
cp "$work/80286/revocation_list.txt" "$dest/80286/"
cp "$work/80286/LICENSE" "$dest/80286/" 2>/dev/null || true

echo "done: $dest"
echo "run:  build/amber-conformance --cpu 8086 $dest/8086/v1"
echo "      build/amber-conformance --cpu 286 $dest/80286/v1_real_mode"
echo "note: the checked-in baselines count the 300-test subset; use them only with it."
