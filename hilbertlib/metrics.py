"""Locality of an ordering, and where the ink sits along the sequences.

Locality metrics are introduced in chapter 2 ("Building the Hilbert curve"),
the ink-position and smoothness measures in chapter 3 ("Images as time
series"), where they test the paper's section 5.2 explanations.
"""

from __future__ import annotations

import numpy as np

from .orderings import ordering, validate_size
from .transforms import check_images

__all__ = [
    "class_mean_correlation",
    "step_lengths",
    "non_unit_steps",
    "gap_distance",
    "neighbour_gaps",
    "locality_summary",
    "neighbour_lags",
    "lag_regularity",
    "inverse_order",
    "ink_profile",
    "ink_position",
    "sequence_roughness",
    "ink_table",
    "recent_ink",
    "ink_timing",
]


def _xy(order: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.asarray(order, dtype=np.int64)
    return order % width, order // width


def _resolve(order: np.ndarray | str, h: int, w: int | None) -> tuple[np.ndarray, int, int]:
    h = validate_size(h, "height")
    w = h if w is None else validate_size(w, "width")
    idx = ordering(order, h, w) if isinstance(order, str) else np.asarray(order, dtype=np.int64)
    if idx.shape != (h * w,):
        raise ValueError(f"order has shape {idx.shape}, expected ({h * w},) for a {h}x{w} grid")
    return idx, h, w


def step_lengths(order: np.ndarray | str, height: int, width: int | None = None) -> np.ndarray:
    """Euclidean length of each of the ``H*W - 1`` steps (chapter 2)."""
    idx, h, w = _resolve(order, height, width)
    x, y = _xy(idx, w)
    return np.hypot(np.diff(x), np.diff(y))


def non_unit_steps(order: np.ndarray | str, height: int, width: int | None = None) -> int:
    """Number of steps that do not move to a 4-neighbour: jumps (chapter 2)."""
    idx, h, w = _resolve(order, height, width)
    x, y = _xy(idx, w)
    return int(np.count_nonzero(np.abs(np.diff(x)) + np.abs(np.diff(y)) != 1))


def gap_distance(
    order: np.ndarray | str, height: int, width: int | None = None, gaps=(1, 2, 4, 8, 16, 32, 64)
) -> np.ndarray:
    """Mean 2-D distance between pixels ``k`` steps apart, for each gap ``k`` (chapter 2).

    Small values mean that what is close in time is close in the image.
    """
    idx, h, w = _resolve(order, height, width)
    x, y = _xy(idx, w)
    out = []
    for k in gaps:
        k = int(k)
        if not 1 <= k < len(idx):
            out.append(np.nan)
            continue
        out.append(float(np.mean(np.hypot(x[k:] - x[:-k], y[k:] - y[:-k]))))
    return np.asarray(out)


def inverse_order(order: np.ndarray) -> np.ndarray:
    """Step at which each flat pixel is visited: ``inv[order[t]] == t``."""
    order = np.asarray(order, dtype=np.int64)
    inv = np.empty_like(order)
    inv[order] = np.arange(len(order))
    return inv


def neighbour_gaps(order: np.ndarray | str, height: int, width: int | None = None) -> np.ndarray:
    """For every pair of 4-neighbours in the image, how many steps apart they are (chapter 2).

    The opposite view to :func:`gap_distance`: what is close in the image,
    how far apart is it in time?
    """
    idx, h, w = _resolve(order, height, width)
    pos = inverse_order(idx).reshape(h, w)
    horiz = np.abs(pos[:, 1:] - pos[:, :-1]).ravel()
    vert = np.abs(pos[1:, :] - pos[:-1, :]).ravel()
    return np.concatenate([horiz, vert])


def neighbour_lags(order: np.ndarray | str, height: int, width: int | None = None) -> dict[str, np.ndarray]:
    """Steps between image neighbours, ``{"horizontal": ..., "vertical": ...}`` (chapter 9)."""
    idx, h, w = _resolve(order, height, width)
    pos = inverse_order(idx).reshape(h, w)
    return {"horizontal": np.abs(np.diff(pos, axis=1)).ravel(), "vertical": np.abs(np.diff(pos, axis=0)).ravel()}


def _entropy_bits(values: np.ndarray) -> float:
    _, counts = np.unique(values, return_counts=True)
    p = counts / counts.sum()
    h = float(-(p * np.log2(p)).sum())
    return h if h > 0 else 0.0


def lag_regularity(order: np.ndarray | str, height: int, width: int | None = None) -> dict[str, float]:
    """How regular an ordering's lags between image neighbours are (chapter 9).

    For the horizontal pairs, the vertical pairs and both together: the
    number of distinct lags, their entropy in bits (0 when every pair has the
    same lag), the largest lag and the mean lag.  Keys are ``"{what}_{pairs}"``,
    e.g. ``"entropy_both"``.  Row order on 14x14 has two lags, 1 and 14, and
    an entropy of exactly 1 bit.
    """
    lags = neighbour_lags(order, height, width)
    lags["both"] = np.concatenate([lags["horizontal"], lags["vertical"]])
    out: dict[str, float] = {}
    for pairs, v in lags.items():
        if not v.size:
            continue
        out[f"distinct_{pairs}"] = float(np.unique(v).size)
        out[f"entropy_{pairs}"] = _entropy_bits(v)
        out[f"max_{pairs}"] = float(v.max())
        out[f"mean_{pairs}"] = float(v.mean())
    return out


def locality_summary(order: np.ndarray | str, height: int, width: int | None = None) -> dict[str, float | int]:
    """All locality metrics of one ordering in one dict (chapter 2; the CLI's ``metrics``)."""
    idx, h, w = _resolve(order, height, width)
    steps = step_lengths(idx, h, w)
    nb = neighbour_gaps(idx, h, w)
    gaps = (1, 2, 4, 8, 16)
    dist = gap_distance(idx, h, w, gaps)
    out: dict[str, float | int] = {
        "length": int(h * w),
        "non_unit_steps": non_unit_steps(idx, h, w),
        "max_step": float(steps.max()) if steps.size else 0.0,
        "mean_step": float(steps.mean()) if steps.size else 0.0,
        "neighbour_gap_mean": float(nb.mean()) if nb.size else 0.0,
        "neighbour_gap_median": float(np.median(nb)) if nb.size else 0.0,
        "neighbour_gap_max": int(nb.max()) if nb.size else 0,
    }
    for k, d in zip(gaps, dist):
        out[f"distance_at_gap_{k}"] = float(d)
    return out


# ------------------------------------------------------------------- ink


def _unit_flat(images: np.ndarray) -> np.ndarray:
    arr = check_images(images)
    flat = arr.reshape(len(arr), -1)
    return flat.astype(np.float32) / (255.0 if arr.dtype == np.uint8 else 1.0)


def ink_profile(images: np.ndarray, order: np.ndarray | str) -> np.ndarray:
    """Mean intensity at each step of the sequence, over the images (chapter 3)."""
    arr = check_images(images)
    _, h, w = arr.shape
    idx, _, _ = _resolve(order, h, w)
    mean_img = _unit_flat(arr).mean(axis=0, dtype=np.float64)
    return mean_img[idx]


def ink_position(images: np.ndarray, order: np.ndarray | str, tail: float = 0.25) -> dict[str, float]:
    """Where the ink sits along the sequences (chapter 3; the paper's section 5.2).

    Per image, the ink's centre of mass along the sequence; reported as the
    mean over images of: the centre of mass as a fraction of the length, the
    mass-weighted distance of ink from the last step (in steps), and the
    fraction of ink in the last ``tail`` of the sequence.
    """
    arr = check_images(images)
    n, h, w = arr.shape
    idx, _, _ = _resolve(order, h, w)
    t = float(h * w)
    pos = inverse_order(idx).astype(np.float64)
    flat = _unit_flat(arr).astype(np.float64)
    mass = flat.sum(axis=1)
    ok = mass > 0
    com = (flat[ok] @ pos) / mass[ok]
    tail_mask = pos >= (1.0 - tail) * t
    tail_frac = flat[ok][:, tail_mask].sum(axis=1) / mass[ok]
    return {
        "centre_of_mass": float(np.mean(com) / (t - 1)),
        "distance_from_end": float(np.mean((t - 1) - com)),
        "tail_fraction": float(np.mean(tail_frac)),
    }


def sequence_roughness(images: np.ndarray, order: np.ndarray | str) -> float:
    """Mean absolute change between consecutive steps (chapter 3).

    The paper's second explanation: row-major series are 'smoother'.  Lower
    values are smoother.
    """
    arr = check_images(images)
    _, h, w = arr.shape
    idx, _, _ = _resolve(order, h, w)
    seq = _unit_flat(arr)[:, idx]
    return float(np.mean(np.abs(np.diff(seq, axis=1))))


def ink_table(images: np.ndarray, orderings, tail: float = 0.25) -> dict[str, dict[str, float]]:
    """The section 5.2 measures for several orderings of the same images (chapter 3; reused in chapter 5).

    Returns ``{ordering: {"centre_of_mass", "distance_from_end",
    "tail_fraction", "roughness"}}`` in the order given: the three values of
    :func:`ink_position` and :func:`sequence_roughness`.  The images are
    scaled to [0, 1] once and shared by every ordering.
    """
    from .transforms import as_unit_float

    unit = as_unit_float(images)
    out: dict[str, dict[str, float]] = {}
    for name in orderings:
        row = ink_position(unit, name, tail=tail)
        row["roughness"] = sequence_roughness(unit, name)
        out[str(name)] = row
    return out


def recent_ink(images: np.ndarray, order: np.ndarray | str, taus=(25, 50, 100)) -> dict[int, float]:
    """Ink weighted by how recent it is at the sequence's end, per time constant (chapter 9).

    For each ``tau``, the mean over images of ``sum_t v_t exp(-(T-1-t)/tau) / sum_t v_t``:
    1 if all ink were at the last step, near 0 if it all came long before.
    An exponentially forgetting reader keeps about this share of the ink.
    """
    arr = check_images(images)
    n, h, w = arr.shape
    idx, _, _ = _resolve(order, h, w)
    flat = _unit_flat(arr).astype(np.float64)
    mass = flat.sum(axis=1)
    ok = mass > 0
    age = (h * w - 1) - inverse_order(idx).astype(np.float64)
    out = {}
    for tau in taus:
        if not tau > 0:
            raise ValueError(f"time constants must be positive, got {tau!r}")
        out[int(tau) if float(tau).is_integer() else tau] = float(np.mean(flat[ok] @ np.exp(-age / tau) / mass[ok]))
    return out


def ink_timing(images: np.ndarray, orderings, taus=(25, 50, 100), tail: float = 0.25):
    """The ink measures of chapter 9, one row per ordering, as a pandas DataFrame.

    Columns: ``distance_from_end`` (steps), ``tail_fraction`` (share of ink in
    the last ``tail`` of the sequence) and ``recent_ink_<tau>`` for each time
    constant (:func:`recent_ink`).  The images are scaled to [0, 1] once.
    """
    import pandas as pd

    from .transforms import as_unit_float

    unit = as_unit_float(images)
    rows = {}
    for name in orderings:
        pos = ink_position(unit, name, tail=tail)
        row = {"distance_from_end": pos["distance_from_end"], "tail_fraction": pos["tail_fraction"]}
        row.update({f"recent_ink_{t}": v for t, v in recent_ink(unit, name, taus).items()})
        rows[str(name)] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def class_mean_correlation(images: np.ndarray, labels: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """Pearson correlation between the mean images of every pair of classes (chapter 10, "Fashion-MNIST").

    Returns an ``(n_classes, n_classes)`` matrix with ones on the diagonal;
    a class without images, or whose mean image is constant, gets a row and
    column of NaN.  Classes whose mean images correlate highly look alike on
    average and are candidates for the commonest confusions.
    """
    from .transforms import as_unit_float

    x = as_unit_float(np.asarray(images))
    y = np.asarray(labels).ravel()
    if x.ndim != 3 or len(x) != len(y) or len(x) == 0:
        raise ValueError(f"need (N, H, W) images and N labels, N > 0; got {x.shape} and {y.shape}")
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(f"labels must lie in 0..{n_classes - 1}, got {y.min()}..{y.max()}")
    flat = x.reshape(len(x), -1).astype(np.float64)
    means = np.full((n_classes, flat.shape[1]), np.nan)
    for k in range(n_classes):
        if (y == k).any():
            means[k] = flat[y == k].mean(axis=0)
    centred = means - means.mean(axis=1, keepdims=True)
    norm = np.sqrt((centred**2).sum(axis=1))
    norm[norm == 0] = np.nan
    unit = centred / norm[:, None]
    return np.clip(unit @ unit.T, -1.0, 1.0)
