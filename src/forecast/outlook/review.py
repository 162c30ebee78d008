"""Term review: how each unit's term ended, against its target and against
what the toolkit would have forecast at earlier dates.

For every unit with a reported term result (an admission count from the
term's first year to its last), :func:`term_review` gives the result, the
target as a count, the attainment, and the model's own forecast of the term
total made with only the figures known at each earlier as-of date (the
rolling forecasts: ``p_reach`` and the 10 %, 50 % and 90 % quantiles of the
final total), so that a committee sees which results surprised whom. The
forecasts come from :func:`forecast.outlook.table.outlook` with the default
model, exactly as ``forecast outlook --as-of DATE`` would have given them.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from forecast.config import Assumptions
from forecast.errors import ConfigError
from forecast.data.frames import term_years
from forecast.models.base import DEFAULT_MODEL
from forecast.models.progress import target_count
from forecast.outlook.table import MODEL_SCENARIO, outlook

REVIEW_COLUMNS = ["unit_id", "name", "term", "target_id", "target", "result", "result_end",
                  "attainment", "reached", "result_obs", "as_of", "p_reach", "final_q10",
                  "final_q50", "final_q90", "in_range80", "verdict"]
"""Columns of the review table: one row per unit and as-of date (``as_of``
blank, with no forecast columns, for a unit no earlier figure allowed a
forecast of)."""

VERDICTS = {
    "expected": {"vi": "như dự báo", "en": "as forecast"},
    "surprise_up": {"vi": "vượt dự báo", "en": "better than forecast"},
    "surprise_down": {"vi": "thấp hơn dự báo", "en": "worse than forecast"},
    "no_forecast": {"vi": "không có dự báo", "en": "no forecast"},
    "no_target": {"vi": "không có chỉ tiêu dạng số lượng", "en": "no target as a count"},
}
"""How a result compares with a forecast, in both languages: a target reached
with ``p_reach`` below one half, or missed with it above one half, is a
surprise; so is a result outside the 80 % range."""


def term_results(dataset, term: str) -> pd.DataFrame:
    """Reported results of a term: the latest whole-unit admission count that
    starts in the term's first year and ends in its last, per unit."""
    years = term_years(term)
    if years is None:
        raise ConfigError(f"--term {term!r}: expected a label YYYY-YYYY such as 2020-2025.")
    o = dataset.observations
    got = o[(o["measure"] == "admitted") & (o["subgroup"] == "")
            & (o["period_start"].dt.year == years[0]) & (o["period_end"].dt.year == years[1])]
    return got.sort_values("period_end").drop_duplicates("unit_id", keep="last")


def term_review(dataset, term: str, as_of_dates=None, model: str = DEFAULT_MODEL,
                assumptions: Assumptions | None = None) -> pd.DataFrame:
    """The review table of a term (:data:`REVIEW_COLUMNS`).

    Parameters
    ----------
    dataset : Dataset
    term : str
        Term label, e.g. ``2020-2025``.
    as_of_dates : list of date-like, optional
        Dates of the rolling forecasts; default 30 June and 31 December of
        every year of the term before its last.
    model : str
        Model of the forecasts.
    assumptions : Assumptions, optional
        Paths and seed of the simulation (default 2,000 paths).

    Returns
    -------
    DataFrame
    """
    assumptions = assumptions or dataclasses.replace(Assumptions(), n_paths=2000)
    results = term_results(dataset, term)
    if results.empty:
        return pd.DataFrame(columns=REVIEW_COLUMNS)
    years = term_years(term)
    if as_of_dates is None:
        as_of_dates = [pd.Timestamp(y, m, d) for y in range(years[0], years[1])
                       for m, d in ((6, 30), (12, 31))]
    units = results["unit_id"].tolist()
    base = [_base_row(dataset, term, r) for _, r in results.iterrows()]
    rows = []
    forecasts = {}
    for when in map(pd.Timestamp, as_of_dates):
        if when >= results["period_end"].max():
            continue  # every result is known by then
        table = outlook(dataset, as_of=when, model=model, assumptions=assumptions,
                        units=units, requirements=False, rollups=False).table
        own = table[(table["scenario"] == MODEL_SCENARIO) & (table["term"] == term)
                    & (table["target_kind"] == "term")]
        for _, r in own.iterrows():
            forecasts.setdefault(r["unit_id"], []).append((when, r))
    for b in base:
        done = [(w, r) for w, r in forecasts.get(b["unit_id"], [])
                if w < b["result_end"] and r["target_id"] == b["target_id"]]
        if not done:
            rows.append({**b, "verdict": "no_target" if np.isnan(b["target"]) else "no_forecast"})
        for when, r in done:
            rows.append({**b, "as_of": when, **_forecast_cols(b, r)})
    return pd.DataFrame(rows, columns=REVIEW_COLUMNS)


def _base_row(dataset, term: str, result: pd.Series) -> dict:
    t = dataset.targets
    mine = t[(t["unit_id"] == result["unit_id"]) & (t["term"] == term) & (t["kind"] == "term")]
    target, tid = np.nan, ""
    if not mine.empty:
        # The congress resolution first, then the other layers in file order.
        mine = mine.assign(first=mine["layer"] != "resolution").sort_values("first", kind="stable")
        target, tid = target_count(mine.iloc[0], dataset.observations), mine.iloc[0]["target_id"]
    value = float(result["value"])
    return {"unit_id": result["unit_id"], "name": dataset.unit_name(result["unit_id"]),
            "term": term, "target_id": tid, "target": target, "result": value,
            "result_end": result["period_end"], "result_obs": result["obs_id"],
            "attainment": value / target if target and not np.isnan(target) else np.nan,
            "reached": bool(value >= target) if not np.isnan(target) else None,
            "as_of": pd.NaT}


def _forecast_cols(base: dict, r: pd.Series) -> dict:
    p, q10, q90 = r["p_reach"], r["final_q10"], r["final_q90"]
    inside = bool(q10 <= base["result"] <= q90) if np.isfinite(q10) and np.isfinite(q90) else None
    if not np.isfinite(p):
        verdict = "no_forecast"
    elif (base["reached"] and p < 0.5) or inside is False and base["result"] > q90:
        verdict = "surprise_up"
    elif (base["reached"] is False and p > 0.5) or inside is False and base["result"] < q10:
        verdict = "surprise_down"
    else:
        verdict = "expected"
    return {"p_reach": p, "final_q10": q10, "final_q50": r["final_q50"], "final_q90": q90,
            "in_range80": inside, "verdict": verdict}


HEADERS = {
    "unit_id": {"vi": "đơn vị", "en": "unit"},
    "target": {"vi": "chỉ tiêu", "en": "target"},
    "result": {"vi": "kết quả", "en": "result"},
    "attainment": {"vi": "tỷ lệ đạt", "en": "attainment"},
    "as_of": {"vi": "dự báo lúc", "en": "forecast as of"},
    "p_reach": {"vi": "khả năng đạt", "en": "p_reach"},
    "final_q10": {"vi": "q10", "en": "q10"},
    "final_q50": {"vi": "trung vị", "en": "median"},
    "final_q90": {"vi": "q90", "en": "q90"},
    "verdict": {"vi": "so với dự báo", "en": "against the forecast"},
}
"""Headers of the printed review, in both languages."""


def review_text_table(review: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The review as printed: localized headers and verdicts, rounded numbers."""
    out = review[list(HEADERS)].copy()
    out["verdict"] = [VERDICTS[v][lang] for v in out["verdict"]]
    out["as_of"] = [d.date().isoformat() if not pd.isna(d) else "–" for d in out["as_of"]]
    for c in ("target", "result", "final_q10", "final_q50", "final_q90"):
        out[c] = [f"{v:,.0f}" if np.isfinite(v) else "–" for v in out[c].astype(float)]
    for c in ("attainment", "p_reach"):
        out[c] = [f"{v:.0%}" if np.isfinite(v) else "–" for v in out[c].astype(float)]
    return out.rename(columns={k: v[lang] for k, v in HEADERS.items()})
