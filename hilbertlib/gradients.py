"""Gradient norms recorded while training, at no extra pass (chapter 11, "Making 784 steps learn").

Every result the runner writes records, per epoch,

- ``grad_norm_mean`` and ``grad_norm_max``: the global L2 norm of all the
  gradients of one mini-batch, ``sqrt(sum_i ||g_i||^2)`` over every trainable
  tensor ``g_i``, *before* clipping, averaged over the epoch's batches and its
  largest value;
- ``clipped_share``: the share of the epoch's batches in which clipping changed
  at least one gradient.  Keras' ``clipnorm`` clips each tensor on its own, so a
  batch counts when some tensor's norm exceeds ``clipnorm``; 0.0 for an
  optimizer without clipping.

The optimizer does the bookkeeping: :func:`recording_optimizer` returns the
Adam or RMSprop of a spec with an ``apply`` that measures the raw gradients
and adds them to four scalar optimizer variables before handing the gradients,
untouched, to the optimizer's own ``apply``.  Being optimizer variables, they
travel through Keras' stateless JAX training step like Adam's moments do, and
the code uses ``keras.ops`` only, so it runs on every Keras backend.  The
runner resets them when an epoch begins (:func:`reset`) and reads them when it
ends (:func:`read`).  The update of the weights is the optimizer's own, so the
training numerics are unchanged (tests/test_gradients.py checks that the
weights after training with and without the recording are identical).
"""

from __future__ import annotations

import math
from typing import Any

import keras
from keras import ops

__all__ = [
    "GRADIENT_KEYS",
    "GradientRecording",
    "RecordingAdam",
    "RecordingRMSprop",
    "recording_optimizer",
    "records",
    "reset",
    "read",
]

#: The per-epoch gradient records of a result's ``history`` (schema 2).
GRADIENT_KEYS = ("grad_norm_mean", "grad_norm_max", "clipped_share")
#: The optimizer variables that hold one epoch's running records, in creation order.
_SLOTS = ("grad_norm_sum", "grad_norm_peak", "clipped_batches", "recorded_batches")


def _backend_class(cls):
    """The class Keras makes for ``cls`` on this backend.

    On torch, ``keras.optimizers.Adam(...)`` is swapped for the backend's own
    ``torch_adam.Adam`` (a multi-tensor update); a subclass is not swapped, so
    the recording classes derive from the torch class itself and keep its update.
    """
    if keras.backend.backend() == "torch":  # pragma: no cover - torch is not installed in the test environment
        from keras.src.backend.torch.optimizers import torch_adam, torch_rmsprop

        return {keras.optimizers.Adam: torch_adam.Adam, keras.optimizers.RMSprop: torch_rmsprop.RMSprop}[cls]
    return cls


class GradientRecording:
    """Mixin for a Keras optimizer: record the gradient norms of every ``apply`` (chapter 11).

    It adds four scalar variables after the optimizer's own (so a checkpoint
    holds them last) and measures the gradients it is given, before clipping.
    """

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        for name in _SLOTS:
            setattr(self, f"_{name}", self.add_variable(shape=(), initializer="zeros", dtype="float32", name=name))

    @property
    def gradient_slots(self) -> list:
        """The recording variables (grad_norm_sum, grad_norm_peak, clipped_batches, recorded_batches)."""
        return [getattr(self, f"_{name}") for name in _SLOTS]

    def _clip_changes(self, grads, norms, total):
        """1.0 where the optimizer's clipping changes at least one of ``grads``, else 0.0."""
        if self.clipnorm and self.clipnorm > 0:  # per tensor (Keras' _clip_by_norm)
            return ops.cast(ops.any(ops.stack([n > self.clipnorm for n in norms])), "float32")
        if self.global_clipnorm and self.global_clipnorm > 0:
            return ops.cast(total > self.global_clipnorm, "float32")
        if self.clipvalue and self.clipvalue > 0:
            over = [ops.any(ops.abs(g) > self.clipvalue) for g in grads]
            return ops.cast(ops.any(ops.stack(over)), "float32")
        return ops.zeros((), dtype="float32")

    def apply(self, grads, trainable_variables=None):
        present = [g for g in grads if g is not None]
        if present and not self.built:
            # build() runs in super().apply otherwise; the slots must exist first.
            if trainable_variables is None:
                raise ValueError("the optimizer must be built before apply() is called without variables")
            with keras.name_scope(self.name, caller=self):
                self.build(list(trainable_variables))
        if present:
            scale = self.loss_scale_factor
            raw = [ops.cast(g, "float32") if scale is None else ops.cast(g, "float32") / scale for g in present]
            norms = [ops.sqrt(ops.sum(ops.square(g))) for g in raw]
            total = ops.sqrt(ops.sum(ops.stack([ops.square(n) for n in norms])))
            s_sum, s_peak, s_clipped, s_count = self.gradient_slots
            s_sum.assign(s_sum + total)
            s_peak.assign(ops.maximum(s_peak, total))
            s_clipped.assign(s_clipped + self._clip_changes(raw, norms, total))
            s_count.assign(s_count + 1.0)
        return super().apply(grads, trainable_variables)

    def load_own_variables(self, store):
        """Load a checkpoint; one written before gradients were recorded lacks the four slots.

        Keras would skip such a checkpoint's optimizer state with a warning (a
        resumed run would silently restart Adam's moments); here the old
        variables are loaded and the slots start at zero.  Any other mismatch
        is an error rather than Keras' warning.
        """
        n, k = len(self.variables), len(_SLOTS)
        have = len(store.keys())
        if have == n:
            for i, variable in enumerate(self.variables):
                variable.assign(store[str(i)])
        elif have == n - k and n > k:
            for i, variable in enumerate(self.variables[: n - k]):
                variable.assign(store[str(i)])
            for slot in self.gradient_slots:
                slot.assign(ops.zeros((), dtype="float32"))
        else:
            raise ValueError(
                f"the checkpoint's optimizer has {have} variables; {type(self).__name__} '{self.name}' has {n} "
                f"(or {n - k} without the gradient records): it was written for another model or optimizer, "
                "delete the checkpoint to start the run afresh"
            )


@keras.saving.register_keras_serializable(package="hilbertlib")
class RecordingAdam(GradientRecording, _backend_class(keras.optimizers.Adam)):
    """Adam that records gradient norms (:class:`GradientRecording`; chapter 11)."""


@keras.saving.register_keras_serializable(package="hilbertlib")
class RecordingRMSprop(GradientRecording, _backend_class(keras.optimizers.RMSprop)):
    """RMSprop that records gradient norms (:class:`GradientRecording`; chapter 11)."""


def recording_optimizer(name: str, **kwargs):
    """The optimizer ``name`` ("adam" or "rmsprop") with gradient recording (chapter 11)."""
    classes = {"adam": RecordingAdam, "rmsprop": RecordingRMSprop}
    if name not in classes:
        raise ValueError(f"optimizer must be one of {sorted(classes)}, got {name!r}")
    return classes[name](**kwargs)


def records(optimizer) -> bool:
    """Whether ``optimizer`` records gradient norms."""
    return isinstance(optimizer, GradientRecording)


def reset(optimizer) -> None:
    """Zero the running records (the runner calls it when an epoch begins)."""
    if records(optimizer) and optimizer.built:
        for slot in optimizer.gradient_slots:
            slot.assign(ops.zeros((), dtype="float32"))


def read(optimizer) -> dict[str, Any]:
    """This epoch's records: ``grad_norm_mean``, ``grad_norm_max``, ``clipped_share``, ``batches``.

    All None for an optimizer that does not record (or has not stepped).
    """
    empty = {key: None for key in GRADIENT_KEYS} | {"batches": 0}
    if not records(optimizer) or not optimizer.built:
        return empty
    total, peak, clipped, count = (float(ops.convert_to_numpy(s)) for s in optimizer.gradient_slots)
    if count < 1:
        return empty
    out = {
        "grad_norm_mean": total / count,
        "grad_norm_max": peak,
        "clipped_share": clipped / count,
        "batches": int(round(count)),
    }
    if not all(math.isfinite(out[k]) for k in GRADIENT_KEYS):  # a diverged run records nan/inf as None
        out.update({k: (out[k] if math.isfinite(out[k]) else None) for k in GRADIENT_KEYS})
    return out
