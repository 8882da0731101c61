"""Where a stored result was trained: Keras backend and device, stretch by stretch of epochs (chapters 11 and 12).

A run that is stopped and resumed records one *segment* per sitting in its
result (``result.data["segments"]``: the number of epochs done before the
sitting, the Keras backend and the device).  Resumed on the same backend and
device, a run goes on with the same random numbers and the same arithmetic,
and its history is the one an uninterrupted run would have had; resumed on
another machine, it is a different sample from that epoch on.  Chapters 11
and 12 therefore compare two results only when each was trained throughout
on one and the same machine (:func:`same_machine`), and say where a result's
epochs span two.

Every function returns data or a short label, never a sentence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "seconds_per_epoch",
    "NOT_RECORDED",
    "DIFFERENT_MACHINES",
    "Stretch",
    "machine_label",
    "stretches",
    "machines",
    "one_machine",
    "same_machine",
    "trained_on",
    "resumed_elsewhere_from",
    "processors",
    "began_on",
    "epoch_seconds",
]

#: The machine of a sitting that was trained before results recorded their machines.
NOT_RECORDED = "not recorded"
#: The verdict label of a comparison whose two sides were trained on different machines.
DIFFERENT_MACHINES = "not tested: different machines"

Machine = tuple[str, str]  # (backend, device), e.g. ("torch", "cuda:NVIDIA H200")


@dataclass(frozen=True)
class Stretch:
    """Consecutive epochs of one result trained on one machine; epochs count from 1, both ends included."""

    first_epoch: int
    last_epoch: int
    backend: str
    device: str

    @property
    def machine(self) -> Machine:
        return (self.backend, self.device)

    @property
    def epochs(self) -> int:
        return self.last_epoch - self.first_epoch + 1

    @property
    def label(self) -> str:
        return machine_label(self.backend, self.device)


def machine_label(backend: str, device: str) -> str:
    """A short name for a machine: ``('torch', 'cuda:NVIDIA H200') -> 'torch, NVIDIA H200'``, ``'jax, CPU'``."""
    if device.startswith(("cuda:", "gpu:")):
        name = device.split(":", 1)[1]
    elif device.startswith("cpu"):
        name = "CPU"
    else:
        name = device
    return NOT_RECORDED if NOT_RECORDED in (backend, device) else f"{backend}, {name}"


def _data(result: Any) -> dict[str, Any]:
    data = getattr(result, "data", result)
    if not isinstance(data, dict) or "history" not in data:
        raise TypeError(f"expected a stored result (or its data dict), got {type(result).__name__}")
    return data


def _n_epochs(data: dict[str, Any]) -> int:
    hist = data["history"]
    key = "loss" if "loss" in hist else next(iter(hist))
    return len(hist[key])


def stretches(result: Any) -> list[Stretch]:
    """The result's epochs split by the machine that trained them, in order.

    Consecutive sittings on the same machine merge into one stretch.  A
    result without segments was trained in one sitting, on the machine of
    its ``environment``.  A sitting whose machine was not recorded gets
    :data:`NOT_RECORDED` as backend and device.
    """
    data = _data(result)
    n = _n_epochs(data)
    segs = data.get("segments") or []
    if not segs:
        env = data["environment"]
        return [Stretch(1, n, env["backend"], env["device"])] if n else []
    out: list[Stretch] = []
    for i, seg in enumerate(segs):
        first = int(seg["from_epoch"]) + 1
        last = int(segs[i + 1]["from_epoch"]) if i + 1 < len(segs) else n
        if last < first:
            continue
        backend = seg.get("backend") or NOT_RECORDED
        device = seg.get("device") or NOT_RECORDED
        if out and out[-1].machine == (backend, device) and out[-1].last_epoch + 1 == first:
            out[-1] = Stretch(out[-1].first_epoch, last, backend, device)
        else:
            out.append(Stretch(first, last, backend, device))
    return out


def machines(result: Any) -> tuple[Machine, ...]:
    """The distinct machines that trained the result, in the order they first did."""
    seen: list[Machine] = []
    for s in stretches(result):
        if s.machine not in seen:
            seen.append(s.machine)
    return tuple(seen)


def one_machine(result: Any) -> Machine | None:
    """The machine that trained every epoch of the result; ``None`` when it spans several or one is not recorded."""
    ms = machines(result)
    if len(ms) != 1 or NOT_RECORDED in ms[0]:
        return None
    return ms[0]


def same_machine(results: Iterable[Any]) -> bool:
    """Whether every result was trained throughout on one machine, the same for all.

    Only then can a difference between them be put down to what their specs
    change rather than to the machines.
    """
    found = {one_machine(r) for r in results}
    return len(found) == 1 and None not in found


def trained_on(result: Any) -> str:
    """A short label of the machines and their epochs: ``'torch, NVIDIA H200'`` for one machine throughout,
    ``'torch, NVIDIA H200: 1-26; jax, CPU: 27-40'`` for a result that spans two."""
    parts = stretches(result)
    if len(parts) == 1:
        return parts[0].label
    return "; ".join(
        f"{s.label}: {s.first_epoch}-{s.last_epoch}" if s.epochs > 1 else f"{s.label}: {s.first_epoch}" for s in parts
    )


def resumed_elsewhere_from(result: Any) -> list[int]:
    """The epochs (counting from 1) from which the run went on in an environment other than the one
    before: another machine, or the same machine with another processor model, thread setting or
    library version (``same_device_as_previous`` false in its segments; chapter 11).

    From each such epoch on, the run is a different sample from an uninterrupted one.
    """
    segs = _data(result).get("segments") or []
    return [int(seg["from_epoch"]) + 1 for seg in segs[1:] if seg.get("same_device_as_previous") is False]


def processors(result: Any) -> tuple[str, ...]:
    """The processor models that trained the result, in the order they first did (chapter 11)."""
    segs = _data(result).get("segments") or [_data(result)["environment"]]
    return tuple(dict.fromkeys(seg.get("cpu", NOT_RECORDED) for seg in segs))


def began_on(runs: Mapping[Any, Mapping[Any, Any]]) -> dict[Any, frozenset[str]]:
    """The processor models on which the runs of each group began, ``{group: models}`` (chapters 11 and 12).

    ``runs`` maps a group (an arm of the ablation, say) to its results by
    seed; a group without results is left out.  A group whose runs all began
    on one model maps to a set of one.
    """
    return {g: frozenset(processors(r)[0] for r in by_seed.values()) for g, by_seed in runs.items() if by_seed}


def epoch_seconds(results: Iterable[Any], machine: Machine) -> list[float]:
    """The wall times of every epoch that ``machine`` trained, over all ``results``, in order."""
    out: list[float] = []
    for r in results:
        seconds = list(_data(r)["epoch_seconds"])
        for s in stretches(r):
            if s.machine == tuple(machine):
                out += [float(x) for x in seconds[s.first_epoch - 1 : s.last_epoch]]
    return out


def seconds_per_epoch(result) -> float:
    """Median wall time of one epoch of a result, in seconds (chapter 6).

    The median ignores the first epoch's compilation and the odd slow epoch
    when the machine was shared.
    """
    return float(np.median(np.asarray(result.epoch_seconds, dtype=float)))
