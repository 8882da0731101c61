"""The book's plot style and its pictures of digits, orderings and series (chapters 1 to 3, 10).

Every chapter's setup calls :func:`set_style`.  Each function returns the
``Figure`` it drew on.  The figures of training runs are in
:mod:`hilbertlib.training_figures`, those of the forget gates and the
memory measurements in :mod:`hilbertlib.memory_figures`, of the reservoirs in
:mod:`hilbertlib.reservoir_figures` and of the orderings study in
:mod:`hilbertlib.ordering_figures`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import matplotlib.pyplot as plt
import numpy as np

from .orderings import ordering
from .transforms import as_unit_float

__all__ = [
    "draw_ordering",
    "draw_path",
    "image_grid",
    "plot_class_means",
    "plot_series",
    "plot_series_grid",
    "set_style",
]


def set_style() -> None:
    """The book's plot style (every chapter's preamble calls it)."""
    import seaborn as sns

    sns.set_theme(context="notebook", style="whitegrid", palette="colorblind")
    plt.rcParams.update({"figure.dpi": 100, "savefig.dpi": 120, "figure.autolayout": False})


def _axes(ax, figsize):
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def draw_ordering(
    name: str, height: int, width: int | None = None, ax=None, title: str | None = None, jumps: bool = True
):
    """Draw an ordering as a path through the pixel centres, coloured by step (chapter 2).

    Non-unit steps (jumps) are drawn in red when ``jumps`` is true.
    """
    width = height if width is None else width
    order = ordering(name, height, width)
    return draw_path(
        order % width,
        order // width,
        height,
        width,
        ax=ax,
        title=title if title is not None else f"{name} {height}x{width}",
        jumps=jumps,
    )


def draw_path(
    x: np.ndarray,
    y: np.ndarray,
    height: int | None = None,
    width: int | None = None,
    ax=None,
    title: str | None = None,
    jumps: bool = True,
):
    """Draw any walk through grid cells, given step by step as columns ``x`` and rows ``y`` (chapter 2).

    The path is coloured from the first step (dark) to the last (yellow); the
    start is a dot, the end a square, and steps that do not move to a
    4-neighbour are dashed red when ``jumps`` is true.  Row 0 is at the top,
    as in an image.  Used for curves that are not registered orderings, such
    as the classic Hilbert curve straight from :func:`~hilbertlib.orderings.hilbert_d2xy`.
    """
    from matplotlib.collections import LineCollection

    x = np.asarray(x)
    y = np.asarray(y)
    if x.shape != y.shape or x.ndim != 1 or len(x) < 1:
        raise ValueError(f"x and y must be 1-D arrays of the same non-zero length, got {x.shape} and {y.shape}")
    height = int(y.max()) + 1 if height is None else int(height)
    width = int(x.max()) + 1 if width is None else int(width)
    fig, ax = _axes(ax, (4, 4 * height / max(width, 1)))
    pts = np.stack([x, y], axis=1).astype(float)
    segs = np.stack([pts[:-1], pts[1:]], axis=1)
    unit = (np.abs(np.diff(x)) + np.abs(np.diff(y))) == 1
    lw = 2.0 if max(height, width) <= 16 else 1.2 if max(height, width) <= 32 else 0.6
    lc = LineCollection(segs[unit], cmap="viridis", linewidths=lw)
    lc.set_array(np.arange(len(segs))[unit])
    lc.set_clim(0, max(len(segs) - 1, 1))
    ax.add_collection(lc)
    if jumps and (~unit).any():
        ax.add_collection(LineCollection(segs[~unit], colors="crimson", linewidths=lw, linestyles="--"))
    ax.plot(x[0], y[0], "o", color="black", ms=5)
    ax.plot(x[-1], y[-1], "s", color="black", ms=5)
    ax.set_xlim(-0.5, width - 0.5)
    ax.set_ylim(height - 0.5, -0.5)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    if title is not None:
        ax.set_title(title, fontsize=10)
    return fig


def image_grid(
    images: np.ndarray,
    labels: Sequence | None = None,
    rows: int = 2,
    cols: int = 8,
    cmap: str = "gray_r",
    size: float = 1.2,
):
    """A grid of images with their labels as titles (chapter 1)."""
    fig, axes = plt.subplots(rows, cols, figsize=(cols * size, rows * size * 1.15))
    for i, ax in enumerate(np.atleast_1d(axes).ravel()):
        ax.axis("off")
        if i < len(images):
            ax.imshow(images[i], cmap=cmap, vmin=0, vmax=255 if images.dtype == np.uint8 else 1)
            if labels is not None:
                ax.set_title(str(labels[i]), fontsize=9)
    fig.tight_layout()
    return fig


def plot_series(image: np.ndarray, orderings: Iterable[str], title: str | None = None, height: float = 1.3):
    """One image as a time series under several orderings, stacked (chapter 3; the paper's Figure 9)."""
    img = as_unit_float(np.asarray(image)[None])[0]
    h, w = img.shape
    names = list(orderings)
    fig, axes = plt.subplots(len(names), 1, figsize=(9, height * len(names)), sharex=True, sharey=True, squeeze=False)
    flat = img.ravel()
    for ax, name in zip(axes[:, 0], names):
        ax.plot(flat[ordering(name, h, w)], lw=0.9)
        ax.set_ylabel(name, rotation=0, ha="right", va="center", fontsize=9)
        ax.set_yticks([0, 1])
    axes[-1, 0].set_xlabel("step")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_series_grid(
    images: np.ndarray,
    orderings: Iterable[str],
    labels: Sequence | None = None,
    width: float = 3.0,
    height: float = 1.0,
):
    """Several images (columns) as time series under several orderings (rows), the images on top (chapter 3).

    The many-digit version of :func:`plot_series`: column ``j`` shows image
    ``j`` and, below it, its series under each ordering, on shared axes.
    """
    imgs = as_unit_float(np.asarray(images))
    n, h, w = imgs.shape
    names = list(orderings)
    fig, axes = plt.subplots(
        len(names) + 1,
        n,
        figsize=(width * n, height * len(names) + 1.6),
        squeeze=False,
        gridspec_kw={"height_ratios": [1.6 / height] + [1] * len(names)},
    )
    for j in range(n):
        top = axes[0, j]
        top.imshow(imgs[j], cmap="gray_r", vmin=0, vmax=1)
        top.axis("off")
        if labels is not None:
            top.set_title(str(labels[j]), fontsize=10)
        flat = imgs[j].ravel()
        for i, name in enumerate(names, start=1):
            ax = axes[i, j]
            ax.plot(flat[ordering(name, h, w)], lw=0.8)
            ax.set_ylim(-0.05, 1.05)
            ax.set_yticks([0, 1])
            ax.set_xlim(0, h * w - 1)
            if i < len(names):
                ax.set_xticklabels([])
            else:
                ax.set_xlabel("step")
            if j == 0:
                ax.set_ylabel(name, rotation=0, ha="right", va="center", fontsize=9)
            else:
                ax.set_yticklabels([])
    fig.tight_layout()
    return fig


def plot_class_means(datasets: dict[str, tuple[np.ndarray, np.ndarray, Sequence[str]]], size: float = 1.05):
    """The mean image of a data set and of each of its classes, one row per data set (chapter 10).

    ``datasets`` maps a row title to ``(images, labels, class_names)``:
    images ``(N, H, W)`` (uint8 or floats in [0, 1]), integer labels and one
    name per class.  The first panel of a row is the mean of all images,
    then one panel per class, titled with its name; a class without images
    is left blank.  All panels share one intensity scale (0 white, 1 black),
    so rows can be compared by eye.
    """
    if not datasets:
        raise ValueError("datasets is empty: pass at least one {title: (images, labels, class_names)}")
    n_cols = 1 + max(len(names) for _, _, names in datasets.values())
    fig, axes = plt.subplots(len(datasets), n_cols, figsize=(n_cols * size, len(datasets) * size * 1.3), squeeze=False)
    for r, (title, (images, labels, names)) in enumerate(datasets.items()):
        x = as_unit_float(np.asarray(images))
        y = np.asarray(labels).ravel()
        if len(x) != len(y) or len(x) == 0:
            raise ValueError(f"{title}: {len(x)} images and {len(y)} labels; need the same, non-zero number")
        panels = [("all", x.mean(axis=0))]
        panels += [(str(name), x[y == k].mean(axis=0) if (y == k).any() else None) for k, name in enumerate(names)]
        for c, ax in enumerate(axes[r]):
            ax.axis("off")
            if c < len(panels) and panels[c][1] is not None:
                ax.imshow(panels[c][1], cmap="gray_r", vmin=0, vmax=1)
                ax.set_title(panels[c][0], fontsize=8)
        axes[r, 0].text(
            -0.15, 0.5, title, transform=axes[r, 0].transAxes, rotation=90, ha="right", va="center", fontsize=10
        )
    fig.tight_layout()
    return fig
