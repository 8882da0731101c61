"""hilbertlib.analysis: input-gradient norms (chapter 4), mistakes and verdicts (chapters 5, 6 and 13)."""

from __future__ import annotations

import numpy as np
import pytest

from hilbertlib import analysis


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
    g = analysis.input_gradient_norms(model, x, y)
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
    g = analysis.input_gradient_norms(model, x, y)

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
    g = analysis.input_gradient_norms(model, x, y)
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
    report = analysis.collapse_report(_book_rnn(10), x)
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
    report = analysis.collapse_report(model, x)
    assert report.collapsed and report.dead_units == report.head_units == 8
    assert report.saturated == 1.0
    assert report.state_spread < 1e-6
    # and a collapsed head passes no gradient to any step, the last one included
    assert not np.any(analysis.input_gradient_norms(model, x, y))


def test_collapse_report_rejects_bad_input():
    with pytest.raises(ValueError, match="shape"):
        analysis.collapse_report(_book_rnn(4), np.zeros((3, 4)))
    with pytest.raises(ValueError, match="recurrent layer"):
        analysis.collapse_report(_tiny_rnn(4, units=2), np.zeros((3, 4, 1)))  # no ReLU head


def test_first_step_share():
    assert analysis.first_step_share(np.array([1e-3, 0.5, 2.0])) == pytest.approx(5e-4)
    assert analysis.first_step_share(None) is None
    assert np.isnan(analysis.first_step_share(np.zeros(5)))            # collapsed: no gradient anywhere
    assert analysis.first_step_share(np.array([1.0, 0.0])) == float("inf")
    assert analysis.first_step_share(np.array([0.0, 3.0])) == 0.0     # underflowed to zero
    with pytest.raises(ValueError, match="1-d"):
        analysis.first_step_share(np.zeros((2, 3)))


def test_constant_answer_reads_a_single_non_empty_column():
    cm = np.zeros((10, 10), dtype=int)
    cm[:, 1] = np.arange(10) + 5          # every image, whatever its class, answered "1"
    assert analysis.constant_answer(cm) == 1
    assert analysis.constant_answer(cm.tolist()) == 1
    cm[3, 3] = 1                          # one image answered otherwise
    assert analysis.constant_answer(cm) is None
    assert analysis.constant_answer(np.eye(10, dtype=int)) is None
    with pytest.raises(ValueError, match="square"):
        analysis.constant_answer(np.zeros((10, 9)))


def test_gradient_norms_reject_bad_input():
    model = _tiny_rnn(4, units=2)
    with pytest.raises(ValueError, match="shape"):
        analysis.input_gradient_norms(model, np.zeros((3, 4)), np.zeros(3))
    with pytest.raises(ValueError, match="same"):
        analysis.input_gradient_norms(model, np.zeros((3, 4, 1)), np.zeros(2))
    with pytest.raises(ValueError, match="NaN"):
        analysis.input_gradient_norms(model, np.full((1, 4, 1), np.nan), np.zeros(1))


def test_sample_sequences(mnist):
    x, y = analysis.sample_sequences(14, "hilbert", n=7)
    assert x.shape == (7, 196, 1) and x.dtype == np.float32
    assert 0.0 <= x.min() and x.max() <= 1.0
    np.testing.assert_array_equal(y, mnist.y_test[:7])
    with pytest.raises(ValueError, match="split"):
        analysis.sample_sequences(14, "row", split="val")


def test_confused_pairs_order_and_ties():
    cm = np.diag([50] * 10)
    cm[9, 4] = 7
    cm[4, 9] = 3
    cm[7, 2] = 3
    cm[3, 5] = 3
    assert analysis.confused_pairs(cm, top=3) == [(9, 4, 7), (3, 5, 3), (4, 9, 3)]
    assert analysis.confused_pairs(np.diag([5] * 10)) == []
    with pytest.raises(ValueError, match="square"):
        analysis.confused_pairs(np.zeros((2, 3)))


def test_verdicts():
    assert analysis.verdict(None, 0.97) == analysis.PENDING
    assert analysis.verdict(0.955, 0.97) == analysis.REPRODUCED
    assert analysis.verdict(0.99, 0.97) == analysis.REPRODUCED
    assert analysis.verdict(0.995, 0.97).endswith("(higher)")
    assert analysis.verdict(0.90, 0.92, tol=0.01).endswith("(lower)")
    assert analysis.verdict_chance(0.1135) == analysis.REPRODUCED
    assert analysis.verdict_chance(0.6).startswith(analysis.NOT_REPRODUCED)
    assert analysis.verdict_chance(None) == analysis.PENDING
    assert analysis.verdict_order([], [0.9]) == analysis.PENDING
    assert analysis.verdict_order([0.97], [0.92]).startswith("same direction (1 seed")
    assert analysis.verdict_order([0.97, 0.971, 0.969], [0.92, 0.921, 0.919]) == analysis.REPRODUCED
    assert analysis.verdict_order([0.97, 0.90, 0.99], [0.95, 0.93, 0.94]) == "same direction, within seed spread"
    assert analysis.verdict_order([0.90, 0.91], [0.92, 0.93]) == analysis.NOT_REPRODUCED


def test_seconds_per_epoch_is_the_median():
    class R:
        epoch_seconds = [30.0, 10.0, 12.0, 11.0]

    assert analysis.seconds_per_epoch(R()) == 11.5


def test_pair_rank_and_description():
    cm = np.diag([50] * 10)
    cm[9, 4] = 7
    cm[7, 2] = 3
    assert analysis.pair_rank(cm, 9, 4) == 1
    assert analysis.pair_rank(cm, 7, 2) == 2
    assert analysis.pair_rank(cm, 1, 2) is None
    assert analysis.describe_pair((9, 4, 7)) == "9 read as 4 (7 test images)"
    assert analysis.describe_pair((9, 4, 1)) == "9 read as 4 (1 test image)"
    assert analysis.describe_pair(None) == analysis.PENDING
    assert analysis.PAPER_CONFUSION == (9, 4)


def test_learning_course_names_each_shape():
    from hilbertlib.analysis import learning_course

    assert learning_course([0.10, 0.11, 0.105]).startswith("stayed at chance for all 3 epochs")
    collapsed = learning_course([0.3, 0.49, 0.4, 0.12])
    assert collapsed == "reached 49.0% validation accuracy by epoch 2, then fell back to 12.0% by epoch 4"
    assert learning_course([0.3, 0.6, 0.875]) == "climbed to 87.5% validation accuracy and was still improving at epoch 3"
    assert learning_course([0.3, 0.9, 0.85]).endswith("by epoch 2 and ended at 85.0% after epoch 3")
    with pytest.raises(ValueError, match="non-empty"):
        learning_course([])


def test_verdict_chance_over_counts_the_seeds_that_learned():
    from hilbertlib.analysis import NOT_REPRODUCED, PENDING, REPRODUCED, verdict_chance, verdict_chance_over

    assert verdict_chance_over([]) == PENDING
    assert verdict_chance_over([0.11, 0.1135]) == REPRODUCED
    assert verdict_chance_over([0.85]) == verdict_chance(0.85) == f"{NOT_REPRODUCED} (above chance)"
    assert verdict_chance_over([0.85, 0.11, 0.15]) == f"{NOT_REPRODUCED} (above chance in 2 of 3 seeds)"


def test_same_machine_compares_backend_device_and_processor():
    from types import SimpleNamespace

    from hilbertlib.analysis import same_machine

    cpu = SimpleNamespace(environment={"backend": "jax", "device": "cpu:cpu", "cpu": "AMD EPYC", "numpy": "2.3"})
    cpu_again = SimpleNamespace(environment={"backend": "jax", "device": "cpu:cpu", "cpu": "AMD EPYC", "numpy": "2.4"})
    gpu = SimpleNamespace(environment={"backend": "torch", "device": "cuda:NVIDIA H200", "cpu": "Intel Xeon"})
    assert same_machine(cpu, cpu_again)
    assert not same_machine(cpu, gpu)


def test_fell_back_needs_a_peak_above_chance_and_a_fall():
    from hilbertlib.analysis import fell_back

    assert fell_back([0.3, 0.49, 0.12])
    assert not fell_back([0.3, 0.49, 0.45])        # a dip within the allowed fall
    assert not fell_back([0.14, 0.02])             # never left chance
    assert not fell_back([])
