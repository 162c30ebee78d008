"""Monte Carlo paths from the last report to a target's deadline.

For one unit and one target window ``[start, deadline]``, every month of the
window is split into the part that reports already cover and the part still
to come. Each path draws whole-year admissions from a fitted model
(:meth:`forecast.models.base.FittedModel.draw_years_batch`) and spreads each year
over its months by the within-year profile; the uncovered part of a month
gets ``year draw × uncovered share``. Reported counts enter as known (a range
is drawn uniformly per path) and are spread over their months the same way.
From the paths:

- ``p_reach``: share of paths whose total at the deadline is at least the target;
- ``final_*``: mean and quantiles of the total at the deadline;
- ``reach_date_q*``: the month end by which that share of paths has crossed
  the target (``None`` when fewer paths than that ever cross).

A year that is partly reported (nine months in) only adds its remaining share:
the reported months are never scaled up.

The computation is batched (:mod:`forecast.simulate.engine`): many units at
once, monthly paths never materialised; :func:`simulate_target` is a batch of
one, so a unit gets the same numbers alone or among thousands.
:func:`_summarize` is the plain method on materialised monthly paths, kept
for roll-ups and as the reference in the tests.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.models.base import FittedModel, Streams, share_between

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
        Indexed by period end, columns q10, q25, q50, q75, q90 of the
        cumulative count. The first row is the anchor (see :func:`anchor`):
        the last reported cumulative count at its date, every quantile equal
        to it (or 0 at the window's start when nothing is reported), so a fan
        drawn from these rows joins the history line. Then each 31 December
        after the anchor and the deadline. Year ends before the anchor are
        not kept: they are the past, shown by ``history``.
    history : DataFrame
        ``period_end, cumulative``: the reported counts cumulated.
    start : Timestamp, optional
        First day of the window: the anchor when nothing is reported. None
        (roll-ups, hand-made summaries without history) adds no anchor.
    """

    years: list
    cum_quantiles: pd.DataFrame
    history: pd.DataFrame
    start: pd.Timestamp | None = None

    def __post_init__(self) -> None:
        self.cum_quantiles = anchored_quantiles(self.cum_quantiles, self.history, self.start)

    @staticmethod
    def from_arrays(years, mark_ends, quantiles, hist_ends, hist_cum,
                    start=None) -> "PathSummary":
        """A summary whose two DataFrames are built on first access.

        The batched engine makes one per unit; building 2 × 10,000 small
        DataFrames up front would cost seconds that most runs never use.
        """
        return _ArraySummary(years, start=start,
                             raw=(mark_ends, quantiles, hist_ends, hist_cum))


def anchor(history: pd.DataFrame, start=None) -> tuple | None:
    """``(date, cumulative)`` where the forecast starts.

    The last reported period end with the total reported by then; with no
    report, the window's ``start`` with 0; None when neither is known.
    """
    if len(history):
        return (pd.Timestamp(pd.to_datetime(history["period_end"]).max()),
                float(np.max(history["cumulative"])))  # counts: the running total's max is the total
    if start is not None and not pd.isna(start):
        return pd.Timestamp(start), 0.0
    return None


def anchored_quantiles(q: pd.DataFrame, history: pd.DataFrame, start=None) -> pd.DataFrame:
    """``q`` from the anchor on, led by the anchor row (see :class:`PathSummary`).

    Rows before the anchor are dropped; a row already at the anchor's date is
    kept as the engine computed it (a reported range spreads its quantiles);
    otherwise a row with every quantile equal to the anchor's count is put first.
    """
    a = anchor(history, start)
    if a is None or len(q) == 0:
        return q
    when, value = a
    idx = pd.to_datetime(q.index)
    later = q[idx >= when]
    if len(later) and pd.Timestamp(later.index[0]) == when:
        return later
    row = pd.DataFrame({c: [value] for c in q.columns},
                       index=pd.DatetimeIndex([when], name=q.index.name))
    return pd.concat([row, later]) if len(later) else row


class _ArraySummary(PathSummary):
    """:class:`PathSummary` holding arrays until a DataFrame is asked for."""

    def __init__(self, years, cum_quantiles=None, history=None, start=None, *, raw=None):
        self.years = years
        self.start = start
        self._raw = raw
        self._cq = cum_quantiles
        self._hist = history

    @property
    def cum_quantiles(self) -> pd.DataFrame:
        if self._cq is None:
            ends, q = self._raw[0], self._raw[1]
            cq = pd.DataFrame(np.asarray(q, dtype=float), columns=list(QUANTILE_NAMES),
                              index=pd.DatetimeIndex(ends, name="period_end"))
            self._cq = anchored_quantiles(cq, self.history, self.start)
        return self._cq

    @cum_quantiles.setter
    def cum_quantiles(self, value) -> None:
        self._cq = value

    @property
    def history(self) -> pd.DataFrame:
        if self._hist is None:
            self._hist = pd.DataFrame({"period_end": list(self._raw[2]),
                                       "cumulative": np.asarray(self._raw[3], dtype=float)})
        return self._hist

    @history.setter
    def history(self, value) -> None:
        self._hist = value


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
    start: pd.Timestamp | None = None  # first day of the window (None: roll-up grids)


def month_grid(start: pd.Timestamp, deadline: pd.Timestamp, known: pd.DataFrame,
               profile) -> MonthGrid:
    """Split ``[start, deadline]`` into months; see :class:`MonthGrid`.

    Depends only on the window, the profile and the periods of the known
    reports (not their values), so it is cached on those: units reporting
    the same periods share one grid object (and the batched simulation
    groups them by it). The returned grid is shared: do not modify it.
    """
    spans = of_report_table(known, "spans", lambda: tuple(
        zip(known["period_start"], known["period_end"])) if len(known) else ())
    prof = tuple(float(x) for x in profile)
    return _month_grid(pd.Timestamp(start), pd.Timestamp(deadline), prof, spans)


_PER_TABLE: dict = {}
_PER_TABLE_MAX = 50_000


def of_report_table(known: pd.DataFrame, what: str, make):
    """``make()``, worked out once per report table ``known`` (the object) and ``what``.

    The engine reads the same reports at every step of the inverse search
    (their periods for the month grid, their values as arrays); reading a
    few cells through pandas cost more than the step's arithmetic. The
    tables are the shared ones of ``progress.unit_spans``, read-only; the
    cache holds a reference to each, so an id is never reused while its
    entry lives, and it is emptied when it reaches ``_PER_TABLE_MAX``
    entries.
    """
    key = (id(known), what)
    hit = _PER_TABLE.get(key)
    if hit is not None and hit[0] is known:
        return hit[1]
    if len(_PER_TABLE) >= _PER_TABLE_MAX:
        _PER_TABLE.clear()
    value = make()
    _PER_TABLE[key] = (known, value)
    return value


@functools.lru_cache(maxsize=4096)
def _month_grid(start: pd.Timestamp, deadline: pd.Timestamp, profile: tuple,
                spans: tuple) -> MonthGrid:
    first = pd.Timestamp(start.year, start.month, 1)
    months = pd.date_range(first, deadline, freq="MS")
    ends, years, share, uncovered = [], [], [], []
    n_known = len(spans)
    frac = np.zeros((n_known, len(months)))
    ks = [a for a, _ in spans]
    ke = [b for _, b in spans]
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
    grid = MonthGrid(ends, np.array(years), np.array(share), np.array(uncovered), frac, start)
    for arr in (grid.year, grid.share, grid.uncovered, grid.known_frac):
        arr.flags.writeable = False
    return grid


def order_rank(q: float, n: int) -> int:
    """0-based index of the ``q`` quantile among ``n`` sorted values: the smallest
    value with at least ``q n`` values at or below it (numpy's ``inverted_cdf``)."""
    return max(1, math.ceil(q * n - 1e-12 * n)) - 1


def sorted_quantiles(s: np.ndarray) -> np.ndarray:
    """Quantiles of rows already sorted along the last axis, as order statistics.

    A quantile is one of the simulated values (numpy's ``inverted_cdf``), so
    the quantiles of counts are counts: no 17,042.5 between two paths.
    """
    n = s.shape[-1]
    return s[..., [order_rank(q, n) for q in QUANTILES]]


def mark_quantiles(cm: np.ndarray, varies: np.ndarray) -> np.ndarray:
    """Quantiles over paths (``cm``: units × marks × paths) at every mark; marks
    that cannot vary without a sort.

    Sorted in float32 (SIMD sort, half the memory traffic): counts up to
    millions keep a resolution below 0.1.
    """
    c, nm, p = cm.shape
    out = np.empty((c, nm, len(QUANTILES)))
    for k in range(nm - 1):  # the last mark (the deadline) is filled by the caller
        if varies[k]:
            s = cm[:, k, :].astype(np.float32)
            s.sort(axis=1)
            out[:, k, :] = sorted_quantiles(s)
        else:
            out[:, k, :] = cm[:, k, 0][:, None]
    return out


def attainment_for(attainment, years) -> np.ndarray:
    """Attainment per year from a number, a ``year -> value`` callable or mapping,
    or a sequence aligned with ``years``."""
    if callable(attainment):
        return np.array([float(attainment(int(y))) for y in years])
    if isinstance(attainment, dict):
        last = attainment[max(attainment)]
        return np.array([float(attainment.get(int(y), last)) for y in years])
    return np.broadcast_to(np.asarray(attainment, dtype=float), (len(years),)).copy()


def _summarize(cum: np.ndarray, grid: MonthGrid, target: float, known: pd.DataFrame,
               keep_paths: bool) -> SimResult:
    """Summary of materialised monthly paths (roll-ups; the reference the batched
    summary is tested against)."""
    finals = cum[:, -1]
    qs = np.quantile(finals, QUANTILES, method="inverted_cdf")
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
    cq = np.quantile(cum[:, marks], QUANTILES, axis=0, method="inverted_cdf").T
    cum_q = pd.DataFrame(cq, columns=list(QUANTILE_NAMES),
                         index=pd.DatetimeIndex([grid.ends[k] for k in marks], name="period_end"))
    hist = pd.DataFrame({"period_end": list(known["period_end"]) if len(known) else [],
                         "cumulative": np.cumsum(known["value"].to_numpy(dtype=float))
                         if len(known) else []})
    years = sorted(set(int(y) for y in grid.year))
    return SimResult(p, float(finals.mean()), *(float(x) for x in qs), *dates,
                     summary=PathSummary(years, cum_q, hist, grid.start), finals=finals,
                     monthly=cum if keep_paths else None, month_ends=list(grid.ends))
