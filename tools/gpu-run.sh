#!/usr/bin/env bash
# Maintainers' tooling (see CONTRIBUTING.md).  Run missing experiments on a
# GPU host many at once within a fixed time slice (a batch job's limit, say),
# and pack results, checkpoints and logs into archives to carry back.  A user
# with a GPU needs none of this: KERAS_BACKEND=torch python -m hilbertlib run --jobs N
#
# On the GPU host (PyTorch, no TensorFlow; Keras runs on the torch backend):
#   python3 -m pip install -q --no-index --no-deps --target /tmp/site .whl/*.whl
#   PYTHONPATH=/tmp/site:$PWD OUT=/some/folder bash tools/gpu-run.sh [comma-separated ids]
# Env: JOBS (concurrent runs, default 12), DEADLINE (seconds, default 480; an
#      epoch that would end after it is not started), HARD (seconds, default
#      DEADLINE+60: runs still going then are killed, keeping the checkpoints
#      of their finished epochs, so the archives are always written),
#      OUT (where the archives go), KERAS_BACKEND (default torch),
#      PLSTM_BACKEND (default jax: the power-law LSTM's custom cell steps
#      ~140x slower on torch; its runs train in JAX processes beside the
#      others), WORK (the working folder, default a new temporary one: give
#      a second call on the same host the same WORK and it resumes from the
#      first call's checkpoints and skips its finished results), GRID (a
#      grid to run; a set of its own such as ablation must be named here, and
#      then resumes from and unpacks into its own folders).
# Back here: bash tools/gpu-unpack.sh gpu-results.tar.gz [gpu-checkpoints.tar.gz]
set -eo pipefail
cd "$(dirname "$0")/.."
export KERAS_BACKEND="${KERAS_BACKEND:-torch}" OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 TF_CPP_MIN_LOG_LEVEL=3
# On KERAS_BACKEND=jax (the power-law LSTM, chapter 12) each run must not grab
# three quarters of the GPU memory, as JAX does by default.
export XLA_PYTHON_CLIENT_PREALLOCATE=false
export HILBERTLIB_MNIST="${HILBERTLIB_MNIST:-$PWD/.gpu/mnist.npz}"
[ -d .gpu/fashion ] && export HILBERTLIB_FASHION_MNIST="${HILBERTLIB_FASHION_MNIST:-$PWD/.gpu/fashion}"
OUT="${OUT:?set OUT to the folder that receives the archive}"
work="${WORK:-$(mktemp -d)}"
grid_args=()
[ -z "${GRID:-}" ] || grid_args=(--grid "$GRID")
# where this grid's checkpoints live here (a set of its own has a folder of its own)
ckpt=$(python3 -c 'import sys; from pathlib import Path; from hilbertlib.grid import set_folder
print(set_folder(sys.argv[1] or None, Path(".cache/checkpoints")))' "${GRID:-}")
ids="${1:-$(python3 -m hilbertlib run "${grid_args[@]}" --list | paste -sd, -)}"
[ -n "$ids" ] || { echo "nothing to run"; exit 0; }
mkdir -p "$work/checkpoints"
# Resume from checkpoints carried over in .cache/checkpoints, if any, unless
# this WORK folder already holds a later one of the same run.
for d in "$ckpt"/*/; do
  [ -e "$d/state.json" ] || continue  # a run's checkpoint, not a set's folder
  [ -e "$work/checkpoints/$(basename "$d")" ] || cp -r "$d" "$work/checkpoints/"
done
(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || true) > "$work/device.txt" 2>&1
start=$(date +%s)
set +e
deadline="${DEADLINE:-480}"
timeout -k 5 "${HARD:-$(( ${deadline%.*} + 60 ))}" \
  python3 -m hilbertlib run "${grid_args[@]}" --only "$ids" --jobs "${JOBS:-12}" --deadline "$deadline" \
  --backend "plstm=${PLSTM_BACKEND:-jax}" \
  --results "$work/results" --cache "$work/checkpoints" --logs "$work/logs" | tee "$work/summary.txt"
rc=${PIPESTATUS[0]}
# After a hard stop the per-run processes may still be training: end them
# before packing (checkpoints are written atomically, per finished epoch).
pkill -f -- "--cache $work/checkpoints" || true  # this run's processes only
sleep 1
set -e
echo "wall seconds: $(( $(date +%s) - start )), exit $rc" | tee -a "$work/summary.txt"
# Two archives: finished results with logs and timings, and the checkpoints
# of the runs still unfinished (unpacked separately, see gpu-unpack.sh).
tar czf "$OUT/gpu-results.tar.gz" -C "$work" --exclude=./checkpoints .
unfinished=()
for d in "$work"/checkpoints/*/; do
  [ -d "$d" ] || continue
  id=$(basename "$d")
  [ -e "$work/results/$id.json" ] || unfinished+=("checkpoints/$id")
done
[ ${#unfinished[@]} -eq 0 ] || tar czf "$OUT/gpu-checkpoints.tar.gz" -C "$work" "${unfinished[@]}"
ls -la "$OUT"
exit $(( rc == 3 || rc == 124 ? 0 : rc ))
