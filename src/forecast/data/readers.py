"""Reading input files into frames of raw text, remembering where each row stands.

A dataset is a folder of CSV files (``units.csv`` or ``units-<anything>.csv``)
or an Excel workbook with one sheet per table. Every cell is read as text, so
``1.252`` stays ``"1.252"`` until :mod:`forecast.data.numbers` reads it the
Vietnamese way. Each row keeps the file, sheet and row number a person sees
(CSV header = line 1; spreadsheet row numbers), so that every problem found
later can point at it.

Reading never stops at the first problem: problems are collected and returned
with whatever could be read.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import math
import os
from pathlib import Path

import pandas as pd

from forecast.errors import Problem
from forecast.data.schema import MAX_CELL_CHARS, TABLES, Table

FILE_COL, SHEET_COL, ROW_COL = "_file", "_sheet", "_row"
"""Bookkeeping columns added to every raw frame."""
META_COLUMNS = (FILE_COL, SHEET_COL, ROW_COL)

EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def empty_raw(table: Table) -> pd.DataFrame:
    """A raw frame with the table's columns and no rows."""
    cols = {c: pd.Series([], dtype=object) for c in table.column_names}
    cols.update({FILE_COL: pd.Series([], dtype=object), SHEET_COL: pd.Series([], dtype=object),
                 ROW_COL: pd.Series([], dtype="int64")})
    return pd.DataFrame(cols)


def table_for_name(stem: str) -> Table | None:
    """The table a file stem or sheet name stands for (``targets-hanam`` → targets)."""
    s = stem.strip().lower()
    for name, table in TABLES.items():
        if s == name or s.startswith(name + "-"):
            return table
    return None


def _display(path: Path) -> str:
    """Path as shown in messages: relative to the working folder when inside it.

    Symbolic links are not followed (one may loop back on itself).
    """
    try:
        return os.path.relpath(os.path.abspath(path)) if _under_cwd(path) else str(path)
    except (OSError, ValueError):
        return str(path)


def _under_cwd(path: Path) -> bool:
    here = os.path.abspath(os.getcwd())
    return os.path.commonpath([here, os.path.abspath(path)]) == here


def _not_a_file(path: Path, what: str) -> Problem | None:
    """Why ``path`` cannot be read as ``what``, or None when it can be tried."""
    where = _display(path)
    if path.is_symlink() and not path.exists():
        return Problem(where, None, None, None,
                       f"{what}; found a symbolic link that leads nowhere or loops back "
                       "on itself", "point the link at the real file, or replace it by the file")
    if path.is_dir():
        return Problem(where, None, None, None, f"{what}; found a folder with that name",
                       "rename or move the folder: a name ending in .csv is read as a table")
    return None


def read_path(path: Path | str) -> tuple[dict[str, list[pd.DataFrame]], list[Problem], list[Path]]:
    """Read one dataset location: a folder of CSV files or an Excel workbook.

    Parameters
    ----------
    path : Path or str
        Folder or ``.xlsx`` file.

    Returns
    -------
    frames : dict
        Table name → list of raw frames (one per file or sheet), all cells
        text, plus ``_file``, ``_sheet`` and ``_row``.
    problems : list of Problem
        Everything that could not be read.
    files : list of Path
        The files that were read (for manifests).
    """
    path = Path(path)
    frames: dict[str, list[pd.DataFrame]] = {}
    problems: list[Problem] = []
    files: list[Path] = []
    if path.is_dir():
        try:
            found = sorted(path.glob("*.csv"))
        except OSError as exc:
            found = []
            problems.append(Problem(_display(path), None, None, None,
                                    f"a folder that can be read ({exc.strerror})",
                                    "check the folder's permissions"))
        for f in found:
            table = table_for_name(f.stem)
            if table is None:
                # Other CSV files (notes, exclusions) may sit beside the tables.
                continue
            problem = _not_a_file(f, "a CSV file")
            if problem is not None:
                problems.append(problem)
                frames.setdefault(table.name, []).append(_unread(table, problem.file))
                continue
            files.append(f)
            frame, probs = read_csv(f, table)
            problems.extend(probs)
            frames.setdefault(table.name, []).append(frame)
    elif path.is_file() and path.suffix.lower() in EXCEL_SUFFIXES:
        files.append(path)
        got, probs = read_workbook(path)
        problems.extend(probs)
        for name, frame in got.items():
            frames.setdefault(name, []).append(frame)
    else:
        if path.is_file():
            problem = Problem(
                _display(path), None, None, None,
                "a folder of CSV files or an Excel workbook (.xlsx)",
                "pass the folder that holds units.csv, targets.csv ... or save the workbook "
                "as .xlsx")
        elif path.is_symlink():
            problem = _not_a_file(path, "a folder of CSV files or an Excel workbook")
        else:
            problem = Problem(_display(path), None, None, None,
                              "an existing folder or .xlsx workbook",
                              "check the path given to --data")
        problems.append(problem)
        # Reported once, not also as four missing tables.
        for name, table in TABLES.items():
            frames[name] = [_unread(table, problem.file)]
    return frames, problems, files


def _decode(raw: bytes, where: str) -> tuple[str | None, Problem | None]:
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = raw[exc.start: exc.start + 1].hex()
        return None, Problem(
            where, line, None, f"byte 0x{byte} at line {line}, position {col}",
            "text encoded as UTF-8 (Vietnamese letters such as ế, ư, đ)",
            "open the file in Excel or LibreOffice and save it as 'CSV UTF-8 "
            "(comma delimited)'",
        )


def read_csv(path: Path, table: Table) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one CSV file of ``table`` as text, checking its header.

    UTF-8 with or without a byte-order mark is accepted. Wholly blank lines are
    skipped. A file that is empty or cannot be read gives an empty frame with
    ``attrs["unread"]`` set, so that the table is not also reported missing.
    """
    where = _display(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return _unread(table, where), [Problem(
            where, None, None, None, f"a file that can be read ({exc.strerror})",
            "check that the file exists and that you may read it")]
    text, problem = _decode(raw, where)
    if problem is not None:
        return _unread(table, where), [problem]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text, table))
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            expected = f"cells of at most {MAX_CELL_CHARS:,} characters"
            fix = ("a cell starting on this line runs for more than 131,072 characters: "
                   "close the quotation mark it opens, or shorten the text")
        else:
            expected, fix = f"well-formed CSV ({exc})", "close the quotation mark opened on this line"
        return _unread(table, where), [Problem(where, line, None, None, expected, fix)]
    if text.count('"') % 2 and rows:
        # Quotes come in pairs in a well-formed file; the reader has taken
        # everything from the unpaired one to the end of the file as one cell.
        return _unread(table, where), [Problem(
            where, rows[-1][0], None, None, "every quotation mark closed",
            "a quotation mark opened on this line is never closed, so the rest of the file "
            "was read as one cell: add the closing \" or remove the opening one")]
    return _frame_from_rows(rows, table, where, None)


def _delimiter(text: str, table: Table) -> str:
    """``;`` when the header is separated by semicolons, else ``,``.

    Excel under a Vietnamese (or other decimal-comma) regional setting saves
    "CSV" with semicolons between cells; such files are read as they are.
    """
    first = next((line for line in text.splitlines() if line.strip()), "")
    names = [h.strip().strip('"') for h in first.split(";")]
    if "," not in first and len(names) > 1 and set(names) <= set(table.column_names):
        return ";"
    return ","


def _unread(table: Table, where: str) -> pd.DataFrame:
    frame = empty_raw(table)
    frame.attrs["unread"] = where
    return frame


def _cell_text(cell) -> str:
    """One spreadsheet cell as the text a person would type.

    Whole numbers lose the ``.0`` Excel adds; dates become ISO dates; cells
    formatted as percentages get their ``%`` back. A decimal such as 1.252
    stored as a number would read as 1252 the Vietnamese way, so it gets a
    trailing zero (``1.2520``), which can only be read as a decimal.
    """
    v = cell.value
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, dt.datetime):
        if v.time() == dt.time(0, 0):
            return v.date().isoformat()
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, (int, float)):
        pct = "%" in str(cell.number_format or "")
        x = v * 100 if pct else v
        if isinstance(x, float) and not math.isfinite(x):
            return str(x)
        if float(x) == int(x):
            s = str(int(x))
        else:
            s = repr(round(float(x), 10))
            head, _, tail = s.partition(".")
            if len(tail) == 3 and 1 <= len(head.lstrip("-")) <= 3:
                s += "0"
        return s + ("%" if pct else "")
    return str(v).strip() if isinstance(v, str) else str(v)


def read_workbook(path: Path) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Read every sheet named like a table (``units``, ``targets-2024`` ...).

    Other sheets (a README) are ignored. openpyxl is used directly rather than
    through ``pandas.read_excel`` so that each cell's number format (percent)
    and exact spreadsheet row number are known.
    """
    import openpyxl  # imported here: only workbook users pay for it

    where = _display(path)
    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad file
        # Every table is marked unread so the workbook is reported once, not
        # also as four missing tables.
        unread = {name: _unread(table, where) for name, table in TABLES.items()}
        return unread, [Problem(where, None, None, None,
                            f"an Excel workbook that opens ({type(exc).__name__}: {exc})",
                            "re-save the file from Excel or LibreOffice as .xlsx")]
    uncalculated = _uncalculated_formulas(path, wb)
    if uncalculated:
        shown = ", ".join(uncalculated[:5]) + (", ..." if len(uncalculated) > 5 else "")
        unread = {name: _unread(table, where) for name, table in TABLES.items()}
        return unread, [Problem(
            where, None, None, None,
            f"cells with values; found {len(uncalculated)} formula cell(s) whose value was "
            f"never calculated ({shown})",
            "the workbook was saved by a program that does not calculate formulas: open it "
            "in Excel or LibreOffice and save it again (that stores the values), or replace "
            "the formulas by their values (copy, then Paste Special > Values)")]
    out: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for ws in wb.worksheets:
        table = table_for_name(ws.title)
        if table is None:
            continue
        rows = []
        for cells in ws.iter_rows(min_row=1):
            texts = [_cell_text(c) for c in cells]
            while texts and not texts[-1]:
                texts.pop()
            if any(t.strip() for t in texts):
                rows.append((cells[0].row, texts))
        frame, probs = _frame_from_rows(rows, table, where, ws.title)
        problems.extend(probs)
        if table.name in out:
            unread = out[table.name].attrs.get("unread") or frame.attrs.get("unread")
            frame = pd.concat([out[table.name], frame], ignore_index=True)
            if unread:
                frame.attrs["unread"] = unread
        out[table.name] = frame
    return out, problems


def _uncalculated_formulas(path: Path, values) -> list[str]:
    """``sheet!A1`` of every formula in a table sheet that has no stored value.

    ``values`` is the workbook opened with ``data_only=True`` (stored values);
    the formulas themselves need a second, read-only opening.
    """
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        found = []
        for ws in wb.worksheets:
            if table_for_name(ws.title) is None:
                continue
            stored = values[ws.title]
            for row in ws.iter_rows():
                found += [f"{ws.title}!{c.coordinate}" for c in row
                          if getattr(c, "data_type", None) == "f"
                          and stored[c.coordinate].value is None]
        return found
    finally:
        wb.close()


def _header_below(rows: list[tuple[int, list[str]]], table: Table) -> tuple[int, int] | None:
    """(line, lines above it) of a header found below title lines, or None.

    The first line then holds none of the table's column names, and a line
    among the next few holds at least half of the required ones.
    """
    valid = set(table.column_names)
    if {h.strip().lstrip("\ufeff") for h in rows[0][1]} & valid:
        return None
    need = max(2, len(table.required_columns) // 2)
    for k, (line, cells) in enumerate(rows[1:10], start=1):
        if len({c.strip() for c in cells} & valid) >= need:
            return line, k
    return None


def _frame_from_rows(rows: list[tuple[int, list[str]]], table: Table, where: str,
                     sheet: str | None) -> tuple[pd.DataFrame, list[Problem]]:
    """Check the header of ``rows`` and build the raw frame of the data rows."""
    problems: list[Problem] = []
    if not rows:
        # An empty frame still tells later checks that the table was supplied
        # (and its emptiness already reported), so it is not reported twice.
        return _unread(table, where), [Problem(
            where, None, None, None,
            f"a header line ({', '.join(table.column_names)}) and data rows",
            "the file is empty: fill it in from the template (forecast template) or delete it",
            sheet,
        )]
    below = _header_below(rows, table)
    if below is not None:
        line, above = below
        title = next((c.strip() for c in rows[0][1] if c.strip()), "")
        return _unread(table, where), [Problem(
            where, line, None, None,
            f"the column names ({', '.join(table.column_names)}) on the first line; they "
            f"are on row {line}, below {above} line(s) such as {title[:60]!r}",
            f"delete the {above} line(s) above the column names", sheet)]
    header_line, header = rows[0]
    header = [h.strip().lstrip("\ufeff") for h in header]
    valid = table.column_names
    positions: dict[str, int] = {}
    absent = [c for c in table.required_columns if c not in header]
    for i, name in enumerate(header):
        if not name:
            if any(i < len(cells) and cells[i].strip() for _, cells in rows[1:]):
                problems.append(Problem(
                    where, header_line, f"(column {i + 1})", "",
                    f"a column name, one of: {', '.join(valid)}",
                    "write the column's name in the header or delete the column", sheet))
            continue
        if name in positions:
            problems.append(Problem(
                where, header_line, name, name, "each column once",
                f"delete or rename the second '{name}' column", sheet))
            continue
        if name not in valid:
            near = difflib.get_close_matches(name, valid, n=1, cutoff=0.6)
            if near:
                fix = f"did you mean '{near[0]}'? Otherwise rename or delete the column"
            elif absent:
                fix = (f"is it the missing column {' or '.join(repr(a) for a in absent)}? "
                       "Otherwise rename or delete the column")
            else:
                fix = "rename or delete the column"
            problems.append(Problem(
                where, header_line, name, name,
                f"a column of table '{table.name}': {', '.join(valid)}", fix, sheet))
            continue
        positions[name] = i
    for c in table.required_columns:
        if c not in positions:
            problems.append(Problem(
                where, header_line, c, None,
                f"required column '{c}' in the header",
                f"add a column named '{c}' ({table.column(c).doc})", sheet))
    data = rows[1:]
    records = []
    for line, cells in data:
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            problems.append(Problem(
                where, line, None, ", ".join(c for c in cells[len(header):] if c.strip()),
                f"at most {len(header)} cells, as many as the header has",
                "remove the extra cells or quote a value that contains a comma", sheet))
        rec = {c: (cells[i].strip() if i < len(cells) else "") for c, i in positions.items()}
        records.append(rec)
    frame = empty_raw(table)[valid] if not records else pd.DataFrame.from_records(
        records, columns=valid).astype(object)
    # A column missing from the header is None (not ""), so that its absence is
    # reported once, not as a blank value in every row.
    for c in valid:
        frame[c] = frame[c].astype(object)
        if c not in positions:
            frame[c] = None
    frame[FILE_COL] = where
    frame[SHEET_COL] = sheet
    frame.attrs["file"] = f"{where} [sheet {sheet}]" if sheet else where
    frame[ROW_COL] = pd.Series([line for line, _ in data], dtype="int64")
    return frame, problems
