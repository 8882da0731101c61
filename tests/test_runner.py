"""The experiment runner (chapter 4): training, resuming, and what a run records.

Training tests use the tiny reduced spec of ``tiny_run`` and write only into
temporary folders.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from tiny_run import (
    GRADIENT_KEYS,
    HISTORY_KEYS,
    TINY,
    forbid_training,
    interrupt_after_first_epoch,
    temp_files,
)

from hilbertlib import runner
from hilbertlib.result_files import RESULTS_DIR, SCHEMA, load_result, result_path
from hilbertlib.runner import run
from hilbertlib.specs import ExperimentSpec

# ------------------------------------------------------------------ training


def test_run_writes_a_complete_result(trained, mnist):
    res, results = trained
    path = result_path(TINY, results)
    assert res.path == path and path.is_file()
    data = json.loads(path.read_text())
    assert data == json.loads(json.dumps(res.data))
    assert data["id"] == TINY.id and data["spec"] == TINY.to_dict()
    for key in HISTORY_KEYS:
        assert len(data["history"][key]) == TINY.epochs
        assert all(np.isfinite(data["history"][key]))
    assert len(data["epoch_seconds"]) == TINY.epochs
    assert data["wall_seconds"] == pytest.approx(sum(data["epoch_seconds"]))
    assert data["resumed_at"] == []
    assert (data["n_train"], data["n_val"], data["n_test"]) == (64, 64, 64)

    cm = res.confusion_matrix
    assert cm.shape == (10, 10) and cm.min() >= 0
    assert cm.sum() == data["n_test"] == TINY.test_size
    np.testing.assert_array_equal(cm.sum(axis=1), np.bincount(mnist.y_test[:64], minlength=10))
    assert res.test_accuracy == pytest.approx(np.trace(cm) / cm.sum())
    support = cm.sum(axis=1)
    expected = np.where(support > 0, np.diag(cm) / np.maximum(support, 1), 0.0)
    np.testing.assert_allclose(res.per_class_accuracy, expected)
    assert 0.0 <= res.test_accuracy <= 1.0 and res.test_loss > 0

    env = res.environment
    import keras

    assert env["backend"] == keras.backend.backend()
    assert isinstance(env["device"], str) and env["device"]
    for lib in ("python", "numpy", "keras", "hilbertlib"):
        assert env["versions"][lib]
    if env["backend"] == "jax":
        assert env["versions"]["jax"]

    assert res.weights_path is not None and res.weights_path.is_file()
    assert not (results / "ck" / TINY.id).exists()  # checkpoint removed when done
    assert temp_files(results) == []


def test_second_run_returns_stored_result_without_training(trained, monkeypatch):
    res, results = trained
    forbid_training(monkeypatch)
    again = run(TINY, results, cache_dir=results / "ck")
    assert again.data == json.loads(json.dumps(res.data))
    assert again.spec == TINY
    assert load_result(TINY, results).history == again.history


def test_reduced_spec_refused_for_committed_results(tmp_path, monkeypatch):
    forbid_training(monkeypatch)
    committed = RESULTS_DIR
    before = set(committed.rglob(f"{TINY.id}*")) if committed.exists() else set()
    with pytest.raises(ValueError, match="reduced"):
        run(TINY, committed, cache_dir=tmp_path / "ck")
    with pytest.raises(ValueError, match="reduced"):
        run(TINY, str(committed) + os.sep, cache_dir=tmp_path / "ck")
    after = set(committed.rglob(f"{TINY.id}*")) if committed.exists() else set()
    assert after == before == set()
    assert not (tmp_path / "ck").exists()


def test_train_missing_false_returns_none(tmp_path, monkeypatch):
    forbid_training(monkeypatch)
    assert run(TINY, tmp_path, train_missing=False, cache_dir=tmp_path / "ck") is None
    assert load_result(TINY, tmp_path) is None
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ resume


@pytest.fixture(scope="module")
def resumed(tmp_path_factory, mnist):
    """A tiny run interrupted after epoch 1, inspected, then resumed."""
    results = tmp_path_factory.mktemp("resume")
    cache = results / "ck"
    seen = []

    def interrupt(epoch, logs):
        seen.append(epoch)
        interrupt_after_first_epoch(epoch, logs)

    with pytest.raises(KeyboardInterrupt):
        run(TINY, results, cache_dir=cache, on_epoch=interrupt)
    after_interrupt = {
        "seen": list(seen),
        "result_exists": result_path(TINY, results).exists(),
        "state": json.loads((cache / TINY.id / "state.json").read_text()),
        "files": sorted(f.name for f in (cache / TINY.id).iterdir()),
    }
    res = run(TINY, results, cache_dir=cache)
    return res, after_interrupt, results


def test_interrupted_run_leaves_a_checkpoint(resumed):
    _, after, _ = resumed
    assert after["seen"] == [1]
    assert not after["result_exists"]
    state = after["state"]
    # the state names the weights of its own epoch, the only weights kept
    assert state["model"] == "model-e1.keras"
    assert after["files"] == ["model-e1.keras", "state.json"]
    assert state["completed_epochs"] == 1
    assert state["spec"] == TINY.to_dict()
    assert all(len(state["history"][k]) == 1 for k in HISTORY_KEYS)


def test_resumed_run_completes(resumed):
    res, _, results = resumed
    assert res.data["resumed_at"] == [1]
    # each stretch of epochs says where it ran
    assert [seg["from_epoch"] for seg in res.data["segments"]] == [0, 1]
    assert all(seg["backend"] == res.environment["backend"] for seg in res.data["segments"])
    for key in HISTORY_KEYS:
        assert len(res.history[key]) == TINY.epochs
    assert len(res.epoch_seconds) == TINY.epochs
    assert result_path(TINY, results).is_file()
    assert not (results / "ck" / TINY.id).exists()
    assert res.confusion_matrix.sum() == TINY.test_size


def test_resumed_first_epoch_equals_uninterrupted(resumed, trained):
    res, _, _ = resumed
    ref, _ = trained
    for key in HISTORY_KEYS:
        assert res.history[key][0] == pytest.approx(ref.history[key][0], abs=1e-5)


def test_resumed_history_equals_uninterrupted(resumed, trained):
    res, _, _ = resumed
    ref, _ = trained
    for key in HISTORY_KEYS:
        np.testing.assert_allclose(res.history[key], ref.history[key], rtol=0, atol=1e-5, err_msg=key)


# ------------------------------------------------------------------ schedule and weights


def test_cosine_schedule_decays_to_zero_at_the_last_step():
    from hilbertlib.models import build_model

    spec = TINY.replace(schedule="cosine", learning_rate=2e-3)
    model = build_model(spec, steps_per_epoch=5)
    lr = model.optimizer.learning_rate  # the schedule, evaluated at a step below
    schedule = model.optimizer._learning_rate
    assert float(schedule(0)) == pytest.approx(2e-3)
    assert float(schedule(5)) == pytest.approx(1e-3, rel=1e-4)  # halfway through 2 epochs of 5 steps
    assert float(schedule(10)) == pytest.approx(0.0, abs=1e-9)
    assert float(lr) == pytest.approx(2e-3)  # no step taken yet
    with pytest.raises(ValueError, match="steps_per_epoch"):
        build_model(spec)
    # the paper's constant rate needs no step count
    assert float(build_model(TINY).optimizer.learning_rate) == pytest.approx(1e-3)


def test_cosine_checkpoint_keeps_the_schedule(tmp_path, mnist):
    """A resumed cosine run goes on decaying over the whole run, not from scratch."""
    import keras

    spec = TINY.replace(schedule="cosine")  # 64 images, batch 32: 2 steps per epoch

    with pytest.raises(KeyboardInterrupt):
        run(spec, tmp_path, cache_dir=tmp_path / "ck", on_epoch=interrupt_after_first_epoch)
    model = keras.models.load_model(tmp_path / "ck" / spec.id / "model-e1.keras")
    assert int(model.optimizer.iterations) == 2
    assert model.optimizer._learning_rate.decay_steps == 4
    assert float(model.optimizer.learning_rate) == pytest.approx(spec.learning_rate / 2, rel=1e-4)
    res = run(spec, tmp_path, cache_dir=tmp_path / "ck")
    assert res.data["resumed_at"] == [1] and len(res.history["loss"]) == 2


def test_resume_does_not_depend_on_the_saved_optimizer_class(tmp_path, mnist, monkeypatch):
    """A checkpoint's .keras file names its backend's optimizer class (torch_adam.Adam on
    torch); resuming rebuilds the model from the spec, so another backend can resume it."""
    import keras

    with pytest.raises(KeyboardInterrupt):
        run(TINY, tmp_path, cache_dir=tmp_path / "ck", on_epoch=interrupt_after_first_epoch)

    def no_load_model(*args, **kwargs):
        raise AssertionError("resume must not deserialize the checkpoint's model and optimizer classes")

    monkeypatch.setattr(keras.models, "load_model", no_load_model)
    res = run(TINY, tmp_path, cache_dir=tmp_path / "ck")
    assert res.data["resumed_at"] == [1] and len(res.history["loss"]) == TINY.epochs


def test_weights_hold_the_layers_only_and_reproduce_the_test_result(trained, mnist):
    import h5py

    from hilbertlib.data import prepare_data
    from hilbertlib.probes import trained_model
    from hilbertlib.runner import _evaluate

    res, _ = trained
    with h5py.File(res.weights_path, "r") as f:
        groups = set(f.keys())
    assert "optimizer" not in groups and groups, groups  # no Adam moments in the committed file
    model = trained_model(res)
    x, y = prepare_data(TINY)["test"]
    np.testing.assert_array_equal(_evaluate(model, x, y)["confusion_matrix"], res.confusion_matrix)


def test_collapse_of_a_stored_result(trained, mnist):
    from hilbertlib.data import sample_sequences
    from hilbertlib.probes import collapse_of, collapse_report, trained_model

    res, _ = trained
    x, _ = sample_sequences(TINY.size, TINY.ordering, 16)
    assert collapse_of(res, n=16) == collapse_report(trained_model(res), x)
    assert collapse_of(None) is None
    import dataclasses

    no_weights = dataclasses.replace(res, data={**res.data, "weights": None})
    assert collapse_of(no_weights) is None


# ------------------------------------------------------------------ gradient records (schema 2)


TINY_CLIP = ExperimentSpec(
    "lstm", 14, "row", epochs=2, train_size=64, test_size=64, units=8, dense_units=8, clipnorm=1.0
)


def without_gradient_recording(monkeypatch):
    """Build models with the plain Keras optimizer, as the runner did before schema 2."""
    import functools

    import hilbertlib.models as models

    monkeypatch.setattr(models, "build_model", functools.partial(models.build_model, record_gradients=False))


def test_result_records_gradient_norms(trained):
    res, _ = trained
    assert res.data["schema"] == SCHEMA == 2 and res.schema == 2
    for key in GRADIENT_KEYS:
        assert len(res.history[key]) == TINY.epochs and getattr(res, key) == res.history[key]
    assert all(m > 0 and np.isfinite(m) for m in res.grad_norm_mean)
    assert all(mx >= m for mx, m in zip(res.grad_norm_max, res.grad_norm_mean))
    assert res.clipped_share == [0.0, 0.0]  # TINY does not clip
    assert res.segments[0]["same_device_as_previous"] is None and res.resumed_elsewhere is False


@pytest.mark.parametrize("clipnorm, share", [(1e-3, "all"), (1.0, "some"), (1e3, "none")])
def test_clipped_share_follows_the_clipnorm(tmp_path, mnist, clipnorm, share):
    res = run(TINY_CLIP.replace(clipnorm=clipnorm, epochs=1), tmp_path, cache_dir=tmp_path / "ck")
    (value,) = res.clipped_share
    assert 0.0 <= value <= 1.0
    if share == "all":  # every batch has a tensor whose norm exceeds 0.001
        assert value == 1.0
    elif share == "none":
        assert value == 0.0
    assert res.grad_norm_max[0] >= res.grad_norm_mean[0] > 0


def test_recording_leaves_training_unchanged(tmp_path, mnist, monkeypatch):
    """The same spec trained with and without the gradient records has the same history, bit for bit."""
    with_records = run(TINY_CLIP, tmp_path / "with", cache_dir=tmp_path / "ck")
    without_gradient_recording(monkeypatch)
    plain = run(TINY_CLIP, tmp_path / "without", cache_dir=tmp_path / "ck")
    for key in HISTORY_KEYS:
        assert with_records.history[key] == plain.history[key], key
    assert with_records.confusion_matrix.tolist() == plain.confusion_matrix.tolist()
    assert plain.grad_norm_mean == [None, None]  # a plain optimizer records nothing


def test_resumed_run_has_the_gradient_records_of_an_uninterrupted_one(resumed, trained):
    res, after, _ = resumed
    ref, _ = trained
    assert all(len(after["state"]["history"][k]) == 1 for k in GRADIENT_KEYS)  # checkpointed with the epoch
    for key in HISTORY_KEYS + GRADIENT_KEYS:
        assert res.history[key] == ref.history[key], key  # same device: identical, not merely close
    first, second = res.segments
    assert first["same_device_as_previous"] is None and second["same_device_as_previous"] is True
    assert res.resumed_elsewhere is False


def test_segments_say_when_a_run_was_resumed_on_another_device(tmp_path, mnist, monkeypatch):
    with pytest.raises(KeyboardInterrupt):
        run(TINY, tmp_path, cache_dir=tmp_path / "ck", on_epoch=interrupt_after_first_epoch)
    real = runner.environment
    monkeypatch.setattr(runner, "environment", lambda: {**real(), "device": "gpu:elsewhere"})
    res = run(TINY, tmp_path, cache_dir=tmp_path / "ck")
    assert [s["same_device_as_previous"] for s in res.segments] == [None, False]
    assert res.resumed_elsewhere is True


def test_checkpoint_from_before_gradient_records_resumes(tmp_path, mnist, trained, monkeypatch):
    """A checkpoint of the schema-1 runner (plain Adam, no gradient records in its state) resumes
    with its Adam state intact: the loss history is the uninterrupted run's; epoch 1 records None."""
    cache = tmp_path / "ck"
    without_gradient_recording(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        run(TINY, tmp_path, cache_dir=cache, on_epoch=interrupt_after_first_epoch)
    monkeypatch.undo()
    state_path = cache / TINY.id / "state.json"
    state = json.loads(state_path.read_text())
    for key in GRADIENT_KEYS:
        state["history"].pop(key)
    for seg in state["segments"]:
        seg.pop("same_device_as_previous")
    state_path.write_text(json.dumps(state))
    res = run(TINY, tmp_path, cache_dir=cache)
    ref, _ = trained
    for key in HISTORY_KEYS:
        assert res.history[key] == ref.history[key], key
    assert res.grad_norm_mean[0] is None and res.grad_norm_mean[1] == ref.grad_norm_mean[1]
    assert res.segments[1]["same_device_as_previous"] is True


def test_checkpoint_of_another_optimizer_fails_with_a_clear_message(tmp_path, mnist):
    with pytest.raises(KeyboardInterrupt):
        run(TINY, tmp_path, cache_dir=tmp_path / "ck", on_epoch=interrupt_after_first_epoch)
    other = TINY.replace(optimizer="rmsprop")  # Adam's checkpoint under RMSprop's id
    (tmp_path / "ck" / TINY.id).rename(tmp_path / "ck" / other.id)
    state_path = tmp_path / "ck" / other.id / "state.json"
    state = json.loads(state_path.read_text())
    state["spec"] = other.to_dict()
    state_path.write_text(json.dumps(state))
    with pytest.raises(ValueError, match="delete the checkpoint"):
        run(other, tmp_path, cache_dir=tmp_path / "ck")


def test_set_seed_draws_what_keras_set_random_seed_draws():
    """The same initial weights and the same dropout draws as ``keras.utils.set_random_seed``."""
    import keras

    from hilbertlib.models import build_model
    from hilbertlib.runner import set_seed
    from hilbertlib.specs import ExperimentSpec

    spec = ExperimentSpec("lstm", 14, "row", units=8, dense_units=8)
    draws = []
    for seed_with in (keras.utils.set_random_seed, set_seed):
        seed_with(3)
        weights = build_model(spec).get_weights()
        draws.append((weights, np.asarray(keras.random.uniform((4,))), np.random.rand(), __import__("random").random()))
    (w_a, u_a, n_a, r_a), (w_b, u_b, n_b, r_b) = draws
    for a, b in zip(w_a, w_b):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(u_a, u_b)
    assert n_a == n_b and r_a == r_b


def test_set_seed_does_not_import_tensorflow():
    code = "import sys; from hilbertlib.runner import set_seed; set_seed(0); print('tensorflow' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "KERAS_BACKEND": "jax"},
    )
    assert out.stdout.strip() == "False"


def test_chrono_changes_only_the_input_and_forget_biases():
    """One seed, two arms of chapter 11's ablation: the same initial weights but
    the biases of the input and forget gates."""
    from hilbertlib.models import build_model
    from hilbertlib.runner import set_seed

    units = 8
    built = []
    for init in ("keras", "chrono"):
        spec = ExperimentSpec("lstm", 14, "row", units=units, dense_units=8, init=init)
        set_seed(spec.seed)
        built.append(build_model(spec).get_weights())
    paper, chrono = built
    assert len(paper) == len(chrono)
    bias = next(i for i, w in enumerate(paper) if w.shape == (4 * units,))  # the LSTM's bias: [i, f, c, o]
    for i, (a, b) in enumerate(zip(paper, chrono)):
        if i != bias:
            np.testing.assert_array_equal(a, b)
    differs = paper[bias] != chrono[bias]
    assert differs[: 2 * units].all() and not differs[2 * units :].any()
