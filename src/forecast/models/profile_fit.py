"""The likelihood of part-year figures under the profile, and its maximisation.

Each figure (:func:`forecast.models.profile_estimate.profile_evidence`) is a
ratio ``y`` observed at a cut-off ``t``:

- a share of the year (``y = s``) when its denominator is the unit's own
  count of that year (the full year, or a later count of the same year);
- a share of the year's target (``y = s · r``) otherwise, where ``r`` is the
  unit's final/target ratio that year, unknown: a random effect,
  ``ln r ~ Normal(mu_i, sd_i)``, integrated out on a grid of 41 points
  over ``mu_i ± 5 sd_i``.

``s`` has the mixture density of :mod:`forecast.models.share` around
``F(t) = t ** a`` (concentration ``kappa``, front-loaded weight ``pi``,
wide concentration ``kappa_w``). The weighted log likelihood plus the log
priors (``a ~ Normal(1.405, 0.25)``, ``ln kappa ~ Normal(ln 30, 0.7)``,
``pi ~ Beta(1, 4)``) is maximised in ``(a, ln kappa, logit pi)`` (the
posterior mode on that scale) with SLSQP from two starting points;
the exponent's standard error is the Laplace one, the square root of the
first diagonal element of the inverse Hessian there.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy import optimize, special

from forecast.models.profile import (
    CONCENTRATION_BOUNDS, CONCENTRATION_PRIOR_SD, DEFAULT_CONCENTRATION, DEFAULT_EXPONENT,
    EXPONENT_BOUNDS, EXPONENT_PRIOR_SD, FRONT_WEIGHT_BOUNDS, FRONT_WEIGHT_PRIOR,
)
from forecast.models.share import FRONT_CONCENTRATION, ShareSpread, beta_logpdf, mixture_logpdf

_GRID = np.linspace(-5.0, 5.0, 41)
_LOG_GRID_W = -0.5 * _GRID ** 2 - np.log(np.exp(-0.5 * _GRID ** 2).sum())
"""Standard-normal nodes and their log weights (summing to 1) for the ratio's integral."""

_SHARE_CLIP = (0.005, 0.995)
"""A share of the year of exactly 0 or 1 before 31 December has no Beta density."""


def figure_loglik(a: float, kappa: float, pi: float, t, y, mu, sd) -> np.ndarray:
    """Log likelihood of each figure (see the module docstring).

    ``sd = 0`` marks a share of the year (then ``mu`` must be 0).
    """
    t, y, mu, sd = (np.asarray(x, dtype=float) for x in (t, y, mu, sd))
    out = np.empty(len(t))
    own = sd == 0
    if own.any():
        s = np.clip(y[own], *_SHARE_CLIP)
        centre = t[own] ** a
        out[own] = mixture_logpdf(beta_logpdf(s, centre, kappa),
                                        beta_logpdf(s, centre, FRONT_CONCENTRATION), pi)
    if (~own).any():
        u = mu[~own, None] + sd[~own, None] * _GRID[None, :]
        s = y[~own, None] * np.exp(-u)
        inside = (s > 0) & (s < 1)
        s = np.clip(s, 1e-12, 1 - 1e-12)
        centre = np.broadcast_to((t[~own] ** a)[:, None], s.shape)
        dens = mixture_logpdf(beta_logpdf(s, centre, kappa),
                                    beta_logpdf(s, centre, FRONT_CONCENTRATION), pi)
        # y = s e^u: the density of y is that of s at y e^-u times e^-u.
        dens = np.where(inside, dens - u + _LOG_GRID_W[None, :], -np.inf)
        out[~own] = special.logsumexp(dens, axis=1)
    return out


def _log_prior(a: float, lk: float, lpi: float) -> float:
    pi = special.expit(lpi)
    pa, pb = FRONT_WEIGHT_PRIOR
    return (-0.5 * ((a - DEFAULT_EXPONENT) / EXPONENT_PRIOR_SD) ** 2
            - 0.5 * ((lk - math.log(DEFAULT_CONCENTRATION)) / CONCENTRATION_PRIOR_SD) ** 2
            + (pa - 1) * math.log(pi) + (pb - 1) * math.log1p(-pi)
            + math.log(pi) + math.log1p(-pi))  # Jacobian of the logit


_BOUNDS = (EXPONENT_BOUNDS, tuple(math.log(x) for x in CONCENTRATION_BOUNDS),
           tuple(float(special.logit(x)) for x in FRONT_WEIGHT_BOUNDS))


def _neg_post(theta, t, y, mu, sd, w) -> float:
    a, lk, lpi = theta
    ll = figure_loglik(a, math.exp(lk), float(special.expit(lpi)), t, y, mu, sd)
    return -(float(np.sum(w * np.maximum(ll, -700.0))) + _log_prior(a, lk, lpi))


def _maximise(fun, starts, bounds):
    best = None
    for x0 in starts:
        r = optimize.minimize(fun, x0, method="SLSQP", bounds=bounds)
        if best is None or r.fun < best.fun:
            best = r
    return best.x


def _hessian(fun, x, h=1e-3) -> np.ndarray:
    n = len(x)
    out = np.empty((n, n))
    for i in range(n):
        for j in range(i, n):
            e_i, e_j = np.eye(n)[i] * h, np.eye(n)[j] * h
            out[i, j] = out[j, i] = (fun(x + e_i + e_j) - fun(x + e_i - e_j)
                                     - fun(x - e_i + e_j) + fun(x - e_i - e_j)) / (4 * h * h)
    return out


@functools.lru_cache(maxsize=256)
def fit_exponent(key: tuple) -> tuple[float, float]:
    """Posterior mode and Laplace sd of ``a`` (``kappa`` and ``pi`` free beside it).

    ``key`` is ``(t, y, mu, sd, w)`` as tuples (hashable, so that the many
    fits of a backtest on the same figures are done once). Without figures:
    the prior's mean and sd.
    """
    t, y, mu, sd, w = (np.asarray(k, dtype=float) for k in key)
    if len(t) == 0:
        return DEFAULT_EXPONENT, EXPONENT_PRIOR_SD

    def fun(theta):
        return _neg_post(theta, t, y, mu, sd, w)

    starts = [(a0, math.log(DEFAULT_CONCENTRATION), float(special.logit(0.2)))
              for a0 in (0.9, 1.8)]
    x = _maximise(fun, starts, _BOUNDS)
    sd_a = EXPONENT_PRIOR_SD
    try:
        cov = np.linalg.inv(_hessian(fun, x))
        if np.isfinite(cov[0, 0]) and cov[0, 0] > 0:
            sd_a = min(math.sqrt(cov[0, 0]), EXPONENT_PRIOR_SD)
    except np.linalg.LinAlgError:
        pass
    return float(x[0]), float(sd_a)


@functools.lru_cache(maxsize=256)
def fit_spread(a: float, key: tuple) -> tuple[float, float]:
    """Posterior mode of ``kappa`` and ``pi`` given the exponent ``a``.

    ``key`` is ``(t, y, mu, sd, w)`` as tuples; without figures, the defaults.
    """
    t, y, mu, sd, w = (np.asarray(k, dtype=float) for k in key)
    pa, pb = FRONT_WEIGHT_PRIOR
    if len(t) == 0:
        return DEFAULT_CONCENTRATION, pa / (pa + pb)

    def fun(z):
        return _neg_post((a, z[0], z[1]), t, y, mu, sd, w)

    starts = [(math.log(k0), float(special.logit(p0))) for k0, p0 in ((12.0, 0.3), (40.0, 0.1))]
    x = _maximise(fun, starts, _BOUNDS[1:])
    return float(math.exp(x[0])), float(special.expit(x[1]))


def spread_of(a: float, sd_a: float, kappa: float, pi: float) -> ShareSpread:
    """The :class:`ShareSpread` of an estimate."""
    return ShareSpread(kappa, pi, FRONT_CONCENTRATION, sd_a / a)
