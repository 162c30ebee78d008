"""The within-year profile: how much of a year's admissions a unit has by a date.

Units push admissions into the last months of the year (emulation rankings
are scored on the year's total), so a count reported at 30 June is well under
half the year. This module holds the default back-loaded profile, the
constants of its estimate and of the spread of units around it, and the
profile as a function; the estimate from a dataset's part-year figures is in
:mod:`forecast.models.profile_estimate` (likelihood in
:mod:`forecast.models.profile_fit`), a unit's own share at a cut-off in
:mod:`forecast.models.share`, and the nowcast (a part-year count turned into
a year-end predictive distribution) in :mod:`forecast.models.nowcast`.

The profile is a one-parameter power curve in the fraction of the year,
``F(t) = t ** a`` (``a > 1`` is back-loaded), tabulated at month ends and
linear within a month. ``docs/profile.md`` gives the evidence and the
estimation method.
"""

from __future__ import annotations

import calendar
import functools
import math
from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import ConfigError
from forecast.models.share import FRONT_CONCENTRATION, ShareSpread

# --- evidence behind the default -------------------------------------------------
JUNE_SHARES_OF_TARGET = {
    "Ninh Thuận 2022": 0.3534,
    "Tiền Giang 2019": 0.3794,
    "Đức Linh 2023": 0.382,
    "Lục Ngạn 2018": 0.381,
    "Gia Lai 2022": 0.4372,
}
"""Admissions by 30 June as a share of the year's target (public_figures.csv)."""

FINAL_TO_TARGET = {
    "Tiền Giang 2020": 0.835,
    "Tiền Giang 2021": 0.852,
    "Tiền Giang 2022": 0.8996,
    "TP. Vĩnh Long 2020": 1.2333,
    "Long Hồ 2015": 1.08,
    "Đức Trọng 2016": 1.25,
    "Ninh Sơn 2020": 1.01,
    "Quảng Ninh 2016 (to 22 Dec)": 1.008,
}
"""Full-year admissions divided by the year's target, where both are reported
(seed 000 and public_figures.csv). The default of the random effect through
which a share of a target enters the estimate (when a dataset has ratios for
fewer than three units)."""

DEFAULT_FINAL_TO_TARGET = float(np.median(list(FINAL_TO_TARGET.values())))
"""Median ratio of the year's final count to its target: 1.009."""

DEFAULT_RATIO_LOG_SD = float(np.std(np.log(list(FINAL_TO_TARGET.values())), ddof=1))
"""Spread of ``ln(final / target)`` over the same eight unit-years: 0.155.
With ``ln 1.009`` it is the default random effect of a unit's final/target
ratio when a dataset has too few ratios of its own
(:func:`forecast.models.profile_estimate.ratio_effects`)."""

DEFAULT_WITHIN_LOG_SD = 0.05
"""Year-to-year spread of one unit's ``ln(final / target)`` without evidence:
Tiền Giang's 0.835, 0.852 and 0.8996 have a log-sd of 0.039."""

DEFAULT_EXPONENT = math.log(
    float(np.median(list(JUNE_SHARES_OF_TARGET.values()))) / DEFAULT_FINAL_TO_TARGET
) / math.log(0.5)
"""Exponent ``a`` of ``F(t) = t ** a`` putting 0.381 / 1.009 = 37.8 % of the
year's final count at 30 June: a = ln(0.3776) / ln(0.5) = 1.405."""

DEFAULT_PROFILE: tuple[float, ...] = (
    0.030, 0.081, 0.143, 0.214, 0.292, 0.378,
    0.469, 0.566, 0.668, 0.774, 0.885, 1.000,
)
"""Cumulative share of a year's admissions by the end of each month, Jan..Dec:
``(m / 12) ** 1.405`` rounded to three decimals (see ``docs/profile.md``)."""

DEFAULT_CONCENTRATION = 30.0
"""Beta concentration ``kappa`` of a unit's share at a cut-off around the
profile's value: the spread of the June shares of nine units with at least 20
admissions by June (sd 0.086 of the final count) gives kappa = 31; rounded
down to 30. Also the centre of the prior of the estimate (``docs/profile.md``)."""

EXPONENT_PRIOR_SD = 0.25
"""Standard deviation of the prior of the exponent, centred on
``DEFAULT_EXPONENT``: June shares of 0.31-0.45 of the year within one sd
(the June reports of 35-45 % of a target, with final/target ratios around 1)."""

CONCENTRATION_PRIOR_SD = 0.7
"""Standard deviation of the prior of ``ln kappa``, centred on ln 30: kappa
between 15 and 60 within one sd."""

FRONT_WEIGHT_PRIOR = (1.0, 4.0)
"""Beta prior of the front-loaded weight ``pi``: mean 0.2, worth five figures."""

DEFAULT_FRONT_WEIGHT = FRONT_WEIGHT_PRIOR[0] / sum(FRONT_WEIGHT_PRIOR)
"""``pi`` used without evidence (the prior mean, 0.2): the share of unit-years
whose share at a cut-off follows the wide component (``models/share.py``)."""

DEFAULT_SPREAD = ShareSpread(DEFAULT_CONCENTRATION, DEFAULT_FRONT_WEIGHT, FRONT_CONCENTRATION,
                             EXPONENT_PRIOR_SD / DEFAULT_EXPONENT)
"""The share distribution around the default profile: its exponent carries
the prior's uncertainty (0.25 / 1.405 = 18 % of it)."""

EXPONENT_BOUNDS = (0.5, 4.0)
CONCENTRATION_BOUNDS = (5.0, 200.0)
FRONT_WEIGHT_BOUNDS = (0.005, 0.6)


# --- the profile as a function ---------------------------------------------------
def power_profile(exponent: float) -> tuple[float, ...]:
    """Month-end cumulative shares of ``F(t) = t ** exponent``.

    Parameters
    ----------
    exponent : float
        ``a`` > 0; 1 is a flat year, above 1 back-loaded, below 1 front-loaded.

    Returns
    -------
    tuple of float
        Twelve shares, January to December, the last exactly 1.0.
    """
    if not exponent > 0:
        raise ConfigError(
            f"profile exponent: found {exponent!r}; expected a positive number "
            "(1 = admissions spread evenly, 1.4 = back-loaded). Fix: pass a value above 0."
        )
    shares = [(m / 12) ** exponent for m in range(1, 12)]
    return (*(float(s) for s in shares), 1.0)


def check_profile(profile: Any, where: str = "within-year profile") -> np.ndarray:
    """Return the profile as an array after checking it is a valid one."""
    arr = np.asarray(profile, dtype=float)
    if arr.shape != (12,) or abs(arr[-1] - 1) > 1e-9 or np.any(np.diff(arr) < 0) or arr[0] < 0:
        raise ConfigError(
            f"{where}: expected 12 non-decreasing cumulative shares ending in 1.0, "
            f"found {profile!r}. Fix: give the share of the year's admissions reached "
            "by the end of each month, January to December."
        )
    return arr


@functools.lru_cache(maxsize=64)
def _checked_tuple(profile: tuple) -> tuple[float, ...]:
    """``(0, *profile)`` as floats, after checking it once."""
    return (0.0, *check_profile(profile).tolist())


def share_by(date: Any, profile: Any = DEFAULT_PROFILE) -> float | np.ndarray:
    """Share of a calendar year's admissions reached by the end of ``date``.

    Linear within the month: 15 June of a 30-day June is May's share plus
    half of June's increment. Vectorized: an array-like of dates gives an
    array of shares.

    Parameters
    ----------
    date : date-like or array-like of date-likes
        Cut-off dates (the day itself counted).
    profile : sequence of 12 floats
        Cumulative month-end shares (``DEFAULT_PROFILE`` by default).

    Returns
    -------
    float or numpy.ndarray
    """
    scalar = np.ndim(date) == 0 and not isinstance(date, (list, tuple, pd.Index, pd.Series))
    if scalar:
        # The engine calls this per month and unit: plain arithmetic, no index,
        # and the profile checked once per distinct tuple.
        prof = (_checked_tuple(profile) if isinstance(profile, tuple)
                else (0.0, *check_profile(profile).tolist()))
        ts = pd.Timestamp(date)
        if pd.isna(ts):
            raise ConfigError(
                "share_by: found a missing cut-off date; expected a real date. "
                "Fix: drop rows whose period_end is missing before calling."
            )
        m = ts.month
        frac = ts.day / calendar.monthrange(ts.year, m)[1]
        return prof[m - 1] + (prof[m] - prof[m - 1]) * frac
    prof = np.concatenate([[0.0], check_profile(profile)])
    idx = pd.DatetimeIndex(pd.to_datetime(list(date)))
    if idx.hasnans:
        raise ConfigError(
            "share_by: found a missing date among the cut-offs; expected real dates. "
            "Fix: drop rows whose period_end is missing before calling."
        )
    month = np.asarray(idx.month)
    frac = np.asarray(idx.day) / np.asarray(idx.days_in_month)
    out = prof[month - 1] + (prof[month] - prof[month - 1]) * frac
    return out


def year_fraction(date: Any) -> float | np.ndarray:
    """Fraction of the calendar year elapsed at the end of ``date`` (31 Dec -> 1)."""
    scalar = np.ndim(date) == 0 and not isinstance(date, (list, tuple, pd.Index, pd.Series))
    idx = pd.DatetimeIndex([pd.Timestamp(date)] if scalar else pd.to_datetime(list(date)))
    days = np.where(idx.is_leap_year, 366, 365)
    out = np.asarray(idx.day_of_year) / days
    return float(out[0]) if scalar else out
