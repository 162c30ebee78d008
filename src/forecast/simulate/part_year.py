"""The rest of a partly reported year, drawn consistent with the part-year count.

Without this step a year reported up to a cut-off (23 admitted by 30 June)
adds ``D × (1 - m)`` for the months still to come, ``D`` a whole-year draw of
the model and ``m`` the profile's share by the cut-off: the share is taken
as exact for every unit and the rest of the year ignores the count already
seen. Both make part-year forecasts too narrow (``docs/backtest.md``).

Here, for every unit, path and partly reported year ``t`` of the window
(the model's draws of other years are untouched):

1. the unit's share by the cut-off is uncertain, ``s ~ Beta(kappa m,
   kappa (1 - m))`` (:func:`forecast.models.nowcast.share_draws`, the nowcast's
   draw; ``kappa`` the profile estimate's concentration);
2. the year's rate ``lam`` has the model's prior, a gamma with the path's
   mean ``mu`` (exposure × the drawn attainment × trend × the shared year
   shock) and shape ``k = 1 / alpha`` (the model's negative-binomial
   dispersion); the count ``c`` seen by the cut-off is Poisson with mean
   ``lam · s``, so by conjugacy ``lam | c, s ~ Gamma(k + c, rate k / mu + s)``;
   the nowcast is the same with a flat prior (``k → 0``);
3. the rest of the year is ``Poisson(lam (1 - s))``, the part of it inside
   the window (a term ending 30 September) in the profile's proportion.

A unit ahead of the profile early is thus partly a front-loader (high ``s``,
little to come) and partly a strong year (high ``lam``); a unit behind is
partly late and partly weak. The count ``c`` also entered the model's fit of
the unit's attainment (with weight ``m``); for a unit with a long record
that is a small part of its evidence, for a unit whose only report is this
one it is counted twice, which leans the rest of the year towards ``c / s``.
Only models with ``part_year_update`` (the pooled model) use this; the
scenario and inverse searches, which fix the future attainment, do not.
"""

from __future__ import annotations

import numpy as np

from forecast.models.draws import poisson_draws
from forecast.models.nowcast import share_draws

STREAM_KEY = 4
"""Purpose key of the unit-year streams of this step (``Streams.unit(u, 4, year)``)."""


def condition_part_years(fitted, jobs, grid, lay, kv: np.ndarray, d: np.ndarray,
                         streams) -> None:
    """Redraw, in place, the to-come part of each partly reported year in ``d``.

    Parameters
    ----------
    fitted : FittedModel
        Needs ``means_batch``, ``alpha``, ``year_sd``, ``concentration``.
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
    """
    if not getattr(fitted, "part_year_update", False) or d.shape[1] <= 1 \
            or kv.shape[-1] == 0 or not lay.need:
        return
    ids = [j.unit_id for j in jobs]
    n = d.shape[1]
    k = 1.0 / max(float(fitted.alpha), 1e-3)
    kappa = float(fitted.concentration)
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
            s = share_draws(rng, covered, kappa, n)
            ci = np.broadcast_to(c[i], (n,))
            lam = rng.standard_gamma(k + ci) / (k / mu[i] + s)
            rest = poisson_draws(rng, (lam * (1.0 - s) * inside).astype(np.float32))
            d[i, :, t] = rest / np.float32(uncovered)
