"""The tiny reduced LSTM that the runner, result-file and checkpoint tests train.

64 train / 64 validation / 64 test images, 2 epochs, 8 units; results and
checkpoints go only into temporary folders.  One uninterrupted run of it is
the session fixture ``trained`` (``conftest.py``).
"""

from __future__ import annotations

from pathlib import Path

from hilbertlib.specs import ExperimentSpec

TINY = ExperimentSpec("lstm", 14, "hilbert", epochs=2, units=8, dense_units=8, train_size=64, test_size=64)
HISTORY_KEYS = ("loss", "accuracy", "val_loss", "val_accuracy")
GRADIENT_KEYS = ("grad_norm_mean", "grad_norm_max", "clipped_share")


def interrupt_after_first_epoch(epoch, logs):
    """An ``on_epoch`` hook that stops a run once its first epoch is checkpointed."""
    if epoch == 1:
        raise KeyboardInterrupt


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp") or ".tmp." in p.name]


def forbid_training(monkeypatch):
    """Make :func:`hilbertlib.runner.run` fail if it trains."""
    import hilbertlib.runner as runner

    def no_training(*args, **kwargs):
        raise AssertionError("run() trained although it should not have")

    monkeypatch.setattr(runner, "_train", no_training)
