"""hilbertlib.stats: Welch, Holm, Spearman, Fisher's test of rates and the verdict rules."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as st

from hilbertlib import stats


def test_welch_matches_scipy_and_its_interval_covers_the_difference():
    a, b = [0.9433, 0.9457, 0.9470], [0.9819, 0.9824, 0.9838]
    c = stats.welch(a, b)
    ref = st.ttest_ind(b, a, equal_var=False)
    assert c.p == pytest.approx(ref.pvalue) and c.t == pytest.approx(ref.statistic)
    assert c.difference == pytest.approx(np.mean(b) - np.mean(a))
    assert c.low < c.difference < c.high
    assert c.df < len(a) + len(b) - 2  # Welch's degrees of freedom, not the pooled ones


def test_welch_interval_widens_with_confidence():
    a, b = [1.0, 2.0, 3.0], [2.0, 3.5, 4.0]
    c95, c99 = stats.welch(a, b, 0.95), stats.welch(a, b, 0.99)
    assert c99.low < c95.low and c99.high > c95.high


def test_one_seed_on_a_side_is_not_tested():
    c = stats.welch([0.95], [0.97, 0.98, 0.96])
    assert not c.tested and c.p is None and c.low is None
    assert stats.verdict(c, +1) == stats.NOT_TESTED


def test_verdicts_follow_the_direction_and_the_p_value():
    low, high = [0.90, 0.91, 0.92], [0.97, 0.98, 0.99]
    c = stats.welch(low, high)
    assert c.p < 0.05
    assert stats.verdict(c, +1) == stats.SUPPORTED
    assert stats.verdict(c, -1) == stats.REFUTED
    assert stats.verdict(c, 0) == stats.REFUTED
    assert stats.verdict(c, +1, p=0.2) == stats.UNDECIDED  # an adjusted p-value can undo significance
    noisy = stats.welch([0.90, 0.99, 0.94], [0.91, 0.98, 0.96])
    assert stats.verdict(noisy, +1) == stats.UNDECIDED
    with pytest.raises(ValueError, match="predicted"):
        stats.verdict(c, 2)


def test_holm_against_a_worked_example():
    # m = 4: sorted p 0.01, 0.02, 0.03, 0.5 -> 0.04, 0.06, 0.06 (monotone), 0.5
    adj = stats.holm({"a": 0.03, "b": 0.01, "c": 0.5, "d": 0.02, "e": None})
    assert adj == pytest.approx({"a": 0.06, "b": 0.04, "c": 0.5, "d": 0.06, "e": None})


def test_holm_never_lowers_a_p_value_and_caps_at_one():
    rng = np.random.default_rng(0)
    p = {str(i): float(v) for i, v in enumerate(rng.uniform(size=12))}
    adj = stats.holm(p)
    assert all(p[k] <= adj[k] <= 1.0 for k in p)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        stats.holm({"x": 1.5})


def test_holm_planned_counts_a_test_not_yet_run_with_p_one():
    clear = stats.welch([0.90, 0.91, 0.92], [0.95, 0.96, 0.97])
    one_seed = stats.welch([0.90], [0.95, 0.96])
    full = stats.holm_planned({"clear": clear, "other": clear})
    early = stats.holm_planned({"clear": clear, "missing": None, "one seed": one_seed})
    assert early["missing"] == early["one seed"] == 1.0
    # three planned tests, two not run: the run one is adjusted for three, never fewer
    assert early["clear"] == pytest.approx(min(1.0, 3 * clear.p)) and early["clear"] >= full["clear"]


def test_spearman_matches_scipy_and_rejects_too_few_pairs():
    x, y = [1, 2, 3, 4, 5], [2.0, 1.0, 4.0, 3.0, 5.0]
    r = stats.spearman(x, y)
    ref = st.spearmanr(x, y)
    assert (r.rho, r.p, r.n) == (pytest.approx(ref.statistic), pytest.approx(ref.pvalue), 5)
    assert stats.correlation_verdict(stats.spearman(range(10), range(10)), +1) == stats.SUPPORTED
    assert stats.correlation_verdict(stats.spearman(range(10), range(10)), -1) == stats.REFUTED
    assert stats.correlation_verdict(r, +1) == stats.UNDECIDED
    with pytest.raises(ValueError, match="at least 3"):
        stats.spearman([1, 2], [3, 4])
    with pytest.raises(ValueError, match="vary"):
        stats.spearman([1, 1, 1], [1, 2, 3])


def test_mean_interval_is_the_t_interval():
    x = [0.9819, 0.9824, 0.9838]
    m, low, high = stats.mean_interval(x)
    half = st.t.ppf(0.975, 2) * st.sem(x)
    assert m == pytest.approx(np.mean(x)) and high - m == pytest.approx(half) and m - low == pytest.approx(half)
    assert stats.mean_interval([0.5]) == (0.5, None, None)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="non-empty"):
        stats.welch([], [1.0, 2.0])
    with pytest.raises(ValueError, match="finite"):
        stats.welch([1.0, float("nan")], [1.0, 2.0])


def test_direction_without_a_prediction():
    c = stats.welch([0.90, 0.91, 0.92], [0.97, 0.98, 0.99])
    assert stats.direction(c) == stats.HIGHER
    assert stats.direction(stats.welch([0.97, 0.98, 0.99], [0.90, 0.91, 0.92])) == stats.LOWER
    assert stats.direction(c, p=0.5) == stats.UNDECIDED
    assert stats.direction(stats.welch([0.9], [0.9, 0.8])) == stats.NOT_TESTED


def test_rates_differ_matches_fisher_for_two_groups_and_has_no_power_at_three_seeds():
    res = stats.rates_differ({"a": (3, 3), "b": (0, 3)})
    assert res.p == pytest.approx(st.fisher_exact([[3, 0], [0, 3]]).pvalue)
    assert res.p > stats.ALPHA  # three seeds a side can never show a difference in rates
    assert (res.events, res.trials, res.groups) == (3, 6, 2)


def test_rates_differ_over_many_groups_is_reproducible_and_sees_concentration():
    spread = {f"g{i}": (1 if i < 2 else 0, 3) for i in range(16)}
    concentrated = {f"g{i}": (3 if i == 0 else 0, 3) for i in range(16)}
    assert stats.rates_differ(spread).p > 0.5
    assert stats.rates_differ(concentrated).p < 0.01
    assert stats.rates_differ(concentrated).p == stats.rates_differ(concentrated).p
    assert stats.rates_differ({"a": (0, 3), "b": (0, 3), "c": (0, 2)}).p == 1.0


@pytest.mark.parametrize(
    "counts", [{"a": (1, 3)}, {"a": (4, 3), "b": (0, 3)}, {"a": (1, 0), "b": (0, 3)}, {"a": (0.5, 3), "b": (0, 3)}]
)
def test_rates_differ_names_bad_counts(counts):
    with pytest.raises(ValueError):
        stats.rates_differ(counts)


def test_a_goal_is_met_only_when_the_whole_interval_clears_it():
    assert stats.against_goal([0.985, 0.987, 0.986], 0.98)[3] == stats.MET
    assert stats.against_goal([0.970, 0.975, 0.972], 0.98)[3] == stats.NOT_MET
    mean, low, high, verdict = stats.against_goal([0.975, 0.985, 0.98], 0.98)
    assert low < 0.98 < high and verdict == stats.UNDECIDED
    assert stats.against_goal([0.99], 0.98) == (0.99, None, None, stats.NOT_TESTED)


def test_welch_with_one_constant_side_is_exact_and_quiet():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning may escape
        c = stats.welch([0.1135, 0.2173], [0.1135, 0.1135, 0.1135])
    # one constant side: the test of the other side's mean, with one degree of freedom fewer than its seeds
    assert c.df == pytest.approx(1.0) and c.t == pytest.approx(-1.0) and c.p == pytest.approx(0.5)


@pytest.mark.parametrize("value", [0.1, 0.1135, 1 / 3])
def test_welch_with_two_constant_sides_is_certain(value):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # values whose mean does not round back exactly must not reach scipy
        same = stats.welch([value] * 3, [value] * 3)
        other = stats.welch([value] * 3, [value + 0.1] * 3)
    assert same.p == 1.0 and same.difference == pytest.approx(0) and stats.verdict(same, -1) == stats.UNDECIDED
    assert other.p == 0.0 and other.low == other.high == pytest.approx(0.1)
