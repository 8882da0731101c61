"""hilbertlib.lookup: one spec of a grid by its fields, under a protocol."""

import pytest

from hilbertlib import grid, lookup
from hilbertlib.specs import PAPER, Protocol

RECIPE = dict(
    model="lstm",
    size=28,
    ordering="row",
    seed=0,
    epochs=20,
    learning_rate=1e-3,
    schedule="constant",
    **grid.LONG_RECIPE,
)


def test_finds_the_recipe_and_its_variants_at_the_paper_protocol():
    specs = grid.long_sequence_specs()
    assert lookup.find(specs, PAPER, **RECIPE).id == "lstm-28-row-s0-clip1-chrono"
    top = lookup.find(specs, PAPER, **{**RECIPE, **grid.LONG_TOP})
    assert top.id == "lstm-28-row-s0-e40-lr0.002-cosine-clip1-chrono"
    assert [lookup.find(specs, PAPER, **{**RECIPE, **grid.LONG_BEST, "seed": s}).seed for s in (0, 1, 2)] == [0, 1, 2]


def test_a_quick_protocol_ignores_the_fields_it_sets():
    quick = Protocol(epochs=1, train_size=256, test_size=256)
    specs = grid.long_sequence_specs(quick)
    short = lookup.find(specs, quick, **RECIPE)
    longer = lookup.find(specs, quick, **{**RECIPE, **grid.LONG_BEST})
    assert short == longer and short.epochs == 1 and short.reduced


def test_none_or_several_is_an_error():
    specs = grid.long_sequence_specs()
    with pytest.raises(LookupError, match="found 0"):
        lookup.find(specs, PAPER, **{**RECIPE, "seed": 7})
    with pytest.raises(LookupError, match="found 2"):
        lookup.find(specs, PAPER, model="plstm", ordering="row")
    assert len(lookup.find_all(specs, PAPER, model="plstm")) == 4


def test_unknown_field():
    with pytest.raises(ValueError, match="unknown spec fields"):
        lookup.find_all([], PAPER, colour="red")
