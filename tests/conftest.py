"""Shared fixtures."""

from pathlib import Path

import numpy as np
import pytest
from scipy import integrate, stats

FIXTURES = Path(__file__).parent / "fixtures"
TINY_DIR = FIXTURES / "tiny"


@pytest.fixture(scope="session")
def tiny_dataset():
    """The hand-written tiny dataset (Tiền Giang, Krông Bông, Cư Pui; see its CSVs)."""
    from forecast.data.dataset import load

    return load(TINY_DIR)


def _share_reference(target, count, m, reference=None, spread=None, a0=0.5):
    """P(final >= target) after a count at a cut-off, by numerical integration.

    Independent of ``forecast.models.share`` (scipy's densities and quad):
    the reference of the nowcast (``reference``: the rate's prior mean,
    ``a0`` its shape; none: flat) and of the simulation's part-year update
    (``reference`` = the model's mean, ``a0`` = 1 / alpha).

    The share: centre ``m ** (1 + r z)`` (z by 30-point Gauss-Hermite), then
    the mixture of two Betas (only the first without a reference); the
    weight of a share given the count, the rate Gamma(a0, a0 / reference)
    integrated out: ``s^c (b + s)^-(a0 + c)``; given ``s`` the rest of the
    year is negative binomial with size ``a0 + c`` and probability
    ``(b + s) / (b + 1)`` (gamma-Poisson with rate ``lam (1 - s)``).
    """
    from forecast.models.profile import DEFAULT_SPREAD

    spread = spread or DEFAULT_SPREAD
    b = a0 / reference if reference else 0.0
    pi = spread.front_weight if reference else 0.0
    k, kw, rel = spread.concentration, spread.front_concentration, spread.exponent_rel_sd
    zs, ws = np.polynomial.hermite_e.hermegauss(30)
    num = den = 0.0
    for z, w in zip(zs, ws):
        mz = min(max(m ** (1 + rel * z), 1e-6), 1 - 1e-6)

        def f(s, tail):
            prior = ((1 - pi) * stats.beta.pdf(s, k * mz, k * (1 - mz))
                     + pi * stats.beta.pdf(s, kw * mz, kw * (1 - mz)))
            lik = np.exp(count * np.log(s / m) - (a0 + count) * np.log((b + s) / (b + m)))
            g = stats.nbinom.sf(target - count - 1, a0 + count, (b + s) / (b + 1)) if tail else 1
            return prior * lik * g
        pts = sorted({mz, 0.3, 0.5})
        num += w * integrate.quad(lambda s: f(s, True), 1e-12, 1 - 1e-12, points=pts, limit=400)[0]
        den += w * integrate.quad(lambda s: f(s, False), 1e-12, 1 - 1e-12, points=pts, limit=400)[0]
    return num / den


@pytest.fixture(scope="session")
def share_reference():
    """:func:`_share_reference`, for the nowcast and part-year tests."""
    return _share_reference
