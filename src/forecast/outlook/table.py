"""The outlook table: progress, chance of reaching each target, and what it would take.

One row per unit × target × model × scenario with the fixed columns
:data:`OUTLOOK_COLUMNS`, the one contract between the engine and everything
that shows results (CLI ``--json``, notebooks, figures, briefs, backtest).
The deterministic columns come from :mod:`forecast.models.progress`, the chance and
ranges from :mod:`forecast.simulate.summary` with a model of :mod:`forecast.models.base`,
the inverse and the pipeline from :mod:`forecast.simulate.requirements`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.config import Assumptions
from forecast.errors import ConfigError, ModelError
from forecast.data.lineage import ended_units
from forecast.models.base import DEFAULT_MODEL, FittedModel, Streams, fit, profile_for
from forecast.models.attainment import with_implied_counts
from forecast.models.exposure import assumed_targets
from forecast.models.progress import cumulative_history, progress_table, unit_spans
from forecast.records import frame_records
from forecast.simulate.scenarios import DETERMINISTIC_SUFFIX, Scenario, parse_scenario
from forecast.simulate.summary import SimResult, month_grid
from forecast.outlook.chunks import CHUNK_ROWS, default_workers, run_chunks, split
from forecast.outlook.rollup import rollup_rows
from forecast.outlook.why import explain_row, mc_error
from forecast.simulate.engine import Job, simulate_many

OUTLOOK_COLUMNS = [
    "unit_id", "name", "level", "parent_id", "term", "target_kind", "target_id",
    "start", "deadline", "as_of", "target", "cumulative", "remaining", "years_left",
    "required_per_year", "observed_per_year", "pace_ratio", "label",
    "model", "scenario", "p_reach", "final_mean", "final_q10", "final_q50", "final_q90",
    "final_q25", "final_q75", "reach_date_q10", "reach_date_q50", "reach_date_q90",
    "required_attainment", "required_per_year_p", "introduced_needed", "trained_needed",
    "n_obs", "diagnostics", "target_source", "mc_se", "expected_attainment",
    "recent_attainment", "own_weight", "why", "why_vi",
]
"""Columns of the outlook table, in this order (documented in ``docs/engine.md``,
section "The outlook table"; new columns are only ever appended)."""

UNIT_NAMES_ATTR = "unit_names"
"""Key of ``Outlook.table.attrs`` holding the units' names by language,
``{"vi": {unit_id: name}, "en": {unit_id: name}}``: the ``name`` column is
Vietnamese, and charts in English look the English names up here
(:func:`forecast.figures.base.localized`). pandas keeps ``attrs`` through
copies, selections, ``query`` and ``concat``."""

MODEL_SCENARIO = "model"
"""``scenario`` value of the model's own forecast (no attainment imposed)."""

_SIM_KEYS = ("p_reach", "final_mean", "final_q10", "final_q25", "final_q50", "final_q75",
             "final_q90", "reach_date_q10", "reach_date_q50", "reach_date_q90")
_REQ_KEYS = ("required_attainment", "required_per_year_p", "introduced_needed",
             "trained_needed")


@dataclass
class Outlook:
    """Result of :func:`outlook`.

    Attributes
    ----------
    table : DataFrame
        :data:`OUTLOOK_COLUMNS`.
    paths : dict
        ``(unit_id, target_id, model, scenario)`` → :class:`~forecast.simulate.summary.PathSummary`.
    fitted : dict
        Model name → fitted model (``fitted["pooled_nb"].shrinkage`` shows the pooling).
    assumptions : Assumptions
    """

    table: pd.DataFrame
    paths: dict = field(default_factory=dict, repr=False)
    fitted: dict = field(default_factory=dict, repr=False)
    assumptions: Assumptions = field(default_factory=Assumptions)

    def records(self) -> list[dict]:
        """Rows as JSON-ready dicts (ISO dates; NaN and infinity as None)."""
        return frame_records(self.table)


def outlook(dataset, as_of=None, model=DEFAULT_MODEL, scenarios=(), assumptions=None,
            units=None, requirements: bool = True, rollups: bool = True,
            model_options: dict | None = None, threads: int = 1,
            pool_with=None, term: str | None = None, workers: int | None = None,
            executor: str = "local", scheduler: str | None = None,
            chunk_rows: int = CHUNK_ROWS) -> Outlook:
    """Progress, chance of reaching each target, scenarios and requirements.

    Parameters
    ----------
    dataset : Dataset
    as_of : date-like, optional
        Use only figures reported up to this date (default: all).
    model : str or sequence of str
        Model name(s) of :data:`forecast.models.base.MODELS`; one set of rows each.
    scenarios : sequence of str or Scenario
        ``last``, ``mean``, ``trend``, ``full`` or a list of attainments
        (``90%,100%``); each adds a noisy and a ``-deterministic`` row.
    assumptions : Assumptions, optional
        ``n_paths``, ``seed``, ``p_level``, the profile ...
    units : list of str, optional
        Only rows for these units (the pooled model still learns from all).
    requirements : bool
        Run the inverse search and pipeline (``required_*`` columns).
    rollups : bool
        Add ``model = "rollup"`` rows for parents whose children cover them,
        from the children's correlated paths under the first model
        (:mod:`forecast.outlook.rollup`); the parent's reports against the
        children's sum go into the diagnostics.
    model_options : dict, optional
        Model name → keyword options of its fitting function, e.g.
        ``{"pooled_nb": {"dispersion_prior_weight": 5, "year_var_prior_weight": 2}}``
        (:class:`forecast.models.pooled.PooledSettings`).
    threads : int
        Threads for the batched simulation (:func:`simulate_many`); the
        results do not depend on it.
    pool_with : list of str, optional
        The reference units the models learn the population from (with the
        units forecast); default every unit loaded. Use it to compare a
        province with its own peers only.
    term : str, optional
        Only the targets of this term (``2025-2030``); default every term.
        Units that the lineage ended by ``as_of`` (merged, split, renamed,
        dissolved) are left out whatever the term: they have no future to
        forecast (:func:`forecast.data.lineage.ended_units`).
    workers : int, optional
        Processes the units' chunks run in (default: every core the process
        may use; 1: this process). The numbers do not depend on it.
    executor : str
        ``local`` (processes on this machine) or ``dask`` (a Dask
        distributed cluster at ``scheduler``); see :mod:`forecast.outlook.chunks`.
    scheduler : str, optional
        Address of the Dask scheduler, with ``executor="dask"``.
    chunk_rows : int
        Progress rows per chunk (:data:`forecast.outlook.chunks.CHUNK_ROWS`).

    Returns
    -------
    Outlook
    """
    assumptions = assumptions or Assumptions()
    # Attainment reports of a known target are counts too (forecast.models.attainment).
    dataset = with_implied_counts(dataset)
    as_of = pd.Timestamp(as_of) if as_of is not None else None
    names = [model] if isinstance(model, str) else list(model)
    scen = [s if isinstance(s, Scenario) else parse_scenario(s) for s in scenarios]
    extra = None
    if as_of is not None:
        # Next year's target before it is set (and this year's, if not printed).
        extra = assumed_targets(dataset, as_of, profile_for(dataset, assumptions, as_of), units)
    progress = progress_table(dataset, as_of=as_of, assumptions=assumptions, units=units,
                              extra_targets=extra)
    progress = progress[~progress["unit_id"].isin(ended_units(dataset, as_of))
                        & ((progress["term"] == term) if term else True)].reset_index(drop=True)
    streams = Streams(assumptions.seed, assumptions.n_paths)
    rows, paths, fitted = [], {}, {}
    prows = [prow for _, prow in progress.iterrows()]
    fit_units = None
    if pool_with is not None:
        wanted = list(dict.fromkeys([*pool_with, *progress["unit_id"]]))
        if rollups:
            # The children of every parent forecast are simulated for its roll-up.
            kids = dataset.units[dataset.units["parent_id"].isin(wanted)]["unit_id"]
            wanted = list(dict.fromkeys([*wanted, *kids]))
        fit_units = wanted
    extra = []
    for name in names:
        fm = fit(dataset, name, as_of=as_of, assumptions=assumptions, units=fit_units,
                 **(model_options or {}).get(name, {}))
        fitted[name] = fm
        work = _Work(dataset, fm, prows, {}, as_of, scen, streams, assumptions,
                     requirements, threads)
        if rollups and name == names[0]:
            extra = _rollups_all(work, workers, executor, scheduler)
        for part in run_chunks(_chunk_rows, work, split(len(prows), chunk_rows), workers,
                               executor, scheduler):
            for row, key, summary in part:
                rows.append(row)
                if summary is not None:
                    paths[key] = summary
    for row, key, summary in extra:
        rows.append(row)
        paths[key] = summary
    table = pd.DataFrame(rows, columns=OUTLOOK_COLUMNS)
    table.attrs[UNIT_NAMES_ATTR] = unit_names(dataset, table["unit_id"].unique())
    return Outlook(table, paths, fitted, assumptions)


@dataclass
class _Work:
    """What every chunk of progress rows needs (:func:`_chunk_rows`)."""

    dataset: object
    fm: FittedModel
    prows: list
    rollup_notes: dict
    as_of: object
    scen: list
    streams: Streams
    assumptions: Assumptions
    requirements: bool
    threads: int


def _rollups_all(work: _Work, workers, executor: str, scheduler) -> list:
    """The roll-up rows (:func:`forecast.outlook.rollup.rollup_rows`), the parents
    shared among the workers; their notes go to ``work.rollup_notes``."""
    parents = set(work.dataset.units["parent_id"].dropna())
    idx = [i for i, prow in enumerate(work.prows) if prow["unit_id"] in parents]
    n = default_workers() if workers is None else int(workers)
    parts = [idx[r.start:r.stop] for r in split(len(idx), -(-len(idx) // max(n, 1)))]
    rows = []
    for part, (got, notes) in zip(parts, run_chunks(_rollup_chunk, work, parts, workers,
                                                    executor, scheduler)):
        rows += got
        work.rollup_notes.update({part[k]: note for k, note in notes.items()})
    return rows


def _rollup_chunk(work: _Work, idx: list) -> tuple[list, dict]:
    return rollup_rows(work.dataset, work.fm, [work.prows[i] for i in idx], work.as_of,
                       work.streams, OUTLOOK_COLUMNS)


def _chunk_rows(work: _Work, chunk: range) -> list:
    """Outlook rows ``(row, paths key, summary)`` of the progress rows in ``chunk``.

    A unit's numbers come from its own streams, so they do not depend on
    the chunk it is simulated in (:mod:`forecast.outlook.chunks`).
    """
    prows = [work.prows[i] for i in chunk]
    # The draws of a unit that do not depend on its mean are the same for the
    # model's forecast, the scenarios and every step of the inverse search.
    noise_cache: dict = {}
    sims = _simulate_all(work.dataset, work.fm, prows, work.as_of, work.scen, work.streams,
                         work.threads, noise_cache)
    if work.requirements:
        _requirements_all(work.dataset, work.fm, prows, sims, work.streams, work.as_of,
                          work.assumptions, noise_cache)
    out = []
    for i, prow, sim in zip(chunk, prows, sims):
        if i in work.rollup_notes:
            sim["rollup_note"] = work.rollup_notes[i]
        out += _unit_rows(work.fm, prow, work.scen, work.streams, sim)
    return out


class UnitNames(dict):
    """``{"vi": {id: name}, "en": {id: name}}``, kept in the outlook table's ``attrs``.

    pandas deep-copies ``attrs`` into nearly every frame derived from the
    table; with the names of a national run that copy cost more than the
    operations themselves (6 s of a 1,010-unit brief). The names are only
    read, so a copy is the same object.
    """

    def __deepcopy__(self, memo):
        return self


def unit_names(dataset, unit_ids) -> UnitNames:
    """``{"vi": {id: name_vi}, "en": {id: name_en or name_vi}}`` for these units."""
    known = set(dataset.units["unit_id"])
    ids = [u for u in dict.fromkeys(unit_ids) if u in known]
    return UnitNames({lang: {u: dataset.unit_name(u, lang) for u in ids}
                      for lang in ("vi", "en")})


def _simulate_all(dataset, fm: FittedModel, prows, as_of, scen, streams,
                  threads: int = 1, noise_cache: dict | None = None) -> list[dict]:
    """Every unit's simulations, batched by target window (:func:`simulate_many`).

    ``noise_cache`` is passed to :func:`simulate_many` (kept for the search).

    Returns, per progress row, ``{"known", "grid", scenario label -> SimResult
    or ModelError}`` with ``"model"`` for the model's own forecast.
    """
    out = [{} for _ in prows]
    windows: dict = {}
    for i, prow in enumerate(prows):
        known = unit_spans(dataset, prow["unit_id"], prow["start"], prow["deadline"], as_of)
        out[i]["known"] = known
        out[i]["grid"] = month_grid(prow["start"], prow["deadline"], known, fm.profile)
        windows.setdefault((prow["start"], prow["deadline"]), []).append(i)
    for (start, deadline), idx in windows.items():
        jobs = [Job(prows[i]["unit_id"], float(prows[i]["target"]), out[i]["known"])
                for i in idx]
        for i, r in zip(idx, simulate_many(fm, jobs, start, deadline, streams,
                                           threads=threads, noise_cache=noise_cache)):
            out[i][MODEL_SCENARIO] = r
        for sc in scen:
            for det in (False, True):
                label = sc.name + (DETERMINISTIC_SUFFIX if det else "")
                todo, jobs = [], []
                for i in idx:
                    unit = prows[i]["unit_id"]
                    ud = fm.data.get(unit)
                    try:
                        if ud is None:
                            raise ModelError(f"unit {unit!r}: not in the fitted data")
                        att = sc.attainment(ud, _first_future_year(out[i]["grid"]),
                                            prows[i]["start"])
                    except ModelError as exc:
                        out[i][label] = exc
                        continue
                    todo.append(i)
                    jobs.append(Job(unit, float(prows[i]["target"]), out[i]["known"], att))
                got = simulate_many(fm, jobs, start, deadline, streams, deterministic=det,
                                    threads=threads, noise_cache=noise_cache)
                for i, r in zip(todo, got):
                    out[i][label] = r
    for i, prow in enumerate(prows):
        # Charts show every reported cumulative point, not only the spans simulated from.
        hist = cumulative_history(dataset.rows_of("observations", prow["unit_id"]),
                                  prow["unit_id"], prow["start"],
                                  prow["deadline"], spans=out[i]["known"])
        for r in out[i].values():
            if isinstance(r, SimResult):
                r.summary.history = hist
    return out


def _unit_rows(fm: FittedModel, prow: pd.Series, scen, streams, sim: dict):
    """Rows of one unit and target: the model's forecast then each scenario.

    ``sim`` is the unit's entry of :func:`_simulate_all`, with ``"requirement"``
    (columns, note) when :func:`_requirements_all` ran.
    """
    unit, tid = prow["unit_id"], prow["target_id"]
    base = {c: prow[c] for c in OUTLOOK_COLUMNS if c in prow.index}
    ud = fm.data.get(unit)
    notes = [fm.diagnostics.get(unit, "")]
    if ud is not None:
        notes.append(exposure_note(ud.exposure))
    notes.append(sim.get("rollup_note", ""))
    req = {k: np.nan for k in _REQ_KEYS}
    out = []
    res = sim[MODEL_SCENARIO]
    if isinstance(res, ModelError):
        vals, summary = _empty_sim(), None
        if not any(str(res) in n for n in notes):
            notes.append(str(res))
    else:
        vals, summary = res.outlook_values(), res.summary
        if "requirement" in sim:
            req, note = sim["requirement"]
            notes.append(note)
    diag = "; ".join(n for n in notes if n)
    n_obs = ud.n_obs if ud is not None else 0
    if prow["remaining"] <= 0:
        # Already reached: so under every model, whatever it can forecast.
        vals = {**vals, "p_reach": 1.0}
    why = explain_row(fm, prow, vals, streams.n_paths,
                      getattr(res, "why", None) if isinstance(res, ModelError) else None)
    out.append(({**base, "model": fm.name, "scenario": MODEL_SCENARIO, **vals, **req,
                 "n_obs": n_obs, "diagnostics": diag, **why},
                (unit, tid, fm.name, MODEL_SCENARIO), summary))
    for sc in scen:
        for det in (False, True):
            label = sc.name + (DETERMINISTIC_SUFFIX if det else "")
            r = sim[label]
            if isinstance(r, ModelError):
                vals, summary = _empty_sim(), None
                extra = "" if str(r) in diag else str(r)
            else:
                vals, summary, extra = r.outlook_values(), r.summary, ""
            if prow["remaining"] <= 0:
                vals = {**vals, "p_reach": 1.0}
            out.append(({**base, "model": fm.name, "scenario": label, **vals, **req,
                         "n_obs": n_obs, "diagnostics": "; ".join(x for x in (diag, extra) if x),
                         **mc_error(vals, streams.n_paths, det)},
                        (unit, tid, fm.name, label), summary))
    return out


def _empty_sim() -> dict:
    vals = {k: np.nan for k in _SIM_KEYS}
    for k in ("reach_date_q10", "reach_date_q50", "reach_date_q90"):
        vals[k] = None
    return vals


def exposure_note(exposure) -> str:
    """The diagnostics phrase saying what attainment is measured against."""
    return exposure.note or f"exposure: {exposure.kind}"


def _first_future_year(grid) -> int:
    """First calendar year with a month the reports do not cover."""
    open_years = [int(y) for y, u in zip(grid.year, grid.uncovered) if u > 0]
    return min(open_years) if open_years else int(grid.year[-1])


def _requirements_all(dataset, fm, prows, sims, streams, as_of, assumptions,
                      noise_cache: dict | None = None) -> None:
    """The four ``required_*`` columns and the note of every row whose forecast ran.

    Batched by target window (:func:`forecast.simulate.requirements.requirements_for_targets`);
    stored as ``sims[i]["requirement"] = (columns, note)``.
    """
    from forecast.simulate.funnel import conversion_rates
    from forecast.simulate.requirements import requirements_for_targets

    empty = {k: np.nan for k in _REQ_KEYS}
    windows: dict = {}
    for i, prow in enumerate(prows):
        if isinstance(sims[i][MODEL_SCENARIO], ModelError):
            continue
        unit = prow["unit_id"]
        if fm.data[unit].exposure.kind == "own_level":
            sims[i]["requirement"] = (empty, "")
            continue
        windows.setdefault((prow["start"], prow["deadline"]), []).append(i)
    for (start, deadline), idx in windows.items():
        items = [(prows[i]["unit_id"], float(prows[i]["target"]), sims[i]["known"],
                  conversion_rates(dataset, prows[i]["unit_id"], assumptions, as_of=as_of))
                 for i in idx]
        got = requirements_for_targets(fm, items, start, deadline, streams,
                                       assumptions.p_level, noise_cache=noise_cache)
        for i, r in zip(idx, got):
            if isinstance(r, ModelError):
                sims[i]["requirement"] = (empty, str(r))
            else:
                note = f"requirement: {r['requirement_status']} (p={r['requirement_p']:.2f})"
                sims[i]["requirement"] = ({k: r[k] for k in _REQ_KEYS}, note)


def check_model_names(names) -> list[str]:
    """Validate model names for the command line."""
    from forecast.models.base import MODELS

    bad = [n for n in names if n not in MODELS]
    if bad:
        raise ConfigError(f"--model: unknown {', '.join(bad)}; expected one of "
                          f"{', '.join(sorted(MODELS))}.")
    return list(names)
