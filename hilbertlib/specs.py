"""Experiment specifications: a frozen, named description of one training run.

Introduced in chapter 4 ("Simple RNN").
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from dataclasses import dataclass, field, fields
from typing import Any

from .orderings import canonical_ordering_name

__all__ = ["ExperimentSpec", "Protocol", "PAPER", "MODELS", "SIZES", "VALIDATION_SIZE", "SCHEDULES", "spec_from_dict"]

MODELS = ("simple_rnn", "lstm", "plstm", "cnn")
SIZES = (14, 28)
DATASETS = ("mnist", "fashion_mnist")
INITS = ("keras", "chrono")
SCHEDULES = ("constant", "cosine")
VALIDATION_SIZE = 6000  # the last 6,000 training images, like Keras' validation_split=0.1


@dataclass(frozen=True)
class ExperimentSpec:
    """One experiment.  Defaults are the paper's protocol.

    ``dropout`` is the rate of the Dropout layer after the recurrent layer
    (recurrent models only: the paper's CNN has no dropout).
    ``schedule`` is the learning rate over training: ``constant`` (the
    paper's) or ``cosine`` (from ``learning_rate`` down to 0 at the last
    step, chapter 11).
    ``train_size``/``test_size`` (None = all) make a *reduced* spec, used for
    quick runs only; reduced results are never written into ``results/``.
    """

    model: str
    size: int = 14
    ordering: str = "row"
    seed: int = 0
    epochs: int = 20
    batch_size: int = 32
    units: int = 128
    dropout: float = 0.5
    dense_units: int = 128
    cnn_filters: int = 32
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    schedule: str = "constant"
    clipnorm: float | None = None
    init: str = "keras"
    dataset: str = "mnist"
    validation_size: int = VALIDATION_SIZE
    train_size: int | None = None
    test_size: int | None = None
    tags: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise ValueError(f"unknown model {self.model!r}; valid: {', '.join(MODELS)}")
        if isinstance(self.size, bool) or not isinstance(self.size, int) or self.size not in SIZES:
            raise ValueError(f"size must be 14 or 28 (the paper's image sizes), got {self.size!r}")
        if self.model == "cnn":
            if self.ordering != "image":
                object.__setattr__(self, "ordering", "image")
        else:
            # One spelling per ordering, so that equal walks share one id.
            object.__setattr__(self, "ordering", canonical_ordering_name(self.ordering))
        for name in ("seed", "epochs", "batch_size", "units", "dense_units", "cnn_filters", "validation_size"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < (0 if name == "seed" else 1):
                raise ValueError(
                    f"{name} must be a {'non-negative' if name == 'seed' else 'positive'} integer, got {v!r}"
                )
        for name in ("train_size", "test_size"):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
                raise ValueError(f"{name} must be a positive integer or None (all), got {v!r}")
        # Store real-valued fields as floats, so that equal specs (dropout=0 and
        # dropout=0.0) also get the same id (the id digests the JSON of the values).
        for name in ("dropout", "learning_rate", "clipnorm"):
            v = getattr(self, name)
            if v is None and name == "clipnorm":
                continue
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
                raise ValueError(f"{name} must be a finite real number, got {v!r}")
            object.__setattr__(self, name, float(v))
        if not 0.0 <= float(self.dropout) < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout!r}")
        if not float(self.learning_rate) > 0:
            raise ValueError(f"learning_rate must be positive, got {self.learning_rate!r}")
        if self.clipnorm is not None and not float(self.clipnorm) > 0:
            raise ValueError(f"clipnorm must be positive or None, got {self.clipnorm!r}")
        if self.optimizer not in ("adam", "rmsprop"):
            raise ValueError(f"optimizer must be 'adam' or 'rmsprop', got {self.optimizer!r}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {SCHEDULES}, got {self.schedule!r}")
        if self.init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {self.init!r}")
        if self.dataset not in DATASETS:
            raise ValueError(f"dataset must be one of {DATASETS}, got {self.dataset!r}")

    # ------------------------------------------------------------------ ids
    @property
    def reduced(self) -> bool:
        """True for quick-mode specs (a subset of the training or test set)."""
        return self.train_size is not None or self.test_size is not None

    @property
    def id(self) -> str:
        """Stable, readable id, e.g. ``lstm-14-hilbert-s0``.

        Each field that differs from the paper's protocol (other than model,
        size, ordering, seed, data set) adds a short token, e.g.
        ``lstm-28-row-s0-chrono-clip1`` or, for a quick run,
        ``lstm-14-row-s0-e1-n256-t256``; every field has its own prefix, so
        two different specs never share an id.
        """
        prefix = "" if self.dataset == "mnist" else "fashion-"
        order = "" if self.model == "cnn" else "-" + self.ordering.replace(":", "-")
        base = f"{prefix}{self.model}-{self.size}{order}-s{self.seed}"
        tokens = [_TOKEN[name](value) for name, value in self._non_default().items()]
        return "-".join([base, *tokens])

    def _non_default(self) -> dict[str, Any]:
        skip = {"model", "size", "ordering", "seed", "dataset", "tags"}
        out = {}
        for f in fields(self):
            if f.name in skip:
                continue
            v = getattr(self, f.name)
            if v != f.default:
                out[f.name] = v
        return out

    @property
    def sequence_length(self) -> int:
        return self.size * self.size

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["tags"] = list(self.tags)
        return d

    def replace(self, **changes: Any) -> ExperimentSpec:
        return dataclasses.replace(self, **changes)


def _num(v) -> str:
    return f"{v:g}"


# One short, distinct prefix per field that can leave the paper's protocol.
_TOKEN = {
    "epochs": lambda v: f"e{v}",
    "batch_size": lambda v: f"b{v}",
    "units": lambda v: f"u{v}",
    "dropout": lambda v: f"d{_num(v)}",
    "dense_units": lambda v: f"h{v}",
    "cnn_filters": lambda v: f"f{v}",
    "optimizer": lambda v: str(v),
    "learning_rate": lambda v: f"lr{_num(v)}",
    "schedule": lambda v: str(v),
    "clipnorm": lambda v: "noclip" if v is None else f"clip{_num(v)}",
    "init": lambda v: str(v),
    "validation_size": lambda v: f"v{v}",
    "train_size": lambda v: f"n{v}",
    "test_size": lambda v: f"t{v}",
}


@dataclass(frozen=True)
class Protocol:
    """How much of each experiment a chapter runs: the paper's protocol, or a quick run (chapter 4).

    Every field left at None keeps each experiment's own value (the paper's
    20 epochs and batch 32, or a variant's own budget); a value replaces it
    in every spec.  A chapter builds one from its papermill parameters and
    passes it to :mod:`hilbertlib.grid`.
    """

    epochs: int | None = None
    batch_size: int | None = None
    train_size: int | None = None
    test_size: int | None = None

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size", "train_size", "test_size"):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
                raise ValueError(
                    f"Protocol.{name} must be a positive integer or None (each experiment's own), got {v!r}"
                )

    @property
    def quick(self) -> bool:
        """Whether the protocol shrinks the data (a quick run, whose results never go into ``results/``)."""
        return self.train_size is not None or self.test_size is not None

    def apply(self, spec: ExperimentSpec) -> ExperimentSpec:
        """``spec`` under this protocol."""
        changes = {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}
        return spec.replace(**changes) if changes else spec


PAPER = Protocol()


def spec_from_dict(d: dict[str, Any]) -> ExperimentSpec:
    """Rebuild a spec from its stored dict; unknown keys are an error."""
    known = {f.name for f in fields(ExperimentSpec)}
    unknown = set(d) - known
    if unknown:
        raise ValueError(f"stored spec has unknown fields {sorted(unknown)}")
    d = dict(d)
    if "tags" in d:
        d["tags"] = tuple(d["tags"])
    return ExperimentSpec(**d)
