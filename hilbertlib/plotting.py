"""Figures shared by the chapters (matplotlib and seaborn).

Each function returns the ``Figure`` it drew on so a chapter can show or glue it.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import matplotlib.pyplot as plt
import numpy as np

from .orderings import ordering
from .transforms import as_unit_float

__all__ = [
    "set_style",
    "draw_ordering",
    "draw_path",
    "image_grid",
    "plot_series",
    "plot_series_grid",
    "plot_history",
    "plot_confusion",
    "plot_gradient_norms",
    "plot_seed_accuracies",
    "placeholder_figure",
    "plot_history_grid",
    "plot_confusion_grid",
    "plot_class_means",
    "plot_blank_prefix",
    "plot_time_constants",
    "plot_retention",
    "plot_reservoir_search",
    "plot_leak_search",
    "plot_reservoir_sizes",
    "plot_reservoir_cost",
    "plot_accuracy_against",
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


def draw_ordering(name: str, height: int, width: int | None = None, ax=None, title: str | None = None, jumps: bool = True):
    """Draw an ordering as a path through the pixel centres, coloured by step (chapter 2).

    Non-unit steps (jumps) are drawn in red when ``jumps`` is true.
    """
    width = height if width is None else width
    order = ordering(name, height, width)
    return draw_path(order % width, order // width, height, width, ax=ax,
                     title=title if title is not None else f"{name} {height}x{width}", jumps=jumps)


def draw_path(x: np.ndarray, y: np.ndarray, height: int | None = None, width: int | None = None, ax=None,
              title: str | None = None, jumps: bool = True):
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


def image_grid(images: np.ndarray, labels: Sequence | None = None, rows: int = 2, cols: int = 8, cmap: str = "gray_r", size: float = 1.2):
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


def plot_series_grid(images: np.ndarray, orderings: Iterable[str], labels: Sequence | None = None,
                     width: float = 3.0, height: float = 1.0):
    """Several images (columns) as time series under several orderings (rows), the images on top (chapter 3).

    The many-digit version of :func:`plot_series`: column ``j`` shows image
    ``j`` and, below it, its series under each ordering, on shared axes.
    """
    imgs = as_unit_float(np.asarray(images))
    n, h, w = imgs.shape
    names = list(orderings)
    fig, axes = plt.subplots(len(names) + 1, n, figsize=(width * n, height * len(names) + 1.6),
                             squeeze=False, gridspec_kw={"height_ratios": [1.6 / height] + [1] * len(names)})
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


def plot_history(results, labels: Sequence[str] | None = None, metric: str = "accuracy", ax=None):
    """Train (dashed) and validation (solid) curves per epoch for one or more results (chapters 4-6)."""
    results = list(results) if isinstance(results, (list, tuple)) else [results]
    labels = labels or [r.id for r in results]
    fig, ax = _axes(ax, (6, 3.6))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (res, lab) in enumerate(zip(results, labels)):
        c = colors[i % len(colors)]
        hist = res.history
        ep = np.arange(1, len(hist[metric]) + 1)
        mark = "o" if len(ep) <= 3 else None  # a one-epoch (quick) run is a single point
        ax.plot(ep, hist[metric], "--", color=c, alpha=0.8, marker=mark, label=f"{lab} (train)")
        ax.plot(ep, hist[f"val_{metric}"], "-", color=c, marker=mark, label=f"{lab} (validation)")
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    ax.legend(fontsize=8, loc="best")
    return fig


def plot_confusion(result, ax=None, title: str | None = None, normalize: bool = False, class_names: Sequence[str] | None = None):
    """Seaborn heat map of a result's test confusion matrix (chapters 5 and 6; the paper's Figures 5 and 7)."""
    import seaborn as sns

    cm = result.confusion_matrix.astype(float)
    if normalize:
        cm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    fig, ax = _axes(ax, (4.6, 4))
    names = class_names or [str(i) for i in range(10)]
    sns.heatmap(cm, annot=not normalize, fmt=".0f" if not normalize else ".2f", cmap="Blues", cbar=False,
                xticklabels=names, yticklabels=names, ax=ax, annot_kws={"fontsize": 7})
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if max(len(str(n)) for n in names) > 2:  # class names (chapter 10): slanted, so they do not overlap
        ax.set_xticklabels(ax.get_xticklabels(), rotation=45, ha="right", rotation_mode="anchor")
        ax.set_yticklabels(ax.get_yticklabels(), rotation=0)
    ax.set_title(title or result.id, fontsize=10)
    return fig


def plot_gradient_norms(curves: dict[str, np.ndarray], ax=None, title: str | None = None, styles: dict[str, str] | None = None):
    """Gradient norm per time step against steps before the end, log scale (chapter 4).

    ``curves`` maps a label to the output of
    :func:`hilbertlib.analysis.input_gradient_norms` (shape ``(T,)``).  The
    x axis counts steps back from the last input, so sequences of different
    lengths line up at the decision point.  Zeros (gradients below the
    float32 range) are left out of the log plot.  ``styles`` optionally maps
    a label to a matplotlib format string such as ``"C0--"`` (colour and
    line style).
    """
    fig, ax = _axes(ax, (6, 3.6))
    for label, g in curves.items():
        g = np.asarray(g, dtype=float)
        back = np.arange(len(g))[::-1]
        ax.plot(back, np.where(g > 0, g, np.nan), (styles or {}).get(label, "-"), lw=1.2, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("steps before the end of the sequence")
    ax.set_ylabel(r"mean $|\partial L / \partial x_t|$")
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="best")
    return fig


def plot_seed_accuracies(groups: dict[str, Sequence[float]], claimed: dict[str, float] | None = None, ax=None):
    """Test accuracy of each seed (dots), the mean (bar) and an optional claimed value (cross) per group (chapter 5).

    ``groups`` maps a label to test accuracies (fractions); empty groups are
    drawn as an empty slot.  ``claimed`` maps labels to the paper's numbers.
    """
    fig, ax = _axes(ax, (4.8, 3.4))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    labels = list(groups)
    for i, lab in enumerate(labels):
        vals = 100 * np.asarray(list(groups[lab]), dtype=float)
        if vals.size:
            ax.plot(np.full(vals.size, i), vals, "o", color=colors[i % len(colors)], alpha=0.8,
                    label="one seed" if i == 0 else None)
            ax.hlines(vals.mean(), i - 0.25, i + 0.25, color=colors[i % len(colors)], lw=2,
                      label="mean over seeds" if i == 0 else None)
        if claimed and lab in claimed:
            ax.plot(i + 0.3, 100 * claimed[lab], "x", color="black", ms=8, label="paper" if i == 0 else None)
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels)
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.set_ylabel("test accuracy (%)")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8, loc="best")
    return fig


def placeholder_figure(text: str, figsize: tuple[float, float] = (6, 1.2)):
    """A small figure that only says ``text`` (chapters 4-6 and 13).

    Glued in place of a figure whose results are not committed yet, so the
    ``{glue:figure}`` directive and its reference still resolve.
    """
    fig, ax = plt.subplots(figsize=figsize)
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=10, wrap=True)
    return fig


def _not_yet_run(ax, text: str) -> None:
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=9, wrap=True, transform=ax.transAxes)


def plot_history_grid(panels: dict[str, dict[str, object]], metric: str = "accuracy", width: float = 5.2, height: float = 3.6):
    """One :func:`plot_history` panel per entry of ``panels`` (chapters 4 and 5).

    ``panels`` maps a panel title to ``{label: Result or None}``; results
    that are ``None`` (not run yet) are named in the panel instead of drawn,
    and a panel with none at all says "not yet run"; when nothing at all is
    run the figure is a one-line :func:`placeholder_figure`.
    """
    if not any(v is not None for entries in panels.values() for v in entries.values()):
        return placeholder_figure("Not yet run: " + "; ".join(panels))
    n = max(len(panels), 1)
    fig, axes = plt.subplots(1, n, figsize=(width * n, height), sharey=True, squeeze=False)
    for ax, (title, entries) in zip(axes[0], panels.items()):
        have = {k: v for k, v in entries.items() if v is not None}
        missing = [k for k, v in entries.items() if v is None]
        if not have:
            _not_yet_run(ax, f"{title}:\nnot yet run")
            continue
        plot_history(list(have.values()), labels=list(have), metric=metric, ax=ax)
        ax.set_title(title + (f"  (not yet run: {', '.join(missing)})" if missing else ""), fontsize=10)
    fig.tight_layout()
    return fig


def plot_confusion_grid(results: dict[str, object], normalize: bool = False, size: float = 4.4,
                        class_names: Sequence[str] | None = None):
    """:func:`plot_confusion` side by side for ``{title: Result or None}`` (chapters 5 and 6).

    A missing result leaves a panel that says "not yet run"; when all are
    missing the figure is a one-line :func:`placeholder_figure`.
    ``class_names`` labels the axes with names instead of digits (chapter 10).
    """
    if all(v is None for v in results.values()):
        return placeholder_figure("Not yet run: " + "; ".join(results))
    n = max(len(results), 1)
    fig, axes = plt.subplots(1, n, figsize=(size * n, size * 0.9), squeeze=False)
    for ax, (title, res) in zip(axes[0], results.items()):
        if res is None:
            _not_yet_run(ax, f"{title}:\nnot yet run")
        else:
            plot_confusion(res, ax=ax, title=title, normalize=normalize, class_names=class_names)
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
    fig, axes = plt.subplots(len(datasets), n_cols, figsize=(n_cols * size, len(datasets) * size * 1.3),
                             squeeze=False)
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
        axes[r, 0].text(-0.15, 0.5, title, transform=axes[r, 0].transAxes, rotation=90, ha="right", va="center",
                        fontsize=10)
    fig.tight_layout()
    return fig


def plot_blank_prefix(ks: Sequence[int], accuracies: dict[str, Sequence[float]], ink: dict[str, Sequence[float]] | None = None,
                      fraction: float = 0.9, width: float = 10.0, height: float = 3.6):
    """Accuracy against the number of blanked first steps, and the share of ink blanked (chapter 7).

    ``accuracies`` maps a label (an ordering) to the output of
    :func:`hilbertlib.memory.blank_prefix_accuracy` on ``ks``; a dotted line
    of the same colour marks ``fraction`` of its unblanked accuracy.
    ``ink`` maps the same labels to :func:`hilbertlib.memory.prefix_ink_fraction`;
    when given it is drawn in a second panel.
    """
    ks = np.asarray(ks)
    n = 2 if ink else 1
    fig, axes = plt.subplots(1, n, figsize=(width if n == 2 else width / 2, height), squeeze=False, sharex=True)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    ax = axes[0, 0]
    for i, (label, acc) in enumerate(accuracies.items()):
        acc = 100 * np.asarray(acc, dtype=float)
        c = colors[i % len(colors)]
        ax.plot(ks, acc, "o-", color=c, ms=4, label=label)
        ax.axhline(fraction * acc[0], color=c, ls=":", lw=1)
    ax.axhline(10, color="grey", ls="--", lw=0.8, label="chance (10%)")
    ax.set_xlabel("first k steps blanked")
    ax.set_ylabel("test accuracy (%)")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=8, loc="best")
    if ink:
        ax2 = axes[0, 1]
        for i, (label, frac) in enumerate(ink.items()):
            ax2.plot(ks, 100 * np.asarray(frac, dtype=float), "o-", ms=4, color=colors[i % len(colors)], label=label)
        ax2.set_xlabel("first k steps blanked")
        ax2.set_ylabel("share of the ink blanked (%)")
        ax2.set_ylim(0, 100)
        ax2.legend(fontsize=8, loc="upper left")
    ax.set_xlim(ks.min() - 4, ks.max() + 4)
    fig.tight_layout()
    return fig


def plot_time_constants(taus: dict[str, np.ndarray], horizon: float | None = None, ax=None, bins: int = 30,
                        before: dict[str, np.ndarray] | None = None):
    """Histogram of per-unit forget-gate time constants on a log axis, one colour per label (chapter 7).

    ``taus`` maps a label to :func:`hilbertlib.memory.time_constants`.
    Infinite values (a gate stuck at 1) are counted in the last bin.  A
    vertical line marks ``horizon`` (the sequence length) when given.
    ``before`` optionally maps the same labels to the time constants of the
    untrained network, drawn as dashed outlines.
    """
    fig, ax = _axes(ax, (6, 3.6))
    every = [*taus.values(), *(before or {}).values()]
    finite = np.concatenate([np.asarray(t, dtype=float)[np.isfinite(t)] for t in every])
    lo = max(min(finite.min(), 1.0) if finite.size else 1.0, 1e-3)
    hi = max(finite.max() if finite.size else 10.0, (horizon or 0) * 2, 10.0)
    edges = np.logspace(np.log10(lo) - 0.05, np.log10(hi) + 0.05, bins + 1)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (label, t) in enumerate(taus.items()):
        t = np.clip(np.asarray(t, dtype=float), edges[0], edges[-1] * 0.999)
        c = colors[i % len(colors)]
        ax.hist(t, bins=edges, histtype="stepfilled", alpha=0.3, color=c, label=f"{label} ({len(t)} units)")
        ax.hist(t, bins=edges, histtype="step", lw=1.2, color=c)
        if before and label in before:
            t0 = np.clip(np.asarray(before[label], dtype=float), edges[0], edges[-1] * 0.999)
            ax.hist(t0, bins=edges, histtype="step", lw=1.2, ls="--", color=c, label=f"{label}, before training")
    if horizon:
        ax.axvline(horizon, color="black", ls="--", lw=1, label=f"sequence length ({horizon:g} steps)")
    ax.set_xscale("log")
    ax.set_xlabel(r"time constant $\tau = -1/\ln \bar f$ (steps)")
    ax.set_ylabel("units")
    ax.legend(fontsize=8, loc="best")
    return fig


def plot_retention(lags: Sequence[int], curves: dict[str, np.ndarray], fits: dict[str, dict] | None = None,
                   mixtures: dict[str, np.ndarray] | None = None, width: float = 10.0, height: float = 3.8):
    """Measured retention against lag on log-log (left) and semi-log (right) axes, with fits (chapter 7).

    The measured counterpart of the paper's Figure 8.  ``curves`` maps a
    label to :func:`hilbertlib.memory.retention_curve`; ``fits`` maps the
    same labels to :func:`hilbertlib.memory.fit_decays` (the exponential is
    drawn dashed, the power law dotted); ``mixtures`` to
    :func:`hilbertlib.memory.exponential_mixture` (dash-dotted, thin).  On
    log-log axes a power law is a straight line, on semi-log axes an
    exponential is.  The y axis spans the measured curves; fits that leave
    it are cut off.
    """
    lags = np.asarray(lags, dtype=float)
    fig, axes = plt.subplots(1, 2, figsize=(width, height), sharey=True)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, xscale in zip(axes, ("log", "linear")):
        for i, (label, v) in enumerate(curves.items()):
            c = colors[i % len(colors)]
            ax.plot(lags, v, "-", color=c, lw=2.2, alpha=0.8, label=f"{label}: measured")
            if fits and label in fits:
                e, p = fits[label]["exponential"], fits[label]["power_law"]
                ax.plot(lags, e["curve"], "--", color=c, lw=1.1, label=f"{label}: best exponential")
                ax.plot(lags, p["curve"], ":", color=c, lw=1.6, label=f"{label}: best power law")
            if mixtures and label in mixtures:
                ax.plot(lags, mixtures[label], "-.", color=c, lw=0.9, alpha=0.8,
                        label=f"{label}: mean of per-unit exponentials")
        ax.set_xscale(xscale)
        ax.set_yscale("log")
        ax.set_xlabel("lag (steps)" + (", log scale" if xscale == "log" else ""))
    # The axes follow the measurements; a poor fit may leave them.
    measured = np.concatenate([np.asarray(v, dtype=float).ravel() for v in curves.values()])
    measured = measured[measured > 0]
    if measured.size:
        axes[0].set_ylim(max(measured.min() / 10, 1e-300), min(measured.max() * 3, 10.0))
    axes[0].set_ylabel("share of the cell state kept")
    axes[0].set_title("log-log: a power law is straight", fontsize=10)
    axes[1].set_title("semi-log: an exponential is straight", fontsize=10)
    axes[1].legend(fontsize=7, loc="best")
    fig.tight_layout()
    return fig


def _ordering_colors(orderings: Sequence[str]) -> dict[str, str]:
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    return {o: colors[i % len(colors)] for i, o in enumerate(orderings)}


def plot_reservoir_search(frame, leaks: Sequence[float], radii: Sequence[float], orderings: Sequence[str],
                          chosen: dict[str, tuple[float, float]] | None = None, size: float = 3.3):
    """Validation accuracy over leak rate x spectral radius, one heat map per ordering (chapter 8).

    ``frame`` holds the search rows of :func:`hilbertlib.reservoir.grid_frame`
    for one image size (columns ``ordering``, ``leak``, ``radius``,
    ``val_accuracy``).  Cells without a result are grey and marked "–";
    ``chosen`` maps an ordering to the (leak, radius) pair picked on
    validation, outlined in black.  All panels share one colour scale.  With
    no result at all the figure is a one-line :func:`placeholder_figure`.
    """
    from matplotlib.patches import Rectangle

    if len(frame) == 0:
        return placeholder_figure("Not yet run: the leak rate x spectral radius search")
    leaks, radii = list(leaks), list(radii)
    vals = 100 * frame["val_accuracy"].to_numpy(dtype=float)
    vmin, vmax = float(np.nanmin(vals)), float(np.nanmax(vals))
    if vmax - vmin < 1e-9:
        vmin, vmax = vmin - 0.5, vmax + 0.5
    cmap = plt.get_cmap("viridis").copy()
    cmap.set_bad("#e6e6e6")
    n = len(orderings)
    fig, axes = plt.subplots(1, n, figsize=(size * n + 1.0, 0.55 * len(leaks) + 1.4), squeeze=False,
                             layout="constrained")
    im = None
    for ax, o in zip(axes[0], orderings):
        m = np.full((len(leaks), len(radii)), np.nan)
        rows = frame[frame["ordering"] == o]
        for a, r, v in zip(rows["leak"], rows["radius"], rows["val_accuracy"]):
            i = next((k for k, x in enumerate(leaks) if np.isclose(x, a)), None)
            j = next((k for k, x in enumerate(radii) if np.isclose(x, r)), None)
            if i is not None and j is not None:
                m[i, j] = 100 * v
        im = ax.imshow(np.ma.masked_invalid(m), cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
        ax.grid(False)
        for i in range(len(leaks)):
            for j in range(len(radii)):
                v = m[i, j]
                if np.isnan(v):
                    ax.text(j, i, "–", ha="center", va="center", fontsize=8, color="grey")
                else:
                    light = (v - vmin) / (vmax - vmin) > 0.6
                    ax.text(j, i, f"{v:.1f}", ha="center", va="center", fontsize=8, color="black" if light else "white")
        if chosen and o in chosen:
            a, r = chosen[o]
            i = next((k for k, x in enumerate(leaks) if np.isclose(x, a)), None)
            j = next((k for k, x in enumerate(radii) if np.isclose(x, r)), None)
            if i is not None and j is not None:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, ec="black", lw=2.2))
        ax.set_xticks(range(len(radii)), [f"{r:g}" for r in radii])
        ax.set_yticks(range(len(leaks)), [f"{a:g}" for a in leaks])
        ax.set_xlabel("spectral radius ρ")
        missing = int(np.isnan(m).sum())
        ax.set_title(o + (f"  ({missing} not yet run)" if missing else ""), fontsize=10)
    axes[0, 0].set_ylabel("leak rate a")
    fig.colorbar(im, ax=axes[0].tolist(), label="validation accuracy (%)", shrink=0.9)
    return fig


def plot_leak_search(frame, orderings: Sequence[str], chosen: dict[tuple[int, str], float] | None = None, ax=None):
    """Validation accuracy against leak rate, one line per ordering and image size (chapter 8).

    ``frame`` holds rows of :func:`hilbertlib.reservoir.grid_frame` at one
    spectral radius per ordering and size; 28x28 lines are solid, 14x14
    dashed, one colour per ordering.  ``chosen`` maps ``(size, ordering)`` to
    the leak rate picked on validation, marked with a star.
    """
    if len(frame) == 0:
        return placeholder_figure("Not yet run: the leak-rate search")
    fig, ax = _axes(ax, (6.4, 3.8))
    color = _ordering_colors(orderings)
    for size in sorted(set(frame["size"]), reverse=True):
        for o in orderings:
            rows = frame[(frame["size"] == size) & (frame["ordering"] == o)].sort_values("leak")
            if len(rows) == 0:
                continue
            radius = float(rows["radius"].iloc[0])
            ax.plot(rows["leak"], 100 * rows["val_accuracy"], "o-" if size == 28 else "o--", color=color[o], ms=4,
                    lw=1.6 if size == 28 else 1.0, label=f"{o}, {size}x{size} (ρ = {radius:g})")
            if chosen and (size, o) in chosen:
                pick = rows[np.isclose(rows["leak"], chosen[size, o])]
                ax.plot(pick["leak"], 100 * pick["val_accuracy"], "*", color=color[o], ms=13, mec="black", mew=0.6)
    leaks = sorted(set(frame["leak"]))
    ax.set_xscale("log")
    ax.set_xticks(leaks, [f"{a:g}" for a in leaks])
    ax.xaxis.set_minor_locator(plt.NullLocator())
    ax.set_xlabel("leak rate a (log scale)")
    ax.set_ylabel("validation accuracy (%)")
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    return fig


def plot_reservoir_sizes(frame, orderings: Sequence[str], sizes: Sequence[int] = (14, 28),
                         references: dict[int, dict[str, float]] | None = None, metric: str = "test_accuracy",
                         width: float = 4.8, height: float = 3.7):
    """Accuracy against reservoir size, one panel per image size, one line per ordering (chapter 8).

    ``frame`` holds size-sweep rows of :func:`hilbertlib.reservoir.grid_frame`;
    ``references`` maps an image size to ``{ordering: accuracy}`` drawn as
    dashed horizontal lines of the ordering's colour (the chapter's LSTMs).
    A panel without results says "not yet run"; with nothing at all the
    figure is a one-line :func:`placeholder_figure`.
    """
    references = references or {}
    if len(frame) == 0 and not any(references.values()):
        return placeholder_figure("Not yet run: the reservoir-size sweeps")
    color = _ordering_colors(orderings)
    fig, axes = plt.subplots(1, len(sizes), figsize=(width * len(sizes), height), squeeze=False)
    for ax, size in zip(axes[0], sizes):
        rows = frame[frame["size"] == size]
        if len(rows) == 0:
            _not_yet_run(ax, f"{size}x{size}: not yet run")
            continue
        for o in orderings:
            r = rows[rows["ordering"] == o].sort_values("units")
            if len(r):
                ax.plot(r["units"], 100 * r[metric], "o-", color=color[o], ms=5, label=f"ESN, {o}")
        for o, acc in references.get(size, {}).items():
            if o in color:
                ax.axhline(100 * acc, color=color[o], ls="--", lw=1.1, label=f"LSTM, {o}")
        units = sorted(set(rows["units"]))
        ax.set_xscale("log")
        ax.set_xticks(units, [f"{u:,}" for u in units])
        ax.xaxis.set_minor_locator(plt.NullLocator())
        ax.set_xlabel("reservoir units N (log scale)")
        ax.set_ylabel(metric.replace("_", " ").replace("val ", "validation ") + " (%)")
        ax.set_title(f"{size}x{size} ({size * size} steps)", fontsize=10)
        ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def plot_reservoir_cost(frame, orderings: Sequence[str], sizes: Sequence[int] = (14, 28),
                        width: float = 10.0, height: float = 3.7):
    """Time to compute the reservoir states (left) and to fit the readouts (right) against units (chapter 8).

    ``frame`` holds rows of :func:`hilbertlib.reservoir.grid_frame`; left:
    ``states_ms_per_image`` (milliseconds per image driven through the
    reservoir), right: ``readout_s`` (seconds for every readout kind and
    ridge strength, and the final fit), log-log, one colour per ordering,
    solid for 28x28 and dashed for 14x14.  A dotted grey line grows as
    units², the cost of the dense recurrent product per step.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator

    if len(frame) == 0:
        return placeholder_figure("Not yet run: the reservoir-size sweeps")
    color = _ordering_colors(orderings)
    fig, axes = plt.subplots(1, 2, figsize=(width, height))
    for ax, col, label in ((axes[0], "states_ms_per_image", "reservoir states (ms per image)"),
                           (axes[1], "readout_s", "readout search and fit (s)")):
        for size in sizes:
            for o in orderings:
                r = frame[(frame["size"] == size) & (frame["ordering"] == o)].sort_values("units")
                if len(r):
                    ax.plot(r["units"], r[col], "s-" if size == 28 else "o--", color=color[o], ms=4,
                            lw=1.5 if size == 28 else 1.0, label=f"{o}, {size}x{size}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_locator(plt.NullLocator())
        units = sorted(set(frame["units"]))
        ax.set_xticks(units, [f"{u:,}" for u in units])
        ax.xaxis.set_minor_locator(plt.NullLocator())
        ax.set_xlabel("reservoir units N (log scale)")
        ax.set_ylabel(label)
    first = frame.sort_values(["size", "units"]).iloc[0]
    u = np.array(sorted(set(frame["units"])), dtype=float)
    if len(u) > 1:
        axes[0].plot(u, first["states_ms_per_image"] * (u / first["units"]) ** 2, ":", color="grey", label="∝ units²")
    axes[0].legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return fig


def plot_accuracy_against(accuracies: dict[str, Sequence[float]], metrics: dict[str, dict[str, float]],
                          pairs: Sequence[tuple[str, str]] = (), highlight: Sequence[str] = ("row", "hilbert"),
                          width: float = 5.2, height: float = 4.0):
    """Test accuracy against per-ordering metrics, one labelled point per ordering (chapter 9).

    Introduced in chapter 9 ("Which order is best, and why").
    ``accuracies`` maps an ordering to the test accuracies (fractions) of its
    seeds; the point sits at their mean, with an error bar of plus and minus
    one sample standard deviation when there are two seeds or more.
    ``metrics`` maps a panel's x-axis label to ``{ordering: value}``, one
    panel each.  An ordering without accuracies (not run yet) is left out;
    ``pairs`` of orderings that both have a point are joined by a grey
    dotted line (an ordering and its reverse); the second of a pair is drawn
    as an open circle in the colour of the first.  ``highlight`` gets a
    darker label.  With no accuracy at all the figure is a one-line
    :func:`placeholder_figure`.
    """
    have = {o: 100 * np.asarray(list(v), dtype=float) for o, v in accuracies.items() if len(list(v))}
    if not have:
        return placeholder_figure("Not yet run: the 14x14 LSTM under the orderings")
    if not metrics:
        raise ValueError("metrics is empty: pass at least one {x label: {ordering: value}}")
    seconds = {b: a for a, b in pairs}   # the second of a pair: its partner's colour, an open marker
    firsts = [o for o in accuracies if o not in seconds]
    palette = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    if len(firsts) > len(palette):
        palette = [plt.cm.tab20(i % 20) for i in range(len(firsts))]
    color = {o: palette[i % len(palette)] for i, o in enumerate(firsts)}
    color.update({b: color.get(a, "grey") for b, a in seconds.items()})
    fig, axes = plt.subplots(1, len(metrics), figsize=(width * len(metrics), height), sharey=True, squeeze=False)
    for ax, (xlabel, values) in zip(axes[0], metrics.items()):
        for a, b in pairs:
            if a in have and b in have and a in values and b in values:
                ax.plot([values[a], values[b]], [have[a].mean(), have[b].mean()], ":", color="grey", lw=1, zorder=1)
        for o, acc in have.items():
            if o not in values:
                continue
            sd = acc.std(ddof=1) if acc.size > 1 else 0.0
            second = o in seconds   # labelled below left, so that the labels of a pair do not collide
            ax.errorbar(values[o], acc.mean(), yerr=sd if acc.size > 1 else None, fmt="o", ms=6, capsize=4,
                        color=color[o], mfc="white" if second else color[o], mew=1.5, zorder=3)
            ax.annotate(o, (values[o], acc.mean()), xytext=(-5, -11) if second else (5, 4), textcoords="offset points",
                        fontsize=8, ha="right" if second else "left", color="black" if o in highlight else "dimgrey",
                        fontweight="bold" if o in highlight else "normal")
        ax.set_xlabel(xlabel)
        ax.margins(x=0.15)
    axes[0, 0].set_ylabel("test accuracy (%)")
    fig.tight_layout()
    return fig
