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
MAX_CANDIDATES = 1_000
"""Widest range of whole-number targets a year may have to count towards the
target other years share (see :func:`_near_common`)."""
TERM_GRACE_DAYS = 92
"""A term-to-date report may be dated up to a quarter after the default
deadline (congresses in October while the default window ends 30 September)."""


@dataclass
class Implied:
    """A target implied by one percentage row and its count (for grouping)."""

    pct: Mapping
    count: Mapping
    central: float
    whole: range
    whole_round: range
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

    Notes
    -----
    Rows are looked up by key (unit, subgroup, period; target id; unit and
    year), never by scanning the table, so the cost grows with the number of
    rows times the few rows each one is compared with.
    """
    obs = ds.observations
    counts = _index_counts(obs[obs["measure"] == "admitted"])
    targets = _Targets(count_targets(ds.targets, assumed or {}))
    out: list[dict] = []
    implied: list[Implied] = []
    for p in obs[obs["measure"].isin(PERCENT_MEASURES)].to_dict("records"):
        known = targets.known(p)
        c = _partner(p, counts)
        if c is None:
            out.append(_unpaired(p, known))
            continue
        rec, found = _pair(p, c, known, rule)
        out.extend(found)
        if rec is not None:
            implied.append(rec)
    out.extend(_group_findings(implied))
    out.extend(_near_common(implied, targets, near))
    return out


# -- pairing ----------------------------------------------------------------
def _period_key(row: Mapping) -> tuple:
    start = row["period_start"]
    return (row["unit_id"], row["subgroup"], None if pd.isna(start) else start,
            row["period_end"])


def _index_counts(counts: pd.DataFrame) -> dict[tuple, list[dict]]:
    """Admitted counts by unit, subgroup and period, in file order."""
    index: dict[tuple, list[dict]] = {}
    for c in counts.to_dict("records"):
        index.setdefault(_period_key(c), []).append(c)
    return index


def _partner(p: Mapping, counts: Mapping[tuple, list[dict]]) -> dict | None:
    """The admitted count a percentage is read with: same unit, subgroup and
    period, from the same source if there is one, else the first reported.
    Other counts of the period are compared with it by ``conflicting_reports``."""
    hit = counts.get(_period_key(p), [])
    same_source = [c for c in hit if c["source_id"] == p["source_id"]]
    return (same_source or hit or [None])[0]


def count_targets(targets: pd.DataFrame, assumed: Mapping) -> pd.DataFrame:
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


class _Targets:
    """Count targets indexed by id, by (unit, year) and by unit (term targets)."""

    def __init__(self, frame: pd.DataFrame):
        self.by_id: dict[str, dict] = {}
        self.annual: dict[tuple, list[dict]] = {}
        self.term: dict[str, list[dict]] = {}
        self.exact: dict[str, list[dict]] = {}
        for t in frame.to_dict("records"):
            self.by_id.setdefault(t["target_id"], t)
            if t["kind"] == "annual" and not pd.isna(t["year"]):
                self.annual.setdefault((t["unit_id"], int(t["year"])), []).append(t)
                if t["qualifier"] == "exact":
                    self.exact.setdefault(t["unit_id"], []).append(t)
            elif t["kind"] == "term":
                self.term.setdefault(t["unit_id"], []).append(t)

    def known(self, p: Mapping) -> list[dict]:
        """The target(s) a percentage row refers to."""
        ref = str(p.get("ref", "") or "")
        if ref and ref in self.by_id:
            return [self.by_id[ref]]
        year = _year_of(p)
        if year is not None:
            return self.annual.get((p["unit_id"], year), [])
        return [t for t in self.term.get(p["unit_id"], []) if _term_covers(t, p)]

    def exact_annual(self, unit_id: str) -> list[dict]:
        """The unit's annual targets given as exact numbers."""
        return self.exact.get(unit_id, [])


def _term_covers(t: Mapping, p: Mapping) -> bool:
    """Whether a percentage's period lies in a term target's window."""
    if t.get("assumed", False):
        years = str(t["term"]).split("-")
        lo_y, hi_y = int(years[0]), int(years[-1])
        start_y = p["period_start"].year if not pd.isna(p["period_start"]) else lo_y
        return lo_y <= start_y and p["period_end"].year <= hi_y
    if pd.isna(t["start"]) or pd.isna(t["deadline"]):
        return False
    starts_in = pd.isna(p["period_start"]) or (
        t["start"] - pd.Timedelta(days=366) <= p["period_start"] <= t["deadline"])
    return starts_in and (t["start"] <= p["period_end"]
                          <= t["deadline"] + pd.Timedelta(days=TERM_GRACE_DAYS))


def _year_of(row: Mapping) -> int | None:
    """Calendar year of a period inside one year, else None."""
    end, start = row["period_end"], row["period_start"]
    if pd.isna(end):
        return None
    if pd.isna(start) or start.year == end.year:
        return int(end.year)
    return None


# -- one pair -----------------------------------------------------------------
def pct_text(row: Mapping) -> str:
    """The percentage as printed, with a space before the sign: ``89,96 %``."""
    s = str(row["value_text"]).strip().rstrip("%").strip()
    return f"{s} %"


def count_text(row: Mapping) -> str:
    """A count in English grouping, or as printed when not exact."""
    if row["qualifier"] == "exact":
        return fmt_count(row["value"])
    return f"{row['value_text']} ({row['qualifier']})"


def _pair(p: Mapping, c: Mapping, known: list[Mapping], rule: str
          ) -> tuple[Implied | None, list[dict]]:
    """The implied-target finding of a percentage and its count, and the checks
    against the known targets; the record that groups it with others (None
    when the percentage implies no finite target)."""
    excess = p["measure"] == "excess_pct"
    d = printed_decimals(p["value_text"])
    period = period_label(p["period_start"], p["period_end"])
    ratio = (1 + p["value"] / 100) if excess else p["value"] / 100
    if pd.isna(ratio) or ratio < 0 or pd.isna(c["value"]) or (ratio == 0 and c["value"] == 0):
        return None, []
    # 0 % of a target with people admitted: no finite target, unless the
    # printed 0 was rounded or cut down from a small share (the ranges say how small).
    central = c["value"] / ratio if ratio else math.inf
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
             f"({fmt_count(c['value'])} / {divisor})." if ratio else
             f"{how} implies no {what}: {count_text(c)} admitted is not 0 % of any {what}."]
    for r, label in (("round", "If the percentage was rounded"),
                     ("truncate", "If it was truncated")):
        lo_p, hi_p, lo, hi, whole = ranges[r]
        lo_p = lo_p if excess or pd.isna(lo_p) else max(lo_p, 0.0)  # no share below 0 %
        pct_range = (f"{_num(lo_p)}–{_num(hi_p)} %" if not (pd.isna(lo_p) or pd.isna(hi_p))
                     else f"at least {_num(lo_p)} %" if pd.isna(hi_p) else f"below {_num(hi_p)} %")
        listed = (f", whole numbers: {describe_whole(whole)}"
                  if not (pd.isna(lo) or math.isinf(hi)) else "")
        parts.append(f"{label} ({pct_range}): {what} {fmt_range(lo, hi)}{listed}.")
    _, _, lo, hi, whole = ranges[rule]
    checks: list[dict] = []
    for t in known:
        more, sentence = _check_known(p, c, t, d, excess, central, period)
        checks.extend(more)
        parts.append(sentence)
    found = [finding("implied_target", "info", [p, c], " ".join(parts), period=period,
                     measure=p["measure"], reported=p["value"],
                     implied=central if ratio else math.nan,
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
    if not ratio:
        return None, found
    return Implied(p, c, central, whole, ranges["round"][4], year, key, bool(known)), found


def _pct_of(count: float, target: float, excess: bool) -> float:
    return 100 * count / target - (100 if excess else 0)


def _num(x: float) -> str:
    return "?" if pd.isna(x) else f"{x:g}"


def _check_known(p: Mapping, c: Mapping, t: Mapping, d: int, excess: bool,
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
            f"{count_text(c)} at {pct_text(p)} implies "
            f"{fmt_implied(central) if math.isfinite(central) else 'no finite target'}, not "
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


def _unpaired(p: Mapping, known: list[Mapping]) -> dict:
    period = period_label(p["period_start"], p["period_end"])
    text = (f"{pct_text(p)} ({p['measure']}) has no admitted count for the same unit, "
            f"subgroup and period, so it cannot be checked.")
    implied = math.nan
    rows = [p]
    exact_known = [t for t in known if t["qualifier"] == "exact"]
    if exact_known and not pd.isna(p["value"]):
        t = exact_known[0]
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
        fits = [r.whole for r in recs if r.whole]
        common = (range(max(f.start for f in fits), min(f.stop for f in fits)) if fits
                  else range(0))
        each = "; ".join(f"{fmt_count(r.count['value'])} at {pct_text(r.pct)} → "
                         f"{fmt_implied(r.central)}" for r in recs)
        rows = [x for r in recs for x in (r.pct, r.count)]
        period = period_label(recs[0].pct["period_start"], recs[-1].pct["period_end"])
        if common and len(fits) == len(recs):
            out.append(finding(
                "implied_target_group", "info", rows,
                f"{len(recs)} figures imply the same target and one whole number fits all: "
                f"{describe_whole(common)} ({each}).", period=period,
                measure="target", implied=float(common[0]),
                implied_low=float(common[0]), implied_high=float(common[-1])))
        else:
            out.append(finding(
                "implied_target_group", "warning", rows,
                f"{len(recs)} figures should imply the same target but no single whole "
                f"number fits all of them ({each}).", period=period, measure="target"))
    return out


def _near_common(implied: list[Implied], targets: _Targets, near: float) -> list[dict]:
    """A year whose implied target just misses the whole number other years share.

    Only years whose percentage pins the target to at most
    :data:`MAX_CANDIDATES` whole numbers vote for a common target: a wider
    range (a whole-number percentage of a large count) says nothing useful
    about it, and listing it would cost time and memory for nothing.
    """
    out = []
    by_unit: dict[tuple, list[Implied]] = {}
    for rec in implied:
        if rec.year is not None:
            by_unit.setdefault((rec.pct["unit_id"], rec.pct["subgroup"]), []).append(rec)
    for (unit_id, subgroup), recs in by_unit.items():
        support: dict[int, set[int]] = {}
        rounded: dict[int, set[int]] = {}
        for r in recs:
            for votes, whole in ((support, r.whole), (rounded, r.whole_round)):
                if len(whole) <= MAX_CANDIDATES:
                    for w in whole:
                        votes.setdefault(w, set()).add(r.year)
        for t in targets.exact_annual(unit_id):
            y, v = t["year"], t["value"]
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
