"""hilbertlib.memory: the NumPy LSTM re-run matches Keras, and the forget-gate measures behave."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")
pytest_plugins = ["memory_nets"]  # the fixtures model and x

from hilbertlib import fmt, memory  # noqa: E402


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
    np.testing.assert_allclose(memory.retention_curve(trace, lags), 0.95**lags, rtol=1e-9)
    with pytest.raises(ValueError, match="lag"):
        memory.retention_curve(trace, [500])


def test_tau_of_mean_is_the_time_constant_of_a_mean_gate():
    np.testing.assert_allclose(memory.tau_of_mean([np.exp(-1 / 5), np.exp(-1 / 50)]), [5.0, 50.0])
    assert memory.tau_of_mean([1.0])[0] == np.inf


def test_no_lstm_layer_is_an_error():
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="LSTM"):
        memory.lstm_weights(m)


def test_unit_curves_average_to_the_retention_curve():
    rng = np.random.default_rng(1)
    trace = rng.uniform(0.8, 1.0, size=(5, 30, 4))
    lags = [1, 5, 20]
    per_unit = memory.unit_retention_curves(trace, lags, start=3)
    assert per_unit.shape == (3, 4)
    np.testing.assert_allclose(per_unit.mean(axis=1), memory.retention_curve(trace, lags, start=3), rtol=1e-12)


def test_at_initialisation_matches_the_measurements_it_bundles():
    from hilbertlib import data, memory, probes
    from hilbertlib.specs import ExperimentSpec

    x, y = data.sample_sequences(14, "row", 8)
    specs = {
        "lstm": ExperimentSpec("lstm", 14, "row", units=8, dense_units=8, init="chrono"),
        "plstm": ExperimentSpec("plstm", 14, "row", units=8, dense_units=8),
    }
    got = memory.at_initialisation(specs, x, y)
    lstm = probes.fresh_model(specs["lstm"])
    trace = memory.forget_gate_trace(lstm, x)
    np.testing.assert_allclose(got["lstm"].tau, memory.time_constants(trace))
    np.testing.assert_allclose(got["lstm"].gradient, probes.input_gradient_norms(lstm, x, y), rtol=1e-5)
    assert got["lstm"].mean_forget == pytest.approx(float(trace.mean(dtype=np.float64)))
    assert got["plstm"].tau.shape == (8,) and got["plstm"].gradient.shape == (196,)
    assert got["lstm"].kept == {}  # no lags asked for
    kept = memory.at_initialisation(specs, x, y, lags=(1, 50, 195))["lstm"].kept
    expected = memory.unit_retention_curves(trace, [1, 50, 195])
    np.testing.assert_allclose(np.stack([kept[1], kept[50], kept[195]]), expected)
    # chrono starts the LSTM's gates far more open than the pLSTM's half-open reset gate
    assert np.median(got["lstm"].tau) > np.median(got["plstm"].tau)
    with pytest.raises(ValueError, match="'cnn' model"):
        memory.at_initialisation({"cnn": ExperimentSpec("cnn", 28)}, x, y)


def test_gate_statistics_equal_the_whole_trace(model, x):
    trace = memory.forget_gate_trace(model, x)
    st = memory.gate_statistics(model, x, starts=(0, 9), batch_size=5)  # batches of 5, 5, 5 and 1
    assert st.n == len(x)
    np.testing.assert_allclose(st.tau, memory.time_constants(trace), rtol=1e-6)
    lags = np.arange(1, 20)  # every lag from step 0: 1 .. T - 1
    np.testing.assert_allclose(st.retention[0], memory.unit_retention_curves(trace, lags), rtol=1e-6)
    np.testing.assert_allclose(st.curve(0, lags), memory.retention_curve(trace, lags), rtol=1e-6)
    np.testing.assert_allclose(st.curve(9), memory.retention_curve(trace, np.arange(1, 11), start=9), rtol=1e-6)
    for s in (0, 4, 18):
        np.testing.assert_allclose(st.to_end[s], memory.unit_retention_curves(trace, [19 - s], start=s)[0], rtol=1e-6)
    with pytest.raises(ValueError, match="start"):
        memory.gate_statistics(model, x, starts=(19,))
    with pytest.raises(ValueError, match="lags"):
        st.curve(0, [20])


def test_after_training_reads_the_stored_weights(tmp_path):
    """A run stored with its initial weights reads exactly as the fresh network does."""
    import keras

    from hilbertlib import data, memory, probes
    from hilbertlib.result_files import Result
    from hilbertlib.specs import ExperimentSpec

    spec = ExperimentSpec("plstm", 14, "row", units=8, dense_units=8, clipnorm=1.0)
    model = probes.fresh_model(spec)
    (tmp_path / "weights").mkdir()
    keras.Model(model.inputs, model.outputs).save_weights(tmp_path / "weights" / f"{spec.id}.weights.h5")
    stored = Result(spec=spec, data={"weights": f"weights/{spec.id}.weights.h5"}, path=tmp_path / f"{spec.id}.json")
    x, y = data.sample_sequences(14, "row", 8)
    after = memory.after_training({"run": stored}, x, y, lags=(10, 195))["run"]
    before = memory.at_initialisation({"run": spec}, x, y, lags=(10, 195))["run"]
    np.testing.assert_allclose(after.tau, before.tau)
    np.testing.assert_allclose(after.gradient, before.gradient, rtol=1e-5)
    for lag in (10, 195):
        np.testing.assert_allclose(after.kept[lag], before.kept[lag])
    no_weights = Result(spec=spec, data={}, path=tmp_path / "other.json")
    with pytest.raises(ValueError, match="no stored weights"):
        memory.after_training({"run": no_weights}, x, y)


def test_reading_table_sets_readings_side_by_side():
    from hilbertlib.memory import MemoryReading, reading_table

    a = MemoryReading(
        tau=np.array([1.0, 3.0, 200.0]),
        gradient=np.array([0.5, 1.0, 2.0]),
        mean_forget=0.8,
        kept={10: np.array([0.1, 0.3, 0.2]), 100: np.array([0.0, 0.01, 0.002])},
    )
    b = MemoryReading(
        tau=np.array([2.0, 2.0]),
        gradient=np.array([0.0, 1.0]),
        mean_forget=0.5,
        kept={10: a.kept[10], 100: a.kept[100]},
    )
    table = reading_table({"a": a, "b": b}, long=100)
    assert list(table.index) == ["a", "b"]
    assert table.loc["a", "median time constant (steps)"] == "3.0" and table.loc["a", "longest (steps)"] == "200.0"
    assert table.loc["a", "units over 100 steps"] == "1 of 3" and table.loc["b", "units over 100 steps"] == "0 of 2"
    # the unit that keeps the most, at each lag the readings were taken at
    assert [c for c in table.columns if c.startswith("most kept")] == [
        "most kept after 10 steps",
        "most kept after 100 steps",
    ]
    assert table.loc["a", "most kept after 10 steps"] == fmt.sci(0.3)
    assert table.loc["a", "gradient at the first pixel / at the last"] == fmt.sci(0.25)
    assert table.loc["b", "gradient at the first pixel / at the last"] == "0"
    assert "units over 100 steps" not in reading_table({"a": a}).columns
    with pytest.raises(ValueError, match="different lags"):
        reading_table({"a": a, "c": MemoryReading(a.tau, a.gradient, 0.8, kept={})})
