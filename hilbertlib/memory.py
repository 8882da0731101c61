"""What a trained LSTM remembers, measured rather than drawn.

* :func:`blank_prefix_accuracy`: test accuracy when the first ``k`` steps of
  every sequence are blanked (set to 0), for several ``k``.  If accuracy stays
  put while the prefix is erased, the model did not use that part.
* :func:`forget_gate_trace` / :func:`time_constants`: the LSTM's forget-gate
  activations on real sequences, and per unit the time constant
  ``tau = -1 / ln(mean f)`` of its exponential forgetting.
* :func:`retention_curve`: how much of the cell state of step ``t`` is left
  ``lag`` steps later, ``prod f``, averaged over units and sequences: the
  measured counterpart of the paper's Figure 8 (exponential vs power law).
* :func:`unit_retention_curves`, :func:`fit_decays`, :func:`exponential_mixture`
  and :func:`decay_shapes`: the retention per unit, the best exponential and
  power-law fits of a decay curve, and why an average of exponentials is
  not itself an exponential.
* :func:`accuracy_drop_step` and :func:`prefix_ink_fraction`: where the
  blanked-prefix accuracy falls, and how much of the ink the blanked prefix
  held.
* :func:`decay_verdict` and :func:`horizon_verdict`: the rules that judge the
  paper's section 5.1 against these measurements.
* :func:`at_initialisation`: the time constants and the gradient reaching
  each step of *untrained* networks (chapters 11 and 12).

Introduced in chapter 7 ("What the LSTM remembers").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

__all__ = ["blank_prefix_accuracy", "lstm_weights", "forget_gate_trace", "lstm_last_state", "time_constants", "retention_curve",
           "accuracy_drop_step", "prefix_ink_fraction", "unit_retention_curves", "fit_decays", "exponential_mixture",
           "decay_shapes", "decay_verdict", "horizon_verdict", "AtInitialisation", "at_initialisation"]


def blank_prefix_accuracy(model, x: np.ndarray, y: np.ndarray, ks, batch_size: int = 500) -> np.ndarray:
    """Accuracy of ``model`` on ``(x, y)`` with the first ``k`` steps set to 0, for each ``k``."""
    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y)
    out = []
    for k in ks:
        k = int(k)
        if not 0 <= k <= x.shape[1]:
            raise ValueError(f"k={k} is outside 0..{x.shape[1]} (the sequence length)")
        xb = x.copy()
        xb[:, :k] = 0.0
        pred = np.asarray(model.predict(xb, batch_size=batch_size, verbose=0)).argmax(axis=1)
        out.append(float(np.mean(pred == y)))
    return np.asarray(out)


def lstm_weights(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(kernel, recurrent kernel, bias) of the first Keras LSTM layer of ``model``."""
    import keras

    for layer in model.layers:
        if isinstance(layer, keras.layers.LSTM):
            k, r, b = (keras.ops.convert_to_numpy(w) for w in layer.cell.weights[:3])
            return k, r, b
    raise ValueError("model has no keras.layers.LSTM layer")


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _lstm_rerun(model, x: np.ndarray):
    """NumPy re-run of the model's Keras LSTM: yields (f_t, h_t) step by step.

    Gate order i, f, c, o; tanh cell and output, sigmoid gates (Keras' defaults).
    """
    kernel, rec, bias = lstm_weights(model)
    x = np.asarray(x, dtype=np.float64)
    u = rec.shape[0]
    h = np.zeros((len(x), u))
    c = np.zeros((len(x), u))
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ rec + bias
        i, f, g, o = _sigmoid(z[:, :u]), _sigmoid(z[:, u:2 * u]), np.tanh(z[:, 2 * u:3 * u]), _sigmoid(z[:, 3 * u:])
        c = f * c + i * g
        h = o * np.tanh(c)
        yield f, h


def forget_gate_trace(model, x: np.ndarray) -> np.ndarray:
    """Forget-gate activations ``f_t`` of the model's LSTM on sequences ``x``: shape (N, T, units).

    From ``_lstm_rerun``, checked against Keras' own output in the tests.
    """
    return np.stack([f for f, _ in _lstm_rerun(model, x)], axis=1).astype(np.float32)


def lstm_last_state(model, x: np.ndarray) -> np.ndarray:
    """The LSTM's last hidden state from the NumPy re-run (to check it against Keras)."""
    h = None
    for _, h in _lstm_rerun(model, x):
        pass
    return h


def time_constants(trace: np.ndarray) -> np.ndarray:
    """Per unit, ``tau = -1 / ln(mean_t f_t)`` in steps (``inf`` for a gate stuck at 1)."""
    # Accumulate in float64: summing 10^5 float32 gates near 1 row by row loses
    # the small 1 - f that the time constant is made of.
    mean_f = np.clip(np.asarray(trace).reshape(-1, trace.shape[-1]).mean(axis=0, dtype=np.float64), 1e-12, 1.0)
    with np.errstate(divide="ignore"):
        return -1.0 / np.log(mean_f)


def retention_curve(trace: np.ndarray, lags, start: int = 0) -> np.ndarray:
    """Mean over sequences and units of ``prod_{s=start+1}^{start+lag} f_s``.

    The fraction of the cell state written at step ``start`` that survives
    ``lag`` steps of forgetting (ignoring what is written on top of it).
    """
    f = np.asarray(trace, dtype=np.float64)[:, start + 1 :]
    logs = np.cumsum(np.log(np.clip(f, 1e-300, 1.0)), axis=1)
    out = []
    for lag in lags:
        lag = int(lag)
        if not 1 <= lag <= logs.shape[1]:
            raise ValueError(f"lag {lag} is outside 1..{logs.shape[1]}")
        out.append(float(np.exp(logs[:, lag - 1]).mean()))
    return np.asarray(out)


# ------------------------------------------------------------ chapter 7: reading the measurements


def accuracy_drop_step(ks, accuracies, fraction: float = 0.9) -> int | None:
    """The first ``k`` whose accuracy is below ``fraction`` times the accuracy at ``ks[0]`` (chapter 7).

    ``ks`` and ``accuracies`` are the input and output of
    :func:`blank_prefix_accuracy` (``ks[0]`` is normally 0, nothing blanked).
    Returns ``None`` when the accuracy never falls that far.  The answer is
    only as fine as the grid of ``ks``: the drop happens somewhere between
    the previous ``k`` and the one returned.
    """
    ks = [int(k) for k in ks]
    acc = np.asarray(accuracies, dtype=float)
    if len(ks) != len(acc) or not ks:
        raise ValueError(f"ks and accuracies must have the same, non-zero length, got {len(ks)} and {len(acc)}")
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    order = np.argsort(ks, kind="stable")
    if ks[order[0]] != ks[0]:
        raise ValueError("ks must start with its smallest value (the reference, normally k=0)")
    limit = fraction * acc[0]
    for i in order:
        if acc[i] < limit:
            return ks[i]
    return None


def prefix_ink_fraction(x: np.ndarray, ks) -> np.ndarray:
    """For each ``k``, the share of all ink (sum of pixel values) that lies in the first ``k`` steps (chapter 7).

    ``x`` is a batch of sequences (N, T) or (N, T, D); the share is taken
    over the whole batch.  It tells whether blanking a prefix removed much of
    the digit at all: a prefix without ink cannot change the answer, however
    good the network's memory.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim not in (2, 3):
        raise ValueError(f"x must be a batch of sequences (N, T) or (N, T, D), got shape {x.shape}")
    per_step = x.reshape(x.shape[0], x.shape[1], -1).sum(axis=(0, 2))
    total = per_step.sum()
    if total <= 0:
        raise ValueError("x holds no ink (all values are zero)")
    cum = np.concatenate([[0.0], np.cumsum(per_step)]) / total
    out = []
    for k in ks:
        k = int(k)
        if not 0 <= k <= x.shape[1]:
            raise ValueError(f"k={k} is outside 0..{x.shape[1]} (the sequence length)")
        out.append(cum[k])
    return np.asarray(out)


def unit_retention_curves(trace: np.ndarray, lags, start: int = 0) -> np.ndarray:
    """Per unit, the mean over sequences of ``prod_{s=start+1}^{start+lag} f_s``: shape (len(lags), units) (chapter 7).

    :func:`retention_curve` is the mean of these curves over the units.
    """
    f = np.asarray(trace, dtype=np.float64)
    if f.ndim != 3:
        raise ValueError(f"trace must have shape (N, T, units), got {f.shape}")
    if not 0 <= start < f.shape[1] - 1:
        raise ValueError(f"start {start} is outside 0..{f.shape[1] - 2}")
    logs = np.cumsum(np.log(np.clip(f[:, start + 1 :], 1e-300, 1.0)), axis=1)
    out = []
    for lag in lags:
        lag = int(lag)
        if not 1 <= lag <= logs.shape[1]:
            raise ValueError(f"lag {lag} is outside 1..{logs.shape[1]}")
        out.append(np.exp(logs[:, lag - 1]).mean(axis=0))
    return np.asarray(out)


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
        fit = {"scale": float(np.exp(intercept)), "rms": float(np.sqrt(np.mean(resid ** 2))),
               "curve": np.exp(slope * xs + intercept), "n_points": int(use.sum())}
        if kind == "exponential":
            fit["tau"] = float(-1.0 / slope) if slope < 0 else float("inf")
        else:
            fit["exponent"] = float(-slope)
        out[kind] = fit
    return out


def exponential_mixture(taus, lags) -> np.ndarray:
    """The mean over units of ``exp(-lag / tau_u)`` for each lag (chapter 7).

    What the average retention would be if every unit forgot at its own
    constant rate (``tau`` from :func:`time_constants`).  Each term is an
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


def decay_shapes(unit_curves: np.ndarray, lags, floor: float = 1e-3, min_points: int = 5,
                 flat: float = 0.9) -> dict[str, int]:
    """Classify each unit's retention curve as better fitted by an exponential or a power law (chapter 7).

    ``unit_curves`` comes from :func:`unit_retention_curves`.  Each column is
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


def decay_verdict(fits: dict[str, dict]) -> str:
    """Verdict on "memory decays exponentially" from :func:`fit_decays` of several curves (chapter 7).

    ``fits`` maps a label (an ordering) to the fits of its retention curve.
    ``'reproduced'`` when the exponential has the smaller ``rms`` for every
    curve, ``'not reproduced (a power law fits better)'`` when the power law
    does for every curve, ``'mixed'`` otherwise and ``'not yet run'`` when
    ``fits`` is empty.
    """
    if not fits:
        return "not yet run"
    exp_wins = [f["exponential"]["rms"] <= f["power_law"]["rms"] for f in fits.values()]
    if all(exp_wins):
        return "reproduced"
    if not any(exp_wins):
        return "not reproduced (a power law fits better)"
    return "mixed"


def horizon_verdict(accuracy_drop: float | None, ink_share: float, tol: float = 0.02, min_ink: float = 0.05) -> str:
    """Verdict on "information older than about 150 steps is gone" for one ordering (chapter 7).

    ``accuracy_drop`` is the test accuracy lost (a fraction) when every step
    more than 150 steps before the end is blanked; ``ink_share`` the share of
    the ink those steps hold (:func:`prefix_ink_fraction`).  Not reproduced
    when the drop exceeds ``tol`` (the network still uses those steps);
    otherwise reproduced, or only ``'consistent (little ink there)'`` when
    the blanked steps hold less than ``min_ink`` of the ink, since then there
    was little to forget.  ``'not yet run'`` when ``accuracy_drop`` is None.
    """
    if accuracy_drop is None:
        return "not yet run"
    if accuracy_drop > tol + 1e-12:
        return "not reproduced (those steps still matter)"
    if ink_share < min_ink:
        return "consistent (little ink there)"
    return "reproduced"


@dataclass(frozen=True)
class AtInitialisation:
    """What an untrained network can remember (chapters 11 and 12).

    ``tau``: each unit's forget-gate time constant in steps
    (:func:`time_constants`); ``gradient``: the mean gradient norm of the
    loss with respect to the input at each step
    (:func:`hilbertlib.analysis.input_gradient_norms`); ``mean_forget``: the
    forget gate averaged over units, steps and sequences (float64).
    """

    tau: np.ndarray
    gradient: np.ndarray
    mean_forget: float


def at_initialisation(specs: Mapping[str, object], x: np.ndarray, y: np.ndarray) -> dict[str, AtInitialisation]:
    """Measure fresh networks, one per labelled spec, on sequences ``(x, y)`` (chapters 11 and 12).

    Each spec (model ``lstm`` or ``plstm``) is built with the initial weights
    its training run starts from (:func:`hilbertlib.analysis.fresh_model`);
    the LSTM's forget gates come from :func:`forget_gate_trace`, the pLSTM's
    from :func:`hilbertlib.plstm.plstm_forget_gate_trace`.
    """
    from . import analysis

    out = {}
    for label, spec in specs.items():
        if spec.model not in ("lstm", "plstm"):
            raise ValueError(f"at_initialisation measures forget gates of 'lstm' and 'plstm' models; "
                             f"{label!r} is a {spec.model!r} spec")
        model = analysis.fresh_model(spec)
        if spec.model == "plstm":
            from .plstm import plstm_forget_gate_trace

            trace = plstm_forget_gate_trace(model, x)
        else:
            trace = forget_gate_trace(model, x)
        out[label] = AtInitialisation(tau=time_constants(trace),
                                      gradient=analysis.input_gradient_norms(model, x, y),
                                      mean_forget=float(trace.mean(dtype=np.float64)))
    return out
