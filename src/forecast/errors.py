"""Exceptions. One base class; each subclass is one kind of problem.

Every message says where the problem is (file, sheet, row, column or unit),
what was found, what was expected and how to fix it. The command line prints
the message without a traceback and exits with status 2.
"""

from __future__ import annotations

from dataclasses import dataclass


class ForecastError(Exception):
    """Base class of every error this package raises on purpose."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    ``row`` is the line number a person sees: in a CSV file the header is line
    1 and the first data row line 2; in a sheet, the spreadsheet row number.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str
    fix: str
    sheet: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.sheet:
            where += f" [sheet {self.sheet}]"
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        found = "" if self.value is None else f": found {shorten(self.value)!r}"
        return f"{where}{found}; expected {self.expected}. Fix: {self.fix}"


MAX_SHOWN = 80
"""Characters of a value a message quotes; a longer value is cut with its length."""


def shorten(value: str) -> str:
    """``value`` as quoted in messages: cut after :data:`MAX_SHOWN` characters."""
    value = str(value)
    if len(value) <= MAX_SHOWN:
        return value
    return f"{value[:MAX_SHOWN]}… ({len(value):,} characters)"


class DataError(ForecastError):
    """Input tables that cannot be read or do not validate; lists every problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the input data:"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


class ConfigError(ForecastError):
    """A parameter, config file or command-line option that is not valid."""


class ModelError(ForecastError):
    """A model that cannot be fitted to a unit's data (too short, degenerate).

    ``why`` is the reason in words an analyst reads, ``{"vi": ..., "en": ...}``
    (the outlook's ``why`` / ``why_vi`` columns); None when the message says it.
    """

    def __init__(self, message: str, why: dict | None = None):
        super().__init__(message)
        self.why = why


class NotebookError(ForecastError):
    """A notebook run that could not start or was given bad parameters."""


class OutputError(ForecastError):
    """An output folder or file that must not be replaced or cannot be written
    (a person's own folder, the data folder, a full disk)."""
