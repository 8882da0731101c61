"""Launch buttons and the repository button come from ``repository.url`` in ``_config.yml`` alone.

One build of the book with a sample URL (notebooks not executed: their
committed outputs are rendered) must give every chapter Binder and Colab
links to its own notebook, and every page the repository button; the book
built as configured, with no URL, must have none of them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HTML = Path(os.environ.get("HILBERTLIB_BOOK_HTML", ROOT / "_build" / "html"))
SAMPLE = "https://github.com/example-org/example-repo"
sys.path.insert(0, str(ROOT / "scripts"))
from book_config import book_config  # noqa: E402

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
CHAPTERS = [c["file"] for part in TOC["parts"] for c in part["chapters"] if c["file"].startswith("chapters/")]
LAUNCH = re.compile(r'href="(https://(?:mybinder\.org|colab\.research\.google\.com)/[^"]+)"')


@pytest.fixture(scope="module")
def sample_book(tmp_path_factory) -> Path:
    """The book built with ``repository.url`` set to a sample, without executing the notebooks."""
    tmp = tmp_path_factory.mktemp("launch")
    cfg = book_config({"repository.url": SAMPLE, "execute.execute_notebooks": "off"})
    (tmp / "_config.yml").write_text(yaml.safe_dump(cfg))
    jb = shutil.which("jupyter-book") or str(Path(sys.executable).parent / "jupyter-book")
    proc = subprocess.run(
        [jb, "build", str(ROOT), "--config", str(tmp / "_config.yml"), "--path-output", str(tmp)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    html = tmp / "_build" / "html"
    assert proc.returncode == 0 and (html / "index.html").is_file(), proc.stdout[-3000:] + proc.stderr[-3000:]
    return html


def test_the_shipped_configuration_has_no_url_so_no_buttons():
    assert not CONFIG["repository"]["url"], "set repository.url only once the book has a public home"
    if not (HTML / "index.html").is_file():
        pytest.skip(f"no built book at {HTML}")
    for page in HTML.rglob("*.html"):
        text = page.read_text()
        assert not LAUNCH.search(text), f"{page.relative_to(HTML)} has a launch link without a repository URL"
        assert "source-repository-button" not in text, f"{page.relative_to(HTML)} has a repository button"


@pytest.mark.slow
def test_each_chapter_launches_its_own_notebook(sample_book):
    org_repo = SAMPLE.removeprefix("https://github.com/")
    branch = CONFIG["repository"]["branch"]
    for chapter in CHAPTERS:
        page = (sample_book / f"{chapter}.html").read_text()
        links = set(LAUNCH.findall(page))
        notebook = f"{chapter}.ipynb"
        assert f"https://mybinder.org/v2/gh/{org_repo}/{branch}?urlpath=lab/tree/{notebook}" in links, (chapter, links)
        assert f"https://colab.research.google.com/github/{org_repo}/blob/{branch}/{notebook}" in links, (
            chapter,
            links,
        )
        assert all(link.endswith(notebook) for link in links), (chapter, links)  # none points at another chapter
        assert f'href="{SAMPLE}"' in page, f"{chapter}: no repository button"
