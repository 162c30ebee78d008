"""Tests of forecast.models.share: a unit's share at a cut-off, drawn and updated by a count."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from forecast.errors import ConfigError
from forecast.models.share import ShareSpread, share_draws, update_by_count


def _prior_pdf(s, m, spread):
    """The mixture's density, written with scipy (independent of the module)."""
    k, kw, pi = spread.concentration, spread.front_concentration, spread.front_weight
    return ((1 - pi) * stats.beta.pdf(s, k * m, k * (1 - m))
            + pi * stats.beta.pdf(s, kw * m, kw * (1 - m)))


def _posterior_moments(m, spread, lik):
    """E[s | count] and P(s > 0.4 | count) by numerical integration."""
    def f(s, g=lambda s: 1.0):
        return _prior_pdf(s, m, spread) * lik(s) * g(s)
    pts = [m, 0.4, 0.5]
    z = integrate.quad(f, 0, 1, points=pts, limit=200)[0]
    mean = integrate.quad(lambda s: f(s, lambda x: x), 0, 1, points=pts, limit=200)[0] / z
    above = integrate.quad(f, 0.4, 1, points=[0.5], limit=200)[0] / z
    return mean, above


def test_prior_draws_have_the_mixture_mean_and_variance():
    # Hand: both components are centred on m = 0.378, so the mean is m and
    # Var = (1 - pi) m(1-m)/(kappa+1) + pi m(1-m)/(kappa_w+1)
    #     = 0.8 * 0.235116/31 + 0.2 * 0.235116/3.5 = 0.0060675 + 0.0134352 = 0.0195027.
    spread = ShareSpread(30.0, 0.2, 2.5, 0.0)
    s = share_draws(np.random.default_rng(1), 0.378, spread, 200_000)
    se = math.sqrt(0.0195027 / 200_000)
    assert s.mean() == pytest.approx(0.378, abs=4 * se)
    assert s.var() == pytest.approx(0.0195027, rel=0.03)
    assert s.min() > 0 and s.max() < 1


def test_the_exponent_error_moves_each_draws_centre():
    # Centre m ** (1 + 0.2 z), z standard normal: E = m exp(0.2² ln²m / 2) (lognormal
    # moment): for m = 0.378, ln m = -0.97286, E = 0.378 * exp(0.04 * 0.94646 / 2)
    # = 0.378 * 1.01911 = 0.38522. With kappa 1e6 the Beta adds nothing.
    spread = ShareSpread(1e6, 0.0, 2.5, 0.2)
    s = share_draws(np.random.default_rng(2), 0.378, spread, 200_000)
    assert s.mean() == pytest.approx(0.38522, abs=0.0015)
    # sd of m ** (1 + 0.2 z) is about m |ln m| 0.2 = 0.0736
    assert s.std() == pytest.approx(0.0736, rel=0.05)


@pytest.mark.parametrize("count, shape, rate", [(50, 20.0, 0.2), (23, 0.5, 0.00625), (3, 20.0, 0.2)])
def test_update_by_a_count_matches_numerical_integration(count, shape, rate):
    # Posterior of s given count c, the rate lam ~ Gamma(shape, rate) integrated out:
    # p(s | c) ∝ p(s) s^c (rate + s)^-(shape + c). Integrated with scipy's quad and
    # compared with the draws (sampling-importance-resampling, 48 candidates per
    # path). Cases: 50 of a target of 100 by 31 March (m = 0.143) under a model
    # prior of 100 a year with shape 20; Krông Bông's 23 by June (m = 0.378)
    # against a reference of 80 with shape 0.5; a slow 3 by March.
    m = 0.143 if count != 23 else 0.378
    spread = ShareSpread(30.0, 0.2, 2.5, 0.0)
    n = 100_000

    def lik(s):
        return s ** count * (rate + s) ** -(shape + count) / (rate + m) ** -(shape + count) / m ** count

    mean, above = _posterior_moments(m, spread, lik)
    s, lam = update_by_count(np.random.default_rng(3), m, spread, count, shape, rate, n)
    sd = math.sqrt(max(above * (1 - above), 1e-4) / n)
    assert s.mean() == pytest.approx(mean, abs=0.01)
    assert np.mean(s > 0.4) == pytest.approx(above, abs=max(5 * sd, 0.01))
    # Given s, lam | c, s ~ Gamma(shape + c, rate + s): E[lam] = E[(shape + c) / (rate + s)].
    e_lam = integrate.quad(lambda x: _prior_pdf(x, m, spread) * lik(x) * (shape + count)
                           / (rate + x), 0, 1, points=[m, 0.4, 0.5], limit=200)[0] \
        / integrate.quad(lambda x: _prior_pdf(x, m, spread) * lik(x), 0, 1,
                         points=[m, 0.4, 0.5], limit=200)[0]
    assert lam.mean() == pytest.approx(e_lam, rel=0.03)


def test_a_strong_first_quarter_is_mostly_read_as_front_loading():
    # 50 of a target of 100 by 31 March, the model expecting 100 (shape 20):
    # under the profile's component s is near 0.143 and 50 would need a rate
    # of 350, which the prior all but rules out; the wide component can put s
    # near 0.5. The update moves most paths there: P(s > 0.4) is above 0.5
    # although the prior gives it 0.2 * P(Beta(0.36, 2.14) > 0.4) = 0.02.
    spread = ShareSpread(30.0, 0.2, 2.5, 0.0)
    s, _ = update_by_count(np.random.default_rng(4), 0.143, spread, 50, 20.0, 0.2, 20_000)
    assert np.mean(s > 0.4) > 0.5
    assert 0.2 * stats.beta.sf(0.4, 2.5 * 0.143, 2.5 * 0.857) < 0.03


def test_share_spread_refuses_bad_values():
    with pytest.raises(ConfigError, match="front weight"):
        ShareSpread(30.0, 1.0)
    with pytest.raises(ConfigError, match="positive"):
        ShareSpread(0.0, 0.2)
