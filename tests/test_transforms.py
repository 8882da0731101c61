"""Images <-> sequences and the 2x2 block-average downsampling (chapters 1 and 3)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from hilbertlib.orderings import ordering
from hilbertlib.transforms import as_unit_float, check_images, downsample, from_sequences, to_sequences

NAMES = ["row", "column", "snake", "spiral", "zorder", "hilbert", "hilbert-crop", "reversed:hilbert", "random:7"]


@st.composite
def uint8_images(draw, max_side=16, even=False):
    n = draw(st.integers(1, 4))
    h = draw(st.integers(1, max_side // 2)) * 2 if even else draw(st.integers(1, max_side))
    w = draw(st.integers(1, max_side // 2)) * 2 if even else draw(st.integers(1, max_side))
    return draw(hnp.arrays(np.uint8, (n, h, w)))


@st.composite
def unit_float_images(draw, dtype=np.float32, max_side=16, even=False):
    n = draw(st.integers(1, 4))
    h = draw(st.integers(1, max_side // 2)) * 2 if even else draw(st.integers(1, max_side))
    w = draw(st.integers(1, max_side // 2)) * 2 if even else draw(st.integers(1, max_side))
    elements = st.floats(0.0, 1.0, allow_nan=False, width=np.dtype(dtype).itemsize * 8)
    return draw(hnp.arrays(dtype, (n, h, w), elements=elements))


# ------------------------------------------------------------ to/from sequences


@given(imgs=uint8_images(), name=st.sampled_from(NAMES))
def test_to_sequences_shape_dtype_range_uint8(imgs, name):
    n, h, w = imgs.shape
    seq = to_sequences(imgs, name)
    assert seq.shape == (n, h * w, 1)
    assert seq.dtype == np.float32
    assert seq.min() >= 0.0 and seq.max() <= 1.0
    # step t of the sequence is pixel order[t] of the image
    order = ordering(name, h, w)
    np.testing.assert_array_equal(seq[..., 0], as_unit_float(imgs).reshape(n, -1)[:, order])


@given(imgs=uint8_images(), name=st.sampled_from(NAMES))
def test_from_sequences_inverts_uint8(imgs, name):
    n, h, w = imgs.shape
    back = from_sequences(to_sequences(imgs, name), name, h, w)
    assert back.shape == (n, h, w) and back.dtype == np.float32
    # exactly what as_unit_float makes of the images (the CNN's input) ...
    np.testing.assert_array_equal(back, as_unit_float(imgs))
    # ... and the integers are recovered exactly
    np.testing.assert_array_equal(np.rint(back * 255).astype(np.uint8), imgs)
    # ... and bit-equal to the correctly rounded values / 255.
    np.testing.assert_array_equal(back, (imgs / 255.0).astype(np.float32))


def test_uint8_scaling_is_the_correctly_rounded_division():
    levels = np.arange(256, dtype=np.uint8)[None, None, :]
    got = to_sequences(levels, "row")[0, :, 0]
    exact = (np.arange(256) / 255.0).astype(np.float32)
    np.testing.assert_array_equal(got, exact)
    assert got[0] == 0.0 and got[-1] == 1.0


@given(imgs=unit_float_images(np.float32), name=st.sampled_from(NAMES))
def test_from_sequences_inverts_float32_exactly(imgs, name):
    n, h, w = imgs.shape
    seq = to_sequences(imgs, name)
    assert seq.dtype == np.float32
    np.testing.assert_array_equal(from_sequences(seq, name, h, w), imgs)
    # 2-D sequences (N, T) are accepted too
    np.testing.assert_array_equal(from_sequences(seq[..., 0], name, h, w), imgs)


@given(imgs=unit_float_images(np.float64), name=st.sampled_from(NAMES))
def test_float64_input_is_cast_to_float32(imgs, name):
    n, h, w = imgs.shape
    seq = to_sequences(imgs, name)
    assert seq.dtype == np.float32
    np.testing.assert_array_equal(from_sequences(seq, name, h, w), imgs.astype(np.float32))


def test_ordering_name_and_permutation_are_equivalent():
    rng = np.random.default_rng(0)
    imgs = rng.integers(0, 256, size=(5, 14, 14), dtype=np.uint8)
    for name in NAMES:
        perm = ordering(name, 14)
        np.testing.assert_array_equal(to_sequences(imgs, name), to_sequences(imgs, perm))
        np.testing.assert_array_equal(to_sequences(imgs, name), to_sequences(imgs, list(perm)))
        seq = to_sequences(imgs, perm)
        np.testing.assert_array_equal(from_sequences(seq, perm, 14), from_sequences(seq, name, 14, 14))


def test_large_batches_cross_block_boundaries():
    rng = np.random.default_rng(1)
    imgs = rng.integers(0, 256, size=(2 * 2048 + 3, 4, 4), dtype=np.uint8)
    seq = to_sequences(imgs, "hilbert")
    np.testing.assert_array_equal(seq[..., 0], as_unit_float(imgs).reshape(len(imgs), -1)[:, ordering("hilbert", 4)])
    np.testing.assert_array_equal(from_sequences(seq, "hilbert", 4), as_unit_float(imgs))


def test_empty_batch():
    seq = to_sequences(np.zeros((0, 3, 3), np.uint8), "row")
    assert seq.shape == (0, 9, 1) and seq.dtype == np.float32


def test_real_mnist_round_trip(mnist):
    x = mnist.x_test[:200]
    seq = to_sequences(x, "hilbert")
    assert seq.shape == (200, 784, 1)
    np.testing.assert_array_equal(from_sequences(seq, "hilbert", 28), as_unit_float(x))


# ------------------------------------------------------------ input errors


def test_single_image_hints_at_batch_axis():
    with pytest.raises(ValueError, match="batch axis"):
        to_sequences(np.zeros((14, 14), np.uint8), "row")


@pytest.mark.parametrize("shape", [(196,), (2, 14, 14, 1), ()])
def test_wrong_rank_raises(shape):
    with pytest.raises(ValueError, match=r"\(N, H, W\)"):
        to_sequences(np.zeros(shape, np.uint8), "row")


def test_nan_raises():
    x = np.zeros((2, 4, 4), np.float32)
    x[1, 2, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        to_sequences(x, "row")


@pytest.mark.parametrize("bad", [1.5, -0.1, 255.0])
def test_float_outside_unit_interval_raises(bad):
    x = np.zeros((1, 4, 4), np.float64)
    x[0, 1, 1] = bad
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        to_sequences(x, "row")


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint16, bool])
def test_non_uint8_integer_dtypes_raise(dtype):
    with pytest.raises(ValueError, match="dtype"):
        to_sequences(np.zeros((1, 4, 4), dtype), "row")
    with pytest.raises(ValueError, match="dtype"):
        check_images(np.zeros((1, 4, 4), dtype))


def test_wrong_length_permutation_raises():
    x = np.zeros((1, 4, 4), np.uint8)
    with pytest.raises(ValueError, match="permutation"):
        to_sequences(x, np.arange(15))
    with pytest.raises(ValueError, match="permutation"):
        to_sequences(x, ordering("row", 5))
    with pytest.raises(ValueError, match="permutation"):
        from_sequences(np.zeros((1, 16)), np.arange(17), 4)


@pytest.mark.parametrize(
    "bad_order",
    [np.zeros(16, dtype=np.int64), np.r_[np.arange(15), 99], np.r_[-1, np.arange(1, 16)], np.arange(16.0)],
    ids=["repeated", "out-of-range", "negative", "float"],
)
def test_non_permutation_raises(bad_order):
    x = np.zeros((1, 4, 4), np.uint8)
    with pytest.raises(ValueError, match="permutation"):
        to_sequences(x, bad_order)
    with pytest.raises(ValueError, match="permutation"):
        from_sequences(np.zeros((1, 16, 1)), bad_order, 4)


def test_from_sequences_bad_shape_raises():
    with pytest.raises(ValueError, match="sequences must have shape"):
        from_sequences(np.zeros((2, 15, 1)), "row", 4)
    with pytest.raises(ValueError, match="sequences must have shape"):
        from_sequences(np.zeros((2, 16, 2)), "row", 4)
    with pytest.raises(ValueError, match="sequences must have shape"):
        from_sequences(np.zeros(16), "row", 4)


def test_unknown_ordering_name_raises():
    with pytest.raises(ValueError, match="unknown ordering"):
        to_sequences(np.zeros((1, 4, 4), np.uint8), "nope")


# ------------------------------------------------------------ downsample


def reference_downsample(x: np.ndarray, f: int = 2) -> np.ndarray:
    n, h, w = x.shape
    scale = 255.0 if x.dtype == np.uint8 else 1.0
    return x.astype(np.float64).reshape(n, h // f, f, w // f, f).mean(axis=(2, 4)) / scale


@given(imgs=uint8_images(even=True))
def test_downsample_uint8_matches_reference(imgs):
    out = downsample(imgs)
    n, h, w = imgs.shape
    assert out.shape == (n, h // 2, w // 2) and out.dtype == np.float32
    np.testing.assert_allclose(out, reference_downsample(imgs), rtol=0, atol=1e-6)
    assert out.min() >= 0.0 and out.max() <= 1.0


@given(imgs=st.one_of(unit_float_images(np.float32, even=True), unit_float_images(np.float64, even=True)))
def test_downsample_float_matches_reference(imgs):
    out = downsample(imgs)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, reference_downsample(imgs), rtol=0, atol=1e-6)
    assert out.min() >= 0.0 and out.max() <= 1.0


def test_downsample_other_factors_and_extremes():
    x = np.random.default_rng(2).integers(0, 256, size=(3, 12, 12), dtype=np.uint8)
    for f in (1, 3, 4, 6):
        np.testing.assert_allclose(downsample(x, f), reference_downsample(x, f), rtol=0, atol=1e-6)
    full = downsample(np.full((1, 4, 4), 255, np.uint8))
    assert np.all(full == 1.0)  # never above 1, so to_sequences accepts it
    assert to_sequences(full, "row").max() == 1.0


def test_downsample_real_mnist(mnist):
    x = mnist.x_train[:300]
    np.testing.assert_allclose(downsample(x), reference_downsample(x), rtol=0, atol=1e-6)


def test_downsample_errors():
    with pytest.raises(ValueError, match="not divisible"):
        downsample(np.zeros((1, 5, 4), np.uint8))
    with pytest.raises(ValueError, match="not divisible"):
        downsample(np.zeros((1, 4, 7), np.uint8))
    with pytest.raises(ValueError, match="not divisible"):
        downsample(np.zeros((1, 28, 28), np.uint8), 3)
    for bad in (0, -2, 2.0, True):
        with pytest.raises(ValueError, match="factor"):
            downsample(np.zeros((1, 4, 4), np.uint8), bad)
    with pytest.raises(ValueError, match="batch axis"):
        downsample(np.zeros((4, 4), np.uint8))
