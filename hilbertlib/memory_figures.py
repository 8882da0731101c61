"""Figures of forget gates and memory (chapter 7; used again in chapters 11 and 12).

:func:`plot_time_constants` and :func:`plot_retention` draw one network's
(or one mean curve's) time constants and retention; the band figures below
draw a mean curve with the range of the seeds around it.

:func:`plot_blank_bands` draws the blanked-prefix accuracy of each ordering
(one curve per seed, :mod:`hilbertlib.memory_blanking`) and the share of the
ink blanked; :func:`plot_tau_bands` the units' forget-gate time constants,
sorted, after and before training; :func:`plot_retention_bands` the measured
retention of the cell state (the counterpart of the paper's Figure 8) with
the best exponential and power law through the mean curve.  The bands come
from :func:`hilbertlib.memory_fits.seed_band`.  Introduced in chapter 7
("What the LSTM remembers").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from .memory_fits import seed_band
from .plotting import _axes

__all__ = ["plot_blank_bands", "plot_retention", "plot_retention_bands", "plot_tau_bands", "plot_time_constants"]


def _color(i: int) -> str:
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    return colors[i % len(colors)]


def _band(ax, xs, per_seed, color: str, label: str, scale: float = 1.0, style: str = "-", **kw) -> dict:
    """Draw the mean of ``per_seed`` with the seeds' range shaded; returns their band (``seed_band``)."""
    band = seed_band(per_seed)
    ax.fill_between(xs, scale * band["low"], scale * band["high"], color=color, alpha=0.25, lw=0)
    ax.plot(xs, scale * band["mean"], style, color=color, label=f"{label} (mean of {band['n']} seeds)", **kw)
    return band


def plot_blank_bands(
    ks: Sequence[int],
    accuracies: Mapping[str, Sequence[Sequence[float]]],
    ink: Mapping[str, Sequence[float]] | None = None,
    horizon: int | None = None,
    width: float = 10.0,
    height: float = 3.6,
):
    """Accuracy against the number of blanked first steps, mean and range over seeds (chapter 7).

    ``accuracies`` maps a label (an ordering) to one accuracy curve per seed
    on ``ks``; the line is their mean, the shaded band spans the seeds.
    ``horizon``: a ``k`` to mark with a dotted vertical line.  ``ink`` maps
    the same labels to the share of the ink blanked at each ``k``
    (:func:`hilbertlib.memory_blanking.prefix_ink_fraction`), drawn in a
    second panel when given.
    """
    ks = np.asarray(ks)
    n = 2 if ink else 1
    fig, axes = plt.subplots(1, n, figsize=(width if n == 2 else width / 2, height), squeeze=False, sharex=True)
    ax = axes[0, 0]
    for i, (label, curves) in enumerate(accuracies.items()):
        _band(ax, ks, curves, _color(i), label, scale=100.0, style="o-", ms=3.5)
    ax.axhline(10, color="grey", ls="--", lw=0.8, label="chance (10%)")
    ax.set_xlabel("first k steps blanked")
    ax.set_ylabel("test accuracy (%)")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=8, loc="lower left")
    if ink:
        ax2 = axes[0, 1]
        for i, (label, frac) in enumerate(ink.items()):
            ax2.plot(ks, 100 * np.asarray(frac, dtype=float), "o-", ms=3.5, color=_color(i), label=label)
        ax2.set_xlabel("first k steps blanked")
        ax2.set_ylabel("share of the ink blanked (%)")
        ax2.set_ylim(0, 100)
        ax2.legend(fontsize=8, loc="upper left")
    for a in axes[0]:
        if horizon is not None:
            a.axvline(horizon, color="black", ls=":", lw=1)
        a.set_xlim(ks.min() - 4, ks.max() + 4)
    fig.tight_layout()
    return fig


def plot_tau_bands(
    taus: Mapping[str, Sequence[np.ndarray]],
    initial: Mapping[str, Sequence[np.ndarray]] | None = None,
    horizon: float | None = None,
    width: float = 6.0,
    height: float = 3.8,
):
    """The units' time constants sorted from shortest to longest, mean and range over seeds (chapter 7).

    ``taus`` maps a label to one array of per-unit time constants per seed
    (:attr:`hilbertlib.memory_data.MemoryMeasurement.tau`); the ``r``-th
    point is the ``r``-th shortest time constant of each seed.  ``initial``
    (dashed) the same for the networks' initial weights; ``horizon`` a
    dashed horizontal line (the sequence length).  Log scale: a gate stuck
    at one has an infinite time constant and is drawn at the top.
    """
    fig, ax = plt.subplots(figsize=(width, height))
    finite = np.concatenate([np.ravel(t) for group in [taus, initial or {}] for ts in group.values() for t in ts])
    finite = finite[np.isfinite(finite)]
    top = 10 * max(finite.max() if finite.size else 1.0, horizon or 1.0)
    for i, (label, per_seed) in enumerate(taus.items()):
        sorted_taus = [np.minimum(np.sort(np.asarray(t, dtype=float)), top) for t in per_seed]
        ranks = np.arange(1, len(sorted_taus[0]) + 1)
        _band(ax, ranks, sorted_taus, _color(i), f"{label}, trained", lw=2.0)
        if initial and label in initial:
            before = [np.minimum(np.sort(np.asarray(t, dtype=float)), top) for t in initial[label]]
            _band(ax, ranks, before, _color(i), f"{label}, before training", style="--", lw=1.2)
    if horizon is not None:
        ax.axhline(horizon, color="grey", ls="--", lw=0.8, label=f"sequence length ({horizon:g} steps)")
    ax.set_yscale("log")
    ax.set_xlabel("unit, from the shortest time constant to the longest")
    ax.set_ylabel("time constant τ (steps)")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def plot_retention_bands(
    lags: Sequence[int],
    curves: Mapping[str, Sequence[Sequence[float]]],
    fits: Mapping[str, dict] | None = None,
    width: float = 10.0,
    height: float = 3.8,
):
    """Measured retention against lag, mean and range over seeds, on log-log and semi-log axes (chapter 7).

    ``curves`` maps a label to one retention curve per seed on ``lags``
    (:func:`hilbertlib.memory.retention_curve`); ``fits`` maps the same
    labels to :func:`hilbertlib.memory_fits.fit_decays` of the mean curve.
    :func:`plot_retention` draws the mean curves and the
    fits (exponential dashed, power law dotted; on log-log axes a power law
    is a straight line, on semi-log axes an exponential is); the bands span
    the seeds, and the y axis spans the bands.
    """

    bands = {label: seed_band(per_seed) for label, per_seed in curves.items()}
    fig = plot_retention(
        lags, {label: band["mean"] for label, band in bands.items()}, fits=fits, width=width, height=height
    )
    for ax in fig.axes:
        for i, band in enumerate(bands.values()):
            ax.fill_between(np.asarray(lags, dtype=float), band["low"], band["high"], color=_color(i), alpha=0.25, lw=0)
    values = np.concatenate([np.concatenate([b["low"], b["high"]]) for b in bands.values()])
    values = values[values > 0]
    if values.size:
        fig.axes[0].set_ylim(max(values.min() / 10, 1e-300), min(values.max() * 3, 10.0))
    return fig


def plot_time_constants(
    taus: dict[str, np.ndarray],
    horizon: float | None = None,
    ax=None,
    bins: int = 30,
    before: dict[str, np.ndarray] | None = None,
):
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


def plot_retention(
    lags: Sequence[int],
    curves: dict[str, np.ndarray],
    fits: dict[str, dict] | None = None,
    mixtures: dict[str, np.ndarray] | None = None,
    width: float = 10.0,
    height: float = 3.8,
):
    """Measured retention against lag on log-log (left) and semi-log (right) axes, with fits (chapter 7).

    The measured counterpart of the paper's Figure 8.  ``curves`` maps a
    label to :func:`hilbertlib.memory.retention_curve`; ``fits`` maps the
    same labels to :func:`hilbertlib.memory_fits.fit_decays` (the exponential is
    drawn dashed, the power law dotted); ``mixtures`` to
    :func:`hilbertlib.memory_fits.exponential_mixture` (dash-dotted, thin).  On
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
                ax.plot(
                    lags,
                    mixtures[label],
                    "-.",
                    color=c,
                    lw=0.9,
                    alpha=0.8,
                    label=f"{label}: mean of per-unit exponentials",
                )
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
