"""Stored results (hilbertlib.result_files): what run() reads back, what it refuses, old schemas (chapter 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tiny_run import GRADIENT_KEYS, TINY, forbid_training

from hilbertlib.result_files import RESULTS_DIR, ResultError, load_result, result_path
from hilbertlib.runner import run


def copy_result(res, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    dst = result_path(TINY, folder)
    dst.write_bytes(res.path.read_bytes())
    return dst


def test_hand_edited_stored_spec_raises_and_keeps_file(trained, tmp_path, monkeypatch):
    res, _ = trained
    path = copy_result(res, tmp_path)
    data = json.loads(path.read_text())
    data["spec"]["epochs"] = 3
    path.write_text(json.dumps(data))
    before = path.read_bytes()
    forbid_training(monkeypatch)
    with pytest.raises(ResultError, match="different spec"):
        run(TINY, tmp_path, cache_dir=tmp_path / "ck")
    with pytest.raises(ResultError, match="epochs"):
        load_result(TINY, tmp_path)
    assert path.read_bytes() == before


@pytest.mark.parametrize("content", ["{not json", "", "[]", '{"spec": {}}', '{"spec": {"model": "gru"}}'])
def test_corrupt_result_raises(tmp_path, monkeypatch, content):
    path = result_path(TINY, tmp_path)
    path.write_text(content)
    forbid_training(monkeypatch)
    with pytest.raises(ResultError, match="corrupt"):
        run(TINY, tmp_path, cache_dir=tmp_path / "ck")
    assert path.read_text() == content


def test_schema_1_results_still_load(trained, tmp_path):
    res, _ = trained
    data = json.loads(res.path.read_text())
    del data["schema"]
    for key in GRADIENT_KEYS:
        del data["history"][key]
    for seg in data["segments"]:
        seg.pop("same_device_as_previous")
    path = result_path(TINY, tmp_path)
    path.write_text(json.dumps(data))
    old = load_result(TINY, tmp_path)
    assert old.schema == 1 and old.test_accuracy == res.test_accuracy
    assert old.grad_norm_mean is None and old.grad_norm_max is None and old.clipped_share is None
    assert old.resumed_elsewhere is False  # one segment: never resumed
    data["segments"].append({"from_epoch": 1, "backend": "jax"})
    path.write_text(json.dumps(data))
    assert load_result(TINY, tmp_path).resumed_elsewhere is None  # an old resume does not say


def test_committed_results_load_with_the_new_accessors():
    """Every committed result of the experiment runner loads; those older than schema 2 say None."""
    from hilbertlib.specs import spec_from_dict

    paths = sorted(RESULTS_DIR.glob("*.json"))
    if not paths:
        pytest.skip("no committed results")
    for path in paths:
        data = json.loads(path.read_text())
        res = load_result(spec_from_dict(data["spec"]), path.parent)
        assert (res.grad_norm_mean is None) == (res.schema < 2), path.name
