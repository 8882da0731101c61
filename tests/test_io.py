"""Atomic writes (hilbertlib.io): a reader sees the old file or the new one, never half of one (chapter 4)."""

from __future__ import annotations

import json
import os

import pytest

from hilbertlib.io import atomic_write_bytes, atomic_write_json


def test_atomic_write_json_success_leaves_no_temp_file(tmp_path):
    path = tmp_path / "sub" / "r.json"  # parent folders are created
    atomic_write_json(path, {"a": [1, 2.5], "b": None})
    assert json.loads(path.read_text()) == {"a": [1, 2.5], "b": None}
    atomic_write_json(path, {"a": 3})
    assert json.loads(path.read_text()) == {"a": 3}
    assert sorted(p.name for p in path.parent.iterdir()) == ["r.json"]


def test_atomic_write_json_unserializable_keeps_old_file(tmp_path):
    path = tmp_path / "r.json"
    atomic_write_json(path, {"old": True})
    before = path.read_bytes()
    with pytest.raises(TypeError):
        atomic_write_json(path, {"new": object()})
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


def test_atomic_write_failure_mid_write_keeps_old_file(tmp_path, monkeypatch):
    path = tmp_path / "r.bin"
    atomic_write_bytes(path, b"old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(path, b"new")
    monkeypatch.undo()
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.bin"]
