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
  python - "$BOOK_EXECUTE" "$config" <<'PY'
import sys
from pathlib import Path

import yaml

mode, out = sys.argv[1], Path(sys.argv[2])
if mode not in ("off", "force", "cache", "auto"):
    sys.exit(f"error: BOOK_EXECUTE={mode!r}: use off, force, cache or auto")
cfg = yaml.safe_load(Path("_config.yml").read_text())
cfg["execute"]["execute_notebooks"] = mode
# the local extensions' folders, as absolute paths: this config lives in _build/
ext = cfg["sphinx"]["local_extensions"]
for name, folder in ext.items():
    ext[name] = str(Path(folder).resolve())
out.write_text(yaml.safe_dump(cfg, sort_keys=False))
PY
  echo "== building with execute_notebooks: $BOOK_EXECUTE ($config)"
fi
jupyter-book build . --config "$config" -W -n --keep-going 2>&1 | tee _build/build.log
echo "== book built: $ROOT/_build/html/index.html"
