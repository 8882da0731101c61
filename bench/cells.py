"""Seconds per training batch of the LSTM and the power-law LSTM (chapter 12).

    KERAS_BACKEND=torch python bench/cells.py --size 28 --batches 32,128 --out cells.json

Why: Keras runs ``layers.LSTM`` with a fused kernel (cuDNN on a GPU) but the
power-law cell in its generic step-by-step RNN loop, so the pLSTM's cost
relative to the LSTM decides whether its 784-step runs fit a machine.  For
each batch size this builds both models of the 28x28 (or 14x14) row-order
spec, warms each up for ``--warm`` batches, times ``--steps`` batches of
``train_on_batch`` on random sequences, and reports seconds per batch, the
projected seconds of one 54,000-image epoch, and the pLSTM/LSTM ratio measured
in the same process.  The JSON is written atomically to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EPOCH_IMAGES = 54_000  # 60,000 training images less the 6,000 validation images


def time_batches(spec, steps: int, warm: int) -> float:
    """Median seconds of one ``train_on_batch`` of ``spec``'s model on random data."""
    import numpy as np

    from hilbertlib.probes import fresh_model

    model = fresh_model(spec)
    rng = np.random.default_rng(0)
    x = rng.random((spec.batch_size, spec.sequence_length, 1), dtype=np.float32)
    y = rng.integers(0, 10, spec.batch_size).astype(np.int32)
    for _ in range(warm):
        model.train_on_batch(x, y)
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        model.train_on_batch(x, y)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=28, choices=(14, 28))
    ap.add_argument("--batches", default="32", help="comma-separated batch sizes (default 32)")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warm", type=int, default=2)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--note", default="", help="circumstances to record, e.g. other jobs sharing the device")
    a = ap.parse_args(argv)
    try:
        batches = [int(b) for b in a.batches.split(",")]
    except ValueError:
        ap.error(f"--batches must be comma-separated integers, got {a.batches!r}")
    if a.steps < 1 or a.warm < 1 or min(batches) < 1:
        ap.error("--steps, --warm and every batch size must be positive")

    from hilbertlib.environment import environment
    from hilbertlib.io import atomic_write_json
    from hilbertlib.specs import ExperimentSpec

    rows = []
    for b in batches:
        row = {"batch_size": b}
        for model in ("lstm", "plstm"):
            spec = ExperimentSpec(model, a.size, "row", batch_size=b, clipnorm=1.0)
            s = time_batches(spec, a.steps, a.warm)
            row[f"{model}_s_per_batch"] = s
            row[f"{model}_s_per_epoch"] = s * math.ceil(EPOCH_IMAGES / b)
        row["plstm_over_lstm"] = row["plstm_s_per_batch"] / row["lstm_s_per_batch"]
        rows.append(row)
        print(json.dumps(row), flush=True)
    atomic_write_json(
        a.out,
        {
            "size": a.size,
            "steps": a.steps,
            "warm": a.warm,
            "rows": rows,
            "note": a.note,
            "load_average": os.getloadavg(),
            "environment": environment(),
        },
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
