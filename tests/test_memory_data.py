"""hilbertlib.memory_data and ``python -m hilbertlib memory``: chapter 7's measurements as committed data.

A tiny network measured into a temporary folder checks what a measurement
holds, how it is stored and when it is out of date; one committed
measurement is partly measured again (two values of k on all 10,000 test
images) so that the committed data cannot drift from the code.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from hilbertlib import memory, memory_data  # noqa: E402
from hilbertlib.__main__ import main  # noqa: E402
from hilbertlib.result_files import RESULTS_DIR, Result  # noqa: E402
from hilbertlib.specs import ExperimentSpec, Protocol  # noqa: E402

TINY = ExperimentSpec("lstm", 14, "row", units=8, dense_units=8, test_size=24)


def _stored(tmp_path, spec: ExperimentSpec, seed: int | None = None) -> Result:
    """A stored run of ``spec`` whose weights are the initial ones (of ``seed``, default the spec's)."""
    from hilbertlib.probes import fresh_model

    model = fresh_model(spec if seed is None else spec.replace(seed=seed))
    (tmp_path / "weights").mkdir(exist_ok=True)
    keras.Model(model.inputs, model.outputs).save_weights(tmp_path / "weights" / f"{spec.id}.weights.h5")
    return Result(
        spec=spec,
        data={"weights": f"weights/{spec.id}.weights.h5", "test": {"accuracy": 0.5}},
        path=tmp_path / f"{spec.id}.json",
    )


def test_the_grid_of_k():
    ks = memory_data.blank_grid(196)
    assert ks[0] == 0 and ks[-1] == 196 and 196 - memory_data.HORIZON in ks
    assert set(range(0, 196, 10)) <= set(ks) and len(ks) == len(set(ks)) == 22
    assert memory_data.blank_grid(100) == (*range(0, 100, 10), 100)  # no point 150 steps before the end


def test_chapter_specs_are_the_paper_lstms_at_14x14_over_seeds():
    ids = [s.id for s in memory_data.chapter_specs()]
    assert ids == [f"lstm-14-{o}-s{k}" for o in ("row", "hilbert") for k in (0, 1, 2)]
    quick = memory_data.chapter_specs(Protocol(epochs=1, train_size=64, test_size=64), seeds=[0])
    assert len(quick) == 2 and all(s.reduced for s in quick)


def test_a_measurement_holds_what_the_chapter_reads(tmp_path, mnist):
    from hilbertlib.data import sample_sequences
    from hilbertlib.probes import trained_model

    res = _stored(tmp_path, TINY)
    m = memory_data.measure(res, n=20)
    assert m.id == f"{TINY.id}-m20" and m.result_id == TINY.id and m.n == 20
    assert tuple(m.ks) == memory_data.blank_grid(196)
    x, y = sample_sequences(14, "row", 20)
    pred = np.asarray(trained_model(res).predict(x, verbose=0)).argmax(1)
    assert m.correct[0] == int(np.sum(pred == y)) and m.accuracy[0] == pytest.approx(np.mean(pred == y))
    assert m.ink_share[0] == 0 and m.ink_share[-1] == pytest.approx(1.0)
    # its weights are its initial weights, so training changed nothing
    np.testing.assert_array_equal(m.mean_forget, m.initial_mean_forget)
    np.testing.assert_allclose(m.tau, memory.time_constants(memory.forget_gate_trace(trained_model(res), x)), rtol=1e-6)
    assert m.unit_retention.shape == (195, 8) and m.retention.shape == (195,)
    assert m.mid == 98 and m.retention_mid.shape == (97,)
    assert m.to_end.shape == (195,) and np.all(m.to_end_best >= m.to_end * (1 - 1e-5))
    assert m.environment["backend"] == keras.backend.backend() and m.at(46) == list(m.ks).index(46)
    with pytest.raises(ValueError, match="grid"):
        m.at(47)


def test_stored_measurements_round_trip_and_go_out_of_date(tmp_path, mnist):
    res = _stored(tmp_path, TINY)
    m = memory_data.measure(res)  # all 24 test images of the quick run: the run's own id
    assert m.id == TINY.id and m.n == 24
    path = memory_data.save(m, tmp_path)
    assert path == tmp_path / "memory" / f"{TINY.id}.json" == memory_data.measurement_path(res, None, tmp_path)
    assert memory_data.check(res, tmp_path) is None
    back = memory_data.load(res, tmp_path)
    assert back.data == json.loads(json.dumps(m.data)) and back.path == path
    np.testing.assert_allclose(back.retention, m.retention, rtol=1e-5)
    # fewer images: another file, missing, and the error names the command that makes it
    command = f"python -m hilbertlib memory --only {TINY.id} --images 10"
    with pytest.raises(memory_data.MissingMeasurementError, match=command):
        memory_data.load(res, tmp_path, n=10)
    # other weights under the same run id: out of date
    _stored(tmp_path, TINY, seed=5)
    assert "weights" in memory_data.check(res, tmp_path)
    with pytest.raises(memory_data.MissingMeasurementError, match="--recompute"):
        memory_data.load(res, tmp_path)
    # a quick run is measured again by load_all, and never written into the committed results/
    again = memory_data.load_all({res.id: res}, tmp_path)
    assert memory_data.check(res, tmp_path) is None and again[res.id].path == path
    with pytest.raises(ValueError, match="quick"):
        memory_data.save(m, RESULTS_DIR)
    with pytest.raises(ValueError, match="recompute"):
        memory_data.load_all([res], tmp_path, recompute="yes")


def test_the_command_lists_and_refuses(tmp_path, capsys):
    assert main(["memory", "--results", str(tmp_path), "--list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 6 and all("python -m hilbertlib run --only lstm-14-" in line for line in out)
    assert main(["memory", "--results", str(tmp_path), "--only", "lstm-14-row-s0"]) == 1
    with pytest.raises(SystemExit, match="cnn-28-s0"):
        main(["memory", "--results", str(tmp_path), "--only", "cnn-28-s0"])


def test_the_committed_measurements_are_up_to_date(capsys):
    assert main(["memory", "--list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in out] == [s.id for s in memory_data.chapter_specs()]
    assert all(line.endswith("up to date") for line in out), out


def test_a_committed_measurement_is_what_the_code_measures(mnist):
    """Two values of k on all 10,000 test images, about one pass over the test set."""
    from hilbertlib import results
    from hilbertlib.data import sample_sequences
    from hilbertlib.memory_blanking import PrefixBlanker, blank_prefix_correct, prefix_ink_fraction
    from hilbertlib.probes import trained_model

    res = results.load(ExperimentSpec("lstm", 14, "hilbert", seed=0))
    stored = memory_data.load(res)
    assert stored.n == 10_000 and stored.correct[0] / stored.n == pytest.approx(res.test_accuracy)
    x, y = sample_sequences(14, "hilbert", stored.n)
    np.testing.assert_allclose(prefix_ink_fraction(x, stored.ks), stored.ink_share, rtol=1e-12)
    ks = [46, 170]
    model = trained_model(res)
    got = blank_prefix_correct(model, x, y, ks, blanker=PrefixBlanker(model))
    want = stored.correct[[stored.at(k) for k in ks]]
    # Exact on the machine that measured them; float rounding on another CPU may flip a borderline image.
    assert np.abs(got - want).max() <= 2, (got, want)
