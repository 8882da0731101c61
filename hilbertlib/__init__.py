"""hilbertlib: the shared library of the book "MNIST digits as time series".

Every chapter imports from here; each function's docstring names the chapter
that introduces it.  Heavy parts (Keras, plotting) are imported lazily.
"""

from __future__ import annotations

__version__ = "0.2.0"

from .data import DataError, Dataset, load_dataset, load_fashion_mnist, load_mnist
from .hilbert_nd import hilbert_decode_nd, hilbert_encode_nd
from .orderings import (
    gilbert_xy,
    hilbert_d2xy,
    hilbert_xy2d,
    ordering,
    ordering_names,
    ordering_to_xy,
)
from .specs import ExperimentSpec
from .transforms import downsample, from_sequences, to_sequences

__all__ = [
    "__version__",
    "DataError",
    "Dataset",
    "ExperimentSpec",
    "downsample",
    "from_sequences",
    "gilbert_xy",
    "hilbert_d2xy",
    "hilbert_decode_nd",
    "hilbert_encode_nd",
    "hilbert_xy2d",
    "load_dataset",
    "load_fashion_mnist",
    "load_mnist",
    "ordering",
    "ordering_names",
    "ordering_to_xy",
    "to_sequences",
]
