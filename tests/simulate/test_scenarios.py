"""Scenario attainments by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.errors import ConfigError, ModelError
from forecast.models.base import Exposure, UnitData
from forecast.simulate.scenarios import (
    Scenario, check_scenario_units, parse_scenario, parse_scenarios, read_scenario_csv,
)


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


# --- scenarios in counts ----------------------------------------------------------
def test_counts_per_year_become_attainment_of_the_exposure():
    ud = _unit([80], target=1500.0)
    # 1200 a year against an annual target of 1,500: 1200 / 1500 = 0.8 every year.
    for text in ("1200/năm", "1200/yr", "1200 / nam", "1.200/năm", "count:1200"):
        sc = parse_scenario(text)
        assert sc.name == "count:1200" and sc.counts, text
        f = sc.attainment(ud, 2023)
        assert (f(2023), f(2030)) == (pytest.approx(0.8), pytest.approx(0.8))
    # One count per future year, the last repeating: 1300 / 1500 = 0.8667, 1400 / 1500 = 0.9333.
    sc = parse_scenario("1200,1300,1400")
    assert sc.name == "count:1200,1300,1400"
    f = sc.attainment(ud, 2023)
    assert [f(y) for y in (2023, 2024, 2025, 2026)] == pytest.approx(
        [0.8, 1300 / 1500, 1400 / 1500, 1400 / 1500])
    assert parse_scenario("1.200;1.300/năm").values == (1200.0, 1300.0)


def test_counts_follow_each_years_exposure():
    ud = UnitData("u", _unit([5]).counts, Exposure("annual_target", {2023: 1000.0, 2024: 1300.0}))
    f = parse_scenario("1300/yr").attainment(ud, 2023)
    # 1300 / 1000 = 1.3 in 2023; 1300 / 1300 = 1.0 in 2024; 2025 takes 2024's target.
    assert (f(2023), f(2024), f(2025)) == pytest.approx((1.3, 1.0, 1.0))


def test_plain_numbers_small_are_shares_large_are_counts():
    assert parse_scenario("1,1.1").name == "given:1,1.1"
    assert parse_scenario("3").name == "given:3"
    assert parse_scenario("4").name == "count:4"
    for bad, why in (("1.200", "ambiguous"), ("0.9,1200.5", "whole numbers"),
                     ("50%/năm", "cannot be a percentage"), ("-5", "negative"),
                     ("optimistic", "not a scenario name")):
        with pytest.raises(ConfigError, match=why):
            parse_scenario(bad)


def test_count_scenario_in_the_outlook_by_hand(tiny_dataset):
    """Deterministic final = cumulative + count × (future whole years + the part of 2025).

    The 'full' scenario adds E = 1,500 (Tiền Giang's implied annual target)
    per whole year, so its deterministic final gives the part-year factor
    w = (final_full - 3,878) / 1,500; a count c then adds c × w, and
    1000,1200,1500 adds 1000 + 1200 + 1500 × (w - 2).
    """
    from forecast.config import Assumptions
    from forecast.outlook.table import outlook

    res = outlook(tiny_dataset, as_of="2022-12-31", scenarios=["full", "1200/năm",
                                                               "1000,1200,1500"],
                  assumptions=Assumptions(n_paths=200, seed=1), units=["tien-giang"],
                  requirements=False)
    t = res.table[res.table["target_kind"] == "term"].set_index("scenario")
    cum = 3878.0
    assert t.loc["model", "cumulative"] == cum
    w = (t.loc["full-deterministic", "final_mean"] - cum) / 1500
    assert 2 < w < 3
    assert t.loc["count:1200-deterministic", "final_mean"] == pytest.approx(cum + 1200 * w)
    assert t.loc["count:1000,1200,1500-deterministic", "final_mean"] == pytest.approx(
        cum + 1000 + 1200 + 1500 * (w - 2))
    assert np.isfinite(t.loc["count:1200", "p_reach"])


# --- per-unit scenario files ------------------------------------------------------
def _csv(tmp_path, text, name="plan.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_scenario_file_by_hand(tmp_path):
    path = _csv(tmp_path, "unit_id,scenario,year,count,attainment\n"
                          "u,plan,2024,150,\n"
                          "u,plan,2025,,90%\n"
                          "v,plan,2024,,\"0,5\"\n"
                          "u,low,2024,1.200,\n")
    plan, low = read_scenario_csv(path)
    assert (plan.name, low.name) == ("plan", "low")
    assert plan.unit_ids() == ["u", "v"]
    f = plan.attainment(_unit([80], target=100.0), 2024)
    # 2024: 150 / 100 = 1.5; 2025: 90 % = 0.9; 2023 takes the first row, 2027 the last.
    assert [f(y) for y in (2023, 2024, 2025, 2027)] == pytest.approx([1.5, 1.5, 0.9, 0.9])
    # 1.200 is Vietnamese for one thousand two hundred: 1200 / 100 = 12.
    assert low.attainment(_unit([80], target=100.0), 2024)(2024) == pytest.approx(12.0)
    other = UnitData("w", _unit([1]).counts, Exposure("annual_target", {2024: 10.0}))
    with pytest.raises(ModelError, match="has no row for this unit"):
        plan.attainment(other, 2024)
    # Through parse_scenarios, relative to a folder, beside other scenarios.
    names = [s.name for s in parse_scenarios(["full", "plan.csv", "1200/yr"], base_dir=tmp_path)]
    assert names == ["full", "plan", "low", "count:1200"]


def test_scenario_file_semicolons_and_bom(tmp_path):
    path = tmp_path / "vi.csv"
    path.write_bytes("unit_id;scenario;year;count\nu;ke-hoach;2024;1.500\n".encode("utf-8-sig"))
    (sc,) = read_scenario_csv(path)
    assert sc.by_unit == (("u", ((2024, True, 1500.0),)),)


@pytest.mark.parametrize("body, where, why", [
    ("unit_id,scenario,count\nu,p,5\n", "row 1", "lacks year"),
    ("unit_id,scenario,year\nu,p,2024\n", "row 1", "lacks count or attainment"),
    ("unit_id,scenario,year,count,attainment\nu,p,24,5,\n", "row 2, column 'year'",
     "expected a year"),
    ("unit_id,scenario,year,count,attainment\nu,p,2024,5,90%\n", "row 2, column 'count'",
     "both count and attainment"),
    ("unit_id,scenario,year,count,attainment\n\nu,p,2024,,\n", "row 3, column 'count'",
     "neither count nor attainment"),
    ("unit_id,scenario,year,count\nu,p,2024,many\n", "row 2, column 'count'", "found 'many'"),
    ("unit_id,scenario,year,count\nu,p,2024,-3\n", "row 2, column 'count'", "negative"),
    ("unit_id,scenario,year,attainment\nu,p,2024,90\n", "row 2, column 'attainment'",
     "write it as 90%"),
    ("unit_id,scenario,year,count\nu,p,2024,5\nu,p,2024,6\n", "row 3, column 'year'",
     "second row"),
    ("unit_id,scenario,year,count\nu,full,2024,5\n", "row 2, column 'scenario'", "reserved"),
    ("unit_id,scenario,year,count\n,p,2024,5\n", "row 2, column 'unit_id'", "empty"),
    ("unit_id,scenario,year,count\n", "plan.csv", "no rows"),
])
def test_scenario_file_errors_name_file_row_column_and_fix(tmp_path, body, where, why):
    path = _csv(tmp_path, body)
    with pytest.raises(ConfigError) as err:
        read_scenario_csv(path)
    msg = str(err.value)
    assert str(path) in msg and where in msg and why in msg and "Fix:" in msg


def test_scenario_file_missing_and_unknown_unit(tmp_path):
    with pytest.raises(ConfigError, match="scenario file not found"):
        parse_scenarios(["nowhere.csv"], base_dir=tmp_path)
    path = _csv(tmp_path, "unit_id,scenario,year,count\ntien-giag,p,2024,5\n")
    with pytest.raises(ConfigError, match="unknown unit 'tien-giag'.*nearest: tien-giang"):
        check_scenario_units(read_scenario_csv(path), ["tien-giang", "cu-pui"])
    with pytest.raises(ConfigError, match="given twice"):
        parse_scenarios(["full", "full"])
