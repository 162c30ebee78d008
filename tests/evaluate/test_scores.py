"""Scores against hand calculations and a plain-Python reimplementation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from forecast.evaluate import scores
from forecast.errors import ConfigError


# --- an independent implementation, loops only, written from the definitions ---
def ref_brier(p, y):
    return sum((a - b) ** 2 for a, b in zip(p, y)) / len(p)


def ref_murphy(p, y, n_bins=10):
    bins = {}
    for a, b in zip(p, y):
        k = min(int(a * n_bins), n_bins - 1)
        bins.setdefault(k, []).append((a, b))
    n = len(p)
    obar = sum(y) / n
    rel = res = 0.0
    for cases in bins.values():
        nk = len(cases)
        pk = sum(a for a, _ in cases) / nk
        ok = sum(b for _, b in cases) / nk
        rel += nk * (pk - ok) ** 2 / n
        res += nk * (ok - obar) ** 2 / n
    return rel, res, obar * (1 - obar)


def ref_interval_score(y, lo, hi, alpha):
    total = 0.0
    for v, a, b in zip(y, lo, hi):
        s = b - a
        if v < a:
            s += 2 / alpha * (a - v)
        if v > b:
            s += 2 / alpha * (v - b)
        total += s
    return total / len(y)


def test_brier_hand_value():
    # (0.2^2 + 0.3^2) / 2 = (0.04 + 0.09) / 2 = 0.065
    assert scores.brier_score([0.8, 0.3], [1, 0]) == pytest.approx(0.065)


def test_log_score_hand_value_and_clipping():
    # -(ln 0.8 + ln 0.7) / 2 = (0.22314 + 0.35667) / 2 = 0.289909
    assert scores.log_score([0.8, 0.3], [1, 0]) == pytest.approx(0.2899092, abs=1e-6)
    # a sure and wrong forecast is clipped at eps = 0.001: -ln(0.001) = 6.907755
    assert scores.log_score([0.0], [1]) == pytest.approx(6.907755, abs=1e-6)
    assert scores.log_score([1.0], [0], eps=0.05) == pytest.approx(-math.log(0.05))


def test_decomposition_identity_when_constant_within_bins():
    # three bins, forecasts constant in each: 0.15 (4 cases), 0.55 (4), 0.95 (2)
    p = [0.15] * 4 + [0.55] * 4 + [0.95] * 2
    y = [0, 0, 0, 1, 1, 0, 1, 0, 1, 1]
    d = scores.brier_decomposition(p, y)
    # by hand: obar = 5/10 = 0.5; bins' frequencies 0.25, 0.5, 1.0
    # REL = (4*(0.15-0.25)^2 + 4*(0.55-0.5)^2 + 2*(0.95-1)^2)/10 = (0.04+0.01+0.005)/10 = 0.0055
    # RES = (4*0.0625 + 4*0 + 2*0.25)/10 = 0.075; UNC = 0.25
    assert d.reliability == pytest.approx(0.0055)
    assert d.resolution == pytest.approx(0.075)
    assert d.uncertainty == pytest.approx(0.25)
    assert d.brier == pytest.approx(0.0055 - 0.075 + 0.25)
    assert d.remainder == pytest.approx(0.0, abs=1e-12)


def test_decomposition_matches_reference_on_random_data():
    rng = np.random.default_rng(3)
    p = rng.uniform(size=300)
    y = (rng.uniform(size=300) < p).astype(int)
    d = scores.brier_decomposition(p, y, n_bins=7)
    rel, res, unc = ref_murphy(p.tolist(), y.tolist(), 7)
    assert (d.reliability, d.resolution, d.uncertainty) == pytest.approx((rel, res, unc))
    assert d.brier == pytest.approx(ref_brier(p.tolist(), y.tolist()))
    # p varies within bins here, so the identity holds only up to the remainder
    assert d.brier == pytest.approx(rel - res + unc + d.remainder)


def test_reliability_table_counts_and_frequencies():
    t = scores.reliability_table([0.05, 0.08, 0.95, 1.0, 0.5], [0, 1, 1, 1, 0], n_bins=10)
    assert list(t["n"]) == [2, 0, 0, 0, 0, 1, 0, 0, 0, 2]
    assert t.loc[0, "observed_freq"] == pytest.approx(0.5)
    assert t.loc[0, "mean_p"] == pytest.approx(0.065)
    assert t.loc[9, "mean_p"] == pytest.approx(0.975)  # p = 1.0 falls in the last bin
    assert np.isnan(t.loc[1, "observed_freq"])


def test_coverage_and_interval_score():
    y = [5, 10, 20, 0]
    lo = [4, 11, 10, 0]
    hi = [6, 15, 20, 3]
    # inside: 5 in [4,6] yes; 10 in [11,15] no; 20 in [10,20] yes (end); 0 in [0,3] yes
    assert scores.coverage(y, lo, hi) == pytest.approx(0.75)
    # by hand, alpha = 0.2 (80 %): widths 2, 4, 10, 3; penalty 2/0.2*(11-10) = 10 on case 2
    # mean = (2 + 14 + 10 + 3)/4 = 7.25
    assert scores.interval_score(y, lo, hi, 0.2) == pytest.approx(7.25)
    assert scores.interval_score(y, lo, hi, 0.5) == pytest.approx(ref_interval_score(y, lo, hi, 0.5))


@pytest.mark.parametrize("p, y", [([1.2], [1]), ([0.5], [2]), ([0.5, 0.4], [1])])
def test_bad_inputs_raise(p, y):
    with pytest.raises(ConfigError, match="Fix"):
        scores.brier_score(p, y)


def test_interval_upper_below_lower_raises():
    with pytest.raises(ConfigError, match="upper end is below"):
        scores.coverage([1], [3], [2])


def test_bootstrap_resamples_whole_years():
    # two years; within each year every loss is the same, so any replicate's mean
    # lies between the two years' values, and with 3 cases vs 1 case the extremes
    # are the two years themselves.
    losses = {"x": np.array([1.0, 1.0, 1.0, 3.0])}
    years = [2020, 2020, 2020, 2021]
    lo, hi = scores.bootstrap_means(losses, years, n_boot=2000, level=0.99, seed=1)["x"]
    assert lo == pytest.approx(1.0) and hi == pytest.approx(3.0)
    # one cluster only: no interval
    assert all(np.isnan(scores.bootstrap_means(losses, [1] * 4, n_boot=10)["x"]))


def test_bootstrap_mean_brackets_point_estimate():
    rng = np.random.default_rng(0)
    v = rng.normal(size=200)
    years = np.repeat(np.arange(20), 10)
    lo, hi = scores.bootstrap_means({"v": v}, years, n_boot=500, seed=2)["v"]
    assert lo < v.mean() < hi


def test_summarize_groups_and_perfect_forecast():
    frame = pd.DataFrame({
        "model": ["a"] * 4 + ["b"] * 4,
        "dataset": "synthetic",
        "p": [1, 0, 1, 0, 0.8, 0.3, 0.6, 0.5],
        "y": [1, 0, 1, 0, 1, 0, 1, 0],
        "outcome": [10, 2, 8, 1] * 2,
        "q10": [10, 2, 8, 1, 5, 0, 9, 0], "q25": [10, 2, 8, 1, 6, 1, 9, 0],
        "q75": [10, 2, 8, 1, 9, 3, 12, 0], "q90": [10, 2, 8, 1, 11, 4, 12, 0],
        "scale": [10, 2, 8, 1] * 2,
        "year": [2020, 2020, 2021, 2021] * 2,
    })
    s = scores.summarize(frame, n_boot=200).set_index("model")
    assert s.loc["a", "brier"] == 0 and s.loc["a", "coverage_80"] == 1
    assert s.loc["a", "interval_score"] == 0
    # b: Brier (0.04 + 0.09 + 0.16 + 0.25)/4 = 0.135
    assert s.loc["b", "brier"] == pytest.approx(0.135)
    # b's 80 % intervals: [5,11]∋10 yes, [0,4]∋2 yes, [9,12]∋8 no, [0,0]∋1 no -> 0.5
    assert s.loc["b", "coverage_80"] == pytest.approx(0.5)
    # interval score on the target scale: case 3: width 3/8 + 10*(9-8)/8; case 4: 10*(1-0)/1
    expected = ((11 - 5) / 10 + (4 - 0) / 2 + (3 / 8 + 10 * 1 / 8) + 10) / 4
    assert s.loc["b", "interval_score"] == pytest.approx(expected)
    assert s.loc["b", "n"] == 4 and s.loc["b", "n_clusters"] == 2
    assert s.loc["b", "brier_lo"] <= s.loc["b", "brier"] <= s.loc["b", "brier_hi"]
