"""hilbertlib.confusion (chapters 4 to 6, 10, 13): the commonest mistakes and a constant answer."""

from __future__ import annotations

import numpy as np
import pytest

from hilbertlib import confusion


def test_constant_answer_reads_a_single_non_empty_column():
    cm = np.zeros((10, 10), dtype=int)
    cm[:, 1] = np.arange(10) + 5  # every image, whatever its class, answered "1"
    assert confusion.constant_answer(cm) == 1
    assert confusion.constant_answer(cm.tolist()) == 1
    cm[3, 3] = 1  # one image answered otherwise
    assert confusion.constant_answer(cm) is None
    assert confusion.constant_answer(np.eye(10, dtype=int)) is None
    with pytest.raises(ValueError, match="square"):
        confusion.constant_answer(np.zeros((10, 9)))


def test_confused_pairs_order_and_ties():
    cm = np.diag([50] * 10)
    cm[9, 4] = 7
    cm[4, 9] = 3
    cm[7, 2] = 3
    cm[3, 5] = 3
    assert confusion.confused_pairs(cm, top=3) == [(9, 4, 7), (3, 5, 3), (4, 9, 3)]
    assert confusion.confused_pairs(np.diag([5] * 10)) == []
    with pytest.raises(ValueError, match="square"):
        confusion.confused_pairs(np.zeros((2, 3)))


def test_pair_rank_and_description():
    cm = np.diag([50] * 10)
    cm[9, 4] = 7
    cm[7, 2] = 3
    assert confusion.pair_rank(cm, 9, 4) == 1
    assert confusion.pair_rank(cm, 7, 2) == 2
    assert confusion.pair_rank(cm, 1, 2) is None
    assert confusion.describe_pair((9, 4, 7)) == "9 read as 4 (7 test images)"
    assert confusion.describe_pair((9, 4, 1)) == "9 read as 4 (1 test image)"


def test_pair_ranks_keeps_the_keys_and_ranks_each_matrix():
    lead = np.diag([50] * 10)
    lead[9, 4] = 7
    lead[7, 2] = 3
    second = lead.copy()
    second[7, 2] = 9
    never = np.diag([50] * 10)
    never[7, 2] = 1
    ranks = confusion.pair_ranks({"s0": lead, "s1": second, "s2": never}, 9, 4)
    assert ranks == {"s0": 1, "s1": 2, "s2": None}
    assert all(ranks[k] == confusion.pair_rank(cm, 9, 4) for k, cm in {"s0": lead, "s1": second}.items())
    assert confusion.pair_ranks({}, 9, 4) == {}
