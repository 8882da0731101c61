"""Locality and ink metrics: values known by hand, and invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

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
