#!/usr/bin/env bash
# Build the book from the committed results (no training): bash scripts/build-book.sh
# The HTML lands in _build/html; the build fails if any chapter fails.
set -eo pipefail
source "$(dirname "$0")/setup.sh"
cd "$ROOT"
rm -rf _build/html _build/.doctrees _build/jupyter_execute
mkdir -p _build
jupyter-book build . -W -n --keep-going 2>&1 | tee _build/build.log
echo "== book built: $ROOT/_build/html/index.html"
