"""Attainment reports of a known target read as counts (forecast.models.attainment)."""

from __future__ import annotations

import pytest

from forecast.data.dataset import Dataset
from forecast.models.attainment import SUFFIX, implied_counts, with_implied_counts

SOURCE = [{"source_id": "s", "title": "test"}]
UNITS = [{"unit_id": "a", "name_vi": "Đơn vị A", "level": "district"},
         {"unit_id": "b", "name_vi": "Đơn vị B", "level": "district"}]


def _obs(oid, uid, measure, value, start, end, ref=""):
    return {"obs_id": oid, "unit_id": uid, "measure": measure, "value": value,
            "period_start": start, "period_end": end, "ref": ref, "source_id": "s"}


def _target(tid, uid, kind, value, year="", term="2020-2025", layer="plan"):
    return {"target_id": tid, "unit_id": uid, "term": term, "kind": kind, "year": year,
            "layer": layer, "measure": "count", "value": value, "source_id": "s"}


def _ds(obs, targets):
    return Dataset.from_frames(units=UNITS, sources=SOURCE, targets=targets, observations=obs)


def test_a_share_of_the_years_target_becomes_a_count_with_its_rounding():
    # 83,5 % of an annual target of 1,500: 0.835 * 1500 = 1252.5 admitted. One decimal
    # printed, rule "either": the true share is in [83.45, 83.6), so the count is in
    # [0.8345 * 1500, 0.836 * 1500] = [1251.75, 1254.0].
    ds = _ds([_obs("o1", "a", "attainment_pct", "83,5", "2021-01-01", "2021-12-31")],
             [_target("t1", "a", "annual", "1500", year="2021")])
    got = implied_counts(ds)
    assert len(got) == 1
    row = got.iloc[0]
    assert row["obs_id"] == "o1" + SUFFIX and row["measure"] == "admitted"
    assert row["value"] == pytest.approx(1252.5)
    assert row["low"] == pytest.approx(1251.75) and row["high"] == pytest.approx(1254.0)
    assert row["ref"] == "t1" and "o1" in row["note"]


def test_ref_excess_and_part_year_windows():
    # "vượt 20 %" of the term target 50 named by ref, since the term began: 1.2 * 50 = 60.
    # A June report of 40 % of the year's target 90 (no ref): 0.4 * 90 = 36.
    obs = [_obs("o1", "a", "excess_pct", "20", "2020-01-01", "2023-06-30", ref="tt"),
           _obs("o2", "b", "attainment_pct", "40", "2022-01-01", "2022-06-30")]
    targets = [_target("tt", "a", "term", "50"), _target("tb", "b", "annual", "90", year="2022")]
    got = implied_counts(_ds(obs, targets)).set_index("obs_id")["value"]
    assert got["o1" + SUFFIX] == pytest.approx(60.0)
    assert got["o2" + SUFFIX] == pytest.approx(36.0)


def test_reports_left_out_when_the_target_is_unknown_ambiguous_or_already_counted():
    obs = [
        # No target of unit a in 2019.
        _obs("none", "a", "attainment_pct", "100", "2019-01-01", "2019-12-31"),
        # Two annual targets of b in 2021 that disagree (plan 90, resolution 100).
        _obs("two", "b", "attainment_pct", "100", "2021-01-01", "2021-12-31"),
        # A count of the same window exists (ends 10 days apart).
        _obs("cnt", "a", "admitted", "95", "2022-01-01", "2022-12-21"),
        _obs("dup", "a", "attainment_pct", "95", "2022-01-01", "2022-12-31"),
    ]
    targets = [_target("b1", "b", "annual", "90", year="2021"),
               _target("b2", "b", "annual", "100", year="2021", layer="resolution"),
               _target("a22", "a", "annual", "100", year="2022")]
    assert implied_counts(_ds(obs, targets)).empty


def test_idempotent_and_original_rows_kept():
    ds = _ds([_obs("o1", "a", "attainment_pct", "50", "2021-01-01", "2021-06-30")],
             [_target("t1", "a", "annual", "80", year="2021")])
    once = with_implied_counts(ds)
    twice = with_implied_counts(once)
    assert len(once.observations) == 2 and len(twice.observations) == 2
    assert set(once.observations["obs_id"]) == {"o1", "o1" + SUFFIX}
