"""Parameter checks of the chapters (hilbertlib.book.check_parameters): the names added for chapter 9."""

from __future__ import annotations

import pytest

from hilbertlib.book import ParameterError, check_parameters


@pytest.mark.parametrize("name,value", [
    ("units", [0]),
    ("units", [10, "20"]),
    ("units", []),
    ("units", "100"),
    ("search_units", 0),
    ("search_units", 2.5),
    ("search_units", None),
    ("validation_size", 0),
    ("validation_size", True),
])
def test_reservoir_parameters_fail_with_a_fix(name, value):
    with pytest.raises(ParameterError) as info:
        check_parameters(**{name: value})
    assert repr(name) in str(info.value) and "fix: papermill" in str(info.value)


def test_reservoir_parameters_accept_good_values():
    good = dict(units=None, search_units=200, validation_size=None)
    assert check_parameters(**good) == good
    check_parameters(units=[10, 20], search_units=10, validation_size=256)
    check_parameters(units=(100,))


def test_a_list_parameter_gets_a_yaml_fix():
    with pytest.raises(ParameterError, match=r"fix: papermill \.\.\. -y 'units: \[10, 20\]'"):
        check_parameters(units="100")
