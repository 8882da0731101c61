"""Probes of fresh and trained networks (chapter 4, "Simple RNN"; used again in chapters 6, 7, 11 and 12).

- :func:`fresh_model` and :func:`trained_model`: a run's network with the
  initial weights its training started from, or with its trained weights.
- :func:`input_gradient_norms` and :func:`first_step_share`: how much of the
  loss's gradient reaches each time step of the input.
- :func:`collapse_report` and :func:`collapse_of`: whether a trained network's
  answer still depends on its input at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .data import sample_sequences

__all__ = [
    "Collapse",
    "collapse_of",
    "collapse_report",
    "first_step_share",
    "fresh_model",
    "input_gradient_norms",
    "trained_model",
]


def _check_batch(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y).astype(np.int32).ravel()
    if x.ndim != 3:
        raise ValueError(f"x must be a batch of sequences of shape (N, T, D), got {x.shape}")
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"x and y must hold the same, non-zero number of samples, got {len(x)} and {len(y)}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x contains NaN or infinite values")
    return x, y


def _per_sample_loss(probs, y, ops):
    """Cross-entropy of each sample from softmax outputs (the models' loss)."""
    picked = ops.take_along_axis(probs, ops.expand_dims(y, -1), axis=-1)[:, 0]
    return -ops.log(ops.clip(picked, 1e-7, 1.0))


def input_gradient_norms(model, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Mean over the batch of ``|dLoss/dx_t|`` for every time step ``t`` (chapter 4).

    ``model`` maps (N, T, D) sequences to softmax probabilities (the book's
    recurrent models); ``y`` holds integer labels.  The loss of each sample is
    its own cross-entropy (summed, not averaged, over the batch, so every
    sample's gradient has its natural scale); ``|.|`` is the Euclidean norm
    over the D input features.  The model runs in inference mode (dropout
    off), so the numbers describe the network, not a dropout draw.

    Works with every Keras 3 backend: JAX (``jax.grad``), TensorFlow
    (``tf.GradientTape``) and PyTorch (autograd).  Returns a float64 array of
    shape ``(T,)``.
    """
    import keras

    x, y = _check_batch(x, y)
    ops = keras.ops
    backend = keras.backend.backend()

    if backend == "jax":
        import jax

        def loss(xx):
            return ops.sum(_per_sample_loss(model(xx, training=False), y, ops))

        grad = np.asarray(jax.grad(loss)(jax.numpy.asarray(x)))
    elif backend == "tensorflow":
        import tensorflow as tf

        xx = tf.convert_to_tensor(x)
        with tf.GradientTape() as tape:
            tape.watch(xx)
            value = tf.reduce_sum(_per_sample_loss(model(xx, training=False), tf.convert_to_tensor(y), ops))
        grad = tape.gradient(value, xx).numpy()
    elif backend == "torch":
        import torch

        device = next((v.value.device for v in model.weights), torch.device("cpu"))
        xx = torch.tensor(x, device=device, requires_grad=True)
        yy = torch.tensor(y, device=device, dtype=torch.int64)
        value = torch.sum(_per_sample_loss(model(xx, training=False), yy, ops))
        (g,) = torch.autograd.grad(value, xx)
        grad = g.detach().cpu().numpy()
    else:  # pragma: no cover - numpy/openvino backends cannot differentiate
        raise NotImplementedError(f"input_gradient_norms needs a differentiable Keras backend, not {backend!r}")

    norms = np.sqrt(np.sum(np.square(grad.astype(np.float64)), axis=-1))  # (N, T)
    return norms.mean(axis=0)


def first_step_share(g: np.ndarray | None) -> float | None:
    """The first step's gradient over the last step's, ``g[0] / g[-1]``, of :func:`input_gradient_norms` (chapter 4).

    ``None`` for ``None`` (no model to measure), NaN when no step gets any
    gradient at all (a collapsed network), infinity when only the last step
    gets none.
    """
    if g is None:
        return None
    g = np.asarray(g, dtype=float)
    if g.ndim != 1 or g.size == 0:
        raise ValueError(f"g must be a non-empty 1-d array of per-step gradient norms, got shape {g.shape}")
    if not np.any(g):
        return float("nan")
    return float(g[0] / g[-1]) if g[-1] else float("inf")


def fresh_model(spec):
    """The model of ``spec`` with the initial weights its training run starts from (chapter 4)."""
    from .models import build_model
    from .runner import set_seed

    set_seed(spec.seed)
    # The learning-rate schedule (chapter 11) acts only once training starts:
    # one step per epoch builds it without changing the initial weights.
    return build_model(spec, steps_per_epoch=1)


def trained_model(result):
    """The model of a stored result with its trained weights, or ``None`` when no weights are stored (chapter 4).

    The weights load through a functional view of the model's layers, which
    has no optimizer: a weights file holds the layers' weights only (one
    written before that also holds the optimizer's state, which is skipped).
    """
    import keras

    path = getattr(result, "weights_path", None) if result is not None else None
    if path is None or not path.exists():
        return None
    model = fresh_model(result.spec)
    keras.Model(model.inputs, model.outputs).load_weights(path)
    return model


@dataclass(frozen=True)
class Collapse:
    """How far a recurrent model's answer has stopped depending on its input (chapter 4).

    ``saturated``: the share of the recurrent layer's final-state values with
    ``|h| > 0.999`` (tanh at its limits, where it passes no gradient);
    ``state_spread``: the largest standard deviation, over the batch, of any
    unit of that final state (near zero: every sequence ends in the same
    state); ``dead_units`` of ``head_units``: the ReLU units of the dense head
    that output zero for every sequence of the batch (they pass no gradient).
    """

    saturated: float
    state_spread: float
    dead_units: int
    head_units: int

    @property
    def collapsed(self) -> bool:
        """Whether the head passes nothing on, every ReLU unit dead for every sequence."""
        return self.head_units > 0 and self.dead_units == self.head_units


def collapse_report(model, x: np.ndarray, saturation: float = 0.999) -> Collapse:
    """:class:`Collapse` of a book model (recurrent layer, dropout, ReLU dense head) on sequences ``x`` (chapter 4).

    Runs in inference mode (dropout off).  Raises ``ValueError`` for a model
    without a recurrent layer or a ReLU dense layer, or for ``x`` that is
    not a non-empty (N, T, D) batch.
    """
    import keras

    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 3 or x.shape[0] == 0:
        raise ValueError(f"x must be a non-empty (N, T, D) batch of sequences, got shape {x.shape}")
    rnn = next((layer for layer in model.layers if isinstance(layer, keras.layers.RNN)), None)
    head = next(
        (
            layer
            for layer in model.layers
            if isinstance(layer, keras.layers.Dense) and layer.activation is keras.activations.relu
        ),
        None,
    )
    if rnn is None or head is None:
        raise ValueError(
            f"model {model.name!r} needs a recurrent layer and a ReLU dense layer "
            "(a SimpleRNN, LSTM or pLSTM of hilbertlib.models.build_model)"
        )
    probe = keras.Model(model.inputs[0], [rnn.output, head.output])
    state, hidden = (np.asarray(keras.ops.convert_to_numpy(v), dtype=np.float64) for v in probe(x, training=False))
    return Collapse(
        saturated=float(np.mean(np.abs(state) > saturation)),
        state_spread=float(state.std(axis=0).max()),
        dead_units=int(np.sum(np.all(hidden == 0, axis=0))),
        head_units=int(hidden.shape[1]),
    )


def collapse_of(result, n: int = 256) -> Collapse | None:
    """:func:`collapse_report` of a stored result's trained model on the first ``n`` test sequences of its
    size and ordering, or ``None`` when no weights are stored (chapter 4)."""
    model = trained_model(result)
    if model is None:
        return None
    spec = result.spec
    x, _ = sample_sequences(spec.size, spec.ordering, n, dataset=spec.dataset)
    return collapse_report(model, x)
