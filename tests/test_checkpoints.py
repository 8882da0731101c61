"""Per-epoch checkpoints and parked copies of them (hilbertlib.checkpoints, chapter 4)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from tiny_run import HISTORY_KEYS, TINY, interrupt_after_first_epoch, temp_files

from hilbertlib import checkpoints
from hilbertlib.checkpoints import PARKED, checkpoint_state, drop_parked, park, parked_state
from hilbertlib.runner import run


def fake_checkpoint(folder: Path, epochs: int, spec=TINY, model: str | None = None) -> None:
    """A checkpoint folder with placeholder weights: enough for the functions that only copy and compare."""
    folder.mkdir(parents=True)
    (folder / (model or "model.keras")).write_bytes(b"weights")
    state = {"spec": spec.to_dict(), "completed_epochs": epochs}
    if model is not None:
        state["model"] = model
    (folder / "state.json").write_text(json.dumps(state))


def test_checkpoint_state_is_none_unless_the_folder_holds_this_specs_checkpoint(tmp_path):
    assert checkpoint_state(tmp_path / "absent", TINY) is None
    fake_checkpoint(tmp_path / "e3", 3, model="model-e3.keras")
    assert checkpoint_state(tmp_path / "e3", TINY)["completed_epochs"] == 3
    assert checkpoint_state(tmp_path / "e3", TINY.replace(seed=1)) is None  # another spec's checkpoint
    (tmp_path / "e3" / "model-e3.keras").unlink()
    assert checkpoint_state(tmp_path / "e3", TINY) is None  # its weights are gone
    fake_checkpoint(tmp_path / "old", 1)  # before the state named them
    assert checkpoint_state(tmp_path / "old", TINY)["completed_epochs"] == 1
    (tmp_path / "old" / "state.json").write_text("{not json")
    assert checkpoint_state(tmp_path / "old", TINY) is None


def test_drop_parked_removes_the_run_and_then_the_empty_folder(tmp_path):
    other = TINY.replace(seed=1)
    for spec in (TINY, other):
        fake_checkpoint(tmp_path / PARKED / spec.id, 1, spec)
    drop_parked(TINY, tmp_path)
    assert sorted(p.name for p in (tmp_path / PARKED).iterdir()) == [other.id]
    drop_parked(other, tmp_path)
    assert not (tmp_path / PARKED).exists()
    drop_parked(other, tmp_path)  # nothing parked: nothing to do


def test_crash_between_weights_and_state_resumes_from_the_named_weights(tmp_path, mnist, trained, monkeypatch):
    """Killed after epoch 2's weights were written but before its state was: the state still
    names epoch 1's weights, so the resumed run repeats epoch 2 from them, as if never stopped."""
    real = checkpoints.atomic_write_json

    def crash(path, obj):
        if Path(path).name == "state.json" and obj.get("completed_epochs") == 2:
            raise KeyboardInterrupt("killed between the weights and the state")
        real(path, obj)

    cache = tmp_path / "ck"
    monkeypatch.setattr(checkpoints, "atomic_write_json", crash)
    with pytest.raises(KeyboardInterrupt):
        run(TINY, tmp_path, cache_dir=cache)
    monkeypatch.setattr(checkpoints, "atomic_write_json", real)
    state = json.loads((cache / TINY.id / "state.json").read_text())
    assert state["completed_epochs"] == 1 and state["model"] == "model-e1.keras"
    assert (cache / TINY.id / "model-e2.keras").is_file()  # newer weights, named by no state
    res = run(TINY, tmp_path, cache_dir=cache)
    assert res.data["resumed_at"] == [1]
    ref, _ = trained
    for key in HISTORY_KEYS:
        np.testing.assert_allclose(res.history[key], ref.history[key], rtol=0, atol=1e-5, err_msg=key)


def test_checkpoint_from_before_named_weights_still_resumes(tmp_path, mnist, trained):
    """Checkpoints written before the state named its weights hold model.keras; they resume."""
    cache = tmp_path / "ck"

    with pytest.raises(KeyboardInterrupt):
        run(TINY, tmp_path, cache_dir=cache, on_epoch=interrupt_after_first_epoch)
    folder = cache / TINY.id
    state = json.loads((folder / "state.json").read_text())
    (folder / state.pop("model")).rename(folder / "model.keras")
    (folder / "state.json").write_text(json.dumps(state))
    res = run(TINY, tmp_path, cache_dir=cache)
    assert res.data["resumed_at"] == [1]
    ref, _ = trained
    np.testing.assert_allclose(res.history["loss"], ref.history["loss"], rtol=0, atol=1e-5)


def test_park_commits_a_checkpoint_that_run_resumes_and_then_deletes(tmp_path, mnist, trained):
    """Interrupt on one machine, park, lose the cache, resume from the parked copy: the same history."""
    results, cache = tmp_path / "results", tmp_path / "ck"

    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        park(TINY, results, cache)
    with pytest.raises(KeyboardInterrupt):
        run(TINY, results, cache_dir=cache, on_epoch=interrupt_after_first_epoch)
    dest = park(TINY, results, cache)
    assert dest == results / PARKED / TINY.id
    assert sorted(p.name for p in dest.iterdir()) == ["model-e1.keras", "state.json"]
    assert parked_state(TINY, results)["completed_epochs"] == 1
    assert not temp_files(results) and sorted(p.name for p in (results / PARKED).iterdir()) == [TINY.id]
    park(TINY, results, cache)  # parking again replaces the copy in one step
    assert parked_state(TINY, results)["completed_epochs"] == 1

    shutil.rmtree(cache)  # another machine: no cache, only what git holds
    res = run(TINY, results, cache_dir=cache)
    assert res.data["resumed_at"] == [1]
    ref, _ = trained
    for key in HISTORY_KEYS:
        np.testing.assert_allclose(res.history[key], ref.history[key], rtol=0, atol=1e-5, err_msg=key)
    assert not (results / PARKED).exists()  # the result supersedes the parked checkpoint
    assert parked_state(TINY, results) is None


def test_park_refuses_to_go_backwards(tmp_path):
    fake_checkpoint(tmp_path / "ck" / TINY.id, 1)
    fake_checkpoint(tmp_path / "results" / PARKED / TINY.id, 2)
    with pytest.raises(ValueError, match="more than"):
        park(TINY, tmp_path / "results", tmp_path / "ck")
