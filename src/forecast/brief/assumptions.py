"""The assumptions as the brief prints them: in plain words with their ids,
and as a table with the names used in configuration files.

Ids come from ``docs/assumptions.md`` (:data:`forecast.brief.text.ASSUMPTION_IDS`,
checked against the document by a test); values from
:meth:`forecast.config.Assumptions.as_dict`, with the within-year profile
spelled out when it was estimated from the data.
"""

from __future__ import annotations

import pandas as pd

from forecast.brief.doc import Table
from forecast.brief.text import ASSUMPTION_IDS, assumption_meaning, t
from forecast.config import Assumptions
from forecast.labels import fill, fmt_date, fmt_figure, fmt_int, fmt_pct, fmt_prob

PHRASES: dict[str, dict[str, str]] = {
    "term_start": {"vi": "nhiệm kỳ tính từ ngày {day} của năm đầu",
                   "en": "a term counts from {day} of its first year"},
    "term_end": {"vi": "hạn chỉ tiêu nhiệm kỳ là ngày {day} của năm cuối",
                 "en": "a term target's deadline is {day} of its last year"},
    "pace": {
        "vi": "\u201cđúng tiến độ\u201d khi nhịp đã đạt bằng {on} lần nhịp cần trở lên, \u201ctiến độ hạn chế\u201d khi dưới {limited} lần",
        "en": "\u201con track\u201d at {on} times the pace needed or more, \u201climited progress\u201d below {limited} times"},
    "profile": {
        "vi": "nhịp kết nạp trong năm ({how}): đến 30/6 đạt {june}, đến 30/9 đạt {sept} số kết nạp cả năm",
        "en": "within-year profile ({how}): {june} of a year's admissions by 30 June, {sept} by 30 Sept"},
    "profile_estimated": {"vi": "ước lượng từ số liệu", "en": "estimated from the data"},
    "profile_given": {"vi": "cho trước", "en": "given"},
    "conversion": {
        "vi": "kết nạp được {intro} số quần chúng được giới thiệu và {trained} số người học lớp nhận thức về Đảng",
        "en": "{intro} of introduced candidates and {trained} of awareness-class attendees are admitted"},
    "p_level": {"vi": "phần \u201ccần làm gì\u201d nhắm tới {p} khả năng đạt",
                "en": "\u201cwhat it would take\u201d aims at a chance of {p}"},
    "paths": {"vi": "{n} đường mô phỏng, hạt giống ngẫu nhiên {seed}",
              "en": "{n} simulated paths, random seed {seed}"},
    "push_off": {"vi": "không tính nước rút cuối kỳ", "en": "no final push"},
    "push_on": {"vi": "tổng cuối kỳ thiếu dưới {band} chỉ tiêu được bù kịp với khả năng {share}",
                "en": "a final total short by less than {band} of the target is closed with chance {share}"},
    "push_estimated": {"vi": "ước lượng", "en": "estimated"},
    "rate_latest": {"vi": "chỉ tiêu theo % đảng viên tính trên số đảng viên báo cáo gần nhất",
                    "en": "a target as a share of members uses the latest membership reported"},
    "rate_other": {"vi": "chỉ tiêu theo % đảng viên tính trên số đảng viên: {v}",
                   "en": "a target as a share of members uses membership: {v}"},
    "latest": {"vi": "số báo cáo gần nhất", "en": "latest reported"},
}
"""The assumptions in words; :func:`_p` fills the fields."""


def _p(key: str, lang: str, **fields: object) -> str:
    return fill(PHRASES, key, lang, "assumption", "forecast.brief.assumptions.PHRASES", **fields)


def _day(mm_dd: str, lang: str) -> str:
    """``09-30`` → ``30/9`` (vi), ``30 Sept`` (en)."""
    day = fmt_date(pd.Timestamp(f"2001-{mm_dd}"), lang)
    return day.rsplit("/", 1)[0] if lang == "vi" else day.rsplit(" ", 1)[0]


def _profile(assumptions: Assumptions, profile) -> tuple[list[float], bool]:
    given = assumptions.within_year_profile
    return list(given if given is not None else profile), given is None


def assumption_values(assumptions: Assumptions, profile, lang: str) -> dict[str, str]:
    """Field name → value as printed in ``lang``.

    Parameters
    ----------
    assumptions : Assumptions
    profile : sequence of 12 floats
        The within-year profile the model used (shown when the assumption is
        ``None``, i.e. estimated).
    lang : {"vi", "en"}
    """
    out = {}
    for k, v in assumptions.as_dict().items():
        if k == "within_year_profile":
            prof, estimated = _profile(assumptions, profile)
            shown = ", ".join(fmt_pct(100 * x, lang, 0) for x in prof)
            out[k] = f"{t('estimated', lang)}: {shown}" if estimated else shown
        elif k in ("term_start", "term_end"):
            out[k] = _day(v, lang)
        elif k == "seed":
            out[k] = str(v)
        elif k == "rate_target_members":
            out[k] = _p("latest", lang) if v == "latest" else str(v)
        elif k == "push_share" and v is None:
            out[k] = _p("push_estimated", lang)
        elif isinstance(v, bool) or isinstance(v, str):
            out[k] = str(v)
        elif isinstance(v, int):
            out[k] = fmt_int(v, lang)
        elif isinstance(v, float):
            out[k] = fmt_figure(round(v, 3), lang)
        else:
            out[k] = str(v)
    return out


def assumptions_table(values: dict[str, str], lang: str) -> Table:
    """Id, configuration name, value and meaning of every assumption."""
    rows = [[ASSUMPTION_IDS.get(k, "–"), k, v, assumption_meaning(k, lang)]
            for k, v in values.items()]
    return Table([t(c, lang) for c in ("col_id", "col_field", "col_value", "col_meaning")], rows)


def unit_assumption_line(assumptions: Assumptions, profile, conversion, lang: str) -> str:
    """The assumptions behind a unit's numbers, in words, each with its id:
    ``A1 nhiệm kỳ tính từ ngày 1/1 của năm đầu; A2 ...``.

    ``conversion`` is a :class:`forecast.simulate.funnel.Conversion`: the unit's
    reported rates where its data give them, else the defaults (A5).
    """
    a = assumptions
    prof, estimated = _profile(a, profile)
    rate = _p("rate_latest", lang) if a.rate_target_members == "latest" else \
        _p("rate_other", lang, v=a.rate_target_members)
    parts = [
        ("term_start", _p("term_start", lang, day=_day(a.term_start, lang))),
        ("term_end", _p("term_end", lang, day=_day(a.term_end, lang))),
        ("pace_on_track", _p("pace", lang, on=fmt_figure(a.pace_on_track, lang),
                             limited=fmt_figure(a.pace_limited, lang))),
        ("within_year_profile", _p(
            "profile", lang, how=_p("profile_estimated" if estimated else "profile_given", lang),
            june=fmt_pct(100 * prof[5], lang, 0), sept=fmt_pct(100 * prof[8], lang, 0))),
        ("conversion_introduced", _p(
            "conversion", lang, intro=fmt_pct(100 * conversion.introduced, lang, 1),
            trained=fmt_pct(100 * conversion.trained, lang, 1))),
        ("p_level", _p("p_level", lang, p=fmt_prob(a.p_level, lang))),
        ("n_paths", _p("paths", lang, n=fmt_int(a.n_paths, lang), seed=a.seed)),
        ("rate_target_members", rate),
        ("push_share", _p("push_off", lang) if a.push_share == 0 else _p(
            "push_on", lang, band=fmt_pct(100 * a.push_band, lang, 0),
            share=_p("push_estimated", lang) if a.push_share is None
            else fmt_prob(a.push_share, lang))),
    ]
    return "; ".join(f"{ASSUMPTION_IDS[k]} {phrase}" for k, phrase in parts) + "."
