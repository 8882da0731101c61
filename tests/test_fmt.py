"""hilbertlib.fmt: labels for the prose."""

import pytest

from hilbertlib import fmt


def test_labels():
    assert fmt.pct(0.9728) == "97.28%" and fmt.pct(0.5, 0) == "50%"
    assert fmt.points(0.0373) == "3.73" and fmt.points(-0.0373, sign=True) == "-3.73"
    assert fmt.points(0.01, sign=True) == "+1.00"
    assert fmt.pvalue(0.0004) == "< 0.001" and fmt.pvalue(0.18) == "0.180" and fmt.pvalue(1.0) == "1"
    assert fmt.p_is(0.0004) == "< 0.001" and fmt.p_is(0.18) == "= 0.180" and fmt.p_is(1.0) == "= 1"
    assert fmt.interval(0.031, 0.044) == "[3.10, 4.40]"
    assert fmt.sci(0.0162) == "1.6 × 10⁻²" and fmt.sci(0) == "0" and fmt.sci(3.0) == "3.0"


@pytest.mark.parametrize("fn", [fmt.pct, fmt.points, fmt.pvalue, fmt.p_is, fmt.sci])
def test_missing_numbers_are_an_error(fn):
    with pytest.raises(ValueError, match="number"):
        fn(None)
    with pytest.raises(ValueError, match="finite"):
        fn(float("nan"))


def test_pvalue_range():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        fmt.pvalue(1.5)
