"""The brief end to end on the tiny fixture (few paths, two units).

Each build runs the outlook and writes the charts, so these are marked slow;
one module-scoped Vietnamese brief serves most checks.
"""

import hashlib
import json
import re
import shutil
import subprocess
import unicodedata

import openpyxl
import pandas as pd
import pytest
from docx import Document as open_docx

import forecast.brief.content
import forecast.brief.pdf
import forecast.figures
from forecast.brief.build import build_brief
from forecast.cli import main
from forecast.config import Assumptions
from forecast.outputs import mark

from conftest import TINY_DIR

pytestmark = pytest.mark.slow

UNITS = ["tien-giang", "krong-bong"]
FEW = Assumptions(n_paths=300)
TIEN_GIANG = "Đảng bộ tỉnh Tiền Giang"


@pytest.fixture(scope="module")
def vi_brief(tmp_path_factory, tiny_dataset):
    out = tmp_path_factory.mktemp("vi") / "brief"
    result = build_brief(tiny_dataset, out, lang="vi", units=UNITS, scenarios=("last",),
                         assumptions=FEW)
    return result


def _section(html: str, unit: str) -> str:
    """The HTML of one unit's section."""
    start = html.index(f'<section id="unit-{unit}">')
    return html[start:html.index("</section>", start)]


def _p_reach(out, target_id: str) -> float:
    table = pd.read_csv(out / "tables" / "outlook.csv", encoding="utf-8-sig")
    row = table[(table["target_id"] == target_id) & (table["scenario"] == "model")]
    return float(row["p_reach"].iloc[0])


def _expected(p: float, lang: str) -> str:
    # Written independently of forecast.labels: one decimal, the language's
    # decimal sign, a no-break space before %.
    text = f"{100 * p:.1f}"
    return (text.replace(".", ",") if lang == "vi" else text) + "\u00a0%"


def test_every_file_is_written(vi_brief):
    out = vi_brief.out
    for name in ("index.html", "brief.docx", "brief.pdf", "manifest.json",
                 "tables/outlook.csv", "tables/scenarios.csv", "tables/audit.csv",
                 "tables/brief.xlsx"):
        assert (out / name).is_file(), name
    for stem in ("portfolio", "pace", "tien-giang_progress", "krong-bong_nowcast"):
        for ext in ("png", "svg", "pdf", "alt.txt"):
            assert (out / "figures" / f"{stem}.{ext}").is_file(), (stem, ext)
    sheets = openpyxl.load_workbook(out / "tables" / "brief.xlsx", read_only=True).sheetnames
    assert sheets == ["outlook", "scenarios", "audit", "assumptions", "sources"]
    assert [p.name for p in out.parent.iterdir()] == ["brief"]  # no temporary folder left
    assert vi_brief.units == UNITS and vi_brief.problems == []


def test_html_has_a_section_per_unit_with_its_chance(vi_brief):
    out = vi_brief.out
    html = (out / "index.html").read_text(encoding="utf-8")
    assert html.index('id="portfolio"') < html.index('id="unit-tien-giang"')
    tg = _section(html, "tien-giang")
    p = _p_reach(out, "tien-giang-term-2020-2025")
    assert 0.005 < p < 0.995, "the fixture's Tiền Giang chance should not be at a bound"
    assert _expected(p, "vi") in tg
    assert TIEN_GIANG in tg
    assert "krong-bong" in html and _section(html, "krong-bong")
    # Figures are linked relatively, so the folder can be zipped and moved.
    for src in re.findall(r'<img src="([^"]+)"', html):
        assert not src.startswith(("/", "file:")) and (out / src).is_file()
    assert str(out) not in html


def test_docx_keeps_vietnamese_text_tables_and_pictures(vi_brief):
    doc = open_docx(str(vi_brief.out / "brief.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert TIEN_GIANG in text and "Khả năng đạt chỉ tiêu" in cells
    assert len(doc.tables) >= 4
    assert len(doc.inline_shapes) >= 4
    alts = [s._inline.docPr.get("descr") for s in doc.inline_shapes]
    assert all(a and a.strip() for a in alts)


def test_pdf_embeds_truetype_fonts_and_the_vietnamese_name(vi_brief):
    data = (vi_brief.out / "brief.pdf").read_bytes()
    assert b"/FontFile2" in data and b"DejaVuSans" in data
    assert b"/Type3" not in data
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; fpdf2 has no text extractor, "
                    "so the Vietnamese name in the PDF text is not checked here")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(vi_brief.out / "brief.pdf"), "-"],
                          capture_output=True, check=True).stdout.decode("utf-8")
    assert TIEN_GIANG in unicodedata.normalize("NFC", text)


def test_manifest_records_inputs_parameters_and_versions(vi_brief):
    m = json.loads((vi_brief.out / "manifest.json").read_text(encoding="utf-8"))
    expected = {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(TINY_DIR.glob("*.csv"))}
    assert {k: v for k, v in m["inputs"].items() if k.endswith(".csv")} == expected
    assert m["parameters"]["lang"] == "vi"
    assert m["parameters"]["assumptions"]["n_paths"] == 300
    assert m["selected_units"] == UNITS
    assert m["code_revision"]
    assert "python-docx" in m["packages"] and "fpdf2" in m["packages"]
    assert m["timings_seconds"]["total"] > 0
    assert "index.html" in m["files"] and "figures/portfolio.png" in m["files"]


def test_a_failing_chart_leaves_the_rest_of_the_brief(tmp_path, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("chart broke")

    monkeypatch.setattr(forecast.figures, "yearly_admissions", broken)
    out = tmp_path / "brief"
    code = main(["brief", "--data", str(TINY_DIR), "--out", str(out), "--lang", "en",
                 "--units", *UNITS, "--paths", "300", "--scenario", "none"])
    assert code == 0
    err = capsys.readouterr().err
    assert "warning" in err and "RuntimeError: chart broke" in err
    html = (out / "index.html").read_text(encoding="utf-8")
    tg = _section(html, "tien-giang")
    assert "Could not produce the yearly chart: RuntimeError: chart broke" in tg
    assert "figures/tien-giang_progress.png" in tg
    assert "Tiền Giang provincial party committee" in tg
    assert _expected(_p_reach(out, "tien-giang-term-2020-2025"), "en") in tg
    assert _section(html, "krong-bong")
    assert 'id="problems"' in html


def test_a_failed_run_keeps_the_earlier_brief(tmp_path, tiny_dataset, monkeypatch):
    out = tmp_path / "brief"
    out.mkdir()
    mark(out, "brief")  # what an earlier brief leaves
    (out / "index.html").write_text("earlier brief", encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("writer broke")

    monkeypatch.setattr(forecast.brief.pdf, "write_pdf", broken)
    with pytest.raises(RuntimeError, match="writer broke"):
        build_brief(tiny_dataset, out, units=["cu-pui"], scenarios=(), assumptions=FEW,
                    formats=("png",))
    assert (out / "index.html").read_text(encoding="utf-8") == "earlier brief"
    assert [p.name for p in tmp_path.iterdir()] == ["brief"]


def test_nothing_produced_exits_2_and_keeps_the_earlier_brief(tmp_path, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("all broken")

    for name in ("portfolio", "pace_dumbbell", "progress_to_target", "yearly_admissions",
                 "part_year_nowcast", "pipeline"):
        monkeypatch.setattr(forecast.figures, name, broken)
    monkeypatch.setattr(forecast.brief.content.Assembler, "_key_numbers", broken)
    out = tmp_path / "brief"
    out.mkdir()
    mark(out, "brief")  # what an earlier brief leaves
    (out / "index.html").write_text("earlier brief", encoding="utf-8")
    code = main(["brief", "--data", str(TINY_DIR), "--out", str(out), "--units", "krong-bong",
                 "--paths", "300", "--scenario", "none"])
    assert code == 2
    assert "nothing could be produced" in capsys.readouterr().err
    assert (out / "index.html").read_text(encoding="utf-8") == "earlier brief"


def test_size_and_format_choose_the_outputs(tmp_path, capsys):
    """--size slide draws every chart at 254 mm = 10 in wide, 3,000 px at 300 dpi;
    --format docx,png,csv writes only those (no HTML, PDF, SVG, workbook)."""
    from PIL import Image

    out = tmp_path / "brief"
    assert main(["brief", "--data", str(TINY_DIR), "--out", str(out), "--units", "krong-bong",
                 "--paths", "300", "--scenario", "none", "--size", "slide",
                 "--format", "docx,png,csv"]) == 0
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert "brief.docx" in names and "tables/outlook.csv" in names
    assert not {"index.html", "brief.pdf", "tables/brief.xlsx"} & names
    assert not [n for n in names if n.endswith((".svg", ".pdf"))]
    pngs = sorted(out.glob("figures/*.png"))
    assert pngs and all(Image.open(p).size[0] == 3000 for p in pngs)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["figure_size"] == "slide"
    assert manifest["parameters"]["outputs"] == ["docx", "png", "csv"]
    assert str(out) in capsys.readouterr().out
    assert main(["brief", "--data", str(TINY_DIR), "--out", str(out), "--format", "docx,gif"]) == 2
    assert "--format: found gif; expected one or more of html, docx, pdf" in capsys.readouterr().err
