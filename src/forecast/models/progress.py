"""Progress to target: the arithmetic an analyst does by hand, made explicit.

For each unit and target, from the figures reported up to an as-of date:
cumulative admitted, remaining, time left, the pace required to close the
gap, the pace observed so far, their ratio and the label that the
progress-to-target methods of official statistics would give. These are the
first columns of the outlook table; the engine adds the probabilities.

How the cumulative count is built from mixed reports is in
:func:`admitted_spans`; the thresholds and term boundaries are assumptions
(``docs/assumptions.md``, A1-A3).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.config import Assumptions

DAYS_PER_YEAR = 365.25

LABELS = ("reached", "on track", "acceleration needed", "limited progress", "no data")
"""Pace labels. The middle three follow the progress-to-target convention of
official statistics (e.g. the UN SDG progress charts): observed / required pace
≥ 0.95 on track, 0.6-0.95 acceleration needed, below 0.6 limited progress."""

PROGRESS_COLUMNS = [
    "unit_id", "name", "level", "parent_id", "term", "target_kind", "target_id",
    "start", "deadline", "as_of", "data_through", "target", "cumulative", "remaining",
    "years_left", "required_per_year", "observed_per_year", "pace_ratio", "label",
    "target_source",
]

ASSUMED_LAYER = "assumed"
"""``layer`` of an annual target the data do not print, assumed by the toolkit."""


def whole_unit_admitted(observations: pd.DataFrame, unit_id: str) -> np.ndarray:
    """Boolean mask of the unit's ``admitted`` counts for the whole unit (no subgroup)."""
    sub = observations["subgroup"].to_numpy()
    return ((observations["unit_id"].to_numpy() == unit_id)
            & (observations["measure"].to_numpy() == "admitted")
            & (pd.isna(sub) | (sub == "")))


def _datetime64(when) -> np.datetime64:
    return pd.Timestamp(when).to_datetime64()


def admitted_spans(
    observations: pd.DataFrame,
    unit_id: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    as_of: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """The whole-unit admission counts that together say most about a window.

    Reports overlap: a first-half count, a nine-month count and the full year;
    three yearly counts and "since the term began". Among the counts for the
    whole unit (no subgroup) whose period lies inside ``[start, end]`` and
    ended by ``as_of``, this picks the set of non-overlapping periods that
    covers the most days (weighted interval scheduling, :func:`pick_spans`).
    On a tie, more and shorter periods win: yearly counts over the "since the
    term began" total that sums them, because they show the path and give
    the models one figure a year (the audit checks that the two agree). Two
    reports of the very same period keep the later row (the audit shows the
    conflict).

    The work is done on the columns as numpy arrays: this runs for every
    unit and target (:func:`unit_spans` keeps each answer of a dataset).

    Returns
    -------
    DataFrame
        The chosen observation rows, sorted by period, with their columns
        (``obs_id``, ``period_start``, ``period_end``, ``low``, ``high``,
        ``value``, ``qualifier``, ...).
    """
    return _choose(SpanCandidates(observations, unit_id), start, end, as_of)


class SpanCandidates:
    """A unit's whole-unit admission counts, the rows :func:`admitted_spans` chooses from.

    Worked out once per unit (:func:`unit_spans` keeps them on the dataset):
    each target window then only compares dates.
    """

    def __init__(self, observations: pd.DataFrame, unit_id: str):
        self.observations = observations
        self.pos = np.flatnonzero(whole_unit_admitted(observations, unit_id))
        self.starts = observations["period_start"].to_numpy()[self.pos]
        self.ends = observations["period_end"].to_numpy()[self.pos]
        self._all = self._none = None

    def rows(self, chosen: np.ndarray) -> pd.DataFrame:
        """The observation rows of the candidates at positions ``chosen``, index reset
        (none: the empty frame, with the table's own index type)."""
        if not len(chosen):
            if self._none is None:
                self._none = self.observations.iloc[self.pos[chosen]]
            return self._none
        if len(chosen) == len(self.pos) and (chosen == np.arange(len(self.pos))).all():
            # A window that keeps every candidate in order (the usual case): made once.
            if self._all is None:
                self._all = self.observations.iloc[self.pos].reset_index(drop=True)
            return self._all
        return self.observations.iloc[self.pos[chosen]].reset_index(drop=True)


def _choose(cand: SpanCandidates, start, end, as_of) -> pd.DataFrame:
    """:func:`admitted_spans` of the candidates ``cand`` for one window and date."""
    starts, ends = cand.starts, cand.ends
    # NaT compares False, so rows without a start (or an end) drop out here.
    mask = (starts >= _datetime64(start)) & (ends <= _datetime64(end))
    if as_of is not None:
        mask &= ends <= _datetime64(as_of)
    rows = np.flatnonzero(mask)
    return cand.rows(rows[pick_spans(starts[rows], ends[rows])] if len(rows) else rows)


def pick_spans(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Which candidate periods :func:`admitted_spans` keeps (weighted interval scheduling).

    Parameters
    ----------
    starts, ends : numpy.ndarray of datetime64
        The candidate periods, in source order.

    Returns
    -------
    numpy.ndarray of int
        Positions into ``starts``/``ends`` of the chosen periods, sorted by
        period end then start.
    """
    # Same period reported twice: keep the last row (rows are in source order).
    last = {key: i for i, key in enumerate(zip(starts.tolist(), ends.tolist()))}
    keep = sorted(last.values(), key=lambda i: (ends[i], starts[i]))
    starts, ends = starts[keep], ends[keep]
    days = ((ends - starts) / np.timedelta64(1, "D")).astype(float) + 1
    n = len(keep)
    # best[i] = (days covered, pieces) of the best choice among the first i rows.
    best: list[tuple[float, int]] = [(0.0, 0)]
    choice: list[tuple[bool, int]] = []
    for i in range(n):
        # last row j < i whose period ends before row i starts
        j = int(np.searchsorted(ends[:i], starts[i], side="left"))
        take = (best[j][0] + days[i], best[j][1] + 1)
        skip = best[i]
        if take > skip:
            best.append(take)
            choice.append((True, j))
        else:
            best.append(skip)
            choice.append((False, i))
    picked = []
    i = n
    while i > 0:
        took, j = choice[i - 1]
        if took:
            picked.append(i - 1)
            i = j
        else:
            i -= 1
    return np.array([keep[i] for i in sorted(picked)], dtype=np.intp)


def unit_spans(dataset, unit_id: str, start: pd.Timestamp, end: pd.Timestamp,
               as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """:func:`admitted_spans` of a unit of ``dataset``, worked out once per window and date.

    The progress table, the simulation and the roll-ups ask for the same
    unit, window and date; the answer is kept on the dataset
    (``Dataset.memo``). The frame returned is shared: read it, do not modify it.
    """
    def candidates():
        return dataset.memo("observations", ("span_candidates", unit_id),
                            lambda: SpanCandidates(dataset.rows_of("observations", unit_id),
                                                   unit_id))

    return dataset.memo("observations", ("admitted_spans", unit_id, start, end, as_of),
                        lambda: _choose(candidates(), start, end, as_of))


def cumulative_history(observations: pd.DataFrame, unit_id: str, start: pd.Timestamp,
                       end: pd.Timestamp, as_of: pd.Timestamp | None = None,
                       spans: pd.DataFrame | None = None) -> pd.DataFrame:
    """Reported cumulative admissions over a window, as points for a chart.

    The running total of :func:`admitted_spans`, plus every whole-unit count
    that starts on the window's first day and ends inside what those spans
    cover: such a count is a cumulative figure by itself (Krông Bông's 23 by
    30 June as well as its 96 by 12 October). On a date both give, the
    running total wins; of two such counts ending the same day, the later row.

    ``spans``, when given, is :func:`admitted_spans` for the same window,
    already computed by the caller.

    Returns
    -------
    DataFrame
        ``period_end``, ``cumulative``, sorted by date.
    """
    if spans is None:
        spans = admitted_spans(observations, unit_id, start, end, as_of)
    if spans.empty:
        return pd.DataFrame({"period_end": pd.Series(dtype="datetime64[ns]"),
                             "cumulative": pd.Series(dtype=float)})
    span_ends = spans["period_end"].to_numpy()
    running = spans["value"].astype(float).cumsum().to_numpy()
    obs = observations
    ends = obs["period_end"].to_numpy()
    nested = np.flatnonzero(whole_unit_admitted(obs, unit_id)
                            & (obs["period_start"].to_numpy() == _datetime64(start))
                            & (ends <= span_ends.max()))
    points = {}
    for when, value in zip(ends[nested].tolist(), obs["value"].to_numpy()[nested].tolist()):
        points[when] = float(value)
    points.update(zip(span_ends.tolist(), running.tolist()))
    dates = sorted(points)
    return pd.DataFrame({"period_end": np.array(dates, dtype=span_ends.dtype),
                         "cumulative": np.array([points[d] for d in dates], dtype=float)})


def target_count(targets_row: pd.Series, observations: pd.DataFrame) -> float:
    """The target as a count: rate targets are applied to the latest membership.

    A ``pct_members`` target (e.g. 3 % a year) becomes rate × the membership
    last reported on or before the target's start, or, if none, the first one
    reported after it (assumption A8). NaN when no membership is known.
    """
    if targets_row["measure"] == "count":
        return float(targets_row["value"])
    members = observations[
        (observations["unit_id"] == targets_row["unit_id"])
        & (observations["measure"] == "members")
        & (observations["subgroup"].fillna("") == "")
    ].sort_values("period_end")
    if members.empty:
        return float("nan")
    before = members[members["period_end"] <= targets_row["start"]]
    base = before.iloc[-1] if not before.empty else members.iloc[0]
    years = 1.0
    if targets_row["kind"] == "term":
        years = (targets_row["deadline"] - targets_row["start"]).days / DAYS_PER_YEAR
    return float(targets_row["value"]) / 100 * float(base["value"]) * years


def pace_label(ratio: float, remaining: float, cumulative_known: bool,
               assumptions: Assumptions) -> str:
    """The official-statistics label for an observed / required pace ratio."""
    if not cumulative_known:
        return "no data"
    if remaining <= 0:
        return "reached"
    if ratio >= assumptions.pace_on_track:
        return "on track"
    if ratio >= assumptions.pace_limited:
        return "acceleration needed"
    return "limited progress"


def progress_row(dataset, target, as_of: pd.Timestamp | None,
                 assumptions: Assumptions) -> dict:
    """Progress of one unit towards one target, as of a date.

    ``target`` is a row of ``dataset.targets`` (a Series or a dict of its columns).
    """
    uid = target["unit_id"]
    obs = dataset.rows_of("observations", uid)
    start, deadline = target["start"], target["deadline"]
    spans = unit_spans(dataset, uid, start, deadline, as_of)
    known = not spans.empty
    cumulative = float(spans["value"].sum()) if known else 0.0
    data_through = spans["period_end"].max() if known else None
    effective = as_of if as_of is not None else (data_through or start)
    counted_to = data_through if data_through is not None else start
    covered_days = 0.0
    if known:
        length = spans["period_end"].to_numpy() - spans["period_start"].to_numpy()
        covered_days = float((length // np.timedelta64(1, "D") + 1).sum())
    goal = target_count(target, obs)
    remaining = max(goal - cumulative, 0.0)
    years_left = max((deadline - counted_to).days / DAYS_PER_YEAR, 0.0)
    observed = cumulative / (covered_days / DAYS_PER_YEAR) if covered_days else float("nan")
    if remaining <= 0:
        required = 0.0
    elif years_left > 0:
        required = remaining / years_left
    else:
        required = float("inf")
    if required == 0:
        ratio = float("inf")
    else:
        ratio = observed / required if np.isfinite(required) else 0.0
    name, level, parent = _unit_fields(dataset)[uid]
    return {
        "unit_id": uid,
        "name": name,
        "level": level,
        "parent_id": parent,
        "term": target["term"],
        "target_kind": target["kind"],
        "target_id": target["target_id"],
        "start": start,
        "deadline": deadline,
        "as_of": effective,
        "data_through": data_through,
        "target": goal,
        "cumulative": cumulative,
        "remaining": remaining,
        "years_left": years_left,
        "required_per_year": required,
        "observed_per_year": observed,
        "pace_ratio": ratio,
        "label": pace_label(ratio, remaining, known, assumptions),
    }


def _unit_fields(dataset) -> dict:
    """``unit_id`` → (Vietnamese name, level, parent id or None), built once per dataset."""
    def build():
        u = dataset.units
        out: dict = {}
        for uid, name, level, parent in zip(u["unit_id"], u["name_vi"], u["level"],
                                            u["parent_id"]):
            out.setdefault(uid, (name, level, parent if isinstance(parent, str) else None))
        return out

    return dataset.memo("units", "progress_fields", build)


def select_targets(dataset, as_of: pd.Timestamp | None,
                   units: list[str] | None = None) -> pd.DataFrame:
    """Targets that an outlook as of a date reports on.

    Every term target whose term has begun by ``as_of`` or whose deadline
    lies after it (all of them when ``as_of`` is None), and the annual
    targets of ``as_of``'s year and every later year in the data (when
    ``as_of`` is None, of the year of each unit's latest admission report
    and later). Annual targets the data do not print are added by the caller
    (:func:`forecast.models.exposure.assumed_targets`).
    """
    t = dataset.targets
    if units is not None:
        t = t[t["unit_id"].isin(units)]
    term = t[t["kind"] == "term"]
    annual = t[t["kind"] == "annual"]
    if as_of is not None:
        term = term[(term["start"] <= as_of) | (term["deadline"] > as_of)]
        annual = annual[annual["year"] >= as_of.year]
    else:
        adm = dataset.observations[dataset.observations["measure"] == "admitted"]
        latest = adm.groupby("unit_id")["period_end"].max().dt.year
        annual = annual[annual["year"] >= annual["unit_id"].map(latest)]
    return pd.concat([term, annual]).sort_values(["unit_id", "kind", "start"])


def progress_table(dataset, as_of: pd.Timestamp | None = None,
                   assumptions: Assumptions | None = None,
                   units: list[str] | None = None,
                   extra_targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """Progress of every unit towards its term and current annual targets.

    Parameters
    ----------
    dataset : Dataset
        Loaded data.
    as_of : Timestamp, optional
        Use only figures reported up to this date. None: each target as of its
        latest figure.
    assumptions : Assumptions, optional
        Pace thresholds (A3); defaults if None.
    units : list of str, optional
        Restrict to these unit ids.
    extra_targets : DataFrame, optional
        More targets (rows like ``dataset.targets``), e.g. the assumed annual
        targets of :func:`forecast.models.exposure.assumed_targets`.

    Returns
    -------
    DataFrame
        Columns :data:`PROGRESS_COLUMNS`, one row per unit and target with a
        known count. ``years_left`` and the required pace run from the last
        reported figure (``data_through``) to the deadline.
    """
    assumptions = assumptions or Assumptions()
    chosen = select_targets(dataset, as_of, units)
    if extra_targets is not None and not extra_targets.empty:
        chosen = pd.concat([chosen, extra_targets]).sort_values(["unit_id", "kind", "start"])
    rows = []
    for target in chosen.to_dict("records"):
        row = progress_row(dataset, target, as_of, assumptions)
        row["target_source"] = "assumed" if target.get("layer") == ASSUMED_LAYER else "reported"
        rows.append(row)
    table = pd.DataFrame(rows, columns=PROGRESS_COLUMNS)
    return table[table["target"].notna()].reset_index(drop=True)


def units_with_progress(dataset, as_of: pd.Timestamp | None = None) -> list[str]:
    """Units with at least one target and a reported count towards it.

    These are the units a forecast says something about; the others have a
    target and no report yet, or reports and no target.
    """
    table = progress_table(dataset, as_of=as_of)
    known = table[table["label"] != "no data"]["unit_id"]
    return [u for u in dataset.units["unit_id"] if u in set(known)]
