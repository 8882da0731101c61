#!/usr/bin/env bash
# Build the book from the committed results (no training): bash scripts/build-book.sh
# The HTML lands in _build/html.  Every chapter is executed against results/
# and the build fails on any failing notebook or Sphinx warning.
#
# BOOK_EXECUTE=off renders the chapters' committed outputs instead of
# executing them (the status page still executes).  scripts/test.sh uses it
# right after nbval has executed every chapter against the committed results
# and compared its outputs with the committed ones, so that no chapter is
# executed twice in one test run.
set -eo pipefail
source "$(dirname "$0")/setup.sh"
cd "$ROOT"
rm -rf _build/html _build/.doctrees _build/jupyter_execute
mkdir -p _build
config=_config.yml
if [ -n "${BOOK_EXECUTE:-}" ]; then
  config=_build/_config.execute-"$BOOK_EXECUTE".yml
  case "$BOOK_EXECUTE" in
    off|force|cache|auto) ;;
    *) echo "error: BOOK_EXECUTE=$BOOK_EXECUTE: use off, force, cache or auto" >&2; exit 2 ;;
  esac
  python scripts/book_config.py "$config" execute.execute_notebooks="$BOOK_EXECUTE"
  echo "== building with execute_notebooks: $BOOK_EXECUTE ($config)"
fi
jupyter-book build . --config "$config" -W -n --keep-going 2>&1 | tee _build/build.log
echo "== book built: $ROOT/_build/html/index.html"
