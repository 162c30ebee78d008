"""The real-data backtest: every rolling origin the published figures allow, scored per cell.

Beside the simulation study (:func:`forecast.evaluate.backtest.simulation_study`),
this scores the engine on what real units did. The cases are those of
:func:`forecast.evaluate.origins.origins` (a part-year count and its year's
outcome; 31 December and 1 January before an annual target's year; a term's
year ends and its result), forecast with the analysts' own call
(:func:`forecast.evaluate.backtest.outlook_forecaster`) by every model of the
engine's registry, the official pace label and the rule "every unit reaches
its target" (:data:`~forecast.evaluate.backtest.ALWAYS_REACH`).

**Implied annual targets.** Many articles give a year's count with its
attainment ("1,252, đạt 83,5 %") but no target row. The audit implies the
target from the pair (:func:`forecast.audit.run.audit`, finding
``implied_target``); for a calendar year with no annual target in the data,
:func:`with_implied_targets` adds it (layer ``implied``, the whole number
nearest to the implied value, kept on the side of the printed percentage), so
that the year's outcome can be scored. Only implied targets whose outcome is
known are added, so the engine's other inputs stay those of the shipped data.

**Scores per cell** (:mod:`forecast.evaluate.cells`: target kind × horizon ×
record length) and at the margins (``all``): n, the share of cases each
model answers, Brier, log score, CRPS of the final total from its quantiles
(:mod:`forecast.evaluate.quantiles`, on the target scale), coverage of the 50
and 80 % ranges, the PIT histogram and the reliability table.

**Bootstrap by unit.** A target is forecast from several origins and all of
them share its one outcome; a unit's targets share its level. Those are the
strongest dependencies among real cases, and units are many (years are few
and unevenly filled: 2004, 2014-2025), so the 90 % intervals resample whole
units with replacement. They are still somewhat too narrow where a cell holds
few units.

**Comparisons.** ``subset = "all"``: each model on the cases it answers;
``subset = "common"``: every model on the cases all of them answer; and
:attr:`RealResult.paired`: each model against the reference (the engine's
default model) on the cases both answer, with the bootstrap interval of the
mean difference.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from forecast.config import Assumptions
from forecast.evaluate import backtest as bt
from forecast.evaluate import cells as _cells
from forecast.evaluate.origins import origins, outcomes
from forecast.evaluate import quantiles as _q
from forecast.evaluate import scores as _scores
from forecast.models.attainment import report_share

ALL = "all"
GROUPINGS = ((), ("target_kind",), ("target_kind", "horizon"), ("target_kind", "record"),
             ("target_kind", "horizon", "record"))
"""Cell columns kept in each grouping; the others read ``all``."""
CLUSTER = "unit_id"
IMPLIED_LAYER = "implied"


@dataclass(frozen=True)
class RealResult:
    """Result of :func:`real_backtest`.

    Attributes
    ----------
    cases : DataFrame
        One row per case and model (:data:`~forecast.evaluate.backtest.CASE_COLUMNS`
        plus ``horizon_months, horizon, record_years, record``), answered or not.
    cells : DataFrame
        Scores per ``model, subset, target_kind, horizon, record`` (``all``
        at the margins): :data:`~forecast.evaluate.scores.SCORE_COLUMNS`,
        bootstrap bounds, ``n_cases`` and ``answered_share``.
    answers : DataFrame
        Per model and cell: ``n_cases, n_answered, answered_share, top_reason``.
    pit : DataFrame
        Per model and cell: ``bin, weight, share, expected`` (PIT histogram).
    reliability : DataFrame
        Per model and cell: probability bins with ``n, mean_p, observed_freq``.
    paired : DataFrame
        Each model against ``reference`` on the cases both answer, per target
        kind and overall: ``n``, mean scores, ``diff_<score>`` and its bounds.
    implied : DataFrame
        The implied annual targets added to the data.
    failures : DataFrame
    parameters : dict
    """

    cases: pd.DataFrame
    cells: pd.DataFrame
    answers: pd.DataFrame
    pit: pd.DataFrame
    reliability: pd.DataFrame
    paired: pd.DataFrame
    implied: pd.DataFrame
    failures: pd.DataFrame
    parameters: dict = field(default_factory=dict)


# --- implied annual targets ----------------------------------------------------------
def implied_annual_targets(dataset) -> pd.DataFrame:
    """Annual targets implied by a count and its attainment, for years with no target row.

    From the audit's ``implied_target`` findings whose figures cover part or
    all of one calendar year. The value is the whole number nearest to the
    implied target, moved to keep the printed attainment's side of 100 %
    (a count printed below 100 % stays below its target). Rows have the
    columns of ``dataset.targets``.
    """
    from forecast.audit.run import audit

    found = audit(dataset)
    found = found[found["kind"] == "implied_target"]
    obs = dataset.observations.set_index("obs_id")
    have = dataset.targets[dataset.targets["kind"] == "annual"]
    have = set(zip(have["unit_id"], have["year"].astype(int)))
    best: dict = {}
    for _, f in found.iterrows():
        rows = obs.loc[[i for i in f["figures"] if i in obs.index]]
        pct = rows[rows["measure"].isin(["attainment_pct", "excess_pct"])]
        count = rows[rows["measure"] == "admitted"]
        if pct.empty or count.empty or not np.isfinite(f["implied"]):
            continue
        start, end = pct["period_start"].iloc[0], pct["period_end"].iloc[0]
        if pd.isna(start) or start != pd.Timestamp(start.year, 1, 1) or end.year != start.year:
            continue
        key = (f["unit_id"], int(start.year))
        if key in have or (key in best and best[key][0] >= end):
            continue
        share = float(report_share(pct["value"].iloc[0], pct["measure"].iloc[0]))
        value = float(round(f["implied"]))
        if share < 1 and value <= count["value"].iloc[0]:
            value = float(np.floor(count["value"].iloc[0]) + 1)
        best[key] = (end, value, pct.index[0], pct["source_id"].iloc[0])
    rows = [_target_row(dataset, u, y, v, oid, src) for (u, y), (_, v, oid, src) in best.items()]
    return pd.DataFrame(rows, columns=dataset.targets.columns)


def _target_row(dataset, unit_id, year, value, obs_id, source_id) -> dict:
    terms = dataset.terms[(dataset.terms["unit_id"] == unit_id)
                          & (dataset.terms["start"].dt.year <= year)
                          & (dataset.terms["end"].dt.year >= year)]
    first = year - year % 5
    term = terms.sort_values("start")["term"].iloc[-1] if len(terms) else f"{first}-{first + 5}"
    return {"target_id": f"{unit_id}-{year}-implied", "unit_id": unit_id, "term": term,
            "kind": "annual", "year": year, "layer": IMPLIED_LAYER, "measure": "count",
            "value_text": f"{value:g}", "low": value, "high": value, "value": value,
            "qualifier": "exact", "start": pd.Timestamp(year, 1, 1),
            "deadline": pd.Timestamp(year, 12, 31), "source_id": source_id, "locator": "",
            "note": f"implied by the audit from {obs_id} (backtest only)", "corrected_from": ""}


def with_implied_targets(dataset) -> tuple[object, pd.DataFrame]:
    """The dataset plus the implied annual targets whose outcome is known, and those rows."""
    extra = implied_annual_targets(dataset)
    if extra.empty:
        return dataset, extra
    trial = _add_targets(dataset, extra)
    known = set(outcomes(trial)["target_id"])
    extra = extra[extra["target_id"].isin(known)].reset_index(drop=True)
    return _add_targets(dataset, extra), extra


def _add_targets(dataset, extra: pd.DataFrame):
    targets = pd.concat([dataset.targets, extra.astype(dataset.targets.dtypes.to_dict())],
                        ignore_index=True)
    return replace(dataset, targets=targets)


# --- the backtest ---------------------------------------------------------------------
def real_backtest(dataset, models=None, assumptions: Assumptions | None = None, *,
                  implied: bool = True, forecaster: bt.Forecaster | None = None,
                  reference: str | None = None, n_boot: int = 1000, n_bins: int = 10,
                  seed: int = 0, workers: int = 1) -> RealResult:
    """Rolling-origin backtest on real outcomes, scored per cell (module docstring).

    Parameters
    ----------
    dataset : Dataset
    models : sequence of str, optional
        Engine models; default every registered one
        (:func:`~forecast.evaluate.backtest.default_models`). The pace label
        and the always-reach rule are always added.
    assumptions : Assumptions, optional
        Passed to the engine (``n_paths``, ``seed`` ...).
    implied : bool
        Add the implied annual targets whose outcome is known.
    forecaster : callable, optional
        Replaces the engine (tests).
    reference : str, optional
        The model the others are paired against (default: the engine's
        default model if it is scored, else the first of ``models``).
    n_boot, n_bins, seed, workers
        Bootstrap replicates (resampling units), reliability bins, bootstrap
        seed, processes over which the origins are spread.
    """
    t0, cpu0 = time.perf_counter(), _cpu_seconds()
    assumptions = assumptions or Assumptions()
    models = tuple(models) if models else bt.default_models()
    reference = reference or bt.reference_model()
    if reference not in models:
        reference = models[0]
    added = pd.DataFrame()
    if implied:
        dataset, added = with_implied_targets(dataset)
    known = outcomes(dataset)
    when = origins(dataset, known)
    cases, failures = bt.forecast_cases(dataset, known, when, models, assumptions, forecaster,
                                        "public", workers)
    cases = _cells.assign_cells(cases, dataset.observations)
    opts = dict(n_boot=n_boot, n_bins=n_bins, seed=seed)
    params = {"models": list(models), "reference": reference, "n_targets_known": len(known),
              "n_implied_targets": len(added), "n_origins": int(when["as_of"].nunique()),
              "n_cases": int(cases[["target_id", "as_of"]].drop_duplicates().shape[0]),
              "cluster": CLUSTER, "n_paths": assumptions.n_paths, "seed": assumptions.seed,
              "n_boot": n_boot, "bootstrap_seed": seed, "workers": workers,
              "seconds": round(time.perf_counter() - t0, 1),
              "cpu_seconds": round(_cpu_seconds() - cpu0, 1)}
    return RealResult(cases, cell_scores(cases, **opts), answer_table(cases), pit_table(cases),
                      reliability_tables(cases, n_bins), paired_scores(cases, reference, **opts),
                      added, failures, params)


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the worker processes)."""
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


# --- tables ---------------------------------------------------------------------------
def _groupings(cases: pd.DataFrame):
    """``(frame, key columns)`` for each grouping of :data:`GROUPINGS` (``all`` at the margins)."""
    for keep in GROUPINGS:
        frame = cases.copy()
        for c in _cells.CELL_COLUMNS:
            if c not in keep:
                frame[c] = ALL
        yield frame, ["model", *_cells.CELL_COLUMNS]


def common_cases(cases: pd.DataFrame) -> pd.DataFrame:
    """The answered rows of the cases that every model answered."""
    ans = cases[cases["answered"]]
    k = ans.groupby(["target_id", "as_of"])["model"].nunique()
    full = k[k == cases["model"].nunique()].index
    return ans.set_index(["target_id", "as_of"]).loc[list(full)].reset_index() \
        if len(full) else ans.iloc[:0]


def cell_scores(cases: pd.DataFrame, n_boot: int = 1000, n_bins: int = 10,
                seed: int = 0) -> pd.DataFrame:
    """Scores per model and cell, on all answered cases and on the common ones."""
    parts = []
    for subset, frame in (("all", cases), ("common", common_cases(cases))):
        ans = frame[frame["answered"]] if len(frame) else frame
        if ans.empty:
            continue
        for g, by in _groupings(ans):
            s = _scores.summarize(g, by=by, cluster=CLUSTER, n_bins=n_bins, n_boot=n_boot,
                                  seed=seed)
            parts.append(s.assign(subset=subset))
    if not parts:
        return pd.DataFrame(columns=["model", "subset", *_cells.CELL_COLUMNS])
    out = pd.concat(parts, ignore_index=True)
    share = answer_table(cases)[["model", *_cells.CELL_COLUMNS, "n_cases", "answered_share"]]
    out = out.merge(share, on=["model", *_cells.CELL_COLUMNS], how="left")
    front = ["model", "subset", *_cells.CELL_COLUMNS, "n_cases", "answered_share"]
    return out[front + [c for c in out.columns if c not in front]]


def answer_table(cases: pd.DataFrame) -> pd.DataFrame:
    """How many cases each model answered, per cell, and why not.

    ``n_no_row``: cases for which the outlook had no row at all (a target it
    does not report on at that date); ``top_reason``: the commonest reason
    among the other unanswered cases (the model's own words).
    """
    rows = []
    for g, by in _groupings(cases):
        for key, grp in g.groupby(by, sort=True):
            why = grp.loc[~grp["answered"], "why"]
            other = why[why != bt.NO_ROW]
            rows.append({**dict(zip(by, key)), "n_cases": len(grp),
                         "n_answered": int(grp["answered"].sum()),
                         "answered_share": float(grp["answered"].mean()),
                         "n_no_row": int((why == bt.NO_ROW).sum()),
                         "top_reason": other.value_counts().index[0][:200] if len(other) else ""})
    return pd.DataFrame(rows, columns=["model", *_cells.CELL_COLUMNS, "n_cases", "n_answered",
                                       "answered_share", "n_no_row", "top_reason"])


def pit_table(cases: pd.DataFrame) -> pd.DataFrame:
    """PIT histogram per model and cell from the quantiles (:func:`~forecast.evaluate.quantiles.pit_bin_weights`)."""
    q = list(_q.QUANTILE_COLUMNS)
    ok = cases[cases["answered"] & cases["outcome"].notna() & cases[q].notna().all(axis=1)]
    labels, expected = _q.pit_labels(), _q.pit_expected()
    rows = []
    for g, by in _groupings(ok):
        for key, grp in g.groupby(by, sort=True):
            w = _q.pit_bin_weights(grp["outcome"].to_numpy(float),
                                   grp[q].to_numpy(float)).sum(axis=0)
            for lab, wk, ek in zip(labels, w, expected):
                rows.append({**dict(zip(by, key)), "n": len(grp), "bin": lab,
                             "weight": float(wk), "share": float(wk / len(grp)),
                             "expected": float(ek)})
    return pd.DataFrame(rows, columns=["model", *_cells.CELL_COLUMNS, "n", "bin", "weight",
                                       "share", "expected"])


def reliability_tables(cases: pd.DataFrame, n_bins: int = 10) -> pd.DataFrame:
    """Reliability table (probability bins) per model and cell, answered cases."""
    parts = []
    for g, by in _groupings(cases[cases["answered"]]):
        for key, grp in g.groupby(by, sort=True):
            t = _scores.reliability_table(grp["p"].to_numpy(float), grp["y"].to_numpy(float),
                                          n_bins)
            parts.append(t[t["n"] > 0].assign(**dict(zip(by, key))))
    cols = ["model", *_cells.CELL_COLUMNS, "bin_lower", "bin_upper", "n", "mean_p",
            "observed_freq"]
    return pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)


def paired_scores(cases: pd.DataFrame, reference: str, n_boot: int = 1000, n_bins: int = 10,
                  seed: int = 0) -> pd.DataFrame:
    """Each model against ``reference`` on the cases both answered, overall and per target kind.

    ``diff_<score>`` is the mean of (model - reference) per case; negative
    means the model scores better. Its 90 % interval resamples units.
    """
    ans = cases[cases["answered"]]
    ref = ans[ans["model"] == reference]
    rows = []
    if ref.empty:
        return pd.DataFrame(columns=["model", "reference", "target_kind", "n"])
    ref_losses = _losses(ref)[["target_id", "as_of", "brier", "log_score", "crps"]]
    for model, grp in ans[ans["model"] != reference].groupby("model", sort=True):
        both = _losses(grp).merge(ref_losses, on=["target_id", "as_of"], suffixes=("", "_ref"))
        for kind, sub in [(ALL, both), *both.groupby("target_kind")]:
            if sub.empty:
                continue
            row = {"model": model, "reference": reference, "target_kind": kind,
                   "n": len(sub), "n_units": sub["unit_id"].nunique()}
            diffs = {}
            for s in ("brier", "log_score", "crps"):
                d = (sub[s] - sub[f"{s}_ref"]).to_numpy(float)
                row[s], row[f"{s}_ref"] = float(sub[s].mean()), float(sub[f"{s}_ref"].mean())
                row[f"diff_{s}"] = float(np.nanmean(d)) if np.any(~np.isnan(d)) else np.nan
                diffs[f"diff_{s}"] = d
            cis = _scores.bootstrap_means(diffs, sub["unit_id"].to_numpy(), n_boot, 0.9, seed)
            for name, (lo, hi) in cis.items():
                row[f"{name}_lo"], row[f"{name}_hi"] = lo, hi
            rows.append(row)
    return pd.DataFrame(rows)


def _losses(cases: pd.DataFrame) -> pd.DataFrame:
    """Per-case Brier, log score and CRPS (:func:`forecast.evaluate.scores.case_losses`)."""
    losses = _scores.case_losses(cases)
    n = len(cases)
    return pd.DataFrame({"target_id": cases["target_id"].to_numpy(),
                         "as_of": cases["as_of"].to_numpy(),
                         "unit_id": cases["unit_id"].to_numpy(),
                         "target_kind": cases["target_kind"].to_numpy(),
                         **{k: losses.get(k, np.full(n, np.nan))
                            for k in ("brier", "log_score", "crps")}})
