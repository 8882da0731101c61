"""hilbertlib.grid: the ablation at 784 steps, a set of its own (chapter 11)."""

from __future__ import annotations

from pathlib import Path

from hilbertlib import grid
from hilbertlib.specs import ExperimentSpec


def test_the_ablation_crosses_the_two_levers_over_three_seeds_in_row_order():
    specs = grid.grid("ablation")
    assert len({s.id for s in specs}) == len(specs)
    chosen = [s for s in specs if s.epochs != ExperimentSpec("lstm", 28, "row").epochs]
    assert all(s.size == 28 for s in specs)
    # every run but the chosen variant's has the paper's budget; that variant has its own, over every seed
    assert sorted(s.seed for s in chosen) == list(grid.LSTM_SEEDS)
    assert all(
        s.replace(seed=0) == ExperimentSpec("lstm", 28, "row", **grid.LONG_RECIPE, **grid.LONG_TOP) for s in chosen
    )
    row = [s for s in specs if s.model == "lstm" and s.ordering == "row" and s not in chosen]
    arms = {(s.init, s.clipnorm) for s in row}
    assert len(arms) == 4  # neither, chrono, clipping, both
    assert (grid.LONG_RECIPE["init"], grid.LONG_RECIPE["clipnorm"]) in arms
    for arm in arms:
        seeds = sorted(s.seed for s in row if (s.init, s.clipnorm) == arm)
        assert seeds == list(grid.LSTM_SEEDS), arm


def test_the_power_law_lstm_and_its_fair_control_share_everything_but_the_cell():
    specs = grid.grid("ablation")
    plstm = [s for s in specs if s.model == "plstm"]
    assert sorted(s.seed for s in plstm) == list(grid.LSTM_SEEDS)
    for p in plstm:
        control = p.replace(model="lstm")
        assert control in specs, control.id
    hilbert_clip = [s for s in specs if s.ordering == "hilbert"]
    assert {(s.model, s.clipnorm, s.seed) for s in hilbert_clip} == {
        ("lstm", grid.LONG_RECIPE["clipnorm"], seed) for seed in grid.LSTM_SEEDS
    }
    assert all(s.init == ExperimentSpec("lstm", 28, "hilbert").init for s in hilbert_clip)  # clipping only


def test_a_set_lives_in_its_own_folder_and_stays_out_of_all_specs():
    assert set(grid.SET_FOLDERS) <= set(grid.GRIDS)
    main_ids = {s.id for s in grid.all_specs()}
    only_in_set = [s for s in grid.grid("ablation") if s.id not in main_ids]
    assert only_in_set  # e.g. chrono only: trained nowhere else
    root = Path("results")
    assert grid.set_folder("ablation", root) == root / grid.SET_FOLDERS["ablation"]
    assert grid.set_folder("paper", root) == root and grid.set_folder(None, root) == root


def test_the_compared_orderings_cover_every_test_of_chapter_9():
    from hilbertlib.grid import COMPARED_ORDERINGS, LAG_CONTROLS, ORDERINGS, SPIRAL_TESTS

    assert {o for pair in SPIRAL_TESTS for o in pair} | set(LAG_CONTROLS) <= set(COMPARED_ORDERINGS)
    assert len(set(COMPARED_ORDERINGS)) == len(COMPARED_ORDERINGS)
    assert set(COMPARED_ORDERINGS) <= set(ORDERINGS) | set(LAG_CONTROLS)
