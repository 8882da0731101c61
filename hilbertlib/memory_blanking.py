"""What a trained network still uses: its accuracy when the first steps of every sequence are blanked.

Set the first ``k`` steps of every test sequence to 0, the value of a blank
pixel, and measure the test accuracy again.  Whatever the network has
forgotten by the end of the sequence, or never needed, can be blanked for
free; where the accuracy falls, the answer still depends on those steps.

* :func:`blank_prefix_correct` and :func:`blank_prefix_accuracy`: the number
  and the share of sequences still classified correctly, for each ``k``.
* :class:`PrefixBlanker`: the fast way for the book's LSTMs.  After ``k``
  blank steps from the zero state every sequence is in the same state
  (:func:`blank_state`), so the network only has to read the last
  ``T - k`` steps of each sequence from there.
* :func:`prefix_ink_fraction`: the share of the ink that the blanked steps
  held (blanking a prefix without ink cannot change any answer).

Introduced in chapter 7 ("What the LSTM remembers").
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .memory import lstm_rerun, lstm_weights

__all__ = [
    "PREFIX_MIN_SEQUENCES",
    "PrefixBlanker",
    "blank_state",
    "blank_prefix_correct",
    "blank_prefix_accuracy",
    "prefix_ink_fraction",
]

#: Below this many sequences :func:`blank_prefix_correct` blanks copies of the
#: sequences instead of using a :class:`PrefixBlanker`: the blanker compiles
#: one computation per length ``T - k``, which costs more than it saves on a
#: small batch.  Both ways give the same counts (tests/test_memory_blanking.py).
PREFIX_MIN_SEQUENCES = 4000


def _lstm_chain(model):
    """The layers of ``model`` when it is a Keras LSTM followed by a chain of layers, each reading the
    output of the one before (the book's recurrent models); None otherwise."""
    import keras

    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    if not layers or type(layers[0]) is not keras.layers.LSTM or len(model.inputs) != 1 or len(model.outputs) != 1:
        return None
    cfg = layers[0].get_config()
    if any(cfg.get(key) for key in ("return_sequences", "go_backwards", "stateful", "return_state")):
        return None
    try:
        chained = (
            layers[0].input is model.inputs[0]
            and model.outputs[0] is layers[-1].output
            and all(b.input is a.output for a, b in zip(layers, layers[1:]))
        )
    except (AttributeError, ValueError):  # a layer used more than once has no single input
        return None
    return layers if chained else None


def _zero_prefix_states(model, T: int) -> tuple[np.ndarray, np.ndarray]:
    """``(h, c)`` of the model's LSTM after ``k`` zero steps from the zero state, ``k = 0..T``: (T + 1, units) each."""
    kernel, rec, _ = lstm_weights(model)
    hs, cs = [np.zeros(rec.shape[0])], [np.zeros(rec.shape[0])]
    for _, h, c in lstm_rerun(model, np.zeros((1, T, kernel.shape[0]))):
        hs.append(h[0])
        cs.append(c[0])
    return np.asarray(hs, np.float32), np.asarray(cs, np.float32)


def _check(x: np.ndarray, y: np.ndarray, ks: Iterable[int], width: int | None = None) -> tuple:
    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y)
    if x.ndim != 3 or (width is not None and x.shape[2] != width) or len(x) != len(y) or not len(x):
        raise ValueError(
            f"x must be a batch of sequences (N, T, {width or 'D'}) with one label each, "
            f"got shapes {x.shape} and {y.shape}"
        )
    ks = [int(k) for k in ks]
    for k in ks:
        if not 0 <= k <= x.shape[1]:
            raise ValueError(f"k={k} is outside 0..{x.shape[1]} (the sequence length)")
    return x, y, ks


class PrefixBlanker:
    """Blanked-prefix counts of trained networks that share one architecture (chapter 7).

    After ``k`` blank (zero) steps from the zero state, every sequence is in
    the same LSTM state, so a blanked prefix need not be run for each
    sequence: the network is run on the last ``T - k`` steps of every
    sequence from that state, at ``(T - k) / T`` of the cost of running the
    blanked sequences.  The blanker holds one copy of the architecture that
    starts from a given state; :meth:`correct` loads a network's weights into
    it, so the compiled computation is shared by every network of the
    architecture.  Build it from any network of the architecture;
    ``ValueError`` for a model that is not a Keras LSTM followed by a chain
    of layers.
    """

    def __init__(self, model):
        import keras

        layers = _lstm_chain(model)
        if layers is None:
            raise ValueError("PrefixBlanker needs a model that is a keras.layers.LSTM followed by a chain of layers")
        lstm = layers[0]
        cfg = {**lstm.get_config(), "return_state": False, "name": "lstm_from_state"}
        copies = [keras.layers.LSTM.from_config(cfg)]
        for layer in layers[1:]:
            copies.append(type(layer).from_config({**layer.get_config(), "name": f"{layer.name}_copy"}))
        units, width = lstm.units, int(model.inputs[0].shape[-1])
        xi, h0, c0 = keras.Input((None, width)), keras.Input((units,)), keras.Input((units,))
        z = copies[0](xi, initial_state=[h0, c0])
        for layer in copies[1:]:
            z = layer(z)
        self.units, self.width = units, width
        self._copies = copies
        self._signature = self._shapes(layers)
        self._runner = keras.Model([xi, h0, c0], z)

    @staticmethod
    def _shapes(layers):
        return [(type(layer).__name__, [tuple(w.shape) for w in layer.weights]) for layer in layers]

    def _load(self, model) -> None:
        layers = _lstm_chain(model)
        if layers is None or self._shapes(layers) != self._signature:
            raise ValueError("this network does not have the architecture the PrefixBlanker was built for")
        for copy, layer in zip(self._copies, layers):
            copy.set_weights(layer.get_weights())

    def correct(self, model, x: np.ndarray, y: np.ndarray, ks: Iterable[int], batch_size: int = 500) -> np.ndarray:
        """How many sequences ``model`` classifies correctly with the first ``k`` steps set to 0, for each ``k``."""
        x, y, ks = _check(x, y, ks, self.width)
        T = x.shape[1]
        self._load(model)
        hs, cs = _zero_prefix_states(model, T)
        out = []
        for k in ks:
            if k == T:  # nothing left to read: one answer for every sequence, the last step read as a zero
                probs = self._runner.predict(
                    [np.zeros((1, 1, self.width), np.float32), hs[T - 1 : T], cs[T - 1 : T]], verbose=0
                )
                pred = np.full(len(y), int(np.asarray(probs).argmax(axis=1)[0]))
            else:
                state = [np.repeat(hs[k : k + 1], len(x), axis=0), np.repeat(cs[k : k + 1], len(x), axis=0)]
                probs = self._runner.predict([x[:, k:], *state], batch_size=batch_size, verbose=0)
                pred = np.asarray(probs).argmax(axis=1)
            out.append(int(np.sum(pred == y)))
        return np.asarray(out, dtype=np.int64)


def blank_state(model, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The state ``(h, c)`` of the model's LSTM after ``k`` blank (zero) steps from the zero state (chapter 7).

    It is the same for every sequence, which is what makes
    :class:`PrefixBlanker` cheap.
    """
    hs, cs = _zero_prefix_states(model, int(k))
    return hs[-1], cs[-1]


def _correct_on_copies(model, x: np.ndarray, y: np.ndarray, ks: Iterable[int], batch_size: int = 500) -> np.ndarray:
    """:func:`blank_prefix_correct` the direct way: predict on copies of ``x`` whose first ``k`` steps are 0."""
    x, y, ks = _check(x, y, ks)
    out = []
    for k in ks:
        xb = x.copy()
        xb[:, :k] = 0.0
        pred = np.asarray(model.predict(xb, batch_size=batch_size, verbose=0)).argmax(axis=1)
        out.append(int(np.sum(pred == y)))
    return np.asarray(out, dtype=np.int64)


def blank_prefix_correct(
    model, x: np.ndarray, y: np.ndarray, ks: Iterable[int], batch_size: int = 500, blanker: PrefixBlanker | None = None
) -> np.ndarray:
    """How many of the sequences ``(x, y)`` ``model`` classifies correctly with the first ``k`` steps set to 0,
    for each ``k`` in ``ks`` (chapter 7).

    From :data:`PREFIX_MIN_SEQUENCES` sequences on, a model that is a Keras
    LSTM followed by a chain of layers is measured with a
    :class:`PrefixBlanker` (``blanker``, or a new one); any other model, or
    a smaller batch, on blanked copies of ``x``.  The two ways agree.
    """
    if blanker is None and len(x) >= PREFIX_MIN_SEQUENCES and _lstm_chain(model) is not None:
        blanker = PrefixBlanker(model)
    if blanker is not None:
        return blanker.correct(model, x, y, ks, batch_size=batch_size)
    return _correct_on_copies(model, x, y, ks, batch_size)


def blank_prefix_accuracy(model, x: np.ndarray, y: np.ndarray, ks: Iterable[int], batch_size: int = 500) -> np.ndarray:
    """The share of the sequences classified correctly with the first ``k`` steps set to 0, for each ``k`` (chapter 7).

    :func:`blank_prefix_correct` divided by the number of sequences.
    """
    return blank_prefix_correct(model, x, y, ks, batch_size) / len(x)


def prefix_ink_fraction(x: np.ndarray, ks: Iterable[int]) -> np.ndarray:
    """For each ``k``, the share of all ink (sum of pixel values) that lies in the first ``k`` steps (chapter 7).

    ``x`` is a batch of sequences (N, T) or (N, T, D); the share is taken
    over the whole batch.  It tells whether blanking a prefix removed much of
    the digit at all: a prefix without ink cannot change the answer, however
    good the network's memory.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim not in (2, 3):
        raise ValueError(f"x must be a batch of sequences (N, T) or (N, T, D), got shape {x.shape}")
    per_step = x.reshape(x.shape[0], x.shape[1], -1).sum(axis=(0, 2))
    total = per_step.sum()
    if total <= 0:
        raise ValueError("x holds no ink (all values are zero)")
    cum = np.concatenate([[0.0], np.cumsum(per_step)]) / total
    out = []
    for k in ks:
        k = int(k)
        if not 0 <= k <= x.shape[1]:
            raise ValueError(f"k={k} is outside 0..{x.shape[1]} (the sequence length)")
        out.append(cum[k])
    return np.asarray(out)
