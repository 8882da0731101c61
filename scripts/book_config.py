"""Write a variant of ``_config.yml`` that Jupyter Book can use from any folder.

    python scripts/book_config.py OUT [KEY=VALUE ...]

Each ``KEY`` is a dotted path into the configuration (``execute.execute_notebooks=off``,
``repository.url=https://...``); each value is read as YAML.  The local
extensions' folders are written as absolute paths, since the new file need not
live beside ``_config.yml``.  ``scripts/build-book.sh`` uses it for
``BOOK_EXECUTE``, and the browser tests for a book with a sample repository URL.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def book_config(overrides: dict[str, object]) -> dict:
    """``_config.yml`` with ``overrides`` (dotted keys) applied and absolute extension folders."""
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    for dotted, value in overrides.items():
        *parents, last = dotted.split(".")
        node = cfg
        for key in parents:
            if not isinstance(node.get(key), dict):
                raise KeyError(f"{dotted}: _config.yml has no section {key!r}; check the key's spelling")
            node = node[key]
        node[last] = value
    ext = cfg.get("sphinx", {}).get("local_extensions", {})
    for name, folder in ext.items():
        ext[name] = str((ROOT / folder).resolve())
    return cfg


def main(argv: list[str]) -> None:
    if not argv:
        sys.exit(__doc__)
    out, pairs = Path(argv[0]), argv[1:]
    overrides = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            sys.exit(f"error: {pair!r}: write KEY=VALUE, e.g. execute.execute_notebooks=off")
        overrides[key] = yaml.safe_load(value)
    try:
        cfg = book_config(overrides)
    except KeyError as err:
        sys.exit(f"error: {err.args[0]}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(cfg, sort_keys=False))


if __name__ == "__main__":
    main(sys.argv[1:])
