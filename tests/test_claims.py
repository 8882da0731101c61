"""hilbertlib.claims (chapters 4 to 6, 13): the paper's numbers and the rules that compare ours with them."""

from __future__ import annotations

import pytest

from hilbertlib import claims
from hilbertlib.claims import (
    NOT_REPRODUCED,
    REPRODUCED,
    verdict,
    verdict_chance,
    verdict_chance_over,
    verdict_commonest_over,
)


def test_verdict_within_the_tolerance():
    assert verdict(0.955, 0.97) == REPRODUCED
    assert verdict(0.99, 0.97) == REPRODUCED
    assert verdict(0.995, 0.97).endswith("(higher)")
    assert verdict(0.90, 0.92, tol=0.01).endswith("(lower)")


def test_verdict_chance():
    assert verdict_chance(0.1135) == REPRODUCED
    assert verdict_chance(0.6).startswith(NOT_REPRODUCED)


def test_verdict_chance_over_counts_the_seeds_that_learned():
    assert verdict_chance_over([0.11, 0.1135]) == REPRODUCED
    assert verdict_chance_over([0.85]) == verdict_chance(0.85) == f"{NOT_REPRODUCED} (above chance)"
    assert verdict_chance_over([0.85, 0.11, 0.15]) == f"{NOT_REPRODUCED} (above chance in 2 of 3 seeds)"
    with pytest.raises(ValueError, match="at least one"):
        verdict_chance_over([])


def test_verdict_commonest_over_counts_the_seeds_where_the_mistake_leads():
    assert verdict_commonest_over([1]) == verdict_commonest_over([1, 1, 1]) == REPRODUCED
    assert verdict_commonest_over([14]) == verdict_commonest_over([None]) == NOT_REPRODUCED
    assert verdict_commonest_over([14, 5, 1]) == f"{NOT_REPRODUCED} (the commonest in 1 of 3 seeds)"
    assert verdict_commonest_over([2, None]) == f"{NOT_REPRODUCED} (the commonest in 0 of 2 seeds)"
    assert verdict_commonest_over(iter([1, 1, 3])) == f"{NOT_REPRODUCED} (the commonest in 2 of 3 seeds)"
    with pytest.raises(ValueError, match="at least one"):
        verdict_commonest_over([])


def test_the_papers_numbers():
    assert claims.PAPER_CONFUSION == (9, 4)
    assert claims.PAPER["lstm-14-row"] - claims.PAPER["lstm-14-hilbert"] == pytest.approx(0.05)
    assert claims.CHANCE_THRESHOLD > 0.1135  # always answering the commonest digit stays "at chance"
