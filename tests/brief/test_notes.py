"""The engine's notes in the brief's language (forecast.brief.notes).

The inputs are diagnostics texts as the engine writes them today; the
expected sentences are written by hand from the brief's strings.
"""

from __future__ import annotations

import pytest

from forecast.brief.notes import known, model_notes, phrases
from forecast.labels import NBSP

BAC_LIEU = (
    "no admission counts: forecast from the population prior of 54 unit(s) (median "
    "attainment 147%); exposure: term_target; roll-up not shown: children's targets add up "
    "to 44% of the parent's: units are missing from the data, the sum is a lower bound; "
    "requirement: found (p=0.80); unit 'bac-lieu': scenario 'last' needs reported admissions "
    "to compute an attainment; none up to the as-of date. Fix: use 'full' or a list.")


def test_a_scenario_error_holding_a_semicolon_is_one_phrase():
    got = phrases(BAC_LIEU)
    assert len(got) == 5
    assert got[-1].startswith("unit 'bac-lieu': scenario 'last'") and got[-1].endswith("list.")
    assert all(known(p) for p in got)


def test_bac_lieu_notes_in_vietnamese_have_no_english():
    notes = model_notes(BAC_LIEU, "vi")
    assert notes == [
        "Chưa có số kết nạp của đơn vị: dự báo theo mức chung của 54 đơn vị có số liệu "
        f"(tỷ lệ đạt trung vị 147{NBSP}%).",
        "Đơn vị không có chỉ tiêu năm: mỗi năm được so với chỉ tiêu nhiệm kỳ chia theo các năm.",
        "Không cộng từ các đơn vị trực thuộc: chỉ tiêu của các đơn vị trực thuộc có trong dữ "
        f"liệu chỉ bằng 44{NBSP}% chỉ tiêu của đơn vị, còn thiếu đơn vị nên tổng chỉ là cận "
        "dưới.",
        "Kịch bản: giữ tỷ lệ đạt năm gần nhất: cần số kết nạp đã báo cáo để tính tỷ lệ đạt, "
        "đơn vị chưa có nên kịch bản này không có số.",
    ]
    english = model_notes(BAC_LIEU, "en")
    assert english[0].startswith("No admission counts of the unit: forecast from the general "
                                 "rate of 54 units")
    assert len(english) == 4  # the search status ("requirement: found") is left out


def test_numbers_and_dates_follow_the_language():
    diag = ("exposure: implied annual target 1,500 from 4 attainment reports; parent reported "
            "1,348 by 2022-12-31, children's sum 1,200 (80 % range 1,100-1,300), "
            "difference +148")
    assert model_notes(diag, "vi") == [
        "Chỉ tiêu năm 1.500 suy ra từ 4 báo cáo tỷ lệ đạt (số liệu không in chỉ tiêu năm).",
        "Đơn vị báo cáo 1.348 đến 31/12/2022; tổng của các đơn vị trực thuộc 1.200 (khoảng "
        f"80{NBSP}%: 1.100–1.300), chênh lệch +148.",
    ]
    assert "1,348 by 31 Dec 2022" in model_notes(diag, "en")[1]
    assert "\u2212148" in model_notes(diag.replace("+148", "-148"), "vi")[1]


def test_an_unknown_phrase_is_counted_in_vietnamese_and_kept_in_english():
    diag = "exposure: annual_target; tau at its floor (0.01)"
    assert model_notes(diag, "vi") == [
        "Tỷ lệ đạt tính theo chỉ tiêu năm của đơn vị.",
        "Còn 1 ghi chú kỹ thuật của mô hình (tiếng Anh) ở cột diagnostics của "
        "tables/outlook.csv.",
    ]
    assert model_notes(diag, "en")[-1] == "tau at its floor (0.01)"


@pytest.mark.slow
def test_every_note_of_the_shipped_outlook_is_known():
    # When the engine writes a new kind of note, this lists it: add a pattern
    # and both languages to forecast.brief.notes and forecast.brief.text.
    from forecast.config import Assumptions
    from forecast.data.dataset import load
    from forecast.outlook.table import outlook

    table = outlook(load(), scenarios=("last", "mean", "trend", "full"),
                    assumptions=Assumptions(n_paths=200)).table
    unknown = sorted({p for d in table["diagnostics"] for p in phrases(d) if not known(p)})
    assert unknown == []
