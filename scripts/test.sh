#!/usr/bin/env bash
# The whole test suite: unit tests (the Dask cluster tests and the maintainers'
# tools included), papermill quick runs of every chapter, nbval against the
# committed results, the strict book build, and every page in headless
# Chromium with the network blocked.
#   bash scripts/test.sh
# Sets up what it needs first (scripts/setup.sh): .venv, Fashion-MNIST, Chromium.
set -eo pipefail
source "$(dirname "$0")/setup.sh"
cd "$ROOT"
ensure_chromium
echo "== unit tests and papermill quick runs"
python -m pytest -q tests/ tools/tests/ --ignore=tests/browser
echo "== nbval: committed chapters against committed results"
python -m pytest -q --nbval-lax --nbval-current-env \
  --nbval-sanitize-with nbval_sanitize.cfg chapters/
echo "== strict book build"
bash scripts/build-book.sh
echo "== every page in headless Chromium, offline"
python -m pytest -q tests/browser
