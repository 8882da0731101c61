"""Figures of training runs (chapters 4 to 6, 10 to 12): learning curves, confusion matrices,
accuracies by seed and gradient norms along a sequence.

Each function returns the ``Figure`` it drew on; results are
:class:`hilbertlib.result_files.Result` objects.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from .plotting import _axes

__all__ = [
    "plot_confusion",
    "plot_confusion_grid",
    "plot_gradient_norms",
    "plot_history",
    "plot_history_grid",
    "plot_run_records",
    "plot_seed_accuracies",
]


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


def plot_confusion(
    result, ax=None, title: str | None = None, normalize: bool = False, class_names: Sequence[str] | None = None
):
    """Seaborn heat map of a result's test confusion matrix (chapters 5 and 6; the paper's Figures 5 and 7)."""
    import seaborn as sns

    cm = result.confusion_matrix.astype(float)
    if normalize:
        cm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    fig, ax = _axes(ax, (4.6, 4))
    names = class_names or [str(i) for i in range(10)]
    sns.heatmap(
        cm,
        annot=not normalize,
        fmt=".0f" if not normalize else ".2f",
        cmap="Blues",
        cbar=False,
        xticklabels=names,
        yticklabels=names,
        ax=ax,
        annot_kws={"fontsize": 7},
    )
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if max(len(str(n)) for n in names) > 2:  # class names (chapter 10): slanted, so they do not overlap
        ax.set_xticklabels(ax.get_xticklabels(), rotation=45, ha="right", rotation_mode="anchor")
        ax.set_yticklabels(ax.get_yticklabels(), rotation=0)
    ax.set_title(title or result.id, fontsize=10)
    return fig


def plot_gradient_norms(
    curves: dict[str, np.ndarray], ax=None, title: str | None = None, styles: dict[str, str] | None = None
):
    """Gradient norm per time step against steps before the end, log scale (chapter 4).

    ``curves`` maps a label to the output of
    :func:`hilbertlib.probes.input_gradient_norms` (shape ``(T,)``).  The
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
            ax.plot(
                np.full(vals.size, i),
                vals,
                "o",
                color=colors[i % len(colors)],
                alpha=0.8,
                label="one seed" if i == 0 else None,
            )
            ax.hlines(
                vals.mean(),
                i - 0.25,
                i + 0.25,
                color=colors[i % len(colors)],
                lw=2,
                label="mean over seeds" if i == 0 else None,
            )
        if claimed and lab in claimed:
            ax.plot(i + 0.3, 100 * claimed[lab], "x", color="black", ms=8, label="paper" if i == 0 else None)
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels)
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.set_ylabel("test accuracy (%)")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8, loc="best")
    return fig


def plot_history_grid(
    panels: dict[str, dict[str, object]], metric: str = "accuracy", width: float = 5.2, height: float = 3.6
):
    """One :func:`plot_history` panel per entry of ``panels`` (chapters 4 and 5).

    ``panels`` maps a panel title to ``{label: Result}``.
    """
    n = max(len(panels), 1)
    fig, axes = plt.subplots(1, n, figsize=(width * n, height), sharey=True, squeeze=False)
    for ax, (title, entries) in zip(axes[0], panels.items()):
        plot_history(list(entries.values()), labels=list(entries), metric=metric, ax=ax)
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


#: Axis labels of the per-epoch records :func:`plot_run_records` draws.
RECORD_LABELS = {
    "val_accuracy": "validation accuracy",
    "loss": "training loss",
    "grad_norm_max": "largest gradient norm",
    "grad_norm_mean": "mean gradient norm",
    "clipped_share": "share of batches clipped",
}


def plot_run_records(
    panels: dict[str, dict[str, object]],
    records: Sequence[str] = ("val_accuracy", "grad_norm_max"),
    width: float = 2.9,
    height: float = 2.5,
):
    """Per-epoch records of runs: one column per entry of ``panels``, one row per record (chapter 11).

    ``panels`` maps a column title to ``{label: Result}``; an empty column
    says that no run is there yet.  Gradient norms are drawn on a log scale, and each row shares its scale;
    epochs without a record (a result of schema 1) are gaps.
    """
    n = max(len(panels), 1)
    fig, axes = plt.subplots(
        len(records), n, figsize=(width * n, height * len(records)), sharex=True, sharey="row", squeeze=False
    )
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for j, (title, entries) in enumerate(panels.items()):
        axes[0, j].set_title(title, fontsize=9)
        for i, key in enumerate(records):
            ax = axes[i, j]
            drawn = []
            for k, (label, res) in enumerate(entries.items()):
                values = res.history.get(key) or []
                y = np.array([np.nan if v is None else v for v in values], dtype=float)
                drawn.append(y[np.isfinite(y)])
                mark = "o" if y.size <= 3 else None  # a one-epoch (quick) run is a single point
                ax.plot(np.arange(1, y.size + 1), y, color=colors[k % len(colors)], marker=mark, lw=1.2, label=label)
            finite = np.concatenate(drawn) if drawn else np.array([])
            if key.startswith("grad_norm") and finite.size and finite.min() > 0:
                ax.set_yscale("log")
            if key.endswith("accuracy") or key == "clipped_share":
                ax.set_ylim(0, 1.02)
            if not entries:
                ax.text(0.5, 0.5, "not trained yet", ha="center", va="center", transform=ax.transAxes, color="grey")
            if j == 0:
                ax.set_ylabel(RECORD_LABELS.get(key, key), fontsize=9)
            if i == len(records) - 1:
                ax.set_xlabel("epoch")
            if entries and i == 0:
                ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    return fig


def plot_confusion_grid(
    results: dict[str, object], normalize: bool = False, size: float = 4.4, class_names: Sequence[str] | None = None
):
    """:func:`plot_confusion` side by side for ``{title: Result}`` (chapters 5 and 6).

    ``class_names`` labels the axes with names instead of digits (chapter 10).
    """
    n = max(len(results), 1)
    fig, axes = plt.subplots(1, n, figsize=(size * n, size * 0.9), squeeze=False)
    for ax, (title, res) in zip(axes[0], results.items()):
        plot_confusion(res, ax=ax, title=title, normalize=normalize, class_names=class_names)
    fig.tight_layout()
    return fig
