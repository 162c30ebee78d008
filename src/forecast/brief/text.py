"""The brief's own words in Vietnamese and English, in one place.

Chart text lives in :mod:`forecast.labels` (and is reused here through
:func:`forecast.labels.text` where the same words appear); this module holds
what only the brief says: headings, the key-number labels, column heads of
its tables, the assumptions list and the failure notes. Every key has both
languages (a test checks it); :func:`t` fills the fields.
"""

from __future__ import annotations

import pandas as pd

from forecast.labels import STRINGS as STRINGS_LABELS
from forecast.labels import check_lang, fill, missing, text

ASSUMPTION_IDS = {
    "term_start": "A1", "term_end": "A2", "pace_on_track": "A3", "pace_limited": "A3",
    "within_year_profile": "A4", "conversion_introduced": "A5", "conversion_trained": "A5",
    "p_level": "A6", "n_paths": "A7", "seed": "A7", "rate_target_members": "A8",
    "push_band": "A9", "push_share": "A9",
}
"""Field of :class:`forecast.config.Assumptions` → its id in ``docs/assumptions.md``."""

ASSUMPTION_TEXT: dict[str, dict[str, str]] = {
    "term_start": {"vi": "Ngày bắt đầu tính kết nạp cho nhiệm kỳ (tháng-ngày của năm đầu)",
                   "en": "Admissions count towards a term from this day of its first year"},
    "term_end": {"vi": "Hạn của chỉ tiêu nhiệm kỳ (tháng-ngày của năm cuối)",
                 "en": "Deadline of a term target (this day of the term's last year)"},
    "pace_on_track": {"vi": "Tỷ lệ nhịp đã đạt / nhịp cần đạt từ mức này trở lên: đúng tiến độ",
                      "en": "Observed / required pace at or above this: on track"},
    "pace_limited": {"vi": "Tỷ lệ dưới mức này: tiến độ hạn chế (ở giữa: cần đẩy nhanh)",
                     "en": "Ratio below this: limited progress (between: acceleration needed)"},
    "within_year_profile": {
        "vi": "Tỷ lệ cộng dồn số kết nạp trong năm theo tháng (trống: ước lượng từ số liệu)",
        "en": "Cumulative share of a year's admissions by month (empty: estimated from the data)"},
    "conversion_introduced": {"vi": "Tỷ lệ quần chúng được giới thiệu được kết nạp",
                              "en": "Share of introduced candidates who are admitted"},
    "conversion_trained": {"vi": "Tỷ lệ người học lớp nhận thức về Đảng được kết nạp",
                           "en": "Share of awareness-class attendees who are admitted"},
    "p_level": {"vi": "Khả năng mà phần \u201ccần làm gì\u201d nhắm tới",
                "en": "Chance that \u201cwhat it would take\u201d aims for"},
    "n_paths": {"vi": "Số đường mô phỏng Monte Carlo cho mỗi chỉ tiêu",
                "en": "Monte Carlo paths per unit and target"},
    "seed": {"vi": "Hạt giống ngẫu nhiên (cùng hạt giống cho cùng kết quả)",
             "en": "Random seed (the same seed gives the same numbers)"},
    "rate_target_members": {
        "vi": "Chỉ tiêu theo % đảng viên áp dụng cho số đảng viên báo cáo gần nhất",
        "en": "A rate target (% of members) applies to the latest membership reported"},
    "push_band": {"vi": "Nước rút cuối kỳ: khoảng dưới chỉ tiêu mà đơn vị có thể bù kịp",
                  "en": "Final push: the band below the target a unit may still close"},
    "push_share": {"vi": "Nước rút cuối kỳ: xác suất bù kịp (0: không tính; trống: ước lượng)",
                   "en": "Final push: chance the band is closed (0: off; empty: estimated)"},
}

STRINGS: dict[str, dict[str, str]] = {
    "doc_title": {"vi": "Dự báo khả năng đạt chỉ tiêu kết nạp đảng viên",
                  "en": "Outlook for party admission targets"},
    "doc_meta": {
        "vi": "Số liệu đến {as_of}; mô hình {model}; {paths} đường mô phỏng, hạt giống {seed}; {n_units} đơn vị có phần riêng, {n_all} đơn vị có chỉ tiêu.",
        "en": "Data to {as_of}; model {model}; {paths} simulated paths, seed {seed}; {n_units} units with a section, {n_all} units with a target."},
    "as_of_latest": {"vi": "lần báo cáo mới nhất của từng đơn vị", "en": "each unit's latest report"},
    "model:hier_nb": {"vi": "nhị thức âm phân tầng, ưu tiên số liệu của chính đơn vị (hier_nb)",
                      "en": "hierarchical negative binomial, the unit's own record first (hier_nb)"},
    "model:pooled_nb": {"vi": "nhị thức âm gộp các đơn vị (pooled_nb)",
                        "en": "pooled negative binomial (pooled_nb)"},
    "model:local_level": {"vi": "mức cục bộ (local_level)", "en": "local level (local_level)"},
    "model:ets": {"vi": "san bằng mũ (ets)", "en": "exponential smoothing (ets)"},
    "model:last_year": {"vi": "lặp lại năm gần nhất (last_year)",
                        "en": "last year repeated (last_year)"},
    "model:mean_attainment": {"vi": "tỷ lệ đạt bình quân (mean_attainment)",
                              "en": "mean attainment (mean_attainment)"},
    "contents": {"vi": "Mục lục", "en": "Contents"},
    "portfolio": {"vi": "Toàn cảnh các đơn vị", "en": "All units"},
    "portfolio_table": {"vi": "Mọi đơn vị có chỉ tiêu (mô hình, không kịch bản)",
                        "en": "Every unit with a target (model forecast, no scenario)"},
    "key_numbers": {"vi": "Số liệu chính", "en": "Key numbers"},
    "charts": {"vi": "Biểu đồ", "en": "Charts"},
    "scenarios": {"vi": "Kịch bản", "en": "Scenarios"},
    "all_targets": {"vi": "Các chỉ tiêu của đơn vị", "en": "The unit's targets"},
    "assumptions": {"vi": "Giả định đã dùng", "en": "Assumptions used"},
    "sources": {"vi": "Nguồn số liệu", "en": "Sources"},
    "audit": {"vi": "Cảnh báo khi đối chiếu số liệu", "en": "Audit warnings"},
    "no_audit": {"vi": "Không có cảnh báo.", "en": "No warnings."},
    "problems": {"vi": "Phần không tạo được", "en": "What could not be produced"},
    "review": {"vi": "Tổng kết nhiệm kỳ {term}", "en": "Review of the {term} term"},
    "review_intro": {
        "vi": "Kết quả cả nhiệm kỳ của {n} đơn vị so với chỉ tiêu và với dự báo mà công cụ "
              "đưa ra tại các mốc trước đó (chỉ dùng số liệu đã có đến mốc ấy).",
        "en": "The whole-term results of {n} units against their targets and against what "
              "the toolkit forecast at earlier dates (with only the figures known by then)."},
    "review_none": {"vi": "Chưa có đơn vị nào báo cáo kết quả cả nhiệm kỳ {term}.",
                    "en": "No unit reports a result for the whole {term} term yet."},
    "failed": {"vi": "Không tạo được {what}: {error}", "en": "Could not produce {what}: {error}"},
    "files": {"vi": "Tệp", "en": "Files"},
    "figure_files": {"vi": "Tệp để chèn", "en": "Files to insert"},
    "target": {"vi": "Chỉ tiêu", "en": "Target"},
    "target_of": {"vi": "Chỉ tiêu {kind} {period}", "en": "{kind} target {period}"},
    "kind:term": {"vi": "nhiệm kỳ", "en": "Term"},
    "kind:annual": {"vi": "năm", "en": "Annual"},
    "cumulative": {"vi": "Đã kết nạp (đến {date})", "en": "Admitted (to {date})"},
    "cumulative_plain": {"vi": "Đã kết nạp", "en": "Admitted"},
    "count_to": {"vi": "{n} (đến {date})", "en": "{n} (to {date})"},
    "no_report": {"vi": "chưa có số liệu", "en": "no report yet"},
    "no_report_prior": {"vi": "chưa có số liệu; khả năng theo mức chung",
                        "en": "no report yet; chance from the general rate"},
    "target_layer": {"vi": "{name} ({layer})", "en": "{name} ({layer})"},
    "range_middle": {"vi": "{shown} (dự báo tính theo mức giữa {v})",
                     "en": "{shown} (the forecast uses the middle, {v})"},
    "rollup": {"vi": "cộng từ các đơn vị trực thuộc", "en": "sum of its units"},
    "p_rollup": {"vi": "Khả năng đạt, cộng từ các đơn vị trực thuộc",
                 "en": "Chance of reaching it, sum of its units"},
    "remaining": {"vi": "Còn phải kết nạp", "en": "Still to admit"},
    "p_reach": {"vi": "Khả năng đạt chỉ tiêu", "en": "Chance of reaching the target"},
    "final_range": {"vi": "Tổng cuối kỳ dự báo (khoảng 80 %)",
                    "en": "Forecast final total (80 % range)"},
    "range": {"vi": "{q50} (từ {q10} đến {q90})", "en": "{q50} ({q10} to {q90})"},
    "reach_date": {"vi": "Thời điểm đạt chỉ tiêu (trung vị)", "en": "Date the target is reached (median)"},
    "not_reached": {"vi": "chưa đạt trong đa số đường mô phỏng",
                    "en": "not reached in most simulated paths"},
    "pace": {"vi": "Tiến độ", "en": "Pace"},
    "pace_value": {"vi": "{label}: đã đạt {obs}/năm, cần {req}/năm",
                   "en": "{label}: {obs} a year observed, {req} a year required"},
    "take": {"vi": "Để có {p} khả năng đạt", "en": "For a chance of {p}"},
    "take_value": {
        "vi": "đạt {att} chỉ tiêu năm, tức {per_year} đảng viên/năm; giới thiệu {intro} và cho học lớp nhận thức {trained} người/năm",
        "en": "{att} of annual targets, i.e. {per_year} admissions a year; {intro} candidates introduced and {trained} trained a year"},
    "take_reached": {"vi": "đã đạt chỉ tiêu", "en": "target already reached"},
    "take_over": {"vi": "đã hết thời hạn của chỉ tiêu", "en": "the target's deadline has passed"},
    "take_none": {"vi": "chưa tính được", "en": "not computed"},
    "col_scenario": {"vi": "Kịch bản", "en": "Scenario"},
    "col_p": {"vi": "Khả năng đạt", "en": "Chance"},
    "col_q10": {"vi": "Tổng cuối kỳ, 10 %", "en": "Final, 10 %"},
    "col_q50": {"vi": "Trung vị", "en": "Median"},
    "col_q90": {"vi": "90 %", "en": "90 %"},
    "col_reach": {"vi": "Đạt vào (trung vị)", "en": "Reached by (median)"},
    "col_unit": {"vi": "Đơn vị", "en": "Unit"},
    "col_target": {"vi": "Chỉ tiêu", "en": "Target"},
    "col_period": {"vi": "Thời hạn", "en": "Deadline"},
    "col_cum": {"vi": "Đã kết nạp", "en": "Admitted"},
    "col_label": {"vi": "Xếp loại", "en": "Label"},
    "col_id": {"vi": "Mã", "en": "Id"},
    "col_field": {"vi": "Tên trong cấu hình", "en": "Name in the configuration"},
    "col_value": {"vi": "Giá trị", "en": "Value"},
    "col_meaning": {"vi": "Ý nghĩa", "en": "Meaning"},
    "col_source": {"vi": "Nguồn", "en": "Source"},
    "col_published": {"vi": "Ngày đăng", "en": "Published"},
    "col_kind": {"vi": "Loại", "en": "Kind"},
    "scenario:model": {"vi": "Mô hình (không áp đặt tỷ lệ đạt)", "en": "Model (no attainment imposed)"},
    "scenario_note": {
        "vi": "Mỗi kịch bản đặt tỷ lệ đạt chỉ tiêu năm cho các năm còn lại; bảng đầy đủ (kể cả bản không ngẫu nhiên) ở tables/scenarios.csv.",
        "en": "Each scenario imposes a yearly attainment for the years left; the full table (with the deterministic variants) is in tables/scenarios.csv."},
    "model_notes": {"vi": "Ghi chú của mô hình", "en": "Model notes"},
    "estimated": {"vi": "ước lượng từ số liệu", "en": "estimated from the data"},
    "figures_note": {
        "vi": "Mỗi biểu đồ có tệp PNG (300 dpi, để chèn vào Word), SVG và PDF (cho LaTeX) trong thư mục figures/.",
        "en": "Each chart has a PNG (300 dpi, for Word), an SVG and a PDF (for LaTeX) in the figures/ folder."},
    "what:progress": {"vi": "biểu đồ tiến độ", "en": "the progress chart"},
    "what:yearly": {"vi": "biểu đồ kết nạp theo năm", "en": "the yearly chart"},
    "what:pipeline": {"vi": "biểu đồ nguồn kết nạp", "en": "the pipeline chart"},
    "what:nowcast": {"vi": "biểu đồ ước tính trong năm", "en": "the part-year chart"},
    "what:portfolio": {"vi": "biểu đồ toàn cảnh", "en": "the portfolio chart"},
    "what:pace": {"vi": "biểu đồ nhịp kết nạp", "en": "the pace chart"},
    "what:multiples": {"vi": "biểu đồ các đơn vị trực thuộc", "en": "the member units chart"},
    "what:section": {"vi": "phần của đơn vị", "en": "the unit's section"},
    "skipped": {"vi": "{n} đơn vị được chọn không có chỉ tiêu với số liệu nên không có phần riêng: {ids}.",
                "en": "{n} units asked for have no target with figures and get no section: {ids}."},
    "unanswered": {
        "vi": "Mô hình {model} không dự báo được {n} trên {total} chỉ tiêu: {reasons}.",
        "en": "Model {model} could not forecast {n} of its {total} targets: {reasons}."},
    "unanswered_reason": {"vi": "{why} ({n} chỉ tiêu)", "en": "{why} ({n} targets)"},
    "unanswered_more": {"vi": "; và {n} lý do khác (cột lý do trong tables/outlook.csv)",
                        "en": "; and {n} other reasons (the why column of tables/outlook.csv)"},
    "no_targets": {"vi": "Đơn vị không có chỉ tiêu với số liệu trong kết quả dự báo.",
                   "en": "The unit has no target with figures in the outlook."},
    # The engine's notes (forecast.brief.notes); {reason} is one of the rollup_* below.
    "note_prior": {
        "vi": "Chưa có số kết nạp của đơn vị: dự báo theo mức chung của {n} đơn vị có số liệu (tỷ lệ đạt trung vị {att}).",
        "en": "No admission counts of the unit: forecast from the general rate of {n} units with figures (median attainment {att})."},
    "note_own_level": {
        "vi": "Đơn vị không có chỉ tiêu để so sánh: dự báo chỉ từ số kết nạp của chính đơn vị, không gộp với đơn vị khác.",
        "en": "No target to compare with: forecast from the unit's own counts only, not pooled with other units."},
    "note_nothing": {
        "vi": "Đơn vị không có số kết nạp và không có chỉ tiêu: không có gì để dự báo. Cần bổ sung chỉ tiêu hoặc số kết nạp theo năm.",
        "en": "The unit has no admission counts and no target: nothing to forecast from. Add a target or yearly counts."},
    "note_implied": {
        "vi": "Chỉ tiêu năm {v} suy ra từ {n} báo cáo tỷ lệ đạt (số liệu không in chỉ tiêu năm).",
        "en": "Annual target {v} implied by {n} attainment reports (the sources print no annual target)."},
    "note_exposure_annual": {"vi": "Tỷ lệ đạt tính theo chỉ tiêu năm của đơn vị.",
                             "en": "Attainment is measured against the unit's annual targets."},
    "note_exposure_term": {
        "vi": "Đơn vị không có chỉ tiêu năm: mỗi năm được so với chỉ tiêu nhiệm kỳ chia theo các năm.",
        "en": "The unit has no annual target: each year is measured against the term target spread over the years."},
    "note_unreachable": {
        "vi": "Không tìm được mức kết nạp nào cho khả năng đạt mong muốn trước hạn (cao nhất {p}).",
        "en": "No admission pace found that gives the chance aimed for before the deadline (at most {p})."},
    "note_rollup_not_shown": {"vi": "Không cộng từ các đơn vị trực thuộc: {reason}.",
                              "en": "No sum of the units below: {reason}."},
    "note_rollup": {"vi": "Cộng từ {n} đơn vị trực thuộc: {reason}.",
                    "en": "Sum of {n} units below: {reason}."},
    "note_rollup_model": {"vi": "Đường mô phỏng của các đơn vị trực thuộc theo mô hình {model}.",
                          "en": "The units' simulated paths come from model {model}."},
    "note_rollup_compare": {
        "vi": "Đơn vị báo cáo {rep} đến {date}; tổng của các đơn vị trực thuộc {q50} (khoảng 80 %: {q10}–{q90}), chênh lệch {diff}.",
        "en": "The unit reported {rep} by {date}; the units below sum to {q50} (80 % range {q10}–{q90}), difference {diff}."},
    "note_scenario_needs_counts": {
        "vi": "{scen}: cần số kết nạp đã báo cáo để tính tỷ lệ đạt, đơn vị chưa có nên kịch bản này không có số.",
        "en": "{scen}: needs reported admissions to compute an attainment; the unit has none, so this scenario has no numbers."},
    "note_scenario_needs_target": {
        "vi": "{scen}: kịch bản đặt tỷ lệ đạt chỉ tiêu nhưng đơn vị không có chỉ tiêu.",
        "en": "{scen}: the scenario sets an attainment of a target, but the unit has none."},
    "rollup_none": {"vi": "không đơn vị nào trong {n} đơn vị trực thuộc có dự báo",
                    "en": "none of its {n} units in the data has a forecast"},
    "rollup_missing": {"vi": "{m}/{n} đơn vị trực thuộc chưa có dự báo ({ids}), tổng chỉ là cận dưới",
                       "en": "{m} of its {n} units have no forecast ({ids}), the sum is a lower bound"},
    "rollup_share": {
        "vi": "chỉ tiêu của các đơn vị trực thuộc có trong dữ liệu chỉ bằng {share} chỉ tiêu của đơn vị, còn thiếu đơn vị nên tổng chỉ là cận dưới",
        "en": "the targets of its units in the data add up to {share} of its own, so units are missing and the sum is a lower bound"},
    "rollup_unknown": {
        "vi": "thiếu chỉ tiêu của đơn vị hoặc của một số đơn vị trực thuộc nên không kiểm tra được các đơn vị trực thuộc đã đủ chưa",
        "en": "its target or some of its units' targets are unknown, so whether its units are all there cannot be checked"},
    "rollup_no_children": {"vi": "dữ liệu không có đơn vị trực thuộc",
                           "en": "the data hold none of its units"},
    "rollup_covered": {"vi": "mọi đơn vị trực thuộc đều có dự báo, chỉ tiêu cộng lại bằng {share} chỉ tiêu của đơn vị",
                       "en": "every unit below has a forecast and their targets add up to {share} of its own"},
    "rollup_unchecked": {"vi": "mọi đơn vị trực thuộc trong dữ liệu đều có dự báo; chưa kiểm tra được đã đủ chưa (thiếu chỉ tiêu)",
                         "en": "every unit below in the data has a forecast; completeness not checked (targets missing)"},
    "note_untranslated": {
        "vi": "Còn {n} ghi chú kỹ thuật của mô hình (tiếng Anh) ở cột diagnostics của tables/outlook.csv.",
        "en": "{n} more technical notes of the model are in the diagnostics column of tables/outlook.csv."},
    # Why the headline chance is what it is (forecast.brief.explain).
    "why_sentence": {"vi": "Khả năng đạt là {p} dù {against}, vì {reasons}.",
                     "en": "The chance is {p} although {against}, because {reasons}."},
    "why_against_pace": {"vi": "tiến độ được xếp “{label}” ({ratio} lần nhịp cần)",
                         "en": "the pace is “{label}” ({ratio} times the pace needed)"},
    "why_against_scenarios": {"vi": "các kịch bản cho {range}", "en": "the scenarios give {range}"},
    "and": {"vi": " và ", "en": " and "},
    "why_per_year_fewer": {
        "vi": "mô hình dự kiến kết nạp khoảng {expected} người/năm trong {years} năm còn lại, ít hơn {recent} người/năm đã đạt",
        "en": "the model expects about {expected} admissions a year over the {years} years left, fewer than the {recent} a year so far"},
    "why_per_year_more": {
        "vi": "mô hình dự kiến kết nạp khoảng {expected} người/năm trong {years} năm còn lại, nhiều hơn {recent} người/năm đã đạt",
        "en": "the model expects about {expected} admissions a year over the {years} years left, more than the {recent} a year so far"},
    "why_attainment_fewer": {
        "vi": "mô hình dự kiến mỗi năm còn lại đạt khoảng {expected} chỉ tiêu năm, thấp hơn mức {recent} của các năm gần đây",
        "en": "the model expects about {expected} of the annual target in each remaining year, below the {recent} of recent years"},
    "why_attainment_more": {
        "vi": "mô hình dự kiến mỗi năm còn lại đạt khoảng {expected} chỉ tiêu năm, cao hơn mức {recent} của các năm gần đây",
        "en": "the model expects about {expected} of the annual target in each remaining year, above the {recent} of recent years"},
    "why_own_weight": {
        "vi": " (số liệu riêng của đơn vị chiếm {w} trong ước lượng này, phần còn lại theo mức chung của các đơn vị khác)",
        "en": " (the unit's own record weighs {w} in it, the other units the rest)"},
    "why_deadline": {
        "vi": "hạn chỉ tiêu là {deadline}, trước khi năm {year} kết thúc, nên năm cuối chỉ tính được khoảng {share} số kết nạp của cả năm theo nhịp thông thường trong năm",
        "en": "the deadline is {deadline}, before {year} ends, so the last year counts only about {share} of a year's admissions on the usual within-year profile"},
    "why_spread": {
        "vi": "số kết nạp mỗi năm có thể cao thấp khác nhau: tổng cuối kỳ có 80 % khả năng nằm trong khoảng {q10}–{q90}, chỉ tiêu {target} nằm trong khoảng đó, nên khả năng đạt tính cả những năm kết nạp thấp",
        "en": "a year's count varies: the final total lies between {q10} and {q90} with 80 % probability and the target of {target} is inside that range, so the chance counts the years that fall short"},
    "why_model": {
        "vi": "đây là dự báo của chính mô hình, còn mỗi kịch bản áp đặt trước tỷ lệ đạt của từng năm còn lại",
        "en": "this is the model's own forecast, while each scenario imposes the attainment of every remaining year"},
    "why_prior": {
        "vi": "Đơn vị chưa có số kết nạp nào được báo cáo trong thời hạn này: khả năng {p} tính theo mức chung của các đơn vị có số liệu, không phải từ số liệu của đơn vị.",
        "en": "No admissions of the unit are reported in this window yet: the chance of {p} comes from the general rate of the units with figures, not from the unit's own."},
}
"""The brief's strings; fields in braces are filled by :func:`t`."""


def t(key: str, lang: str, **fields: object) -> str:
    """The brief string ``key`` in ``lang`` with ``fields`` filled in."""
    return fill(STRINGS, key, lang, "brief", "forecast.brief.text.STRINGS", **fields)


def assumption_meaning(name: str, lang: str) -> str:
    """What an assumption field means, in ``lang`` (the field name if unknown)."""
    check_lang(lang)
    return ASSUMPTION_TEXT.get(name, {}).get(lang, name)


def _period(row: pd.Series) -> str:
    if row["target_kind"] == "annual":
        return str(pd.Timestamp(row["deadline"]).year)
    return str(row["term"]).replace("-", "–")


def target_name(row: pd.Series, lang: str, layer: object = None) -> str:
    """``Chỉ tiêu nhiệm kỳ 2020–2025`` / ``Term target 2020–2025``; with the
    layer (who set it) when given: ``Chỉ tiêu năm 2017 (kế hoạch)``."""
    name = t("target_of", lang, kind=t(f"kind:{row['target_kind']}", lang), period=_period(row))
    if layer is None or missing(layer) or f"layer:{layer}" not in STRINGS_LABELS:
        return name
    return t("target_layer", lang, name=name, layer=text(f"layer:{layer}", lang))


def model_name(model: str, lang: str) -> str:
    """A model in words with its name: ``nhị thức âm gộp các đơn vị (pooled_nb)``."""
    key = f"model:{model}"
    return t(key, lang) if key in STRINGS else str(model)
