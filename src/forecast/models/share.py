"""A unit's own share of its year reached by a cut-off: its distribution and its draws.

The within-year profile (:mod:`forecast.models.profile`) gives the expected
share ``m = F(t)`` of a year's admissions reached by a cut-off. A unit's own
share ``s`` in a given year differs from it, and sometimes by much: a unit
admits half its year's target by March in a congress year and then stalls,
another is held up until the autumn. The share is modelled as a mixture::

    s ~ (1 - pi) Beta(kappa m, kappa (1 - m)) + pi Beta(kappa_w m, kappa_w (1 - m))

- with weight ``1 - pi`` the unit follows the profile, with the spread
  ``kappa`` of the shares around the curve;
- with weight ``pi`` it does not: a wide Beta with the same centre and
  concentration ``kappa_w`` (:data:`FRONT_CONCENTRATION`, 2.5), which gives a
  first quarter at half the year a real chance (and a very late year too);
- when the profile is estimated, its exponent ``a`` is itself uncertain
  (standard deviation ``sd_a``); each draw uses ``m' = m ** (a' / a)`` with
  ``a' ~ Normal(a, sd_a)``, the profile's own estimation error.

``ShareSpread`` holds ``kappa``, ``pi``, ``kappa_w`` and ``sd_a / a``;
``docs/profile.md`` gives the estimates and the evidence.

:func:`share_draws` draws ``s`` for many paths, either from this
distribution or, given a count seen by the cut-off, from its update by the
count's likelihood (the nowcast and the simulation's part-year step, which
must both let a strong first quarter be partly explained by a front-loaded
year). The update is done by sampling-importance-resampling per path:
:data:`CANDIDATES` candidate shares per path (from both components and
uniform), each weighted by prior / proposal × likelihood, one kept by the
Gumbel-max trick (vectorised, no loop over paths).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import special

from forecast.errors import ConfigError

FRONT_CONCENTRATION = 2.5
"""``kappa_w``: concentration of the wide component. At a June share of
0.378 it is a Beta(0.95, 1.56): quartiles 0.15 and 0.57, a tenth of its mass
below 0.06 and a tenth above 0.76; at a March share of 0.143, 7 % of it lies
above 0.5. Room for a front-loaded or a very late year, without making every
share equally likely (2 with a centre of 0.5 would be uniform)."""

CANDIDATES = 48
"""Candidate shares per path in the update by a count: a third from each
component and a third uniform on (0, 1), so that a posterior far from both
components' bulk (50 of a target of 100 by March) is still covered.
``tests/models/test_share.py`` checks the resulting posterior against
numerical integration (posterior mean within 0.01; with 32 candidates, half
from each component, it was 0.011 too low in that case)."""

SHARE_LIMITS = (1e-9, 1.0 - 1e-9)
"""Draws are kept strictly inside (0, 1): a Beta with a parameter below 1 can
return 0.0 or 1.0 in floating point."""


@dataclass(frozen=True)
class ShareSpread:
    """Parameters of a unit's share at a cut-off around the profile's value.

    Attributes
    ----------
    concentration : float
        ``kappa`` of the component that follows the profile.
    front_weight : float
        ``pi``: weight of the wide component, in [0, 1).
    front_concentration : float
        ``kappa_w`` of the wide component.
    exponent_rel_sd : float
        Standard deviation of the profile's exponent divided by the exponent
        (0: the profile is taken as exact, e.g. the analyst's own).
    """

    concentration: float
    front_weight: float
    front_concentration: float = FRONT_CONCENTRATION
    exponent_rel_sd: float = 0.0

    def __post_init__(self) -> None:
        if not (self.concentration > 0 and self.front_concentration > 0
                and 0 <= self.front_weight < 1 and self.exponent_rel_sd >= 0):
            raise ConfigError(
                f"share spread: found concentration {self.concentration!r}, front weight "
                f"{self.front_weight!r}, front concentration {self.front_concentration!r}, "
                f"exponent sd {self.exponent_rel_sd!r}; expected positive concentrations, "
                "a front weight in [0, 1) and a non-negative sd. Fix: pass values in range."
            )


def beta_logpdf(s: np.ndarray, m: np.ndarray, kappa: float) -> np.ndarray:
    """Log density of ``Beta(kappa m, kappa (1 - m))`` at ``s`` (arrays broadcast)."""
    a, b = kappa * m, kappa * (1.0 - m)
    return (a - 1.0) * np.log(s) + (b - 1.0) * np.log1p(-s) - special.betaln(a, b)


def _centres(rng: np.random.Generator, m: float, rel_sd: float, shape) -> np.ndarray:
    """``m ** (a' / a)`` with ``a' / a ~ Normal(1, rel_sd)`` (bounded to [0.2, 5])."""
    if rel_sd == 0:
        return np.full(shape, m)
    ratio = np.clip(1.0 + rel_sd * rng.standard_normal(shape), 0.2, 5.0)
    return np.clip(m ** ratio, 1e-6, 1 - 1e-6)


def share_draws(rng: np.random.Generator, share: float, spread: ShareSpread, n: int,
                log_lik: Callable[[np.ndarray], np.ndarray] | None = None) -> np.ndarray:
    """A unit's share of the year reached by a cut-off, one draw per path.

    Parameters
    ----------
    rng : numpy.random.Generator
    share : float
        The profile's share ``m`` at the cut-off, in (0, 1).
    spread : ShareSpread
    n : int
        Number of paths.
    log_lik : callable, optional
        ``log_lik(s)`` for an ``(n, k)`` array of shares (row = path): the log
        likelihood of what the path saw given the share, up to a constant per
        row. None: draws from the distribution itself.

    Returns
    -------
    numpy.ndarray
        ``n`` shares strictly inside (0, 1).
    """
    if log_lik is None:
        centre = _centres(rng, share, spread.exponent_rel_sd, n)
        wide = rng.random(n) < spread.front_weight
        kappa = np.where(wide, spread.front_concentration, spread.concentration)
        s = rng.beta(kappa * centre, kappa * (1.0 - centre))
        return np.clip(s, *SHARE_LIMITS)
    third = CANDIDATES // 3
    centre = _centres(rng, share, spread.exponent_rel_sd, (n, CANDIDATES))
    kappa = np.concatenate([np.full(third, spread.concentration),
                            np.full(third, spread.front_concentration)])
    s = np.empty((n, CANDIDATES))
    s[:, :2 * third] = rng.beta(kappa * centre[:, :2 * third], kappa * (1.0 - centre[:, :2 * third]))
    s[:, 2 * third:] = rng.random((n, CANDIDATES - 2 * third))
    s = np.clip(s, *SHARE_LIMITS)
    main = beta_logpdf(s, centre, spread.concentration)
    wide = beta_logpdf(s, centre, spread.front_concentration)
    prior = mixture_logpdf(main, wide, spread.front_weight)
    proposal = np.log((np.exp(main) + np.exp(wide) + 1.0) / 3.0)
    logw = prior - proposal + log_lik(s)
    # Gumbel-max: argmax(log w + Gumbel) picks candidate j with probability w_j / sum(w).
    pick = np.argmax(logw + rng.gumbel(size=logw.shape), axis=1)
    return s[np.arange(n), pick]


def mixture_logpdf(main: np.ndarray, wide: np.ndarray, front_weight: float) -> np.ndarray:
    """``log((1 - pi) e^main + pi e^wide)`` from the two components' log densities."""
    if front_weight == 0:
        return main
    return np.logaddexp(np.log1p(-front_weight) + main, np.log(front_weight) + wide)


def update_by_count(rng: np.random.Generator, share: float, spread: ShareSpread,
                    count, shape: float, rate, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The share and the year's rate of ``n`` paths, given the count seen by the cut-off.

    The year's admissions are Poisson with rate ``lam ~ Gamma(shape, rate)``
    (``rate`` 0: a flat prior); the count ``c`` seen by the cut-off is
    ``Poisson(lam · s)``. Integrating ``lam`` out, ``c`` given ``s`` weighs
    the share by ``s^c (rate + s)^-(shape + c)``: ``s`` is drawn from the
    mixture updated by that (:func:`share_draws`), then
    ``lam | c, s ~ Gamma(shape + c, rate + s)``. The rest of the year is
    ``Poisson(lam (1 - s))``.

    Parameters
    ----------
    rng : numpy.random.Generator
    share : float
        The profile's share at the cut-off.
    spread : ShareSpread
    count : float or array of n
        Count seen by the cut-off, per path.
    shape : float
        Positive shape of the rate's prior.
    rate : float or array of n
        Rate of the rate's prior (``shape / expected year``), per path; 0: flat.
    n : int

    Returns
    -------
    s, lam : numpy.ndarray
    """
    c = np.broadcast_to(np.asarray(count, dtype=float), (n,))
    b = np.broadcast_to(np.asarray(rate, dtype=float), (n,))
    s = share_draws(rng, share, spread, n,
                    lambda x: c[:, None] * np.log(x) - (shape + c)[:, None] * np.log(b[:, None] + x))
    lam = rng.standard_gamma(shape + c) / (b + s)
    return s, lam
