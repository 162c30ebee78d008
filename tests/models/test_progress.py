"""Progress arithmetic, checked against hand calculations."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.config import Assumptions
from forecast.models.progress import admitted_spans, pace_label

T = pd.Timestamp


def _obs(rows):
    """Observation rows (obs_id, start, end, value[, subgroup]) as the Dataset holds them."""
    out = []
    for r in rows:
        obs_id, start, end, value, *rest = r
        out.append({
            "obs_id": obs_id, "unit_id": "u", "measure": "admitted",
            "subgroup": rest[0] if rest else "",
            "period_start": T(start), "period_end": T(end),
            "low": value, "high": value, "value": value, "qualifier": "exact",
        })
    return pd.DataFrame(out)


def test_overlapping_part_years_keep_the_longest():
    # Krông Bông 2021: 23 by 30 June and 96 by 12 October; both start 1 January.
    obs = _obs([("h1", "2021-01-01", "2021-06-30", 23.0),
                ("oct", "2021-01-01", "2021-10-12", 96.0)])
    got = admitted_spans(obs, "u", T("2021-01-01"), T("2021-12-31"))
    assert list(got["obs_id"]) == ["oct"]
    got = admitted_spans(obs, "u", T("2021-01-01"), T("2021-12-31"), as_of=T("2021-07-01"))
    assert list(got["obs_id"]) == ["h1"]


def test_yearly_pieces_beat_the_term_to_date_total_on_a_tie():
    # Tiền Giang: 1,252 + 1,278 + 1,348 = 3,878 "since 2020"; same days covered,
    # and the three years show the path.
    obs = _obs([("y20", "2020-01-01", "2020-12-31", 1252.0),
                ("y21", "2021-01-01", "2021-12-31", 1278.0),
                ("y22", "2022-01-01", "2022-12-31", 1348.0),
                ("ttd", "2020-01-01", "2022-12-31", 3878.0)])
    got = admitted_spans(obs, "u", T("2020-01-01"), T("2025-09-30"))
    assert list(got["obs_id"]) == ["y20", "y21", "y22"] and got["value"].sum() == 3878
    # Before the 2022 figures exist, the two yearly counts are all there is.
    got = admitted_spans(obs, "u", T("2020-01-01"), T("2025-09-30"), as_of=T("2021-12-31"))
    assert list(got["obs_id"]) == ["y20", "y21"] and got["value"].sum() == 2530


def test_more_coverage_wins_over_fewer_pieces():
    # 2020 (366 days) plus the first half of 2021 (181 days) cover 547 days;
    # the twelve months from July 2020 overlap both and cover only 365.
    obs = _obs([("a", "2020-01-01", "2020-12-31", 10.0),
                ("b", "2021-01-01", "2021-06-30", 4.0),
                ("c", "2020-07-01", "2021-06-30", 9.0)])
    got = admitted_spans(obs, "u", T("2020-01-01"), T("2025-09-30"))
    assert list(got["obs_id"]) == ["a", "b"]


def test_subgroups_and_spans_outside_the_window_do_not_count():
    obs = _obs([("young", "2020-01-01", "2020-12-31", 937.0, "age 18-35"),
                ("before", "2019-01-01", "2020-12-31", 2000.0),
                ("after", "2025-01-01", "2025-12-31", 900.0),
                ("ok", "2021-01-01", "2021-12-31", 1278.0)])
    got = admitted_spans(obs, "u", T("2020-01-01"), T("2025-09-30"))
    assert list(got["obs_id"]) == ["ok"]


@pytest.mark.parametrize("ratio, remaining, label", [
    (1.36, 2622, "on track"),
    (0.95, 10, "on track"),
    (0.949, 10, "acceleration needed"),
    (0.6, 10, "acceleration needed"),
    (0.59, 10, "limited progress"),
    (math.inf, 0, "reached"),
])
def test_pace_labels_follow_the_documented_thresholds(ratio, remaining, label):
    assert pace_label(ratio, remaining, True, Assumptions()) == label


def test_no_reports_means_no_label_but_no_data():
    assert pace_label(float("nan"), 100, False, Assumptions()) == "no data"


def test_units_with_progress_are_those_with_a_target_and_a_count(tiny_dataset):
    from forecast.models.progress import units_with_progress

    # Tiny fixture: Tiền Giang (term target, yearly counts), Krông Bông and Cư Pui
    # (2021 targets, part-year counts); the two districts and Đắk Lắk have neither.
    assert units_with_progress(tiny_dataset) == ["tien-giang", "krong-bong", "cu-pui"]
    # As of 2020-12-31 the 2021 targets are not yet in force.
    assert units_with_progress(tiny_dataset, pd.Timestamp("2020-12-31")) == ["tien-giang"]


def test_tien_giang_progress_as_of_end_2022(tiny_dataset):
    from forecast.models.progress import progress_table

    t = progress_table(tiny_dataset, as_of=T("2022-12-31"), units=["tien-giang"])
    row = t[t["target_id"] == "tien-giang-term-2020-2025"].iloc[0]
    # Hand calculation: 1,252 + 1,278 + 1,348 = 3,878 over 2020-01-01..2022-12-31
    # (1,096 days); deadline 2025-09-30 is 1,004 days after 2022-12-31.
    assert row["cumulative"] == 3878 and row["remaining"] == 2622
    assert row["years_left"] == pytest.approx(1004 / 365.25)
    assert row["required_per_year"] == pytest.approx(2622 / (1004 / 365.25))   # 953.9
    assert row["observed_per_year"] == pytest.approx(3878 / (1096 / 365.25))   # 1,292.4
    assert row["pace_ratio"] == pytest.approx(1292.37 / 953.87, rel=1e-3)
    assert row["label"] == "on track"


def test_cumulative_history_keeps_nested_reports_as_points():
    from forecast.models.progress import cumulative_history

    # Krông Bông 2021: the October count covers more, but the June count is a
    # cumulative figure too (both start on 1 January).
    obs = _obs([("h1", "2021-01-01", "2021-06-30", 23.0),
                ("oct", "2021-01-01", "2021-10-12", 96.0)])
    got = cumulative_history(obs, "u", T("2021-01-01"), T("2021-12-31"))
    assert list(got["period_end"]) == [T("2021-06-30"), T("2021-10-12")]
    assert list(got["cumulative"]) == [23.0, 96.0]
    # Tiền Giang: running total of the years; "since 2020" adds no new date.
    obs = _obs([("y20", "2020-01-01", "2020-12-31", 1252.0),
                ("y21", "2021-01-01", "2021-12-31", 1278.0),
                ("y22", "2022-01-01", "2022-12-31", 1348.0),
                ("ttd", "2020-01-01", "2022-12-31", 3878.0)])
    got = cumulative_history(obs, "u", T("2020-01-01"), T("2025-09-30"))
    assert list(got["cumulative"]) == [1252.0, 2530.0, 3878.0]
    assert cumulative_history(obs, "u", T("2026-01-01"), T("2030-09-30")).empty


def test_the_same_period_twice_keeps_the_later_row_and_rows_without_a_start_drop_out():
    # Two reports of 2021 (an article corrected a week later): the later row
    # counts. A count with no period start says nothing about the window.
    obs = _obs([("first", "2021-01-01", "2021-12-31", 100.0),
                ("again", "2021-01-01", "2021-12-31", 104.0),
                ("h1", "2021-01-01", "2021-06-30", 40.0)])
    obs = pd.concat([obs, _obs([("nostart", "2020-01-01", "2020-12-31", 7.0)])
                     .assign(period_start=pd.NaT)], ignore_index=True)
    got = admitted_spans(obs, "u", T("2020-01-01"), T("2025-09-30"))
    assert list(got["obs_id"]) == ["again"] and list(got["value"]) == [104.0]
    assert list(got.index) == [0]


def _brute_force_best(periods):
    """(days, pieces) of the best set of non-overlapping periods, by trying every set."""
    from itertools import combinations

    best = (0, 0)
    for k in range(1, len(periods) + 1):
        for subset in combinations(sorted(periods), k):
            if all(a[1] < b[0] for a, b in zip(subset, subset[1:])):
                days = sum((e - s).days + 1 for s, e in subset)
                best = max(best, (days, k))
    return best


MONTH_ENDS = pd.date_range("2020-01-31", periods=36, freq="ME")


@given(st.lists(st.tuples(st.integers(0, 35), st.integers(0, 11)), min_size=1, max_size=7))
@settings(max_examples=150, deadline=None)
def test_admitted_spans_cover_as_many_days_as_any_non_overlapping_choice(raw):
    # Independent check: the chosen periods do not overlap, and no other set of
    # distinct reported periods covers more days (or as many in more pieces).
    rows = []
    for n, (first, length) in enumerate(raw):
        last = min(first + length, 35)
        start = (MONTH_ENDS[first] - pd.offsets.MonthBegin(1)).normalize()
        rows.append((f"r{n}", start, MONTH_ENDS[last], float(n + 1)))
    obs = _obs(rows)
    got = admitted_spans(obs, "u", T("2020-01-01"), T("2022-12-31"))
    chosen = list(zip(got["period_start"], got["period_end"]))
    assert chosen == sorted(chosen, key=lambda p: (p[1], p[0]))
    assert all(a[1] < b[0] for a, b in zip(chosen, chosen[1:]))
    days = sum((e - s).days + 1 for s, e in chosen)
    assert (days, len(chosen)) == _brute_force_best({(s, e) for _, s, e, _ in rows})
    # Each chosen period carries its last reported row.
    last_row = {}
    for obs_id, s, e, _ in rows:
        last_row[(s, e)] = obs_id
    assert list(got["obs_id"]) == [last_row[p] for p in chosen]


def test_unit_spans_are_admitted_spans_worked_out_once_per_dataset(tiny_dataset):
    import dataclasses

    from forecast.models.progress import unit_spans

    start, end, as_of = T("2020-01-01"), T("2025-09-30"), T("2022-12-31")
    got = unit_spans(tiny_dataset, "tien-giang", start, end, as_of)
    want = admitted_spans(tiny_dataset.observations, "tien-giang", start, end, as_of)
    pd.testing.assert_frame_equal(got, want)
    assert list(got["value"]) == [1252.0, 1278.0, 1348.0]   # the three years (data/ CSV)
    assert unit_spans(tiny_dataset, "tien-giang", start, end, as_of) is got
    # A dataset with other observations works them out again: without the 2022
    # count, "since 2020" (1,096 days) covers more than 2020 and 2021 (731).
    fewer = dataclasses.replace(tiny_dataset, observations=tiny_dataset.observations[
        tiny_dataset.observations["obs_id"] != "tien-giang-admitted-2022"])
    assert list(unit_spans(fewer, "tien-giang", start, end, as_of)["value"]) == [3878.0]


def test_unit_spans_share_a_units_candidates_across_windows_and_dates(tiny_dataset):
    # The candidates are worked out once per unit; each window and date still
    # gets what admitted_spans gives on the whole table: every count, a subset,
    # or none (the empty frame with the table's own index type).
    from forecast.models.progress import unit_spans

    obs = tiny_dataset.observations
    windows = [(T("2020-01-01"), T("2025-09-30")), (T("2021-01-01"), T("2021-12-31")),
               (T("2015-01-01"), T("2020-12-31")), (T("2030-01-01"), T("2030-12-31"))]
    sizes = set()
    for start, end in windows:
        for as_of in (None, T("2020-12-31"), T("2022-12-31")):
            got = unit_spans(tiny_dataset, "tien-giang", start, end, as_of)
            want = admitted_spans(obs, "tien-giang", start, end, as_of)
            pd.testing.assert_frame_equal(got, want, check_index_type=True)
            sizes.add(len(got))
    assert 0 in sizes and len(sizes) >= 3
