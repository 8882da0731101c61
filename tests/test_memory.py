"""The memory measurements: the NumPy LSTM re-run matches Keras, and the measures behave."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from hilbertlib import memory  # noqa: E402


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(0)
    inp = keras.Input((20, 1))
    h = keras.layers.LSTM(6, name="lstm")(inp)
    out = keras.layers.Dense(3, activation="softmax")(h)
    return keras.Model(inp, out)


@pytest.fixture(scope="module")
def x():
    return np.random.default_rng(0).random((16, 20, 1)).astype("float32")


def test_numpy_rerun_matches_keras(model, x):
    lstm = keras.Model(model.inputs, model.get_layer("lstm").output)
    want = keras.ops.convert_to_numpy(lstm(x))
    got = memory.lstm_last_state(model, x)
    np.testing.assert_allclose(got, want, atol=1e-5)


def test_forget_trace_shape_and_range(model, x):
    f = memory.forget_gate_trace(model, x)
    assert f.shape == (16, 20, 6)
    assert np.all((f > 0) & (f < 1))


def test_time_constant_of_a_known_gate():
    trace = np.full((2, 50, 3), 0.9, dtype=np.float32)
    np.testing.assert_allclose(memory.time_constants(trace), -1 / np.log(0.9), rtol=1e-5)


def test_retention_of_a_constant_gate_is_exponential():
    trace = np.full((4, 100, 2), 0.95)
    lags = np.array([1, 10, 50])
    np.testing.assert_allclose(memory.retention_curve(trace, lags), 0.95 ** lags, rtol=1e-9)
    with pytest.raises(ValueError, match="lag"):
        memory.retention_curve(trace, [500])


def test_blanking_everything_gives_one_answer_for_all(model, x):
    y = np.zeros(len(x), dtype=int)
    acc = memory.blank_prefix_accuracy(model, x, y, [0, 20])
    assert acc.shape == (2,)
    pred = np.asarray(model.predict(np.zeros_like(x), verbose=0)).argmax(1)
    assert acc[1] == pytest.approx(np.mean(pred == 0))
    with pytest.raises(ValueError, match="sequence length"):
        memory.blank_prefix_accuracy(model, x, y, [21])


def test_no_lstm_layer_is_an_error():
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="LSTM"):
        memory.lstm_weights(m)
