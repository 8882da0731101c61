"""Echo state networks: a fixed random reservoir driven by a pixel series, a ridge readout.

Introduced in chapter 8 ("Reservoir computing").

The reservoir is reservoirpy's ``reservoirpy.nodes.Reservoir`` (its own
initialisers: a sparse normal recurrent matrix scaled to the spectral radius,
sparse Bernoulli input weights), its leaky-tanh update

.. math:: x_t = (1 - a)\\,x_{t-1} + a \\tanh(W x_{t-1} + W_{in} u_t + b)

is computed here for a whole batch of series at once (NumPy, float32), which
agrees with ``Reservoir.run`` to float32 round-off (``tests/test_reservoir.py``)
and is far faster (``bench/reservoir.py``).  The readout is reservoirpy's
``reservoirpy.nodes.Ridge`` on features taken from the states: the last
state, the mean state over time, or both side by side.

A result is one JSON file under ``results/reservoir/``, written atomically,
with validation accuracy for every ridge strength and readout, the test
accuracy of the one chosen on validation, the confusion matrix and the time
the reservoir and the readout took (:func:`run_reservoir`,
:func:`load_reservoir_result`).  The chapter's grid of these networks is
:mod:`hilbertlib.reservoir_grid`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from .data import prepare_data
from .environment import machine
from .io import atomic_write_json
from .orderings import validate_ordering_name
from .result_files import RESULTS_DIR, StoredResult, _committed_dir
from .specs import SIZES, VALIDATION_SIZE

__all__ = [
    "ReservoirSpec",
    "ReservoirResult",
    "READOUTS",
    "RIDGES",
    "TRAIN_SIZE",
    "RESERVOIR_DIR",
    "make_reservoir",
    "reservoir_states",
    "readout_features",
    "linear_time_constant",
    "run_reservoir",
    "load_reservoir_result",
    "reservoir_result_path",
    "stored_results",
]

READOUTS = ("last", "mean", "last+mean")
RIDGES = (1e-8, 1e-6, 1e-4, 1e-2, 1.0)
RESERVOIR_DIR = RESULTS_DIR / "reservoir"
SCHEMA = "hilbertlib.reservoir/1"
#: The readout is fitted on this many training images (a reduced protocol,
#: stated in chapter 8): the reservoir costs O(units^2) per step and image.
TRAIN_SIZE = 10_000


@dataclass(frozen=True)
class ReservoirSpec:
    """One echo state network experiment (chapter 8).

    ``leak`` is the leak rate :math:`a` (1 = no leak), ``spectral_radius`` that
    of :math:`W`, ``connectivity`` the density of :math:`W` and :math:`W_{in}`.
    The readout is fitted on the first ``train_size`` training images, chosen
    (readout kind and ridge strength) on the usual last 6,000 training images
    and scored on the 10,000 test images (``test_size`` None = all).
    """

    size: int = 14
    ordering: str = "row"
    units: int = 500
    leak: float = 0.2
    spectral_radius: float = 0.9
    input_scaling: float = 1.0
    connectivity: float = 0.1
    seed: int = 0
    dataset: str = "mnist"
    train_size: int = TRAIN_SIZE
    test_size: int | None = None
    validation_size: int = VALIDATION_SIZE
    ridges: tuple[float, ...] = RIDGES

    def __post_init__(self) -> None:
        if isinstance(self.size, bool) or self.size not in SIZES:
            raise ValueError(f"size must be 14 or 28 (the paper's image sizes), got {self.size!r}")
        validate_ordering_name(self.ordering)
        for name in ("units", "train_size"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        if self.test_size is not None and (not isinstance(self.test_size, int) or self.test_size < 1):
            raise ValueError(f"test_size must be None or a positive integer, got {self.test_size!r}")
        if not 0 < self.leak <= 1:
            raise ValueError(f"leak must be in (0, 1], got {self.leak!r}")
        if not self.spectral_radius > 0:
            raise ValueError(f"spectral_radius must be > 0, got {self.spectral_radius!r}")
        if not 0 < self.connectivity <= 1:
            raise ValueError(f"connectivity must be in (0, 1], got {self.connectivity!r}")
        if not self.ridges or any(r < 0 for r in self.ridges):
            raise ValueError(f"ridges must be a non-empty tuple of strengths >= 0, got {self.ridges!r}")
        object.__setattr__(self, "ridges", tuple(float(r) for r in self.ridges))

    @property
    def id(self) -> str:
        """Readable id, e.g. ``esn-14-hilbert-n500-a0.2-r0.9-s0`` (``-t256`` for a quick run)."""
        prefix = "" if self.dataset == "mnist" else "fashion-"
        base = (
            f"{prefix}esn-{self.size}-{self.ordering.replace(':', '-')}-n{self.units}"
            f"-a{self.leak:g}-r{self.spectral_radius:g}-s{self.seed}"
        )
        extra = []
        if self.input_scaling != 1.0:
            extra.append(f"in{self.input_scaling:g}")
        if self.connectivity != 0.1:
            extra.append(f"c{self.connectivity:g}")
        if self.train_size != TRAIN_SIZE:
            extra.append(f"n{self.train_size}")
        if self.test_size is not None:
            extra.append(f"t{self.test_size}")
        if self.validation_size != VALIDATION_SIZE:
            extra.append(f"v{self.validation_size}")
        if self.ridges != RIDGES:
            extra.append("ridges" + "_".join(f"{r:g}" for r in self.ridges))
        return "-".join([base, *extra])

    @property
    def reduced(self) -> bool:
        """A quick-run spec (smaller test set or validation set), never stored in ``results/``."""
        return self.test_size is not None or self.validation_size != VALIDATION_SIZE

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["ridges"] = list(self.ridges)
        return d

    def replace(self, **changes: Any) -> ReservoirSpec:
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ReservoirSpec:
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"stored reservoir spec has unknown fields {sorted(unknown)}")
        d = dict(d)
        if "ridges" in d:
            d["ridges"] = tuple(d["ridges"])
        return cls(**d)


@dataclass(frozen=True)
class ReservoirResult(StoredResult):
    """A stored echo-state-network result (chapter 8)."""

    spec: ReservoirSpec

    @property
    def val_accuracy(self) -> float:
        r = self.data["readouts"][self.data["chosen"]["readout"]]
        return float(r["val_accuracy"][r["best_ridge"]])

    @property
    def readout(self) -> str:
        return self.data["chosen"]["readout"]

    @property
    def seconds(self) -> dict[str, float]:
        return self.data["seconds"]


# ------------------------------------------------------------------ reservoir


def make_reservoir(
    units: int,
    leak: float,
    spectral_radius: float,
    input_scaling: float = 1.0,
    connectivity: float = 0.1,
    seed: int = 0,
):
    """An initialised reservoirpy ``Reservoir`` for one-feature series (chapter 8)."""
    from reservoirpy.nodes import Reservoir

    res = Reservoir(
        units,
        lr=leak,
        sr=spectral_radius,
        input_scaling=input_scaling,
        input_connectivity=connectivity,
        rc_connectivity=connectivity,
        seed=seed,
    )
    res.initialize(np.zeros((1, 1)))
    return res


def _dense(m) -> np.ndarray:
    return np.asarray(m.toarray() if hasattr(m, "toarray") else m, dtype=np.float32)


def reservoir_states(series: np.ndarray, reservoir, batch: int = 4096) -> dict[str, np.ndarray]:
    """Drive ``reservoir`` (from :func:`make_reservoir`) with every series at once (chapter 8).

    ``series`` is ``(n, steps)`` or ``(n, steps, 1)``; each series starts from the
    zero state.  Returns ``{"last": (n, units), "mean": (n, units)}`` in float32.
    """
    from reservoirpy.activationsfunc import tanh

    x = np.asarray(series, dtype=np.float32)
    if x.ndim == 3 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim != 2:
        raise ValueError(f"series must have shape (n, steps) or (n, steps, 1), got {np.shape(series)}")
    if not getattr(reservoir, "initialized", False):
        raise ValueError("the reservoir is not initialised: build it with hilbertlib.reservoir.make_reservoir")
    if reservoir.activation is not tanh:
        raise ValueError("only the tanh reservoir is supported")
    w_t = _dense(reservoir.W).T.copy()  # x @ W.T == (W @ x.T).T
    w_in = _dense(reservoir.Win)[:, 0]
    bias = np.broadcast_to(_dense(reservoir.bias).reshape(-1), (reservoir.units,)).astype(np.float32)
    a = np.float32(reservoir.lr)
    n, steps = x.shape
    last = np.empty((n, reservoir.units), np.float32)
    mean = np.empty((n, reservoir.units), np.float32)
    for lo in range(0, n, batch):
        u = x[lo : lo + batch]
        s = np.zeros((len(u), reservoir.units), np.float32)
        acc = np.zeros_like(s)
        for t in range(steps):
            pre = s @ w_t
            pre += u[:, t, None] * w_in
            pre += bias
            np.tanh(pre, out=pre)
            s *= 1 - a
            s += a * pre
            acc += s
        last[lo : lo + len(u)] = s
        mean[lo : lo + len(u)] = acc / steps
    return {"last": last, "mean": mean}


def readout_features(states: dict[str, np.ndarray], readout: str) -> np.ndarray:
    """The readout's input: ``last``, ``mean`` or ``last+mean`` states (chapter 8)."""
    if readout == "last+mean":
        return np.concatenate([states["last"], states["mean"]], axis=1)
    if readout in ("last", "mean"):
        return states[readout]
    raise ValueError(f"unknown readout {readout!r}; valid: {', '.join(READOUTS)}")


def _ridge_predict(x_fit: np.ndarray, y_fit: np.ndarray, xs: Iterable[np.ndarray], ridge: float) -> list[np.ndarray]:
    from reservoirpy.nodes import Ridge

    node = Ridge(ridge=ridge)
    node.fit(x_fit.astype(np.float64), np.eye(10)[y_fit])
    return [np.asarray(node.run(x.astype(np.float64))).argmax(axis=1) for x in xs]


def linear_time_constant(spec: ReservoirSpec) -> float:
    """The reservoir's slowest linear memory, in steps (chapter 8).

    With zero bias (reservoirpy's default) the zero state is the reservoir's
    rest state, and about it the update is linear:
    :math:`x_t \\approx ((1 - a) I + a W) x_{t-1} + a W_{in} u_t`.  A mode of
    :math:`W` with eigenvalue :math:`\\lambda` shrinks by
    :math:`|1 - a + a\\lambda|` per step; the slowest, :math:`m`, gives
    :math:`\\tau = -1 / \\ln m` steps (``inf`` when :math:`m \\ge 1`).  The
    counterpart of the forget-gate time constants of chapter 7; saturated
    tanh units forget faster than this.
    """
    res = make_reservoir(spec.units, spec.leak, spec.spectral_radius, spec.input_scaling, spec.connectivity, spec.seed)
    eig = np.linalg.eigvals(_dense(res.W).astype(np.float64))
    m = float(np.max(np.abs(1 - spec.leak + spec.leak * eig)))
    return float("inf") if m >= 1 else -1.0 / np.log(m)


# -------------------------------------------------------------------- results


def reservoir_result_path(spec: ReservoirSpec, results_dir: str | os.PathLike = RESERVOIR_DIR) -> Path:
    """The file of ``spec``'s result in ``results_dir``: ``<id>.json``."""
    return Path(results_dir) / f"{spec.id}.json"


def load_reservoir_result(
    spec: ReservoirSpec, results_dir: str | os.PathLike = RESERVOIR_DIR
) -> ReservoirResult | None:
    """The stored result for ``spec``, ``None`` if absent; ``ValueError`` if corrupt or from another spec."""
    path = reservoir_result_path(spec, results_dir)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text())
        stored = ReservoirSpec.from_dict(data["spec"])
        float(data["test"]["accuracy"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(
            f"reservoir result {path} is corrupt ({type(exc).__name__}: {exc}); delete it or re-run with retrain=True"
        ) from exc
    if stored != spec:
        raise ValueError(
            f"reservoir result {path} was made from a different spec; delete it or re-run with retrain=True"
        )
    return ReservoirResult(stored, data, path)


def stored_results(results_dir: str | os.PathLike = RESERVOIR_DIR) -> list[ReservoirResult]:
    """Every result stored in ``results_dir``, sorted by file name (the status page).

    Each is checked as :func:`load_reservoir_result` checks it, and a file
    not named after its spec is an error.
    """
    out = []
    for path in sorted(Path(results_dir).glob("*.json")):
        try:
            spec = ReservoirSpec.from_dict(json.loads(path.read_text())["spec"])
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"reservoir result {path} is corrupt ({type(exc).__name__}: {exc}); delete it") from exc
        res = load_reservoir_result(spec, results_dir)
        if res is None or res.path != path:
            raise ValueError(
                f"reservoir result {path} is not named after its spec ({spec.id}.json); rename or delete it"
            )
        out.append(res)
    return out


def _environment() -> dict[str, Any]:
    import reservoirpy
    import scipy

    env = machine()
    env["versions"].update(scipy=scipy.__version__, reservoirpy=reservoirpy.__version__)
    return {"backend": "numpy", "device": "cpu", **env}


def run_reservoir(
    spec: ReservoirSpec, results_dir: str | os.PathLike | None = RESERVOIR_DIR, retrain: bool = False
) -> ReservoirResult:
    """Load the stored result for ``spec`` or compute it (chapter 8).

    Computing means: build the reservoir, drive it with the train, validation
    and test series, fit a ridge readout for every readout kind and ridge
    strength, choose the pair with the best validation accuracy, score it on
    the test images, and write the JSON result atomically.  ``results_dir``
    None computes without storing.  Reduced specs are refused for the
    committed ``results/reservoir`` folder.
    """
    if results_dir is not None and not retrain:
        found = load_reservoir_result(spec, results_dir)
        if found is not None:
            return found
    if results_dir is not None and spec.reduced and _committed_dir(results_dir, RESERVOIR_DIR):
        raise ValueError(
            f"{spec.id} is a quick (reduced) spec: it is never stored in results/; "
            "pass another results folder (a temporary one)"
        )
    t0 = time.perf_counter()
    # The same split as every other chapter: the readout's training images are
    # the first ``train_size`` of the 54,000, validation the last 6,000.
    parts = prepare_data(spec)
    t_data = time.perf_counter() - t0
    reservoir = make_reservoir(
        spec.units, spec.leak, spec.spectral_radius, spec.input_scaling, spec.connectivity, spec.seed
    )
    t0 = time.perf_counter()
    states = {k: reservoir_states(x, reservoir) for k, (x, _) in parts.items()}
    t_states = time.perf_counter() - t0
    y = {k: v[1] for k, v in parts.items()}
    readouts: dict[str, Any] = {}
    best = (-1.0, None, None)
    t0 = time.perf_counter()
    for kind in READOUTS:
        feats = {k: readout_features(s, kind) for k, s in states.items()}
        val = {}
        for ridge in spec.ridges:
            (pred,) = _ridge_predict(feats["train"], y["train"], [feats["val"]], ridge)
            val[f"{ridge:g}"] = float(np.mean(pred == y["val"]))
        best_ridge = max(val, key=lambda r: (val[r], float(r)))
        readouts[kind] = {"val_accuracy": val, "best_ridge": best_ridge}
        if val[best_ridge] > best[0]:
            best = (val[best_ridge], kind, float(best_ridge))
    t_search = time.perf_counter() - t0
    _, kind, ridge = best
    t0 = time.perf_counter()
    feats = {k: readout_features(s, kind) for k, s in states.items()}
    (pred,) = _ridge_predict(feats["train"], y["train"], [feats["test"]], ridge)
    t_fit = time.perf_counter() - t0
    cm = np.zeros((10, 10), dtype=np.int64)
    np.add.at(cm, (y["test"], pred), 1)
    support = cm.sum(axis=1)
    import datetime as _dt

    data = {
        "schema": SCHEMA,
        "id": spec.id,
        "spec": spec.to_dict(),
        "readouts": readouts,
        "chosen": {"readout": kind, "ridge": ridge},
        "test": {
            "accuracy": float(np.mean(pred == y["test"])),
            "confusion_matrix": cm.tolist(),
            "per_class_accuracy": (np.diag(cm) / np.maximum(support, 1)).tolist(),
            "n": int(len(pred)),
        },
        "sizes": {k: int(len(v)) for k, v in y.items()},
        "seconds": {
            "data": t_data,
            "states": t_states,
            "readout_search": t_search,
            "readout_fit": t_fit,
            "states_per_image_ms": 1000 * t_states / sum(len(v) for v in y.values()),
        },
        "environment": _environment(),
        "finished": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }
    path = None
    if results_dir is not None:
        path = reservoir_result_path(spec, results_dir)
        atomic_write_json(path, data)
    return ReservoirResult(spec, data, path)
