"""The maintainers' GPU tools (tools/gpu-run.sh, tools/gpu-unpack.sh), run here on the CPU.

gpu-run.sh works within a fixed time slice: a run still training at its end
must not cost the whole slice's output.  Here one real experiment is started
with a deadline too short for any epoch: the script must stop it, end its
training process (and no other), and still write the archives.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(sys.platform != "linux", reason="the script is written for the Linux GPU machine")
def test_hard_stop_still_packs_and_ends_only_its_own_runs(tmp_path):
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "hilbertlib run --only x"])
    try:
        work = tmp_path / "work"  # its own folder: pgrep below must not match a training elsewhere on the machine
        env = {
            **os.environ,
            "OUT": str(tmp_path),
            "WORK": str(work),
            "DEADLINE": "1",
            "HARD": "15",
            "JOBS": "1",
            "KERAS_BACKEND": "jax",
        }
        proc = subprocess.run(
            ["bash", "tools/gpu-run.sh", "lstm-14-column-s0"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "exit 124" in proc.stdout  # stopped by the hard limit, and said so
        with tarfile.open(tmp_path / "gpu-results.tar.gz") as tar:
            names = tar.getnames()
        assert "./summary.txt" in names and "./device.txt" in names
        assert not any(n.startswith("./checkpoints") for n in names)  # they go to the second archive
        leftover = subprocess.run(
            ["pgrep", "-f", f"lstm-14-column-s0 --results {work}/results"], capture_output=True, text=True
        )
        assert leftover.stdout.strip() == "", "the stopped run is still training"
        assert bystander.poll() is None, "the hard stop ended a process that was not its own"
    finally:
        bystander.kill()


def _unpack(root: Path, archive: Path, **env: str) -> subprocess.CompletedProcess:
    """tools/gpu-unpack.sh ARCHIVE, run in the checkout ``root`` with this project importable."""
    return subprocess.run(
        ["bash", "tools/gpu-unpack.sh", str(archive)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _checkpoint(folder: Path, run_id: str, epochs: int) -> None:
    (folder / run_id).mkdir(parents=True)
    (folder / run_id / "state.json").write_text(json.dumps({"completed_epochs": epochs}))


def test_unpack_keeps_the_checkpoint_that_is_further_along(tmp_path):
    """A carried checkpoint replaces a local one of the same run only when it has more epochs
    done; a run finished here meanwhile gets none."""
    root = tmp_path / "repo"
    (root / "tools").mkdir(parents=True)
    shutil.copy(ROOT / "tools" / "gpu-unpack.sh", root / "tools")
    local = root / ".cache" / "checkpoints"
    _checkpoint(local, "ahead-on-gpu", 3)
    _checkpoint(local, "ahead-here", 7)
    (root / "results").mkdir()
    (root / "results" / "finished-here.json").write_text("{}")
    carried = tmp_path / "archive" / "checkpoints"
    _checkpoint(carried, "ahead-on-gpu", 9)
    _checkpoint(carried, "ahead-here", 5)
    _checkpoint(carried, "finished-here", 2)
    _checkpoint(carried, "new", 1)
    (tmp_path / "archive" / "summary.txt").write_text("")
    with tarfile.open(tmp_path / "gpu-checkpoints.tar.gz", "w:gz") as tar:
        tar.add(tmp_path / "archive", arcname=".")
    proc = _unpack(root, tmp_path / "gpu-checkpoints.tar.gz")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    epochs = {d.name: json.loads((d / "state.json").read_text())["completed_epochs"] for d in local.iterdir()}
    assert epochs == {"ahead-on-gpu": 9, "ahead-here": 7, "new": 1}
    assert "replaced checkpoint ahead-on-gpu (3 -> 9 epochs)" in proc.stdout


def test_unpack_puts_a_set_of_its_own_into_its_folders(tmp_path):
    """With GRID naming a set (grid.SET_FOLDERS), results and checkpoints go to that set's folders only."""
    from hilbertlib.grid import SET_FOLDERS

    folder = SET_FOLDERS["ablation"]
    root = tmp_path / "repo"
    (root / "tools").mkdir(parents=True)
    shutil.copy(ROOT / "tools" / "gpu-unpack.sh", root / "tools")
    archive = tmp_path / "archive"
    (archive / "results" / "weights").mkdir(parents=True)
    (archive / "results" / "lstm-28-row-s0.json").write_text("{}")
    (archive / "results" / "weights" / "lstm-28-row-s0.weights.h5").write_bytes(b"w")
    _checkpoint(archive / "checkpoints", "lstm-28-row-s1-chrono", 4)
    with tarfile.open(tmp_path / "gpu-results.tar.gz", "w:gz") as tar:
        tar.add(archive, arcname=".")
    (root / "results").mkdir()
    (root / "results" / "lstm-28-row-s0.json").write_text('{"another": "machine"}')  # same id, main folder
    proc = _unpack(root, tmp_path / "gpu-results.tar.gz", GRID="ablation")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (root / "results" / folder / "lstm-28-row-s0.json").read_text() == "{}"
    assert (root / "results" / folder / "weights" / "lstm-28-row-s0.weights.h5").is_file()
    assert (root / "results" / "lstm-28-row-s0.json").read_text() == '{"another": "machine"}'  # untouched
    assert (root / ".cache" / "checkpoints" / folder / "lstm-28-row-s1-chrono" / "state.json").is_file()
    assert not (root / ".cache" / "checkpoints" / "lstm-28-row-s1-chrono").exists()
