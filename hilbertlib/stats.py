"""The statistics behind the book's verdicts, from :mod:`scipy.stats`.

Introduced in chapter 5 ("LSTM"), where the row and Hilbert orders are first
compared over seeds; chapters 9 to 13 use the same rules.

- A difference of two seed means: Welch's t-test (:func:`welch`), with the t
  distribution's p-value and 95% confidence interval.
- A family of such tests: Holm's step-down correction (:func:`holm`).
- A correlation: Spearman's rank correlation (:func:`spearman`).
- A mean over seeds: its t interval (:func:`mean_interval`), and whether it
  meets a goal (:func:`against_goal`).
- Whether the rate of an event (a run that did not learn) differs between
  groups: Fisher's exact test (:func:`rates_differ`).

Every verdict is one of four labels.  A comparison with a single seed on
either side is :data:`NOT_TESTED`; nothing borrows the spread of another
setting.  The prediction that a verdict judges is fixed before the numbers
are looked at, and passed in as the sign of the expected difference.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats as _st

__all__ = [
    "ALPHA",
    "SUPPORTED",
    "REFUTED",
    "UNDECIDED",
    "NOT_TESTED",
    "Comparison",
    "Correlation",
    "welch",
    "mean_interval",
    "MET",
    "NOT_MET",
    "against_goal",
    "holm",
    "holm_planned",
    "spearman",
    "verdict",
    "correlation_verdict",
    "HIGHER",
    "LOWER",
    "direction",
    "Rates",
    "rates_differ",
]

#: The level of every test.
ALPHA = 0.05
#: The verdict of a significant difference in the predicted direction.
SUPPORTED = "supported"
#: The verdict of a significant difference against the prediction.
REFUTED = "refuted"
#: The verdict of a difference that is not significant.
UNDECIDED = "undecided"
#: The verdict of a comparison with a single seed on either side.
NOT_TESTED = "one seed: not tested"
#: Where no direction was predicted, a significantly higher mean.
HIGHER = "higher"
#: Where no direction was predicted, a significantly lower mean.
LOWER = "lower"


def _values(values: Sequence[float], what: str) -> np.ndarray:
    arr = np.asarray(list(values), dtype=float)
    if arr.ndim != 1 or not arr.size:
        raise ValueError(f"{what} must be a non-empty sequence of numbers, got {values!r}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what} must be finite numbers, got {values!r}")
    return arr


@dataclass(frozen=True)
class Comparison:
    """Welch's t-test of ``mean(b) - mean(a)``; test fields are None with one seed on a side."""

    n_a: int
    n_b: int
    mean_a: float
    mean_b: float
    difference: float
    low: float | None
    high: float | None
    t: float | None
    df: float | None
    p: float | None

    @property
    def tested(self) -> bool:
        """True when both sides have at least two seeds, so the test could be run."""
        return self.p is not None


def welch(a: Sequence[float], b: Sequence[float], confidence: float = 0.95) -> Comparison:
    """Welch's two-sample t-test of ``mean(b) - mean(a)`` (chapter 5).

    Two-sided p-value and confidence interval from the t distribution with
    Welch-Satterthwaite degrees of freedom (:func:`scipy.stats.ttest_ind`
    with ``equal_var=False``).  With one value on either side there is no
    spread to test against, and the test fields are None.  Two sides without
    any spread at all are equal (p = 1) or different (p = 0) for certain.
    """
    xa, xb = _values(a, "a"), _values(b, "b")
    diff = float(xb.mean() - xa.mean())
    base = dict(n_a=int(xa.size), n_b=int(xb.size), mean_a=float(xa.mean()), mean_b=float(xb.mean()), difference=diff)
    if xa.size < 2 or xb.size < 2:
        return Comparison(**base, low=None, high=None, t=None, df=None, p=None)
    # A side is constant when its values are equal; its variance in floating point need not be exactly 0.
    const_a, const_b = bool(np.ptp(xa) == 0), bool(np.ptp(xb) == 0)
    if const_a and const_b:
        p = 1.0 if xa[0] == xb[0] else 0.0
        return Comparison(**base, low=diff, high=diff, t=None, df=None, p=p)
    with warnings.catch_warnings():
        if const_a or const_b:  # one constant side is exact, not a loss of precision
            warnings.filterwarnings("ignore", "Precision loss occurred", RuntimeWarning)
        res = _st.ttest_ind(xb, xa, equal_var=False)
    ci = res.confidence_interval(confidence)
    return Comparison(
        **base, low=float(ci.low), high=float(ci.high), t=float(res.statistic), df=float(res.df), p=float(res.pvalue)
    )


def mean_interval(values: Sequence[float], confidence: float = 0.95) -> tuple[float, float | None, float | None]:
    """Mean of ``values`` and its t confidence interval; no interval for one value (chapter 5)."""
    x = _values(values, "values")
    m = float(x.mean())
    if x.size < 2:
        return m, None, None
    se = float(_st.sem(x))
    if se == 0:
        return m, m, m
    low, high = _st.t.interval(confidence, df=x.size - 1, loc=m, scale=se)
    return m, float(low), float(high)


#: The verdict of a goal whose whole interval lies at or above it.
MET = "met"
#: The verdict of a goal whose whole interval lies below it.
NOT_MET = "not met"


def against_goal(
    values: Sequence[float], goal: float, confidence: float = 0.95
) -> tuple[float, float | None, float | None, str]:
    """The mean over seeds, its t interval and whether it meets ``goal`` (chapter 11).

    :data:`MET` when the whole interval lies at or above ``goal``,
    :data:`NOT_MET` when it lies wholly below, :data:`UNDECIDED` otherwise;
    :data:`NOT_TESTED` with one seed.
    """
    mean, low, high = mean_interval(values, confidence)
    if low is None:
        return mean, None, None, NOT_TESTED
    return mean, low, high, MET if low >= goal else NOT_MET if high < goal else UNDECIDED


def holm(pvalues: Mapping[str, float | None]) -> dict[str, float | None]:
    """Holm's step-down adjusted p-values for a family of tests (chapter 9).

    The smallest of ``m`` p-values is multiplied by ``m``, the next by
    ``m - 1``, and so on, each kept at least as large as the one before and
    at most 1.  A test that could not be run (None) is not part of the
    family and stays None.
    """
    run = {k: float(p) for k, p in pvalues.items() if p is not None}
    for k, p in run.items():
        if not 0.0 <= p <= 1.0 or math.isnan(p):
            raise ValueError(f"p-value of {k!r} must lie in [0, 1], got {p!r}")
    m = len(run)
    adjusted: dict[str, float | None] = {k: None for k in pvalues}
    running = 0.0
    for i, (k, p) in enumerate(sorted(run.items(), key=lambda kv: kv[1])):
        running = max(running, min(1.0, (m - i) * p))
        adjusted[k] = running
    return adjusted


def holm_planned(comparisons: Mapping[Any, Comparison | None]) -> dict[Any, float]:
    """Holm-adjusted p-values of a family fixed in advance (chapter 9).

    A comparison that cannot be run yet (None, or one seed on a side) enters
    the family with p = 1, so that an early verdict is never more lenient
    than the one the complete family will give.
    """
    adjusted = holm({k: 1.0 if c is None or not c.tested else c.p for k, c in comparisons.items()})
    return {k: float(p) for k, p in adjusted.items()}


@dataclass(frozen=True)
class Correlation:
    """Spearman's rank correlation of ``n`` pairs and its two-sided p-value."""

    rho: float
    p: float
    n: int


def spearman(x: Sequence[float], y: Sequence[float]) -> Correlation:
    """Spearman's rank correlation (:func:`scipy.stats.spearmanr`) (chapter 9).

    Needs at least three pairs and some variation on both sides.
    """
    xa, ya = _values(x, "x"), _values(y, "y")
    if xa.size != ya.size:
        raise ValueError(f"x and y must have the same length, got {xa.size} and {ya.size}")
    if xa.size < 3:
        raise ValueError(f"a rank correlation needs at least 3 pairs, got {xa.size}")
    if np.ptp(xa) == 0 or np.ptp(ya) == 0:
        raise ValueError("a rank correlation needs x and y that vary")
    res = _st.spearmanr(xa, ya)
    return Correlation(rho=float(res.statistic), p=float(res.pvalue), n=int(xa.size))


def verdict(comparison: Comparison, predicted: int, p: float | None = None, alpha: float = ALPHA) -> str:
    """Judge a predicted direction of ``mean(b) - mean(a)`` (+1 higher, -1 lower, 0 no change).

    ``p`` overrides the comparison's own p-value (a Holm-adjusted one, say).
    A significant difference in the predicted direction supports the
    prediction; one in the other direction, or any significant difference
    where none was predicted, refutes it; anything else is undecided.  One
    seed on either side is not tested.
    """
    if predicted not in (-1, 0, 1):
        raise ValueError(f"predicted must be -1, 0 or +1, got {predicted!r}")
    if not comparison.tested:
        return NOT_TESTED
    p = comparison.p if p is None else p
    if p >= alpha:
        return UNDECIDED
    return SUPPORTED if predicted != 0 and np.sign(comparison.difference) == predicted else REFUTED


def correlation_verdict(corr: Correlation, predicted: int, alpha: float = ALPHA) -> str:
    """Judge a predicted sign of a rank correlation, as :func:`verdict` judges a difference."""
    if predicted not in (-1, 1):
        raise ValueError(f"predicted must be -1 or +1, got {predicted!r}")
    if corr.p >= alpha:
        return UNDECIDED
    return SUPPORTED if np.sign(corr.rho) == predicted else REFUTED


def direction(comparison: Comparison, p: float | None = None, alpha: float = ALPHA) -> str:
    """Where no direction was predicted: :data:`HIGHER` or :data:`LOWER` when ``mean(b)`` differs
    significantly from ``mean(a)``, else :data:`UNDECIDED`; one seed on a side is :data:`NOT_TESTED`."""
    if not comparison.tested:
        return NOT_TESTED
    p = comparison.p if p is None else p
    if p >= alpha:
        return UNDECIDED
    return HIGHER if comparison.difference > 0 else LOWER


@dataclass(frozen=True)
class Rates:
    """Fisher's exact test that ``events`` out of ``trials`` fall at one rate in every group."""

    events: int
    trials: int
    groups: int
    p: float


def rates_differ(counts: Mapping[str, tuple[int, int]], resamples: int = 100_000, seed: int = 0) -> Rates:
    """Fisher's exact test of whether an event's rate differs between groups (chapter 9).

    ``counts`` maps each group to ``(events, trials)``.  Two groups get the
    exact two-sided test of :func:`scipy.stats.fisher_exact`; more groups get
    its Freeman-Halton form, whose p-value scipy estimates from ``resamples``
    random tables with the observed margins, drawn from ``seed`` so that the
    p-value is reproducible.  With no event, or only events, p = 1.
    """
    if len(counts) < 2:
        raise ValueError(f"comparing rates needs at least two groups, got {len(counts)}")
    table = []
    for k, (events, trials) in counts.items():
        if not (isinstance(events, (int, np.integer)) and isinstance(trials, (int, np.integer))):
            raise ValueError(f"the counts of {k!r} must be integers, got {(events, trials)!r}")
        if not 0 <= events <= trials or trials == 0:
            raise ValueError(f"{k!r} needs 0 <= events <= trials and trials > 0, got {(events, trials)!r}")
        table.append([int(events), int(trials - events)])
    arr = np.array(table)
    events, trials = int(arr[:, 0].sum()), int(arr.sum())
    if events in (0, trials):
        p = 1.0
    elif arr.shape[0] == 2:
        p = float(_st.fisher_exact(arr).pvalue)
    else:
        method = _st.MonteCarloMethod(n_resamples=resamples, rng=np.random.default_rng(seed))
        p = float(_st.fisher_exact(arr, method=method).pvalue)
    return Rates(events=events, trials=trials, groups=len(counts), p=min(p, 1.0))
