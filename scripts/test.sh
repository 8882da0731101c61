#!/usr/bin/env bash
# The whole test suite: unit tests, papermill quick runs of every chapter,
# nbval against the committed results, and the strict book build.
#   bash scripts/test.sh
set -eo pipefail
source "$(dirname "$0")/setup.sh"
cd "$ROOT"
echo "== unit tests and papermill quick runs"
python -m pytest -q tests/ --ignore=tests/browser
echo "== nbval: committed chapters against committed results"
python -m pytest -q --nbval-lax --nbval-current-env \
  --nbval-sanitize-with nbval_sanitize.cfg chapters/
echo "== strict book build"
bash scripts/build-book.sh
echo "== every page in headless Chromium"
python -m pytest -q tests/browser
