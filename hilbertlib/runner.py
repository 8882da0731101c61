"""The experiment runner: load a committed result, or train, checkpoint and record.

``run(spec)`` returns the committed result for ``spec`` when there is one and
its stored spec matches; otherwise it trains (resuming from the last per-epoch
checkpoint in the cache folder) and writes the result atomically.
Introduced in chapter 4 ("Simple RNN").

What a result records (schema 2):

- ``history``: per epoch, Keras' ``loss``, ``accuracy``, ``val_loss`` and
  ``val_accuracy``, and the gradient records of :mod:`hilbertlib.gradients`:
  ``grad_norm_mean`` and ``grad_norm_max`` (the global L2 norm of all
  gradients before clipping, mean and largest over the epoch's batches) and
  ``clipped_share`` (the share of batches in which clipping changed a
  gradient).  Results of schema 1 have no gradient records; their
  :class:`Result` accessors return None.  Epochs trained from a checkpoint
  written before the records existed hold None.
- ``segments``: one entry per stretch of epochs trained in one sitting, with
  the environment it ran in and ``same_device_as_previous``.

What resuming guarantees: a run interrupted and resumed on the same device,
backend, processor, library versions and thread settings has the same history
as an uninterrupted one (each epoch's shuffle and dropout masks derive from
the seed and the epoch; the checkpoint holds the weights and the optimizer
state).  A run resumed anywhere else (another device, backend, processor or
version: ``same_device_as_previous`` is false) continues from the same weights
but is a different sample of training, not the one an uninterrupted run would
have produced; floating-point results differ between devices.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from . import __version__
from .io import atomic_write_json, atomic_replace
from .specs import ExperimentSpec, spec_from_dict

__all__ = [
    "Result",
    "StoredResult",
    "ResultError",
    "cpu_model",
    "run",
    "load_result",
    "result_path",
    "prepare_data",
    "split_data",
    "set_seed",
    "environment",
    "machine",
    "RESULTS_DIR",
    "CACHE_DIR",
    "SCHEMA",
    "PARKED",
    "park",
    "parked_state",
]

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "results"
CACHE_DIR = Path(os.environ.get("HILBERTLIB_CACHE", ROOT / ".cache" / "checkpoints"))
#: The result file's schema version.  Version 2 added the per-epoch gradient records in
#: ``history`` and ``same_device_as_previous`` in ``segments``.
SCHEMA = 2
#: Keras' own per-epoch logs, recorded in every result's ``history``.
LOG_KEYS = ("loss", "accuracy", "val_loss", "val_accuracy")
#: The environment fields that must match for a resumed run to continue the same sample.
SAME_DEVICE_KEYS = ("backend", "device", "cpu", "cpus_used", "xla_flags", "versions")
#: Sub-folder of a results folder that holds parked checkpoints of unfinished runs.
PARKED = "in-progress"


class ResultError(RuntimeError):
    """A stored result is corrupt or does not match the spec asked for."""


@dataclass(frozen=True)
class StoredResult:
    """What every stored result has: its spec, the parsed JSON and the file (chapter 4).

    Subclassed by :class:`Result` (Keras experiments) and by the echo state
    networks' ``ReservoirResult`` (chapter 8).
    """

    spec: Any
    data: dict[str, Any]
    path: Path | None = None

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def test_accuracy(self) -> float:
        return float(self.data["test"]["accuracy"])

    @property
    def confusion_matrix(self) -> np.ndarray:
        return np.asarray(self.data["test"]["confusion_matrix"], dtype=np.int64)

    @property
    def environment(self) -> dict[str, Any]:
        return self.data["environment"]


@dataclass(frozen=True)
class Result(StoredResult):
    """One experiment's recorded outcome (the parsed JSON file)."""

    spec: ExperimentSpec

    @property
    def test_loss(self) -> float:
        return float(self.data["test"]["loss"])

    @property
    def history(self) -> dict[str, list[float]]:
        return self.data["history"]

    @property
    def per_class_accuracy(self) -> np.ndarray:
        return np.asarray(self.data["test"]["per_class_accuracy"], dtype=float)

    @property
    def epoch_seconds(self) -> list[float]:
        return self.data["epoch_seconds"]

    @property
    def wall_seconds(self) -> float:
        return float(self.data["wall_seconds"])

    @property
    def schema(self) -> int:
        """The result's schema (1 for results written before the field existed)."""
        return int(self.data.get("schema", 1))

    def _gradient_record(self, key: str) -> list[float | None] | None:
        values = self.history.get(key)
        return None if values is None else list(values)

    @property
    def grad_norm_mean(self) -> list[float | None] | None:
        """Per epoch, the mean over batches of the global gradient norm before clipping; None for old results."""
        return self._gradient_record("grad_norm_mean")

    @property
    def grad_norm_max(self) -> list[float | None] | None:
        """Per epoch, the largest global gradient norm of a batch before clipping; None for old results."""
        return self._gradient_record("grad_norm_max")

    @property
    def clipped_share(self) -> list[float | None] | None:
        """Per epoch, the share of batches whose gradients clipping changed (0.0 without clipping); None for old results."""
        return self._gradient_record("clipped_share")

    @property
    def segments(self) -> list[dict[str, Any]]:
        """The stretches of epochs trained in one sitting, each with its environment."""
        return list(self.data.get("segments", []))

    @property
    def resumed_elsewhere(self) -> bool | None:
        """True when some stretch ran on another device than the one before it (a different sample
        of training from an uninterrupted run); False when every resume was on the same device;
        None when a segment does not say (results and checkpoints older than schema 2)."""
        flags = [seg.get("same_device_as_previous") for seg in self.segments[1:]]
        if not flags:
            return False
        if any(f is False for f in flags):
            return True
        return None if any(f is None for f in flags) else False

    @property
    def weights_path(self) -> Path | None:
        w = self.data.get("weights")
        if w is None or self.path is None:
            return None
        return self.path.parent / w


def result_path(spec: ExperimentSpec, results_dir: str | os.PathLike = RESULTS_DIR) -> Path:
    return Path(results_dir) / f"{spec.id}.json"


def load_result(spec: ExperimentSpec, results_dir: str | os.PathLike = RESULTS_DIR) -> Result | None:
    """The stored result for ``spec``, ``None`` if absent; ``ResultError`` if it is
    corrupt or was made from a different spec."""
    path = result_path(spec, results_dir)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text())
        stored = spec_from_dict(data["spec"])
        data["test"]["accuracy"], data["history"]["accuracy"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ResultError(
            f"result file {path} is corrupt or not a hilbertlib result ({type(exc).__name__}: {exc}); "
            "delete it or re-run with retrain=True"
        ) from exc
    if stored != spec:
        diff = {k: (v, getattr(spec, k)) for k, v in stored.to_dict().items() if k != "tags" and v != spec.to_dict()[k]}
        raise ResultError(
            f"result file {path} was made from a different spec (stored vs asked: {diff}); "
            "it will not be reused: delete it or re-run with retrain=True"
        )
    return Result(spec=stored, data=data, path=path)


# --------------------------------------------------------------------- data


def prepare_data(spec: ExperimentSpec) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Train / validation / test arrays for ``spec`` (:func:`split_data` with its fields)."""
    return split_data(spec.dataset, spec.size, spec.ordering, validation_size=spec.validation_size,
                      train_size=spec.train_size, test_size=spec.test_size, as_images=spec.model == "cnn")


def split_data(dataset: str, size: int, ordering: str, *, validation_size: int, train_size: int | None = None,
               test_size: int | None = None, as_images: bool = False) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The book's data split, as sequences in ``ordering`` or (``as_images``) as images (chapter 4).

    Validation is the last ``validation_size`` training images (like Keras'
    ``validation_split``); ``train_size`` takes the first images of the rest
    and at most as many validation images; ``test_size`` the first test
    images.  Every model of the book, the echo state networks of chapter 8
    included, is trained and scored on this split.
    """
    from .data import load_dataset
    from .transforms import as_unit_float, downsample, to_sequences

    ds = load_dataset(dataset)
    n_fit = len(ds.x_train) - validation_size
    if n_fit < 1:
        raise ValueError(f"validation_size {validation_size} leaves no training images")
    split = {
        "train": (ds.x_train[:n_fit], ds.y_train[:n_fit]),
        "val": (ds.x_train[n_fit:], ds.y_train[n_fit:]),
        "test": (ds.x_test, ds.y_test),
    }
    if train_size is not None:
        x, y = split["train"]
        split["train"] = (x[:train_size], y[:train_size])
        x, y = split["val"]
        k = min(len(x), train_size)
        split["val"] = (x[:k], y[:k])
    if test_size is not None:
        x, y = split["test"]
        split["test"] = (x[:test_size], y[:test_size])
    out = {}
    for part, (x, y) in split.items():
        imgs = downsample(x, 28 // size) if size != 28 else x
        arr = as_unit_float(imgs)[..., None] if as_images else to_sequences(imgs, ordering)
        out[part] = (arr, np.asarray(y, dtype=np.int32))
    return out


# --------------------------------------------------------------- environment


def cpu_model() -> str:
    """The processor's model name (from /proc/cpuinfo where there is one)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    """The machine and the Keras-free library versions (every stored result records them)."""
    affinity = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        # The cores this process may use and the XLA flags it ran with: a run
        # pinned to one core with one thread (``run --pin``) says so.
        "cpus_used": None if affinity is None else len(affinity),
        "xla_flags": os.environ.get("XLA_FLAGS", ""),
        "platform": platform.platform(),
        "versions": {"python": platform.python_version(), "numpy": np.__version__, "hilbertlib": __version__},
    }


def environment() -> dict[str, Any]:
    """Backend, device and library versions, recorded with every result."""
    import keras

    backend = keras.backend.backend()
    env = machine()
    versions = env["versions"]
    versions["keras"] = keras.__version__
    device = "cpu"
    if backend == "jax":
        import jax

        versions["jax"] = jax.__version__
        d = jax.devices()[0]
        device = f"{d.platform}:{getattr(d, 'device_kind', d.platform)}"
    elif backend == "torch":
        import torch

        versions["torch"] = torch.__version__
        if torch.cuda.is_available():
            device = f"cuda:{torch.cuda.get_device_name(0)}"
    elif backend == "tensorflow":
        import tensorflow as tf

        versions["tensorflow"] = tf.__version__
        gpus = tf.config.list_physical_devices("GPU")
        if gpus:
            device = f"gpu:{gpus[0].name}"
    return {"backend": backend, "device": device, **env}


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and the Keras backend."""
    import keras

    keras.utils.set_random_seed(int(seed))


def _reseed_epoch(model, seed: int, epoch: int) -> None:
    """Reset every random-number state of ``model`` (dropout) from (seed, epoch).

    Checkpoints do not store these states, so deriving them from the epoch is
    what makes a resumed run identical to an uninterrupted one.
    """
    set_seed(seed * 1000 + epoch)
    for i, v in enumerate(model.variables):
        if v.path.endswith("seed_generator_state"):
            base = (seed * 1_000_003 + epoch * 7919 + i * 104_729) % (2**31 - 1)
            v.assign(np.array([base, 0], dtype=v.dtype))


# ------------------------------------------------------------------ training


def _committed_dir(results_dir: str | os.PathLike, committed: Path = RESULTS_DIR) -> bool:
    """Whether ``results_dir`` is the committed folder ``committed`` (quick runs must never write there)."""
    try:
        return Path(results_dir).resolve() == committed.resolve()
    except OSError:
        return False


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _evaluate(model, x: np.ndarray, y: np.ndarray, batch_size: int = 500) -> dict[str, Any]:
    probs = np.asarray(model.predict(x, batch_size=batch_size, verbose=0), dtype=np.float64)
    pred = probs.argmax(axis=1)
    loss = float(-np.mean(np.log(np.clip(probs[np.arange(len(y)), y], 1e-12, 1.0))))
    cm = np.zeros((10, 10), dtype=np.int64)
    np.add.at(cm, (y, pred), 1)
    support = cm.sum(axis=1)
    per_class = np.divide(np.diag(cm), support, out=np.zeros(10), where=support > 0)
    return {
        "loss": loss,
        "accuracy": float(np.mean(pred == y)),
        "confusion_matrix": cm.tolist(),
        "per_class_accuracy": per_class.tolist(),
    }


def _same_device(previous: dict[str, Any] | None, env: dict[str, Any]) -> bool | None:
    """Whether ``env`` is the environment of the ``previous`` segment (None when it is not recorded)."""
    if previous is None or any(k not in previous for k in SAME_DEVICE_KEYS):
        return None
    return all(previous[k] == env.get(k) for k in SAME_DEVICE_KEYS)


def _checkpoint_model(state: dict[str, Any]) -> str:
    """The model file a checkpoint's state names (``model.keras`` in checkpoints older than that field)."""
    return str(state.get("model", "model.keras"))


def _checkpoint_state(folder: Path, spec: ExperimentSpec) -> dict[str, Any] | None:
    """The state of the checkpoint of ``spec`` in ``folder``, or None when there is none for this spec.

    Each epoch's weights go to a file of their own (``model-e<N>.keras``) and
    the state names its file, so a crash between writing the two leaves the
    state pointing at the previous epoch's weights, never at newer ones.
    """
    state_path = folder / "state.json"
    if not state_path.exists():
        return None
    try:
        state = json.loads(state_path.read_text())
        if spec_from_dict(state["spec"]) != spec or not (folder / _checkpoint_model(state)).is_file():
            return None
        return state
    except (ValueError, KeyError, TypeError):
        return None


def _copy_checkpoint(src: Path, state: dict[str, Any], dest: Path) -> None:
    """Copy the checkpoint in ``src`` (its state and the weights it names) to ``dest``, in one swap.

    The copy is written to a folder beside ``dest`` and renamed over it, so
    ``dest`` holds the old checkpoint or the new one, never half of one.
    """
    tmp, old = dest.with_name(f".{dest.name}.tmp"), dest.with_name(f".{dest.name}.old")
    for d in (tmp, old):
        shutil.rmtree(d, ignore_errors=True)
    tmp.mkdir(parents=True)
    model = _checkpoint_model(state)
    shutil.copy2(src / model, tmp / model)
    atomic_write_json(tmp / "state.json", state)
    if dest.exists():
        os.replace(dest, old)
    os.replace(tmp, dest)
    shutil.rmtree(old, ignore_errors=True)


def parked_state(spec: ExperimentSpec, results_dir: str | os.PathLike = RESULTS_DIR) -> dict[str, Any] | None:
    """The state of the parked checkpoint of ``spec`` (``completed_epochs``, history...), or None (status page)."""
    return _checkpoint_state(Path(results_dir) / PARKED / spec.id, spec)


def park(spec: ExperimentSpec, results_dir: str | os.PathLike = RESULTS_DIR,
         cache_dir: str | os.PathLike | None = None) -> Path:
    """Copy the checkpoint of an unfinished run from the cache into ``results_dir/in-progress/<id>`` (status page).

    The cache is ignored by git and stays on one machine; a parked checkpoint
    can be committed, so a run too long for one sitting resumes elsewhere:
    :func:`run` picks up whichever checkpoint, cached or parked, has more
    epochs, and deletes the parked one once the result is written.  The copy
    is written beside an older parked checkpoint and swapped in, so a parked
    checkpoint is never half-written.
    """
    cache = Path(cache_dir) if cache_dir is not None else CACHE_DIR
    state = _checkpoint_state(cache / spec.id, spec)
    if state is None:
        raise FileNotFoundError(f"no checkpoint of {spec.id} in {cache}: start it with "
                                f"'python -m hilbertlib run --only {spec.id}' and stop it after an epoch")
    parked = parked_state(spec, results_dir)
    if parked is not None and parked["completed_epochs"] > state["completed_epochs"]:
        raise ValueError(f"the parked checkpoint of {spec.id} has {parked['completed_epochs']} epochs, more than "
                         f"the {state['completed_epochs']} in {cache}: resume the run to catch up first")
    dest = Path(results_dir) / PARKED / spec.id
    _copy_checkpoint(cache / spec.id, state, dest)
    return dest


def _unpark(spec: ExperimentSpec, results_dir: Path, ckpt_dir: Path) -> None:
    """Put the parked checkpoint of ``spec`` into the cache when it is further along than the cached one."""
    parked = parked_state(spec, results_dir)
    cached = _checkpoint_state(ckpt_dir, spec)
    if parked is None or (cached is not None and cached["completed_epochs"] >= parked["completed_epochs"]):
        return
    _copy_checkpoint(results_dir / PARKED / spec.id, parked, ckpt_dir)


def _train(
    spec: ExperimentSpec,
    results_dir: Path,
    cache_dir: Path,
    progress: bool,
    on_epoch: Callable[[int, dict[str, float]], None] | None,
) -> Result:
    import keras

    from . import gradients
    from .models import build_model

    ckpt_dir = cache_dir / spec.id
    state_path = ckpt_dir / "state.json"
    data = prepare_data(spec)
    (xtr, ytr), (xva, yva), (xte, yte) = data["train"], data["val"], data["test"]

    _unpark(spec, results_dir, ckpt_dir)
    state = _checkpoint_state(ckpt_dir, spec)
    set_seed(spec.seed)
    steps_per_epoch = -(-len(xtr) // spec.batch_size)
    if state is not None:
        # Rebuild the model from its spec and load the checkpoint's weights and
        # optimizer state into it, rather than ``keras.models.load_model``: a
        # .keras file names the backend's own optimizer class (a checkpoint
        # written on torch holds ``torch_adam.Adam``), so a run resumed on
        # another backend would otherwise fail at its first step.  A checkpoint
        # written before the gradient records (plain Adam) loads into the
        # recording optimizer with its moments intact; one of another
        # optimizer fails here, naming the checkpoint to delete.
        model = build_model(spec, steps_per_epoch=steps_per_epoch)
        model.optimizer.build(model.trainable_variables)
        model.load_weights(ckpt_dir / _checkpoint_model(state))
        start = int(state["completed_epochs"])
    else:
        state = {
            "spec": spec.to_dict(),
            "completed_epochs": 0,
            "history": {k: [] for k in LOG_KEYS + gradients.GRADIENT_KEYS},
            "epoch_seconds": [],
            "resumed_at": [],
            "segments": [],
            "started": _now(),
        }
        model = build_model(spec, steps_per_epoch=steps_per_epoch)
        start = 0
    if start:
        state["resumed_at"].append(start)
    for key in gradients.GRADIENT_KEYS:  # a checkpoint written before the gradient records
        state["history"].setdefault(key, [None] * start)
    # Where each stretch of epochs ran: a run resumed on another machine or
    # backend (a GPU run finished on the CPU, say) says so in its result.
    # Resumed on the same device (same backend, processor, versions and thread
    # settings), the history is the uninterrupted run's; resumed on another,
    # it is a different sample of training: ``same_device_as_previous`` says which.
    if "segments" not in state:  # a checkpoint written before segments were recorded
        state["segments"] = [{"from_epoch": 0, "backend": "not recorded"}] if start else []
    env = environment()
    previous = state["segments"][-1] if state["segments"] else None
    state["segments"].append({"from_epoch": start, "same_device_as_previous": _same_device(previous, env) if start else None,
                              **env})

    bar = None
    if progress and start < spec.epochs:
        from tqdm.auto import tqdm

        bar = tqdm(total=spec.epochs, initial=start, desc=spec.id, unit="epoch", dynamic_ncols=True)

    class _Recorder(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            gradients.reset(self.model.optimizer)
            self._t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            state["epoch_seconds"].append(time.perf_counter() - self._t0)
            for k in LOG_KEYS:
                state["history"][k].append(float(logs[k]))
            grads = gradients.read(self.model.optimizer)   # this epoch's, before the checkpoint
            for k in gradients.GRADIENT_KEYS:
                state["history"][k].append(grads[k])
            state["completed_epochs"] = epoch + 1
            ckpt_dir.mkdir(parents=True, exist_ok=True)
            # Weights first, to a file of this epoch's own; then the state that
            # names it; only then drop the older weights.  A crash anywhere in
            # between leaves a state and the weights it names.
            name = f"model-e{epoch + 1}.keras"
            tmp = ckpt_dir / "model.tmp.keras"
            self.model.save(tmp)
            atomic_replace(tmp, ckpt_dir / name)
            state["model"] = name
            atomic_write_json(state_path, state)
            for stale in ckpt_dir.glob("model*.keras"):
                if stale.name != name:
                    stale.unlink(missing_ok=True)
            if bar is not None:
                bar.set_postfix(acc=f"{logs.get('accuracy', 0):.3f}", val=f"{logs.get('val_accuracy', 0):.3f}")
                bar.update(1)
            if on_epoch is not None:
                on_epoch(epoch + 1, dict(logs))

    # One fit call per epoch.  Each epoch's shuffle and dropout masks are drawn
    # from (seed, epoch) alone, so a run resumed at epoch k continues exactly as
    # an uninterrupted run would.
    recorder = _Recorder()
    for epoch in range(start, spec.epochs):
        _reseed_epoch(model, spec.seed, epoch)
        perm = np.random.default_rng([spec.seed, epoch]).permutation(len(ytr))
        model.fit(
            xtr[perm], ytr[perm], batch_size=spec.batch_size, epochs=epoch + 1, initial_epoch=epoch,
            validation_data=(xva, yva), shuffle=False, verbose=0, callbacks=[recorder],
        )
    if bar is not None:
        bar.close()

    test = _evaluate(model, xte, yte)
    result = {
        "schema": SCHEMA,
        "id": spec.id,
        "spec": spec.to_dict(),
        "history": state["history"],
        "epoch_seconds": state["epoch_seconds"],
        "wall_seconds": float(sum(state["epoch_seconds"])),
        "resumed_at": state["resumed_at"],
        "segments": state["segments"],
        "n_train": int(len(ytr)),
        "n_val": int(len(yva)),
        "n_test": int(len(yte)),
        "test": test,
        "started": state["started"],
        "finished": _now(),
        "environment": environment(),
    }
    results_dir.mkdir(parents=True, exist_ok=True)
    weights_dir = results_dir / "weights"
    weights_dir.mkdir(exist_ok=True)
    wtmp = weights_dir / f"{spec.id}.tmp.weights.h5"
    # The layers' weights only: a functional view of the same layers has no
    # optimizer, so the Adam moments (twice the weights' size) stay out.
    keras.Model(model.inputs, model.outputs, name=model.name).save_weights(wtmp)
    atomic_replace(wtmp, weights_dir / f"{spec.id}.weights.h5")
    result["weights"] = f"weights/{spec.id}.weights.h5"
    path = result_path(spec, results_dir)
    atomic_write_json(path, result)
    shutil.rmtree(ckpt_dir, ignore_errors=True)
    parked_root = results_dir / PARKED
    shutil.rmtree(parked_root / spec.id, ignore_errors=True)   # the result supersedes a parked checkpoint
    if parked_root.is_dir() and not any(parked_root.iterdir()):
        parked_root.rmdir()
    return Result(spec=spec, data=result, path=path)


def run(
    spec: ExperimentSpec,
    results_dir: str | os.PathLike = RESULTS_DIR,
    *,
    retrain: bool = False,
    train_missing: bool = True,
    cache_dir: str | os.PathLike | None = None,
    progress: bool = False,
    on_epoch: Callable[[int, dict[str, float]], None] | None = None,
) -> Result | None:
    """Load the stored result for ``spec`` or train it (chapter 4).

    - a stored result whose spec matches is returned as is (unless ``retrain``);
    - a stored result that is corrupt or made from another spec raises
      :class:`ResultError`, never a silent reuse;
    - a missing result is trained when ``train_missing`` (else ``None``).

    Reduced (quick-mode) specs are refused for the committed ``results/``.
    """
    results_dir = Path(results_dir)
    if spec.reduced and _committed_dir(results_dir):
        raise ValueError(
            f"{spec.id} is a reduced (quick-mode) spec: its result may not be written into the "
            f"committed {RESULTS_DIR}; pass a temporary results_dir"
        )
    if not retrain:
        found = load_result(spec, results_dir)
        if found is not None or not train_missing:
            return found
    cache = Path(cache_dir) if cache_dir is not None else CACHE_DIR
    return _train(spec, results_dir, cache, progress, on_epoch)

