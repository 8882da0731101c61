"""Figures of chapter 9 ("Which order is best, and why"): orientations and accuracy by seed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from .orderings import orientations
from .plotting import draw_ordering
from .stats import mean_interval

__all__ = ["draw_orientations", "plot_runs_against"]


def draw_orientations(base: str = "hilbert", size: int = 14, panel: float = 1.7):
    """The 8 symmetries of ``base`` on a ``size`` grid, walked forwards, one panel each (chapter 9).

    Each walk runs from a dot (first step) to a square (last step); the
    reversed walks are the same pictures with dot and square swapped.
    """
    names = orientations(base)[:8]
    fig, axes = plt.subplots(2, 4, figsize=(4 * panel, 2 * panel + 0.4))
    for ax, name in zip(axes.ravel(), names):
        draw_ordering(name, size, ax=ax, title=name.replace(f":{base}", "") if name != base else "identity")
    fig.tight_layout()
    return fig


def plot_runs_against(
    accuracies: Mapping[str, Sequence[float]],
    x: Mapping[str, float],
    xlabel: str,
    ax=None,
    labels: Mapping[str, str] | None = None,
):
    """Test accuracy of every run against a measure of its ordering (chapter 9).

    One small dot per seed; a larger marker at the mean of each ordering with
    two or more seeds, with its 95% t interval.  ``accuracies`` are
    fractions; the axis shows percent.  Orderings missing from ``x`` or
    without runs are left out.
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.6, 3.8))
    else:
        fig = ax.figure
    palette = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    shown = [o for o, a in accuracies.items() if len(a) and o in x]
    if not shown:
        raise ValueError("no ordering has both runs and a measure to plot")
    for i, o in enumerate(shown):
        acc = 100 * np.asarray(list(accuracies[o]), dtype=float)
        c = palette[i % len(palette)]
        ax.plot(np.full(acc.size, x[o]), acc, ".", color=c, alpha=0.6, ms=7)
        m, low, high = mean_interval(acc)
        if low is not None:
            ax.errorbar(x[o], m, yerr=[[m - low], [high - m]], fmt="D", color=c, ms=6, capsize=4)
        ax.annotate(
            (labels or {}).get(o, o), (x[o], m), xytext=(6, 0), textcoords="offset points", fontsize=8, va="center"
        )
    ax.set_xlabel(xlabel)
    ax.set_ylabel("test accuracy (%)")
    ax.margins(x=0.2)
    return fig
