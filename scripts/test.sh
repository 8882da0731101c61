#!/usr/bin/env bash
# The whole test suite:
#   1. ruff (lint and format check);
#   2. unit tests (the Dask cluster tests and the maintainers' tools included)
#      and papermill quick runs of every chapter, on every core;
#   3. nbval: every committed chapter executed against the committed results,
#      its checked outputs (every glued number among them) compared (one
#      chapter per worker: its cells run in order in one kernel);
#   4. the strict book build (-W -n --keep-going), rendering the outputs that
#      nbval has just checked, so no chapter is executed twice;
#   5. every page of the built book in headless Chromium, with the network blocked.
#   bash scripts/test.sh
# Sets up what it needs first (scripts/setup.sh): .venv, Fashion-MNIST, Chromium.
# To build the book with every chapter executed, as a reader does: bash scripts/build-book.sh
set -eo pipefail
source "$(dirname "$0")/setup.sh"
cd "$ROOT"
ensure_chromium
workers="${HILBERTLIB_TEST_WORKERS:-$(python -c 'import os; print(max(1, len(os.sched_getaffinity(0))))')}"
echo "== ruff: lint and format"
ruff check .
ruff format --check .
echo "== unit tests and papermill quick runs ($workers workers)"
python -m pytest -q -n "$workers" --dist loadgroup --durations=15 tests/ tools/tests/ --ignore=tests/browser
echo "== nbval: committed chapters against committed results"
python -m pytest -q -n "$workers" --dist loadfile --nbval-lax --nbval-current-env \
  --nbval-sanitize-with nbval_sanitize.cfg chapters/
echo "== strict book build (the chapters' checked outputs rendered)"
BOOK_EXECUTE=off bash scripts/build-book.sh
echo "== every page in headless Chromium, offline"
python -m pytest -q -n "$workers" --dist loadfile tests/browser
