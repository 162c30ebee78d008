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
    covers the most days (weighted interval scheduling). On a tie, more and
    shorter periods win: yearly counts over the "since the term began" total
    that sums them, because they show the path and give the models one
    figure a year (the audit checks that the two agree). Two reports of the
    very same period keep the later row (the audit shows the conflict).

    Returns
    -------
    DataFrame
        The chosen observation rows, sorted by period, with their columns
        (``obs_id``, ``period_start``, ``period_end``, ``low``, ``high``,
        ``value``, ``qualifier``, ...).
    """
    obs = observations
    mask = (
        (obs["unit_id"] == unit_id)
        & (obs["measure"] == "admitted")
        & (obs["subgroup"].fillna("") == "")
        & obs["period_start"].notna()
        & (obs["period_start"] >= start)
        & (obs["period_end"] <= end)
    )
    if as_of is not None:
        mask &= obs["period_end"] <= as_of
    cand = obs[mask]
    if cand.empty:
        return cand
    # Same period reported twice: keep the last row (rows are in source order).
    cand = cand.drop_duplicates(["period_start", "period_end"], keep="last")
    cand = cand.sort_values(["period_end", "period_start"]).reset_index(drop=True)
    starts = cand["period_start"].to_numpy()
    ends = cand["period_end"].to_numpy()
    days = ((ends - starts) / np.timedelta64(1, "D")).astype(float) + 1
    n = len(cand)
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
    return cand.iloc[sorted(picked)].reset_index(drop=True)


def cumulative_history(observations: pd.DataFrame, unit_id: str, start: pd.Timestamp,
                       end: pd.Timestamp, as_of: pd.Timestamp | None = None,
                       spans: pd.DataFrame | None = None) -> pd.DataFrame:
    """Reported cumulative admissions over a window, as points for a chart.

    The running total of :func:`admitted_spans`, plus every whole-unit count
    that starts on the window's first day and ends inside what those spans
    cover: such a count is a cumulative figure by itself (Krông Bông's 23 by
    30 June as well as its 96 by 12 October). On a date both give, the
    running total wins.

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
    points = pd.DataFrame({"period_end": spans["period_end"],
                           "cumulative": spans["value"].astype(float).cumsum()})
    obs = observations
    nested = obs[(obs["unit_id"] == unit_id) & (obs["measure"] == "admitted")
                 & (obs["subgroup"].fillna("") == "") & (obs["period_start"] == start)
                 & (obs["period_end"] <= points["period_end"].max())]
    extra = pd.DataFrame({"period_end": nested["period_end"],
                          "cumulative": nested["value"].astype(float)})
    both = pd.concat([points, extra[~extra["period_end"].isin(points["period_end"])]])
    both = both.drop_duplicates("period_end", keep="last")
    return both.sort_values("period_end").reset_index(drop=True)


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


def progress_row(dataset, target: pd.Series, as_of: pd.Timestamp | None,
                 assumptions: Assumptions) -> dict:
    """Progress of one unit towards one target, as of a date."""
    obs = dataset.rows_of("observations", target["unit_id"])
    start, deadline = target["start"], target["deadline"]
    spans = admitted_spans(obs, target["unit_id"], start, deadline, as_of)
    cumulative = float(spans["value"].sum()) if not spans.empty else 0.0
    data_through = spans["period_end"].max() if not spans.empty else None
    effective = as_of if as_of is not None else (data_through or start)
    counted_to = data_through if data_through is not None else start
    covered_days = float(((spans["period_end"] - spans["period_start"]).dt.days + 1).sum()) \
        if not spans.empty else 0.0
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
    unit = dataset.rows_of("units", target["unit_id"]).iloc[0]
    return {
        "unit_id": target["unit_id"],
        "name": unit["name_vi"],
        "level": unit["level"],
        "parent_id": unit["parent_id"] if isinstance(unit["parent_id"], str) else None,
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
        "label": pace_label(ratio, remaining, not spans.empty, assumptions),
    }


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
    for _, target in chosen.iterrows():
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
