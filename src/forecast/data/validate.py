"""Checks of raw input tables, each returning Problems rather than raising.

Every check looks at all rows and returns every problem it finds, so that an
analyst fixes a file in one pass. :func:`forecast.data.dataset.load` collects the
problems of all checks and raises them together as a
:class:`~forecast.errors.DataError`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from forecast.config import Assumptions
from forecast.errors import Problem
from forecast.data.lineage import check_lineage
from forecast.data.numbers import YEARS, ParseError, parse_date
from forecast.data.rows import check_observations, check_targets, check_terms, problem_at
from forecast.data.schema import FUNNEL_STAGES, MAX_CELL_CHARS, TABLES, Table

REQUIRED_TABLES = ("units", "sources", "targets", "observations")


def check_tables_present(raw: Mapping[str, pd.DataFrame], chunks: Mapping[str, list],
                         locations: Sequence[Path]) -> list[Problem]:
    """A required table that no location provides, or that has no rows at all."""
    where = ", ".join(str(p) for p in locations)
    problems = []
    for name in REQUIRED_TABLES:
        frames = chunks.get(name, [])
        if not frames:
            found = sorted(f.name for loc in locations if Path(loc).is_dir()
                           for f in Path(loc).glob("*.csv"))
            near = difflib.get_close_matches(name, [Path(f).stem for f in found], n=1)
            hint = f"rename {near[0]}.csv to {name}.csv, or " if near else ""
            problems.append(Problem(
                where, None, None, None,
                f"a table '{name}' ({name}.csv, {name}-<anything>.csv or a sheet '{name}')",
                f"{hint}add {name}.csv (forecast template writes the headers) or give "
                "--data the folder that has it as well"))
        elif raw[name].empty and not any(f.attrs.get("unread") for f in frames):
            # Header-only files: name the file(s), which have no rows to carry it.
            files = sorted({f.attrs.get("file", "") for f in frames} - {""}) or [where]
            problems.append(Problem(
                ", ".join(files), None, None, None,
                f"at least one data row in table '{name}' (the file has only its header)",
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
            problems.append(problem_at(corr, i, "column", col, f"a column of {table}",
                               "write the name of the corrected column, e.g. value"))
            continue
        hit = df.index[df[keys[table]] == rid]
        if len(hit) == 0:
            problems.append(problem_at(corr, i, "record_id", rid, f"a {keys[table]} of {table}",
                               f"correct the id or delete the correction"))
            continue
        j = hit[0]
        current = str(df.at[j, col])
        if current != corr.at[i, "reported"]:
            problems.append(problem_at(
                corr, i, "reported", corr.at[i, "reported"],
                f"the value {table} holds for {rid} ({current!r})",
                "keep the source's figure in the data and the correction here; make "
                "'reported' equal to the data"))
            continue
        df.at[j, col] = corr.at[i, "corrected"]
        df.at[j, "corrected_from"] = current
    return out, problems


SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
"""Invisible control characters (all but tab and line breaks). They come from
text pasted out of PDFs or other programs, and no document format can hold them."""


def _suggest(value: str, valid: Sequence[str], what: str) -> str:
    near = difflib.get_close_matches(value, list(valid), n=3, cutoff=0.5)
    if near:
        return f"did you mean {' or '.join(repr(n) for n in near)}? Otherwise add it to {what}"
    return f"use an id listed in {what}, or add it there"


def check(raw: Mapping[str, pd.DataFrame], assumptions: Assumptions) -> list[Problem]:
    """Every check of the raw tables (after corrections).

    Parameters
    ----------
    raw : mapping
        Table name → raw text frame (with ``_file``, ``_sheet``, ``_row``).
    assumptions : Assumptions
        Unused by the checks today; passed so that checks may depend on it.

    Returns
    -------
    list of Problem
        In table order, then row order.
    """
    problems: list[Problem] = []
    for name, table in TABLES.items():
        problems += check_cells(raw[name], table)
        if table.key:
            problems += check_unique(raw[name], table.key)
    # A column missing from a file's header is None there, so that check_cells
    # reports it once; the checks below read it as blank.
    raw = {name: df.astype(object).where(df.notna(), "") for name, df in raw.items()}
    problems += check_refs(raw)
    problems += check_units(raw["units"])
    problems += check_terms(raw["terms"])
    problems += check_targets(raw["targets"])
    problems += check_observations(raw["observations"], raw["targets"])
    problems += check_lineage(raw)
    return problems


def check_cells(df: pd.DataFrame, table: Table) -> list[Problem]:
    """Required values, allowed choices, id spelling, dates and years, cell by cell."""
    problems = []
    for col in table.columns:
        if col.name not in df.columns:
            continue
        for i, v in zip(df.index, df[col.name]):
            if v is None:
                break  # column missing from this file's header: reported once already
            text_problem = _text_problem(df, i, col.name, v)
            if text_problem is not None:
                problems.append(text_problem)
                continue
            if v == "":
                if col.required:
                    problems.append(problem_at(df, i, col.name, "", f"a value ({col.doc})",
                                       f"fill in '{col.name}' or delete the row"))
                continue
            if col.kind == "choice" and v not in col.choices:
                near = difflib.get_close_matches(v, col.choices, n=1, cutoff=0.5)
                hint = f"did you mean '{near[0]}'? Otherwise w" if near else "w"
                problems.append(problem_at(df, i, col.name, v, f"one of: {', '.join(col.choices)}",
                                   f"{hint}rite one of the allowed values exactly"))
            elif col.kind == "id" and not SLUG.fullmatch(v):
                slug = re.sub(r"[^A-Za-z0-9._-]+", "-", v).strip("-") or "my-id"
                problems.append(problem_at(df, i, col.name, v,
                                   "an ASCII id of letters, digits, '-', '_' or '.'",
                                   f"write it without spaces or accents, e.g. {slug}"))
            elif col.kind == "date":
                try:
                    parse_date(v)
                except ParseError as exc:
                    problems.append(problem_at(df, i, col.name, v, str(exc),
                                       "write the date as 2021-06-30 (or 30/06/2021, "
                                       "2021-06, 2021)"))
            elif col.kind == "year":
                if not (re.fullmatch(r"\d{4}", v) and YEARS[0] <= int(v) <= YEARS[1]):
                    problems.append(problem_at(df, i, col.name, v, "a calendar year such as 2021",
                                       "write the four-digit year only"))
    return problems


def _text_problem(df: pd.DataFrame, i: int, column: str, v: str) -> Problem | None:
    """A cell too long or holding a control character, else None."""
    if len(v) > MAX_CELL_CHARS:
        return problem_at(df, i, column, v, f"at most {MAX_CELL_CHARS:,} characters in one cell",
                  "shorten the text; if the cell holds several rows of the file, a quotation "
                  "mark opened before it was never closed")
    m = CONTROL.search(v)
    if m:
        return problem_at(df, i, column, v,
                  f"text without invisible control characters (found U+{ord(m.group()):04X} "
                  f"at position {m.start() + 1})",
                  "retype the value or delete the invisible character; it usually comes with "
                  "text copied from a PDF or another program")
    return None


def check_unique(df: pd.DataFrame, key: str) -> list[Problem]:
    """Duplicate ids: each repeat names the row of the first."""
    problems = []
    first: dict[str, int] = {}
    for i, v in zip(df.index, df[key]):
        if not v:
            continue
        if v in first:
            j = first[v]
            other = f"{df.at[j, '_file']}" + (f" [sheet {df.at[j, '_sheet']}]"
                                              if df.at[j, "_sheet"] else "")
            problems.append(problem_at(df, i, key, v,
                               f"a unique {key}; it is also used at {other}, "
                               f"row {df.at[j, '_row']}",
                               "give one of the two rows another id, or delete the repeat"))
        else:
            first[v] = i
    return problems


def check_refs(raw: Mapping[str, pd.DataFrame]) -> list[Problem]:
    """Unit, parent, source and target references that point nowhere."""
    units = [u for u in raw["units"]["unit_id"] if u]
    sources = [s for s in raw["sources"]["source_id"] if s]
    targets = [t for t in raw["targets"]["target_id"] if t]
    unit_set, source_set, target_set = set(units), set(sources), set(targets)
    problems = []

    def refs(df, col, valid, valid_set, what, skip=None):
        # A table that is missing, unreadable or empty is reported once by
        # itself; every reference into it would only repeat that.
        if col not in df.columns or not valid:
            return
        for i, v in zip(df.index, df[col]):
            if v and v not in valid_set and not (skip and skip(i)):
                problems.append(problem_at(df, i, col, v, f"an id listed in {what}",
                                   _suggest(v, valid, what)))

    refs(raw["units"], "parent_id", units, unit_set, "units.unit_id")
    for name in ("terms", "targets", "observations"):
        refs(raw[name], "unit_id", units, unit_set, "units.unit_id")
    for name in ("targets", "observations"):
        refs(raw[name], "source_id", sources, source_set, "sources.source_id")
    obs = raw["observations"]
    refs(obs, "ref", targets, target_set, "targets.target_id",
         skip=lambda i: obs.at[i, "measure"] not in ("attainment_pct", "excess_pct"))
    unit_of_target = dict(zip(raw["targets"]["target_id"], raw["targets"]["unit_id"]))
    for i in obs.index[obs["measure"].isin(["attainment_pct", "excess_pct"])]:
        ref, unit = obs.at[i, "ref"], obs.at[i, "unit_id"]
        if ref in unit_of_target and unit_of_target[ref] != unit:
            problems.append(problem_at(obs, i, "ref", ref,
                               f"a target of unit {unit}; {ref} is a target of "
                               f"{unit_of_target[ref]}",
                               "name the target of this row's unit, or correct unit_id"))
    for i in obs.index[obs["measure"] == "conversion_pct"]:
        v = obs.at[i, "ref"]
        if v not in FUNNEL_STAGES:
            problems.append(problem_at(obs, i, "ref", v,
                               f"the funnel stage the rate is taken of: {', '.join(FUNNEL_STAGES)}",
                               "write introduced (admitted / introduced) or trained "
                               "(admitted / attended the awareness class)"))
    return problems


def check_units(units: pd.DataFrame) -> list[Problem]:
    """Parent chains that loop back on themselves (each loop reported once)."""
    parent: dict[str, str] = {}
    row_of: dict[str, int] = {}
    for i, u, p in zip(units.index, units["unit_id"], units["parent_id"]):
        if u and u not in row_of:  # a repeated id is reported by check_unique
            row_of[u] = i
            if p:
                parent[u] = p
    problems, seen = [], set()
    for start in parent:
        path, u = [], start
        while u in parent and u not in path and u not in seen:
            path.append(u)
            u = parent[u]
        if u in path:
            cycle = path[path.index(u):]
            head = min(cycle, key=lambda x: row_of.get(x, 0))
            k = cycle.index(head)
            cycle = cycle[k:] + cycle[:k]
            chain = " → ".join([*cycle, head])
            problems.append(problem_at(units, row_of[head], "parent_id", parent[head],
                               f"a parent chain that ends at a top unit; it loops: {chain}",
                               "correct the parent_id of one unit in the loop (the top unit "
                               "has a blank parent_id)"))
        seen.update(path)
    return problems
