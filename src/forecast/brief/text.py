"""The brief's own words in Vietnamese and English, in one place.

Chart text lives in :mod:`forecast.labels` (and is reused here through
:func:`forecast.labels.text` where the same words appear); this module holds
what only the brief says: headings, the key-number labels, column heads of
its tables, the assumptions list and the failure notes. Every key has both
languages (a test checks it); :func:`t` fills the fields.
"""

from __future__ import annotations

import pandas as pd

from forecast.labels import check_lang, fill, missing

ASSUMPTION_IDS = {
    "term_start": "A1", "term_end": "A2", "pace_on_track": "A3", "pace_limited": "A3",
    "within_year_profile": "A4", "conversion_introduced": "A5", "conversion_trained": "A5",
    "p_level": "A6", "n_paths": "A7", "seed": "A7", "rate_target_members": "A8",
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
}

STRINGS: dict[str, dict[str, str]] = {
    "doc_title": {"vi": "Dự báo khả năng đạt chỉ tiêu kết nạp đảng viên",
                  "en": "Outlook for party admission targets"},
    "doc_meta": {
        "vi": "Số liệu đến {as_of}; mô hình {model}; {paths} đường mô phỏng, hạt giống {seed}; {n_units} đơn vị có phần riêng, {n_all} đơn vị có chỉ tiêu.",
        "en": "Data to {as_of}; model {model}; {paths} simulated paths, seed {seed}; {n_units} units with a section, {n_all} units with a target."},
    "as_of_latest": {"vi": "số liệu mới nhất của từng đơn vị", "en": "each unit's latest figure"},
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
    "failed": {"vi": "Không tạo được {what}: {error}", "en": "Could not produce {what}: {error}"},
    "files": {"vi": "Tệp", "en": "Files"},
    "figure_files": {"vi": "Tệp để chèn", "en": "Files to insert"},
    "target": {"vi": "Chỉ tiêu", "en": "Target"},
    "target_of": {"vi": "Chỉ tiêu {kind} {period}", "en": "{kind} target {period}"},
    "kind:term": {"vi": "nhiệm kỳ", "en": "Term"},
    "kind:annual": {"vi": "năm", "en": "Annual"},
    "cumulative": {"vi": "Đã kết nạp (đến {date})", "en": "Admitted (to {date})"},
    "remaining": {"vi": "Còn phải kết nạp", "en": "Still to admit"},
    "p_reach": {"vi": "Khả năng đạt chỉ tiêu", "en": "Chance of reaching the target"},
    "final_range": {"vi": "Tổng cuối kỳ dự báo (khoảng 80 %)",
                    "en": "Forecast final total (80 % range)"},
    "range": {"vi": "{q50} (từ {q10} đến {q90})", "en": "{q50} ({q10} to {q90})"},
    "reach_date": {"vi": "Thời điểm đạt chỉ tiêu (trung vị)", "en": "Date the target is reached (median)"},
    "not_reached": {"vi": "chưa đạt trong đa số kịch bản mô phỏng",
                    "en": "not reached in most simulated paths"},
    "pace": {"vi": "Tiến độ", "en": "Pace"},
    "pace_value": {"vi": "{label}: đã đạt {obs}/năm, cần {req}/năm",
                   "en": "{label}: {obs} a year observed, {req} a year required"},
    "take": {"vi": "Để có {p} khả năng đạt", "en": "For a {p} chance"},
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
    "col_field": {"vi": "Tham số", "en": "Field"},
    "col_value": {"vi": "Giá trị", "en": "Value"},
    "col_meaning": {"vi": "Ý nghĩa", "en": "Meaning"},
    "col_source": {"vi": "Nguồn", "en": "Source"},
    "col_published": {"vi": "Ngày đăng", "en": "Published"},
    "col_kind": {"vi": "Loại", "en": "Kind"},
    "col_explanation": {"vi": "Giải thích (tiếng Anh)", "en": "Explanation"},
    "scenario:model": {"vi": "Mô hình (không áp đặt tỷ lệ đạt)", "en": "Model (no attainment imposed)"},
    "scenario_note": {
        "vi": "Mỗi kịch bản đặt tỷ lệ đạt chỉ tiêu năm cho các năm còn lại; bảng đầy đủ (kể cả bản không ngẫu nhiên) ở tables/scenarios.csv.",
        "en": "Each scenario imposes a yearly attainment for the years left; the full table (with the deterministic variants) is in tables/scenarios.csv."},
    "model_notes": {"vi": "Ghi chú của mô hình (tiếng Anh)", "en": "Model notes"},
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
    "no_targets": {"vi": "Đơn vị không có chỉ tiêu với số liệu trong kết quả dự báo.",
                   "en": "The unit has no target with figures in the outlook."},
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


def target_name(row: pd.Series, lang: str) -> str:
    """``Chỉ tiêu nhiệm kỳ 2020–2025`` / ``Term target 2020–2025``."""
    return t("target_of", lang, kind=t(f"kind:{row['target_kind']}", lang), period=_period(row))
