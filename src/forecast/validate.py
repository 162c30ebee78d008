"""Checks of raw input tables, each returning Problems rather than raising.

Every check looks at all rows and returns every problem it finds, so that an
analyst fixes a file in one pass. :func:`forecast.dataset.load` collects the
problems of all checks and raises them together as a
:class:`~forecast.errors.DataError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from .config import Assumptions
from .errors import Problem

REQUIRED_TABLES = ("units", "sources", "targets", "observations")


def _p(raw: pd.DataFrame, i: int, column: str | None, value: str | None, expected: str,
       fix: str) -> Problem:
    """A problem at row ``i`` of a raw frame."""
    return Problem(str(raw.at[i, "_file"]), int(raw.at[i, "_row"]), column, value, expected,
                   fix, raw.at[i, "_sheet"] or None)


def check_tables_present(raw: Mapping[str, pd.DataFrame], chunks: Mapping[str, list],
                         locations: Sequence[Path]) -> list[Problem]:
    """A required table that no location provides, or that has no rows at all."""
    where = ", ".join(str(p) for p in locations)
    problems = []
    for name in REQUIRED_TABLES:
        if name not in chunks:
            problems.append(Problem(
                where, None, None, None, f"a table '{name}' ({name}.csv or a sheet '{name}')",
                f"add {name}.csv (forecast template writes the headers) or point --data "
                "at the folder that has it"))
        elif raw[name].empty and all(len(f.columns) for f in chunks[name]):
            files = sorted({str(f) for frame in chunks[name] for f in frame["_file"]})
            problems.append(Problem(
                ", ".join(files) or where, None, None, None,
                f"at least one data row in table '{name}'",
                "add the rows below the header"))
    return problems


def apply_corrections(raw: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame],
                                                               list[Problem]]:
    """Apply the declared corrections to raw targets and observations.

    The corrected row keeps the value its source printed in ``corrected_from``.
    A correction whose record, column or reported value is not found is a
    problem: the data or the correction has changed since it was declared.
    """
    corr = raw["corrections"]
    out = dict(raw)
    problems: list[Problem] = []
    keys = {"targets": "target_id", "observations": "obs_id"}
    for name in keys:
        df = raw[name].copy()
        df["corrected_from"] = ""
        out[name] = df
    for i in corr.index:
        table, rid, col = corr.at[i, "table"], corr.at[i, "record_id"], corr.at[i, "column"]
        if table not in keys:
            continue  # reported by check() as a choice problem
        df = out[table]
        if col not in df.columns or col.startswith("_") or col == "corrected_from":
            problems.append(_p(corr, i, "column", col, f"a column of {table}",
                               "write the name of the corrected column, e.g. value"))
            continue
        hit = df.index[df[keys[table]] == rid]
        if len(hit) == 0:
            problems.append(_p(corr, i, "record_id", rid, f"a {keys[table]} of {table}",
                               f"correct the id or delete the correction"))
            continue
        j = hit[0]
        current = str(df.at[j, col])
        if current != corr.at[i, "reported"]:
            problems.append(_p(
                corr, i, "reported", corr.at[i, "reported"],
                f"the value {table} holds for {rid} ({current!r})",
                "keep the source's figure in the data and the correction here; make "
                "'reported' equal to the data"))
            continue
        df.at[j, col] = corr.at[i, "corrected"]
        df.at[j, "corrected_from"] = current
    return out, problems


def check(raw: Mapping[str, pd.DataFrame], assumptions: Assumptions) -> list[Problem]:
    """Every check of the raw tables (after corrections)."""
    return []
