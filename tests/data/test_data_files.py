"""Checks of the shipped dataset in ``data/``, read straight from the CSV files.

These tests do not go through the loader (one test at the end does): they
read the files with pandas and check them against ``forecast.data.schema`` and
against the sources, so that a broken loader and a broken data file are told
apart. Expected seed figures are typed from ``../shared/domain.md`` by hand.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from forecast.data.numbers import ParseError, parse_date, parse_quantity
from forecast.paths import DATA_DIR, REPO_DIR
from forecast.data.schema import (FUNNEL_STAGES, STOCK_MEASURES, TABLES)

SHARED = REPO_DIR.parent / "shared"
SEEDS = SHARED / "seeds"
PUBLIC = SHARED / "data" / "public_figures.csv"
N_PUBLIC = 248
PUBLIC_TAG = re.compile(r"^\[public_figures row (\d+)\]")


def _files(table: str) -> list[Path]:
    return sorted(p for p in DATA_DIR.glob("*.csv")
                  if p.stem == table or p.stem.startswith(table + "-"))


def _read(table: str) -> pd.DataFrame:
    frames = []
    for p in _files(table):
        df = pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8")
        df["_file"] = p.name
        frames.append(df)
    cols = TABLES[table].column_names + ["_file"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    return {name: _read(name) for name in TABLES}


def test_every_file_belongs_to_a_table_and_has_the_schema_header():
    files = sorted(DATA_DIR.glob("*.csv"))
    assert files, f"no CSV files in {DATA_DIR}"
    for p in files:
        table = next((t for t in TABLES if p.stem == t or p.stem.startswith(t + "-")), None)
        assert table is not None, f"{p.name} is not named after a table"
        header = p.read_text(encoding="utf-8").splitlines()[0].split(",")
        assert header == TABLES[table].column_names, p.name


def test_files_are_utf8_nfc_without_bom():
    for p in list(DATA_DIR.glob("*.csv")) + [DATA_DIR / "README.md"]:
        raw = p.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), p.name
        text = raw.decode("utf-8")
        # Composed diacritics, so that "Tiền Giang" matches whatever types it.
        assert unicodedata.normalize("NFC", text) == text, p.name


def test_required_cells_filled_and_choices_valid(data):
    for name, table in TABLES.items():
        df = data[name]
        for col in table.columns:
            if col.required:
                blank = df.index[df[col.name].str.strip() == ""].tolist()
                assert not blank, f"{name}.{col.name} blank in rows {blank}"
            if col.choices:
                bad = set(df[col.name]) - set(col.choices) - {""}
                assert not bad, f"{name}.{col.name}: {bad}"


@pytest.mark.parametrize("table", ["units", "sources", "targets", "observations"])
def test_ids_unique_across_files_and_slugs(data, table):
    key = TABLES[table].key
    ids = data[table][key]
    dup = ids[ids.duplicated()].tolist()
    assert not dup, f"duplicate {key}: {dup}"
    bad = [i for i in ids if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", i)]
    assert not bad, f"{key} not an ASCII slug: {bad}"


def test_references_resolve(data):
    units = set(data["units"]["unit_id"])
    sources = set(data["sources"]["source_id"])
    targets = set(data["targets"]["target_id"])
    parents = set(data["units"]["parent_id"]) - {""}
    assert parents <= units, parents - units
    for name in ("targets", "observations", "terms"):
        assert set(data[name]["unit_id"]) <= units, (name, set(data[name]["unit_id"]) - units)
    for name in ("targets", "observations"):
        assert set(data[name]["source_id"]) <= sources, name
    obs = data["observations"]
    share = obs[obs["measure"].isin(["attainment_pct", "excess_pct"]) & (obs["ref"] != "")]
    assert set(share["ref"]) <= targets, set(share["ref"]) - targets
    conv = obs[obs["measure"] == "conversion_pct"]
    assert set(conv["ref"]) <= set(FUNNEL_STAGES)
    corr = data["corrections"]
    for table, rid in zip(corr["table"], corr["record_id"]):
        key = TABLES[table].key
        assert rid in set(data[table][key]), rid


def test_attainment_ref_belongs_to_the_same_unit(data):
    t = data["targets"].set_index("target_id")["unit_id"]
    obs = data["observations"]
    share = obs[obs["measure"].isin(["attainment_pct", "excess_pct"]) & (obs["ref"] != "")]
    for oid, unit, ref in zip(share["obs_id"], share["unit_id"], share["ref"]):
        assert t[ref] == unit, (oid, ref)


def test_parent_chains_end_at_the_top(data):
    parent = dict(zip(data["units"]["unit_id"], data["units"]["parent_id"]))
    for uid in parent:
        seen = {uid}
        while parent[uid]:
            uid = parent[uid]
            assert uid not in seen, f"loop through {uid}"
            seen.add(uid)


def test_every_value_and_date_parses(data):
    for name in ("targets", "observations"):
        for rid, v in zip(data[name][TABLES[name].key], data[name]["value"]):
            try:
                parse_quantity(v)
            except ParseError as exc:  # pragma: no cover - the message is the point
                pytest.fail(f"{name} {rid}: value {v!r}: {exc}")
    obs = data["observations"]
    for oid, m, s, e in zip(obs["obs_id"], obs["measure"], obs["period_start"], obs["period_end"]):
        end = parse_date(e, end=True)
        if s:
            assert parse_date(s) <= end, oid
        elif m not in STOCK_MEASURES:
            assert m == "other", f"{oid}: a flow needs period_start"
    for s in data["sources"]["published"]:
        if s:
            assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", s), s
    terms = data["terms"]
    for s, e in zip(terms["start"], terms["end"]):
        assert parse_date(s) < parse_date(e, end=True)


def test_annual_targets_have_a_year_inside_their_term(data):
    t = data["targets"]
    for tid, kind, year, term in zip(t["target_id"], t["kind"], t["year"], t["term"]):
        a, b = (int(x) for x in term.split("-"))
        if kind == "annual":
            assert a <= int(year) <= b, tid
        else:
            assert year == "", tid


def test_counts_and_shares_are_in_range(data):
    obs = data["observations"]
    for oid, m, v in zip(obs["obs_id"], obs["measure"], obs["value"]):
        q = parse_quantity(v)
        bounds = [x for x in (q.low, q.high) if x is not None]
        if m in ("admitted", "expected_admitted", "members", "introduced", "trained", "classes"):
            assert not q.percent and min(bounds) >= 0, oid
        elif m in ("attainment_pct", "excess_pct", "conversion_pct"):
            assert 0 <= min(bounds) and max(bounds) <= 1000, oid


# --- the seed figures -------------------------------------------------------
# (unit_id, measure, value as domain.md states it), typed from ../shared/domain.md.
SEED_FIGURES = [
    ("tien-giang", "admitted", "8793"),
    ("tien-giang", "members", ">50000"),
    ("tien-giang", "admitted", "1252"),
    ("tien-giang", "attainment_pct", "83.5"),
    ("tien-giang", "admitted", "1278"),
    ("tien-giang", "attainment_pct", "85.2"),
    ("tien-giang", "admitted", "1348"),
    ("tien-giang", "attainment_pct", "89.96"),
    ("tien-giang", "admitted", "3878"),
    ("tien-giang", "admitted", "937"),
    ("tien-giang", "admitted", "1073"),
    ("tien-giang", "change_pct", "14.5"),
    ("tien-giang", "admitted", "198"),
    ("tien-giang", "admitted", "622"),
    ("tien-giang", "admitted", "5"),
    ("tien-giang", "admitted", "1"),
    ("tien-giang", "change_pct", "100"),
    ("khoi-co-quan-doanh-nghiep-tuyen-quang", "classes", "25"),
    ("khoi-co-quan-doanh-nghiep-tuyen-quang", "trained", "1270"),
    ("khoi-co-quan-doanh-nghiep-tuyen-quang", "admitted", "1147"),
    ("khoi-co-quan-doanh-nghiep-tuyen-quang", "excess_pct", "27"),
    ("khoi-co-quan-doanh-nghiep-tuyen-quang", "admitted", "173"),
    ("xi-mang-tan-quang", "admitted", "11"),
    ("xi-mang-tan-quang", "members", "88"),
    ("ngan-hang-cong-thuong-tuyen-quang", "admitted", "7"),
    ("ngan-hang-cong-thuong-tuyen-quang", "members", "50"),
    ("dai-hoc-tan-trao", "admitted", "95"),
    ("dai-hoc-tan-trao", "admitted", "35"),
    ("khoi-co-quan-ha-nam", "admitted", "275"),
    ("khoi-co-quan-ha-nam", "attainment_pct", "91.66"),
    ("tinh-khong-neu-ten-cv-1237", "conversion_pct", "36.7"),
    ("tinh-khong-neu-ten-cv-1237", "conversion_pct", "57.1"),
    ("tinh-khong-neu-ten-cv-1237", "conversion_pct", "21.4"),
    ("krong-bong", "admitted", "23"),
    ("krong-bong", "admitted", "96"),
    ("krong-bong", "attainment_pct", "120"),
    ("krong-bong", "members", "3360"),
    ("cu-pui", "admitted", "8"),
    ("cu-pui", "attainment_pct", "114.2"),
    ("cu-pui", "expected_admitted", "10-12"),
]
SEED_TARGETS = [
    # (unit_id, kind, measure, value)
    ("tien-giang", "term", "count", "6500"),
    ("khoi-co-quan-ha-nam", "annual", "count", "150"),
    ("khoi-co-quan-ha-nam", "term", "pct_members", ">=3"),
    ("tinh-khong-neu-ten-cv-1237", "term", "pct_members", "3-4"),
    ("krong-bong", "annual", "count", "80"),
    ("cu-pui", "annual", "count", "7"),
]


def _same(a: str, b: str) -> bool:
    qa, qb = parse_quantity(a), parse_quantity(b)
    return (qa.low, qa.high, qa.qualifier) == (qb.low, qb.high, qb.qualifier)


def _seed_rows(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["_file"].str.contains("-seeds")]


@pytest.mark.parametrize("unit, measure, value", SEED_FIGURES)
def test_seed_figure_is_in_the_data(data, unit, measure, value):
    obs = _seed_rows(data["observations"])
    rows = obs[(obs["unit_id"] == unit) & (obs["measure"] == measure)]
    assert any(_same(v, value) for v in rows["value"]), f"{unit} {measure} {value} missing"


@pytest.mark.parametrize("unit, kind, measure, value", SEED_TARGETS)
def test_seed_target_is_in_the_data(data, unit, kind, measure, value):
    t = _seed_rows(data["targets"])
    rows = t[(t["unit_id"] == unit) & (t["kind"] == kind) & (t["measure"] == measure)]
    assert any(_same(v, value) for v in rows["value"]), f"{unit} {kind} {value} missing"


def test_tien_giang_percentages_point_nowhere_but_krong_bong_to_its_target(data):
    # Tiền Giang's annual targets are not printed, so its shares have no ref;
    # Krông Bông's 120 % is 96 of the province's 80.
    obs = data["observations"].set_index("obs_id")
    assert obs.loc["tien-giang-attainment-2022", "ref"] == ""
    assert obs.loc["krong-bong-attainment-2021-10-12", "ref"] == "krong-bong-2021-assigned"
    assert obs.loc["cu-pui-attainment-2021-9m", "ref"] == "cu-pui-2021-assigned"


def test_seed_rows_point_to_a_seed_and_a_paragraph(data):
    sources = data["sources"].set_index("source_id")
    for name in ("targets", "observations"):
        df = _seed_rows(data[name])
        assert len(df) > 0
        for rid, src, loc in zip(df[TABLES[name].key], df["source_id"], df["locator"]):
            assert sources.loc[src, "file"].startswith("seeds/"), rid
            assert re.match(r'paragraph \d+: ".+"$', loc), (rid, loc)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared seed articles not present")
def test_seed_locators_quote_words_of_that_paragraph(data):
    sources = data["sources"].set_index("source_id")
    paragraphs = {}
    for name in ("targets", "observations"):
        df = _seed_rows(data[name])
        for rid, src, loc in zip(df[TABLES[name].key], df["source_id"], df["locator"]):
            f = sources.loc[src, "file"]
            if f not in paragraphs:
                text = (SHARED / f).read_text(encoding="utf-8")
                # Paragraph = non-blank line, whitespace (no-break spaces too) collapsed.
                paragraphs[f] = [" ".join(l.split()) for l in text.splitlines() if l.strip()]
            m = re.match(r'paragraph (\d+): "(.+)"$', loc)
            n, key = int(m.group(1)), m.group(2)
            assert key in paragraphs[f][n - 1], (rid, loc)


# --- the public figures -----------------------------------------------------
def _left_out_rows() -> dict[int, str]:
    text = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    section = text.split("## Rows left out", 1)[1]
    return {int(m.group(1)): m.group(2) for m in re.finditer(r"^\| (\d+) \| (.+?) \|", section, re.M)}


def _brought_in(data) -> set[int]:
    rows = set()
    for name in ("targets", "observations"):
        df = data[name]
        pub = df[df["_file"].str.contains(r"-public\.csv$")]
        for rid, note in zip(pub[TABLES[name].key], pub["note"]):
            m = PUBLIC_TAG.match(note)
            assert m, f"{rid}: public row without its [public_figures row N] tag"
            rows.add(int(m.group(1)))
    return rows


def test_every_public_row_is_brought_in_or_left_out_with_a_reason(data):
    brought, left = _brought_in(data), _left_out_rows()
    assert not brought & set(left), brought & set(left)
    assert len(brought) + len(left) == N_PUBLIC
    assert brought | set(left) == set(range(1, N_PUBLIC + 1))


@pytest.mark.skipif(not PUBLIC.is_file(), reason="public_figures.csv not present")
def test_every_public_address_is_a_source(data):
    pf = pd.read_csv(PUBLIC, dtype=str, keep_default_na=False)
    assert len(pf) == N_PUBLIC
    urls = set(data["sources"]["url"])
    assert set(pf["url"]) <= urls
    # A public row's source is the page of that row.
    by_id = data["sources"].set_index("source_id")["url"]
    for name in ("targets", "observations"):
        df = data[name]
        pub = df[df["_file"].str.contains(r"-public\.csv$")]
        for rid, src, note in zip(pub[TABLES[name].key], pub["source_id"], pub["note"]):
            n = int(PUBLIC_TAG.match(note).group(1))
            assert by_id[src] == pf.iloc[n - 1]["url"], rid


@pytest.mark.skipif(not PUBLIC.is_file(), reason="public_figures.csv not present")
def test_known_public_traps_are_kept_and_declared(data):
    obs = data["observations"].set_index("obs_id")
    # Đông Hà printed '9/8' with 88,8 %: kept as printed, corrected in corrections.csv.
    assert obs.loc["dong-ha-admitted-2023h1", "value"] == "9"
    corr = data["corrections"]
    assert ((corr["record_id"] == "dong-ha-admitted-2023h1") & (corr["corrected"] == "8")).any()
    # Hải Dương's ">=2200 a year" keeps its floor, Thanh Hà's "90-100" its range.
    t = data["targets"].set_index("target_id")
    assert parse_quantity(t.loc["hai-duong-2023-resolution", "value"]).qualifier == "at_least"
    assert parse_quantity(t.loc["thanh-ha-2023-resolution", "value"]).qualifier == "range"
    # Đức Trọng 2017: two layers (the plan and the unit's own goal) side by side.
    assert {"plan", "own_goal"} <= set(t[(t["unit_id"] == "duc-trong") & (t["year"] == "2017")]["layer"])


def test_readme_documents_every_column(data):
    text = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    for name, table in TABLES.items():
        assert f"`{name}`" in text, name
        for col in table.columns:
            assert f"`{col.name}`" in text, (name, col.name)
            assert col.doc.replace("|", "\\|") in text, (name, col.name)


def test_shipped_folder_loads():
    dataset = pytest.importorskip("forecast.data.dataset")
    ds = dataset.load(DATA_DIR)
    assert len(ds.units) == len(_read("units"))
    assert len(ds.observations) == len(_read("observations"))
    # The declared correction is applied on loading, the printed value kept.
    row = ds.observations.set_index("obs_id").loc["dong-ha-admitted-2023h1"]
    assert row["value"] == 8 and row["corrected_from"] == "9"
