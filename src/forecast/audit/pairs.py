"""Audit of percentages against counts and targets.

Each attainment ("đạt 83,5 %") or excess ("vượt 27 %") row is paired with the
admitted count of the same unit, subgroup and period. The pair implies the
target; where a target is known (a target row, the one named in ``ref``, or
one the analyst assumes) the printed percentage is checked against
``count / target`` within what rounding or truncation of its printed decimals
explains. Rows that imply the same target are compared with each other, and a
unit's yearly implied targets with the whole number most years share.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from forecast.audit.findings import finding, period_label
from forecast.audit.percent import (
    agreement, describe_whole, fmt_count, fmt_implied, fmt_pct, fmt_range, implied_bounds,
    percent_bounds, printed_decimals, roundness, whole_numbers,
)

PERCENT_MEASURES = ("attainment_pct", "excess_pct")
TERM_GRACE_DAYS = 92
"""A term-to-date report may be dated up to a quarter after the default
deadline (congresses in October while the default window ends 30 September)."""


@dataclass
class Implied:
    """A target implied by one percentage row and its count (for grouping)."""

    pct: pd.Series
    count: pd.Series
    central: float
    whole: list[int]
    whole_round: list[int]
    year: int | None
    key: tuple
    has_known: bool


def percent_findings(ds, rule: str = "either", near: float = 0.02,
                     assumed: Mapping | None = None) -> list[dict]:
    """Findings about every attainment and excess percentage of a dataset.

    Parameters
    ----------
    ds : Dataset
        The loaded dataset.
    rule : {"either", "round", "truncate"}
        How printed percentages may have been shortened (see
        :func:`forecast.audit.percent.percent_bounds`).
    near : float
        Relative distance within which a year's implied target that misses
        the whole number other years share is flagged (0.02 = 2 %).
    assumed : mapping, optional
        Targets the analyst supplies: ``{(unit_id, year): value}`` for annual
        targets, ``{(unit_id, "2020-2025"): value}`` for term targets.
    """
    obs = ds.observations
    counts = obs[obs["measure"] == "admitted"]
    targets = _count_targets(ds.targets, assumed or {})
    out: list[dict] = []
    implied: list[Implied] = []
    for _, p in obs[obs["measure"].isin(PERCENT_MEASURES)].iterrows():
        known = _known_targets(p, targets)
        partners = _partners(p, counts)
        if partners.empty:
            out.append(_unpaired(p, known))
            continue
        for _, c in partners.iterrows():
            rec, found = _pair(p, c, known, rule)
            out.extend(found)
            if rec is not None:
                implied.append(rec)
    out.extend(_group_findings(implied))
    out.extend(_near_common(implied, targets, near))
    return out


# -- pairing ----------------------------------------------------------------
def _same_period(df: pd.DataFrame, row: pd.Series) -> pd.Series:
    start_ok = (df["period_start"].isna() if pd.isna(row["period_start"])
                else df["period_start"] == row["period_start"])
    return start_ok & (df["period_end"] == row["period_end"])


def _partners(p: pd.Series, counts: pd.DataFrame) -> pd.DataFrame:
    """Admitted counts of the same unit, subgroup and period; same source first."""
    hit = counts[(counts["unit_id"] == p["unit_id"]) & (counts["subgroup"] == p["subgroup"])
                 & _same_period(counts, p)]
    same_source = hit[hit["source_id"] == p["source_id"]]
    return same_source if not same_source.empty else hit


def _count_targets(targets: pd.DataFrame, assumed: Mapping) -> pd.DataFrame:
    """Count targets of the dataset plus the analyst's assumed ones."""
    t = targets[targets["measure"] == "count"].copy()
    t["assumed"] = False
    rows = []
    for (unit_id, when), value in assumed.items():
        annual = isinstance(when, int) or str(when).isdigit()
        rows.append({
            "target_id": f"assumed:{unit_id}:{when}", "unit_id": unit_id,
            "term": "" if annual else str(when), "kind": "annual" if annual else "term",
            "year": int(when) if annual else pd.NA, "layer": "assumed", "measure": "count",
            "value_text": fmt_count(float(value)), "low": float(value), "high": float(value),
            "value": float(value), "qualifier": "exact",
            "start": pd.Timestamp(int(when), 1, 1) if annual else pd.NaT,
            "deadline": pd.Timestamp(int(when), 12, 31) if annual else pd.NaT,
            "source_id": "", "locator": "", "note": "assumed by the analyst",
            "assumed": True,
        })
    if rows:
        t = pd.concat([t, pd.DataFrame(rows)], ignore_index=True)
    return t


def _year_of(row: pd.Series) -> int | None:
    """Calendar year of a period inside one year, else None."""
    end, start = row["period_end"], row["period_start"]
    if pd.isna(end):
        return None
    if pd.isna(start) or start.year == end.year:
        return int(end.year)
    return None


def _known_targets(p: pd.Series, targets: pd.DataFrame) -> pd.DataFrame:
    """The target(s) a percentage row refers to."""
    ref = str(p.get("ref", "") or "")
    if ref and ref in set(targets["target_id"]):
        return targets[targets["target_id"] == ref]
    mine = targets[targets["unit_id"] == p["unit_id"]]
    year = _year_of(p)
    if year is not None:
        return mine[(mine["kind"] == "annual") & (mine["year"] == year)]
    term = mine[mine["kind"] == "term"]
    if term.empty:
        return term
    ok = pd.Series(False, index=term.index)
    for i, t in term.iterrows():
        if t["assumed"]:
            years = str(t["term"]).split("-")
            lo_y, hi_y = int(years[0]), int(years[-1])
            start_y = p["period_start"].year if not pd.isna(p["period_start"]) else lo_y
            ok[i] = lo_y <= start_y and p["period_end"].year <= hi_y
            continue
        if pd.isna(t["start"]) or pd.isna(t["deadline"]):
            continue
        starts_in = pd.isna(p["period_start"]) or (
            p["period_start"] >= t["start"] - pd.Timedelta(days=366)
            and p["period_start"] <= t["deadline"])
        ends_in = (t["start"] <= p["period_end"]
                   <= t["deadline"] + pd.Timedelta(days=TERM_GRACE_DAYS))
        ok[i] = bool(starts_in and ends_in)
    return term[ok]


# -- one pair -----------------------------------------------------------------
def pct_text(row: pd.Series) -> str:
    """The percentage as printed, with a space before the sign: ``89,96 %``."""
    s = str(row["value_text"]).strip().rstrip("%").strip()
    return f"{s} %"


def count_text(row: pd.Series) -> str:
    """A count in English grouping, or as printed when not exact."""
    if row["qualifier"] == "exact":
        return fmt_count(row["value"])
    return f"{row['value_text']} ({row['qualifier']})"


def _pair(p: pd.Series, c: pd.Series, known: pd.DataFrame, rule: str
          ) -> tuple[Implied | None, list[dict]]:
    excess = p["measure"] == "excess_pct"
    d = printed_decimals(p["value_text"])
    period = period_label(p["period_start"], p["period_end"])
    ratio = (1 + p["value"] / 100) if excess else p["value"] / 100
    if not ratio or pd.isna(ratio) or ratio <= 0 or pd.isna(c["value"]):
        return None, []
    central = c["value"] / ratio
    ranges = {}
    for r in ("round", "truncate", rule):
        lo_p, hi_p = percent_bounds(p["low"], p["high"], d, r)
        lo, hi = implied_bounds(c["low"], c["high"], lo_p, hi_p, excess)
        ranges[r] = (lo_p, hi_p, lo, hi, whole_numbers(lo, hi))
    what = "plan" if excess else "target"
    how = (f"{count_text(c)} admitted, {pct_text(p)} over the {what}," if excess
           else f"{count_text(c)} admitted at {pct_text(p)} of the {what}")
    divisor = f"{ratio:.4f}".rstrip("0").rstrip(".")
    parts = [f"{how} implies a {what} of {fmt_implied(central)} "
             f"({fmt_count(c['value'])} / {divisor})."]
    for r, label in (("round", "If the percentage was rounded"),
                     ("truncate", "If it was truncated")):
        lo_p, hi_p, lo, hi, whole = ranges[r]
        pct_range = (f"{_num(lo_p)}–{_num(hi_p)} %" if not (pd.isna(lo_p) or pd.isna(hi_p))
                     else f"at least {_num(lo_p)} %" if pd.isna(hi_p) else f"below {_num(hi_p)} %")
        listed = (f", whole numbers: {describe_whole(whole)}"
                  if not (pd.isna(lo) or math.isinf(hi)) else "")
        parts.append(f"{label} ({pct_range}): {what} {fmt_range(lo, hi)}{listed}.")
    _, _, lo, hi, whole = ranges[rule]
    checks: list[dict] = []
    for _, t in known.iterrows():
        more, sentence = _check_known(p, c, t, d, excess, central, period)
        checks.extend(more)
        parts.append(sentence)
    found = [finding("implied_target", "info", [p, c], " ".join(parts), period=period,
                     measure=p["measure"], reported=p["value"], implied=central,
                     implied_low=lo, implied_high=hi, comparable=False)]
    exact = p["qualifier"] == "exact" and c["qualifier"] == "exact"
    if exact and not whole and not math.isinf(hi):
        below, above = math.floor(central), math.ceil(central)
        shown = [f"{fmt_count(t)} gives {fmt_pct(_pct_of(c['value'], t, excess), d)}"
                 for t in dict.fromkeys((below, above)) if t > 0]
        found.append(finding(
            "no_whole_target", "warning", [p, c],
            f"No whole-number {what} gives {pct_text(p)} for {fmt_count(c['value'])} "
            f"admitted: {', '.join(shown)}; the implied {what} {fmt_implied(central)} lies "
            "between whole numbers even allowing for rounding or truncation. The count or "
            "the percentage is misprinted, or the percentage refers to another figure.",
            period=period, measure=p["measure"], reported=p["value"], implied=central,
            implied_low=lo, implied_high=hi, comparable=False))
    found.extend(checks)
    year = _year_of(p)
    ref = str(p.get("ref", "") or "")
    key = (p["unit_id"], p["subgroup"], ref) if ref else (
        p["unit_id"], p["subgroup"], "year", year) if year is not None else (
        p["unit_id"], p["subgroup"], "span", getattr(p["period_start"], "year", None))
    return (Implied(p, c, central, whole, ranges["round"][4], year, key, not known.empty),
            found)


def _pct_of(count: float, target: float, excess: bool) -> float:
    return 100 * count / target - (100 if excess else 0)


def _num(x: float) -> str:
    return "?" if pd.isna(x) else f"{x:g}"


def _check_known(p: pd.Series, c: pd.Series, t: pd.Series, d: int, excess: bool,
                 central: float, period: str) -> tuple[list[dict], str]:
    """Findings from comparing the pair with a known target, and a sentence saying how."""
    if pd.isna(t["value"]) or t["value"] <= 0:
        return [], f"The known target {t['target_id']} ({t['value_text']}) has no value to check."
    what = "plan" if excess else "target"
    lo_t = t["low"] if not pd.isna(t["low"]) else t["value"]
    hi_t = t["high"] if not pd.isna(t["high"]) else t["value"]
    # The count range and the target range both widen the possible percentage.
    statuses = [agreement(c["low"], c["high"], tv, p["low"], p["high"], d, excess)
                for tv in dict.fromkeys((lo_t, t["value"], hi_t))]
    best = min(statuses, key=lambda a: ("rounded", "truncated", "mismatch").index(a.status))
    actual = _pct_of(c["value"], t["value"], excess)
    desc = (f"the {what} {fmt_count(t['value'])} the analyst assumed" if t.get("assumed", False)
            else f"the {t['layer']} {what} {fmt_count(t['value'])} ({t['target_id']})")
    rows = [p, c] + ([t] if not t.get("assumed", False) else [])
    ratio_txt = (f"{fmt_count(c['value'])} / {fmt_count(t['value'])} = "
                 f"{fmt_pct(100 * c['value'] / t['value'], max(d, 2))}")
    verdict = {"rounded": "agrees (rounded)", "truncated": "agrees only if truncated",
               "mismatch": "DISAGREES"}[best.status]
    sentence = f"Against {desc}: {ratio_txt}, {verdict}."
    if best.status == "mismatch":
        return [finding(
            "percent_mismatch", "warning", rows,
            f"{count_text(c)} at {pct_text(p)} implies {fmt_implied(central)}, not "
            f"{fmt_count(t['value'])}, {desc}: {ratio_txt}, which "
            f"neither rounds nor truncates to {pct_text(p)}.",
            period=period, measure=p["measure"], reported=p["value"], implied=actual)], sentence
    if best.status == "truncated":
        return [finding(
            "truncated_percent", "info", rows,
            f"{count_text(c)} at {pct_text(p)} of {desc}: {ratio_txt}, which rounds to "
            f"{fmt_pct(round(actual + 1e-9, d), d)}; {pct_text(p)} is consistent if truncated.",
            period=period, measure=p["measure"], reported=p["value"], implied=actual)], sentence
    return [], sentence


def _unpaired(p: pd.Series, known: pd.DataFrame) -> dict:
    period = period_label(p["period_start"], p["period_end"])
    text = (f"{pct_text(p)} ({p['measure']}) has no admitted count for the same unit, "
            f"subgroup and period, so it cannot be checked.")
    implied = math.nan
    rows = [p]
    exact_known = known[known["qualifier"] == "exact"] if not known.empty else known
    if not exact_known.empty and not pd.isna(p["value"]):
        t = exact_known.iloc[0]
        excess = p["measure"] == "excess_pct"
        implied = t["value"] * ((1 + p["value"] / 100) if excess else p["value"] / 100)
        text += (f" With the {t['layer']} target {fmt_count(t['value'])} ({t['target_id']}) "
                 f"it implies about {fmt_implied(implied)} admitted.")
        if not t.get("assumed", False):
            rows.append(t)
    return finding("unpaired_percent", "info", rows, text, period=period,
                   measure=p["measure"], reported=p["value"], implied=implied,
                   comparable=False)


# -- across rows ------------------------------------------------------------------
def _group_findings(implied: list[Implied]) -> list[dict]:
    """Several percentages implying the same target: does one whole number fit all?"""
    groups: dict[tuple, list[Implied]] = {}
    for rec in implied:
        groups.setdefault(rec.key, []).append(rec)
    out = []
    for recs in groups.values():
        ids = {r.pct["obs_id"] for r in recs}
        if len(ids) < 2:
            continue
        named = bool(str(recs[0].pct.get("ref", "") or ""))
        if not named and len({r.count["obs_id"] for r in recs}) < len(recs):
            # Two shares of one count with no target named are shares of different
            # targets (layers); conflicting_reports says so.
            continue
        fits = [set(r.whole) for r in recs if r.whole]
        common = set.intersection(*fits) if fits else set()
        each = "; ".join(f"{fmt_count(r.count['value'])} at {pct_text(r.pct)} → "
                         f"{fmt_implied(r.central)}" for r in recs)
        rows = [x for r in recs for x in (r.pct, r.count)]
        period = period_label(recs[0].pct["period_start"], recs[-1].pct["period_end"])
        if common and len(fits) == len(recs):
            out.append(finding(
                "implied_target_group", "info", rows,
                f"{len(recs)} figures imply the same target and one whole number fits all: "
                f"{describe_whole(sorted(common))} ({each}).", period=period,
                measure="target", implied=float(min(common)),
                implied_low=float(min(common)), implied_high=float(max(common))))
        else:
            out.append(finding(
                "implied_target_group", "warning", rows,
                f"{len(recs)} figures should imply the same target but no single whole "
                f"number fits all of them ({each}).", period=period, measure="target"))
    return out


def _near_common(implied: list[Implied], targets: pd.DataFrame, near: float) -> list[dict]:
    """A year whose implied target just misses the whole number other years share."""
    out = []
    by_unit: dict[tuple, list[Implied]] = {}
    for rec in implied:
        if rec.year is not None:
            by_unit.setdefault((rec.pct["unit_id"], rec.pct["subgroup"]), []).append(rec)
    for (unit_id, subgroup), recs in by_unit.items():
        support: dict[int, set[int]] = {}
        rounded: dict[int, set[int]] = {}
        for r in recs:
            for w in r.whole:
                support.setdefault(w, set()).add(r.year)
            for w in r.whole_round:
                rounded.setdefault(w, set()).add(r.year)
        known = targets[(targets["unit_id"] == unit_id) & (targets["kind"] == "annual")
                        & (targets["qualifier"] == "exact")]
        for y, v in zip(known["year"], known["value"]):
            if not pd.isna(y) and not pd.isna(v) and float(v).is_integer():
                support.setdefault(int(v), set()).add(int(y))
                rounded.setdefault(int(v), set()).add(int(y))
        if not support:
            continue
        # Most years first; then most years under plain rounding (the usual
        # practice), then the roundest number (targets are set as 1,500, not 1,499).
        common, years = max(support.items(), key=lambda kv: (
            len(kv[1]), len(rounded.get(kv[0], ())), roundness(kv[0]), -kv[0]))
        if len(years) < 2:
            continue
        for r in recs:
            if common in r.whole or r.has_known or r.year in years:
                continue
            if abs(r.central - common) > near * common:
                continue
            excess = r.pct["measure"] == "excess_pct"
            d = printed_decimals(r.pct["value_text"])
            actual = _pct_of(r.count["value"], common, excess)
            ys = [str(y) for y in sorted(years)]
            listed = ys[0] if len(ys) == 1 else ", ".join(ys[:-1]) + " and " + ys[-1]
            out.append(finding(
                "near_common_target", "warning", [r.pct, r.count],
                f"{fmt_count(r.count['value'])} at {pct_text(r.pct)} implies "
                f"{fmt_implied(r.central)}, not {fmt_count(common)}, the annual target that "
                f"{listed} fit: {fmt_count(r.count['value'])} / {fmt_count(common)} = "
                f"{fmt_pct(actual, max(d, 2))}, printed {pct_text(r.pct)}. Either the "
                f"{r.year} target differs from the other years' or the printed figures "
                "disagree.",
                period=str(r.year), measure=r.pct["measure"], reported=r.pct["value"],
                implied=actual, unit_id=unit_id))
    return out
