"""Helpers for the chapters: the hidden preamble, parameter checks, glue, results.

Every chapter's first (hidden) cell calls :func:`preamble`; its papermill
``parameters`` cell is checked by :func:`check_parameters` right after.
Introduced in chapter 1 ("The data").
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from . import __version__
from .notebook import ParameterError, check_parameters, preamble, quiet_native_stderr  # noqa: F401
from .specs import ExperimentSpec

__all__ = [
    "ParameterError",
    "timing_table",
    "preamble",
    "check_parameters",
    "glue",
    "pct",
    "count",
    "join_and",
    "experiment",
    "get_result",
    "results_dir",
    "PENDING",
    "mean_spread",
    "library_version_check",
    "results_table",
    "missing_table",
    "get_results",
    "pending_note",
    "lstm14_seed_sd",
    "long_seed_sd",
    "long_spread_clause",
    "single_run_noise",
    "describe_change",
    "results_frame",
    "trained_on",
    "pct_spread",
    "sci",
    "quiet_native_stderr",
    "backend_table",
    "backend_verdict",
]

PENDING = "not yet run"


def glue(name: str, value: Any) -> None:
    """Glue a pre-formatted string (or a figure) for ``{glue:text}`` in the prose."""
    from myst_nb import glue as _glue

    _glue(name, value if not isinstance(value, (float, np.floating)) else f"{value:.4g}", display=False)


def pct(x: float | None, digits: int = 2) -> str:
    """``0.9728 -> '97.28%'``; ``None -> 'not yet run'``."""
    return PENDING if x is None else f"{100 * float(x):.{digits}f}%"


def count(n: int, noun: str) -> str:
    """``(1, 'epoch') -> '1 epoch'``, ``(20, 'epoch') -> '20 epochs'``: a number and its noun (chapter 6)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def join_and(items: Iterable[str]) -> str:
    """``['a'] -> 'a'``, ``['a', 'b'] -> 'a and b'``, ``['a', 'b', 'c'] -> 'a, b and c'`` (chapter 4)."""
    items = [str(i) for i in items]
    if not items:
        raise ValueError("join_and needs at least one item")
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def results_dir(value: str | os.PathLike | None) -> Path:
    """The results folder a chapter reads: the committed ``results/`` when ``None``."""
    from .result_files import RESULTS_DIR

    return RESULTS_DIR if value in (None, "") else Path(value)


def experiment(model: str, size: int = 14, ordering: str = "row", seed: int = 0, *, epochs: int = 20,
               batch_size: int = 32, train_size: int | None = None, test_size: int | None = None,
               **extra: Any) -> ExperimentSpec:
    """The spec a chapter asks for: the paper's protocol, changed by the chapter's parameters."""
    return ExperimentSpec(model=model, size=size, ordering=ordering, seed=seed, epochs=epochs,
                          batch_size=batch_size, train_size=train_size, test_size=test_size, **extra)


def get_result(spec: ExperimentSpec, results: str | os.PathLike | None = None, retrain: bool = False,
               train_missing: bool = False):
    """Load the stored result for ``spec``; train it when asked; ``None`` when missing.

    A reduced (quick-mode) spec is always trained when missing.
    """
    from .runner import run

    return run(spec, results_dir(results), retrain=retrain, train_missing=train_missing or spec.reduced, progress=False)


def mean_spread(values: Iterable[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (0 for one value)."""
    v = np.asarray(list(values), dtype=float)
    return float(v.mean()), float(v.std(ddof=1)) if len(v) > 1 else 0.0


def library_version_check(expected: str) -> None:
    """Fail loudly when a chapter was written for another hilbertlib version."""
    major = lambda v: v.split(".")[:2]  # noqa: E731
    if major(expected) != major(__version__):
        raise RuntimeError(f"this chapter expects hilbertlib {expected}, but {__version__} is installed: pip install -e . from the book's repository")


def results_table(results: str | os.PathLike | None = None):
    """Every stored result in a folder as a pandas DataFrame (the status page).

    Columns: id, model, size, ordering, seed, test accuracy, epochs, backend,
    device, cpu, wall minutes, finished.
    """
    import json

    import pandas as pd

    rows = []
    for path in sorted(results_dir(results).glob("*.json")):
        data = json.loads(path.read_text())
        spec, env = data["spec"], data["environment"]
        rows.append({
            "id": data["id"], "model": spec["model"], "size": spec["size"], "ordering": spec["ordering"],
            "seed": spec["seed"], "test accuracy": pct(data["test"]["accuracy"]),
            "epochs": len(data["history"]["accuracy"]), "backend": env["backend"], "device": env["device"],
            "cpu": f"{env.get('cpu', '?')} x{env.get('cpu_count', '?')}",
            "wall (min)": f"{data['wall_seconds'] / 60:.1f}", "finished": data["finished"][:10],
        })
    return pd.DataFrame(rows)


def epoch_machines(data: dict[str, Any]) -> list[tuple[str, str, list[float]]]:
    """A stored result's epoch times split by the machine that ran them (the status page).

    ``(backend, device, seconds of those epochs)`` per stretch of the
    result's ``segments`` (a run resumed on another machine has several);
    one stretch on the result's own environment when it has no segments.  A
    stretch whose machine was not recorded (a checkpoint from before
    segments existed) is labelled ``"not recorded"``.
    """
    seconds = list(data["epoch_seconds"])
    segs = data.get("segments") or []
    if not segs:
        env = data["environment"]
        return [(env["backend"], env["device"], seconds)]
    out = []
    for i, seg in enumerate(segs):
        end = segs[i + 1]["from_epoch"] if i + 1 < len(segs) else len(seconds)
        part = seconds[seg["from_epoch"]:end]
        if part:
            out.append((seg.get("backend", "not recorded"), seg.get("device", "not recorded"), part))
    return out


def _steps(model: str, size: int) -> str:
    return "image (CNN)" if model == "cnn" else str(size ** 2)


def _epoch_times(results: str | os.PathLike | None) -> dict[tuple[str, str, str, str], list[list[float]]]:
    """Per-epoch seconds of the stored results, by (model, steps, backend, device): one list per run."""
    import json

    groups: dict[tuple, list] = {}
    for path in sorted(results_dir(results).glob("*.json")):
        data = json.loads(path.read_text())
        spec = data["spec"]
        per_machine: dict[tuple[str, str], list[float]] = {}
        for backend, device, seconds in epoch_machines(data):
            per_machine.setdefault((backend, device), []).extend(seconds)
        for (backend, device), seconds in per_machine.items():  # a run counts once per machine
            groups.setdefault((spec["model"], _steps(spec["model"], spec["size"]), backend, device), []).append(seconds)
    return groups


def timing_table(results: str | os.PathLike | None = None):
    """Seconds per training epoch by model, sequence length and machine (the status page).

    One row per (model, steps, backend, device) over the stored results:
    how many runs, the median and range of their per-epoch wall times, and
    the hours they took together.  Rows of one machine compare with each
    other; across machines they also reflect how many runs shared it.
    """
    import numpy as np
    import pandas as pd

    rows = []
    for (model, steps, backend, device), runs in sorted(_epoch_times(results).items()):
        sec = np.concatenate([np.asarray(r, dtype=float) for r in runs])
        rows.append({
            "model": model, "steps": steps, "backend": backend, "device": device, "runs": len(runs),
            "s/epoch (median)": f"{np.median(sec):.0f}", "s/epoch (range)": f"{sec.min():.0f}-{sec.max():.0f}",
            "hours in all": f"{sec.sum() / 3600:.1f}",
        })
    return pd.DataFrame(rows)


def _duration(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds < 5400 else f"{seconds / 3600:.1f} h"


def reservoir_table(results: str | os.PathLike | None = None):
    """Every stored echo-state-network result (chapter 8) as a DataFrame (the status page).

    Columns: id, size, ordering, units, leak, radius, readout, validation and
    test accuracy, seconds for the reservoir states and the readout, finished.
    """
    import pandas as pd

    from .reservoir import stored_results
    from .reservoir_grid import result_row

    rows = []
    for r in stored_results(results_dir(results) / "reservoir"):
        row = result_row(r)
        rows.append({
            "id": row["id"], "size": row["size"], "ordering": row["ordering"], "units": row["units"],
            "leak": row["leak"], "radius": row["radius"], "readout": row["readout"],
            "validation": pct(row["val_accuracy"]), "test accuracy": pct(row["test_accuracy"]),
            "states (s)": f"{row['states_s']:.1f}", "readout (s)": f"{row['readout_s']:.1f}",
            "finished": row["finished"][:10],
        })
    return pd.DataFrame(rows)


def missing_table(results: str | os.PathLike | None = None):
    """The grid's experiments that have no stored result yet, with what they would cost (the status page).

    ``projected time`` is the run's epochs times the median seconds per epoch
    of the stored runs of the same model and sequence length, on each machine
    that has run one (a stored run's timings include whatever shared the
    machine with it); "no timing yet" when none has.  A run with a parked
    checkpoint (:func:`hilbertlib.runner.park`) says after how many epochs,
    and only its remaining epochs are projected.
    """
    import numpy as np
    import pandas as pd

    from .checkpoints import parked_state
    from .grid import all_specs
    from .result_files import load_result

    times = _epoch_times(results)
    rows = []
    for s in all_specs():
        if load_result(s, results_dir(results)) is not None:
            continue
        parked = parked_state(s, results_dir(results))
        done = 0 if parked is None else int(parked["completed_epochs"])
        steps = _steps(s.model, s.size)
        cost = [f"{_machine_label(b, d)}: {_duration((s.epochs - done) * float(np.median(np.concatenate(runs))))}"
                for (m, st, b, d), runs in sorted(times.items()) if (m, st) == (s.model, steps)]
        rows.append({"id": s.id, "model": s.model, "size": s.size, "ordering": s.ordering, "seed": s.seed,
                     "epochs": s.epochs, "parked": "" if parked is None else f"after {count(done, 'epoch')}",
                     "projected time": "; ".join(cost) or "no timing yet"})
    return pd.DataFrame(rows, columns=["id", "model", "size", "ordering", "seed", "epochs", "parked", "projected time"])


def get_results(specs: Iterable[ExperimentSpec], results: str | os.PathLike | None = None, retrain: bool = False,
                train_missing: bool = False) -> dict[str, Any]:
    """:func:`get_result` for several specs: ``{spec.id: Result or None}``, in order (chapter 4)."""
    return {s.id: get_result(s, results, retrain, train_missing) for s in specs}


def lstm14_seed_sd(results: str | os.PathLike | None = None) -> float | None:
    """The pooled seed-to-seed spread of chapter 5's 14x14 LSTM runs, row and Hilbert (chapters 11 and 12).

    The spread at 784 steps is measured for few runs (:func:`long_seed_sd`), so chapter 10 and
    13 borrow this one as a yardstick for single-seed differences
    (:func:`hilbertlib.analysis.pooled_seed_sd` over the committed seeds of
    ``grid.LSTM_SEEDS``); ``None`` while no ordering has two seeds.
    """
    from .analysis import pooled_seed_sd
    from .grid import LSTM_SEEDS

    groups = {}
    for order in ("row", "hilbert"):
        found = get_results([experiment("lstm", 14, order, s) for s in LSTM_SEEDS], results)
        groups[order] = [r.test_accuracy for r in found.values() if r is not None]
    return pooled_seed_sd(groups)


def long_seed_sd(results: str | os.PathLike | None = None) -> tuple[float, int] | None:
    """The seed-to-seed spread measured at 784 steps, and over how many seeds (chapter 11).

    The sample standard deviation of the test accuracies of the committed
    row-order runs of ``grid.LONG_BEST`` (the long recipe's repeated variant)
    over ``grid.LSTM_SEEDS``; ``None`` while fewer than two are committed.
    Too few seeds to replace :func:`lstm14_seed_sd` as the yardstick; the
    chapters set the two side by side.
    """
    from .grid import LONG_BEST, LONG_RECIPE, LSTM_SEEDS

    found = get_results([experiment("lstm", 28, "row", s, **LONG_RECIPE, **LONG_BEST) for s in LSTM_SEEDS], results)
    accs = [r.test_accuracy for r in found.values() if r is not None]
    if len(accs) < 2:
        return None
    return mean_spread(accs)[1], len(accs)


def long_spread_clause(results: str | os.PathLike | None = None) -> str:
    """What is known of the seed spread at 784 steps, as a clause for a borrowed yardstick (chapters 11 and 12).

    ``'the spread at 784 steps is unmeasured'`` while :func:`long_seed_sd` is
    ``None``, else the measured spread and its number of seeds.
    """
    return _spread_clause(long_seed_sd(results))


def _spread_clause(long: tuple[float, int] | None) -> str:
    """:func:`long_spread_clause` for an already-read :func:`long_seed_sd`."""
    from .grid import LSTM_SEEDS

    if long is None:
        return "the spread at 784 steps is unmeasured"
    sd, n = long
    if n < len(LSTM_SEEDS):
        return f"at 784 steps only {n} seeds of one variant are committed so far, with a spread of {100 * sd:.2f} points"
    return f"at 784 steps the {n} seeds of one variant spread by {100 * sd:.2f} points"


def single_run_noise(results: str | os.PathLike | None = None) -> tuple[float, str] | None:
    """How far two single-seed runs must differ to be more than noise, and the clause that says so
    (chapters 11 and 12).

    Twice the standard error of a difference of two single runs,
    ``2 * sqrt(2) * sd`` with ``sd`` from :func:`lstm14_seed_sd`, and a
    lower-case clause naming the borrowed spread and the threshold; ``None``
    while that spread is unknown.  Once :func:`long_seed_sd` is measured, the
    clause also gives the threshold that spread implies, so a reader sees
    when a difference clears one yardstick but not the other.
    """
    sd = lstm14_seed_sd(results)
    if sd is None:
        return None
    per_sd = 2 * float(np.sqrt(2))
    noise = per_sd * sd
    long = long_seed_sd(results)
    also = "" if long is None else f" ({100 * per_sd * long[0]:.2f} points by the spread measured at 784 steps)"
    return noise, (f"with chapter 5's 14x14 seed spread ({100 * sd:.2f} points, borrowed: {_spread_clause(long)}) "
                   f"as a yardstick, two single runs must differ by more than {100 * noise:.2f} points{also} "
                   "before the difference is more than noise")


def describe_change(spec: ExperimentSpec, change: dict[str, Any] | Iterable[tuple[str, Any]]) -> str:
    """A variant's changes to ``spec`` in words (chapters 10 and 11).

    ``{"epochs": 40, "learning_rate": 2e-3}`` against the paper's protocol
    gives ``'epochs 40 instead of 20 and learning rate 0.002 instead of 0.001'``;
    three or more changes are listed as ``'A, B and C'``.
    """
    items = change.items() if isinstance(change, dict) else change

    def fmt(v: Any) -> str:
        return f"{v:g}" if isinstance(v, (int, float)) else str(v)

    return join_and(f"{k.replace('_', ' ')} {fmt(v)} instead of {fmt(getattr(spec, k))}" for k, v in items)


def pending_note(results: dict[str, Any], what: str = "runs") -> str:
    """One sentence on which of ``results`` (from :func:`get_results`) are missing (chapter 4).

    ``'All 4 runs are in.'`` or ``'Not yet run, so left out: a, b.'``; glue it
    next to a figure or table so the reader knows what is absent.
    """
    missing = [k for k, v in results.items() if v is None]
    if not missing:
        return f"All {len(results)} {what} are in."
    return f"Not yet run, so left out: {', '.join(missing)}."


def _machine_label(backend: str, device: str) -> str:
    name = device.split(":", 1)[1] if device.startswith(("cuda:", "gpu:")) else "CPU" if device.startswith("cpu") else device
    return f"{backend}, {name}"


def trained_on(result) -> str:
    """Where a stored result was trained: Keras backend and device, e.g. ``'jax, CPU'`` (chapter 4).

    A run resumed elsewhere lists each machine in order of its epochs
    (``'torch, NVIDIA H200, then jax, CPU'``), from the result's ``segments``.
    """
    seen: list[str] = []
    for seg in result.data.get("segments") or []:
        if "device" in seg:
            label = _machine_label(seg["backend"], seg["device"])
            if not seen or seen[-1] != label:
                seen.append(label)
    if len(seen) > 1:
        return ", then ".join(seen)
    env = result.environment
    return _machine_label(env["backend"], env["device"])


def results_frame(results: dict[str, Any]):
    """A table (pandas DataFrame, indexed by experiment id) of results from :func:`get_results` (chapter 4).

    Columns: test accuracy (as :func:`pct`, "not yet run" when missing),
    epochs trained, training minutes, and where it trained (:func:`trained_on`).
    """
    import pandas as pd

    rows = []
    for rid, res in results.items():
        if res is None:
            rows.append({"experiment": rid, "test accuracy": PENDING, "epochs": "", "training minutes": "",
                         "trained on": ""})
            continue
        rows.append({
            "experiment": rid,
            "test accuracy": pct(res.test_accuracy),
            "epochs": str(len(res.history["accuracy"])),
            "training minutes": f"{res.wall_seconds / 60:.1f}",
            "trained on": trained_on(res),
        })
    return pd.DataFrame(rows).set_index("experiment")


def pct_spread(values: Iterable[float], digits: int = 2) -> str:
    """Mean ± sample standard deviation over seeds, in percent (chapter 5).

    ``'97.12% ± 0.15 (3 seeds)'``; one value gives ``'97.12% (1 seed, no spread)'``;
    none gives ``'not yet run'``.  The spread is in percentage points.
    """
    vals = [float(v) for v in values]
    if not vals:
        return PENDING
    m, sd = mean_spread(vals)
    if len(vals) == 1:
        return f"{pct(m, digits)} (1 seed, no spread)"
    return f"{pct(m, digits)} ± {100 * sd:.{digits}f} ({len(vals)} seeds)"


def pct_by_seed(pairs: Iterable[tuple[int, float]], digits: int = 2) -> str:
    """Each seed's accuracy, in percent, for runs too unlike to average (chapters 11 and 13).

    ``[(0, 0.1826), (1, 0.1135)]`` gives ``'18.26%, 11.35% (seeds 0, 1)'``;
    one pair gives ``'... (seed 0)'``; none gives ``'not yet run'``.
    """
    pairs = list(pairs)
    if not pairs:
        return PENDING
    label = f"seed {pairs[0][0]}" if len(pairs) == 1 else "seeds " + ", ".join(str(s) for s, _ in pairs)
    return ", ".join(pct(a, digits) for _, a in pairs) + f" ({label})"


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def sci(x: float | None, digits: int = 1) -> str:
    """A small or large number for the prose: ``0.0162 -> '1.6 × 10⁻²'`` (chapter 4).

    ``0 -> '0'``; ``None -> 'not yet run'``.  Deterministic: rounded to
    ``digits`` decimals of the mantissa.
    """
    if x is None:
        return PENDING
    x = float(x)
    if x == 0:
        return "0"
    if not np.isfinite(x):
        return str(x)
    mant, exp = f"{x:.{digits}e}".split("e")
    e = int(exp)
    return mant if e == 0 else f"{mant} × 10{str(e).translate(_SUPERSCRIPT)}"


def backend_table(path: str | os.PathLike | None = None):
    """The Keras-backend throughput benchmark (``bench/backends.py``) as a DataFrame (status page)."""
    import json

    import pandas as pd

    from .result_files import RESULTS_DIR

    p = Path(path) if path is not None else RESULTS_DIR / "bench" / "backends.json"
    if not p.exists():
        return pd.DataFrame()
    data = json.loads(p.read_text())
    rows = [{
        "backend": r["backend"] + ("" if r.get("variant") in (None, "default") else f" ({r['variant']})"),
        "library": " ".join(f"{k} {v}" for k, v in r["versions"].items() if k in ("tensorflow", "jax", "torch")),
        "steps/s": f"{r['steps_per_s']:.2f}",
        "projected s/epoch": f"{r['projected_epoch_seconds']:.0f}",
        "timed steps": r["timed_steps"],
    } for r in data["results"]]
    df = pd.DataFrame(rows)
    df.attrs["note"] = data.get("note", "")
    df.attrs["date"] = data.get("date", "")
    return df


def backend_verdict(table) -> str:
    """Which backend the :func:`backend_table` measured fastest, and how JAX compares (status page)."""
    if not len(table):
        return "No backend benchmark committed yet."
    rate = table["steps/s"].astype(float)

    def name(b: str) -> str:
        return b.replace("tensorflow", "TensorFlow").replace("torch", "PyTorch").replace("jax", "JAX")

    best = name(table.loc[rate.idxmax(), "backend"])
    jax = table[table["backend"] == "jax"]
    if best == "JAX":
        others = rate[table["backend"] != "jax"]
        return ("JAX is the fastest backend in this run" + ("." if others.empty else
                f", {rate.max() / others.max():.2f} times as fast per step as the next one."))
    if jax.empty:
        return f"{best} is the fastest backend in this run; JAX was not measured."
    return (f"{best} is the fastest backend in this run: JAX takes {rate.max() / float(jax['steps/s'].iloc[0]):.2f} "
            f"times as long per training step.")


def _cell_benches(folder: str | os.PathLike | None) -> list[dict[str, Any]]:
    import json

    from .result_files import RESULTS_DIR

    root = Path(folder) if folder is not None else RESULTS_DIR / "bench"
    return [json.loads(p.read_text()) for p in sorted(root.glob("cells-*.json"))]


def cells_table(folder: str | os.PathLike | None = None):
    """The pLSTM-against-LSTM benchmark (``bench/cells.py``, every ``cells-*.json``) as a DataFrame (status page)."""
    import pandas as pd

    rows = []
    for d in _cell_benches(folder):
        env = d["environment"]
        for r in d["rows"]:
            rows.append({
                "machine": _machine_label(env["backend"], env["device"]),
                "steps": d["size"] ** 2,
                "batch": r["batch_size"],
                "LSTM s/batch": f"{r['lstm_s_per_batch']:.3f}",
                "pLSTM s/batch": f"{r['plstm_s_per_batch']:.3f}",
                "pLSTM / LSTM": f"{r['plstm_over_lstm']:.2f}",
                "pLSTM s/epoch (projected)": f"{r['plstm_s_per_epoch']:.0f}",
                "note": d.get("note", ""),
            })
    return pd.DataFrame(rows)


def cell_cost_sentence(folder: str | os.PathLike | None = None, batch_size: int = 32) -> str:
    """What a pLSTM training batch costs against an LSTM one, per machine measured (chapter 12)."""
    parts = []
    for d in _cell_benches(folder):
        env = d["environment"]
        for r in d["rows"]:
            if r["batch_size"] != batch_size:
                continue
            parts.append(f"{r['plstm_over_lstm']:.2f} times as long on {_machine_label(env['backend'], env['device'])} "
                         f"(one 54,000-image epoch of the pLSTM projects to {r['plstm_s_per_epoch'] / 60:.0f} minutes"
                         + (f"; {d['note']}" if d.get("note") else "") + ")")
    if not parts:
        return "no measurement is committed yet."
    return f"at batch size {batch_size}, a pLSTM batch takes {join_and(parts)}."
