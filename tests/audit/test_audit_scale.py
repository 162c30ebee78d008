"""Audit findings that were missing (a 0 % attainment) and the sorted rules that
replaced comparisons of every pair, checked against a brute-force count."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.audit.counts import smallest_container
from forecast.audit.run import audit

from test_audit import make, obs, target, unit


def krong_bong(printed, admitted="23", ref="kb-2021"):
    o = [obs("kb-a", "kb", "admitted", admitted, "2021-01-01", "2021-06-30"),
         obs("kb-p", "kb", "attainment_pct", printed, "2021-01-01", "2021-06-30", ref=ref)]
    t = [target("kb-2021", "kb", "2020-2025", "annual", "80", year="2021", layer="assigned")]
    return audit(make([unit("kb")], o, t))


@pytest.mark.parametrize("printed", ["0%", "50%"])
def test_a_percentage_that_disagrees_with_the_count_is_a_warning(printed):
    # 23 / 80 = 28.75 %: neither 0 % nor 50 % rounds or truncates from it.
    f = krong_bong(printed)
    (mm,) = f[f["kind"] == "percent_mismatch"].itertuples()
    assert mm.severity == "warning" and mm.implied == pytest.approx(28.75)
    assert "23 / 80 = 28.75 %" in mm.explanation


def test_zero_percent_with_admissions_implies_no_finite_target():
    f = krong_bong("0%", ref="")
    (imp,) = f[f["kind"] == "implied_target"].itertuples()
    assert "implies no target: 23 admitted is not 0 % of any target" in imp.explanation
    # Rounded from under 0.5 %: target above 23 / 0.005 = 4,600; cut from under 1 %:
    # above 23 / 0.01 = 2,300. The shown range starts at 0 %, not -0.5 %.
    assert "rounded (0–0.5 %): target at least 4,600.0" in imp.explanation
    assert "truncated (0–1 %): target at least 2,300.0" in imp.explanation
    assert imp.implied != imp.implied  # NaN: no finite central value


def test_zero_of_zero_says_nothing():
    f = krong_bong("0%", admitted="0", ref="")
    assert not set(f["kind"]) & {"implied_target", "percent_mismatch"}


def brute_force(starts, ends, highs):
    """Smallest high among the periods containing each one (index, or -1)."""
    out = []
    for a in range(len(starts)):
        best, row = np.inf, -1
        for b in range(len(starts)):
            contains = (starts[b] <= starts[a] and ends[b] >= ends[a]
                        and (starts[b], ends[b]) != (starts[a], ends[a]))
            if contains and highs[b] < best:
                best, row = highs[b], b
        out.append(best)
    return out


periods = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30),
                             st.one_of(st.integers(0, 50).map(float), st.just(np.inf))),
                   min_size=0, max_size=40)


@settings(max_examples=300, deadline=None, database=None)
@given(periods)
def test_smallest_container_agrees_with_comparing_every_pair(rows):
    starts = np.array([min(a, b) for a, b, _ in rows], dtype=np.int64)
    ends = np.array([max(a, b) for a, b, _ in rows], dtype=np.int64)
    highs = np.array([h for _, _, h in rows], dtype=float)
    got = smallest_container(starts, ends, highs)
    expected = brute_force(starts, ends, highs)
    # The row found holds the smallest high (ties may pick either row).
    assert [highs[j] if j >= 0 else np.inf for j in got] == expected
    for a, j in enumerate(got):
        if j >= 0:
            assert starts[j] <= starts[a] and ends[j] >= ends[a]
            assert (starts[j], ends[j]) != (starts[a], ends[a])


def test_one_finding_per_part_naming_the_smallest_whole():
    # H1 60 lies inside the 9 months (58), the year (50) and 2021-2022 (55), all
    # smaller: one finding, naming the smallest, 50. The 9-month 58 lies inside the
    # year (50) and 2021-2022 (55): one finding, 50. The year's 50 is below 55.
    o = [obs("h1", "b", "admitted", "60", "2021-01-01", "2021-06-30"),
         obs("m9", "b", "admitted", "58", "2021-01-01", "2021-09-30"),
         obs("y", "b", "admitted", "50", "2021-01-01", "2021-12-31"),
         obs("two", "b", "admitted", "55", "2021-01-01", "2022-12-31")]
    f = audit(make([unit("b")], o))
    pw = f[f["kind"] == "part_exceeds_whole"]
    assert sorted(map(tuple, pw["figures"])) == [("h1", "y"), ("m9", "y")]
