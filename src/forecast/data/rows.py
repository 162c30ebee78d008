"""Checks of each row of the targets, terms and observations tables.

Part of the input checks (:mod:`forecast.data.validate`): the value of a
row read against its measure, the term label, the year of an annual target
and the order of period dates. Each check returns :class:`Problem` objects naming
the file, row and column (:func:`problem_at`).
"""

from __future__ import annotations

import re

import pandas as pd

from forecast.errors import Problem
from forecast.data.numbers import YEARS, ParseError, parse_date, parse_quantity
from forecast.data.schema import MAX_COUNT, PCT_MEASURES, STOCK_MEASURES

COUNT_MEASURES = ("admitted", "expected_admitted", "members", "introduced", "trained",
                  "classes")
FLOW_MEASURES = ("admitted", "expected_admitted", "introduced", "trained", "classes",
                 "attainment_pct", "excess_pct", "conversion_pct", "change_pct")
"""Measures over a period (all but the stock 'members' and 'other'): they need a
period_start, as data/README.md says."""
SHARE_RANGE = (0.0, 1000.0)
CHANGE_RANGE = (-100.0, 1000.0)


def problem_at(raw, i, column: str | None, value, expected: str, fix: str) -> Problem:
    """A problem at row ``i`` of a raw frame (its ``_file``, ``_row`` and ``_sheet``)."""
    return Problem(str(raw.at[i, "_file"]), int(raw.at[i, "_row"]), column,
                   None if value is None else str(value), expected, fix,
                   raw.at[i, "_sheet"] or None)


class Cells:
    """Read-only ``.at[i, column]`` and ``.index`` of a raw frame, from its columns
    as lists: pandas' ``.at`` costs tens of microseconds a cell, and the row
    checks read several cells of every row of every file."""

    def __init__(self, df: pd.DataFrame):
        self.index = df.index
        self._cols = {c: df[c].tolist() for c in df.columns}
        self._pos = {k: n for n, k in enumerate(df.index)}
        self.at = self

    def __getitem__(self, key):
        i, column = key
        return self._cols[column][self._pos[i]]


def _term_years(df: pd.DataFrame, i: int, problems: list[Problem]) -> tuple[int, int] | None:
    v = df.at[i, "term"]
    if not v:
        return None
    m = re.fullmatch(r"\s*(\d{4})\s*[-–]\s*(\d{4})\s*", v)
    if not m or int(m.group(1)) >= int(m.group(2)):
        problems.append(problem_at(df, i, "term", v, "a term label YYYY-YYYY such as 2020-2025",
                           "write the first and last year of the term joined by '-'"))
        return None
    if not all(YEARS[0] <= int(y) <= YEARS[1] for y in m.groups()):
        problems.append(problem_at(df, i, "term", v,
                           f"a term within the years {YEARS[0]}-{YEARS[1]}",
                           "correct the years of the term (e.g. 2020-2025)"))
        return None
    return int(m.group(1)), int(m.group(2))


def _dates_in_order(df: pd.DataFrame, i: int, a: str, b: str, problems: list[Problem]) -> None:
    try:
        start = parse_date(df.at[i, a])
        end = parse_date(df.at[i, b], end=True)
    except ParseError:
        return  # unreadable dates are reported by check_cells
    if end < start:
        problems.append(problem_at(df, i, b, df.at[i, b],
                           f"a date on or after {a} ({df.at[i, a]})",
                           f"swap {a} and {b}, or correct the year"))


def check_terms(terms: pd.DataFrame) -> list[Problem]:
    """Term labels, window order, and one window per unit and term."""
    terms = Cells(terms)
    problems: list[Problem] = []
    first: dict[tuple[str, str], int] = {}
    for i in terms.index:
        _term_years(terms, i, problems)
        if terms.at[i, "start"] and terms.at[i, "end"]:
            _dates_in_order(terms, i, "start", "end", problems)
        key = (terms.at[i, "unit_id"], terms.at[i, "term"])
        if key in first:
            problems.append(problem_at(terms, i, "term", key[1],
                               f"one row per unit and term; {key[0]} {key[1]} is also at row "
                               f"{terms.at[first[key], '_row']}",
                               "delete one of the two rows"))
        else:
            first[key] = i
    return problems


def _quantity(df: pd.DataFrame, i: int, problems: list[Problem]):
    v = df.at[i, "value"]
    if not v:
        return None
    try:
        return parse_quantity(v)
    except ParseError as exc:
        problems.append(problem_at(df, i, "value", v, str(exc),
                           "write the number as reported, e.g. 1.252, 83,5%, ~6, 10-12 or "
                           ">=300"))
        return None


def _check_quantity(df, i, q, measure: str, is_count: bool, problems) -> None:
    """Counts: non-negative, no % sign. Shares: 0–1000 % (changes −100–1000 %).

    A share written without ``%`` is accepted (the measure says it is a
    percentage: ``83,5`` in an attainment_pct row is 83.5 %); a count written
    with ``%`` is refused, since the row's measure or value is then wrong.
    """
    v = df.at[i, "value"]
    bounds = [x for x in (q.low, q.high) if x is not None]
    if is_count:
        if q.percent:
            problems.append(problem_at(df, i, "value", v, f"a count for measure '{measure}', not a "
                               "percentage", "write the number of people, or choose a "
                               "percentage measure (e.g. attainment_pct)"))
        elif any(x < 0 for x in bounds):
            problems.append(problem_at(df, i, "value", v, "a count of zero or more",
                               "remove the minus sign; a fall belongs in change_pct"))
        elif any(x > MAX_COUNT for x in bounds):
            problems.append(problem_at(df, i, "value", v, f"a count of at most {MAX_COUNT:,}",
                               "check the number: no unit counts more than the whole "
                               "Party's 5.6 million members"))
        elif any(x != int(x) for x in bounds):
            problems.append(problem_at(df, i, "value", v, "a whole number (a count of people)",
                               _fraction_fix(df, i, v)))
        return
    lo, hi = CHANGE_RANGE if measure == "change_pct" else SHARE_RANGE
    if any(x < lo or x > hi for x in bounds):
        problems.append(problem_at(df, i, "value", v, f"a percentage between {lo:g} and {hi:g}",
                           "write the share in percent (83,5% not 0,835 or 8350)"))


def _fraction_fix(df: pd.DataFrame, i: int, v: str) -> str:
    """How to fix a count with decimals: in a workbook, usually a thousands point
    that Excel read as a decimal point."""
    excel = bool(df.at[i, "_sheet"])
    m = re.fullmatch(r"(\d{1,3})\.(\d{3})0*", v)
    if excel and m:
        meant = m.group(1) + m.group(2)
        return (f"the cell holds the number {v.rstrip('0')}: Excel set to English reads "
                f"'{m.group(1)}.{m.group(2)}' typed in a cell as a decimal number. If "
                f"{int(meant):,} was meant, type {meant} (or format the column as Text and "
                f"type {m.group(1)}.{m.group(2)})")
    if excel:
        return ("type the number of people without decimals (a number cell in Excel may "
                "hide them: widen the column or set the format to show decimals)")
    return ("write the number of people without decimals; in Vietnamese style '.' groups "
            "thousands (1.252) and ',' starts decimals (83,5)")


def check_targets(targets: pd.DataFrame) -> list[Problem]:
    """Values, the year of annual targets and its place in the term."""
    targets = Cells(targets)
    problems: list[Problem] = []
    for i in targets.index:
        years = _term_years(targets, i, problems)
        q = _quantity(targets, i, problems)
        measure = targets.at[i, "measure"]
        if q is not None and measure in ("count", "pct_members"):
            _check_quantity(targets, i, q, measure, measure == "count", problems)
            if q.value == 0 or (q.high is not None and q.high <= 0):
                problems.append(problem_at(targets, i, "value", targets.at[i, "value"],
                                   "a target above zero",
                                   "a target of 0 cannot be reached or missed: write the "
                                   "target as set, or delete the row if none was set"))
        kind, year = targets.at[i, "kind"], targets.at[i, "year"]
        if kind == "annual" and year == "":
            problems.append(problem_at(targets, i, "year", "", "the calendar year of an annual target",
                               "write the year (e.g. 2021), or set kind to term"))
        elif kind == "annual" and years and year.isdigit() and not (
                years[0] <= int(year) <= years[1]):
            problems.append(problem_at(targets, i, "year", year,
                               f"a year within the term {targets.at[i, 'term']}",
                               "correct the year or the term"))
    return problems


def check_observations(obs: pd.DataFrame, targets: pd.DataFrame) -> list[Problem]:
    """Values by measure, the period of flows, the order of period dates."""
    obs = Cells(obs)
    problems: list[Problem] = []
    for i in obs.index:
        measure = obs.at[i, "measure"]
        if measure == "other":
            continue  # kept as text, never modelled: any value is accepted
        q = _quantity(obs, i, problems)
        if q is not None and (measure in COUNT_MEASURES or measure in PCT_MEASURES):
            _check_quantity(obs, i, q, measure, measure in COUNT_MEASURES, problems)
        start, end = obs.at[i, "period_start"], obs.at[i, "period_end"]
        if measure in FLOW_MEASURES and start == "":
            problems.append(problem_at(obs, i, "period_start", "",
                               f"the first day of the period that '{measure}' covers",
                               "write the start (e.g. 2021-01-01, or 2021 for the whole "
                               "year); only members, a stock, has none"))
        if start and end and measure not in STOCK_MEASURES:
            _dates_in_order(obs, i, "period_start", "period_end", problems)
    return problems
