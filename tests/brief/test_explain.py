"""Why the headline chance is what it is, when it seems to disagree with the
pace label or the scenarios (forecast.brief.explain), on hand-made rows.

The row is Tiền Giang as of 31/12/2022 as the brief showed it: 3,878 admitted
of 6,500, pace 1.35 times the need ("on track"), every scenario at 95-99 %,
and a headline of 69.6 %.
"""

from __future__ import annotations

import pandas as pd

from forecast.brief.explain import disagreement, prior_note, scenario_chances, why_headline
from forecast.labels import NBSP
from forecast.models.profile import DEFAULT_PROFILE

TG = dict(unit_id="tien-giang", target_id="tg-term", model="pooled_nb", scenario="model",
          target_kind="term", target=6500.0, cumulative=3878.0, remaining=2622.0,
          years_left=2.75, observed_per_year=1292.0, required_per_year=953.5, pace_ratio=1.354,
          label="on track", p_reach=0.696, final_q10=6040.0, final_q50=6895.0,
          final_q90=7949.0, deadline=pd.Timestamp("2025-09-30"))


def _rows(row: dict, chances: dict[str, float]) -> tuple[pd.Series, pd.DataFrame]:
    scen = [dict(row, scenario=name, p_reach=p) for name, p in chances.items()]
    scen += [dict(row, scenario=f"{name}-deterministic", p_reach=1.0) for name in chances]
    table = pd.DataFrame([row, *scen])
    return table.iloc[0], table


SCENARIOS = {"last": 0.973, "mean": 0.950, "trend": 0.985, "full": 0.990}


def test_tien_giang_says_why_in_vietnamese():
    row, table = _rows(TG, SCENARIOS)
    text = why_headline(row, table, "vi", profile=DEFAULT_PROFILE)
    assert text.startswith(f"Khả năng đạt là 69,6{NBSP}% dù tiến độ được xếp “đúng tiến độ” "
                           f"(1,35 lần nhịp cần) và các kịch bản cho 95,0{NBSP}%–99,0{NBSP}%")
    # The model's pace for the rest: (6,895 - 3,878) / 2.75 = 1,097.1 a year,
    # fewer than the 1,292 a year observed.
    assert "khoảng 1.097 người/năm trong 2,8 năm còn lại, ít hơn 1.292 người/năm đã đạt" in text
    # The deadline: by 30 September units have 66.8 % of a year's admissions
    # on the default profile (its ninth month-end share, 0.668) -> "67 %".
    assert f"hạn chỉ tiêu là 30/9/2025, trước khi năm 2025 kết thúc" in text
    assert f"khoảng 67{NBSP}% số kết nạp của cả năm" in text
    # The target inside the 80 % range of the final total.
    assert "khoảng 6.040–7.949, chỉ tiêu 6.500 nằm trong khoảng đó" in text
    assert text.endswith(".") and "1.097" in text and "1,097" not in text


def test_tien_giang_says_why_in_english():
    row, table = _rows(TG, SCENARIOS)
    text = why_headline(row, table, "en", profile=DEFAULT_PROFILE)
    assert text.startswith(f"The chance is 69.6{NBSP}% although the pace is “on track” "
                           "(1.35 times the pace needed) and the scenarios give "
                           f"95.0{NBSP}%–99.0{NBSP}%, because")
    assert "about 1,097 admissions a year over the 2.8 years left, fewer than the 1,292" in text
    assert "the deadline is 30 Sept 2025, before 2025 ends" in text
    assert "between 6,040 and 7,949" in text


def test_the_engines_columns_are_used_when_present():
    # The rewritten engine adds the model's expected attainment, the recent
    # one and how much the unit's own record weighs.
    row, table = _rows(dict(TG, expected_attainment=0.73, recent_attainment=0.86,
                            own_weight=0.4), SCENARIOS)
    text = why_headline(row, table, "vi", profile=DEFAULT_PROFILE)
    assert f"đạt khoảng 73{NBSP}% chỉ tiêu năm, thấp hơn mức 86{NBSP}% của các năm gần đây" in text
    assert f"số liệu riêng của đơn vị chiếm 40{NBSP}%" in text
    assert "người/năm" not in text  # the fallback from today's columns is not used
    # Percent-valued columns (73 rather than 0.73) read the same.
    row, table = _rows(dict(TG, expected_attainment=73.0, recent_attainment=86.0), SCENARIOS)
    assert f"73{NBSP}%" in why_headline(row, table, "en", profile=DEFAULT_PROFILE)


def test_no_sentence_when_all_agree():
    row, table = _rows(dict(TG, p_reach=0.93), SCENARIOS)
    assert disagreement(row, scenario_chances(table)) == {}
    assert why_headline(row, table, "vi") is None


def test_a_unit_behind_with_a_high_chance_is_explained_the_other_way():
    # Half a year in, 39 of 200 admitted: "limited progress" by the average
    # pace, but the model expects the usual year-end rush (q50 = 214).
    row = dict(TG, target_kind="annual", target=200.0, cumulative=39.0, remaining=161.0,
               years_left=0.68, observed_per_year=117.0, pace_ratio=0.5,
               label="limited progress", p_reach=0.85, final_q10=180.0, final_q50=214.0,
               final_q90=260.0, deadline=pd.Timestamp("2017-12-31"))
    row, table = _rows(row, {"last": 0.40, "full": 0.55})
    assert disagreement(row, scenario_chances(table)) == {"pace": "higher",
                                                           "scenarios": "higher"}
    text = why_headline(row, table, "en", profile=DEFAULT_PROFILE)
    # (214 - 39) / 0.68 = 257 a year expected, more than the 117 observed.
    assert "about 257 admissions a year over the 0.7 years left, more than the 117" in text
    assert "deadline" not in text  # a 31 December deadline cuts nothing
    assert "limited progress" in text


def test_without_a_reason_of_its_own_the_engines_why_is_used_in_english():
    # Expected pace equal to the observed one, a year-end deadline, the target
    # outside the 80 % range: none of the reasons here applies.
    row = dict(TG, final_q10=6600.0, final_q50=3878.0 + 1292.0 * 2.75, final_q90=7900.0,
               deadline=pd.Timestamp("2025-12-31"), why="year effects are shared")
    row, table = _rows(row, SCENARIOS)
    assert why_headline(row, table, "en").endswith("because year effects are shared.")
    assert why_headline(row, table, "vi").endswith(
        "vì đây là dự báo của chính mô hình, còn mỗi kịch bản áp đặt trước tỷ lệ đạt của "
        "từng năm còn lại.")


def test_a_unit_without_reports_says_its_chance_is_the_general_rate():
    row, table = _rows(dict(TG, label="no data", cumulative=0.0, p_reach=0.672), {})
    assert why_headline(row, table, "vi") is None
    assert prior_note(row, "vi") == (
        "Đơn vị chưa có số kết nạp nào được báo cáo trong thời hạn này: khả năng "
        f"67,2{NBSP}% tính theo mức chung của các đơn vị có số liệu, không phải từ số liệu "
        "của đơn vị.")
    assert "general rate" in prior_note(row, "en")
    assert prior_note(pd.Series(TG), "en") is None
