"""What a reader could misread in a brief, on a hand-made province (issue 10):

* P, a district whose two communes A and B have term targets adding up to
  P's: the outlook has P's own row and a roll-up row ("rollup" model);
* N, a commune with a range target "30-35" and no report yet;
* D, a district with two annual targets for 2022 (plan and own goal) and a
  count reported to 31/7/2022.

Built in Vietnamese and English once per module (few paths, PNG only).
"""

from __future__ import annotations

import re
import zipfile
from html import unescape

import pytest

from forecast.brief.build import build_brief
from forecast.config import Assumptions
from forecast.data.dataset import Dataset

pytestmark = pytest.mark.slow

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _province() -> Dataset:
    units = [{"unit_id": "q", "name_vi": "Tỉnh Q", "name_en": "Q province", "level": "province"},
             {"unit_id": "p", "name_vi": "Huyện P", "name_en": "P district", "level": "district",
              "parent_id": "q"},
             {"unit_id": "a", "name_vi": "Xã A", "name_en": "A commune", "level": "commune",
              "parent_id": "p"},
             {"unit_id": "b", "name_vi": "Xã B", "name_en": "B commune", "level": "commune",
              "parent_id": "p"},
             {"unit_id": "n", "name_vi": "Xã N", "name_en": "N commune", "level": "commune",
              "parent_id": "q"},
             {"unit_id": "d", "name_vi": "Huyện D", "name_en": "D district", "level": "district",
              "parent_id": "q"}]
    term = {"term": "2020-2025", "kind": "term", "measure": "count", "source_id": "s"}
    targets = [{**term, "target_id": "p-term", "unit_id": "p", "layer": "resolution",
                "value": "1000"},
               {**term, "target_id": "a-term", "unit_id": "a", "layer": "assigned",
                "value": "600"},
               {**term, "target_id": "b-term", "unit_id": "b", "layer": "assigned",
                "value": "400"},
               {**term, "target_id": "n-term", "unit_id": "n", "layer": "resolution",
                "value": "30-35"}]
    targets += [{"target_id": f"d-2022-{layer}", "unit_id": "d", "term": "2020-2025",
                 "kind": "annual", "year": "2022", "layer": layer, "measure": "count",
                 "value": "200", "source_id": "s"} for layer in ("plan", "own_goal")]
    obs = []
    for unit, counts in (("p", (200, 190, 185)), ("a", (120, 115, 110)), ("b", (80, 75, 75))):
        for year, count in zip((2020, 2021, 2022), counts):
            obs.append({"obs_id": f"{unit}-{year}", "unit_id": unit, "measure": "admitted",
                        "value": str(count), "period_start": f"{year}-01-01",
                        "period_end": f"{year}-12-31", "source_id": "s"})
    obs.append({"obs_id": "d-2022-07", "unit_id": "d", "measure": "admitted", "value": "120",
                "period_start": "2022-01-01", "period_end": "2022-07-31", "source_id": "s"})
    return Dataset.from_frames(units=units, targets=targets, observations=obs,
                               sources=[{"source_id": "s", "title": "Báo Q"}])


@pytest.fixture(scope="module", params=["vi", "en"])
def brief(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(request.param) / "brief"
    result = build_brief(_province(), out, lang=request.param, units=["p", "n", "d"],
                         scenarios=("last", "full"), assumptions=Assumptions(n_paths=300),
                         formats=("png",))
    html = unescape((out / "index.html").read_text(encoding="utf-8"))
    return request.param, result, html


def _section(html: str, unit: str) -> str:
    start = html.index(f'<section id="unit-{unit}">')
    return html[start:html.index("</section>", start)]


def _keys(section: str) -> dict[str, str]:
    return dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", section))


def test_a_unit_without_reports_says_so_beside_its_chance(brief):
    lang, _, html = brief
    keys = _keys(_section(html, "n"))
    if lang == "vi":
        assert keys["Đã kết nạp"] == "chưa có số liệu; khả năng theo mức chung"
        assert "tính theo mức chung của các đơn vị có số liệu" in _section(html, "n")
    else:
        assert keys["Admitted"] == "no report yet; chance from the general rate"
    assert not any(k.startswith(("Đã kết nạp (đến", "Admitted (to")) for k in keys)


def test_a_range_target_is_shown_as_printed(brief):
    lang, _, html = brief
    keys = _keys(_section(html, "n"))
    label = next(k for k in keys if "2020–2025" in k)
    # The source printed 30-35; the forecast aims at its middle, 32.5.
    middle = "32,5" if lang == "vi" else "32.5"
    assert keys[label].startswith("30–35 (")
    assert middle in keys[label]
    assert keys["Còn phải kết nạp" if lang == "vi" else "Still to admit"] == middle


def test_two_layers_of_one_year_are_named(brief):
    lang, _, html = brief
    table = _section(html, "d")
    names = ("(kế hoạch)", "(đơn vị tự đặt)") if lang == "vi" else \
        ("(plan)", "(the unit's own goal)")
    for name in names:
        assert name in table


def test_a_count_is_shown_with_its_date(brief):
    lang, _, html = brief
    start = html.index('<section id="portfolio">')
    portfolio = html[start:html.index("</section>", start)]
    dated = "120 (đến 31/7/2022)" if lang == "vi" else "120 (to 31 July 2022)"
    assert dated in portfolio
    assert dated.split(" ", 1)[1].strip("()") in _keys(_section(html, "d")).__repr__()


def test_a_district_with_communes_keeps_its_scenarios_and_requirement(brief):
    lang, _, html = brief
    sec = _section(html, "p")
    # Its own row: a scenario table with the model and two scenarios, and the
    # "what it would take" line computed.
    table = sec[sec.index("<table>"):]
    assert table.count("<tr>") >= 4  # header + model + last + full
    take = next(v for k, v in _keys(sec).items() if k.startswith(("Để có", "For a chance")))
    assert take not in ("chưa tính được", "not computed")
    # The sum of its communes is named as such, beside its own chance.
    rollup = "cộng từ các đơn vị trực thuộc" if lang == "vi" else "sum of its units"
    assert rollup in _keys(sec).__repr__()
    assert html.count(rollup) >= 2  # the key numbers and the targets table


def test_vietnamese_has_no_raw_keys_or_english_notes(brief):
    lang, _, html = brief
    # The last section lists the assumptions with their names in configuration
    # files; before it, every assumption and note is in words.
    html = html[:html.index('<section id="assumptions">')]
    for raw in ("pace_on_track", "term_start", "exposure:", "roll-up", "requirement:",
                "Số liệu đến số liệu"):
        assert raw not in html, raw
    if lang == "vi":
        for english in ("(tiếng Anh)", "forecast from", "children"):
            assert english not in html, english
        assert "A3 “đúng tiến độ” khi nhịp đã đạt bằng 0,95 lần nhịp cần trở lên" in html


def test_word_file_language_widths_and_repeated_headers(brief):
    lang, result, _ = brief
    from docx import Document as open_docx

    path = result.out / "brief.docx"
    with zipfile.ZipFile(path) as z:
        styles = z.read("word/styles.xml").decode("utf-8")
    tag = {"vi": "vi-VN", "en": "en-US"}[lang]
    langs = set(re.findall(r'<w:lang w:val="([^"]+)"', styles))
    assert langs == {tag}
    doc = open_docx(str(path))
    assert doc.core_properties.language == tag
    data_tables = [t for t in doc.tables if t.style is not None and t.style.name == "Table Grid"
                   and len(t.columns) > 2]
    assert data_tables
    for table in data_tables:
        first = table.rows[0]._tr
        assert first.trPr is not None and first.trPr.find(f"{W}tblHeader") is not None
        grid = [int(c.get(f"{W}w")) for c in table._tbl.tblGrid.findall(f"{W}gridCol")]
        assert len(set(grid)) > 1, "columns of equal width"
        # 17 cm of text width in twentieths of a point: 17 / 2.54 * 1440 = 9638.
        assert sum(grid) == pytest.approx(9638, abs=len(grid) * 2)
    # The portfolio's table: the date column stays narrower than the unit names.
    portfolio = data_tables[0]
    grid = [int(c.get(f"{W}w")) for c in portfolio._tbl.tblGrid.findall(f"{W}gridCol")]
    assert grid[2] < grid[1]


def test_meta_line_reads_naturally(brief):
    lang, _, html = brief
    meta = re.search(r'<p class="meta">(.*?)</p>', html).group(1)
    expected = ("Số liệu đến lần báo cáo mới nhất của từng đơn vị; mô hình nhị thức âm phân tầng"
                if lang == "vi" else "Data to each unit's latest report; model hierarchical negative")
    assert meta.startswith(expected)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_model_that_answers_no_target_is_explained_in_the_portfolio(lang, tmp_path):
    # ets needs four whole years of a unit's own counts; P, A and B have three,
    # so none of its rows has a chance and the portfolio says why in words.
    build_brief(_province(), tmp_path / "b", lang=lang, units=["p"], model="ets",
                scenarios=(), assumptions=Assumptions(n_paths=200), formats=("png",),
                outputs=("html", "png"))
    html = unescape((tmp_path / "b" / "index.html").read_text(encoding="utf-8"))
    start = html.index('id="portfolio"')
    portfolio = html[start:html.index("</section>", start)]
    if lang == "vi":
        assert re.search(r"Mô hình ets không dự báo được \d+ trên \d+ chỉ tiêu: .*cần", portfolio)
        assert "không dự báo được chỉ tiêu nhiệm kỳ của đơn vị nào" in html
    else:
        assert re.search(r"Model ets could not forecast \d+ of its \d+ targets: "
                         r".*needs at least 4 whole years", portfolio)
        assert "could not forecast the term target of any of the" in html
