"""Parameter checks of the chapters (hilbertlib.book.check_parameters): the names added for chapter 8."""

from __future__ import annotations

import pytest

from hilbertlib.book import ParameterError, check_parameters


@pytest.mark.parametrize("name,value", [
    ("units", [0]),
    ("units", [10, "20"]),
    ("units", []),
    ("units", "100"),
    ("search_units", 0),
    ("search_units", 2.5),
    ("search_units", None),
    ("validation_size", 0),
    ("validation_size", True),
])
def test_reservoir_parameters_fail_with_a_fix(name, value):
    with pytest.raises(ParameterError) as info:
        check_parameters(**{name: value})
    assert repr(name) in str(info.value) and "fix: papermill" in str(info.value)


def test_reservoir_parameters_accept_good_values():
    good = dict(units=None, search_units=200, validation_size=None)
    assert check_parameters(**good) == good
    check_parameters(units=[10, 20], search_units=10, validation_size=256)
    check_parameters(units=(100,))


def test_a_list_parameter_gets_a_yaml_fix():
    with pytest.raises(ParameterError, match=r"fix: papermill \.\.\. -y 'units: \[10, 20\]'"):
        check_parameters(units="100")


def test_timing_table_groups_runs_by_model_length_and_machine(tmp_path):
    import json

    from hilbertlib.book import timing_table

    def write(name, model, size, device, seconds):
        data = {"spec": {"model": model, "size": size}, "environment": {"backend": "torch", "device": device},
                "epoch_seconds": seconds}
        (tmp_path / f"{name}.json").write_text(json.dumps(data))

    write("a", "lstm", 28, "cuda:H200", [10.0, 20.0])
    write("b", "lstm", 28, "cuda:H200", [30.0])
    write("c", "lstm", 28, "cpu", [600.0])
    write("d", "cnn", 28, "cpu", [20.0, 22.0])
    table = timing_table(tmp_path)
    rows = {(r["model"], r["steps"], r["device"]): r for r in table.to_dict("records")}
    assert set(rows) == {("lstm", "784", "cuda:H200"), ("lstm", "784", "cpu"), ("cnn", "image (CNN)", "cpu")}
    gpu = rows["lstm", "784", "cuda:H200"]
    assert gpu["runs"] == 2 and gpu["s/epoch (median)"] == "20" and gpu["s/epoch (range)"] == "10-30"
    assert rows["lstm", "784", "cpu"]["hours in all"] == "0.2"


def test_timing_table_splits_a_resumed_run_by_machine(tmp_path):
    import json

    from hilbertlib.book import epoch_machines, timing_table

    gpu = {"backend": "torch", "device": "cuda:H200"}
    cpu = {"backend": "jax", "device": "cpu"}
    data = {"spec": {"model": "lstm", "size": 28}, "environment": cpu,
            "epoch_seconds": [20.0, 21.0, 19.0, 600.0, 590.0],
            "segments": [{"from_epoch": 0, **gpu}, {"from_epoch": 2, **gpu}, {"from_epoch": 3, **cpu}]}
    assert epoch_machines(data) == [("torch", "cuda:H200", [20.0, 21.0]), ("torch", "cuda:H200", [19.0]),
                                    ("jax", "cpu", [600.0, 590.0])]
    old = {"from_epoch": 0, "backend": "not recorded"}
    assert epoch_machines({**data, "segments": [old, {"from_epoch": 3, **cpu}]})[0] == (
        "not recorded", "not recorded", [20.0, 21.0, 19.0])
    (tmp_path / "r.json").write_text(json.dumps(data))
    rows = {(r["backend"], r["device"]): r for r in timing_table(tmp_path).to_dict("records")}
    # the GPU epochs are not averaged with the CPU ones
    assert rows["torch", "cuda:H200"]["s/epoch (median)"] == "20" and rows["torch", "cuda:H200"]["s/epoch (range)"] == "19-21"
    assert rows["jax", "cpu"]["s/epoch (median)"] == "595"
    assert rows["torch", "cuda:H200"]["runs"] == 1 and rows["jax", "cpu"]["runs"] == 1


def test_trained_on_names_each_machine_of_a_resumed_run():
    from types import SimpleNamespace

    from hilbertlib.book import trained_on

    cpu = {"backend": "jax", "device": "cpu:cpu"}
    gpu = {"backend": "torch", "device": "cuda:NVIDIA H200"}
    plain = SimpleNamespace(data={}, environment=cpu)
    assert trained_on(plain) == "jax, CPU"
    resumed = SimpleNamespace(data={"segments": [{"from_epoch": 0, **gpu}, {"from_epoch": 11, **cpu}]},
                              environment=cpu)
    assert trained_on(resumed) == "torch, NVIDIA H200, then jax, CPU"
    # an interruption on the same machine is one machine; an unrecorded first stretch is skipped
    same = SimpleNamespace(data={"segments": [{"from_epoch": 0, "backend": "not recorded"},
                                              {"from_epoch": 3, **gpu}, {"from_epoch": 5, **gpu}]}, environment=gpu)
    assert trained_on(same) == "torch, NVIDIA H200"


def _cells_bench(folder, name, backend, device, rows, note=""):
    import json

    data = {"size": 28, "steps": 5, "warm": 1, "note": note,
            "environment": {"backend": backend, "device": device},
            "rows": [{"batch_size": b, "lstm_s_per_batch": l, "plstm_s_per_batch": p,
                      "lstm_s_per_epoch": l * 1688, "plstm_s_per_epoch": p * 1688, "plstm_over_lstm": p / l}
                     for b, l, p in rows]}
    (folder / f"cells-{name}.json").write_text(json.dumps(data))


def test_cell_cost_sentence_and_table(tmp_path):
    from hilbertlib import book

    assert book.cell_cost_sentence(tmp_path) == "no measurement is committed yet."
    assert book.cells_table(tmp_path).empty
    _cells_bench(tmp_path, "a", "torch", "cuda:NVIDIA H200", [(32, 0.01, 1.5), (128, 0.02, 1.6)], note="shared")
    _cells_bench(tmp_path, "b", "jax", "cpu", [(32, 0.4, 0.5)])
    s = book.cell_cost_sentence(tmp_path, batch_size=32)
    assert "150.00 times as long on torch, NVIDIA H200" in s and "; shared" in s
    assert "1.25 times as long on jax, CPU" in s and s.count("times as long") == 2
    assert "42 minutes" in s  # 1.5 s x 1688 batches
    df = book.cells_table(tmp_path)
    assert len(df) == 3 and list(df["pLSTM / LSTM"]) == ["150.00", "80.00", "1.25"]


def test_count_puts_the_noun_in_the_plural_unless_one():
    from hilbertlib import book

    assert book.count(1, "epoch") == "1 epoch"
    assert [book.count(n, "epoch") for n in (0, 2, 20)] == ["0 epochs", "2 epochs", "20 epochs"]


def test_join_and_lists_like_prose():
    from hilbertlib import book

    assert book.join_and(["a"]) == "a"
    assert book.join_and(iter(["a", "b"])) == "a and b"
    assert book.join_and(["a", "b", "c", "d"]) == "a, b, c and d"
    with pytest.raises(ValueError, match="at least one"):
        book.join_and([])


def test_pct_by_seed():
    from hilbertlib import book

    assert book.pct_by_seed([]) == book.PENDING
    assert book.pct_by_seed([(0, 0.1826)]) == "18.26% (seed 0)"
    assert book.pct_by_seed(zip([0, 2], [0.1826, 0.2095])) == "18.26%, 20.95% (seeds 0, 2)"


def test_missing_table_projects_each_run_from_the_stored_epoch_times(tmp_path):
    import json

    from hilbertlib.book import missing_table
    from hilbertlib.grid import all_specs

    def write(name, model, size, backend, device, seconds):
        data = {"spec": {"model": model, "size": size}, "environment": {"backend": backend, "device": device},
                "epoch_seconds": seconds}
        (tmp_path / f"{name}.json").write_text(json.dumps(data))

    write("a", "lstm", 28, "torch", "cuda:H200", [10.0, 20.0, 30.0])
    write("b", "lstm", 28, "jax", "cpu:cpu", [600.0])
    write("c", "cnn", 28, "jax", "cpu:cpu", [20.0, 22.0])
    rows = {r["id"]: r for r in missing_table(tmp_path).to_dict("records")}
    assert set(rows) == {s.id for s in all_specs()}  # the timing files are no results
    # 20 epochs x the median epoch, per machine; 40 epochs for the longer budget
    assert rows["lstm-28-row-s1"]["projected time"] == "jax, CPU: 3.3 h; torch, H200: 7 min"
    assert rows["lstm-28-row-s1-e40-clip1-chrono"]["epochs"] == 40
    assert rows["lstm-28-row-s1-e40-clip1-chrono"]["projected time"] == "jax, CPU: 6.7 h; torch, H200: 13 min"
    assert rows["cnn-28-s0"]["projected time"] == "jax, CPU: 7 min"
    assert rows["lstm-14-row-s0"]["projected time"] == "no timing yet"  # 196 steps is another length
    assert rows["plstm-28-row-s0-clip1"]["projected time"] == "no timing yet"
    assert rows["lstm-28-row-s1"]["parked"] == ""
    # a parked checkpoint: only the remaining epochs are projected
    spec = next(s for s in all_specs() if s.id == "lstm-28-row-s1-e40-clip1-chrono")
    parked = tmp_path / "in-progress" / spec.id
    parked.mkdir(parents=True)
    (parked / "model.keras").write_bytes(b"weights")
    (parked / "state.json").write_text(json.dumps({"spec": spec.to_dict(), "completed_epochs": 30}))
    row = {r["id"]: r for r in missing_table(tmp_path).to_dict("records")}[spec.id]
    assert row["parked"] == "after 30 epochs"
    assert row["projected time"] == "jax, CPU: 1.7 h; torch, H200: 3 min"


def test_lstm14_seed_sd_pools_the_committed_14x14_seeds(tmp_path):
    import numpy as np

    from hilbertlib.book import experiment, get_results, lstm14_seed_sd
    from hilbertlib.grid import LSTM_SEEDS

    assert lstm14_seed_sd(tmp_path) is None  # nothing committed there: no yardstick
    accs = {o: [r.test_accuracy for r in get_results([experiment("lstm", 14, o, s) for s in LSTM_SEEDS]).values()
                if r is not None] for o in ("row", "hilbert")}
    if min(len(v) for v in accs.values()) < 2:
        pytest.skip("the committed results lack two seeds of each ordering")
    ss = sum(float(np.sum((np.array(v) - np.mean(v)) ** 2)) for v in accs.values())
    dof = sum(len(v) - 1 for v in accs.values())
    assert lstm14_seed_sd() == pytest.approx(np.sqrt(ss / dof))


def test_describe_change_names_each_lever_against_the_spec():
    from hilbertlib.book import describe_change, experiment

    base = experiment("lstm", 28, "row", init="chrono", clipnorm=1.0)
    assert describe_change(base, {"epochs": 40}) == "epochs 40 instead of 20"
    assert describe_change(base, (("learning_rate", 2e-3), ("schedule", "cosine"))) == (
        "learning rate 0.002 instead of 0.001 and schedule cosine instead of constant")
    assert describe_change(base, {"epochs": 40, "learning_rate": 2e-3, "schedule": "cosine"}) == (
        "epochs 40 instead of 20, learning rate 0.002 instead of 0.001 and schedule cosine instead of constant")


def test_single_run_noise_is_twice_the_se_of_a_difference_of_two_runs(tmp_path):
    import numpy as np

    from hilbertlib.book import long_seed_sd, lstm14_seed_sd, single_run_noise

    assert single_run_noise(tmp_path) is None  # no seed spread to borrow
    sd = lstm14_seed_sd()
    if sd is None:
        pytest.skip("the committed results lack two seeds of each ordering")
    noise, clause = single_run_noise()
    assert noise == pytest.approx(2 * np.sqrt(2) * sd)
    assert f"{100 * noise:.2f} points" in clause and f"({100 * sd:.2f} points" in clause
    long = long_seed_sd()
    assert ("by the spread measured at 784 steps" in clause) == (long is not None)
    if long is not None:
        assert f"({100 * 2 * np.sqrt(2) * long[0]:.2f} points by the spread" in clause


def test_long_seed_sd_is_the_spread_of_the_committed_784_step_seeds(tmp_path):
    import shutil

    import numpy as np

    from hilbertlib.book import experiment, get_results, long_seed_sd, long_spread_clause, results_dir
    from hilbertlib.grid import LONG_BEST, LONG_RECIPE, LSTM_SEEDS

    specs = [experiment("lstm", 28, "row", s, **LONG_RECIPE, **LONG_BEST) for s in LSTM_SEEDS]
    found = {k: r for k, r in get_results(specs).items() if r is not None}
    if len(found) < 2:
        pytest.skip("the committed results lack two seeds of grid.LONG_BEST")
    assert long_seed_sd(tmp_path) is None
    assert long_spread_clause(tmp_path) == "the spread at 784 steps is unmeasured"
    ids = sorted(found)
    shutil.copy(results_dir(None) / f"{ids[0]}.json", tmp_path)
    assert long_seed_sd(tmp_path) is None  # one seed has no spread
    for k in ids[1:]:
        shutil.copy(results_dir(None) / f"{k}.json", tmp_path)
    sd, n = long_seed_sd(tmp_path)
    accs = [found[k].test_accuracy for k in ids]
    assert n == len(ids) and sd == pytest.approx(float(np.std(accs, ddof=1)))
    assert f"{n} seeds" in long_spread_clause(tmp_path) and f"{100 * sd:.2f} points" in long_spread_clause(tmp_path)
    assert ("only" in long_spread_clause(tmp_path)) == (n < len(LSTM_SEEDS))


def test_backend_verdict_names_the_fastest_and_jax(tmp_path):
    import json

    from hilbertlib import book

    def table(rates):
        p = tmp_path / "b.json"
        p.write_text(json.dumps({"results": [
            {"backend": b, "versions": {b: "1"}, "steps_per_s": r, "projected_epoch_seconds": 1687.5 / r, "timed_steps": 150}
            for b, r in rates.items()]}))
        return book.backend_table(p)

    assert book.backend_verdict(table({"tensorflow": 20.0, "jax": 16.0})) == (
        "TensorFlow is the fastest backend in this run: JAX takes 1.25 times as long per training step.")
    assert book.backend_verdict(table({"tensorflow": 10.0, "jax": 15.0})) == (
        "JAX is the fastest backend in this run, 1.50 times as fast per step as the next one.")
    assert book.backend_verdict(table({"torch": 3.0})) == "PyTorch is the fastest backend in this run; JAX was not measured."
    assert book.backend_verdict(book.backend_table(tmp_path / "missing.json")) == "No backend benchmark committed yet."
