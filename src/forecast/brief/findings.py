"""The audit's findings in Vietnamese or English, numbers formatted for the language.

The audit (:mod:`forecast.audit`) writes one English explanation per
finding, which stays in ``tables/audit.csv``. What a reader sees in the
brief and in notebook 03 is said again here from the findings table's
columns (``kind``, ``period``, ``measure``, ``reported``, ``implied``,
``implied_low``/``implied_high``, ``difference``, ``approximate``) and the
figures the finding rests on (``figures``: observation and target ids,
looked up in the dataset), by one template per ``kind`` in each language.
The audit's rules are not touched: a new kind falls back to the audit's
own explanation, marked as English in the Vietnamese text.
"""

from __future__ import annotations

import math

import pandas as pd

from forecast.labels import (check_lang, fill, fmt_date, fmt_figure, fmt_int, fmt_num, fmt_pct,
                             fmt_target, missing, text)

STRINGS: dict[str, dict[str, str]] = {
    "kind:implied_target": {"vi": "Chỉ tiêu suy ra", "en": "Implied target"},
    "kind:implied_target_group": {"vi": "Chỉ tiêu suy ra từ nhiều số liệu",
                                  "en": "One target from several figures"},
    "kind:no_whole_target": {"vi": "Không chỉ tiêu nguyên nào khớp", "en": "No whole target fits"},
    "kind:percent_mismatch": {"vi": "Tỷ lệ không khớp", "en": "Percentage mismatch"},
    "kind:truncated_percent": {"vi": "Tỷ lệ bị cắt bớt chữ số", "en": "Truncated percentage"},
    "kind:near_common_target": {"vi": "Lệch khỏi chỉ tiêu chung", "en": "Near the common target"},
    "kind:conflicting_reports": {"vi": "Báo cáo không thống nhất", "en": "Conflicting reports"},
    "kind:part_exceeds_whole": {"vi": "Phần lớn hơn tổng", "en": "Part exceeds whole"},
    "kind:cumulative_vs_years": {"vi": "Cộng dồn so với các năm", "en": "Cumulative against years"},
    "kind:annual_vs_term": {"vi": "Chỉ tiêu năm so với nhiệm kỳ", "en": "Annual against term targets"},
    "kind:target_layers": {"vi": "Nhiều chỉ tiêu cho một giai đoạn", "en": "Several targets, one period"},
    "kind:unpaired_percent": {"vi": "Tỷ lệ không có số đi kèm", "en": "Percentage without a count"},
    "line": {"vi": "{kind} ({period}): {text}", "en": "{kind} ({period}): {text}"},
    "reached": {"vi": "đạt {pct}", "en": "{pct} of the target"},
    "exceeded": {"vi": "vượt {pct}", "en": "{pct} over the target"},
    "implied_target": {
        "vi": "{count} người được kết nạp, {share} chỉ tiêu, cho thấy chỉ tiêu khoảng {implied} ({whole}).",
        "en": "{count} admitted at {share} implies a target of about {implied} ({whole})."},
    "whole_fit": {"vi": "số nguyên khớp: {v}", "en": "whole numbers that fit: {v}"},
    "whole_none": {"vi": "không số nguyên nào khớp", "en": "no whole number fits"},
    "group_fits": {"vi": "{n} số liệu cùng cho thấy một chỉ tiêu: {implied}.",
                   "en": "{n} figures imply the same target: {implied}."},
    "group_no_fit": {
        "vi": "{n} số liệu lẽ ra cho cùng một chỉ tiêu nhưng không số nguyên nào khớp với tất cả.",
        "en": "{n} figures should imply the same target but no single whole number fits them all."},
    "no_whole_target": {
        "vi": "Không có chỉ tiêu là số nguyên nào cho tỷ lệ {pct} với {count} người được kết nạp: {tries}; chỉ tiêu suy ra là {implied}. Số người hoặc tỷ lệ đã in sai, hoặc tỷ lệ tính trên một số khác.",
        "en": "No whole-number target gives {pct} for {count} admitted: {tries}; the implied target is {implied}. The count or the percentage is misprinted, or the percentage refers to another figure."},
    "gives": {"vi": "{t} cho {p}", "en": "{t} gives {p}"},
    "percent_mismatch": {
        "vi": "{count}/{target} = {actual}, nhưng tỷ lệ in là {pct}: không khớp dù làm tròn hay cắt bớt chữ số.",
        "en": "{count} / {target} = {actual}, but the printed percentage is {pct}: it neither rounds nor truncates to it."},
    "truncated_percent": {
        "vi": "{count}/{target} = {actual}; tỷ lệ in {pct} khớp nếu chữ số cuối bị cắt bớt thay vì làm tròn.",
        "en": "{count} / {target} = {actual}; the printed {pct} fits if the last digit was cut off rather than rounded."},
    "near_common_target": {
        "vi": "{count} người, {share}, cho chỉ tiêu {implied}, không phải {common} là chỉ tiêu năm mà các năm khác khớp: {count}/{common} = {actual}, in là {pct}. Hoặc chỉ tiêu năm {year} khác các năm khác, hoặc các số in ra không khớp nhau.",
        "en": "{count} at {share} implies a target of {implied}, not {common}, the annual target the other years fit: {count} / {common} = {actual}, printed {pct}. Either the {year} target differs from the other years' or the printed figures disagree."},
    "conflicting_reports": {"vi": "Cùng một số liệu ({measure}) được báo cáo khác nhau: {values}.",
                            "en": "The same figure ({measure}) is reported with different values: {values}."},
    "conflict_info": {"vi": " Có thể đó là tỷ lệ so với các chỉ tiêu khác nhau.",
                      "en": " They may be shares of different targets."},
    "conflict_warning": {"vi": " Giữ cả hai và khai báo đính chính nếu biết số nào sai.",
                         "en": " Keep both and declare a correction if one is known to be wrong."},
    "part_exceeds_whole": {
        "vi": "Số {measure} {pa} ({a}) lớn hơn số của {pb} ({b}), một giai đoạn chứa nó. Một trong hai số in sai, hoặc hai số đếm những thứ khác nhau.",
        "en": "The {measure} figure for {pa} ({a}) exceeds the one for {pb} ({b}), a period that contains it. One of the two is misprinted or they count different things."},
    "cumulative_vs_years": {"vi": "{total} người kết nạp trong {period} so với các năm trong đó: {parts} = {sum}; {verdict}.",
                            "en": "{total} admitted over {period} against its years: {parts} = {sum}; {verdict}."},
    "consistent": {"vi": "khớp", "en": "consistent"},
    "differs": {"vi": "chênh {d}", "en": "a difference of {d}"},
    "annual_vs_term": {
        "vi": "Các chỉ tiêu năm cộng lại {sum}; chỉ tiêu nhiệm kỳ là {term}. Chỉ tiêu năm không nhất thiết cộng đúng bằng chỉ tiêu nhiệm kỳ.",
        "en": "The annual targets add up to {sum}; the term target is {term}. Annual targets need not add up to the term target."},
    "target_layers": {"vi": "{n} chỉ tiêu cho {period}: {listed}.",
                      "en": "{n} targets for {period}: {listed}."},
    "unpaired_percent": {
        "vi": "Tỷ lệ {pct} không có số kết nạp cùng đơn vị, nhóm và giai đoạn nên không kiểm tra được.",
        "en": "{pct} has no admitted count for the same unit, subgroup and period, so it cannot be checked."},
    "approximate": {"vi": " Có dùng số liệu gần đúng: {v}.", "en": " Uses approximate figures: {v}."},
    "corrected": {"vi": " Đã áp dụng đính chính khai báo trong corrections.csv.",
                  "en": " Declared corrections applied (corrections.csv)."},
    "english": {"vi": "(tiếng Anh) {v}", "en": "{v}"},
    "term": {"vi": "nhiệm kỳ {v}", "en": "term {v}"},
    "year": {"vi": "năm {v}", "en": "{v}"},
    "measure:admitted": {"vi": "kết nạp", "en": "admissions"},
    "measure:attainment_pct": {"vi": "tỷ lệ đạt", "en": "attainment"},
    "measure:excess_pct": {"vi": "tỷ lệ vượt", "en": "excess"},
    "measure:target": {"vi": "chỉ tiêu", "en": "target"},
    "measure:members": {"vi": "số đảng viên", "en": "membership"},
}
"""Every string of a finding as the brief shows it; :func:`ft` fills the fields."""

PERCENT_MEASURES = ("attainment_pct", "excess_pct", "change_pct", "conversion_pct")


def ft(key: str, lang: str, **fields: object) -> str:
    """The finding string ``key`` in ``lang`` with ``fields`` filled in."""
    return fill(STRINGS, key, lang, "finding", "forecast.brief.findings.STRINGS", **fields)


class Figures:
    """The dataset's observations and targets by id, for the figures a finding names."""

    def __init__(self, dataset) -> None:
        obs = dataset.observations.set_index("obs_id", drop=False)
        tgt = dataset.targets.set_index("target_id", drop=False)
        self.rows = {**{i: r for i, r in obs.iterrows()}, **{i: r for i, r in tgt.iterrows()}}

    def of(self, ids: object) -> list[pd.Series]:
        if isinstance(ids, str):
            ids = [x.strip() for x in ids.split(";")]
        return [self.rows[i] for i in (ids or []) if i in self.rows]


def period_text(text_: object, lang: str) -> str:
    """``2022``, ``2019-01-01/2019-06-30``, ``2020-2022``, ``term 2020-2025`` in words."""
    s = str(text_ or "")
    if s.startswith("term "):
        return ft("term", lang, v=s[5:].replace("-", "–"))
    if "/" in s:
        a, b = s.split("/", 1)
        return f"{fmt_date(a, lang)} – {fmt_date(b, lang)}"
    if len(s) == 4 and s.isdigit():
        return ft("year", lang, v=s)
    if len(s) == 9 and s[4] == "-":
        return s.replace("-", "–")
    try:
        return fmt_date(s, lang)
    except (ValueError, TypeError):
        return s


def _shown(row: pd.Series, lang: str) -> str:
    """A figure as printed (range, floor, approximation), in the language's format."""
    pct = row.get("measure") in PERCENT_MEASURES or str(row.get("value_text", "")).endswith("%")
    if "target_id" in row.index and row.get("measure") != "count":
        return fmt_target(row["qualifier"], row["low"], row["high"], row["value"], lang,
                          percent=True)
    shown = fmt_target(row.get("qualifier"), row.get("low"), row.get("high"), row["value"], lang)
    return shown + "\u00a0%" if pct else shown


def _share(pct_row: pd.Series, lang: str) -> str:
    key = "exceeded" if pct_row["measure"] == "excess_pct" else "reached"
    return ft(key, lang, pct=_shown(pct_row, lang))


def _pct_of(count: float, target: float, excess: bool) -> float:
    return 100 * (count / target - 1) if excess else 100 * count / target


def _first(rows: list[pd.Series], *measures: str) -> pd.Series | None:
    return next((r for r in rows if r.get("measure") in measures and "obs_id" in r.index), None)


def _target_row(rows: list[pd.Series]) -> pd.Series | None:
    return next((r for r in rows if "target_id" in r.index), None)


def _measure(name: object, lang: str) -> str:
    key = f"measure:{name}"
    return ft(key, lang) if key in STRINGS else str(name)


def _body(f: pd.Series, rows: list[pd.Series], lang: str) -> str | None:
    """The sentence of one finding, or None when its figures are not all found."""
    kind = f["kind"]
    count, pct = _first(rows, "admitted"), _first(rows, *PERCENT_MEASURES)
    n = lambda x: fmt_int(x, lang)  # noqa: E731
    if kind == "implied_target" and count is not None and pct is not None:
        lo, hi = f["implied_low"], f["implied_high"]
        whole = list(range(math.ceil(lo - 1e-9), math.floor(hi + 1e-9) + 1)) \
            if not (missing(lo) or missing(hi)) else []
        fits = ft("whole_fit", lang, v=", ".join(n(w) for w in whole[:4])) if whole \
            else ft("whole_none", lang)
        return ft("implied_target", lang, count=n(count["value"]), share=_share(pct, lang),
                  implied=fmt_num(f["implied"], lang, 1), whole=fits)
    if kind == "implied_target_group":
        k = sum(r.get("measure") in PERCENT_MEASURES for r in rows)
        if missing(f["implied"]):
            return ft("group_no_fit", lang, n=k)
        return ft("group_fits", lang, n=k, implied=n(f["implied"]))
    if kind == "no_whole_target" and count is not None and pct is not None:
        excess = pct["measure"] == "excess_pct"
        tries = [ft("gives", lang, t=n(t), p=fmt_pct(_pct_of(count["value"], t, excess), lang, 2))
                 for t in dict.fromkeys((math.floor(f["implied"]), math.ceil(f["implied"])))
                 if t > 0]
        return ft("no_whole_target", lang, pct=_shown(pct, lang), count=n(count["value"]),
                  tries=", ".join(tries), implied=fmt_num(f["implied"], lang, 1))
    if kind in ("percent_mismatch", "truncated_percent") and count is not None \
            and pct is not None and _target_row(rows) is not None:
        target = _target_row(rows)
        return ft(kind, lang, count=n(count["value"]), target=n(target["value"]),
                  actual=fmt_pct(f["implied"], lang, 2), pct=_shown(pct, lang))
    if kind == "near_common_target" and count is not None and pct is not None:
        excess = pct["measure"] == "excess_pct"
        implied_t = count["value"] / (1 + f["reported"] / 100 if excess else f["reported"] / 100)
        common = count["value"] / (1 + f["implied"] / 100 if excess else f["implied"] / 100)
        return ft("near_common_target", lang, count=n(count["value"]), share=_share(pct, lang),
                  implied=fmt_num(implied_t, lang, 1), common=n(common),
                  actual=fmt_pct(f["implied"], lang, 2), pct=_shown(pct, lang),
                  year=str(f["period"]))
    if kind == "conflicting_reports" and rows:
        values = "; ".join(f"{_shown(r, lang)} ({r['source_id']})" for r in rows)
        tail = ft("conflict_warning" if f["severity"] == "warning" else "conflict_info", lang)
        return ft("conflicting_reports", lang, measure=_measure(f["measure"], lang),
                  values=values) + tail
    if kind == "part_exceeds_whole" and len(rows) >= 2:
        a, b = rows[0], rows[1]
        return ft("part_exceeds_whole", lang, measure=_measure(a["measure"], lang),
                  pa=_span(a, lang), a=_shown(a, lang), pb=_span(b, lang), b=_shown(b, lang))
    if kind == "cumulative_vs_years" and rows:
        diff = f["difference"]
        verdict = ft("consistent", lang) if missing(diff) or abs(diff) < 0.5 else \
            ft("differs", lang, d=n(abs(diff)))
        return ft("cumulative_vs_years", lang, total=n(f["reported"]),
                  period=period_text(f["period"], lang),
                  parts=" + ".join(n(r["value"]) for r in rows[1:]), sum=n(f["implied"]),
                  verdict=verdict)
    if kind == "annual_vs_term" and _target_row(rows) is not None:
        return ft("annual_vs_term", lang, sum=n(f["implied"]), term=_shown(rows[0], lang))
    if kind == "target_layers" and rows:
        listed = "; ".join(f"{text('layer:' + str(r['layer']), lang)} {_shown(r, lang)}"
                           for r in rows)
        return ft("target_layers", lang, n=len(rows), period=period_text(f["period"], lang),
                  listed=listed)
    if kind == "unpaired_percent" and pct is not None:
        return ft("unpaired_percent", lang, pct=_shown(pct, lang))
    return None


def _span(row: pd.Series, lang: str) -> str:
    start, end = row.get("period_start"), row.get("period_end")
    if missing(start):
        return fmt_date(end, lang)
    return f"{fmt_date(start, lang)} – {fmt_date(end, lang)}"


def finding_text(f: pd.Series, lang: str, figures: Figures) -> str:
    """One finding as a line: ``kind (period): what it says``, in ``lang``."""
    check_lang(lang)
    rows = figures.of(f["figures"])
    body = _body(f, rows, lang)
    if body is None:  # a kind (or a figure) this layer does not know: the audit's words
        body = ft("english", lang, v=str(f["explanation"]))
    else:
        approx = [r for r in rows if str(r.get("qualifier", "exact")) not in ("exact", "")]
        if approx and bool(f.get("approximate", False)):
            body += ft("approximate", lang, v="; ".join(_shown(r, lang) for r in approx))
        if any(str(r.get("corrected_from", "") or "") for r in rows):
            body += ft("corrected", lang)
    key = f"kind:{f['kind']}"
    kind = ft(key, lang) if key in STRINGS else str(f["kind"])
    return ft("line", lang, kind=kind, period=period_text(f["period"], lang), text=body)


def findings_lines(findings: pd.DataFrame, lang: str, dataset) -> list[str]:
    """Every finding of a table as a line in ``lang`` (in the table's order)."""
    figures = Figures(dataset)
    return [finding_text(f, lang, figures) for _, f in findings.iterrows()]
