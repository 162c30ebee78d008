"""Tests of forecast.models.nowcast: a year-end range from a part-year count."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.errors import ConfigError, ModelError
from forecast.models.nowcast import nowcast


def test_krong_bong_2021_nowcast_against_the_96_reached_by_october():
    # Krông Bông (seed 004): 23 admitted by 30 June 2021, target 80; 96 by
    # 12 October, so the year's final count was at least 96.
    # Hand: share_by(2021-06-30) = DEFAULT_PROFILE[5] = 0.378, so the plain
    # scaled-up figure is 23 / 0.378 = 60.8; the median of the nowcast sits
    # near it (a little above: 1/s is right-skewed and the prior adds 0.5).
    nc = nowcast(23, "2021-06-30", n_paths=20_000, seed=1)
    assert nc.share == pytest.approx(0.378)
    assert nc.point == pytest.approx(60.85, abs=0.01)
    assert 0.95 * 60.8 <= nc.quantiles[0.5] <= 1.1 * 60.8
    # Honest result (not tuned): the 80 % range (q10-q90) is about 44-92 and
    # does NOT contain 96; the 90 % range (q05-q95) is about 40-103 and does.
    # 2021 was later than usual (COVID-19 slowed vetting), so Krông Bông's
    # June share was about 23/96 = 0.24 or less, in the lower tail of the
    # Beta(11.3, 18.7) spread of shares.
    assert nc.quantiles[0.9] < 96 <= nc.quantiles[0.95]
    assert 0.03 < nc.prob_at_least(96) < 0.15


def test_nowcast_mean_matches_negative_binomial_when_the_share_is_known():
    # With a huge concentration s is the profile value m = 0.378 and
    # E[final] = c + (c + 0.5)(1 - m) / m = 23 + 23.5 * 0.622 / 0.378 = 61.669
    nc = nowcast(23, "2021-06-30", concentration=1e7, n_paths=40_000, seed=2)
    # sd of the NB part: sqrt(n(1-p))/p = sqrt(23.5 * 0.622) / 0.378 = 10.1;
    # standard error of the mean over 40,000 paths = 0.05
    assert nc.mean == pytest.approx(23 + 23.5 * 0.622 / 0.378, abs=0.25)


def test_nowcast_does_not_make_a_strong_first_quarter_a_certain_overshoot():
    # 50 by 31 March: share 0.143, plain scale-up 350. With the share itself
    # uncertain, the 10 % quantile falls well below 350 (a front-loaded unit
    # has little left); with the share known it would stay near 0.84 * 350.
    unsure = nowcast(50, "2021-03-31", seed=3)
    sure = nowcast(50, "2021-03-31", concentration=1e7, seed=3)
    assert unsure.quantiles[0.1] < 0.75 * unsure.point
    assert sure.quantiles[0.1] > 0.8 * sure.point
    assert unsure.quantiles[0.1] >= 50


def test_nowcast_edge_cases():
    assert nowcast(40, "2021-12-31").quantiles[0.5] == 40          # year complete
    z = nowcast(0, "2021-06-30", seed=4)
    assert z.quantiles[0.9] > 0                                    # zero is not certainty
    r = nowcast((10, 12), "2021-09-30", seed=5)
    assert r.count == 11 and r.samples.min() >= 10
    a = nowcast(23, "2021-06-30", seed=7).samples
    assert np.array_equal(a, nowcast(23, "2021-06-30", seed=7).samples)  # seeded
    with pytest.raises(ModelError, match="low <= high"):
        nowcast((12, 10), "2021-06-30")
    with pytest.raises(ConfigError, match="concentration"):
        nowcast(5, "2021-06-30", concentration=0)
