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

Introduced in chapter 10 ("What the LSTM remembers").
"""

from __future__ import annotations

import numpy as np

__all__ = ["blank_prefix_accuracy", "lstm_weights", "forget_gate_trace", "lstm_last_state", "time_constants", "retention_curve"]


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


def forget_gate_trace(model, x: np.ndarray) -> np.ndarray:
    """Forget-gate activations ``f_t`` of the model's LSTM on sequences ``x``: shape (N, T, units).

    A NumPy re-run of the Keras LSTM recurrence (gate order i, f, c, o; tanh
    cell and output, sigmoid gates, Keras' defaults), checked against Keras'
    own output in the tests.
    """
    kernel, rec, bias = lstm_weights(model)
    x = np.asarray(x, dtype=np.float64)
    n, t_len, _ = x.shape
    u = rec.shape[0]
    h = np.zeros((n, u))
    c = np.zeros((n, u))
    fs = np.empty((n, t_len, u), dtype=np.float32)
    for t in range(t_len):
        z = x[:, t] @ kernel + h @ rec + bias
        i, f, g, o = _sigmoid(z[:, :u]), _sigmoid(z[:, u:2 * u]), np.tanh(z[:, 2 * u:3 * u]), _sigmoid(z[:, 3 * u:])
        c = f * c + i * g
        h = o * np.tanh(c)
        fs[:, t] = f
    return fs


def lstm_last_state(model, x: np.ndarray) -> np.ndarray:
    """The LSTM's last hidden state from the NumPy re-run (to check it against Keras)."""
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
    return h


def time_constants(trace: np.ndarray) -> np.ndarray:
    """Per unit, ``tau = -1 / ln(mean_t f_t)`` in steps (``inf`` for a gate stuck at 1)."""
    mean_f = np.clip(trace.reshape(-1, trace.shape[-1]).mean(axis=0).astype(np.float64), 1e-12, 1.0)
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
