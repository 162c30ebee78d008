"""Typed tables from the raw text tables: numbers with their precision, dates,
period kinds and the counting window of every term.

:func:`forecast.data.dataset.build` calls these after the corrections and the
checks (:mod:`forecast.data.validate`), so every text here has already been
found readable; a text that still fails to parse becomes a missing value.
"""

from __future__ import annotations

import re

import pandas as pd

from forecast.config import Assumptions
from forecast.errors import ConfigError
from forecast.data.numbers import ParseError, parse_date, parse_quantity
from forecast.data.schema import STOCK_MEASURES

TERM_LABEL = re.compile(r"\s*(\d{4})\s*[-–]\s*(\d{4})\s*")

UNIT_COLUMNS = ["unit_id", "name_vi", "name_en", "level", "parent_id", "province", "note"]
SOURCE_COLUMNS = ["source_id", "title", "outlet", "url", "published", "file", "language", "note"]
TERM_COLUMNS = ["unit_id", "term", "start", "end", "explicit"]
TARGET_COLUMNS = [
    "target_id", "unit_id", "term", "kind", "year", "layer", "measure", "value_text",
    "low", "high", "value", "qualifier", "start", "deadline", "source_id", "locator", "note",
    "corrected_from",
]
OBSERVATION_COLUMNS = [
    "obs_id", "unit_id", "measure", "subgroup", "value_text", "low", "high", "value",
    "qualifier", "period_start", "period_end", "period_kind", "ref", "source_id", "locator",
    "note", "corrected_from",
]
CORRECTION_COLUMNS = ["table", "record_id", "column", "reported", "corrected", "reason"]



def text_dtypes(df: pd.DataFrame) -> pd.DataFrame:
    """Text columns as pandas' string dtype ("" when blank); parent_id keeps None."""
    df = df.copy()
    for c in df.columns:
        if c != "parent_id" and (df[c].dtype == object or pd.api.types.is_string_dtype(df[c])):
            df[c] = df[c].astype(str)
    return df


# -- derivations (tolerant: validation has already refused bad values) -------
def _quantities(texts: pd.Series) -> pd.DataFrame:
    rows = []
    for t in texts:
        try:
            q = parse_quantity(t)
            rows.append((q.low, q.high, q.value, q.qualifier))
        except ParseError:
            rows.append((None, None, None, ""))
    out = pd.DataFrame(rows, columns=["low", "high", "value", "qualifier"], index=texts.index)
    for c in ("low", "high", "value"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    return out


def _dates(texts: pd.Series, end: bool) -> pd.Series:
    out = []
    for t in texts:
        try:
            out.append(parse_date(t, end=end) if str(t).strip() else pd.NaT)
        except ParseError:
            out.append(pd.NaT)
    return pd.Series(pd.to_datetime(pd.Series(out, dtype="datetime64[ns]")).values,
                     index=texts.index, dtype="datetime64[ns]")


def term_years(term: str) -> tuple[int, int] | None:
    """First and last year of a term label ``2020-2025``; None if not one."""
    m = TERM_LABEL.fullmatch(str(term))
    return (int(m.group(1)), int(m.group(2))) if m else None


def default_window(term: str, assumptions: Assumptions) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Counting window of a term by the default rule (assumptions A1, A2)."""
    years = term_years(term)
    if years is None:
        raise ConfigError(f"term {term!r}: expected a label YYYY-YYYY such as 2020-2025.")
    return (pd.Timestamp(f"{years[0]}-{assumptions.term_start}"),
            pd.Timestamp(f"{years[1]}-{assumptions.term_end}"))


def unit_frame(raw: pd.DataFrame) -> pd.DataFrame:
    df = raw[UNIT_COLUMNS].reset_index(drop=True).copy()
    df["parent_id"] = pd.Series([p if p else None for p in df["parent_id"]], dtype=object)
    return df


def term_frame(raw_terms: pd.DataFrame, raw_targets: pd.DataFrame,
           assumptions: Assumptions) -> pd.DataFrame:
    rows: dict[tuple[str, str], tuple] = {}
    for uid, term, s, e in zip(raw_terms["unit_id"], raw_terms["term"], raw_terms["start"],
                               raw_terms["end"]):
        rows[(uid, term.strip())] = (parse_date(s), parse_date(e, end=True), True)
    for uid, term in zip(raw_targets["unit_id"], raw_targets["term"]):
        key = (uid, term.strip())
        if key not in rows and term_years(term):
            start, end = default_window(term, assumptions)
            rows[key] = (start, end, False)
    out = pd.DataFrame(
        [(u, t, s, e, x) for (u, t), (s, e, x) in rows.items()], columns=TERM_COLUMNS)
    out["start"] = pd.to_datetime(out["start"]).astype("datetime64[ns]")
    out["end"] = pd.to_datetime(out["end"]).astype("datetime64[ns]")
    out["explicit"] = out["explicit"].astype(bool)
    return out


def target_frame(raw: pd.DataFrame, terms: pd.DataFrame) -> pd.DataFrame:
    df = raw.reset_index(drop=True).copy()
    df["term"] = df["term"].str.strip()
    df["value_text"] = df["value"]
    q = _quantities(df["value_text"])
    df = df.drop(columns=["value"]).join(q)
    df["year"] = pd.array([int(y) if str(y).strip().isdigit() else None for y in df["year"]],
                          dtype="Int64")
    window = {(u, t): (s, e) for u, t, s, e in
              zip(terms["unit_id"], terms["term"], terms["start"], terms["end"])}
    starts, ends = [], []
    for uid, term, kind, year in zip(df["unit_id"], df["term"], df["kind"], df["year"]):
        if kind == "annual" and not pd.isna(year):
            starts.append(pd.Timestamp(int(year), 1, 1))
            ends.append(pd.Timestamp(int(year), 12, 31))
        else:
            s, e = window.get((uid, term), (pd.NaT, pd.NaT))
            starts.append(s)
            ends.append(e)
    df["start"] = pd.Series(starts, dtype="datetime64[ns]")
    df["deadline"] = pd.Series(ends, dtype="datetime64[ns]")
    if "corrected_from" not in df.columns:
        df["corrected_from"] = ""
    return df[TARGET_COLUMNS]


def period_kind(start: pd.Timestamp, end: pd.Timestamp, measure: str) -> str:
    """``point``, ``year``, ``part_year`` or ``span`` (see schema.PERIOD_KINDS)."""
    if measure in STOCK_MEASURES or pd.isna(start):
        return "point"
    if pd.isna(end):
        return "span"
    if start.month == 1 and start.day == 1 and end.year == start.year:
        return "year" if (end.month, end.day) == (12, 31) else "part_year"
    return "span"


def observation_frame(raw: pd.DataFrame) -> pd.DataFrame:
    df = raw.reset_index(drop=True).copy()
    df["value_text"] = df["value"]
    q = _quantities(df["value_text"])
    df = df.drop(columns=["value"]).join(q)
    df["period_start"] = _dates(df["period_start"], end=False)
    df["period_end"] = _dates(df["period_end"], end=True)
    df.loc[df["measure"].isin(STOCK_MEASURES), "period_start"] = pd.NaT
    df["period_kind"] = [period_kind(s, e, m) for s, e, m in
                         zip(df["period_start"], df["period_end"], df["measure"])]
    if "corrected_from" not in df.columns:
        df["corrected_from"] = ""
    return df[OBSERVATION_COLUMNS]
