"""hilbertlib.memory_blanking: the fast blanker gives the counts that blanking copies gives, and the ink shares."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")
pytest_plugins = ["memory_nets"]  # the fixtures model and x

from hilbertlib import memory_blanking as mb  # noqa: E402


def test_blanking_everything_gives_one_answer_for_all(model, x):
    y = np.zeros(len(x), dtype=int)
    acc = mb.blank_prefix_accuracy(model, x, y, [0, 20])
    assert acc.shape == (2,)
    pred = np.asarray(model.predict(np.zeros_like(x), verbose=0)).argmax(1)
    assert acc[1] == pytest.approx(np.mean(pred == 0))
    with pytest.raises(ValueError, match="sequence length"):
        mb.blank_prefix_accuracy(model, x, y, [21])


def test_prefix_ink_fraction():
    x = np.zeros((2, 4, 1))
    x[0, 1] = 1.0
    x[1, 3] = 3.0
    np.testing.assert_allclose(mb.prefix_ink_fraction(x, [0, 1, 2, 4]), [0, 0, 0.25, 1.0])
    with pytest.raises(ValueError, match="no ink"):
        mb.prefix_ink_fraction(np.zeros((1, 3)), [1])
    with pytest.raises(ValueError, match="sequence length"):
        mb.prefix_ink_fraction(x, [5])


def test_prefix_blanker_agrees_with_blanking_copies(model, x):
    y = np.random.default_rng(1).integers(0, 3, len(x))
    ks = [0, 1, 7, 19, 20]
    fast = mb.PrefixBlanker(model).correct(model, x, y, ks, batch_size=8)
    slow = mb._correct_on_copies(model, x, y, ks, batch_size=8)
    np.testing.assert_array_equal(fast, slow)
    assert fast.dtype == np.int64 and fast.max() <= len(x)
    # below PREFIX_MIN_SEQUENCES blank_prefix_correct blanks copies; with a blanker it uses the blanker
    np.testing.assert_array_equal(mb.blank_prefix_correct(model, x, y, ks), slow)
    np.testing.assert_array_equal(mb.blank_prefix_correct(model, x, y, ks, blanker=mb.PrefixBlanker(model)), slow)


def test_prefix_blanker_serves_networks_of_one_architecture(mnist):
    """One blanker, the book's LSTM head (dropout, two dense layers), two differently seeded networks."""
    from hilbertlib.data import sample_sequences
    from hilbertlib.probes import fresh_model
    from hilbertlib.specs import ExperimentSpec

    spec = ExperimentSpec("lstm", 14, "row", units=8, dense_units=8)
    nets = [fresh_model(spec.replace(seed=s)) for s in (0, 1)]
    x, y = sample_sequences(14, "row", 40)
    ks = [0, 30, 150, 196]
    blanker = mb.PrefixBlanker(nets[0])
    for net in nets:
        # the untrained network's own answers as labels, so that the counts depend on the input
        pred = np.asarray(net.predict(x, verbose=0)).argmax(1)
        np.testing.assert_array_equal(
            blanker.correct(net, x, pred, ks, batch_size=20), mb._correct_on_copies(net, x, pred, ks, batch_size=20)
        )
    assert blanker.correct(nets[1], x, pred, [0])[0] == len(x)
    other = fresh_model(spec.replace(units=6))
    with pytest.raises(ValueError, match="architecture"):
        blanker.correct(other, x, y, [0])


def test_blank_state_is_keras_on_zeros(model):
    h, c = mb.blank_state(model, 12)
    lstm = model.get_layer("lstm")
    stateful = keras.layers.LSTM.from_config({**lstm.get_config(), "return_state": True, "name": "probe"})
    stateful.build((1, 12, 1))
    stateful.set_weights(lstm.get_weights())
    _, hk, ck = stateful(np.zeros((1, 12, 1), "float32"))
    np.testing.assert_allclose(h, keras.ops.convert_to_numpy(hk)[0], atol=1e-6)
    np.testing.assert_allclose(c, keras.ops.convert_to_numpy(ck)[0], atol=1e-6)
    h0, c0 = mb.blank_state(model, 0)
    assert not h0.any() and not c0.any()


def test_prefix_blanker_refuses_other_models():
    m = keras.Sequential([keras.Input((5, 1)), keras.layers.SimpleRNN(3), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="LSTM"):
        mb.PrefixBlanker(m)
    x = np.random.default_rng(0).random((6, 5, 1)).astype("float32")
    y = np.zeros(6, int)
    # blank_prefix_correct still measures it, on blanked copies
    np.testing.assert_array_equal(mb.blank_prefix_correct(m, x, y, [0, 5]), mb._correct_on_copies(m, x, y, [0, 5]))
