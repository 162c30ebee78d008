"""The brief as a Word document (``brief.docx``) with python-docx.

Word's own styles are used (Title, Heading 1-2, List Bullet, Table Grid) so
an analyst can restyle the whole document at once. Figures are the 300 dpi
PNGs, each with its alt text in Word's "Alt Text" field; column-wide charts
sit two per row in a borderless table. The body font is Arial, which Word,
LibreOffice (as Liberation Sans) and every office suite render with the
Vietnamese diacritics.
"""

from __future__ import annotations

import functools
from pathlib import Path

import matplotlib
from docx import Document as new_docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from forecast.brief.doc import WARNING_RGB, Document, FigureRef, Section, Table, fit_widths

FONT = "Arial"
TEXT_WIDTH_CM = 17.0
"""A4 (21 cm) less 2 cm margins each side."""
LANG_TAGS = {"vi": "vi-VN", "en": "en-US"}
"""Word's language of the text, so its spelling and hyphenation follow the brief's."""
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
ARIAL_PER_DEJAVU = 0.88
"""Arial's text width over DejaVu Sans's for the same text (Vietnamese and digits)."""


def _set_lang(rpr, tag: str) -> None:
    """``<w:lang>`` of a run-properties element: Latin and East Asian text in
    ``tag`` (the right-to-left language is left as the template has it)."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    for attr in ("w:val", "w:eastAsia"):
        lang.set(qn(attr), tag)


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
    tag = LANG_TAGS.get(doc.lang, doc.lang)
    _set_lang(d.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
              .find(qn("w:rPr")), tag)
    for style in d.styles:
        if style.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER,
                          WD_STYLE_TYPE.TABLE):
            _set_lang(style.element.get_or_add_rPr(), tag)
    d.core_properties.title = doc.title
    d.core_properties.language = tag
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


def _flag(parent, tag: str) -> None:
    """Add an empty element ``tag`` to ``parent`` (a row property such as ``w:tblHeader``)."""
    parent.append(parent.makeelement(qn(tag), {}))


@functools.lru_cache(maxsize=1)
def _measure_font():
    from PIL import ImageFont

    return ImageFont.truetype(str(FONT_DIR / "DejaVuSans.ttf"), 100)


def text_cm(text: str, size_pt: float = 8.5) -> float:
    """Width of ``text`` in Arial at ``size_pt``, in cm.

    Measured with DejaVu Sans (shipped with matplotlib, so on every machine),
    which runs about 12 % wider than Arial (measured against Liberation Sans,
    Arial's metric twin, on Vietnamese text and dates): the factor brings it back."""
    return _measure_font().getlength(text) / 100 * size_pt / 72 * 2.54 * ARIAL_PER_DEJAVU


def column_widths(tab: Table) -> list[float]:
    """Column widths (cm) from content (:func:`forecast.brief.doc.fit_widths`).

    Natural width: a column's longest text (capped at 8 cm); least width: its
    longest word (capped at 5 cm), the whole text in a numeric column (dates,
    counts), and for the header its longest word or its first 12 characters.
    """
    pad = 0.5  # cell margins (0.19 cm a side in Word and LibreOffice) and a little slack
    least, natural = [], []
    for i, col in enumerate(tab.columns):
        texts = [str(r[i]) for r in tab.rows]
        head = max([text_cm(w) for w in str(col).split()] + [text_cm(str(col)[:12])])
        body = max([text_cm(x) for x in texts] or [0.0])
        words = max([text_cm(w) for x in texts for w in x.split()] or [0.0])
        # A long unbroken piece (a URL) may break anywhere: its least width is capped.
        least.append(max(head, body if i in tab.numeric else min(words, 5.0)) + pad)
        natural.append(max(head, min(body, 8.0)) + pad)
    return fit_widths(least, natural, TEXT_WIDTH_CM)


def _table(d, tab: Table) -> None:
    if tab.caption:
        p = d.add_paragraph()
        p.add_run(tab.caption).bold = True
    table = d.add_table(rows=1, cols=len(tab.columns))
    table.style = d.styles["Table Grid"]
    for cell, col in zip(table.rows[0].cells, tab.columns):
        _small(cell, col, bold=True)
    # The header row repeats at the top of every page the table runs onto,
    # and no row is split across two pages.
    _flag(table.rows[0]._tr.get_or_add_trPr(), "w:tblHeader")
    for row in tab.rows:
        added = table.add_row()
        _flag(added._tr.get_or_add_trPr(), "w:cantSplit")
        for i, (cell, v) in enumerate(zip(added.cells, row)):
            _small(cell, str(v), right=i in tab.numeric)
    # A fixed layout (autofit off writes <w:tblLayout w:type="fixed"/>) with
    # the grid's widths: Word and LibreOffice then keep them instead of
    # spreading the columns evenly.
    table.autofit = False
    for i, width in enumerate(column_widths(tab)):
        table.columns[i].width = Cm(width)
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
