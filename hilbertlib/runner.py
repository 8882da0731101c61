"""The experiment runner: load a committed result, or train, checkpoint and record (chapter 4).

``run(spec)`` returns the committed result for ``spec`` when there is one and
its stored spec matches (:mod:`hilbertlib.result_files`); otherwise it
trains, checkpointing every epoch into the cache folder and resuming from the
last checkpoint, cached or parked (:mod:`hilbertlib.checkpoints`), and
writes the result atomically with the environment of every stretch of
epochs (:mod:`hilbertlib.environment`).

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
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .checkpoints import CACHE_DIR, checkpoint_model, checkpoint_state, drop_parked, save_checkpoint, unpark
from .data import prepare_data
from .environment import environment, same_device
from .io import atomic_replace, atomic_write_json
from .result_files import LOG_KEYS, RESULTS_DIR, SCHEMA, Result, _committed_dir, load_result, result_path
from .specs import ExperimentSpec

__all__ = ["run", "set_seed"]


# --------------------------------------------------------------------- seeds


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and the Keras backend (chapter 4).

    On the TensorFlow backend this is ``keras.utils.set_random_seed``.  On the
    others it does the same, less TensorFlow's global seed, which only
    TensorFlow's own operations read: ``set_random_seed`` imports TensorFlow
    whenever it is installed, which costs every process seconds for nothing
    (``tests/test_runner.py`` checks that both give the same weights).
    """
    import random

    import keras

    seed = int(seed)
    if keras.backend.backend() == "tensorflow":
        keras.utils.set_random_seed(seed)
        return
    from keras.src.backend.common import global_state
    from keras.src.random import seed_generator
    from keras.src.utils import rng_utils

    global_state.set_global_attribute(rng_utils.GLOBAL_RANDOM_SEED, seed)
    global_state.set_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR, None)  # rebuilt from the seed
    random.seed(seed)
    np.random.seed(seed)
    if keras.backend.backend() == "torch":
        import torch

        torch.manual_seed(seed)


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


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


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
    data = prepare_data(spec)
    (xtr, ytr), (xva, yva), (xte, yte) = data["train"], data["val"], data["test"]

    unpark(spec, results_dir, ckpt_dir)
    state = checkpoint_state(ckpt_dir, spec)
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
        model.load_weights(ckpt_dir / checkpoint_model(state))
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
    state["segments"].append(
        {"from_epoch": start, "same_device_as_previous": same_device(previous, env) if start else None, **env}
    )

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
            grads = gradients.read(self.model.optimizer)  # this epoch's, before the checkpoint
            for k in gradients.GRADIENT_KEYS:
                state["history"][k].append(grads[k])
            state["completed_epochs"] = epoch + 1
            save_checkpoint(ckpt_dir, self.model, state)
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
            xtr[perm],
            ytr[perm],
            batch_size=spec.batch_size,
            epochs=epoch + 1,
            initial_epoch=epoch,
            validation_data=(xva, yva),
            shuffle=False,
            verbose=0,
            callbacks=[recorder],
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
    drop_parked(spec, results_dir)  # the result supersedes a parked checkpoint
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
      :class:`~hilbertlib.result_files.ResultError`, never a silent reuse;
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
