"""Audit of counts and targets against each other.

Contradictions a reader should see before trusting a forecast: the same
figure reported twice with different values, a count over part of a period
larger than the count over the whole, a cumulative count that is not the sum
of the years it covers, annual targets that do not add up to the term target,
and several targets set for one unit and period.
"""

from __future__ import annotations

import pandas as pd

from forecast.audit.findings import finding, period_label
from forecast.audit.percent import counts_agree, fmt_count, printed_decimals

FLOW_MEASURES = ("admitted", "introduced", "trained", "classes")
"""Counts over a period, which add up over sub-periods."""


def _count_text(row: pd.Series) -> str:
    if row["qualifier"] == "exact":
        return fmt_count(row["value"])
    return f"{row['value_text']} ({row['qualifier']})"


def _start_key(s: object) -> object:
    return "" if pd.isna(s) else s


# -- observations -------------------------------------------------------------
def conflicting_reports(obs: pd.DataFrame, tolerance: float) -> list[dict]:
    """Rows giving the same figure (unit, measure, subgroup, period, ref) with different values."""
    out = []
    keyed = obs.assign(_s=obs["period_start"].map(_start_key))
    for _, grp in keyed.groupby(["unit_id", "measure", "subgroup", "_s", "period_end", "ref"],
                                sort=False, dropna=False):
        if len(grp) < 2:
            continue
        rows = [r for _, r in grp.iterrows()]
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


def _same(a: pd.Series, b: pd.Series) -> bool:
    return all(
        (pd.isna(a[c]) and pd.isna(b[c])) or a[c] == b[c] for c in ("low", "high"))


def _sub(row: pd.Series) -> str:
    return f", {row['subgroup']}" if row["subgroup"] else ""


def _flows(obs: pd.DataFrame) -> pd.DataFrame:
    return obs[obs["measure"].isin(FLOW_MEASURES) & obs["period_start"].notna()
               & obs["period_end"].notna()]


def part_exceeds_whole(obs: pd.DataFrame, tolerance: float) -> list[dict]:
    """A count over a period inside another period that exceeds the outer count."""
    out = []
    for _, grp in _flows(obs).groupby(["unit_id", "measure", "subgroup"], sort=False):
        if len(grp) < 2:
            continue
        rows = [r for _, r in grp.iterrows()]
        for a in rows:
            for b in rows:
                inside = (a["period_start"] >= b["period_start"]
                          and a["period_end"] <= b["period_end"]
                          and (a["period_start"], a["period_end"])
                          != (b["period_start"], b["period_end"]))
                if not inside or pd.isna(a["low"]) or pd.isna(b["high"]):
                    continue
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
    """A count over several years compared with the sum of the whole years inside it."""
    out = []
    flows = _flows(obs)
    for _, grp in flows.groupby(["unit_id", "measure", "subgroup"], sort=False):
        years = grp[grp["period_kind"] == "year"]
        spans = grp[grp["period_kind"] == "span"]
        if years.empty or spans.empty:
            continue
        for _, s in spans.iterrows():
            inside = years[(years["period_start"] >= s["period_start"])
                           & (years["period_end"] <= s["period_end"])]
            # One report per year: the first row of each year (conflicts are reported apart).
            inside = inside.drop_duplicates("period_end")
            if len(inside) < 2:
                continue
            out.append(_compare_sum(s, inside, tolerance))
    return out


def _compare_sum(s: pd.Series, inside: pd.DataFrame, tolerance: float) -> dict:
    total = float(inside["value"].sum())
    low, high = float(inside["low"].sum()), float(inside["high"].sum())
    yrs = sorted(int(d.year) for d in inside["period_end"])
    first, last = yrs[0], yrs[-1]
    covers_exactly = (s["period_start"] == pd.Timestamp(first, 1, 1)
                      and s["period_end"] == pd.Timestamp(last, 12, 31)
                      and len(yrs) == last - first + 1)
    terms = " + ".join(_count_text(r) for _, r in inside.sort_values("period_end").iterrows())
    ps = period_label(s["period_start"], s["period_end"])
    rows = [s, *(r for _, r in inside.iterrows())]
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
def target_layers(targets: pd.DataFrame, tolerance: float) -> list[dict]:
    """Several targets for one unit and period: list the layers, flag conflicts."""
    out = []
    # NA years (term targets) must form a group too: key them as "".
    t = targets.assign(_y=[("" if pd.isna(y) else str(int(y))) for y in targets["year"]])
    for _, grp in t.groupby(["unit_id", "kind", "term", "_y", "measure"], sort=False):
        if len(grp) < 2:
            continue
        rows = [r for _, r in grp.iterrows()]
        first = rows[0]
        period = (str(first["year"]) if first["kind"] == "annual" and not pd.isna(first["year"])
                  else f"term {first['term']}")
        listed = "; ".join(f"{r['layer']} {r['value_text']} ({r['target_id']})" for r in rows)
        out.append(finding(
            "target_layers", "info", rows,
            f"{len(rows)} {first['kind']} targets ({first['measure']}) for {period}: {listed}.",
            period=period, measure=first["measure"]))
        for layer, same in grp.groupby("layer", sort=False):
            if len(same) < 2:
                continue
            srows = [r for _, r in same.iterrows()]
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
    for (unit_id, term), grp in counts.groupby(["unit_id", "term"], sort=False):
        term_rows = grp[grp["kind"] == "term"]
        annual = grp[(grp["kind"] == "annual") & grp["year"].notna()]
        if term_rows.empty or annual.empty:
            continue
        for layer, lay in annual.groupby("layer", sort=False):
            lay = lay.drop_duplicates("year")
            if len(lay) < 2:
                continue
            s, e = windows.get((unit_id, term), (pd.NaT, pd.NaT))
            span = (set(range(s.year, e.year + 1)) if not pd.isna(s) and not pd.isna(e)
                    else set())
            have = sorted(int(y) for y in lay["year"])
            missing = sorted(span - set(have))
            total = float(lay["value"].sum())
            for _, t in term_rows.iterrows():
                gap = (f"; no {layer} target for {', '.join(map(str, missing))}"
                       if missing else "")
                out.append(finding(
                    "annual_vs_term", "info", [t, *(r for _, r in lay.iterrows())],
                    f"The {layer} annual targets for {have[0]}–{have[-1]} add up to "
                    f"{fmt_count(total)}{gap}; the {t['layer']} term target {term} is "
                    f"{t['value_text']}. Annual targets need not add up to the term "
                    "target.",
                    period=f"term {term}", measure="target", reported=t["value"],
                    implied=total))
    return out
