"""Tests of forecast.simulate.rollup: coverage, correlated sums, comparison with the parent."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from forecast.errors import ModelError
from forecast.simulate.rollup import (
    compare_reported,
    coverage,
    cumulative_at,
    rollup,
    rollup_from_dataset,
    sum_paths,
)

ENDS = [pd.Timestamp("2021-06-30"), pd.Timestamp("2021-12-31")]


def _children(shared: bool, k=10, m=100.0, sigma=0.2, n=40_000, seed=0):
    """k children, each year ~ Poisson(m * exp(sigma z - sigma^2/2)); z shared or not.

    Two "months" (half-years) so that the results look like SimResult paths."""
    rng = np.random.default_rng(seed)
    z_shared = rng.standard_normal(n)
    out = {}
    for i in range(k):
        z = z_shared if shared else rng.standard_normal(n)
        lam = m * np.exp(sigma * z - sigma ** 2 / 2)
        h1 = rng.poisson(lam * 0.4)
        h2 = rng.poisson(lam * 0.6)
        out[f"c{i}"] = SimpleNamespace(monthly=np.column_stack([h1, h1 + h2]).astype(float),
                                       month_ends=ENDS)
    return out


def test_correlated_children_give_a_wider_parent_than_independent_ones():
    # Hand: for one child Var X = m + m^2 (e^{s^2} - 1) = 100 + 10^4 * 0.04081
    # = 508.1; two children sharing z have Cov = m^2 (e^{s^2} - 1) = 408.1.
    # Sum of 10: independent Var = 10 * 508.1 = 5081 (sd 71.3); shared
    # Var = 5081 + 90 * 408.1 = 41810 (sd 204.5). Mean 1000 either way.
    var1 = 100 + 100 ** 2 * (np.exp(0.04) - 1)
    cov = 100 ** 2 * (np.exp(0.04) - 1)
    corr = rollup("p", _children(True), 1000.0, "2021-01-01")
    ind = rollup("p", _children(False), 1000.0, "2021-01-01")
    f_corr, f_ind = corr.result.finals, ind.result.finals
    assert f_corr.mean() == pytest.approx(1000, rel=0.01)
    assert f_ind.mean() == pytest.approx(1000, rel=0.01)
    assert f_ind.std() == pytest.approx(np.sqrt(10 * var1), rel=0.03)
    assert f_corr.std() == pytest.approx(np.sqrt(10 * var1 + 90 * cov), rel=0.03)
    assert (corr.result.final_q90 - corr.result.final_q10) > 2 * (
        ind.result.final_q90 - ind.result.final_q10)
    # p_reach of the mean target is near 1/2 in both, below it for the lognormal's
    # right skew; the point is the spread, not the centre.
    assert 0.4 < corr.result.p_reach < 0.6


def test_sum_paths_refuses_mismatched_windows():
    a = SimpleNamespace(monthly=np.ones((5, 2)), month_ends=ENDS)
    b = SimpleNamespace(monthly=np.ones((5, 3)), month_ends=ENDS + [pd.Timestamp("2022-06-30")])
    with pytest.raises(ModelError, match="same window"):
        sum_paths({"a": a, "b": b})
    with pytest.raises(ModelError, match="keep_paths"):
        sum_paths({"a": SimpleNamespace(monthly=None, month_ends=ENDS)})


def test_cumulative_at_is_linear_within_the_month():
    cum = np.array([[10.0, 30.0]])
    ends = [pd.Timestamp("2021-01-31"), pd.Timestamp("2021-02-28")]
    # 14 Feb: 10 + (30 - 10) * 14 / 28 = 20; 31 Jan: 10; 16 Jan: 10 * 16/31
    assert cumulative_at(cum, ends, pd.Timestamp("2021-01-01"), "2021-02-14")[0] == 20
    assert cumulative_at(cum, ends, pd.Timestamp("2021-01-01"), "2021-01-31")[0] == 10
    assert cumulative_at(cum, ends, pd.Timestamp("2021-01-01"),
                         "2021-01-16")[0] == pytest.approx(10 * 16 / 31)
    with pytest.raises(ModelError, match="outside"):
        cumulative_at(cum, ends, pd.Timestamp("2021-01-01"), "2021-03-01")


def test_coverage_rules():
    assert not coverage([], []).covered
    miss = coverage(["a", "b"], ["a"], 100, {"a": 50, "b": 50})
    assert not miss.covered and miss.missing == ("b",)
    full = coverage(["a", "b"], ["a", "b"], 100, {"a": 50, "b": 55})
    assert full.covered and full.target_share == pytest.approx(1.05)
    thin = coverage(["a"], ["a"], 80, {"a": 7})        # Cư Pui in Krông Bông
    assert not thin.covered and thin.target_share == pytest.approx(7 / 80)
    unchecked = coverage(["a"], ["a"], None, {})
    assert unchecked.covered and "not checked" in unchecked.reason
    # The outlook requires the check: a province with one district and no
    # district target is not covered by it.
    strict = coverage(["a"], ["a"], 2000, {}, require_targets=True)
    assert not strict.covered and "cannot be checked" in strict.reason


def test_compare_reported_only_uses_reports_from_the_window_start():
    cum = np.array([[4.0, 10.0], [6.0, 12.0]])
    rep = pd.DataFrame({"obs_id": ["h1", "other"],
                        "period_start": pd.to_datetime(["2021-01-01", "2021-03-01"]),
                        "period_end": pd.to_datetime(["2021-06-30", "2021-06-30"]),
                        "value": [23.0, 5.0]})
    out = compare_reported(cum, ENDS, pd.Timestamp("2021-01-01"), rep)
    assert list(out["obs_id"]) == ["h1"]
    # median of (4, 6) = 5; 23 - 5 = 18; both paths at or below 23
    assert out.loc[0, "children_q50"] == 5 and out.loc[0, "difference"] == 18
    assert out.loc[0, "percentile"] == 1.0


def test_cu_pui_within_krong_bong(tiny_dataset):
    # Cư Pui (8 admitted by 30 Sep 2021, target 7) is Krông Bông's only child
    # in the data; Krông Bông's target is 80, so the children's targets add up
    # to 7/80 = 8.75 %: not covered, the sum is a lower bound.
    # Krông Bông reported 23 by 30 June. Cư Pui's 8 over Jan-Sep is spread by
    # the profile estimated from the tiny data (t ** 1.4532, see
    # test_profile): by 30 June 8 * (6/12)**a / (9/12)**a = 8 * (2/3)**1.4532
    # = 8 * 0.5548 = 4.44, so the difference is 23 - 4.44 = 18.56 admissions
    # made outside Cư Pui.
    from forecast.models import base as models, progress
    from forecast.models.base import Streams
    from forecast.simulate.engine import simulate_target

    ds = tiny_dataset
    as_of = pd.Timestamp("2021-12-31")
    fitted = models.fit(ds, "pooled_nb", as_of=as_of)
    targets = ds.targets.set_index("target_id", drop=False)
    cp = targets.loc["cu-pui-2021"]
    known = progress.admitted_spans(ds.observations, "cu-pui", cp["start"], cp["deadline"], as_of)
    res = simulate_target(fitted, "cu-pui", cp["start"], cp["deadline"], 7, known,
                          Streams(3, 500), keep_paths=True)
    ro = rollup_from_dataset(ds, targets.loc["krong-bong-2021"], {"cu-pui": res}, as_of=as_of)
    assert not ro.coverage.covered
    assert ro.coverage.target_share == pytest.approx(0.0875)
    june = ro.comparison.set_index("obs_id").loc["krong-bong-admitted-2021h1"]
    assert june["children_q50"] == pytest.approx(8 * (2 / 3) ** 1.4532, abs=0.01)
    assert june["difference"] == pytest.approx(23 - 8 * (2 / 3) ** 1.4532, abs=0.01)
    assert ro.result.p_reach == 0.0          # Cư Pui alone cannot make 80
    assert "lower bound" in ro.diagnostics
