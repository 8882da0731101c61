"""The paper's claims and the rules that compare our numbers with them (chapters 4 to 6; chapter 13's table).

The paper reports single numbers without a spread, so a reported accuracy is
compared with ours by a tolerance stated in advance (:data:`TOLERANCE`, two
percentage points), and "no better than random" by a threshold
(:data:`CHANCE_THRESHOLD`).  Comparisons between our own runs are tests
(:mod:`hilbertlib.stats`), never these rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = [
    "CHANCE_THRESHOLD",
    "NOT_REPRODUCED",
    "PAPER",
    "PAPER_CONFUSION",
    "REPRODUCED",
    "TOLERANCE",
    "verdict",
    "verdict_chance",
    "verdict_chance_over",
    "verdict_commonest_over",
]

#: The paper's reported test accuracies (hyde2023), keyed by experiment id without the seed.
PAPER = {
    "cnn-28": 0.9728,
    "simple_rnn-14-row": 0.105,
    "simple_rnn-14-hilbert": 0.105,
    "simple_rnn-28-row": 0.105,
    "simple_rnn-28-hilbert": 0.105,
    "lstm-14-row": 0.97,
    "lstm-14-hilbert": 0.92,
}
#: The Hilbert LSTM's commonest mistake in the paper, a 9 predicted as 4.
PAPER_CONFUSION = (9, 4)

REPRODUCED = "reproduced"
NOT_REPRODUCED = "not reproduced"
#: A reported accuracy counts as reproduced within 2 percentage points.
TOLERANCE = 0.02
#: The line under which a test accuracy is "no better than random", 15% (chance is 10%, and always
#: answering the commonest test digit gives 11.35%).
CHANCE_THRESHOLD = 0.15


def verdict(measured: float, claimed: float, tol: float = TOLERANCE) -> str:
    """``'reproduced'`` when ``|measured - claimed| <= tol`` (chapter 4; chapter 13's table).

    Otherwise ``'not reproduced (higher)'`` or ``'not reproduced (lower)'``.
    Accuracies are fractions (0.9728), so the default tolerance of 0.02 is two
    percentage points.  This is a stated tolerance for comparing with a single
    reported number, not a statistical test: the paper gives no spread.
    """
    diff = float(measured) - float(claimed)
    if abs(diff) <= tol + 1e-12:
        return REPRODUCED
    return f"{NOT_REPRODUCED} ({'higher' if diff > 0 else 'lower'})"


def verdict_chance(measured: float, threshold: float = CHANCE_THRESHOLD) -> str:
    """Verdict for a claim that a model is "no better than random" (chapters 4, 5 and 13).

    Reproduced when the test accuracy stays below ``threshold`` (15%: chance
    is 10% and always answering the commonest digit gives 11.35%).
    """
    return REPRODUCED if float(measured) < threshold else f"{NOT_REPRODUCED} (above chance)"


def verdict_chance_over(measured: Sequence[float]) -> str:
    """:func:`verdict_chance` over several seeds (chapters 11 and 13).

    Reproduced when every committed seed stays below ``CHANCE_THRESHOLD`` (15%);
    otherwise says in how many seeds the model rose above it.
    """
    v = [float(m) for m in measured]
    if not v:
        raise ValueError("verdict_chance_over needs at least one accuracy")
    learned = sum(m >= CHANCE_THRESHOLD for m in v)
    if not learned:
        return REPRODUCED
    if len(v) == 1:
        return f"{NOT_REPRODUCED} (above chance)"
    return f"{NOT_REPRODUCED} (above chance in {learned} of {len(v)} seeds)"


def verdict_commonest_over(ranks: Iterable[int | None]) -> str:
    """Verdict for a claimed commonest mistake over several seeds (chapters 5 and 13).

    ``ranks`` holds, per seed, the place of the claimed mistake among the
    network's mistakes (:func:`hilbertlib.confusion.pair_ranks`: 1 is the
    commonest, ``None`` never made).  Reproduced when it is the commonest in
    every seed; otherwise says in how many seeds it was.
    """
    r = list(ranks)
    if not r:
        raise ValueError("verdict_commonest_over needs at least one rank")
    first = sum(k == 1 for k in r)
    if first == len(r):
        return REPRODUCED
    if len(r) == 1:
        return NOT_REPRODUCED
    return f"{NOT_REPRODUCED} (the commonest in {first} of {len(r)} seeds)"
