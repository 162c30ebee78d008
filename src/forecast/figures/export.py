"""Save a figure as PNG, SVG and PDF, byte-identical from run to run.

Choices, and why:

* PNG at 300 dpi for Word documents; the pixel size is the named size times
  the dpi (no ``bbox_inches="tight"``, which would change the size).
* PDF with TrueType fonts (``pdf.fonttype`` 42): the DejaVu Sans subset is
  embedded as a ``/FontFile2`` stream, so text stays searchable and
  copy-pasteable with its Vietnamese diacritics, and no Type 3 bitmap-like
  fonts end up in a LaTeX paper.
* SVG with text as paths (``svg.fonttype`` "path") by default: Word and
  browsers on a machine without DejaVu Sans would otherwise substitute another
  font with other widths and the labels would collide. The searchable copy of
  the words is the PDF and the alt text. ``svg_text="none"`` keeps SVG text
  as text for web use where the font is known to be present.
* A character the font lacks (matplotlib only warns and draws a box) is an
  error: a chart with holes in its text has failed.
* Repeatable bytes: no dates in the metadata, a fixed ``svg.hashsalt`` (SVG
  ids), a fixed ``Creator``; files are written to a temporary file in the
  target folder and moved into place (:mod:`forecast.atomic`), so a reader
  never sees half a file.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable
from pathlib import Path

import matplotlib as mpl
from matplotlib.figure import Figure

from forecast.atomic import write_bytes
from forecast.errors import ConfigError, ForecastError

FORMATS = ("png", "svg", "pdf")
CREATOR = "forecast (matplotlib)"
DPI = 300

_METADATA = {
    "png": {"Software": CREATOR},
    "svg": {"Creator": CREATOR, "Date": None},
    "pdf": {"Creator": CREATOR, "Producer": CREATOR, "CreationDate": None, "ModDate": None},
}


def figure_bytes(fig: Figure, fmt: str, *, svg_text: str = "path", dpi: int = DPI) -> bytes:
    """Render ``fig`` to bytes in ``fmt`` ("png", "svg" or "pdf")."""
    if fmt not in FORMATS:
        raise ConfigError(
            f"figure format {fmt!r} is not supported; expected one of "
            f"{', '.join(FORMATS)}. Fix: choose from those."
        )
    if svg_text not in ("path", "none"):
        raise ConfigError(
            f"svg_text={svg_text!r}; expected 'path' (portable) or 'none' (text kept "
            "as text). Fix: use one of those."
        )
    rc = {
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "svg.fonttype": svg_text,
        "svg.hashsalt": "forecast",
        "pdf.compression": 6,
    }
    buf = io.BytesIO()
    with mpl.rc_context(rc), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=_METADATA[fmt])
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    if missing:
        raise ForecastError(
            f"figure text has characters the chart font cannot draw ({missing[0]}); "
            "they would print as empty boxes. Fix: keep chart text to Latin script "
            "with Vietnamese diacritics (DejaVu Sans), or correct the unit name."
        )
    for w in caught:  # everything else is passed on unchanged
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return buf.getvalue()


write_atomic = write_bytes
"""Kept name: figures are written by :func:`forecast.atomic.write_bytes`."""


def save_figure(
    fig: Figure,
    stem: str | Path,
    alt_text: str,
    *,
    formats: Iterable[str] = FORMATS,
    svg_text: str = "path",
    dpi: int = DPI,
) -> dict[str, Path]:
    """Save ``fig`` as ``<stem>.png/.svg/.pdf`` and ``<stem>.alt.txt``.

    Parameters
    ----------
    fig : Figure
        The chart.
    stem : str or Path
        Path without extension, e.g. ``reports/brief/figures/tien-giang_progress``.
    alt_text : str
        Text alternative for screen readers and for Word's "Alt Text" field;
        written UTF-8 beside the figure.
    formats : iterable of str
        Any of "png", "svg", "pdf".
    svg_text : {"path", "none"}
        How SVG holds text (see the module notes).
    dpi : int
        PNG resolution.

    Returns
    -------
    dict
        Format ("png", "svg", "pdf", "alt") to the path written.
    """
    stem = Path(stem)
    if not str(alt_text).strip():
        raise ConfigError(
            f"figure {stem.name}: alt text is empty; expected a sentence describing "
            "the chart. Fix: pass the alt text the chart function returned."
        )
    written: dict[str, Path] = {}
    for fmt in formats:
        path = stem.with_name(f"{stem.name}.{fmt}")
        write_bytes(path, figure_bytes(fig, fmt, svg_text=svg_text, dpi=dpi))
        written[fmt] = path
    alt_path = stem.with_name(f"{stem.name}.alt.txt")
    write_bytes(alt_path, (str(alt_text).strip() + "\n").encode("utf-8"))
    written["alt"] = alt_path
    return written
