"""Tests of forecast.simulate.part_year: the rest of a partly reported year."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from forecast.models.base import Streams
from forecast.models.share import ShareSpread
from forecast.simulate.part_year import condition_part_years
from forecast.models.profile import DEFAULT_PROFILE
from forecast.simulate.summary import month_grid
from forecast.simulate.engine import layout


class _Stub:
    """A model whose every path has mean ``mu`` for the year."""

    part_year_update = True

    def __init__(self, mu, alpha, concentration, front_weight=0.0):
        self.mu, self.alpha, self.concentration, self.year_sd = mu, alpha, concentration, 0.0
        self.share_spread = ShareSpread(concentration, front_weight)

    def means_batch(self, ids, years, streams):
        return np.full((len(ids), 1, len(years)), self.mu, dtype=np.float32)

    def unit_alpha(self, unit_id):
        return self.alpha


def _run(c, mu, alpha, kappa, n=200_000, flag=True, front_weight=0.0, cutoff="2021-06-30"):
    known = pd.DataFrame({"period_start": [pd.Timestamp("2021-01-01")],
                          "period_end": [pd.Timestamp(cutoff)],
                          "value": [float(c)], "low": [np.nan], "high": [np.nan]})
    grid = month_grid(pd.Timestamp("2021-01-01"), pd.Timestamp("2021-12-31"), known,
                      DEFAULT_PROFILE)
    lay = layout(grid)
    fitted = _Stub(mu, alpha, kappa, front_weight)
    fitted.part_year_update = flag
    streams = Streams(7, n)
    d = np.full((1, n, 1), 123.0, dtype=np.float32)
    kv = np.full((1, 1, 1), float(c))
    done = condition_part_years(fitted, [SimpleNamespace(unit_id="u")], grid, lay, kv, d, streams)
    assert done == ({0} if flag else set())
    uncovered = float(grid.uncovered.sum())
    return d[0, :, 0].astype(float) * uncovered, uncovered


def test_rest_of_year_matches_gamma_poisson_closed_form():
    # Share by 30 June of the default profile: 0.378, taken as exact (kappa huge).
    # k = 1/alpha = 10; lam | c ~ Gamma(k + c, rate k/mu + m) = Gamma(30, rate 0.1 + 0.378);
    # rest ~ Poisson(lam (1 - m)): mean 30 / 0.478 * 0.622 = 39.04,
    # variance = mean + Var(lam)(1-m)² = 39.04 + 30 / 0.478² * 0.622² = 39.04 + 50.80.
    rest, uncovered = _run(c=20, mu=100, alpha=0.1, kappa=1e7)
    assert abs(uncovered - 0.622) < 1e-9
    assert abs(rest.mean() - 39.04) < 0.15
    assert abs(rest.var() - 89.84) < 2.0


def test_uncertain_share_widens_and_keeps_counts_whole():
    sure, _ = _run(c=20, mu=100, alpha=0.1, kappa=1e7)
    loose, _ = _run(c=20, mu=100, alpha=0.1, kappa=10)
    assert loose.std() > sure.std() * 1.1
    assert np.all(loose >= 0) and np.allclose(loose, np.round(loose), atol=1e-3)


def test_models_without_the_flag_are_left_alone():
    rest, uncovered = _run(c=20, mu=100, alpha=0.1, kappa=30, n=100, flag=False)
    assert np.allclose(rest, 123.0 * uncovered)


def test_half_the_target_by_march_is_partly_a_front_loaded_year(share_reference):
    # 50 admitted by 31 March, the model expecting 100 for the year (alpha 0.05,
    # so the rate's prior is Gamma(20, rate 0.2)), the default profile's March
    # share m = 0.143, the share's spread kappa 30 with a front-loaded weight
    # pi = 0.2. By hand: along the profile 50 by March is a year of
    # 50 / 0.143 = 350, which the model's prior (sd of the rate 100 / sqrt(20)
    # = 22) all but rules out; a front-loaded share of about 0.45 (the wide
    # component) explains it with a year near 100-110. The update weighs the
    # two: by integration (scipy, conftest) P(final >= 100) = P(rest >= 50)
    # = 0.670 (0.989 with the same update and no wide component). The
    # share's Beta alone, drawn from the prior (the engine before the
    # mixture), left paths near 50 + 0.857 * (20 + 50) / (0.2 + 0.143) = 225
    # (median 228): P = 0.9999.
    rest, uncovered = _run(c=50, mu=100, alpha=0.05, kappa=30.0, n=40_000,
                           front_weight=0.2, cutoff="2021-03-31")
    assert abs(uncovered - 0.857) < 1e-9
    p = share_reference(100, 50, 0.143, reference=100.0,
                        spread=ShareSpread(30.0, 0.2), a0=20.0)
    assert p == pytest.approx(0.670, abs=0.002)
    got = float(np.mean(50 + np.round(rest) >= 100))
    assert abs(got - p) < 4 * np.sqrt(p * (1 - p) / 40_000) + 0.01
