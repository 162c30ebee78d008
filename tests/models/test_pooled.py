"""Tests of the pooled model's dispersion step (forecast.models.pooled.moment_dispersion)."""

import numpy as np

from forecast.models import pooled as mp


def _world(alpha, year_sd, n_units=300, n_years=4, seed=3):
    """Whole-year NB2 counts of units from tiny (mean 0.5) to large (mean 500)."""
    rng = np.random.default_rng(seed)
    level = np.exp(rng.uniform(np.log(0.5), np.log(500), n_units))
    shock = np.exp(year_sd * rng.standard_normal(n_years) - year_sd ** 2 / 2)
    uix = np.repeat(np.arange(n_units), n_years)
    year = np.tile(np.arange(n_years), n_units)
    mean = level[uix] * shock[year]
    lam = mean * rng.gamma(1 / alpha, alpha, len(mean))
    y = rng.poisson(lam).astype(float)
    W = np.zeros((len(y), n_years))
    W[np.arange(len(y)), year] = 1.0
    E = np.ones_like(W)
    return uix, y, np.zeros(len(y)), W, E, np.arange(2020, 2020 + n_years, dtype=float)


def _estimate(alpha, year_sd):
    uix, y, rv, W, E, years = _world(alpha, year_sd)
    s = mp.PooledSettings(trend=False)
    n_units = int(uix.max()) + 1
    a = b = None
    disp = 0.05
    for _ in range(3):
        a, b, _, _, mit = mp.fit_fixed(uix, y, rv, W, E, years, 2021, n_units, disp, s,
                                       a, b or 0.0)
        total, year_var = mp.moment_dispersion(uix, y, rv, W, mit, n_units, n_units, s, years)
        disp = total
    return total, year_var


def test_total_dispersion_does_not_collapse_with_small_units():
    # True NB2 alpha 0.15, no year shock: the total should be near 0.15. The old
    # equal-weight mean of ((y-m)² - m)/m² was swamped by units with m near 1
    # and returned the floor 0.001.
    total, year_var = _estimate(0.15, 0.0)
    assert 0.11 < total < 0.19
    assert abs(year_var) < 0.02


def test_year_variance_is_separate_from_the_total():
    # alpha 0.05 plus a shared year shock of sd 0.2 (variance 0.04): the year part is
    # its own estimate, not capped by the total; four years make it rough.
    total, year_var = _estimate(0.05, 0.2)
    assert 0.05 < total < 0.15
    assert year_var > 0.005
