"""Orderings: ways of walking the pixels of an H x W grid.

Every ordering is an integer permutation of the ``H*W`` flat (row-major)
pixel indices: ``order[t]`` is the flat index of the pixel visited at step
``t``.  Introduced in chapter 2 ("Building the Hilbert curve").
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable

import numpy as np

__all__ = [
    "ordering",
    "ordering_names",
    "validate_size",
    "validate_ordering_name",
    "canonical_ordering_name",
    "orientations",
    "SYMMETRIES",
    "hilbert_d2xy",
    "hilbert_xy2d",
    "gilbert_xy",
    "ordering_to_xy",
]

_Builder = Callable[[int, int], np.ndarray]
_REGISTRY: dict[str, tuple[_Builder, str]] = {}


def _register(name: str, doc: str):
    def deco(fn: _Builder) -> _Builder:
        _REGISTRY[name] = (fn, doc)
        return fn

    return deco


def ordering_names() -> dict[str, str]:
    """Base ordering names with a one-line description (chapter 2).

    Any name may be prefixed with ``reversed:`` and with one or more of the
    symmetries of the square in :data:`SYMMETRIES` (``rot90:hilbert``,
    ``reversed:fliplr:hilbert``); ``random`` takes an optional seed, ``random:7``.
    """
    return {name: doc for name, (_, doc) in _REGISTRY.items()}


def validate_size(value: object, what: str = "size") -> int:
    """Return ``value`` as a positive int or raise ``ValueError`` saying why."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(
            f"{what} must be a positive integer, got {value!r} ({type(value).__name__}); pass e.g. 14 or 28"
        )
    if int(value) <= 0:
        raise ValueError(f"{what} must be a positive integer, got {value!r}")
    return int(value)


def _split_name(name: str) -> tuple[bool, str, str, int | None]:
    """Parse ``[reversed:][SYMMETRY:]base[:seed]`` into (reversed, symmetry, base, seed).

    Prefixes may come in any order and repeat; they compose like functions
    (the leftmost acts last) and reduce to one direction and one symmetry.
    """
    if not isinstance(name, str):
        raise ValueError(f"ordering name must be a string, got {name!r}")
    rev = False
    rest = name.strip()
    outer: list[tuple[int, int, int, int]] = []
    while True:
        head, sep, tail = rest.partition(":")
        if not sep or (head != "reversed" and head not in SYMMETRIES):
            break
        if head == "reversed":
            rev = not rev
        else:
            outer.append(SYMMETRIES[head])
        rest = tail
    sym = SYMMETRIES["identity"]
    for m in outer:
        sym = _compose(sym, m)
    seed = None
    if rest.startswith("random:"):
        tail = rest[len("random:") :]
        if not tail.isdigit():
            raise ValueError(
                f"bad random ordering {name!r}: the seed after 'random:' must "
                "be a non-negative integer, e.g. 'random:7'"
            )
        rest, seed = "random", int(tail)
    if rest not in _REGISTRY:
        valid = ", ".join(sorted(_REGISTRY))
        prefixes = ", ".join(f"'{s}:'" for s in SYMMETRIES if s != "identity")
        raise ValueError(
            f"unknown ordering {name!r}; valid names: {valid} "
            f"(any of them may be prefixed with 'reversed:' and with a symmetry of the square, "
            f"{prefixes}; 'random:SEED' picks a seed)"
        )
    return rev, _SYMMETRY_NAME[sym], rest, seed


def validate_ordering_name(name: str) -> str:
    """Return ``name`` if it is a valid ordering name, else raise ``ValueError``."""
    _split_name(name)
    return name


def canonical_ordering_name(name: str) -> str:
    """The one spelling of an ordering: ``[reversed:][SYMMETRY:]base`` (chapter 9).

    >>> canonical_ordering_name("rot90:rot90:reversed:hilbert")
    'reversed:rot180:hilbert'
    """
    rev, sym, base, seed = _split_name(name)
    core = base if seed is None else f"{base}:{seed}"
    return ("reversed:" if rev else "") + ("" if sym == "identity" else sym + ":") + core


def orientations(name: str) -> list[str]:
    """The 16 canonical names of ``name`` under the 8 symmetries, each walked both ways (chapter 9).

    Forward ones first, in the order of :data:`SYMMETRIES`.  On some bases
    several names give the same sequence (``rot180:row`` is ``reversed:row``).
    """
    base = canonical_ordering_name(name)
    return [canonical_ordering_name(f"{r}{s}:{base}") for r in ("", "reversed:") for s in SYMMETRIES]


def ordering(name: str, height: int, width: int | None = None) -> np.ndarray:
    """Visiting order of an ``height x width`` grid as flat indices (chapter 2).

    The result is a read-only ``int64`` permutation of ``range(height*width)``,
    cached per (name, size) so chapters never rebuild it.

    >>> ordering("snake", 2, 3).tolist()
    [0, 1, 2, 5, 4, 3]
    """
    height = validate_size(height, "height")
    width = height if width is None else validate_size(width, "width")
    rev, sym, base, seed = _split_name(name)
    if sym in _QUARTER and height != width:
        raise ValueError(
            f"ordering {name!r} turns the grid a quarter or mirrors it in a diagonal, which needs a "
            f"square grid, got {height}x{width}; on a rectangle use 'rot180:', 'fliplr:' or 'flipud:'"
        )
    return _cached(rev, sym, base, seed, height, width)


@functools.lru_cache(maxsize=256)
def _cached(rev: bool, sym: str, base: str, seed: int | None, h: int, w: int) -> np.ndarray:
    if base == "random":
        order = _random(h, w, 0 if seed is None else seed)
    else:
        order = _REGISTRY[base][0](h, w)
    order = np.asarray(order, dtype=np.int64)
    if sym != "identity":
        order = _apply_symmetry(order, SYMMETRIES[sym], h, w)
    order = np.ascontiguousarray(order[::-1] if rev else order, dtype=np.int64)
    order.flags.writeable = False
    return order


# ---------------------------------------------------- symmetries of the square

#: The 8 symmetries of a square (the dihedral group D4) as 2x2 integer matrices
#: (a, b, c, d) acting on a pixel's position measured from the grid's centre,
#: x to the right and y downwards as on screen: (x, y) -> (a x + b y, c x + d y).
SYMMETRIES: dict[str, tuple[int, int, int, int]] = {
    "identity": (1, 0, 0, 1),
    "rot90": (0, -1, 1, 0),  # a quarter turn clockwise, as seen on screen
    "rot180": (-1, 0, 0, -1),
    "rot270": (0, 1, -1, 0),
    "fliplr": (-1, 0, 0, 1),  # mirrored left to right
    "flipud": (1, 0, 0, -1),  # mirrored top to bottom
    "transpose": (0, 1, 1, 0),  # mirrored in the main diagonal
    "antitranspose": (0, -1, -1, 0),  # mirrored in the other diagonal
}
_SYMMETRY_NAME = {m: n for n, m in SYMMETRIES.items()}
_QUARTER = ("rot90", "rot270", "transpose", "antitranspose")  # these swap height and width


def _compose(m: tuple[int, int, int, int], n: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The matrix of ``n`` followed by ``m``."""
    a, b, c, d = m
    e, f, g, h = n
    return (a * e + b * g, a * f + b * h, c * e + d * g, c * f + d * h)


def _apply_symmetry(order: np.ndarray, m: tuple[int, int, int, int], h: int, w: int) -> np.ndarray:
    """Move every visited pixel by the symmetry ``m``; the walk keeps the lengths of its steps."""
    y, x = np.divmod(order, w)
    # Doubled coordinates about the centre are integers for odd and even sides alike.
    cx, cy = 2 * x - (w - 1), 2 * y - (h - 1)
    a, b, c, d = m
    nx, ny = a * cx + b * cy, c * cx + d * cy
    return ((ny + (h - 1)) // 2) * w + (nx + (w - 1)) // 2


def ordering_to_xy(order: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Columns and rows ``(x, y)`` of the pixels visited, step by step."""
    order = np.asarray(order)
    return order % width, order // width


# ---------------------------------------------------------------- simple scans


@_register("row", "row-major raster scan (the paper's 'naive' order)")
def _row(h: int, w: int) -> np.ndarray:
    return np.arange(h * w)


@_register("column", "column-major scan: top to bottom, then the next column")
def _column(h: int, w: int) -> np.ndarray:
    return np.arange(h * w).reshape(h, w).T.ravel()


@_register("snake", "boustrophedon: row-major with every other row reversed")
def _snake(h: int, w: int) -> np.ndarray:
    grid = np.arange(h * w).reshape(h, w)
    grid[1::2] = grid[1::2, ::-1]
    return grid.ravel()


@_register("random", "seeded random permutation (permuted MNIST); 'random:SEED'")
def _random(h: int, w: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).permutation(h * w)


# ------------------------------------------- row order with shuffled columns
# Two controls for the lag-regularity question of chapter 9: each keeps the
# rows' order, so a row's ink arrives within the same 14 (or 28) steps as in
# row order, and changes only how far apart in time image neighbours land.


@_register("row-permuted", "row by row, the columns of every row in one shuffled order (seed 0)")
def _row_permuted(h: int, w: int) -> np.ndarray:
    cols = np.random.default_rng(0).permutation(w)
    return (np.arange(h)[:, None] * w + cols[None, :]).ravel()


@_register("row-scattered", "row by row, each row's columns in a shuffled order of its own (seed 0)")
def _row_scattered(h: int, w: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    return np.concatenate([r * w + rng.permutation(w) for r in range(h)])


# --------------------------------------------------------------- spirals


def _spiral_xy(h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Clockwise spiral from the top-left corner inwards, as (x, y)."""
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    top, bottom, left, right = 0, h - 1, 0, w - 1
    while top <= bottom and left <= right:
        xs.append(np.arange(left, right + 1))
        ys.append(np.full(right - left + 1, top))
        if bottom > top:
            xs.append(np.full(bottom - top, right))
            ys.append(np.arange(top + 1, bottom + 1))
            if right > left:
                xs.append(np.arange(right - 1, left - 1, -1))
                ys.append(np.full(right - left, bottom))
                if bottom - 1 > top:
                    xs.append(np.full(bottom - top - 1, left))
                    ys.append(np.arange(bottom - 1, top, -1))
        top, bottom, left, right = top + 1, bottom - 1, left + 1, right - 1
    return np.concatenate(xs), np.concatenate(ys)


@_register("spiral", "clockwise spiral from the border inwards (the paper's proposal)")
def _spiral(h: int, w: int) -> np.ndarray:
    x, y = _spiral_xy(h, w)
    return y * w + x


@_register("spiral-in-out", "spiral from the centre outwards (the reverse of 'spiral')")
def _spiral_in_out(h: int, w: int) -> np.ndarray:
    return _spiral(h, w)[::-1]


# --------------------------------------------------------------- Z-order


def _interleave(v: np.ndarray, bits: int) -> np.ndarray:
    out = np.zeros_like(v)
    for b in range(bits):
        out |= ((v >> b) & 1) << (2 * b)
    return out


@_register("zorder", "Morton (Z-order) curve, clipped to the grid")
def _zorder(h: int, w: int) -> np.ndarray:
    y, x = np.divmod(np.arange(h * w, dtype=np.int64), w)
    bits = max(h, w).bit_length()
    code = _interleave(x, bits) | (_interleave(y, bits) << 1)
    return np.argsort(code, kind="stable")


# --------------------------------------------------------------- classic Hilbert


def hilbert_d2xy(order_bits: int, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Classic Hilbert curve on a ``2**order_bits`` square: distance -> (x, y).

    Vectorized over ``d``; the curve starts at (0, 0) and ends at (n-1, 0).
    Introduced in chapter 2.
    """
    n = 1 << int(order_bits)
    t = np.array(d, dtype=np.int64, copy=True)
    if t.size and (t.min() < 0 or t.max() >= n * n):
        raise ValueError(f"Hilbert distances must lie in [0, {n * n})")
    x = np.zeros_like(t)
    y = np.zeros_like(t)
    s = 1
    while s < n:
        rx = 1 & (t // 2)
        ry = 1 & (t ^ rx)
        flip = (ry == 0) & (rx == 1)
        x = np.where(flip, s - 1 - x, x)
        y = np.where(flip, s - 1 - y, y)
        swap = ry == 0
        x, y = np.where(swap, y, x), np.where(swap, x, y)
        x = x + s * rx
        y = y + s * ry
        t = t // 4
        s *= 2
    return x, y


def hilbert_xy2d(order_bits: int, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Inverse of :func:`hilbert_d2xy`: (x, y) -> distance along the curve."""
    n = 1 << int(order_bits)
    x = np.array(x, dtype=np.int64, copy=True)
    y = np.array(y, dtype=np.int64, copy=True)
    if x.size and (min(x.min(), y.min()) < 0 or max(x.max(), y.max()) >= n):
        raise ValueError(f"coordinates must lie in [0, {n})")
    d = np.zeros_like(x)
    s = n // 2
    while s > 0:
        rx = ((x & s) > 0).astype(np.int64)
        ry = ((y & s) > 0).astype(np.int64)
        d += s * s * ((3 * rx) ^ ry)
        flip = (ry == 0) & (rx == 1)
        x = np.where(flip, s - 1 - x, x)
        y = np.where(flip, s - 1 - y, y)
        swap = ry == 0
        x, y = np.where(swap, y, x), np.where(swap, x, y)
        x &= s - 1
        y &= s - 1
        s //= 2
    return d


@_register("hilbert-crop", "classic Hilbert curve of the next power of two, cropped (has jumps)")
def _hilbert_crop(h: int, w: int) -> np.ndarray:
    bits = max(1, (max(h, w) - 1).bit_length())
    n = 1 << bits
    x, y = hilbert_d2xy(bits, np.arange(n * n))
    # Orient like the generalized curve: start top-left, first leg along the width.
    keep = (x < w) & (y < h)
    return (y * w + x)[keep]


# ------------------------------------------------------ generalized Hilbert


def _sgn(v: int) -> int:
    return (v > 0) - (v < 0)


def _half(v: int) -> int:
    """Halve towards zero, so a vector and its negation split symmetrically."""
    return int(v / 2)


@functools.cache
def _gilbert_block(ax: int, ay: int, bx: int, by: int) -> np.ndarray:
    """Points of the generalized curve of the block spanned by a and b at (0, 0).

    Returns an (n, 2) int64 array of (x, y).  The block's shape only depends on
    (ax, ay, bx, by), so caching makes the recursion O(log n) Python calls per
    distinct sub-block; the rest is NumPy concatenation.
    """
    w, h = abs(ax + ay), abs(bx + by)
    dax, day, dbx, dby = _sgn(ax), _sgn(ay), _sgn(bx), _sgn(by)
    if h == 1:
        i = np.arange(w, dtype=np.int64)
        return np.stack([i * dax, i * day], axis=1)
    if w == 1:
        i = np.arange(h, dtype=np.int64)
        return np.stack([i * dbx, i * dby], axis=1)
    ax2, ay2, bx2, by2 = _half(ax), _half(ay), _half(bx), _half(by)
    w2, h2 = abs(ax2 + ay2), abs(bx2 + by2)
    if 2 * w > 3 * h:
        # Long block: split it across its long side into two halves.
        if w2 % 2 and w > 2:
            ax2, ay2 = ax2 + dax, ay2 + day
        first = _gilbert_block(ax2, ay2, bx, by)
        second = _gilbert_block(ax - ax2, ay - ay2, bx, by) + (ax2, ay2)
        return np.concatenate([first, second])
    # Roughly square: go up, across, and back down (the Hilbert 'U').
    if h2 % 2 and h > 2:
        bx2, by2 = bx2 + dbx, by2 + dby
    first = _gilbert_block(bx2, by2, ax2, ay2)
    second = _gilbert_block(ax, ay, bx - bx2, by - by2) + (bx2, by2)
    third = _gilbert_block(-bx2, -by2, -(ax - ax2), -(ay - ay2)) + (
        (ax - dax) + (bx2 - dbx),
        (ay - day) + (by2 - dby),
    )
    return np.concatenate([first, second, third])


def gilbert_xy(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Generalized Hilbert curve of any ``height x width`` rectangle, as (x, y).

    A recursive construction that splits each rectangle into two or three
    sub-rectangles with even sides wherever possible (after J. Cerveny's
    "gilbert" description), so every step is a unit step when the sides are
    even.  When the longer side is odd and the shorter even, one diagonal step
    is unavoidable.  On ``2**k`` squares it is the classic Hilbert curve up to
    orientation.  Introduced in chapter 2.
    """
    height = validate_size(height, "height")
    width = validate_size(width, "width")
    pts = _gilbert_block(width, 0, 0, height) if width >= height else _gilbert_block(0, height, width, 0)
    return pts[:, 0], pts[:, 1]


@_register("hilbert", "generalized Hilbert curve for any rectangle (unit steps for even sides)")
def _hilbert(h: int, w: int) -> np.ndarray:
    x, y = gilbert_xy(h, w)
    return y * w + x
