"""Bad inputs, tried: each case feeds the library something wrong and records what it gets.

The test suite asserts every case (``tests/test_bad_inputs.py``) and the status
page runs them again at every build and shows the messages a user would see.
Introduced on the status page.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["BadInput", "CASES", "run_case", "run_all"]


@dataclass(frozen=True)
class BadInput:
    """One bad input: what is tried, the exception expected, a phrase its message must hold."""

    what: str
    attempt: Callable[[Path], object]
    expected: type[BaseException]
    phrase: str


def _ordering_unknown(tmp: Path):
    from .orderings import ordering

    return ordering("hilbret", 14, 14)


def _size(value):
    def attempt(tmp: Path):
        from .orderings import ordering

        return ordering("row", value, value)

    return attempt


def _spec_size_15(tmp: Path):
    from .specs import ExperimentSpec

    return ExperimentSpec("lstm", 15)


def _images(arr):
    def attempt(tmp: Path):
        from .transforms import to_sequences

        return to_sequences(arr, "hilbert")

    return attempt


def _corrupt_npz(tmp: Path):
    from .data import load_mnist

    path = tmp / "corrupt.npz"
    path.write_bytes(np.random.default_rng(0).bytes(4096))
    return load_mnist(path)


def _wrong_digest(tmp: Path):
    from .data import load_mnist

    path = tmp / "tampered.npz"
    arrays = {
        "x_train": np.zeros((60000, 28, 28), np.uint8),
        "y_train": np.zeros(60000, np.uint8),
        "x_test": np.zeros((10000, 28, 28), np.uint8),
        "y_test": np.zeros(10000, np.uint8),
    }
    np.savez(path, **arrays)
    return load_mnist(path)


def _missing_path(tmp: Path):
    from .data import load_mnist

    return load_mnist(tmp / "no-such-mnist.npz")


def _parameter_type(tmp: Path):
    from .notebook import check_parameters

    return check_parameters(epochs="20")


def _parameter_ordering(tmp: Path):
    from .notebook import check_parameters

    return check_parameters(orderings=["row", "spiral-out"])


def _edited_result(tmp: Path):
    from .result_files import load_result, result_path
    from .specs import ExperimentSpec

    spec = ExperimentSpec("lstm", 14, "row")
    stored = spec.replace(epochs=5).to_dict()
    stored_result = {"spec": stored, "test": {"accuracy": 0.9}, "history": {"accuracy": []}}
    result_path(spec, tmp).write_text(json.dumps(stored_result))
    return load_result(spec, tmp)


def _corrupt_result(tmp: Path):
    from .result_files import load_result, result_path
    from .specs import ExperimentSpec

    spec = ExperimentSpec("lstm", 14, "row")
    result_path(spec, tmp).write_text('{"spec": {"model": "lstm", ')
    return load_result(spec, tmp)


def _quick_into_results(tmp: Path):
    from .result_files import RESULTS_DIR
    from .runner import run
    from .specs import ExperimentSpec

    return run(ExperimentSpec("lstm", 14, "row", epochs=1, train_size=64), RESULTS_DIR)


def _import_result_error():
    from .result_files import ResultError

    return ResultError


def _import_data_error():
    from .data import DataError

    return DataError


def _import_parameter_error():
    from .notebook import ParameterError

    return ParameterError


CASES: list[BadInput] = [
    BadInput("unknown ordering name 'hilbret'", _ordering_unknown, ValueError, "valid names"),
    BadInput("grid size 0", _size(0), ValueError, "positive integer"),
    BadInput("grid size 'abc'", _size("abc"), ValueError, "positive integer"),
    BadInput("grid size 2.5", _size(2.5), ValueError, "positive integer"),
    BadInput("image size 15 in an experiment", _spec_size_15, ValueError, "14 or 28"),
    BadInput("float images outside [0, 1]", _images(np.full((2, 14, 14), 2.0)), ValueError, "[0, 1]"),
    BadInput("images containing NaN", _images(np.full((2, 14, 14), np.nan)), ValueError, "NaN"),
    BadInput("one image without a batch axis", _images(np.zeros((14, 14), np.uint8)), ValueError, "batch axis"),
    BadInput("int32 images", _images(np.zeros((2, 14, 14), np.int32)), ValueError, "uint8"),
    BadInput("corrupt .npz file", _corrupt_npz, _import_data_error(), "corrupt"),
    BadInput(".npz whose arrays fail the digests", _wrong_digest, _import_data_error(), "digest"),
    BadInput("data path that does not exist", _missing_path, _import_data_error(), "does not exist"),
    BadInput("papermill parameter epochs='20' (a string)", _parameter_type, _import_parameter_error(), "fix:"),
    BadInput(
        "papermill parameter with an unknown ordering",
        _parameter_ordering,
        _import_parameter_error(),
        "unknown ordering",
    ),
    BadInput("results file hand-edited to another spec", _edited_result, _import_result_error(), "different spec"),
    BadInput("truncated results file", _corrupt_result, _import_result_error(), "corrupt"),
    BadInput("quick-mode run aimed at the committed results/", _quick_into_results, ValueError, "reduced"),
]


def run_case(case: BadInput) -> tuple[str, str, list[str]]:
    """Try one case in a fresh temporary folder.

    Returns (exception name, message, files left in the folder that the case
    did not create itself).  A case that raises nothing returns ``("", "", [])``.
    """
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        try:
            case.attempt(tmp)
        except Exception as exc:  # noqa: BLE001 - recording is the point
            made = {"corrupt.npz", "tampered.npz", "lstm-14-row-s0.json"}
            left = sorted(p.name for p in tmp.iterdir() if p.name not in made)
            return type(exc).__name__, str(exc), left
        return "", "", []


def run_all():
    """All cases as a pandas DataFrame: input, error, message (the status page)."""
    import pandas as pd

    rows = []
    for case in CASES:
        name, msg, _ = run_case(case)
        rows.append({"bad input": case.what, "error": name or "(none)", "message": msg})
    return pd.DataFrame(rows)
