"""The tables of the book's status page (``status.md``): what has been run, where, how long it
took, what is missing and what the benchmarks measured.

Every function reads the committed files (``results/``, ``results/reservoir/``,
``results/bench/``) and returns a pandas ``DataFrame``; the page executes them
at every build, so it cannot drift from the files.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from .fmt import pct
from .machines import machine_label
from .results import results_dir

__all__ = [
    "backend_table",
    "cells_table",
    "epoch_machines",
    "fastest_backend",
    "missing_table",
    "reservoir_table",
    "results_table",
    "timing_table",
]


def _stored(results: str | os.PathLike | None) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(results_dir(results).glob("*.json"))]


def results_table(results: str | os.PathLike | None = None):
    """Every stored result in a folder: id, model, size, ordering, seed, test accuracy, epochs,
    backend, device, cpu, wall minutes, finished."""
    import pandas as pd

    rows = []
    for data in _stored(results):
        spec, env = data["spec"], data["environment"]
        rows.append(
            {
                "id": data["id"],
                "model": spec["model"],
                "size": spec["size"],
                "ordering": spec["ordering"],
                "seed": spec["seed"],
                "test accuracy": pct(data["test"]["accuracy"]),
                "epochs": len(data["history"]["accuracy"]),
                "backend": env["backend"],
                "device": env["device"],
                "cpu": f"{env.get('cpu', '?')} x{env.get('cpu_count', '?')}",
                "wall (min)": f"{data['wall_seconds'] / 60:.1f}",
                "finished": data["finished"][:10],
            }
        )
    return pd.DataFrame(rows)


def epoch_machines(data: dict[str, Any]) -> list[tuple[str, str, list[float]]]:
    """A stored result's epoch times split by the machine that ran them.

    ``(backend, device, seconds of those epochs)`` per stretch of the
    result's ``segments`` (a run resumed on another machine has several);
    one stretch on the result's own environment when it has no segments.  A
    stretch whose machine was not recorded is labelled ``"not recorded"``.
    """
    seconds = list(data["epoch_seconds"])
    segs = data.get("segments") or []
    if not segs:
        env = data["environment"]
        return [(env["backend"], env["device"], seconds)]
    out = []
    for i, seg in enumerate(segs):
        end = segs[i + 1]["from_epoch"] if i + 1 < len(segs) else len(seconds)
        part = seconds[seg["from_epoch"] : end]
        if part:
            out.append((seg.get("backend", "not recorded"), seg.get("device", "not recorded"), part))
    return out


def _steps(model: str, size: int) -> str:
    return "image (CNN)" if model == "cnn" else str(size**2)


def _epoch_times(results: str | os.PathLike | None) -> dict[tuple[str, str, str, str], list[list[float]]]:
    """Per-epoch seconds of the stored results, by (model, steps, backend, device): one list per run."""
    groups: dict[tuple[str, str, str, str], list[list[float]]] = {}
    for data in _stored(results):
        spec = data["spec"]
        per_machine: dict[tuple[str, str], list[float]] = {}
        for backend, device, seconds in epoch_machines(data):
            per_machine.setdefault((backend, device), []).extend(seconds)
        for (backend, device), seconds in per_machine.items():  # a run counts once per machine
            groups.setdefault((spec["model"], _steps(spec["model"], spec["size"]), backend, device), []).append(seconds)
    return groups


def timing_table(results: str | os.PathLike | None = None):
    """Seconds per training epoch by model, sequence length and machine.

    One row per (model, steps, backend, device): how many runs, the median
    and range of their per-epoch wall times, and the hours they took
    together.  Rows of one machine compare with each other; across machines
    they also reflect how many runs shared it.
    """
    import pandas as pd

    rows = []
    for (model, steps, backend, device), runs in sorted(_epoch_times(results).items()):
        sec = np.concatenate([np.asarray(r, dtype=float) for r in runs])
        rows.append(
            {
                "model": model,
                "steps": steps,
                "backend": backend,
                "device": device,
                "runs": len(runs),
                "s/epoch (median)": f"{np.median(sec):.0f}",
                "s/epoch (range)": f"{sec.min():.0f}-{sec.max():.0f}",
                "hours in all": f"{sec.sum() / 3600:.1f}",
            }
        )
    return pd.DataFrame(rows)


def _duration(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds < 5400 else f"{seconds / 3600:.1f} h"


def reservoir_table(results: str | os.PathLike | None = None):
    """Every stored echo-state-network result (chapter 8): id, size, ordering, units, leak, radius,
    readout, validation and test accuracy, seconds for the states and the readout, finished."""
    import pandas as pd

    from .reservoir import stored_results
    from .reservoir_grid import result_row

    rows = []
    for r in stored_results(results_dir(results) / "reservoir"):
        row = result_row(r)
        rows.append(
            {
                "id": row["id"],
                "size": row["size"],
                "ordering": row["ordering"],
                "units": row["units"],
                "leak": row["leak"],
                "radius": row["radius"],
                "readout": row["readout"],
                "validation": pct(row["val_accuracy"]),
                "test accuracy": pct(row["test_accuracy"]),
                "states (s)": f"{row['states_s']:.1f}",
                "readout (s)": f"{row['readout_s']:.1f}",
                "finished": row["finished"][:10],
            }
        )
    return pd.DataFrame(rows)


def missing_table(results: str | os.PathLike | None = None):
    """The experiments without a stored result, with what they would cost; a set of its own
    (:data:`hilbertlib.grid.SET_FOLDERS`) is looked up in its folder, and its ids carry the folder.

    ``projected time`` is the run's epochs times the median seconds per epoch
    of the stored runs of the same model and sequence length, on each machine
    that has run one; "no timing yet" when none has.  A run with a parked
    checkpoint (:func:`hilbertlib.checkpoints.park`) says after how many
    epochs, and only its remaining epochs are projected.
    """
    import pandas as pd

    from .checkpoints import parked_state
    from .grid import SET_FOLDERS, all_specs, grid, set_folder
    from .result_files import load_result

    folder = results_dir(results)
    times = _epoch_times(results)
    rows = []
    todo = [(s, folder, "") for s in all_specs()]
    for name in SET_FOLDERS:
        sub = set_folder(name, folder)
        todo += [(s, sub, f"{SET_FOLDERS[name]}/") for s in grid(name)]
    for s, where, prefix in todo:
        if load_result(s, where) is not None:
            continue
        parked = parked_state(s, where)
        done = 0 if parked is None else int(parked["completed_epochs"])
        steps = _steps(s.model, s.size)
        cost = [
            f"{machine_label(b, d)}: {_duration((s.epochs - done) * float(np.median(np.concatenate(runs))))}"
            for (m, st, b, d), runs in sorted(times.items())
            if (m, st) == (s.model, steps)
        ]
        rows.append(
            {
                "id": prefix + s.id,
                "model": s.model,
                "size": s.size,
                "ordering": s.ordering,
                "seed": s.seed,
                "epochs": s.epochs,
                "parked": "" if parked is None else f"after {done} of {s.epochs} epochs",
                "projected time": "; ".join(cost) or "no timing yet",
            }
        )
    return pd.DataFrame(rows, columns=["id", "model", "size", "ordering", "seed", "epochs", "parked", "projected time"])


def _bench_dir(folder: str | os.PathLike | None) -> Path:
    from .result_files import RESULTS_DIR

    return Path(folder) if folder is not None else RESULTS_DIR / "bench"


def backend_table(path: str | os.PathLike | None = None):
    """The Keras-backend throughput benchmark (``bench/backends.py``): backend, library, steps/s,
    projected s/epoch, timed steps; its note and date in ``attrs``.  Empty when none is committed."""
    import pandas as pd

    p = Path(path) if path is not None else _bench_dir(None) / "backends.json"
    if not p.exists():
        return pd.DataFrame()
    data = json.loads(p.read_text())
    rows = [
        {
            "backend": r["backend"] + ("" if r.get("variant") in (None, "default") else f" ({r['variant']})"),
            "library": " ".join(f"{k} {v}" for k, v in r["versions"].items() if k in ("tensorflow", "jax", "torch")),
            "steps/s": f"{r['steps_per_s']:.2f}",
            "projected s/epoch": f"{r['projected_epoch_seconds']:.0f}",
            "timed steps": r["timed_steps"],
        }
        for r in data["results"]
    ]
    df = pd.DataFrame(rows)
    df.attrs["note"] = data.get("note", "")
    df.attrs["date"] = data.get("date", "")
    return df


def fastest_backend(table) -> tuple[str, float | None]:
    """The fastest backend of a :func:`backend_table` and how many times as long JAX takes per step
    (``None`` when JAX was not measured; 1.0 when JAX is the fastest)."""
    if not len(table):
        raise ValueError("no backend benchmark in the table")
    rate = table["steps/s"].astype(float)
    best = str(table.loc[rate.idxmax(), "backend"])
    jax = rate[table["backend"] == "jax"]
    return best, None if jax.empty else float(rate.max() / jax.iloc[0])


def cells_table(folder: str | os.PathLike | None = None):
    """The pLSTM-against-LSTM benchmark (``bench/cells.py``, every ``cells-*.json``): seconds per batch
    of each cell, their ratio and the projected pLSTM epoch, per machine and batch size."""
    import pandas as pd

    rows = []
    for p in sorted(_bench_dir(folder).glob("cells-*.json")):
        d = json.loads(p.read_text())
        env = d["environment"]
        for r in d["rows"]:
            rows.append(
                {
                    "machine": machine_label(env["backend"], env["device"]),
                    "steps": d["size"] ** 2,
                    "batch": r["batch_size"],
                    "LSTM s/batch": f"{r['lstm_s_per_batch']:.3f}",
                    "pLSTM s/batch": f"{r['plstm_s_per_batch']:.3f}",
                    "pLSTM / LSTM": f"{r['plstm_over_lstm']:.2f}",
                    "pLSTM s/epoch (projected)": f"{r['plstm_s_per_epoch']:.0f}",
                    "note": d.get("note", ""),
                }
            )
    return pd.DataFrame(rows)
