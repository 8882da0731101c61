"""Training throughput of the paper's LSTM under each Keras backend.

    python bench/backends.py                 # all three backends, one subprocess each
    python bench/backends.py --backends jax,tensorflow --torch-variants none
    python bench/backends.py --torch-variants passive,1thread
    KERAS_BACKEND=jax python bench/backends.py --child jax   # one backend (what the parent runs)

The model is hilbertlib's paper LSTM (``build_model(ExperimentSpec('lstm', 14,
'hilbert'))``: LSTM(128) -> Dropout(0.5) -> Dense(128, relu) -> Dense(10,
softmax), Adam, sparse categorical cross-entropy, batch 32) on 14x14 MNIST
digits read as (196, 1) Hilbert sequences.  Keras picks its backend when it is
imported, so each backend runs in its own subprocess (``KERAS_BACKEND=...``).
A child warms up with ``model.fit`` on 20 batches (compilation / tracing),
then times one ``model.fit`` epoch of 150 batches (4,800 images) and reports
steps/s and the projected seconds of one full 54,000-image epoch.  A backend
too slow for that stops early: warm-up after ``--warm-budget`` seconds (at
least one step), the timed phase after ``--budget`` seconds (at least 2 steps);
the table marks such rows.  torch is also run with ``OMP_WAIT_POLICY=PASSIVE``
(``--torch-variants``; ``1thread`` = ``torch.set_num_threads(1)`` is the other
choice), because its default OpenMP threads spin-wait and collapse when other
jobs oversubscribe the CPUs.
The parent prints a table with each row's ratio to the fastest and writes
``results/bench/backends.json`` atomically.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT_PATH = ROOT / "results" / "bench" / "backends.json"
DEFAULT_MNIST = ROOT.parent / "shared" / "data" / "mnist.npz"
BACKENDS = ("tensorflow", "jax", "torch")
BATCH = 32
EPOCH_IMAGES = 54_000  # 60,000 training images less the 6,000 validation images
MARK = "BENCH_RESULT "


# -------------------------------------------------------------------- child


def _budget_callback(keras, budget_s: float, min_steps: int):
    """Stops ``fit`` after ``budget_s`` seconds (but not before ``min_steps``) and
    records when each batch ended."""

    class Budget(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.t0 = time.perf_counter()
            self.ends: list[float] = []

        def on_train_batch_end(self, batch, logs=None):
            self.ends.append(time.perf_counter())
            if len(self.ends) >= min_steps and self.ends[-1] - self.t0 > budget_s:
                self.model.stop_training = True

    return Budget()


def child(
    backend: str, warmup: int, steps: int, budget: float, warm_budget: float, torch_threads: int | None, label: str
) -> dict:
    if os.environ.get("KERAS_BACKEND") != backend:
        raise SystemExit(f"run the child with KERAS_BACKEND={backend} (Keras picks its backend at import)")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import numpy as np

    import hilbertlib
    from hilbertlib.environment import environment
    from hilbertlib.models import build_model
    from hilbertlib.runner import set_seed

    assert keras.backend.backend() == backend, keras.backend.backend()
    threads = None
    if backend == "torch":
        import torch

        if torch_threads:
            torch.set_num_threads(torch_threads)
        threads = torch.get_num_threads()
    path = os.environ.get("HILBERTLIB_MNIST") or str(DEFAULT_MNIST)
    ds = hilbertlib.load_mnist(path)
    n = (warmup + steps) * BATCH
    spec = hilbertlib.ExperimentSpec("lstm", size=14, ordering="hilbert")
    x = hilbertlib.to_sequences(hilbertlib.downsample(ds.x_train[:n], 2), spec.ordering)
    y = np.asarray(ds.y_train[:n], dtype=np.int32)
    assert x.shape[1:] == (196, 1), x.shape

    set_seed(0)
    model = build_model(spec)
    xw, yw = x[: warmup * BATCH], y[: warmup * BATCH]
    xt, yt = x[warmup * BATCH :], y[warmup * BATCH :]

    # Warm-up: compilation / tracing and the optimizer's variables.  The first
    # step is always done; the rest only while the warm-up budget lasts.
    cb = _budget_callback(keras, warm_budget, 1)
    t0 = time.perf_counter()
    model.fit(xw, yw, batch_size=BATCH, epochs=1, shuffle=False, verbose=0, callbacks=[cb])
    warm_s, warm_steps = time.perf_counter() - t0, len(cb.ends)
    load_before = os.getloadavg()
    cb = _budget_callback(keras, budget, 2)
    t0 = time.perf_counter()
    hist = model.fit(xt, yt, batch_size=BATCH, epochs=1, shuffle=False, verbose=0, callbacks=[cb])
    done = len(cb.ends)
    timed_s = cb.ends[-1] - t0  # fit call start to the end of the last batch
    steps_per_s = done / timed_s
    step_s = np.diff([t0] + cb.ends)  # per-step seconds; a long first one would mean a re-trace
    env = environment()
    return {
        "backend": backend,
        "variant": label,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "intra_op_threads": threads,
        "versions": env["versions"],
        "device": env["device"],
        "batch_size": BATCH,
        "warmup_steps": warm_steps,
        "warmup_seconds": warm_s,
        "planned_steps": steps,
        "timed_steps": done,
        "cut_by_budget": done < steps,
        "budget_seconds": budget,
        "warmup_budget_seconds": warm_budget,
        "first_timed_step_seconds": float(step_s[0]),
        "median_step_seconds": float(np.median(step_s)),
        "timed_seconds": timed_s,
        "steps_per_s": steps_per_s,
        "projected_epoch_seconds": (EPOCH_IMAGES / BATCH) / steps_per_s,
        "loss_after": float(hist.history["loss"][-1]),
        "loadavg_before": list(load_before),
        "loadavg_after": list(os.getloadavg()),
    }


# ------------------------------------------------------------------- parent


def _label(r: dict) -> str:
    if r.get("variant", "default") == "default":
        return r["backend"]
    return f"{r['backend']} ({r['variant']})"


# torch variants: label -> (extra environment, torch.set_num_threads or None)
TORCH_VARIANTS = {
    "passive": ({"OMP_WAIT_POLICY": "PASSIVE"}, None),
    "1thread": ({}, 1),
}


def _busy_cpu_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (``/proc/stat``), or None off Linux."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in (fields + ["0"] * 8)[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _own_cpu_seconds() -> float:
    """CPU seconds used by this process and the children it has waited for (the backends' subprocesses)."""
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def other_cpu_load(busy0: float | None, own0: float, wall: float) -> float | None:
    """CPUs kept busy on average by processes other than this benchmark since ``busy0``/``own0`` were read.

    The load average cannot tell: the benchmark's own children keep the CPUs busy too.
    """
    busy1 = _busy_cpu_seconds()
    if busy0 is None or busy1 is None or wall <= 0:
        return None
    return max(0.0, (busy1 - busy0) - (_own_cpu_seconds() - own0)) / wall


def parent(
    runs_wanted: list[tuple[str, str]], warmup: int, steps: int, budget: float, warm_budget: float, timeout: float
) -> int:
    from hilbertlib.environment import cpu_model
    from hilbertlib.io import atomic_write_json

    load_start = os.getloadavg()
    busy0, own0, wall0 = _busy_cpu_seconds(), _own_cpu_seconds(), time.perf_counter()
    ncpu = os.cpu_count() or 1
    print(
        f"paper LSTM, 14x14 hilbert sequences (196, 1), batch {BATCH}: up to {warmup} warm-up + {steps} timed "
        f"steps per backend (warm-up capped at {warm_budget:g} s, at least 1 step; timed phase at "
        f"{budget:g} s, at least 2 steps; extra torch variants get half)\n"
        f"machine: {cpu_model()}, {ncpu} CPUs, load average {load_start[0]:.2f}"
    )
    runs: list[dict] = []
    for b, variant in runs_wanted:
        extra_env, thr = TORCH_VARIANTS.get(variant, ({}, None))
        name = b if variant == "default" else f"{b} ({variant})"
        env = dict(os.environ, KERAS_BACKEND=b, TF_CPP_MIN_LOG_LEVEL="2", **extra_env)
        cmd = [
            sys.executable,
            __file__,
            "--child",
            b,
            "--warmup",
            str(warmup),
            "--steps",
            str(steps),
            "--budget",
            str(budget if variant == "default" else budget / 2),
            "--warm-budget",
            str(warm_budget),
            "--label",
            variant,
        ]
        if thr:
            cmd += ["--torch-threads", str(thr)]
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            print(f"  {name:<16} timed out after {timeout:.0f} s")
            runs.append({"backend": b, "variant": name, "error": f"timed out after {timeout:.0f} s"})
            continue
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(MARK)]
        if proc.returncode or not lines:
            tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
            print(f"  {name:<16} failed (exit {proc.returncode}):\n{tail}")
            runs.append({"backend": b, "variant": name, "error": f"exit {proc.returncode}: {tail}"})
            continue
        r = json.loads(lines[-1][len(MARK) :])
        r["subprocess_seconds"] = time.perf_counter() - t0
        runs.append(r)
        print(f"  {name:<16} done in {r['subprocess_seconds']:.1f} s")

    ok = [r for r in runs if "error" not in r]
    fastest = max((r["steps_per_s"] for r in ok), default=None)
    for r in ok:
        r["time_ratio_to_fastest"] = fastest / r["steps_per_s"]
    load_end = os.getloadavg()
    print()
    hdr = (
        f"{'backend':<16} {'library':<18} {'warm-up':>12} {'timed steps':>11} {'steps/s':>8} {'s/step':>8} "
        f"{'epoch s (proj.)':>16} {'x fastest':>10}"
    )
    print(hdr)
    print("-" * len(hdr))
    for r in runs:
        if "error" in r:
            print(f"{r['variant']:<16} ERROR: {r['error'].splitlines()[0]}")
            continue
        lib = f"{r['backend']} {r['versions'].get(r['backend'], '?')}"
        warm = f"{r['warmup_steps']} / {r['warmup_seconds']:.1f}s"
        timed = f"{r['timed_steps']}{'*' if r['cut_by_budget'] else ''}"
        print(
            f"{_label(r):<16} {lib:<18} {warm:>12} {timed:>11} {r['steps_per_s']:>8.2f} "
            f"{1 / r['steps_per_s']:>8.3f} {r['projected_epoch_seconds']:>16.0f} {r['time_ratio_to_fastest']:>9.2f}x"
        )
    keras_v = ok[0]["versions"]["keras"] if ok else "?"
    print(
        f"\nkeras {keras_v}; projected epoch = {EPOCH_IMAGES} images / {BATCH} = {EPOCH_IMAGES / BATCH:.1f} steps "
        "at the timed rate (no validation pass);\n'x fastest' = time per step relative to the fastest row; "
        "rows without (...) use each library's default threading;\n"
        "torch (passive): OMP_WAIT_POLICY=PASSIVE; torch (1thread): torch.set_num_threads(1)"
    )
    if any(r.get("cut_by_budget") for r in ok):
        print(f"* fewer than {steps} timed steps: the time budget ran out first (steps/s is over the steps done)")
    others = other_cpu_load(busy0, own0, time.perf_counter() - wall0)
    concurrent = others is not None and others > 0.25
    note = None
    if concurrent:
        note = (
            f"other processes kept {others:.2f} of the {ncpu} CPUs busy on average while it ran, so absolute "
            "steps/s are depressed and noisy; the backends ran one after another under similar load"
        )
        print(f"note: {note}")
    elif others is not None:
        print(f"other processes used {others:.2f} CPUs on average while it ran: the machine was otherwise idle")
    atomic_write_json(
        OUT_PATH,
        {
            "benchmark": "backends",
            "date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "model": "paper LSTM: LSTM(128) -> Dropout(0.5) -> Dense(128, relu) -> Dense(10, softmax); Adam; "
            "sparse categorical cross-entropy",
            "input": "(196, 1): 14x14 MNIST, hilbert ordering",
            "batch_size": BATCH,
            "planned_warmup_steps": warmup,
            "planned_timed_steps": steps,
            "timed_budget_seconds": budget,
            "warmup_budget_seconds": warm_budget,
            "epoch_images": EPOCH_IMAGES,
            "cpu": cpu_model(),
            "cpu_count": ncpu,
            "platform": platform.platform(),
            "python": platform.python_version(),
            "loadavg_start": list(load_start),
            "loadavg_end": list(load_end),
            "other_cpus_busy": others,
            "concurrent_load": concurrent,
            "note": note,
            "results": runs,
        },
    )
    print(f"wrote {OUT_PATH.relative_to(ROOT)}")
    return 0 if len(ok) == len(runs) else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--child", choices=BACKENDS, help="run one backend in this process (needs KERAS_BACKEND)")
    ap.add_argument("--backends", default=",".join(BACKENDS), help="comma-separated list (parent)")
    ap.add_argument(
        "--torch-variants",
        default="passive",
        help="extra torch runs, comma-separated: passive (OMP_WAIT_POLICY=PASSIVE), "
        "1thread (torch.set_num_threads(1)), or none (default: passive)",
    )
    ap.add_argument("--warmup", type=int, default=20, help="warm-up batches (default 20)")
    ap.add_argument("--steps", type=int, default=150, help="timed batches (default 150)")
    ap.add_argument(
        "--budget",
        type=float,
        default=25,
        help="seconds after which the timed phase stops early (default 25; at least 2 steps)",
    )
    ap.add_argument(
        "--warm-budget",
        type=float,
        default=6,
        help="seconds after which the warm-up stops early (default 6; at least 1 step)",
    )
    ap.add_argument("--torch-threads", type=int, default=None, help="child only: torch.set_num_threads")
    ap.add_argument("--label", default="default", help="child only: the variant's name")
    ap.add_argument("--timeout", type=float, default=150, help="seconds per backend subprocess")
    args = ap.parse_args()
    if args.child:
        result = child(
            args.child, args.warmup, args.steps, args.budget, args.warm_budget, args.torch_threads, args.label
        )
        print(MARK + json.dumps(result), flush=True)
        return 0
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    bad = [b for b in backends if b not in BACKENDS]
    if bad:
        ap.error(f"unknown backend(s) {bad}; choose from {', '.join(BACKENDS)}")
    variants = [v.strip() for v in args.torch_variants.split(",") if v.strip() and v.strip() != "none"]
    bad = [v for v in variants if v not in TORCH_VARIANTS]
    if bad:
        ap.error(f"unknown torch variant(s) {bad}; choose from {', '.join(TORCH_VARIANTS)} or none")
    wanted = [(b, "default") for b in backends]
    if "torch" in backends:
        wanted += [("torch", v) for v in variants]
    return parent(wanted, args.warmup, args.steps, args.budget, args.warm_budget, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
