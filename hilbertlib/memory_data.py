"""Chapter 7's memory measurements, stored like training results: one JSON file per trained network.

Measuring what a trained LSTM remembers on all 10,000 test images (the
accuracy with the first ``k`` steps blanked, for every ``k`` of a grid, and
the forget gates of every sequence, step and unit) takes minutes per
network, longer than a chapter may take to build.  So the measurements are
data, made once and committed beside the results they come from:

* :func:`measure` computes one network's :class:`MemoryMeasurement`;
  :func:`save` writes it atomically to ``results/memory/<run id>.json``.
* :func:`load` reads it back and checks that it still belongs to the run:
  the same weights file (by its SHA-256), the same images, the same grid of
  ``k``.  A missing or outdated measurement is a
  :class:`MissingMeasurementError` naming the command that makes it,
  ``python -m hilbertlib memory``.
* :func:`load_all` is what the chapter calls: it loads, or measures again
  when asked and in a quick run (whose results live in a folder of their
  own, never in ``results/``).

Introduced in chapter 7 ("What the LSTM remembers").
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .environment import environment
from .io import atomic_write_bytes
from .memory import tau_of_mean
from .result_files import RESULTS_DIR, Result, _committed_dir
from .specs import PAPER, ExperimentSpec, Protocol

__all__ = [
    "MEMORY_DIR",
    "SCHEMA",
    "HORIZON",
    "TEST_IMAGES",
    "MissingMeasurementError",
    "MemoryMeasurement",
    "blank_grid",
    "chapter_specs",
    "measurement_id",
    "measurement_path",
    "measure",
    "save",
    "check",
    "load",
    "measure_and_save",
    "load_all",
]

MEMORY_DIR = RESULTS_DIR / "memory"
SCHEMA = 1
#: The paper's horizon in steps, beyond which section 5.1 says information is lost.
HORIZON = 150
#: The number of MNIST test images; a measurement on all of them is named by the run's id alone.
TEST_IMAGES = 10_000
_SIGNIFICANT = 6  # digits kept of the retention curves (they are read on log axes)


class MissingMeasurementError(FileNotFoundError):
    """A memory measurement the book reads is not committed, or no longer belongs to its run."""


def blank_grid(T: int) -> tuple[int, ...]:
    """The numbers of blanked first steps measured for sequences of ``T`` steps (chapter 7).

    Every tenth ``k`` from 0, the whole sequence (``T``), and ``T - 150``:
    blanking the first ``T - 150`` steps blanks exactly the steps that lie
    150 or more steps before the last one.
    """
    return tuple(sorted({*range(0, T, 10), T, *([T - HORIZON] if T > HORIZON else [])}))


def chapter_specs(protocol: Protocol = PAPER, seeds: Iterable[int] = (0, 1, 2)) -> list[ExperimentSpec]:
    """The networks chapter 7 measures: the paper's 14x14 LSTM in row and Hilbert order, one per seed."""
    from .grid import paper_specs

    base = [s for s in paper_specs(protocol) if s.model == "lstm" and s.size == 14 and s.seed == 0]
    return [s.replace(seed=int(k)) for s in base for k in seeds]


def _images(spec: ExperimentSpec, n: int | None) -> int:
    """How many test images a measurement of ``spec`` uses: at most ``n``, at most all the run's."""
    full = spec.test_size or TEST_IMAGES
    if n is None:
        return full
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer (at most that many test images) or None (all), got {n!r}")
    return min(int(n), full)


def measurement_id(result: Result, n: int | None = None) -> str:
    """The run's id, with ``-m<n>`` added when fewer than all its test images are measured.

    ``n`` here and below: measure at most that many of the run's test images
    (the first ones); None, all of them.
    """
    n_img = _images(result.spec, n)
    return result.id if n_img == (result.spec.test_size or TEST_IMAGES) else f"{result.id}-m{n_img}"


def measurement_path(result: Result, n: int | None = None, folder: str | os.PathLike | None = None) -> Path:
    """Where the measurement of ``result`` on ``n`` images lives: ``<folder>/memory/<id>.json``."""
    root = RESULTS_DIR if folder in (None, "") else Path(folder)
    return root / "memory" / f"{measurement_id(result, n)}.json"


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _field(*keys: str, kind: Callable = np.asarray, doc: str = "") -> property:
    """A read-only attribute of :class:`MemoryMeasurement`: the stored value at ``data[keys[0]][keys[1]]...``."""

    def get(self):
        value: Any = self.data
        for key in keys:
            value = value[key]
        return kind(value)

    return property(get, doc=doc)


def _ints(value) -> np.ndarray:
    return np.asarray(value, dtype=np.int64)


@dataclass(frozen=True)
class MemoryMeasurement:
    """One trained network's memory measurements (chapter 7), the parsed JSON file.

    Blanking: :attr:`ks`, :attr:`correct`, :attr:`accuracy` and
    :attr:`ink_share`.  Forget gates, averaged over the same images:
    :attr:`tau` per unit, for the trained network and for its initial
    weights (:attr:`initial_tau`); the retention of the cell from step 0
    (:attr:`unit_retention`, :attr:`retention`), from the middle step
    (:attr:`retention_mid`) and to the last step (:attr:`to_end`,
    :attr:`to_end_best`).
    """

    data: dict[str, Any]
    path: Path | None = None

    id = _field(
        "id",
        kind=str,
        doc="The run's id, with ``-m<n>`` when fewer than all its test images were measured.",
    )
    result_id = _field("result", kind=str, doc="The id of the run whose trained network was measured.")
    n = _field("n", kind=int, doc="How many test images were measured (the first ones of the test split).")
    sequence_length = _field("sequence_length", kind=int, doc="The number of steps of a sequence, ``T``.")
    ks = _field("blank", "k", kind=_ints, doc="The numbers of blanked first steps measured, :func:`blank_grid`.")
    correct = _field(
        "blank",
        "correct",
        kind=_ints,
        doc="For each ``k`` of :attr:`ks`, how many of the :attr:`n` images were classified correctly.",
    )
    ink_share = _field(
        "blank", "ink_share", doc="For each ``k`` of :attr:`ks`, the share of the images' ink in the first ``k`` steps."
    )
    mean_forget = _field(
        "gates",
        "mean_forget",
        doc="Per unit, the trained network's forget gate averaged over the images and their steps.",
    )
    initial_mean_forget = _field(
        "gates",
        "initial_mean_forget",
        doc="Per unit, the same average for the initial weights the training started from.",
    )
    unit_retention = _field(
        "retention",
        "units_from_0",
        doc="An array of shape ``(T - 1, units)``; row ``lag - 1`` is each unit's share of its cell of step 0 left "
        "``lag`` steps later.",
    )
    mid = _field("retention", "mid", kind=int, doc="The middle step, ``T // 2``, where :attr:`retention_mid` starts.")
    retention_mid = _field(
        "retention",
        "from_mid",
        doc="The share of the cell of step :attr:`mid` left ``lag`` steps later, mean over units.",
    )
    to_end = _field(
        "retention",
        "to_end",
        doc="For each step ``s < T - 1``, the share of the cell of step ``s`` "
        "that reaches the last step, mean over units.",
    )
    to_end_best = _field("retention", "to_end_best", doc="The same for the unit that keeps the most.")
    environment = _field(
        "environment", kind=dict, doc="The backend, device, machine and library versions that measured the network."
    )

    @property
    def accuracy(self) -> np.ndarray:
        """For each ``k`` of :attr:`ks`, the share of the images classified correctly."""
        return self.correct / self.n

    @property
    def tau(self) -> np.ndarray:
        """Per unit, the trained network's time constant ``-1 / ln(mean f)`` in steps."""
        return tau_of_mean(self.mean_forget)

    @property
    def initial_tau(self) -> np.ndarray:
        """Per unit, the time constant of the initial weights."""
        return tau_of_mean(self.initial_mean_forget)

    @property
    def retention(self) -> np.ndarray:
        """The mean of :attr:`unit_retention` over the units, for ``lag = 1 .. T - 1``."""
        return self.unit_retention.mean(axis=1)

    @property
    def seconds(self) -> float:
        """How long the measurement took."""
        return float(sum(self.data["seconds"].values()))

    def at(self, k: int) -> int:
        """The index of ``k`` in :attr:`ks` (``ValueError`` when ``k`` was not measured)."""
        hit = np.flatnonzero(self.ks == int(k))
        if not hit.size:
            raise ValueError(f"k={k} is not on the measured grid {self.ks.tolist()}")
        return int(hit[0])


def _rounded(a: np.ndarray) -> list:
    return np.vectorize(lambda v: float(f"{v:.{_SIGNIFICANT}g}"), otypes=[float])(np.asarray(a)).tolist()


def measure(result: Result, n: int | None = None, batch_size: int = 500, blanker=None) -> MemoryMeasurement:
    """Measure what the trained network of ``result`` remembers, on its first ``n`` test images (chapter 7).

    ``n`` defaults to all the run's test images.  The accuracies come from
    :func:`hilbertlib.memory_blanking.blank_prefix_correct` on
    :func:`blank_grid`, the gates from :func:`hilbertlib.memory.gate_statistics`
    of the trained network and of the initial weights its training started
    from (:func:`hilbertlib.probes.fresh_model`).  ``blanker``: a
    :class:`hilbertlib.memory_blanking.PrefixBlanker` to share between
    networks of one architecture.  Nothing is written: see :func:`save`.
    """
    from .data import sample_sequences
    from .memory import gate_statistics
    from .memory_blanking import blank_prefix_correct, prefix_ink_fraction
    from .probes import fresh_model, trained_model

    spec = result.spec
    if spec.model != "lstm":
        raise ValueError(f"memory measurements are for LSTM runs, {result.id} is a {spec.model!r} run")
    model = trained_model(result)
    if model is None:
        raise MissingMeasurementError(f"{result.id} has no weights file, so its network cannot be measured")
    n_img = _images(spec, n)
    x, y = sample_sequences(spec.size, spec.ordering, n_img, dataset=spec.dataset)
    T = x.shape[1]
    ks = blank_grid(T)
    t0 = time.perf_counter()
    correct = blank_prefix_correct(model, x, y, ks, batch_size=batch_size, blanker=blanker)
    t1 = time.perf_counter()
    mid = T // 2
    trained = gate_statistics(model, x, starts=(0, mid), batch_size=batch_size)
    initial = gate_statistics(fresh_model(spec), x, starts=(), batch_size=batch_size)
    t2 = time.perf_counter()
    data = {
        "schema": SCHEMA,
        "id": measurement_id(result, n_img),
        "result": result.id,
        "weights": result.data.get("weights"),
        "weights_sha256": _sha256(result.weights_path),
        "spec": spec.to_dict(),
        "n": n_img,
        "images": f"the first {n_img} of the {spec.dataset} test split",
        "sequence_length": T,
        "units": int(trained.mean_forget.size),
        "blank": {"k": list(ks), "correct": correct.tolist(), "ink_share": prefix_ink_fraction(x, ks).tolist()},
        "gates": {"mean_forget": trained.mean_forget.tolist(), "initial_mean_forget": initial.mean_forget.tolist()},
        "retention": {
            "units_from_0": _rounded(trained.retention[0]),
            "mid": mid,
            "from_mid": _rounded(trained.retention[mid].mean(axis=1)),
            "to_end": _rounded(trained.to_end.mean(axis=1)),
            "to_end_best": _rounded(trained.to_end.max(axis=1)),
        },
        "environment": environment(),
        "seconds": {"blank": round(t1 - t0, 1), "gates": round(t2 - t1, 1)},
        "computed": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }
    return MemoryMeasurement(data=data)


def save(measurement: MemoryMeasurement, folder: str | os.PathLike | None = None) -> Path:
    """Write ``measurement`` atomically to ``<folder>/memory/<id>.json`` (default: the committed results/).

    A quick run's measurement (a reduced spec) is refused for the committed folder.
    """
    root = RESULTS_DIR if folder in (None, "") else Path(folder)
    spec = measurement.data["spec"]
    if (spec.get("train_size") is not None or spec.get("test_size") is not None) and _committed_dir(root):
        raise ValueError(
            f"{measurement.id} measures a quick (reduced) run: it may not be written into the "
            f"committed {RESULTS_DIR}; pass a temporary folder"
        )
    path = root / "memory" / f"{measurement.id}.json"
    # One line per field: the long arrays stay on one line each.
    lines = [f" {json.dumps(k)}: {json.dumps(v)}" for k, v in measurement.data.items()]
    atomic_write_bytes(path, ("{\n" + ",\n".join(lines) + "\n}\n").encode())
    return path


def check(result: Result, folder: str | os.PathLike | None = None, n: int | None = None) -> str | None:
    """Why the stored measurement of ``result`` cannot be used (missing, or made from other weights, images
    or grid), or None when it can."""
    path = measurement_path(result, n, folder)
    if not path.exists():
        return "missing"
    try:
        data = json.loads(path.read_text())
        stored = (data["schema"], data["result"], data["n"], tuple(data["blank"]["k"]), data["weights_sha256"])
    except (ValueError, KeyError, TypeError) as exc:
        return f"unreadable ({type(exc).__name__}: {exc})"
    T = result.spec.sequence_length
    want = (
        SCHEMA,
        result.id,
        _images(result.spec, n),
        blank_grid(T),
        _sha256(result.weights_path) if result.weights_path else None,
    )
    names = ("schema", "run", "number of images", "grid of k", "weights")
    diff = [name for name, a, b in zip(names, stored, want) if a != b]
    return None if not diff else "out of date: another " + ", ".join(diff)


def _command(result: Result, n: int | None) -> str:
    extra = "" if n is None else f" --images {n}"
    return f"python -m hilbertlib memory --only {result.id}{extra}"


def load(result: Result, folder: str | os.PathLike | None = None, n: int | None = None) -> MemoryMeasurement:
    """The stored measurement of ``result`` on ``n`` images (default all); :class:`MissingMeasurementError`
    naming the command that makes it when it is missing or no longer belongs to the run."""
    problem = check(result, folder, n)
    path = measurement_path(result, n, folder)
    if problem == "missing":
        raise MissingMeasurementError(
            f"no memory measurement of {result.id} in {path.parent}; make it with: {_command(result, n)}"
        )
    if problem is not None:
        raise MissingMeasurementError(
            f"the memory measurement {path} is {problem}; make it again with: {_command(result, n)} --recompute"
        )
    return MemoryMeasurement(data=json.loads(path.read_text()), path=path)


def measure_and_save(
    results: Iterable[Result],
    folder: str | os.PathLike | None = None,
    n: int | None = None,
    log: Callable[[str], None] | None = None,
) -> dict[str, MemoryMeasurement]:
    """:func:`measure` and :func:`save` each result, sharing one blanker between networks of one architecture."""
    from .memory_blanking import PREFIX_MIN_SEQUENCES, PrefixBlanker

    out, blankers = {}, {}
    for res in results:
        blanker = None
        if _images(res.spec, n) >= PREFIX_MIN_SEQUENCES:
            shape = (res.spec.size, res.spec.units, res.spec.dense_units)
            if shape not in blankers:
                from .probes import trained_model

                blankers[shape] = PrefixBlanker(trained_model(res))
            blanker = blankers[shape]
        m = measure(res, n, blanker=blanker)
        path = save(m, folder)
        out[res.id] = MemoryMeasurement(data=m.data, path=path)
        if log is not None:
            log(f"{m.id}: {m.seconds:.0f} s, written to {path}")
    return out


def load_all(
    results: Mapping[str, Result] | Iterable[Result],
    folder: str | os.PathLike | None = None,
    *,
    n: int | None = None,
    recompute: bool = False,
) -> dict[str, MemoryMeasurement]:
    """The measurements of ``results`` (a mapping by id, or a list), keyed by run id, in order (chapter 7).

    Loaded from ``<folder>/memory/``; measured again (and written there) when
    ``recompute`` and for every quick run.  A missing one is an error naming
    ``python -m hilbertlib memory``.
    """
    if not isinstance(recompute, bool):
        raise ValueError(f"recompute must be True or False, got {recompute!r}")
    runs = list(results.values()) if isinstance(results, Mapping) else list(results)
    redo = [r for r in runs if recompute or r.spec.reduced]
    made = measure_and_save(redo, folder, n) if redo else {}
    return {r.id: made[r.id] if r.id in made else load(r, folder, n) for r in runs}
