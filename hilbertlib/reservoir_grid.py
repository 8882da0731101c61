"""Chapter 8's grid of echo state networks: the searches, the size sweeps, their four stages and tables.

Four stages, each starting from the one before (:func:`chapter_grid`): a leak
rate x spectral radius search at 14x14 per ordering (:func:`search_grid`),
a size sweep at the best pair (:func:`size_grid`, :func:`best_search`), a
leak search at 28x28 with the radius chosen at 14x14, and a size sweep at
28x28.  :func:`grid_frame` and :func:`grid_status` turn the results into the
chapter's tables.  Each result is an echo state network of
:mod:`hilbertlib.reservoir`.  Introduced in chapter 8 ("Reservoir computing").
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from .reservoir import READOUTS, RESERVOIR_DIR, ReservoirResult, ReservoirSpec, load_reservoir_result, run_reservoir

__all__ = [
    "SEARCH_LEAKS",
    "SEARCH_RADII",
    "SEARCH_LEAKS_28",
    "SEARCH_UNITS",
    "ORDERINGS",
    "UNITS",
    "search_grid",
    "size_grid",
    "best_search",
    "chapter_grid",
    "STAGES",
    "result_row",
    "grid_frame",
    "grid_status",
]

#: Leak rates and spectral radii searched at 200 units (chapter 8).
SEARCH_LEAKS = (0.05, 0.1, 0.2, 0.5, 1.0)
SEARCH_RADII = (0.5, 0.9, 1.2, 1.5, 2.0)
SEARCH_UNITS = 200
ORDERINGS = ("row", "hilbert", "spiral")
UNITS = {14: (100, 200, 500, 1000), 28: (100, 200, 500)}


def search_grid(
    size: int = 14,
    orderings: Iterable[str] = ORDERINGS,
    leaks: Iterable[float] = SEARCH_LEAKS,
    radii: Iterable[float] = SEARCH_RADII,
    units: int = SEARCH_UNITS,
    **overrides: Any,
) -> list[ReservoirSpec]:
    """Leak rate x spectral radius at 200 units, per ordering (chapter 8)."""
    return [
        ReservoirSpec(size=size, ordering=o, units=units, leak=a, spectral_radius=r, **overrides)
        for o in orderings
        for a in leaks
        for r in radii
    ]


def best_search(results: Iterable[ReservoirResult]) -> ReservoirResult:
    """The search result with the best validation accuracy (ties: the smaller leak, then radius)."""
    results = list(results)
    if not results:
        raise ValueError("no search results to choose from")
    return max(results, key=lambda r: (r.val_accuracy, -r.spec.leak, -r.spec.spectral_radius))


def size_grid(
    size: int, ordering: str, leak: float, spectral_radius: float, units: Iterable[int] | None = None, **overrides: Any
) -> list[ReservoirSpec]:
    """The reservoir-size sweep for one ordering at its chosen leak and radius (chapter 8)."""
    units = UNITS[size] if units is None else units
    return [
        ReservoirSpec(size=size, ordering=ordering, units=n, leak=leak, spectral_radius=spectral_radius, **overrides)
        for n in units
    ]


#: Leak rates searched at 28x28 (784 steps), at the radius chosen at 14x14.
SEARCH_LEAKS_28 = (0.02, 0.05, 0.1, 0.2, 0.5, 1.0)


def chapter_grid(
    results_dir: str | os.PathLike | None = RESERVOIR_DIR,
    compute: bool = False,
    retrain: bool = False,
    orderings: Iterable[str] = ORDERINGS,
    units: dict[int, tuple[int, ...]] | None = None,
    search_units: int = SEARCH_UNITS,
    log=None,
    **overrides: Any,
) -> dict[str, Any]:
    """Every result of chapter 8, loaded (and, with ``compute``, the missing ones computed).

    Four stages, each depending on the one before: (1) leak x radius search at
    14x14 per ordering; (2) the size sweep at 14x14 with each ordering's best
    pair; (3) a leak search at 28x28 with the radius chosen at 14x14; (4) the
    size sweep at 28x28.  Returns ``{"search": {size: {ordering: [results]}},
    "best": {size: {ordering: result}}, "sweep": {size: {ordering: [results]}},
    "missing": [ids]}``; a stage whose inputs are missing is listed as missing.
    """
    units = UNITS if units is None else units
    out: dict[str, Any] = {
        "search": {14: {}, 28: {}},
        "best": {14: {}, 28: {}},
        "sweep": {14: {}, 28: {}},
        "missing": [],
    }

    def get(spec: ReservoirSpec) -> ReservoirResult | None:
        found = None if retrain or results_dir is None else load_reservoir_result(spec, results_dir)
        if found is None and compute:
            if log:
                log(spec.id)
            found = run_reservoir(spec, results_dir, retrain=retrain)
        if found is None:
            out["missing"].append(spec.id)
        return found

    for o in orderings:
        for size in (14, 28):
            if size == 28 and o not in out["best"][14]:
                out["missing"].append(f"esn-28-{o} search (needs the 14x14 search)")
                continue
            specs = (
                search_grid(14, [o], units=search_units, **overrides)
                if size == 14
                else search_grid(
                    28,
                    [o],
                    leaks=SEARCH_LEAKS_28,
                    radii=(out["best"][14][o].spec.spectral_radius,),
                    units=search_units,
                    **overrides,
                )
            )
            found = [get(s) for s in specs]
            out["search"][size][o] = [r for r in found if r is not None]
            if all(r is not None for r in found):
                best = best_search(found)
                out["best"][size][o] = best
                sweep = [
                    get(s)
                    for s in size_grid(size, o, best.spec.leak, best.spec.spectral_radius, units[size], **overrides)
                ]
                out["sweep"][size][o] = [r for r in sweep if r is not None]
            else:
                out["missing"].append(f"esn-{size}-{o} size sweep (needs the search)")
    return out


# ------------------------------------------------------------- chapter tables

#: The four stages of :func:`chapter_grid`, numbered as in chapter 8.
STAGES = {
    1: "1. leak x radius search, 14x14",
    2: "2. size sweep, 14x14",
    3: "3. leak search, 28x28",
    4: "4. size sweep, 28x28",
}
#: Where each stage's results sit in :func:`chapter_grid`'s output: (part, image size).
STAGE_PARTS = {1: ("search", 14), 2: ("sweep", 14), 3: ("search", 28), 4: ("sweep", 28)}
#: The stage whose best result each stage starts from.
STAGE_NEEDS = {2: 1, 3: 1, 4: 3}


def result_row(r: ReservoirResult) -> dict[str, Any]:
    """One result's fields as a flat dict: the row of :func:`grid_frame` and of the status page (chapter 8)."""
    sec = r.seconds
    row = {
        "size": r.spec.size,
        "ordering": r.spec.ordering,
        "units": r.spec.units,
        "leak": r.spec.leak,
        "radius": r.spec.spectral_radius,
        "readout": r.readout,
        "ridge": float(r.data["chosen"]["ridge"]),
        "val_accuracy": r.val_accuracy,
        "test_accuracy": r.test_accuracy,
    }
    for kind, ro in r.data["readouts"].items():
        row[f"val_{kind}"] = max(ro["val_accuracy"].values())
    row.update(
        states_s=float(sec["states"]),
        readout_s=float(sec["readout_search"] + sec["readout_fit"]),
        states_ms_per_image=float(sec["states_per_image_ms"]),
        images=int(sum(r.data["sizes"].values())),
        id=r.id,
        finished=r.data["finished"],
    )
    return row


def grid_frame(grid: dict[str, Any]):
    """The results of :func:`chapter_grid` as one tidy pandas DataFrame, a row per result and stage (chapter 8).

    Columns: ``stage`` (1 to 4, as in :data:`STAGES`), ``size``, ``ordering``,
    ``units``, ``leak``, ``radius``, ``readout`` and ``ridge`` (the pair chosen
    on validation), ``val_accuracy`` and ``test_accuracy`` (of that pair), one
    ``val_<readout>`` column per readout kind of ``READOUTS`` (its best
    validation accuracy over the ridge strengths), ``states_s`` (seconds to
    compute the reservoir states), ``readout_s`` (seconds to fit and score
    every readout, and the final one), ``states_ms_per_image``, ``images``
    (driven through the reservoir) and ``id``.  A result that belongs to two
    stages (the chosen search result is also a point of the size sweep)
    appears once per stage.
    """
    import pandas as pd

    cols = [
        "stage",
        "size",
        "ordering",
        "units",
        "leak",
        "radius",
        "readout",
        "ridge",
        "val_accuracy",
        "test_accuracy",
        *(f"val_{k}" for k in READOUTS),
        "states_s",
        "readout_s",
        "states_ms_per_image",
        "images",
        "id",
    ]
    rows = [
        {"stage": stage, **result_row(r)}
        for stage, (part, size) in STAGE_PARTS.items()
        for results in grid[part][size].values()
        for r in results
    ]
    return pd.DataFrame(rows, columns=cols)


def grid_status(
    grid: dict[str, Any], orderings: Iterable[str] = ORDERINGS, units: dict[int, tuple[int, ...]] | None = None
):
    """How much of :func:`chapter_grid` is computed: stages (rows) by orderings (columns) (chapter 8).

    Each cell reads ``"15 of 15"`` (results found of results planned) or,
    when the stage needs the one before it and that one is incomplete,
    ``"waits for stage 1"``.  ``units`` must be the ``units`` given to
    :func:`chapter_grid` (None: ``UNITS``).
    """
    import pandas as pd

    units = UNITS if units is None else units
    planned = {1: len(SEARCH_LEAKS) * len(SEARCH_RADII), 2: len(units[14]), 3: len(SEARCH_LEAKS_28), 4: len(units[28])}
    table = {}
    for o in orderings:
        cells = {}
        for stage, (part, size) in STAGE_PARTS.items():
            needs = STAGE_NEEDS.get(stage)
            if needs is not None and o not in grid["best"][STAGE_PARTS[needs][1]]:
                cells[STAGES[stage]] = f"waits for stage {needs}"
            else:
                cells[STAGES[stage]] = f"{len(grid[part][size].get(o, []))} of {planned[stage]}"
        table[o] = cells
    return pd.DataFrame(table, index=list(STAGES.values()), columns=list(orderings))
