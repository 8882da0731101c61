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
    lstm = keras.Model(model.inputs[0], model.get_layer("lstm").output)
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


def test_time_constant_of_a_long_trace_near_one_is_exact():
    # 200,704 float32 gates of 0.998 per unit: a float32 running sum loses the
    # 1 - f the time constant is made of (it used to give 1041 instead of 499.5)
    trace = np.full((256, 784, 4), 0.998, dtype=np.float32)
    np.testing.assert_allclose(memory.time_constants(trace), -1 / np.log(np.float64(np.float32(0.998))), rtol=1e-4)


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


# ------------------------------------------------------------ chapter 7's readings of the measurements


def test_accuracy_drop_step():
    ks = [0, 20, 40, 60]
    assert memory.accuracy_drop_step(ks, [0.9, 0.89, 0.80, 0.5]) == 40  # 0.80 < 0.81
    assert memory.accuracy_drop_step(ks, [0.9, 0.89, 0.85, 0.82]) is None
    assert memory.accuracy_drop_step(ks, [0.9, 0.89, 0.85, 0.5], fraction=0.5) is None
    with pytest.raises(ValueError, match="same"):
        memory.accuracy_drop_step(ks, [0.9, 0.8])
    with pytest.raises(ValueError, match="smallest"):
        memory.accuracy_drop_step([20, 0], [0.9, 0.8])


def test_prefix_ink_fraction():
    x = np.zeros((2, 4, 1))
    x[0, 1] = 1.0
    x[1, 3] = 3.0
    np.testing.assert_allclose(memory.prefix_ink_fraction(x, [0, 1, 2, 4]), [0, 0, 0.25, 1.0])
    with pytest.raises(ValueError, match="no ink"):
        memory.prefix_ink_fraction(np.zeros((1, 3)), [1])
    with pytest.raises(ValueError, match="sequence length"):
        memory.prefix_ink_fraction(x, [5])


def test_unit_curves_average_to_the_retention_curve():
    rng = np.random.default_rng(1)
    trace = rng.uniform(0.8, 1.0, size=(5, 30, 4))
    lags = [1, 5, 20]
    per_unit = memory.unit_retention_curves(trace, lags, start=3)
    assert per_unit.shape == (3, 4)
    np.testing.assert_allclose(per_unit.mean(axis=1), memory.retention_curve(trace, lags, start=3), rtol=1e-12)


def test_fit_decays_recovers_an_exponential_and_a_power_law():
    lags = np.arange(1, 151)
    exp_fit = memory.fit_decays(lags, 0.8 * np.exp(-lags / 30.0))
    assert exp_fit["exponential"]["tau"] == pytest.approx(30.0)
    assert exp_fit["exponential"]["scale"] == pytest.approx(0.8)
    assert exp_fit["exponential"]["rms"] < 1e-9 < exp_fit["power_law"]["rms"]
    pow_fit = memory.fit_decays(lags, 0.5 * lags ** -0.7)
    assert pow_fit["power_law"]["exponent"] == pytest.approx(0.7)
    assert pow_fit["power_law"]["rms"] < 1e-9 < pow_fit["exponential"]["rms"]
    np.testing.assert_allclose(pow_fit["power_law"]["curve"], 0.5 * lags ** -0.7, rtol=1e-9)
    with pytest.raises(ValueError, match="at least 3"):
        memory.fit_decays([1, 2, 3], [1.0, 0.0, 0.0])
    with pytest.raises(ValueError, match=">= 1"):
        memory.fit_decays([0, 1, 2], [1.0, 0.5, 0.2])


def test_a_mixture_of_exponentials_looks_like_a_power_law():
    lags = np.arange(1, 151)
    one = memory.exponential_mixture([20.0], lags)
    np.testing.assert_allclose(one, np.exp(-lags / 20.0))
    taus = np.logspace(0, 3, 128)  # time constants spread over three decades
    mix = memory.exponential_mixture(taus, lags)
    fits = memory.fit_decays(lags, mix)
    assert fits["power_law"]["rms"] < fits["exponential"]["rms"]
    assert memory.exponential_mixture([np.inf], [5, 50])[1] == 1.0
    with pytest.raises(ValueError, match="positive"):
        memory.exponential_mixture([0.0, 3.0], lags)


def test_decay_shapes_counts_units():
    lags = np.arange(1, 101)
    curves = np.stack([np.exp(-lags / 30.0),          # exponential
                       lags ** -1.0,                   # power law
                       np.full(len(lags), 0.99),       # flat
                       np.exp(-lags / 0.3)], axis=1)   # gone in a step or two
    assert memory.decay_shapes(curves, lags) == {"exponential": 1, "power_law": 1, "flat": 1, "too_fast": 1}


def _fits(exp_rms, pow_rms):
    return {"exponential": {"rms": exp_rms}, "power_law": {"rms": pow_rms}}


def test_decay_verdict():
    assert memory.decay_verdict({}) == "not yet run"
    assert memory.decay_verdict({"row": _fits(0.1, 0.5), "hilbert": _fits(0.2, 0.3)}) == "reproduced"
    assert memory.decay_verdict({"row": _fits(0.6, 0.5), "hilbert": _fits(0.4, 0.3)}).startswith("not reproduced")
    assert memory.decay_verdict({"row": _fits(0.1, 0.5), "hilbert": _fits(0.4, 0.3)}) == "mixed"


def test_horizon_verdict():
    assert memory.horizon_verdict(None, 0.2) == "not yet run"
    assert memory.horizon_verdict(0.05, 0.2).startswith("not reproduced")
    assert memory.horizon_verdict(0.01, 0.2) == "reproduced"
    assert memory.horizon_verdict(-0.01, 0.01).startswith("consistent")
    assert memory.horizon_verdict(0.02, 0.2) == "reproduced"  # the tolerance is inclusive


def test_at_initialisation_matches_the_measurements_it_bundles():
    from hilbertlib import analysis, memory
    from hilbertlib.specs import ExperimentSpec

    x, y = analysis.sample_sequences(14, "row", 8)
    specs = {"lstm": ExperimentSpec("lstm", 14, "row", units=8, dense_units=8, init="chrono"),
             "plstm": ExperimentSpec("plstm", 14, "row", units=8, dense_units=8)}
    got = memory.at_initialisation(specs, x, y)
    lstm = analysis.fresh_model(specs["lstm"])
    trace = memory.forget_gate_trace(lstm, x)
    np.testing.assert_allclose(got["lstm"].tau, memory.time_constants(trace))
    np.testing.assert_allclose(got["lstm"].gradient, analysis.input_gradient_norms(lstm, x, y), rtol=1e-5)
    assert got["lstm"].mean_forget == pytest.approx(float(trace.mean(dtype=np.float64)))
    assert got["plstm"].tau.shape == (8,) and got["plstm"].gradient.shape == (196,)
    # chrono starts the LSTM's gates far more open than the pLSTM's half-open reset gate
    assert np.median(got["lstm"].tau) > np.median(got["plstm"].tau)
    with pytest.raises(ValueError, match="'cnn' spec"):
        memory.at_initialisation({"cnn": ExperimentSpec("cnn", 28)}, x, y)
