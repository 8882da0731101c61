"""The table of contents and the chapters' numbers: file order is reading order, and every
"chapter N" in the prose, the library and the docs names a chapter that exists."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
CHAPTERS = [c["file"] for part in TOC["parts"] for c in part["chapters"] if c["file"].startswith("chapters/")]
MENTION = re.compile(r"\b[Cc]hapters? (\d+(?:(?:, | and | to |-)\d+)*)")


def test_chapter_files_are_numbered_in_reading_order():
    numbers = [int(Path(f).name.split("_")[0]) for f in CHAPTERS]
    assert numbers == list(range(1, len(CHAPTERS) + 1)), CHAPTERS
    assert sorted(p.stem for p in (ROOT / "chapters").glob("*.ipynb")) == [Path(f).name for f in CHAPTERS]


def test_every_numbered_part_is_numbered_so_the_sidebar_shows_the_numbers_prose_uses():
    for part in TOC["parts"]:
        if any(c["file"].startswith("chapters/") for c in part["chapters"]):
            assert part.get("numbered") is True, part["caption"]


def _texts():
    for nb in sorted((ROOT / "chapters").glob("*.ipynb")):
        for i, cell in enumerate(json.loads(nb.read_text())["cells"]):
            yield f"{nb.name} cell {i}", "".join(cell["source"])  # markdown and the code that writes glued prose
    for p in [*sorted((ROOT / "hilbertlib").glob("*.py")), ROOT / "README.md", ROOT / "status.md", ROOT / "intro.md"]:
        yield p.name, p.read_text()


def test_every_chapter_mentioned_exists():
    n = len(CHAPTERS)
    bad = []
    for where, text in _texts():
        for m in MENTION.finditer(text):
            nums = [int(v) for v in re.findall(r"\d+", m.group(1))]
            if not all(1 <= v <= n for v in nums):
                bad.append(f"{where}: {m.group(0)!r}")
    assert not bad, f"chapters go from 1 to {n}: " + "; ".join(bad)
