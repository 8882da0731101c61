"""hilbertlib stays cut by concept: no module grows past the size a reader can hold (CONTRIBUTING.md)."""

from __future__ import annotations

from pathlib import Path

MAX_LINES = 450
LIBRARY = Path(__file__).resolve().parents[1] / "hilbertlib"


def test_no_module_is_over_the_limit():
    sizes = {p.name: len(p.read_text().splitlines()) for p in LIBRARY.glob("*.py")}
    assert len(sizes) > 10
    over = {name: n for name, n in sizes.items() if n > MAX_LINES}
    assert not over, f"split these modules by concept (at most {MAX_LINES} lines each): {over}"
