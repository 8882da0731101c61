"""Chapter 9 ("Which order is best, and why"): the properties of the orderings its tests rest on."""

from __future__ import annotations

import numpy as np
import pytest

from hilbertlib import metrics
from hilbertlib.orderings import ordering


def test_ink_at_the_bottom_is_near_the_end_in_row_order_and_far_from_it_reversed():
    """Ink in the bottom rows is near the end in row order; reversing moves it to the start."""
    images = np.zeros((3, 6, 6), dtype=np.float32)
    images[:, 4:, 1:5] = 1.0
    d_row = metrics.ink_position(images, "row")["distance_from_end"]
    d_rev = metrics.ink_position(images, "reversed:row")["distance_from_end"]
    assert d_row + d_rev == pytest.approx(35.0)
    assert d_row < d_rev


def test_reversal_keeps_locality_and_roughness_but_flips_the_ink():
    """The premise of chapter 9's reversal test, for the book's real orderings."""
    rng = np.random.default_rng(0)
    images = (rng.random((20, 14, 14)) * (rng.random((20, 14, 14)) < 0.3)).astype(np.float32)
    images[:, 10:, :] *= 3.0  # more ink at the bottom, so the direction matters
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
