"""Command line: ``python -m hilbertlib --help``.

python -m hilbertlib orderings                  # list ordering names
python -m hilbertlib draw hilbert --size 14 -o hilbert14.png
python -m hilbertlib metrics hilbert --size 28  # locality metrics
python -m hilbertlib status                     # which results exist
python -m hilbertlib run --jobs 2               # train every missing result
python -m hilbertlib run --only lstm-14-row-s0 --shard 1/3
python -m hilbertlib run --scheduler tcp://HOST:8786   # every missing result as a task on a Dask cluster
python -m hilbertlib park --only ID             # copy an unfinished run's checkpoint into results/in-progress
python -m hilbertlib reservoir                  # the echo state networks of chapter 8
python -m hilbertlib memory                     # chapter 7's memory measurements of the trained LSTMs
"""

from __future__ import annotations

import argparse
import os
import queue
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _parse_shard(text: str) -> tuple[int, int]:
    try:
        i, n = (int(v) for v in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shard must look like 1/3, got {text!r}") from None
    if not 1 <= i <= n:
        raise argparse.ArgumentTypeError(f"--shard i/n needs 1 <= i <= n, got {text!r}")
    return i, n


BACKENDS = ("jax", "torch", "tensorflow", "numpy")


def _parse_backend(text: str) -> tuple[str, str]:
    from .specs import MODELS

    model, sep, backend = text.partition("=")
    if not sep or model not in MODELS or backend not in BACKENDS:
        raise argparse.ArgumentTypeError(
            f"--backend wants MODEL=BACKEND with MODEL in {', '.join(MODELS)} "
            f"and BACKEND in {', '.join(BACKENDS)}, got {text!r}"
        )
    return model, backend


def _select(args) -> list:
    from .grid import SET_FOLDERS, all_specs, grid

    specs = grid(args.grid) if args.grid else all_specs()
    if args.only:
        wanted = [w for w in args.only.split(",") if w]
        by_id = {s.id: s for s in specs}
        unknown = [w for w in wanted if w not in by_id]
        for name in [] if args.grid else SET_FOLDERS:  # a set of its own is named, never implied
            if in_set := sorted(set(unknown) & {s.id for s in grid(name)}):
                raise SystemExit(f"{in_set} belong to the set {name!r}, with a folder of its own: add --grid {name}")
        if unknown:
            raise SystemExit(f"unknown experiment ids {unknown}; see 'python -m hilbertlib status'")
        specs = [by_id[w] for w in wanted]
    if args.shard:
        i, n = args.shard
        specs = specs[i - 1 :: n]
    return specs


def _cmd_orderings(args) -> int:
    from .orderings import ordering_names

    for name, doc in ordering_names().items():
        print(f"{name:15s} {doc}")
    print("reversed:NAME   any ordering walked backwards, e.g. reversed:hilbert")
    return 0


def _cmd_draw(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from .plotting import draw_ordering

    fig = draw_ordering(args.name, args.size, args.width)
    out = Path(args.output or f"{args.name.replace(':', '-')}-{args.size}.png")
    fig.savefig(out, dpi=120, bbox_inches="tight")
    print(out)
    return 0


def _cmd_metrics(args) -> int:
    from .metrics import locality_summary

    summary = locality_summary(args.name, args.size, args.width)
    width = max(len(k) for k in summary)
    for k, v in summary.items():
        print(f"{k:{width}s}  {v:.4g}" if isinstance(v, float) else f"{k:{width}s}  {v}")
    return 0


def _cmd_status(args) -> int:
    from .checkpoints import parked_state
    from .result_files import ResultError, load_result

    for spec in _select(args):
        try:
            res = load_result(spec, args.results)
            state = (
                "missing"
                if res is None
                else f"test acc {res.test_accuracy:.4f}  {res.wall_seconds / 60:.1f} min  {res.environment['backend']}"
            )
        except ResultError as exc:
            state = f"BAD: {exc}"
        parked = parked_state(spec, args.results) if state == "missing" else None
        if parked is not None:
            state += f" (parked after {parked['completed_epochs']} of {spec.epochs} epochs)"
        print(f"{spec.id:32s} {state}")
    return 0


def _cmd_park(args) -> int:
    from .checkpoints import park, parked_state

    if not args.only:
        raise SystemExit("park needs --only ID[,ID...]: the unfinished runs whose checkpoints to park")
    for spec in _select(args):
        dest = park(spec, args.results, args.cache)
        done = parked_state(spec, args.results)["completed_epochs"]
        print(f"{spec.id}: parked after {done} of {spec.epochs} epochs in {dest}")
    return 0


# XLA on the CPU with one thread: what a job pinned to one core runs with.
ONE_THREAD_XLA = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"


class DeadlineReached(Exception):
    """Raised after an epoch's checkpoint when the next epoch would overrun --deadline."""


def _deadline_hook(deadline: float | None):
    if deadline is None:
        return None
    last = {"t": time.monotonic()}

    def hook(epoch: int, logs: dict) -> None:
        now = time.monotonic()
        took, last["t"] = now - last["t"], now
        if now + took > deadline:
            raise DeadlineReached(f"stopped after epoch {epoch}: another epoch (~{took:.0f} s) would pass the deadline")

    return hook


def _cmd_run(args) -> int:
    from .result_files import load_result

    deadline = None if args.deadline is None else time.monotonic() + args.deadline
    specs = _select(args)
    todo = [s for s in specs if args.retrain or load_result(s, args.results) is None]
    if args.list:
        for s in todo:
            print(s.id)
        return 0
    if not todo:
        print("nothing to run: every selected result exists")
        return 0
    if args.scheduler:
        return _run_on_cluster(args, todo)
    os.environ.setdefault("KERAS_BACKEND", "jax")
    # A model with a backend of its own (--backend plstm=jax) trains in a process of its own.
    backend_of = dict(args.backend or [])
    foreign = any(backend_of.get(s.model, os.environ["KERAS_BACKEND"]) != os.environ["KERAS_BACKEND"] for s in todo)
    if (args.jobs <= 1 or len(todo) == 1) and not foreign and not args.pin:
        from .runner import run

        for spec in todo:
            t0 = time.time()
            try:
                res = run(
                    spec,
                    args.results,
                    retrain=args.retrain,
                    progress=True,
                    cache_dir=args.cache,
                    on_epoch=_deadline_hook(deadline),
                )
            except DeadlineReached as exc:
                print(f"{spec.id}: {exc}; its checkpoint is kept, run again to resume", flush=True)
                return 3
            print(f"{spec.id}: test accuracy {res.test_accuracy:.4f} ({(time.time() - t0) / 60:.1f} min)", flush=True)
        return 0
    logs = Path(args.logs)
    logs.mkdir(parents=True, exist_ok=True)
    slots: queue.Queue[int] = queue.Queue()
    for i in range(max(1, args.jobs)):
        slots.put(i)
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if args.pin and not cpus:
        raise SystemExit("--pin needs a system that can pin processes to cores (Linux)")

    def one(spec) -> int:
        slot = slots.get()
        try:
            return _one(spec, slot)
        finally:
            slots.put(slot)

    def _one(spec, slot: int) -> int:
        cmd = [sys.executable, "-m", "hilbertlib", "run", "--only", spec.id, "--results", str(args.results)]
        if args.grid:
            cmd += ["--grid", args.grid]
        if args.retrain:
            cmd.append("--retrain")
        if args.cache:
            cmd += ["--cache", str(args.cache)]
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                print(f"{spec.id}: not started, the deadline has passed", flush=True)
                return 3
            cmd += ["--deadline", f"{left:.0f}"]
        env = {**os.environ, "KERAS_BACKEND": backend_of.get(spec.model, os.environ["KERAS_BACKEND"])}
        pin = None
        if args.pin:
            # One core and one thread per job: on a small CPU this trains more
            # runs an hour than jobs that share every core (bench/layouts.py).
            core = cpus[slot % len(cpus)]
            env["XLA_FLAGS"] = " ".join(filter(None, [env.get("XLA_FLAGS", ""), ONE_THREAD_XLA]))
            env["OMP_NUM_THREADS"] = "1"

            def pin():
                os.sched_setaffinity(0, {core})

        with open(logs / f"{spec.id}.log", "w") as fh:
            rc = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, preexec_fn=pin).returncode
        state = {0: "done", 3: "stopped at the deadline (checkpoint kept)"}.get(
            rc, f"FAILED (exit {rc}), see {logs / spec.id}.log"
        )
        print(f"{spec.id}: {state}", flush=True)
        return rc

    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        codes = list(pool.map(one, todo))
    failed = [c for c in codes if c not in (0, 3)]
    return max(failed) if failed else (3 if 3 in codes else 0)


def _run_on_cluster(args, todo: list) -> int:
    """``run --scheduler ADDRESS``: each missing experiment as a task on a Dask cluster (hilbertlib.cluster)."""
    from .cluster import run_grid

    clash = [
        flag
        for flag, on in (("--jobs", args.jobs > 1), ("--pin", args.pin), ("--deadline", args.deadline is not None))
        if on
    ]
    if clash:
        raise SystemExit(
            f"--scheduler does not combine with {', '.join(clash)}: the cluster's workers decide how many "
            "runs train at once (one per worker thread)"
        )
    outcome = run_grid(
        todo,
        args.scheduler,
        args.results,
        checkpoints=args.cache,
        retrain=args.retrain,
        retries=args.retries,
        backends=dict(args.backend or []),
    )
    failed = [k for k, v in outcome.items() if v != "done"]
    print(f"{len(outcome) - len(failed)} results written, {len(failed)} failed", flush=True)
    return 1 if failed else 0


def _cmd_reservoir(args) -> int:
    from .reservoir_grid import chapter_grid

    orderings = [o for o in args.orderings.split(",") if o]
    if args.scheduler and not args.list:
        from .cluster import run_reservoir_grid

        outcome = run_reservoir_grid(args.scheduler, args.results, orderings=orderings)
        failed = [k for k, v in outcome.items() if v != "done"]
        print(f"{len(outcome) - len(failed)} reservoir results written, {len(failed)} failed", flush=True)
        if failed:
            return 1
    done = chapter_grid(
        args.results,
        compute=not (args.list or args.scheduler),
        orderings=orderings,
        log=lambda i: print(f"computing {i}", flush=True),
    )
    n = sum(len(v) for stage in ("search", "sweep") for by_o in done[stage].values() for v in by_o.values())
    print(f"{n} reservoir results in {args.results}; missing: {len(done['missing'])}")
    for m in done["missing"]:
        print(f"  missing {m}")
    return 0


def _cmd_memory(args) -> int:
    """``memory``: measure the trained LSTMs that lack an up-to-date memory measurement (chapter 7)."""
    from . import memory_data
    from .grid import all_specs
    from .result_files import load_result

    if args.only:
        by_id = {s.id: s for s in all_specs() if s.model == "lstm"}
        wanted = [w for w in args.only.split(",") if w]
        unknown = [w for w in wanted if w not in by_id]
        if unknown:
            raise SystemExit(f"unknown LSTM experiment ids {unknown}; see 'python -m hilbertlib status'")
        specs = [by_id[w] for w in wanted]
    else:
        specs = memory_data.chapter_specs()
    todo, untrained = [], []
    for spec in specs:
        res = load_result(spec, args.results)
        if res is None or res.weights_path is None or not res.weights_path.exists():
            untrained.append(spec.id)
            print(f"{spec.id}: no trained network; train it with: python -m hilbertlib run --only {spec.id}")
            continue
        state = memory_data.check(res, args.results, args.images)
        if args.list:
            print(f"{spec.id}: {state or 'up to date'}")
        elif state is None and not args.recompute:
            print(f"{spec.id}: up to date")
        else:
            todo.append(res)
    if todo:
        memory_data.measure_and_save(todo, args.results, args.images, log=lambda line: print(line, flush=True))
    return 1 if untrained and not args.list else 0


def main(argv: list[str] | None = None) -> int:
    from .result_files import RESULTS_DIR

    p = argparse.ArgumentParser(
        prog="python -m hilbertlib", description="MNIST digits as time series: orderings and experiments."
    )
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("orderings", help="list ordering names").set_defaults(fn=_cmd_orderings)
    for name, fn, hlp in (
        ("draw", _cmd_draw, "draw an ordering to a PNG"),
        ("metrics", _cmd_metrics, "print an ordering's locality metrics"),
    ):
        sp = sub.add_parser(name, help=hlp)
        sp.add_argument("name", help="ordering name, e.g. hilbert or reversed:row")
        sp.add_argument("--size", type=int, default=14, help="grid height (default 14)")
        sp.add_argument("--width", type=int, default=None, help="grid width (default: the height)")
        if name == "draw":
            sp.add_argument("-o", "--output", help="PNG file to write")
        sp.set_defaults(fn=fn)
    for name, fn, hlp in (
        ("status", _cmd_status, "show which results exist"),
        ("run", _cmd_run, "train missing experiments"),
        ("park", _cmd_park, "copy unfinished runs' checkpoints into results/in-progress, to commit"),
    ):
        sp = sub.add_parser(name, help=hlp)
        sp.add_argument("--grid", help="a named grid (default: all grids but the sets of their own, e.g. ablation)")
        sp.add_argument("--only", help="comma-separated experiment ids")
        sp.add_argument("--shard", type=_parse_shard, help="i/n: run every n-th spec starting at the i-th")
        sp.add_argument(
            "--results",
            type=Path,
            default=None,
            help="results folder (default: the committed results/, and its ablation/ for --grid ablation)",
        )
        if name == "run":
            sp.add_argument("--jobs", type=int, default=1, help="experiments to run at once, in separate processes")
            sp.add_argument(
                "--pin",
                action="store_true",
                help="pin each job to a core of its own with one thread (more runs an hour on a small CPU)",
            )
            sp.add_argument("--retrain", action="store_true", help="train even when a result exists")
            sp.add_argument("--list", action="store_true", help="only list what would run")
            sp.add_argument("--logs", default=str(Path(".cache") / "logs"), help="log folder for --jobs > 1")
            sp.add_argument(
                "--backend",
                type=_parse_backend,
                action="append",
                metavar="MODEL=BACKEND",
                help="train MODEL's runs on another Keras backend, in processes of their own "
                "(e.g. plstm=jax beside torch on a GPU); repeatable",
            )
        if name in ("run", "park"):
            sp.add_argument("--cache", type=Path, default=None, help="checkpoint folder (default .cache/checkpoints)")
        if name == "run":
            sp.add_argument(
                "--scheduler",
                metavar="ADDRESS",
                help="a Dask scheduler (tcp://HOST:8786): each missing experiment becomes a task on its "
                "cluster; --cache is then a checkpoint folder the workers share",
            )
            sp.add_argument("--retries", type=int, default=1, help="with --scheduler: tries more for a run that raises")
            # Maintainers' tooling (tools/gpu-run.sh; see CONTRIBUTING.md): stop, keeping the
            # checkpoints, before an epoch would end after this many seconds.
            sp.add_argument("--deadline", type=float, default=None, help=argparse.SUPPRESS)
        sp.set_defaults(fn=fn)
    sp = sub.add_parser("reservoir", help="compute the missing echo-state-network results of chapter 8")
    sp.add_argument(
        "--results", type=Path, default=None, help="results folder (default: the committed results/reservoir)"
    )
    sp.add_argument("--orderings", default="row,hilbert,spiral", help="comma-separated orderings")
    sp.add_argument("--list", action="store_true", help="only list what is missing")
    sp.add_argument("--scheduler", metavar="ADDRESS", help="a Dask scheduler (tcp://HOST:8786): compute on its cluster")
    sp.set_defaults(fn=_cmd_reservoir)
    sp = sub.add_parser("memory", help="measure what the trained LSTMs remember (chapter 7), where missing")
    sp.add_argument("--only", help="comma-separated LSTM experiment ids (default: chapter 7's six networks)")
    sp.add_argument(
        "--results",
        type=Path,
        default=RESULTS_DIR,
        help="results folder; measurements go to its memory/ (default: the committed results/)",
    )
    sp.add_argument("--images", type=int, default=None, help="measure at most this many test images (default: all)")
    sp.add_argument("--recompute", action="store_true", help="measure again even when an up-to-date one exists")
    sp.add_argument("--list", action="store_true", help="only say which measurements are missing or out of date")
    sp.set_defaults(fn=_cmd_memory)
    args = p.parse_args(argv)
    if args.cmd == "reservoir" and args.results is None:
        from .reservoir import RESERVOIR_DIR

        args.results = RESERVOIR_DIR
    elif getattr(args, "results", "") is None:
        from .grid import set_folder

        args.results = set_folder(args.grid, RESULTS_DIR)
        if getattr(args, "cache", "") is None and args.results != RESULTS_DIR:  # a set resumes from its own
            from .checkpoints import CACHE_DIR

            args.cache = set_folder(args.grid, CACHE_DIR)
    try:
        return args.fn(args)
    except (ValueError, RuntimeError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
