"""The brief as a document model that the HTML, Word and PDF writers share.

The assembler (:mod:`forecast.brief.content`) decides every word and number
once and puts them in these small objects; each writer only lays them out.
That is how the three formats carry the same content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

WARNING_RGB = (0xB0, 0x3A, 0x00)
"""Colour of warning text in every format of the brief (a dark orange that prints dark)."""


@dataclass
class FigureRef:
    """One chart written to ``figures/``.

    Attributes
    ----------
    stem : str
        Path relative to the brief folder, without extension
        (``figures/tien-giang_progress``); ``.png``, ``.svg``, ``.pdf`` and
        ``.alt.txt`` exist beside it.
    title : str
        The finding, as printed on the chart.
    alt : str
        Alt text.
    wide : bool
        Page-wide chart (else a column-wide one, laid out two per row).
    """

    stem: str
    title: str
    alt: str
    wide: bool = False

    def path(self, root: Path, ext: str = "png") -> Path:
        """Absolute path of one of the chart's files."""
        return Path(root) / f"{self.stem}.{ext}"


@dataclass
class Table:
    """A small table of already formatted text.

    Attributes
    ----------
    columns : list of str
    rows : list of list of str
    numeric : tuple of int
        Indexes of the columns to right-align.
    caption : str
    """

    columns: list[str]
    rows: list[list[str]]
    numeric: tuple[int, ...] = ()
    caption: str = ""


@dataclass
class Block:
    """One piece of a section.

    ``kind`` is ``"heading"`` (``data``: str), ``"para"`` (str), ``"keys"``
    (list of (label, value)), ``"figures"`` (list of FigureRef), ``"table"``
    (Table), ``"list"`` (list of str) or ``"warning"`` (str).
    """

    kind: str
    data: object


@dataclass
class Section:
    """A section of the brief: the portfolio, a unit, the assumptions."""

    anchor: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    failed: bool = False

    def add(self, kind: str, data: object) -> None:
        self.blocks.append(Block(kind, data))


@dataclass
class Document:
    """The whole brief: title, one line of facts, and the sections."""

    lang: str
    title: str
    meta: str
    sections: list[Section] = field(default_factory=list)


def fit_widths(minimum: list[float], natural: list[float], total: float) -> list[float]:
    """Column widths summing to ``total``, from each column's least and natural width.

    The layout of an HTML table: every column gets its least width (its
    longest unbreakable piece; the whole text for dates and numbers, which
    must not wrap), and what is left of ``total`` is shared in proportion to
    how much more each column would like (natural minus least). When all
    fit at their natural widths, each grows in proportion; when even the
    least widths do not fit, they shrink in proportion.
    """
    minimum = [min(m, n) for m, n in zip(minimum, natural)]
    want, need = sum(natural), sum(minimum)
    if want <= total:
        return [n * total / want for n in natural]
    if need >= total:
        return [m * total / need for m in minimum]
    share = (total - need) / (want - need)
    return [m + (n - m) * share for m, n in zip(minimum, natural)]
