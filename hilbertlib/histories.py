"""What a run's per-epoch history shows: where it peaked, where its training loss rose, whether it collapsed.

Chapter 11 reads the histories of the 784-step LSTM runs to ask what went
wrong in those that did not learn.  A network that merely cannot reach the
first pixels learns slowly or not at all, and its training loss creeps down;
a network whose training is unstable can learn and then lose it, with a
training loss that *rises* from one epoch to the next, and may end up giving
every image the same answer.  These functions measure those signs and return
numbers, never sentences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .claims import CHANCE_THRESHOLD

__all__ = [
    "LossRise",
    "Course",
    "peak",
    "loss_rises",
    "largest_loss_rise",
    "course",
    "fell_back",
    "is_uniform_loss",
    "uniform_from",
]


@dataclass(frozen=True)
class LossRise:
    """The training loss rose from ``before`` (epoch ``epoch - 1``) to ``after`` (epoch ``epoch``).

    Epochs count from 1.
    """

    epoch: int
    before: float
    after: float

    @property
    def rise(self) -> float:
        return self.after - self.before


def _series(values: Sequence[float], what: str) -> np.ndarray:
    v = np.asarray(list(values), dtype=float)
    if v.ndim != 1 or v.size == 0 or not np.all(np.isfinite(v)):
        raise ValueError(f"{what} must be a non-empty sequence of finite numbers, got {values!r}")
    return v


def peak(values: Sequence[float]) -> tuple[int, float]:
    """The epoch (from 1; the first one on a tie) and value of the largest entry of a per-epoch series."""
    v = _series(values, "values")
    i = int(np.argmax(v))
    return i + 1, float(v[i])


def loss_rises(loss: Sequence[float], min_rise: float = 0.0) -> list[LossRise]:
    """Every epoch whose training loss lies more than ``min_rise`` above the epoch before, in order."""
    v = _series(loss, "loss")
    if min_rise < 0:
        raise ValueError(f"min_rise must be >= 0, got {min_rise!r}")
    return [LossRise(i + 1, float(v[i - 1]), float(v[i])) for i in range(1, v.size) if v[i] - v[i - 1] > min_rise]


def largest_loss_rise(loss: Sequence[float]) -> LossRise | None:
    """The largest rise of the training loss from one epoch to the next; ``None`` when it never rises."""
    rises = loss_rises(loss)
    return max(rises, key=lambda r: r.rise) if rises else None


@dataclass(frozen=True)
class Course:
    """How one run went, from its history and its test confusion matrix (epochs count from 1)."""

    epochs: int
    first_train_accuracy: float
    best_val_accuracy: float
    best_val_epoch: int
    final_val_accuracy: float
    test_accuracy: float
    largest_loss_rise: LossRise | None
    constant_answer: int | None

    @property
    def collapsed(self) -> bool:
        """True when the trained network gives every test image the same answer."""
        return self.constant_answer is not None


def course(result: Any) -> Course:
    """The :class:`Course` of a stored result (:class:`hilbertlib.result_files.Result`)."""
    from .confusion import constant_answer

    hist = result.history
    acc = _series(hist["accuracy"], "accuracy")
    epoch, best = peak(hist["val_accuracy"])
    return Course(
        epochs=int(acc.size),
        first_train_accuracy=float(acc[0]),
        best_val_accuracy=best,
        best_val_epoch=epoch,
        final_val_accuracy=float(hist["val_accuracy"][-1]),
        test_accuracy=float(result.test_accuracy),
        largest_loss_rise=largest_loss_rise(hist["loss"]),
        constant_answer=constant_answer(result.confusion_matrix),
    )


def fell_back(val_accuracy: Sequence[float], fall: float = 0.10) -> bool:
    """Whether a run learned and then lost it: its last validation accuracy lies more
    than ``fall`` below its best, and the best left chance (chapters 5, 11 and 13)."""
    v = np.asarray(val_accuracy, dtype=float)
    return bool(v.size and v.max() >= CHANCE_THRESHOLD and v.max() - v[-1] > fall)


def is_uniform_loss(loss: float, tol: float = 0.01, classes: int = 10) -> bool:
    """Whether a cross-entropy lies within ``tol`` of ``ln classes``, the loss of a uniform guess
    (chapters 4 and 11)."""
    if classes < 2 or not tol > 0:
        raise ValueError(f"need classes >= 2 and tol > 0, got classes={classes!r}, tol={tol!r}")
    if not np.isfinite(loss):
        raise ValueError(f"loss must be a finite number, got {loss!r}")
    return bool(abs(float(loss) - np.log(classes)) < tol)


def uniform_from(loss: Sequence[float], tol: float = 0.01, classes: int = 10) -> int | None:
    """The first epoch (from 1) from which every epoch's loss is that of a uniform guess,
    so the run sits there to the end; ``None`` when its last epoch is not (chapter 11)."""
    v = _series(loss, "loss")
    at = [is_uniform_loss(x, tol, classes) for x in v]
    if not at[-1]:
        return None
    first = v.size
    while first > 0 and at[first - 1]:
        first -= 1
    return first + 1
