"""The audit's findings in Vietnamese and English (forecast.brief.findings).

The findings come from the real audit run on small hand-made datasets; the
expected sentences are worked out by hand beside each assertion.
"""

from __future__ import annotations

import re

import pytest

from forecast.audit.findings import KINDS
from forecast.audit.run import audit
from forecast.brief.findings import STRINGS, findings_lines
from forecast.data.dataset import Dataset
from forecast.labels import NBSP

SOURCE = [{"source_id": "s", "title": "Báo Ấp Bắc"}]


def _tien_giang() -> Dataset:
    # Tiền Giang's three years at 1,500 a year (83.5 %, 85.2 %) and 2022's
    # 1,348 printed as 89,96 % (1,348 / 1,500 = 89.87 %).
    obs = []
    for year, count, pct in ((2020, "1252", "83,5%"), (2021, "1278", "85,2%"),
                             (2022, "1348", "89,96%")):
        span = {"unit_id": "tg", "period_start": f"{year}-01-01",
                "period_end": f"{year}-12-31", "source_id": "s"}
        obs.append({**span, "obs_id": f"tg-{year}", "measure": "admitted", "value": count})
        obs.append({**span, "obs_id": f"tg-{year}-pct", "measure": "attainment_pct",
                    "value": pct})
    return Dataset.from_frames(units=[{"unit_id": "tg", "name_vi": "Tiền Giang",
                                       "level": "province"}],
                               sources=SOURCE, observations=obs)


@pytest.fixture(scope="module")
def tien_giang():
    ds = _tien_giang()
    return ds, audit(ds)


def test_no_whole_target_in_vietnamese_numbers(tien_giang):
    ds, findings = tien_giang
    rows = findings[findings["kind"] == "no_whole_target"]
    assert len(rows) == 1
    line = findings_lines(rows, "vi", ds)[0]
    # 1,348 / 0.8996 = 1,498.4; 1,348 / 1,498 = 89.99 %, 1,348 / 1,499 = 89.93 %.
    assert line == (
        "Không chỉ tiêu nguyên nào khớp (năm 2022): Không có chỉ tiêu là số nguyên nào cho tỷ "
        f"lệ 89,96{NBSP}% với 1.348 người được kết nạp: 1.498 cho 89,99{NBSP}%, 1.499 cho "
        f"89,93{NBSP}%; chỉ tiêu suy ra là 1.498,4. Số người hoặc tỷ lệ đã in sai, hoặc tỷ lệ "
        "tính trên một số khác.")
    english = findings_lines(rows, "en", ds)[0]
    assert f"1,498 gives 89.99{NBSP}%" in english and "89,96" not in english


def test_near_common_target_has_one_number_format(tien_giang):
    ds, findings = tien_giang
    rows = findings[findings["kind"] == "near_common_target"]
    vi, en = findings_lines(rows, "vi", ds)[0], findings_lines(rows, "en", ds)[0]
    # 1,348 / 1,500 = 89.87 %; the printed 89.96 % implies 1,498.4.
    assert f"1.348/1.500 = 89,87{NBSP}%, in là 89,96{NBSP}%" in vi
    assert f"1,348 / 1,500 = 89.87{NBSP}%, printed 89.96{NBSP}%" in en
    # No English decimal point in the Vietnamese text, no comma decimal in the English.
    assert not re.search(r"\d\.\d\d?\b(?!\d)", vi.replace("1.348", "").replace("1.500", ""))
    assert not re.search(r"\d,\d\d?\u00a0%", en)


def test_target_layers_are_named_in_words():
    targets = [{"target_id": f"d-2017-{layer}", "unit_id": "d", "term": "2015-2020",
                "kind": "annual", "year": "2017", "layer": layer, "measure": "count",
                "value": "200", "source_id": "s"} for layer in ("plan", "own_goal")]
    ds = Dataset.from_frames(units=[{"unit_id": "d", "name_vi": "Huyện D",
                                     "level": "district"}],
                             sources=SOURCE, targets=targets)
    rows = audit(ds)
    rows = rows[rows["kind"] == "target_layers"]
    assert findings_lines(rows, "vi", ds) == [
        "Nhiều chỉ tiêu cho một giai đoạn (năm 2017): 2 chỉ tiêu cho năm 2017: kế hoạch 200; "
        "đơn vị tự đặt 200."]


def test_every_kind_has_a_name_in_both_languages():
    for kind in KINDS:
        assert set(STRINGS[f"kind:{kind}"]) == {"vi", "en"}
    assert all(set(v) == {"vi", "en"} for v in STRINGS.values())


@pytest.mark.slow
def test_every_finding_of_the_shipped_data_is_said_in_vietnamese():
    from forecast.data.dataset import load

    ds = load()
    lines = findings_lines(audit(ds), "vi", ds)
    assert lines and not [x for x in lines if "(tiếng Anh)" in x]
    # The audit's English words do not leak into the Vietnamese lines.
    for word in ("target", "admitted", "implies", "printed", "whole number"):
        assert not [x for x in lines if word in x], word
