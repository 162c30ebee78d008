"""Table files: outlook --out (XLSX, CSV) and the comparison export (XLSX, DOCX, LaTeX)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from forecast.brief.compare import by_as_of, by_scenario, scenario_label
from forecast.brief.tables import latex_escape
from forecast.cli import main
from forecast.errors import ConfigError
from forecast.outlook.table import OUTLOOK_COLUMNS

TINY = str(Path(__file__).resolve().parents[1] / "fixtures" / "tiny")


def _outlook(rows) -> pd.DataFrame:
    """An outlook table with only the contract's columns (nothing from the models)."""
    base = dict.fromkeys(OUTLOOK_COLUMNS)
    return pd.DataFrame([{**base, "model": "pooled_nb", "term": "2020-2025",
                          "target_kind": "term", "deadline": pd.Timestamp("2025-09-30"), **r}
                         for r in rows], columns=OUTLOOK_COLUMNS)


TABLE = _outlook([
    dict(unit_id="a", name="Đảng bộ A", target_id="a-t", target=6500.0, scenario="model",
         p_reach=0.25),
    dict(unit_id="a", name="Đảng bộ A", target_id="a-t", target=6500.0, scenario="full",
         p_reach=0.75),
    dict(unit_id="a", name="Đảng bộ A", target_id="a-t", target=6500.0,
         scenario="count:1200", p_reach=float("nan")),
    dict(unit_id="b_1", name="B & C", target_id="b-t", target=80.0, scenario="model",
         p_reach=0.5, target_kind="annual", deadline=pd.Timestamp("2021-12-31")),
    dict(unit_id="b_1", name="B & C", target_id="b-t", target=80.0, scenario="full",
         p_reach=1.0, target_kind="annual", deadline=pd.Timestamp("2021-12-31")),
])


def test_latex_escape_by_hand():
    assert latex_escape("50\u00a0% & x_y #1 {a} $") == r"50~\% \& x\_y \#1 \{a\} \$"
    assert latex_escape(">99 %") == r"\textgreater{}99 \%"


def test_scenario_labels_follow_the_language():
    assert scenario_label("count:1200,1300", "vi") == "1.200, 1.300/năm"
    assert scenario_label("count:1200", "en") == "1,200/yr"
    assert scenario_label("given:0.9,1", "vi") == "Tỷ lệ đạt 90\u00a0%, 100\u00a0%"
    assert scenario_label("plan-2024", "en") == "plan-2024"


def test_units_by_scenarios_reads_the_outlook_columns(tmp_path):
    cmp = by_scenario(TABLE, ["full", "count:1200"], model="pooled_nb", lang="vi")
    t = cmp.table()
    assert t.columns == ["Đơn vị", "Chỉ tiêu", "Mô hình", "Đạt 100\u00a0%", "1.200/năm"]
    # p 0.25 → 25 %, 0.75 → 75 %, NaN → "–"; 1.0 → ">99 %" (a Monte Carlo bound).
    assert t.rows == [
        ["Đảng bộ A", "Chỉ tiêu nhiệm kỳ 2020–2025: 6.500", "25\u00a0%", "75\u00a0%", "–"],
        ["B & C", "Chỉ tiêu năm 2021: 80", "50\u00a0%", ">99\u00a0%", "–"]]
    tex = cmp.write(tmp_path / "c.tex").read_text(encoding="utf-8")
    lines = tex.splitlines()
    i, j, k = lines.index(r"\toprule"), lines.index(r"\midrule"), lines.index(r"\bottomrule")
    assert i < j < k and r"\begin{tabular}{llrrr}" in lines
    assert lines[j + 1] == (r"Đảng bộ A & Chỉ tiêu nhiệm kỳ 2020–2025: 6.500 & 25~\% & "
                            r"75~\% & – \\")
    assert lines[j + 2].startswith(r"B \& C & ")
    en = by_scenario(TABLE, ["full"], model="pooled_nb", lang="en").table()
    assert en.rows[0][:3] == ["Đảng bộ A", "Term target 2020–2025: 6,500", "25\u00a0%"]


def test_comparison_workbook_keeps_numbers_with_formats(tmp_path):
    cmp = by_scenario(TABLE, ["full"], model="pooled_nb", lang="en")
    ws = openpyxl.load_workbook(cmp.write(tmp_path / "c.xlsx")).active
    assert ws["A1"].value == "Chance of reaching the target by scenario" and ws["A1"].font.b
    assert [c.value for c in ws[2]] == ["Unit", "Target", "Target (n)", "Model",
                                        "100\u00a0% of target"]
    assert ws["D3"].value == 0.25 and ws["D3"].number_format == "0.0%"
    assert ws["C3"].value == 6500 and ws["C3"].number_format == "#,##0"
    assert ws.freeze_panes == "A3" and ws["A2"].font.b


def test_comparison_word_table(tmp_path):
    import docx

    cmp = by_scenario(TABLE, ["full"], model="pooled_nb", lang="vi", note="Ghi chú")
    d = docx.Document(str(cmp.write(tmp_path / "c.docx")))
    cells = [[c.text for c in row.cells] for row in d.tables[0].rows]
    assert cells[0] == ["Đơn vị", "Chỉ tiêu", "Mô hình", "Đạt 100\u00a0%"]
    assert cells[1][2:] == ["25\u00a0%", "75\u00a0%"]
    assert d.paragraphs[0].text == "Khả năng đạt chỉ tiêu theo kịch bản"


def test_units_by_as_of_dates():
    old = TABLE.assign(p_reach=TABLE["p_reach"] / 5)  # 0.25 → 0.05, 0.5 → 0.1
    late = TABLE[TABLE["unit_id"] == "a"]              # b has no row at the later date
    cmp = by_as_of({"2022-12-31": late, "2021-12-31": old}, model="pooled_nb", lang="vi")
    t = cmp.table()
    assert t.columns[2:] == ["Đến 31/12/2021", "Đến 31/12/2022"]
    assert t.rows == [["Đảng bộ A", "Chỉ tiêu nhiệm kỳ 2020–2025: 6.500", "5\u00a0%", "25\u00a0%"]]


def test_unknown_value_and_suffix():
    with pytest.raises(ConfigError, match="--value: found 'p'"):
        by_scenario(TABLE, [], model="pooled_nb", value="p")
    with pytest.raises(ConfigError, match=r"expected a file name ending \.xlsx, \.docx"):
        by_scenario(TABLE, [], model="pooled_nb").write("c.pdf")


# --- the command line ------------------------------------------------------------------
def test_outlook_out_xlsx_and_csv(tmp_path, capsys):
    base = ["outlook", "--data", TINY, "--as-of", "2022-12-31", "--paths", "200", "--seed", "1",
            "--units", "tien-giang", "--no-requirements"]
    assert main([*base, "--json", "--out", str(tmp_path / "o.xlsx")]) == 0
    records = json.loads(capsys.readouterr().out)
    ws = openpyxl.load_workbook(tmp_path / "o.xlsx").active
    assert [c.value for c in ws[1]] == OUTLOOK_COLUMNS and ws["A1"].font.b
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    col = OUTLOOK_COLUMNS.index("p_reach") + 1
    assert ws.cell(2, col).value == pytest.approx(records[0]["p_reach"])
    assert ws.cell(2, col).number_format == "0.0%"
    deadline = ws.cell(2, OUTLOOK_COLUMNS.index("deadline") + 1)
    assert deadline.is_date and deadline.number_format == "yyyy-mm-dd"
    assert main([*base, "--out", str(tmp_path / "o.csv")]) == 0
    raw = (tmp_path / "o.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    back = pd.read_csv(tmp_path / "o.csv", encoding="utf-8-sig")
    assert list(back.columns) == OUTLOOK_COLUMNS
    assert back["name"].iloc[0] == "Đảng bộ tỉnh Tiền Giang"


def test_outlook_out_refuses_other_formats_before_running(tmp_path, capsys):
    assert main(["outlook", "--data", TINY, "--out", str(tmp_path / "o.pdf")]) == 2
    err = capsys.readouterr().err
    assert "--out: found" in err and "expected a file name ending .xlsx, .csv" in err
    assert not (tmp_path / "o.pdf").exists()


def test_compare_command_writes_every_format(tmp_path, capsys):
    outs = [str(tmp_path / f"c.{ext}") for ext in ("xlsx", "docx", "tex", "csv")]
    assert main(["compare", "--data", TINY, "--scenario", "full", "1200/năm", "--as-of",
                 "31/12/2022", "--paths", "200", "--units", "tien-giang", "--lang", "en",
                 "--out", *outs]) == 0
    out = capsys.readouterr().out
    assert "Chance of reaching the target by scenario" in out and "1,200/yr" in out
    assert all(Path(p).is_file() for p in outs)
    # Cư Pui's only target (2021) is closed by then and none can be assumed two years on.
    assert main(["compare", "--data", TINY, "--as-of", "2022-12-31", "--paths", "200",
                 "--units", "cu-pui"]) == 2
    assert "nothing to compare" in capsys.readouterr().err


def test_outlook_shows_count_and_file_scenarios_in_its_rows(tmp_path, capsys):
    plan = tmp_path / "plan.csv"
    plan.write_text("unit_id,scenario,year,count\ntien-giang,plan,2023,1400\n", encoding="utf-8")
    base = ["outlook", "--data", TINY, "--paths", "200", "--units", "tien-giang", "krong-bong",
            "--no-requirements", "--json"]
    assert main([*base, "--scenario", "1200/năm", "--scenario", str(plan)]) == 0
    rows = json.loads(capsys.readouterr().out)
    tg = {r["scenario"] for r in rows if r["unit_id"] == "tien-giang"}
    assert {"model", "count:1200", "count:1200-deterministic", "plan",
            "plan-deterministic"} <= tg
    kb_plan = [r for r in rows if r["unit_id"] == "krong-bong" and r["scenario"] == "plan"]
    # Krông Bông's 2021 target is already reached (96 of 80): p 1 under any scenario,
    # with the note that the file has no row for it.
    assert kb_plan and all(r["p_reach"] in (None, 1.0) and "has no row for this unit"
                           in r["diagnostics"] for r in kb_plan)
    plan.write_text("unit_id,scenario,year,count\ntien-giag,plan,2023,1400\n", encoding="utf-8")
    assert main([*base, "--scenario", str(plan)]) == 2
    err = capsys.readouterr().err
    assert "unknown unit 'tien-giag'" in err and "nearest: tien-giang" in err
