"""Gradient-norm records of the optimizer (hilbertlib.gradients; the runner's schema 2)."""

from __future__ import annotations

import math

import numpy as np
import pytest

keras = pytest.importorskip("keras")
from hilbertlib import gradients  # noqa: E402
from hilbertlib.gradients import RecordingAdam, RecordingRMSprop, read, recording_optimizer, reset  # noqa: E402


def two_variables():
    return [keras.Variable(np.zeros(3, "float32"), name="a"), keras.Variable(np.zeros(2, "float32"), name="b")]


BIG = [np.array([3.0, 4.0, 0.0], "float32"), np.array([0.0, 0.5], "float32")]  # norms 5 and 0.5
SMALL = [np.array([0.0, 0.3, 0.4], "float32"), np.array([0.0, 0.0], "float32")]  # norms 0.5 and 0


def test_apply_records_the_global_norm_before_clipping():
    opt = RecordingAdam(learning_rate=1e-3, clipnorm=1.0)
    variables = two_variables()
    opt.apply(BIG, variables)
    opt.apply(SMALL, variables)
    got = read(opt)
    big = math.sqrt(25 + 0.25)
    assert got["batches"] == 2
    assert got["grad_norm_mean"] == pytest.approx((big + 0.5) / 2, rel=1e-6)
    assert got["grad_norm_max"] == pytest.approx(big, rel=1e-6)
    assert got["clipped_share"] == 0.5  # the first tensor of BIG has norm 5 > 1
    reset(opt)
    assert read(opt)["batches"] == 0 and read(opt)["grad_norm_mean"] is None


def test_stateless_apply_carries_the_records():
    """Keras' JAX training step calls stateless_apply: the records travel with the optimizer variables."""
    opt = RecordingAdam(learning_rate=1e-3, clipnorm=1.0)
    variables = two_variables()
    opt.build(variables)
    opt_values = [v.value for v in opt.variables]
    values = [v.value for v in variables]
    for grads in (BIG, SMALL, SMALL):
        values, opt_values = opt.stateless_apply(opt_values, grads, values)
    assert read(opt)["batches"] == 0  # nothing was assigned statefully
    for v, value in zip(opt.variables, opt_values):
        v.assign(value)
    got = read(opt)
    assert got["batches"] == 3 and got["clipped_share"] == pytest.approx(1 / 3)
    assert got["grad_norm_max"] == pytest.approx(math.sqrt(25.25), rel=1e-6)


@pytest.mark.parametrize(
    "kwargs, share",
    [
        ({}, 0.0),
        ({"global_clipnorm": 1.0}, 0.5),
        ({"clipvalue": 0.35}, 1.0),
        ({"clipvalue": 0.45}, 0.5),
        ({"clipnorm": 10.0}, 0.0),
    ],
)
def test_clipped_share_for_every_kind_of_clipping(kwargs, share):
    opt = RecordingRMSprop(learning_rate=1e-3, **kwargs)
    variables = two_variables()
    opt.apply(BIG, variables)
    opt.apply(SMALL, variables)
    assert read(opt)["clipped_share"] == share


def test_updates_are_the_optimizers_own():
    """Recording does not touch the update: the weights after a few steps are identical."""
    for name, cls in (("adam", keras.optimizers.Adam), ("rmsprop", keras.optimizers.RMSprop)):
        plain = cls(learning_rate=0.01, clipnorm=1.0)
        recording = recording_optimizer(name, learning_rate=0.01, clipnorm=1.0)
        va, vb = two_variables(), two_variables()
        for grads in (BIG, SMALL, BIG):
            plain.apply(grads, va)
            recording.apply(grads, vb)
        for a, b in zip(va, vb):
            np.testing.assert_array_equal(np.asarray(a.value), np.asarray(b.value))
        assert len(recording.variables) == len(plain.variables) + 4


def test_model_fit_is_unchanged_by_recording(mnist):
    """One epoch of the tiny LSTM, with and without the records: identical weights."""
    from hilbertlib.data import prepare_data
    from hilbertlib.models import build_model
    from hilbertlib.runner import set_seed
    from hilbertlib.specs import ExperimentSpec

    spec = ExperimentSpec(
        "lstm", 14, "row", epochs=1, train_size=64, test_size=64, units=8, dense_units=8, clipnorm=1.0
    )
    x, y = prepare_data(spec)["train"]
    weights = {}
    for record in (False, True):
        set_seed(0)
        model = build_model(spec, steps_per_epoch=4, record_gradients=record)
        assert gradients.records(model.optimizer) is record
        model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
        weights[record] = model.get_weights()
        got = read(model.optimizer)
        if record:
            assert got["batches"] == 4 and got["grad_norm_max"] >= got["grad_norm_mean"] > 0
        else:
            assert got == {"grad_norm_mean": None, "grad_norm_max": None, "clipped_share": None, "batches": 0}
    for a, b in zip(weights[False], weights[True]):
        np.testing.assert_array_equal(a, b)


def test_serialization_round_trip():
    opt = RecordingAdam(learning_rate=2e-3, clipnorm=1.0)
    config = keras.saving.serialize_keras_object(opt)
    assert config["registered_name"] == "hilbertlib>RecordingAdam"
    again = keras.saving.deserialize_keras_object(config)
    assert type(again) is RecordingAdam and again.clipnorm == 1.0
    assert float(again.learning_rate) == pytest.approx(2e-3)
    with pytest.raises(ValueError, match="optimizer must be"):
        recording_optimizer("sgd")


def test_old_optimizer_state_loads_and_other_states_fail():
    opt = RecordingAdam(learning_rate=1e-3)
    variables = two_variables()
    opt.build(variables)
    n = len(opt.variables)
    old = {str(i): np.full(v.shape, i + 1, v.dtype) for i, v in enumerate(opt.variables[: n - 4])}
    opt.apply(BIG, variables)
    opt.load_own_variables(old)  # a checkpoint written before the records
    for i, v in enumerate(opt.variables[: n - 4]):
        np.testing.assert_array_equal(np.asarray(v.value), old[str(i)])
    assert read(opt)["batches"] == 0
    with pytest.raises(ValueError, match="delete the checkpoint"):
        opt.load_own_variables({"0": np.zeros(())})
