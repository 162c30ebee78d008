"""Fast tests of the brief's parts: unit selection, the data a section uses,
the texts and the number formats (no outlook run, no figures)."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast.brief.doc import Table
from forecast.brief.pdf import FONT, _new, column_widths
from forecast.brief.text import ASSUMPTION_IDS, ASSUMPTION_TEXT, STRINGS, t
from forecast.labels import fmt_prob, missing
from forecast.brief.units import (default_units, part_year_points, primary_row, select_units,
                                  unit_source_ids, yearly_table)
from forecast.config import Assumptions
from forecast.errors import ConfigError

DOC = Path(__file__).resolve().parents[2] / "docs" / "assumptions.md"
NBSP = "\u00a0"


def _table(rows):
    """A hand-made outlook table: only the columns the selection reads."""
    cols = ["unit_id", "target_kind", "label", "scenario", "deadline", "target_id"]
    return pd.DataFrame(rows, columns=cols)


OUTLOOK = _table([
    ("tien-giang", "term", "on track", "model", "2025-09-30", "tg-term"),
    ("tien-giang", "term", "on track", "last", "2025-09-30", "tg-term"),
    ("krong-bong", "annual", "reached", "model", "2021-12-31", "kb-2021"),
    ("cu-pui", "annual", "reached", "model", "2021-12-31", "cp-2021"),
    ("dak-lak", "term", "no data", "model", "2025-09-30", "dl-term"),
])


def test_default_units_need_a_term_target_with_reports():
    # dak-lak has a term target but no admission report in it ("no data");
    # krong-bong and cu-pui have only annual targets.
    assert default_units(OUTLOOK) == ["tien-giang"]


def test_select_units_ids_levels_and_parents(tiny_dataset):
    sel, skipped = select_units(tiny_dataset, OUTLOOK, ["commune", "tien-giang"])
    assert sel == ["cu-pui", "tien-giang"] and skipped == []
    # parent:ID is the unit then its direct children in file order (units.csv).
    sel, skipped = select_units(tiny_dataset, OUTLOOK, ["parent:krong-bong"])
    assert sel == ["krong-bong", "cu-pui"]
    sel, skipped = select_units(tiny_dataset, OUTLOOK, ["parent:tien-giang", "tien-giang"])
    assert sel == ["tien-giang"] and skipped == ["tan-phuoc", "go-cong-dong"]
    # A level with several units, repeats dropped.
    sel, skipped = select_units(tiny_dataset, OUTLOOK, ["province", "dak-lak"])
    assert sel == ["tien-giang", "dak-lak"] and skipped == []


def test_select_units_refuses_unknown_names(tiny_dataset):
    with pytest.raises(ConfigError, match=r"'krong' is neither a unit id, a level .*parent:ID"):
        select_units(tiny_dataset, OUTLOOK, ["krong"])
    with pytest.raises(ConfigError, match="did you mean krong-bong"):
        select_units(tiny_dataset, OUTLOOK, ["parent:krong-bon"])


def test_primary_row_prefers_the_latest_term_target():
    rows = _table([
        ("a", "annual", "on track", "model", "2024-12-31", "a-2024"),
        ("a", "term", "reached", "model", "2020-09-30", "a-old"),
        ("a", "term", "on track", "model", "2025-09-30", "a-new"),
        ("a", "term", "on track", "last", "2025-09-30", "a-new"),
    ])
    assert primary_row(rows, "a")["target_id"] == "a-new"
    assert primary_row(rows.iloc[:1], "a")["target_id"] == "a-2024"
    assert primary_row(rows, "b") is None


def test_primary_row_is_the_units_own_row_not_the_sum_of_its_units():
    # The roll-up row comes last in the outlook, with the same deadline: the
    # key numbers, scenarios and requirement describe the unit's own row.
    rows = _table([
        ("p", "term", "on track", "model", "2025-09-30", "p-term"),
        ("p", "term", "on track", "model", "2025-09-30", "p-term"),
    ]).assign(model=["pooled_nb", "rollup"], p_reach=[0.993, 0.994])
    assert primary_row(rows, "p")["model"] == "pooled_nb"
    # Only the roll-up row: it is the one there is.
    assert primary_row(rows.iloc[1:], "p")["model"] == "rollup"


def test_yearly_table_of_tien_giang(tiny_dataset):
    # tests/fixtures/tiny/observations.csv: 1.252, 1.278, 1.348 admitted in
    # 2020-2022 with 83,5 %, 85,2 %, 89,96 % printed; the fixture has no annual
    # target, and the 2020-2022 total (3.878) is a span, not a year.
    y = yearly_table(tiny_dataset, "tien-giang", 2020, 2025)
    assert y["year"].tolist() == [2020, 2021, 2022]
    assert y["admitted"].tolist() == [1252, 1278, 1348]
    assert y["target"].isna().all()
    assert y["reported_pct"].tolist() == [83.5, 85.2, 89.96]
    as_of = yearly_table(tiny_dataset, "tien-giang", 2020, 2025, pd.Timestamp("2021-12-31"))
    assert as_of["year"].tolist() == [2020, 2021]


def test_part_year_points_of_krong_bong(tiny_dataset):
    # 23 admitted by 30 June and 96 by 12 October 2021, annual target 80.
    year, pts = part_year_points(tiny_dataset, "krong-bong")
    assert year == 2021
    assert pts["admitted"].tolist() == [23, 96]
    assert [d.date().isoformat() for d in pd.to_datetime(pts["period_end"])] == [
        "2021-06-30", "2021-10-12"]
    assert (pts["target"] == 80).all()
    assert part_year_points(tiny_dataset, "tien-giang") is None


def test_unit_sources_follow_the_as_of_date(tiny_dataset):
    assert unit_source_ids(tiny_dataset, "krong-bong") == ["baodaklak-2021-10-12"]
    assert unit_source_ids(tiny_dataset, "tan-phuoc") == []


def test_chance_with_one_decimal_in_both_languages():
    # The brief's tables: fmt_prob with one decimal.
    assert fmt_prob(0.835, "vi", 1) == f"83,5{NBSP}%"
    assert fmt_prob(0.835, "en", 1) == f"83.5{NBSP}%"
    # The ends are bounds: 0 or 1 of the paths is not certainty.
    assert fmt_prob(0.0, "vi", 1) == f"<1{NBSP}%"
    assert fmt_prob(0.9996, "en", 1) == f">99{NBSP}%"
    assert fmt_prob(np.nan, "en", 1) == "–"
    assert missing(None) and missing(pd.NaT) and missing("") and not missing("2025-03-31")


def test_every_text_has_both_languages():
    for key, langs in STRINGS.items():
        assert set(langs) == {"vi", "en"}, key
    for key, langs in ASSUMPTION_TEXT.items():
        assert set(langs) == {"vi", "en"}, key
    assert t("p_reach", "vi") == "Khả năng đạt chỉ tiêu"
    with pytest.raises(ConfigError, match="brief text 'nope'"):
        t("nope", "vi")


def test_assumption_ids_agree_with_the_docs():
    fields = set(Assumptions().as_dict())
    assert set(ASSUMPTION_IDS) == fields
    assert set(ASSUMPTION_TEXT) == fields
    doc = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*(A\d+)\s*\|(.*?)\|", line)
        if m:
            for name in re.findall(r"`([a-z_]+)`", m.group(2)):
                doc[name] = m.group(1)
    assert doc == ASSUMPTION_IDS


def test_pdf_column_widths_fill_the_page_and_keep_dates_whole():
    pdf = _new(type("D", (), {"title": "x", "lang": "vi"})())
    pdf.add_page()
    pdf.set_font(FONT, "", 7.5)
    tab = Table(["Đơn vị", "Thời hạn"], [["Đảng bộ " * 30, "31/12/2017"]])
    widths = column_widths(pdf, tab, 170.0)
    assert sum(widths) == pytest.approx(170.0)
    assert widths[1] >= pdf.get_string_width("31/12/2017")



def test_stable_zip_fixes_entry_times_and_document_dates(tmp_path):
    import zipfile

    from forecast.brief.build import stable_zip

    core = ('<cp:coreProperties><dcterms:created xsi:type="dcterms:W3CDTF">2026-11-22T13:00:00Z'
            '</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">2026-11-22T13:00:05Z'
            "</dcterms:modified></cp:coreProperties>")
    paths = []
    for i, when in enumerate([(2026, 11, 22, 13, 0, 0), (2026, 11, 22, 14, 30, 2)]):
        path = tmp_path / f"doc{i}.docx"
        with zipfile.ZipFile(path, "w") as z:
            z.writestr(zipfile.ZipInfo("docProps/core.xml", when), core.replace("13:00", f"1{i}:00"))
            z.writestr(zipfile.ZipInfo("word/document.xml", when), "<w:document/>")
        stable_zip(path)
        paths.append(path)
    assert paths[0].read_bytes() == paths[1].read_bytes()
    with zipfile.ZipFile(paths[0]) as z:
        assert z.read("docProps/core.xml").decode().count("2000-01-01T00:00:00Z") == 2
        assert z.read("word/document.xml") == b"<w:document/>"
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_cli_refuses_an_unknown_unit_before_running_anything(tmp_path, capsys):
    from conftest import TINY_DIR

    from forecast.cli import main

    out = tmp_path / "brief"
    code = main(["brief", "--data", str(TINY_DIR), "--out", str(out), "--units", "krong"])
    assert code == 2
    assert "'krong' is neither a unit id" in capsys.readouterr().err
    assert not out.exists() and list(tmp_path.iterdir()) == []
