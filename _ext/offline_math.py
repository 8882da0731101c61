"""Serve MathJax from the built book itself, so that math renders with no network.

Sphinx loads MathJax 3 from a CDN by default; offline, every equation would
show as raw LaTeX.  The MathJax files come instead from the pinned
``sphinx-mathjax-offline`` package (requirements.txt): this extension points
``mathjax_path`` at ``_static/mathjax/tex-mml-chtml.js`` (the component
Sphinx's default names) and copies into ``_static/mathjax`` what that
component loads at run time: the TeX extensions it autoloads, the CHTML
fonts, the menu and its accessibility modules.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError

COMPONENT = "tex-mml-chtml.js"
#: What the component reads at run time, relative to the MathJax folder.
NEEDS = (COMPONENT, "input", "output/chtml", "output/chtml.js", "ui", "a11y", "sre", "adaptors")


def mathjax_source() -> Path:
    """The MathJax folder the ``sphinx-mathjax-offline`` package installs."""
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    folder = Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax" if spec else None
    if folder is None or not (folder / COMPONENT).is_file():
        raise ExtensionError(
            "MathJax for the offline book not found: pip install -r requirements.txt (it pins sphinx-mathjax-offline)"
        )
    return folder


def _configure(app: Sphinx, config: Config) -> None:
    mathjax_source()  # fail at the start of the build, not at its end
    config.mathjax_path = f"mathjax/{COMPONENT}"  # relative: Sphinx serves it from _static


def _copy(app: Sphinx, exc: Exception | None) -> None:
    if app.builder.format != "html":
        return
    src, dest = mathjax_source(), Path(app.outdir) / "_static" / "mathjax"
    for rel in NEEDS:
        a, b = src / rel, dest / rel
        if a.is_dir():
            shutil.copytree(a, b, dirs_exist_ok=True)
        else:
            b.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(a, b)


def setup(app: Sphinx) -> dict[str, bool]:
    app.connect("config-inited", _configure, priority=900)
    app.connect("build-finished", _copy)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
