"""Shared test setup.

* Keras runs on JAX unless the caller chose another backend.
* The genuine MNIST is read from ``HILBERTLIB_MNIST``; by default the offline
  copy beside the checkout, ``<repo>/../shared/data/mnist.npz``.  Tests that
  need it take the ``mnist_path`` fixture, which skips when the file is absent.
* Hypothesis runs few examples: the suite must stay fast on a busy 2-core box.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_MNIST = (REPO / ".." / "shared" / "data" / "mnist.npz").resolve()

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("HILBERTLIB_MNIST", str(DEFAULT_MNIST))

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "hilbertlib",
    max_examples=25,
    deadline=None,  # first calls build and cache orderings: timings vary
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "hilbertlib"))


@pytest.fixture(scope="session")
def mnist_path() -> Path:
    """Path of the genuine MNIST .npz; skips the test when it is not there."""
    path = Path(os.environ["HILBERTLIB_MNIST"])
    if not path.is_file():
        pytest.skip(
            f"MNIST data not found at {path} (set HILBERTLIB_MNIST to an .npz in Keras "
            "layout, or put the offline copy at ../shared/data/mnist.npz)"
        )
    return path


@pytest.fixture(scope="session")
def mnist(mnist_path):
    """The validated MNIST data set (loaded once per session)."""
    from hilbertlib.data import load_mnist

    return load_mnist()  # via HILBERTLIB_MNIST, the same cache entry the runner uses


@pytest.fixture(scope="session")
def trained(tmp_path_factory, mnist):
    """One uninterrupted run of the tiny LSTM (``tiny_run.TINY``); returns (result, results_dir)."""
    from tiny_run import TINY

    from hilbertlib.runner import run

    results = tmp_path_factory.mktemp("results")
    res = run(TINY, results, cache_dir=results / "ck")
    return res, results
