"""Arithmetic of printed percentages: what range a printed figure stands for,
which targets it implies, and whether it agrees with a count and a target.

Reports print attainment with 0, 1 or 2 decimals, sometimes rounded and
sometimes cut off (truncated): 8 of 7 is 114.29 %, printed 114,2 %. A printed
percentage ``p`` with ``d`` decimals (unit ``u = 10**-d``) therefore stands for
a true value in

- ``[p - u/2, p + u/2)`` if it was rounded,
- ``[p, p + u)`` if it was truncated,
- ``[p - u/2, p + u)`` if we do not know which (rule ``"either"``).

Everything here works on plain numbers so that it can be tested by hand;
``docs/audit.md`` works the source articles' examples through these rules.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from forecast.errors import ConfigError
from forecast.data.numbers import ParseError, parse_number

RULES = ("round", "truncate", "either")
"""How a printed percentage may have been shortened to its printed decimals."""

_EPS = 1e-9
"""Relative slack for floating point: 23 / 80 * 100 is 28.749999999999996."""

_NUMBER = re.compile(r"\d[\d.,]*\d|\d")
MAX_LISTED = 6
"""Whole-number candidates listed one by one; more are shown as a range."""


def check_rule(rule: str) -> str:
    """Return ``rule`` if it is one of :data:`RULES`, else raise ConfigError."""
    if rule not in RULES:
        raise ConfigError(
            f"audit rule: found {rule!r}; expected one of {', '.join(RULES)}. "
            "Fix: use 'either' unless you know how the source shortened its percentages."
        )
    return rule


def printed_decimals(text: object) -> int:
    """Number of decimals printed in a reported figure.

    The last number in the text decides (``"10-12,5%"`` has one decimal).
    A separator followed by exactly three digits that ``parse_number`` reads
    as thousands grouping (``1.252``) counts as no decimals.

    Examples
    --------
    >>> printed_decimals("83,5%"), printed_decimals("89,96 %"), printed_decimals("27%")
    (1, 2, 0)
    >>> printed_decimals("1.252"), printed_decimals("43.72")
    (0, 2)
    """
    tokens = _NUMBER.findall(str(text))
    if not tokens:
        return 0
    token = tokens[-1]
    cut = max(token.rfind("."), token.rfind(","))
    if cut < 0:
        return 0
    tail = token[cut + 1:]
    if len(tail) == 3:
        try:
            grouped = parse_number(token) == float(re.sub(r"[.,]", "", token))
        except ParseError:
            grouped = False
        if grouped:
            return 0
    return len(tail)


def percent_bounds(low: float, high: float, decimals: int, rule: str = "either"
                   ) -> tuple[float, float]:
    """Range ``[lo, hi)`` of true percentages a printed value can stand for.

    Parameters
    ----------
    low, high : float
        The printed value (equal for a single figure; the ends of a printed
        range). ``NaN`` for an open end (``trên 111 %`` has no high).
    decimals : int
        Decimals printed.
    rule : {"round", "truncate", "either"}
        How the source shortened the figure.

    Examples
    --------
    >>> percent_bounds(83.5, 83.5, 1, "round")
    (83.45, 83.55)
    >>> percent_bounds(83.5, 83.5, 1, "truncate")
    (83.5, 83.6)
    """
    check_rule(rule)
    unit = 10.0 ** -decimals
    below = 0.0 if rule == "truncate" else unit / 2
    above = unit / 2 if rule == "round" else unit
    lo = low - below if not _missing(low) else math.nan
    hi = high + above if not _missing(high) else math.nan
    return round(lo, decimals + 3), round(hi, decimals + 3)


def implied_bounds(count_low: float, count_high: float, pct_lo: float, pct_hi: float,
                   excess: bool = False) -> tuple[float, float]:
    """Targets ``(lo, hi]`` consistent with a count and a percentage range.

    ``target = count / (pct / 100)`` for attainment and
    ``count / (1 + pct / 100)`` for an excess ("vượt 27 %"). Open ends come
    back as ``NaN`` (low) or ``inf`` (high).
    """
    def ratio(p: float) -> float:
        return (1 + p / 100) if excess else p / 100

    lo = (count_low / ratio(pct_hi)
          if not (_missing(count_low) or _missing(pct_hi)) else math.nan)
    r_lo = ratio(pct_lo) if not _missing(pct_lo) else math.nan
    if _missing(count_high) or _missing(r_lo) or r_lo <= 0:
        hi = math.inf
    else:
        hi = count_high / r_lo
    return lo, hi


def whole_numbers(lo: float, hi: float) -> range:
    """Whole numbers ``n`` with ``lo < n <= hi`` (the half-open implied range).

    A ``range``, so that a wide range costs nothing; empty when the range is
    open at either end (too many to list).
    """
    if math.isinf(hi) or _missing(hi) or _missing(lo):
        return range(0)
    start = 1 if _missing(lo) else math.floor(lo * (1 + _EPS)) + 1
    stop = math.floor(hi * (1 + _EPS))
    return range(max(start, 1), stop + 1)


def describe_whole(numbers) -> str:
    """``"1,499 or 1,500"``, ``"900 to 906"``, or ``"none"``."""
    if not numbers:
        return "none"
    if len(numbers) == 1:
        return fmt_count(numbers[0])
    if len(numbers) <= 3:
        return ", ".join(fmt_count(n) for n in numbers[:-1]) + f" or {fmt_count(numbers[-1])}"
    return f"{fmt_count(numbers[0])} to {fmt_count(numbers[-1])}"


@dataclass(frozen=True)
class Agreement:
    """How a printed percentage relates to ``count / target``.

    ``status`` is ``"rounded"`` (the printed value is the rounded true value),
    ``"truncated"`` (only cutting off explains it) or ``"mismatch"``.
    ``actual`` is the true percentage ``100 * count / target`` (or the excess).
    """

    status: str
    actual: float


def agreement(count_low: float, count_high: float, target: float, pct_low: float,
              pct_high: float, decimals: int, excess: bool = False) -> Agreement:
    """Compare a printed percentage with a count over a known target.

    Examples
    --------
    >>> agreement(1348, 1348, 1500, 89.96, 89.96, 2).status
    'mismatch'
    >>> agreement(8, 8, 7, 114.2, 114.2, 1).status
    'truncated'
    >>> agreement(23, 23, 80, 28.8, 28.8, 1).status
    'rounded'
    """
    def pct(c: float) -> float:
        return 100 * c / target - (100 if excess else 0)

    a_lo, a_hi = pct(count_low), pct(count_high)
    actual = (a_lo + a_hi) / 2
    for status, rule in (("rounded", "round"), ("truncated", "truncate")):
        lo, hi = percent_bounds(pct_low, pct_high, decimals, rule)
        if _overlaps(a_lo, a_hi, lo, hi):
            return Agreement(status, actual)
    return Agreement("mismatch", actual)


def _overlaps(a_lo: float, a_hi: float, lo: float, hi: float) -> bool:
    """Whether ``[a_lo, a_hi]`` meets ``[lo, hi)``, open ends allowed."""
    slack = _EPS * max(1.0, abs(a_lo), abs(a_hi))
    below_hi = _missing(hi) or a_lo < hi - slack
    above_lo = _missing(lo) or a_hi >= lo - slack
    return below_hi and above_lo


def counts_agree(a_low: float, a_high: float, b_low: float, b_high: float,
                 tolerance: float) -> bool:
    """Whether two counts (or count ranges) agree within a relative tolerance.

    Two single counts agree when ``|a - b| <= tolerance * max(a, b)``; ranges
    agree when they overlap after widening by the same amount.
    """
    scale = max(abs(x) for x in (a_low, a_high, b_low, b_high) if not _missing(x))
    slack = tolerance * scale + _EPS * max(1.0, scale)
    a_hi = math.inf if _missing(a_high) else a_high
    b_hi = math.inf if _missing(b_high) else b_high
    a_lo = -math.inf if _missing(a_low) else a_low
    b_lo = -math.inf if _missing(b_low) else b_low
    return a_lo <= b_hi + slack and b_lo <= a_hi + slack


def fmt_count(x: float) -> str:
    """A count in English grouping: ``1,348``; one decimal when not whole."""
    if _missing(x):
        return "?"
    if math.isinf(x):
        return "∞"
    if abs(x - round(x)) < 1e-9:
        return f"{round(x):,}"
    return f"{x:,.1f}"


def fmt_implied(x: float) -> str:
    """An implied figure: one decimal from 100 up (``1,498.4``), more below (``7.002``)
    so that the ends of a narrow implied range stay apart."""
    if _missing(x):
        return "?"
    if math.isinf(x):
        return "∞"
    decimals = 1 if abs(x) >= 100 else 2 if abs(x) >= 10 else 3
    return f"{x:,.{decimals}f}"


def fmt_range(lo: float, hi: float) -> str:
    """An implied range with enough decimals to keep its ends apart:
    ``1,498.4–1,498.5``, ``300.005–300.038``; open ends as "at most"/"at least"."""
    if _missing(lo) and (_missing(hi) or math.isinf(hi)):
        return "any value"
    if _missing(lo):
        return f"at most {fmt_implied(hi)}"
    if _missing(hi) or math.isinf(hi):
        return f"at least {fmt_implied(lo)}"
    a, b = fmt_implied(lo), fmt_implied(hi)
    decimals = 1
    while a == b and decimals < 4:
        decimals += 1
        a, b = f"{lo:,.{decimals + 1}f}", f"{hi:,.{decimals + 1}f}"
    return f"{a}–{b}"


def fmt_pct(x: float, decimals: int = 2) -> str:
    """A computed percentage: ``89.87 %``."""
    return f"{x:.{decimals}f} %"


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def roundness(n: int) -> int:
    """Trailing zeros of a whole number: 1500 → 2, 1499 → 0.

    Among whole-number targets that fit the printed percentages equally well,
    the roundest is the one a resolution would have set.
    """
    k = 0
    while n and n % 10 == 0:
        n //= 10
        k += 1
    return k
