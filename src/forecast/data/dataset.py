"""The validated, typed dataset every later stage works on.

:func:`load` reads one or several locations (folders of CSV files, Excel
workbooks), applies the declared corrections, validates everything (all
problems at once, raised as :class:`~forecast.errors.DataError`) and derives
the typed columns: numbers with their precision, dates, period kinds and the
counting window of every term.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from forecast import paths as _paths
from forecast.config import Assumptions
from forecast.errors import ConfigError, DataError, Problem
from forecast.labels import fmt_date, fmt_month, text
from forecast.data.readers import META_COLUMNS, empty_raw, read_path
from forecast.data.lineage import (HISTORY_COLUMNS, LINEAGE_SUFFIX, carry_histories,
                                   lineage_frame)
from forecast.data.schema import LINEAGE, TABLES
from forecast.data.frames import (CORRECTION_COLUMNS, SOURCE_COLUMNS, observation_frame,
                                  target_frame, term_frame, text_dtypes, unit_frame)
from forecast.data.numbers import parse_date

@dataclass(frozen=True, eq=False)
class Dataset:
    """Units, sources, terms, targets, observations and corrections, typed.

    Attributes
    ----------
    units, sources, terms, targets, observations, corrections : DataFrame
        See ``data/README.md`` and the team contract for the columns.
        ``observations`` includes the successors' histories derived from the
        lineage (:func:`forecast.data.lineage.carry_histories`).
    assumptions : Assumptions
        The assumptions used to derive term windows.
    files : tuple of Path
        Input files read, in order (for manifests).
    origins : dict
        ``(table, record_id)`` → ``"file, row N"``, to point at a record in messages.
    lineage : DataFrame
        :data:`forecast.data.lineage.LINEAGE_COLUMNS`, empty without a lineage table.
    history : DataFrame
        :data:`forecast.data.lineage.HISTORY_COLUMNS`: each predecessor's report
        carried to a successor, complete or partial.
    """

    units: pd.DataFrame
    sources: pd.DataFrame
    terms: pd.DataFrame
    targets: pd.DataFrame
    observations: pd.DataFrame
    corrections: pd.DataFrame
    assumptions: Assumptions = field(default_factory=Assumptions)
    files: tuple[Path, ...] = ()
    origins: dict = field(default_factory=dict, repr=False)
    lineage: pd.DataFrame = field(default_factory=lambda: lineage_frame(empty_raw(LINEAGE)),
                                  repr=False)
    history: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=HISTORY_COLUMNS),
                                  repr=False)
    _split_cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    # -- look-ups ---------------------------------------------------------
    def rows_of(self, table: str, unit_id: str, column: str = "unit_id") -> pd.DataFrame:
        """Rows of ``table`` whose ``column`` is ``unit_id``, in file order, index kept.

        The same rows as ``frame[frame[column] == unit_id]`` without scanning
        the table: scanning it for every unit costs the table's size per unit,
        quadratic over a national run. The table is split once (one
        ``groupby``) and each unit's rows are kept after their first use, for
        as long as the table is the same object. The frame returned is
        shared: filter it, do not modify it.
        """
        frame = getattr(self, table)
        got = self._split_cache.get((table, column))
        if got is None or got[0] is not frame:
            got = (frame, frame.groupby(column, sort=False).indices, {})
            self._split_cache[(table, column)] = got
        rows = got[2].get(unit_id)
        if rows is None:
            pos = got[1].get(unit_id)
            rows = frame.iloc[pos] if pos is not None else frame.iloc[:0]
            got[2][unit_id] = rows
        return rows

    def memo(self, table: str, key: Hashable, make: Callable[[], Any]) -> Any:
        """``make()``, computed once per ``key`` for as long as ``table`` is the same object.

        For answers derived from one table that later stages ask for again
        and again (a unit's admitted spans per window and date): kept, like
        :meth:`rows_of`'s splits, until the table is replaced. The value
        returned is shared: read it, do not modify it.
        """
        frame = getattr(self, table)
        got = self._split_cache.get(("memo", table))
        if got is None or got[0] is not frame:
            got = (frame, {})
            self._split_cache[("memo", table)] = got
        if key not in got[1]:
            got[1][key] = make()
        return got[1][key]

    def records_of(self, table: str, unit_id: str) -> list[dict]:
        """:meth:`rows_of` as a list of dicts (column → value), in file order.

        For code that reads a unit's few rows one by one: a dict per row
        costs far less than a pandas row. The whole table is converted once
        (``to_dict("records")``, so missing integers are None and dates
        Timestamps) and kept as long as it is the same object. The dicts are
        shared: read them, do not modify them.
        """
        def build():
            by_unit: dict[str, list[dict]] = {}
            for rec in getattr(self, table).to_dict("records"):
                by_unit.setdefault(rec["unit_id"], []).append(rec)
            return by_unit

        return self.memo(table, "records_by_unit", build).get(unit_id, [])

    def _unit_rows(self, unit_id: str) -> pd.DataFrame:
        hit = self.rows_of("units", unit_id)
        if hit.empty:
            near = nearest(unit_id, self.units["unit_id"])
            hint = f"did you mean {', '.join(near)}?" if near else "see units.csv for the ids"
            raise ConfigError(f"unit {unit_id!r} is not in the dataset. Fix: {hint}")
        return hit

    def _unit_row(self, unit_id: str) -> pd.Series:
        return self._unit_rows(unit_id).iloc[0]

    def unknown_units(self, unit_ids: Iterable[str]) -> dict[str, list[str]]:
        """The ids that are not units of the dataset, each with the nearest ids."""
        known = set(self.units["unit_id"])
        return {u: nearest(u, self.units["unit_id"]) for u in dict.fromkeys(map(str, unit_ids))
                if u not in known}

    def check_unit_ids(self, unit_ids: Iterable[str] | None, option: str = "--units") -> None:
        """Raise ConfigError naming every unknown id with the nearest ones.

        Used wherever an analyst types unit ids (``--units`` of ``outlook``
        and ``brief``, notebook parameters), so that a typo is an error, not
        a unit silently left out.
        """
        bad = self.unknown_units(unit_ids or ())
        if bad:
            listed = "; ".join(
                f"{u!r} (did you mean {' or '.join(repr(n) for n in near)}?)" if near
                else f"{u!r} (no id is close)" for u, near in bad.items())
            raise ConfigError(
                f"{option}: unknown unit id{'s' if len(bad) > 1 else ''} {listed}. Fix: "
                f"write ids as in units.csv ({len(self.units)} units), e.g. "
                f"{self.units['unit_id'].iloc[0]!r}; nothing was run.")

    def unit_name(self, unit_id: str, lang: str = "vi") -> str:
        """Name of a unit in Vietnamese (``vi``) or English (``en``, else Vietnamese)."""
        row = self._unit_row(unit_id)
        if lang == "en" and row["name_en"]:
            return str(row["name_en"])
        return str(row["name_vi"])

    def children(self, unit_id: str) -> list[str]:
        """Ids of the units directly below ``unit_id``, in file order."""
        self._unit_rows(unit_id)
        return self.rows_of("units", unit_id, "parent_id")["unit_id"].tolist()

    def observations_until(self, as_of: object = None) -> pd.DataFrame:
        """Observations whose period ends on or before ``as_of`` (all if None)."""
        if as_of is None:
            return self.observations.copy()
        cut = as_of if isinstance(as_of, pd.Timestamp) else parse_date(as_of, end=True)
        return self.observations[self.observations["period_end"] <= cut].copy()

    def source_line(self, source_ids: str | Iterable[str], lang: str = "en") -> str:
        """The "Source: ..." line for figures and tables, built from the sources table.

        Parameters
        ----------
        source_ids : str or iterable of str
            One or several ``source_id``; repeats are shown once.
        lang : {"en", "vi"}
            Language of the label and the dates.
        """
        ids = [source_ids] if isinstance(source_ids, str) else list(source_ids)
        ids = list(dict.fromkeys(i for i in ids if i))
        parts = []
        for sid in ids:
            hit = self.sources[self.sources["source_id"] == sid]
            if hit.empty:
                raise ConfigError(f"source {sid!r} is not in sources. Fix: use a source_id "
                                  "listed in sources.csv.")
            row = hit.iloc[0]
            who = row["outlet"] or row["title"]
            when = _format_published(row["published"], lang)
            parts.append(f"{who}, {when}" if when else str(who))
        label = text("sources" if len(parts) > 1 else "source", lang)
        return f"{label}: {'; '.join(parts)}." if parts else f"{label}: –"

    def where(self, table: str, record_id: str) -> str:
        """``"file, row N"`` of a record, for messages about it."""
        return self.origins.get((table, record_id), f"{table} '{record_id}'")

    # -- construction -----------------------------------------------------
    @classmethod
    def from_frames(cls, *, units=None, sources=None, targets=None, observations=None,
                    terms=None, corrections=None, lineage=None,
                    assumptions: Assumptions | None = None,
                    validate: bool = True) -> "Dataset":
        """Build a dataset from small frames (or lists of dicts) of raw text.

        Meant for tests and notebooks: each argument holds the columns of the
        table as written in a CSV file (missing optional columns are blank).
        Rows are numbered as in a CSV file (first data row = 2) and the file
        is named ``<table> (in memory)`` in problems.
        """
        given = dict(units=units, sources=sources, targets=targets, observations=observations,
                     terms=terms, corrections=corrections, lineage=lineage)
        raw = {}
        for name, frame in given.items():
            table = TABLES[name]
            if frame is None:
                raw[name] = empty_raw(table)
                continue
            df = pd.DataFrame(frame).copy()
            df = df.astype(object).where(df.notna(), "")
            for c in table.column_names:
                if c not in df.columns:
                    df[c] = ""
                df[c] = df[c].map(lambda v: str(v).strip())
            df[META_COLUMNS[0]] = f"{name} (in memory)"
            df[META_COLUMNS[1]] = None
            df[META_COLUMNS[2]] = range(2, len(df) + 2)
            raw[name] = df.reset_index(drop=True)
        return build(raw, assumptions or Assumptions(), [], (), validate=validate)


def nearest(value: object, choices: Iterable[str], n: int = 3) -> list[str]:
    """Up to ``n`` of ``choices`` closest to ``value`` (difflib), for "did you mean"."""
    return difflib.get_close_matches(str(value), [str(c) for c in choices], n=n, cutoff=0.5)


def load(paths: str | Path | Iterable[str | Path] | None = None,
         assumptions: Assumptions | None = None) -> Dataset:
    """Read, correct, validate and type a dataset.

    Parameters
    ----------
    paths : path, list of paths or None
        Folders of CSV files and/or Excel workbooks, merged in order (rows of
        later locations are added to earlier ones). None: the shipped
        ``data/`` (:data:`forecast.paths.DATA_DIR`).
    assumptions : Assumptions, optional
        Term boundaries (``term_start``, ``term_end``) for terms the terms
        table does not give.

    Raises
    ------
    DataError
        With every problem found in every file.
    """
    if paths is None:
        locations = [_paths.DATA_DIR]
    elif isinstance(paths, (str, Path)):
        locations = [Path(paths)]
    else:
        locations = [Path(p) for p in paths]
    problems: list[Problem] = []
    files: list[Path] = []
    chunks: dict[str, list[pd.DataFrame]] = {}
    for loc in locations:
        got, probs, read = read_path(loc)
        problems.extend(probs)
        files.extend(read)
        for name, frames in got.items():
            chunks.setdefault(name, []).extend(frames)
    raw = {}
    for name, table in TABLES.items():
        frames = chunks.get(name, [])
        raw[name] = (pd.concat(frames, ignore_index=True) if frames
                     else empty_raw(table))
    from forecast.data.validate import check_tables_present

    problems.extend(check_tables_present(raw, chunks, locations))
    return build(raw, assumptions or Assumptions(), problems, tuple(files))


def build(raw: Mapping[str, pd.DataFrame], assumptions: Assumptions,
          problems: list[Problem], files: tuple[Path, ...], validate: bool = True) -> Dataset:
    """Apply corrections, validate, and derive the typed frames from raw text frames."""
    from forecast.data.validate import apply_corrections, check

    raw = dict(raw)
    problems = list(problems)
    raw, corr_problems = apply_corrections(raw)
    problems.extend(corr_problems)
    if validate:
        problems.extend(check(raw, assumptions))
    if problems:
        raise DataError(problems)
    # Columns missing from a file's header were None so as to be reported once.
    raw = {name: df.astype(object).where(df.notna(), "") for name, df in raw.items()}
    units = unit_frame(raw["units"])
    sources = raw["sources"][SOURCE_COLUMNS].reset_index(drop=True).copy()
    terms = term_frame(raw["terms"], raw["targets"], assumptions)
    targets = target_frame(raw["targets"], terms)
    observations = observation_frame(raw["observations"])
    corrections = raw["corrections"][CORRECTION_COLUMNS].reset_index(drop=True).copy()
    origins = {}
    for name, key in (("units", "unit_id"), ("sources", "source_id"),
                      ("targets", "target_id"), ("observations", "obs_id")):
        df = raw[name]
        for rid, f, sheet, r in zip(df[key], df["_file"], df["_sheet"], df["_row"]):
            origins[(name, rid)] = f"{f}{f' [sheet {sheet}]' if sheet else ''}, row {r}"
    lineage = lineage_frame(raw["lineage"])
    history = pd.DataFrame(columns=HISTORY_COLUMNS)
    if not lineage.empty:
        observations, history = carry_histories(lineage, observations)
        for oid in observations["obs_id"][observations["obs_id"].str.endswith(LINEAGE_SUFFIX)]:
            origins[("observations", oid)] = "derived from the lineage table"
    frames = [text_dtypes(f) for f in (units, sources, terms, targets, observations,
                                        corrections)]
    return Dataset(*frames, assumptions, files, origins, lineage, history)


def _format_published(text: object, lang: str) -> str:
    """A source's publication date as the charts write dates (one formatter,
    :mod:`forecast.labels`): ``16/9/2023`` / ``16 Sept 2023`` for a day,
    ``tháng 9/2023`` / ``Sept 2023`` for a month, the year alone, or the text
    as written when it is not an ISO date."""
    s = str(text or "").strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", s)
    if not m:
        return s
    y, mo, d = m.group(1), m.group(2), m.group(3)
    if mo is None:
        return y
    try:
        when = pd.Timestamp(int(y), int(mo), int(d) if d else 1)
    except ValueError:  # "2023-13": not a date; show it as written
        return s
    return fmt_date(when, lang) if d else fmt_month(when, lang)
