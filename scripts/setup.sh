#!/usr/bin/env bash
# Create .venv (reusing packages already installed system-wide) and install
# requirements.txt into it.  Sourced by build-book.sh and test.sh.
set -eo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"
if [ ! -x "$ROOT/.venv/bin/python" ]; then
  echo "== creating $ROOT/.venv"
  "$PY" -m venv --system-site-packages "$ROOT/.venv"
fi
stamp="$ROOT/.venv/.requirements.sha256"
want="$(sha256sum "$ROOT/requirements.txt" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "== installing requirements.txt into .venv"
  (cd "$ROOT" && .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt)
  echo "$want" > "$stamp"
fi
export PATH="$ROOT/.venv/bin:$PATH"
export KERAS_BACKEND="${KERAS_BACKEND:-jax}" TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-3}"
# No MPLBACKEND here: notebook kernels must keep their inline backend, or figures render as text.
# Offline copy of MNIST beside the checkout, when there is one (CI, this team's machines).
if [ -z "${HILBERTLIB_MNIST:-}" ] && [ -f "$ROOT/../shared/data/mnist.npz" ]; then
  export HILBERTLIB_MNIST="$ROOT/../shared/data/mnist.npz"
fi
