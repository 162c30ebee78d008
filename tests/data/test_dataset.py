"""Tests of forecast.data.dataset: typed columns, terms, targets, methods.

Expected values are read off the fixture CSVs by hand (tests/fixtures/tiny).
"""

import pandas as pd
import pytest

from forecast.config import Assumptions
from forecast.data.dataset import Dataset, load
from forecast.data.frames import period_kind
from forecast.errors import ConfigError, DataError

T = pd.Timestamp


def test_tiny_loads_with_vietnamese_numbers(tiny_dataset):
    obs = tiny_dataset.observations.set_index("obs_id")
    assert obs.at["tien-giang-admitted-2020", "value"] == 1252.0
    assert obs.at["tien-giang-attainment-2020", "value"] == 83.5
    assert obs.at["tien-giang-attainment-2022", "value"] == 89.96
    assert obs.at["tien-giang-admitted-2020-2022", "value"] == 1252 + 1278 + 1348
    assert obs.at["cu-pui-expected-2021", "qualifier"] == "range"
    assert (obs.at["cu-pui-expected-2021", "low"], obs.at["cu-pui-expected-2021", "high"]) == (10, 12)
    members = obs.loc["tien-giang-members-2020"]
    assert members["qualifier"] == "at_least" and members["low"] == 50000
    assert pd.isna(members["high"])


def test_period_kinds_and_partial_dates(tiny_dataset):
    obs = tiny_dataset.observations.set_index("obs_id")
    kinds = obs["period_kind"]
    assert kinds["tien-giang-admitted-2020"] == "year"
    assert kinds["krong-bong-admitted-2021h1"] == "part_year"
    assert kinds["tien-giang-admitted-2020-2022"] == "span"
    assert kinds["krong-bong-members-2021-10-12"] == "point"
    # "2015" .. "2020" written as years: first day of the first, last day of the last.
    assert obs.at["tien-giang-admitted-2015-2020", "period_start"] == T(2015, 1, 1)
    assert obs.at["tien-giang-admitted-2015-2020", "period_end"] == T(2020, 12, 31)
    assert pd.isna(obs.at["tien-giang-members-2020", "period_start"])


@pytest.mark.parametrize("start, end, measure, kind", [
    (T(2021, 1, 1), T(2021, 12, 31), "admitted", "year"),
    (T(2021, 1, 1), T(2021, 9, 30), "admitted", "part_year"),
    (T(2021, 7, 1), T(2021, 12, 31), "admitted", "span"),
    (T(2020, 1, 1), T(2021, 12, 31), "admitted", "span"),
    (pd.NaT, T(2021, 12, 31), "admitted", "point"),
    (T(2021, 1, 1), T(2021, 12, 31), "members", "point"),
])
def test_period_kind(start, end, measure, kind):
    assert period_kind(start, end, measure) == kind


def test_terms_default_window(tiny_dataset):
    terms = tiny_dataset.terms.set_index(["unit_id", "term"])
    row = terms.loc[("tien-giang", "2020-2025")]
    assert (row["start"], row["end"], row["explicit"]) == (T(2020, 1, 1), T(2025, 9, 30), False)
    assert set(terms.index) == {("tien-giang", "2020-2025"), ("krong-bong", "2020-2025"),
                                ("cu-pui", "2020-2025")}


def test_targets_windows(tiny_dataset):
    tg = tiny_dataset.targets.set_index("target_id")
    assert tg.at["tien-giang-term-2020-2025", "value"] == 6500
    assert tg.at["tien-giang-term-2020-2025", "deadline"] == T(2025, 9, 30)
    assert pd.isna(tg.at["tien-giang-term-2020-2025", "year"])
    assert tg.at["krong-bong-2021", "year"] == 2021
    assert (tg.at["krong-bong-2021", "start"], tg.at["krong-bong-2021", "deadline"]) == (
        T(2021, 1, 1), T(2021, 12, 31))


def test_methods(tiny_dataset):
    ds = tiny_dataset
    assert ds.children("tien-giang") == ["tan-phuoc", "go-cong-dong"]
    assert ds.children("cu-pui") == []
    assert ds.unit_name("cu-pui") == "Đảng bộ xã Cư Pui"
    assert ds.unit_name("cu-pui", "en") == "Cư Pui commune party committee"
    with pytest.raises(ConfigError, match="cu-pui"):
        ds.unit_name("cu-pu")
    assert ds.units.set_index("unit_id").at["tien-giang", "parent_id"] is None
    # Period ends on or before 30 Jun 2021: the 2015-2020 span, the members
    # stock (2020), 7 rows for 2020 (admitted, attainment, age 18-35, change is
    # 2022) ... counted by hand from observations.csv: 2015-2020, members-2020,
    # admitted-2020, attainment-2020, age18-35-2020, krong-bong h1 admitted and
    # attainment = 7.
    assert len(ds.observations_until("2021-06-30")) == 7
    assert len(ds.observations_until(None)) == 20
    # Dates as the charts write them (forecast.labels.fmt_date): "Sept", not "Sep".
    assert ds.source_line(["baoapbac-2023-09-16", "baoapbac-2023-09-16"]) == (
        "Source: Báo Ấp Bắc, 16 Sept 2023.")
    assert ds.source_line(["baoapbac-2023-09-16", "baodaklak-2021-10-12"], "vi") == (
        "Nguồn: Báo Ấp Bắc, 16/9/2023; Báo Đắk Lắk, 12/10/2021.")


def test_source_dates_use_the_chart_formats():
    from forecast.data.dataset import _format_published

    # A month alone as in chart text: "tháng 7/2023" / "July 2023"; a day as
    # fmt_date; a year or free text as written.
    assert [_format_published("2023-07", g) for g in ("vi", "en")] == ["tháng 7/2023", "July 2023"]
    assert [_format_published("2023-07-05", g) for g in ("vi", "en")] == ["5/7/2023", "5 July 2023"]
    assert _format_published("2023", "en") == "2023"
    assert _format_published("2023-13", "en") == "2023-13"


def test_explicit_terms_and_assumptions():
    units = [{"unit_id": "a", "name_vi": "A", "level": "province"}]
    sources = [{"source_id": "s", "title": "S"}]
    targets = [
        {"target_id": "a-term", "unit_id": "a", "term": "2020-2025", "kind": "term",
         "layer": "resolution", "measure": "count", "value": "100", "source_id": "s"},
        {"target_id": "a-old", "unit_id": "a", "term": "2015-2020", "kind": "term",
         "layer": "resolution", "measure": "count", "value": "90", "source_id": "s"},
    ]
    terms = [{"unit_id": "a", "term": "2020-2025", "start": "2020-10", "end": "2025-10"}]
    ds = Dataset.from_frames(units=units, sources=sources, targets=targets,
                             observations=[], terms=terms,
                             assumptions=Assumptions(term_start="07-01", term_end="06-30"))
    t = ds.terms.set_index("term")
    # Explicit row: partial start = first day, partial end = last day of the month.
    assert (t.at["2020-2025", "start"], t.at["2020-2025", "end"]) == (T(2020, 10, 1), T(2025, 10, 31))
    assert bool(t.at["2020-2025", "explicit"]) is True
    # Default rule with the assumptions given.
    assert (t.at["2015-2020", "start"], t.at["2015-2020", "end"]) == (T(2015, 7, 1), T(2020, 6, 30))
    tg = ds.targets.set_index("target_id")
    assert tg.at["a-term", "deadline"] == T(2025, 10, 31)


def test_corrections_applied_with_reported_kept():
    units = [{"unit_id": "a", "name_vi": "A", "level": "province"}]
    sources = [{"source_id": "s", "title": "S"}]
    obs = [{"obs_id": "o1", "unit_id": "a", "measure": "admitted", "value": "9",
            "period_start": "2023-01-01", "period_end": "2023-06-30", "source_id": "s"}]
    corr = [{"table": "observations", "record_id": "o1", "column": "value", "reported": "9",
             "corrected": "8", "reason": "the list names 8"}]
    ds = Dataset.from_frames(units=units, sources=sources, targets=[], observations=obs,
                             corrections=corr)
    row = ds.observations.iloc[0]
    assert (row["value"], row["value_text"], row["corrected_from"]) == (8.0, "8", "9")
    corr[0]["reported"] = "7"
    with pytest.raises(DataError, match="reported"):
        Dataset.from_frames(units=units, sources=sources, targets=[], observations=obs,
                            corrections=corr)


def test_paths_merged_in_order(tmp_path, tiny_dataset):
    extra = tmp_path / "mine"
    extra.mkdir()
    (extra / "observations-mine.csv").write_text(
        "obs_id,unit_id,measure,value,period_start,period_end,source_id\n"
        "cu-pui-admitted-2022,cu-pui,admitted,9,2022,2022,baodaklak-2021-10-12\n",
        encoding="utf-8")
    from conftest import TINY_DIR

    ds = load([TINY_DIR, extra])
    assert len(ds.observations) == len(tiny_dataset.observations) + 1
    assert ds.observations["obs_id"].iloc[-1] == "cu-pui-admitted-2022"
    assert len(ds.files) == 5


def test_shipped_data_loads():
    # The shipped data/ must always pass validation (load raises DataError if not).
    ds = load()
    assert len(ds.units) > 100 and len(ds.observations) > 200
    assert set(ds.observations["period_kind"]) <= {"year", "part_year", "span", "point"}
    tg = ds.targets.set_index("target_id")
    assert (tg["deadline"] >= tg["start"]).all()


def test_records_of_are_the_units_rows_as_dicts(tiny_dataset):
    # tests/fixtures/tiny/targets.csv: Tiền Giang has its 2020-2025 term
    # target of 6,500 (its only target).
    for u in tiny_dataset.units["unit_id"]:
        want = tiny_dataset.rows_of("targets", u)
        got = tiny_dataset.records_of("targets", u)
        assert [r["target_id"] for r in got] == list(want["target_id"])
    (tg,) = [r for r in tiny_dataset.records_of("targets", "tien-giang") if r["kind"] == "term"]
    assert tg["value"] == 6500 and tg["start"] == T("2020-01-01") and tg["year"] is None
    assert tiny_dataset.records_of("targets", "no-such-unit") == []


def test_memo_computes_once_and_again_for_a_replaced_table(tiny_dataset):
    import dataclasses

    calls = []

    def count_rows(ds):
        calls.append(1)
        return len(ds.observations)

    ds = dataclasses.replace(tiny_dataset)
    assert ds.memo("observations", "n", lambda: count_rows(ds)) == len(ds.observations)
    assert ds.memo("observations", "n", lambda: count_rows(ds)) == len(ds.observations)
    assert len(calls) == 1
    object.__setattr__(ds, "observations", ds.observations.iloc[:3])
    assert ds.memo("observations", "n", lambda: count_rows(ds)) == 3 and len(calls) == 2
