"""bench/backends.py: how it tells whether other jobs shared the CPUs while it ran."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def backends():
    spec = importlib.util.spec_from_file_location("bench_backends", ROOT / "bench" / "backends.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not Path("/proc/stat").exists(), reason="reads /proc/stat (Linux)")
def test_a_process_that_is_not_the_benchmarks_counts_as_other_load(backends):
    busy0, own0, t0 = backends._busy_cpu_seconds(), backends._own_cpu_seconds(), time.perf_counter()
    spinner = subprocess.Popen([sys.executable, "-c", "import time\nt = time.time()\nwhile time.time() - t < 2: pass"])
    try:
        time.sleep(2.0)
        others = backends.other_cpu_load(busy0, own0, time.perf_counter() - t0)
    finally:
        spinner.wait()
    assert others is not None and others > 0.5, others   # one CPU spun for the whole window


@pytest.mark.skipif(not Path("/proc/stat").exists(), reason="reads /proc/stat (Linux)")
def test_the_benchmarks_own_children_are_not_other_load(backends):
    own0 = backends._own_cpu_seconds()
    subprocess.run([sys.executable, "-c", "import time\nt = time.time()\nwhile time.time() - t < 2: pass"], check=True)
    # the waited-for child's ~2 CPU seconds are the benchmark's own, subtracted from the machine's busy time
    assert backends._own_cpu_seconds() - own0 > 1.5


def test_other_load_is_unknown_without_a_first_reading(backends):
    assert backends.other_cpu_load(None, 0.0, 1.0) is None
