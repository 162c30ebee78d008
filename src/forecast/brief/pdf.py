"""The brief as a PDF (``brief.pdf``) with fpdf2.

The text font is DejaVu Sans (regular and bold) from matplotlib's own font
folder, embedded as a TrueType subset: it covers Vietnamese, it is the font
of the charts, and it is on every machine that has matplotlib, so the PDF
comes out the same everywhere. Text is normalised to NFC (precomposed
letters) because a font subset maps whole characters, and a decomposed
``ệ`` would otherwise be drawn as a letter plus floating marks.
"""

from __future__ import annotations

import datetime as _dt
import unicodedata
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.fonts import FontFace
from PIL import Image

from forecast.brief.doc import WARNING_RGB, Document, FigureRef, Section, Table, fit_widths

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVu"
MARGIN = 18.0
FIXED_DATE = _dt.datetime(2000, 1, 1, tzinfo=_dt.timezone.utc)
"""Creation date written in the PDF: fixed, so unchanged input gives unchanged bytes."""


def nfc(text: object) -> str:
    return unicodedata.normalize("NFC", str(text))


class _PDF(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=7.5)
        self.set_text_color(110)
        self.cell(0, 5, str(self.page_no()), align="C")
        self.set_text_color(0)


def _new(doc: Document) -> _PDF:
    pdf = _PDF(format="A4", unit="mm")
    pdf.set_margins(MARGIN, 16, MARGIN)
    pdf.set_auto_page_break(True, 16)
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(nfc(doc.title))
    pdf.set_lang(doc.lang)
    pdf.set_creator("forecast (fpdf2)")
    pdf.set_creation_date(FIXED_DATE)
    return pdf


def _text(pdf: FPDF, text: str, size: float = 9.5, bold: bool = False, color=(34, 34, 34),
          space: float = 1.5) -> None:
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.set_text_color(*color)
    pdf.multi_cell(0, size * 0.5, nfc(text), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.ln(space)


def _heading(pdf: FPDF, text: str, level: int) -> None:
    size = {0: 16, 1: 13, 2: 10.5}[level]
    need = 30 if level else 0
    if pdf.get_y() + need > pdf.page_break_trigger:
        pdf.add_page()
    if level == 1:
        pdf.start_section(nfc(text), level=0)
    pdf.ln(2 if level else 0)
    _text(pdf, text, size=size, bold=True, color=(0, 0x55, 0x88) if level == 1 else (34, 34, 34))


def _image_height(fig: FigureRef, root: Path, width: float) -> float:
    with Image.open(fig.path(root, "png")) as im:
        w, h = im.size
    return width * h / w


def _figures(pdf: FPDF, figs: list[FigureRef], root: Path) -> None:
    full = pdf.epw
    rows: list[list[FigureRef]] = []
    for fig in figs:
        if fig.wide or not rows or rows[-1][0].wide or len(rows[-1]) == 2:
            rows.append([fig])
        else:
            rows[-1].append(fig)
    gap = 4.0
    for row in rows:
        width = full if row[0].wide else (full - gap) / 2
        height = max(_image_height(f, root, width) for f in row)
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
        y = pdf.get_y()
        for i, fig in enumerate(row):
            pdf.image(str(fig.path(root, "png")), x=pdf.l_margin + i * (width + gap), y=y,
                      w=width, alt_text=nfc(fig.alt), title=nfc(fig.title))
        pdf.set_y(y + height + gap)


def column_widths(pdf: FPDF, tab: Table, total: float) -> list[float]:
    """Column widths (mm) summing to ``total``, measured in the current font
    (:func:`forecast.brief.doc.fit_widths`): a numeric column (dates,
    counts) never wraps; the others may wrap at spaces, and share what is
    left in proportion to their longest text (capped at 45 % of the page)."""
    least, natural = [], []
    pad = 2.6
    for i, col in enumerate(tab.columns):
        texts = [nfc(x) for x in [str(col), *(str(r[i]) for r in tab.rows)]]
        width = [pdf.get_string_width(x) * 1.08 + pad for x in texts]
        words = [pdf.get_string_width(w) * 1.08 + pad for x in texts for w in x.split()] or [pad]
        natural.append(min(max(width), 0.45 * total))
        least.append(max(width[1:] or [pad]) if i in tab.numeric else max(words))
    return fit_widths(least, natural, total)


def _table(pdf: FPDF, tab: Table) -> None:
    if tab.caption:
        _text(pdf, tab.caption, size=8.5, bold=True, space=0.5)
    pdf.set_font(FONT, "", 7.5)
    widths = column_widths(pdf, tab, pdf.epw)
    n = len(tab.columns)
    align = tuple("RIGHT" if i in tab.numeric else "LEFT" for i in range(n))
    head = FontFace(emphasis="BOLD", fill_color=(232, 240, 248))
    with pdf.table(col_widths=widths, text_align=align, line_height=3.6, padding=0.8,
                   headings_style=head, width=pdf.epw) as table:
        for row in [tab.columns, *tab.rows]:
            cells = table.row()
            for v in row:
                cells.cell(nfc(v))
    pdf.ln(2)


def _keys(pdf: FPDF, keys: list[tuple[str, str]]) -> None:
    pdf.set_font(FONT, "", 8.5)
    with pdf.table(col_widths=(38, 62), text_align=("LEFT", "LEFT"), line_height=4.2,
                   padding=0.8, first_row_as_headings=False, width=pdf.epw) as table:
        for label, value in keys:
            row = table.row()
            row.cell(nfc(label))
            row.cell(nfc(value), style=FontFace(emphasis="BOLD"))
    pdf.ln(2)


def _section(pdf: FPDF, sec: Section, root: Path, new_page: bool) -> None:
    if new_page:
        pdf.add_page()
    _heading(pdf, sec.title, 1)
    for block in sec.blocks:
        k, data = block.kind, block.data
        if k == "heading":
            _heading(pdf, str(data), 2)
        elif k == "para":
            _text(pdf, str(data), size=8.5)
        elif k == "warning":
            _text(pdf, str(data), size=8.5, bold=True, color=WARNING_RGB)
        elif k == "keys":
            _keys(pdf, data)
        elif k == "figures":
            _figures(pdf, data, root)
        elif k == "table":
            _table(pdf, data)
        elif k == "list":
            for item in data:
                _text(pdf, f"•  {item}", size=8.5, space=0.8)


def write_pdf(doc: Document, root: Path, path: Path) -> Path:
    """Write ``brief.pdf``; figure paths are resolved under ``root``."""
    pdf = _new(doc)
    pdf.add_page()
    _heading(pdf, doc.title, 0)
    _text(pdf, doc.meta, size=9, color=(85, 85, 85))
    for i, sec in enumerate(doc.sections):
        _section(pdf, sec, Path(root), new_page=i > 0)
    pdf.output(str(path))
    return Path(path)
