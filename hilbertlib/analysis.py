"""Analyses of trained and untrained models, and of results against the paper's claims.

- :func:`input_gradient_norms`, :func:`sample_sequences`, :func:`fresh_model`
  and :func:`trained_model`: how much of the loss's gradient reaches each
  time step, before and after training (chapter 4, "Simple RNN"), and
  :func:`collapse_report`, whether a trained network's answer depends on its
  input at all (chapter 4).
- :func:`confused_pairs`, :func:`pair_rank`, :func:`describe_pair`: the
  most frequent mistakes in a confusion matrix (chapter 5, "LSTM"; reused in
  chapters 6 and 13).
- ``PAPER``: the paper's reported accuracies (chapters 4-6 and 13).
- :func:`verdict`, :func:`verdict_chance` and :func:`verdict_order`: the small
  rules that decide whether a paper's claim is reproduced (chapter 4; the full
  table is in chapter 13, "Discussion").
- :func:`seconds_per_epoch`: the typical wall time of one epoch (chapter 6).
- :func:`pooled_seed_sd`, :func:`accuracy_change`, :func:`ink_prediction`,
  :func:`explanation_verdict`, :func:`rank_correlation` and
  :func:`correlation_verdict`: does accuracy follow the ink position or the
  locality of an ordering? (chapter 9, "Which order is best, and why").
- :func:`difference_of_means`: a gap between two groups of seeds and its
  standard error, and :func:`class_mean_correlation`, how alike the classes'
  mean images are (chapter 10, "Fashion-MNIST").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

__all__ = [
    "input_gradient_norms",
    "first_step_share",
    "sample_sequences",
    "fresh_model",
    "trained_model",
    "Collapse",
    "collapse_report",
    "collapse_of",
    "constant_answer",
    "confused_pairs",
    "pair_rank",
    "describe_pair",
    "difference_of_means",
    "class_mean_correlation",
    "PAPER",
    "seconds_per_epoch",
    "same_machine",
    "verdict",
    "learning_course",
    "fell_back",
    "verdict_chance_over",
    "verdict_chance",
    "verdict_order",
    "REPRODUCED",
    "NOT_REPRODUCED",
    "PENDING",
    "CHANCE_THRESHOLD",
    "TOLERANCE",
    "pooled_seed_sd",
    "Change",
    "accuracy_change",
    "ink_prediction",
    "explanation_verdict",
    "rank_correlation",
    "correlation_verdict",
    "SUPPORTED",
    "CONTRADICTED",
    "WITHIN_SPREAD",
    "NO_CHANGE_PREDICTED",
]

# The paper's reported test accuracies (hyde2023), keyed by experiment id
# without the seed; chapters 4-6 and 13 compare against these.
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
    head = next((layer for layer in model.layers if isinstance(layer, keras.layers.Dense)
                 and layer.activation is keras.activations.relu), None)
    if rnn is None or head is None:
        raise ValueError(f"model {model.name!r} needs a recurrent layer and a ReLU dense layer "
                         "(a SimpleRNN, LSTM or pLSTM of hilbertlib.models.build_model)")
    probe = keras.Model(model.inputs[0], [rnn.output, head.output])
    state, hidden = (np.asarray(keras.ops.convert_to_numpy(v), dtype=np.float64) for v in probe(x, training=False))
    return Collapse(saturated=float(np.mean(np.abs(state) > saturation)),
                    state_spread=float(state.std(axis=0).max()),
                    dead_units=int(np.sum(np.all(hidden == 0, axis=0))),
                    head_units=int(hidden.shape[1]))


def collapse_of(result, n: int = 256) -> Collapse | None:
    """:func:`collapse_report` of a stored result's trained model on the first ``n`` test sequences of its
    size and ordering, or ``None`` when no weights are stored (chapter 4)."""
    model = trained_model(result)
    if model is None:
        return None
    spec = result.spec
    x, _ = sample_sequences(spec.size, spec.ordering, n, dataset=spec.dataset)
    return collapse_report(model, x)


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


def constant_answer(cm: np.ndarray) -> int | None:
    """The class a model gives to every test image, or ``None`` when it gives more than one (chapter 4).

    A model that always answers the same class has a confusion matrix with a
    single non-empty column, the column of that class.
    """
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"a confusion matrix must be square, got shape {cm.shape}")
    used = np.flatnonzero(cm.sum(axis=0))
    return int(used[0]) if len(used) == 1 else None


def pair_rank(cm: np.ndarray, true: int, pred: int) -> int | None:
    """Rank (1 = commonest) of the mistake ``true -> pred`` among all mistakes; ``None`` if it never happens (chapter 5)."""
    pairs = confused_pairs(cm, top=np.asarray(cm).size)
    for k, (i, j, _) in enumerate(pairs, start=1):
        if (i, j) == (true, pred):
            return k
    return None


def describe_pair(pair: tuple[int, int, int] | None, class_names: Sequence[str] | None = None) -> str:
    """``(9, 4, 23) -> '9 read as 4 (23 test images)'``; ``None -> 'not yet run'`` (chapters 5, 6 and 13).

    ``class_names`` (introduced in chapter 10, "Fashion-MNIST") names the
    classes instead of their numbers: with the Fashion-MNIST names,
    ``(6, 0, 120) -> 'Shirt read as T-shirt/top (120 test images)'``.
    """
    if pair is None:
        return PENDING
    i, j, c = pair
    if class_names is not None:
        if max(i, j) >= len(class_names):
            raise ValueError(f"class_names has {len(class_names)} names, too few for the pair {pair!r}")
        i, j = class_names[i], class_names[j]
    return f"{i} read as {j} ({c} test image{'s' if c != 1 else ''})"


def seconds_per_epoch(result) -> float:
    """Median wall time of one epoch of a result, in seconds (chapter 6).

    The median ignores the first epoch's compilation and the odd slow epoch
    when the machine was shared.
    """
    return float(np.median(np.asarray(result.epoch_seconds, dtype=float)))


def same_machine(a, b) -> bool:
    """Whether two results trained on the same kind of machine: backend, device and processor (chapter 6).

    Only then is the ratio of their epoch times a property of the models
    rather than of the machines.
    """
    keys = ("backend", "device", "cpu")
    return all(a.environment.get(k) == b.environment.get(k) for k in keys)


def difference_of_means(a: Sequence[float], b: Sequence[float]) -> tuple[float | None, float | None]:
    """``mean(a) - mean(b)`` and its standard error over seeds (chapter 5; used again in chapter 10).

    The standard error is ``sqrt(var(a)/n_a + var(b)/n_b)`` with sample
    variances; it is ``None`` when either side has fewer than two values
    (one seed says nothing about the spread).  Both are ``None`` when either
    side is empty.  Used for the row-minus-Hilbert gap and for the drop in
    accuracy from one data set to another, in the units of the inputs.
    """
    x = np.asarray(list(a), dtype=float)
    y = np.asarray(list(b), dtype=float)
    if x.size == 0 or y.size == 0:
        return None, None
    gap = float(x.mean() - y.mean())
    if x.size < 2 or y.size < 2:
        return gap, None
    return gap, float(np.sqrt(x.var(ddof=1) / x.size + y.var(ddof=1) / y.size))


def class_mean_correlation(images: np.ndarray, labels: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """Pearson correlation between the mean images of every pair of classes (chapter 10, "Fashion-MNIST").

    Returns an ``(n_classes, n_classes)`` matrix with ones on the diagonal;
    a class without images, or whose mean image is constant, gets a row and
    column of NaN.  Classes whose mean images correlate highly look alike on
    average and are candidates for the commonest confusions.
    """
    from .transforms import as_unit_float

    x = as_unit_float(np.asarray(images))
    y = np.asarray(labels).ravel()
    if x.ndim != 3 or len(x) != len(y) or len(x) == 0:
        raise ValueError(f"need (N, H, W) images and N labels, N > 0; got {x.shape} and {y.shape}")
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(f"labels must lie in 0..{n_classes - 1}, got {y.min()}..{y.max()}")
    flat = x.reshape(len(x), -1).astype(np.float64)
    means = np.full((n_classes, flat.shape[1]), np.nan)
    for k in range(n_classes):
        if (y == k).any():
            means[k] = flat[y == k].mean(axis=0)
    centred = means - means.mean(axis=1, keepdims=True)
    norm = np.sqrt((centred ** 2).sum(axis=1))
    norm[norm == 0] = np.nan
    unit = centred / norm[:, None]
    return np.clip(unit @ unit.T, -1.0, 1.0)


# ------------------------------------------------------------ verdicts


def verdict(measured: float | None, claimed: float, tol: float = TOLERANCE) -> str:
    """``'reproduced'`` when ``|measured - claimed| <= tol`` (chapter 4; chapter 13's table).

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


def fell_back(val_accuracy: Sequence[float], fall: float = 0.10) -> bool:
    """Whether a run learned and then lost it: its last validation accuracy lies more
    than ``fall`` below its best, and the best left chance (chapters 5, 11 and 13)."""
    v = np.asarray(val_accuracy, dtype=float)
    return bool(v.size and v.max() >= CHANCE_THRESHOLD and v.max() - v[-1] > fall)


def learning_course(val_accuracy: Sequence[float], fall: float = 0.10) -> str:
    """One clause on how a run's validation accuracy moved over its epochs (chapters 5 and 11).

    "stayed at chance" when it never reached ``CHANCE_THRESHOLD`` (15%); "reached
    X by epoch b, then fell back to Y by epoch n" when the last epoch lies more
    than ``fall`` below the best; otherwise where it peaked and where it ended.
    """
    v = np.asarray(val_accuracy, dtype=float)
    if v.ndim != 1 or v.size == 0:
        raise ValueError("learning_course needs a non-empty list of per-epoch validation accuracies")
    b, n = int(np.argmax(v)), v.size
    best, last = f"{100 * v[b]:.1f}%", f"{100 * v[-1]:.1f}%"
    if v[b] < CHANCE_THRESHOLD:
        return f"stayed at chance for all {n} epochs (best validation accuracy {best})"
    if fell_back(v, fall):
        return f"reached {best} validation accuracy by epoch {b + 1}, then fell back to {last} by epoch {n}"
    if b == n - 1:
        return f"climbed to {best} validation accuracy and was still improving at epoch {n}"
    return f"reached {best} validation accuracy by epoch {b + 1} and ended at {last} after epoch {n}"


def verdict_chance(measured: float | None, threshold: float = CHANCE_THRESHOLD) -> str:
    """Verdict for a claim that a model is "no better than random" (chapters 4, 5 and 13).

    Reproduced when the test accuracy stays below ``threshold`` (15%: chance
    is 10% and always answering the commonest digit gives 11.35%).
    """
    if measured is None:
        return PENDING
    return REPRODUCED if float(measured) < threshold else f"{NOT_REPRODUCED} (above chance)"


def verdict_chance_over(measured: Sequence[float]) -> str:
    """:func:`verdict_chance` over several seeds (chapters 11 and 13).

    Reproduced when every committed seed stays below ``CHANCE_THRESHOLD`` (15%);
    otherwise says in how many seeds the model rose above it.
    """
    v = [float(m) for m in measured]
    if not v:
        return PENDING
    learned = sum(m >= CHANCE_THRESHOLD for m in v)
    if not learned:
        return REPRODUCED
    if len(v) == 1:
        return f"{NOT_REPRODUCED} (above chance)"
    return f"{NOT_REPRODUCED} (above chance in {learned} of {len(v)} seeds)"


def verdict_order(better: Sequence[float], worse: Sequence[float]) -> str:
    """Verdict for "``better`` beats ``worse``" measured over seeds (chapter 5; chapter 13's table).

    - ``'not yet run'`` when either list is empty;
    - with fewer than two seeds on either side only the direction can be
      judged: ``'same direction (1 seed, spread unknown)'`` or ``'not reproduced'``;
    - otherwise reproduced when the difference of the means exceeds twice
      the standard error of that difference (sample standard deviations),
      ``'same direction, within seed spread'`` when it is positive but
      smaller, ``'not reproduced'`` when it is not positive.
    """
    better, worse = list(better), list(worse)
    diff, se = difference_of_means(better, worse)
    if diff is None:
        return PENDING
    if diff <= 0:
        return NOT_REPRODUCED
    if se is None:
        n = min(len(better), len(worse))
        return f"same direction ({n} seed{'s' if n != 1 else ''}, spread unknown)"
    return REPRODUCED if diff > 2 * se else "same direction, within seed spread"


# ------------------------------------------------------------ orderings (chapter 9)
#
# Chapter 9 ("Which order is best, and why") tests the paper's section 5.2
# explanation: accuracy is lower when the ink lies farther from the end of
# the sequence.  These helpers turn the measured numbers into its verdicts.

#: The verdict when the measured change has the predicted sign and exceeds twice its standard error.
SUPPORTED = "supported"
#: The verdict when the measured change exceeds twice its standard error against the prediction.
CONTRADICTED = "contradicted"
#: The verdict when a change was predicted but the measured one is within twice its standard error.
WITHIN_SPREAD = "not supported (within the seed spread)"
#: The verdict when no change was predicted and none beyond the seed spread was measured.
NO_CHANGE_PREDICTED = "consistent (no change predicted or seen)"


def pooled_seed_sd(groups: Mapping[str, Sequence[float]]) -> float | None:
    """Pooled sample standard deviation over seeds of several groups of runs (chapter 9).

    ``groups`` maps a label (an ordering) to the test accuracies of its
    seeds.  Every group with at least two values contributes its sample
    variance, weighted by its degrees of freedom:
    ``sqrt(sum((n_i - 1) * s_i**2) / sum(n_i - 1))``.  Groups with one value
    are ignored; ``None`` when no group has two.  It is the seed-to-seed
    spread that chapter 9 assumes for an ordering run with one seed only.
    """
    ss, dof = 0.0, 0
    for values in groups.values():
        v = np.asarray(list(values), dtype=float)
        if v.size >= 2:
            ss += float(np.sum((v - v.mean()) ** 2))
            dof += v.size - 1
    return float(np.sqrt(ss / dof)) if dof else None


@dataclass(frozen=True)
class Change:
    """How much the mean test accuracy moved from one group of seeds to another (chapter 9).

    ``change`` is ``mean(after) - mean(before)`` (a fraction: 0.01 is one
    percentage point); ``se`` its standard error from a common seed spread
    ``sd``, ``sd * sqrt(1/n_before + 1/n_after)``, or ``None`` when the
    spread is unknown.
    """

    change: float
    se: float | None
    n_before: int
    n_after: int

    @property
    def beyond_spread(self) -> bool | None:
        """True when ``|change| > 2 se`` (chapter 5's rule); ``None`` when the spread is unknown."""
        return None if self.se is None else abs(self.change) > 2 * self.se


def accuracy_change(before: Sequence[float], after: Sequence[float], sd: float | None) -> Change | None:
    """The :class:`Change` from ``before`` to ``after`` with the seed spread ``sd`` (chapter 9).

    ``sd`` is a sample standard deviation over seeds common to both groups
    (from :func:`pooled_seed_sd`), so a group run with a single seed still
    gets a standard error.  ``None`` when either group is empty.
    """
    a = np.asarray(list(before), dtype=float)
    b = np.asarray(list(after), dtype=float)
    if a.size == 0 or b.size == 0:
        return None
    if sd is not None and (not np.isfinite(sd) or sd < 0):
        raise ValueError(f"sd must be a finite standard deviation >= 0 or None, got {sd!r}")
    se = None if sd is None else float(sd * np.sqrt(1.0 / a.size + 1.0 / b.size))
    return Change(float(b.mean() - a.mean()), se, int(a.size), int(b.size))


def ink_prediction(distance_before: float, distance_after: float, min_shift: float = 1.0) -> int:
    """The direction in which section 5.2 predicts accuracy to move (chapter 9).

    The arguments are the mean distances of the ink from the last step
    (``hilbertlib.metrics.ink_position``'s ``distance_from_end``) of two
    orderings.  The paper's explanation, "ink far from the end is forgotten",
    predicts ``+1`` (accuracy rises) when the ink moves closer to the end by
    more than ``min_shift`` steps, ``-1`` (falls) when it moves farther, and
    ``0`` for a smaller shift.
    """
    shift = float(distance_after) - float(distance_before)
    if not np.isfinite(shift):
        raise ValueError(f"distances must be finite, got {distance_before!r} and {distance_after!r}")
    if abs(shift) <= min_shift:
        return 0
    return -1 if shift > 0 else 1


def explanation_verdict(change: Change | None, predicted: int) -> str:
    """Does a measured :class:`Change` bear out a predicted direction? (chapter 9)

    - ``'not yet run'`` when ``change`` is ``None``;
    - spread unknown: ``'as predicted (spread unknown)'`` or
      ``'against the prediction (spread unknown)'``, by the sign alone;
    - a change beyond twice its standard error is :data:`SUPPORTED` when its
      sign is the predicted one and :data:`CONTRADICTED` otherwise (also when
      no change was predicted);
    - a change within twice its standard error is :data:`WITHIN_SPREAD`, or
      :data:`NO_CHANGE_PREDICTED` when ``predicted`` is 0.
    """
    if predicted not in (-1, 0, 1):
        raise ValueError(f"predicted must be -1, 0 or +1, got {predicted!r}")
    if change is None:
        return PENDING
    sign = int(np.sign(change.change))
    if change.beyond_spread is None:
        return ("as predicted" if sign == predicted else "against the prediction") + " (spread unknown)"
    if change.beyond_spread:
        return SUPPORTED if sign == predicted else CONTRADICTED
    return NO_CHANGE_PREDICTED if predicted == 0 else WITHIN_SPREAD


def _ranks(v: np.ndarray) -> np.ndarray:
    """Ranks from 1, ties sharing their average rank."""
    order = np.argsort(v, kind="mergesort")
    ranks = np.empty(len(v), dtype=float)
    ranks[order] = np.arange(1, len(v) + 1)
    for value in np.unique(v):
        tie = v == value
        ranks[tie] = ranks[tie].mean()
    return ranks


def rank_correlation(x: Sequence[float], y: Sequence[float], exact_max: int = 8, n_permutations: int = 20_000,
                     seed: int = 0) -> tuple[float, float] | None:
    """Spearman's rank correlation of ``x`` and ``y`` and its two-sided permutation p-value (chapter 9).

    Ties share their average rank.  The p-value is the share of
    re-orderings of ``y`` whose correlation is at least as far from zero as
    the observed one: all ``n!`` of them when ``n <= exact_max``, otherwise
    ``n_permutations`` random ones (drawn with ``seed``, so the answer is
    repeatable).  With few points even a perfect correlation is weak
    evidence: for four orderings the smallest possible p-value is 2/24.
    ``None`` when there are fewer than three pairs or either side is
    constant.
    """
    import itertools

    a = np.asarray(list(x), dtype=float)
    b = np.asarray(list(y), dtype=float)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"x and y must be two sequences of the same length, got {a.shape} and {b.shape}")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("x and y must be finite")
    n = a.size
    if n < 3 or np.all(a == a[0]) or np.all(b == b[0]):
        return None
    ra, rb = _ranks(a), _ranks(b)
    ra = (ra - ra.mean()) / np.linalg.norm(ra - ra.mean())
    rb = (rb - rb.mean()) / np.linalg.norm(rb - rb.mean())
    rho = float(ra @ rb)
    if n <= exact_max:
        perms = np.array(list(itertools.permutations(range(n))))
    else:
        rng = np.random.default_rng(seed)
        perms = np.array([rng.permutation(n) for _ in range(n_permutations)])
    null = rb[perms] @ ra
    p = float(np.mean(np.abs(null) >= abs(rho) - 1e-12))
    return max(-1.0, min(1.0, rho)), p


def correlation_verdict(corr: tuple[float, float] | None, predicted_sign: int, alpha: float = 0.05) -> str:
    """Verdict on a predicted sign of a rank correlation across orderings (chapter 9).

    ``corr`` is ``(rho, p)`` from :func:`rank_correlation`.  :data:`SUPPORTED`
    when ``p < alpha`` and ``rho`` has the predicted sign,
    :data:`CONTRADICTED` when ``p < alpha`` and it has the other sign,
    otherwise ``'not decided (p = ...)'``; ``'not yet run'`` for ``None``
    (fewer than three orderings with a result).
    """
    if predicted_sign not in (-1, 1):
        raise ValueError(f"predicted_sign must be -1 or +1, got {predicted_sign!r}")
    if corr is None:
        return PENDING
    rho, p = corr
    if p < alpha and rho != 0:
        return SUPPORTED if np.sign(rho) == predicted_sign else CONTRADICTED
    return f"not decided (p = {p:.2f})"

