#!/usr/bin/env bash
# Re-execute every chapter in place against the committed results/ and strip
# volatile metadata, so the committed notebooks match what nbval re-computes.
# Usage: bash scripts/refresh-notebooks.sh [chapters/05_lstm.ipynb ...]
set -euo pipefail
cd "$(dirname "$0")/.."
export KERAS_BACKEND="${KERAS_BACKEND:-jax}" TF_CPP_MIN_LOG_LEVEL=3 MPLBACKEND=module://matplotlib_inline.backend_inline
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(chapters/*.ipynb)
for nb in "${files[@]}"; do
  echo "== $nb"
  jupyter nbconvert --to notebook --execute --inplace \
    --ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.timeout=1800 "$nb"
done
python3 scripts/clean_notebooks.py "${files[@]}"
