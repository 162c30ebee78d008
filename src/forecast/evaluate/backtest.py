"""Backtest: forecasts made at past dates, scored on what came after.

Rolling origin. For every target whose outcome is known (the full-year count
after part-year reports; the term total), forecasts are made as of each
*origin*: the end date of each report the unit made before the deadline, and
the first day of the target's year. At an origin the engine sees a copy of
the dataset cut to that date: observations whose period ended by then, and
annual targets of that year or earlier (later years' targets were not yet
set). The engine is called through :func:`forecast.outlook.table.outlook`, the same
call analysts run, for every model and baseline, and once more the pace label
of :func:`forecast.models.progress.progress_table` is turned into a forecast.

The same code scores the simulation study (:func:`simulation_study`) on the
synthetic units of :mod:`forecast.evaluate.synthetic`, where the truth is known.

The naive rule "every unit reaches its target" (``model = "always_reach"``)
is scored beside them: p = 1 for the Brier score, softened to 0.95 for the
log score as the pace label is. It answers every case.

Every case is kept for every model, answered or not (``answered``, and
``why`` in words when not): the share of cases a model answers is itself a
result (:mod:`forecast.evaluate.real`).

The pace label as a forecast (``model = "pace_label"``): "on track" and
"reached" mean p = 1, "acceleration needed" and "limited progress" p = 0,
for the Brier score and the reliability table; the log score uses the
softened p = 0.95 / 0.05 (a hard 0/1 forecast that is wrong would only
measure the clipping constant). "no data" is no forecast: those cases are
left out of the label's scores (``n`` shows how many remain); the
``subset = "common"`` rows compare every model on the cases all of them
forecast.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from forecast.evaluate import scores as _scores
from forecast.config import Assumptions
from forecast.errors import ForecastError
from forecast.evaluate.origins import cut, origins, outcomes, reached_by
from forecast.models.progress import progress_table

MODELS = ("pooled_nb", "ets", "local_level", "last_year", "mean_attainment")
"""The models of the simulation study's published tables (docs/backtest.md)."""
PREFERRED_ORDER = ("hier_nb", "pooled_nb", "ets", "local_level", "last_year", "mean_attainment")
PACE_LABEL = "pace_label"
ALWAYS_REACH = "always_reach"
ALWAYS_P, ALWAYS_P_LOG = 1.0, 0.95
LABEL_P = {"reached": 1.0, "on track": 1.0, "acceleration needed": 0.0, "limited progress": 0.0}
LABEL_P_LOG = {"reached": 0.95, "on track": 0.95, "acceleration needed": 0.05,
               "limited progress": 0.05}
SYNTHETIC_AS_OF = ("2021-06-30", "2022-01-01", "2022-06-30", "2023-06-30", "2023-09-30",
                   "2024-01-01", "2024-06-30", "2025-06-30")
"""Origins of the simulation study: start of year, mid-year and nine months."""
CASE_COLUMNS = ["dataset", "model", "unit_id", "target_id", "target_kind", "as_of", "year",
                "origin", "deadline", "target", "outcome", "y", "p", "p_log", "p_se", "q10",
                "q25", "q50", "q75", "q90", "scale", "answered", "why"]

NO_ROW = "the outlook gave no row for this target at this date"


def default_models() -> tuple[str, ...]:
    """Every model in the engine's registry, the usual ones first.

    Read at run time from :data:`forecast.models.base.MODELS`, so a model
    added to the engine (``hier_nb``) is scored without a change here.
    """
    import forecast.models  # noqa: F401  (fills the registry)
    from forecast.models.base import MODELS as REGISTRY

    first = [m for m in PREFERRED_ORDER if m in REGISTRY]
    return tuple(first + sorted(set(REGISTRY) - set(first)))


def reference_model() -> str:
    """The engine's default model: ``forecast.models.base.DEFAULT_MODEL`` if it
    exists, else ``hier_nb`` when registered, else ``pooled_nb``."""
    from forecast.models import base

    named = getattr(base, "DEFAULT_MODEL", None)
    if named:
        return str(named)
    return "hier_nb" if "hier_nb" in default_models() else "pooled_nb"


Forecaster = Callable[..., pd.DataFrame]
"""``f(dataset, as_of, model, assumptions, units) -> outlook table`` (OUTLOOK_COLUMNS)."""


def outlook_forecaster(dataset, as_of: pd.Timestamp, model: str,
                       assumptions: Assumptions, units=None) -> pd.DataFrame:
    """The engine as analysts call it: ``forecast.outlook.table.outlook(...).table``.

    ``model`` may be a list of model names (one engine call for all of them).

    Only the model's own forecast is scored (``scenario == "model"``); the
    inverse search ("what it would take") is skipped, since it is not scored.
    """
    from forecast.outlook.table import MODEL_SCENARIO, outlook

    table = outlook(dataset, as_of=as_of, model=model, assumptions=assumptions,
                    units=units, requirements=False).table
    return table[table["scenario"] == MODEL_SCENARIO]


@dataclass(frozen=True)
class BacktestResult:
    """Scores, reliability table and the scored cases of a backtest.

    Attributes
    ----------
    scores : DataFrame
        One row per dataset, subset and model: ``model, dataset, subset, n,
        brier, log_score, coverage_50, coverage_80, interval_score``, the Brier
        decomposition (``reliability, resolution, uncertainty, remainder``),
        bootstrap bounds ``<score>_lo/_hi`` and ``n_clusters``.
    reliability : DataFrame
        ``dataset, model, bin_lower, bin_upper, n, mean_p, observed_freq``.
    cases : DataFrame
        One row per forecast scored (:data:`CASE_COLUMNS`).
    failures : DataFrame
        ``dataset, model, as_of, error``: calls of the engine that failed.
    parameters : dict
    """

    scores: pd.DataFrame
    reliability: pd.DataFrame
    cases: pd.DataFrame
    failures: pd.DataFrame
    parameters: dict = field(default_factory=dict)


# --- forecasting at each origin --------------------------------------------------
def forecast_cases(dataset, known: pd.DataFrame, when: pd.DataFrame, models=MODELS,
                   assumptions: Assumptions | None = None, forecaster: Forecaster | None = None,
                   label: str = "public", workers: int = 1):
    """Forecast every ``(target, origin)`` with every model; one row per case and model.

    A case whose target the counts at the origin already reach is skipped:
    it is known, not forecast. Every other case gets a row for every model,
    the pace label and :data:`ALWAYS_REACH`, with ``answered`` False and
    ``why`` in words when the model gave no probability. Origins run in
    ``workers`` processes (the forecaster must then be picklable).

    Returns
    -------
    (DataFrame, DataFrame)
        Cases (:data:`CASE_COLUMNS`) and failures (``dataset, model, as_of, error``).
    """
    assumptions = assumptions or Assumptions()
    forecaster = forecaster or outlook_forecaster
    jobs = [(dataset, known[known["target_id"].isin(g["target_id"])], as_of, g, models,
             assumptions, forecaster, label) for as_of, g in when.groupby("as_of", sort=True)]
    if workers > 1 and len(jobs) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            done = list(pool.map(_origin_cases, jobs))
    else:
        done = [_origin_cases(job) for job in jobs]
    cases = [c for part, _ in done for c in part]
    failures = [f for _, part in done for f in part]
    return (pd.DataFrame(cases, columns=CASE_COLUMNS),
            pd.DataFrame(failures, columns=["dataset", "model", "as_of", "error"]))


def _origin_cases(job) -> tuple[list, list]:
    """Cases and failures of one origin (a top-level function, for process pools)."""
    dataset, known, as_of, group, models, assumptions, forecaster, label = job
    truth = known.set_index("target_id")
    origin_of = dict(zip(group["target_id"], group["origin"]))
    ids = sorted(set(origin_of) - reached_by(dataset, truth.loc[list(origin_of)], as_of))
    cases, failures = [], []
    if not ids:
        return cases, failures
    past = cut(dataset, as_of)
    units = sorted(set(truth.loc[ids, "unit_id"]))

    def add(model, rows: dict, why_missing: str) -> None:
        for tid in ids:
            r = rows.get(tid)
            cases.append(_case(label, model, tid, r, truth.loc[tid], as_of, origin_of[tid],
                               assumptions.n_paths, why_missing))

    for model, table, error in _tables(forecaster, past, as_of, models, assumptions, units):
        if error is not None:
            failures.append({"dataset": label, "model": model, "as_of": as_of, "error": error})
            add(model, {}, error)
            continue
        rows = table[table["target_id"].isin(ids)].drop_duplicates("target_id") \
            if "target_id" in table else table.iloc[:0]
        add(model, {r["target_id"]: r.to_dict() for _, r in rows.iterrows()}, NO_ROW)
    lab = progress_table(past, as_of=as_of, assumptions=assumptions, units=units)
    lab = lab[lab["target_id"].isin(ids)].drop_duplicates("target_id")
    add(PACE_LABEL, {r["target_id"]: {"p_reach": LABEL_P.get(r["label"], np.nan),
                                      "p_log": LABEL_P_LOG.get(r["label"], np.nan),
                                      "diagnostics": f"pace label {r['label']!r}"}
                     for _, r in lab.iterrows()}, "no pace label for this target at this date")
    add(ALWAYS_REACH, dict.fromkeys(ids, {"p_reach": ALWAYS_P, "p_log": ALWAYS_P_LOG}), "")
    return cases, failures


def _tables(forecaster, past, as_of, models, assumptions, units):
    """``(model, table, error)`` per model: one engine call for all models when it
    succeeds (progress and data preparation are then shared), else one per model."""
    models = list(models)
    if len(models) > 1:
        try:
            table = forecaster(past, as_of, models, assumptions, units)
            return [(m, table[table["model"] == m], None) for m in models]
        except ForecastError:
            pass
    out = []
    for m in models:
        try:
            out.append((m, forecaster(past, as_of, m, assumptions, units), None))
        except ForecastError as exc:
            out.append((m, None, str(exc).splitlines()[0]))
    return out


def _case(label, model, tid, r, truth, as_of, origin, n_paths, why_missing) -> dict:
    """One case row; ``r`` is the model's outlook row (a mapping) or None."""
    r = {} if r is None else r

    def num(key):
        v = r.get(key, np.nan)
        return float(v) if v is not None and pd.notna(v) else np.nan

    p = num("p_reach")
    p_log = num("p_log") if "p_log" in r else p
    se = num("mc_se") if "mc_se" in r else (
        float(np.sqrt(p * (1 - p) / n_paths)) if "final_q50" in r else np.nan)
    answered = bool(np.isfinite(p))
    if answered:
        why = ""
    elif r:
        why = str(r.get("diagnostics") or "") or "the model gave no probability"
    else:
        why = why_missing
    return {"dataset": label, "model": model, "unit_id": truth["unit_id"], "target_id": tid,
            "target_kind": truth["kind"], "as_of": as_of, "year": as_of.year,
            "origin": origin, "deadline": truth["deadline"], "target": truth["target"],
            "outcome": truth["outcome"], "y": int(truth["reached"]), "p": p, "p_log": p_log,
            "p_se": se, **{k: num(f"final_{k}") for k in ("q10", "q25", "q50", "q75", "q90")},
            "scale": truth["target"], "answered": answered, "why": why}


# --- scoring -----------------------------------------------------------------------
def score_cases(cases: pd.DataFrame, n_boot: int = 1000, n_bins: int = 10, seed: int = 0,
                level: float = 0.9) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scores per dataset and model (all cases, and the cases every model forecast).

    The bootstrap resamples whole years (the year of the origin).
    """
    cases = cases[cases["p"].notna()]
    parts = []
    if not cases.empty:
        opts = dict(cluster="year", n_bins=n_bins, n_boot=n_boot, level=level, seed=seed)
        parts.append(_scores.summarize(cases, by=("dataset", "model"), **opts)
                     .assign(subset="all"))
        key = ["dataset", "target_id", "as_of"]
        n_models = cases.groupby("dataset")["model"].nunique()
        per_case = cases.groupby(key)["model"].nunique().reset_index(name="k")
        per_case = per_case[per_case["k"] == per_case["dataset"].map(n_models)]
        common = cases.merge(per_case[key], on=key)
        if not common.empty:
            parts.append(_scores.summarize(common, by=("dataset", "model"), **opts)
                         .assign(subset="common"))
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["dataset", "model", *_scores.SCORE_COLUMNS, "subset"])
    front = ["model", "dataset", "subset", "n", "brier", "log_score", "coverage_50",
             "coverage_80", "interval_score"]
    table = table[front + [c for c in table.columns if c not in front]]
    rel = []
    for (ds, model), g in cases.groupby(["dataset", "model"], sort=True):
        t = _scores.reliability_table(g["p"], g["y"], n_bins)
        rel.append(t.assign(dataset=ds, model=model))
    rel_cols = ["dataset", "model", "bin_lower", "bin_upper", "n", "mean_p", "observed_freq"]
    reliability = pd.concat(rel, ignore_index=True)[rel_cols] if rel else pd.DataFrame(
        columns=rel_cols)
    return table, reliability


# --- entry points ------------------------------------------------------------------
def backtest(dataset, models=MODELS, as_of_dates=None, assumptions: Assumptions | None = None,
             *, truth: pd.DataFrame | None = None, label: str = "public",
             forecaster: Forecaster | None = None, n_boot: int = 1000, n_bins: int = 10,
             seed: int = 0, workers: int = 1) -> BacktestResult:
    """Rolling-origin backtest over every target with a known outcome.

    Parameters
    ----------
    dataset : Dataset
    models : sequence of str
        Engine models to score; the pace label is always added.
    as_of_dates : sequence of dates, optional
        Origins; default: each report's end date and each year's first day.
    assumptions : Assumptions, optional
        Passed to the engine (``n_paths``, ``seed``, term boundaries ...).
    truth : DataFrame, optional
        Known outcomes (``target_id, unit_id, kind, year, start, deadline,
        target, outcome|final, reached``); default: :func:`outcomes` of the data.
    label : str
        The ``dataset`` column of the results ("public", "synthetic").
    forecaster : callable, optional
        Replaces the engine (tests); default :func:`outlook_forecaster`.
    n_boot, n_bins, seed
        Bootstrap replicates, reliability bins, bootstrap seed.
    workers : int
        Processes over which the origins are spread (1: in this process).
    """
    assumptions = assumptions or Assumptions()
    t0 = time.perf_counter()
    if truth is None:
        known = outcomes(dataset)
    else:
        known = truth.rename(columns={"final": "outcome"})
        known = known[known["target_id"].isin(dataset.targets["target_id"])]
    when = origins(dataset, known, as_of_dates)
    cases, failures = forecast_cases(dataset, known, when, models, assumptions, forecaster,
                                     label, workers)
    table, rel = score_cases(cases, n_boot=n_boot, n_bins=n_bins, seed=seed)
    params = {"dataset": label, "models": list(models), "n_targets_known": int(len(known)),
              "n_origins": int(len(when)),
              "as_of_dates": None if as_of_dates is None else [str(d) for d in as_of_dates],
              "assumptions": assumptions.as_dict(), "n_boot": n_boot, "n_bins": n_bins,
              "bootstrap_seed": seed, "workers": workers,
              "seconds": round(time.perf_counter() - t0, 1)}
    return BacktestResult(table, rel, cases, failures, params)


def simulation_study(n_units: int = 200, seed: int = 1, models=MODELS,
                     as_of_dates=SYNTHETIC_AS_OF, assumptions: Assumptions | None = None,
                     *, forecaster: Forecaster | None = None, spec=None, n_boot: int = 1000,
                     n_bins: int = 10, workers: int = 1) -> BacktestResult:
    """Backtest on synthetic units whose truth is known (:mod:`forecast.evaluate.synthetic`).

    Parameters
    ----------
    n_units, seed
        Size and seed of the synthetic world.
    as_of_dates
        Origins (default :data:`SYNTHETIC_AS_OF`).
    spec : GeneratorSpec, optional
        Other generator parameters (``n_units`` and ``seed`` override it).
    Other parameters as in :func:`backtest`.
    """
    from forecast.evaluate.synthetic import generate

    world = generate(spec, n_units=n_units, seed=seed)
    assumptions = assumptions or Assumptions()
    ds = world.dataset(assumptions=assumptions)
    res = backtest(ds, models, as_of_dates, assumptions, truth=world.truth, label="synthetic",
                   forecaster=forecaster, n_boot=n_boot, n_bins=n_bins, seed=seed,
                   workers=workers)
    res.parameters.update({"synthetic_units": n_units, "synthetic_seed": seed,
                           "generator": dataclasses.asdict(world.spec)})
    return res


def combine(*results: BacktestResult) -> BacktestResult:
    """Stack several results (e.g. public and synthetic) into one."""
    def cat(name: str) -> pd.DataFrame:
        frames = [getattr(r, name) for r in results if len(getattr(r, name))]
        return pd.concat(frames, ignore_index=True) if frames else getattr(results[0], name)

    return BacktestResult(cat("scores"), cat("reliability"), cat("cases"), cat("failures"),
                          {r.parameters.get("dataset", str(i)): r.parameters
                           for i, r in enumerate(results)})
