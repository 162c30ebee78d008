"""Each unit's admission counts as the models see them (:class:`UnitData`).

:func:`prepare` gives every unit its non-overlapping whole-unit counts up
to the as-of date, each spread over calendar years by the within-year
profile (:func:`count_observations`), and its exposure
(:func:`forecast.models.exposure.unit_exposure`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.models.exposure import Exposure, unit_exposure, year_weights
from forecast.models.progress import pick_spans, whole_unit_admitted


COUNT_COLUMNS = ["obs_id", "period_start", "period_end", "value", "low", "high", "weights"]


def count_observations(dataset, unit_id: str, as_of: pd.Timestamp | None,
                       profile) -> pd.DataFrame:
    """Non-overlapping admitted counts of a unit, each with its year weights.

    Within each calendar year the reports that cover most of it are kept
    (``progress.pick_spans``, the choice of ``admitted_spans``: the full year
    over the nine months over the first half). A multi-year span ("since the
    term began") is kept for the years no yearly report covers: the yearly
    counts it contains are subtracted from it (``low``/``high`` widened
    accordingly); a span that only partly overlaps a yearly report is
    dropped, since what it adds cannot be separated.

    Works on the unit's few rows as numpy arrays: it runs once per unit.

    Returns
    -------
    DataFrame
        :data:`COUNT_COLUMNS`; ``weights`` is a dict year → profile share.
    """
    obs = dataset.rows_of("observations", unit_id)
    starts = obs["period_start"].to_numpy()
    ends = obs["period_end"].to_numpy()
    value, low, high = (obs[c].to_numpy(dtype=float) for c in ("value", "low", "high"))
    mask = whole_unit_admitted(obs, unit_id) & ~np.isnat(starts) & ~np.isnan(value)
    if as_of is not None:
        mask &= ends <= pd.Timestamp(as_of).to_datetime64()
    mine = np.flatnonzero(mask)
    if not len(mine):
        return pd.DataFrame(columns=COUNT_COLUMNS)
    ids = obs["obs_id"].to_numpy()
    first_year = starts[mine].astype("datetime64[Y]")
    same_year = first_year == ends[mine].astype("datetime64[Y]")  # NaT: not the same
    single, multi = mine[same_year], mine[~same_year]
    picked = np.array([], dtype=np.intp)
    for y in np.unique(first_year[same_year]):
        # The calendar year's window, 1 January to 31 December.
        jan1, dec31 = y.astype("datetime64[D]"), (y + 1).astype("datetime64[D]") - 1
        inside = single[(starts[single] >= jan1) & (ends[single] <= dec31)]
        picked = np.concatenate([picked, inside[pick_spans(starts[inside], ends[inside])]])
    rows = []
    for i in picked:
        s0, s1 = pd.Timestamp(starts[i]), pd.Timestamp(ends[i])
        rows.append(_count_row(ids[i], s0, s1, value[i], low[i], high[i],
                               year_weights(s0, s1, profile)))
    multi = multi[~np.isnat(ends[multi])]
    if len(multi):
        for k in multi[pick_spans(starts[multi], ends[multi])]:
            inside = picked[(starts[picked] >= starts[k]) & (ends[picked] <= ends[k])]
            partial = picked[(ends[picked] >= starts[k]) & (starts[picked] <= ends[k])]
            if len(partial) > len(inside):
                continue
            s0, s1 = pd.Timestamp(starts[k]), pd.Timestamp(ends[k])
            w = year_weights(s0, s1, profile)
            for i in inside:
                for y, x in year_weights(pd.Timestamp(starts[i]), pd.Timestamp(ends[i]),
                                         profile).items():
                    w[y] = w.get(y, 0.0) - x
            w = {y: x for y, x in w.items() if x > 1e-9}
            lo_in = float(np.where(np.isnan(low[inside]), value[inside], low[inside]).sum())
            hi_in = float(np.where(np.isnan(high[inside]), value[inside], high[inside]).sum())
            rest = value[k] - float(value[inside].sum())
            lo = (low[k] if np.isfinite(low[k]) else value[k]) - hi_in
            hi = (high[k] if np.isfinite(high[k]) else value[k]) - lo_in
            if sum(w.values()) < 0.05 or rest < 0:
                continue
            rows.append(_count_row(ids[k], s0, s1, rest, max(lo, 0.0), max(hi, 0.0), w))
    if not rows:
        return pd.DataFrame(columns=COUNT_COLUMNS)
    rows.sort(key=lambda r: (r[2], r[1]))  # by period end, then start (no two alike)
    cols = list(zip(*rows))
    return pd.DataFrame({
        "obs_id": list(cols[0]),
        "period_start": np.array([t.to_datetime64() for t in cols[1]], dtype="datetime64[ns]"),
        "period_end": np.array([t.to_datetime64() for t in cols[2]], dtype="datetime64[ns]"),
        **{c: np.array(v, dtype=float) for c, v in zip(COUNT_COLUMNS[3:6], cols[3:6])},
        "weights": list(cols[6]),
    })


def _count_row(obs_id, start, end, value, low, high, weights):
    low = float(low) if low is not None and np.isfinite(low) else float(value)
    high = float(high) if high is not None and np.isfinite(high) else float(value)
    return (obs_id, start, end, float(value), low, high, weights)


@dataclass
class UnitData:
    """What a model knows about one unit."""

    unit_id: str
    counts: pd.DataFrame
    exposure: Exposure

    @property
    def n_obs(self) -> int:
        return len(self.counts)

    def full_years(self) -> pd.Series:
        """Whole-year counts by year (what the time-series models and baselines use)."""
        c = self.counts
        if c.empty:
            return pd.Series(dtype=float)
        full = c[c["weights"].map(lambda w: len(w) == 1 and abs(sum(w.values()) - 1) < 1e-9)]
        full = full[(full["period_start"].dt.month == 1) & (full["period_start"].dt.day == 1)]
        return pd.Series(full["value"].to_numpy(), index=full["period_end"].dt.year.to_numpy(),
                         dtype=float).sort_index()


def prepare(dataset, as_of: pd.Timestamp | None, profile,
            units: list[str] | None = None) -> dict[str, UnitData]:
    """Counts and exposure of every unit (or of ``units``), data up to ``as_of``."""
    ids = list(dataset.units["unit_id"]) if units is None else list(units)
    return {u: UnitData(u, count_observations(dataset, u, as_of, profile),
                        unit_exposure(dataset, u, profile, as_of)) for u in ids}
