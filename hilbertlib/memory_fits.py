"""Reading memory measurements: the best exponential and power law through a decay, and bands over seeds.

* :func:`fit_decays`: the best exponential and the best power law through a
  decay curve (a retention curve of :mod:`hilbertlib.memory`), with the
  error of each; :func:`fit_gap` says by how much the exponential fits
  better.
* :func:`exponential_mixture`: why an average of exponentials is not itself
  an exponential; :func:`decay_shapes`: the better fit unit by unit.
* :func:`seed_band`: the mean, lowest and highest of a curve over the seeds
  of one setting (chapter 7 draws three seeds per ordering).

Introduced in chapter 7 ("What the LSTM remembers").
"""

from __future__ import annotations

import numpy as np

__all__ = ["fit_decays", "fit_gap", "exponential_mixture", "decay_shapes", "seed_band"]


def fit_decays(lags, values, floor: float = 0.0) -> dict[str, dict]:
    """The best exponential and the best power law through a decay curve (chapter 7).

    Both are straight-line fits (``numpy.polyfit``) to the natural log of
    ``values``: the exponential ``v = a exp(-lag / tau)`` is a line in
    ``lag``, the power law ``v = a lag^(-p)`` a line in ``log(lag)``.  Only
    points with ``value > floor`` are used (at least three).  Returns
    ``{"exponential": {...}, "power_law": {...}}``; each holds the fitted
    ``scale`` (``a``), ``tau`` or ``exponent`` (``p``), ``rms`` (the
    root-mean-square residual of ``log v``, so ``exp(rms)`` is the typical
    factor by which the fit misses), ``curve`` (the fit at every lag) and
    ``n_points`` (how many points were fitted).  A positive slope (growth)
    gives ``tau = inf`` or a negative exponent rather than an error.
    """
    lags = np.asarray(lags, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    if lags.shape != v.shape or lags.ndim != 1:
        raise ValueError(f"lags and values must be 1-D arrays of the same length, got {lags.shape} and {v.shape}")
    if np.any(lags < 1):
        raise ValueError("lags must be >= 1 (the power law needs log(lag))")
    use = v > floor
    if use.sum() < 3:
        raise ValueError(f"need at least 3 values above {floor} to fit, got {int(use.sum())}")
    logv = np.log(v[use])
    out = {}
    for kind, xs in (("exponential", lags), ("power_law", np.log(lags))):
        slope, intercept = np.polyfit(xs[use], logv, 1)
        resid = logv - (slope * xs[use] + intercept)
        fit = {
            "scale": float(np.exp(intercept)),
            "rms": float(np.sqrt(np.mean(resid**2))),
            "curve": np.exp(slope * xs + intercept),
            "n_points": int(use.sum()),
        }
        if kind == "exponential":
            fit["tau"] = float(-1.0 / slope) if slope < 0 else float("inf")
        else:
            fit["exponent"] = float(-slope)
        out[kind] = fit
    return out


def fit_gap(fits: dict[str, dict]) -> float:
    """The power law's fit error minus the exponential's, from :func:`fit_decays` (chapter 7).

    Positive when the exponential describes the curve better, negative when
    the power law does; both errors are in units of ``log v``.
    """
    return float(fits["power_law"]["rms"] - fits["exponential"]["rms"])


def exponential_mixture(taus, lags) -> np.ndarray:
    """The mean over units of ``exp(-lag / tau_u)`` for each lag (chapter 7).

    What the average retention would be if every unit forgot at its own
    constant rate (``tau`` from :func:`hilbertlib.memory.time_constants`).  Each term is an
    exponential, but their average is not: with time constants spread over
    orders of magnitude the fast units die out first and the slow ones make
    a long, power-law-like tail.
    """
    taus = np.asarray(taus, dtype=np.float64).ravel()
    if taus.size == 0 or np.any(taus <= 0) or np.any(np.isnan(taus)):
        raise ValueError("taus must be a non-empty array of positive time constants")
    lags = np.asarray(lags, dtype=np.float64)
    with np.errstate(divide="ignore"):
        rate = np.where(np.isinf(taus), 0.0, 1.0 / taus)
    return np.exp(-np.outer(lags, rate)).mean(axis=1)


def decay_shapes(
    unit_curves: np.ndarray, lags, floor: float = 1e-3, min_points: int = 5, flat: float = 0.9
) -> dict[str, int]:
    """Classify each unit's retention curve as better fitted by an exponential or a power law (chapter 7).

    ``unit_curves`` comes from :func:`hilbertlib.memory.unit_retention_curves`.  Each column is
    fitted with :func:`fit_decays` on the lags where it is still above
    ``floor`` (what is left below that no longer matters).  Returns counts:
    ``exponential`` and ``power_law`` (the fit with the smaller ``rms``),
    ``flat`` (the unit keeps more than ``flat`` of its cell over all lags, so
    no shape can be told) and ``too_fast`` (fewer than ``min_points`` lags
    above ``floor``: the unit forgets within a few steps).
    """
    curves = np.asarray(unit_curves, dtype=np.float64)
    lags = np.asarray(lags)
    if curves.ndim != 2 or curves.shape[0] != len(lags):
        raise ValueError(f"unit_curves must have shape (len(lags), units), got {curves.shape}")
    counts = {"exponential": 0, "power_law": 0, "flat": 0, "too_fast": 0}
    for u in range(curves.shape[1]):
        c = curves[:, u]
        if c.min() > flat:
            counts["flat"] += 1
        elif (c > floor).sum() < min_points:
            counts["too_fast"] += 1
        else:
            fits = fit_decays(lags, c, floor=floor)
            counts["exponential" if fits["exponential"]["rms"] <= fits["power_law"]["rms"] else "power_law"] += 1
    return counts


def seed_band(curves) -> dict[str, np.ndarray]:
    """Mean, minimum and maximum over seeds of equally long curves, one per seed (chapter 7).

    ``curves`` is a sequence of 1-D arrays (one per seed) or a 2-D array
    (seeds, points).  Returns ``{"mean", "low", "high", "n"}``; the figures
    draw the mean with the range of the seeds around it.
    """
    arr = np.asarray([np.asarray(c, dtype=np.float64) for c in curves])
    if arr.ndim != 2 or arr.shape[0] == 0:
        raise ValueError(f"curves must be one equally long 1-D curve per seed, got shape {arr.shape}")
    return {"mean": arr.mean(axis=0), "low": arr.min(axis=0), "high": arr.max(axis=0), "n": arr.shape[0]}
