"""Exposure: what a unit is expected to admit in a year before its own record.

So that units of very different size can be pooled as *attainment*
``count / E``, each unit gets ``E[t]`` by the first rule that applies:

1. ``annual_target``: the unit's annual targets (count, or % of members ×
   membership), the nearest year's where a year has none;
2. ``implied_annual_target``: no annual target printed, but attainment or
   excess percentages with their counts imply one (Tiền Giang: 1,252 at
   83,5 %, 1,278 at 85,2 %, 1,348 at 89,96 % → 1,500 a year). The arithmetic
   is the audit's (:mod:`forecast.audit.percent`): ``count / (pct / 100)``
   (``count / (1 + pct / 100)`` for an excess), the whole numbers the printed
   precision allows, and the whole number most years share (the roundest on
   a tie) for every year whose implied value is within 2 % of it;
3. ``term_target``: the term target spread over the term's profile-weighted
   years (6,500 over 1 Jan 2020 - 30 Sep 2025 = 5.668 years → 1,147 a year);
4. ``own_level``: ``E = 1``; the unit is then not pooled (its "attainment"
   is its count, which says nothing about other units).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.models.progress import target_count

EXPOSURE_KINDS = ("annual_target", "implied_annual_target", "term_target", "own_level")

IMPLIED_NEAR = 0.02
"""A year's implied target within this relative distance of the whole number
other years share takes that number (the audit's ``near``)."""


def share_between(a: pd.Timestamp, b: pd.Timestamp, profile) -> float:
    """Share of the year's admissions falling in ``[a, b]`` (both in one year)."""
    from forecast.models.profile import share_by

    if b < a:
        return 0.0
    before = 0.0
    if not (a.month == 1 and a.day == 1):
        before = float(share_by(a - pd.Timedelta(days=1), profile))
    return max(float(share_by(b, profile)) - before, 0.0)


def year_weights(start: pd.Timestamp, end: pd.Timestamp, profile) -> dict[int, float]:
    """Profile share of each calendar year covered by ``[start, end]``."""
    out = {}
    for y in range(start.year, end.year + 1):
        a = max(start, pd.Timestamp(y, 1, 1))
        b = min(end, pd.Timestamp(y, 12, 31))
        w = share_between(a, b, profile)
        if w > 0:
            out[y] = w
    return out


@dataclass(frozen=True)
class Exposure:
    """Expected admissions per year before the unit's record: ``E[t]``.

    Attributes
    ----------
    kind : str
        One of :data:`EXPOSURE_KINDS`.
    by_year : dict of int to float
        Years where it is known; other years take the nearest known year
        (the later one on a tie).
    note : str
        Where it came from, for the diagnostics (empty: the kind says it).
    """

    kind: str
    by_year: dict[int, float] = field(default_factory=dict)
    note: str = ""

    def at(self, year: int) -> float:
        if self.kind == "own_level" or not self.by_year:
            return 1.0
        if year in self.by_year:
            return self.by_year[year]
        nearest = min(self.by_year, key=lambda y: (abs(y - year), -y))
        return self.by_year[nearest]

    def over(self, years) -> np.ndarray:
        return np.array([self.at(int(y)) for y in years], dtype=float)


def unit_exposure(dataset, unit_id: str, profile, as_of=None) -> Exposure:
    """The exposure rule of one unit (see the module docstring for the order).

    ``as_of`` limits the percentages that imply a target to reports whose
    period ended by then (printed targets are set in advance and always used).
    """
    obs = dataset.rows_of("observations", unit_id)
    annual: dict[int, list[float]] = {}
    for row in dataset.records_of("targets", unit_id):
        if row["kind"] != "annual" or pd.isna(row["year"]):
            continue
        v = target_count(row, obs)
        if np.isfinite(v) and v > 0:
            annual.setdefault(int(row["year"]), []).append(v)
    if annual:
        return Exposure("annual_target", {y: float(np.median(v)) for y, v in annual.items()})
    implied, note = implied_annual_targets(dataset, unit_id, as_of)
    if implied:
        return Exposure("implied_annual_target", implied, note)
    per_year: dict[int, float] = {}
    t = dataset.rows_of("targets", unit_id)
    for row in t[t["kind"] == "term"].sort_values("start").to_dict("records"):
        v = target_count(row, obs)
        if not (np.isfinite(v) and v > 0) or pd.isna(row["start"]) or pd.isna(row["deadline"]):
            continue
        w = year_weights(row["start"], row["deadline"], profile)
        if row["measure"] == "count":
            rate = v / sum(w.values())
        else:
            # target_count gives rate × members × calendar years; per year is that / years.
            rate = v / ((row["deadline"] - row["start"]).days / 365.25)
        for y in w:
            per_year[y] = rate
    if per_year:
        return Exposure("term_target", per_year)
    return Exposure("own_level", {})




def implied_annual_targets(dataset, unit_id: str, as_of=None,
                           near: float = IMPLIED_NEAR) -> tuple[dict[int, float], str]:
    """Annual targets implied by a unit's attainment (or excess) percentages.

    Each whole-unit ``attainment_pct`` / ``excess_pct`` report inside one
    calendar year, with an ``admitted`` count of the same period, implies
    that year's target (the audit's arithmetic: ``implied_bounds`` of
    ``percent_bounds`` under either rounding or truncation, and the
    ``whole_numbers`` in that range). A percentage that names a term target
    (``ref``) is left out. The whole number most years allow (at least two
    years; the roundest on a tie, as targets are set as 1,500, not 1,499) is
    used for every year whose central implied value is within ``near`` of it;
    other years keep their central value (the median over their reports).

    Returns
    -------
    by_year : dict of int to float
        Empty when nothing implies a target.
    note : str
        ``"exposure: implied annual target 1,500 from 3 attainment reports"``.
    """
    from forecast.audit.percent import (
        implied_bounds, percent_bounds, printed_decimals, roundness, whole_numbers,
    )

    obs = dataset.rows_of("observations", unit_id)
    mine = obs[(obs["unit_id"] == unit_id) & (obs["subgroup"].fillna("") == "")
               & obs["period_start"].notna() & obs["period_end"].notna()
               & (obs["period_start"].dt.year == obs["period_end"].dt.year)]
    if as_of is not None:
        mine = mine[mine["period_end"] <= pd.Timestamp(as_of)]
    pcts = mine[mine["measure"].isin(["attainment_pct", "excess_pct"]) & (mine["value"] > 0)]
    names_term = pcts["ref"].fillna("").map(
        lambda ref: bool((dataset.rows_of("targets", ref, "target_id")["kind"] == "term").any()))
    pcts = pcts[~names_term.astype(bool)]
    counts = mine[(mine["measure"] == "admitted") & mine["value"].notna()]
    central: dict[int, list[float]] = {}
    whole: dict[int, set[int]] = {}
    n_reports = 0
    for p in pcts.itertuples(index=False):
        same = counts[(counts["period_start"] == p.period_start)
                      & (counts["period_end"] == p.period_end)]
        if same.empty:
            continue
        c = same.iloc[-1]
        excess = p.measure == "excess_pct"
        ratio = (1 + p.value / 100) if excess else p.value / 100
        lo_p, hi_p = percent_bounds(p.low, p.high, printed_decimals(p.value_text), "either")
        lo, hi = implied_bounds(c["low"], c["high"], lo_p, hi_p, excess)
        y = int(p.period_end.year)
        central.setdefault(y, []).append(float(c["value"]) / ratio)
        whole.setdefault(y, set()).update(whole_numbers(lo, hi))
        n_reports += 1
    if not central:
        return {}, ""
    by_year = {y: float(np.median(v)) for y, v in central.items()}
    support: dict[int, set[int]] = {}
    for y, ws in whole.items():
        for w in ws:
            support.setdefault(w, set()).add(y)
    common = None
    if support:
        mid = float(np.median(list(by_year.values())))
        w, ys = max(support.items(), key=lambda kv: (len(kv[1]), roundness(kv[0]),
                                                     -abs(kv[0] - mid)))
        if len(ys) >= 2 or len(by_year) == 1:
            common = w
    if common is not None:
        for y, v in by_year.items():
            if abs(v - common) <= near * common:
                by_year[y] = float(common)
    values = sorted(set(by_year.values()))
    shown = (f"{values[0]:,.0f}" if len(values) == 1 else
             f"{values[0]:,.0f}-{values[-1]:,.0f}")
    kinds = "attainment report" + ("s" if n_reports > 1 else "")
    return by_year, f"exposure: implied annual target {shown} from {n_reports} {kinds}"


def assumed_targets(dataset, as_of: pd.Timestamp, profile, units=None) -> pd.DataFrame:
    """Annual targets the data do not print, for this year and next, where one can be assumed.

    An analyst asking on 31 December "will we reach next year's target?"
    needs a target for next year before the province has set it. For each
    unit with some target, for the year of the day after ``as_of`` and the
    year after that, when no annual target of that year is in the data and
    the year lies inside one of the unit's term windows: the unit's exposure
    of that year (:func:`unit_exposure`: its nearest annual target, the
    annual target its attainment reports imply, or its term target spread
    over the term), rounded to a whole number. Rows have ``layer ==
    "assumed"`` and say where the value came from in ``note``.

    Returns
    -------
    DataFrame
        Rows with the columns of ``dataset.targets``.
    """
    from forecast.models.progress import ASSUMED_LAYER

    t = dataset.targets
    ids = sorted(set(t["unit_id"]) if units is None else set(units) & set(t["unit_id"]))
    first = (pd.Timestamp(as_of) + pd.Timedelta(days=1)).year
    rows = []
    for u in ids:
        mine = dataset.records_of("targets", u)
        annual = [r for r in mine if r["kind"] == "annual"]
        printed = {int(r["year"]) for r in annual if not pd.isna(r["year"])}
        exp = None
        for year in (first, first + 1):
            a, b = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
            # NaT compares False: a term without a window contains no year.
            inside = [r for r in mine if r["kind"] == "term"
                      and r["start"] <= b and r["deadline"] >= a]
            if year in printed or (not inside and not printed):
                continue
            if not inside and min(abs(year - y) for y in printed) > 1:
                continue
            exp = exp or unit_exposure(dataset, u, profile, as_of)
            if exp.kind == "own_level":
                continue
            value = float(round(exp.at(year)))
            if value <= 0:
                continue
            term = inside[0]["term"] if inside else annual[-1]["term"]
            rows.append({
                "target_id": f"{u}-{year}-assumed", "unit_id": u, "term": term,
                "kind": "annual", "year": year, "layer": ASSUMED_LAYER, "measure": "count",
                "value_text": f"{value:.0f}", "low": value, "high": value, "value": value,
                "qualifier": "assumed", "start": a, "deadline": b, "source_id": "",
                "locator": "", "note": f"assumed from the unit's {exp.kind.replace('_', ' ')}"
                                       f" ({exp.note or exp.kind})", "corrected_from": "",
            })
    return pd.DataFrame(rows, columns=t.columns)
