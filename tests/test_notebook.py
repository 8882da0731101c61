"""hilbertlib.notebook: the setup, the guards and the glue that every chapter uses."""

from __future__ import annotations

import pytest

from hilbertlib import notebook
from hilbertlib.grid import grid
from hilbertlib.notebook import ParameterError, check_parameters
from hilbertlib.specs import PAPER, ExperimentSpec, Protocol


def test_expect_passes_quietly_and_fails_naming_the_claim():
    notebook.expect(True, "row order reads better")
    with pytest.raises(notebook.ClaimError, match="row order reads better"):
        notebook.expect(False, "row order reads better")
    assert issubclass(notebook.ClaimError, AssertionError)


def test_glue_refuses_sentences_and_formats_numbers(monkeypatch):
    seen = {}
    import myst_nb

    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display=False: seen.__setitem__(name, value))
    assert notebook.glue("acc", 0.98123, digits=2) == 0.98123
    notebook.glue("n", 70000)
    notebook.glue("label", "row order")
    assert seen == {"acc": "0.98", "n": "70,000", "label": "row order"}
    with pytest.raises(ValueError, match="write the sentence"):
        notebook.glue("s", "This is a whole sentence that a chapter should write in markdown, not glue.")


def test_glue_when_calls_the_values_only_when_ready(monkeypatch):
    import myst_nb

    seen = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display=False: seen.__setitem__(name, value))
    notebook.glue_when(True, "s1_", {"a": lambda: "1.00", "b": lambda: "2"})
    notebook.glue_when(False, "s2_", {"a": lambda: 1 / 0})  # never called
    assert seen == {"s1_a": "1.00", "s1_b": "2", "s2_a": "n/a"}


def test_setup_checks_the_parameters_first():
    with pytest.raises(notebook.ParameterError, match="epochs"):
        notebook.setup(seed=0, epochs="20")


def test_a_chapter_names_the_orderings_and_seeds_its_tests_need():
    keep = ("row", "hilbert")
    check_parameters(orderings=None, seeds=[0, 1], keep_orderings=keep, min_seeds=2)  # None: every ordering
    check_parameters(orderings=["hilbert", "row", "snake"], keep_orderings=keep)
    with pytest.raises(ParameterError, match=r"orderings.*missing: hilbert.*fix: papermill \.\.\. -y"):
        check_parameters(orderings=["row", "snake"], keep_orderings=keep)
    with pytest.raises(ParameterError, match=r"seeds.*at least 2 different seeds.*-y 'seeds: \[0, 1\]'"):
        check_parameters(seeds=[0, 0], min_seeds=2)


def test_protocol_keeps_each_experiments_own_budget_unless_told():
    spec = ExperimentSpec("lstm", 28, "row", epochs=40)
    assert PAPER.apply(spec) == spec
    quick = Protocol(epochs=1, train_size=64, test_size=64)
    assert quick.quick and not PAPER.quick
    q = quick.apply(spec)
    assert (q.epochs, q.train_size, q.test_size, q.reduced) == (1, 64, 64, True)
    assert [s.id for s in grid("paper")] == [s.id for s in grid("paper", PAPER)]
    assert all(s.reduced for s in grid("orderings", quick))
    with pytest.raises(ValueError, match="positive integer"):
        Protocol(epochs=0)


def test_quick_runs_switch_the_guards_off():
    try:
        notebook.setup(seed=0, train_size=64, test_size=64)
        notebook.expect(False, "a claim about the full protocol")  # inert
        notebook.setup(seed=0)
        with pytest.raises(notebook.ClaimError):
            notebook.expect(False, "a claim about the full protocol")
    finally:
        notebook._GUARDS["on"] = True


# ------------------------------------------------- the parameters of chapter 8's reservoirs


@pytest.mark.parametrize(
    "name,value",
    [
        ("units", [0]),
        ("units", [10, "20"]),
        ("units", []),
        ("units", "100"),
        ("search_units", 0),
        ("search_units", 2.5),
        ("search_units", None),
        ("validation_size", 0),
        ("validation_size", True),
    ],
)
def test_reservoir_parameters_fail_with_a_fix(name, value):
    with pytest.raises(ParameterError) as info:
        check_parameters(**{name: value})
    assert repr(name) in str(info.value) and "fix: papermill" in str(info.value)


def test_reservoir_parameters_accept_good_values():
    good = dict(units=None, search_units=200, validation_size=None)
    assert check_parameters(**good) == good
    check_parameters(units=[10, 20], search_units=10, validation_size=256)
    check_parameters(units=(100,))


def test_a_list_parameter_gets_a_yaml_fix():
    with pytest.raises(ParameterError, match=r"fix: papermill \.\.\. -y 'units: \[10, 20\]'"):
        check_parameters(units="100")
