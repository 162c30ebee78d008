"""Tests of forecast.simulate.part_year: the rest of a partly reported year."""

from types import SimpleNamespace

import numpy as np
import pandas as pd

from forecast.models.base import Streams
from forecast.simulate.part_year import condition_part_years
from forecast.models.profile import DEFAULT_PROFILE
from forecast.simulate.summary import month_grid
from forecast.simulate.engine import layout


class _Stub:
    """A model whose every path has mean ``mu`` for the year."""

    part_year_update = True

    def __init__(self, mu, alpha, concentration):
        self.mu, self.alpha, self.concentration, self.year_sd = mu, alpha, concentration, 0.0

    def means_batch(self, ids, years, streams):
        return np.full((len(ids), 1, len(years)), self.mu, dtype=np.float32)


def _run(c, mu, alpha, kappa, n=200_000, flag=True):
    known = pd.DataFrame({"period_start": [pd.Timestamp("2021-01-01")],
                          "period_end": [pd.Timestamp("2021-06-30")],
                          "value": [float(c)], "low": [np.nan], "high": [np.nan]})
    grid = month_grid(pd.Timestamp("2021-01-01"), pd.Timestamp("2021-12-31"), known,
                      DEFAULT_PROFILE)
    lay = layout(grid)
    fitted = _Stub(mu, alpha, kappa)
    fitted.part_year_update = flag
    streams = Streams(7, n)
    d = np.full((1, n, 1), 123.0, dtype=np.float32)
    kv = np.full((1, 1, 1), float(c))
    condition_part_years(fitted, [SimpleNamespace(unit_id="u")], grid, lay, kv, d, streams)
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
