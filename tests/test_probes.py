"""hilbertlib.probes (chapter 4): the gradient reaching each input step, and collapsed networks."""

from __future__ import annotations

import numpy as np
import pytest

from hilbertlib import probes


def _tiny_rnn(T: int, units: int = 16, seed: int = 0, cell: str = "simple_rnn"):
    import keras

    keras.utils.set_random_seed(seed)
    inp = keras.Input((T, 1))
    layer = keras.layers.SimpleRNN(units) if cell == "simple_rnn" else keras.layers.LSTM(units)
    out = keras.layers.Dense(10, activation="softmax")(layer(inp))
    return keras.Model(inp, out)


def _sparse_batch(n: int, T: int, seed: int = 0):
    """Digit-like inputs: mostly zeros, some values in (0, 1]."""
    rng = np.random.default_rng(seed)
    x = (rng.random((n, T, 1)) * (rng.random((n, T, 1)) < 0.2)).astype("float32")
    return x, rng.integers(0, 10, n)


def test_gradient_norms_shape_and_finite():
    model = _tiny_rnn(12, units=4)
    x, y = _sparse_batch(5, 12)
    g = probes.input_gradient_norms(model, x, y)
    assert g.shape == (12,)
    assert g.dtype == np.float64
    assert np.all(np.isfinite(g)) and np.all(g >= 0)
    assert g[-1] > 0


def test_gradient_norms_match_finite_differences():
    """Per-sample |dL_i/dx_it| (D = 1), averaged over the batch, against central differences."""
    import keras

    T = 6
    model = _tiny_rnn(T, units=4, seed=1)
    x, y = _sparse_batch(3, T, seed=1)
    x = x + 0.1  # away from zero: any point will do
    g = probes.input_gradient_norms(model, x, y)

    def losses(xx):
        p = np.asarray(keras.ops.convert_to_numpy(model(xx, training=False)), dtype=np.float64)
        return -np.log(p[np.arange(len(y)), y])

    eps = 1e-2
    fd = np.zeros(T)
    for t in range(T):
        up, down = x.copy(), x.copy()
        up[:, t, 0] += eps
        down[:, t, 0] -= eps
        fd[t] = np.mean(np.abs((losses(up) - losses(down)) / (2 * eps)))
    np.testing.assert_allclose(g, fd, rtol=0.05, atol=1e-5)


def test_fresh_simple_rnn_gradient_vanishes_over_196_steps():
    """The chapter 4 claim: at T = 196 the first step gets orders of magnitude less gradient than the last.

    Measured before asserting: with 16 units the ratio g[0] / g[-1] is
    2e-5 to 1e-3 over seeds 0-2 (JAX, TensorFlow and PyTorch alike).
    """
    T = 196
    model = _tiny_rnn(T, units=16, seed=0)
    x, y = _sparse_batch(16, T)
    g = probes.input_gradient_norms(model, x, y)
    assert g.shape == (T,)
    assert np.all(np.isfinite(g))
    assert g[0] < 1e-2 * g[-1], f"g[0] / g[-1] = {g[0] / g[-1]:.2e}"


def _book_rnn(T: int, units: int = 8, seed: int = 0):
    """The book's recurrent architecture in small: SimpleRNN, dropout, ReLU dense head, softmax."""
    import keras

    keras.utils.set_random_seed(seed)
    inp = keras.Input((T, 1))
    h = keras.layers.Dropout(0.5)(keras.layers.SimpleRNN(units)(inp))
    h = keras.layers.Dense(units, activation="relu")(h)
    return keras.Model(inp, keras.layers.Dense(10, activation="softmax")(h))


def test_collapse_report_of_a_fresh_network_sees_it_depend_on_its_input():
    x, _ = _sparse_batch(32, 10)
    report = probes.collapse_report(_book_rnn(10), x)
    assert report.head_units == 8
    assert report.dead_units < report.head_units and not report.collapsed
    assert report.state_spread > 1e-3
    assert 0.0 <= report.saturated < 0.5


def test_collapse_report_sees_a_dead_head_and_a_saturated_state():
    """The trained SimpleRNN's collapse, built by hand: every ReLU unit negative, every tanh at +-1."""
    model = _book_rnn(10)
    rnn = next(layer for layer in model.layers if type(layer).__name__ == "SimpleRNN")
    kernel, recurrent, bias = rnn.get_weights()
    rnn.set_weights([kernel, recurrent, np.full_like(bias, 50.0)])  # tanh(50 + ...) = 1 for any input
    head = [layer for layer in model.layers if type(layer).__name__ == "Dense"][0]
    w, b = head.get_weights()
    head.set_weights([w, np.full_like(b, -1e3)])  # relu(-1000 + O(1)) = 0 for every unit
    x, y = _sparse_batch(32, 10)
    report = probes.collapse_report(model, x)
    assert report.collapsed and report.dead_units == report.head_units == 8
    assert report.saturated == 1.0
    assert report.state_spread < 1e-6
    # and a collapsed head passes no gradient to any step, the last one included
    assert not np.any(probes.input_gradient_norms(model, x, y))


def test_collapse_report_rejects_bad_input():
    with pytest.raises(ValueError, match="shape"):
        probes.collapse_report(_book_rnn(4), np.zeros((3, 4)))
    with pytest.raises(ValueError, match="recurrent layer"):
        probes.collapse_report(_tiny_rnn(4, units=2), np.zeros((3, 4, 1)))  # no ReLU head


def test_first_step_share():
    assert probes.first_step_share(np.array([1e-3, 0.5, 2.0])) == pytest.approx(5e-4)
    assert probes.first_step_share(None) is None
    assert np.isnan(probes.first_step_share(np.zeros(5)))  # collapsed: no gradient anywhere
    assert probes.first_step_share(np.array([1.0, 0.0])) == float("inf")
    assert probes.first_step_share(np.array([0.0, 3.0])) == 0.0  # underflowed to zero
    with pytest.raises(ValueError, match="1-d"):
        probes.first_step_share(np.zeros((2, 3)))


def test_gradient_norms_reject_bad_input():
    model = _tiny_rnn(4, units=2)
    with pytest.raises(ValueError, match="shape"):
        probes.input_gradient_norms(model, np.zeros((3, 4)), np.zeros(3))
    with pytest.raises(ValueError, match="same"):
        probes.input_gradient_norms(model, np.zeros((3, 4, 1)), np.zeros(2))
    with pytest.raises(ValueError, match="NaN"):
        probes.input_gradient_norms(model, np.full((1, 4, 1), np.nan), np.zeros(1))
