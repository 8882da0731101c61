"""What a chapter's hidden setup cell and its guards use (introduced in chapter 1, "The data").

Every chapter has two cells before its first visible one: the papermill
``parameters`` cell and one hidden cell that calls :func:`setup` with those
parameters.  After each computation that a sentence of the prose rests on, a
hidden cell calls :func:`expect` with that sentence's claim, so a change in
the results fails the build and names the sentence to revisit.  :func:`glue`
hands numbers, short labels and tables to the prose, never sentences.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .orderings import validate_ordering_name
from .specs import SIZES

__all__ = [
    "ParameterError",
    "ClaimError",
    "GLUE_MAX",
    "setup",
    "preamble",
    "check_parameters",
    "expect",
    "glue",
    "glue_when",
    "quiet_native_stderr",
]

# Whether expect() enforces its claims: off in a quick run, whose tiny
# results say nothing about the sentences written for the full protocol.
_GUARDS = {"on": True}

#: The longest text that may be glued into the prose (a number with its unit,
#: a short label or a run's name, never a sentence).
GLUE_MAX = 60


class ParameterError(ValueError):
    """A papermill parameter has the wrong type or value."""


def preamble(seed: int = 0, backend: str = "jax") -> Path:
    """Seed, plot style and quiet logs for a chapter; returns the repository root.

    Sets ``KERAS_BACKEND`` (unless already set) before Keras is imported.
    """
    os.environ.setdefault("KERAS_BACKEND", backend)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    np.random.seed(seed)
    try:  # figures must render inline even when MPLBACKEND=Agg leaks into the kernel
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None and "IPKernelApp" in shell.config:
            shell.run_line_magic("matplotlib", "inline")
    except ImportError:
        pass
    from .plotting import set_style

    set_style()
    return Path(__file__).resolve().parent.parent


def _fail(name: str, value: Any, want: str, example: str) -> None:
    # Lists cannot be passed with -p (papermill would pass a string): use -y.
    fix = f"-y '{name}: {example}'" if example.startswith("[") else f"-p {name} {example}"
    raise ParameterError(
        f"parameter {name!r} must be {want}, got {value!r} ({type(value).__name__}); fix: papermill ... {fix}"
    )


def _int(name: str, value: Any, minimum: int, example: str, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        want = f"an integer >= {minimum}" + (" or None" if allow_none else "")
        _fail(name, value, want, example)


def check_parameters(*, keep_orderings: Sequence[str] = (), min_seeds: int = 1, **params: Any) -> dict[str, Any]:
    """Validate a chapter's papermill parameters; raise :class:`ParameterError` naming the bad one.

    Known names: epochs, batch_size, train_size, test_size, sample_size,
    seed, seeds, size, sizes, ordering, orderings, retrain, train_missing,
    results_dir; and, for the reservoirs of chapter 8, validation_size,
    units and search_units.  Unknown names are accepted unchecked.  A
    chapter whose tests compare certain orderings names them in
    ``keep_orderings`` (a list given as ``orderings`` must keep them; None
    means every ordering), and one that compares seed means asks for
    ``min_seeds`` different seeds (chapter 9).
    """
    for name, value in params.items():
        if name in ("epochs", "batch_size"):  # None: each experiment's own value
            _int(name, value, 1, "20" if name == "epochs" else "32", allow_none=True)
        elif name in ("train_size", "test_size", "sample_size"):
            _int(name, value, 1, "512", allow_none=True)
        elif name == "seed":
            _int(name, value, 0, "0")
        elif name == "seeds":
            if not isinstance(value, (list, tuple)) or not value:
                _fail(name, value, "a non-empty list of integers >= 0", "[0, 1, 2]")
            for v in value:
                _int(name, v, 0, "[0, 1, 2]")
        elif name in ("size", "sizes"):
            vals = value if name == "sizes" and isinstance(value, (list, tuple)) else [value]
            if name == "sizes" and not isinstance(value, (list, tuple)):
                _fail(name, value, "a list of image sizes (14 or 28)", "[14, 28]")
            for v in vals:
                if isinstance(v, bool) or v not in SIZES:
                    _fail(name, value, "14 or 28 (the paper's image sizes)", "14" if name == "size" else "[14, 28]")
        elif name == "orderings" and value is None:
            continue  # every ordering of the chapter
        elif name in ("ordering", "orderings"):
            vals = value if name == "orderings" and isinstance(value, (list, tuple)) else [value]
            if name == "orderings" and not isinstance(value, (list, tuple)):
                _fail(name, value, "None or a list of ordering names", "[row, hilbert]")
            for v in vals:
                try:
                    validate_ordering_name(v)
                except ValueError as exc:
                    raise ParameterError(f"parameter {name!r}: {exc}") from None
        elif name in ("retrain", "train_missing"):
            if not isinstance(value, bool):
                _fail(name, value, "True or False", "True")
        elif name == "results_dir":
            if value is not None and not isinstance(value, (str, os.PathLike)):
                _fail(name, value, "a folder path or None (the committed results/)", "/tmp/results")
        elif name == "validation_size":
            _int(name, value, 1, "256", allow_none=True)
        elif name == "search_units":
            _int(name, value, 1, "200")
        elif name == "units":
            if value is not None:
                if not isinstance(value, (list, tuple)) or not value:
                    _fail(
                        name,
                        value,
                        "None (the chapter's reservoir sizes) or a non-empty list of integers >= 1",
                        "[10, 20]",
                    )
                for v in value:
                    _int(name, v, 1, "[10, 20]")
    orderings, seeds = params.get("orderings"), params.get("seeds")
    if isinstance(orderings, (list, tuple)) and (missing := [o for o in keep_orderings if o not in orderings]):
        keep = ", ".join(keep_orderings)
        _fail(
            "orderings",
            orderings,
            f"None or a list that keeps {keep}, which the tests compare (missing: {', '.join(missing)})",
            f"[{keep}]",
        )
    if isinstance(seeds, (list, tuple)) and len(set(seeds)) < min_seeds:
        example = "[" + ", ".join(map(str, range(min_seeds))) + "]"
        _fail("seeds", seeds, f"at least {min_seeds} different seeds: the chapter compares seed means", example)
    return params


def setup(
    seed: int = 0,
    backend: str = "jax",
    *,
    keep_orderings: Sequence[str] = (),
    min_seeds: int = 1,
    **parameters: Any,
) -> Path:
    """A chapter's whole hidden setup: check its parameters, then :func:`preamble` and the seed.

    ``keep_orderings`` and ``min_seeds`` are the chapter's own needs, checked
    by :func:`check_parameters`.

    A quick run (``train_size`` or ``test_size`` set) switches the
    :func:`expect` guards off: its numbers are not the ones the prose
    describes.  Returns the repository root.  Keras is imported quietly here,
    once, so that its start-up lines stay out of the notebook.
    """
    check_parameters(keep_orderings=keep_orderings, min_seeds=min_seeds, seed=seed, **parameters)
    _GUARDS["on"] = parameters.get("train_size") is None and parameters.get("test_size") is None
    root = preamble(seed, backend)
    from .runner import set_seed

    with quiet_native_stderr():
        set_seed(seed)
    return root


class ClaimError(AssertionError):
    """A sentence of the prose no longer holds for the committed results."""


def expect(condition: bool, claim: str) -> None:
    """Guard a statement of the prose: raise :class:`ClaimError` naming ``claim`` when ``condition`` fails.

    >>> expect(0.98 > 0.95, "section 5.2 says row order reads better")

    Inert after :func:`setup` of a quick run.
    """
    if _GUARDS["on"] and not bool(condition):
        raise ClaimError(
            f"the results no longer support this statement of the text: {claim!r}; "
            "rewrite the sentence or check the results"
        )


def glue(name: str, value: Any, digits: int | None = None) -> Any:
    """Glue a number, a short label, a table or a figure for ``{glue:text}`` / ``{glue:figure}``.

    Floats are glued with ``digits`` decimals when given (else 4 significant
    figures).  Text longer than :data:`GLUE_MAX` characters is refused: the
    prose is written in markdown cells, not assembled by code.  Returns
    ``value`` so the computation can go on with it.
    """
    from myst_nb import glue as _glue

    shown = value
    if isinstance(value, (float, np.floating)):
        shown = f"{float(value):.{digits}f}" if digits is not None else f"{float(value):.4g}"
    elif isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        shown = f"{int(value):,}"
    if isinstance(shown, str) and len(shown) > GLUE_MAX:
        raise ValueError(
            f"glue {name!r} is {len(shown)} characters long, over {GLUE_MAX}: glue a number or a "
            "short label and write the sentence in the markdown cell"
        )
    _glue(name, shown, display=False)
    return value


def glue_when(ready: bool, prefix: str, values: Mapping[str, Callable[[], Any]], missing: str = "n/a") -> None:
    """Glue ``prefix + key`` for each of ``values``: its value when ``ready``, else ``missing`` (chapter 11).

    The values are functions, called only when ``ready``: a section that reads
    runs a quick run leaves out still glues every name its prose refers to.
    """
    for key, value in values.items():
        glue(prefix + key, value() if ready else missing)


class quiet_native_stderr:
    """Context manager: discard what native code writes to file descriptor 2 inside the block (chapter 4).

    Native libraries (TensorFlow's C++ start-up lines above all, which ignore
    ``TF_CPP_MIN_LOG_LEVEL``; :func:`hilbertlib.runner.set_seed` imports it on
    the TensorFlow backend) write straight to the file descriptor, and a
    kernel would copy those lines into the notebook.  Python exceptions still
    propagate.
    """

    def __enter__(self):
        import sys

        sys.stderr.flush()
        self._saved = os.dup(2)
        self._null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(self._null, 2)
        return self

    def __exit__(self, *exc):
        import sys

        sys.stderr.flush()
        os.dup2(self._saved, 2)
        os.close(self._saved)
        os.close(self._null)
        return False
