"""Echo state networks (hilbertlib.reservoir, chapter 8): the batched reservoir, the readout, stored results."""

from __future__ import annotations

import json

import numpy as np
import pytest

from hilbertlib.reservoir import (
    RESERVOIR_DIR,
    ReservoirSpec,
    linear_time_constant,
    load_reservoir_result,
    make_reservoir,
    readout_features,
    reservoir_states,
    run_reservoir,
)
from hilbertlib.reservoir_grid import search_grid, size_grid

QUICK = dict(train_size=300, test_size=200, validation_size=200, ridges=(1e-6, 1e-2))


@pytest.mark.parametrize("leak,radius", [(1.0, 0.9), (0.1, 1.2), (0.3, 0.5)])
def test_batched_states_match_reservoirpy(leak, radius):
    rng = np.random.default_rng(0)
    x = rng.random((7, 60)).astype(np.float32)
    x[:, :20] = 0.0  # blank pixels, as at the start of most digits
    res = make_reservoir(50, leak, radius, seed=3)
    ref = np.asarray(res.run(x[..., None].astype(np.float64)))  # (n, steps, units), each from the zero state
    got = reservoir_states(x, res, batch=3)  # several batches
    np.testing.assert_allclose(got["last"], ref[:, -1], atol=2e-5)
    np.testing.assert_allclose(got["mean"], ref.mean(axis=1), atol=2e-5)
    assert got["last"].dtype == np.float32


def test_states_accept_a_trailing_feature_axis():
    res = make_reservoir(10, 0.5, 0.9)
    x = np.random.default_rng(1).random((4, 9))
    a, b = reservoir_states(x, res), reservoir_states(x[..., None], res)
    np.testing.assert_array_equal(a["last"], b["last"])


@pytest.mark.parametrize("shape", [(5,), (2, 3, 4), (2, 3, 2)])
def test_states_reject_wrong_shapes(shape):
    with pytest.raises(ValueError, match="shape"):
        reservoir_states(np.zeros(shape), make_reservoir(5, 0.5, 0.9))


def test_zero_input_zero_bias_keeps_the_zero_state():
    res = make_reservoir(20, 0.2, 1.2)
    st = reservoir_states(np.zeros((3, 50)), res)
    assert not st["last"].any() and not st["mean"].any()


def test_readout_features():
    st = {"last": np.ones((2, 3), np.float32), "mean": np.zeros((2, 3), np.float32)}
    assert readout_features(st, "last+mean").shape == (2, 6)
    assert readout_features(st, "mean").sum() == 0
    with pytest.raises(ValueError, match="valid: last, mean"):
        readout_features(st, "max")


def test_reservoirpy_ridge_is_the_closed_form():
    from hilbertlib.reservoir import _ridge_predict

    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 8))
    y = rng.integers(0, 10, 200)
    ridge = 0.5
    (pred,) = _ridge_predict(x, y, [x], ridge)
    xb = np.hstack([np.ones((200, 1)), x])
    w = np.linalg.solve(xb.T @ xb + ridge * np.diag([0.0] + [1.0] * 8), xb.T @ np.eye(10)[y])
    # reservoirpy regularises the bias too; predictions must agree wherever the
    # two solutions are not within round-off of a tie.
    scores = xb @ w
    top2 = np.sort(scores, axis=1)[:, -2:]
    clear = (top2[:, 1] - top2[:, 0]) > 1e-3
    assert clear.mean() > 0.9
    np.testing.assert_array_equal(pred[clear], scores.argmax(axis=1)[clear])


@pytest.mark.parametrize(
    "bad,match",
    [
        (dict(size=15), "size must be 14 or 28"),
        (dict(ordering="zigzag"), "zigzag"),
        (dict(units=0), "units must be a positive integer"),
        (dict(leak=0.0), "leak must be in"),
        (dict(leak=1.5), "leak must be in"),
        (dict(spectral_radius=0), "spectral_radius"),
        (dict(connectivity=0), "connectivity"),
        (dict(ridges=()), "ridges"),
        (dict(test_size=0), "test_size"),
    ],
)
def test_spec_rejects_bad_values(bad, match):
    with pytest.raises(ValueError, match=match):
        ReservoirSpec(**bad)


def test_ids_are_readable_and_distinct():
    assert ReservoirSpec(ordering="hilbert").id == "esn-14-hilbert-n500-a0.2-r0.9-s0"
    assert ReservoirSpec(ordering="reversed:row", units=100).id.startswith("esn-14-reversed-row-n100")
    specs = search_grid(14) + search_grid(28, leaks=(0.02, 0.05), radii=(0.9,)) + size_grid(14, "row", 0.2, 0.9)
    specs += [ReservoirSpec(**QUICK), ReservoirSpec(input_scaling=2.0), ReservoirSpec(connectivity=0.2)]
    ids = [s.id for s in specs]
    assert len(set(ids)) == len(set(specs))
    assert ReservoirSpec.from_dict(json.loads(json.dumps(specs[-1].to_dict()))) == specs[-1]


def test_run_store_reload_and_refuse(mnist_path, tmp_path):
    spec = ReservoirSpec(units=40, leak=0.5, **QUICK)
    res = run_reservoir(spec, tmp_path)
    assert res.path.exists() and not list(tmp_path.glob(".*.tmp"))
    # 40 units and 300 images: far from good, but far above chance (10%)
    assert 0.3 < res.test_accuracy <= 1.0
    assert res.readout in ("last", "mean", "last+mean")
    assert np.asarray(res.data["test"]["confusion_matrix"]).sum() == 200
    env = res.data["environment"]
    assert env["versions"]["reservoirpy"] and env["versions"]["scipy"] and env["versions"]["hilbertlib"]
    assert env["backend"] == "numpy" and env["cpu_count"] >= 1 and env["platform"]
    again = run_reservoir(spec, tmp_path)  # loads, does not recompute
    assert again.data["finished"] == res.data["finished"]
    # the same file claimed by another spec: an error, never a silent reuse
    other = spec.replace(leak=0.25)
    res.path.rename(tmp_path / f"{other.id}.json")
    with pytest.raises(ValueError, match="different spec"):
        load_reservoir_result(other, tmp_path)
    (tmp_path / f"{other.id}.json").write_text("{not json")
    with pytest.raises(ValueError, match="corrupt"):
        load_reservoir_result(other, tmp_path)
    with pytest.raises(ValueError, match="never stored in results/"):
        run_reservoir(spec, RESERVOIR_DIR, retrain=True)


def test_status_table_lists_every_stored_result(mnist_path, tmp_path):
    from hilbertlib.status_tables import reservoir_table

    assert len(reservoir_table(tmp_path)) == 0
    spec = ReservoirSpec(units=12, **QUICK)
    run_reservoir(spec, tmp_path / "reservoir")
    table = reservoir_table(tmp_path)
    assert list(table["id"]) == [spec.id]
    assert table.loc[0, "test accuracy"].endswith("%")
    # a stored file not named after its spec is an error naming the file, not a silent row
    stored = tmp_path / "reservoir" / f"{spec.id}.json"
    stored.rename(stored.with_name("renamed.json"))
    with pytest.raises(ValueError, match="renamed.json.*not named after its spec"):
        reservoir_table(tmp_path)


def test_linear_time_constant():
    spec = ReservoirSpec(units=50, leak=1.0, spectral_radius=0.5)
    no_leak = linear_time_constant(spec)
    assert no_leak == pytest.approx(-1 / np.log(0.5), rel=1e-4)  # a = 1: the spectral radius itself
    leaky = linear_time_constant(spec.replace(leak=0.2))  # |0.8 + 0.2 lambda| lies in [0.7, 0.9]
    assert -1 / np.log(0.7) - 1e-6 <= leaky <= -1 / np.log(0.9) + 1e-6
    assert linear_time_constant(spec.replace(spectral_radius=1.2)) == float("inf")
