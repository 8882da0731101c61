"""N-dimensional Hilbert curve on power-of-two sides (Skilling's transpose method).

The paper remarks that a Hilbert curve "can trace through any finite-dimensional
space"; these two vectorized functions make that concrete for cubes of side
``2**bits`` in ``ndim`` dimensions.  Introduced in chapter 2.

Reference: J. Skilling, "Programming the Hilbert curve", AIP Conf. Proc. 707
(2004).  Distances must fit in 63 bits, so ``ndim * bits <= 62``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["hilbert_encode_nd", "hilbert_decode_nd"]


def _check(ndim: int, bits: int) -> None:
    if int(ndim) < 1 or int(bits) < 1:
        raise ValueError(f"ndim and bits must be >= 1, got ndim={ndim}, bits={bits}")
    if ndim * bits > 62:
        raise ValueError(f"ndim * bits = {ndim * bits} > 62: distances would not fit in int64")


def hilbert_encode_nd(points: np.ndarray, bits: int) -> np.ndarray:
    """Distances along the ``ndim``-D Hilbert curve of the (M, ndim) integer points."""
    pts = np.array(points, dtype=np.int64, copy=True)
    if pts.ndim != 2:
        raise ValueError(f"points must have shape (M, ndim), got {pts.shape}")
    m, ndim = pts.shape
    _check(ndim, bits)
    if pts.size and (pts.min() < 0 or pts.max() >= (1 << bits)):
        raise ValueError(f"coordinates must lie in [0, {1 << bits})")
    x = [pts[:, i].copy() for i in range(ndim)]
    q = 1 << (bits - 1)
    while q > 1:  # inverse undo
        p = q - 1
        for i in range(ndim):
            hit = (x[i] & q) != 0
            t = np.where(hit, 0, (x[0] ^ x[i]) & p)
            x[0] = np.where(hit, x[0] ^ p, x[0] ^ t)
            if i:
                x[i] = x[i] ^ t
        q >>= 1
    for i in range(1, ndim):  # Gray encode
        x[i] = x[i] ^ x[i - 1]
    t = np.zeros(m, dtype=np.int64)
    q = 1 << (bits - 1)
    while q > 1:
        t = np.where((x[ndim - 1] & q) != 0, t ^ (q - 1), t)
        q >>= 1
    x = [xi ^ t for xi in x]
    d = np.zeros(m, dtype=np.int64)
    for b in range(bits - 1, -1, -1):  # interleave the transposed bits
        for i in range(ndim):
            d = (d << 1) | ((x[i] >> b) & 1)
    return d


def hilbert_decode_nd(distances: np.ndarray, ndim: int, bits: int) -> np.ndarray:
    """Inverse of :func:`hilbert_encode_nd`: distances -> (M, ndim) points."""
    _check(ndim, bits)
    d = np.array(distances, dtype=np.int64, copy=True).ravel()
    if d.size and (d.min() < 0 or d.max() >= (1 << (ndim * bits))):
        raise ValueError(f"distances must lie in [0, 2**{ndim * bits})")
    x = [np.zeros_like(d) for _ in range(ndim)]
    pos = ndim * bits - 1
    for b in range(bits - 1, -1, -1):  # de-interleave
        for i in range(ndim):
            x[i] |= ((d >> pos) & 1) << b
            pos -= 1
    t = x[ndim - 1] >> 1  # Gray decode
    for i in range(ndim - 1, 0, -1):
        x[i] = x[i] ^ x[i - 1]
    x[0] = x[0] ^ t
    q = 2
    while q != (2 << (bits - 1)):  # undo excess work
        p = q - 1
        for i in range(ndim - 1, -1, -1):
            hit = (x[i] & q) != 0
            t = np.where(hit, 0, (x[0] ^ x[i]) & p)
            x[0] = np.where(hit, x[0] ^ p, x[0] ^ t)
            if i:
                x[i] = x[i] ^ t
        q <<= 1
    return np.stack(x, axis=1)
