"""scripts/book_config.py: a variant of _config.yml that builds from any folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from book_config import book_config  # noqa: E402


def test_overrides_reach_nested_keys_and_leave_the_rest():
    base = yaml.safe_load((ROOT / "_config.yml").read_text())
    cfg = book_config({"execute.execute_notebooks": "off", "repository.url": "https://example.org/r"})
    assert cfg["execute"]["execute_notebooks"] == "off"
    assert cfg["repository"]["url"] == "https://example.org/r"
    assert cfg["title"] == base["title"]
    assert set(cfg["execute"]) == set(base["execute"])


def test_local_extensions_become_absolute_existing_folders():
    ext = book_config({})["sphinx"]["local_extensions"]
    assert ext
    for name, folder in ext.items():
        assert Path(folder).is_absolute() and (Path(folder) / f"{name}.py").is_file(), (name, folder)


def test_an_unknown_section_is_refused():
    with pytest.raises(KeyError, match="nosuchsection"):
        book_config({"nosuchsection.key": 1})


def test_the_command_writes_a_config_and_rejects_a_bare_word(tmp_path):
    out = tmp_path / "sub" / "c.yml"
    ok = subprocess.run([sys.executable, ROOT / "scripts" / "book_config.py", out, "execute.timeout=5"], check=False)
    assert ok.returncode == 0 and yaml.safe_load(out.read_text())["execute"]["timeout"] == 5
    bad = subprocess.run(
        [sys.executable, ROOT / "scripts" / "book_config.py", tmp_path / "x.yml", "oops"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode != 0 and "oops" in bad.stderr and not (tmp_path / "x.yml").exists()
