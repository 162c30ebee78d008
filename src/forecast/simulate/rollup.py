"""Parents from their children's simulated paths.

A district's outlook can come from its own reports or from the sum of its
communes'. The children's paths share the year shocks (path ``i`` of every
unit lives in the same simulated world, see ``forecast.models.base.Streams``), so
summing them path by path keeps the correlation: a bad year hits every
commune at once and the parent's range is wider than a sum of independent
forecasts would be.

The roll-up is only a forecast of the parent when the children *cover* it
(:func:`coverage`); otherwise it is a lower bound and says so. Where the parent
reports its own figures, :func:`compare_reported` sets them against the
children's summed paths (Krông Bông's 23 by June against Cư Pui's part).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import ModelError
from forecast.simulate.engine import PathParts
from forecast.simulate.summary import MonthGrid, SimResult, _summarize

MIN_TARGET_SHARE = 0.9
"""Children's targets must add up to at least this share of the parent's
target for the children to cover it. Targets are assigned down the hierarchy
and usually add up to the parent's or more; well below it, units are missing
from the data."""

COMPARISON_COLUMNS = ["obs_id", "period_end", "reported", "children_q10", "children_q50",
                      "children_q90", "difference", "percentile"]
"""``difference`` = reported − children's median; ``percentile`` = share of
paths whose children's sum is at or below the reported figure."""


@dataclass(frozen=True)
class Coverage:
    """Whether a parent's children account for all of it.

    Attributes
    ----------
    covered : bool
    children : tuple of str
        Children listed in the dataset.
    with_paths : tuple of str
        Children with simulated paths for the same window.
    missing : tuple of str
        Children without paths (no data and no target, or a model refusal).
    target_share : float or None
        Sum of the children's targets / the parent's target, when both known.
    reason : str
        One sentence for the diagnostics.
    """

    covered: bool
    children: tuple[str, ...]
    with_paths: tuple[str, ...]
    missing: tuple[str, ...]
    target_share: float | None
    reason: str


def coverage(children: Iterable[str], with_paths: Iterable[str],
             parent_target: float | None = None,
             child_targets: Mapping[str, float] | None = None,
             min_target_share: float = MIN_TARGET_SHARE,
             require_targets: bool = False) -> Coverage:
    """Decide whether children cover a parent.

    Covered when (1) the parent has children in the dataset, (2) every one of
    them has simulated paths for the window, and (3) when the parent's
    target and all children's targets are known, the children's add up to at
    least ``min_target_share`` of the parent's. Without targets, (3) cannot be
    checked and the reason says so.

    Parameters
    ----------
    children : iterable of str
        The parent's children in the dataset (``Dataset.children``).
    with_paths : iterable of str
        Children that have simulated paths.
    parent_target : float, optional
    child_targets : mapping, optional
        ``unit_id`` → target of the same kind, term and year.
    min_target_share : float
    require_targets : bool
        Only covered when (3) could be checked: with the targets unknown a
        province with one district in the dataset would pass. The outlook
        asks for this; a caller summing children without a parent target
        may not.
    """
    kids = tuple(children)
    have = set(with_paths)
    with_p = tuple(c for c in kids if c in have)
    missing = tuple(c for c in kids if c not in have)
    share = None
    child_targets = dict(child_targets or {})
    if (parent_target is not None and np.isfinite(parent_target) and parent_target > 0
            and kids and all(c in child_targets and np.isfinite(child_targets[c]) for c in kids)):
        share = float(sum(child_targets[c] for c in kids) / parent_target)
    if not kids:
        return Coverage(False, kids, with_p, missing, share, "no children in the dataset")
    if missing:
        return Coverage(False, kids, with_p, missing, share,
                        f"{len(missing)} of {len(kids)} children have no forecast "
                        f"({', '.join(missing)}): the sum is a lower bound")
    if share is not None and share < min_target_share:
        return Coverage(False, kids, with_p, missing, share,
                        f"children's targets add up to {share:.0%} of the parent's: units "
                        "are missing from the data, the sum is a lower bound")
    if share is None and require_targets:
        return Coverage(False, kids, with_p, missing, share,
                        "the parent's or some children's targets are unknown, so whether "
                        "the children are all of the parent cannot be checked: the sum may "
                        "be a lower bound")
    if share is None:
        return Coverage(True, kids, with_p, missing, share,
                        "every child in the dataset has a forecast; completeness not checked "
                        "(targets missing)")
    return Coverage(True, kids, with_p, missing, share,
                    f"every child has a forecast and their targets add up to {share:.0%} "
                    "of the parent's")


def add_paths(parts: list) -> np.ndarray:
    """The sum of several units' monthly cumulative paths, path by path.

    Units on the same month grid are added in the linear form first
    (``sum kv @ KF + sum D @ UC``), so each grid costs one product.

    Returns
    -------
    numpy.ndarray
        ``paths × months``, float64.
    """
    groups: dict = {}
    for part in parts:
        groups.setdefault(id(part.layout), []).append(part)
    total = None
    for same in groups.values():
        lay = same[0].layout
        kv = sum(p.kv for p in same)
        d = sum(p.d.astype(np.float64) for p in same)
        m = kv @ lay.kf + d @ lay.uc
        total = m if total is None else total + m
    n = max(max(p.kv.shape[0], p.d.shape[0]) for p in parts)
    total = np.broadcast_to(total, (n, total.shape[1])).copy()
    total[:, -1] = sum(p.final for p in parts)
    return total


def sum_paths(children: Mapping[str, Any]) -> tuple[np.ndarray, list[pd.Timestamp]]:
    """Sum children's monthly cumulative paths path by path.

    Parameters
    ----------
    children : mapping
        ``unit_id`` → a result with ``monthly`` (``n_paths × n_months``
        cumulative counts, from ``simulate_target(..., keep_paths=True)``) and
        ``month_ends``, or the engine's
        :class:`~forecast.simulate.engine.PathParts` (``simulate_many(...,
        returns="paths")``, cheaper for many children). All must share the
        window and the number of paths (and the seed: path ``i`` must be the
        same world for all).

    Returns
    -------
    cum : numpy.ndarray
        ``n_paths × n_months`` cumulative sum.
    month_ends : list of Timestamp
    """
    if not children:
        raise ModelError("roll-up: no children's paths given; expected at least one.")
    first_id, first = next(iter(children.items()))
    ends = list(first.month_ends)
    total, parts, n_first = None, [], None
    for uid, res in children.items():
        parted = isinstance(res, PathParts)
        if not parted and res.monthly is None:
            raise ModelError(
                f"roll-up: unit {uid!r} has no stored paths. Fix: simulate it with "
                "keep_paths=True.")
        n = max(res.kv.shape[0], res.d.shape[0]) if parted else res.monthly.shape[0]
        n_first = n if n_first is None else n_first
        if list(res.month_ends) != ends or n != n_first:
            raise ModelError(
                f"roll-up: unit {uid!r} was simulated over {len(res.month_ends)} months "
                f"({n} paths), unit {first_id!r} over {len(ends)} "
                f"({n_first} paths); expected the same window and number of "
                "paths. Fix: simulate every child over the parent's target window.")
        if parted:
            parts.append(res)
        else:
            total = res.monthly.astype(float) if total is None else total + res.monthly
    if parts:
        total = add_paths(parts) if total is None else total + add_paths(parts)
    return total, ends


def cumulative_at(cum: np.ndarray, month_ends: list[pd.Timestamp], start: pd.Timestamp,
                  date: pd.Timestamp) -> np.ndarray:
    """Per-path cumulative count at ``date``, linear within its month."""
    date = pd.Timestamp(date)
    k = next((i for i, e in enumerate(month_ends) if e >= date), None)
    if k is None or date < pd.Timestamp(start):
        raise ModelError(f"roll-up: {date.date()} is outside the simulated window "
                         f"{pd.Timestamp(start).date()} - {month_ends[-1].date()}.")
    prev_end = month_ends[k - 1] if k > 0 else pd.Timestamp(start) - pd.Timedelta(days=1)
    prev = cum[:, k - 1] if k > 0 else np.zeros(cum.shape[0])
    frac = (date - prev_end).days / max((month_ends[k] - prev_end).days, 1)
    return prev + (cum[:, k] - prev) * frac


def compare_reported(cum: np.ndarray, month_ends: list[pd.Timestamp], start: pd.Timestamp,
                     reported: pd.DataFrame) -> pd.DataFrame:
    """Parent's own reported counts against its children's summed paths.

    Parameters
    ----------
    cum, month_ends
        From :func:`sum_paths`.
    start : Timestamp
        First day of the window; only reports counted from it are compared.
    reported : DataFrame
        The parent's whole-unit ``admitted`` observations (``obs_id``,
        ``period_start``, ``period_end``, ``value``).

    Returns
    -------
    DataFrame
        :data:`COMPARISON_COLUMNS`, one row per comparable report.
    """
    rows = []
    start = pd.Timestamp(start)
    for r in reported.itertuples(index=False):
        if pd.Timestamp(r.period_start) != start or not (start <= r.period_end <= month_ends[-1]):
            continue
        at = cumulative_at(cum, month_ends, start, r.period_end)
        q10, q50, q90 = np.quantile(at, (0.1, 0.5, 0.9))
        rows.append((r.obs_id, r.period_end, float(r.value), float(q10), float(q50),
                     float(q90), float(r.value - q50), float(np.mean(at <= r.value))))
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


@dataclass
class Rollup:
    """A parent's outcome from its children.

    Attributes
    ----------
    parent_id : str
    coverage : Coverage
    result : SimResult
        ``p_reach``, quantiles and reach dates of the children's sum (the
        outlook's probabilistic columns via ``result.outlook_values()``).
    comparison : DataFrame
        :func:`compare_reported` (empty when the parent reports nothing
        comparable).
    """

    parent_id: str
    coverage: Coverage
    result: SimResult
    comparison: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=COMPARISON_COLUMNS))

    @property
    def diagnostics(self) -> str:
        return f"roll-up of {len(self.coverage.with_paths)} children: {self.coverage.reason}"


def rollup(parent_id: str, children: Mapping[str, Any], target: float | None, start: Any,
           cover: Coverage | None = None, reported: pd.DataFrame | None = None) -> Rollup:
    """Parent's totals and ``p_reach`` from its children's correlated paths.

    Parameters
    ----------
    parent_id : str
    children : mapping
        ``unit_id`` → ``SimResult`` simulated with ``keep_paths=True`` over the
        parent's window, with the same seed and number of paths.
    target : float or None
        The parent's target as a count (None: no ``p_reach``).
    start : date-like
        First day of the window.
    cover : Coverage, optional
        From :func:`coverage`; default: covered by the children given.
    reported : DataFrame, optional
        The parent's own admitted counts, for :func:`compare_reported`.
    """
    cum, ends = sum_paths(children)
    grid = MonthGrid(ends, np.array([e.year for e in ends]), None, None, None)
    empty = pd.DataFrame({"period_end": [], "value": []})
    tgt = float(target) if target is not None else float("nan")
    result = _summarize(cum, grid, tgt, empty, keep_paths=True)
    if cover is None:
        cover = coverage(children, children)
    comp = (compare_reported(cum, ends, pd.Timestamp(start), reported)
            if reported is not None and len(reported) else
            pd.DataFrame(columns=COMPARISON_COLUMNS))
    return Rollup(parent_id, cover, result, comp)


def rollup_from_dataset(dataset: Any, parent_target: pd.Series, children: Mapping[str, Any],
                        as_of: Any = None,
                        min_target_share: float = MIN_TARGET_SHARE,
                        require_targets: bool = False) -> Rollup:
    """:func:`rollup` with coverage and the parent's reports taken from a dataset.

    Parameters
    ----------
    dataset : Dataset
    parent_target : Series
        The parent's row of ``dataset.targets`` (``unit_id``, ``term``,
        ``kind``, ``year``, ``value``, ``start``, ``deadline``).
    children : mapping
        Children's ``SimResult`` for the same window (``keep_paths=True``).
    as_of : date-like, optional
        Only the parent's reports that ended by then are compared.
    min_target_share : float
    require_targets : bool
        See :func:`coverage`.
    """
    pid = parent_target["unit_id"]
    kids = dataset.children(pid)
    t = dataset.targets
    same = t[(t["unit_id"].isin(kids)) & (t["term"] == parent_target["term"])
             & (t["kind"] == parent_target["kind"]) & (t["measure"] == "count")]
    if parent_target["kind"] == "annual":
        same = same[same["year"] == parent_target["year"]]
    child_targets = same.groupby("unit_id")["value"].median().to_dict()
    cover = coverage(kids, [k for k in children if k in kids], float(parent_target["value"]),
                     child_targets, min_target_share, require_targets)
    obs = dataset.rows_of("observations", pid)
    rep = obs[(obs["unit_id"] == pid) & (obs["measure"] == "admitted")
              & (obs["subgroup"].fillna("") == "")]
    if as_of is not None:
        rep = rep[rep["period_end"] <= pd.Timestamp(as_of)]
    use = {k: v for k, v in children.items() if k in kids}
    return rollup(pid, use, float(parent_target["value"]), parent_target["start"], cover, rep)
