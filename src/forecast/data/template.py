"""An Excel workbook for analysts to fill in: one sheet per table, from the schema.

The workbook has a README sheet describing every column, then one sheet per
table with its header and one filled example row. The example rows refer to
each other (one province, one source, its term target, one year's
admissions), so the workbook loads as it is and an analyst can see a valid
row before replacing it. Data cells are formatted as text, so that ``1.252``
typed in any Excel locale stays the text ``1.252`` (one thousand two hundred
fifty-two) instead of becoming the decimal 1.252.
"""

from __future__ import annotations

from pathlib import Path

from forecast.errors import ConfigError
from forecast.data.schema import TABLES, Column, Table

README_SHEET = "README"
TEXT_FORMAT = "@"
DATA_ROWS = 1000
"""Rows below the header given the text format and drop-down lists."""

EMPTY_EXAMPLE_TABLES = ("corrections", "lineage")
"""Tables whose sheet gets no example row: a correction needs a misprinted
figure in the data to correct, and a lineage event a second unit, which the
example rows do not have."""


def example_row(table: Table) -> list[str]:
    """The example values of a table's columns, in column order."""
    return [c.example for c in table.columns]


def _allowed(col: Column) -> str:
    if col.choices:
        return ", ".join(col.choices)
    return {
        "quantity": "1.252 · 83,5% · ~6 · 10-12 · >=300 · <=5",
        "date": "YYYY-MM-DD, DD/MM/YYYY, YYYY-MM or YYYY",
        "year": "YYYY",
        "id": "ASCII letters, digits, - _ .",
        "ref": "an id from the table named in the description",
    }.get(col.kind, "")


def write_template(path: str | Path, force: bool = False) -> Path:
    """Write the empty data-entry workbook.

    Parameters
    ----------
    path : str or Path
        Where to write; must end in ``.xlsx``.
    force : bool
        Overwrite an existing file.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ConfigError
        If the file exists and ``force`` is false, or the name does not end
        in ``.xlsx``.
    """
    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ConfigError(f"template {path}: expected a file name ending in .xlsx. "
                          f"Fix: write e.g. {path.with_suffix('.xlsx').name}.")
    if path.exists() and not force:
        raise ConfigError(f"template {path}: the file already exists. Fix: choose another "
                          "name, or add --force to overwrite it.")
    bold = Font(bold=True)
    wb = openpyxl.Workbook()
    readme = wb.active
    readme.title = README_SHEET
    readme.append(["How to fill in this workbook"])
    readme["A1"].font = Font(bold=True, size=13)
    readme.append(["One sheet per table; keep the header row as it is. Replace the example "
                   "row with your rows. Write numbers as the source prints them (1.252; "
                   "83,5%). A table may also be split over several sheets named "
                   "<table>-<anything>. Sheets not named after a table (like this one) are "
                   "ignored. Check the file with: forecast audit --data THIS_FILE.xlsx"])
    readme.append([])
    header = ["table", "column", "required", "kind", "description", "allowed values",
              "example"]
    readme.append(header)
    for cell in readme[readme.max_row]:
        cell.font = bold
    for table in TABLES.values():
        readme.append([table.name, "", "optional table" if table.optional else "required table",
                       "", table.doc, "", ""])
        readme.cell(readme.max_row, 1).font = bold
        for col in table.columns:
            readme.append([table.name, col.name, "yes" if col.required else "",
                           col.kind, col.doc, _allowed(col), col.example])
    for letter, width in zip("ABCDEFG", (14, 16, 14, 10, 70, 50, 30)):
        readme.column_dimensions[letter].width = width
    for row in readme.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    for table in TABLES.values():
        ws = wb.create_sheet(table.name)
        ws.append(table.column_names)
        for cell in ws[1]:
            cell.font = bold
        if table.name not in EMPTY_EXAMPLE_TABLES:
            ws.append(example_row(table))
        ws.freeze_panes = "A2"
        for j, col in enumerate(table.columns, start=1):
            letter = get_column_letter(j)
            ws.column_dimensions[letter].width = max(14, min(40, len(col.example) + 4))
            ws.column_dimensions[letter].number_format = TEXT_FORMAT
            ws.cell(2, j).number_format = TEXT_FORMAT
            if col.choices and len(",".join(col.choices)) < 250:
                dv = DataValidation(type="list", formula1=f'"{",".join(col.choices)}"',
                                    allow_blank=not col.required, showErrorMessage=True,
                                    error=f"Allowed: {', '.join(col.choices)}")
                dv.add(f"{letter}2:{letter}{DATA_ROWS + 1}")
                ws.add_data_validation(dv)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
