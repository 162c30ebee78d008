"""What a notebook shows its reader, in the notebook's ``lang``: the narrative
between the outputs, and tables with headers in words and numbers formatted
for the language (``1.252``, ``69,6 %``, ``31/12/2022`` in Vietnamese).

The notebooks keep their raw tables for the results file (:func:`forecast.notebooks.api.finish`)
and show :func:`table` of them. :data:`NARRATIVE` holds every section's text
in both languages (a test checks it); :func:`say` shows one as Markdown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from forecast.labels import (check_lang, fill, fmt_date, fmt_figure, fmt_int, fmt_month,
                             fmt_num, fmt_pct, fmt_prob, label_text, missing)

NARRATIVE: dict[str, dict[str, str]] = {
    "01.history": {
        "vi": "## Số liệu đã báo cáo\n\nMọi số liệu của đơn vị đến ngày tính, với nguồn và vị trí trong nguồn. Số là số kết nạp trừ khi cột *Đại lượng* ghi khác; *Đính chính từ* là giá trị in ban đầu khi có đính chính.",
        "en": "## Reported figures\n\nEvery figure reported for the unit up to the as-of date, with its source and where in the source it stands. Counts are admissions unless *Measure* says otherwise; *Corrected from* is the printed value a declared correction replaced."},
    "01.outlook": {
        "vi": "## Tiến độ và dự báo\n\nMỗi dòng là một chỉ tiêu và một kịch bản. *Đã kết nạp* là số kết nạp trong thời hạn của chỉ tiêu đến số liệu cuối; *Xếp loại* là nhịp theo cách đánh giá thông thường; *Khả năng đạt* là khả năng đạt chỉ tiêu trước hạn; *Cuối kỳ 10 %–90 %* là khoảng 80 % của tổng cuối kỳ. Chỉ tiêu năm nay và năm sau mà số liệu chưa in có *Nguồn chỉ tiêu* là *giả định*: lấy từ chỉ tiêu năm gần nhất, từ chỉ tiêu mà tỷ lệ đạt đã in cho thấy, hoặc từ chỉ tiêu nhiệm kỳ chia đều cho các năm.",
        "en": "## Progress and forecast\n\nOne row per target and scenario. *Admitted* is what was admitted in the target's window by the last figure; *Label* is the official-style pace label; *Chance* is the chance of reaching the target by its deadline; *Final, 10 %–90 %* the 80 % range of the final count. This year's and next year's annual targets that the data do not print yet are *assumed* (*Target from*): the nearest annual target, the target the printed attainments imply, or the term target spread over the term."},
    "01.scenarios": {
        "vi": "## Kịch bản\n\nMỗi kịch bản đặt trước tỷ lệ đạt của các năm còn lại (*giữ tỷ lệ năm gần nhất*, *theo xu hướng*, *đạt 100 %*). Các dòng *không nhiễu* là kịch bản không có dao động giữa các năm.",
        "en": "## Scenarios\n\nEach scenario fixes the attainment of the years left (*last year's*, *recent trend*, *100 %*). The *no noise* rows are the scenario without year-to-year noise."},
    "01.take": {
        "vi": "## Cần làm gì\n\nTỷ lệ đạt chỉ tiêu năm và số kết nạp mỗi năm cho khả năng đạt ít nhất bằng mức của giả định A6, cùng số người cần cho học lớp nhận thức và cần giới thiệu theo tỷ lệ của giả định A5.",
        "en": "## What it would take\n\nThe yearly attainment and admissions a year that give the target a chance of at least the level of assumption A6, and the candidates to train and to introduce for them at the conversion rates of assumption A5."},
    "01.part_year": {
        "vi": "## Trong năm\n\nKhi đơn vị báo cáo một phần năm: số đã báo cáo so với nhịp thông thường trong năm (tỷ lệ số kết nạp cả năm đạt được đến cuối mỗi tháng).",
        "en": "## Within the year\n\nWhen the unit reported part of a year, the reported counts against the usual within-year profile (the share of a year's admissions reached by each month)."},
    "02.outlook": {
        "vi": "## Dự báo của mọi đơn vị\n\nDự báo của mô hình cho mọi đơn vị có chỉ tiêu nhiệm kỳ (không kịch bản), khả năng cao nhất trước. Đơn vị *chưa có số liệu* có chỉ tiêu nhưng chưa có số kết nạp trong thời hạn: khả năng của nó theo mức chung của các đơn vị khác.",
        "en": "## The outlook of every unit\n\nThe model's forecast for every unit with a term target (no scenario), best chance first. A unit with *no data yet* has a target but no admission count in its window: its chance comes from the other units."},
    "02.labels": {
        "vi": "## Đơn vị theo xếp loại\n\nSố đơn vị theo xếp loại tiến độ (chỉ tiêu nhiệm kỳ) và khả năng đạt trung vị của chúng.",
        "en": "## Who is on track\n\nUnits per pace label (term targets), with the median chance of reaching the target among them."},
    "02.children": {
        "vi": "## Các đơn vị trực thuộc\n\nMỗi ô là số kết nạp và dự báo của một đơn vị theo % chỉ tiêu của chính nó, nên các đơn vị lớn nhỏ khác nhau đọc trên cùng một thang.",
        "en": "## The units below one parent\n\nEach panel is one unit's admissions and forecast as a share of its own term target, so units of different sizes read on the same axis."},
    "03.kinds": {
        "vi": "## Kết quả đối chiếu theo loại\n\n*Cảnh báo* cần xem lại (một số in ra không thể đúng như đã in); *thông tin* ghi lại điều các số liệu cho thấy.",
        "en": "## Findings by kind\n\n*Warnings* need a look (a printed figure that cannot be right as printed); *information* rows record what the figures imply."},
    "03.implied": {
        "vi": "## Chỉ tiêu suy ra\n\nMột số kết nạp cùng tỷ lệ đạt (hoặc vượt) của nó cho thấy chỉ tiêu: *Suy ra* là số kết nạp chia cho tỷ lệ, *Từ*–*đến* là khoảng mà các chữ số in ra cho phép.",
        "en": "## Implied targets\n\nA count with its attainment (or excess) percentage implies the target: *Implied* is count / percentage, *From*–*to* the range the printed decimals allow."},
    "03.warnings": {
        "vi": "## Chỗ không khớp\n\nTỷ lệ không khớp với số kết nạp / chỉ tiêu, cùng một số liệu báo cáo khác nhau, phần lớn hơn tổng, số cộng dồn so với các năm.",
        "en": "## Contradictions\n\nPercentages that disagree with count / target, one figure reported with different values, parts over their whole, cumulative counts against their years."},
    "03.profile": {
        "vi": "## Nhịp kết nạp trong năm\n\nMỗi số liệu một phần năm có tổng cả năm (hoặc chỉ tiêu) cho biết tỷ lệ của năm đạt được đến ngày báo cáo; nhịp trong năm là đường cong khớp với các số đó. *Trọng số* là mức mỗi số liệu được tính.",
        "en": "## The within-year profile\n\nEach part-year figure with a known year total (or target) gives the share of the year reached at its cut-off; the profile is the curve fitted to them. *Weight* is how much each figure counts."},
    "03.profile_line": {
        "vi": "Nhịp ước lượng từ {n} số liệu: đến 30/6 đạt {june}, đến 30/9 đạt {sept} số kết nạp cả năm.",
        "en": "Profile estimated from {n} figures: {june} of a year's admissions by 30 June, {sept} by 30 Sept."},
    "04.public": {
        "vi": "## Số liệu đã qua\n\nMọi chỉ tiêu mà số liệu cho biết kết quả, được dự báo từ từng ngày báo cáo trước đó. *Số dự báo* là số lần dự báo được chấm; khi ít chỉ tiêu, khoảng bootstrap (*thấp*, *cao*) rộng.",
        "en": "## Past data\n\nEvery target whose outcome the data tells, forecast from each earlier report date. *Forecasts* is the number scored; with few targets the bootstrap ranges (*low*, *high*) are wide."},
    "04.synthetic": {
        "vi": "## Nghiên cứu mô phỏng\n\nCùng các điểm số trên các đơn vị giả lập từ một quá trình đã biết: mô hình hiệu chỉnh tốt có độ phủ gần 50 % và 80 %.",
        "en": "## Simulation study\n\nThe same scores on synthetic units drawn from a known process: a well-calibrated model has coverage near 50 % and 80 %."},
    "04.reliability": {
        "vi": "## Độ tin cậy\n\nCác dự báo xếp nhóm theo khả năng: ở mô hình đáng tin, tỷ lệ chỉ tiêu đạt được (*tần suất thực tế*) gần với khả năng trung bình (*khả năng dự báo*) trong mọi nhóm.",
        "en": "## Reliability\n\nForecasts grouped by their probability: in a reliable model the share of targets reached (*observed*) is close to the mean forecast (*forecast*) in every bin."},
    "04.failures": {"vi": "Các lần gọi mô hình không thành (mô hình không khớp được ở ngày sớm):",
                    "en": "Engine calls that failed (a model that cannot be fitted at an early date):"},
    "05.review": {
        "vi": "## Kết quả nhiệm kỳ và các dự báo trước đó\n\nMỗi dòng là một đơn vị và một mốc dự báo: kết quả cả nhiệm kỳ so với chỉ tiêu, và khả năng đạt cùng khoảng 80 % của tổng cuối kỳ mà công cụ đưa ra tại mốc ấy chỉ với số liệu đã có. *Vượt dự báo*: đạt chỉ tiêu khi khả năng dưới một nửa, hoặc kết quả trên khoảng 80 %; *thấp hơn dự báo*: ngược lại.",
        "en": "## Term results and the earlier forecasts\n\nOne row per unit and forecast date: the whole-term result against the target, and the chance of reaching it with the 80 % range of the final total that the toolkit gave at that date with only the figures known then. *Better than forecast*: reached with a chance below one half, or above the 80 % range; *worse than forecast*: the reverse."},
    "05.none": {"vi": "Chưa có đơn vị nào báo cáo kết quả cả nhiệm kỳ {term}.",
                "en": "No unit reports a result for the whole {term} term yet."},
    "results": {
        "vi": "## Kết quả\n\nCác bảng và tệp biểu đồ, ghi thành JSON cạnh sổ tay đã chạy (chạy hàng loạt gom chúng thành một bảng).",
        "en": "## Results\n\nThe tables and figure files, written as JSON beside the executed notebook (the batch collects them into one table)."},
    "checked": {
        "vi": "**{notebook}**: đã kiểm tra tham số; đã nạp {units} đơn vị, {targets} chỉ tiêu, {figures} số liệu; kết quả ghi vào `{out}`.",
        "en": "**{notebook}**: parameters checked; {units} units, {targets} targets, {figures} figures loaded; outputs in `{out}`."},
    "written": {"vi": "Đã ghi kết quả vào {file} ({records} dòng), {n} biểu đồ trong {folder}/figures.",
                "en": "Results written to {file} ({records} records), {n} figure(s) in {folder}/figures."},
    "no_report": {"vi": "chưa có số liệu", "en": "no report yet"},
    "no_target": {"vi": "{unit}: chưa có chỉ tiêu với số kết nạp đã báo cáo, nên không có gì để dự báo.",
                  "en": "{unit}: no target with a reported admission count, so nothing to forecast."},
    "no_part_year": {"vi": "{unit}: không có số một phần năm kèm chỉ tiêu năm.",
                     "en": "{unit}: no part-year admissions with an annual target."},
}
"""Every notebook text after the check cell, by ``"<notebook>.<section>"``."""

_MEASURES = {"admitted": ("kết nạp", "admitted"), "attainment_pct": ("tỷ lệ đạt", "attainment"),
             "excess_pct": ("tỷ lệ vượt", "excess"), "members": ("số đảng viên", "members"),
             "trained": ("học lớp nhận thức", "trained"), "introduced": ("giới thiệu", "introduced"),
             "change_pct": ("tỷ lệ thay đổi", "change"), "conversion_pct": ("tỷ lệ chuyển", "conversion"),
             "other": ("khác", "other"), "expected_admitted": ("dự kiến kết nạp", "expected")}
_SEVERITY = {"warning": ("cảnh báo", "warning"), "info": ("thông tin", "information")}
_DATASETS = {"public": ("số liệu công bố", "public"), "synthetic": ("giả lập", "synthetic")}
_SUBSETS = {"all": ("tất cả", "all"), "common": ("dự báo chung", "common")}
# An annual target the data do not print is assumed by the engine (target_source).
_TARGET_SOURCES = {"reported": ("đã công bố", "reported"), "assumed": ("giả định", "assumed")}


def _words(mapping: dict) -> Callable[[Any, str], str]:
    return lambda v, lang: mapping.get(str(v), (str(v), str(v)))[0 if lang == "vi" else 1]


def _scenario(v: Any, lang: str) -> str:
    from forecast.brief.text import t
    from forecast.figures.progress import scenario_name

    if missing(v):
        return "–"
    return t("scenario:model", lang) if v == "model" else scenario_name(str(v), lang)


def _kind(v: Any, lang: str) -> str:
    from forecast.brief.text import t

    return t(f"kind:{v}", lang).lower() if v in ("term", "annual") else str(v)


def _period(v: Any, lang: str) -> str:
    from forecast.brief.findings import period_text

    return period_text(v, lang)


def _finding_kind(v: Any, lang: str) -> str:
    from forecast.brief.findings import STRINGS, ft

    return ft(f"kind:{v}", lang) if f"kind:{v}" in STRINGS else str(v)


FORMATS: dict[str, Callable[[Any, str], str]] = {
    "count": lambda v, lang: fmt_int(v, lang),
    "figure": lambda v, lang: fmt_figure(round(float(v), 2), lang) if not missing(v) else "–",
    "prob": lambda v, lang: fmt_prob(v, lang, 1),
    "share": lambda v, lang: fmt_pct(100 * float(v), lang, 0) if not missing(v) else "–",
    "printed_pct": lambda v, lang: (fmt_figure(v, lang) + "\u00a0%") if not missing(v) else "–",
    "period": _period,
    "num1": lambda v, lang: fmt_num(v, lang, 1),
    "num3": lambda v, lang: fmt_num(v, lang, 3),
    "date": lambda v, lang: fmt_date(v, lang) if not missing(v) else "–",
    "month": lambda v, lang: fmt_month(v, lang) if not missing(v) else "–",
    "label": label_text,
    "scenario": _scenario,
    "kind": _kind,
    "finding": _finding_kind,
    "measure": _words(_MEASURES),
    "severity": _words(_SEVERITY),
    "dataset": _words(_DATASETS),
    "subset": _words(_SUBSETS),
    "target_source": _words(_TARGET_SOURCES),
    "text": lambda v, lang: "" if missing(v) else str(v),
    "span": lambda v, lang: "" if missing(v) else str(v).replace("-", "–"),
}
"""How a value of each kind of column is written in ``lang``."""

COLUMNS: dict[str, tuple[str, str, str]] = {
    # name: (Vietnamese header, English header, format)
    "unit_id": ("Mã đơn vị", "Unit id", "text"),
    "name": ("Đơn vị", "Unit", "text"),
    "level": ("Cấp", "Level", "text"),
    "parent_id": ("Đơn vị cấp trên", "Parent", "text"),
    "term": ("Nhiệm kỳ", "Term", "span"),
    "target_kind": ("Loại chỉ tiêu", "Target kind", "kind"),
    "target_id": ("Mã chỉ tiêu", "Target id", "text"),
    "target": ("Chỉ tiêu", "Target", "figure"),
    "target_source": ("Nguồn chỉ tiêu", "Target from", "target_source"),
    "cumulative": ("Đã kết nạp", "Admitted", "count"),
    "label": ("Xếp loại", "Label", "label"),
    "scenario": ("Kịch bản", "Scenario", "scenario"),
    "p_reach": ("Khả năng đạt", "Chance", "prob"),
    "final_q10": ("Cuối kỳ 10 %", "Final, 10 %", "count"),
    "final_q50": ("Cuối kỳ trung vị", "Final, median", "count"),
    "final_q90": ("Cuối kỳ 90 %", "Final, 90 %", "count"),
    "reach_date_q50": ("Đạt vào (trung vị)", "Reached by (median)", "month"),
    "required_attainment": ("Tỷ lệ đạt cần", "Attainment needed", "share"),
    "required_per_year_p": ("Kết nạp cần/năm", "Admissions needed a year", "count"),
    "trained_needed": ("Học lớp nhận thức/năm", "Trained a year", "count"),
    "introduced_needed": ("Giới thiệu/năm", "Introduced a year", "count"),
    "measure": ("Đại lượng", "Measure", "measure"),
    "subgroup": ("Nhóm", "Subgroup", "text"),
    "value_text": ("Số in", "As printed", "text"),
    "period_start": ("Từ ngày", "From", "date"),
    "period_end": ("Đến ngày", "To", "date"),
    "source_id": ("Nguồn", "Source", "text"),
    "locator": ("Vị trí trong nguồn", "Where in the source", "text"),
    "corrected_from": ("Đính chính từ", "Corrected from", "text"),
    "n_units": ("Số đơn vị", "Units", "count"),
    "median_p_reach": ("Khả năng trung vị", "Median chance", "prob"),
    "kind": ("Loại", "Kind", "finding"),
    "severity": ("Mức", "Severity", "severity"),
    "n": ("Số", "Number", "count"),
    "period": ("Giai đoạn", "Period", "period"),
    "reported": ("Tỷ lệ in", "Printed", "printed_pct"),
    "implied": ("Suy ra", "Implied", "num1"),
    "implied_low": ("Từ", "From", "num1"),
    "implied_high": ("Đến", "To", "num1"),
    "explanation": ("Giải thích", "Explanation", "text"),
    "year": ("Năm", "Year", "text"),
    "cutoff": ("Ngày báo cáo", "Cut-off", "date"),
    "t": ("Phần năm", "Year share", "num3"),
    "count": ("Số kết nạp", "Count", "count"),
    "denominator": ("Mẫu số", "Denominator", "count"),
    "share": ("Tỷ lệ đạt", "Share", "share"),
    "exponent": ("Số mũ", "Exponent", "num3"),
    "weight": ("Trọng số", "Weight", "num3"),
    "dataset": ("Dữ liệu", "Data", "dataset"),
    "model": ("Mô hình", "Model", "text"),
    "subset": ("Tập", "Subset", "subset"),
    "as_of": ("Ngày tính", "As of", "date"),
    "error": ("Lỗi", "Error", "text"),
    "n_forecasts": ("Số dự báo", "Forecasts", "count"),
    "brier": ("Brier", "Brier", "num3"),
    "brier_lo": ("Brier thấp", "Brier low", "num3"),
    "brier_hi": ("Brier cao", "Brier high", "num3"),
    "log_score": ("Điểm log", "Log score", "num3"),
    "coverage_50": ("Độ phủ 50 %", "Coverage 50 %", "share"),
    "coverage_80": ("Độ phủ 80 %", "Coverage 80 %", "share"),
    "interval_score": ("Điểm khoảng", "Interval score", "num1"),
    "bin_lower": ("Nhóm từ", "Bin from", "share"),
    "bin_upper": ("Nhóm đến", "Bin to", "share"),
    "mean_p": ("Khả năng dự báo", "Forecast", "prob"),
    "observed_freq": ("Tần suất thực tế", "Observed", "share"),
}
"""Known columns: header in each language and how values are written."""


def say(key: str, lang: str, **fields: object) -> Any:
    """The notebook text ``key`` in ``lang``, shown as Markdown in a notebook."""
    return _markdown(words(key, lang, **fields))


def words(key: str, lang: str, **fields: object) -> str:
    """The notebook text ``key`` in ``lang`` as plain text."""
    return fill(NARRATIVE, key, lang, "notebook", "forecast.notebooks.show.NARRATIVE", **fields)


def lines(items: Sequence[str]) -> Any:
    """A bulleted list shown as Markdown (the audit's warnings, say)."""
    return _markdown("\n".join(f"- {x}" for x in items) or "–")


def _markdown(body: str) -> Any:
    try:
        from IPython.display import Markdown
    except ImportError:  # outside IPython: plain text
        return body
    return Markdown(body)


def table(df: pd.DataFrame, lang: str, columns: Sequence[str] | None = None,
          index: bool = False) -> pd.DataFrame:
    """``df`` as a reader sees it: known columns' values written for ``lang``
    and their headers in words; other columns shown as they are.

    Parameters
    ----------
    df : DataFrame
    lang : {"vi", "en"}
    columns : sequence of str, optional
        Columns to show, in this order (default: all).
    index : bool
        Keep the frame's index (a table of counts by kind) rather than renumbering.
    """
    check_lang(lang)
    cols = list(columns) if columns is not None else list(df.columns)
    out = pd.DataFrame(index=df.index if index else range(len(df)))
    for c in cols:
        vi, en, kind = COLUMNS.get(c, (c, c, "text"))
        write = FORMATS[kind]
        values = [write(v, lang) for v in df[c]]
        if c == "cumulative" and "label" in df:
            # No report in the window: say so rather than "0" beside a chance
            # that comes from the other units (forecast.brief.explain.prior_only).
            values = [words("no_report", lang) if lab == "no data" else v
                      for v, lab in zip(values, df["label"])]
        out[vi if lang == "vi" else en] = values
    return out
