"""Figures of chapter 8 ("Reservoir computing"): the search over leak rate and spectral radius,
the leak rate alone, and accuracy and cost against the reservoir's size.

Each function takes rows of :func:`hilbertlib.reservoir_grid.grid_frame` and returns the ``Figure``.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from .plotting import _axes

__all__ = ["plot_leak_search", "plot_reservoir_cost", "plot_reservoir_search", "plot_reservoir_sizes"]


def _ordering_colors(orderings: Sequence[str]) -> dict[str, str]:
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    return {o: colors[i % len(colors)] for i, o in enumerate(orderings)}


def plot_reservoir_search(
    frame,
    leaks: Sequence[float],
    radii: Sequence[float],
    orderings: Sequence[str],
    chosen: dict[str, tuple[float, float]] | None = None,
    size: float = 3.3,
):
    """Validation accuracy over leak rate x spectral radius, one heat map per ordering (chapter 8).

    ``frame`` holds the search rows of :func:`hilbertlib.reservoir_grid.grid_frame`
    for one image size (columns ``ordering``, ``leak``, ``radius``,
    ``val_accuracy``).  Cells without a result are grey and marked "–";
    ``chosen`` maps an ordering to the (leak, radius) pair picked on
    validation, outlined in black.  All panels share one colour scale.  With
    no row at all it is an error.
    """
    from matplotlib.patches import Rectangle

    if len(frame) == 0:
        raise ValueError("plot_reservoir_search: the frame has no rows (the leak rate x spectral radius search)")
    leaks, radii = list(leaks), list(radii)
    vals = 100 * frame["val_accuracy"].to_numpy(dtype=float)
    vmin, vmax = float(np.nanmin(vals)), float(np.nanmax(vals))
    if vmax - vmin < 1e-9:
        vmin, vmax = vmin - 0.5, vmax + 0.5
    cmap = plt.get_cmap("viridis").copy()
    cmap.set_bad("#e6e6e6")
    n = len(orderings)
    fig, axes = plt.subplots(
        1, n, figsize=(size * n + 1.0, 0.55 * len(leaks) + 1.4), squeeze=False, layout="constrained"
    )
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
        ax.set_title(o + (f"  ({missing} without a result)" if missing else ""), fontsize=10)
    axes[0, 0].set_ylabel("leak rate a")
    fig.colorbar(im, ax=axes[0].tolist(), label="validation accuracy (%)", shrink=0.9)
    return fig


def plot_leak_search(frame, orderings: Sequence[str], chosen: dict[tuple[int, str], float] | None = None, ax=None):
    """Validation accuracy against leak rate, one line per ordering and image size (chapter 8).

    ``frame`` holds rows of :func:`hilbertlib.reservoir_grid.grid_frame` at one
    spectral radius per ordering and size; 28x28 lines are solid, 14x14
    dashed, one colour per ordering.  ``chosen`` maps ``(size, ordering)`` to
    the leak rate picked on validation, marked with a star.
    """
    if len(frame) == 0:
        raise ValueError("plot_leak_search: the frame has no rows (the leak-rate search)")
    fig, ax = _axes(ax, (6.4, 3.8))
    color = _ordering_colors(orderings)
    for size in sorted(set(frame["size"]), reverse=True):
        for o in orderings:
            rows = frame[(frame["size"] == size) & (frame["ordering"] == o)].sort_values("leak")
            if len(rows) == 0:
                continue
            radius = float(rows["radius"].iloc[0])
            ax.plot(
                rows["leak"],
                100 * rows["val_accuracy"],
                "o-" if size == 28 else "o--",
                color=color[o],
                ms=4,
                lw=1.6 if size == 28 else 1.0,
                label=f"{o}, {size}x{size} (ρ = {radius:g})",
            )
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


def plot_reservoir_sizes(
    frame,
    orderings: Sequence[str],
    sizes: Sequence[int] = (14, 28),
    references: dict[int, dict[str, float]] | None = None,
    metric: str = "test_accuracy",
    width: float = 4.8,
    height: float = 3.7,
):
    """Accuracy against reservoir size, one panel per image size, one line per ordering (chapter 8).

    ``frame`` holds size-sweep rows of :func:`hilbertlib.reservoir_grid.grid_frame`;
    ``references`` maps an image size to ``{ordering: accuracy}`` drawn as
    dashed horizontal lines of the ordering's colour (the chapter's LSTMs).
    An image size without rows is an error.
    """
    references = references or {}
    color = _ordering_colors(orderings)
    fig, axes = plt.subplots(1, len(sizes), figsize=(width * len(sizes), height), squeeze=False)
    for ax, size in zip(axes[0], sizes):
        rows = frame[frame["size"] == size]
        if len(rows) == 0:
            raise ValueError(f"plot_reservoir_sizes: no size-sweep rows for {size}x{size}")
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


def plot_reservoir_cost(
    frame, orderings: Sequence[str], sizes: Sequence[int] = (14, 28), width: float = 10.0, height: float = 3.7
):
    """Time to compute the reservoir states (left) and to fit the readouts (right) against units (chapter 8).

    ``frame`` holds rows of :func:`hilbertlib.reservoir_grid.grid_frame`; left:
    ``states_ms_per_image`` (milliseconds per image driven through the
    reservoir), right: ``readout_s`` (seconds for every readout kind and
    ridge strength, and the final fit), log-log, one colour per ordering,
    solid for 28x28 and dashed for 14x14.  A dotted grey line grows as
    units², the cost of the dense recurrent product per step.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator

    if len(frame) == 0:
        raise ValueError("plot_reservoir_cost: the frame has no rows (the reservoir-size sweeps)")
    color = _ordering_colors(orderings)
    fig, axes = plt.subplots(1, 2, figsize=(width, height))
    for ax, col, label in (
        (axes[0], "states_ms_per_image", "reservoir states (ms per image)"),
        (axes[1], "readout_s", "readout search and fit (s)"),
    ):
        for size in sizes:
            for o in orderings:
                r = frame[(frame["size"] == size) & (frame["ordering"] == o)].sort_values("units")
                if len(r):
                    ax.plot(
                        r["units"],
                        r[col],
                        "s-" if size == 28 else "o--",
                        color=color[o],
                        ms=4,
                        lw=1.5 if size == 28 else 1.0,
                        label=f"{o}, {size}x{size}",
                    )
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
