"""Attainment reports read as counts where the target they measure is known.

Many articles print a unit's progress only as a share of its target ("đạt
120 % chỉ tiêu năm", "vượt 3 %"). When the data hold that target, the report
is a count: 120 % of an annual target of 90 is 108 admitted. The models read
counts only (:func:`forecast.models.counts.count_observations`), so without
this step such a unit would have no record of its own however much was
published about it, and the population would be estimated from the few
units that print counts.

Which target a report measures:

1. the target its ``ref`` column names (a count target with one value);
2. otherwise, for a report covering part or all of one calendar year from
   1 January, the unit's annual count target of that year, when every
   annual target of that unit and year has the same single value;
3. otherwise, for a report starting at the start of one of the unit's term
   count targets, that target, when it is the only one starting then.

Anything else (a range target, several layers that disagree, a share of
something else) is left out: the report stays in the data and in the audit,
only the models do not read it as a count. A report whose window an
admitted count of the unit already covers (same start, end within
:data:`SAME_END_DAYS` days) adds nothing and is left out too.

The implied count's ``low``/``high`` carry the printed percentage's rounding
(:func:`forecast.audit.percent.percent_bounds`, rule ``either``), so 83,5 %
of 1,500 is a count between 1,251.75 and 1,254; the rows keep the report's
source and say in ``note`` which report and target they come from.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.audit.percent import percent_bounds, printed_decimals

MEASURES = ("attainment_pct", "excess_pct")
SAME_END_DAYS = 31
"""A count whose window ends this close to a report's is the same figure."""
SUFFIX = "~count"
"""Appended to the report's ``obs_id`` for the implied count."""


def report_share(value, measure):
    """The share of its target a report says was admitted: ``attainment_pct`` 83.5 →
    0.835, ``excess_pct`` 12 → 1.12 (scalars or arrays alike)."""
    return np.asarray(value, dtype=float) / 100 + (np.asarray(measure) == "excess_pct")


def exact_count_targets(targets: pd.DataFrame) -> pd.DataFrame:
    """Targets that are one exact count (not a rate, not a range)."""
    t = targets[(targets["measure"] == "count") & targets["value"].notna()
                & (targets["low"].fillna(targets["value"]) == targets["high"].fillna(targets["value"]))]
    return t


def unique_value(frame: pd.DataFrame, keys: list[str], name: str) -> pd.DataFrame:
    """One value per key where all rows agree (else none), with the target id."""
    g = frame.groupby(keys)
    agree = g["value"].nunique() == 1
    first = g[["value", "target_id"]].first()[agree]
    return first.rename(columns={"value": name, "target_id": f"{name}_id"}).reset_index()


def implied_counts(dataset) -> pd.DataFrame:
    """Admitted-count rows implied by attainment reports with a known target.

    Returns
    -------
    DataFrame
        Rows with the columns of ``dataset.observations`` (measure
        ``admitted``), empty when no report qualifies.
    """
    obs = dataset.observations
    rep = obs[obs["measure"].isin(MEASURES) & (obs["subgroup"].fillna("") == "")
              & obs["period_start"].notna() & obs["period_end"].notna()
              & obs["value"].notna()].copy()
    if rep.empty:
        return obs.iloc[:0]
    t = exact_count_targets(dataset.targets)
    by_id = t.set_index("target_id")["value"]
    ref = rep["ref"].fillna("")
    rep["target"] = ref.map(by_id)
    rep["target_id"] = ref.where(rep["target"].notna(), "")

    start, end = rep["period_start"], rep["period_end"]
    annual = t[t["kind"] == "annual"].assign(year=lambda f: f["year"].astype(int))
    ann = unique_value(annual, ["unit_id", "year"], "annual")
    one_year = (start.dt.month == 1) & (start.dt.day == 1) & (end.dt.year == start.dt.year)
    rep["year"] = start.dt.year.where(one_year, -1).astype(int)
    rep = rep.merge(ann, on=["unit_id", "year"], how="left")
    term = unique_value(t[t["kind"] == "term"].dropna(subset=["start"]),
                         ["unit_id", "start"], "term")
    rep = rep.merge(term.rename(columns={"start": "period_start"}),
                    on=["unit_id", "period_start"], how="left")
    no_ref = rep["target"].isna()
    for col in ("annual", "term"):
        use = no_ref & rep["target"].isna() & rep[col].notna()
        rep.loc[use, "target"] = rep.loc[use, col]
        rep.loc[use, "target_id"] = rep.loc[use, f"{col}_id"]
    rep = rep[rep["target"].notna() & (rep["target"] > 0)]
    rep = rep[~_covered(rep, obs)]
    if rep.empty:
        return obs.iloc[:0]

    excess = (rep["measure"] == "excess_pct").to_numpy()
    dec = rep["value_text"].map(printed_decimals).to_numpy()
    lo_hi = [percent_bounds(lo, hi, int(d)) for lo, hi, d in
             zip(rep["low"].fillna(rep["value"]), rep["high"].fillna(rep["value"]), dec)]
    lo_p, hi_p = (np.array(x, dtype=float) for x in zip(*lo_hi))
    shift = np.where(excess, 100.0, 0.0)
    target = rep["target"].to_numpy(float)
    value = (rep["value"].to_numpy(float) + shift) / 100 * target
    low = (np.nan_to_num(lo_p, nan=-np.inf) + shift) / 100 * target
    high = (np.nan_to_num(hi_p, nan=np.inf) + shift) / 100 * target
    out = rep[list(obs.columns)].copy()
    out["obs_id"] = rep["obs_id"] + SUFFIX
    out["measure"] = "admitted"
    out["value"] = value
    out["low"] = np.where(np.isfinite(low), np.maximum(low, 0.0), value)
    out["high"] = np.where(np.isfinite(high), high, value)
    out["value_text"] = [f"{v:.2f}" for v in value]
    out["qualifier"] = "exact"
    out["ref"] = rep["target_id"].to_numpy()
    out["note"] = [f"implied by {o}: {p:g} % of target {tid} ({tv:g})"
                   for o, p, tid, tv in zip(rep["obs_id"], rep["value"] + shift,
                                            rep["target_id"], target)]
    return out.astype(obs.dtypes.to_dict()).reset_index(drop=True)


def _covered(rep: pd.DataFrame, obs: pd.DataFrame) -> np.ndarray:
    """Whether an admitted count of the unit covers each report's window already."""
    counts = obs[(obs["measure"] == "admitted") & (obs["subgroup"].fillna("") == "")
                 & obs["period_end"].notna()][["unit_id", "period_start", "period_end"]]
    key = rep[["unit_id", "period_start", "period_end"]].reset_index(drop=True)
    key["row"] = np.arange(len(key))
    m = key.merge(counts, on=["unit_id", "period_start"], suffixes=("", "_c"))
    close = (m["period_end"] - m["period_end_c"]).abs() <= pd.Timedelta(days=SAME_END_DAYS)
    hit = np.zeros(len(key), dtype=bool)
    hit[m.loc[close, "row"].to_numpy()] = True
    return hit


def with_implied_counts(dataset):
    """``dataset`` with :func:`implied_counts` appended to its observations."""
    from dataclasses import replace

    extra = implied_counts(dataset)
    if extra.empty:
        return dataset
    return replace(dataset, observations=pd.concat([dataset.observations, extra],
                                                   ignore_index=True))
