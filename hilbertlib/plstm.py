"""A power-law forget gate LSTM cell (pLSTM; Chien et al., 2021), in Keras 3.

The paper's section 5.1 proposes replacing the LSTM's exponential forgetting
by a power law.  In the pLSTM each unit keeps the time ``k_t`` of its last
"reset"; its forget gate depends on the time since then:

.. math::

   [r_t, o_t, \\tilde c_t] = W x_t + U h_{t-1} + b, \\quad
   r_t = \\sigma(\\cdot), \\; o_t = \\sigma(\\cdot)

   k_t = r_t (t - \\epsilon) + (1 - r_t) k_{t-1}, \\quad k_0 = -1

   f_t = \\left(\\frac{t - k_t + \\epsilon}{t - k_t + 1}\\right)^{p}, \\quad
   p = \\sigma(q) \\text{ (one learnable } q \\text{ per unit)}

   c_t = f_t c_{t-1} + (1 - f_t) \\tanh(\\tilde c_t), \\quad h_t = o_t \\tanh(c_t)

with time counted from 0 and :math:`\\epsilon = 10^{-3}`.  With no reset,
the memory of step ``k`` decays like ``(t - k)^{-p}``, a power law, where an
LSTM's constant forget gate gives ``f^{t-k}``, an exponential.
Backend-agnostic (``keras.ops`` only).  Introduced in chapter 12 ("A power-law forget gate").
"""

from __future__ import annotations

from collections import deque

import keras
import numpy as np
from keras import ops

__all__ = [
    "PowerLawLSTMCell",
    "power_law_lstm",
    "power_law_retention",
    "plstm_forget_gate_trace",
    "plstm_last_state",
    "PATHS",
    "BLOCKED_PATHS",
    "gradient_paths",
]

EPS = 1e-3


@keras.saving.register_keras_serializable(package="hilbertlib")
class PowerLawLSTMCell(keras.layers.Layer):
    """The pLSTM cell; wrap it in ``keras.layers.RNN`` (or use :func:`power_law_lstm`).

    ``p_init`` sets the initial power through ``q = logit(p_init)``;
    ``learn_p=False`` keeps it fixed.  States: ``h``, ``c``, the reset time
    ``k`` (per unit) and the step counter ``t``.  ``blocked``, a measurement
    switch that is never saved, stops the gradient through the previous
    step's ``"hidden"`` state (its feedback into the gates) or ``"clock"``
    (the reset time it carries on); see :func:`gradient_paths`.
    """

    blocked: frozenset = frozenset()

    def __init__(self, units: int, p_init: float = 0.5, learn_p: bool = True, eps: float = EPS, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 < p_init < 1.0:
            raise ValueError(f"p_init must be in (0, 1), got {p_init}")
        self.units = int(units)
        self.p_init = float(p_init)
        self.learn_p = bool(learn_p)
        self.eps = float(eps)
        self.state_size = [self.units, self.units, self.units, 1]
        self.output_size = self.units

    def build(self, input_shape):
        dim = int(input_shape[-1])
        self.kernel = self.add_weight(shape=(dim, 3 * self.units), initializer="glorot_uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, 3 * self.units), initializer="orthogonal", name="recurrent_kernel"
        )
        self.bias = self.add_weight(shape=(3 * self.units,), initializer="zeros", name="bias")
        import math

        q0 = math.log(self.p_init / (1.0 - self.p_init))
        self.q = self.add_weight(
            shape=(self.units,), initializer=keras.initializers.Constant(q0), name="q", trainable=self.learn_p
        )

    def get_initial_state(self, batch_size=None):
        zeros = ops.zeros((batch_size, self.units), dtype=self.compute_dtype)
        return [zeros, zeros, zeros - 1.0, ops.zeros((batch_size, 1), dtype=self.compute_dtype)]

    def forget_gate(self, t, k):
        """``((t - k + eps) / (t - k + 1)) ** p`` for step ``t`` and reset time ``k``."""
        p = ops.sigmoid(self.q)
        gap = t - k
        return ops.power((gap + self.eps) / (gap + 1.0), p)

    def call(self, inputs, states, training=False):
        h, c, k, t = states
        if "hidden" in self.blocked:
            h = ops.stop_gradient(h)
        if "clock" in self.blocked:
            k = ops.stop_gradient(k)
        z = ops.matmul(inputs, self.kernel) + ops.matmul(h, self.recurrent_kernel) + self.bias
        zr, zo, zc = ops.split(z, 3, axis=-1)
        r = ops.sigmoid(zr)
        o = ops.sigmoid(zo)
        k_new = r * (t - self.eps) + (1.0 - r) * k
        f = self.forget_gate(t, k_new)
        c_new = f * c + (1.0 - f) * ops.tanh(zc)
        h_new = o * ops.tanh(c_new)
        return h_new, [h_new, c_new, k_new, t + 1.0]

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "p_init": self.p_init,
            "learn_p": self.learn_p,
            "eps": self.eps,
        }


def power_law_lstm(units: int, **kwargs) -> keras.layers.RNN:
    """An RNN layer of :class:`PowerLawLSTMCell` returning the last output."""
    cell_kwargs = {k: kwargs.pop(k) for k in ("p_init", "learn_p", "eps") if k in kwargs}
    return keras.layers.RNN(PowerLawLSTMCell(units, **cell_kwargs), **kwargs)


# ---------------------------------------------------------------- measurements (chapter 12)


def power_law_retention(lags, p: float, eps: float = EPS) -> np.ndarray:
    """Share of the cell state written at a reset that is left ``lag`` steps later, with no reset since (chapter 12).

    A reset at step ``k0`` sets ``k = k0 - eps``; ``s`` steps later the gate
    is ``((s + 2 eps) / (s + 1 + eps)) ** p``, and the product over
    ``s = 1 .. lag`` telescopes to about ``(lag + 1) ** -p``: a power law.
    The gates are the cell's own formula (:meth:`PowerLawLSTMCell.forget_gate`).
    """
    lags = np.asarray(lags, dtype=int)
    if lags.ndim != 1 or lags.size == 0 or lags.min() < 1:
        raise ValueError(f"lags must be a non-empty list of integers >= 1, got {lags!r}")
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be in (0, 1), got {p}")
    gap = np.arange(1, lags.max() + 1, dtype=np.float64) + eps
    log_f = p * np.log((gap + eps) / (gap + 1.0))
    return np.exp(np.cumsum(log_f))[lags - 1]


def _plstm_cell(model) -> PowerLawLSTMCell:
    for layer in model.layers:
        if isinstance(getattr(layer, "cell", None), PowerLawLSTMCell):
            return layer.cell
    raise ValueError("model has no RNN layer with a PowerLawLSTMCell")


def _plstm_rerun(model, x: np.ndarray):
    """NumPy re-run of the model's pLSTM layer: yields (f_t, h_t) step by step."""
    cell = _plstm_cell(model)
    kernel, rec, bias, q = (
        keras.ops.convert_to_numpy(w).astype(np.float64)
        for w in (cell.kernel, cell.recurrent_kernel, cell.bias, cell.q)
    )
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError(f"x must be a batch of sequences of shape (N, T, D), got {x.shape}")
    u, eps = cell.units, cell.eps
    power = 1.0 / (1.0 + np.exp(-q))
    h = np.zeros((len(x), u))
    c = np.zeros((len(x), u))
    k = np.full((len(x), u), -1.0)
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ rec + bias
        r = 1.0 / (1.0 + np.exp(-z[:, :u]))
        o = 1.0 / (1.0 + np.exp(-z[:, u : 2 * u]))
        k = r * (t - eps) + (1.0 - r) * k
        f = ((t - k + eps) / (t - k + 1.0)) ** power
        c = f * c + (1.0 - f) * np.tanh(z[:, 2 * u :])
        h = o * np.tanh(c)
        yield f, h


def plstm_forget_gate_trace(model, x: np.ndarray) -> np.ndarray:
    """Forget-gate values ``f_t`` of the model's pLSTM on sequences ``x``: shape (N, T, units) (chapter 12).

    The same shape as :func:`hilbertlib.memory.forget_gate_trace`, so
    :func:`hilbertlib.memory.time_constants` applies to it.
    """
    return np.stack([f for f, _ in _plstm_rerun(model, x)], axis=1).astype(np.float32)


def plstm_last_state(model, x: np.ndarray) -> np.ndarray:
    """The pLSTM's last hidden state from the NumPy re-run (to check it against Keras)."""
    return deque(_plstm_rerun(model, x), maxlen=1)[0][1]


#: The gradient paths :func:`gradient_paths` compares: a label and the paths it blocks.
PATHS = {
    "every path": (),
    "without the clock": ("clock",),
    "without the hidden state": ("hidden",),
    "the cell alone": ("clock", "hidden"),
}
#: :data:`PATHS` less "every path": the readings that block something, for a
#: chapter that already has the unblocked gradient (chapter 12 reads it with
#: :func:`hilbertlib.memory.after_training`).
BLOCKED_PATHS = {label: blocked for label, blocked in PATHS.items() if blocked}


def gradient_paths(model, x: np.ndarray, y: np.ndarray, paths=PATHS) -> dict[str, np.ndarray]:
    """The gradient reaching each input step with some of the pLSTM's paths blocked (chapter 12).

    For each label of ``paths`` (default :data:`PATHS`), the mean gradient
    norm per step of :func:`hilbertlib.probes.input_gradient_norms` when the
    gradient may not flow back through the previous step's hidden state
    (``"hidden"``: its feedback into the gates and the candidate), through
    the reset time the clock carries on (``"clock"``), or either.  With both
    blocked, only the cell's own path is left: the product of the forget
    gates.  The forward pass, and so the model's answers, never change.
    """
    from .probes import input_gradient_norms

    cell = _plstm_cell(model)
    unknown = {p for blocked in paths.values() for p in blocked} - {"clock", "hidden"}
    if unknown:
        raise ValueError(f"unknown gradient paths {sorted(unknown)}; the pLSTM's are 'clock' and 'hidden'")
    out = {}
    try:
        for label, blocked in paths.items():
            cell.blocked = frozenset(blocked)
            out[label] = input_gradient_norms(model, x, y)
    finally:
        cell.blocked = frozenset()
    return out
