"""Tests of forecast.simulate.thinning: binomial draws and the thinned part-years."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from forecast.simulate.thinning import binomial_draws


def _ks(x, n, p):
    k = np.arange(0, n + 1)
    ecdf = np.searchsorted(np.sort(x), k, side="right") / len(x)
    return float(np.max(np.abs(ecdf - stats.binom.cdf(k, n, p))))


@pytest.mark.parametrize("p, var", [(0.668, 5), (0.668, 10), (0.25, 5), (0.05, 10), (0.668, 300)])
def test_the_normal_shortcut_is_close_to_the_binomial(p, var):
    # Largest distance between distribution functions, 400,000 draws (noise
    # about 0.0014 at most): the skew-corrected normal is within 0.0035 of the
    # exact binomial from variance 5 (measured 0.0018-0.0031 with 2,000,000
    # draws, see the module docstring).
    n = round(var / (p * (1 - p)))
    x = binomial_draws(np.random.default_rng(1), np.full(400_000, n, np.float32), p)
    assert _ks(x, n, p) < 0.0035 + 0.0015
    assert x.mean() == pytest.approx(n * p, abs=4 * np.sqrt(var / 400_000))
    assert x.min() >= 0 and x.max() <= n and np.array_equal(x, np.round(x))


def test_small_counts_are_drawn_exactly_and_in_their_order():
    # Below variance 5 numpy's binomial is used (fed sorted, put back in
    # place): each path's draw never exceeds its own count, and the
    # distribution is the binomial's.
    rng = np.random.default_rng(2)
    n = rng.poisson(6, 200_000).astype(np.float32)
    x = binomial_draws(np.random.default_rng(3), n, 0.668)
    assert np.all(x <= n) and np.all(x >= 0)
    # Poisson(6) thinned by 0.668 is Poisson(4.008).
    k = np.arange(0, 30)
    ecdf = np.searchsorted(np.sort(x), k, side="right") / len(x)
    assert np.max(np.abs(ecdf - stats.poisson.cdf(k, 4.008))) < 0.005
    ones = binomial_draws(rng, np.array([0, 1, 1, 1], np.float32), 1.0)
    assert ones.tolist() == [0.0, 1.0, 1.0, 1.0]
