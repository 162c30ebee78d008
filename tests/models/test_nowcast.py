"""Tests of forecast.models.nowcast: a year-end range from a part-year count."""

from __future__ import annotations

import numpy as np
import pytest
from forecast.errors import ModelError
from forecast.models.nowcast import nowcast
from forecast.models.share import ShareSpread


def test_krong_bong_2021_nowcast_against_the_96_reached_by_october(share_reference):
    # Krông Bông (seed 004): 23 admitted by 30 June 2021, target 80; 96 by
    # 12 October, so the year's final count was at least 96.
    # Hand: share_by(2021-06-30) = DEFAULT_PROFILE[5] = 0.378, so the plain
    # scaled-up figure is 23 / 0.378 = 60.8; the median sits near it.
    n = 40_000
    nc = nowcast(23, "2021-06-30", n_paths=n, seed=1)
    assert nc.share == pytest.approx(0.378)
    assert nc.point == pytest.approx(60.85, abs=0.01)
    assert 0.95 * 60.8 <= nc.quantiles[0.5] <= 1.1 * 60.8
    # Without a reference only the spread around the profile and the
    # profile's own exponent error (18 %) count: P(final >= 96) = 0.148 by
    # integration (the earlier nowcast, with the share's Beta alone, gave
    # 0.083 and an 80 % range of 44-92 that missed 96).
    p = share_reference(96, 23, 0.378)
    assert nc.prob_at_least(96) == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / n))
    assert nc.quantiles[0.1] < 96 <= nc.quantiles[0.9]
    # With the target as reference, the wide component comes in:
    # P(final >= 80) = 0.242 and P(final >= 96) = 0.134 by integration.
    ref = nowcast(23, "2021-06-30", reference=80, n_paths=n, seed=1)
    for target in (80, 96):
        p = share_reference(target, 23, 0.378, reference=80)
        assert ref.prob_at_least(target) == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / n))


def test_nowcast_mean_matches_negative_binomial_when_the_share_is_known():
    # With the share exact (huge concentration, no wide component, no exponent
    # error) s is the profile value m = 0.378 and
    # E[final] = c + (c + 0.5)(1 - m) / m = 23 + 23.5 * 0.622 / 0.378 = 61.669
    nc = nowcast(23, "2021-06-30", spread=ShareSpread(1e7, 0.0), n_paths=40_000, seed=2)
    # sd of the NB part: sqrt(n(1-p))/p = sqrt(23.5 * 0.622) / 0.378 = 10.1;
    # standard error of the mean over 40,000 paths = 0.05
    assert nc.mean == pytest.approx(23 + 23.5 * 0.622 / 0.378, abs=0.25)


def test_a_strong_first_quarter_against_its_target(share_reference):
    # 50 by 31 March against a target of 100: share 0.143, plain scale-up 350.
    # With the target as reference P(final >= 100) = 0.962 by integration:
    # the reference is weak (a Gamma of shape 0.5), so the count mostly says
    # "a big year", but 4 % of paths are front-loaded years that end short.
    n = 40_000
    nc = nowcast(50, "2021-03-31", reference=100, n_paths=n, seed=3)
    p = share_reference(100, 50, 0.143, reference=100)
    assert p == pytest.approx(0.962, abs=0.002)
    assert nc.prob_at_least(100) == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / n))
    # Without the share's uncertainty it would be a certain overshoot.
    sure = nowcast(50, "2021-03-31", spread=ShareSpread(1e7, 0.0), reference=100, seed=3)
    assert sure.prob_at_least(100) == 1.0
    assert sure.quantiles[0.1] > 0.8 * sure.point


def test_nowcast_edge_cases():
    assert nowcast(40, "2021-12-31").quantiles[0.5] == 40          # year complete
    z = nowcast(0, "2021-06-30", seed=4)
    assert z.quantiles[0.9] > 0                                    # zero is not certainty
    r = nowcast((10, 12), "2021-09-30", seed=5)
    assert r.count == 11 and r.samples.min() >= 10
    a = nowcast(23, "2021-06-30", seed=7).samples
    assert np.array_equal(a, nowcast(23, "2021-06-30", seed=7).samples)  # seeded
    assert all(float(q).is_integer() for q in nowcast(23, "2021-06-30", seed=7).quantiles.values())
    with pytest.raises(ModelError, match="low <= high"):
        nowcast((12, 10), "2021-06-30")
    with pytest.raises(ModelError, match="reference"):
        nowcast(5, "2021-06-30", reference=0)
