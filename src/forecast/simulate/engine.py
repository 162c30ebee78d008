"""Batched Monte Carlo: every unit of one target window at once.

The engine's simulation (:func:`simulate_many`; :func:`simulate_target`
is a batch of one, :func:`forecast.outlook.table.outlook` passes all units of a
window together). Units whose reports cover the same periods of the same
window share a month grid (:func:`forecast.simulate.summary.month_grid`, cached), so
their cumulative count at the end of month ``j`` is one linear formula::

    cum[u, i, j] = sum_k kv[u, i, k] · KF[k, j]  +  sum_t D[u, i, t] · UC[t, j]

``kv`` are the reported counts (a range drawn per path), ``KF[k, j]`` the
share of report ``k`` reached by month ``j`` (by the profile), ``D`` the
simulated year totals (``units × paths × years``, float32, drawn by
:meth:`forecast.models.base.FittedModel.draw_years_batch` from each unit's own
streams) and ``UC[t, j]`` the share of year ``t`` still to come that has
come by month ``j``. Monthly paths are never materialised (but for
``keep_paths``): the summaries need

- the cumulative count at each year end and the deadline (``marks``): the
  final total (``p_reach``, mean, quantiles) and the fan of the figures;
- the month the paths cross the target, of which only three order
  statistics are kept: the crossing *year* from the year-end cumulatives
  (the first mark at or above the target; counted per unit, which tells the
  year each order statistic falls in), then the month inside that year, for
  that year's paths only, by inverting the path's within-year curve, or a
  per-path binary search over at most 12 months (4 steps, vectorised;
  the curve is monotone because every month adds a non-negative amount)
  (:mod:`forecast.simulate.reach`). ``tests/simulate/test_engine.py``
  checks it against the monthly paths.

Units are processed in chunks of :data:`CHUNK_ELEMENTS` path-values, which
bounds memory whatever the number of units. Results are identical run to
run with the same seed and do not depend on which other units are in the
batch, nor on the chunk size: every random number comes from the unit's
own streams or from the shared year shocks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.errors import ModelError
from forecast.models.base import FittedModel, Streams
from forecast.models.push import apply_push
from forecast.simulate.part_year import condition_part_years
from forecast.simulate.reach import _segments, reach_months
from forecast.simulate.thinning import thin_partial_years
from forecast.simulate.summary import (MonthGrid, PathSummary, SimResult, attainment_for,
                                      mark_quantiles, month_grid, of_report_table, order_rank,
                                      sorted_quantiles)

CHUNK_ELEMENTS = 8_000_000
"""Path-values (units × paths × (years + marks + reports)) per chunk: about
64 MB per float64 array, a few of which live at once."""

_REACH_Q = (0.1, 0.5, 0.9)


@dataclass
class Job:
    """One unit and target to simulate over the batch's window.

    Attributes
    ----------
    unit_id : str
    target : float
        The target as a count (NaN: no ``p_reach`` or reach dates).
    known : DataFrame
        Reported counts in the window (``progress.admitted_spans``).
    attainment : optional
        Attainment override (see :func:`forecast.simulate.summary.attainment_for`).
    keep_paths : bool
        Keep the monthly cumulative paths (``SimResult.monthly``, roll-ups).
    keep_finals : bool
        Keep the final total per path (``SimResult.finals``).
    """

    unit_id: str
    target: float
    known: pd.DataFrame
    attainment: object = None
    keep_paths: bool = False
    keep_finals: bool = False


@dataclass
class Layout:
    """The linear path formula of one month grid (see the module docstring)."""

    need: list          # years with draws
    kf: np.ndarray      # (n_known, months)
    uc: np.ndarray      # (years, months)
    marks: np.ndarray   # month indices of year ends and the deadline
    seg_lo: np.ndarray  # first month index of each mark's year segment


def layout(grid: MonthGrid) -> Layout:
    """The :class:`Layout` of a grid (computed once and kept on the grid)."""
    got = getattr(grid, "_layout", None)
    if got is not None:
        return got
    n_m = len(grid.ends)
    need = sorted({int(y) for y, u in zip(grid.year, grid.uncovered) if u > 0})
    kf = np.cumsum(grid.known_frac, axis=1) if grid.known_frac.size else \
        np.zeros((0, n_m))
    for k in range(kf.shape[0]):
        pos = np.flatnonzero(grid.known_frac[k] > 0)
        if len(pos):
            # Exactly 1 once the report is complete: a reported 1,252 stays 1,252.
            kf[k, pos[-1]:] = 1.0
    kf = np.clip(kf, 0.0, 1.0)
    uc = np.zeros((len(need), n_m))
    for t, y in enumerate(need):
        uc[t] = np.cumsum(np.where(grid.year == y, grid.uncovered, 0.0))
    marks = [k for k, e in enumerate(grid.ends)
             if (e.month == 12 and e.day == 31) or k == n_m - 1]
    seg_lo = np.array([0] + [m + 1 for m in marks[:-1]], dtype=np.int64)
    out = Layout(need, kf, uc, np.array(marks, dtype=np.int64), seg_lo)
    grid._layout = out
    return out


@dataclass
class PathParts:
    """A unit's simulated paths in the linear form of the module docstring.

    The monthly cumulative paths are ``kv @ layout.kf + d @ layout.uc``
    (the last month replaced by ``final``, the deadline's whole count);
    they are only built when asked (:func:`forecast.simulate.rollup.add_paths`),
    so a roll-up over many children builds one matrix per month grid, not
    one per child.
    """

    kv: np.ndarray      # (paths or 1, reports)
    d: np.ndarray       # (paths, years), float32
    final: np.ndarray   # (paths,)
    layout: Layout
    month_ends: list


def simulate_many(fitted, jobs: list[Job], start, deadline, streams,
                  deterministic: bool = False, grid: MonthGrid | None = None,
                  chunk_elements: int = CHUNK_ELEMENTS, threads: int = 1,
                  returns: str = "summary", noise_cache: dict | None = None) -> list:
    """Simulate many units over one target window ``[start, deadline]``.

    Parameters
    ----------
    fitted : FittedModel
    jobs : list of Job
    start, deadline : Timestamp
    streams : Streams
    deterministic : bool
        The mean line (one path, no noise), as ``simulate_target``.
    grid : MonthGrid, optional
        Use this grid for every job (callers that computed it already).
    chunk_elements : int
        Memory bound (see :data:`CHUNK_ELEMENTS`).
    threads : int
        Chunks simulated at once in threads (numpy releases the GIL while
        drawing, sorting and multiplying); results do not depend on it.
        Models marked ``thread_safe = False`` (the statsmodels ones, whose
        warning capture is process-wide) use one.
    returns : str
        ``"summary"``: a :class:`~forecast.simulate.summary.SimResult` per job.
        ``"p"``: only ``p_reach`` (a float per job), what the inverse search
        asks for; the summaries (quantiles, fan, reach dates) cost about as
        much as the draws. ``"paths"``: the job's :class:`PathParts`, its
        paths in the linear form above, for roll-ups
        (:func:`forecast.simulate.rollup.add_paths`).
    noise_cache : dict, optional
        Passed to the model's ``noise_batch``: a caller simulating the same
        units again at other attainments keeps the draws that do not depend
        on the mean (same numbers, fewer draws).

    Returns
    -------
    list
        Aligned with ``jobs``: what ``returns`` asks for, or the
        :class:`~forecast.errors.ModelError` the model raised for that unit.
    """
    start, deadline = pd.Timestamp(start), pd.Timestamp(deadline)
    groups: dict = {}
    for i, job in enumerate(jobs):
        g = grid if grid is not None else month_grid(start, deadline, job.known,
                                                     fitted.profile)
        groups.setdefault((id(g), job.attainment is None), (g, []))[1].append(i)
    out: list = [None] * len(jobs)
    n_paths = 1 if deterministic else streams.n_paths
    tasks = []
    for g, idx in groups.values():
        lay = layout(g)
        _segments(lay, len(g.ends))  # cached before any thread reads it
        width = n_paths * (len(lay.need) + len(lay.marks) + lay.kf.shape[0] + 2)
        size = max(1, int(chunk_elements // max(width, 1)))
        tasks += [(idx[a:a + size], g, lay) for a in range(0, len(idx), size)]

    def run(task):
        part, g, lay = task
        try:
            return part, _chunk(fitted, [jobs[i] for i in part], g, lay, streams,
                                deterministic, returns, noise_cache)
        except ModelError as exc:
            # One unit the model refuses must not sink the others.
            res = [exc] if len(part) == 1 else []
            for i in (part if len(part) > 1 else []):
                try:
                    res.extend(_chunk(fitted, [jobs[i]], g, lay, streams, deterministic,
                                      returns, noise_cache))
                except ModelError as one:
                    res.append(one)
            return part, res

    threads = threads if getattr(fitted, "thread_safe", True) else 1
    if threads > 1 and len(tasks) > 1:
        # A cached draw moves its stream: two threads must not share one.
        noise_cache = None
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(threads) as pool:
            done = list(pool.map(run, tasks))
    else:
        done = [run(t) for t in tasks]
    for part, res in done:
        for i, r in zip(part, res):
            out[i] = r
    return out


def _known_arrays(known: pd.DataFrame) -> tuple:
    """``value, low, high`` (NaN bounds filled by the value) and period ends of a report table."""
    if len(known) == 0:
        z = np.zeros(0)
        return z, z, z, []
    v = known["value"].to_numpy(dtype=float)
    lo = known["low"].to_numpy(dtype=float)
    hi = known["high"].to_numpy(dtype=float)
    lo = np.where(np.isnan(lo), v, lo)
    hi = np.where(np.isnan(hi), v, hi)
    return v, lo, hi, list(known["period_end"])


def _known_batch(jobs, cols, n_paths, streams, deterministic) -> np.ndarray:
    """Reported counts per unit and path, ``(units, paths or 1, reports)``.

    A range ``[low, high]`` is drawn uniformly per path from the unit's stream
    3: a whole number from ``ceil(low)`` to ``floor(high)`` (a count), or any
    number between them when no whole number lies in the range.
    """
    nk = len(cols[0][0])
    if nk == 0:
        return np.zeros((len(jobs), 1, 0))
    ranged = [not deterministic and bool(np.any(hi > lo)) for _, lo, hi, _ in cols]
    if not any(ranged):
        return np.stack([c[0] for c in cols])[:, None, :]
    kv = np.empty((len(jobs), n_paths, nk))
    for i, ((v, lo, hi, _), rg) in enumerate(zip(cols, ranged)):
        if rg:
            rng = streams.unit(jobs[i].unit_id, 3)
            lo_i, hi_i = np.ceil(lo - 1e-9), np.floor(hi + 1e-9)
            whole = lo_i <= hi_i
            u = rng.random((n_paths, nk))
            kv[i] = np.where(whole, np.floor(lo_i + (hi_i - lo_i + 1) * u), lo + (hi - lo) * u)
        else:
            kv[i] = v
    return kv


def _draws(fitted, jobs, lay, streams, deterministic, noise_cache=None) -> np.ndarray:
    """Year totals ``(units, paths or 1, years)`` for the years still to come."""
    ids = [j.unit_id for j in jobs]
    if not lay.need:
        return np.zeros((len(jobs), 1, 0), dtype=np.float32)
    att = None
    if jobs[0].attainment is not None:
        att = np.stack([attainment_for(j.attainment, lay.need) for j in jobs])
    if deterministic:
        if att is None:
            return fitted.means_batch(ids, lay.need, streams).mean(axis=1, keepdims=True)
        e = np.stack([fitted.exposure(u, lay.need) for u in ids])
        return (att * e)[:, None, :]
    return fitted.draw_years_batch(ids, lay.need, streams, att, noise_cache)


def _chunk(fitted, jobs, grid, lay, streams, deterministic, returns="summary",
           noise_cache=None) -> list:
    n_paths = 1 if deterministic else streams.n_paths
    cols = [of_report_table(j.known, "arrays", lambda k=j.known: _known_arrays(k))
            for j in jobs]
    kv = _known_batch(jobs, cols, n_paths, streams, deterministic)
    d = _draws(fitted, jobs, lay, streams, deterministic, noise_cache)
    counted: set[int] = set()
    if jobs[0].attainment is None:
        # The rest of a partly reported year follows its count (forecast.simulate.part_year).
        counted = condition_part_years(fitted, jobs, grid, lay, kv, d, streams)
    if not deterministic:
        # A year the window holds in part adds a count, not a share of one
        # (forecast.simulate.thinning).
        thin_partial_years([j.unit_id for j in jobs], lay, d, streams, counted, noise_cache)
    targets = np.array([float(j.target) for j in jobs])
    if returns != "summary":
        # The deadline's total alone: one column of the product below.
        finals = kv @ lay.kf[:, -1] + d.astype(np.float64) @ lay.uc[:, -1]
        if not deterministic:
            finals = np.rint(finals)
        if returns == "paths":
            return [PathParts(kv[i], d[i], finals[i], lay, list(grid.ends))
                    for i in range(len(jobs))]
        return [float(x) for x in _p_reach(finals, targets)]
    kf_m, uc_m = lay.kf[:, lay.marks], lay.uc[:, lay.marks]
    cm = _mark_cumulatives(kv, d, kf_m, uc_m)                    # (units, marks, paths)
    finals = cm[:, -1, :]
    if not deterministic:
        # Every term of the total at the deadline is a whole count; rounding
        # removes the float32 error of storing a part as count / share.
        np.rint(finals, out=finals)
    p = cm.shape[2]
    push = getattr(fitted, "push", None)
    if push is not None and push.active and not deterministic and jobs[0].attainment is None:
        # The final push (forecast.models.push): own stream 6 of each unit.
        for i, job in enumerate(jobs):
            apply_push(finals[i], targets[i], push, streams.unit(job.unit_id, 6))
    valid = np.isfinite(targets) & (targets > 0)
    tol = targets[:, None] - 1e-9
    p_reach = _p_reach(finals, targets)
    means = finals.mean(axis=1)
    qf = sorted_quantiles(np.sort(finals, axis=1))                    # (units, 5)
    varies = (((uc_m > 0).any(axis=0) & (d.shape[1] > 1))
              | ((kf_m > 0).any(axis=0) & (kv.shape[1] > 1)))
    qm = mark_quantiles(cm, varies)                                   # (units, marks, 5)
    qm[:, -1, :] = qf
    n_m = len(grid.ends)
    ranks = [order_rank(q, p) for q in _REACH_Q]
    kth = reach_months(kv, d, cm, lay, tol, ranks, valid, n_m)
    mark_ends = [grid.ends[k] for k in lay.marks]
    years = sorted({int(y) for y in grid.year})
    out = []
    for i, job in enumerate(jobs):
        dates = [None, None, None]
        if valid[i]:
            for r in range(len(ranks)):
                k = int(kth[i, r])
                if k < n_m:
                    dates[r] = grid.ends[k].date().isoformat()
        summary = PathSummary.from_arrays(years, mark_ends, qm[i], cols[i][3],
                                          np.cumsum(cols[i][0]), start=grid.start)
        fin = np.broadcast_to(finals[i], (n_paths,)).copy() if job.keep_finals else None
        monthly = None
        if job.keep_paths:
            monthly = np.broadcast_to(kv[i] @ lay.kf + d[i].astype(np.float64) @ lay.uc,
                                      (n_paths, n_m)).copy()
            monthly[:, -1] = finals[i]   # the deadline's whole count, as above
        out.append(SimResult(float(p_reach[i]), float(means[i]), *(float(x) for x in qf[i]),
                             *dates, summary=summary, finals=fin, monthly=monthly,
                             month_ends=list(grid.ends)))
    return out


def _p_reach(finals: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Share of paths whose final total reaches the target (NaN without a target).

    A count over the paths is the mean of the 0/1 indicators, exactly."""
    valid = np.isfinite(targets) & (targets > 0)
    hits = np.count_nonzero(finals >= targets[:, None] - 1e-9, axis=1)
    return np.where(valid, hits / finals.shape[1], np.nan)


def _mark_cumulatives(kv, d, kf_m, uc_m) -> np.ndarray:
    """``kv · KF + D · UC`` at the marks, ``(units, marks, paths)``: each mark's
    paths contiguous, for the summaries that read them mark by mark.

    With several paths and marks, ``UC' · D'`` is the same matrix product as
    ``D · UC`` (each value the same sum over the years, in the same order)
    written directly in that layout; with one path or one mark the product
    of the natural layout is already in it (a dimension of 1 moves freely).
    """
    kn = kv @ kf_m                                                    # (units, paths or 1, marks)
    if d.shape[1] > 1 and uc_m.shape[1] > 1:
        cm = uc_m.T @ np.ascontiguousarray(d.transpose(0, 2, 1), dtype=np.float64)
        cm += kn.transpose(0, 2, 1)
        return cm
    return np.ascontiguousarray((kn + d.astype(np.float64) @ uc_m).transpose(0, 2, 1))


def simulate_target(fitted: FittedModel, unit_id: str, start: pd.Timestamp,
                    deadline: pd.Timestamp, target: float, known: pd.DataFrame,
                    streams: Streams, attainment=None, deterministic: bool = False,
                    keep_paths: bool = False, grid: "MonthGrid | None" = None) -> SimResult:
    """Simulate one unit's cumulative admissions over a target window.

    Parameters
    ----------
    fitted : FittedModel
        From :func:`forecast.models.base.fit`.
    unit_id : str
    start, deadline : Timestamp
        The target's counting window (``progress_table``'s columns).
    target : float
        The target as a count.
    known : DataFrame
        Reported counts inside the window (``progress.admitted_spans``):
        ``period_start, period_end, value, low, high``.
    streams : Streams
        Seeded random streams (``Streams(seed, n_paths)``).
    attainment : float or sequence, optional
        Future attainment of the exposure (annual target) per simulated year,
        replacing the model's mean; scenarios and the inverse search use it.
    deterministic : bool
        No noise: the mean line (known counts at their central value, each
        future year at its mean). ``p_reach`` is then 0 or 1.
    keep_paths : bool
        Keep the monthly cumulative paths (``n_paths × n_months``) for roll-ups.
    grid : MonthGrid, optional
        ``month_grid(start, deadline, known, fitted.profile)`` computed once
        when the same window is simulated many times (the inverse search).

    Returns
    -------
    SimResult

    Raises
    ------
    ModelError
        When the model cannot forecast the unit (too short a record ...).
    """
    job = Job(unit_id, float(target), known, attainment, keep_paths, keep_finals=True)
    got = simulate_many(fitted, [job], start, deadline, streams, deterministic, grid)[0]
    if isinstance(got, Exception):
        raise got
    return got
