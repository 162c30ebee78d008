"""Backtest cells: target kind × horizon × record length.

A forecast's quality depends on what is asked (an annual or a term target),
how far ahead (months from the origin to the deadline) and how much the unit
has shown of itself (its whole years of counts). The real-data backtest
reports every score per *cell* of these three, so that a model can be judged
where analysts use it, and so that an ensemble can weigh models per cell.

- **horizon**: ``(deadline - as_of) / 30.4375`` days, in months, binned by
  :data:`HORIZON_EDGES` into ``0-4``, ``4-8``, ``8-13``, ``13-25``, ``25+``
  months. The edges sit between the usual origins: a nine-month report (3
  months left), mid-year (6), 1 January and 31 December before the year (12),
  a term's early years (more than 13).
- **record length**: the number of calendar years for which the unit had
  reported a whole-year count (1 January to 31 December, whole unit, no
  subgroup) by the origin, binned by :data:`RECORD_EDGES` into ``0``, ``1``,
  ``2-3``, ``4+`` (the time-series models need 4).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DAYS_PER_MONTH = 30.4375
HORIZON_EDGES = (0.0, 4.0, 8.0, 13.0, 25.0)
"""Lower edges (months) of the horizon bins; the last bin is open."""
HORIZON_BINS = ("0-4", "4-8", "8-13", "13-25", "25+")
RECORD_EDGES = (0, 1, 2, 4)
"""Lower edges (whole years) of the record-length bins; the last bin is open."""
RECORD_BINS = ("0", "1", "2-3", "4+")
CELL_COLUMNS = ["target_kind", "horizon", "record"]


def horizon_months(as_of, deadline) -> np.ndarray:
    """Months from each origin to its deadline (days / 30.4375)."""
    d = pd.to_datetime(pd.Series(deadline)).to_numpy() - pd.to_datetime(pd.Series(as_of)).to_numpy()
    return (d / np.timedelta64(1, "D")).astype(float) / DAYS_PER_MONTH


def bin_labels(values, edges, names) -> list[str]:
    """The name of each value's bin (bins closed on the left; below the first edge: first bin)."""
    idx = np.searchsorted(np.asarray(edges, dtype=float), np.asarray(values, dtype=float),
                          side="right") - 1
    return [names[max(int(i), 0)] for i in idx]


def horizon_bin(months) -> list[str]:
    """``0-4``, ``4-8``, ``8-13``, ``13-25`` or ``25+`` (months to the deadline)."""
    return bin_labels(months, HORIZON_EDGES, HORIZON_BINS)


def record_bin(years) -> list[str]:
    """``0``, ``1``, ``2-3`` or ``4+`` (whole years of counts)."""
    return bin_labels(years, RECORD_EDGES, RECORD_BINS)


def whole_year_counts(observations: pd.DataFrame) -> pd.DataFrame:
    """``unit_id, year, period_end`` of every whole-unit count of a whole calendar year."""
    o = observations
    full = o[(o["measure"] == "admitted") & (o["subgroup"].fillna("") == "")
             & o["period_start"].notna() & o["value"].notna()
             & (o["period_start"].dt.month == 1) & (o["period_start"].dt.day == 1)
             & (o["period_end"].dt.month == 12) & (o["period_end"].dt.day == 31)
             & (o["period_start"].dt.year == o["period_end"].dt.year)]
    return (full.assign(year=full["period_end"].dt.year)[["unit_id", "year", "period_end"]]
            .drop_duplicates(["unit_id", "year"]).reset_index(drop=True))


def record_years(observations: pd.DataFrame, unit_ids, as_of) -> np.ndarray:
    """Whole years of counts each unit had reported by its origin (module docstring)."""
    full = whole_year_counts(observations)
    ends = {u: np.sort(g["period_end"].to_numpy()) for u, g in full.groupby("unit_id")}
    out = []
    for u, d in zip(unit_ids, pd.to_datetime(pd.Series(as_of))):
        e = ends.get(u)
        out.append(0 if e is None else int(np.searchsorted(e, np.datetime64(d), side="right")))
    return np.asarray(out, dtype=int)


def assign_cells(cases: pd.DataFrame, observations: pd.DataFrame) -> pd.DataFrame:
    """Add ``horizon_months, horizon, record_years, record`` to a case table.

    ``cases`` needs ``unit_id, as_of, deadline`` (and ``target_kind``, the
    third cell key).
    """
    out = cases.copy()
    months = horizon_months(out["as_of"], out["deadline"])
    years = record_years(observations, out["unit_id"], out["as_of"])
    out["horizon_months"] = months
    out["horizon"] = horizon_bin(months)
    out["record_years"] = years
    out["record"] = record_bin(years)
    return out
