"""The results a chapter reads: committed ones, or a quick run's in a folder of its own (chapter 4).

A chapter asks for the specs that :mod:`hilbertlib.grid` gives it under its
protocol.  A committed result that is missing is an error that names the
command that trains it; a quick (reduced) spec is trained when missing,
never into the committed ``results/``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .result_files import RESULTS_DIR, Result, load_result
from .runner import run
from .specs import ExperimentSpec

__all__ = ["MissingResultError", "results_dir", "load", "load_all", "load_present", "seed_accuracies"]


class MissingResultError(FileNotFoundError):
    """A result the book reads is not committed."""


def results_dir(value: str | os.PathLike | None) -> Path:
    """The folder a chapter reads: the committed ``results/`` when ``None``."""
    return RESULTS_DIR if value in (None, "") else Path(value)


def load(
    spec: ExperimentSpec, folder: str | os.PathLike | None = None, *, retrain: bool = False, train_missing: bool = False
) -> Result:
    """The result of ``spec``: loaded, or trained when asked (always for a quick spec)."""
    where = results_dir(folder)
    res = run(spec, where, retrain=retrain, train_missing=train_missing or spec.reduced, progress=False)
    if res is None:
        raise MissingResultError(
            f"no result for {spec.id} in {where}; train it with: python -m hilbertlib run --only {spec.id}"
        )
    return res


def load_all(
    specs: Iterable[ExperimentSpec],
    folder: str | os.PathLike | None = None,
    *,
    retrain: bool = False,
    train_missing: bool = False,
) -> dict[str, Result]:
    """:func:`load` for each spec, keyed by id, in order."""
    return {s.id: load(s, folder, retrain=retrain, train_missing=train_missing) for s in specs}


def load_present(
    specs: Iterable[ExperimentSpec],
    folder: str | os.PathLike | None = None,
    *,
    retrain: bool = False,
    train_missing: bool = False,
) -> dict[str, Result]:
    """The results of those specs that exist (or are trained: when asked, or quick), keyed by id.

    For a design whose runs land over time (chapter 9's seeds): a seed not
    yet trained is absent, and a comparison that lacks it is judged with
    what is there ("one seed: not tested" with fewer than two).
    """
    where = results_dir(folder)
    out: dict[str, Result] = {}
    for s in specs:
        res = (
            run(s, where, retrain=retrain, train_missing=True, progress=False)
            if retrain or train_missing or s.reduced
            else load_result(s, where)
        )
        if res is not None:
            out[s.id] = res
    return out


def seed_accuracies(specs: Iterable[ExperimentSpec], folder: str | os.PathLike | None = None) -> dict[str, list[float]]:
    """Test accuracies of the committed seeds of each ordering, ``{ordering: [acc, ...]}`` in seed order.

    Only the results that exist are read: a seed not yet trained is simply
    absent, so a side with one seed is judged "one seed: not tested".
    """
    out: dict[str, list[float]] = {}
    for s in sorted(specs, key=lambda s: s.seed):
        res = load_result(s, results_dir(folder))
        out.setdefault(s.ordering, [])
        if res is not None:
            out[s.ordering].append(res.test_accuracy)
    return out
