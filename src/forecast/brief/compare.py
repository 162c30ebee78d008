"""Comparison tables for papers: units × scenarios, or units × as-of dates.

One value of the outlook (``p_reach`` by default) per unit's main target
and per scenario, or per as-of date, written as XLSX, a Word table, a LaTeX
booktabs table or CSV (:mod:`forecast.brief.tables`). Only the outlook
table's columns are read (:data:`forecast.outlook.table.OUTLOOK_COLUMNS`),
never the models, so the comparison shows what every other output shows.

A unit's main target is its latest term target, else its latest annual one
(:func:`forecast.brief.units.primary_row`); across as-of dates the target
chosen at the last date is looked up at every date. A cell the outlook left
empty (a model that could not forecast the unit, a unit a scenario file does
not name) shows "–".
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from forecast.atomic import write_bytes
from forecast.brief.doc import Table
from forecast.brief.tables import (
    COUNT_FORMAT, PERCENT_FORMAT, check_suffix, latex_table, write_csv, write_docx_table, write_xlsx,
)
from forecast.brief.text import target_name
from forecast.errors import ConfigError
from forecast.labels import fill, fmt_date, fmt_int, fmt_num, fmt_pct, fmt_prob, missing
from forecast.models.base import DEFAULT_MODEL

VALUES = {"p_reach": PERCENT_FORMAT, "final_q50": COUNT_FORMAT, "final_mean": COUNT_FORMAT,
          "required_attainment": PERCENT_FORMAT}
"""Outlook columns a comparison can show, with their spreadsheet format."""

SUFFIXES = (".xlsx", ".docx", ".tex", ".csv")

STRINGS = {
    "unit": {"vi": "Đơn vị", "en": "Unit"},
    "target": {"vi": "Chỉ tiêu", "en": "Target"},
    "value:p_reach": {"vi": "Khả năng đạt chỉ tiêu", "en": "Chance of reaching the target"},
    "value:final_q50": {"vi": "Tổng số kết nạp dự báo (trung vị)",
                        "en": "Forecast total admitted (median)"},
    "value:final_mean": {"vi": "Tổng số kết nạp dự báo (trung bình)",
                         "en": "Forecast total admitted (mean)"},
    "value:required_attainment": {"vi": "Tỷ lệ đạt hằng năm cần có",
                                  "en": "Yearly attainment needed"},
    "by:scenario": {"vi": "{value} theo kịch bản", "en": "{value} by scenario"},
    "by:as_of": {"vi": "{value} theo thời điểm số liệu", "en": "{value} by data date"},
    "sc:model": {"vi": "Mô hình", "en": "Model"},
    "sc:last": {"vi": "Giữ năm gần nhất", "en": "Last year"},
    "sc:mean": {"vi": "Bình quân", "en": "Mean"},
    "sc:trend": {"vi": "Xu hướng", "en": "Trend"},
    "sc:full": {"vi": "Đạt 100 %", "en": "100 % of target"},
    "sc:given": {"vi": "Tỷ lệ đạt {values}", "en": "Attainment {values}"},
    "sc:count": {"vi": "{values}/năm", "en": "{values}/yr"},
    "as_of": {"vi": "Đến {date}", "en": "To {date}"},
    "note": {"vi": "Mô hình {model}, {paths} lượt mô phỏng, hạt giống {seed}. "
                   "\u201c–\u201d: không dự báo được.",
             "en": "Model {model}, {paths} simulated paths, seed {seed}. "
                   "\u201c–\u201d: no forecast."},
}
"""Every word the comparison tables show, in both languages."""


def s(key: str, lang: str, **fields: object) -> str:
    return fill(STRINGS, key, lang, "table", "forecast.brief.compare.STRINGS", **fields)


@dataclass
class Comparison:
    """A comparison table, numbers kept as numbers.

    Attributes
    ----------
    frame : DataFrame
        ``unit_id``, ``unit``, ``target`` (the target's name), ``target_value``
        then one column per key (scenario name or ISO as-of date).
    keys : list of str
    by : {"scenario", "as_of"}
    value : str
        The outlook column shown.
    lang : str
    note : str
    """

    frame: pd.DataFrame
    keys: list[str]
    by: str
    value: str
    lang: str
    note: str = ""

    @property
    def title(self) -> str:
        return s(f"by:{self.by}", self.lang, value=s(f"value:{self.value}", self.lang))

    def headers(self) -> list[str]:
        """Column heads: unit, target, then each scenario or date in words."""
        lang = self.lang
        keys = [scenario_label(k, lang) if self.by == "scenario"
                else s("as_of", lang, date=fmt_date(k, lang)) for k in self.keys]
        return [s("unit", lang), s("target", lang), *keys]

    def table(self) -> Table:
        """The table as text, numbers formatted for the language."""
        lang = self.lang
        fmt = {"p_reach": lambda v: fmt_prob(v, lang),
               "required_attainment": lambda v: "–" if missing(v) else fmt_pct(100 * v, lang, 0),
               }.get(self.value, lambda v: fmt_int(v, lang))
        rows = [[r["unit"], f"{r['target']}: {fmt_int(r['target_value'], self.lang)}",
                 *[fmt(r[k]) for k in self.keys]] for _, r in self.frame.iterrows()]
        return Table(self.headers(), rows, tuple(range(2, 2 + len(self.keys))), self.title)

    def sheet(self) -> pd.DataFrame:
        """The spreadsheet version: worded heads, numbers as numbers."""
        df = self.frame.drop(columns=["unit_id"])
        df.columns = [s("unit", self.lang), s("target", self.lang),
                      f"{s('target', self.lang)} (n)", *self.headers()[2:]]
        return df

    def write(self, path: str | Path) -> Path:
        """Write as XLSX, DOCX, LaTeX (``.tex``) or CSV, by the file's extension."""
        path = Path(path)
        suffix = check_suffix(path, SUFFIXES)
        if suffix == ".xlsx":
            formats = dict.fromkeys(self.headers()[2:], VALUES[self.value])
            formats[f"{s('target', self.lang)} (n)"] = COUNT_FORMAT
            return write_xlsx(path, {"comparison": self.sheet()}, formats, title=self.title)
        if suffix == ".docx":
            return write_docx_table(path, dataclasses.replace(self.table(), caption=""),
                                    self.lang, self.title, self.note)
        if suffix == ".csv":
            return write_csv(path, self.sheet())
        text = latex_table(self.table(), label=f"tab:forecast-{self.by.replace('_', '-')}",
                           note=self.note)
        return write_bytes(path, text.encode("utf-8"))


def scenario_label(name: str, lang: str) -> str:
    """A short column head for a scenario: ``count:1200`` → ``1.200/năm``."""
    kind, _, values = str(name).partition(":")
    if f"sc:{name}" in STRINGS:
        return s(f"sc:{name}", lang)
    if kind == "count" and values:
        return s("sc:count", lang, values=", ".join(fmt_int(float(v), lang)
                                                    for v in values.split(",")))
    if kind == "given" and values:
        return s("sc:given", lang, values=", ".join(
            fmt_num(100 * float(v), lang) + " %" for v in values.split(",")))
    return str(name)


def _main_rows(table: pd.DataFrame, model: str) -> pd.DataFrame:
    """Each unit's main target under the model's own forecast (one row per unit)."""
    from forecast.brief.units import primary_row

    mine = table[table["model"] == model]
    rows = [primary_row(mine, u) for u in dict.fromkeys(mine["unit_id"])]
    return pd.DataFrame([r for r in rows if r is not None])


def _frame(main: pd.DataFrame, lang: str, names: dict) -> pd.DataFrame:
    return pd.DataFrame({
        "unit_id": main["unit_id"].to_numpy(),
        "unit": [names.get(u, n) for u, n in zip(main["unit_id"], main["name"])],
        "target": [target_name(r, lang) for _, r in main.iterrows()],
        "target_value": main["target"].to_numpy(float),
    })


def _names(table: pd.DataFrame, lang: str) -> dict:
    from forecast.outlook.table import UNIT_NAMES_ATTR

    return table.attrs.get(UNIT_NAMES_ATTR, {}).get(lang, {})


def _check_value(value: str) -> None:
    if value not in VALUES:
        raise ConfigError(f"--value: found {value!r}; expected one of {', '.join(VALUES)}. "
                          "Fix: e.g. --value p_reach.")


def by_scenario(table: pd.DataFrame, scenarios: list[str], *, model: str, value: str = "p_reach",
                lang: str = "vi", note: str = "") -> Comparison:
    """Units × scenarios from one outlook table (the model's own forecast first)."""
    _check_value(value)
    main = _main_rows(table, model)
    keys = ["model", *[k for k in scenarios if k != "model"]]
    out = _frame(main, lang, _names(table, lang))
    mine = table[table["model"] == model]
    for k in keys:
        got = mine[mine["scenario"] == k].set_index(["unit_id", "target_id"])[value]
        out[k] = [got.get((u, t), float("nan")) for u, t in zip(main["unit_id"], main["target_id"])]
    return Comparison(out, keys, "scenario", value, lang, note)


def by_as_of(tables: dict[str, pd.DataFrame], *, model: str, scenario: str = "model",
             value: str = "p_reach", lang: str = "vi", note: str = "") -> Comparison:
    """Units × as-of dates from one outlook table per date (``{"2022-12-31": table}``)."""
    _check_value(value)
    keys = sorted(tables)
    last = tables[keys[-1]]
    main = _main_rows(last, model)
    out = _frame(main, lang, _names(last, lang))
    for k in keys:
        t = tables[k]
        t = t[(t["model"] == model) & (t["scenario"] == scenario)]
        got = t.set_index(["unit_id", "target_id"])[value]
        out[k] = [got.get((u, tid), float("nan")) for u, tid in zip(main["unit_id"],
                                                                    main["target_id"])]
    return Comparison(out, keys, "as_of", value, lang, note)


def run_comparison(dataset, *, scenarios=None, as_of_dates=None, as_of=None,
                   model: str = DEFAULT_MODEL, units=None, value: str = "p_reach",
                   lang: str = "vi", assumptions=None) -> Comparison:
    """Run the outlook and build the comparison (the command line and notebooks call this).

    Parameters
    ----------
    dataset : Dataset
    scenarios : list, optional
        Scenario texts or :class:`~forecast.simulate.scenarios.Scenario` objects:
        compare units × scenarios at ``as_of``.
    as_of_dates : list, optional
        Two or more dates: compare units × dates (the model's forecast, or
        the first of ``scenarios`` when given).
    """
    from forecast.config import Assumptions
    from forecast.outlook.table import outlook
    from forecast.simulate.scenarios import parse_scenarios

    _check_value(value)
    assumptions = assumptions or Assumptions()
    scen = parse_scenarios(scenarios or [])
    note = s("note", lang, model=model, paths=fmt_int(assumptions.n_paths, lang),
             seed=assumptions.seed)
    run = lambda when, sc: outlook(dataset, as_of=when, model=model, scenarios=sc,  # noqa: E731
                                   assumptions=assumptions, units=units,
                                   requirements=value == "required_attainment").table
    if as_of_dates:
        dates = [pd.Timestamp(d) for d in as_of_dates]
        if len(set(dates)) < 2:
            raise ConfigError("--as-of: a comparison over dates needs two or more dates. "
                              "Fix: e.g. --as-of 2021-12-31,2022-12-31.")
        chosen = scen[:1]
        tables = {d.date().isoformat(): run(d, chosen) for d in sorted(set(dates))}
        return by_as_of(tables, model=model, scenario=chosen[0].name if chosen else "model",
                        value=value, lang=lang, note=note)
    if not scen:
        raise ConfigError("compare: nothing to compare. Fix: give --scenarios last,trend,full "
                          "or --as-of 2021-12-31,2022-12-31.")
    return by_scenario(run(as_of, scen), [sc.name for sc in scen], model=model, value=value,
                       lang=lang, note=note)
