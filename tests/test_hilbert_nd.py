"""N-dimensional Hilbert curve (chapter 2): inverse pair, agreement with the
``hilbertcurve`` package, and input checks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hilbertlib.hilbert_nd import hilbert_decode_nd, hilbert_encode_nd

hilbertcurve = pytest.importorskip("hilbertcurve.hilbertcurve")
HilbertCurve = hilbertcurve.HilbertCurve

SMALL = [(n, p) for n in range(1, 6) for p in (1, 2, 3, 4) if n * p <= 12]


@pytest.mark.parametrize("ndim,bits", SMALL)
def test_exhaustive_agreement_with_hilbertcurve(ndim, bits):
    hc = HilbertCurve(bits, ndim)
    d = np.arange(2 ** (ndim * bits), dtype=np.int64)
    pts = hilbert_decode_nd(d, ndim, bits)
    assert pts.shape == (d.size, ndim) and pts.dtype == np.int64
    np.testing.assert_array_equal(pts, np.array(hc.points_from_distances(d.tolist())))
    np.testing.assert_array_equal(hilbert_encode_nd(pts, bits), d)
    np.testing.assert_array_equal(hilbert_encode_nd(pts, bits), np.array(hc.distances_from_points(pts.tolist())))
    # a bijection onto the cube with unit steps
    assert len({tuple(p) for p in pts.tolist()}) == d.size
    if d.size > 1:
        assert np.all(np.abs(np.diff(pts, axis=0)).sum(axis=1) == 1)


@st.composite
def curve_and_distances(draw):
    ndim = draw(st.integers(1, 5))
    bits = draw(st.integers(1, min(16, 62 // ndim)))
    top = 2 ** (ndim * bits) - 1
    d = draw(st.lists(st.integers(0, top), min_size=1, max_size=20))
    return ndim, bits, d


@given(curve_and_distances())
def test_random_agreement_with_hilbertcurve(case):
    ndim, bits, d = case
    hc = HilbertCurve(bits, ndim)
    pts = hilbert_decode_nd(np.array(d, dtype=np.int64), ndim, bits)
    np.testing.assert_array_equal(pts, np.array(hc.points_from_distances(d), dtype=np.int64))
    np.testing.assert_array_equal(hilbert_encode_nd(pts, bits), np.array(d, dtype=np.int64))
    np.testing.assert_array_equal(
        hilbert_encode_nd(pts, bits), np.array(hc.distances_from_points(pts.tolist()), dtype=np.int64)
    )


@pytest.mark.parametrize("ndim,bits", [(1, 62), (2, 31), (3, 20), (5, 12), (62, 1)])
def test_largest_curves_round_trip(ndim, bits):
    rng = np.random.default_rng(0)
    d = rng.integers(0, 2 ** (ndim * bits), size=50, dtype=np.int64)
    d = np.concatenate([d, [0, 2 ** (ndim * bits) - 1]])
    pts = hilbert_decode_nd(d, ndim, bits)
    np.testing.assert_array_equal(hilbert_encode_nd(pts, bits), d)
    if ndim <= 5:
        hc = HilbertCurve(bits, ndim)
        np.testing.assert_array_equal(pts, np.array(hc.points_from_distances(d.tolist()), dtype=np.int64))


@pytest.mark.parametrize("ndim,bits", [(1, 63), (2, 32), (3, 21), (7, 9), (63, 1)])
def test_too_many_bits_raise(ndim, bits):
    with pytest.raises(ValueError, match="62"):
        hilbert_decode_nd([0], ndim, bits)
    with pytest.raises(ValueError, match="62"):
        hilbert_encode_nd(np.zeros((1, ndim), dtype=np.int64), bits)


def test_bad_arguments_raise():
    with pytest.raises(ValueError):
        hilbert_decode_nd([0], 0, 3)
    with pytest.raises(ValueError):
        hilbert_decode_nd([0], 2, 0)
    with pytest.raises(ValueError):
        hilbert_decode_nd([16], 2, 2)  # distances lie in [0, 16)
    with pytest.raises(ValueError):
        hilbert_decode_nd([-1], 2, 2)
    with pytest.raises(ValueError):
        hilbert_encode_nd([[4, 0]], 2)  # coordinates lie in [0, 4)
    with pytest.raises(ValueError):
        hilbert_encode_nd([[0, -1]], 2)
    with pytest.raises(ValueError, match="shape"):
        hilbert_encode_nd([0, 1], 2)  # needs (M, ndim)
