#!/usr/bin/env bash
# Set up everything the book needs, on a fresh Debian or Ubuntu machine with
# Python 3.11.  Sourced by build-book.sh and test.sh (and by hand, for the
# PATH: source scripts/setup.sh):
#   - .venv with requirements.txt (reusing packages installed system-wide;
#     python3-venv from apt first when Python lacks it);
#   - Fashion-MNIST (chapter 10): Debian's dataset-fashion-mnist when apt can
#     install it, else the Keras download, else an error naming both;
#   - ensure_chromium, called by test.sh: Debian's chromium for the browser test.
# apt-get runs as root, or through sudo.
set -eo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"
# Where Debian's package puts Fashion-MNIST (hilbertlib.data reads it there).
FASHION_DEBIAN_DIR="${FASHION_DEBIAN_DIR:-/usr/share/datasets/fashion-mnist}"

# apt_install PKG...: install Debian packages, as root or through sudo; fails quietly when neither can.
apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || return 1
    if [ -t 0 ]; then sudo=(sudo); else sudo=(sudo -n); fi
  fi
  echo "== installing $* (apt-get)"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1 && return 0
  "${sudo[@]}" apt-get update -qq >/dev/null 2>&1 || return 1
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1
}

ensure_venv() {
  if [ ! -x "$ROOT/.venv/bin/python" ]; then
    echo "== creating $ROOT/.venv"
    if ! "$PY" -m venv --system-site-packages "$ROOT/.venv" 2>/dev/null; then
      # Debian and Ubuntu ship venv's pip bootstrap as a package of its own.
      rm -rf "$ROOT/.venv"
      apt_install python3-venv || apt_install "python$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')-venv" || true
      "$PY" -m venv --system-site-packages "$ROOT/.venv" || {
        echo "error: could not create .venv: install your Python's venv module (apt-get install python3-venv)" >&2; return 1; }
    fi
  fi
  local stamp="$ROOT/.venv/.requirements.sha256" want
  want="$(sha256sum "$ROOT/requirements.txt" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "== installing requirements.txt into .venv"
    (cd "$ROOT" && .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt)
    echo "$want" > "$stamp"
  fi
}

# Fashion-MNIST for chapter 10: HILBERTLIB_FASHION_MNIST, Debian's package, or the Keras download.
ensure_fashion_mnist() {
  if [ -n "${HILBERTLIB_FASHION_MNIST:-}" ] || [ -d "$FASHION_DEBIAN_DIR" ]; then return 0; fi
  if apt_install dataset-fashion-mnist && [ -d "$FASHION_DEBIAN_DIR" ]; then return 0; fi
  echo "== Fashion-MNIST: no Debian package here, trying the Keras download (30 MB, cached in ~/.keras/datasets)"
  if "$ROOT/.venv/bin/python" -c 'from hilbertlib.data import load_fashion_mnist; load_fashion_mnist()' >/dev/null 2>&1; then
    return 0
  fi
  echo "error: Fashion-MNIST (chapter 10) is not available: neither Debian's package dataset-fashion-mnist" >&2
  echo "  (apt-get install dataset-fashion-mnist, as root) nor the Keras download (needs the network) worked." >&2
  echo "  Or set HILBERTLIB_FASHION_MNIST to a folder of its four IDX .gz files." >&2
  return 1
}

# Chromium for the browser test (tests/browser): the system's, Debian's package, or Playwright's own build.
ensure_chromium() {
  local b
  for b in "${HILBERTLIB_CHROMIUM:-}" chromium chromium-browser google-chrome; do
    if [ -n "$b" ] && command -v "$b" >/dev/null 2>&1; then export HILBERTLIB_CHROMIUM="$(command -v "$b")"; return 0; fi
  done
  if apt_install chromium && command -v chromium >/dev/null 2>&1; then
    export HILBERTLIB_CHROMIUM="$(command -v chromium)"; return 0
  fi
  echo "== no Chromium package here (Ubuntu ships it as a snap): installing Playwright's own build"
  if "$ROOT/.venv/bin/python" -m playwright install chromium >/dev/null 2>&1; then
    export HILBERTLIB_CHROMIUM=playwright; return 0
  fi
  echo "error: the browser test needs Chromium: apt-get install chromium (Debian, as root)," >&2
  echo "  or python -m playwright install --with-deps chromium (needs the network)." >&2
  return 1
}

ensure_venv
export PATH="$ROOT/.venv/bin:$PATH"
export KERAS_BACKEND="${KERAS_BACKEND:-jax}" TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-3}"
# No MPLBACKEND here: notebook kernels must keep their inline backend, or figures render as text.
# An offline copy of MNIST beside the checkout, when there is one.
if [ -z "${HILBERTLIB_MNIST:-}" ] && [ -f "$ROOT/../shared/data/mnist.npz" ]; then
  export HILBERTLIB_MNIST="$ROOT/../shared/data/mnist.npz"
fi
ensure_fashion_mnist
