"""hilbertlib.ablation: the arms of the 784-step ablation, its planned tests and the gradient records of a jump."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from hilbertlib import ablation, grid, stats


def fake(acc: float, loss=(1.0,), grad_max=None):
    history = {"loss": list(loss)}
    if grad_max is not None:
        history["grad_norm_max"] = list(grad_max)
    return SimpleNamespace(test_accuracy=acc, history=history, grad_norm_max=history.get("grad_norm_max"))


def runs(accs: dict[str, list[float]]) -> dict[str, dict[int, object]]:
    out = {a: {} for a in ablation.ARMS}
    for a, values in accs.items():
        out[a] = {s: fake(v) for s, v in enumerate(values)}
    return out


LOW, SAME, HIGH = [0.18, 0.11, 0.21], [0.17, 0.12, 0.20], [0.95, 0.96, 0.955]


def test_every_run_of_the_set_has_an_arm_and_each_arm_has_every_seed():
    specs = grid.grid("ablation")
    by_arm: dict[str, list[int]] = {}
    for s in specs:
        by_arm.setdefault(ablation.arm(s), []).append(s.seed)
    assert set(by_arm) == set(ablation.ARMS)
    assert all(sorted(seeds) == list(grid.LSTM_SEEDS) for seeds in by_arm.values())


def test_the_planned_tests_name_arms_of_the_set():
    for p in ablation.PLANNED.values():
        assert {p.a, p.b} <= set(ablation.ARMS) and p.predicted in (-1, 1)


def test_without_runs_nothing_is_tested():
    res = ablation.tests(runs({}))
    assert all(t.verdict == ablation.NOT_TRAINED and t.comparison is None for t in res.values())
    assert ablation.mechanism(res) == ablation.NOT_TRAINED


def test_a_test_short_of_its_planned_seeds_is_not_judged_and_counts_as_p_one_when_untestable():
    res = ablation.tests(runs({ablation.PAPER_ARM: LOW, ablation.CHRONO: HIGH[:1], ablation.CLIP: HIGH}))
    assert res[ablation.CHRONO].verdict == ablation.INCOMPLETE
    assert res[ablation.CLIP].verdict == stats.SUPPORTED
    # three planned tests in the family: the one that ran is multiplied by 3
    assert res[ablation.CLIP].p_holm == pytest.approx(min(1.0, 3 * res[ablation.CLIP].comparison.p))
    assert ablation.mechanism(res) == ablation.INCOMPLETE
    # planned with one seed, the same runs are complete, and one seed is not tested
    res = ablation.tests(runs({ablation.PAPER_ARM: LOW[:1], ablation.CHRONO: HIGH[:1]}), n_seeds=1)
    assert res[ablation.CHRONO].verdict == stats.NOT_TESTED


def test_an_interim_comparison_is_shown_but_not_judged():
    """Two seeds of three far ahead of their control are still no verdict: the third may differ."""
    interim = ablation.tests(runs({ablation.CLIP: SAME, ablation.PLSTM: HIGH[:2]}))[ablation.PLSTM]
    assert interim.verdict == ablation.INCOMPLETE
    assert interim.comparison.n_b == 2 and interim.comparison.p < stats.ALPHA  # the interim numbers stay visible
    final = ablation.tests(runs({ablation.CLIP: SAME, ablation.PLSTM: HIGH[:2] + [0.11]}))[ablation.PLSTM]
    assert final.verdict == stats.UNDECIDED
    with pytest.raises(ValueError, match="n_seeds"):
        ablation.tests(runs({}), n_seeds=0)


@pytest.mark.parametrize(
    "chrono, clip, expected",
    [
        (HIGH, SAME, stats.SUPPORTED),
        (SAME, HIGH, stats.REFUTED),
        (HIGH, HIGH, ablation.BOTH_LEVERS),
        (SAME, SAME, stats.UNDECIDED),
    ],
)
def test_the_mechanism_follows_the_two_levers(chrono, clip, expected):
    res = ablation.tests(runs({ablation.PAPER_ARM: LOW, ablation.CHRONO: chrono, ablation.CLIP: clip}))
    assert ablation.mechanism(res) == expected


def test_families_are_corrected_apart():
    accs = {ablation.PAPER_ARM: LOW, ablation.CLIP: SAME, ablation.PLSTM: HIGH, ablation.CHRONO: HIGH}
    res = ablation.tests(runs(accs))
    gate = res[ablation.PLSTM]
    assert gate.p_holm == pytest.approx(gate.comparison.p)  # a family of one
    assert gate.verdict == stats.SUPPORTED and gate.comparison.difference > 0
    assert res[ablation.CHRONO].p_holm >= res[ablation.CHRONO].comparison.p


def test_a_lower_hilbert_mean_supports_its_prediction():
    res = ablation.tests(runs({ablation.CLIP: HIGH, ablation.CLIP_HILBERT: [0.90, 0.905, 0.91]}))
    assert res[ablation.CLIP_HILBERT].verdict == stats.SUPPORTED


def test_a_jump_is_paired_with_its_epochs_gradients():
    r = fake(0.5, loss=[2.0, 1.0, 1.6, 0.9, 1.0], grad_max=[3.0, 2.0, 9.0, 1.0, 12.0])
    jumps = ablation.gradient_jumps(r, min_rise=0.3)
    assert [j.epoch for j in jumps] == [3]
    assert jumps[0].rise == pytest.approx(0.6)
    assert jumps[0].grad_max == 9.0 and jumps[0].earlier_max == 3.0 and jumps[0].largest_so_far


def test_a_jump_without_records_has_no_gradient_verdict():
    jumps = ablation.gradient_jumps(fake(0.5, loss=[1.0, 2.0]))
    assert len(jumps) == 1 and jumps[0].grad_max is None and jumps[0].largest_so_far is None


def test_an_empty_folder_gives_every_arm_and_no_run(tmp_path):
    found = ablation.load([0, 1, 2], folder=tmp_path)
    assert list(found) == list(ablation.ARMS) and not any(found.values())
    some = ablation.load([0], folder=tmp_path, arms=(ablation.CLIP, ablation.PLSTM))
    assert list(some) == [ablation.CLIP, ablation.PLSTM]


def test_present_lists_the_seeds_of_each_arm_that_has_any():
    found = runs({ablation.CLIP: [0.1, 0.2, 0.3], ablation.CHRONO: [0.9]})
    found[ablation.CHRONO] = {2: found[ablation.CHRONO][0], 0: fake(0.8)}
    assert ablation.present(found) == {ablation.CHRONO: [0, 2], ablation.CLIP: [0, 1, 2]}
    assert ablation.present(runs({})) == {}


def test_an_unknown_arm_is_named():
    with pytest.raises(ValueError, match=r"unknown arms \['chrono'\]"):
        ablation.load([0], arms=("chrono",))


def test_the_run_records_figure_has_a_column_per_arm_and_logs_gradients():
    import matplotlib

    matplotlib.use("Agg")
    from hilbertlib import training_figures

    r = fake(0.5, loss=[2.3, 1.0, 1.6], grad_max=[0.5, None, 40.0])
    r.history["val_accuracy"] = [0.1, 0.5, 0.4]
    panels = {a: ({"seed 0": r} if a == ablation.CLIP else {}) for a in ablation.ARMS}
    fig = training_figures.plot_run_records(panels, records=("val_accuracy", "grad_norm_max"))
    axes = fig.axes
    assert len(axes) == 2 * len(ablation.ARMS)
    clip = list(ablation.ARMS).index(ablation.CLIP)
    grad_ax = axes[len(ablation.ARMS) + clip]
    assert grad_ax.get_yscale() == "log"
    y = grad_ax.lines[0].get_ydata()
    assert np.isnan(y[1]) and y[2] == 40.0  # a missing record is a gap, not a zero
    empty = axes[0]
    assert not empty.lines and any("not trained" in t.get_text() for t in empty.texts)


def test_the_test_table_has_a_row_per_test_and_numbers_only_where_a_test_ran():
    fake = runs({ablation.PAPER_ARM: LOW, ablation.CHRONO: HIGH, ablation.CLIP: HIGH[:1]})
    res = ablation.tests(fake)
    table = ablation.test_table(res, fake)
    assert len(table) == len(ablation.PLANNED)
    ran = table.loc[f"{ablation.CHRONO} - {ablation.PAPER_ARM}"]
    assert ran["difference (points)"] == pytest.approx(100 * res[ablation.CHRONO].comparison.difference, abs=0.005)
    assert ran["seeds"] == f"{len(HIGH)} vs {len(LOW)}" and ran["verdict"] == res[ablation.CHRONO].verdict
    one_seed = table.loc[f"{ablation.CLIP} - {ablation.PAPER_ARM}"]
    assert one_seed["95% CI (points)"] == "" and one_seed["verdict"] == ablation.INCOMPLETE
    untrained = table.loc[f"{ablation.PLSTM} - {ablation.CLIP}"]
    assert np.isnan(untrained["difference (points)"]) and untrained["verdict"] == ablation.NOT_TRAINED


def test_the_goal_is_judged_on_the_planned_seeds_only():
    assert ablation.goal(runs({}), 0.98) == (None, None, None, ablation.NOT_TRAINED)
    mean, low, high, verdict = ablation.goal(runs({ablation.CHOSEN: [0.985, 0.99]}), 0.98)
    assert verdict == ablation.INCOMPLETE and low < mean < high  # the interim interval stays visible
    assert (
        ablation.goal(runs({ablation.CHOSEN: [0.985, 0.99, 0.988]}), 0.98)[3]
        == stats.against_goal([0.985, 0.99, 0.988], 0.98)[3]
    )
    assert (
        ablation.goal(runs({ablation.CHOSEN: [0.985, 0.99]}), 0.98, n_seeds=2)[3]
        == stats.against_goal([0.985, 0.99], 0.98)[3]
    )
