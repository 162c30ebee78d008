"""Reading numbers and dates as Vietnamese reports write them.

``1.252`` is one thousand two hundred fifty-two, ``83,5%`` is 83.5 %,
``~6`` is about six, ``10-12`` a range, ``>=300`` a floor. English forms
(``1,252.5``, ``83.5%``) are read too where they cannot be confused with the
Vietnamese ones; ``6,500`` can be either, so it is refused with a hint.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

import pandas as pd

APPROX_PREFIXES = ("~", "≈", "khoảng", "gần", "about", "around", "approx.", "approx", "ca.")
AT_LEAST_PREFIXES = (">=", "≥", ">", "trên", "hơn", "over", "at least", "từ")
AT_MOST_PREFIXES = ("<=", "≤", "<", "dưới", "under", "at most")
RANGE_PREFIXES = ("từ", "from")
"""Prefixes that open a range when a second number follows ("từ 10 đến 12")."""
RANGE_SEPARATORS = re.compile(r"\s*(?:–|—|-|đến|to)\s*")

YEARS = (1900, 2100)
"""First and last year a date or a term may fall in. The Party was founded in
1930; anything outside these years is a typing error (0001, 2300), and such
dates would also fall outside what pandas can represent (1677–2262)."""


class ParseError(ValueError):
    """A value that cannot be read; the message says what was expected."""


@dataclass(frozen=True)
class Quantity:
    """A reported number with its precision.

    ``low`` and ``high`` bound the figure (``None`` where open: a floor has no
    high); ``value`` is the central figure used where one number is needed
    (the midpoint of a range, the floor itself for ``at_least``).
    """

    low: float | None
    high: float | None
    qualifier: str
    percent: bool = False

    @property
    def value(self) -> float:
        if self.low is not None and self.high is not None:
            return (self.low + self.high) / 2
        return self.low if self.low is not None else self.high  # type: ignore[return-value]


def parse_number(text: str) -> float:
    """Read one number in Vietnamese or unambiguous English format.

    Examples
    --------
    >>> parse_number("1.252"), parse_number("83,5"), parse_number("89.96")
    (1252.0, 83.5, 89.96)
    """
    s = str(text).strip().replace("\u00a0", "").replace(" ", "").replace("+", "")
    if not s:
        raise ParseError("a number")
    neg = s.startswith("-")
    s = s.lstrip("-")
    if not re.fullmatch(r"[0-9.,]+", s) or not s[0].isdigit():
        raise ParseError("a number such as 1.252 or 83,5")
    dots, commas = s.count("."), s.count(",")
    if dots and commas:
        # Whichever separator comes last is the decimal mark.
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
        return _checked(s, neg)
    if dots > 1 or (dots == 1 and _is_grouped(s, ".")):
        if not _is_grouped(s, "."):
            raise ParseError("a number with thousands grouped by '.' in threes (1.252.000)")
        return _checked(s.replace(".", ""), neg)
    if commas > 1:
        if not _is_grouped(s, ","):
            raise ParseError("a number such as 1.252 or 83,5")
        raise ParseError(
            "an unambiguous number: write 1252000 or 1.252.000 rather than 1,252,000"
        )
    if commas == 1:
        if _is_grouped(s, ","):
            raise ParseError(
                f"an unambiguous number: {s} could be {s.replace(',', '.')} (Vietnamese "
                f"decimal comma) or {s.replace(',', '')} (English grouping); write "
                f"{s.replace(',', '.')} for thousands or drop the trailing zeros for a decimal"
            )
        return _checked(s.replace(",", "."), neg)
    return _checked(s, neg)


def _is_grouped(s: str, sep: str) -> bool:
    head, *groups = s.split(sep)
    return (
        bool(groups)
        and 1 <= len(head) <= 3
        and not (head.startswith("0"))
        and all(len(g) == 3 and g.isdigit() for g in groups)
    )


def _checked(s: str, neg: bool) -> float:
    try:
        x = float(s)
    except ValueError as exc:  # pragma: no cover - guarded by the regex above
        raise ParseError("a number") from exc
    return -x if neg else x


def parse_quantity(text: object) -> Quantity:
    """Read a reported value: a number, range, floor, ceiling or approximation.

    Examples
    --------
    >>> parse_quantity("~6")
    Quantity(low=6.0, high=6.0, qualifier='approx', percent=False)
    >>> parse_quantity("10–12").value
    11.0
    >>> parse_quantity("83,5%")
    Quantity(low=83.5, high=83.5, qualifier='exact', percent=True)
    """
    s = str(text).strip().replace("\u00a0", " ")
    if not s or s.lower() == "nan":
        raise ParseError("a value")
    percent = s.endswith("%")
    s = s.rstrip("%").strip()
    low_s = s.lower()
    for qualifier, prefixes in (
        ("approx", APPROX_PREFIXES),
        ("at_least", AT_LEAST_PREFIXES),
        ("at_most", AT_MOST_PREFIXES),
    ):
        for p in prefixes:
            if low_s.startswith(p):
                rest = s[len(p):].strip().rstrip("%").strip()
                pair = _range(rest)
                if pair is not None:
                    # "khoảng 2 – 4" (about 2 to 4) and "từ 10 đến 12" (from 10
                    # to 12) are ranges; "trên 10-12" means nothing clear.
                    if qualifier == "approx" or p in RANGE_PREFIXES:
                        return Quantity(*pair, "range", percent)
                    raise ParseError(f"one number after '{p}', not a range")
                x = parse_number(rest)
                if qualifier == "approx":
                    return Quantity(x, x, "approx", percent)
                if qualifier == "at_least":
                    return Quantity(x, None, "at_least", percent)
                return Quantity(None, x, "at_most", percent)
    pair = _range(s)
    if pair is not None:
        return Quantity(*pair, "range", percent)
    x = parse_number(s)
    return Quantity(x, x, "exact", percent)


def _range(s: str) -> tuple[float, float] | None:
    """``(low, high)`` if ``s`` is two numbers joined by a range separator, else None."""
    if s.startswith("-"):
        return None
    parts = RANGE_SEPARATORS.split(s)
    if len(parts) != 2 or not all(parts):
        return None
    a = parse_number(parts[0].rstrip("%"))
    b = parse_number(parts[1].rstrip("%"))
    if b < a:
        raise ParseError(f"a range from low to high, not {s}")
    return a, b


_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_YM = re.compile(r"(\d{4})-(\d{1,2})")
_MY = re.compile(r"(\d{1,2})/(\d{4})")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def parse_date(text: object, *, end: bool = False) -> pd.Timestamp:
    """Read a date: ``2021-06-30``, ``30/06/2021``, ``2021-06`` or ``2021``.

    A partial date stands for its first day, or its last with ``end=True``
    (``2021`` as a period end is 31 December 2021).
    """
    s = str(text).strip()
    if re.fullmatch(r"\d{4}", s):
        check_year(int(s))
        return pd.Timestamp(int(s), 12, 31) if end else pd.Timestamp(int(s), 1, 1)
    m = _YM.fullmatch(s) or _MY.fullmatch(s)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        year, month = (a, b) if m.re is _YM else (b, a)
        check_year(year)
        _check_month(month, s)
        day = calendar.monthrange(year, month)[1] if end else 1
        return pd.Timestamp(year, month, day)
    m = _DMY.fullmatch(s) or _YMD.fullmatch(s)
    if m:
        day, month, year = (int(g) for g in (m.groups() if m.re is _DMY else m.groups()[::-1]))
        check_year(year)
        try:
            return pd.Timestamp(year, month, day)
        except ValueError as exc:
            raise ParseError("a real calendar date") from exc
    raise ParseError("a date as YYYY-MM-DD, DD/MM/YYYY, YYYY-MM or YYYY")


def check_year(year: int) -> int:
    """``year`` if within :data:`YEARS`, else ParseError."""
    if not YEARS[0] <= year <= YEARS[1]:
        raise ParseError(f"a date between {YEARS[0]} and {YEARS[1]}")
    return year


def _check_month(month: int, s: str) -> None:
    if not 1 <= month <= 12:
        raise ParseError(f"a month between 1 and 12 in {s}")
