"""Estimating the within-year profile and the spread of units around it.

Each part-year count set against the year's full count, a later count of the
same year or the year's target gives a ratio observed at a cut-off. The
exponent of the power curve ``F(t) = t ** a`` (:mod:`forecast.models.profile`)
is estimated from the figures whose denominator is the unit's own count of
that year; the spread of units around the curve (``kappa``, the front-loaded
weight ``pi``) from every figure, a share of a target entering through the
unit's final/target ratio as a random effect. The likelihood and its
maximisation are in :mod:`forecast.models.profile_fit`; ``docs/profile.md``
gives the evidence, the choices and the comparison with the earlier
estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from forecast.config import Assumptions
from forecast.errors import ConfigError
from forecast.models.profile import (
    DEFAULT_FINAL_TO_TARGET, DEFAULT_PROFILE, DEFAULT_RATIO_LOG_SD, DEFAULT_SPREAD,
    DEFAULT_WITHIN_LOG_SD, EXPONENT_BOUNDS, power_profile, year_fraction,
)
from forecast.models.profile_fit import fit_exponent, fit_spread, spread_of
from forecast.models.share import ShareSpread

EVIDENCE_COLUMNS = (
    "unit_id", "year", "cutoff", "t", "count", "denominator", "denominator_kind",
    "observed", "ratio_log_mean", "ratio_log_sd", "share", "exponent", "source_id", "weight",
)
"""One row per part-year figure. ``observed`` is the ratio seen at ``cutoff``:
``count / denominator``, the denominator being the year's full count
(``denominator_kind`` ``full_year``), a later count of the same year
(``later_count``; ``t`` is then the ratio of the two cut-offs' year
fractions), the annual target (``target``), or a printed % of the target
(``attainment_pct``; count and denominator empty). For the last two the
unit's final/target ratio that year is unknown: ``ln r ~ Normal(ratio_log_mean,
ratio_log_sd)`` (:func:`ratio_effects`); 0 and 0 for shares of the year.
``share`` is ``observed / exp(ratio_log_mean)`` and ``exponent`` ``ln(share)
/ ln(t)`` (share clipped to [0.02, 0.98]): the point conversion, for reading.
``weight`` is 1 divided by the number of figures of the same source about
the same year, and 0 for a share of a target at or above 0.98 before
December (see ``docs/profile.md``)."""

OWN_COUNT_KINDS = ("full_year", "later_count")
"""Denominators that are the unit's own count of the same year: the figures the
exponent is estimated from (``exponent_from="own_count"``)."""

SHARE_OF_TARGET_MAX = 0.98
"""A share of a target at or above this before December is kept with weight 0."""


@dataclass(frozen=True)
class ProfileEstimate:
    """A within-year profile, the spread of units around it, and where both came from.

    Attributes
    ----------
    shares : tuple of float
        Twelve month-end cumulative shares (``power_profile(exponent)``).
    exponent : float
        ``a`` of ``t ** a``: posterior mode.
    exponent_sd : float
        Its standard error (Laplace; the prior's 0.25 without evidence).
    concentration : float
        ``kappa`` of a unit's share around the profile.
    front_weight : float
        ``pi``, weight of the wide (front-loaded or very late) component.
    final_to_target : float
        Median final/target ratio of the random effect used for shares of a target.
    ratio_log_sd : float
        Spread of ``ln(final / target)`` between units.
    evidence : pandas.DataFrame
        The figures (``EVIDENCE_COLUMNS``).
    method : str
        One line saying how the estimate was obtained.
    """

    shares: tuple[float, ...]
    exponent: float
    exponent_sd: float
    concentration: float
    front_weight: float
    final_to_target: float
    ratio_log_sd: float
    evidence: pd.DataFrame = field(repr=False)
    method: str = ""

    @property
    def spread(self) -> ShareSpread:
        """The share distribution at a cut-off (:mod:`forecast.models.share`)."""
        return spread_of(self.exponent, self.exponent_sd, self.concentration,
                         self.front_weight)


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


def ratio_effects(obs: pd.DataFrame, targets: pd.DataFrame) -> tuple[float, float, dict]:
    """The random effect of a unit's final/target ratio, from the data's full years.

    ``ln r`` of a unit without ratios of its own is ``Normal(mu, sd)``: the
    mean and sd over units of each unit's mean ``ln r`` when at least three
    units have one (sd at least 0.05), else ``ln 1.009`` and 0.155 (the
    documented ratios, ``profile.FINAL_TO_TARGET``). A unit with ``n`` ratios
    of its own has ``Normal(its mean, sd_w · sqrt(1 + 1/n))``, ``sd_w`` the
    pooled year-to-year sd within units (at least 0.03; 0.05 when no unit
    has two ratios).

    Returns
    -------
    mu, sd : float
    own : dict
        ``unit_id`` -> ``(mean, sd)``.
    """
    ratios = _final_to_target(obs, targets)
    logs = np.log(ratios)
    by_unit = logs.groupby(level="unit_id")
    means, sizes = by_unit.mean(), by_unit.size()
    if len(means) >= 3:
        mu, sd = float(means.mean()), max(float(means.std(ddof=1)), 0.05)
    else:
        mu, sd = math.log(DEFAULT_FINAL_TO_TARGET), DEFAULT_RATIO_LOG_SD
    dev = logs - by_unit.transform("mean")
    dof = int((sizes - 1).sum())
    sd_w = max(math.sqrt(float((dev ** 2).sum()) / dof), 0.03) if dof > 0 else DEFAULT_WITHIN_LOG_SD
    own = {u: (float(means[u]), sd_w * math.sqrt(1 + 1 / int(sizes[u]))) for u in means.index}
    return mu, sd, own


def _annual_targets(targets: pd.DataFrame) -> pd.Series:
    """Median count target per (unit_id, year) over layers (assigned, plan ...)."""
    t = targets[(targets["kind"] == "annual") & (targets["measure"] == "count")]
    t = t[t["value"].notna() & (t["value"] > 0) & t["year"].notna()]
    return t.assign(year=t["year"].astype(int)).groupby(["unit_id", "year"])["value"].median()


def profile_evidence(dataset: Any, *, min_count: float = 10.0,
                     as_of: Any = None) -> tuple[pd.DataFrame, float, float]:
    """Collect the part-year figures of a dataset (``EVIDENCE_COLUMNS``).

    Per unit and year with whole-unit part-year ``admitted`` counts: each count
    against the year's full count when reported; otherwise the earliest count
    against the annual target and each count against the next one. A
    part-year ``attainment_pct`` with no count at its cut-off is used as a
    share of the target (the earliest of its year only, and only when no
    count of that year was used).

    Parameters
    ----------
    dataset : forecast.data.dataset.Dataset
        Needs ``observations`` and ``targets`` as in the Dataset contract.
    min_count : float
        Part-year counts below this are skipped (and so is a part-year
        attainment % at the same cut-off): 6 of 7 says little about a profile
        and much about chance.
    as_of : date-like, optional
        Use only figures whose period ended by then (backtests must not see
        the future).

    Returns
    -------
    evidence : pandas.DataFrame
    mu, sd : float
        The random effect of ``ln(final / target)`` for units without ratios
        of their own (:func:`ratio_effects`).
    """
    obs = dataset.observations
    obs = obs[obs["subgroup"].fillna("") == ""]
    if as_of is not None:
        obs = obs[obs["period_end"] <= pd.Timestamp(as_of)]
    mu, sd, own = ratio_effects(obs, dataset.targets)

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
    # is too small, or the count (or the year's) already gave a figure.
    small = counts[counts["value"] < min_count]
    blocked = set(zip(small["unit_id"], small["cutoff"]))
    done_years: set[tuple[str, int]] = set()
    for (unit, year), g in counts.groupby(["unit_id", "year"], sort=False):
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
            rows.append((unit, year, r.cutoff, r.t, r.value, float(annual[(unit, year)]),
                         "target", r.source_id))
        # Two counts of one year: F(t1) / F(t2) = (t1 / t2) ** a, the same
        # formula as a share at "time" t1 / t2, and free of any target.
        for a, b in zip(big.itertuples(index=False), big.iloc[1:].itertuples(index=False)):
            rows.append((unit, year, a.cutoff, a.t / b.t, a.value, b.value, "later_count",
                         b.source_id))
    pcts = part[(part["measure"] == "attainment_pct") & (part["value"] > 0)]
    pcts = pcts.sort_values(["unit_id", "cutoff"])
    for r in pcts.itertuples(index=False):
        if (r.unit_id, r.cutoff) in blocked or (r.unit_id, r.year) in done_years:
            continue
        rows.append((r.unit_id, r.year, r.cutoff, r.t, np.nan, np.nan, "attainment_pct",
                     r.source_id, r.value / 100))
        done_years.add((r.unit_id, r.year))

    cols = ["unit_id", "year", "cutoff", "t", "count", "denominator", "denominator_kind",
            "source_id", "observed"]
    ev = pd.DataFrame([row if len(row) == 9 else (*row, row[4] / row[5]) for row in rows],
                      columns=cols)
    ev = ev[(ev["t"] > 0) & (ev["t"] < 1)].copy()
    if ev.empty:
        return pd.DataFrame(columns=list(EVIDENCE_COLUMNS)), mu, sd
    of_target = ~ev["denominator_kind"].isin(OWN_COUNT_KINDS)
    effect = [own.get(u, (mu, sd)) for u in ev["unit_id"]]
    ev["ratio_log_mean"] = np.where(of_target, [e[0] for e in effect], 0.0)
    ev["ratio_log_sd"] = np.where(of_target, [e[1] for e in effect], 0.0)
    ev["share"] = ev["observed"] / np.exp(ev["ratio_log_mean"])
    ev["exponent"] = np.log(ev["share"].clip(0.02, 0.98)) / np.log(ev["t"])
    # One article about one year is one opinion, however many units it lists
    # (Cần Thơ's 2017 report names a dozen). A unit past its year's target
    # before December says that its final/target ratio is large, hardly
    # anything about the profile: kept for the record with weight 0.
    cluster = ev.groupby(["source_id", "year"])["unit_id"].transform("size")
    past = of_target & (ev["observed"] >= SHARE_OF_TARGET_MAX)
    ev["weight"] = np.where(past, 0.0, 1.0 / cluster)
    return ev[list(EVIDENCE_COLUMNS)].reset_index(drop=True), mu, sd


EXPONENT_SOURCES = ("own_count", "all")
"""``own_count``: the exponent from shares of the year only (the default);
``all``: also from shares of a target, through the ratio's random effect."""


def estimate_profile(dataset: Any, assumptions: Assumptions | None = None, *,
                     min_count: float = 10.0, as_of: Any = None,
                     exponent_from: str = "own_count") -> ProfileEstimate:
    """Estimate the within-year profile and the spread of units around it.

    1. The exponent ``a``: posterior mode and Laplace sd from the figures
       whose denominator is the unit's own count of the year
       (``OWN_COUNT_KINDS``), their share density the mixture of
       :mod:`forecast.models.share`, with the prior ``Normal(1.405, 0.25)``;
       without such figures, the prior itself.
    2. Given ``a``, the concentration ``kappa`` and the front-loaded weight
       ``pi``: posterior mode from every figure of positive weight, a share
       of a target through the unit's final/target ratio as a random effect
       (:func:`ratio_effects`).

    Shares of a target are left out of step 1 because their conversion to a
    share of the year needs the ratio of the same unit and year, and units
    whose part-year figures get published are often ahead of their target:
    their ratio is above the typical one and they would look early
    (``docs/profile.md`` compares the two choices).

    Parameters
    ----------
    dataset : forecast.data.dataset.Dataset
    assumptions : Assumptions, optional
        Not used by the estimate itself; accepted so every stage has the same
        call shape.
    min_count : float
        Smallest part-year count used.
    as_of : date-like, optional
        Only figures whose period ended by then.
    exponent_from : {"own_count", "all"}
        Which figures step 1 uses (``all``: every figure of positive weight,
        shares of a target through the random effect).

    Returns
    -------
    ProfileEstimate
    """
    if exponent_from not in EXPONENT_SOURCES:
        raise ConfigError(f"estimate_profile: exponent_from {exponent_from!r}; expected one of "
                          f"{', '.join(EXPONENT_SOURCES)}.")
    ev, mu, sd = profile_evidence(dataset, min_count=min_count, as_of=as_of)
    used = ev[ev["weight"] > 0]
    first = used[used["denominator_kind"].isin(OWN_COUNT_KINDS)] \
        if exponent_from == "own_count" else used
    a, sd_a = fit_exponent(_key(first))
    a = float(np.clip(a, *EXPONENT_BOUNDS))
    kappa, pi = fit_spread(a, _key(used))
    method = (
        f"power curve t**a, a = {a:.3f} (sd {sd_a:.3f}) from {len(first)} figure(s) "
        + ("whose denominator is the unit's own count of the year" if exponent_from == "own_count"
           else "of every kind")
        + f" and the prior 1.405 (sd 0.25); spread from {len(used)} figure(s) of total weight "
        f"{used['weight'].sum():.2f}: kappa = {kappa:.1f}, front-loaded weight pi = {pi:.2f}; "
        f"final/target ratio a random effect, median {math.exp(mu):.3f}, log-sd {sd:.3f}"
    )
    shares = power_profile(a) if len(first) else DEFAULT_PROFILE
    return ProfileEstimate(shares, a, sd_a, kappa, pi, math.exp(mu), sd, ev, method)


def _key(ev: pd.DataFrame) -> tuple:
    """The likelihood's columns as tuples (hashable: the fits are cached on them)."""
    return tuple(tuple(float(x) for x in ev[c])
                 for c in ("t", "observed", "ratio_log_mean", "ratio_log_sd", "weight"))


def share_spread(dataset: Any, assumptions: Assumptions | None = None,
                 as_of: Any = None) -> ShareSpread:
    """The share distribution at a cut-off for the profile in use.

    The estimate's when the profile is estimated; with the analyst's own
    profile, ``kappa`` and ``pi`` at their defaults and no exponent error.
    """
    if assumptions is not None and assumptions.within_year_profile is not None:
        return ShareSpread(DEFAULT_SPREAD.concentration, DEFAULT_SPREAD.front_weight,
                           DEFAULT_SPREAD.front_concentration, 0.0)
    return estimate_profile(dataset, assumptions, as_of=as_of).spread


def within_year_profile(dataset: Any, assumptions: Assumptions | None = None,
                        as_of: Any = None) -> tuple[float, ...]:
    """The profile to use: the analyst's (``Assumptions.within_year_profile``) or the estimate.

    ``as_of`` limits the estimate to figures whose period ended by then.
    """
    if assumptions is not None and assumptions.within_year_profile is not None:
        return tuple(assumptions.within_year_profile)
    return estimate_profile(dataset, assumptions, as_of=as_of).shares
