"""The maintainers' tools' tests share the suite's set-up (tests/conftest.py): JAX, offline MNIST."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("HILBERTLIB_MNIST", str((REPO / ".." / "shared" / "data" / "mnist.npz").resolve()))
