"""Chapter 9 ("Which order is best, and why"): the verdict helpers of hilbertlib.analysis
and the accuracy-against-metric figure of hilbertlib.plotting."""

from __future__ import annotations

import itertools
import math

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from hilbertlib import analysis, metrics  # noqa: E402
from hilbertlib.orderings import ordering  # noqa: E402

# ------------------------------------------------------------ pooled seed spread


def test_pooled_sd_of_one_group_is_its_sample_sd():
    v = [0.97, 0.98, 0.95, 0.96]
    assert analysis.pooled_seed_sd({"row": v}) == pytest.approx(np.std(v, ddof=1))


def test_pooled_sd_ignores_single_runs_and_is_none_without_any_pair():
    assert analysis.pooled_seed_sd({"row": [0.9], "hilbert": [0.8]}) is None
    assert analysis.pooled_seed_sd({}) is None
    two = {"row": [0.97, 0.98, 0.99]}
    assert analysis.pooled_seed_sd({**two, "spiral": [0.1]}) == pytest.approx(analysis.pooled_seed_sd(two))


def test_pooled_sd_weights_groups_by_degrees_of_freedom():
    a, b = [0.0, 2.0], [0.0, 0.0, 0.0, 0.0, 0.0]   # variances 2 (1 dof) and 0 (4 dof)
    assert analysis.pooled_seed_sd({"a": a, "b": b}) == pytest.approx(math.sqrt(2.0 / 5.0))
    # equal sizes: the root of the mean variance
    c, d = [0.90, 0.92, 0.94], [0.50, 0.60, 0.70]
    want = math.sqrt((np.var(c, ddof=1) + np.var(d, ddof=1)) / 2)
    assert analysis.pooled_seed_sd({"c": c, "d": d}) == pytest.approx(want)


@given(st.lists(st.floats(0, 1), min_size=2, max_size=6), st.floats(-0.5, 0.5))
def test_pooled_sd_does_not_depend_on_a_groups_level(values, shift):
    """Only the spread within each group counts, not where the groups sit."""
    other = [0.3, 0.5, 0.4]
    base = analysis.pooled_seed_sd({"a": values, "b": other})
    moved = analysis.pooled_seed_sd({"a": [v + shift for v in values], "b": other})
    assert moved == pytest.approx(base, abs=1e-9)


# ------------------------------------------------------------ accuracy change


def test_accuracy_change_is_after_minus_before_with_the_pooled_standard_error():
    ch = analysis.accuracy_change([0.98, 0.99, 0.97], [0.95], sd=0.01)
    assert ch.change == pytest.approx(0.95 - 0.98)
    assert ch.se == pytest.approx(0.01 * math.sqrt(1 / 3 + 1))
    assert (ch.n_before, ch.n_after) == (3, 1)
    assert ch.beyond_spread  # 3 points against 2 x 1.15


def test_accuracy_change_within_spread_and_unknown_spread():
    assert analysis.accuracy_change([0.980], [0.978], sd=0.002).beyond_spread is False
    ch = analysis.accuracy_change([0.98], [0.90], sd=None)
    assert ch.se is None and ch.beyond_spread is None
    assert analysis.accuracy_change([], [0.9], sd=0.01) is None
    assert analysis.accuracy_change([0.9], [], sd=0.01) is None
    with pytest.raises(ValueError, match="sd"):
        analysis.accuracy_change([0.9], [0.8], sd=-1.0)


def test_beyond_spread_uses_twice_the_standard_error():
    se = 0.01 * math.sqrt(2)
    just_in = analysis.accuracy_change([0.5], [0.5 + 1.99 * se], sd=0.01)
    just_out = analysis.accuracy_change([0.5], [0.5 + 2.01 * se], sd=0.01)
    assert just_in.beyond_spread is False and just_out.beyond_spread is True


# ------------------------------------------------------------ ink prediction


def test_ink_prediction_direction():
    assert analysis.ink_prediction(100.0, 40.0) == 1     # ink moves closer to the end: accuracy up
    assert analysis.ink_prediction(40.0, 100.0) == -1
    assert analysis.ink_prediction(90.0, 90.5) == 0      # within min_shift
    assert analysis.ink_prediction(90.0, 90.5, min_shift=0.1) == -1
    with pytest.raises(ValueError):
        analysis.ink_prediction(float("nan"), 1.0)


def test_ink_prediction_on_images_with_ink_at_the_bottom():
    """Ink in the bottom rows is near the end in row order; reversing moves it to the start."""
    images = np.zeros((3, 6, 6), dtype=np.float32)
    images[:, 4:, 1:5] = 1.0
    d_row = metrics.ink_position(images, "row")["distance_from_end"]
    d_rev = metrics.ink_position(images, "reversed:row")["distance_from_end"]
    assert d_row + d_rev == pytest.approx(35.0)
    assert analysis.ink_prediction(d_row, d_rev) == -1
    assert analysis.ink_prediction(d_rev, d_row) == 1


def test_reversal_keeps_locality_and_roughness_but_flips_the_ink():
    """The premise of chapter 9's reversal test, for the book's real orderings."""
    rng = np.random.default_rng(0)
    images = (rng.random((20, 14, 14)) * (rng.random((20, 14, 14)) < 0.3)).astype(np.float32)
    images[:, 10:, :] *= 3.0   # more ink at the bottom, so the direction matters
    images = np.clip(images, 0, 1)
    for name in ("row", "hilbert", "spiral"):
        fwd, rev = metrics.locality_summary(name, 14), metrics.locality_summary(f"reversed:{name}", 14)
        assert fwd.keys() == rev.keys()
        for k in fwd:
            assert fwd[k] == pytest.approx(rev[k]), (name, k)
        table = metrics.ink_table(images, [name, f"reversed:{name}"])
        a, b = table[name], table[f"reversed:{name}"]
        assert a["roughness"] == pytest.approx(b["roughness"])
        assert a["distance_from_end"] + b["distance_from_end"] == pytest.approx(14 * 14 - 1)
        assert a["distance_from_end"] != pytest.approx(b["distance_from_end"])
    assert np.array_equal(ordering("spiral-in-out", 14), ordering("spiral", 14)[::-1])


# ------------------------------------------------------------ explanation verdict


def _change(diff: float, se: float | None) -> analysis.Change:
    return analysis.Change(diff, se, 1, 1)


@pytest.mark.parametrize("diff,se,predicted,want", [
    (-0.02, 0.002, -1, analysis.SUPPORTED),
    (+0.02, 0.002, +1, analysis.SUPPORTED),
    (+0.02, 0.002, -1, analysis.CONTRADICTED),
    (-0.02, 0.002, 0, analysis.CONTRADICTED),
    (-0.001, 0.002, -1, analysis.WITHIN_SPREAD),
    (+0.001, 0.002, 0, analysis.NO_CHANGE_PREDICTED),
    (-0.02, None, -1, "as predicted (spread unknown)"),
    (+0.02, None, -1, "against the prediction (spread unknown)"),
])
def test_explanation_verdict(diff, se, predicted, want):
    assert analysis.explanation_verdict(_change(diff, se), predicted) == want


def test_explanation_verdict_pending_and_bad_prediction():
    assert analysis.explanation_verdict(None, -1) == analysis.PENDING
    with pytest.raises(ValueError):
        analysis.explanation_verdict(_change(0.1, 0.01), 2)


# ------------------------------------------------------------ rank correlation


def test_rank_correlation_matches_scipy_with_ties():
    scipy_stats = pytest.importorskip("scipy.stats")
    x = [7.5, 7.5, 1.0, 1.0, 2.0, 56.0, 7.5, 1.0, 1.0, 1.0, 2.5]
    y = [0.98, 0.97, 0.95, 0.93, 0.96, 0.40, 0.975, 0.94, 0.90, 0.91, 0.955]
    rho, p = analysis.rank_correlation(x, y)
    assert rho == pytest.approx(scipy_stats.spearmanr(x, y).statistic)
    assert 0 < p <= 1


def test_rank_correlation_perfect_with_few_points_has_the_smallest_exact_p():
    for n in (3, 4, 5, 6):
        x = np.arange(n, dtype=float)
        rho, p = analysis.rank_correlation(x, 10 - 2 * x)
        assert rho == pytest.approx(-1.0)
        assert p == pytest.approx(2 / math.factorial(n))   # only the two perfect re-orderings are as extreme


def test_rank_correlation_exact_p_is_the_share_of_as_extreme_permutations():
    x = [1.0, 2.0, 3.0, 4.0, 5.0]
    y = [2.0, 1.0, 4.0, 3.0, 5.0]
    rho, p = analysis.rank_correlation(x, y)
    count = 0
    for perm in itertools.permutations(y):
        r = analysis.rank_correlation(x, list(perm))[0]
        count += abs(r) >= abs(rho) - 1e-12
    assert p == pytest.approx(count / math.factorial(5))


@given(st.lists(st.integers(-1000, 1000), min_size=3, max_size=7, unique=True),
       st.lists(st.integers(-1000, 1000), min_size=3, max_size=7))
def test_rank_correlation_only_sees_ranks(x, y):
    n = min(len(x), len(y))
    x, y = np.array(x[:n]) / 10.0, np.array(y[:n]) / 10.0   # y may hold ties
    if np.all(y == y[0]):
        assert analysis.rank_correlation(x, y) is None
        return
    rho, p = analysis.rank_correlation(x, y)
    rho2, p2 = analysis.rank_correlation(np.exp(x / 50.0), y ** 3)   # strictly increasing transforms
    assert rho2 == pytest.approx(rho, abs=1e-9) and p2 == pytest.approx(p)
    rho3, _ = analysis.rank_correlation(x, -y)
    assert rho3 == pytest.approx(-rho, abs=1e-9)
    assert -1.0 <= rho <= 1.0 and 0.0 < p <= 1.0


def test_rank_correlation_sampled_p_is_repeatable_and_close_to_exact():
    rng = np.random.default_rng(3)
    x, y = rng.random(9), rng.random(9)
    exact = analysis.rank_correlation(x, y, exact_max=9)
    sampled = analysis.rank_correlation(x, y, exact_max=8, n_permutations=20_000, seed=1)
    assert sampled == analysis.rank_correlation(x, y, exact_max=8, n_permutations=20_000, seed=1)
    assert sampled[0] == pytest.approx(exact[0])
    assert sampled[1] == pytest.approx(exact[1], abs=0.02)


def test_rank_correlation_degenerate_inputs():
    assert analysis.rank_correlation([1.0, 2.0], [3.0, 4.0]) is None
    assert analysis.rank_correlation([1.0, 1.0, 1.0], [1.0, 2.0, 3.0]) is None
    with pytest.raises(ValueError):
        analysis.rank_correlation([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError):
        analysis.rank_correlation([1.0, np.nan, 3.0], [1.0, 2.0, 3.0])


def test_correlation_verdict():
    assert analysis.correlation_verdict((-0.9, 0.01), -1) == analysis.SUPPORTED
    assert analysis.correlation_verdict((0.9, 0.01), -1) == analysis.CONTRADICTED
    assert analysis.correlation_verdict((-1.0, 0.083), -1) == "not decided (p = 0.08)"
    assert analysis.correlation_verdict(None, -1) == analysis.PENDING
    with pytest.raises(ValueError):
        analysis.correlation_verdict((0.5, 0.01), 0)
