"""The named experiment grids of the book, in the order they should run.

Introduced in chapter 4 ("Simple RNN"); every chapter takes its specs from here.
"""

from __future__ import annotations

from .specs import ExperimentSpec

__all__ = ["GRIDS", "grid", "all_specs", "paper_specs", "LSTM_SEEDS"]

LSTM_SEEDS = (0, 1, 2)  # the 14x14 row vs Hilbert comparison is run over these seeds


def paper_specs() -> list[ExperimentSpec]:
    """Every experiment of the paper, at its protocol, cheapest and most telling first."""
    specs = [ExperimentSpec("cnn", 28)]
    specs += [ExperimentSpec("lstm", 14, o, seed=0) for o in ("row", "hilbert")]
    specs += [ExperimentSpec("simple_rnn", 14, o) for o in ("row", "hilbert")]
    specs += [ExperimentSpec("lstm", 14, o, seed=s) for s in LSTM_SEEDS[1:] for o in ("row", "hilbert")]
    specs += [ExperimentSpec("simple_rnn", 28, o) for o in ("row", "hilbert")]
    specs += [ExperimentSpec("lstm", 28, o) for o in ("row", "hilbert")]
    return specs


GRIDS = {"paper": paper_specs}


def grid(name: str) -> list[ExperimentSpec]:
    """The specs of one named grid."""
    if name not in GRIDS:
        raise ValueError(f"unknown grid {name!r}; valid: {', '.join(GRIDS)}")
    return GRIDS[name]()


def all_specs() -> list[ExperimentSpec]:
    """Every spec of every grid, without duplicates, in run order."""
    seen: dict[str, ExperimentSpec] = {}
    for name in GRIDS:
        for s in grid(name):
            seen.setdefault(s.id, s)
    return list(seen.values())
