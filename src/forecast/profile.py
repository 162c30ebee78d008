"""The within-year profile: how much of a year's admissions a unit has by a date.

Units push admissions into the last months of the year (emulation rankings
are scored on the year's total), so a count reported at 30 June is well under
half the year. This module holds the default back-loaded profile, estimates it
from the part-year and full-year figures in a dataset, and turns a part-year
count into a year-end predictive distribution (the nowcast).

The profile is a one-parameter power curve in the fraction of the year,
``F(t) = t ** a`` (``a > 1`` is back-loaded), tabulated at month ends and
linear within a month. ``docs/profile.md`` gives the evidence and the
estimation method.
"""

from __future__ import annotations

import calendar
import functools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .config import Assumptions
from .errors import ConfigError, ModelError

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
(seed 000 and public_figures.csv). Used to turn shares of the target into
shares of the year's final count."""

DEFAULT_FINAL_TO_TARGET = float(np.median(list(FINAL_TO_TARGET.values())))
"""Median ratio of the year's final count to its target: 1.009."""

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
down to 30."""

PRIOR_WEIGHT = 5.0
"""Number of evidence points the default exponent and concentration count as
when shrinking an estimate towards them."""

EXPONENT_BOUNDS = (0.5, 4.0)
CONCENTRATION_BOUNDS = (2.0, 200.0)


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


# --- estimation from a dataset -----------------------------------------------------
EVIDENCE_COLUMNS = (
    "unit_id", "year", "cutoff", "t", "count", "denominator", "denominator_kind",
    "share", "exponent", "source_id", "weight",
)
"""One row per part-year figure used: ``share`` is the estimated share of the
year's final count reached at ``cutoff``; ``denominator_kind`` is
``full_year`` (the year's reported count), ``target`` (the annual target times
the final-to-target ratio), ``attainment_pct`` (a reported % of target
divided by that ratio) or ``later_count`` (a later part-year count of the same
year; then ``t`` is the ratio of the two cut-offs' year fractions);
``exponent`` is ln(share) / ln(t); ``source_id`` the figure's source;
``weight`` its weight in the estimate: ``min(1, (ln t / ln 0.5)^2)`` divided
by the number of figures from the same source about the same year, and 0 for
a share of a target at or above 0.98 (see ``docs/profile.md``)."""


@dataclass(frozen=True)
class ProfileEstimate:
    """A within-year profile with where it came from.

    Attributes
    ----------
    shares : tuple of float
        Twelve month-end cumulative shares.
    exponent : float
        ``a`` of ``t ** a`` after shrinkage (the shares are ``power_profile(a)``).
    exponent_data : float or None
        Median of the per-figure exponents, before shrinkage (None: no evidence).
    concentration : float
        Beta concentration of a unit's share around the profile (for ``nowcast``).
    final_to_target : float
        Pooled ratio of a year's final count to its target used to convert
        shares of a target.
    evidence : pandas.DataFrame
        The figures used (``EVIDENCE_COLUMNS``).
    method : str
        One line saying how the shares were obtained.
    """

    shares: tuple[float, ...]
    exponent: float
    exponent_data: float | None
    concentration: float
    final_to_target: float
    evidence: pd.DataFrame = field(repr=False)
    method: str = ""


def _final_to_target(obs: pd.DataFrame, targets: pd.DataFrame) -> pd.Series:
    """Ratio of full-year count to annual target per (unit_id, year)."""
    whole = obs[obs["subgroup"].fillna("") == ""]
    full = whole[(whole["measure"] == "admitted") & (whole["period_kind"] == "year")]
    full = full.assign(year=full["period_end"].dt.year)
    full = full.groupby(["unit_id", "year"])["value"].median()
    annual = _annual_targets(targets)
    ratios = (full / annual).dropna()
    pct = whole[(whole["measure"] == "attainment_pct") & (whole["period_kind"] == "year")]
    pct = pct.assign(year=pct["period_end"].dt.year).groupby(["unit_id", "year"])["value"].median()
    pct = pct / 100
    both = pd.concat([ratios, pct[~pct.index.isin(ratios.index)]])
    return both[both > 0]


def _annual_targets(targets: pd.DataFrame) -> pd.Series:
    """Median count target per (unit_id, year) over layers (assigned, plan ...)."""
    t = targets[(targets["kind"] == "annual") & (targets["measure"] == "count")]
    t = t[t["value"].notna() & (t["value"] > 0) & t["year"].notna()]
    return t.assign(year=t["year"].astype(int)).groupby(["unit_id", "year"])["value"].median()


def profile_evidence(dataset: Any, *, min_count: float = 10.0,
                     final_to_target: float | None = None,
                     as_of: Any = None) -> tuple[pd.DataFrame, float]:
    """Collect (cut-off, share of the year's final count) pairs from a dataset.

    Per unit and year with whole-unit part-year ``admitted`` counts: each count
    against the year's full count when reported; otherwise the earliest count
    against the annual target (times the final-to-target ratio) and each
    count against the next one. A part-year ``attainment_pct`` with no count at
    its cut-off is used as a share of the target.

    Parameters
    ----------
    dataset : forecast.dataset.Dataset
        Needs ``observations`` and ``targets`` as in the Dataset contract.
    min_count : float
        Part-year counts below this are skipped (and so is a part-year
        attainment % at the same cut-off): 6 of 7 says little about a profile
        and much about chance.
    final_to_target : float, optional
        Pooled ratio of the final count to the target; the median over units
        of each unit's median ratio when at least three units have one, else
        ``DEFAULT_FINAL_TO_TARGET``. A unit's own ratios (median) are used for
        its figures when it has any.
    as_of : date-like, optional
        Use only figures whose period ended by then (backtests must not see
        the future).

    Returns
    -------
    evidence : pandas.DataFrame
        Columns ``EVIDENCE_COLUMNS``.
    final_to_target : float
        The pooled ratio used.
    """
    obs = dataset.observations
    obs = obs[obs["subgroup"].fillna("") == ""]
    if as_of is not None:
        obs = obs[obs["period_end"] <= pd.Timestamp(as_of)]
    ratios = _final_to_target(obs, dataset.targets)
    unit_ratio = ratios.groupby(level="unit_id").median() if len(ratios) else pd.Series(dtype=float)
    if final_to_target is None:
        # Pool over units, not unit-years: one unit's five years are one opinion.
        final_to_target = (float(unit_ratio.median()) if len(unit_ratio) >= 3
                           else DEFAULT_FINAL_TO_TARGET)

    part = obs[obs["period_kind"] == "part_year"]
    part = part.assign(year=part["period_end"].dt.year, cutoff=part["period_end"],
                       t=year_fraction(part["period_end"]) if len(part) else [])
    full = obs[(obs["measure"] == "admitted") & (obs["period_kind"] == "year")]
    full = full.assign(year=full["period_end"].dt.year).groupby(["unit_id", "year"])["value"].median()
    annual = _annual_targets(dataset.targets)

    rows = []
    counts = part[(part["measure"] == "admitted") & part["value"].notna()]
    counts = counts.sort_values(["unit_id", "cutoff"])
    # Cut-offs whose attainment % must not be used on its own: the count there
    # is too small, or the count (or the year's) already gave a share.
    small = counts[counts["value"] < min_count]
    blocked = set(zip(small["unit_id"], small["cutoff"]))
    done_years: set[tuple[str, int]] = set()
    for (unit, year), g in counts.groupby(["unit_id", "year"], sort=False):
        r_unit = float(unit_ratio.get(unit, final_to_target))
        g = g.drop_duplicates("cutoff", keep="last")
        big = g[g["value"] >= min_count]
        if (unit, year) in full.index or (len(big) and (unit, year) in annual.index):
            done_years.add((unit, year))
        if (unit, year) in full.index:
            for r in big.itertuples(index=False):
                rows.append((unit, year, r.cutoff, r.t, r.value, float(full[(unit, year)]),
                             "full_year", r.source_id))
            continue
        if len(big) and (unit, year) in annual.index:
            # Only the earliest count against the target: later ones are
            # used through their ratio to it (next), not twice.
            r = big.iloc[0]
            rows.append((unit, year, r.cutoff, r.t, r.value,
                         float(annual[(unit, year)]) * r_unit, "target", r.source_id))
        # Two counts of one year: F(t1) / F(t2) = (t1 / t2) ** a, the same
        # formula as a share at "time" t1 / t2, and free of any target.
        for a, b in zip(big.itertuples(index=False), big.iloc[1:].itertuples(index=False)):
            rows.append((unit, year, a.cutoff, a.t / b.t, a.value, b.value, "later_count",
                         b.source_id))
    pcts = part[(part["measure"] == "attainment_pct") & (part["value"] > 0)]
    pcts = pcts.sort_values(["unit_id", "cutoff"])
    for r in pcts.itertuples(index=False):
        # The earliest usable % of a year only: later ones repeat what the
        # ratio of counts says.
        if (r.unit_id, r.cutoff) in blocked or (r.unit_id, r.year) in done_years:
            continue
        r_unit = float(unit_ratio.get(r.unit_id, final_to_target))
        # Store the share as 1 / denominator so that one formula serves.
        rows.append((r.unit_id, r.year, r.cutoff, r.t, 1.0, 100 * r_unit / r.value,
                     "attainment_pct", r.source_id))
        done_years.add((r.unit_id, r.year))

    ev = pd.DataFrame(rows, columns=["unit_id", "year", "cutoff", "t", "count", "denominator",
                                     "denominator_kind", "source_id"])
    ev = ev[(ev["t"] > 0) & (ev["t"] < 1)].copy()
    if ev.empty:
        return pd.DataFrame(columns=list(EVIDENCE_COLUMNS)), final_to_target
    ev.loc[ev["denominator_kind"] == "attainment_pct", "count"] = np.nan
    ev["share"] = ev["count"].fillna(1.0) / ev["denominator"]
    # A share at or above 1 before 31 December (a unit past its year's target in
    # May) has no finite exponent; clipping keeps it as strong front-loading.
    clipped = ev["share"].clip(0.02, 0.98)
    ev["exponent"] = np.log(clipped) / np.log(ev["t"])
    # One article about one year is one opinion, however many units it lists
    # (Cần Thơ's 2017 report names a dozen); and a late cut-off says little
    # about the exponent (ln t near 0), so its weight falls as (ln t / ln 0.5)^2.
    cluster = ev.groupby(["source_id", "year"])["unit_id"].transform("size")
    late = np.minimum(1.0, (np.log(ev["t"]) / np.log(0.5)) ** 2)
    # A unit past its converted year's total before December (share >= 0.98
    # against a target) has a final/target ratio above the one used: the
    # conversion is known to be wrong for it, so the figure is kept for the
    # record with weight 0.
    censored = ev["denominator_kind"].isin(["target", "attainment_pct"]) & (ev["share"] >= 0.98)
    ev["weight"] = np.where(censored, 0.0, late / cluster)
    return ev[list(EVIDENCE_COLUMNS)].reset_index(drop=True), final_to_target


def estimate_profile(dataset: Any, assumptions: Assumptions | None = None, *,
                     min_count: float = 10.0, prior_weight: float = PRIOR_WEIGHT,
                     final_to_target: float | None = None,
                     as_of: Any = None) -> ProfileEstimate:
    """Estimate the within-year profile from a dataset's part-year figures.

    Each usable figure gives an exponent ``a_i = ln(share_i) / ln(t_i)`` and
    a weight (``profile_evidence``: one article-year is one opinion, late
    cut-offs count less, shares past a target count 0); the data's exponent
    is their weighted median, shrunk towards ``DEFAULT_EXPONENT``:
    ``a = (n_eff * median + k * a0) / (n_eff + k)`` with ``n_eff`` the sum
    of the weights. The concentration comes from the weighted standardized
    spread of the shares around the fitted curve, shrunk the same way
    towards ``DEFAULT_CONCENTRATION``.

    Parameters
    ----------
    dataset : forecast.dataset.Dataset
    assumptions : Assumptions, optional
        Not used by the estimate itself; accepted so every stage has the same
        call shape.
    min_count : float
        Smallest part-year count used.
    prior_weight : float
        ``k``: how many figures the default is worth.
    final_to_target : float, optional
        See ``profile_evidence``.
    as_of : date-like, optional
        Only figures whose period ended by then.

    Returns
    -------
    ProfileEstimate
    """
    ev, ratio = profile_evidence(dataset, min_count=min_count, final_to_target=final_to_target,
                                 as_of=as_of)
    n = int((ev["weight"] > 0).sum()) if len(ev) else 0
    if n == 0:
        return ProfileEstimate(
            DEFAULT_PROFILE, DEFAULT_EXPONENT, None, DEFAULT_CONCENTRATION, ratio, ev,
            "default profile (no part-year figure with a full year or target in the data)",
        )
    used = ev[ev["weight"] > 0]
    w = used["weight"].to_numpy(dtype=float)
    n_eff = float(w.sum())
    a_data = weighted_median(used["exponent"].to_numpy(dtype=float), w)
    a = (n_eff * a_data + prior_weight * DEFAULT_EXPONENT) / (n_eff + prior_weight)
    a = float(np.clip(a, *EXPONENT_BOUNDS))
    fitted = used["t"].to_numpy() ** a
    shares = used["share"].clip(0.02, 0.98).to_numpy()
    z = (shares - fitted) ** 2 / (fitted * (1 - fitted))
    # E[z] = 1 / (kappa + 1) for a Beta share with mean F(t) and concentration kappa.
    z_mean = float(np.sum(w * z) / n_eff)
    kappa_data = float(np.clip(1 / max(z_mean, 1e-9) - 1, *CONCENTRATION_BOUNDS))
    kappa = (n_eff * kappa_data + prior_weight * DEFAULT_CONCENTRATION) / (n_eff + prior_weight)
    method = (
        f"power curve t**a fitted to {n} part-year figure(s) (weight {n_eff:.2f}): weighted "
        f"median exponent {a_data:.3f} shrunk towards the default {DEFAULT_EXPONENT:.3f} "
        f"with weight {prior_weight:g} -> a = {a:.3f}; final-to-target ratio {ratio:.3f}"
    )
    return ProfileEstimate(power_profile(a), a, a_data, float(kappa), ratio, ev, method)


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """Smallest value at which the cumulative weight reaches half the total;
    the midpoint of the two middle values when it lands exactly on half."""
    order = np.argsort(values, kind="stable")
    v, w = np.asarray(values, float)[order], np.asarray(weights, float)[order]
    cum = np.cumsum(w)
    half = cum[-1] / 2
    k = int(np.searchsorted(cum, half - 1e-12 * cum[-1]))
    if abs(cum[k] - half) <= 1e-12 * cum[-1] and k + 1 < len(v):
        return float((v[k] + v[k + 1]) / 2)
    return float(v[k])


def within_year_profile(dataset: Any, assumptions: Assumptions | None = None,
                        as_of: Any = None) -> tuple[float, ...]:
    """The profile to use: the analyst's (``Assumptions.within_year_profile``) or the estimate.

    ``as_of`` limits the estimate to figures whose period ended by then.
    """
    if assumptions is not None and assumptions.within_year_profile is not None:
        return tuple(assumptions.within_year_profile)
    return estimate_profile(dataset, assumptions, as_of=as_of).shares


# --- nowcast -------------------------------------------------------------------------
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
        s = rng.beta(concentration * m, concentration * (1 - m), n_paths)
        s = np.clip(s, 1e-6, 1.0)
        final = (c + rng.negative_binomial(c + prior_shape, s)).astype(np.int64)
    qs = {float(q): float(np.quantile(final, q)) for q in quantiles}
    mid = (low + high) / 2
    return Nowcast(float(mid), pd.Timestamp(cutoff), m, mid / m, qs, float(final.mean()), final)
