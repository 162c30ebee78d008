"""Scenarios: "what if future yearly attainment is ...".

A scenario fixes each future year's attainment of the unit's exposure
(its annual target, or the term target spread over the term; see
:mod:`forecast.models.base`) instead of letting the model forecast it:

- ``last``: the attainment of the last whole year reported;
- ``mean``: the ratio of all reported counts to their exposure;
- ``trend``: a straight line through the yearly attainments (two or more
  whole years; else ``mean``), continued and floored at zero;
- ``full``: 100 % of every target;
- a list given by the analyst, one value per future year (``90%,100%,110%``
  or ``0.9,1,1.1``); the last value repeats for later years;
- admissions counts per whole year (:func:`parse_scenario`): ``1200/năm``
  (or ``1200/yr``), ``1200,1300,1400`` (one count per future year, the last
  repeating); a count becomes the attainment the engine draws from by
  dividing it by the unit's exposure of that year, ``count / E[year]``
  (:mod:`forecast.models.exposure`: its annual target, or its term target
  spread over the term);
- per-unit counts or attainments read from a CSV file (:func:`read_scenario_csv`).

Plain numbers without ``%`` or ``/năm``: whole numbers above
:data:`COUNT_ABOVE` are counts (no unit plans 400 % of its target), the rest
attainment shares; ``1.200`` without a suffix is refused as ambiguous
(Vietnamese thousands or an English decimal).

Each scenario is reported twice in the outlook: with the model's noise
(shared year shock and over-dispersion) under the scenario's name, and as
the deterministic line under ``<name>-deterministic``.
"""

from __future__ import annotations

import bisect
import csv
import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from forecast.data.numbers import ParseError, parse_number
from forecast.models.baselines import observed_attainment
from forecast.errors import ConfigError, ModelError

NAMED = ("last", "mean", "trend", "full")
DETERMINISTIC_SUFFIX = "-deterministic"
COUNT_ABOVE = 3
"""A plain whole number above this is a count per year, not an attainment share."""
PER_YEAR = re.compile(r"\s*/\s*(năm|nam|yr|year|y)\s*$", re.IGNORECASE)
"""``/năm`` or ``/yr`` after a list: its values are admissions per year."""
CSV_COLUMNS = ("unit_id", "scenario", "year", "count", "attainment")
"""Columns of a per-unit scenario file; each row fills one of ``count`` and ``attainment``."""
_THOUSANDS = re.compile(r"\d{1,3}(\.\d{3})+")


@dataclass(frozen=True)
class Scenario:
    """A named rule for future attainment.

    Attributes
    ----------
    name : str
        ``last``, ``mean``, ``trend``, ``full``, ``given:<values>``,
        ``count:<values>`` or the name a scenario file gives.
    values : tuple of float
        The analyst's values (``given`` and ``count``), first future year first.
    counts : bool
        ``values`` are admissions per whole year rather than attainment shares.
    by_unit : tuple
        A scenario file's rows: ``((unit_id, ((year, is_count, value), ...)), ...)``.
    source : str
        The scenario file, for messages.
    """

    name: str
    values: tuple[float, ...] = ()
    counts: bool = False
    by_unit: tuple = ()
    source: str = ""

    def attainment(self, ud, first_year: int, since=None):
        """``year -> attainment`` for the unit's future years (from ``first_year``).

        ``last``, ``mean`` and ``trend`` use the counts reported from ``since``
        (the target window's start) when there are any, else all of them.
        A count ``c`` for year ``y`` is the attainment ``c / E[y]``.
        """
        if ud.exposure.kind == "own_level":
            raise ModelError(
                f"unit {ud.unit_id!r}: scenario {self.name!r} sets attainment of a target, "
                "but the unit has none. Fix: add its annual or term target.")
        if self.name == "full":
            return lambda y: 1.0
        if self.by_unit:
            return self._from_file(ud)
        if self.values:
            vals, exposure = self.values, ud.exposure
            if self.counts:
                return lambda y: vals[min(max(y - first_year, 0), len(vals) - 1)] / exposure.at(y)
            return lambda y: vals[min(max(y - first_year, 0), len(vals) - 1)]
        if since is not None and (ud.counts["period_start"] >= since).any():
            ud = dataclasses.replace(ud, counts=ud.counts[ud.counts["period_start"] >= since])
        yearly = yearly_attainment(ud)
        if self.name == "last":
            if len(yearly):
                last = float(yearly.iloc[-1])
                return lambda y: last
        if self.name == "trend" and len(yearly) >= 2:
            slope, intercept = np.polyfit(yearly.index.to_numpy(float), yearly.to_numpy(), 1)
            return lambda y: max(float(intercept + slope * y), 0.0)
        mean = observed_attainment(ud)
        if not np.isfinite(mean):
            raise ModelError(
                f"unit {ud.unit_id!r}: scenario {self.name!r} needs reported admissions to "
                "compute an attainment; none up to the as-of date. Fix: use 'full' or a list.")
        return lambda y: mean

    def _from_file(self, ud):
        """The unit's rows of a scenario file: a year takes the latest row at or
        before it (years before the first row take the first row)."""
        rows = dict(self.by_unit).get(ud.unit_id)
        if not rows:
            raise ModelError(
                f"unit {ud.unit_id!r}: scenario {self.name!r} of {self.source} has no row "
                "for this unit. Fix: add its rows to the file, or read its forecast from "
                "another scenario.")
        years = [r[0] for r in rows]
        exposure = ud.exposure

        def att(y: int) -> float:
            _, is_count, value = rows[max(bisect.bisect_right(years, y) - 1, 0)]
            return value / exposure.at(y) if is_count else value
        return att

    def unit_ids(self) -> list[str]:
        """The units a scenario file names (empty for other scenarios)."""
        return [u for u, _ in self.by_unit]


def yearly_attainment(ud):
    """Whole-year counts divided by the year's exposure, by year."""
    full = ud.full_years()
    return full / ud.exposure.over(full.index)


def _bad(text: str, why: str) -> ConfigError:
    return ConfigError(
        f"scenario {text!r}: {why}; expected one of {', '.join(NAMED)}, yearly attainments "
        "such as 90%,100%,110% or 0.9,1,1.1, admissions per year such as 1200/năm or "
        "1200,1300,1400, or a scenario file NAME.csv. Fix: correct the --scenario value.")


def parse_scenario(text: str) -> Scenario:
    """Read a scenario name, a list of attainments or a list of yearly counts.

    ``90%,100%`` and ``0.9,1.0`` are attainments; ``1200/năm``, ``1200/yr``,
    ``1.200;1.300/năm`` and ``1200,1300,1400`` are admissions per whole year
    (values separated by ``,`` or ``;``). For a scenario file use
    :func:`parse_scenarios`.
    """
    s = str(text).strip()
    if s in NAMED:
        return Scenario(s)
    body = s.split(":", 1)[1] if s.startswith(("given:", "count:")) else s
    per_year = PER_YEAR.search(body) is not None or s.startswith("count:")
    body = PER_YEAR.sub("", body)
    parts = [v.strip() for v in body.split(";" if ";" in body else ",") if v.strip()]
    if not parts:
        raise _bad(text, "no value")
    percent = [v.endswith("%") for v in parts]
    try:
        if per_year:
            if any(percent):
                raise _bad(text, "a count per year cannot be a percentage")
            vals = tuple(parse_number(v) for v in parts)
        else:
            if any(_THOUSANDS.fullmatch(v) for v in parts):
                raise _bad(text, "a value like 1.200 is ambiguous (1200 admissions or an "
                           "attainment of 1.2); write 1200/năm for admissions or 120% for "
                           "attainment")
            vals = tuple(float(v.rstrip("%").strip()) / (100 if p else 1)
                         for v, p in zip(parts, percent))
    except (ValueError, ParseError):
        raise _bad(text, "not a scenario name nor a number") from None
    if any(v < 0 for v in vals):
        raise _bad(text, "a value is negative")
    if not per_year and not any(percent):
        whole = all(float(v).is_integer() for v in vals)
        if any(v > COUNT_ABOVE for v in vals):
            if not whole:
                raise _bad(text, f"values above {COUNT_ABOVE} are read as admissions per "
                           "year and must be whole numbers")
            per_year = True
    if per_year:
        return Scenario("count:" + ",".join(f"{v:g}" for v in vals), vals, counts=True)
    return Scenario("given:" + ",".join(f"{v:g}" for v in vals), vals)


def parse_scenarios(texts, base_dir: str | Path | None = None) -> list[Scenario]:
    """Scenarios from names, lists and scenario files (``*.csv``), in order.

    A file adds one scenario per distinct name in its ``scenario`` column
    (:func:`read_scenario_csv`); relative paths are read from ``base_dir``
    (default: the working folder). Scenarios already built pass through.
    """
    out: list[Scenario] = []
    for t in texts:
        if isinstance(t, Scenario):
            out.append(t)
        elif str(t).strip().lower().endswith(".csv"):
            path = Path(str(t).strip())
            out.extend(read_scenario_csv(path if path.is_absolute() or base_dir is None
                                         else Path(base_dir) / path))
        else:
            out.append(parse_scenario(t))
    names = [s.name for s in out]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"scenarios: {', '.join(dupes)} given twice. Fix: give each "
                          "scenario once (a file's scenario names must differ from the others).")
    return out


def _file_error(path: Path, row: int | None, column: str | None, found: str, fix: str):
    where = str(path) + (f", row {row}" if row else "") + (f", column '{column}'" if column else "")
    return ConfigError(f"{where}: {found}. Fix: {fix}")


def read_scenario_csv(path: str | Path) -> list[Scenario]:
    """Per-unit scenarios from a CSV file, one scenario per name in it.

    Columns (UTF-8, with or without BOM, ``,`` or ``;`` separated):
    ``unit_id``, ``scenario`` (a name of your choice, e.g. ``plan-2024``),
    ``year`` and one of ``count`` (admissions in that whole year: ``1200``
    or ``1.200``) and ``attainment`` (``90%``, ``90 %`` or ``0,9``) per row.
    A year without a row takes the latest row before it; years before the
    first row take the first row. A unit without rows gets no forecast under
    that scenario (its row in the outlook says why).

    Raises
    ------
    ConfigError
        Naming the file, the row (the header is row 1) and the column, with
        the fix: a missing column, a year that is not a year, both or neither
        of count and attainment, a value that is not a number or is
        negative, an attainment written as a bare percentage (``90``), a
        repeated (unit, scenario, year), a reserved scenario name.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise _file_error(path, None, None, "scenario file not found",
                          "check the path (relative to the working folder)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _file_error(path, None, None, f"cannot read it as UTF-8 text ({exc})",
                          "save it from Excel as 'CSV UTF-8'") from None
    lines = text.splitlines()
    delimiter = ";" if lines and lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.DictReader(lines, delimiter=delimiter)
    header = [str(c).strip() for c in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in CSV_COLUMNS[:3] if c not in header]
    if missing or not {"count", "attainment"} & set(header):
        need = missing + ([] if {"count", "attainment"} & set(header) else ["count or attainment"])
        raise _file_error(path, 1, None, f"header {', '.join(header) or '(empty)'} lacks "
                          f"{', '.join(need)}", f"use the header {','.join(CSV_COLUMNS)}")
    rows: dict[str, dict[str, dict[int, tuple]]] = {}
    for rec in reader:
        i = reader.line_num  # the file's line: blank lines are skipped but counted
        rec = {k: (v or "").strip() for k, v in rec.items() if k}
        if not any(rec.values()):
            continue
        unit, name = rec["unit_id"], rec["scenario"]
        for col in ("unit_id", "scenario", "year"):
            if not rec[col]:
                raise _file_error(path, i, col, "empty", f"fill in the {col}")
        if name in NAMED or name.startswith(("given:", "count:")) \
                or name.endswith(DETERMINISTIC_SUFFIX):
            raise _file_error(path, i, "scenario", f"the name {name!r} is reserved",
                              "choose another name, e.g. plan-2024")
        if not re.fullmatch(r"\d{4}", rec["year"]):
            raise _file_error(path, i, "year", f"found {rec['year']!r}; expected a year "
                              "such as 2024", "write the calendar year in four digits")
        year = int(rec["year"])
        count, att = rec.get("count", ""), rec.get("attainment", "")
        if bool(count) == bool(att):
            raise _file_error(path, i, "count", "both count and attainment are filled in"
                              if count else "neither count nor attainment is filled in",
                              "fill in exactly one of them")
        col, raw = ("count", count) if count else ("attainment", att)
        value = _file_value(path, i, col, raw)
        if year in rows.setdefault(name, {}).setdefault(unit, {}):
            raise _file_error(path, i, "year", f"{unit} has a second row for {name} {year}",
                              "keep one row per unit, scenario and year")
        rows[name][unit][year] = (year, col == "count", value)
    if not rows:
        raise _file_error(path, None, None, "no rows below the header",
                          "add one row per unit, scenario and year")
    return [Scenario(name, by_unit=tuple((u, tuple(v[y] for y in sorted(v)))
                                         for u, v in units.items()), source=str(path))
            for name, units in rows.items()]


def _file_value(path: Path, row: int, column: str, raw: str) -> float:
    """A count or an attainment share from a scenario file's cell."""
    percent = raw.endswith("%")
    try:
        value = parse_number(raw.rstrip("%").strip())
    except ParseError as exc:
        raise _file_error(path, row, column, f"found {raw!r}; expected {exc}",
                          "write a number such as 1200 or 1.200 (count), 90% or 0,9 "
                          "(attainment)") from None
    if value < 0:
        raise _file_error(path, row, column, f"found {raw!r}, a negative number",
                          "write a number of zero or more")
    if column == "attainment":
        value = value / 100 if percent else value
        if not percent and value > COUNT_ABOVE:
            raise _file_error(path, row, column, f"found {raw!r}: an attainment of "
                              f"{value:g} times the target", f"write it as {raw}% (a "
                              "percentage) or put a count in the count column")
    elif percent:
        raise _file_error(path, row, column, f"found {raw!r}, a percentage in the count "
                          "column", "put it in the attainment column")
    return value


def check_scenario_units(scenarios, unit_ids) -> None:
    """Refuse a scenario file row whose unit the data does not have (a misspelt id
    would otherwise just give no scenario)."""
    import difflib

    known = set(unit_ids)
    for sc in scenarios:
        for u in sc.unit_ids():
            if u not in known:
                near = difflib.get_close_matches(u, sorted(known), n=3, cutoff=0.5)
                raise ConfigError(
                    f"{sc.source}, column 'unit_id': unknown unit {u!r} (scenario "
                    f"{sc.name!r})" + (f"; nearest: {', '.join(near)}" if near else "")
                    + ". Fix: use an id from data/units.csv.")
