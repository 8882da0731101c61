"""scripts/setup.sh installs what the README's two commands need when it is missing.

Each case runs the real script in a copy of the checkout's set-up files, on
a PATH that holds only the basic tools and stand-ins for ``apt-get`` and the
virtual environment's Python, so that nothing is installed for real: the
stand-ins record what they were asked and succeed or fail as the case needs.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ("bash", "sh", "sha256sum", "cut", "cat", "dirname", "rm", "mkdir", "env", "touch", "chmod", "echo", "ln")

pytestmark = pytest.mark.skipif(
    shutil.which("bash") is None or shutil.which("sha256sum") is None, reason="needs bash and coreutils"
)


def _stub(path: Path, body: str) -> None:
    path.write_text("#!/bin/bash\n" + body + "\n")
    path.chmod(0o755)


@pytest.fixture
def sandbox(tmp_path):
    """A checkout with scripts/setup.sh and an up-to-date .venv stand-in, and a bin folder of basic tools."""
    repo, bin_ = tmp_path / "repo", tmp_path / "bin"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "setup.sh", repo / "scripts")
    for name in ("requirements.txt", "pyproject.toml"):
        shutil.copy(ROOT / name, repo / name)
    (repo / ".venv" / "bin").mkdir(parents=True)
    digest = hashlib.sha256()
    # What setup.sh hashes to decide that .venv is up to date (absolute paths, as it names them).
    lines = subprocess.run(
        ["sha256sum", str(repo / "requirements.txt"), str(repo / "pyproject.toml")], capture_output=True, check=True
    ).stdout
    digest.update(lines)
    (repo / ".venv" / ".requirements.sha256").write_text(digest.hexdigest() + "\n")
    bin_.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        if found:
            (bin_ / tool).symlink_to(found)
    _stub(bin_ / "id", "echo 0")  # as root, as on CI: apt-get runs without sudo
    return repo, bin_, tmp_path / "calls.log"


def _run(
    repo: Path,
    bin_: Path,
    call: str,
    *,
    apt_ok: bool,
    python_ok: bool,
    log: Path,
    fashion: Path,
    chromium_dir: Path | None = None,
) -> subprocess.CompletedProcess:
    make = (
        f'mkdir -p "{fashion}"'
        if chromium_dir is None
        else f'touch "{chromium_dir}/chromium"; chmod +x "{chromium_dir}/chromium"'
    )
    _stub(
        bin_ / "apt-get",
        f'echo "apt-get $*" >> "{log}"\n' + (f'[ "$1" = install ] && {make}\nexit 0' if apt_ok else "exit 100"),
    )
    _stub(repo / ".venv" / "bin" / "python", f'echo "python $*" >> "{log}"\nexit {0 if python_ok else 1}')
    env = {
        "PATH": f"{bin_}" + (f":{chromium_dir}" if chromium_dir else ""),
        "HOME": str(repo),
        "FASHION_DEBIAN_DIR": str(fashion),
    }
    script = f'source scripts/setup.sh && {call} && echo "CHROMIUM=${{HILBERTLIB_CHROMIUM:-}}"'
    return subprocess.run(
        [str(bin_ / "bash"), "-c", script],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_fashion_mnist_comes_from_the_debian_package_when_apt_can_install_it(sandbox, tmp_path):
    repo, bin_, log = sandbox
    proc = _run(repo, bin_, "true", apt_ok=True, python_ok=False, log=log, fashion=tmp_path / "fashion")
    assert proc.returncode == 0, proc.stderr
    assert "apt-get install -y -qq dataset-fashion-mnist" in log.read_text()
    assert (tmp_path / "fashion").is_dir()


def test_fashion_mnist_falls_back_to_the_keras_download(sandbox, tmp_path):
    repo, bin_, log = sandbox
    proc = _run(repo, bin_, "true", apt_ok=False, python_ok=True, log=log, fashion=tmp_path / "fashion")
    assert proc.returncode == 0, proc.stderr
    calls = log.read_text()
    assert "dataset-fashion-mnist" in calls and "load_fashion_mnist" in calls
    assert "Keras download" in proc.stdout


def test_no_fashion_mnist_is_an_error_naming_both_ways(sandbox, tmp_path):
    repo, bin_, log = sandbox
    proc = _run(repo, bin_, "true", apt_ok=False, python_ok=False, log=log, fashion=tmp_path / "fashion")
    assert proc.returncode != 0
    assert "dataset-fashion-mnist" in proc.stderr and "Keras download" in proc.stderr


def test_a_present_fashion_mnist_installs_nothing(sandbox, tmp_path):
    repo, bin_, log = sandbox
    (tmp_path / "fashion").mkdir()
    proc = _run(repo, bin_, "true", apt_ok=False, python_ok=False, log=log, fashion=tmp_path / "fashion")
    assert proc.returncode == 0, proc.stderr
    assert not log.exists()


def test_chromium_is_installed_for_the_browser_test(sandbox, tmp_path):
    repo, bin_, log = sandbox
    (tmp_path / "fashion").mkdir()
    chromium_dir = tmp_path / "usr-bin"
    chromium_dir.mkdir()
    proc = _run(
        repo,
        bin_,
        "ensure_chromium",
        apt_ok=True,
        python_ok=False,
        log=log,
        fashion=tmp_path / "fashion",
        chromium_dir=chromium_dir,
    )
    assert proc.returncode == 0, proc.stderr
    assert "apt-get install -y -qq chromium" in log.read_text()
    assert f"CHROMIUM={chromium_dir / 'chromium'}" in proc.stdout


def test_no_chromium_is_an_error_naming_the_package(sandbox, tmp_path):
    repo, bin_, log = sandbox
    (tmp_path / "fashion").mkdir()
    proc = _run(
        repo,
        bin_,
        "ensure_chromium",
        apt_ok=False,
        python_ok=False,
        log=log,
        fashion=tmp_path / "fashion",
        chromium_dir=tmp_path / "empty",
    )
    assert proc.returncode != 0
    assert "apt-get install chromium" in proc.stderr
    assert "python -m playwright install chromium" in log.read_text()  # tried Playwright's own build too


@pytest.mark.skipif(os.environ.get("CI") != "true", reason="CI only: the machine's own packages")
def test_the_machine_has_what_the_scripts_installed():
    """On CI, after scripts/test.sh set up the machine: both Debian packages are there."""
    assert Path("/usr/share/datasets/fashion-mnist").is_dir()
    assert shutil.which("chromium") or os.environ.get("HILBERTLIB_CHROMIUM")
