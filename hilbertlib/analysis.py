"""Analyses of trained and untrained models, and of results against the paper's claims.

- :func:`input_gradient_norms`, :func:`sample_sequences`, :func:`fresh_model`
  and :func:`trained_model`: how much of the loss's gradient reaches each
  time step, before and after training (chapter 4, "Simple RNN").
- :func:`confused_pairs`, :func:`pair_rank`, :func:`describe_pair`: the
  most frequent mistakes in a confusion matrix (chapter 5, "LSTM"; reused in
  chapters 6 and 7).
- ``PAPER``: the paper's reported accuracies (chapters 4-7).
- :func:`verdict`, :func:`verdict_chance` and :func:`verdict_order`: the small
  rules that decide whether a paper's claim is reproduced (chapter 4; the full
  table is in chapter 7, "Discussion").
- :func:`seconds_per_epoch`: the typical wall time of one epoch (chapter 6).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = [
    "input_gradient_norms",
    "sample_sequences",
    "fresh_model",
    "trained_model",
    "confused_pairs",
    "pair_rank",
    "describe_pair",
    "PAPER",
    "seconds_per_epoch",
    "verdict",
    "verdict_chance",
    "verdict_order",
    "REPRODUCED",
    "NOT_REPRODUCED",
    "PENDING",
    "CHANCE_THRESHOLD",
    "TOLERANCE",
]

# The paper's reported test accuracies (hyde2023), keyed by experiment id
# without the seed; chapters 4-7 compare against these.
PAPER = {
    "cnn-28": 0.9728,
    "simple_rnn-14-row": 0.105,
    "simple_rnn-14-hilbert": 0.105,
    "simple_rnn-28-row": 0.105,
    "simple_rnn-28-hilbert": 0.105,
    "lstm-14-row": 0.97,
    "lstm-14-hilbert": 0.92,
}
PAPER_CONFUSION = (9, 4)  # the Hilbert LSTM's commonest mistake in the paper: a 9 predicted as 4

REPRODUCED = "reproduced"
NOT_REPRODUCED = "not reproduced"
PENDING = "not yet run"
TOLERANCE = 0.02  # a reported accuracy counts as reproduced within 2 percentage points
CHANCE_THRESHOLD = 0.15  # "no better than random": below 15% (chance is 10%; the commonest test digit is 11.35%)


# ------------------------------------------------------------ gradients


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


def sample_sequences(size: int, ordering: str, n: int = 256, split: str = "test", dataset: str = "mnist") -> tuple[np.ndarray, np.ndarray]:
    """The first ``n`` images of a split as (n, size*size, 1) sequences and their labels (chapter 4).

    The same preprocessing as the experiments (2x2 block average for 14x14,
    values in [0, 1]) without preparing the whole data set.
    """
    from .data import load_dataset
    from .transforms import downsample, to_sequences

    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    ds = load_dataset(dataset)
    x, y = (ds.x_train, ds.y_train) if split == "train" else (ds.x_test, ds.y_test)
    x, y = x[:n], y[:n]
    if size != 28:
        x = downsample(x, 28 // size)
    return to_sequences(x, ordering), np.asarray(y, dtype=np.int32)


def fresh_model(spec):
    """The model of ``spec`` with the initial weights its training run starts from (chapter 4)."""
    from .models import build_model
    from .runner import set_seed

    set_seed(spec.seed)
    return build_model(spec)


def trained_model(result):
    """The model of a stored result with its trained weights, or ``None`` when no weights are stored (chapter 4).

    The optimizer is built before loading, so the weights file (which also
    holds the optimizer's state) loads without warnings.
    """
    path = getattr(result, "weights_path", None) if result is not None else None
    if path is None or not path.exists():
        return None
    model = fresh_model(result.spec)
    model.optimizer.build(model.trainable_variables)
    model.load_weights(path)
    return model


# ------------------------------------------------------------ mistakes


def confused_pairs(cm: np.ndarray, top: int = 3) -> list[tuple[int, int, int]]:
    """The ``top`` most frequent mistakes, as ``(true, predicted, count)``, largest first (chapter 5).

    Ties are broken by the true and then the predicted class, so the order
    is deterministic.  Pairs with a count of zero are left out.
    """
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"a confusion matrix must be square, got shape {cm.shape}")
    off = [(int(cm[i, j]), i, j) for i in range(cm.shape[0]) for j in range(cm.shape[1]) if i != j and cm[i, j] > 0]
    off.sort(key=lambda t: (-t[0], t[1], t[2]))
    return [(i, j, c) for c, i, j in off[:top]]


def pair_rank(cm: np.ndarray, true: int, pred: int) -> int | None:
    """Rank (1 = commonest) of the mistake ``true -> pred`` among all mistakes; ``None`` if it never happens (chapter 5)."""
    pairs = confused_pairs(cm, top=np.asarray(cm).size)
    for k, (i, j, _) in enumerate(pairs, start=1):
        if (i, j) == (true, pred):
            return k
    return None


def describe_pair(pair: tuple[int, int, int] | None) -> str:
    """``(9, 4, 23) -> '9 read as 4 (23 test images)'``; ``None -> 'not yet run'`` (chapters 5-7)."""
    if pair is None:
        return PENDING
    i, j, c = pair
    return f"{i} read as {j} ({c} test image{'s' if c != 1 else ''})"


def seconds_per_epoch(result) -> float:
    """Median wall time of one epoch of a result, in seconds (chapter 6).

    The median ignores the first epoch's compilation and the odd slow epoch
    when the machine was shared.
    """
    return float(np.median(np.asarray(result.epoch_seconds, dtype=float)))


# ------------------------------------------------------------ verdicts


def verdict(measured: float | None, claimed: float, tol: float = TOLERANCE) -> str:
    """``'reproduced'`` when ``|measured - claimed| <= tol`` (chapter 4; chapter 7's table).

    Otherwise ``'not reproduced (higher)'`` or ``'not reproduced (lower)'``;
    ``'not yet run'`` when ``measured`` is ``None``.  Accuracies are fractions
    (0.9728), so the default tolerance of 0.02 is two percentage points.
    """
    if measured is None:
        return PENDING
    diff = float(measured) - float(claimed)
    if abs(diff) <= tol + 1e-12:
        return REPRODUCED
    return f"{NOT_REPRODUCED} ({'higher' if diff > 0 else 'lower'})"


def verdict_chance(measured: float | None, threshold: float = CHANCE_THRESHOLD) -> str:
    """Verdict for a claim that a model is "no better than random" (chapters 4, 5 and 7).

    Reproduced when the test accuracy stays below ``threshold`` (15%: chance
    is 10% and always answering the commonest digit gives 11.35%).
    """
    if measured is None:
        return PENDING
    return REPRODUCED if float(measured) < threshold else f"{NOT_REPRODUCED} (it learned)"


def verdict_order(better: Sequence[float], worse: Sequence[float]) -> str:
    """Verdict for "``better`` beats ``worse``" measured over seeds (chapter 5; chapter 7's table).

    - ``'not yet run'`` when either list is empty;
    - with fewer than two seeds on either side only the direction can be
      judged: ``'same direction (1 seed, spread unknown)'`` or ``'not reproduced'``;
    - otherwise reproduced when the difference of the means exceeds twice
      the standard error of that difference (sample standard deviations),
      ``'same direction, within seed spread'`` when it is positive but
      smaller, ``'not reproduced'`` when it is not positive.
    """
    a = np.asarray(list(better), dtype=float)
    b = np.asarray(list(worse), dtype=float)
    if a.size == 0 or b.size == 0:
        return PENDING
    diff = a.mean() - b.mean()
    if diff <= 0:
        return NOT_REPRODUCED
    if a.size < 2 or b.size < 2:
        n = min(a.size, b.size)
        return f"same direction ({n} seed{'s' if n != 1 else ''}, spread unknown)"
    se = float(np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size))
    return REPRODUCED if diff > 2 * se else "same direction, within seed spread"
