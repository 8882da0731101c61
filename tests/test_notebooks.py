"""Every chapter runs in quick mode with papermill, into a temporary folder.

Quick mode: tiny training set, one epoch, results in a temporary folder (never
the committed results/).  Checks: the chapter executes; every glue name that
the prose uses exists; glued percentages are in range; a bad parameter fails
in the check cell with a ParameterError, before any training.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest

from hilbertlib import grid

papermill = pytest.importorskip("papermill")

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
QUICK = dict(epochs=1, train_size=128, test_size=128, sample_size=128, train_missing=True)
#: Extra quick-mode parameters for chapters that QUICK alone does not keep small.
#: Chapter 8: tiny reservoirs and a small validation set (a changed validation
#: size makes every reservoir spec a quick one, never stored in results/).
QUICK_EXTRA = {
    "08_reservoir": dict(units=[10, 20], search_units=20, validation_size=256),
    "11_long_sequences": dict(seeds=[0, 1]),
    "12_power_law_gate": dict(ablation_seeds=[0, 1]),
    "13_discussion": dict(seeds=[0, 1]),
    "09_orderings": dict(seeds=[0, 1], orderings=list(grid.COMPARED_ORDERINGS)),
}
GLUE_REF = re.compile(
    r"\{glue(?::text|:figure|:any|:math)?\}`([A-Za-z0-9_\-]+)(?::[^`]*)?`|```\{glue:figure\}\s+([A-Za-z0-9_\-]+)"
)


def glued(nb) -> dict[str, str]:
    """name -> text of every value glued in an executed notebook."""
    out = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            name = o.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                data = o.get("data", {})
                text = data.get("application/papermill.record/text/plain", data.get("text/plain", ""))
                out[name] = text.strip("'\"") if isinstance(text, str) else text
    return out


def referenced(nb) -> set[str]:
    names = set()
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for a, b in GLUE_REF.findall(cell.source):
                names.add(a or b)
    return names


def _execute(src: Path, dst: Path, **params):
    return papermill.execute_notebook(
        str(src),
        str(dst),
        parameters=params,
        kernel_name="python3",
        cwd=str(src.parent),
        progress_bar=False,
        log_output=False,
    )


@pytest.fixture(scope="session")
def quick_dir(tmp_path_factory):
    """One quick-results folder for the whole test run, shared by the pytest-xdist workers.

    A tiny spec that several chapters load is trained once and then loaded
    (results are written atomically, so two workers that happen to train the
    same spec at once each leave a whole file).
    """
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # each worker has its own basetemp under one shared folder
        base = base.parent
    folder = base / "quick-results"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_chapter_runs_in_quick_mode(chapter: Path, quick_dir: Path, tmp_path: Path, monkeypatch):
    # Checkpoints of this run only: two workers training the same tiny spec must not share one
    # checkpoint folder (one deleted the other's weights); the finished results are shared, atomically.
    monkeypatch.setenv("HILBERTLIB_CACHE", str(tmp_path / "checkpoints"))
    committed = {p.name: p.stat().st_mtime for p in (ROOT / "results").glob("*.json")}
    nb = _execute(
        chapter, tmp_path / chapter.name, results_dir=str(quick_dir), **QUICK, **QUICK_EXTRA.get(chapter.stem, {})
    )
    values = glued(nb)
    missing = referenced(nb) - set(values)
    assert not missing, f"{chapter.name} uses glue names it never glues: {sorted(missing)}"
    for name, text in values.items():
        if isinstance(text, str) and text.endswith("%"):
            pct = float(text.rstrip("%").replace(",", ""))
            assert -100.0 <= pct <= 100.0, f"{name} = {text} is not a percentage"
    # Quick mode never touches the committed results.
    after = {p.name: p.stat().st_mtime for p in (ROOT / "results").glob("*.json")}
    assert after == committed, "a quick run wrote into results/"
    quick_reservoirs = list((ROOT / "results" / "reservoir").glob(f"*-t{QUICK['test_size']}*.json"))
    assert not quick_reservoirs, f"a quick run wrote into results/reservoir: {quick_reservoirs[:3]}"


def test_committed_chapters_are_clean_sources():
    assert CHAPTERS, "no chapters found"
    for path in CHAPTERS:
        nb = nbformat.read(path, as_version=4)
        assert "papermill" not in nb.metadata, f"{path.name}: papermill residue in metadata"
        assert nb.metadata.get("kernelspec", {}).get("name") == "python3", path.name
        tags = [c.metadata.get("tags", []) for c in nb.cells]
        assert sum("parameters" in t for t in tags) == 1, f"{path.name}: needs exactly one parameters cell"
        assert not any("injected-parameters" in t for t in tags), path.name
        for cell in nb.cells:
            for o in cell.get("outputs", []):
                assert o.get("output_type") != "error", f"{path.name}: committed error output"
                text = "".join(o.get("text", "")) if o.get("output_type") == "stream" else ""
                assert "Traceback" not in text and "Warning" not in text, (
                    f"{path.name}: warning or traceback in a committed output: {text[:200]}"
                )


@pytest.mark.slow
@pytest.mark.parametrize("param,value", [("epochs", -1), ("seeds", "abc"), ("sample_size", 0), ("retrain", "yes")])
def test_bad_parameter_fails_at_the_check_cell(param, value, tmp_path: Path):
    chapter = next((c for c in CHAPTERS if c.stem.startswith("05")), CHAPTERS[0])
    _fails_at_the_check_cell(chapter, param, value, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize(
    "chapter,param,value",
    [
        ("08_reservoir", "units", [0]),
        ("08_reservoir", "search_units", 0),
        ("09_orderings", "seeds", [0]),
        ("09_orderings", "orderings", ["row", "hilbert"]),
    ],
    ids=["08_reservoir-units", "08_reservoir-search_units", "09_orderings-seeds", "09_orderings-orderings"],
)
def test_chapter_parameter_fails_at_the_check_cell(chapter, param, value, tmp_path: Path):
    _fails_at_the_check_cell(ROOT / "chapters" / f"{chapter}.ipynb", param, value, tmp_path)


def _fails_at_the_check_cell(chapter: Path, param, value, tmp_path: Path):
    with pytest.raises(papermill.PapermillExecutionError) as info:
        _execute(chapter, tmp_path / "bad.ipynb", results_dir=str(tmp_path), **{param: value})
    err = info.value
    assert err.ename == "ParameterError", f"failed with {err.ename}: {err.evalue}"
    assert param in err.evalue and "fix:" in err.evalue
    # It failed before anything was trained or written.
    assert not list(tmp_path.rglob("*.json"))
    executed = nbformat.read(tmp_path / "bad.ipynb", as_version=4)
    failing = [
        i for i, c in enumerate(executed.cells) if any(o.get("output_type") == "error" for o in c.get("outputs", []))
    ]
    params_at = next(i for i, c in enumerate(executed.cells) if "parameters" in c.metadata.get("tags", []))
    assert failing and failing[0] <= params_at + 3, "the error came late, not from the check cell"


# ------------------------------------------------- how the committed chapters read (issue: a book, not a report)


def _records(nb):
    """(name, mime bundle) of every value glued in a committed notebook."""
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            name = o.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                yield name, o.get("data", {})


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_glue_carries_no_sentences(chapter: Path):
    nb = nbformat.read(chapter, as_version=4)
    for name, data in _records(nb):
        text = data.get("application/papermill.record/text/plain", data.get("text/plain", ""))
        text = "".join(text) if isinstance(text, list) else text
        assert len(text.strip("'\"")) <= 60, f"{chapter.name}: glue {name!r} is a sentence: {text[:80]!r}"
        assert not any(k.endswith("image/png") for k in data), (
            f"{chapter.name}: figure {name!r} is glued instead of shown where it is made"
        )


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_every_figure_shows_in_the_notebook(chapter: Path):
    nb = nbformat.read(chapter, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        outputs = cell.get("outputs", [])
        if "figure" in cell.metadata.get("mystnb", {}):
            assert any("image/png" in o.get("data", {}) for o in outputs), (
                f"{chapter.name} cell {i}: figure without image"
            )
        for o in outputs:
            text = "".join(o.get("data", {}).get("text/plain", ""))
            if text.startswith("<Figure size"):
                assert "image/png" in o.get("data", {}), f"{chapter.name} cell {i}: a figure that did not render"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_one_hidden_setup_cell(chapter: Path):
    nb = nbformat.read(chapter, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    first_visible = next(
        i
        for i, c in enumerate(code)
        if "remove-cell" not in c.metadata.get("tags", []) and "parameters" not in c.metadata.get("tags", [])
    )
    before = code[:first_visible]
    assert [("parameters" in c.metadata.get("tags", [])) for c in before] == [True, False], (
        f"{chapter.name}: expected the parameters cell and one hidden setup cell before the first visible cell"
    )
    assert "notebook.setup(" in before[1].source, f"{chapter.name}: the hidden setup cell should call notebook.setup"
