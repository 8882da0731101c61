"""Reading confusion matrices: the commonest mistakes, their rank, and a model's one constant answer
(chapters 4 to 6, 10 and 13)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["confused_pairs", "constant_answer", "describe_pair", "pair_rank", "pair_ranks"]


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
    """Rank (1 = commonest) of the mistake ``true -> pred`` among all mistakes (chapter 5).

    ``None`` when that mistake never happens.
    """
    pairs = confused_pairs(cm, top=np.asarray(cm).size)
    for k, (i, j, _) in enumerate(pairs, start=1):
        if (i, j) == (true, pred):
            return k
    return None


def pair_ranks(matrices: Mapping[Any, np.ndarray], true: int, pred: int) -> dict[Any, int | None]:
    """:func:`pair_rank` of the mistake ``true -> pred`` in each of several matrices, by the same keys
    (chapters 5 and 13).

    With one matrix per seed this gives the ranks that
    :func:`hilbertlib.claims.verdict_commonest_over` judges.
    """
    return {k: pair_rank(cm, true, pred) for k, cm in matrices.items()}


def describe_pair(pair: tuple[int, int, int], class_names: Sequence[str] | None = None) -> str:
    """A mistake as a short label: ``(9, 4, 23) -> '9 read as 4 (23 test images)'`` (chapters 5, 6 and 13).

    ``class_names`` (introduced in chapter 10, "Fashion-MNIST") names the
    classes instead of their numbers: with the Fashion-MNIST names,
    ``(6, 0, 120) -> 'Shirt read as T-shirt/top (120 test images)'``.
    """
    i, j, c = pair
    if class_names is not None:
        if max(i, j) >= len(class_names):
            raise ValueError(f"class_names has {len(class_names)} names, too few for the pair {pair!r}")
        i, j = class_names[i], class_names[j]
    return f"{i} read as {j} ({c} test image{'s' if c != 1 else ''})"
