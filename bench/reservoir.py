"""Speed of hilbertlib's batched reservoir against reservoirpy's own run, as a ratio.

    python bench/reservoir.py [--units 200,1000] [--images 200] [--size 14]

Chapter 8 drives a reservoirpy ``Reservoir`` with tens of thousands of pixel
series.  ``Reservoir.run`` steps one series at a time in Python (float64, sparse
matrices); ``hilbertlib.reservoir.reservoir_states`` steps a whole batch at once
(float32, one dense matrix product per step).  For each reservoir size the two
are timed alternately, round by round (best of ``--rounds``), on the same
``--images`` MNIST Hilbert series, and the batched states are checked against
reservoirpy's (largest absolute difference of the mean state).

Goals: the batched reservoir is at least 10x faster than ``Reservoir.run`` for
small reservoirs (<= 200 units), where reservoirpy's per-step Python overhead
dominates, and never slower at larger sizes, where both are bound by the matrix
product (reservoirpy multiplies a 10%-dense sparse matrix by one state; the
batch multiplies the dense matrix by many states, 10x the arithmetic but at
BLAS speed).  Prints a table, writes ``results/bench/reservoir.json``
atomically and exits 1 if a goal fails or the states disagree (> 1e-4).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import hilbertlib  # noqa: E402
from hilbertlib.environment import cpu_model  # noqa: E402
from hilbertlib.io import atomic_write_json  # noqa: E402

OUT_PATH = ROOT / "results" / "bench" / "reservoir.json"
DEFAULT_MNIST = ROOT.parent / "shared" / "data" / "mnist.npz"
GOAL_SMALL = 10.0  # speedup at <= SMALL units
GOAL_LARGE = 1.0  # speedup above SMALL units
SMALL = 200
TOLERANCE = 1e-4


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--units", default="100,200,500,1000", help="comma-separated reservoir sizes")
    p.add_argument("--images", type=int, default=200, help="series per timing")
    p.add_argument("--size", type=int, default=14, choices=(14, 28))
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--out", type=Path, default=OUT_PATH)
    args = p.parse_args(argv)

    import reservoirpy

    from hilbertlib.data import load_mnist
    from hilbertlib.reservoir import make_reservoir, reservoir_states
    from hilbertlib.transforms import downsample, to_sequences

    os.environ.setdefault("HILBERTLIB_MNIST", str(DEFAULT_MNIST))
    ds = load_mnist()
    imgs = ds.x_test[: args.images]
    if args.size == 14:
        imgs = downsample(imgs, 2)
    x = to_sequences(imgs, "hilbert")  # (n, steps, 1) float32
    load_start = os.getloadavg()
    rows = []
    for units in (int(u) for u in args.units.split(",") if u):
        res = make_reservoir(units, 0.2, 0.9, seed=0)
        out = {}

        def ours(res=res, out=out):
            out["ours"] = reservoir_states(x, res)

        def theirs(res=res, out=out):
            res.reset()  # run() starts from the state the previous run left
            out["theirs"] = np.asarray(res.run(x.astype(np.float64)))

        best = {"ours": float("inf"), "theirs": float("inf")}
        for _ in range(args.rounds):
            for name, fn in (("ours", ours), ("theirs", theirs)):
                gc.collect()
                t0 = time.perf_counter()
                fn()
                best[name] = min(best[name], time.perf_counter() - t0)
        diff = float(np.abs(out["ours"]["mean"] - out["theirs"].mean(axis=1)).max())
        ratio = best["theirs"] / best["ours"]
        goal = GOAL_SMALL if units <= SMALL else GOAL_LARGE
        rows.append(
            {
                "units": units,
                "images": len(x),
                "steps": x.shape[1],
                "reservoirpy_run_s": best["theirs"],
                "batched_s": best["ours"],
                "speedup": ratio,
                "goal": goal,
                "max_abs_diff_mean_state": diff,
                "pass": bool(ratio >= goal and diff <= TOLERANCE),
            }
        )
        verdict = "PASS" if rows[-1]["pass"] else "FAIL"
        print(
            f"units {units:5d}: reservoirpy run {best['theirs']:.3f} s, batched {best['ours']:.3f} s, "
            f"{ratio:.1f}x faster (goal >= {goal:g}x), max |diff| {diff:.1e} -> {verdict}"
        )
    load_end = os.getloadavg()
    all_pass = all(r["pass"] for r in rows)
    atomic_write_json(
        args.out,
        {
            "benchmark": "reservoir",
            "goal": (
                f"batched reservoir_states >= {GOAL_SMALL:g}x faster than reservoirpy Reservoir.run "
                f"at <= {SMALL} units, >= {GOAL_LARGE:g}x above, states within {TOLERANCE:g}"
            ),
            "ordering": "hilbert",
            "size": args.size,
            "rounds": args.rounds,
            "machine": {
                "date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
                "cpu": cpu_model(),
                "cpu_count": os.cpu_count(),
                "platform": platform.platform(),
                "python": platform.python_version(),
                "numpy": np.__version__,
                "reservoirpy": reservoirpy.__version__,
                "hilbertlib": hilbertlib.__version__,
                "loadavg_start": list(load_start),
                "loadavg_end": list(load_end),
            },
            "rows": rows,
            "pass": all_pass,
        },
    )
    if max(load_start[0], load_end[0]) > 0.5 * (os.cpu_count() or 1):
        print(
            f"note: other jobs loaded the machine (load average {load_start[0]:.1f} -> {load_end[0]:.1f}); "
            "the ratios still compare the two in the same conditions"
        )
    print(f"wrote {args.out}; {'goal PASS' if all_pass else 'goal FAIL'}")
    return 0 if all_pass else 1


if __name__ == "__main__":
    sys.exit(main())
