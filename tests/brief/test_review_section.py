"""The brief's term review section, in both languages."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.brief.review import review_section
from forecast.data.dataset import Dataset
from forecast.outlook.review import REVIEW_COLUMNS

DS = Dataset.from_frames(
    units=[{"unit_id": "a", "name_vi": "Xã A", "name_en": "A commune", "level": "commune"}],
    sources=[{"source_id": "s", "title": "t"}],
    observations=[{"obs_id": "o", "unit_id": "a", "measure": "admitted", "value": "12",
                   "period_start": "2020-01-01", "period_end": "2025-09-30", "source_id": "s"}])


def _review():
    row = dict.fromkeys(REVIEW_COLUMNS, np.nan)
    row.update(unit_id="a", term="2020-2025", target=10.0, result=12.0, attainment=1.2,
               as_of=pd.Timestamp("2022-12-31"), p_reach=0.3, final_q10=6.0, final_q50=9.0,
               final_q90=13.0, verdict="surprise_up")
    return pd.DataFrame([row], columns=REVIEW_COLUMNS)


def test_review_section_in_both_languages():
    vi = review_section(DS, _review(), "2020-2025", "vi")
    en = review_section(DS, _review(), "2020-2025", "en")
    assert vi.title == "Tổng kết nhiệm kỳ 2020–2025"
    assert en.title == "Review of the 2020–2025 term"
    table_vi = [b.data for b in vi.blocks if b.kind == "table"][0]
    table_en = [b.data for b in en.blocks if b.kind == "table"][0]
    # 12 of 10 = 120 %; a target reached with p 0.3 is better than forecast
    assert table_vi.rows[0][0] == "Xã A" and table_en.rows[0][0] == "A commune"
    assert table_vi.rows[0][-1] == "vượt dự báo"
    assert table_en.rows[0][-1] == "better than forecast"
    assert "120" in table_en.rows[0][3]


def test_review_section_without_results():
    empty = pd.DataFrame(columns=REVIEW_COLUMNS)
    sec = review_section(DS, empty, "2025-2030", "en")
    assert [b.data for b in sec.blocks] == ["No unit reports a result for the whole 2025–2030 "
                                            "term yet."]
