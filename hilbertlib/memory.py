"""What an LSTM's forget gates keep: the gates read off real sequences, and the share of the cell they let through.

In an LSTM the cell is updated as ``c_t = f_t * c_{t-1} + i_t * g_t``, so
along the cell's own path the content of step ``s`` is multiplied by
``f_{s+1} ... f_t``.  This module measures those gates on trained and
untrained networks:

* :func:`forget_gate_trace`: the forget gates ``f_t`` of a Keras LSTM on
  real sequences, from a NumPy re-run of the layer (:func:`lstm_rerun`;
  :func:`lstm_last_state` checks it against Keras); :func:`lstm_weights`
  its weights.
* :func:`time_constants`: per unit, ``tau = -1 / ln(mean f)``, the number of
  steps over which a gate held at its mean would keep ``1/e`` of the cell.
* :func:`retention_curve` and :func:`unit_retention_curves`: the share of the
  cell of one step that is left ``lag`` steps later, ``prod f``, averaged
  over sequences (and units): the measured counterpart of the paper's
  Figure 8.
* :func:`gate_statistics`: the same numbers for a whole test set, in
  batches, without holding the trace of every sequence in memory.
* :func:`at_initialisation` and :func:`after_training`: the time constants,
  the share of the first step's cell kept, and the gradient reaching each
  step, of untrained and of trained networks (chapters 11 and 12);
  :func:`reading_table` sets them side by side.

Introduced in chapter 7 ("What the LSTM remembers"), whose measurements
:mod:`hilbertlib.memory_data` stores; the blanking experiment is in
:mod:`hilbertlib.memory_blanking` and the fits of a decay curve in
:mod:`hilbertlib.memory_fits`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np

__all__ = [
    "lstm_weights",
    "lstm_rerun",
    "forget_gate_trace",
    "lstm_last_state",
    "tau_of_mean",
    "time_constants",
    "retention_curve",
    "unit_retention_curves",
    "GateStatistics",
    "gate_statistics",
    "MemoryReading",
    "at_initialisation",
    "reading_table",
    "after_training",
]


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


def lstm_rerun(model, x: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """NumPy re-run of the model's Keras LSTM from the zero state, in float64: yields ``(f_t, h_t, c_t)``
    step by step, each of shape (N, units) (chapter 7).

    Gate order i, f, c, o; tanh cell and output, sigmoid gates (Keras' defaults).
    """
    kernel, rec, bias = lstm_weights(model)
    x = np.asarray(x, dtype=np.float64)
    u = rec.shape[0]
    h = np.zeros((len(x), u))
    c = np.zeros((len(x), u))
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ rec + bias
        i, f, g, o = (
            _sigmoid(z[:, :u]),
            _sigmoid(z[:, u : 2 * u]),
            np.tanh(z[:, 2 * u : 3 * u]),
            _sigmoid(z[:, 3 * u :]),
        )
        c = f * c + i * g
        h = o * np.tanh(c)
        yield f, h, c


def forget_gate_trace(model, x: np.ndarray) -> np.ndarray:
    """Forget-gate activations ``f_t`` of the model's LSTM on sequences ``x``: shape (N, T, units).

    From :func:`lstm_rerun`, checked against Keras' own output in the tests.
    """
    return np.stack([f for f, _, _ in lstm_rerun(model, x)], axis=1).astype(np.float32)


def lstm_last_state(model, x: np.ndarray) -> np.ndarray:
    """The LSTM's last hidden state from the NumPy re-run (to check it against Keras)."""
    *_, (_, h, _) = lstm_rerun(model, x)
    return h


def tau_of_mean(mean_forget) -> np.ndarray:
    """Per unit, the time constant ``tau = -1 / ln(mean f)`` in steps of a mean forget gate (``inf`` at 1)."""
    mean_f = np.clip(np.asarray(mean_forget, dtype=np.float64), 1e-12, 1.0)
    with np.errstate(divide="ignore"):
        return np.where(mean_f < 1.0, -1.0 / np.log(mean_f), np.inf)


def time_constants(trace: np.ndarray) -> np.ndarray:
    """Per unit, ``tau = -1 / ln(mean_t f_t)`` in steps (``inf`` for a gate stuck at 1)."""
    # Accumulate in float64: summing 10^5 float32 gates near 1 row by row loses
    # the small 1 - f that the time constant is made of.
    return tau_of_mean(np.asarray(trace).reshape(-1, trace.shape[-1]).mean(axis=0, dtype=np.float64))


def _log_products(f: np.ndarray) -> np.ndarray:
    """``L_t = sum_{u <= t} ln f_u`` along the steps (axis 1), in float64: ``prod_{u=s+1}^{t} f_u = exp(L_t - L_s)``."""
    return np.cumsum(np.log(np.clip(np.asarray(f, dtype=np.float64), 1e-300, 1.0)), axis=1)


def retention_curve(trace: np.ndarray, lags, start: int = 0) -> np.ndarray:
    """Mean over sequences and units of ``prod_{s=start+1}^{start+lag} f_s``.

    The fraction of the cell state written at step ``start`` that survives
    ``lag`` steps of forgetting (ignoring what is written on top of it): the
    mean over units of :func:`unit_retention_curves`.
    """
    return unit_retention_curves(trace, lags, start).mean(axis=1)


def unit_retention_curves(trace: np.ndarray, lags, start: int = 0) -> np.ndarray:
    """Per unit, the mean over sequences of ``prod_{s=start+1}^{start+lag} f_s``: shape (len(lags), units) (chapter 7).

    :func:`retention_curve` is the mean of these curves over the units.
    """
    f = np.asarray(trace)
    if f.ndim != 3:
        raise ValueError(f"trace must have shape (N, T, units), got {f.shape}")
    if not 0 <= start < f.shape[1] - 1:
        raise ValueError(f"start {start} is outside 0..{f.shape[1] - 2}")
    logs = _log_products(f[:, start + 1 :])
    out = []
    for lag in lags:
        lag = int(lag)
        if not 1 <= lag <= logs.shape[1]:
            raise ValueError(f"lag {lag} is outside 1..{logs.shape[1]}")
        out.append(np.exp(logs[:, lag - 1]).mean(axis=0))
    return np.asarray(out)


@dataclass(frozen=True)
class GateStatistics:
    """The forget-gate measurements of one network on a set of sequences (chapter 7).

    ``n``: sequences measured; ``mean_forget``: per unit, the gate averaged
    over sequences and steps (float64); ``retention``: for each start step
    ``s`` asked for, an array (T - 1 - s, units) whose row ``lag - 1`` is the
    per-unit mean over sequences of ``prod_{t=s+1}^{s+lag} f_t``
    (:func:`unit_retention_curves` over all the sequences); ``to_end``: an
    array (T - 1, units) whose row ``s`` is that mean from step ``s`` to the
    last step, ``prod_{t=s+1}^{T-1} f_t``.
    """

    n: int
    mean_forget: np.ndarray
    retention: dict[int, np.ndarray]
    to_end: np.ndarray

    @property
    def tau(self) -> np.ndarray:
        """Per unit, ``-1 / ln(mean f)`` in steps, as :func:`time_constants` (``inf`` for a gate stuck at 1)."""
        return tau_of_mean(self.mean_forget)

    def curve(self, start: int = 0, lags=None) -> np.ndarray:
        """The retention from ``start`` averaged over units (:func:`retention_curve`), at ``lags`` (default: all)."""
        per_unit = self.retention[int(start)]
        if lags is None:
            return per_unit.mean(axis=1)
        lags = np.asarray(lags, dtype=int)
        if lags.min() < 1 or lags.max() > len(per_unit):
            raise ValueError(f"lags must lie in 1..{len(per_unit)} for start {start}")
        return per_unit[lags - 1].mean(axis=1)


def gate_statistics(model, x: np.ndarray, starts: Iterable[int] = (0,), batch_size: int = 500) -> GateStatistics:
    """:class:`GateStatistics` of ``model``'s LSTM on sequences ``x``, in batches (chapter 7).

    The same numbers as :func:`time_constants`, :func:`unit_retention_curves`
    and :func:`retention_curve` of the whole :func:`forget_gate_trace`, which
    for 10,000 sequences of 196 steps and 128 units would take a gigabyte;
    here one batch's trace is held at a time.
    """
    x = np.asarray(x)
    if x.ndim != 3 or len(x) == 0:
        raise ValueError(f"x must be a non-empty batch of sequences (N, T, D), got shape {x.shape}")
    T = x.shape[1]
    starts = sorted({int(s) for s in starts})
    for s in starts:
        if not 0 <= s < T - 1:
            raise ValueError(f"start {s} is outside 0..{T - 2}")
    sum_f = None
    ret = {s: 0.0 for s in starts}
    to_end = 0.0
    for i in range(0, len(x), int(batch_size)):
        f = forget_gate_trace(model, x[i : i + int(batch_size)])
        sum_f = f.sum(axis=(0, 1), dtype=np.float64) + (0.0 if sum_f is None else sum_f)
        logs = _log_products(f)
        for s in starts:
            ret[s] = ret[s] + np.exp(logs[:, s + 1 :] - logs[:, s : s + 1]).sum(axis=0)
        to_end = to_end + np.exp(logs[:, -1:] - logs[:, :-1]).sum(axis=0)
    n = len(x)
    return GateStatistics(
        n=n, mean_forget=sum_f / (n * T), retention={s: ret[s] / n for s in starts}, to_end=to_end / n
    )


@dataclass(frozen=True)
class MemoryReading:
    """What one network's forget gates keep, read on a set of sequences (chapters 11 and 12).

    ``tau``: each unit's forget-gate time constant in steps
    (:func:`time_constants`); ``gradient``: the mean gradient norm of the
    loss with respect to the input at each step
    (:func:`hilbertlib.probes.input_gradient_norms`); ``mean_forget``: the
    forget gate averaged over units, steps and sequences (float64);
    ``kept``: for each lag asked for, each unit's share of the first step's
    cell left that many steps later (:func:`unit_retention_curves` from step 0).
    """

    tau: np.ndarray
    gradient: np.ndarray
    mean_forget: float
    kept: dict[int, np.ndarray]


def _read(model, kind: str, label: str, x: np.ndarray, y: np.ndarray, lags: Iterable[int]) -> MemoryReading:
    if kind == "plstm":
        from .plstm import plstm_forget_gate_trace

        trace = plstm_forget_gate_trace(model, x)
    elif kind == "lstm":
        trace = forget_gate_trace(model, x)
    else:
        raise ValueError(
            f"memory readings measure forget gates of 'lstm' and 'plstm' models; {label!r} is a {kind!r} model"
        )
    from . import probes

    lags = [int(lag) for lag in lags]
    return MemoryReading(
        tau=time_constants(trace),
        gradient=probes.input_gradient_norms(model, x, y),
        mean_forget=float(trace.mean(dtype=np.float64)),
        kept=dict(zip(lags, unit_retention_curves(trace, lags), strict=True)) if lags else {},
    )


def at_initialisation(
    specs: Mapping[str, object], x: np.ndarray, y: np.ndarray, lags: Iterable[int] = ()
) -> dict[str, MemoryReading]:
    """Read fresh networks, one per labelled spec, on sequences ``(x, y)`` (chapters 11 and 12).

    Each spec (model ``lstm`` or ``plstm``) is built with the initial weights
    its training run starts from (:func:`hilbertlib.probes.fresh_model`);
    the LSTM's forget gates come from :func:`forget_gate_trace`, the pLSTM's
    from :func:`hilbertlib.plstm.plstm_forget_gate_trace`.
    """
    from . import probes

    return {label: _read(probes.fresh_model(spec), spec.model, label, x, y, lags) for label, spec in specs.items()}


def after_training(
    runs: Mapping[str, object], x: np.ndarray, y: np.ndarray, lags: Iterable[int] = ()
) -> dict[str, MemoryReading]:
    """Read trained networks, one per labelled result, on sequences ``(x, y)`` (chapter 12).

    The same measurements as :func:`at_initialisation`, on the weights each
    run ended with (:func:`hilbertlib.probes.trained_model`).
    """
    from . import probes

    out = {}
    for label, r in runs.items():
        model = probes.trained_model(r)
        if model is None:
            raise ValueError(
                f"{label!r} ({r.spec.id}) has no stored weights to read; train it again with "
                f"`python -m hilbertlib run --only {r.spec.id}` (add `--grid ablation` for chapter 11's set) "
                "to store them"
            )
        out[label] = _read(model, r.spec.model, label, x, y, lags)
    return out


def reading_table(readings: Mapping[str, MemoryReading], long: int | None = None):
    """Memory readings side by side, one row per label, formatted for the page (chapters 11 and 12).

    Columns: the median and the longest time constant, the mean forget gate,
    with ``long`` the number of units whose time constant exceeds it, the
    share kept by the unit that keeps the most at each lag the readings
    have, and the gradient at the first step relative to the last.  Every
    reading must have been taken at the same lags.
    """
    import pandas as pd

    from .fmt import sci

    lag_sets = {tuple(m.kept) for m in readings.values()}
    if len(lag_sets) > 1:
        raise ValueError(
            f"the readings were taken at different lags {sorted(lag_sets)}; read them all with the same `lags`"
        )
    rows = {}
    for label, m in readings.items():
        row = {
            "median time constant (steps)": f"{np.median(m.tau):.1f}",
            "longest (steps)": f"{m.tau.max():.1f}",
            "mean forget gate": f"{m.mean_forget:.3f}",
        }
        if long is not None:
            row[f"units over {long} steps"] = f"{int(np.sum(m.tau > long))} of {m.tau.size}"
        for lag, share in m.kept.items():
            row[f"most kept after {lag} steps"] = sci(float(share.max()))
        row["gradient at the first pixel / at the last"] = sci(float(m.gradient[0] / m.gradient[-1]))
        rows[label] = row
    return pd.DataFrame.from_dict(rows, orient="index")
