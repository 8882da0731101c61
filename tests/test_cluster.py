"""The grid on a Dask cluster (hilbertlib.cluster): a LocalCluster of 2 worker processes and tiny specs.

Every result that a cluster run writes equals a local run's; a worker killed
mid-run costs that run a restart on another worker, which resumes from the
shared checkpoint, and every result is still written exactly once, whole.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")
# One LocalCluster for the module: its tests run on one pytest-xdist worker (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("dask-local-cluster")

from hilbertlib import cluster  # noqa: E402
from hilbertlib.result_files import load_result  # noqa: E402
from hilbertlib.specs import ExperimentSpec  # noqa: E402

TINY = [
    ExperimentSpec("lstm", 14, "row", epochs=1, train_size=64, test_size=64, units=8, dense_units=8),
    ExperimentSpec("simple_rnn", 14, "hilbert", epochs=1, train_size=64, test_size=64, units=8, dense_units=8),
]
# Long enough after its first (compiling) epoch that the test can kill its worker mid-run (it polls
# the shared checkpoint every 20 ms; an epoch takes a few tenths of a second), short enough to stay cheap.
LONG = ExperimentSpec("lstm", 14, "row", epochs=12, train_size=128, test_size=64, units=8, dense_units=8, seed=2)
HISTORY = ("loss", "accuracy", "val_loss", "val_accuracy")


@pytest.fixture(scope="module")
def local_cluster(mnist_path):
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
    ) as lc:
        yield lc


def leftovers(folder: Path) -> list[str]:
    """Temporary files an interrupted write would leave."""
    return [p.name for p in folder.rglob("*") if p.name.startswith(".") or ".tmp" in p.name]


def local_run(spec: ExperimentSpec, folder: Path) -> dict:
    """The spec trained as ``python -m hilbertlib run`` trains it: in a fresh process of its own.

    Not in this one: the LocalCluster's scheduler runs here, and its threads
    draw from Python's global random state, which Keras seeds its initial
    weights from.
    """
    code = (
        "import json, sys; from hilbertlib.runner import run; from hilbertlib.specs import spec_from_dict; "
        "run(spec_from_dict(json.loads(sys.argv[1])), sys.argv[2], cache_dir=sys.argv[3])"
    )
    subprocess.run(
        [sys.executable, "-c", code, json.dumps(spec.to_dict()), str(folder), str(folder / "ckpt")],
        check=True,
        capture_output=True,
        timeout=900,
    )
    return json.loads((folder / f"{spec.id}.json").read_text())


def same_run(a: dict, b: dict) -> None:
    for k in HISTORY:
        assert a["history"][k] == pytest.approx(b["history"][k], rel=1e-5, abs=1e-6), k
    assert a["test"]["confusion_matrix"] == b["test"]["confusion_matrix"]
    assert a["test"]["loss"] == pytest.approx(b["test"]["loss"], rel=1e-5)


def test_every_result_arrives_and_equals_a_local_run(local_cluster, tmp_path):
    logged: list[str] = []
    outcome = cluster.run_grid(
        TINY, local_cluster.scheduler_address, tmp_path / "results", checkpoints=tmp_path / "ckpt", log=logged.append
    )
    assert outcome == {s.id: "done" for s in TINY}, logged
    assert not leftovers(tmp_path / "results")
    for spec in TINY:
        remote = load_result(spec, tmp_path / "results")
        assert remote is not None and remote.weights_path.is_file()
        same_run(remote.data, local_run(spec, tmp_path / "local"))
    # Nothing left to do: a second call submits nothing.
    assert cluster.run_grid(TINY, local_cluster.scheduler_address, tmp_path / "results", log=logged.append) == {}
    assert logged[-1] == "nothing to run: every selected result exists"


def test_a_worker_killed_mid_run_loses_only_that_run_to_a_restart(local_cluster, tmp_path):
    results, ckpt = tmp_path / "results", tmp_path / "ckpt"
    specs = [LONG, *TINY]
    written: list[str] = []
    outcome: dict[str, str] = {}

    def log(msg: str) -> None:
        if "written to" in msg:
            written.append(msg.split(":")[0])

    # One client for the run and for watching it, open until the run has ended.  (Two clients that a
    # thread and the test create at the same moment can leave the run's client without updates.)  The
    # thread is a daemon, so that a run that never ends fails this test instead of hanging pytest's exit.
    with distributed.Client(local_cluster.scheduler_address) as client:
        thread = threading.Thread(
            target=lambda: outcome.update(cluster.run_grid(specs, client, results, checkpoints=ckpt, log=log)),
            daemon=True,
        )
        thread.start()
        killed = None
        pids = client.run(os.getpid)
        state = ckpt / LONG.id / "state.json"
        deadline = time.monotonic() + 600  # generous: a busy machine, and the first epoch compiles
        while killed is None and time.monotonic() < deadline:
            done = json.loads(state.read_text())["completed_epochs"] if state.exists() else 0
            if 1 <= done < LONG.epochs:
                busy = [w for w, keys in client.processing().items() if any(LONG.id in str(k) for k in keys)]
                if busy:
                    os.kill(pids[busy[0]], signal.SIGKILL)
                    killed = done
            time.sleep(0.02)
        thread.join(timeout=600)
    assert killed is not None, "the long run was never seen mid-run"
    assert not thread.is_alive()
    assert outcome == {s.id: "done" for s in specs}
    assert sorted(written) == sorted(s.id for s in specs)  # each result written once
    assert not leftovers(results)
    res = load_result(LONG, results)
    assert res is not None and res.weights_path.is_file()
    assert res.data["resumed_at"] and res.data["resumed_at"][0] >= killed  # resumed from the shared checkpoint
    assert len(res.history["loss"]) == LONG.epochs
    same_run(
        res.data, local_run(LONG, tmp_path / "local")
    )  # a resumed run's history is an uninterrupted one's (same device and backend)


def test_reservoir_stages_run_on_the_cluster_and_match_a_local_grid(local_cluster, tmp_path):
    from hilbertlib.reservoir_grid import chapter_grid

    tiny = {
        "orderings": ["row"],
        "units": {14: (10,), 28: (10,)},
        "search_units": 10,
        "train_size": 100,
        "test_size": 100,
    }
    outcome = cluster.run_reservoir_grid(
        local_cluster.scheduler_address, tmp_path / "remote", log=lambda m: None, **tiny
    )
    assert outcome and set(outcome.values()) == {"done"}
    remote = chapter_grid(tmp_path / "remote", **tiny)
    assert remote["missing"] == []
    local = chapter_grid(tmp_path / "local", compute=True, **tiny)
    assert len(outcome) == len(list((tmp_path / "local").glob("*.json")))
    for size in (14, 28):
        got, want = remote["best"][size]["row"], local["best"][size]["row"]
        assert got.id == want.id and got.test_accuracy == want.test_accuracy


def test_the_command_line_sends_the_missing_runs_to_the_scheduler(tmp_path, monkeypatch, capsys):
    from hilbertlib.__main__ import main

    seen = {}

    def fake(todo, scheduler, results, **kw):
        seen.update(ids=[s.id for s in todo], scheduler=scheduler, results=results, **kw)
        return {s.id: "done" for s in todo}

    monkeypatch.setattr(cluster, "run_grid", fake)
    rc = main(
        [
            "run",
            "--grid",
            "paper",
            "--results",
            str(tmp_path),
            "--scheduler",
            "tcp://example:8786",
            "--cache",
            "/shared/ckpt",
        ]
    )
    assert rc == 0
    assert seen["scheduler"] == "tcp://example:8786" and seen["checkpoints"] == Path("/shared/ckpt")
    assert "lstm-14-row-s0" in seen["ids"] and seen["results"] == tmp_path
    assert f"{len(seen['ids'])} results written, 0 failed" in capsys.readouterr().out
    main(
        [
            "run",
            "--grid",
            "paper",
            "--results",
            str(tmp_path),
            "--scheduler",
            "tcp://example:8786",
            "--backend",
            "plstm=jax",
        ]
    )
    assert seen["backends"] == {"plstm": "jax"}
    with pytest.raises(SystemExit, match="--jobs"):
        main(["run", "--results", str(tmp_path), "--scheduler", "tcp://example:8786", "--jobs", "2"])


def test_a_result_for_another_spec_is_never_written(tmp_path):
    payload = {"id": "other", "result": {"id": "other"}, "weights": b""}
    with pytest.raises(RuntimeError, match="sent back"):
        cluster.write_result(TINY[0], payload, tmp_path)
    assert not any(tmp_path.iterdir())
