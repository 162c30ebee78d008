"""Which units get a section, and the data a unit's section draws from.

Kept apart from the layout (:mod:`forecast.brief.content`) so that the
choices -- the default selection, which reports make the yearly chart,
which annual target a year is compared with -- are in one small place.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from forecast.data.dataset import nearest
from forecast.errors import ConfigError
from forecast.outlook.rollup import ROLLUP_MODEL

LAYER_ORDER = ("assigned", "plan", "resolution", "own_goal")
"""Which of several annual targets of one year the yearly chart compares with:
the target handed down (``assigned``) or planned first, the unit's own goal last."""


def default_units(table: pd.DataFrame) -> list[str]:
    """Units with a term target and at least one admission report in its term.

    ``label`` is ``"no data"`` exactly when no admission count of the unit
    falls inside the term window (see :func:`forecast.models.progress.pace_label`).
    """
    rows = table[(table["target_kind"] == "term") & (table["label"] != "no data")]
    return list(dict.fromkeys(rows["unit_id"]))


def select_units(dataset, table: pd.DataFrame, spec: Iterable[str] | None) -> tuple[list[str], list[str]]:
    """Resolve ``--units`` into unit ids with rows in the outlook.

    Parameters
    ----------
    dataset : Dataset
    table : DataFrame
        The outlook table (every unit with a target).
    spec : iterable of str or None
        Each item is a unit id, a level name (``province``) or ``parent:ID``
        (the unit and its direct children). None: :func:`default_units`.

    Returns
    -------
    (selected, skipped)
        Ids in the order asked, without repeats, that have outlook rows; and
        the ids asked for that have none (no target with a known count).

    Raises
    ------
    ConfigError
        For an item that is neither a unit, a level nor ``parent:`` of a unit.
    """
    if spec is None:
        return default_units(table), []
    units = dataset.units
    levels = set(units["level"].dropna().astype(str))
    ids = set(units["unit_id"])
    wanted: list[str] = []
    unknown: list[str] = []
    for item in spec:
        item = str(item).strip()
        if item.startswith("parent:"):
            parent = item.split(":", 1)[1]
            if parent not in ids:
                dataset.unit_name(parent)  # raises with a "did you mean"
            wanted += [parent, *dataset.children(parent)]
        elif item in ids:
            wanted.append(item)
        elif item in levels:
            wanted += units.loc[units["level"] == item, "unit_id"].tolist()
        else:
            unknown.append(item)
    if unknown:
        hints = [f"did you mean {' or '.join(map(repr, near))} for {u!r}?"
                 for u in unknown if (near := nearest(u, [*ids, *levels]))]
        raise ConfigError(
            f"--units: {', '.join(map(repr, unknown))} {'is' if len(unknown) == 1 else 'are'} "
            f"neither a unit id, a level ({', '.join(sorted(levels))}) nor parent:ID"
            + (f"; {' '.join(hints)}" if hints else "") + ". Fix: use an id from units.csv, a "
            "level name, or parent:tien-giang for a unit with its children."
        )
    wanted = list(dict.fromkeys(wanted))
    have = set(table["unit_id"])
    return [u for u in wanted if u in have], [u for u in wanted if u not in have]


def primary_row(table: pd.DataFrame, unit_id: str) -> pd.Series | None:
    """The target a unit's key numbers describe: its latest term target, else
    its latest annual target (model forecast, no scenario).

    The unit's own row is chosen over the sum of its units (``model ==
    "rollup"``): the scenarios and "what it would take" are computed for
    the unit's own row only. The roll-up's chance is shown beside it.
    """
    rows = table[(table["unit_id"] == unit_id) & (table["scenario"] == "model")]
    own = rows[rows["model"] != ROLLUP_MODEL] if "model" in rows else rows
    rows = own if len(own) else rows
    if rows.empty:
        return None
    for kind in ("term", "annual"):
        hit = rows[rows["target_kind"] == kind]
        if not hit.empty:
            return hit.assign(_d=pd.to_datetime(hit["deadline"])).sort_values(
                "_d", kind="stable").iloc[-1]
    return rows.iloc[-1]


def target_as_printed(dataset, target_id: str, lang: str) -> str | None:
    """A target as its source printed it, in ``lang``'s number format: ``30–35``,
    ``ít nhất 7.000``, ``6,6 % số đảng viên``; None for an id not in targets.csv."""
    from forecast.labels import fmt_target

    rows = dataset.targets[dataset.targets["target_id"] == target_id]
    if rows.empty:
        return None
    tr = rows.iloc[0]
    return fmt_target(tr["qualifier"], tr["low"], tr["high"], tr["value"], lang,
                      percent=tr["measure"] != "count")


def _whole_unit(obs: pd.DataFrame, unit_id: str, measure: str, as_of) -> pd.DataFrame:
    sel = obs[(obs["unit_id"] == unit_id) & (obs["measure"] == measure)
              & (obs["subgroup"].fillna("") == "")]
    if as_of is not None:
        sel = sel[sel["period_end"] <= as_of]
    return sel


def annual_target(targets: pd.DataFrame, unit_id: str, year: int) -> float:
    """The count target of a unit's year (by :data:`LAYER_ORDER`), NaN if none."""
    t = targets[(targets["unit_id"] == unit_id) & (targets["kind"] == "annual")
                & (targets["measure"] == "count") & (targets["year"] == year)]
    if t.empty:
        return float("nan")
    rank = t["layer"].map(lambda x: LAYER_ORDER.index(x) if x in LAYER_ORDER else 99)
    return float(t.assign(_r=rank).sort_values("_r", kind="stable")["value"].iloc[0])


def yearly_table(dataset, unit_id: str, first: int, last: int, as_of=None) -> pd.DataFrame:
    """Whole-year admissions of a unit in ``first..last`` with each year's target.

    Columns ``year``, ``admitted``, ``target`` (NaN where none) and
    ``reported_pct`` (the attainment the source printed, NaN where none), as
    :func:`forecast.figures.yearly_admissions` takes them.
    """
    obs = dataset.observations
    adm = _whole_unit(obs, unit_id, "admitted", as_of)
    adm = adm[adm["period_kind"] == "year"]
    adm = adm.assign(year=adm["period_end"].dt.year)
    adm = adm[(adm["year"] >= first) & (adm["year"] <= last)].drop_duplicates("year", keep="last")
    att = _whole_unit(obs, unit_id, "attainment_pct", as_of)
    att = att[att["period_kind"] == "year"]
    reported = dict(zip(att["period_end"].dt.year, att["value"].astype(float)))
    rows = [{"year": int(y), "admitted": float(v),
             "target": annual_target(dataset.targets, unit_id, int(y)),
             "reported_pct": reported.get(int(y), np.nan)}
            for y, v in zip(adm["year"], adm["value"])]
    return pd.DataFrame(rows, columns=["year", "admitted", "target", "reported_pct"])


def part_year_points(dataset, unit_id: str, as_of=None) -> tuple[int, pd.DataFrame] | None:
    """The latest year with part-year admission counts and an annual target.

    Returns ``(year, points)`` with columns ``period_end``, ``admitted``,
    ``low``, ``high``, ``target`` (for :func:`forecast.figures.part_year_nowcast`),
    or None.
    """
    adm = _whole_unit(dataset.observations, unit_id, "admitted", as_of)
    adm = adm[(adm["period_kind"] == "part_year")
              & (adm["period_start"].dt.year == adm["period_end"].dt.year)]
    for year in sorted(set(adm["period_end"].dt.year), reverse=True):
        target = annual_target(dataset.targets, unit_id, int(year))
        if np.isnan(target):
            continue
        pts = adm[adm["period_end"].dt.year == year].sort_values("period_end")
        pts = pts.drop_duplicates("period_end", keep="last")
        return int(year), pd.DataFrame({
            "period_end": pts["period_end"].to_numpy(),
            "admitted": pts["value"].astype(float).to_numpy(),
            "low": pts["low"].astype(float).to_numpy(),
            "high": pts["high"].astype(float).to_numpy(),
            "target": target,
        })
    return None


def unit_source_ids(dataset, unit_id: str, as_of=None) -> list[str]:
    """Sources of a unit's targets and of its figures reported up to ``as_of``."""
    t = dataset.targets[dataset.targets["unit_id"] == unit_id]["source_id"]
    o = dataset.observations[dataset.observations["unit_id"] == unit_id]
    if as_of is not None:
        o = o[o["period_end"] <= as_of]
    return list(dict.fromkeys(s for s in [*t, *o["source_id"]] if isinstance(s, str) and s))


def sources_rows(dataset, source_ids: Iterable[str]) -> pd.DataFrame:
    """The rows of the sources table for these ids, in the order given."""
    src = dataset.sources.set_index("source_id", drop=False)
    ids = [s for s in dict.fromkeys(source_ids) if s in src.index]
    return src.loc[ids].reset_index(drop=True)


def unit_warnings(findings: pd.DataFrame, unit_id: str) -> pd.DataFrame:
    """The audit's warnings (not the information rows) about one unit."""
    if findings.empty:
        return findings
    return findings[(findings["unit_id"] == unit_id) & (findings["severity"] == "warning")]
