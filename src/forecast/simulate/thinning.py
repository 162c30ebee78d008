"""The part of a year inside a target's window, drawn as a count.

A year the window holds only in part adds a share ``w`` of the year: the
deadline's year of a term ending 30 September (``w`` = the profile's share
by then, 0.668 with the default profile), a year partly reported when the
model has no part-year update (``w`` = the share still to come). Adding
``w × D`` of the path's whole-year draw ``D`` gave fractional totals (a
term's median of 17,042.762) and, for small units, too low a chance of
reaching a target: 6 a year over 30 September is never 4.008.

Here the in-window part is ``X ~ Binomial(D, w)``: each admission of the
path's year falls inside the window with probability ``w``. Why thinning
rather than a fresh negative-binomial draw with the part-year mean: for the
NB2 years the models draw the two have the same distribution (a Poisson
with rate ``lam`` thinned by ``w`` is a Poisson with rate ``w lam``; the
gamma rate and the year shock are untouched), but thinning keeps the part
inside its year (``X <= D``, the same year shock, trend and level as the
rest of the path), and works on the draws of any model, the time-series
ones included, without asking it for a mean.

The draw is exact (numpy's binomial) when the variance ``D w (1 - w)`` is
below :data:`NORMAL_ABOVE` (5); at or above it, the normal with the
binomial's mean and variance plus a first-order Cornish-Fisher term for its
skewness ``(1 - 2w) / sd``, rounded and kept in ``[0, D]``::

    X = clip(round(D w + sd z + (1 - 2w)(z² - 1) / 6), 0, D),   sd² = D w (1 - w)

the same shortcut as :func:`forecast.models.draws.poisson_draws`, for the
same reason: an exact binomial costs several normals, and
``benchmarks/bench_simulate.py`` thins 10^8 counts. Measured largest
distance between the distribution functions of this draw and the exact
binomial (2,000,000 draws each, Monte Carlo noise about 0.0006): at
variance 5, 0.0018 (w = 0.668), 0.0021 (w = 0.25), 0.0031 (w = 0.05); at
variance 10, 0.0008, 0.0009, 0.0013. An error of 0.002 in a probability is
under half the Monte Carlo standard error of a ``p_reach`` from 10,000
paths. ``tests/simulate/test_thinning.py`` checks both draws.

Each unit-year thins from its own stream (``Streams.unit(unit_id,
STREAM_KEY, year)``), so a unit's numbers do not depend on the batch.
"""

from __future__ import annotations

import numpy as np

from forecast.models.draws import Replay, kept

STREAM_KEY = 5
"""Purpose key of the unit-year streams of this step (``Streams.unit(u, 5, year)``)."""

NORMAL_ABOVE = 5.0
"""Binomial variances at or above which the skew-corrected normal replaces the exact draw."""


def binomial_draws(rng: np.random.Generator, n: np.ndarray, p: float,
                   normal_above: float = NORMAL_ABOVE, replay: Replay | None = None) -> np.ndarray:
    """``Binomial(n, p)`` counts for whole numbers ``n`` (1-D float32), as float32.

    Parameters
    ----------
    rng : numpy.random.Generator
        The unit-year's stream.
    n : numpy.ndarray
        Non-negative whole numbers (the path's year counts).
    p : float
        Probability in [0, 1].
    normal_above : float
        Threshold of the normal shortcut on ``n p (1 - p)``; ``inf`` = always exact.
    replay : Replay, optional
        Gives the normals instead of ``rng`` (the same numbers, kept).
    """
    n = np.maximum(np.rint(n), 0).astype(np.float32, copy=False)
    q = np.float32(p * (1.0 - p))
    if n.size == 0 or not float(n.max()) * q >= normal_above:
        return _exact(rng, n, p)
    z = rng.standard_normal(n.shape, dtype=np.float32) if replay is None else \
        replay.normals(n.shape)
    sd = n * q
    small = sd < np.float32(normal_above)
    np.sqrt(sd, out=sd)
    # n p + sd z + (1 - 2p)(z² - 1)/6, in place (this runs on 10^8 values).
    out = z * z
    out -= np.float32(1)
    out *= np.float32((1.0 - 2.0 * p) / 6.0)
    z *= sd
    out += z
    z[:] = n
    z *= np.float32(p)
    out += z
    np.rint(out, out=out)
    np.minimum(out, n, out=out)
    np.maximum(out, np.float32(0), out=out)
    if small.any():
        out[small] = _exact(rng, n[small], p)
    return out


def _exact(rng: np.random.Generator, n: np.ndarray, p: float) -> np.ndarray:
    """numpy's binomial, fed in increasing ``n``: it keeps its set-up while ``n``
    repeats, which makes it about a third faster on a path's counts (the
    sort is a radix sort on 16-bit counts)."""
    key = n.astype(np.uint16) if n.size and float(n.max()) < 65536 else n
    order = np.argsort(key, kind="stable")
    out = np.empty(n.shape, dtype=np.float32)
    out[order] = rng.binomial(n[order].astype(np.int64), p)
    return out


def thin_partial_years(ids: list[str], lay, d: np.ndarray, streams, skip: set[int],
                       noise_cache: dict | None = None) -> None:
    """Replace, in place, each partial year's draw by its thinned count over its share.

    Parameters
    ----------
    ids : list of str
        Unit ids, aligned with ``d``'s first axis.
    lay : Layout
        ``lay.uc[t, -1]`` is the share of year ``lay.need[t]`` the window
        adds from the draws.
    d : ndarray
        Year draws ``(units, paths, years)``, float32 whole numbers. The
        simulation adds ``d × w`` for such a year, so ``X`` is stored as
        ``X / w``.
    streams : Streams
    skip : set of int
        Years already drawn as counts (:func:`forecast.simulate.part_year.condition_part_years`).
    noise_cache : dict, optional
        Keeps each unit-year's stream and normals (:class:`~forecast.models.draws.Replay`)
        for callers that thin the same units again (the inverse search).
    """
    for t, y in enumerate(lay.need):
        w = float(lay.uc[t, -1])
        if t in skip or not 1e-9 < w < 1.0 - 1e-9:
            continue
        for i, u in enumerate(ids):
            replay = kept(noise_cache, ("thin", u, int(y)),
                          lambda u=u, y=y: Replay(streams.unit(u, STREAM_KEY, int(y))))
            x = binomial_draws(replay.begin(), d[i, :, t], w, replay=replay)
            d[i, :, t] = x / np.float32(w)
