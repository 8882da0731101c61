"""The command line, ``python -m hilbertlib`` (orderings, status, run --list).

Every command here points ``--results`` at a temporary folder and never trains.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hilbertlib.__main__ import main
from hilbertlib.grid import all_specs
from hilbertlib.orderings import ordering_names
from hilbertlib.result_files import result_path
from hilbertlib.specs import ExperimentSpec

REPO = Path(__file__).resolve().parent.parent
ALL_IDS = [s.id for s in all_specs()]


def cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run(
        [sys.executable, "-m", "hilbertlib", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


def fake_result(results: Path, spec: ExperimentSpec, accuracy: float = 0.9) -> Path:
    """A minimal stored result, enough for load_result and status."""
    path = result_path(spec, results)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "spec": spec.to_dict(),
        "test": {"accuracy": accuracy, "loss": 0.3},
        "history": {"accuracy": [accuracy]},
        "wall_seconds": 60.0,
        "environment": {"backend": "jax"},
    }
    path.write_text(json.dumps(data))
    return path


# ------------------------------------------------------------ orderings


def test_orderings_subprocess():
    proc = cli("orderings")
    assert proc.returncode == 0, proc.stderr
    names = [line.split()[0] for line in proc.stdout.splitlines() if line.strip()]
    assert "hilbert" in names
    assert set(ordering_names()) <= set(names)
    assert "reversed:hilbert" in proc.stdout


def test_orderings_in_process(capsys):
    assert main(["orderings"]) == 0
    out = capsys.readouterr().out
    for name, doc in ordering_names().items():
        assert name in out and doc in out


# ------------------------------------------------------------ run --list / status


def test_run_list_prints_every_missing_experiment(tmp_path, capsys):
    assert main(["run", "--list", "--results", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.split()
    assert "cnn-28-s0" in lines
    assert lines == ALL_IDS
    assert list(tmp_path.iterdir()) == []  # listing writes nothing


def test_run_list_skips_existing_results(tmp_path, capsys):
    fake_result(tmp_path, ExperimentSpec("cnn", 28))
    assert main(["run", "--list", "--results", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.split()
    assert "cnn-28-s0" not in lines
    assert lines == [i for i in ALL_IDS if i != "cnn-28-s0"]
    assert main(["run", "--list", "--retrain", "--results", str(tmp_path)]) == 0
    assert "cnn-28-s0" in capsys.readouterr().out.split()


def test_run_list_only_and_shard(tmp_path, capsys):
    assert main(["run", "--list", "--only", "lstm-14-hilbert-s0,cnn-28-s0", "--results", str(tmp_path)]) == 0
    assert capsys.readouterr().out.split() == ["lstm-14-hilbert-s0", "cnn-28-s0"]
    shards = []
    for i in (1, 2, 3):
        assert main(["run", "--list", "--shard", f"{i}/3", "--results", str(tmp_path)]) == 0
        shards.append(capsys.readouterr().out.split())
    assert shards[0] == ALL_IDS[0::3]
    assert sorted(sum(shards, [])) == sorted(ALL_IDS)  # the shards cover every spec once
    assert main(["run", "--list", "--grid", "paper", "--results", str(tmp_path)]) == 0
    assert "cnn-28-s0" in capsys.readouterr().out.split()


def test_status_reports_missing_present_and_bad(tmp_path, capsys):
    fake_result(tmp_path, ExperimentSpec("cnn", 28), accuracy=0.9876)
    result_path(ExperimentSpec("lstm", 14, "row"), tmp_path).write_text("{broken")
    assert main(["status", "--results", str(tmp_path)]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert set(lines) == set(ALL_IDS)
    assert "test acc 0.9876" in lines["cnn-28-s0"]
    assert "BAD" in lines["lstm-14-row-s0"]
    assert "missing" in lines["lstm-14-hilbert-s0"]


# ------------------------------------------------------------ bad arguments


def test_run_only_unknown_id_fails_subprocess(tmp_path):
    proc = cli("run", "--only", "nope", "--results", str(tmp_path))
    assert proc.returncode != 0
    assert "nope" in proc.stderr and "unknown experiment" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_run_only_unknown_id_fails_in_process(tmp_path):
    with pytest.raises(SystemExit) as exc:
        main(["run", "--only", "nope", "--results", str(tmp_path)])
    assert exc.value.code not in (0, None)
    assert "nope" in str(exc.value.code)


@pytest.mark.parametrize("shard", ["0/3", "4/3", "x", "1/0", "1-3"])
def test_bad_shard_is_rejected(tmp_path, capsys, shard):
    with pytest.raises(SystemExit) as exc:
        main(["run", "--list", "--shard", shard, "--results", str(tmp_path)])
    assert exc.value.code == 2
    assert "--shard" in capsys.readouterr().err


def test_unknown_grid_is_an_error(tmp_path, capsys):
    assert main(["run", "--list", "--grid", "nope", "--results", str(tmp_path)]) == 2
    assert "unknown grid" in capsys.readouterr().err


def test_a_command_is_required(capsys):
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2


def test_cli_draw_and_metrics(tmp_path):
    import subprocess
    import sys

    png = tmp_path / "h.png"
    out = subprocess.run(
        [sys.executable, "-m", "hilbertlib", "draw", "hilbert", "--size", "14", "-o", str(png)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    out = subprocess.run(
        [sys.executable, "-m", "hilbertlib", "metrics", "hilbert-crop", "--size", "28"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert any(line.split() == ["non_unit_steps", "5"] for line in out.splitlines()), out
    bad = subprocess.run([sys.executable, "-m", "hilbertlib", "metrics", "hilbret"], capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown ordering" in bad.stderr


def test_reservoir_list_names_every_missing_run(tmp_path, capsys):
    from hilbertlib.reservoir_grid import search_grid

    assert main(["reservoir", "--list", "--results", str(tmp_path), "--orderings", "row"]) == 0
    out = capsys.readouterr().out
    assert f"missing: {len(search_grid(14, ['row'])) + 2}" in out  # + the sweep, + the 28x28 stages
    assert "esn-14-row-n200-a0.05-r0.5-s0" in out and "size sweep (needs the search)" in out
    assert "esn-28-row search (needs the 14x14 search)" in out
    assert not list(tmp_path.iterdir())  # --list computes nothing


def test_reservoir_rejects_an_unknown_ordering(tmp_path, capsys):
    assert main(["reservoir", "--list", "--results", str(tmp_path), "--orderings", "zigzag"]) == 2
    assert "zigzag" in capsys.readouterr().err


# ------------------------------------------------------------ run --backend


def test_backend_option_sends_a_model_to_its_own_backend(tmp_path, monkeypatch, capsys):
    """--backend plstm=jax beside a torch default: the pLSTM's process gets JAX, the LSTM's keeps torch,
    even with --jobs 1 (a backend cannot change inside one Python process)."""
    import hilbertlib.__main__ as cli_mod

    seen = {}

    def fake_run(cmd, stdout=None, stderr=None, env=None, **kw):
        seen[cmd[cmd.index("--only") + 1]] = env["KERAS_BACKEND"]
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(cli_mod.subprocess, "run", fake_run)
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    ids = "plstm-28-row-s0-e5-clip1,lstm-28-row-s1"
    assert (
        main(
            [
                "run",
                "--only",
                ids,
                "--results",
                str(tmp_path),
                "--logs",
                str(tmp_path / "logs"),
                "--jobs",
                "1",
                "--backend",
                "plstm=jax",
            ]
        )
        == 0
    )
    assert seen == {"plstm-28-row-s0-e5-clip1": "jax", "lstm-28-row-s1": "torch"}
    assert "plstm-28-row-s0-e5-clip1: done" in capsys.readouterr().out


@pytest.mark.parametrize("bad", ["plstm", "plstm=jaxx", "gru=jax", "=jax"])
def test_bad_backend_option_is_rejected(tmp_path, capsys, bad):
    with pytest.raises(SystemExit):
        main(["run", "--list", "--backend", bad, "--results", str(tmp_path)])
    err = capsys.readouterr().err
    assert "MODEL=BACKEND" in err and repr(bad) in err


def test_park_needs_ids_and_a_checkpoint(tmp_path, capsys):
    with pytest.raises(SystemExit, match="--only"):
        main(["park", "--results", str(tmp_path)])
    some = ALL_IDS[0]
    assert main(["park", "--only", some, "--results", str(tmp_path), "--cache", str(tmp_path / "ck")]) == 2
    assert f"no checkpoint of {some}" in capsys.readouterr().err


def test_park_and_status_show_the_parked_epochs(tmp_path, capsys):
    spec = all_specs()[0]
    ck = tmp_path / "ck" / spec.id
    ck.mkdir(parents=True)
    (ck / "model.keras").write_bytes(b"weights")
    (ck / "state.json").write_text(json.dumps({"spec": spec.to_dict(), "completed_epochs": 3}))
    assert main(["park", "--only", spec.id, "--results", str(tmp_path), "--cache", str(tmp_path / "ck")]) == 0
    assert f"{spec.id}: parked after 3 of {spec.epochs} epochs" in capsys.readouterr().out
    assert main(["status", "--only", spec.id, "--results", str(tmp_path)]) == 0
    assert f"missing (parked after 3 of {spec.epochs} epochs)" in capsys.readouterr().out


def test_pin_gives_each_job_one_core_and_one_thread(tmp_path, monkeypatch):
    import hilbertlib.__main__ as cli_mod

    if not hasattr(cli_mod.os, "sched_getaffinity"):
        pytest.skip("pinning needs Linux")
    seen = []
    pinned = []

    def fake_run(cmd, stdout=None, stderr=None, env=None, preexec_fn=None, **kw):
        seen.append(env)
        monkeypatch.setattr(cli_mod.os, "sched_setaffinity", lambda pid, cores: pinned.append(set(cores)))
        preexec_fn()
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(cli_mod.subprocess, "run", fake_run)
    monkeypatch.setattr(cli_mod.os, "sched_getaffinity", lambda pid: {0, 1})
    ids = "lstm-14-row-s0,lstm-14-hilbert-s0,lstm-14-row-s1"
    assert (
        main(
            ["run", "--only", ids, "--results", str(tmp_path), "--logs", str(tmp_path / "logs"), "--jobs", "2", "--pin"]
        )
        == 0
    )
    assert len(seen) == 3
    assert all(cli_mod.ONE_THREAD_XLA in env["XLA_FLAGS"] and env["OMP_NUM_THREADS"] == "1" for env in seen)
    assert all(len(c) == 1 and c <= {0, 1} for c in pinned)


# ------------------------------------------------------------ a set of its own (grid.SET_FOLDERS)


def test_a_set_reads_and_writes_its_own_folder_by_default(tmp_path, monkeypatch, capsys):
    import hilbertlib.result_files
    from hilbertlib.grid import grid

    monkeypatch.setattr(hilbertlib.result_files, "RESULTS_DIR", tmp_path)
    paper_784 = ExperimentSpec("lstm", 28, "row")
    chrono = ExperimentSpec("lstm", 28, "row", init="chrono")
    fake_result(tmp_path, paper_784)  # the main folder's run of the same id: another machine, not the set's
    fake_result(tmp_path / "ablation", chrono)
    assert main(["run", "--grid", "ablation", "--list"]) == 0
    listed = capsys.readouterr().out.split()
    assert paper_784.id in listed and chrono.id not in listed
    assert listed == [s.id for s in grid("ablation") if s.id != chrono.id]
    assert main(["run", "--list"]) == 0  # the main grids never list the set's runs
    assert chrono.id not in capsys.readouterr().out.split()


def test_a_set_id_without_its_grid_names_the_grid_to_add(tmp_path, capsys):
    with pytest.raises(SystemExit, match="--grid ablation"):
        main(["run", "--list", "--only", "lstm-28-row-s1-chrono", "--results", str(tmp_path)])


def test_the_status_page_lists_a_sets_missing_runs_under_its_folder(tmp_path):
    from hilbertlib.grid import grid
    from hilbertlib.status_tables import missing_table

    chrono = ExperimentSpec("lstm", 28, "row", init="chrono")
    fake_result(tmp_path / "ablation", chrono)
    ids = set(missing_table(tmp_path)["id"])
    assert {f"ablation/{s.id}" for s in grid("ablation") if s != chrono} <= ids
    assert f"ablation/{chrono.id}" not in ids


def test_only_a_set_gets_a_checkpoint_folder_of_its_own(tmp_path, monkeypatch):
    """Without a set the checkpoint folder stays unset (a Dask run then shares none), as before sets existed."""
    import hilbertlib.__main__ as cli_main
    from hilbertlib.checkpoints import CACHE_DIR

    seen = {}
    monkeypatch.setattr(cli_main, "_cmd_run", lambda args: seen.setdefault(args.grid, args.cache) and 0)
    main(["run", "--list"])
    main(["run", "--list", "--grid", "ablation"])
    assert seen[None] is None
    assert seen["ablation"] == CACHE_DIR / "ablation"
