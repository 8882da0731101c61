"""Images <-> sequences, and the paper's 2x2 block-average downsampling.

Introduced in chapter 3 ("Images as time series"); ``downsample`` in chapter 1.
"""

from __future__ import annotations

import numpy as np

from .orderings import ordering as _ordering

__all__ = ["to_sequences", "from_sequences", "downsample", "as_unit_float", "check_images"]

_BLOCK = 2048  # images per block: keeps the gather's working set in cache


def check_images(images: np.ndarray, name: str = "images") -> np.ndarray:
    """Validate a stack of grey images (N, H, W): uint8, or float in [0, 1].

    Raises ``ValueError`` naming the problem (rank, dtype, NaN, range).
    """
    arr = np.asarray(images)
    if arr.ndim != 3:
        hint = " (a single image? add a batch axis: images[None])" if arr.ndim == 2 else ""
        raise ValueError(f"{name} must have shape (N, H, W), got {arr.shape}{hint}")
    if arr.dtype == np.uint8:
        return arr
    if not np.issubdtype(arr.dtype, np.floating):
        raise ValueError(f"{name} must be uint8 (0-255) or float in [0, 1], got dtype {arr.dtype}")
    if arr.size:
        lo, hi = float(np.min(arr)), float(np.max(arr))
        if np.isnan(lo) or np.isnan(hi):
            raise ValueError(f"{name} contain NaN values; clean or drop those images first")
        if lo < 0.0 or hi > 1.0:
            raise ValueError(
                f"float {name} must lie in [0, 1], found [{lo:g}, {hi:g}]; divide 0-255 pixel values by 255 first"
            )
    return arr


def as_unit_float(images: np.ndarray) -> np.ndarray:
    """float32 images in [0, 1]: uint8 is divided by 255, floats are checked."""
    arr = check_images(images)
    if arr.dtype == np.uint8:
        return np.divide(arr, np.float32(255), dtype=np.float32)
    return arr.astype(np.float32, copy=False)


def _resolve_order(order: np.ndarray | str, h: int, w: int) -> np.ndarray:
    if isinstance(order, str):
        return _ordering(order, h, w)
    idx = np.asarray(order)
    if idx.shape != (h * w,) or not np.issubdtype(idx.dtype, np.integer):
        raise ValueError(
            f"order must be an integer permutation of length {h * w} for {h}x{w} "
            f"images, got shape {idx.shape} dtype {idx.dtype}"
        )
    if not np.array_equal(np.sort(idx), np.arange(h * w)):
        raise ValueError(
            f"order must be a permutation of range({h * w}): every pixel index exactly "
            "once (it has repeated, negative or out-of-range entries)"
        )
    return idx


def to_sequences(images: np.ndarray, order: np.ndarray | str) -> np.ndarray:
    """(N, H, W) images -> (N, H*W, 1) float32 sequences in [0, 1] (chapter 3).

    ``order`` is an ordering name or a permutation from :func:`~hilbertlib.orderings.ordering`.
    One blocked ``np.take`` per block of images into a preallocated buffer,
    then an in-place scale; no per-image Python loop.
    """
    arr = check_images(images)
    n, h, w = arr.shape
    idx = _resolve_order(order, h, w)
    flat = arr.reshape(n, h * w)
    out = np.empty((n, h * w), dtype=np.float32)
    if arr.dtype == np.uint8:
        scratch = np.empty((min(n, _BLOCK), h * w), dtype=np.uint8)
        for start in range(0, n, _BLOCK):
            stop = min(n, start + _BLOCK)
            buf = scratch[: stop - start]
            np.take(flat[start:stop], idx, axis=1, out=buf)
            np.divide(buf, np.float32(255), out=out[start:stop], dtype=np.float32)
    else:
        for start in range(0, n, _BLOCK):
            stop = min(n, start + _BLOCK)
            if flat.dtype == np.float32:
                np.take(flat[start:stop], idx, axis=1, out=out[start:stop])
            else:
                out[start:stop] = np.take(flat[start:stop], idx, axis=1)
    return out.reshape(n, h * w, 1)


def from_sequences(sequences: np.ndarray, order: np.ndarray | str, height: int, width: int | None = None) -> np.ndarray:
    """Inverse of :func:`to_sequences`: (N, T, 1) or (N, T) -> (N, H, W) float32."""
    width = height if width is None else width
    seq = np.asarray(sequences)
    if seq.ndim == 3 and seq.shape[-1] == 1:
        seq = seq[..., 0]
    if seq.ndim != 2 or seq.shape[1] != height * width:
        raise ValueError(
            f"sequences must have shape (N, {height * width}) or (N, {height * width}, 1), got {np.shape(sequences)}"
        )
    idx = _resolve_order(order, height, width)
    out = np.empty_like(seq, dtype=np.float32)
    out[:, idx] = seq
    return out.reshape(-1, height, width)


def downsample(images: np.ndarray, factor: int = 2) -> np.ndarray:
    """Mean of ``factor x factor`` blocks: (N, H, W) -> (N, H/f, W/f) float32 in [0, 1].

    The paper's 14x14 images (chapter 1).  Sums strided slices into
    preallocated buffers, block by block (in exact integer arithmetic for uint8).
    """
    arr = check_images(images)
    if isinstance(factor, bool) or not isinstance(factor, (int, np.integer)) or factor < 1:
        raise ValueError(f"factor must be a positive integer, got {factor!r}")
    n, h, w = arr.shape
    if h % factor or w % factor:
        raise ValueError(f"image size {h}x{w} is not divisible by factor {factor}")
    out = np.empty((n, h // factor, w // factor), dtype=np.float32)
    if arr.dtype == np.uint8 and factor <= 16:
        # Integer sums in uint16 (at most 16*16*255 < 65536), rows first, then
        # columns, then one scaling pass: exact, and about twice as fast as
        # accumulating strided float32 slices.
        scale = np.float32(1.0 / (factor * factor * 255.0))
        rows = np.empty((min(n, _BLOCK), h // factor, w), dtype=np.uint16)
        cells = np.empty((min(n, _BLOCK), h // factor, w // factor), dtype=np.uint16)
        for start in range(0, n, _BLOCK):
            stop = min(n, start + _BLOCK)
            blk, r, c = arr[start:stop], rows[: stop - start], cells[: stop - start]
            np.add(blk[:, 0::factor], 0, out=r, dtype=np.uint16)
            for i in range(1, factor):
                np.add(r, blk[:, i::factor], out=r, dtype=np.uint16)
            np.add(r[:, :, 0::factor], 0, out=c, dtype=np.uint16)
            for j in range(1, factor):
                np.add(c, r[:, :, j::factor], out=c, dtype=np.uint16)
            np.multiply(c, scale, out=out[start:stop], dtype=np.float32)
        return out
    scale = np.float32(1.0 / (factor * factor) / (255.0 if arr.dtype == np.uint8 else 1.0))
    for start in range(0, n, _BLOCK):
        stop = min(n, start + _BLOCK)
        blk, dst = arr[start:stop], out[start:stop]
        np.add(blk[:, 0::factor, 0::factor], 0, out=dst, dtype=np.float32)
        for i in range(factor):
            for j in range(factor):
                if i or j:
                    np.add(dst, blk[:, i::factor, j::factor], out=dst, dtype=np.float32)
        dst *= scale
    return out
