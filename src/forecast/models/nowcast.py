"""The nowcast: a year-end predictive distribution from a part-year count.

A count reported at 30 June is well under half the year (units push
admissions into the last months); this module turns it into the year's
final count with its uncertainty, using the within-year profile of
:mod:`forecast.models.profile`. ``docs/profile.md`` gives the method and the
Krông Bông check (23 by June 2021, 96 by October).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import ModelError
from forecast.models.profile import DEFAULT_PROFILE, DEFAULT_SPREAD, share_by
from forecast.models.share import ShareSpread, update_by_count


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


def nowcast(count: float | tuple[float, float], cutoff: Any, profile: Any = DEFAULT_PROFILE, *,
            spread: ShareSpread = DEFAULT_SPREAD, reference: float | None = None,
            n_paths: int = 10_000,
            seed: int | None = 20251, rng: np.random.Generator | None = None,
            quantiles: tuple[float, ...] = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95),
            prior_shape: float = 0.5) -> Nowcast:
    """Year-end admissions implied by a count at a cut-off, with its uncertainty.

    The share ``s`` this unit reached by the cut-off is uncertain: units differ,
    some front-load, and the profile itself is an estimate. ``s`` follows the
    mixture of :mod:`forecast.models.share` around the profile's
    ``m = share_by(cutoff)``. Given ``s``, admissions over the year are
    Poisson with a rate whose prior is Gamma(``prior_shape``,
    ``prior_shape / reference``), mean ``reference``; the count seen updates
    both the share and the rate (:func:`~forecast.models.share.update_by_count`),
    and the rest of the year is Poisson with the rate times ``1 - s``. A unit
    far ahead early is thus not sent to a certain overshoot: the count makes
    a front-loaded year (a high ``s``, little to come) more likely.

    Without a ``reference`` the rate's prior is flat (rate 0): then a share
    far below the profile cannot be told from a very large year (23 by June
    at a share of 0.01 is a year of 2,300), so the wide component is left
    out (``pi`` = 0) and only the spread around the profile remains. With the
    shape 0.5 the reference weighs as much as half an admission seen: enough
    to rule such years out, hardly anything else (its coefficient of
    variation is 1.4).

    Parameters
    ----------
    count : float or (low, high)
        Admitted from 1 January to the cut-off; a range is drawn uniformly
        (integers) per path.
    cutoff : date-like
        Last day counted, in the year being nowcast.
    profile : sequence of 12 floats
    spread : ShareSpread
        The share's distribution around the profile (``DEFAULT_SPREAD``, or
        ``ProfileEstimate.spread`` of the estimate the profile came from).
    reference : float, optional
        The year's total expected before the count (the annual target, or
        last year's count); None: a flat prior and no wide component.
    n_paths, seed, rng
        Number of draws; a generator overrides the seed.
    quantiles : tuple of float
    prior_shape : float
        Shape of the Gamma prior on the yearly rate (0.5: Jeffreys's when
        flat), so a count of 0 still gives a distribution.

    Returns
    -------
    Nowcast
    """
    m = float(share_by(cutoff, profile))
    low, high = (count if isinstance(count, tuple) else (count, count))
    if low is None or high is None or low < 0 or high < low:
        raise ModelError(
            f"nowcast: found count {count!r}; expected a non-negative number or a (low, high) "
            "range with low <= high. Fix: give the admitted count reported at the cut-off."
        )
    if reference is not None and not reference > 0:
        raise ModelError(
            f"nowcast: found reference {reference!r}; expected a positive expected year "
            "total (the annual target). Fix: pass the target, or None for no reference."
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
        if reference is None:
            spread = dataclasses.replace(spread, front_weight=0.0)
        rate = prior_shape / reference if reference else 0.0
        s, lam = update_by_count(rng, m, spread, c, prior_shape, rate, n_paths)
        final = (c + rng.poisson(lam * (1.0 - s))).astype(np.int64)
    qs = {float(q): float(np.quantile(final, q, method="inverted_cdf")) for q in quantiles}
    mid = (low + high) / 2
    return Nowcast(float(mid), pd.Timestamp(cutoff), m, mid / m, qs, float(final.mean()), final)
