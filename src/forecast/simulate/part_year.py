"""The rest of a partly reported year, drawn consistent with the part-year count.

Without this step a year reported up to a cut-off (23 admitted by 30 June)
adds ``D × (1 - m)`` for the months still to come, ``D`` a whole-year draw of
the model and ``m`` the profile's share by the cut-off: the share is taken
as exact for every unit and the rest of the year ignores the count already
seen. Both make part-year forecasts too narrow (``docs/backtest.md``).

Here, for every unit, path and partly reported year ``t`` of the window
(the model's draws of other years are untouched):

1. the year's rate ``lam`` has the model's prior, a gamma with the path's
   mean ``mu`` (exposure × the drawn attainment × trend × the shared year
   shock) and shape ``k = 1 / alpha_u`` (the unit's negative-binomial
   dispersion); the unit's share ``s`` reached by the cut-off follows the
   mixture of :mod:`forecast.models.share` around the profile's share (the
   spread around the curve, a wide component for a front-loaded or very
   late year, the profile's own estimation error);
2. the count ``c`` seen by the cut-off is Poisson with mean ``lam · s``: it
   updates both (:func:`forecast.models.share.update_by_count`, the
   nowcast's update with the model's prior instead of a flat one): ``s``
   is drawn from the mixture weighted by ``s^c (k/mu + s)^-(k + c)``, then
   ``lam | c, s ~ Gamma(k + c, rate k / mu + s)``;
3. the rest of the year is ``Poisson(lam (1 - s))``, the part of it inside
   the window (a term ending 30 September) in the profile's proportion.

A unit ahead of the profile early is thus partly a front-loader (high ``s``,
little to come) and partly a strong year (high ``lam``), in the proportion
the model's prior for its year and the share's mixture give: 50 of a
target of 100 by 31 March is far more likely from a front-loaded year
(``s`` about 0.5) than from a rate of 350 the model does not expect, so the
year ends near 100, not 350 (``tests/simulate/test_part_year.py``). A unit
behind is partly late and partly weak. The count ``c`` also entered the
model's fit of the unit's attainment (with weight ``m``); for a unit with a
long record that is a small part of its evidence, for a unit whose only
report is this one it is counted twice, which leans the rest of the year
towards ``c / s``. Only models with ``part_year_update`` (the pooled model)
use this; the scenario and inverse searches, which fix the future
attainment, do not.

The share's parameters are ``fitted.share_spread`` when the fit set it
(:func:`forecast.models.profile_estimate.share_spread`), else the fitted
concentration with the default front-loaded weight and no exponent error.
"""

from __future__ import annotations

import numpy as np

from forecast.models.draws import poisson_draws
from forecast.models.profile import DEFAULT_FRONT_WEIGHT
from forecast.models.share import ShareSpread, update_by_count

STREAM_KEY = 4
"""Purpose key of the unit-year streams of this step (``Streams.unit(u, 4, year)``)."""


def spread_of_fit(fitted) -> ShareSpread:
    """The share distribution of a fitted model (see the module docstring)."""
    got = getattr(fitted, "share_spread", None)
    if got is not None:
        return got
    return ShareSpread(float(fitted.concentration), DEFAULT_FRONT_WEIGHT)


def condition_part_years(fitted, jobs, grid, lay, kv: np.ndarray, d: np.ndarray,
                         streams) -> set[int]:
    """Redraw, in place, the to-come part of each partly reported year in ``d``.

    Parameters
    ----------
    fitted : FittedModel
        Needs ``means_batch``, ``unit_alpha``, ``year_sd``, ``concentration``
        (or ``share_spread``).
    jobs : list of Job
    grid : MonthGrid
    lay : Layout
        ``lay.need`` are the years of ``d``'s last axis.
    kv : ndarray
        Reported counts ``(units, paths or 1, reports)``.
    d : ndarray
        Year draws ``(units, paths, years)``; for a partly reported year the
        simulation adds ``d × uncovered share``, so the to-come count ``R``
        is stored as ``R / U`` with ``U`` the year's uncovered share.
    streams : Streams

    Returns
    -------
    set of int
        Indices (into ``lay.need``) of the years redrawn: their to-come part
        is a count already.
    """
    done: set[int] = set()
    if not getattr(fitted, "part_year_update", False) or d.shape[1] <= 1 \
            or kv.shape[-1] == 0 or not lay.need:
        return done
    ids = [j.unit_id for j in jobs]
    n = d.shape[1]
    # Each unit's own dispersion where the model has one (hier_nb: a province's
    # year varies less, relative to its mean, than a cell's).
    k = np.array([1.0 / max(float(fitted.unit_alpha(u)), 1e-3) for u in ids])
    spread = spread_of_fit(fitted)
    for t, y in enumerate(lay.need):
        in_year = grid.year == y
        uncovered = float(grid.uncovered[in_year].sum())
        covered = float(grid.share[in_year].sum()) - uncovered
        mass = grid.known_frac[:, in_year].sum(axis=1)
        if not (1e-6 < covered < 1.0 and uncovered > 1e-9 and np.any(mass > 0)):
            continue
        inside = min(uncovered / (1.0 - covered), 1.0)   # to-come share inside the window
        c = np.broadcast_to(kv @ mass, (len(ids), kv.shape[1]))
        mu = fitted.means_batch(ids, [y], streams)[:, :, 0].astype(float)
        if fitted.year_sd > 0:
            mu = mu * streams.year_factor(y, float(fitted.year_sd))[None, :]
        mu = np.broadcast_to(np.maximum(mu, 1e-9), (len(ids), n))
        for i, u in enumerate(ids):
            rng = streams.unit(u, STREAM_KEY, int(y))
            s, lam = update_by_count(rng, covered, spread, c[i], k[i], k[i] / mu[i], n)
            rest = poisson_draws(rng, (lam * (1.0 - s) * inside).astype(np.float32))
            d[i, :, t] = rest / np.float32(uncovered)
        done.add(t)
    return done
