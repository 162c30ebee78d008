"""Tests of the audit. Expected values are worked by hand beside each test."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from forecast.audit.run import FINDING_COLUMNS, audit, findings_records, format_findings
from forecast.audit.percent import (
    agreement, counts_agree, describe_whole, implied_bounds, percent_bounds,
    printed_decimals, whole_numbers,
)
from forecast.data.dataset import Dataset
from forecast.errors import ConfigError

SRC = "src-a"


# -- plain arithmetic -----------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("83,5%", 1), ("89,96 %", 2), ("27%", 0), ("120%", 0), ("1.252", 0),
    ("43.72", 2), ("trên 111%", 0), ("10-12,5%", 1), ("6.500", 0), ("114,2%", 1),
])
def test_printed_decimals(text, expected):
    assert printed_decimals(text) == expected


def test_percent_bounds_by_rule():
    # 83,5 with one decimal, unit 0.1: rounded [83.45, 83.55), truncated [83.5, 83.6),
    # either [83.45, 83.6).
    assert percent_bounds(83.5, 83.5, 1, "round") == pytest.approx((83.45, 83.55))
    assert percent_bounds(83.5, 83.5, 1, "truncate") == pytest.approx((83.5, 83.6))
    assert percent_bounds(83.5, 83.5, 1, "either") == pytest.approx((83.45, 83.6))
    # 27 with no decimals: rounded [26.5, 27.5).
    assert percent_bounds(27, 27, 0, "round") == pytest.approx((26.5, 27.5))
    lo, hi = percent_bounds(111, math.nan, 0, "either")  # "trên 111 %": open above
    assert lo == pytest.approx(110.5) and math.isnan(hi)
    with pytest.raises(ConfigError, match="either"):
        percent_bounds(1, 1, 0, "ceil")


@pytest.mark.parametrize("count, pct, decimals, excess, rule, lo, hi, whole", [
    # Tiền Giang 2020: 1252/0.8355 = 1498.504, 1252/0.8345 = 1500.300 -> 1499, 1500
    (1252, 83.5, 1, False, "round", 1498.504, 1500.300, [1499, 1500]),
    # truncated: 1252/0.836 = 1497.608, 1252/0.835 = 1499.401 -> 1498, 1499
    (1252, 83.5, 1, False, "truncate", 1497.608, 1499.401, [1498, 1499]),
    # 2021: 1278/0.8525 = 1499.120, 1278/0.8515 = 1500.881 -> 1500
    (1278, 85.2, 1, False, "round", 1499.120, 1500.881, [1500]),
    # 2022: 1348/0.89965 = 1498.360, 1348/0.89955 = 1498.527 -> none
    (1348, 89.96, 2, False, "round", 1498.360, 1498.527, []),
    # 2022 truncated: 1348/0.8997 = 1498.277, 1348/0.8996 = 1498.444 -> none
    (1348, 89.96, 2, False, "truncate", 1498.277, 1498.444, []),
    # Hà Nam: 275/0.9167 = 299.989, 275/0.9166 = 300.022 -> 300 (truncated only)
    (275, 91.66, 2, False, "truncate", 299.989, 300.022, [300]),
    (275, 91.66, 2, False, "round", 300.005, 300.038, []),
    # Krông Bông: 23/0.2885 = 79.723, 23/0.2875 = 80.000 (80 included: half-open range)
    (23, 28.8, 1, False, "round", 79.723, 80.000, [80]),
    # Cư Pui: rounded 8/1.1425 = 7.002, 8/1.1415 = 7.008 -> none; truncated 8/1.143 =
    # 6.999, 8/1.142 = 7.005 -> 7
    (8, 114.2, 1, False, "round", 7.002, 7.008, []),
    (8, 114.2, 1, False, "truncate", 6.999, 7.005, [7]),
    # Tuyên Quang, 27 % over: 1147/1.275 = 899.608, 1147/1.265 = 906.719 -> 900..906
    (1147, 27, 0, True, "round", 899.608, 906.719, list(range(900, 907))),
])
def test_implied_target_ranges(count, pct, decimals, excess, rule, lo, hi, whole):
    p_lo, p_hi = percent_bounds(pct, pct, decimals, rule)
    got_lo, got_hi = implied_bounds(count, count, p_lo, p_hi, excess)
    assert got_lo == pytest.approx(lo, abs=1e-3)
    assert got_hi == pytest.approx(hi, abs=1e-3)
    assert list(whole_numbers(got_lo, got_hi)) == whole


def test_open_count_gives_open_target():
    # ">=300 admitted at 100 %": the target is at least 300/1.005 = 298.5, no upper end.
    lo, hi = implied_bounds(300, math.nan, 99.5, 100.5)
    assert lo == pytest.approx(298.507, abs=1e-3) and math.isinf(hi)
    assert list(whole_numbers(lo, hi)) == []


@pytest.mark.parametrize("count, target, pct, d, excess, status, actual", [
    (1348, 1500, 89.96, 2, False, "mismatch", 89.8667),   # 1348/1500 = 89.867 %
    (8, 7, 114.2, 1, False, "truncated", 114.2857),       # 8/7 = 114.286 %, rounds to 114.3
    (23, 80, 28.8, 1, False, "rounded", 28.75),           # half up: 28.75 -> 28.8
    (275, 300, 91.66, 2, False, "truncated", 91.6667),    # rounds to 91.67
    (1252, 1500, 83.5, 1, False, "rounded", 83.4667),     # rounds to 83.5
    (1147, 903, 27, 0, True, "rounded", 27.0210),         # 1147/903 - 1 = 27.02 %
    (7, 3, 233.5, 1, False, "mismatch", 233.3333),        # 7/3 = 233.33 %, not 233.5
])
def test_agreement(count, target, pct, d, excess, status, actual):
    a = agreement(count, count, target, pct, pct, d, excess)
    assert a.status == status
    assert a.actual == pytest.approx(actual, abs=1e-3)


def test_counts_agree_and_describe():
    assert counts_agree(3878, 3878, 3878, 3878, 0.0)
    assert counts_agree(100, 100, 101, 101, 0.01)       # 1 <= 0.01 * 101
    assert not counts_agree(118, 118, 188, 188, 0.01)
    assert counts_agree(10, 12, 11, 11, 0.0)            # a range containing the other
    assert describe_whole([]) == "none"
    assert describe_whole([1499, 1500]) == "1,499 or 1,500"
    assert describe_whole(list(range(900, 907))) == "900 to 906"


# -- datasets built by hand ------------------------------------------------------------
def unit(uid, level="province", parent=""):
    return {"unit_id": uid, "name_vi": f"Đảng bộ {uid}", "level": level, "parent_id": parent}


def obs(oid, uid, measure, value, start, end, ref="", subgroup="", source=SRC):
    return {"obs_id": oid, "unit_id": uid, "measure": measure, "value": value,
            "period_start": start, "period_end": end, "ref": ref, "subgroup": subgroup,
            "source_id": source, "locator": "p1"}


def target(tid, uid, term, kind, value, year="", layer="resolution", source=SRC):
    return {"target_id": tid, "unit_id": uid, "term": term, "kind": kind, "year": year,
            "layer": layer, "measure": "count", "value": value, "source_id": source}


def make(units, observations, targets=()):
    sources = [{"source_id": s, "title": f"Article {s}"} for s in (SRC, "src-b")]
    targets = list(targets) or [target("dummy-term", units[0]["unit_id"], "2020-2025",
                                       "term", "1")]
    return Dataset.from_frames(units=units, sources=sources, targets=targets,
                               observations=observations)


@pytest.fixture(scope="module")
def tien_giang():
    o = [
        obs("tg-a-2020", "tg", "admitted", "1.252", "2020-01-01", "2020-12-31"),
        obs("tg-p-2020", "tg", "attainment_pct", "83,5%", "2020-01-01", "2020-12-31"),
        obs("tg-a-2021", "tg", "admitted", "1.278", "2021-01-01", "2021-12-31"),
        obs("tg-p-2021", "tg", "attainment_pct", "85,2%", "2021-01-01", "2021-12-31"),
        obs("tg-a-2022", "tg", "admitted", "1.348", "2022-01-01", "2022-12-31"),
        obs("tg-p-2022", "tg", "attainment_pct", "89,96%", "2022-01-01", "2022-12-31"),
        obs("tg-a-since", "tg", "admitted", "3.878", "2020-01-01", "2022-12-31"),
    ]
    return make([unit("tg")], o, [target("tg-term", "tg", "2020-2025", "term", "6.500")])


def kinds(df, unit_id=None):
    if unit_id:
        df = df[df["unit_id"] == unit_id]
    return sorted(df["kind"])


def test_columns_fixed_and_sorted(tien_giang):
    f = audit(tien_giang)
    assert list(f.columns) == list(FINDING_COLUMNS)
    # Warnings come before information within a unit.
    sev = list(f["severity"])
    assert sev == sorted(sev, key=["warning", "info"].index)


def test_tien_giang_implied_targets_and_2022(tien_giang):
    f = audit(tien_giang)
    imp = f[f["kind"] == "implied_target"].set_index("period")
    # 1252/0.835 = 1499.40; 1278/0.852 = 1500.00; 1348/0.8996 = 1498.44
    assert imp.loc["2020", "implied"] == pytest.approx(1499.40, abs=0.01)
    assert imp.loc["2021", "implied"] == pytest.approx(1500.00, abs=0.01)
    assert imp.loc["2022", "implied"] == pytest.approx(1498.44, abs=0.01)
    assert "whole numbers: 1,499 or 1,500" in imp.loc["2020", "explanation"]
    # 2022 fits no whole number, and misses the 1,500 that 2020 and 2021 both fit.
    warn = f[f["severity"] == "warning"].set_index("kind")
    assert set(warn.index) == {"no_whole_target", "near_common_target"}
    near = warn.loc["near_common_target"]
    assert "1,348 at 89,96 % implies 1,498.4, not 1,500" in near["explanation"]
    assert "2020 and 2021" in near["explanation"]
    assert near["implied"] == pytest.approx(100 * 1348 / 1500)   # 89.87 %
    assert near["difference"] == pytest.approx(100 * 1348 / 1500 - 89.96)
    assert "1,498 gives 89.99 %, 1,499 gives 89.93 %" in warn.loc["no_whole_target",
                                                                   "explanation"]
    # 3,878 = 1,252 + 1,278 + 1,348: consistent, information only.
    cum = f[f["kind"] == "cumulative_vs_years"].iloc[0]
    assert cum["severity"] == "info" and cum["implied"] == 3878
    assert "1,252 + 1,278 + 1,348 = 3,878; consistent" in cum["explanation"]


def test_assumed_target_checks_explicitly(tien_giang):
    f = audit(tien_giang, assumed_targets={("tg", 2022): 1500, ("tg", 2021): 1500})
    mm = f[f["kind"] == "percent_mismatch"]
    assert list(mm["period"]) == ["2022"]
    assert "implies 1,498.4, not 1,500" in mm.iloc[0]["explanation"]
    # With a known target, the heuristic across years is not needed for 2022.
    assert "near_common_target" not in set(f["kind"])
    with pytest.raises(ConfigError, match="assumed target"):
        audit(tien_giang, assumed_targets={("nowhere", 2022): 1500})


def test_explicit_target_rows_and_truncation():
    # Cư Pui: 8 at 114,2 % of 7 -> 8/7 = 114.29 %, rounds to 114.3: truncated, info.
    # Hà Nam: 275 at 91,66 % of 300 -> 91.667 %, rounds to 91.67: truncated, info.
    # A unit with target 200 printing 95 % for 180 -> 90 %: mismatch, warning.
    o = [
        obs("cp-a", "cp", "admitted", "8", "2021-01-01", "2021-09-30"),
        obs("cp-p", "cp", "attainment_pct", "114,2%", "2021-01-01", "2021-09-30", ref="cp-2021"),
        obs("hn-a", "hn", "admitted", "275", "2020-10-01", "2024-05-31"),
        obs("hn-p", "hn", "attainment_pct", "91,66%", "2020-10-01", "2024-05-31"),
        obs("x-a", "x", "admitted", "180", "2023-01-01", "2023-12-31"),
        obs("x-p", "x", "attainment_pct", "95%", "2023-01-01", "2023-12-31"),
    ]
    t = [target("cp-2021", "cp", "2020-2025", "annual", "7", year="2021", layer="assigned"),
         target("hn-term", "hn", "2020-2025", "term", "300"),
         target("x-2023", "x", "2020-2025", "annual", "200", year="2023")]
    f = audit(make([unit("cp"), unit("hn"), unit("x")], o, t))
    by = {(r.unit_id, r.kind): r for r in f.itertuples()}
    assert by[("cp", "truncated_percent")].severity == "info"
    assert "114,2 % is consistent if truncated" in by[("cp", "truncated_percent")].explanation
    assert by[("hn", "truncated_percent")].severity == "info"
    # 275/0.9166 = 300.02
    assert by[("hn", "implied_target")].implied == pytest.approx(300.022, abs=1e-3)
    x = by[("x", "percent_mismatch")]
    assert x.severity == "warning" and x.implied == pytest.approx(90.0)
    assert "180 at 95 % implies 189.5, not 200" in x.explanation   # 180/0.95 = 189.47
    assert ("cp", "percent_mismatch") not in by and ("hn", "percent_mismatch") not in by


def test_excess_and_approximate():
    # Tuyên Quang bloc: 1,147 admitted, 27 % over the plan -> 1147/1.27 = 903.15.
    # Đăk Glei: "gần 640" admitted, about 30 % over -> 640/1.3 = 492.3, approximate.
    o = [
        obs("tq-a", "tq", "admitted", "1.147", "2015-01-01", "2020-06-30"),
        obs("tq-p", "tq", "excess_pct", "27%", "2015-01-01", "2020-06-30"),
        obs("dg-a", "dg", "admitted", "~640", "2015-01-01", "2020-06-30"),
        obs("dg-p", "dg", "excess_pct", "~30%", "2015-01-01", "2020-06-30"),
    ]
    f = audit(make([unit("tq"), unit("dg")], o))
    tq = f[(f["unit_id"] == "tq") & (f["kind"] == "implied_target")].iloc[0]
    assert tq["implied"] == pytest.approx(903.15, abs=0.01)
    assert "27 % over the plan" in tq["explanation"]
    assert "whole numbers: 900 to 906" in tq["explanation"]     # rounded case
    assert not tq["approximate"]
    dg = f[(f["unit_id"] == "dg") & (f["kind"] == "implied_target")].iloc[0]
    assert dg["implied"] == pytest.approx(492.31, abs=0.01)
    assert dg["approximate"] and "Uses approximate figures" in dg["explanation"]
    # Approximate figures never raise "no whole number" warnings.
    assert "no_whole_target" not in set(f["kind"])


def test_contradictions_between_counts():
    o = [
        # 118 and 188 for the same unit and year from two articles: beyond 1 %.
        obs("a-2019-1", "a", "admitted", "118", "2019-01-01", "2019-12-31"),
        obs("a-2019-2", "a", "admitted", "188", "2019-01-01", "2019-12-31", source="src-b"),
        # A half-year count above the full year's.
        obs("b-h1", "b", "admitted", "60", "2021-01-01", "2021-06-30"),
        obs("b-y", "b", "admitted", "50", "2021-01-01", "2021-12-31"),
        # A cumulative count below the sum of its years: 100 + 120 = 220 > 200.
        obs("c-2020", "c", "admitted", "100", "2020-01-01", "2020-12-31"),
        obs("c-2021", "c", "admitted", "120", "2021-01-01", "2021-12-31"),
        obs("c-since", "c", "admitted", "200", "2020-01-01", "2022-06-30"),
        # Longer than its years and larger: the rest fell in 2022 (info).
        obs("d-2020", "d", "admitted", "10", "2020-01-01", "2020-12-31"),
        obs("d-2021", "d", "admitted", "20", "2021-01-01", "2021-12-31"),
        obs("d-since", "d", "admitted", "35", "2020-01-01", "2022-06-30"),
        # A percentage with no count for its period.
        obs("e-p", "e", "attainment_pct", "43,72%", "2022-01-01", "2022-06-30"),
    ]
    f = audit(make([unit(u) for u in "abcde"], o))
    a = f[(f["unit_id"] == "a") & (f["kind"] == "conflicting_reports")].iloc[0]
    assert a["severity"] == "warning" and a["reported"] == 118 and a["implied"] == 188
    assert set(a["source_ids"]) == {SRC, "src-b"}
    b = f[(f["unit_id"] == "b") & (f["kind"] == "part_exceeds_whole")].iloc[0]
    assert b["severity"] == "warning" and b["figures"] == ["b-h1", "b-y"]
    c = f[(f["unit_id"] == "c") & (f["kind"] == "cumulative_vs_years")].iloc[0]
    assert c["severity"] == "warning" and c["implied"] == 220 and c["difference"] == 20
    d = f[(f["unit_id"] == "d") & (f["kind"] == "cumulative_vs_years")].iloc[0]
    assert d["severity"] == "info" and "remaining 5" in d["explanation"]
    e = f[f["unit_id"] == "e"].iloc[0]
    assert e["kind"] == "unpaired_percent" and e["severity"] == "info"


def test_tolerance_governs_conflicts():
    o = [obs("a-1", "a", "admitted", "1000", "2019-01-01", "2019-12-31"),
         obs("a-2", "a", "admitted", "1008", "2019-01-01", "2019-12-31", source="src-b")]
    ds = make([unit("a")], o)
    # |1008 - 1000| = 8 <= 0.01 * 1008 = 10.08: within 1 %, information.
    assert list(audit(ds)["severity"]) == ["info"]
    # 8 > 0.005 * 1008 = 5.04: beyond 0.5 %, a warning.
    assert list(audit(ds, tolerance=0.005)["severity"]) == ["warning"]
    with pytest.raises(ConfigError, match="tolerance"):
        audit(ds, tolerance=1.5)


def test_targets_layers_and_sums():
    # Annual targets 2021-2023 (assigned) 100 + 110 + 120 = 330 against a term target
    # of 500; two layers for 2022 (assigned 110, own goal 130); a conflicting second
    # report of the term resolution (500 vs 550).
    t = [
        target("u-term", "u", "2020-2025", "term", "500"),
        target("u-term-b", "u", "2020-2025", "term", "550", source="src-b"),
        target("u-2021", "u", "2020-2025", "annual", "100", year="2021", layer="assigned"),
        target("u-2022", "u", "2020-2025", "annual", "110", year="2022", layer="assigned"),
        target("u-2023", "u", "2020-2025", "annual", "120", year="2023", layer="assigned"),
        target("u-2022-own", "u", "2020-2025", "annual", "130", year="2022",
               layer="own_goal"),
    ]
    o = [obs("u-a", "u", "admitted", "100", "2021-01-01", "2021-12-31")]
    f = audit(make([unit("u")], o, t))
    sums = f[f["kind"] == "annual_vs_term"]
    assert set(sums["implied"]) == {330.0}
    assert set(sums["reported"]) == {500.0, 550.0}
    assert "no assigned target for 2020, 2024, 2025" in sums.iloc[0]["explanation"]
    layers = f[f["kind"] == "target_layers"]
    assert set(layers["period"]) == {"2022", "term 2020-2025"}
    conflict = f[f["kind"] == "conflicting_reports"]
    assert len(conflict) == 1 and conflict.iloc[0]["severity"] == "warning"


def test_group_of_percentages_sharing_a_target():
    # Cần Thơ bloc 2017: 318 at 127,2 % (28 May) and 352 at 140,8 % (11 June) -> 250 both
    # (318/1.272 = 250.0, 352/1.408 = 250.0).
    o = [obs("k-a1", "k", "admitted", "318", "2017-01-01", "2017-05-28"),
         obs("k-p1", "k", "attainment_pct", "127,2%", "2017-01-01", "2017-05-28"),
         obs("k-a2", "k", "admitted", "352", "2017-01-01", "2017-06-11"),
         obs("k-p2", "k", "attainment_pct", "140,8%", "2017-01-01", "2017-06-11")]
    f = audit(make([unit("k")], o))
    g = f[f["kind"] == "implied_target_group"].iloc[0]
    assert g["severity"] == "info" and g["implied"] == 250
    assert "one whole number fits all: 250" in g["explanation"]


def test_tiny_fixture(tiny_dataset):
    f = audit(tiny_dataset)
    assert kinds(f, "cu-pui") == ["implied_target", "truncated_percent"]
    # Krông Bông: 23/80 = 28.75 % -> 28,8 % and 96/80 = 120 %: both agree with the target.
    kb = f[f["unit_id"] == "krong-bong"]
    assert (kb["severity"] == "info").all()
    assert "agrees (rounded)" in kb[kb["kind"] == "implied_target"].iloc[0]["explanation"]
    warn = f[f["severity"] == "warning"]
    assert set(warn["unit_id"]) == {"tien-giang"}


def test_records_and_text(tien_giang):
    f = audit(tien_giang)
    recs = findings_records(f)
    assert len(recs) == len(f)
    assert all(set(r) == set(FINDING_COLUMNS) for r in recs)
    assert any(r["difference"] is None for r in recs)   # NaN becomes null
    text = format_findings(f)
    assert text.startswith("Đảng bộ tg (tg):")
    assert "WARNING near_common_target" in text
    assert format_findings(f.iloc[0:0]) == "No findings."


def test_empty_dataset_has_columns():
    o = [obs("z-a", "z", "admitted", "5", "2021-01-01", "2021-12-31")]
    f = audit(make([unit("z")], o))
    assert f.empty and list(f.columns) == list(FINDING_COLUMNS)
    assert isinstance(f, pd.DataFrame)


def test_open_percentages_shares_of_different_targets_and_corrections():
    # "trên 111 %" for 100 admitted: target below 100/1.105 = 90.50 (rounded) - no list.
    # Long Điền: 17 at 121 % and 17 at 155 % of unnamed targets -> 14.05 and 10.97:
    # shares of two targets, information, not a conflict.
    # Đông Hà: printed 9 corrected to 8 -> the correction is named.
    o = [
        obs("lm-a", "lm", "admitted", "100", "2023-01-01", "2023-08-31"),
        obs("lm-p", "lm", "attainment_pct", "trên 111%", "2023-01-01", "2023-08-31"),
        obs("ld-a", "ld", "admitted", "17", "2016-01-01", "2020-09-30"),
        obs("ld-p1", "ld", "attainment_pct", "121%", "2016-01-01", "2020-09-30"),
        obs("ld-p2", "ld", "attainment_pct", "155%", "2016-01-01", "2020-09-30"),
        obs("dh-a", "dh", "admitted", "9", "2023-01-01", "2023-06-30"),
        obs("dh-p", "dh", "attainment_pct", "88,8%", "2023-01-01", "2023-06-30",
            ref="dh-2023"),
    ]
    t = [target("dh-2023", "dh", "2020-2025", "annual", "9", year="2023", layer="plan")]
    corrections = [{"table": "observations", "record_id": "dh-a", "column": "value",
                    "reported": "9", "corrected": "8", "reason": "swapped with the target"}]
    ds = Dataset.from_frames(
        units=[unit("lm"), unit("ld"), unit("dh")],
        sources=[{"source_id": SRC, "title": "A"}], targets=t, observations=o,
        corrections=corrections)
    f = audit(ds)
    lm = f[f["unit_id"] == "lm"].iloc[0]
    assert "target at most 90.50" in lm["explanation"] and lm["approximate"]
    assert lm["implied_high"] == pytest.approx(100 / 1.105)
    ld = f[f["unit_id"] == "ld"]
    assert (ld["severity"] == "info").all()
    assert "different targets" in ld[ld["kind"] == "conflicting_reports"].iloc[0]["explanation"]
    assert "implied_target_group" not in set(ld["kind"])
    # 8/9 = 88.89 %, rounds to 88.9: consistent only if truncated.
    dh = f[(f["unit_id"] == "dh") & (f["kind"] == "truncated_percent")].iloc[0]
    assert "dh-a printed 9, used 8" in dh["explanation"]
