"""Unit lineage: mergers, splits, renames, dissolutions and moves, and the
histories they carry over.

The ``lineage`` table (``data/README.md``) has one row per predecessor and
successor of an event. :func:`check_lineage` refuses a lineage that cannot
be true (a unit that does not exist, a unit merged twice, a date outside a
unit's life, a cycle, split shares above 100 %), with one
:class:`~forecast.errors.Problem` per row. :func:`carry_histories` then turns
the predecessors' reports into the successor's history: for every period that
every predecessor reports, the successor gets one derived observation, the
sum of the predecessors' counts (times the split share; a share given as a
range makes the sum a range). Periods that only some predecessors report are
kept in :attr:`Dataset.history <forecast.data.dataset.Dataset>` for charts
and reviews, marked partial, and are not given to the models: a sum with a
missing predecessor is only a floor.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from forecast.errors import Problem
from forecast.data.numbers import ParseError, parse_date, parse_quantity
from forecast.data.rows import problem_at
from forecast.data.schema import ENDING_EVENTS

LINEAGE_COLUMNS = ["event_id", "event", "date", "predecessor_id", "successor_id", "share",
                   "share_low", "share_high", "source_id", "note", "where"]
HISTORY_COLUMNS = ["unit_id", "predecessor_id", "event_id", "measure", "period_start",
                   "period_end", "value", "low", "high", "share", "complete", "missing"]
"""Columns of :attr:`Dataset.history`: one row per predecessor's report carried
to a successor; ``complete`` says whether every predecessor reported the
period, ``missing`` names those that did not."""
CARRIED_MEASURES = ("admitted", "members")
"""Measures a successor inherits: flows are added up, and stocks of the same date."""
LINEAGE_SUFFIX = "-lineage"
"""Ending of the ``obs_id`` of a derived observation."""


def _share(text: str) -> tuple[float, float] | None:
    """A split share as a fraction (low, high); None when blank or unreadable."""
    if not str(text).strip():
        return None
    try:
        q = parse_quantity(text)
    except ParseError:
        return None
    if not q.percent or q.low is None or q.high is None:
        return None
    return q.low / 100, q.high / 100


def _date(text: str) -> pd.Timestamp | None:
    try:
        return parse_date(text)
    except ParseError:
        return None  # reported by check_cells


def check_lineage(raw: Mapping[str, pd.DataFrame]) -> list[Problem]:
    """Every problem of the lineage table, row by row.

    Parameters
    ----------
    raw : mapping
        Raw text tables (blank cells as ``""``), with ``_file``, ``_sheet``, ``_row``.

    Returns
    -------
    list of Problem
    """
    lin = raw["lineage"]
    if lin.empty:
        return []
    units = set(raw["units"]["unit_id"])
    sources = set(raw["sources"]["source_id"])
    problems: list[Problem] = []
    for i in lin.index:
        event, pred, succ = lin.at[i, "event"], lin.at[i, "predecessor_id"], lin.at[i, "successor_id"]
        if pred and pred not in units:
            problems.append(problem_at(lin, i, "predecessor_id", pred, "a unit listed in units.unit_id",
                               f"add a row for {pred} to units.csv, or correct the id"))
        if succ and succ not in units:
            what = "the new parent" if event == "move" else f"the unit it {event}s into"
            problems.append(problem_at(lin, i, "successor_id", succ,
                               f"{what}, a unit listed in units.unit_id",
                               f"add a row for {succ} to units.csv first (name, level, "
                               "parent), or correct the id"))
        if event == "dissolve" and succ:
            problems.append(problem_at(lin, i, "successor_id", succ, "blank: a dissolved unit has no "
                               "successor", "use event merge if its members went to "
                               f"{succ}, or blank the cell"))
        elif event and event != "dissolve" and not succ:
            problems.append(problem_at(lin, i, "successor_id", "", f"the unit after the {event}",
                               "fill in successor_id (the new parent for move)"))
        if pred and pred == succ:
            problems.append(problem_at(lin, i, "successor_id", succ, "a unit other than the predecessor",
                               "a unit cannot succeed itself; correct one of the ids"))
        src = lin.at[i, "source_id"]
        if src and sources and src not in sources:
            problems.append(problem_at(lin, i, "source_id", src, "an id listed in sources.source_id",
                               "add the source to sources.csv, or correct the id"))
        problems += _share_problems(lin, i)
    problems += _late_reports(lin, raw["observations"])
    problems += _twice(lin)
    problems += _lives(lin)
    problems += _cycles(lin)
    problems += _split_totals(lin)
    return problems


def _share_problems(lin: pd.DataFrame, i) -> list[Problem]:
    text, event = lin.at[i, "share"], lin.at[i, "event"]
    if event == "split" and not str(text).strip():
        return [problem_at(lin, i, "share", "", "the share of the predecessor going to this successor",
                   "write it in percent (40%), or as a range (30-50%) where it is assumed")]
    if not str(text).strip():
        return []
    got = _share(text)
    if got is None or not 0 < got[0] <= got[1] <= 1:
        return [problem_at(lin, i, "share", text, "a share in percent above 0 and at most 100 % "
                   "(40%, 30-50%)", "write the share with a % sign, e.g. 40%")]
    if event != "split" and got != (1.0, 1.0):
        return [problem_at(lin, i, "share", text, f"blank or 100% for a {event} (the whole unit)",
                   "use event split to pass on part of a unit, or blank the share")]
    return []


def _late_reports(lin: pd.DataFrame, obs: pd.DataFrame) -> list[Problem]:
    """Reports of a unit for a period that begins after the unit ended."""
    gone: dict[str, tuple[pd.Timestamp, object]] = {}
    for i in lin.index:
        d = _date(lin.at[i, "date"])
        pred = lin.at[i, "predecessor_id"]
        if d is not None and lin.at[i, "event"] in ENDING_EVENTS and pred not in gone:
            gone[pred] = (d, i)
    problems = []
    for i in obs.index[obs["unit_id"].isin(list(gone))]:
        d, j = gone[obs.at[i, "unit_id"]]
        begin = _date(obs.at[i, "period_start"] or obs.at[i, "period_end"])
        if begin is not None and begin >= d:
            problems.append(problem_at(obs, i, "unit_id", obs.at[i, "unit_id"],
                               f"a unit that still existed; {obs.at[i, 'unit_id']} ended on "
                               f"{d.date()} ({lin.at[j, '_file']}, row {lin.at[j, '_row']}, "
                               f"event {lin.at[j, 'event_id']})",
                               f"give the report to the successor "
                               f"{lin.at[j, 'successor_id'] or '(none: dissolved)'}, or "
                               "correct the event's date"))
    return problems


def _ending_rows(lin: pd.DataFrame) -> dict[str, list]:
    """Rows of events that end each predecessor, in file order."""
    out: dict[str, list] = {}
    for i in lin.index:
        if lin.at[i, "event"] in ENDING_EVENTS and lin.at[i, "predecessor_id"]:
            out.setdefault(lin.at[i, "predecessor_id"], []).append(i)
    return out


def _twice(lin: pd.DataFrame) -> list[Problem]:
    """A unit ended by two different events (merged twice, merged and dissolved)."""
    problems = []
    for pred, rows in _ending_rows(lin).items():
        first = rows[0]
        for i in rows[1:]:
            if lin.at[i, "event_id"] != lin.at[first, "event_id"]:
                problems.append(problem_at(
                    lin, i, "predecessor_id", pred,
                    f"a unit that ends once; {pred} already ends in event "
                    f"{lin.at[first, 'event_id']} (row {lin.at[first, '_row']})",
                    "keep one of the two events; a unit split among several successors is "
                    "one split event with a row per successor"))
    return problems


def _lives(lin: pd.DataFrame) -> list[Problem]:
    """Event dates outside the predecessor's or the successor's life.

    A unit's life starts at the first event that creates it (as a successor)
    and ends at the event that ends it (as a predecessor); units with no such
    event have open lives.
    """
    created: dict[str, tuple[pd.Timestamp, object]] = {}
    ended: dict[str, tuple[pd.Timestamp, object]] = {}
    for i in lin.index:
        d = _date(lin.at[i, "date"])
        if d is None:
            continue
        succ, pred = lin.at[i, "successor_id"], lin.at[i, "predecessor_id"]
        if succ and lin.at[i, "event"] != "move" and (succ not in created
                                                      or d < created[succ][0]):
            created[succ] = (d, i)
        if pred and lin.at[i, "event"] in ENDING_EVENTS and pred not in ended:
            ended[pred] = (d, i)
    problems = []
    for i in lin.index:
        d = _date(lin.at[i, "date"])
        if d is None:
            continue
        for col, unit in (("predecessor_id", lin.at[i, "predecessor_id"]),
                          ("successor_id", lin.at[i, "successor_id"])):
            born, gone = created.get(unit), ended.get(unit)
            if born is not None and d < born[0] and born[1] != i:
                problems.append(_life(lin, i, unit, d, "created", born))
            elif col == "predecessor_id" and lin.at[i, "event"] in ENDING_EVENTS:
                continue  # a second ending of the predecessor is _twice's problem
            elif gone is not None and gone[1] != i and (d > gone[0] or (
                    col == "successor_id" and d >= gone[0])):
                problems.append(_life(lin, i, unit, d, "ended", gone))
    return problems


def _life(lin: pd.DataFrame, i, unit: str, d: pd.Timestamp, how: str, other) -> Problem:
    when, j = other
    side = "after" if how == "created" else "before"
    return problem_at(lin, i, "date", lin.at[i, "date"],
              f"a date within the life of {unit}, which was {how} on {when.date()} "
              f"(event {lin.at[j, 'event_id']}, row {lin.at[j, '_row']})",
              f"correct the date (on or {side} {when.date()}) or the unit id")


def _cycles(lin: pd.DataFrame) -> list[Problem]:
    """Successions that lead back to their start (each cycle reported once)."""
    nxt: dict[str, list[tuple[str, object]]] = {}
    for i in lin.index:
        pred, succ = lin.at[i, "predecessor_id"], lin.at[i, "successor_id"]
        if pred and succ and lin.at[i, "event"] != "move":
            nxt.setdefault(pred, []).append((succ, i))
    problems, reported = [], set()

    def walk(unit: str, path: list[str], rows: list) -> None:
        for succ, i in nxt.get(unit, []):
            if succ in path:
                cycle = path[path.index(succ):]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    chain = " → ".join([*cycle, succ])
                    problems.append(problem_at(lin, i, "successor_id", succ,
                                       f"successions that never lead back; they loop: {chain}",
                                       "correct the predecessor or successor of one row "
                                       "in the loop"))
            elif len(path) < len(nxt) + 1:
                walk(succ, [*path, succ], [*rows, i])

    for start in nxt:
        walk(start, [start], [])
    return problems


def _split_totals(lin: pd.DataFrame) -> list[Problem]:
    """A predecessor whose split shares add up to more than 100 %."""
    problems = []
    splits = lin[lin["event"] == "split"]
    for (event_id, pred), grp in splits.groupby(["event_id", "predecessor_id"], sort=False):
        shares = [_share(s) for s in grp["share"]]
        if any(s is None for s in shares):
            continue  # reported row by row
        low = sum(s[0] for s in shares)
        if low > 1 + 1e-9:
            i = grp.index[-1]
            listed = " + ".join(grp["share"])
            problems.append(problem_at(lin, i, "share", lin.at[i, "share"],
                               f"shares of {pred} in split {event_id} that add up to at most "
                               f"100 %; they add up to {low:.0%} ({listed})",
                               "correct the shares (a range such as 30-50% where a share is "
                               "assumed)"))
    return problems


def lineage_frame(raw: pd.DataFrame) -> pd.DataFrame:
    """The validated lineage table, typed (dates, shares as fractions)."""
    rows = []
    for i in raw.index:
        share = _share(raw.at[i, "share"]) or (1.0, 1.0)
        where = f"{raw.at[i, '_file']}, row {raw.at[i, '_row']}"
        rows.append((raw.at[i, "event_id"], raw.at[i, "event"], parse_date(raw.at[i, "date"]),
                     raw.at[i, "predecessor_id"], raw.at[i, "successor_id"],
                     (share[0] + share[1]) / 2, share[0], share[1], raw.at[i, "source_id"],
                     raw.at[i, "note"], where))
    out = pd.DataFrame(rows, columns=LINEAGE_COLUMNS)
    out["date"] = pd.to_datetime(out["date"]).astype("datetime64[ns]")
    return out


def carry_histories(lineage: pd.DataFrame, observations: pd.DataFrame,
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The successors' histories from their predecessors' reports.

    Successors are handled in date order, so that a unit merged twice over
    (A into B in 2020, B into C in 2025) passes A's years on to C.

    Parameters
    ----------
    lineage : DataFrame
        :func:`lineage_frame`.
    observations : DataFrame
        Typed observations (``Dataset.observations``).

    Returns
    -------
    observations : DataFrame
        The input with one derived row per successor, measure and period that
        every predecessor reports and the successor does not report itself
        (``obs_id`` ending in :data:`LINEAGE_SUFFIX`; the note lists the
        terms of the sum).
    history : DataFrame
        :data:`HISTORY_COLUMNS`, every predecessor's report carried over,
        complete or not.
    """
    carried = lineage[lineage["event"].isin(["merge", "split", "rename"])]
    hist_rows: list[dict] = []
    derived: list[dict] = []
    obs = observations
    for (date, succ), edges in carried.groupby(["date", "successor_id"], sort=True):
        whole = obs[obs["measure"].isin(CARRIED_MEASURES) & (obs["subgroup"] == "")
                    & (obs["period_end"] < date)]
        own = set(zip(*[whole.loc[whole["unit_id"] == succ, c]
                        for c in ("measure", "period_start", "period_end")]))
        preds = list(dict.fromkeys(edges["predecessor_id"]))
        parts: dict[tuple, dict[str, pd.Series]] = {}
        for _, edge in edges.iterrows():
            mine = whole[whole["unit_id"] == edge["predecessor_id"]]
            mine = mine.drop_duplicates(["measure", "period_start", "period_end"])
            for _, o in mine.iterrows():
                key = (o["measure"], o["period_start"], o["period_end"])
                parts.setdefault(key, {})[edge["predecessor_id"]] = (o, edge)
        for key, got in parts.items():
            missing = [p for p in preds if p not in got]
            for pred, (o, edge) in got.items():
                hist_rows.append({
                    "unit_id": succ, "predecessor_id": pred, "event_id": edge["event_id"],
                    "measure": key[0], "period_start": key[1], "period_end": key[2],
                    "value": o["value"] * edge["share"], "low": o["low"] * edge["share_low"],
                    "high": o["high"] * edge["share_high"], "share": edge["share"],
                    "complete": not missing, "missing": ", ".join(missing)})
            if not missing and key not in own:
                derived.append(_derived(succ, key, list(got.values())))
        if derived:
            obs = pd.concat([obs, pd.DataFrame(derived)], ignore_index=True)
            derived = []
    history = pd.DataFrame(hist_rows, columns=HISTORY_COLUMNS)
    for c in ("period_start", "period_end"):
        history[c] = history[c].astype("datetime64[ns]")
    history["complete"] = history["complete"].astype(bool)
    return obs[observations.columns].reset_index(drop=True), history


def _derived(succ: str, key: tuple, got: list) -> dict:
    """One derived observation: the sum of the predecessors' reports of a period."""
    measure, start, end = key
    value = sum(o["value"] * e["share"] for o, e in got)
    low = sum(o["low"] * e["share_low"] for o, e in got)
    high = sum(o["high"] * e["share_high"] for o, e in got)
    quals = {o["qualifier"] for o, _ in got}
    if pd.isna(high):
        qualifier = "at_least"
    elif low != high:
        qualifier = "range"
    elif quals <= {"exact"}:
        qualifier = "exact"
    else:
        qualifier = "approx"
    terms = " + ".join(
        f"{o['unit_id']} {o['value_text']}" + (f" × {e['share']:.0%}" if e["share"] != 1 else "")
        for o, e in got)
    events = ", ".join(dict.fromkeys(e["event_id"] for _, e in got))
    first = got[0][0]
    span = f"{start.date()}-to-" if not pd.isna(start) else ""
    return {
        "obs_id": f"{succ}-{measure}-{span}{end.date()}{LINEAGE_SUFFIX}", "unit_id": succ,
        "measure": measure, "subgroup": "", "value_text": terms, "low": low, "high": high,
        "value": value, "qualifier": qualifier, "period_start": start, "period_end": end,
        "period_kind": first["period_kind"], "ref": "", "source_id": first["source_id"],
        "locator": "", "note": f"[lineage {events}] sum of the predecessors' reports: {terms}.",
        "corrected_from": ""}


def ended_units(dataset, as_of: pd.Timestamp | None) -> list[str]:
    """Units that a merge, split, rename or dissolution ended on or before ``as_of``.

    Such a unit has no future to forecast: it appears only in the term review
    (:mod:`forecast.outlook.review`). None: no unit (an outlook as of each
    unit's latest figure).
    """
    if as_of is None or dataset.lineage.empty:
        return []
    lin = dataset.lineage
    gone = lin[lin["event"].isin(ENDING_EVENTS) & (lin["date"] <= as_of)]
    return list(dict.fromkeys(gone["predecessor_id"]))

