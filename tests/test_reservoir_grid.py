"""Chapter 8's grid of echo state networks (hilbertlib.reservoir_grid): its stages, tables and status."""

from __future__ import annotations

import numpy as np

from hilbertlib.reservoir_grid import (
    SEARCH_LEAKS,
    SEARCH_LEAKS_28,
    SEARCH_RADII,
    STAGES,
    best_search,
    chapter_grid,
    grid_frame,
    grid_status,
)

QUICK = dict(train_size=300, test_size=200, validation_size=200, ridges=(1e-6, 1e-2))


def test_chapter_grid_stages(mnist_path, tmp_path):
    tiny = dict(orderings=["row"], units={14: (10, 20), 28: (10,)}, search_units=10)
    empty = chapter_grid(tmp_path, **tiny, **QUICK)
    assert any("size sweep" in m for m in empty["missing"]) and not empty["sweep"][14]
    done = chapter_grid(tmp_path, compute=True, **tiny, **QUICK)
    assert done["missing"] == []
    assert len(done["search"][14]["row"]) == len(SEARCH_LEAKS) * len(SEARCH_RADII)
    assert len(done["search"][28]["row"]) == len(SEARCH_LEAKS_28)
    best = done["best"][14]["row"]
    assert best is best_search(done["search"][14]["row"])
    assert [r.spec.units for r in done["sweep"][14]["row"]] == [10, 20]
    assert {r.spec.leak for r in done["sweep"][14]["row"]} == {best.spec.leak}
    # the 28x28 search uses the radius chosen at 14x14
    assert {r.spec.spectral_radius for r in done["search"][28]["row"]} == {best.spec.spectral_radius}


def test_grid_frame_and_status(mnist_path, tmp_path):
    units = {14: (10, 20), 28: (10,)}
    tiny = dict(units=units, search_units=10, **QUICK)
    empty = chapter_grid(tmp_path, orderings=["row"], **tiny)
    assert grid_frame(empty).empty and "val_last+mean" in grid_frame(empty).columns
    chapter_grid(tmp_path, compute=True, orderings=["row"], **tiny)
    mixed = chapter_grid(tmp_path, orderings=["row", "hilbert"], **tiny)  # row computed, hilbert not
    status = grid_status(mixed, ["row", "hilbert"], units)
    assert list(status.index) == list(STAGES.values())
    n1, n3 = len(SEARCH_LEAKS) * len(SEARCH_RADII), len(SEARCH_LEAKS_28)
    assert list(status["row"]) == [f"{n1} of {n1}", "2 of 2", f"{n3} of {n3}", "1 of 1"]
    assert list(status["hilbert"]) == [f"0 of {n1}", "waits for stage 1", "waits for stage 1", "waits for stage 3"]
    frame = grid_frame(mixed)
    assert frame.groupby("stage").size().to_dict() == {1: n1, 2: 2, 3: n3, 4: 1}
    assert set(frame.ordering) == {"row"} and (frame.images == 300 + 200 + 200).all()
    # the chosen readout is the best of the three on validation
    assert np.allclose(frame.val_accuracy, frame[[f"val_{k}" for k in ("last", "mean", "last+mean")]].max(axis=1))
    best = mixed["best"][14]["row"]
    row = frame[(frame.stage == 1) & (frame.id == best.id)].iloc[0]
    assert row.test_accuracy == best.test_accuracy and row.readout == best.readout
    assert (frame.states_s > 0).all() and (frame.readout_s > 0).all()
