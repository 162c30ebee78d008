"""Monte Carlo paths from the last report to a target's deadline.

For one unit and one target window ``[start, deadline]``, every month of the
window is split into the part that reports already cover and the part still
to come. Each path draws whole-year admissions from a fitted model
(:meth:`forecast.models.FittedModel.draw_years`) and spreads each year over
its months by the within-year profile; the uncovered part of a month gets
``year draw × uncovered share``. Reported counts enter as known (a range is
drawn uniformly per path) and are spread over their months the same way.
Cumulating gives a monthly path per simulation, from which

- ``p_reach``: share of paths whose total at the deadline is at least the target;
- ``final_*``: mean and quantiles of the total at the deadline;
- ``reach_date_q*``: the month end by which that share of paths has crossed
  the target (``None`` when fewer paths than that ever cross).

A year that is partly reported (nine months in) only adds its remaining share:
the reported months are never scaled up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .models import FittedModel, Streams, share_between

QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)
QUANTILE_NAMES = ("q10", "q25", "q50", "q75", "q90")


@dataclass
class PathSummary:
    """Simulated cumulative paths of one unit and target, for figures.

    Attributes
    ----------
    years : list of int
        Calendar years of the window.
    cum_quantiles : DataFrame
        Indexed by period end (each 31 December in the window and the
        deadline), columns q10, q25, q50, q75, q90 of the cumulative count.
    history : DataFrame
        ``period_end, cumulative``: the reported counts cumulated.
    """

    years: list
    cum_quantiles: pd.DataFrame
    history: pd.DataFrame


@dataclass
class SimResult:
    """Probabilistic outcome of one unit and target."""

    p_reach: float
    final_mean: float
    final_q10: float
    final_q25: float
    final_q50: float
    final_q75: float
    final_q90: float
    reach_date_q10: str | None
    reach_date_q50: str | None
    reach_date_q90: str | None
    summary: PathSummary
    finals: np.ndarray = field(repr=False)
    monthly: np.ndarray | None = field(default=None, repr=False)
    month_ends: list = field(default_factory=list, repr=False)

    def outlook_values(self) -> dict:
        """The outlook table's probabilistic columns."""
        keys = ("p_reach", "final_mean", "final_q10", "final_q25", "final_q50", "final_q75",
                "final_q90", "reach_date_q10", "reach_date_q50", "reach_date_q90")
        return {k: getattr(self, k) for k in keys}


@dataclass
class MonthGrid:
    """Months of a window with the share of the year each covers and still misses."""

    ends: list           # month-end Timestamps (the deadline for the last)
    year: np.ndarray     # calendar year of each month
    share: np.ndarray    # profile share of its year in the month (inside the window)
    uncovered: np.ndarray
    known_frac: np.ndarray  # (n_known, n_months): how each report spreads over months


def month_grid(start: pd.Timestamp, deadline: pd.Timestamp, known: pd.DataFrame,
               profile) -> MonthGrid:
    """Split ``[start, deadline]`` into months; see :class:`MonthGrid`."""
    first = pd.Timestamp(start.year, start.month, 1)
    months = pd.date_range(first, deadline, freq="MS")
    ends, years, share, uncovered = [], [], [], []
    n_known = len(known)
    frac = np.zeros((n_known, len(months)))
    ks = list(known["period_start"]) if n_known else []
    ke = list(known["period_end"]) if n_known else []
    for k, ms in enumerate(months):
        a = max(ms, start)
        b = min(ms + pd.offsets.MonthEnd(0), deadline)
        s = share_between(a, b, profile)
        c = 0.0
        for j in range(n_known):
            lo, hi = max(a, ks[j]), min(b, ke[j])
            if hi >= lo:
                f = share_between(lo, hi, profile)
                frac[j, k] = f
                c += f
        ends.append(b)
        years.append(b.year)
        share.append(s)
        uncovered.append(max(s - c, 0.0))
    tot = frac.sum(1, keepdims=True)
    frac = np.divide(frac, tot, out=np.zeros_like(frac), where=tot > 0)
    return MonthGrid(ends, np.array(years), np.array(share), np.array(uncovered), frac)


def attainment_for(attainment, years) -> np.ndarray:
    """Attainment per year from a number, a ``year -> value`` callable or mapping,
    or a sequence aligned with ``years``."""
    if callable(attainment):
        return np.array([float(attainment(int(y))) for y in years])
    if isinstance(attainment, dict):
        last = attainment[max(attainment)]
        return np.array([float(attainment.get(int(y), last)) for y in years])
    return np.broadcast_to(np.asarray(attainment, dtype=float), (len(years),)).copy()


def _known_values(known: pd.DataFrame, n_paths: int, rng, deterministic: bool) -> np.ndarray:
    """Reported counts per path: a range ``[low, high]`` is drawn uniformly."""
    if known.empty:
        return np.zeros((n_paths, 0))
    v = known["value"].to_numpy(dtype=float)
    lo = known["low"].fillna(known["value"]).to_numpy(dtype=float)
    hi = known["high"].fillna(known["value"]).to_numpy(dtype=float)
    if deterministic or np.all(hi <= lo):
        return np.broadcast_to(v, (n_paths, len(v)))
    return lo + (hi - lo) * rng.random((n_paths, len(v)))


def simulate_target(fitted: FittedModel, unit_id: str, start: pd.Timestamp,
                    deadline: pd.Timestamp, target: float, known: pd.DataFrame,
                    streams: Streams, attainment=None, deterministic: bool = False,
                    keep_paths: bool = False, grid: "MonthGrid | None" = None) -> SimResult:
    """Simulate one unit's cumulative admissions over a target window.

    Parameters
    ----------
    fitted : FittedModel
        From :func:`forecast.models.fit`.
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
    grid = grid if grid is not None else month_grid(start, deadline, known, fitted.profile)
    n = 1 if deterministic else streams.n_paths
    kv = _known_values(known, n, streams.unit(unit_id, 3), deterministic)
    months = kv @ grid.known_frac if len(known) else np.zeros((n, len(grid.ends)))
    need = sorted({int(y) for y, u in zip(grid.year, grid.uncovered) if u > 0})
    if need:
        if deterministic:
            if attainment is None:
                draws = fitted.yearly_means(unit_id, need, streams).mean(0, keepdims=True)
            else:
                draws = (attainment_for(attainment, need)
                         * fitted.exposure(unit_id, need))[None, :]
        else:
            att = None if attainment is None else attainment_for(attainment, need)
            draws = fitted.draw_years(unit_id, need, streams, att)
        col = {y: j for j, y in enumerate(need)}
        idx = np.array([col.get(int(y), 0) for y in grid.year])
        months = months + draws[:, idx] * grid.uncovered[None, :]
    cum = np.cumsum(months, axis=1)
    return _summarize(cum, grid, target, known, keep_paths)


def _summarize(cum: np.ndarray, grid: MonthGrid, target: float, known: pd.DataFrame,
               keep_paths: bool) -> SimResult:
    finals = cum[:, -1]
    qs = np.quantile(finals, QUANTILES)
    dates = [None, None, None]
    p = float("nan")
    if np.isfinite(target) and target > 0:
        p = float(np.mean(finals >= target - 1e-9))
        reached = cum >= target - 1e-9
        first = np.where(reached.any(1), reached.argmax(1), len(grid.ends))
        share_by_month = np.cumsum(np.bincount(first, minlength=len(grid.ends) + 1))[:-1]
        share_by_month = share_by_month / len(finals)
        for i, q in enumerate((0.1, 0.5, 0.9)):
            hit = np.flatnonzero(share_by_month >= q - 1e-12)
            if len(hit):
                dates[i] = grid.ends[hit[0]].date().isoformat()
    marks = [k for k, e in enumerate(grid.ends)
             if (e.month == 12 and e.day == 31) or k == len(grid.ends) - 1]
    cq = np.quantile(cum[:, marks], QUANTILES, axis=0).T
    cum_q = pd.DataFrame(cq, columns=list(QUANTILE_NAMES),
                         index=pd.DatetimeIndex([grid.ends[k] for k in marks], name="period_end"))
    hist = pd.DataFrame({"period_end": list(known["period_end"]) if len(known) else [],
                         "cumulative": np.cumsum(known["value"].to_numpy(dtype=float))
                         if len(known) else []})
    years = sorted(set(int(y) for y in grid.year))
    return SimResult(p, float(finals.mean()), *(float(x) for x in qs), *dates,
                     summary=PathSummary(years, cum_q, hist), finals=finals,
                     monthly=cum if keep_paths else None, month_ends=list(grid.ends))
