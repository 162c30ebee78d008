"""Count draws for the batched simulation: Poisson-gamma with a normal shortcut.

A year's admissions given its mean ``m`` are negative binomial (NB2): a
gamma rate ``lam = m · G`` with ``G ~ Gamma(1/alpha, alpha)`` (mean 1,
variance alpha), then ``Poisson(lam)``. The gamma is always drawn exactly.
The Poisson is drawn exactly below :data:`NORMAL_ABOVE`; at or above it, by
the normal with the Poisson's mean and variance and a first-order
Cornish-Fisher term for its skewness ``1/sqrt(lam)``, rounded to a whole
number::

    Y = max(0, round(lam + sqrt(lam) · z + (z² - 1) / 6)),   z ~ Normal(0, 1)

The correction term ``gamma · sigma · (z² - 1) / 6`` is ``(z² - 1) / 6``
whatever ``lam``; it keeps the mean and adds only ``1/18`` to the variance.
Measured largest distance between the distribution functions of this
draw and of the exact Poisson (2,000,000 draws each, Monte Carlo noise about
0.0006): 0.0013 at ``lam`` = 10, 0.0008 at 20, 0.0007 at 50 and 100 (a plain
normal, without the correction, is off by 0.021 at 10, 0.014 at 20 and
still 0.004 at 300). An error of 0.001 in a probability is a fifth of the
Monte Carlo standard error of a ``p_reach`` from 10,000 paths (up to 0.005),
and the gamma mixing and year shock, drawn exactly, dilute it further. One standard normal costs a quarter of an exact Poisson draw
(numpy's PTRS); ``tests/models/test_draws.py`` compares the two.

Every unit-year draws from its own stream (``Streams.unit(unit_id, 1,
year)``), in a fixed order (gamma, then the normals, then the exact Poisson
of the paths below the threshold), so a unit's numbers never depend on the
other units of a batch, nor on the batch size.
"""

from __future__ import annotations

import numpy as np

NORMAL_ABOVE = 10.0
"""Poisson means at or above which the skew-corrected normal replaces the exact draw."""


def poisson_draws(rng: np.random.Generator, lam: np.ndarray,
                  normal_above: float = NORMAL_ABOVE, dtype=np.float32,
                  replay: "Replay | None" = None) -> np.ndarray:
    """Poisson counts with means ``lam`` (1-D), exact below ``normal_above``.

    Parameters
    ----------
    rng : numpy.random.Generator
        The unit-year's stream.
    lam : numpy.ndarray
        Non-negative means, one per path.
    normal_above : float
        Threshold of the normal shortcut; ``inf`` = always exact.
    dtype : numpy dtype
        Of the result (float32 holds whole numbers exactly up to 2**24).
    replay : Replay, optional
        Gives the normals instead of ``rng`` (the same numbers, kept).
    """
    lam = np.maximum(lam, np.float32(0))
    if lam.size == 0 or not lam.max() >= normal_above:
        return rng.poisson(lam).astype(dtype, copy=False)
    z = rng.standard_normal(lam.shape, dtype=np.float32) if replay is None else \
        replay.normals(lam.shape)
    # lam + sqrt(lam) z + (z² - 1)/6, in place (this runs on 10^8 values).
    out = z * z
    out -= np.float32(1)
    out *= np.float32(1 / 6)
    out += lam
    z *= np.sqrt(lam)
    out += z
    np.maximum(out, np.float32(0), out=out)
    np.rint(out, out=out)
    out = out.astype(dtype, copy=False)
    if lam.min() < normal_above:
        small = lam < normal_above
        out[small] = rng.poisson(lam[small])
    return out


def kept(cache: dict | None, key, make):
    """``cache[key]``, made by ``make()`` the first time; ``make()`` alone without a cache.

    The draws kept between calls of the engine (``noise_cache``) go through
    here, whatever step made them."""
    if cache is None:
        return make()
    got = cache.get(key)
    if got is None:
        got = cache[key] = make()
    return got


class Replay:
    """A stream that can be drawn from again from the same point, its normals kept.

    The shortcuts of the count draws (here and in
    ``forecast.simulate.thinning``) start with standard normals that do not
    depend on the mean; a caller drawing again at other means (the inverse
    search) gets them back instead of drawing them again, and the stream
    then stands where it stood after them: the numbers of a fresh draw.
    """

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.start = rng.bit_generator.state
        self._z = None
        self._after = None

    def begin(self) -> np.random.Generator:
        """The stream, back at the point where this replay was made."""
        self.rng.bit_generator.state = self.start
        return self.rng

    def normals(self, shape) -> np.ndarray:
        """The stream's first ``shape`` standard normals (float32), a copy to modify."""
        if self._z is None or self._z.shape != tuple(np.atleast_1d(shape)):
            self.rng.bit_generator.state = self.start
            self._z = self.rng.standard_normal(shape, dtype=np.float32)
            self._after = self.rng.bit_generator.state
        else:
            self.rng.bit_generator.state = self._after
        return self._z.copy()


class CountNoise:
    """One unit-year's count draw, split at its Poisson step.

    What a year's draw takes from its stream before the Poisson step (the
    gamma rate of every path) does not depend on the mean. Kept here with the
    stream's state after it, the draw can be repeated at other means at the
    cost of the Poisson step alone, and gives the numbers a fresh draw from
    the same stream gives: the inverse search (``forecast.simulate.requirements``)
    asks for every unit about 15 times.

    Parameters
    ----------
    rng : numpy.random.Generator
        The unit-year's stream, after the draws that do not depend on the mean.
    rate : numpy.ndarray, optional
        Per path, the factor of the Poisson mean (the gamma rate), float32.
    divisor : numpy.ndarray, optional
        Per path, a divisor of the Poisson mean (a gamma drawn with scale 1
        is divided by its shape), float32.
    """

    def __init__(self, rng: np.random.Generator, rate=None, divisor=None):
        self.rate, self.divisor = rate, divisor
        self.replay = Replay(rng)

    def counts(self, lam: np.ndarray, normal_above: float = NORMAL_ABOVE,
               dtype=np.float32) -> np.ndarray:
        """Counts for the Poisson means ``lam × rate / divisor`` (float32 ``lam``)."""
        if self.rate is not None:
            lam = lam * self.rate
        if self.divisor is not None:
            lam = lam / self.divisor
        return poisson_draws(self.replay.begin(), lam, normal_above, dtype, self.replay)


def nb_noise(rng: np.random.Generator, shape, alpha: float) -> CountNoise:
    """The :class:`CountNoise` of NB2 draws with dispersion ``alpha``, ``shape`` paths:
    the gamma rate ``standard_gamma(1/alpha) · alpha``, drawn exactly in float32."""
    rate = None
    if alpha > 0:
        rate = rng.standard_gamma(1 / alpha, shape, dtype=np.float32) * np.float32(alpha)
    return CountNoise(rng, rate)


def nb_draws(rng: np.random.Generator, means: np.ndarray, alpha: float,
             normal_above: float = NORMAL_ABOVE, dtype=np.float32) -> np.ndarray:
    """Negative-binomial (NB2) counts with ``means`` and dispersion ``alpha``.

    ``Var = m + alpha · m²``; ``alpha = 0`` is Poisson (:func:`nb_noise`).
    """
    lam = means.astype(np.float32, copy=False)
    return nb_noise(rng, lam.shape, alpha).counts(lam, normal_above, dtype)
