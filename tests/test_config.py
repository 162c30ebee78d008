"""Assumptions: validation, the unknown-name error, and the docs listing them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from forecast.config import Assumptions
from forecast.errors import ConfigError

DOC = Path(__file__).resolve().parents[1] / "docs" / "assumptions.md"


def test_every_assumption_is_documented():
    text = DOC.read_text(encoding="utf-8")
    for f in dataclasses.fields(Assumptions):
        if f.name != "extra":
            assert f"`{f.name}`" in text, f.name


def test_unknown_name_is_refused_with_the_valid_names():
    with pytest.raises(ConfigError) as err:
        Assumptions.from_mapping({"term_ned": "09-30"}, where="configs/x.yaml")
    msg = str(err.value)
    assert "configs/x.yaml" in msg and "term_ned" in msg and "term_end" in msg


@pytest.mark.parametrize("kwargs, words", [
    ({"term_end": "30/09"}, "MM-DD"),
    ({"pace_on_track": 0.5, "pace_limited": 0.6}, "pace_limited < pace_on_track"),
    ({"conversion_trained": 57.1}, "0.367"),
    ({"within_year_profile": (0.5,) * 12}, "ending in 1.0"),
    ({"n_paths": 10}, "at least 100"),
])
def test_bad_values_are_refused(kwargs, words):
    with pytest.raises(ConfigError, match=words.replace("(", r"\(").replace(".", r"\.")):
        Assumptions(**kwargs)


def test_profile_is_stored_as_a_tuple_and_serialises():
    prof = [i / 12 for i in range(1, 13)]
    a = Assumptions(within_year_profile=prof)
    assert a.within_year_profile == tuple(prof)
    assert a.as_dict()["within_year_profile"] == prof
