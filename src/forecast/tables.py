"""Tables for spreadsheet programs: cells that are data, never formulas.

A unit named ``=HYPERLINK("http://…","click")`` or a note starting with
``+``, ``-`` or ``@`` would become a live formula when a CSV file is opened
in Excel or LibreOffice, and an XLSX cell given such text through pandas or
openpyxl is stored as a formula. Every table the package writes for people
goes through this module:

* :func:`safe_cell` puts an apostrophe before text that starts with ``=``,
  ``+``, ``-``, ``@``, a tab or a carriage return (what spreadsheet programs
  read as the start of a formula), leaving numbers alone, also negative
  numbers written as text (``-14,5%``);
* :func:`write_csv` writes a frame with every text cell made safe (UTF-8
  with a byte-order mark, which Excel needs to read Vietnamese, atomically);
* :func:`write_xlsx` writes sheets whose text cells are stored as text, never
  as formulas; the text is kept exactly as it is.

The batch imports this module in its main process, which does not import
pandas: only the standard library is imported at the top.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet program read a cell as a formula."""

_NUMBER_TEXT = re.compile(r"[+-]?\d[\d.,\s\u00a0]*%?")
"""Text that is a number (``-23``, ``-14,5%``, ``+1.252``): kept as it is."""

MAX_WIDTH = 60
"""Widest column of a written sheet, in characters."""


def safe_cell(value: Any) -> Any:
    """``value`` made safe for a CSV cell: text that would start a formula gets a ``'``.

    Examples
    --------
    >>> safe_cell("=2*3"), safe_cell("-14,5%"), safe_cell(-3), safe_cell("Tiền Giang")
    ("'=2*3", '-14,5%', -3, 'Tiền Giang')
    """
    if isinstance(value, str) and value.startswith(FORMULA_START) \
            and not _NUMBER_TEXT.fullmatch(value):
        return "'" + value
    return value


def _text(value: Any) -> Any:
    """Lists (figures, source ids) as ``a; b``; everything else unchanged."""
    if isinstance(value, (list, tuple)):
        return "; ".join(map(str, value))
    return value


def safe_frame(frame):
    """A copy of ``frame`` whose text cells are safe (:func:`safe_cell`); lists joined."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype) in ("string", "str"):
            out[col] = out[col].map(lambda v: safe_cell(_text(v)))
    return out


def write_csv(path: str | Path, frame, *, bom: bool = True, float_format: str | None = None
              ) -> Path:
    """Write ``frame`` as CSV with safe text cells, atomically.

    Parameters
    ----------
    path : path
        The file.
    frame : DataFrame
        Written without its index; column names are made safe too.
    bom : bool
        Start with a UTF-8 byte-order mark (Excel then reads the Vietnamese
        letters right).
    float_format : str, optional
        As in :meth:`pandas.DataFrame.to_csv`.
    """
    from forecast.atomic import write_bytes

    safe = safe_frame(frame)
    safe.columns = [safe_cell(str(c)) for c in safe.columns]
    text = safe.to_csv(index=False, lineterminator="\n", float_format=float_format)
    return write_bytes(path, text.encode("utf-8-sig" if bom else "utf-8"))


def _xlsx_value(value: Any) -> Any:
    """A cell value openpyxl can store: numbers, text, dates; blanks for missing."""
    import datetime as dt

    import numpy as np
    import pandas as pd

    value = _text(value)
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (bool, int, float, str, dt.date, dt.datetime)):
        return value
    return str(value)


def write_xlsx(path: str | Path, sheets: Mapping[str, Any]) -> Path:
    """Write frames as sheets of one workbook; text cells are text, never formulas.

    Each sheet has a bold header row, frozen, and columns as wide as their
    contents (up to :data:`MAX_WIDTH`).

    Parameters
    ----------
    path : path
        The ``.xlsx`` file (written atomically).
    sheets : mapping
        Sheet name → DataFrame, in order.
    """
    import io

    import openpyxl
    from openpyxl.styles import Font

    from forecast.atomic import write_bytes

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, frame in sheets.items():
        ws = wb.create_sheet(title=name)
        rows = [list(map(str, frame.columns))] + \
            [[_xlsx_value(v) for v in row] for row in frame.itertuples(index=False, name=None)]
        for r, values in enumerate(rows, start=1):
            for c, value in enumerate(values, start=1):
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, str):
                    # openpyxl stores text starting with "=" as a formula; say it is text.
                    cell.data_type = "s"
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for c, col in enumerate(frame.columns, start=1):
            width = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200)])
            ws.column_dimensions[ws.cell(1, c).column_letter].width = min(width + 2, MAX_WIDTH)
    buf = io.BytesIO()
    wb.save(buf)
    return write_bytes(path, buf.getvalue())
