"""Where a result was computed: the machine, the backend, the device and the library versions (chapter 4).

Every stored result records :func:`environment` (the Keras experiments, per
stretch of epochs) or :func:`machine` with its own libraries (the echo state
networks of chapter 8); :func:`same_device` says whether a resumed run
continued on the device it stopped on.  ``hilbertlib.machines`` reads
these records back.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__

__all__ = ["SAME_DEVICE_KEYS", "cpu_model", "machine", "environment", "same_device"]

#: The environment fields that must match for a resumed run to continue the same sample.
SAME_DEVICE_KEYS = ("backend", "device", "cpu", "cpus_used", "xla_flags", "versions")


def cpu_model() -> str:
    """The processor's model name (from /proc/cpuinfo where there is one)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    """The machine and the Keras-free library versions (every stored result records them)."""
    affinity = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        # The cores this process may use and the XLA flags it ran with: a run
        # pinned to one core with one thread (``run --pin``) says so.
        "cpus_used": None if affinity is None else len(affinity),
        "xla_flags": os.environ.get("XLA_FLAGS", ""),
        "platform": platform.platform(),
        "versions": {"python": platform.python_version(), "numpy": np.__version__, "hilbertlib": __version__},
    }


def environment() -> dict[str, Any]:
    """Backend, device and library versions, recorded with every result."""
    import keras

    backend = keras.backend.backend()
    env = machine()
    versions = env["versions"]
    versions["keras"] = keras.__version__
    device = "cpu"
    if backend == "jax":
        import jax

        versions["jax"] = jax.__version__
        d = jax.devices()[0]
        device = f"{d.platform}:{getattr(d, 'device_kind', d.platform)}"
    elif backend == "torch":
        import torch

        versions["torch"] = torch.__version__
        if torch.cuda.is_available():
            device = f"cuda:{torch.cuda.get_device_name(0)}"
    elif backend == "tensorflow":
        import tensorflow as tf

        versions["tensorflow"] = tf.__version__
        gpus = tf.config.list_physical_devices("GPU")
        if gpus:
            device = f"gpu:{gpus[0].name}"
    return {"backend": backend, "device": device, **env}


def same_device(previous: dict[str, Any] | None, env: dict[str, Any]) -> bool | None:
    """Whether ``env`` is the environment of the ``previous`` segment (None when it is not recorded)."""
    if previous is None or any(k not in previous for k in SAME_DEVICE_KEYS):
        return None
    return all(previous[k] == env.get(k) for k in SAME_DEVICE_KEYS)
