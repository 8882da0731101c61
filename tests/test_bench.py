"""bench/backends.py: how it tells whether other jobs shared the CPUs while it ran."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# A child that burns one CPU-second of its own: counted in CPU time, not wall time, so it
# burns the same on a machine shared with other jobs as on an idle one.
BURN = "import sys, time\nwhile time.process_time() < 1.0: pass\n"


@pytest.fixture(scope="module")
def backends():
    spec = importlib.util.spec_from_file_location("bench_backends", ROOT / "bench" / "backends.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not Path("/proc/stat").exists(), reason="reads /proc/stat (Linux)")
def test_a_process_that_is_not_the_benchmarks_counts_as_other_load(backends):
    busy0, own0, t0 = backends._busy_cpu_seconds(), backends._own_cpu_seconds(), time.perf_counter()
    # A process not waited for (so not the benchmark's own) burns a whole CPU-second, however long
    # that takes on a shared machine, then says so and stays alive until told to go.
    spinner = subprocess.Popen(
        [sys.executable, "-c", BURN + "print('done', flush=True)\nsys.stdin.read()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert spinner.stdout.readline().strip() == "done"
        wall = time.perf_counter() - t0
        others = backends.other_cpu_load(busy0, own0, wall)
    finally:
        spinner.communicate("")
    assert others is not None and others * wall > 0.9, (others, wall)  # at least the spinner's CPU-second


@pytest.mark.skipif(not Path("/proc/stat").exists(), reason="reads /proc/stat (Linux)")
def test_the_benchmarks_own_children_are_not_other_load(backends):
    own0 = backends._own_cpu_seconds()
    subprocess.run([sys.executable, "-c", BURN], check=True)
    # the waited-for child's CPU-second is the benchmark's own, subtracted from the machine's busy time
    assert backends._own_cpu_seconds() - own0 > 0.9


def test_other_load_is_unknown_without_a_first_reading(backends):
    assert backends.other_cpu_load(None, 0.0, 1.0) is None
