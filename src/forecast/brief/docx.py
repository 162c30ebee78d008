"""The brief as a Word document (``brief.docx``) with python-docx.

Word's own styles are used (Title, Heading 1-2, List Bullet, Table Grid) so
an analyst can restyle the whole document at once. Figures are the 300 dpi
PNGs, each with its alt text in Word's "Alt Text" field; column-wide charts
sit two per row in a borderless table. The body font is Arial, which Word,
LibreOffice (as Liberation Sans) and every office suite render with the
Vietnamese diacritics.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document as new_docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from forecast.brief.doc import WARNING_RGB, Document, FigureRef, Section, Table, share_widths

FONT = "Arial"
TEXT_WIDTH_CM = 17.0
"""A4 (21 cm) less 2 cm margins each side."""


def _base(doc: Document):
    d = new_docx()
    for s in d.sections:
        s.page_height, s.page_width = Cm(29.7), Cm(21.0)
        s.left_margin = s.right_margin = s.top_margin = s.bottom_margin = Cm(2.0)
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "List Bullet"):
        style = d.styles[name]
        style.font.name = FONT
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), FONT)
        # The theme fonts of the default template would otherwise win over w:ascii.
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
            fonts.attrib.pop(qn(attr), None)
    d.styles["Normal"].font.size = Pt(10)
    d.core_properties.title = doc.title
    d.core_properties.language = doc.lang
    d.core_properties.author = "forecast"
    return d


def _picture(run, fig: FigureRef, root: Path, width_cm: float) -> None:
    shape = run.add_picture(str(fig.path(root, "png")), width=Cm(width_cm))
    props = shape._inline.docPr
    props.set("descr", fig.alt)
    props.set("title", fig.title)


def _figures(d, figs: list[FigureRef], root: Path) -> None:
    pending: list[FigureRef] = []

    def flush() -> None:
        if not pending:
            return
        table = d.add_table(rows=1, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, fig in zip(table.rows[0].cells, pending):
            _picture(cell.paragraphs[0].add_run(), fig, root, TEXT_WIDTH_CM / 2 - 0.3)
        pending.clear()

    for fig in figs:
        if fig.wide:
            flush()
            p = d.add_paragraph()
            _picture(p.add_run(), fig, root, TEXT_WIDTH_CM)
        else:
            pending.append(fig)
            if len(pending) == 2:
                flush()
    flush()


def _small(cell, text: str, bold: bool = False, right: bool = False) -> None:
    p = cell.paragraphs[0]
    run = p.add_run(text)
    run.font.size = Pt(8.5)
    run.bold = bold
    if right:
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _table(d, tab: Table) -> None:
    if tab.caption:
        p = d.add_paragraph()
        p.add_run(tab.caption).bold = True
    table = d.add_table(rows=1, cols=len(tab.columns))
    table.style = d.styles["Table Grid"]
    for cell, col in zip(table.rows[0].cells, tab.columns):
        _small(cell, col, bold=True)
    for row in tab.rows:
        cells = table.add_row().cells
        for i, (cell, v) in enumerate(zip(cells, row)):
            _small(cell, str(v), right=i in tab.numeric)
    # Widths from the longest text of each column (0.17 cm a character at
    # 8.5 pt, long texts capped), so dates and numbers stay on one line.
    natural = [0.17 * min(max(len(str(x)) for x in [c, *(r[i] for r in tab.rows)]), 45) + 0.4
               for i, c in enumerate(tab.columns)]
    table.autofit = False
    for i, width in enumerate(share_widths(natural, TEXT_WIDTH_CM)):
        for cell in table.columns[i].cells:
            cell.width = Cm(width)
    d.add_paragraph()


def _keys(d, keys: list[tuple[str, str]]) -> None:
    table = d.add_table(rows=0, cols=2)
    table.style = d.styles["Table Grid"]
    for label, value in keys:
        cells = table.add_row().cells
        _small(cells[0], label)
        _small(cells[1], value, bold=True)
    for row in table.rows:
        row.cells[0].width, row.cells[1].width = Cm(6.5), Cm(10.5)
    d.add_paragraph()


def _section(d, sec: Section, root: Path) -> None:
    d.add_heading(sec.title, level=1)
    for block in sec.blocks:
        k, data = block.kind, block.data
        if k == "heading":
            d.add_heading(str(data), level=2)
        elif k == "para":
            d.add_paragraph(str(data))
        elif k == "warning":
            run = d.add_paragraph().add_run(str(data))
            run.bold = True
            run.font.color.rgb = RGBColor(*WARNING_RGB)
        elif k == "keys":
            _keys(d, data)
        elif k == "figures":
            _figures(d, data, root)
        elif k == "table":
            _table(d, data)
        elif k == "list":
            for item in data:
                d.add_paragraph(str(item), style="List Bullet")


def write_docx(doc: Document, root: Path, path: Path) -> Path:
    """Write ``brief.docx``; figure paths are resolved under ``root``."""
    d = _base(doc)
    d.add_heading(doc.title, level=0)
    d.add_paragraph(doc.meta)
    for i, sec in enumerate(doc.sections):
        if i:
            d.add_page_break()
        _section(d, sec, Path(root))
    d.save(str(path))
    return Path(path)
