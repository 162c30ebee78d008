"""Audit of counts and targets against each other.

Contradictions a reader should see before trusting a forecast: the same
figure reported twice with different values, a count over part of a period
larger than the count over the whole, a cumulative count that is not the sum
of the years it covers, annual targets that do not add up to the term target,
and several targets set for one unit and period.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from forecast.audit.findings import finding, period_label
from forecast.audit.percent import counts_agree, fmt_count, printed_decimals

FLOW_MEASURES = ("admitted", "introduced", "trained", "classes")
"""Counts over a period, which add up over sub-periods."""


def _count_text(row: Mapping) -> str:
    if row["qualifier"] == "exact":
        return fmt_count(row["value"])
    return f"{row['value_text']} ({row['qualifier']})"


# -- grouping -------------------------------------------------------------------
def _groups(df: pd.DataFrame, keys: list[str], min_size: int = 2) -> list[list[dict]]:
    """Rows (as dicts, in file order) of each group of ``keys`` with ``min_size`` rows or more.

    Groups of one row are dropped before any row is turned into a dict, so
    the cost follows the rows that are compared, not the table.
    """
    if df.empty:
        return []
    sizes = df.groupby(keys, sort=False, dropna=False)[keys[0]].transform("size")
    df = df[sizes >= min_size]
    groups: dict[tuple, list[dict]] = {}
    for key, row in zip(df[keys].itertuples(index=False, name=None), df.to_dict("records")):
        groups.setdefault(tuple(_na_key(k) for k in key), []).append(row)
    return list(groups.values())


def _na_key(k: object) -> object:
    """Missing values as one key (NaT, NaN and NA are not equal to themselves)."""
    return None if k is None or k is pd.NA or (not isinstance(k, str) and pd.isna(k)) else k


# -- observations -------------------------------------------------------------
def conflicting_reports(obs: pd.DataFrame, tolerance: float) -> list[dict]:
    """Rows giving the same figure (unit, measure, subgroup, period, ref) with different values."""
    out = []
    for rows in _groups(obs, ["unit_id", "measure", "subgroup", "period_start", "period_end",
                              "ref"]):
        first = rows[0]
        pct = first["measure"].endswith("_pct")
        differs, beyond = [], False
        for r in rows[1:]:
            if _same(first, r):
                continue
            differs.append(r)
            if pct:
                d = max(printed_decimals(first["value_text"]), printed_decimals(r["value_text"]))
                beyond = beyond or abs(first["value"] - r["value"]) > 10.0 ** -d
            else:
                beyond = beyond or not counts_agree(first["low"], first["high"], r["low"],
                                                    r["high"], tolerance)
        if not differs:
            continue
        shown = "; ".join(f"{r['value_text']} ({r['obs_id']}, {r['source_id']})"
                          for r in [first, *differs])
        verdict = ("they disagree beyond the tolerance" if beyond
                   else "the difference is within the tolerance")
        if pct and beyond and not str(first["ref"] or ""):
            # Without a named target, two shares of one count usually refer to two
            # targets (the province's assignment and the district's own): not a conflict.
            beyond = False
            verdict = ("with no target named in ref they may be shares of different "
                       "targets (layers); name each target in ref to have them checked")
        out.append(finding(
            "conflicting_reports", "warning" if beyond else "info", [first, *differs],
            f"The same figure ({first['measure']}{_sub(first)}) is reported with different "
            f"values: {shown}; {verdict}."
            + (" Keep both and declare a correction if one is known to be wrong."
               if beyond else ""),
            period=period_label(first["period_start"], first["period_end"]),
            measure=first["measure"], reported=first["value"], implied=differs[0]["value"]))
    return out


def _same(a: Mapping, b: Mapping) -> bool:
    return all(
        (pd.isna(a[c]) and pd.isna(b[c])) or a[c] == b[c] for c in ("low", "high"))


def _sub(row: Mapping) -> str:
    return f", {row['subgroup']}" if row["subgroup"] else ""


def _flows(obs: pd.DataFrame) -> pd.DataFrame:
    return obs[obs["measure"].isin(FLOW_MEASURES) & obs["period_start"].notna()
               & obs["period_end"].notna()]


def _days(values) -> np.ndarray:
    """Dates as whole days since 1970 (int64), for sorting and searching."""
    return np.array([pd.Timestamp(v).value // 86_400_000_000_000 for v in values], dtype=np.int64)


def smallest_container(starts: np.ndarray, ends: np.ndarray, highs: np.ndarray
                       ) -> np.ndarray:
    """For each period, the row of the smallest ``high`` among the periods containing it.

    Period ``b`` contains ``a`` when ``start_b <= start_a`` and ``end_b >= end_a``
    and the two periods differ. Returns, per row, the index of that container
    or -1 when none has a known ``high`` (NaN highs never count).

    Rows are swept by start; containers that start earlier sit in a Fenwick
    tree over their ends holding the smallest high of each suffix of ends;
    containers that start on the same day must end later and are found by a
    search in that day's rows sorted by end. O(n log n).
    """
    n = len(starts)
    best = np.full(n, -1, dtype=np.int64)
    if n < 2:
        return best
    end_values = np.unique(ends)
    m = len(end_values)
    tree_high = np.full(m + 1, np.inf)
    tree_row = np.full(m + 1, -1, dtype=np.int64)

    def insert(j: int) -> None:
        # Position from the latest end, so that "ends at or after e" is a prefix.
        k = m - int(np.searchsorted(end_values, ends[j]))
        while k <= m:
            if highs[j] < tree_high[k]:
                tree_high[k], tree_row[k] = highs[j], j
            k += k & -k

    def query(end: int) -> tuple[float, int]:
        k = m - int(np.searchsorted(end_values, end))
        h, row = np.inf, -1
        while k > 0:
            if tree_high[k] < h:
                h, row = tree_high[k], int(tree_row[k])
            k -= k & -k
        return h, row

    order = np.lexsort((ends, starts))
    i = 0
    while i < n:
        j = i
        while j < n and starts[order[j]] == starts[order[i]]:
            j += 1
        day = order[i:j]  # same start, sorted by end
        day_ends = ends[day]
        # Suffix minimum of highs over this day's rows (by end), for "ends later".
        suffix_h = np.minimum.accumulate(highs[day][::-1])[::-1]
        suffix_arg = np.empty(len(day), dtype=np.int64)
        run = len(day) - 1
        for k in range(len(day) - 1, -1, -1):
            if highs[day[k]] <= highs[day[run]]:
                run = k
            suffix_arg[k] = day[run]
        for a in day:
            h, row = query(ends[a])
            later = int(np.searchsorted(day_ends, ends[a], side="right"))
            if later < len(day) and suffix_h[later] < h:
                h, row = suffix_h[later], int(suffix_arg[later])
            if np.isfinite(h):
                best[a] = row
        for a in day:
            if np.isfinite(highs[a]):
                insert(a)
        i = j
    return best


def part_exceeds_whole(obs: pd.DataFrame, tolerance: float) -> list[dict]:
    """A count over a period inside another period that exceeds the outer count.

    Each part is compared with the period containing it whose count is
    smallest (:func:`smallest_container`): if that one is not exceeded, none
    is; if it is, the finding names it. One finding per part, O(n log n).
    """
    out = []
    for rows in _groups(_flows(obs), ["unit_id", "measure", "subgroup"]):
        starts = _days(r["period_start"] for r in rows)
        ends = _days(r["period_end"] for r in rows)
        highs = np.array([np.inf if pd.isna(r["high"]) else r["high"] for r in rows], float)
        for a, j in zip(rows, smallest_container(starts, ends, highs)):
            if j < 0 or pd.isna(a["low"]):
                continue
            b = rows[j]
            if a["low"] <= b["high"] or counts_agree(a["low"], a["low"], b["high"],
                                                     b["high"], tolerance):
                continue
            pa = period_label(a["period_start"], a["period_end"])
            pb = period_label(b["period_start"], b["period_end"])
            out.append(finding(
                "part_exceeds_whole", "warning", [a, b],
                f"{_count_text(a)} {a['measure']}{_sub(a)} over {pa} exceeds "
                f"{_count_text(b)} over {pb}, a period that contains it. One of the two "
                "is misprinted or they count different things.",
                period=pa, measure=a["measure"], reported=a["value"],
                implied=b["value"]))
    return out


def cumulative_vs_years(obs: pd.DataFrame, tolerance: float) -> list[dict]:
    """A count over several years compared with the sum of the whole years inside it.

    The whole years of a group are sorted once; the years inside a span are
    found by binary search (at most one report per year, so a span is compared
    with at most the 201 years 1900-2100).
    """
    out = []
    flows = _flows(obs)
    for rows in _groups(flows[flows["period_kind"].isin(["year", "span"])],
                        ["unit_id", "measure", "subgroup"]):
        years: dict[object, dict] = {}
        for r in rows:
            if r["period_kind"] == "year":
                # One report per year: the first (conflicts are reported apart).
                years.setdefault(r["period_end"], r)
        spans = [r for r in rows if r["period_kind"] == "span"]
        if not years or not spans:
            continue
        ordered = sorted(years.values(), key=lambda r: r["period_end"])
        year_starts = _days(r["period_start"] for r in ordered)
        year_ends = _days(r["period_end"] for r in ordered)
        for s in spans:
            lo = int(np.searchsorted(year_starts, _days([s["period_start"]])[0], side="left"))
            hi = int(np.searchsorted(year_ends, _days([s["period_end"]])[0], side="right"))
            if hi - lo >= 2:
                out.append(_compare_sum(s, ordered[lo:hi], tolerance))
    return out


def _compare_sum(s: Mapping, inside: list[Mapping], tolerance: float) -> dict:
    """The finding of a span against the whole years inside it (sorted by date)."""
    total = float(sum(r["value"] for r in inside))
    low, high = float(sum(r["low"] for r in inside)), float(sum(r["high"] for r in inside))
    yrs = [int(r["period_end"].year) for r in inside]
    first, last = yrs[0], yrs[-1]
    covers_exactly = (s["period_start"] == pd.Timestamp(first, 1, 1)
                      and s["period_end"] == pd.Timestamp(last, 12, 31)
                      and len(yrs) == last - first + 1)
    terms = " + ".join(_count_text(r) for r in inside)
    ps = period_label(s["period_start"], s["period_end"])
    rows = [s, *inside]
    agree = counts_agree(s["low"], s["high"], low, high, tolerance)
    sum_txt = f"{terms} = {fmt_count(total)}"
    if covers_exactly:
        sev = "info" if agree else "warning"
        verdict = ("consistent" if s["value"] == total else
                   "consistent within the tolerance" if agree else "they disagree")
        text = (f"{_count_text(s)} {s['measure']}{_sub(s)} over {ps} against the years "
                f"it covers: {sum_txt}; {verdict}.")
    else:
        smaller = (not pd.isna(s["high"])) and s["high"] < low and not agree
        sev = "warning" if smaller else "info"
        rest = s["value"] - total
        if smaller:
            text = (f"{_count_text(s)} {s['measure']}{_sub(s)} over {ps} is smaller than "
                    f"the whole years inside it: {sum_txt}.")
        elif agree:
            text = (f"{_count_text(s)} {s['measure']}{_sub(s)} over {ps} equals the sum of "
                    f"{first}–{last} ({sum_txt}) although the period is longer; the "
                    "cumulative figure probably stops at the end of the last full year.")
        else:
            text = (f"{_count_text(s)} {s['measure']}{_sub(s)} over {ps} against the whole "
                    f"years inside it: {sum_txt}; the remaining {fmt_count(rest)} fall in "
                    "the part of the period no yearly figure covers.")
    return finding("cumulative_vs_years", sev, rows, text, period=ps, measure=s["measure"],
                   reported=s["value"], implied=total)


# -- targets --------------------------------------------------------------------
def _by(rows: list[dict], key: str) -> dict[object, list[dict]]:
    out: dict[object, list[dict]] = {}
    for r in rows:
        out.setdefault(r[key], []).append(r)
    return out


def target_layers(targets: pd.DataFrame, tolerance: float) -> list[dict]:
    """Several targets for one unit and period: list the layers, flag conflicts."""
    out = []
    for rows in _groups(targets, ["unit_id", "kind", "term", "year", "measure"]):
        first = rows[0]
        period = (str(first["year"]) if first["kind"] == "annual" and not pd.isna(first["year"])
                  else f"term {first['term']}")
        listed = "; ".join(f"{r['layer']} {r['value_text']} ({r['target_id']})" for r in rows)
        out.append(finding(
            "target_layers", "info", rows,
            f"{len(rows)} {first['kind']} targets ({first['measure']}) for {period}: {listed}.",
            period=period, measure=first["measure"]))
        for layer, srows in _by(rows, "layer").items():
            bad = [r for r in srows[1:] if not counts_agree(
                srows[0]["low"], srows[0]["high"], r["low"], r["high"], tolerance)]
            if bad:
                shown = "; ".join(f"{r['value_text']} ({r['target_id']}, {r['source_id']})"
                                  for r in [srows[0], *bad])
                out.append(finding(
                    "conflicting_reports", "warning", [srows[0], *bad],
                    f"The {layer} {first['kind']} target for {period} is reported with "
                    f"different values: {shown}.",
                    period=period, measure="target", reported=srows[0]["value"],
                    implied=bad[0]["value"]))
    return out


def annual_vs_term(targets: pd.DataFrame, terms: pd.DataFrame) -> list[dict]:
    """Annual count targets of a term added up and compared with the term target."""
    out = []
    counts = targets[targets["measure"] == "count"]
    windows = {(u, t): (s, e) for u, t, s, e in
               zip(terms["unit_id"], terms["term"], terms["start"], terms["end"])}
    for grp in _groups(counts, ["unit_id", "term"]):
        unit_id, term = grp[0]["unit_id"], grp[0]["term"]
        term_rows = [r for r in grp if r["kind"] == "term"]
        annual = [r for r in grp if r["kind"] == "annual" and not pd.isna(r["year"])]
        if not term_rows or not annual:
            continue
        for layer, lay in _by(annual, "layer").items():
            first_of_year: dict[int, dict] = {}
            for r in lay:
                first_of_year.setdefault(int(r["year"]), r)
            lay = list(first_of_year.values())
            if len(lay) < 2:
                continue
            s, e = windows.get((unit_id, term), (pd.NaT, pd.NaT))
            span = (set(range(s.year, e.year + 1)) if not pd.isna(s) and not pd.isna(e)
                    else set())
            have = sorted(int(r["year"]) for r in lay)
            missing = sorted(span - set(have))
            total = float(sum(r["value"] for r in lay))
            for t in term_rows:
                gap = (f"; no {layer} target for {', '.join(map(str, missing))}"
                       if missing else "")
                out.append(finding(
                    "annual_vs_term", "info", [t, *lay],
                    f"The {layer} annual targets for {have[0]}–{have[-1]} add up to "
                    f"{fmt_count(total)}{gap}; the {t['layer']} term target {term} is "
                    f"{t['value_text']}. Annual targets need not add up to the term "
                    "target.",
                    period=f"term {term}", measure="target", reported=t["value"],
                    implied=total))
    return out
