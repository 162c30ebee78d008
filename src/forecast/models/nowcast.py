"""The nowcast: a year-end predictive distribution from a part-year count.

A count reported at 30 June is well under half the year (units push
admissions into the last months); this module turns it into the year's
final count with its uncertainty, using the within-year profile of
:mod:`forecast.models.profile`. ``docs/profile.md`` gives the method and the
Krông Bông check (23 by June 2021, 96 by October).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import ConfigError, ModelError
from forecast.models.profile import DEFAULT_CONCENTRATION, DEFAULT_PROFILE, share_by


@dataclass(frozen=True)
class Nowcast:
    """Year-end predictive distribution from a part-year count.

    Attributes
    ----------
    count : float
        Admitted by the cut-off (the midpoint when a range was given).
    cutoff : pandas.Timestamp
    share : float
        Profile's share of the year reached by the cut-off.
    point : float
        ``count / share``: the plain scaled-up figure.
    quantiles : dict of float to float
        Quantiles of the year's final count.
    mean : float
    samples : numpy.ndarray
        Simulated final counts (int64), one per path.
    """

    count: float
    cutoff: pd.Timestamp
    share: float
    point: float
    quantiles: dict[float, float]
    mean: float
    samples: np.ndarray = field(repr=False)

    def prob_at_least(self, value: float) -> float:
        """Share of paths whose final count is at least ``value``."""
        return float(np.mean(self.samples >= value))


def share_draws(rng: np.random.Generator, share: float, concentration: float,
                n: int) -> np.ndarray:
    """A unit's share of the year reached by a cut-off, one draw per path.

    ``s ~ Beta(kappa * m, kappa * (1 - m))`` around the profile's share ``m``,
    clipped to ``[1e-6, 1]`` (the nowcast and the simulation's part-year
    update, :mod:`forecast.simulate.part_year`, both draw it here).
    """
    s = rng.beta(concentration * share, concentration * (1 - share), n)
    return np.clip(s, 1e-6, 1.0)


def nowcast(count: float | tuple[float, float], cutoff: Any, profile: Any = DEFAULT_PROFILE, *,
            concentration: float = DEFAULT_CONCENTRATION, n_paths: int = 10_000,
            seed: int | None = 20251, rng: np.random.Generator | None = None,
            quantiles: tuple[float, ...] = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95),
            prior_shape: float = 0.5) -> Nowcast:
    """Year-end admissions implied by a count at a cut-off, with its uncertainty.

    The share ``s`` this unit reached by the cut-off is uncertain: units differ
    (some front-load), so ``s ~ Beta(kappa * m, kappa * (1 - m))`` around the
    profile's ``m = share_by(cutoff)``. Given ``s``, admissions over the year
    are Poisson with a Gamma(``prior_shape``, 0) rate; the count seen fixes the
    rate's posterior and the rest of the year is negative binomial,
    ``R ~ NegBin(count + prior_shape, s)`` with mean ``(count + prior_shape)(1 - s) / s``.
    A unit far ahead early is thus not sent to a certain overshoot: high draws
    of ``s`` (a front-loaded unit) leave little to come.

    Parameters
    ----------
    count : float or (low, high)
        Admitted from 1 January to the cut-off; a range is drawn uniformly
        (integers) per path.
    cutoff : date-like
        Last day counted, in the year being nowcast.
    profile : sequence of 12 floats
    concentration : float
        ``kappa``; larger is surer of the profile.
    n_paths, seed, rng
        Number of draws; a generator overrides the seed.
    quantiles : tuple of float
    prior_shape : float
        Shape of the Gamma prior on the yearly rate (0.5: Jeffreys), so a
        count of 0 still gives a distribution.

    Returns
    -------
    Nowcast
    """
    if not concentration > 0:
        raise ConfigError(f"nowcast: concentration must be positive, found {concentration!r}.")
    m = float(share_by(cutoff, profile))
    low, high = (count if isinstance(count, tuple) else (count, count))
    if low is None or high is None or low < 0 or high < low:
        raise ModelError(
            f"nowcast: found count {count!r}; expected a non-negative number or a (low, high) "
            "range with low <= high. Fix: give the admitted count reported at the cut-off."
        )
    if m <= 0:
        raise ModelError(
            f"nowcast: the profile gives share 0 at {pd.Timestamp(cutoff).date()}; a count "
            "at that date says nothing about the year. Fix: use a later cut-off or a profile "
            "with a positive January share."
        )
    rng = rng if rng is not None else np.random.default_rng(seed)
    c = (rng.integers(int(math.ceil(low)), int(math.floor(high)) + 1, n_paths).astype(float)
         if high > low else np.full(n_paths, float(low)))
    if m >= 1:
        final = c.astype(np.int64)
    else:
        s = share_draws(rng, m, concentration, n_paths)
        final = (c + rng.negative_binomial(c + prior_shape, s)).astype(np.int64)
    qs = {float(q): float(np.quantile(final, q)) for q in quantiles}
    mid = (low + high) / 2
    return Nowcast(float(mid), pd.Timestamp(cutoff), m, mid / m, qs, float(final.mean()), final)
