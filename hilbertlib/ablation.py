"""The ablation at 784 steps: which half of the recipe makes the LSTM learn (chapters 11 to 13).

The set :func:`hilbertlib.grid.ablation_specs` trains on one machine into a
folder of its own (:func:`hilbertlib.grid.set_folder`).  Its runs fall into
six *arms* (:data:`ARMS`), and the book compares them only with each other,
by the tests of :data:`PLANNED`, which were fixed before any run of the set
existed.  Runs land over time, so every function here takes what is present.
A test is judged only on the seeds it was planned with: until each of its
arms has them all, its comparison is shown as it stands and its verdict is
:data:`INCOMPLETE`; within a family a test that cannot run counts as p = 1
(:func:`hilbertlib.stats.holm_planned`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from . import stats
from .specs import PAPER, ExperimentSpec, Protocol

__all__ = [
    "PAPER_ARM",
    "CHRONO",
    "CLIP",
    "RECIPE",
    "CLIP_HILBERT",
    "PLSTM",
    "CHOSEN",
    "ARMS",
    "NOT_TRAINED",
    "INCOMPLETE",
    "BOTH_LEVERS",
    "Planned",
    "PLANNED",
    "Test",
    "arm",
    "load",
    "present",
    "accuracies",
    "tests",
    "test_table",
    "mechanism",
    "goal",
    "GradientJump",
    "gradient_jumps",
]

PAPER_ARM = "paper's protocol"
CHRONO = "chrono only"
CLIP = "clipping only"
RECIPE = "the recipe"
CLIP_HILBERT = "clipping only, Hilbert"
PLSTM = "power-law LSTM"
CHOSEN = "the chosen variant"
#: The arms of the set, in the order the chapters show them.  The last is the
#: variant of the recipe chosen on validation (40 epochs), for the goal.
ARMS = (PAPER_ARM, CHRONO, CLIP, RECIPE, CLIP_HILBERT, PLSTM, CHOSEN)
#: The verdict of a planned test while one of its arms has no run at all.
NOT_TRAINED = "not trained yet"
#: The verdict of a planned test while one of its arms still lacks some of the
#: planned seeds: an interim comparison is not a verdict.
INCOMPLETE = "not judged yet: seeds still training"
#: The verdict on the mechanism when each lever alone beats the paper's protocol.
BOTH_LEVERS = "both levers help"


@dataclass(frozen=True)
class Planned:
    """One planned Welch test of ``mean(b) - mean(a)``, with its predicted sign and its Holm family."""

    a: str
    b: str
    predicted: int
    family: str


#: The planned tests, which chapter 11 states before the runs.  Each lever and
#: the recipe against the paper's protocol form one Holm family; the power-law
#: gate against its fair control (chapter 12) and Hilbert against row order
#: under clipping only, predicted lower as at 14x14 (chapter 9), stand alone.
PLANNED = {
    CHRONO: Planned(PAPER_ARM, CHRONO, +1, "levers"),
    CLIP: Planned(PAPER_ARM, CLIP, +1, "levers"),
    RECIPE: Planned(PAPER_ARM, RECIPE, +1, "levers"),
    PLSTM: Planned(CLIP, PLSTM, +1, "gate"),
    CLIP_HILBERT: Planned(CLIP, CLIP_HILBERT, -1, "order"),
}


@dataclass(frozen=True)
class Test:
    """A planned test as far as the present runs allow: its Welch comparison, Holm p and verdict."""

    planned: Planned
    comparison: stats.Comparison | None
    p_holm: float
    verdict: str


def arm(spec: ExperimentSpec) -> str:
    """The arm of one spec of the set (chapter 11)."""
    from .grid import LONG_TOP

    if spec.model == "plstm":
        return PLSTM
    if (spec.learning_rate, spec.schedule) == (LONG_TOP["learning_rate"], LONG_TOP["schedule"]):
        return CHOSEN  # told apart by the fields a quick protocol leaves alone
    if spec.ordering == "hilbert":
        return CLIP_HILBERT
    return {(False, False): PAPER_ARM, (True, False): CHRONO, (False, True): CLIP, (True, True): RECIPE}[
        (spec.init == "chrono", spec.clipnorm is not None)
    ]


def load(
    seeds: Iterable[int],
    protocol: Protocol = PAPER,
    folder: str | os.PathLike | None = None,
    *,
    arms: Sequence[str] = ARMS,
    retrain: bool = False,
    train_missing: bool = False,
) -> dict[str, dict[int, object]]:
    """The set's present results, ``{arm: {seed: Result}}`` for each of ``arms`` (chapters 11 and 12).

    ``folder`` is a results folder (None: the committed ``results/``); the
    set is read from its own subfolder.  A run not yet trained is absent; a
    quick protocol trains its runs, into ``folder``.
    """
    from .grid import grid, set_folder
    from .results import load_present, results_dir

    unknown = [a for a in arms if a not in ARMS]
    if unknown:
        raise ValueError(f"unknown arms {unknown}; valid: {', '.join(ARMS)}")
    wanted = set(seeds)
    specs = [s for s in grid("ablation", protocol) if s.seed in wanted and arm(s) in arms]
    found = load_present(
        specs, set_folder("ablation", results_dir(folder)), retrain=retrain, train_missing=train_missing
    )
    out: dict[str, dict[int, object]] = {a: {} for a in arms}
    for s in sorted(specs, key=lambda s: s.seed):
        if s.id in found:
            out[arm(s)][s.seed] = found[s.id]
    return out


def present(runs: Mapping[str, Mapping[int, object]]) -> dict[str, list[int]]:
    """The seeds present per arm, in order, leaving out arms with none (chapter 11)."""
    return {a: sorted(by_seed) for a, by_seed in runs.items() if by_seed}


def accuracies(runs: Mapping[str, Mapping[int, object]]) -> dict[str, list[float]]:
    """Test accuracies per arm, in seed order, of the runs :func:`load` found."""
    return {a: [r.test_accuracy for _, r in sorted(by_seed.items())] for a, by_seed in runs.items()}


def _planned_seeds(n_seeds: int | None) -> int:
    """The number of seeds each arm was planned with: ``n_seeds``, or the set's own (:data:`grid.LSTM_SEEDS`)."""
    if n_seeds is None:
        from .grid import LSTM_SEEDS

        return len(LSTM_SEEDS)
    if n_seeds < 1:
        raise ValueError(f"n_seeds is the number of seeds each arm was planned with, at least 1; got {n_seeds}")
    return n_seeds


def tests(
    runs: Mapping[str, Mapping[int, object]], alpha: float = stats.ALPHA, n_seeds: int | None = None
) -> dict[str, Test]:
    """Every test of :data:`PLANNED` on the present runs, Holm-corrected within its family (chapters 11, 12).

    ``n_seeds`` is the number of seeds each arm was planned with (default:
    :data:`hilbertlib.grid.LSTM_SEEDS`).  A test one of whose arms has no run
    is :data:`NOT_TRAINED`; one whose arms have some but not all of their
    seeds is :data:`INCOMPLETE`, its comparison the interim one.
    """
    n_seeds = _planned_seeds(n_seeds)
    acc = accuracies(runs)
    comps = {k: stats.welch(acc[p.a], acc[p.b]) if acc.get(p.a) and acc.get(p.b) else None for k, p in PLANNED.items()}
    p_holm: dict[str, float] = {}
    for family in {p.family for p in PLANNED.values()}:
        p_holm |= stats.holm_planned({k: comps[k] for k, p in PLANNED.items() if p.family == family})

    def verdict(k: str, p: Planned) -> str:
        if comps[k] is None:
            return NOT_TRAINED
        if min(len(acc[p.a]), len(acc[p.b])) < n_seeds:
            return INCOMPLETE
        return stats.verdict(comps[k], p.predicted, p=p_holm[k], alpha=alpha)

    return {
        k: Test(planned=p, comparison=comps[k], p_holm=p_holm[k], verdict=verdict(k, p)) for k, p in PLANNED.items()
    }


def test_table(results: Mapping[str, Test], runs: Mapping[str, Mapping[int, object]]):
    """The planned tests as a table, one row each (chapters 11 and 12).

    Columns: the seeds on each side, the predicted direction, the difference
    of the means and its 95% interval in points, the Holm p with its family,
    and the verdict.  A test that cannot run yet has no difference and no
    interval.
    """
    import pandas as pd

    from . import fmt

    return (
        pd.DataFrame(
            {
                f"{t.planned.b} - {t.planned.a}": {
                    "seeds": f"{len(runs.get(t.planned.b, {}))} vs {len(runs.get(t.planned.a, {}))}",
                    "predicted": "higher" if t.planned.predicted > 0 else "lower",
                    "difference (points)": np.nan if t.comparison is None else 100 * t.comparison.difference,
                    "95% CI (points)": ""
                    if t.comparison is None or t.comparison.low is None
                    else fmt.interval(t.comparison.low, t.comparison.high),
                    "Holm p (family)": f"{t.p_holm:.3g} ({t.planned.family})",
                    "verdict": t.verdict,
                }
                for t in results.values()
            }
        )
        .T.infer_objects()
        .round({"difference (points)": 2})
    )


def mechanism(results: Mapping[str, Test]) -> str:
    """The verdict on "memory at initialisation, not instability" from the two levers' tests (chapter 11).

    Supported when chrono alone beats the paper's protocol and clipping alone
    is not shown to; refuted when clipping alone does and chrono alone is not
    shown to; :data:`BOTH_LEVERS` when both do; undecided when neither does;
    not trained, not judged yet or not tested while either lever's test
    cannot be judged.
    """
    chrono, clip = results[CHRONO].verdict, results[CLIP].verdict
    for missing in (NOT_TRAINED, INCOMPLETE, stats.NOT_TESTED):
        if missing in (chrono, clip):
            return missing
    c, k = chrono == stats.SUPPORTED, clip == stats.SUPPORTED
    if c and k:
        return BOTH_LEVERS
    return stats.SUPPORTED if c else stats.REFUTED if k else stats.UNDECIDED


def goal(
    runs: Mapping[str, Mapping[int, object]], target: float, n_seeds: int | None = None
) -> tuple[float | None, float | None, float | None, str]:
    """The chosen variant's mean test accuracy, its 95% t interval and the verdict on ``target`` (chapter 11).

    As :func:`hilbertlib.stats.against_goal`, judged only on the planned
    seeds (``n_seeds``, default :data:`hilbertlib.grid.LSTM_SEEDS`): with
    none of them :data:`NOT_TRAINED`, with some :data:`INCOMPLETE`.
    """
    n_seeds = _planned_seeds(n_seeds)
    acc = accuracies(runs).get(CHOSEN, [])
    if not acc:
        return None, None, None, NOT_TRAINED
    mean, low, high, verdict = stats.against_goal(acc, target)
    return mean, low, high, INCOMPLETE if len(acc) < n_seeds else verdict


@dataclass(frozen=True)
class GradientJump:
    """A rise of the training loss (epoch counted from 1) and the gradient norms around it."""

    epoch: int
    rise: float
    grad_max: float | None
    earlier_max: float | None

    @property
    def largest_so_far(self) -> bool | None:
        """True when the epoch's largest batch gradient exceeds every earlier epoch's; None without records."""
        if self.grad_max is None or self.earlier_max is None:
            return None
        return self.grad_max > self.earlier_max


def gradient_jumps(result, min_rise: float = 0.3) -> list[GradientJump]:
    """Each epoch whose training loss rose by more than ``min_rise``, with its gradient records (chapter 11).

    A result without gradient records (schema 1) gives ``grad_max`` None.
    """
    from .histories import loss_rises

    peaks: Sequence[float | None] = result.grad_norm_max or []
    out = []
    for r in loss_rises(result.history["loss"], min_rise=min_rise):
        i = r.epoch - 1
        here = peaks[i] if i < len(peaks) else None
        before = [p for p in peaks[:i] if p is not None]
        out.append(GradientJump(r.epoch, r.rise, here, float(np.max(before)) if before else None))
    return out
