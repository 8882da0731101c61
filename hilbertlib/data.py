"""Loading MNIST and Fashion-MNIST, offline or through Keras, with validation.

Where the data come from, first match wins:

1. an explicit ``path`` argument;
2. the environment variable ``HILBERTLIB_MNIST`` (``HILBERTLIB_FASHION_MNIST``);
3. Fashion-MNIST only: Debian's ``/usr/share/datasets/fashion-mnist``;
4. the ordinary Keras download (cached in ``~/.keras/datasets``).

A path is either an ``.npz`` in Keras layout (``x_train``, ``y_train``,
``x_test``, ``y_test``) or a folder of the four official IDX ``.gz`` files.
Introduced in chapter 1 ("The data").

The split every model of the book trains and is scored on
(:func:`split_data`, :func:`prepare_data`) is introduced in chapter 4.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from .transforms import as_unit_float, downsample, to_sequences

__all__ = [
    "sample_sequences",
    "Dataset",
    "DataError",
    "load_mnist",
    "load_fashion_mnist",
    "load_dataset",
    "MNIST_SHA256",
    "FASHION_SHA256",
    "split_data",
    "prepare_data",
    "SplitSpec",
]


class DataError(RuntimeError):
    """A data set could not be loaded or failed validation; the message says what to do."""


# sha256 of array.tobytes(), from ../shared/data/README.md (genuine MNIST).
MNIST_SHA256 = {
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}
# sha256 of array.tobytes() of the official Fashion-MNIST IDX files, as read
# from Debian's dataset-fashion-mnist package (zalandoresearch, 2020-05-23).
FASHION_SHA256 = {
    "x_train": "2e487a6c89124f78f2d7521542223cafe96f7123c3ca13d447772ac6ecbb3012",
    "y_train": "657fbd221bfc9f4198cc14b5619cc33ec57c58dd0e47af4d99d6650759e869a7",
    "x_test": "c867c93ff95360594e8ec3287995350b824dd110b11595c0e13d5423f621867a",
    "y_test": "3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9",
}

_SHAPES = {"x_train": (60000, 28, 28), "y_train": (60000,), "x_test": (10000, 28, 28), "y_test": (10000,)}
_IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")


@dataclass(frozen=True)
class Dataset:
    """Train and test images (uint8, N x 28 x 28) and labels (uint8)."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str

    @property
    def class_names(self) -> list[str]:
        if self.name == "fashion_mnist":
            return [
                "T-shirt/top",
                "Trouser",
                "Pullover",
                "Dress",
                "Coat",
                "Sandal",
                "Shirt",
                "Sneaker",
                "Bag",
                "Ankle boot",
            ]
        return [str(i) for i in range(10)]


def _digest(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def _read_idx(path: Path) -> np.ndarray:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            raw = fh.read()
    except (OSError, EOFError) as exc:
        raise DataError(
            f"cannot read IDX file {path}: {exc}; the file is corrupt or truncated, fetch it again"
        ) from exc
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise DataError(f"{path} is not an unsigned-byte IDX file (bad magic number)")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise DataError(f"{path} holds {data.size} bytes of data but its header says {dims}: truncated file")
    return data.reshape(dims)


def _from_idx_folder(folder: Path) -> dict[str, np.ndarray]:
    arrays = {}
    for key, stem in _IDX_FILES.items():
        for candidate in (folder / f"{stem}.gz", folder / stem):
            if candidate.exists():
                arrays[key] = _read_idx(candidate)
                break
        else:
            raise DataError(
                f"{folder} has no {stem}.gz: a data folder needs the four IDX files {sorted(_IDX_FILES.values())}"
            )
    return arrays


def _from_npz(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [k for k in _SHAPES if k not in npz.files]
            if missing:
                raise DataError(f"{path} lacks the arrays {missing}; expected Keras layout with {list(_SHAPES)}")
            return {k: npz[k] for k in _SHAPES}
    except DataError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise DataError(
            f"{path} is not a readable .npz file ({exc}); it is corrupt or truncated: download it again"
        ) from exc


def _from_path(path: Path) -> dict[str, np.ndarray]:
    if not path.exists():
        raise DataError(
            f"data path {path} does not exist; point it at an .npz in Keras layout or a folder of IDX .gz files"
        )
    return _from_idx_folder(path) if path.is_dir() else _from_npz(path)


def _validate(name: str, arrays: dict[str, np.ndarray], source: str, digests: dict[str, str] | None) -> None:
    for key, shape in _SHAPES.items():
        a = arrays[key]
        if a.shape != shape or a.dtype != np.uint8:
            raise DataError(f"{name} from {source}: {key} has shape {a.shape} dtype {a.dtype}, expected {shape} uint8")
    for key in ("y_train", "y_test"):
        if arrays[key].max() > 9:
            raise DataError(f"{name} from {source}: {key} has labels outside 0..9 (max {arrays[key].max()})")
    for key, want in (digests or {}).items():
        got = _digest(arrays[key])
        if got != want:
            raise DataError(
                f"{name} from {source}: {key} does not match the known sha256 digest "
                f"(got {got[:16]}..., expected {want[:16]}...); the file is corrupt or not "
                "the genuine data set: replace it with a fresh copy"
            )


def _keras_download(name: str, env: str) -> tuple[dict[str, np.ndarray], str]:
    try:
        import keras

        loader = getattr(keras.datasets, name)
        (xtr, ytr), (xte, yte) = loader.load_data()
    except Exception as exc:  # noqa: BLE001 - any failure here means: no data
        raise DataError(
            f"could not load {name} through the Keras download ({type(exc).__name__}: {exc}). "
            f"Offline? Set {env}=/path/to/{name}.npz (Keras layout) or to a folder of the "
            "four IDX .gz files, or pass path=... to the loader."
        ) from exc
    return {"x_train": xtr, "y_train": ytr, "x_test": xte, "y_test": yte}, "keras download"


@functools.lru_cache(maxsize=4)
def _load(name: str, path: str | None, verify: bool) -> Dataset:
    env = "HILBERTLIB_MNIST" if name == "mnist" else "HILBERTLIB_FASHION_MNIST"
    chosen = path or os.environ.get(env) or None
    if chosen is None and name == "fashion_mnist" and DEBIAN_FASHION.is_dir():
        chosen = str(DEBIAN_FASHION)
    if chosen is not None:
        arrays, source = _from_path(Path(chosen).expanduser()), str(chosen)
    else:
        arrays, source = _keras_download(name, env)
    arrays = {k: np.ascontiguousarray(v, dtype=v.dtype) for k, v in arrays.items()}
    digests = (MNIST_SHA256 if name == "mnist" else FASHION_SHA256) if verify else None
    _validate(name, arrays, source, digests)
    for a in arrays.values():
        a.flags.writeable = False
    return Dataset(name=name, source=source, **arrays)


def load_mnist(path: str | os.PathLike | None = None, verify: bool = True) -> Dataset:
    """MNIST digits, validated against the published array digests (chapter 1)."""
    return _load("mnist", None if path is None else str(path), verify)


def load_fashion_mnist(path: str | os.PathLike | None = None) -> Dataset:
    """Fashion-MNIST (Debian's IDX files when installed, else the Keras download)."""
    return _load("fashion_mnist", None if path is None else str(path), True)


def load_dataset(name: str) -> Dataset:
    """Load a data set by name: ``mnist`` or ``fashion_mnist``."""
    if name == "mnist":
        return load_mnist()
    if name == "fashion_mnist":
        return load_fashion_mnist()
    raise ValueError(f"unknown data set {name!r}; valid: 'mnist', 'fashion_mnist'")


# --------------------------------------------------------------------- the split


def split_data(
    dataset: str,
    size: int,
    ordering: str,
    *,
    validation_size: int,
    train_size: int | None = None,
    test_size: int | None = None,
    as_images: bool = False,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The book's data split, as sequences in ``ordering`` or (``as_images``) as images (chapter 4).

    Validation is the last ``validation_size`` training images (like Keras'
    ``validation_split``); ``train_size`` takes the first images of the rest
    and at most as many validation images; ``test_size`` the first test
    images.  Every model of the book, the echo state networks of chapter 8
    included, is trained and scored on this split.
    """
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


class SplitSpec(Protocol):
    """The fields of a spec that choose its data: those of an ``ExperimentSpec`` and of a ``ReservoirSpec``."""

    dataset: str
    size: int
    ordering: str
    validation_size: int
    train_size: int | None
    test_size: int | None


def prepare_data(spec: SplitSpec) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Train / validation / test arrays for ``spec``: :func:`split_data` with its fields (chapters 4 and 8).

    A CNN's spec (``model`` ``"cnn"``) gets images; every other Keras model
    and an echo state network (a ``ReservoirSpec``, which has no ``model``)
    get sequences.
    """
    return split_data(
        spec.dataset,
        spec.size,
        spec.ordering,
        validation_size=spec.validation_size,
        train_size=spec.train_size,
        test_size=spec.test_size,
        as_images=getattr(spec, "model", None) == "cnn",
    )


def sample_sequences(
    size: int, ordering: str, n: int = 256, split: str = "test", dataset: str = "mnist"
) -> tuple[np.ndarray, np.ndarray]:
    """The first ``n`` images of a split as (n, size*size, 1) sequences and their labels (chapter 4).

    The same preprocessing as the experiments (2x2 block average for 14x14,
    values in [0, 1]) without preparing the whole data set.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    ds = load_dataset(dataset)
    x, y = (ds.x_train, ds.y_train) if split == "train" else (ds.x_test, ds.y_test)
    x, y = x[:n], y[:n]
    if size != 28:
        x = downsample(x, 28 // size)
    return to_sequences(x, ordering), np.asarray(y, dtype=np.int32)
