"""Hypothesis strategies that break the valid dataset the way people and programs do.

The starting point is ``tests/bad_inputs/valid`` (Krông Bông and Cư Pui,
2021). A *mutated dataset* is that folder after one to three mutations drawn
from five families:

* **values**: one cell (header cells included) replaced by a nasty value:
  dates outside any calendar or pandas' range, numbers with 400 digits, NaN,
  ``1.252`` vs ``1,252``, percentages, ranges and bounds half written,
  formulas, control characters, arbitrary Unicode, 5,000 to 200,000
  characters;
* **types**: numbers where text belongs and text where numbers belong,
  booleans, floats in every spelling;
* **structure**: a column dropped, repeated, renamed or moved, rows dropped,
  repeated or cut short, extra cells, a title line above the header, blank
  lines, a header-only or empty file, a missing table, a folder or a
  symbolic link loop where a file should be;
* **encodings and bytes**: another code page (cp1258, latin-1, UTF-16),
  a byte-order mark, stray bytes, NULs, a file cut at any byte, other line
  endings and separators;
* **workbooks**: the tables as sheets of an ``.xlsx`` file with typed cells
  (numbers such as 1.252, dates, booleans, formulas never calculated), sheets
  renamed, repeated or empty, and workbooks cut short.

:func:`check_error` is the property every test asserts: a
:class:`~forecast.errors.ForecastError` whose message names the input and
says how to fix it. Any other exception fails the test, and Hypothesis
shrinks the input to the smallest one that still fails.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from forecast.errors import DataError, ForecastError

VALID = Path(__file__).resolve().parents[1] / "bad_inputs" / "valid"
TABLES = ("units", "sources", "targets", "observations")

# One profile for every fuzz test: no example database (nothing is written
# into the checkout), no deadline (a loaded machine is slow), and the health
# checks that only say "this input is large/slow to build" switched off.
settings.register_profile(
    "fuzz", deadline=None, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much])
FUZZ = settings.get_profile("fuzz")


def valid_tables() -> dict[str, list[list[str]]]:
    """The valid dataset as rows of cells, header first."""
    out = {}
    for name in TABLES:
        with open(VALID / f"{name}.csv", encoding="utf-8", newline="") as fh:
            out[name] = list(csv.reader(fh))
    return out


# -- values ---------------------------------------------------------------------
NASTY = [
    "", " ", "\t", "nan", "NaN", "None", "null", "inf", "-inf", "1e400", "-0", "0", "0%",
    "9" * 401, "10.000.001", "1.252", "1,252", "1.252,5", "1,252.5", "6,500", "1.2520",
    "83,5%", "83.5%", "120 %", "-14,5%", "1000,1%", "~", "~6", ">=", ">=300", "<=0", "trên",
    "10-", "-10", "10-12", "12-10", "từ 10 đến 12", "khoảng 2 – 4", "3-4%", "0x1F", "1_000",
    "0000-01-01", "0001-01-01", "2300-09-30", "1899-12-31", "2101-01-01", "2021-02-30",
    "31/02/2021", "2021-13", "13/2021", "2021", "21", "20210", "12 Oct 2021", "2021-06-30T00:00",
    "2020-2300", "2025-2020", "2020-2020", "2020 – 2025", "9999-9999",
    "=2*3", '=HYPERLINK("http://example.invalid","x")', "+1", "@SUM(A1)", "-2+3",
    "a\x00b", "a\x0bb", "\x1b[31m", "\x7f", "\u0085", "\ufeff", "\ufffe", "\u202e",
    "Đảng bộ", "ế ư đ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "a\nb", "a\r\nb", '"', '""', "a,b", "a;b",
    "krong-bong", "cu-pui", "dak-lak", "krong bong", "KRONG-BONG", "krong-bongg",
    "annual", "term", "count", "pct_members", "admitted", "members", "attainment_pct",
    "excess_pct", "conversion_pct", "change_pct", "other", "introduced", "trained",
    "province", "commune", "xa", "resolution", "assigned",
]
"""Values worth trying in any cell: every format the readers know, just wrong."""

text_values = st.text(max_size=30)
number_values = st.one_of(
    st.integers(-(10 ** 30), 10 ** 30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.from_regex(r"[~>=<≥]{0,2}-?\d{1,12}([.,]\d{1,4}){0,3}\s?%?", fullmatch=True),
)
date_values = st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).flatmap(
    lambda d: st.sampled_from([d.isoformat(), f"{d.day}/{d.month}/{d.year:04d}",
                               f"{d.year:04d}-{d.month}", f"{d.year:04d}"]))
long_values = st.integers(4_990, 200_000).map(lambda n: "x" * n)
control_values = st.tuples(st.text(max_size=5), st.characters(max_codepoint=0x9F),
                           st.text(max_size=5)).map("".join)
cell_values = st.one_of(st.sampled_from(NASTY), text_values, number_values, date_values,
                        control_values, long_values)


# -- mutations of the tables (rows of cells) ------------------------------------------
class Files:
    """The dataset being mutated: rows per table, or raw bytes, or a special entry."""

    def __init__(self):
        self.rows: dict[str, list[list[str]]] = valid_tables()
        self.raw: dict[str, object] = {}  # name -> bytes, "missing", "folder" or "loop"
        self.log: list[str] = []  # what was done, for the report of a failing example

    def __repr__(self) -> str:
        return f"Files({'; '.join(self.log)})"

    def row_tables(self) -> list[str]:
        return [t for t in TABLES if t not in self.raw]

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name in TABLES:
            path = folder / f"{name}.csv"
            entry = self.raw.get(name)
            if entry == "missing":
                continue
            if entry == "folder":
                path.mkdir()
            elif entry == "loop":
                path.symlink_to(path)
            elif isinstance(entry, bytes):
                path.write_bytes(entry)
            else:
                path.write_bytes(to_csv(self.rows[name]).encode("utf-8"))


def to_csv(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def _table(draw, files: Files) -> str | None:
    names = files.row_tables()
    return draw(st.sampled_from(names)) if names else None


def set_cell(draw, files: Files) -> None:
    name = _table(draw, files)
    if name is None:
        return
    rows = files.rows[name]
    r = draw(st.integers(0, len(rows) - 1))
    if not rows[r]:
        return
    c = draw(st.integers(0, len(rows[r]) - 1))
    rows[r][c] = draw(cell_values)
    files.log.append(f"{name}.csv line {r + 1} cell {c + 1} = {rows[r][c][:80]!r}")


def structure(draw, files: Files) -> None:
    name = _table(draw, files)
    if name is None:
        return
    rows = files.rows[name]
    width = len(rows[0]) if rows else 0
    if width == 0:
        return
    kind = draw(st.sampled_from([
        "drop_column", "repeat_column", "swap_headers", "rename_column", "drop_row",
        "repeat_row", "cut_row", "extra_cells", "title_line", "blank_lines", "header_only",
        "empty", "missing", "folder", "loop", "semicolons", "tabs"]))
    j, k = draw(st.integers(0, width - 1)), draw(st.integers(0, width - 1))
    files.log.append(f"{name}.csv {kind} (columns {j + 1}, {k + 1})")
    if kind == "drop_column":
        for row in rows:
            del row[j:j + 1]
    elif kind == "repeat_column":
        for row in rows:
            row.insert(k, row[j] if j < len(row) else "")
    elif kind == "swap_headers":  # the values then stand under the wrong names
        rows[0][j], rows[0][k] = rows[0][k], rows[0][j]
    elif kind == "rename_column":
        head = rows[0]
        head[j] = draw(st.sampled_from([head[j].upper(), head[j] + " ", head[j][:-1], "",
                                        head[k]]))
    elif kind == "drop_row" and len(rows) > 1:
        del rows[draw(st.integers(1, len(rows) - 1))]
    elif kind == "repeat_row":
        rows.append(list(rows[draw(st.integers(0, len(rows) - 1))]))
    elif kind == "cut_row":
        r = draw(st.integers(0, len(rows) - 1))
        rows[r] = rows[r][:j]
    elif kind == "extra_cells":
        rows[draw(st.integers(0, len(rows) - 1))].extend(draw(st.lists(cell_values, max_size=3)))
    elif kind == "title_line":
        rows.insert(0, [draw(st.sampled_from(["Danh sách đơn vị", "Bảng 1", "=TITLE"]))])
    elif kind == "blank_lines":
        rows.insert(draw(st.integers(0, len(rows))), [])
    elif kind == "header_only":
        del rows[1:]
    elif kind == "empty":
        files.raw[name] = b""
    elif kind in ("missing", "folder", "loop"):
        files.raw[name] = kind
    else:  # another separator for every cell of the table
        sep = ";" if kind == "semicolons" else "\t"
        files.raw[name] = "\n".join(sep.join(row) for row in rows).encode("utf-8")


ENCODINGS = ["cp1258", "latin-1", "cp1252", "utf-16", "utf-16-le", "utf-8-sig", "utf-32"]


def bytes_level(draw, files: Files) -> None:
    name = _table(draw, files)
    if name is None:
        return
    text = to_csv(files.rows[name])
    kind = draw(st.sampled_from(["encoding", "cut", "insert", "line_endings"]))
    data = text.encode("utf-8")
    if kind == "encoding":
        data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    elif kind == "cut":
        data = data[:draw(st.integers(0, len(data)))]
    elif kind == "insert":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    else:
        data = data.replace(b"\n", draw(st.sampled_from([b"\r\n", b"\r", b"\n\n", b"\x85"])))
    files.raw[name] = data
    files.log.append(f"{name}.csv {kind}: {data[:120]!r}")


MUTATIONS = {"values": set_cell, "structure": structure, "bytes": bytes_level}


@st.composite
def mutated_files(draw, families=("values", "values", "structure", "bytes")) -> Files:
    """The valid dataset after one to three mutations of the given families."""
    files = Files()
    for _ in range(draw(st.integers(1, 3))):
        MUTATIONS[draw(st.sampled_from(families))](draw, files)
    return files


# -- workbooks ------------------------------------------------------------------------
typed_values = st.one_of(
    st.integers(-(10 ** 20), 10 ** 20),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.sampled_from([1.252, 83.5, 0.835, 6.5, 1e300, -0.0, 0.0, True, False]),
    st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(9999, 12, 31)),
    st.sampled_from(["=1+1", "=A1*2", "=SUM(E2:E3)", '="text"']),
)


@st.composite
def workbook_bytes(draw) -> bytes:
    """A workbook of the (row-mutated) tables with typed cells, sheets renamed or repeated."""
    import openpyxl

    files = draw(mutated_files(families=("values", "values", "structure")))
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name in TABLES:
        if name in files.raw:
            continue
        title = draw(st.sampled_from([name, name, name, f"{name}-2021", name.upper(),
                                      f"{name} ", "README"]))
        if title in wb.sheetnames:
            continue
        ws = wb.create_sheet(title)
        for row in files.rows[name]:
            ws.append([_xlsx_safe(v) for v in row])
    if not wb.sheetnames:
        wb.create_sheet("empty")
    for _ in range(draw(st.integers(0, 3))):
        ws = wb[draw(st.sampled_from(wb.sheetnames))]
        cell = ws.cell(draw(st.integers(1, 6)), draw(st.integers(1, 12)))
        cell.value = draw(typed_values)
    if draw(st.booleans()):
        wb.create_sheet(draw(st.sampled_from(["units", "targets-extra", "Sheet"])))
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if draw(st.integers(0, 9)) == 0:  # a download cut short
        data = data[:draw(st.integers(0, len(data)))]
    return data


def _xlsx_safe(value: str) -> str:
    """A cell value openpyxl can save: XML holds no control characters and no
    U+FFFE/U+FFFF, which a spreadsheet program never writes either."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return re.sub("[\ufffe\uffff\ud800-\udfff]", "", ILLEGAL_CHARACTERS_RE.sub("", value))


# -- the property ---------------------------------------------------------------------
def check_error(exc: ForecastError, names: list[str]) -> None:
    """The message names the input (one of ``names``) and says how to fix it."""
    msg = str(exc)
    assert "Fix" in msg or "fix" in msg, msg
    if isinstance(exc, DataError):
        assert exc.problems, msg
        for p in exc.problems:
            assert p.file and any(n in p.file for n in names), (p.file, names)
            assert p.fix.strip() and p.expected.strip(), str(p)
    else:
        assert any(n in msg for n in names), (msg, names)


def fresh(base: Path) -> Path:
    """An empty folder under ``base`` for one example."""
    folder = base / f"ex{os.urandom(6).hex()}"
    folder.mkdir()
    return folder


def remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
