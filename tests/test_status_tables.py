"""The status page's tables (hilbertlib.status_tables): runs, epoch times by machine, what is missing
and what it would cost, and the benchmarks."""

from __future__ import annotations

import json

import pytest

from hilbertlib.status_tables import backend_table, cells_table, fastest_backend


def test_timing_table_groups_runs_by_model_length_and_machine(tmp_path):
    import json

    from hilbertlib.status_tables import timing_table

    def write(name, model, size, device, seconds):
        data = {
            "spec": {"model": model, "size": size},
            "environment": {"backend": "torch", "device": device},
            "epoch_seconds": seconds,
        }
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

    from hilbertlib.status_tables import epoch_machines, timing_table

    gpu = {"backend": "torch", "device": "cuda:H200"}
    cpu = {"backend": "jax", "device": "cpu"}
    data = {
        "spec": {"model": "lstm", "size": 28},
        "environment": cpu,
        "epoch_seconds": [20.0, 21.0, 19.0, 600.0, 590.0],
        "segments": [{"from_epoch": 0, **gpu}, {"from_epoch": 2, **gpu}, {"from_epoch": 3, **cpu}],
    }
    assert epoch_machines(data) == [
        ("torch", "cuda:H200", [20.0, 21.0]),
        ("torch", "cuda:H200", [19.0]),
        ("jax", "cpu", [600.0, 590.0]),
    ]
    old = {"from_epoch": 0, "backend": "not recorded"}
    assert epoch_machines({**data, "segments": [old, {"from_epoch": 3, **cpu}]})[0] == (
        "not recorded",
        "not recorded",
        [20.0, 21.0, 19.0],
    )
    (tmp_path / "r.json").write_text(json.dumps(data))
    rows = {(r["backend"], r["device"]): r for r in timing_table(tmp_path).to_dict("records")}
    # the GPU epochs are not averaged with the CPU ones
    assert (
        rows["torch", "cuda:H200"]["s/epoch (median)"] == "20"
        and rows["torch", "cuda:H200"]["s/epoch (range)"] == "19-21"
    )
    assert rows["jax", "cpu"]["s/epoch (median)"] == "595"
    assert rows["torch", "cuda:H200"]["runs"] == 1 and rows["jax", "cpu"]["runs"] == 1


def test_missing_table_projects_each_run_from_the_stored_epoch_times(tmp_path):
    import json

    from hilbertlib.grid import SET_FOLDERS, all_specs, grid
    from hilbertlib.status_tables import missing_table

    def write(name, model, size, backend, device, seconds):
        data = {
            "spec": {"model": model, "size": size},
            "environment": {"backend": backend, "device": device},
            "epoch_seconds": seconds,
        }
        (tmp_path / f"{name}.json").write_text(json.dumps(data))

    write("a", "lstm", 28, "torch", "cuda:H200", [10.0, 20.0, 30.0])
    write("b", "lstm", 28, "jax", "cpu:cpu", [600.0])
    write("c", "cnn", 28, "jax", "cpu:cpu", [20.0, 22.0])
    rows = {r["id"]: r for r in missing_table(tmp_path).to_dict("records")}
    in_sets = {f"{folder}/{s.id}" for name, folder in SET_FOLDERS.items() for s in grid(name)}
    assert set(rows) == {s.id for s in all_specs()} | in_sets  # the timing files are no results
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
    assert row["parked"] == "after 30 of 40 epochs"
    assert row["projected time"] == "jax, CPU: 1.7 h; torch, H200: 3 min"


def _cells_bench(folder, name, backend, device, rows, note=""):
    import json

    data = {
        "size": 28,
        "steps": 5,
        "warm": 1,
        "note": note,
        "environment": {"backend": backend, "device": device},
        "rows": [
            {
                "batch_size": b,
                "lstm_s_per_batch": lstm,
                "plstm_s_per_batch": p,
                "lstm_s_per_epoch": lstm * 1688,
                "plstm_s_per_epoch": p * 1688,
                "plstm_over_lstm": p / lstm,
            }
            for b, lstm, p in rows
        ],
    }
    (folder / f"cells-{name}.json").write_text(json.dumps(data))


def test_cells_table_one_row_per_machine_and_batch(tmp_path):
    assert cells_table(tmp_path).empty
    _cells_bench(tmp_path, "a", "torch", "cuda:NVIDIA H200", [(32, 0.01, 1.5), (128, 0.02, 1.6)], note="shared")
    _cells_bench(tmp_path, "b", "jax", "cpu", [(32, 0.4, 0.5)])
    df = cells_table(tmp_path)
    assert len(df) == 3 and list(df["pLSTM / LSTM"]) == ["150.00", "80.00", "1.25"]
    assert list(df["machine"]) == ["torch, NVIDIA H200", "torch, NVIDIA H200", "jax, CPU"]


def test_fastest_backend_and_how_jax_compares(tmp_path):
    def table(rates):
        p = tmp_path / "b.json"
        p.write_text(
            json.dumps(
                {
                    "results": [
                        {
                            "backend": b,
                            "versions": {b: "1"},
                            "steps_per_s": r,
                            "projected_epoch_seconds": 1687.5 / r,
                            "timed_steps": 150,
                        }
                        for b, r in rates.items()
                    ]
                }
            )
        )
        return backend_table(p)

    assert fastest_backend(table({"tensorflow": 20.0, "jax": 16.0})) == ("tensorflow", pytest.approx(1.25))
    assert fastest_backend(table({"tensorflow": 10.0, "jax": 15.0})) == ("jax", 1.0)
    assert fastest_backend(table({"torch": 3.0})) == ("torch", None)
    assert backend_table(tmp_path / "missing.json").empty
    with pytest.raises(ValueError, match="no backend benchmark"):
        fastest_backend(backend_table(tmp_path / "missing.json"))
