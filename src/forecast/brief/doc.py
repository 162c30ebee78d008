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


def share_widths(natural: list[float], total: float) -> list[float]:
    """Column widths summing to ``total`` from each column's natural width.

    Narrow columns (dates, numbers) keep their natural width so they never
    wrap; the wide ones share what is left in proportion to theirs. When all
    fit, every column grows in proportion.
    """
    n = len(natural)
    widths = [0.0] * n
    left = total
    order = sorted(range(n), key=lambda i: natural[i])
    for k, i in enumerate(order):
        if natural[i] <= left / (n - k):
            widths[i] = natural[i]
            left -= natural[i]
            continue
        rest = sum(natural[j] for j in order[k:])
        for j in order[k:]:
            widths[j] = left * natural[j] / rest
        return widths
    return [w * total / sum(widths) for w in widths]
