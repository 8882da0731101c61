"""The grid on a Dask distributed cluster: ``python -m hilbertlib run --scheduler tcp://HOST:8786``.

Each missing experiment is one Dask task.  A worker trains it, in a child
process, into a temporary folder of its own and sends back the result's JSON and its weights;
the client writes the two into the results folder atomically as each result
comes back (the weights first, then the JSON that names them), so the workers
need no folder in common with the client.

Checkpoints go to ``checkpoints`` on the workers, a folder they all see when
one is given: a run that Dask starts again on another worker then resumes
from its last finished epoch.  Without one, each worker checkpoints into its
own cache.  A worker that dies mid-run loses that run to Dask, which starts
the task again on another worker (the scheduler's
``distributed.scheduler.allowed-failures`` deaths at most); a task that raises
is tried ``retries`` more times.  A result is written only once it has come
back whole, so a dead worker never leaves half a file.

The cluster can be anything Dask's ``Client`` connects to: a local one
(``dask scheduler`` and ``dask worker``), a batch system through
``dask-jobqueue`` (SLURM, PBS, ...), or Kubernetes.  Workers need this
package and its requirements installed, and the data sets
(``HILBERTLIB_MNIST``, or the Keras download); their ``KERAS_BACKEND`` is
the runs' backend (JAX when it is unset).
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .io import atomic_write_bytes, atomic_write_json
from .specs import ExperimentSpec

__all__ = ["connect", "reservoir_task", "run_grid", "run_reservoir_grid", "train_task", "write_result"]

Log = Callable[[str], None]


def _print(msg: str) -> None:
    print(msg, flush=True)


# ------------------------------------------------------------- on a worker


def train_task(
    spec: dict[str, Any],
    checkpoints: str | None = None,
    parked: dict[str, bytes] | None = None,
    backend: str | None = None,
) -> dict[str, Any]:
    """Train one experiment on a Dask worker and return its result: ``{"id", "result", "weights", "worker"}``.

    ``spec`` is ``ExperimentSpec.to_dict()``; ``checkpoints`` the folder for
    per-epoch checkpoints (None: the worker's own cache); ``parked`` the files
    of a parked checkpoint (file name to bytes), resumed when it is further
    along than the one in ``checkpoints``; ``backend`` the Keras backend (None:
    the worker's ``KERAS_BACKEND``, else JAX).

    The run trains in a child process of its own, as ``python -m hilbertlib
    run`` would: Keras draws its initial weights from Python's global random
    state, which the worker's own threads also use, so a run inside the
    worker's process would not start from the same weights as a local run.
    The child dies with the worker (Linux), so a run whose worker was killed
    does not go on writing checkpoints beside its retry.
    """
    from .specs import spec_from_dict

    exp = spec_from_dict(spec)
    with tempfile.TemporaryDirectory(prefix=f"hilbertlib-{exp.id}-") as tmp:
        job = Path(tmp)
        if parked:
            from .checkpoints import PARKED

            for name, data in parked.items():
                atomic_write_bytes(job / "results" / PARKED / exp.id / Path(name).name, data)
        atomic_write_json(job / "job.json", {"spec": spec, "checkpoints": checkpoints})
        env = {**os.environ, "KERAS_BACKEND": backend or os.environ.get("KERAS_BACKEND", "jax")}
        with open(job / "log.txt", "wb") as log:
            rc = subprocess.run(
                [sys.executable, "-m", "hilbertlib.cluster", str(job), str(os.getpid())],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                check=False,
            ).returncode
        result = job / "results" / f"{exp.id}.json"
        if rc != 0 or not result.is_file():
            tail = (job / "log.txt").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"training {exp.id} failed (exit {rc}) on {socket.gethostname()}:\n{tail}")
        return {
            "id": exp.id,
            "result": json.loads(result.read_text()),
            "weights": (job / "results" / "weights" / f"{exp.id}.weights.h5").read_bytes(),
            "worker": socket.gethostname(),
        }


def _die_with_parent(parent: int) -> None:
    """In the child: have Linux kill it when the worker process ``parent`` that started it dies."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the worker died before the request took effect
        raise SystemExit(f"the worker process {parent} that started this run is gone")


def _train_job(folder: Path, parent: int) -> None:
    """The child of :func:`train_task`: train the job in ``folder`` into ``folder/results``."""
    _die_with_parent(parent)
    from .runner import run
    from .specs import spec_from_dict

    job = json.loads((folder / "job.json").read_text())
    run(spec_from_dict(job["spec"]), folder / "results", retrain=True, cache_dir=job["checkpoints"])


def reservoir_task(spec: dict[str, Any]) -> dict[str, Any]:
    """Compute one echo state network result (chapter 8) on a Dask worker and return its JSON."""
    from .reservoir import ReservoirSpec, run_reservoir

    res = run_reservoir(ReservoirSpec.from_dict(spec), None)
    return {"id": res.spec.id, "result": res.data, "worker": socket.gethostname()}


# ------------------------------------------------------------- the client


def connect(scheduler: Any):
    """A ``distributed.Client`` for ``scheduler`` and whether the caller must close it.

    ``scheduler`` is an address (``tcp://HOST:8786``), a Dask cluster object
    (``LocalCluster``, ``dask_jobqueue.SLURMCluster``, ...) or a ``Client``.
    """
    from distributed import Client

    if isinstance(scheduler, Client):
        return scheduler, False
    return Client(scheduler, timeout="60s"), True


def write_result(spec: ExperimentSpec, payload: dict[str, Any], results_dir: str | os.PathLike) -> Path:
    """Write a result that came back from a worker into ``results_dir``, atomically; returns the JSON's path.

    The weights go first, to ``weights/<id>.weights.h5``, then the JSON that
    names them: a result file never exists without its weights, and a reader
    sees the old file or the new one, never half of one.  A parked checkpoint
    of the run is deleted once the result is written, as :func:`hilbertlib.runner.run` does.
    """
    from .checkpoints import drop_parked
    from .result_files import ResultError, load_result, result_path

    results_dir = Path(results_dir)
    if payload.get("id") != spec.id or payload["result"].get("id") != spec.id:
        raise ResultError(f"a worker sent back {payload.get('id')!r} for {spec.id}")
    data = dict(payload["result"])
    data["weights"] = f"weights/{spec.id}.weights.h5"
    atomic_write_bytes(results_dir / data["weights"], payload["weights"])
    path = result_path(spec, results_dir)
    atomic_write_json(path, data)
    load_result(spec, results_dir)  # what a reader gets: raises if it is not this spec's result
    drop_parked(spec, results_dir)
    return path


def _parked_files(spec: ExperimentSpec, results_dir: Path) -> dict[str, bytes] | None:
    """The files of the parked checkpoint of ``spec`` (its state and the weights it names), or None."""
    from .checkpoints import PARKED, checkpoint_model, parked_state

    state = parked_state(spec, results_dir)
    if state is None:
        return None
    folder = results_dir / PARKED / spec.id
    model = checkpoint_model(state)
    return {"state.json": (folder / "state.json").read_bytes(), model: (folder / model).read_bytes()}


def _refuse_reduced(specs: Iterable[Any], results_dir: Path, committed: Path) -> None:
    from .result_files import _committed_dir

    reduced = [s.id for s in specs if s.reduced]
    if reduced and _committed_dir(results_dir, committed):
        raise ValueError(
            f"{reduced[0]} is a reduced (quick-mode) spec: its result may not be written into the "
            f"committed {committed}; pass another results folder"
        )


def _gather(client, jobs: dict[Any, Any], write: Callable[[Any, dict[str, Any]], Path], log: Log) -> dict[str, str]:
    """Wait for ``jobs`` (future -> spec), write each result as it comes back; returns id -> "done" or the error."""
    from distributed import as_completed

    outcome: dict[str, str] = {}
    pending = set(jobs)
    try:
        for fut in as_completed(list(jobs)):
            pending.discard(fut)
            spec = jobs[fut]
            try:
                payload = fut.result()
                path = write(spec, payload)
            except Exception as exc:  # noqa: BLE001 -- a run that failed on every try, or a result that could not be written
                outcome[spec.id] = f"FAILED ({type(exc).__name__}: {exc})"
                log(f"{spec.id}: {outcome[spec.id]}")
                continue
            outcome[spec.id] = "done"
            acc = payload["result"]["test"]["accuracy"]
            log(f"{spec.id}: test accuracy {acc:.4f}, trained on {payload.get('worker', '?')}, written to {path}")
    finally:
        if pending:  # interrupted: the results already written stay; the rest is cancelled
            client.cancel(list(pending))
    return outcome


def run_grid(
    specs: Iterable[ExperimentSpec],
    scheduler: Any,
    results_dir: str | os.PathLike,
    *,
    checkpoints: str | os.PathLike | None = None,
    retrain: bool = False,
    retries: int = 1,
    backends: dict[str, str] | None = None,
    log: Log = _print,
) -> dict[str, str]:
    """Train the missing experiments among ``specs`` on a Dask cluster; returns id -> "done" or why it failed.

    Each result is written into ``results_dir`` as it comes back
    (:func:`write_result`).  ``checkpoints`` is a folder the workers share
    (a path as the workers see it), or None for each worker's own cache.
    ``backends`` gives a model's runs another Keras backend than the workers'
    ``KERAS_BACKEND`` (``{"plstm": "jax"}``).
    """
    from .result_files import RESULTS_DIR, load_result

    results_dir = Path(results_dir)
    specs = list(specs)
    _refuse_reduced(specs, results_dir, RESULTS_DIR)
    todo = [s for s in specs if retrain or load_result(s, results_dir) is None]
    if not todo:
        log("nothing to run: every selected result exists")
        return {}
    client, owned = connect(scheduler)
    try:
        token = uuid.uuid4().hex[:8]
        ckpt = None if checkpoints is None else str(checkpoints)
        backends = backends or {}
        jobs = {
            client.submit(
                train_task,
                s.to_dict(),
                ckpt,
                _parked_files(s, results_dir),
                backends.get(s.model),
                key=f"hilbertlib-{s.id}-{token}",
                pure=False,
                retries=retries,
            ): s
            for s in todo
        }
        workers = len(client.scheduler_info()["workers"])
        log(f"submitted {len(jobs)} runs to {client.scheduler.address} ({workers} workers now)")
        return _gather(client, jobs, lambda s, p: write_result(s, p, results_dir), log)
    finally:
        if owned:
            client.close()


# --------------------------------------------------------- echo state networks


def _reservoir_candidates(
    grid: dict[str, Any],
    orderings: Iterable[str],
    units: dict[int, tuple[int, ...]],
    search_units: int,
    **overrides: Any,
) -> dict[str, Any]:
    """Every spec that :func:`~hilbertlib.reservoir_grid.chapter_grid` can ask for next, given the stages
    already stored, by id."""
    from .reservoir_grid import SEARCH_LEAKS_28, search_grid, size_grid

    out: list[Any] = []
    for o in orderings:
        out += search_grid(14, [o], units=search_units, **overrides)
        best14 = grid["best"][14].get(o)
        if best14 is None:
            continue
        out += size_grid(14, o, best14.spec.leak, best14.spec.spectral_radius, units[14], **overrides)
        out += search_grid(
            28, [o], leaks=SEARCH_LEAKS_28, radii=(best14.spec.spectral_radius,), units=search_units, **overrides
        )
        best28 = grid["best"][28].get(o)
        if best28 is not None:
            out += size_grid(28, o, best28.spec.leak, best28.spec.spectral_radius, units[28], **overrides)
    return {s.id: s for s in out}


def run_reservoir_grid(
    scheduler: Any,
    results_dir: str | os.PathLike,
    *,
    orderings: Iterable[str] = ("row", "hilbert", "spiral"),
    units: dict[int, tuple[int, ...]] | None = None,
    search_units: int | None = None,
    log: Log = _print,
    **overrides: Any,
) -> dict[str, str]:
    """Compute chapter 8's missing echo state networks on a Dask cluster, stage by stage; returns id -> outcome.

    Each stage's missing results (as :func:`hilbertlib.reservoir_grid.chapter_grid` lists
    them) go to the cluster at once; the next stage starts when they are all
    written.  A stage with a failed result stops the grid there.
    """
    from .reservoir import RESERVOIR_DIR, reservoir_result_path
    from .reservoir_grid import SEARCH_UNITS, UNITS, chapter_grid

    results_dir = Path(results_dir)
    orderings = list(orderings)
    units = UNITS if units is None else units
    search_units = SEARCH_UNITS if search_units is None else search_units

    def write(spec: Any, payload: dict[str, Any]) -> Path:
        from .reservoir import load_reservoir_result

        if payload.get("id") != spec.id:
            raise ValueError(f"a worker sent back {payload.get('id')!r} for {spec.id}")
        path = reservoir_result_path(spec, results_dir)
        atomic_write_json(path, payload["result"])
        load_reservoir_result(spec, results_dir)
        return path

    outcome: dict[str, str] = {}
    client, owned = connect(scheduler)
    try:
        while True:
            grid = chapter_grid(
                results_dir, compute=False, orderings=orderings, units=units, search_units=search_units, **overrides
            )
            known = _reservoir_candidates(grid, orderings, units, search_units, **overrides)
            ids = [i for i in grid["missing"] if "(" not in i]  # the others name a stage that waits for one before it
            unknown = [i for i in ids if i not in known]
            if unknown:
                raise RuntimeError(
                    f"chapter_grid asks for {unknown[:3]}, which this module does not know how to "
                    "build; compute them with 'python -m hilbertlib reservoir' (no --scheduler)"
                )
            todo = [known[i] for i in ids]
            if not todo:
                return outcome
            _refuse_reduced(todo, results_dir, RESERVOIR_DIR)
            t0 = time.monotonic()
            token = uuid.uuid4().hex[:8]
            jobs = {
                client.submit(reservoir_task, s.to_dict(), key=f"hilbertlib-{s.id}-{token}", pure=False): s
                for s in todo
            }
            log(f"submitted {len(jobs)} reservoir results to {client.scheduler.address}")
            done = _gather(client, jobs, write, lambda m: None)
            outcome.update(done)
            failed = [k for k, v in done.items() if v != "done"]
            log(f"stage done in {time.monotonic() - t0:.0f} s: {len(done) - len(failed)} written, {len(failed)} failed")
            if failed:
                for k in failed:
                    log(f"{k}: {done[k]}")
                return outcome
    finally:
        if owned:
            client.close()


if __name__ == "__main__":
    _train_job(Path(sys.argv[1]), int(sys.argv[2]))
