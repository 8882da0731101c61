#!/usr/bin/env bash
# Take a GPU run's archive: finished results into results/ (never over an
# existing file), unfinished checkpoints into .cache/checkpoints to resume here.
#   bash scripts/gpu-unpack.sh /path/to/gpu-results.tar.gz [/path/to/gpu-checkpoints.tar.gz]
set -eo pipefail
cd "$(dirname "$0")/.."
archive="${1:?usage: gpu-unpack.sh ARCHIVE}"
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
[ -d "$tmp/checkpoints" ] && cp -rn "$tmp/checkpoints/." .cache/checkpoints/ || true
python3 -m hilbertlib status
