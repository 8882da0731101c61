"""Orderings (chapter 2): every ordering is a permutation, with the locality
properties the book relies on."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hilbertlib.orderings import (
    gilbert_xy,
    hilbert_d2xy,
    hilbert_xy2d,
    ordering,
    ordering_names,
    ordering_to_xy,
    validate_ordering_name,
    validate_size,
)

ALL_NAMES = sorted(ordering_names()) + ["reversed:hilbert", "random:7"]
sides = st.integers(min_value=1, max_value=64)


def steps(name: str, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """|dx|, |dy| of every step of an ordering."""
    x, y = ordering_to_xy(ordering(name, h, w), w)
    return np.abs(np.diff(x)), np.abs(np.diff(y))


def non_unit_steps(name: str, h: int, w: int) -> int:
    dx, dy = steps(name, h, w)
    return int(np.count_nonzero(dx + dy != 1))


def assert_permutation(order: np.ndarray, n: int) -> None:
    assert order.shape == (n,)
    assert order.dtype == np.int64
    np.testing.assert_array_equal(np.sort(order), np.arange(n))


# ------------------------------------------------------------ permutations


def test_registry_has_the_books_orderings():
    names = ordering_names()
    for name in ("row", "column", "snake", "random", "spiral", "spiral-in-out", "zorder", "hilbert", "hilbert-crop"):
        assert name in names
        assert isinstance(names[name], str) and names[name]


@pytest.mark.parametrize("name", ALL_NAMES)
def test_every_square_is_a_permutation(name):
    for s in range(1, 65):
        assert_permutation(ordering(name, s), s * s)


@given(name=st.sampled_from(ALL_NAMES), h=sides, w=sides)
def test_every_rectangle_is_a_permutation(name, h, w):
    assert_permutation(ordering(name, h, w), h * w)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_result_is_read_only_int64_and_cached(name):
    a = ordering(name, 14)
    assert a.dtype == np.int64
    assert not a.flags.writeable
    with pytest.raises(ValueError):
        a[0] = 1
    assert ordering(name, 14) is a
    assert ordering(name, 14, 14) is a


def test_reversed_and_seeded_random():
    np.testing.assert_array_equal(ordering("reversed:hilbert", 9, 5), ordering("hilbert", 9, 5)[::-1])
    np.testing.assert_array_equal(ordering("reversed:reversed:row", 4, 3), ordering("row", 4, 3))
    np.testing.assert_array_equal(ordering("random:7", 14), ordering("random:7", 14).copy())
    assert not np.array_equal(ordering("random:7", 14), ordering("random:8", 14))
    assert not np.array_equal(ordering("random:7", 14), ordering("row", 14))


# ------------------------------------------------------------ generalized Hilbert


def test_hilbert_unit_steps_when_both_sides_even():
    for h in range(2, 65, 2):
        for w in range(2, 65, 2):
            assert non_unit_steps("hilbert", h, w) == 0, (h, w)


def test_hilbert_at_most_diagonal_steps_for_any_size():
    for h in range(1, 65):
        for w in range(1, 65):
            dx, dy = steps("hilbert", h, w)
            if dx.size:
                assert int(np.maximum(dx, dy).max()) == 1, (h, w)  # Chebyshev distance 1
                assert int((dx + dy).min()) >= 1, (h, w)  # never stays put


def test_hilbert_odd_by_even_has_at_most_one_diagonal():
    # When the longer side is odd and the shorter even, the generalized curve
    # cannot stay on unit steps everywhere: it takes (at most) one diagonal step.
    # Observed: 930 of the 992 such sizes in 1..64 have exactly one, the rest none.
    for h in range(1, 65):
        for w in range(1, 65):
            long_, short = max(h, w), min(h, w)
            if long_ % 2 == 1 and short % 2 == 0:
                dx, dy = steps("hilbert", h, w)
                assert int(np.count_nonzero((dx == 1) & (dy == 1))) <= 1, (h, w)


def test_hilbert_starts_top_left():
    for h in range(1, 33):
        for w in range(1, 33):
            assert ordering("hilbert", h, w)[0] == 0, (h, w)


def _square_symmetries(x: np.ndarray, y: np.ndarray, n: int):
    """The 8 symmetries of the square, each also walked backwards."""
    for swap, fx, fy, rev in itertools.product((False, True), repeat=4):
        a, b = (y, x) if swap else (x, y)
        a = n - 1 - a if fx else a
        b = n - 1 - b if fy else b
        yield (a[::-1], b[::-1]) if rev else (a, b)


@pytest.mark.parametrize("k", range(1, 8))
def test_hilbert_equals_classic_curve_on_powers_of_two(k):
    n = 1 << k
    cx, cy = hilbert_d2xy(k, np.arange(n * n))
    gx, gy = gilbert_xy(n, n)
    x, y = ordering_to_xy(ordering("hilbert", n), n)
    np.testing.assert_array_equal(x, gx)
    np.testing.assert_array_equal(y, gy)
    assert any(np.array_equal(a, gx) and np.array_equal(b, gy) for a, b in _square_symmetries(cx, cy, n)), (
        f"generalized curve differs from the classic one on {n}x{n}"
    )


def test_gilbert_xy_matches_ordering_on_rectangles():
    for h, w in [(1, 1), (1, 7), (7, 1), (3, 5), (14, 28), (28, 14), (13, 13)]:
        x, y = gilbert_xy(h, w)
        np.testing.assert_array_equal(y * w + x, ordering("hilbert", h, w))


# ------------------------------------------------------------ jumps of other orderings


@pytest.mark.parametrize("size", [14, 28])
def test_hilbert_crop_has_five_jumps(size):
    # Published fact: the cropped 16x16 (32x32) curve jumps 5 times on 14x14 (28x28).
    assert non_unit_steps("hilbert-crop", size, size) == 5


def test_row_major_jumps_at_every_row_end():
    assert non_unit_steps("row", 14, 14) == 13
    assert non_unit_steps("row", 28, 28) == 27


@pytest.mark.parametrize("name", ["snake", "spiral", "spiral-in-out"])
def test_snake_and_spiral_have_only_unit_steps(name):
    for h in range(1, 41):
        for w in range(1, 41):
            assert non_unit_steps(name, h, w) == 0, (name, h, w)


@given(name=st.sampled_from(["snake", "spiral"]), h=sides, w=sides)
def test_snake_and_spiral_unit_steps_any_rectangle(name, h, w):
    assert non_unit_steps(name, h, w) == 0


# ------------------------------------------------------------ particular orderings


@given(h=sides, w=sides)
def test_spiral_starts_with_the_first_row(h, w):
    order = ordering("spiral", h, w)
    assert order[0] == 0
    np.testing.assert_array_equal(order[:w], np.arange(w))


def test_spiral_small_case_by_hand():
    # 3x4 grid:  0  1  2  3
    #            4  5  6  7
    #            8  9 10 11
    assert ordering("spiral", 3, 4).tolist() == [0, 1, 2, 3, 7, 11, 10, 9, 8, 4, 5, 6]


@given(h=sides, w=sides)
def test_spiral_in_out_is_reversed_spiral(h, w):
    np.testing.assert_array_equal(ordering("spiral-in-out", h, w), ordering("reversed:spiral", h, w))


@given(h=sides, w=sides)
def test_column_is_the_transpose(h, w):
    t = np.arange(h * w)
    # step t visits row t % h of column t // h
    np.testing.assert_array_equal(ordering("column", h, w), (t % h) * w + t // h)


def test_snake_small_case():
    assert ordering("snake", 2, 3).tolist() == [0, 1, 2, 5, 4, 3]
    assert ordering("snake", 3, 2).tolist() == [0, 1, 3, 2, 4, 5]


def test_zorder_by_hand_4x4():
    # Morton order visits 2x2 blocks in Z shape: (0,0) (1,0) (0,1) (1,1) ...
    assert ordering("zorder", 4).tolist() == [0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15]


@pytest.mark.parametrize("k", range(0, 6))
def test_zorder_is_morton_on_powers_of_two(k):
    n = 1 << k

    def morton(x: int, y: int) -> int:
        return sum(((x >> b) & 1) << (2 * b) | ((y >> b) & 1) << (2 * b + 1) for b in range(k + 1))

    expected = sorted(range(n * n), key=lambda i: morton(i % n, i // n))
    assert ordering("zorder", n).tolist() == expected


# ------------------------------------------------------------ classic Hilbert


@pytest.mark.parametrize("k", range(0, 8))
def test_classic_d2xy_xy2d_inverse(k):
    n = 1 << k
    d = np.arange(n * n)
    x, y = hilbert_d2xy(k, d)
    np.testing.assert_array_equal(hilbert_xy2d(k, x, y), d)
    # a bijection onto the square, with unit steps, from (0, 0) to (n-1, 0)
    np.testing.assert_array_equal(np.sort(y * n + x), d)
    if n > 1:
        assert np.all(np.abs(np.diff(x)) + np.abs(np.diff(y)) == 1)
        assert (x[0], y[0]) == (0, 0) and (x[-1], y[-1]) == (n - 1, 0)
    gx, gy = np.meshgrid(np.arange(n), np.arange(n))
    dd = hilbert_xy2d(k, gx.ravel(), gy.ravel())
    bx, by = hilbert_d2xy(k, dd)
    np.testing.assert_array_equal(bx, gx.ravel())
    np.testing.assert_array_equal(by, gy.ravel())


def test_classic_range_errors():
    with pytest.raises(ValueError):
        hilbert_d2xy(2, [16])
    with pytest.raises(ValueError):
        hilbert_d2xy(2, [-1])
    with pytest.raises(ValueError):
        hilbert_xy2d(2, [4], [0])
    with pytest.raises(ValueError):
        hilbert_xy2d(2, [0], [-1])


# ------------------------------------------------------------ bad input


def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError) as exc:
        ordering("nope", 14)
    msg = str(exc.value)
    assert "nope" in msg
    for name in ordering_names():
        assert name in msg
    with pytest.raises(ValueError):
        validate_ordering_name("reversed:nope")
    with pytest.raises(ValueError):
        ordering(None, 14)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [0, -1, 2.5, "14", True, 14.0])
def test_bad_sizes_raise(bad):
    with pytest.raises(ValueError, match="positive integer"):
        ordering("row", bad)
    with pytest.raises(ValueError, match="positive integer"):
        ordering("row", 14, bad)
    with pytest.raises(ValueError):
        validate_size(bad)


def test_missing_height_raises_but_missing_width_means_square():
    with pytest.raises(ValueError, match="positive integer"):
        ordering("row", None)  # type: ignore[arg-type]
    assert ordering("row", 3, None).shape == (9,)


def test_numpy_integer_sizes_are_accepted():
    assert ordering("hilbert", np.int64(14)) is ordering("hilbert", 14)


@pytest.mark.parametrize("bad", ["random:x", "random:", "random:-1", "random:1.5", "reversed:random:x"])
def test_bad_random_seed_raises(bad):
    with pytest.raises(ValueError, match="seed"):
        ordering(bad, 14)


# ------------------------------------------------------------ orientations

from hilbertlib.orderings import SYMMETRIES, canonical_ordering_name, orientations  # noqa: E402


@pytest.mark.parametrize("base", ["hilbert", "row", "spiral", "zorder", "snake", "random:3"])
@pytest.mark.parametrize("side", [1, 2, 5, 14, 28])
def test_every_orientation_is_a_permutation(base, side):
    for name in orientations(base):
        assert_permutation(ordering(name, side), side * side)


@pytest.mark.parametrize("base", ["hilbert", "row", "spiral", "snake", "hilbert-crop"])
def test_orientations_keep_every_step_length(base):
    from hilbertlib.metrics import step_lengths

    ref = step_lengths(base, 14)
    for name in orientations(base):
        np.testing.assert_allclose(np.sort(step_lengths(name, 14)), np.sort(ref))


def test_the_symmetries_of_the_hilbert_curve_are_distinct():
    # The generalized curve on 14x14 has no symmetry of its own: all 16 walks differ.
    walks = {tuple(ordering(n, 14)) for n in orientations("hilbert")}
    assert len(walks) == 16
    # Row order is symmetric under a half turn walked backwards: 8 distinct walks.
    assert len({tuple(ordering(n, 14)) for n in orientations("row")}) == 8
    assert np.array_equal(ordering("rot180:row", 14), ordering("reversed:row", 14))


def test_known_orientations_of_row_order():
    assert np.array_equal(ordering("transpose:row", 6), ordering("column", 6))
    assert ordering("fliplr:row", 2, 3).tolist() == [2, 1, 0, 5, 4, 3]
    assert ordering("flipud:row", 2, 3).tolist() == [3, 4, 5, 0, 1, 2]
    # A quarter turn clockwise: the first row of the walk becomes the last column, top to bottom.
    assert ordering("rot90:row", 3).tolist()[:3] == [2, 5, 8]


def test_prefixes_compose_like_the_group():
    for a in SYMMETRIES:
        for b in SYMMETRIES:
            name = canonical_ordering_name(f"{a}:{b}:hilbert")
            manual = ordering(f"{a}:{b}:hilbert", 8)
            assert np.array_equal(ordering(name, 8), manual)
    assert canonical_ordering_name("rot90:rot270:hilbert") == "hilbert"
    assert canonical_ordering_name("fliplr:fliplr:reversed:reversed:row") == "row"
    assert canonical_ordering_name("rot90:reversed:hilbert") == "reversed:rot90:hilbert"
    assert canonical_ordering_name("identity:random:4") == "random:4"


def test_quarter_turns_need_a_square_grid():
    assert_permutation(ordering("rot180:hilbert", 4, 6), 24)
    with pytest.raises(ValueError, match="square"):
        ordering("rot90:hilbert", 4, 6)


def test_unknown_prefix_is_named():
    with pytest.raises(ValueError, match="rot45:hilbert"):
        ordering("rot45:hilbert", 14)


def test_row_controls_keep_the_rows():
    for name in ("row-permuted", "row-scattered"):
        order = ordering(name, 14)
        assert np.array_equal(order.reshape(14, 14) // 14, np.repeat(np.arange(14), 14).reshape(14, 14))
    cols = ordering("row-permuted", 14).reshape(14, 14) % 14
    assert (cols == cols[0]).all() and not np.array_equal(cols[0], np.arange(14))
    cols = ordering("row-scattered", 14).reshape(14, 14) % 14
    assert len({tuple(r) for r in cols}) == 14
