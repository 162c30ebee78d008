"""The normal shortcut for Poisson draws against exact sampling."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from forecast.models.draws import NORMAL_ABOVE, nb_draws, poisson_draws


def _max_cdf_gap(sample: np.ndarray, cdf) -> float:
    ks = np.arange(int(sample.min()), int(sample.max()) + 1)
    emp = np.searchsorted(np.sort(sample), ks, side="right") / len(sample)
    return float(np.max(np.abs(emp - cdf(ks))))


@pytest.mark.parametrize("lam", [NORMAL_ABOVE, 50.0, 300.0])
def test_skew_corrected_normal_matches_the_poisson_distribution(lam):
    # 400,000 draws: the Kolmogorov distance of an exact sample to its own CDF is
    # below 1.63 / sqrt(n) = 0.0026 with 99 % probability; the shortcut's own error
    # (measured 0.0008 at 20) adds little, so 0.004 separates it from a plain normal
    # (0.014 at 20, 0.009 at 50 without the (z² - 1) / 6 term).
    rng = np.random.default_rng(5)
    y = poisson_draws(rng, np.full(400_000, lam, dtype=np.float32))
    assert _max_cdf_gap(y, lambda k: stats.poisson.cdf(k, lam)) < 0.004
    assert y.mean() == pytest.approx(lam, abs=4 * np.sqrt(lam / 400_000))
    # The exact path below the threshold really is numpy's Poisson.
    rng1, rng2 = np.random.default_rng(9), np.random.default_rng(9)
    small = np.full(1000, NORMAL_ABOVE / 2, dtype=np.float32)
    assert np.array_equal(poisson_draws(rng1, small), rng2.poisson(small))


def test_plain_normal_would_fail_the_same_check():
    # Guard that the check above can fail: without the skew term at lam = 20.
    rng = np.random.default_rng(5)
    z = rng.standard_normal(400_000)
    y = np.rint(np.maximum(20 + np.sqrt(20) * z, 0))
    assert _max_cdf_gap(y, lambda k: stats.poisson.cdf(k, 20)) > 0.008


def test_negative_binomial_shortcut_against_exact_gamma_poisson():
    # NB2 mean 200, alpha 0.02: variance 200 + 0.02 · 200² = 1,000. The shortcut
    # (gamma exact, Poisson part normal) against normal_above = inf (all exact):
    # both CDFs against scipy's NB with n = 1/alpha = 50, p = n / (n + m) = 0.2.
    m, alpha, n = 200.0, 0.02, 400_000
    means = np.full(n, m, dtype=np.float32)
    fast = nb_draws(np.random.default_rng(1), means, alpha)
    exact = nb_draws(np.random.default_rng(2), means, alpha, normal_above=np.inf)
    cdf = lambda k: stats.nbinom.cdf(k, 50, 50 / 250)  # noqa: E731
    assert _max_cdf_gap(exact, cdf) < 0.004
    assert _max_cdf_gap(fast, cdf) < 0.004
    assert fast.var() == pytest.approx(1000, rel=0.02)
    np.testing.assert_allclose(np.quantile(fast, [0.1, 0.5, 0.9]),
                               stats.nbinom.ppf([0.1, 0.5, 0.9], 50, 0.2), atol=1.0)
