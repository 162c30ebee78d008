"""What happened and when it could have been forecast: outcomes, origins, the past as it stood.

For the backtest (:mod:`forecast.evaluate.backtest`): :func:`outcomes` says
which targets the data show reached or missed, :func:`origins` the dates
from which each is forecast, :func:`cut` the dataset as it stood at such a
date and :func:`reached_by` which targets the counts at a date already
reach (known, not forecast).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from forecast.models.attainment import report_share
from forecast.models.progress import admitted_spans, target_count


def outcomes(dataset, tolerance_days: int = 31) -> pd.DataFrame:
    """The realized total and reached yes/no of every target the data can tell.

    The total is the sum of the non-overlapping whole-unit counts
    (:func:`forecast.models.progress.admitted_spans`) inside the target's window,
    extended by ``tolerance_days`` after the deadline (a term report dated at
    the congress); it counts only if those counts cover the window but for at
    most ``tolerance_days``. Failing that, an attainment (``attainment_pct``)
    or excess (``excess_pct``) report naming the target over its window says
    whether it was reached (its total then derived as share x target).

    Returns
    -------
    DataFrame
        ``target_id, unit_id, kind, year, start, deadline, target, outcome,
        reached, how, known_by`` (``how``: ``counts``, ``attainment`` or
        ``reached_early``; ``known_by``: the end of the report that settles
        the outcome when it ends before the deadline, else the deadline).
    """
    obs = dataset.observations
    rows = []
    for _, t in dataset.targets.iterrows():
        goal = target_count(t, obs)
        if not np.isfinite(goal) or goal <= 0:
            continue
        start, deadline = t["start"], t["deadline"]
        window = (deadline - start).days + 1
        spans = admitted_spans(obs, t["unit_id"], start,
                               deadline + pd.Timedelta(days=tolerance_days))
        covered = float(((spans["period_end"] - spans["period_start"]).dt.days + 1).sum()) \
            if not spans.empty else 0.0
        final, how, known_by = float("nan"), "", deadline
        if not spans.empty and covered >= window - tolerance_days \
                and spans["period_end"].max() >= deadline - pd.Timedelta(days=tolerance_days):
            final, how = float(spans["value"].sum()), "counts"
            known_by = min(deadline, spans["period_end"].max())
        else:
            pct = obs[(obs["unit_id"] == t["unit_id"]) & (obs["ref"] == t["target_id"])
                      & obs["measure"].isin(["attainment_pct", "excess_pct"])
                      & (obs["subgroup"].fillna("") == "")
                      & (obs["period_end"] >= deadline - pd.Timedelta(days=tolerance_days))]
            inside = admitted_spans(obs, t["unit_id"], start, deadline)
            if not pct.empty:
                r = pct.iloc[-1]
                share = float(report_share(r["value"], r["measure"]))
                final, how = float(share * goal), "attainment"
                known_by = min(deadline, r["period_end"])
            elif not inside.empty and inside["value"].sum() >= goal - 1e-9:
                how = "reached_early"
        if how:
            reached = 1 if how == "reached_early" else int(final >= goal - 1e-9)
            rows.append({"target_id": t["target_id"], "unit_id": t["unit_id"],
                         "kind": t["kind"], "year": t["year"], "start": start,
                         "deadline": deadline, "target": goal, "outcome": final,
                         "reached": reached, "how": how, "known_by": known_by})
    cols = ["target_id", "unit_id", "kind", "year", "start", "deadline", "target", "outcome",
            "reached", "how", "known_by"]
    return pd.DataFrame(rows, columns=cols)


def origins(dataset, known: pd.DataFrame, as_of_dates=None) -> pd.DataFrame:
    """Forecast origins ``(target_id, as_of, origin)`` for targets with a known outcome.

    Without ``as_of_dates``:

    - ``report``: the end of every whole-unit admission report of the unit
      that lies inside the target's window and before its deadline (and
      before the report that settles the outcome, ``known_by``);
    - ``year_start``: for an annual target, 1 January of its year;
    - ``year_before``: for an annual target, 31 December of the year before
      (an analyst asking about next year's target at the year's end);
    - ``year_end``: for a term target, 31 December of each year of the term
      before its deadline (the term's first years, with or without reports).

    With ``as_of_dates``: those dates, wherever they fall in a window. In both
    cases an annual target is forecast only from dates in its own year and
    from 31 December of the year before.
    """
    obs = dataset.observations
    adm = obs[(obs["measure"] == "admitted") & (obs["subgroup"].fillna("") == "")]
    ends = adm.groupby("unit_id")["period_end"].apply(lambda s: sorted(set(s)))
    given = None if as_of_dates is None else sorted({pd.Timestamp(d) for d in as_of_dates})
    rows = []
    for _, t in known.iterrows():
        start = t["start"]
        # no origin once the report that gives the outcome is in (a count to 30 November
        # taken as the year's total is not forecast from 30 November)
        known_by = t.get("known_by", pd.NaT)
        deadline = t["deadline"] if pd.isna(known_by) else min(t["deadline"], known_by)
        annual = t["kind"] == "annual"
        eve = pd.Timestamp(int(t["year"]) - 1, 12, 31) if annual else None
        if given is not None:
            cands = [(d, "given") for d in given]
        else:
            # the calendar origins first: a report ending on one keeps its name
            if annual:
                cands = [(eve, "year_before"), (pd.Timestamp(int(t["year"]), 1, 1), "year_start")]
            else:
                cands = [(pd.Timestamp(y, 12, 31), "year_end")
                         for y in range(start.year, deadline.year + 1)]
            cands += [(d, "report") for d in ends.get(t["unit_id"], [])]
        seen = set()
        for d, kind in cands:
            # an annual target's window is its year: inside it, or on its eve
            if d in seen or not (start <= d < deadline or d == eve):
                continue
            seen.add(d)
            rows.append({"target_id": t["target_id"], "as_of": d, "origin": kind})
    return pd.DataFrame(rows, columns=["target_id", "as_of", "origin"])


def cut(dataset, as_of: pd.Timestamp):
    """The dataset as it stood at ``as_of``: past reports, targets already set.

    Reports whose period ended by ``as_of``; term targets; annual targets of
    the year of the day after ``as_of`` or earlier. So on 31 December next
    year's targets are known (set by the time the year begins; the backtest
    asks whether the *actual* target is reached, so it gives the engine that
    target rather than making it guess one), and on any other day only the
    current year's.
    """
    obs = dataset.observations_until(as_of)
    t = dataset.targets
    set_by = (as_of + pd.Timedelta(days=1)).year
    keep = (t["kind"] == "term") | (t["year"].fillna(0).astype(int) <= set_by)
    return dataclasses.replace(dataset, observations=obs.reset_index(drop=True),
                               targets=t[keep].reset_index(drop=True))


def reached_by(dataset, truth: pd.DataFrame, as_of: pd.Timestamp) -> set:
    """Targets whose counts reported by ``as_of`` already add up to the target."""
    obs = dataset.observations
    done = set()
    for tid, t in truth.iterrows():
        spans = admitted_spans(obs, t["unit_id"], t["start"], t["deadline"], as_of)
        if not spans.empty and float(spans["value"].sum()) >= t["target"] - 1e-9:
            done.add(tid)
    return done
