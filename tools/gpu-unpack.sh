#!/usr/bin/env bash
# Maintainers' tooling (see CONTRIBUTING.md).  Take a tools/gpu-run.sh
# archive: finished results into results/ (never over an existing file),
# unfinished checkpoints into .cache/checkpoints to resume here (over a local
# checkpoint of the same run only when it is further along).  With GRID set
# to a set of its own (grid.SET_FOLDERS, e.g. ablation), into that set's folders.
#   [GRID=ablation] bash tools/gpu-unpack.sh /path/to/gpu-results.tar.gz [/path/to/gpu-checkpoints.tar.gz]
set -eo pipefail
cd "$(dirname "$0")/.."
archive="${1:?usage: tools/gpu-unpack.sh ARCHIVE}"
tmp="$(mktemp -d)"
tar xzf "$archive" -C "$tmp"
[ -z "$2" ] || tar xzf "$2" -C "$tmp"
cat "$tmp/summary.txt" "$tmp/device.txt" 2>/dev/null || true
folders=$(python3 -c 'import sys; from pathlib import Path; from hilbertlib.grid import set_folder
print(set_folder(sys.argv[1] or None, Path("results")), set_folder(sys.argv[1] or None, Path(".cache/checkpoints")))' "${GRID:-}")
read -r res ckpt <<<"$folders"
mkdir -p "$res/weights" "$ckpt"
for f in "$tmp"/results/*.json; do
  [ -e "$f" ] || continue
  name=$(basename "$f")
  if [ -e "$res/$name" ]; then echo "kept existing $res/$name"; continue; fi
  cp "$f" "$res/$name"
  w="$tmp/results/weights/${name%.json}.weights.h5"
  [ -e "$w" ] && cp "$w" "$res/weights/"
  echo "added $res/$name"
done
# Checkpoints of unfinished runs: none for a run whose result is already here
# (finished meanwhile on this machine), and over a local one only when the
# carried one has more epochs done (stop a local run of it first).
epochs() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["completed_epochs"])' "$1/state.json" 2>/dev/null || echo 0; }
for d in "$tmp"/checkpoints/*/; do
  [ -d "$d" ] || continue
  id=$(basename "$d")
  if [ -e "$res/$id.json" ]; then echo "skipped checkpoint $id (result exists)"; continue; fi
  if [ -e "$ckpt/$id" ]; then
    here=$(epochs "$ckpt/$id"); there=$(epochs "$d")
    if [ "$there" -le "$here" ]; then echo "kept local checkpoint $id ($here epochs, carried $there)"; continue; fi
    rm -rf "$ckpt/$id.old" && mv "$ckpt/$id" "$ckpt/$id.old"
    cp -r "$d" "$ckpt/$id" && rm -rf "$ckpt/$id.old"
    echo "replaced checkpoint $id ($here -> $there epochs)"; continue
  fi
  cp -r "$d" "$ckpt/$id"
  echo "added checkpoint $id"
done
grid_args=()
[ -z "${GRID:-}" ] || grid_args=(--grid "$GRID")
python3 -m hilbertlib status "${grid_args[@]}"
