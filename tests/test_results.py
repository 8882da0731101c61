"""hilbertlib.results: committed results load, missing ones name the command, quick ones train."""

import pytest

from hilbertlib import results
from hilbertlib.specs import ExperimentSpec


def test_missing_committed_result_names_the_command(tmp_path):
    spec = ExperimentSpec("lstm", 14, "rot90:hilbert", seed=7)
    with pytest.raises(results.MissingResultError, match=f"python -m hilbertlib run --only {spec.id}"):
        results.load(spec, tmp_path)


def test_committed_result_loads():
    res = results.load(ExperimentSpec("lstm", 14, "row", seed=0))
    assert 0.9 < res.test_accuracy <= 1


def test_seed_accuracies_reads_what_exists(tmp_path):
    specs = [ExperimentSpec("lstm", 14, "row", seed=s) for s in (0, 1, 2)] + [
        ExperimentSpec("lstm", 14, "hilbert", seed=9)
    ]
    acc = results.seed_accuracies(specs)
    assert len(acc["row"]) == 3 and acc["hilbert"] == []


def test_load_present_skips_what_is_missing():
    specs = [ExperimentSpec("lstm", 14, "row", seed=0), ExperimentSpec("lstm", 14, "rot90:hilbert", seed=7)]
    got = results.load_present(specs)
    assert list(got) == [specs[0].id]
