"""Locality and ink metrics: values known by hand, and invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hilbertlib import metrics, ordering


def test_known_jump_counts():
    assert metrics.non_unit_steps("row", 14) == 13  # one jump back per new row
    assert metrics.non_unit_steps("hilbert", 14) == 0
    assert metrics.non_unit_steps("hilbert", 28) == 0
    assert metrics.non_unit_steps("hilbert-crop", 14) == 5
    assert metrics.non_unit_steps("snake", 9, 5) == 0


def test_gap_one_is_the_mean_step():
    for name in ("row", "hilbert", "zorder", "random"):
        np.testing.assert_allclose(metrics.gap_distance(name, 14, gaps=(1,))[0], metrics.step_lengths(name, 14).mean())


def test_row_order_neighbour_gaps():
    # Horizontal neighbours are 1 step apart, vertical ones W steps apart.
    h, w = 5, 7
    gaps = metrics.neighbour_gaps("row", h, w)
    assert len(gaps) == h * (w - 1) + (h - 1) * w
    assert np.count_nonzero(gaps == 1) == h * (w - 1)
    assert np.count_nonzero(gaps == w) == (h - 1) * w


@given(h=st.integers(2, 20), w=st.integers(2, 20))
def test_reversal_keeps_locality(h, w):
    a = metrics.locality_summary("hilbert", h, w)
    b = metrics.locality_summary("reversed:hilbert", h, w)
    assert a.keys() == b.keys()
    for k in a:  # gaps longer than the sequence are NaN in both
        assert a[k] == pytest.approx(b[k], nan_ok=True), k


def test_inverse_order():
    order = ordering("spiral", 6, 4)
    inv = metrics.inverse_order(order)
    np.testing.assert_array_equal(inv[order], np.arange(24))


def test_ink_at_the_last_step_is_at_the_end():
    img = np.zeros((1, 4, 4), dtype=np.uint8)
    last = ordering("hilbert", 4, 4)[-1]
    img.reshape(1, -1)[0, last] = 255
    pos = metrics.ink_position(img, "hilbert")
    assert pos["distance_from_end"] == 0.0
    assert pos["centre_of_mass"] == 1.0
    assert pos["tail_fraction"] == 1.0
    rev = metrics.ink_position(img, "reversed:hilbert")
    assert rev["distance_from_end"] == 15.0 and rev["tail_fraction"] == 0.0


def test_ink_profile_is_the_mean_image_reordered():
    rng = np.random.default_rng(0)
    imgs = rng.integers(0, 256, (10, 6, 6), dtype=np.uint8)
    prof = metrics.ink_profile(imgs, "snake")
    np.testing.assert_allclose(prof, (imgs / 255).mean(0).ravel()[ordering("snake", 6)], rtol=1e-6)


def test_roughness():
    flat = np.full((3, 5, 5), 0.5)
    assert metrics.sequence_roughness(flat, "random") == 0.0
    stripes = np.zeros((1, 4, 4))
    stripes[0, :, 1::2] = 1.0  # vertical stripes: row order alternates, column order is smooth within columns
    assert metrics.sequence_roughness(stripes, "row") > metrics.sequence_roughness(stripes, "column")


def test_bad_order_shape():
    with pytest.raises(ValueError, match="expected"):
        metrics.non_unit_steps(np.arange(10), 4, 4)


# ------------------------------------------------------------ lags and recent ink (chapter 9)

from hilbertlib.metrics import ink_timing, lag_regularity, neighbour_lags, recent_ink  # noqa: E402
from hilbertlib.orderings import orientations as _orientations  # noqa: E402


def test_row_order_has_two_lags_and_one_bit():
    lag = lag_regularity("row", 14)
    assert lag["distinct_both"] == 2 and lag["entropy_both"] == pytest.approx(1.0)
    assert lag["entropy_horizontal"] == 0 and lag["max_vertical"] == 14 and lag["mean_horizontal"] == 1


def test_symmetries_keep_the_lags():
    ref = np.sort(np.concatenate(list(neighbour_lags("hilbert", 14).values())))
    for name in _orientations("hilbert"):
        got = np.sort(np.concatenate(list(neighbour_lags(name, 14).values())))
        np.testing.assert_array_equal(got, ref)


def test_shuffling_columns_makes_lags_less_regular():
    row, perm, scat = (lag_regularity(n, 14) for n in ("row", "row-permuted", "row-scattered"))
    assert perm["entropy_vertical"] == 0 and perm["entropy_horizontal"] > row["entropy_horizontal"]
    assert scat["entropy_both"] > perm["entropy_both"] > row["entropy_both"]


def test_recent_ink_bounds_and_extremes():
    img = np.zeros((1, 4, 4), dtype=np.uint8)
    img[0, 3, 3] = 255  # the last pixel of row order, the first of its reversal
    late, early = recent_ink(img, "row", taus=(2,)), recent_ink(img, "reversed:row", taus=(2,))
    assert late[2] == pytest.approx(1.0) and early[2] == pytest.approx(np.exp(-15 / 2))
    rng = np.random.default_rng(0)
    imgs = rng.integers(0, 256, size=(20, 6, 6), dtype=np.uint8)
    r = recent_ink(imgs, "hilbert", taus=(5, 10, 50))
    assert 0 < r[5] < r[10] < r[50] <= 1
    with pytest.raises(ValueError, match="positive"):
        recent_ink(imgs, "row", taus=(0,))


def test_ink_timing_rows_and_reversal():
    rng = np.random.default_rng(1)
    imgs = rng.integers(0, 256, size=(30, 6, 6), dtype=np.uint8)
    t = ink_timing(imgs, ["row", "reversed:row"], taus=(10,))
    assert list(t.columns) == ["distance_from_end", "tail_fraction", "recent_ink_10"]
    # Reversing a walk mirrors the ink's mean distance from the end about the middle.
    assert t.loc["row", "distance_from_end"] + t.loc["reversed:row", "distance_from_end"] == pytest.approx(35)
