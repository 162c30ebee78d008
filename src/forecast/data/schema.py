"""The tables of a forecast dataset: their columns, what each holds, allowed values.

This module is the one description of the input format. The reader, the
validator, the Excel template and the data documentation test all use it, so a
column is added or renamed here and nowhere else.

A dataset is a folder of CSV files (``units.csv``, ``targets.csv`` ...; a table
may also be split over several files named ``<table>-<anything>.csv``) or one
Excel workbook with a sheet per table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LEVELS = ("national", "province", "bloc", "district", "commune", "base", "cell")
"""Unit levels, from the top down. A school, company or bank branch is ``base``."""

TARGET_KINDS = ("term", "annual")
TARGET_LAYERS = ("resolution", "assigned", "plan", "own_goal")
"""Who set a target: the unit's congress resolution (Nghị quyết Đại hội), an
assignment from the level above (chỉ tiêu ... giao), the year's plan (kế hoạch),
or a goal the unit set itself (phấn đấu)."""
TARGET_MEASURES = ("count", "pct_members")
"""A target is a count of admissions, or a yearly rate as % of membership."""

OBSERVATION_MEASURES = (
    "admitted",           # new members admitted over [period_start, period_end]
    "expected_admitted",  # a unit's own expectation for a period (not a report)
    "members",            # total membership at period_end (a stock)
    "introduced",         # candidates introduced to the Party over the period
    "trained",            # candidates who attended the awareness class
    "classes",            # number of awareness classes held
    "attainment_pct",     # admitted as % of a target ("đạt 83,5 %")
    "excess_pct",         # admitted above a target, in % of it ("vượt 27 %")
    "conversion_pct",     # admitted as % of a funnel stage named in ``ref``
    "change_pct",         # change against the period named in ``ref`` (+14,5 %)
    "other",              # any other sourced figure; kept, never modelled
)
STOCK_MEASURES = ("members",)
PCT_MEASURES = ("attainment_pct", "excess_pct", "conversion_pct", "change_pct")
FUNNEL_STAGES = ("introduced", "trained")

QUALIFIERS = ("exact", "approx", "range", "at_least", "at_most")
"""How a value was reported: ``1.252`` exact; ``~6`` approx; ``10-12`` range;
``>=300`` at least; ``<=5`` at most."""

MAX_COUNT = 10_000_000
"""Largest count accepted (admissions, members, candidates, targets). The whole
Party has about 5.6 million members and admits about 200,000 a year; a larger
figure is a typing error (and would overflow the simulation's draws)."""
MAX_CELL_CHARS = 5_000
"""Longest text accepted in one cell; a long note is a few hundred characters."""

LINEAGE_EVENTS = ("merge", "split", "rename", "dissolve", "move")
"""What happened to a unit: merged into another (its history joins the
successor's), split (a share of its history goes to each successor), renamed
(the same history under a new id), dissolved (no successor), moved under
another parent (the successor column names the new parent)."""
ENDING_EVENTS = ("merge", "split", "rename", "dissolve")
"""Events after which the predecessor makes no more reports."""

PERIOD_KINDS = ("year", "part_year", "span", "point")
"""Derived from the dates: a whole calendar year; from 1 January to a cut-off in
the same year; any other span (several years, term to date); a stock at a date."""


@dataclass(frozen=True)
class Column:
    """One input column.

    Parameters
    ----------
    name : str
        Header as written in the CSV file or the sheet.
    required : bool
        Whether every row must have a value.
    kind : str
        ``id``, ``text``, ``choice``, ``quantity``, ``date``, ``year``, ``ref``.
    doc : str
        What the column holds, in the words used by ``data/README.md``.
    choices : tuple of str
        Allowed values for ``choice`` columns.
    example : str
        The value in the template's example row.
    """

    name: str
    required: bool
    kind: str
    doc: str
    choices: tuple[str, ...] = ()
    example: str = ""


@dataclass(frozen=True)
class Table:
    """One input table: its name (file stem or sheet), key and columns."""

    name: str
    key: str | None
    doc: str
    columns: tuple[Column, ...] = field(default_factory=tuple)
    optional: bool = False

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


SOURCE_COLUMNS = (
    Column("source_id", True, "ref", "Source the figure comes from (sources.source_id).",
           example="baoapbac-2023-09-16"),
    Column("locator", False, "text",
           "Where in the source the figure stands: paragraph, table or quoted words.",
           example="paragraph 3"),
)

UNITS = Table(
    "units", "unit_id", "Party organizations, one row each, nested through parent_id.",
    (
        Column("unit_id", True, "id", "ASCII slug of the Vietnamese name, e.g. tien-giang.",
               example="tien-giang"),
        Column("name_vi", True, "text", "Name in Vietnamese, with diacritics.",
               example="Đảng bộ tỉnh Tiền Giang"),
        Column("name_en", False, "text", "Name in English.",
               example="Tiền Giang provincial party committee"),
        Column("level", True, "choice", "Level of the organization.", LEVELS,
               example="province"),
        Column("parent_id", False, "ref", "unit_id of the unit it belongs to; blank at the top.",
               example=""),
        Column("province", False, "text", "Province, as named at the time of the figures.",
               example="Tiền Giang"),
        Column("note", False, "text", "Anything a reader should know (mergers, renames).",
               example=""),
    ),
)

SOURCES = Table(
    "sources", "source_id", "Where figures come from: articles, documents, reports.",
    (
        Column("source_id", True, "id", "Short ASCII slug.", example="baoapbac-2023-09-16"),
        Column("title", True, "text", "Title as published.",
               example="Tiền Giang chú trọng tạo nguồn, phát triển đảng viên"),
        Column("outlet", False, "text", "Newspaper, site or issuing body.", example="Báo Ấp Bắc"),
        Column("url", False, "text", "Address of the page, when known.", example=""),
        Column("published", False, "date", "Publication date (YYYY, YYYY-MM or YYYY-MM-DD).",
               example="2023-09-16"),
        Column("file", False, "text", "Local copy, relative to the shared folder.",
               example="seeds/000_9d9cabc01f810a05.txt"),
        Column("language", False, "text", "Language of the copy read (vi, en, ...).", example="vi"),
        Column("note", False, "text", "Caveats: translation, uncertain date.", example=""),
    ),
)

TERMS = Table(
    "terms", None,
    "Optional. Counting window of a unit's term where it differs from the default "
    "rule (see docs/assumptions.md).",
    (
        Column("unit_id", True, "ref", "Unit (units.unit_id).", example="tien-giang"),
        Column("term", True, "text", "Term label YYYY-YYYY.", example="2020-2025"),
        Column("start", True, "date", "First day counted towards the term target.",
               example="2020-01-01"),
        Column("end", True, "date", "Deadline of the term target (last day counted).",
               example="2025-09-30"),
        Column("note", False, "text", "Why these dates.", example=""),
    ),
    optional=True,
)

TARGETS = Table(
    "targets", "target_id", "Admission targets: for a term or a year, as counts or rates.",
    (
        Column("target_id", True, "id", "Short ASCII slug, unique.",
               example="tien-giang-term-2020-2025"),
        Column("unit_id", True, "ref", "Unit (units.unit_id).", example="tien-giang"),
        Column("term", True, "text", "Term label YYYY-YYYY the target belongs to.",
               example="2020-2025"),
        Column("kind", True, "choice", "term: over the whole term; annual: for one year.",
               TARGET_KINDS, example="term"),
        Column("year", False, "year", "Calendar year, for annual targets.", example=""),
        Column("layer", True, "choice", "Who set it.", TARGET_LAYERS, example="resolution"),
        Column("measure", True, "choice", "count, or pct_members (yearly % of membership).",
               TARGET_MEASURES, example="count"),
        Column("value", True, "quantity",
               "Number as reported: 6.500, 6500, ~640, 90-100, >=300, 3%.",
               example="6.500"),
        *SOURCE_COLUMNS,
        Column("note", False, "text", "Remarks.", example=""),
    ),
)

OBSERVATIONS = Table(
    "observations", "obs_id", "Reported figures, one a row, in long format.",
    (
        Column("obs_id", True, "id", "Short ASCII slug, unique.",
               example="tien-giang-admitted-2020"),
        Column("unit_id", True, "ref", "Unit (units.unit_id).", example="tien-giang"),
        Column("measure", True, "choice", "What was counted or rated.",
               OBSERVATION_MEASURES, example="admitted"),
        Column("subgroup", False, "text",
               "Blank for the whole unit, else the part counted (age 18-35, students ...).",
               example=""),
        Column("value", True, "quantity",
               "Number as reported: 1.252, 83,5%, ~6, 10-12, >=2200.", example="1.252"),
        Column("period_start", False, "date",
               "First day of the period (blank for membership, a stock).",
               example="2020-01-01"),
        Column("period_end", True, "date", "Last day of the period, or the date of a stock.",
               example="2020-12-31"),
        Column("ref", False, "text",
               "attainment_pct/excess_pct: target_id (blank if not known); "
               "conversion_pct: introduced or trained; change_pct: period compared with.",
               example=""),
        *SOURCE_COLUMNS,
        Column("note", False, "text", "Remarks.", example=""),
    ),
)

CORRECTIONS = Table(
    "corrections", None,
    "Optional. Declared corrections of a source's figure; applied on loading, "
    "the reported value kept alongside.",
    (
        Column("table", True, "choice", "Table corrected.", ("targets", "observations"),
               example="observations"),
        Column("record_id", True, "text", "target_id or obs_id of the corrected row.",
               example="dong-ha-admitted-2023h1"),
        Column("column", True, "text", "Column corrected.", example="value"),
        Column("reported", True, "text", "Value as the source printed it.", example="9"),
        Column("corrected", True, "text", "Value to use.", example="8"),
        Column("reason", True, "text", "Why; what evidence.", example=""),
    ),
    optional=True,
)

LINEAGE = Table(
    "lineage", None,
    "Optional. What happened to units: mergers, splits, renames, dissolutions, moves; "
    "one row per predecessor and successor (rows of one event share an event_id).",
    (
        Column("event_id", True, "id", "Short ASCII slug of the event, the same on every row "
               "of one merger or split.", example="L01"),
        Column("event", True, "choice", "What happened.", LINEAGE_EVENTS, example="merge"),
        Column("date", True, "date", "Effective date: the successor's first day; the "
               "predecessor's reports end before it.", example="2025-07-01"),
        Column("predecessor_id", True, "ref", "Unit before the event (units.unit_id).",
               example="tien-giang"),
        Column("successor_id", False, "ref",
               "Unit after the event (units.unit_id); for move, the new parent; blank for "
               "dissolve.", example="dong-thap-moi"),
        Column("share", False, "quantity",
               "split: share of the predecessor going to this successor, in percent "
               "(40%, or a range 30-50% where assumed); blank (= 100 %) otherwise.",
               example=""),
        *SOURCE_COLUMNS,
        Column("note", False, "text", "Remarks.", example=""),
    ),
    optional=True,
)

TABLES: dict[str, Table] = {
    t.name: t for t in (UNITS, SOURCES, TERMS, TARGETS, OBSERVATIONS, CORRECTIONS, LINEAGE)
}
