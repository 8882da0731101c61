#!/usr/bin/env bash
# Run a list of missing experiments on a GPU machine, many at once, within one
# command's time limit, and pack results, checkpoints and logs into one archive.
#
# On the GPU machine (PyTorch, no TensorFlow; Keras runs on the torch backend):
#   python3 -m pip install -q --no-index --no-deps --target /tmp/site .whl/*.whl
#   PYTHONPATH=/tmp/site:$PWD bash scripts/gpu-run.sh [comma-separated ids]
# Env: JOBS (concurrent runs, default 12), DEADLINE (seconds, default 480),
#      OUT (where the archive goes), KERAS_BACKEND (default torch).
# Back here: bash scripts/gpu-unpack.sh gpu-results.tar.gz
set -eo pipefail
cd "$(dirname "$0")/.."
export KERAS_BACKEND="${KERAS_BACKEND:-torch}" OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 TF_CPP_MIN_LOG_LEVEL=3
export HILBERTLIB_MNIST="${HILBERTLIB_MNIST:-$PWD/.gpu/mnist.npz}"
OUT="${OUT:?set OUT to the folder that receives the archive}"
work="$(mktemp -d)"
ids="${1:-$(python3 -m hilbertlib run --list | paste -sd, -)}"
[ -n "$ids" ] || { echo "nothing to run"; exit 0; }
mkdir -p "$work/checkpoints"
# Resume from checkpoints carried over from an earlier session, if any.
[ -d .cache/checkpoints ] && cp -r .cache/checkpoints/. "$work/checkpoints/" || true
(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || true) > "$work/device.txt" 2>&1
start=$(date +%s)
set +e
python3 -m hilbertlib run --only "$ids" --jobs "${JOBS:-12}" --deadline "${DEADLINE:-480}" \
  --results "$work/results" --cache "$work/checkpoints" --logs "$work/logs" | tee "$work/summary.txt"
rc=${PIPESTATUS[0]}
set -e
echo "wall seconds: $(( $(date +%s) - start )), exit $rc" | tee -a "$work/summary.txt"
tar czf "$OUT/gpu-results.tar.gz" -C "$work" .
ls -la "$OUT"
exit $(( rc == 3 ? 0 : rc ))
