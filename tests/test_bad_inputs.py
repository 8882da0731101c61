"""Every bad input of hilbertlib.checks.CASES gets its clear error and leaves nothing behind."""

from __future__ import annotations

import pytest

from hilbertlib.checks import CASES, run_case
from hilbertlib.result_files import RESULTS_DIR


def _results_listing():
    return sorted(p.name for p in RESULTS_DIR.rglob("*")) if RESULTS_DIR.exists() else []


@pytest.mark.parametrize("case", CASES, ids=[c.what for c in CASES])
def test_bad_input_gets_a_clear_error(case, tmp_path):
    before = _results_listing()
    with pytest.raises(case.expected) as info:
        case.attempt(tmp_path)
    assert case.phrase in str(info.value), f"{case.what}: message lacks {case.phrase!r}: {info.value}"
    assert _results_listing() == before, f"{case.what}: changed results/"


@pytest.mark.parametrize("case", CASES, ids=[c.what for c in CASES])
def test_bad_input_leaves_no_partial_file(case):
    name, message, left = run_case(case)
    assert name == case.expected.__name__ or issubclass(case.expected, ValueError)
    assert message
    assert not left, f"{case.what}: left files behind: {left}"
