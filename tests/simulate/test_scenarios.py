"""Scenario attainments by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.errors import ConfigError, ModelError
from forecast.models.base import Exposure, UnitData
from forecast.simulate.scenarios import Scenario, parse_scenario


def _unit(values, target=100.0, kind="annual_target"):
    years = list(range(2020, 2020 + len(values)))
    counts = pd.DataFrame({
        "obs_id": [f"y{y}" for y in years],
        "period_start": [pd.Timestamp(y, 1, 1) for y in years],
        "period_end": [pd.Timestamp(y, 12, 31) for y in years],
        "value": [float(v) for v in values], "low": np.nan, "high": np.nan,
        "weights": [{y: 1.0} for y in years],
    })
    return UnitData("u", counts, Exposure(kind, {2020: target}))


def test_named_scenarios_by_hand():
    ud = _unit([80, 90, 100])  # attainments 0.8, 0.9, 1.0 of a target of 100
    assert Scenario("last").attainment(ud, 2023)(2023) == pytest.approx(1.0)
    assert Scenario("mean").attainment(ud, 2023)(2024) == pytest.approx(0.9)
    # Line through (2020, .8), (2021, .9), (2022, 1.0): 2023 -> 1.1, 2025 -> 1.3.
    trend = Scenario("trend").attainment(ud, 2023)
    assert trend(2023) == pytest.approx(1.1) and trend(2025) == pytest.approx(1.3)
    assert Scenario("full").attainment(ud, 2023)(2030) == 1.0
    # A falling line is floored at zero.
    assert Scenario("trend").attainment(_unit([100, 50, 10]), 2023)(2030) == 0.0


def test_given_list_repeats_its_last_value():
    sc = parse_scenario("90%,100%")
    assert sc.name == "given:0.9,1" and sc.values == (0.9, 1.0)
    f = sc.attainment(_unit([80]), 2023)
    assert (f(2023), f(2024), f(2025)) == (0.9, 1.0, 1.0)
    assert parse_scenario("0.8, 1.1").values == (0.8, 1.1)


def test_bad_scenario_and_unit_without_target():
    with pytest.raises(ConfigError, match="expected one of last, mean, trend, full"):
        parse_scenario("optimistic")
    with pytest.raises(ModelError, match="has none. Fix: add its annual or term target"):
        Scenario("full").attainment(_unit([5], kind="own_level"), 2023)
