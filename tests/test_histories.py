"""hilbertlib.histories: peaks, rises of the training loss and collapse, from a run's history."""

import numpy as np
import pytest

from hilbertlib import histories
from hilbertlib.result_files import Result
from hilbertlib.specs import ExperimentSpec


def test_peak_is_the_first_maximum():
    assert histories.peak([0.1, 0.5, 0.5, 0.2]) == (2, 0.5)


def test_loss_rises():
    loss = [2.1, 1.8, 1.43, 2.16, 1.7, 2.29, 2.29]
    rises = histories.loss_rises(loss)
    assert [(r.epoch, r.before, r.after) for r in rises] == [(4, 1.43, 2.16), (6, 1.7, 2.29)]
    assert histories.loss_rises(loss, min_rise=0.65)[0].epoch == 4
    big = histories.largest_loss_rise(loss)
    assert big.epoch == 4 and big.rise == pytest.approx(0.73)
    assert histories.largest_loss_rise([2.0, 1.0, 1.0, 0.5]) is None


@pytest.mark.parametrize("bad", [[], [1.0, float("nan")], [[1.0]]])
def test_bad_series(bad):
    with pytest.raises(ValueError, match="finite"):
        histories.peak(bad)


def test_negative_min_rise():
    with pytest.raises(ValueError, match="min_rise"):
        histories.loss_rises([1.0, 2.0], min_rise=-1)


def _result(acc, val, loss, cm):
    data = {
        "history": {"accuracy": acc, "val_accuracy": val, "loss": loss},
        "test": {"accuracy": float(np.trace(cm) / np.sum(cm)), "confusion_matrix": cm},
    }
    return Result(spec=ExperimentSpec("lstm", 28), data=data)


def test_course_of_a_collapsed_run():
    cm = np.zeros((10, 10), int)
    cm[:, 1] = 100  # every image answered "1"
    c = histories.course(_result([0.19, 0.11, 0.11], [0.105, 0.105, 0.105], [2.11, 2.30, 2.30], cm.tolist()))
    assert c.epochs == 3 and c.first_train_accuracy == 0.19 and c.collapsed and c.constant_answer == 1
    assert c.best_val_epoch == 1 and c.final_val_accuracy == 0.105 and c.test_accuracy == pytest.approx(0.1)
    assert c.largest_loss_rise.epoch == 2


def test_course_of_a_run_that_learns():
    cm = np.eye(10, dtype=int) * 90 + 1
    c = histories.course(_result([0.3, 0.6, 0.8], [0.5, 0.7, 0.85], [1.9, 1.2, 0.7], cm.tolist()))
    assert not c.collapsed and c.largest_loss_rise is None and (c.best_val_epoch, c.best_val_accuracy) == (3, 0.85)


def test_fell_back_needs_a_peak_above_chance_and_a_fall():
    from hilbertlib.histories import fell_back

    assert fell_back([0.3, 0.49, 0.12])
    assert not fell_back([0.3, 0.49, 0.45])  # a dip within the allowed fall
    assert not fell_back([0.14, 0.02])  # never left chance
    assert not fell_back([])


def test_is_uniform_loss_is_ln_of_the_classes():
    assert histories.is_uniform_loss(np.log(10) + 0.005) and not histories.is_uniform_loss(np.log(10) + 0.02)
    assert histories.is_uniform_loss(np.log(2), classes=2) and not histories.is_uniform_loss(np.log(2))
    assert histories.is_uniform_loss(2.4, tol=0.2) and not histories.is_uniform_loss(2.4)


@pytest.mark.parametrize("kw", [{"classes": 1}, {"tol": 0}, {"tol": -0.1}])
def test_is_uniform_loss_rejects_bad_arguments(kw):
    with pytest.raises(ValueError, match="classes"):
        histories.is_uniform_loss(2.3, **kw)


def test_is_uniform_loss_rejects_a_nan():
    with pytest.raises(ValueError, match="finite"):
        histories.is_uniform_loss(float("nan"))


def test_uniform_from_is_the_start_of_the_last_stretch():
    ln10 = float(np.log(10))
    assert histories.uniform_from([2.08, 2.25, ln10, ln10, ln10]) == 3
    assert histories.uniform_from([ln10, 1.9, ln10, ln10]) == 3  # an earlier visit does not count
    assert histories.uniform_from([ln10, ln10]) == 1
    assert histories.uniform_from([ln10, ln10, 2.2]) is None  # left it at the end
    with pytest.raises(ValueError, match="finite"):
        histories.uniform_from([])
