"""Estimating the within-year profile from a dataset's part-year figures.

Each part-year count set against the year's full count, its target or a
later count of the same year gives a share of the year reached by a cut-off,
hence an exponent of the power curve ``F(t) = t ** a`` of
:mod:`forecast.models.profile`; their weighted median, shrunk towards the default,
is the estimate. ``docs/profile.md`` gives the evidence and the weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from forecast.config import Assumptions
from forecast.models.profile import (
    CONCENTRATION_BOUNDS, DEFAULT_CONCENTRATION, DEFAULT_EXPONENT, DEFAULT_FINAL_TO_TARGET,
    DEFAULT_PROFILE, EXPONENT_BOUNDS, PRIOR_WEIGHT, power_profile, year_fraction,
)


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
        Beta concentration of a unit's share around the profile (for
        :func:`forecast.models.nowcast.nowcast`).
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
    dataset : forecast.data.dataset.Dataset
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
    dataset : forecast.data.dataset.Dataset
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
