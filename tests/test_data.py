"""Loading MNIST (chapter 1): the env var, explicit paths, IDX folders, and the
errors a reader gets when data are missing, corrupt or altered; the split every
model trains on (chapter 4)."""

from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path

import numpy as np
import pytest

import hilbertlib
from hilbertlib import data as hdata
from hilbertlib.data import DataError, load_dataset, load_mnist

SHAPES = {"x_train": (60000, 28, 28), "y_train": (60000,), "x_test": (10000, 28, 28), "y_test": (10000,)}
IDX_NAMES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


@pytest.fixture
def fresh_cache():
    """Clear the loader's cache before and after a test that changes the environment."""
    hdata._load.cache_clear()
    yield
    hdata._load.cache_clear()


def idx_bytes(a: np.ndarray) -> bytes:
    """The official IDX layout: magic 0x0000080N (unsigned bytes, N dims), big-endian dims, data."""
    assert a.dtype == np.uint8
    header = struct.pack(">I", 0x00000800 | a.ndim) + b"".join(struct.pack(">I", d) for d in a.shape)
    return header + np.ascontiguousarray(a).tobytes()


def write_idx_folder(folder: Path, arrays: dict[str, np.ndarray], gz: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for key, stem in IDX_NAMES.items():
        raw = idx_bytes(arrays[key])
        if gz:
            with gzip.open(folder / f"{stem}.gz", "wb", compresslevel=1) as fh:
                fh.write(raw)
        else:
            (folder / stem).write_bytes(raw)
    return folder


def arrays_of(ds) -> dict[str, np.ndarray]:
    return {k: getattr(ds, k) for k in SHAPES}


# ------------------------------------------------------------ the genuine data


def test_idx_header_is_the_official_one():
    assert idx_bytes(np.zeros((2, 3, 4), np.uint8))[:4] == b"\x00\x00\x08\x03"
    assert idx_bytes(np.zeros(5, np.uint8))[:4] == b"\x00\x00\x08\x01"


def test_load_mnist_via_env(mnist_path, mnist):
    assert os.environ["HILBERTLIB_MNIST"] == str(mnist_path)
    ds = load_mnist()
    assert ds is mnist  # cached
    assert ds.name == "mnist"
    assert ds.source == str(mnist_path)
    for key, shape in SHAPES.items():
        a = getattr(ds, key)
        assert a.shape == shape and a.dtype == np.uint8
        assert not a.flags.writeable
    for key in ("y_train", "y_test"):
        assert set(np.unique(getattr(ds, key)).tolist()) == set(range(10))
    assert ds.class_names == [str(i) for i in range(10)]
    assert load_dataset("mnist") is ds
    assert hilbertlib.load_mnist is load_mnist


def test_load_mnist_explicit_path_equals_env(mnist_path, mnist):
    ds = load_mnist(mnist_path)
    for key in SHAPES:
        np.testing.assert_array_equal(getattr(ds, key), getattr(mnist, key))


def test_unknown_dataset_name():
    with pytest.raises(ValueError, match="unknown data set"):
        load_dataset("cifar10")


# ------------------------------------------------------------ bad files


def test_missing_path_raises(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        load_mnist(tmp_path / "nope.npz")


def test_corrupt_npz_raises(tmp_path):
    bad = tmp_path / "mnist.npz"
    bad.write_bytes(np.random.default_rng(0).bytes(4096))
    with pytest.raises(DataError, match="corrupt"):
        load_mnist(bad)


def test_truncated_npz_raises(tmp_path, mnist_path):
    bad = tmp_path / "mnist.npz"
    bad.write_bytes(mnist_path.read_bytes()[:100_000])
    with pytest.raises(DataError, match="corrupt"):
        load_mnist(bad)


def test_npz_missing_an_array_raises(tmp_path, mnist):
    p = tmp_path / "partial.npz"
    np.savez(p, x_train=mnist.x_train, y_train=mnist.y_train, x_test=mnist.x_test)
    with pytest.raises(DataError, match="y_test"):
        load_mnist(p)


def test_altered_array_fails_the_digest(tmp_path, mnist):
    arrays = {k: np.array(v) for k, v in arrays_of(mnist).items()}
    arrays["x_test"][123, 14, 14] ^= 1  # one pixel, one bit
    p = tmp_path / "altered.npz"
    np.savez(p, **arrays)
    with pytest.raises(DataError, match="digest") as exc:
        load_mnist(p)
    assert "x_test" in str(exc.value)
    # verify=False loads it (for deliberately modified copies)
    ds = load_mnist(p, verify=False)
    assert ds.x_test[123, 14, 14] == arrays["x_test"][123, 14, 14]


def test_wrong_shape_and_bad_labels_raise(tmp_path, mnist):
    arrays = {k: np.array(v) for k, v in arrays_of(mnist).items()}
    small = dict(arrays, x_test=arrays["x_test"][:10])
    np.savez(tmp_path / "small.npz", **small)
    with pytest.raises(DataError, match="shape"):
        load_mnist(tmp_path / "small.npz", verify=False)
    labels = dict(arrays, y_train=arrays["y_train"].copy())
    labels["y_train"][0] = 10
    np.savez(tmp_path / "labels.npz", **labels)
    with pytest.raises(DataError, match="0..9"):
        load_mnist(tmp_path / "labels.npz", verify=False)


# ------------------------------------------------------------ IDX folders


def test_idx_gz_folder_equals_npz(tmp_path, mnist):
    folder = write_idx_folder(tmp_path / "idx", arrays_of(mnist))
    ds = load_mnist(folder)  # verified against the digests too
    assert ds.source == str(folder)
    for key in SHAPES:
        np.testing.assert_array_equal(getattr(ds, key), getattr(mnist, key))


def test_idx_folder_via_env(tmp_path, mnist, monkeypatch, fresh_cache):
    folder = write_idx_folder(tmp_path / "idx", arrays_of(mnist), gz=False)  # uncompressed also works
    monkeypatch.setenv("HILBERTLIB_MNIST", str(folder))
    ds = load_mnist()
    assert ds.source == str(folder)
    np.testing.assert_array_equal(ds.y_test, mnist.y_test)


def tiny_idx_folder(folder: Path) -> Path:
    """Four small, well-formed IDX files (the loader reads them before checking shapes)."""
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, 5, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (3, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, 3, dtype=np.uint8),
    }
    return write_idx_folder(folder, arrays)


def test_idx_folder_with_wrong_shapes_raises(tmp_path):
    folder = tiny_idx_folder(tmp_path / "idx")
    with pytest.raises(DataError, match="shape"):
        load_mnist(folder)


def test_truncated_idx_data_raises(tmp_path):
    folder = tiny_idx_folder(tmp_path / "idx")
    path = folder / "t10k-labels-idx1-ubyte.gz"
    raw = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress(raw[:-1]))  # header says 3 labels, 2 remain
    with pytest.raises(DataError, match="truncated"):
        load_mnist(folder)


def test_truncated_gzip_stream_raises(tmp_path):
    folder = tiny_idx_folder(tmp_path / "idx")
    path = folder / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:200])  # cut the compressed stream
    with pytest.raises(DataError, match="truncated"):
        load_mnist(folder)


def test_bad_idx_magic_raises(tmp_path):
    folder = tiny_idx_folder(tmp_path / "idx")
    path = folder / "train-labels-idx1-ubyte.gz"
    raw = bytearray(gzip.decompress(path.read_bytes()))
    raw[2] = 0x0D  # float32 data type: not an unsigned-byte file
    path.write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(DataError, match="magic"):
        load_mnist(folder)


def test_idx_folder_missing_a_file_raises(tmp_path):
    folder = tiny_idx_folder(tmp_path / "idx")
    (folder / "t10k-images-idx3-ubyte.gz").unlink()
    with pytest.raises(DataError, match="t10k-images-idx3-ubyte"):
        load_mnist(folder)


# ------------------------------------------------------------ offline Keras fallback


def test_offline_keras_download_failure_names_the_env_var(monkeypatch, fresh_cache):
    keras = pytest.importorskip("keras")
    calls = []

    def offline(*args, **kwargs):
        calls.append(1)
        raise OSError("network unreachable")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    monkeypatch.delenv("HILBERTLIB_MNIST", raising=False)
    with pytest.raises(DataError, match="HILBERTLIB_MNIST") as exc:
        load_mnist()
    assert calls, "the Keras download was not attempted"
    assert "network unreachable" in str(exc.value)
    calls.clear()
    with pytest.raises(DataError, match="HILBERTLIB_MNIST"):
        hdata._load.__wrapped__("mnist", None, True)
    assert calls


# ------------------------------------------------------------ the split of every model


def test_split_data_is_the_split_of_every_model(mnist):
    from hilbertlib.data import prepare_data, split_data
    from hilbertlib.reservoir import ReservoirSpec
    from hilbertlib.specs import ExperimentSpec

    parts = split_data("mnist", 14, "hilbert", validation_size=6000, train_size=100, test_size=50)
    shapes = {k: v[0].shape for k, v in parts.items()}
    assert shapes == {"train": (100, 196, 1), "val": (100, 196, 1), "test": (50, 196, 1)}
    np.testing.assert_array_equal(parts["val"][1], mnist.y_train[54000:54100])  # validation: the last 6,000
    lstm = prepare_data(ExperimentSpec("lstm", 14, "hilbert", train_size=100, test_size=50))
    esn = prepare_data(ReservoirSpec(size=14, ordering="hilbert", train_size=100, test_size=50))
    for k in parts:
        for got in (lstm[k], esn[k]):
            np.testing.assert_array_equal(got[0], parts[k][0])
            np.testing.assert_array_equal(got[1], parts[k][1])
    cnn = prepare_data(ExperimentSpec("cnn", 28, train_size=10, test_size=10))
    assert cnn["train"][0].shape == (10, 28, 28, 1)


def test_sample_sequences(mnist):
    from hilbertlib.data import sample_sequences

    x, y = sample_sequences(14, "hilbert", n=7)
    assert x.shape == (7, 196, 1) and x.dtype == np.float32
    assert 0.0 <= x.min() and x.max() <= 1.0
    np.testing.assert_array_equal(y, mnist.y_test[:7])
    with pytest.raises(ValueError, match="split"):
        sample_sequences(14, "row", split="val")
