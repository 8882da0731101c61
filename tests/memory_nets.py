"""The small Keras LSTM and the sequences that the memory tests (``tests/test_memory*.py``) measure.

A test module that uses the fixtures says ``pytest_plugins = ["memory_nets"]``.
"""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(scope="module")
def model():
    """An untrained LSTM of 6 units reading 20 steps of one value, with a softmax head of 3 classes."""
    import keras

    keras.utils.set_random_seed(0)
    inp = keras.Input((20, 1))
    h = keras.layers.LSTM(6, name="lstm")(inp)
    out = keras.layers.Dense(3, activation="softmax")(h)
    return keras.Model(inp, out)


@pytest.fixture(scope="module")
def x():
    """16 random sequences of 20 steps."""
    return np.random.default_rng(0).random((16, 20, 1)).astype("float32")
