"""hilbertlib.machines: where a result was trained, stretch by stretch."""

import pytest

from hilbertlib import machines
from hilbertlib.result_files import Result
from hilbertlib.specs import ExperimentSpec

GPU = {"backend": "torch", "device": "cuda:NVIDIA H200"}
CPU = {"backend": "jax", "device": "cpu:cpu"}


def result(n, segments=None, env=CPU, seconds=None):
    data = {
        "history": {"loss": [1.0] * n, "accuracy": [0.5] * n},
        "environment": dict(env),
        "epoch_seconds": seconds or [float(i + 1) for i in range(n)],
    }
    if segments is not None:
        data["segments"] = [{"from_epoch": f, **m} for f, m in segments]
    return Result(spec=ExperimentSpec("lstm", 28), data=data)


def test_labels():
    assert machines.machine_label("torch", "cuda:NVIDIA H200") == "torch, NVIDIA H200"
    assert machines.machine_label("jax", "gpu:NVIDIA H200") == "jax, NVIDIA H200"
    assert machines.machine_label("jax", "cpu:cpu") == "jax, CPU"
    assert machines.machine_label(machines.NOT_RECORDED, machines.NOT_RECORDED) == machines.NOT_RECORDED


def test_no_segments_is_one_stretch_on_the_environment():
    r = result(20, env=GPU)
    assert machines.stretches(r) == [machines.Stretch(1, 20, "torch", "cuda:NVIDIA H200")]
    assert machines.one_machine(r) == ("torch", "cuda:NVIDIA H200")
    assert machines.trained_on(r) == "torch, NVIDIA H200"


def test_sittings_on_one_machine_merge_and_others_split():
    r = result(40, segments=[(0, GPU), (24, GPU), (38, CPU)])
    s = machines.stretches(r)
    assert [(x.first_epoch, x.last_epoch, x.label) for x in s] == [(1, 38, "torch, NVIDIA H200"), (39, 40, "jax, CPU")]
    assert machines.machines(r) == (("torch", "cuda:NVIDIA H200"), ("jax", "cpu:cpu"))
    assert machines.one_machine(r) is None
    assert machines.trained_on(r) == "torch, NVIDIA H200: 1-38; jax, CPU: 39-40"
    assert len(machines.trained_on(r)) <= 60


def test_a_machine_that_comes_back_is_a_new_stretch():
    r = result(20, segments=[(0, CPU), (4, GPU), (11, CPU)])
    assert [(x.first_epoch, x.last_epoch) for x in machines.stretches(r)] == [(1, 4), (5, 11), (12, 20)]
    assert machines.machines(r) == (("jax", "cpu:cpu"), ("torch", "cuda:NVIDIA H200"))
    assert machines.trained_on(r) == "jax, CPU: 1-4; torch, NVIDIA H200: 5-11; jax, CPU: 12-20"


def test_unrecorded_sitting():
    r = result(20, segments=[(0, {"backend": "not recorded"}), (10, CPU)])
    assert machines.stretches(r)[0].machine == (machines.NOT_RECORDED, machines.NOT_RECORDED)
    assert machines.one_machine(r) is None
    assert not machines.same_machine([r])


def test_same_machine():
    a, b = result(20, env=GPU), result(20, segments=[(0, GPU), (11, GPU)])
    assert machines.same_machine([a, b])
    assert not machines.same_machine([a, result(20)])
    assert not machines.same_machine([a, result(40, segments=[(0, GPU), (27, CPU)])])
    assert not machines.same_machine([])


def test_resumed_elsewhere_from_reads_the_segments():
    same, other = dict(CPU, same_device_as_previous=True), dict(CPU, same_device_as_previous=False)
    assert machines.resumed_elsewhere_from(result(20)) == []
    assert machines.resumed_elsewhere_from(result(20, segments=[(0, CPU), (9, same)])) == []
    assert machines.resumed_elsewhere_from(result(20, segments=[(0, CPU), (9, same), (17, other)])) == [18]
    # an old resume that did not record whether it stayed put is not counted as a move
    assert machines.resumed_elsewhere_from(result(20, segments=[(0, CPU), (5, CPU)])) == []
    # the same machine for the chapters' comparisons: the processor is not part of (backend, device)
    assert machines.one_machine(result(20, segments=[(0, CPU), (17, other)])) == ("jax", "cpu:cpu")


def test_processors_in_order_of_first_use():
    a, b = dict(CPU, cpu="Xeon A"), dict(CPU, cpu="Xeon B")
    assert machines.processors(result(20, segments=[(0, a), (5, b), (9, a)])) == ("Xeon A", "Xeon B")
    assert machines.processors(result(20, env=dict(CPU, cpu="Xeon A"))) == ("Xeon A",)
    assert machines.processors(result(20, segments=[(0, CPU)])) == (machines.NOT_RECORDED,)


def test_began_on_reads_each_runs_first_sitting_by_group():
    a, b = dict(CPU, cpu="Xeon A"), dict(CPU, cpu="Xeon B")
    runs = {
        "first": {0: result(20, segments=[(0, a)]), 1: result(20, segments=[(0, a), (5, b)])},
        "second": {0: result(20, segments=[(0, b), (17, a)]), 2: result(20, env=dict(CPU, cpu="Xeon B"))},
        "mixed": {0: result(20, segments=[(0, a)]), 1: result(20, segments=[(0, b)])},
        "empty": {},
    }
    assert machines.began_on(runs) == {
        "first": frozenset({"Xeon A"}),
        "second": frozenset({"Xeon B"}),
        "mixed": frozenset({"Xeon A", "Xeon B"}),
    }


def test_epoch_seconds_by_machine():
    r = result(4, segments=[(0, GPU), (2, CPU)], seconds=[20.0, 21.0, 410.0, 420.0])
    assert machines.epoch_seconds([r], ("jax", "cpu:cpu")) == [410.0, 420.0]
    seconds = machines.epoch_seconds([r, result(1, env=GPU, seconds=[19.0])], ("torch", "cuda:NVIDIA H200"))
    assert seconds == [20.0, 21.0, 19.0]


def test_not_a_result():
    with pytest.raises(TypeError, match="stored result"):
        machines.stretches(42)


def test_seconds_per_epoch_is_the_median():
    from hilbertlib.machines import seconds_per_epoch

    class R:
        epoch_seconds = [30.0, 10.0, 12.0, 11.0]

    assert seconds_per_epoch(R()) == 11.5
