#!/usr/bin/env bash
# Maintainers' tooling (see CONTRIBUTING.md).  Take a tools/gpu-run.sh
# archive: finished results into results/ (never over an existing file),
# unfinished checkpoints into .cache/checkpoints to resume here (over a local
# checkpoint of the same run only when it is further along).
#   bash tools/gpu-unpack.sh /path/to/gpu-results.tar.gz [/path/to/gpu-checkpoints.tar.gz]
set -eo pipefail
cd "$(dirname "$0")/.."
archive="${1:?usage: tools/gpu-unpack.sh ARCHIVE}"
tmp="$(mktemp -d)"
tar xzf "$archive" -C "$tmp"
[ -z "$2" ] || tar xzf "$2" -C "$tmp"
cat "$tmp/summary.txt" "$tmp/device.txt" 2>/dev/null || true
mkdir -p results/weights .cache/checkpoints
for f in "$tmp"/results/*.json; do
  [ -e "$f" ] || continue
  name=$(basename "$f")
  if [ -e "results/$name" ]; then echo "kept existing results/$name"; continue; fi
  cp "$f" "results/$name"
  w="$tmp/results/weights/${name%.json}.weights.h5"
  [ -e "$w" ] && cp "$w" results/weights/
  echo "added results/$name"
done
# Checkpoints of unfinished runs: none for a run whose result is already here
# (finished meanwhile on this machine), and over a local one only when the
# carried one has more epochs done (stop a local run of it first).
epochs() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["completed_epochs"])' "$1/state.json" 2>/dev/null || echo 0; }
for d in "$tmp"/checkpoints/*/; do
  [ -d "$d" ] || continue
  id=$(basename "$d")
  if [ -e "results/$id.json" ]; then echo "skipped checkpoint $id (result exists)"; continue; fi
  if [ -e ".cache/checkpoints/$id" ]; then
    here=$(epochs ".cache/checkpoints/$id"); there=$(epochs "$d")
    if [ "$there" -le "$here" ]; then echo "kept local checkpoint $id ($here epochs, carried $there)"; continue; fi
    rm -rf ".cache/checkpoints/$id.old" && mv ".cache/checkpoints/$id" ".cache/checkpoints/$id.old"
    cp -r "$d" ".cache/checkpoints/$id" && rm -rf ".cache/checkpoints/$id.old"
    echo "replaced checkpoint $id ($here -> $there epochs)"; continue
  fi
  cp -r "$d" ".cache/checkpoints/$id"
  echo "added checkpoint $id"
done
python3 -m hilbertlib status
