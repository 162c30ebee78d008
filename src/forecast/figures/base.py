"""What charts share besides their frame: picking rows, models, scenarios and
paths out of an outlook, and the units' names in the chart's language.

The frame itself (title, subtitle, source line, legends, the plot's share
of the height) is :mod:`forecast.figures.frame`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from forecast.errors import ConfigError, ForecastError

BASE_SCENARIOS = ("model", "base", "baseline", "none", "")
"""Scenario names that mean "the model as fitted" (first one present wins)."""


def pick_model(table: pd.DataFrame, model: str | None) -> str:
    """The model to show: ``model`` if given (checked), else the most common one."""
    models = table["model"].dropna().astype(str)
    if models.empty:
        raise ForecastError(
            "outlook table has no rows with a model; expected rows from the "
            "forecast engine. Fix: run forecast.outlook.table first."
        )
    if model is None:
        counts = models.value_counts()
        return str(sorted(counts.index, key=lambda m: (-counts[m], m))[0])
    if model not in set(models):
        raise ConfigError(
            f"model {model!r} is not in the outlook; expected one of "
            f"{', '.join(sorted(set(models)))}. Fix: pass one of those or None."
        )
    return model


def pick_scenario(table: pd.DataFrame, scenario: str | None) -> str:
    """The scenario to show: ``scenario`` if given, else the fitted model's."""
    names = list(dict.fromkeys(table["scenario"].fillna("").astype(str)))
    if scenario is not None:
        if scenario not in names:
            raise ConfigError(
                f"scenario {scenario!r} is not in the outlook; expected one of "
                f"{', '.join(map(repr, names))}. Fix: pass one of those or None."
            )
        return scenario
    for name in BASE_SCENARIOS:
        if name in names:
            return name
    return sorted(names)[0]


def select_rows(
    table: pd.DataFrame,
    *,
    target_kind: str = "term",
    model: str | None = None,
    scenario: str | None = None,
    unit_ids: list[str] | None = None,
) -> pd.DataFrame:
    """One outlook row per unit: a target kind, one model, one scenario.

    Where a unit has several targets of that kind (two terms), the latest
    deadline is kept.
    """
    rows = table[table["target_kind"] == target_kind]
    if unit_ids is not None:
        rows = rows[rows["unit_id"].isin(unit_ids)]
    if rows.empty:
        raise ForecastError(
            f"outlook has no {target_kind!r} targets"
            + (f" for units {', '.join(unit_ids)}" if unit_ids else "")
            + "; expected at least one row. Fix: check the unit ids and that "
            "targets.csv holds a target of that kind."
        )
    rows = rows[rows["model"] == pick_model(rows, model)]
    rows = rows[rows["scenario"].fillna("").astype(str) == pick_scenario(rows, scenario)]
    rows = rows.assign(_dl=pd.to_datetime(rows["deadline"]))
    rows = rows.sort_values(["unit_id", "_dl"]).groupby("unit_id", sort=False).tail(1)
    return rows.drop(columns="_dl").reset_index(drop=True)


def localized(table: pd.DataFrame, lang: str, names: dict | None = None) -> pd.DataFrame:
    """The table with ``name`` in the chart's language.

    ``names`` (``unit_id`` → name) wins; otherwise the names the outlook put
    in ``table.attrs`` (:data:`forecast.outlook.table.UNIT_NAMES_ATTR`) for ``lang``.
    Units in neither keep the table's (Vietnamese) name.
    """
    from forecast.outlook.table import UNIT_NAMES_ATTR

    mapping = names if names is not None else table.attrs.get(UNIT_NAMES_ATTR, {}).get(lang)
    if not mapping:
        return table
    out = table.copy()
    out["name"] = [mapping.get(u, n) for u, n in zip(out["unit_id"], out["name"])]
    return out


def unit_target_kind(table: pd.DataFrame, unit_id: str) -> str:
    """``"term"`` when the unit has a term-target row, else ``"annual"`` (a unit
    with only an annual target, such as Krông Bông in 2021)."""
    kinds = set(table.loc[table["unit_id"] == unit_id, "target_kind"])
    return "term" if "term" in kinds or not kinds else "annual"


def path_for(paths: dict, row: pd.Series, scenario: str | None = None) -> Any:
    """The PathSummary of an outlook row (optionally of another scenario)."""
    key = (row["unit_id"], row["target_id"], row["model"],
           row["scenario"] if scenario is None else scenario)
    if key not in paths:
        raise ForecastError(
            f"no simulated paths for unit {key[0]!r}, target {key[1]!r}, model "
            f"{key[2]!r}, scenario {key[3]!r}; expected a key of Outlook.paths. "
            "Fix: run the outlook with paths kept for this unit."
        )
    return paths[key]

