"""Stored results: what a result file of the experiment runner holds, and how it is read (chapter 4).

One JSON file per experiment, ``results/<id>.json``, written atomically by
:func:`hilbertlib.runner.run`, with the trained layers' weights beside it
in ``results/weights/``.  :func:`load_result` reads one back and refuses a
corrupt file or one made from another spec.

What a result records (schema 2):

- ``history``: per epoch, Keras' ``loss``, ``accuracy``, ``val_loss`` and
  ``val_accuracy``, and the gradient records of ``hilbertlib.gradients``:
  ``grad_norm_mean`` and ``grad_norm_max`` (the global L2 norm of all
  gradients before clipping, mean and largest over the epoch's batches) and
  ``clipped_share`` (the share of batches in which clipping changed a
  gradient).  Results of schema 1 have no gradient records; their
  :class:`Result` accessors return None.  Epochs trained from a checkpoint
  written before the records existed hold None.
- ``segments``: one entry per stretch of epochs trained in one sitting, with
  the environment it ran in (:func:`hilbertlib.environment.environment`) and
  ``same_device_as_previous``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .specs import ExperimentSpec, spec_from_dict

__all__ = [
    "RESULTS_DIR",
    "SCHEMA",
    "LOG_KEYS",
    "ResultError",
    "StoredResult",
    "Result",
    "result_path",
    "load_result",
]

#: The committed results folder.
RESULTS_DIR = Path(__file__).resolve().parent.parent / "results"
#: The result file's schema version.  Version 2 added the per-epoch gradient records in
#: ``history`` and ``same_device_as_previous`` in ``segments``.
SCHEMA = 2
#: Keras' own per-epoch logs, recorded in every result's ``history``.
LOG_KEYS = ("loss", "accuracy", "val_loss", "val_accuracy")


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
        """Per epoch, the share of batches whose gradients clipping changed (0.0 without clipping);
        None for old results."""
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


def _committed_dir(results_dir: str | os.PathLike, committed: Path = RESULTS_DIR) -> bool:
    """Whether ``results_dir`` is the committed folder ``committed`` (quick runs must never write there)."""
    try:
        return Path(results_dir).resolve() == committed.resolve()
    except OSError:
        return False


def result_path(spec: ExperimentSpec, results_dir: str | os.PathLike = RESULTS_DIR) -> Path:
    """The file of ``spec``'s result in ``results_dir``: ``<id>.json``."""
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
