"""Tables as files: spreadsheets (XLSX, CSV), a Word table and a LaTeX booktabs table.

One writer per format, shared by the brief's ``tables/`` folder, ``forecast
outlook --out`` and the comparison export (:mod:`forecast.brief.compare`):

* XLSX: a bold header row on a light fill, frozen, with a filter; each
  column as wide as its content (capped); numbers stay numbers with a
  display format by column (probabilities and attainments as percentages,
  counts with thousands separators, dates as dates), so a reader can sort
  and compute on them.
* CSV: UTF-8 with a byte-order mark, which Excel needs to show Vietnamese
  letters; ISO dates; ``\\n`` line ends.
* DOCX: the brief's Word table (:mod:`forecast.brief.docx`: Arial, widths
  from content) in an A4 document of its own.
* LaTeX: ``tabular`` with booktabs rules (``\\toprule``, ``\\midrule``,
  ``\\bottomrule``), text escaped, numbers already formatted for the
  language; paste it into a paper with ``\\usepackage{booktabs}``.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pandas as pd

from forecast.atomic import write_bytes
from forecast.brief.doc import Table
from forecast.errors import ConfigError

PERCENT_FORMAT = "0.0%"
COUNT_FORMAT = "#,##0"
RATE_FORMAT = "#,##0.0"
RATIO_FORMAT = "0.00"
DATE_FORMAT = "yyyy-mm-dd"

NUMBER_FORMATS = {
    **dict.fromkeys(("p_reach", "required_attainment"), PERCENT_FORMAT),
    **dict.fromkeys(("target", "cumulative", "remaining", "final_mean", "final_q10",
                     "final_q25", "final_q50", "final_q75", "final_q90", "introduced_needed",
                     "trained_needed", "n_obs"), COUNT_FORMAT),
    **dict.fromkeys(("required_per_year", "observed_per_year", "required_per_year_p"),
                    RATE_FORMAT),
    **dict.fromkeys(("pace_ratio", "years_left"), RATIO_FORMAT),
    **dict.fromkeys(("start", "deadline", "as_of", "reach_date_q10", "reach_date_q50",
                     "reach_date_q90"), DATE_FORMAT),
}
"""Display format of the outlook's columns in a workbook (by column name)."""

TABLE_SUFFIXES = (".xlsx", ".csv")
HEADER_FILL = "DDE6F0"
MAX_WIDTH = 60


_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CORE_DATES = re.compile(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def stable_zip(path: Path) -> None:
    """Rewrite an Office file (a zip) with fixed entry times and document dates.

    python-docx and openpyxl stamp the current time into the zip entries and
    ``docProps/core.xml``; with fixed ones an unchanged brief has unchanged
    bytes, like its figures.
    """
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info.filename)) for info in src.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = _CORE_DATES.sub(r"\g<1>2000-01-01T00:00:00Z\g<2>",
                                       data.decode("utf-8")).encode("utf-8")
            fixed = zipfile.ZipInfo(info.filename, _ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, data)
    write_bytes(path, buf.getvalue())


def write_xlsx(path: str | Path, sheets: dict[str, pd.DataFrame],
               formats: dict[str, str] | None = None, title: str = "") -> Path:
    """Write one sheet per frame: header, number formats, widths, frozen header.

    Parameters
    ----------
    path : path
    sheets : dict
        Sheet name → frame (written without its index).
    formats : dict, optional
        Column name → Excel number format; default :data:`NUMBER_FORMATS`.
    title : str
        When given, a first row above the header (the table's title).

    Returns
    -------
    Path
    """
    from openpyxl.styles import Font, PatternFill

    formats = NUMBER_FORMATS if formats is None else formats
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    top = 2 if title else 1
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for name, df in sheets.items():
            df = _excel_values(df)
            df.to_excel(xl, sheet_name=name, index=False, startrow=top - 1)
            sheet = xl.sheets[name]
            if title:
                sheet.cell(1, 1, title).font = Font(bold=True, size=12)
            sheet.freeze_panes = sheet.cell(top + 1, 1).coordinate
            if len(df.columns):
                sheet.auto_filter.ref = (f"A{top}:{sheet.cell(top, len(df.columns)).column_letter}"
                                         f"{top + len(df)}")
            for row in sheet.iter_rows(min_row=top + 1):
                for cell in row:
                    if isinstance(cell.value, str):
                        # Text stays text: a name such as "=HYPERLINK(...)" is no formula.
                        cell.data_type = "s"
            for i, col in enumerate(df.columns, start=1):
                head = sheet.cell(top, i)
                head.font = Font(bold=True)
                head.fill = PatternFill("solid", fgColor=HEADER_FILL)
                fmt = formats.get(str(col))
                if fmt:
                    for row in range(top + 1, top + 1 + len(df)):
                        sheet.cell(row, i).number_format = fmt
                shown = [len(str(col))] + [len(_shown(v, fmt)) for v in df[col].head(200)]
                sheet.column_dimensions[head.column_letter].width = min(max(shown) + 2, MAX_WIDTH)
    stable_zip(path)
    return path


def _excel_values(df: pd.DataFrame) -> pd.DataFrame:
    """Dates as naive timestamps (Excel has no time zones), lists as text."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            out[col] = s.dt.tz_localize(None)
        elif s.dtype == object:
            out[col] = s.map(lambda v: "; ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
    return out


def _shown(value, fmt: str | None) -> str:
    """About what Excel shows for a value, for the column width."""
    if fmt == DATE_FORMAT:
        return "2025-09-30"
    if fmt in (PERCENT_FORMAT, RATIO_FORMAT, COUNT_FORMAT, RATE_FORMAT):
        try:
            return f"{float(value):,.1f}"
        except (TypeError, ValueError):
            return ""
    return str(value)


def write_csv(path: str | Path, frame: pd.DataFrame) -> Path:
    """A CSV file Excel opens with Vietnamese letters intact (UTF-8 with BOM), cells
    guarded against formulas (:func:`forecast.tables.write_csv`)."""
    from forecast.tables import write_csv as guarded

    return guarded(Path(path), frame)


def check_suffix(path: str | Path, suffixes=TABLE_SUFFIXES, option: str = "--out") -> str:
    """The file's extension when it is one of ``suffixes`` (checked before a long run)."""
    suffix = Path(path).suffix.lower()
    if suffix not in suffixes:
        raise ConfigError(f"{option}: found {str(path)!r}; expected a file name ending "
                          f"{', '.join(suffixes)}. Fix: e.g. {option} "
                          f"table{suffixes[0]}.")
    return suffix


def write_table(path: str | Path, frame: pd.DataFrame, sheet: str = "outlook") -> Path:
    """Write a table as XLSX or CSV, the format chosen by the file's extension."""
    if check_suffix(path) == ".xlsx":
        return write_xlsx(path, {sheet: frame})
    return write_csv(path, frame)


def write_docx_table(path: str | Path, table: Table, lang: str, title: str,
                     note: str = "") -> Path:
    """An A4 Word document holding ``title``, the table and a note under it."""
    from forecast.brief.doc import Document
    from forecast.brief.docx import _base, _table

    d = _base(Document(lang, title, note))
    d.add_heading(title, level=1)
    _table(d, table)
    if note:
        d.add_paragraph(note)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    d.save(str(path))
    stable_zip(path)
    return path


_LATEX_ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                  "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                  "^": r"\textasciicircum{}", "<": r"\textless{}", ">": r"\textgreater{}",
                  "\u00a0": "~", "\u2212": "$-$"}


def latex_escape(text: object) -> str:
    """Text safe inside a LaTeX table: special characters escaped, no-break space as ``~``."""
    return "".join(_LATEX_ESCAPES.get(c, c) for c in str(text))


def latex_table(table: Table, label: str = "tab:forecast", group: str = "",
                note: str = "") -> str:
    """A ``table`` float with a booktabs ``tabular``.

    Parameters
    ----------
    table : Table
        Formatted text; ``numeric`` columns are right-aligned.
    label : str
        The ``\\label`` to refer to it.
    group : str
        A header spanning the numeric columns (with a ``\\cmidrule`` under it).
    note : str
        A line under the table (source, model, paths).
    """
    n = len(table.columns)
    align = "".join("r" if i in table.numeric else "l" for i in range(n))
    row = lambda cells: " & ".join(latex_escape(c) for c in cells) + r" \\"  # noqa: E731
    lines = [r"% Needs \usepackage{booktabs}; Vietnamese text: compile with XeLaTeX or",
             r"% LuaLaTeX, or pdfLaTeX with \usepackage[utf8]{vietnam}.",
             r"\begin{table}[htbp]", r"\centering"]
    if table.caption:
        lines.append(r"\caption{" + latex_escape(table.caption) + "}")
    lines += [r"\label{" + label + "}", r"\begin{tabular}{" + align + "}", r"\toprule"]
    if group and table.numeric:
        first, last = min(table.numeric), max(table.numeric)
        lines.append(" & " * first + r"\multicolumn{" + f"{last - first + 1}" + "}{c}{"
                     + latex_escape(group) + "}" + " & " * (n - 1 - last) + r" \\")
        lines.append(r"\cmidrule(lr){" + f"{first + 1}-{last + 1}" + "}")
    lines += [row(table.columns), r"\midrule"]
    lines += [row(r) for r in table.rows]
    lines += [r"\bottomrule", r"\end{tabular}"]
    if note:
        lines.append(r"\par\smallskip{\footnotesize " + latex_escape(note) + "}")
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"
