"""Per-epoch checkpoints of a training run, and parked copies of them (chapter 4).

:func:`hilbertlib.runner.run` checkpoints every epoch into the cache folder
(``CACHE_DIR``, ignored by git; ``HILBERTLIB_CACHE`` moves it): the weights
with the optimizer state, and ``state.json`` with the history so far
(:func:`save_checkpoint`).  A run interrupted anywhere resumes from its last
checkpoint (:func:`checkpoint_state`).

A run too long for one sitting can be parked: :func:`park` copies its
checkpoint into ``results/in-progress/<id>``, which can be committed and
resumed on another machine (:func:`unpark`); the finished result supersedes
it (:func:`drop_parked`).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from .io import atomic_replace, atomic_write_json
from .result_files import RESULTS_DIR
from .specs import ExperimentSpec, spec_from_dict

__all__ = [
    "CACHE_DIR",
    "PARKED",
    "checkpoint_model",
    "checkpoint_state",
    "save_checkpoint",
    "park",
    "parked_state",
    "unpark",
    "drop_parked",
]

#: Where runs checkpoint each epoch, one folder per experiment id.
CACHE_DIR = Path(os.environ.get("HILBERTLIB_CACHE", RESULTS_DIR.parent / ".cache" / "checkpoints"))
#: Sub-folder of a results folder that holds parked checkpoints of unfinished runs.
PARKED = "in-progress"


def checkpoint_model(state: dict[str, Any]) -> str:
    """The model file a checkpoint's state names (``model.keras`` in checkpoints older than that field)."""
    return str(state.get("model", "model.keras"))


def checkpoint_state(folder: Path, spec: ExperimentSpec) -> dict[str, Any] | None:
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
        if spec_from_dict(state["spec"]) != spec or not (folder / checkpoint_model(state)).is_file():
            return None
        return state
    except (ValueError, KeyError, TypeError):
        return None


def save_checkpoint(folder: Path, model: Any, state: dict[str, Any]) -> None:
    """Checkpoint ``model`` (a compiled Keras model) and ``state`` after epoch ``state["completed_epochs"]``.

    Weights first, to a file of this epoch's own; then the state that names
    it; only then the older weights are dropped.  A crash anywhere in between
    leaves a state and the weights it names.
    """
    folder.mkdir(parents=True, exist_ok=True)
    name = f"model-e{state['completed_epochs']}.keras"
    tmp = folder / "model.tmp.keras"
    model.save(tmp)
    atomic_replace(tmp, folder / name)
    state["model"] = name
    atomic_write_json(folder / "state.json", state)
    for stale in folder.glob("model*.keras"):
        if stale.name != name:
            stale.unlink(missing_ok=True)


def _copy_checkpoint(src: Path, state: dict[str, Any], dest: Path) -> None:
    """Copy the checkpoint in ``src`` (its state and the weights it names) to ``dest``, in one swap.

    The copy is written to a folder beside ``dest`` and renamed over it, so
    ``dest`` holds the old checkpoint or the new one, never half of one.
    """
    tmp, old = dest.with_name(f".{dest.name}.tmp"), dest.with_name(f".{dest.name}.old")
    for d in (tmp, old):
        shutil.rmtree(d, ignore_errors=True)
    tmp.mkdir(parents=True)
    model = checkpoint_model(state)
    shutil.copy2(src / model, tmp / model)
    atomic_write_json(tmp / "state.json", state)
    if dest.exists():
        os.replace(dest, old)
    os.replace(tmp, dest)
    shutil.rmtree(old, ignore_errors=True)


def parked_state(spec: ExperimentSpec, results_dir: str | os.PathLike = RESULTS_DIR) -> dict[str, Any] | None:
    """The state of the parked checkpoint of ``spec`` (``completed_epochs``, history...), or None (status page)."""
    return checkpoint_state(Path(results_dir) / PARKED / spec.id, spec)


def park(
    spec: ExperimentSpec, results_dir: str | os.PathLike = RESULTS_DIR, cache_dir: str | os.PathLike | None = None
) -> Path:
    """Copy the checkpoint of an unfinished run from the cache into ``results_dir/in-progress/<id>`` (status page).

    The cache is ignored by git and stays on one machine; a parked checkpoint
    can be committed, so a run too long for one sitting resumes elsewhere:
    :func:`hilbertlib.runner.run` picks up whichever checkpoint, cached or
    parked, has more epochs, and deletes the parked one once the result is
    written.  The copy is written beside an older parked checkpoint and
    swapped in, so a parked checkpoint is never half-written.
    """
    cache = Path(cache_dir) if cache_dir is not None else CACHE_DIR
    state = checkpoint_state(cache / spec.id, spec)
    if state is None:
        raise FileNotFoundError(
            f"no checkpoint of {spec.id} in {cache}: start it with "
            f"'python -m hilbertlib run --only {spec.id}' and stop it after an epoch"
        )
    parked = parked_state(spec, results_dir)
    if parked is not None and parked["completed_epochs"] > state["completed_epochs"]:
        raise ValueError(
            f"the parked checkpoint of {spec.id} has {parked['completed_epochs']} epochs, more than "
            f"the {state['completed_epochs']} in {cache}: resume the run to catch up first"
        )
    dest = Path(results_dir) / PARKED / spec.id
    _copy_checkpoint(cache / spec.id, state, dest)
    return dest


def unpark(spec: ExperimentSpec, results_dir: Path, ckpt_dir: Path) -> None:
    """Put the parked checkpoint of ``spec`` into ``ckpt_dir`` when it is further along than the one there."""
    parked = parked_state(spec, results_dir)
    cached = checkpoint_state(ckpt_dir, spec)
    if parked is None or (cached is not None and cached["completed_epochs"] >= parked["completed_epochs"]):
        return
    _copy_checkpoint(results_dir / PARKED / spec.id, parked, ckpt_dir)


def drop_parked(spec: ExperimentSpec, results_dir: Path) -> None:
    """Delete the parked checkpoint of ``spec`` (its result supersedes it), and ``in-progress`` once empty."""
    parked_root = results_dir / PARKED
    shutil.rmtree(parked_root / spec.id, ignore_errors=True)
    if parked_root.is_dir() and not any(parked_root.iterdir()):
        parked_root.rmdir()
