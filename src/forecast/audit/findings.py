"""The findings table of the audit: its columns, kinds and how one row is made.

Every check in :mod:`.pairs` and :mod:`.counts` returns a list of rows
built by :func:`finding`, so the table has the same columns whatever finds it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

FINDING_COLUMNS = (
    "unit_id", "name", "kind", "severity", "period", "measure", "figures", "reported",
    "implied", "implied_low", "implied_high", "difference", "approximate", "explanation",
    "source_ids",
)
"""Fixed order of the findings table.

- ``figures``: list of the obs_id / target_id the finding rests on.
- ``reported``: the reported figure the finding is about (a printed
  percentage, a count or a target).
- ``implied``: what the other figures imply for it (a target, a percentage,
  a sum); ``implied_low``/``implied_high`` bound it where precision matters
  (the targets a printed percentage allows).
- ``difference``: ``implied - reported`` where both are numbers.
- ``approximate``: True when a figure used was reported as approximate, a
  range or a bound (the explanation names it).
"""

KINDS = {
    "implied_target": "a count with its attainment or excess percentage implies the target",
    "implied_target_group": "several figures imply the same target: does one whole number fit all",
    "no_whole_target": "no whole-number target gives the printed percentage for the count",
    "percent_mismatch": "printed percentage disagrees with count / target beyond rounding",
    "truncated_percent": "printed percentage matches count / target only if cut off",
    "near_common_target": "implied target just misses the target other years share",
    "conflicting_reports": "the same figure reported with different values",
    "part_exceeds_whole": "a count over a shorter period exceeds the count over a period containing it",
    "cumulative_vs_years": "a cumulative count compared with the sum of the years it covers",
    "annual_vs_term": "annual targets compared with the term target",
    "target_layers": "several targets for one unit and period",
    "unpaired_percent": "an attainment or excess percentage without a count for the same period",
}
"""Kinds of finding and what each means (documented in docs/audit.md)."""

SEVERITIES = ("warning", "info")


def finding(kind: str, severity: str, rows: Iterable[pd.Series], explanation: str, *,
            period: str = "", measure: str = "", reported: float = math.nan,
            implied: float = math.nan, implied_low: float = math.nan,
            implied_high: float = math.nan, unit_id: str | None = None,
            comparable: bool = True) -> dict:
    """One row of the findings table from the data rows it rests on.

    ``rows`` are observation or target rows (Series with ``obs_id`` or
    ``target_id``, ``unit_id``, ``qualifier``, ``value_text`` and
    ``source_id``). Approximate figures among them are flagged and named in
    the explanation. ``comparable=False`` leaves ``difference`` empty where
    ``reported`` and ``implied`` measure different things (a percentage and
    the target it implies).
    """
    rows = list(rows)
    ids = [str(r.get("obs_id", r.get("target_id", ""))) for r in rows]
    approx = [r for r in rows if str(r.get("qualifier", "exact")) not in ("exact", "")]
    if approx:
        named = "; ".join(f"{_rid(r)} = {r['value_text']} ({r['qualifier']})" for r in approx)
        explanation += f" Uses approximate figures: {named}."
    corrected = [r for r in rows if str(r.get("corrected_from", "") or "")]
    if corrected:
        named = "; ".join(f"{_rid(r)} printed {r['corrected_from']}, used {r['value_text']}"
                          for r in corrected)
        explanation += f" Declared corrections applied (corrections.csv): {named}."
    sources = list(dict.fromkeys(str(r["source_id"]) for r in rows if str(r["source_id"])))
    diff = (implied - reported
            if comparable and not (math.isnan(implied) or math.isnan(reported)) else math.nan)
    return {
        "unit_id": unit_id or str(rows[0]["unit_id"]),
        "name": "",
        "kind": kind,
        "severity": severity,
        "period": period,
        "measure": measure,
        "figures": ids,
        "reported": float(reported),
        "implied": float(implied),
        "implied_low": float(implied_low),
        "implied_high": float(implied_high),
        "difference": float(diff),
        "approximate": bool(approx),
        "explanation": explanation,
        "source_ids": sources,
    }


def _rid(row: pd.Series) -> str:
    return str(row.get("obs_id", row.get("target_id", "")))


def period_label(start: object, end: object) -> str:
    """``2022`` for a calendar year, ``2021-01-01/2021-06-30`` otherwise, or the date."""
    if end is None or pd.isna(end):
        return ""
    end = pd.Timestamp(end)
    if start is None or pd.isna(start):
        return end.date().isoformat()
    start = pd.Timestamp(start)
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return str(start.year) if start.year == end.year else f"{start.year}-{end.year}"
    return f"{start.date().isoformat()}/{end.date().isoformat()}"


def empty_findings() -> pd.DataFrame:
    """A findings table with no rows and the fixed columns."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in FINDING_COLUMNS})
