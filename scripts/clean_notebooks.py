"""Strip volatile metadata from notebooks so they are clean, diffable sources.

Removes papermill residue and per-cell execution timestamps, and sets the
kernelspec to python3.  Usage: python scripts/clean_notebooks.py NB [NB ...]
"""

from __future__ import annotations

import sys

import nbformat

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def clean(path: str) -> None:
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("papermill", None)
    nb.metadata["kernelspec"] = KERNELSPEC
    cells = []
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags:
            continue
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        cells.append(cell)
    nb.cells = cells
    nbformat.write(nb, path)


if __name__ == "__main__":
    for p in sys.argv[1:]:
        clean(p)
