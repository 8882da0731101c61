"""Runs per hour of the paper's 14x14 LSTM under several process and thread layouts.

    python bench/layouts.py                      # every layout, one full epoch each
    python bench/layouts.py --layouts 2x-shared,1x

Each layout starts its processes at once; each process trains one full
epoch (54,000 images, batch 32) of ``ExperimentSpec('lstm', 14, 'hilbert')``
through :func:`hilbertlib.runner.run`, the same code path as a real run,
into a temporary results folder.  A layout's throughput is its processes
divided by their slowest epoch, in 20-epoch runs per hour; the table gives
each layout's ratio to the baseline layout (``2x-shared``, what
``python -m hilbertlib run --jobs 2`` does) measured in the same run.

Layouts:

- ``2x-shared``: two processes, each free to use both cores (the baseline);
- ``2x-pinned``: two processes, each pinned to a core of its own with
  ``taskset`` and one XLA thread;
- ``1x``: one process using both cores;
- ``3x-shared``: three processes on the two cores.

Writes ``results/bench/layouts.json`` atomically.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT_PATH = ROOT / "results" / "bench" / "layouts.json"
EPOCHS_PER_RUN = 20
ONE_THREAD = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
LAYOUTS = {
    "2x-shared": [{}, {}],
    "2x-pinned": [{"cpu": 0}, {"cpu": 1}],
    "1x": [{}],
    "3x-shared": [{}, {}, {}],
}
BASELINE = "2x-shared"


def child(results: str) -> None:
    from hilbertlib.runner import run
    from hilbertlib.specs import ExperimentSpec

    res = run(ExperimentSpec("lstm", 14, "hilbert", epochs=1), results, cache_dir=Path(results) / "cache")
    print("BENCH_RESULT " + json.dumps({"epoch_seconds": res.data["epoch_seconds"][0]}), flush=True)


def layout(name: str) -> dict:
    procs = []
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        for i, opts in enumerate(LAYOUTS[name]):
            env = {**os.environ, "KERAS_BACKEND": "jax"}
            cmd = [sys.executable, __file__, "--child", str(Path(tmp) / str(i))]
            if "cpu" in opts:
                env["XLA_FLAGS"] = ONE_THREAD
                cmd = ["taskset", "-c", str(opts["cpu"]), *cmd]
            procs.append(subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
        outs = [p.communicate()[0] for p in procs]
        wall = time.perf_counter() - t0
    epochs = []
    for p, out in zip(procs, outs):
        line = [ln for ln in out.splitlines() if ln.startswith("BENCH_RESULT ")]
        if p.returncode or not line:
            raise SystemExit(f"layout {name}: a child failed (exit {p.returncode}):\n{out[-2000:]}")
        epochs.append(json.loads(line[0].split(" ", 1)[1])["epoch_seconds"])
    runs_per_hour = len(epochs) * 3600.0 / (max(epochs) * EPOCHS_PER_RUN)
    return {"processes": len(epochs), "epoch_seconds": epochs, "wall_seconds": wall, "runs_per_hour": runs_per_hour}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--layouts", default=",".join(LAYOUTS), help="comma-separated layouts")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child)
        return 0
    from hilbertlib.environment import environment
    from hilbertlib.io import atomic_write_json

    names = [n for n in args.layouts.split(",") if n]
    unknown = [n for n in names if n not in LAYOUTS]
    if unknown:
        raise SystemExit(f"unknown layouts {unknown}; valid: {', '.join(LAYOUTS)}")
    if BASELINE not in names:
        names.insert(0, BASELINE)
    rows = {}
    for n in names:
        rows[n] = layout(n)
        epochs = ", ".join(f"{s:.0f} s" for s in rows[n]["epoch_seconds"])
        print(
            f"{n:10s} {rows[n]['processes']} processes  epochs {epochs}  {rows[n]['runs_per_hour']:.2f} runs/h",
            flush=True,
        )
    base = rows[BASELINE]["runs_per_hour"]
    for r in rows.values():
        r["ratio_to_baseline"] = r["runs_per_hour"] / base
    best = max(rows, key=lambda n: rows[n]["runs_per_hour"])
    print(f"best: {best} ({rows[best]['ratio_to_baseline']:.2f}x the baseline {BASELINE})")
    OUT_PATH.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_json(
        OUT_PATH,
        {
            "baseline": BASELINE,
            "best": best,
            "layouts": rows,
            "spec": "lstm-14-hilbert-s0-e1",
            "environment": environment(),
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
