"""The power-law forget gate LSTM cell: shapes, power-law decay, gradients, saving."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")
from keras import ops  # noqa: E402

from hilbertlib.plstm import (
    BLOCKED_PATHS,
    PATHS,
    PowerLawLSTMCell,
    gradient_paths,
    plstm_forget_gate_trace,
    plstm_last_state,
    power_law_lstm,  # noqa: E402
    power_law_retention,
)


def _model(t=12, d=1, units=8, **kw):
    keras.utils.set_random_seed(0)
    inp = keras.Input((t, d))
    out = keras.layers.Dense(3, activation="softmax")(power_law_lstm(units, **kw)(inp))
    return keras.Model(inp, out)


def test_shapes_and_sequences():
    x = np.random.default_rng(0).random((4, 10, 3)).astype("float32")
    last = power_law_lstm(8)(x)
    seq = power_law_lstm(8, return_sequences=True)(x)
    assert tuple(last.shape) == (4, 8)
    assert tuple(seq.shape) == (4, 10, 8)
    assert np.all(np.isfinite(ops.convert_to_numpy(seq)))
    assert np.all(np.abs(ops.convert_to_numpy(seq)) <= 1.0)


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_forget_gate_decays_as_a_power_law(p):
    cell = PowerLawLSTMCell(4, p_init=p, learn_p=False)
    cell.build((None, 1))
    t = np.arange(0, 5000, dtype="float32")[:, None] * np.ones((1, 4), "float32")
    f = ops.convert_to_numpy(cell.forget_gate(ops.convert_to_tensor(t), -1.0))
    memory = np.cumprod(f[:, 0].astype(np.float64))  # what is left of c_0 after t steps, no reset
    n = np.arange(len(memory)) + 2.0
    sel = slice(100, None)
    slope, _ = np.polyfit(np.log(n[sel]), np.log(memory[sel]), 1)
    assert slope == pytest.approx(-p, abs=0.01)
    # An exponential would bend on these axes; a power law is a straight line.
    resid = np.log(memory[sel]) - np.polyval([slope, _], np.log(n[sel]))
    assert np.max(np.abs(resid)) < 0.01


def test_reset_forgets_everything_at_once():
    cell = PowerLawLSTMCell(2, p_init=0.5, learn_p=False)
    cell.build((None, 1))
    t = ops.convert_to_tensor(np.full((1, 2), 50.0, "float32"))
    f_reset = ops.convert_to_numpy(cell.forget_gate(t, t - cell.eps))  # k_t = t - eps: just reset
    f_old = ops.convert_to_numpy(cell.forget_gate(t, -1.0))
    assert np.all(f_reset < 0.05) and np.all(f_old > 0.99)


def test_gradients_reach_every_weight():
    model = _model()
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(1)
    x = rng.random((64, 12, 1)).astype("float32")
    y = (x[:, 0, 0] * 3).astype("int32").clip(0, 2)  # the label depends on the first step only
    before = [ops.convert_to_numpy(w).copy() for w in model.trainable_weights]
    names = [w.path for w in model.trainable_weights]
    assert any(n.endswith("q") for n in names), names
    model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    after = [ops.convert_to_numpy(w) for w in model.trainable_weights]
    for name, a, b in zip(names, before, after):
        assert not np.allclose(a, b), f"{name} did not change: no gradient reached it"


def test_fixed_power_is_not_trained():
    model = _model(learn_p=False)
    assert not any(w.path.endswith("q") for w in model.trainable_weights)


def test_saves_and_loads(tmp_path):
    model = _model()
    x = np.random.default_rng(2).random((5, 12, 1)).astype("float32")
    path = tmp_path / "m.keras"
    model.save(path)
    again = keras.models.load_model(path)
    np.testing.assert_allclose(ops.convert_to_numpy(model(x)), ops.convert_to_numpy(again(x)), rtol=1e-5, atol=1e-6)


def test_bad_power_is_rejected():
    with pytest.raises(ValueError, match="p_init"):
        PowerLawLSTMCell(4, p_init=1.5)


def test_numpy_rerun_matches_keras():
    model = _model(t=15, units=6, p_init=0.3)
    rnn = keras.Model(model.inputs[0], model.layers[1].output)
    x = np.random.default_rng(2).random((9, 15, 1)).astype("float32")
    np.testing.assert_allclose(plstm_last_state(model, x), ops.convert_to_numpy(rnn(x)), atol=1e-5)
    f = plstm_forget_gate_trace(model, x)
    assert f.shape == (9, 15, 6) and np.all((f >= 0) & (f < 1))
    with pytest.raises(ValueError, match="PowerLawLSTMCell"):
        plstm_forget_gate_trace(keras.Sequential([keras.Input((3, 1)), keras.layers.LSTM(2)]), x[:, :3])


@pytest.mark.parametrize("p", [0.25, 0.5, 0.75])
def test_retention_after_a_reset_is_a_power_law_of_the_cells_own_gates(p):
    lags = np.arange(1, 2001)
    ret = power_law_retention(lags, p)
    cell = PowerLawLSTMCell(1, p_init=p, learn_p=False)
    cell.build((None, 1))
    # the same gates from the cell: reset at step 0 (k = -eps), no reset after it
    gates = ops.convert_to_numpy(cell.forget_gate(ops.convert_to_tensor(lags[:, None].astype("float32")), -cell.eps))
    np.testing.assert_allclose(ret, np.cumprod(gates[:, 0].astype(np.float64)), rtol=1e-4)
    np.testing.assert_allclose(ret[-1], (lags[-1] + 1.0) ** -p, rtol=0.01)
    assert np.all(np.diff(ret) < 0)
    with pytest.raises(ValueError, match="lags"):
        power_law_retention([0, 1], p)


def test_gradient_paths_block_only_the_backward_pass():
    from hilbertlib.probes import input_gradient_norms

    model = _model(t=20, units=6)
    x = np.random.default_rng(3).random((7, 20, 1)).astype("float32")
    y = np.arange(7) % 3
    before = ops.convert_to_numpy(model(x))
    got = gradient_paths(model, x, y)
    assert list(got) == list(PATHS)
    np.testing.assert_allclose(got["every path"], input_gradient_norms(model, x, y), rtol=1e-6)
    for g in got.values():  # the last input reaches the answer without a recurrent step
        assert g.shape == (20,)
        np.testing.assert_allclose(g[-1], got["every path"][-1], rtol=1e-5)
    for label in ("without the clock", "without the hidden state", "the cell alone"):
        assert not np.allclose(got[label][:5], got["every path"][:5], rtol=1e-3)
    # the forward pass, and the switch afterwards, are as they were
    np.testing.assert_array_equal(ops.convert_to_numpy(model(x)), before)
    assert model.layers[1].cell.blocked == frozenset()
    with pytest.raises(ValueError, match="unknown gradient paths"):
        gradient_paths(model, x, y, {"no gate": ("gate",)})
    # the blocked paths alone: the same readings, without the unblocked one
    blocked = gradient_paths(model, x, y, BLOCKED_PATHS)
    assert list(blocked) == [label for label in PATHS if label != "every path"]
    for label, g in blocked.items():
        np.testing.assert_allclose(g, got[label], rtol=1e-6)
