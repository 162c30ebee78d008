"""Chart text in Vietnamese and English from one ``lang`` parameter.

Numbers follow each language's print convention: Vietnamese groups thousands
with ``.`` and writes decimals with ``,`` (1.252; 83,5 %); English does the
reverse (1,252; 83.5 %). A no-break space sits between a number and ``%`` so
a wrapped title never leaves the sign alone on a line.

Every string a chart shows comes from :data:`STRINGS` through :func:`text`,
so the two languages cannot drift apart silently (a test checks that every
key has both).
"""

from __future__ import annotations

import math
import pandas as pd

from forecast.errors import ConfigError

LANGS = ("vi", "en")
NBSP = "\u00a0"
MINUS = "\u2212"

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "June", "July", "Aug", "Sept",
              "Oct", "Nov", "Dec")


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is supported, else raise :class:`ConfigError`."""
    if lang not in LANGS:
        raise ConfigError(
            f"language {lang!r} is not supported; expected 'vi' or 'en'. "
            "Fix: pass lang='vi' for Vietnamese or lang='en' for English."
        )
    return lang


def missing(x: object) -> bool:
    """True for a value with nothing to print: None, NaN, NaT, NA, an infinity
    or a blank string (a missing date in a table read from CSV)."""
    if x is None or x is pd.NaT or (isinstance(x, str) and not x.strip()):
        return True
    try:
        return not math.isfinite(float(x))
    except (TypeError, ValueError):
        return bool(pd.isna(x))


def fmt_num(x: float, lang: str, decimals: int = 0) -> str:
    """Format a number with the language's separators.

    Examples
    --------
    >>> fmt_num(1252, "vi"), fmt_num(1252, "en"), fmt_num(89.96, "vi", 2)
    ('1.252', '1,252', '89,96')
    """
    check_lang(lang)
    if missing(x):
        return "–"
    s = f"{abs(float(x)):,.{decimals}f}"
    if lang == "vi":
        s = s.replace(",", "\0").replace(".", ",").replace("\0", ".")
    # Rounding can turn -0.04 into "0.0": no sign on a zero.
    negative = float(x) < 0 and any(c not in "0.,"for c in s)
    return (MINUS if negative else "") + s


def fmt_int(x: float, lang: str) -> str:
    """A count, rounded to a whole number: 1.252 (vi), 1,252 (en)."""
    return fmt_num(x, lang, 0)


def fmt_pct(x: float, lang: str, decimals: int = 1) -> str:
    """A percent number (83.5 means 83.5 %): ``83,5 %`` (vi), ``83.5 %`` (en)."""
    return f"{fmt_num(x, lang, decimals)}{NBSP}%"


def fmt_prob(p: float, lang: str, decimals: int = 0) -> str:
    """A probability in 0..1 as a percent (``decimals`` places); ``<1 %`` and
    ``>99 %`` at the ends.

    A Monte Carlo estimate of 0 or 1 means "below/above what the paths can
    resolve", not certainty, so below 0.5 % and above 99.5 % the value is
    written as a bound (the brief's tables use one decimal: ``83,5 %``).
    """
    if missing(p):
        return "–"
    pct = 100 * float(p)
    if pct < 0.5:
        return f"<1{NBSP}%"
    if pct > 99.5:
        return f">99{NBSP}%"
    return fmt_pct(pct, lang, decimals)


def fmt_figure(x: float, lang: str) -> str:
    """A reported figure with the decimals it has (up to two): ``1.252``,
    ``3,5``, ``89,96`` (vi); ``1,252``, ``3.5``, ``89.96`` (en)."""
    if missing(x):
        return "–"
    decimals = next((d for d in (0, 1, 2) if abs(round(float(x), d) - float(x)) < 1e-9), 2)
    return fmt_num(x, lang, decimals)


def fmt_target(qualifier: object, low: float, high: float, value: float, lang: str,
               percent: bool = False) -> str:
    """A target as its source printed it, in the language's number format.

    A range stays a range (``30–35``, not its middle 32,5), a floor is
    "at least" (``ít nhất 7.000``), a rate target is a share of members
    (``ít nhất 3 % số đảng viên``).

    Examples
    --------
    >>> fmt_target("range", 30, 35, 32.5, "vi"), fmt_target("at_least", 7000, None, 7000, "en")
    ('30–35', 'at least 7,000')
    """
    def num(x: float) -> str:
        return fmt_figure(x, lang) + (f"{NBSP}%" if percent else "")

    kind = str(qualifier or "exact")
    if kind == "range" and not missing(low) and not missing(high):
        shown = f"{fmt_figure(low, lang)}–{num(high)}"
    elif kind in ("at_least", "at_most", "approx"):
        bound = high if kind == "at_most" and not missing(high) else \
            (low if not missing(low) else value)
        shown = text(f"qualifier:{kind}", lang, v=num(bound))
    else:
        shown = num(value)
    return text("of_members", lang, v=shown) if percent else shown


def month_name(month: int, lang: str, short: bool = False) -> str:
    """Month for axes: ``T9`` (vi, tháng 9), ``Sept`` (en); ``short``: ``S`` in English.

    The one-letter English form is for narrow axes where twelve names collide.
    """
    check_lang(lang)
    if lang == "vi":
        return f"T{month}"
    return _MONTHS_EN[month - 1][0] if short else _MONTHS_EN[month - 1]


def fmt_month(ts: object, lang: str) -> str:
    """Month and year: ``tháng 9/2025`` (vi), ``Sept 2025`` (en)."""
    t = pd.Timestamp(ts)
    check_lang(lang)
    return f"tháng {t.month}/{t.year}" if lang == "vi" else f"{_MONTHS_EN[t.month - 1]} {t.year}"


def fmt_date(ts: object, lang: str) -> str:
    """A day: ``31/12/2022`` (vi), ``31 Dec 2022`` (en)."""
    t = pd.Timestamp(ts)
    check_lang(lang)
    if lang == "vi":
        return f"{t.day}/{t.month}/{t.year}"
    return f"{t.day} {_MONTHS_EN[t.month - 1]} {t.year}"


STRINGS: dict[str, dict[str, str]] = {
    "source": {"vi": "Nguồn", "en": "Source"},
    "more_sources": {"vi": "và {n} nguồn khác (xem bảng nguồn)",
                     "en": "and {n} more (see the table of sources)"},
    "sources": {"vi": "Nguồn", "en": "Sources"},
    "on track": {"vi": "đúng tiến độ", "en": "on track"},
    "acceleration needed": {"vi": "cần đẩy nhanh", "en": "acceleration needed"},
    "limited progress": {"vi": "tiến độ hạn chế", "en": "limited progress"},
    "reached": {"vi": "đã đạt chỉ tiêu", "en": "target reached"},
    "no data": {"vi": "chưa có số liệu", "en": "no data yet"},
    "no label": {"vi": "chưa xếp loại", "en": "no label"},
    "observed": {"vi": "Đã kết nạp (cộng dồn)", "en": "Admitted (cumulative)"},
    "target": {"vi": "Chỉ tiêu nhiệm kỳ", "en": "Term target"},
    "fan": {"vi": "Dự báo: trung vị, khoảng 50 % và 80 %",
            "en": "Forecast: median, 50 % and 80 % ranges"},
    "median": {"vi": "Dự báo trung vị", "en": "Forecast median"},
    "band80": {"vi": "80 % khả năng", "en": "80 % range"},
    "band50": {"vi": "50 % khả năng", "en": "50 % range"},
    "as_of": {"vi": "Số liệu đến {date}", "en": "Data to {date}"},
    "no_report": {"vi": "Chưa có số kết nạp được báo cáo; dự báo từ {date}",
                  "en": "No admissions reported yet; forecast from {date}"},
    "p_reach_box": {"vi": "Khả năng đạt chỉ tiêu: {p}", "en": "Chance of reaching target: {p}"},
    "members": {"vi": "đảng viên", "en": "members"},
    "qualifier:at_least": {"vi": "ít nhất {v}", "en": "at least {v}"},
    "qualifier:at_most": {"vi": "tối đa {v}", "en": "at most {v}"},
    "qualifier:approx": {"vi": "khoảng {v}", "en": "about {v}"},
    "of_members": {"vi": "{v} số đảng viên", "en": "{v} of members"},
    # Who set a target (targets.csv ``layer``): one unit can have several.
    "layer:resolution": {"vi": "Nghị quyết Đại hội", "en": "congress resolution"},
    "layer:assigned": {"vi": "cấp trên giao", "en": "assigned from above"},
    "layer:plan": {"vi": "kế hoạch", "en": "plan"},
    "layer:own_goal": {"vi": "đơn vị tự đặt", "en": "the unit's own goal"},
    "title_progress": {
        "vi": "{unit}: {p} khả năng kết nạp {target} đảng viên mới đến {deadline}",
        "en": "{unit}: {p} chance of admitting {target} new members by {deadline}",
    },
    # The progress subtitle is "<measure>; <data>": measure by target kind,
    # data part by whether a forecast is drawn.
    "measure_term": {
        "vi": "Số đảng viên kết nạp cộng dồn, nhiệm kỳ {term} ({start} – {end})",
        "en": "New members admitted, cumulative, term {term} ({start} – {end})",
    },
    "measure_annual": {
        "vi": "Số đảng viên kết nạp cộng dồn trong năm {year} ({start} – {end})",
        "en": "New members admitted, cumulative, in {year} ({start} – {end})",
    },
    # At the 85 mm column size the window's dates are left out: the title
    # has the deadline and the x axis the years.
    "measure_term_short": {"vi": "Kết nạp cộng dồn, nhiệm kỳ {term}",
                           "en": "Admitted, cumulative, term {term}"},
    "measure_annual_short": {"vi": "Kết nạp cộng dồn năm {year}",
                             "en": "Admitted, cumulative, {year}"},
    "forecast_from": {"vi": "dự báo từ số liệu đến {as_of}", "en": "forecast from data to {as_of}"},
    "data_to": {"vi": "số liệu đến {as_of}", "en": "data to {as_of}"},
    "title_progress_reached": {
        "vi": "{unit}: đã đạt chỉ tiêu {target} đảng viên mới, kết nạp {cum} đến {as_of}",
        "en": "{unit}: target of {target} new members already reached, {cum} admitted by {as_of}",
    },
    "title_progress_done": {
        "vi": "{unit}: kết nạp {cum} đảng viên, đạt {att} chỉ tiêu {term}",
        "en": "{unit}: {cum} new members admitted, {att} of the {term} target",
    },
    "title_yearly_all": {
        "vi": "{unit}: đạt chỉ tiêu năm {n_met}/{n} năm; cao nhất {best} ({year})",
        "en": "{unit}: annual target met in {n_met} of {n} years; best {best} ({year})",
    },
    "subtitle_yearly": {
        "vi": "Số đảng viên kết nạp mỗi năm, {y0}–{y1}; nhãn: tỷ lệ đạt chỉ tiêu năm",
        "en": "New members admitted per year, {y0}–{y1}; labels: attainment of the annual target",
    },
    "admitted": {"vi": "Đã kết nạp", "en": "Admitted"},
    "annual_target": {"vi": "Chỉ tiêu năm", "en": "Annual target"},
    "reported": {"vi": "báo cáo: {v}", "en": "reported: {v}"},
    "title_portfolio_none": {
        "vi": "Mô hình {model} không dự báo được chỉ tiêu nhiệm kỳ của đơn vị nào trong {n} đơn vị",
        "en": "Model {model} could not forecast the term target of any of the {n} units",
    },
    "title_portfolio": {
        "vi": "{n_likely}/{n} đơn vị có ít nhất {level} khả năng đạt chỉ tiêu nhiệm kỳ",
        "en": "{n_likely} of {n} units have a chance of at least {level} of reaching their term target",
    },
    "subtitle_portfolio": {
        "vi": "Tổng kết nạp cuối nhiệm kỳ dự báo, % chỉ tiêu (điểm: trung vị; vạch: khoảng 80 %, 50 %); số bên phải: khả năng đạt; dữ liệu đến {as_of}",
        "en": "Forecast final total as % of term target (dot: median; bars: 80 % and 50 % ranges); right: chance of reaching it; data to {as_of}",
    },
    "shown_lowest_p": {
        "vi": "Chỉ vẽ {k} đơn vị có khả năng đạt thấp nhất trong {n} đơn vị; bảng liệt kê đủ.",
        "en": "Only the {k} of {n} units with the lowest chance are drawn; the table lists them all.",
    },
    "shown_slowest": {
        "vi": "Chỉ vẽ {k} đơn vị chậm nhất so với nhịp cần đạt trong {n} đơn vị; bảng liệt kê đủ.",
        "en": "Only the {k} of {n} units furthest behind their required pace are drawn; the table lists them all.",
    },
    "final_pct": {"vi": "Tổng cuối nhiệm kỳ, % chỉ tiêu", "en": "Final total, % of target"},
    "p_reach_head": {"vi": "Khả năng", "en": "Chance"},
    "title_pace": {
        "vi": "{n_slow}/{n} đơn vị kết nạp chậm hơn nhịp cần thiết để đạt chỉ tiêu",
        "en": "{n_slow} of {n} units admit more slowly than the pace their target needs",
    },
    "subtitle_pace": {
        "vi": "Số kết nạp mỗi năm: đã đạt bình quân (điểm, màu theo xếp loại) và cần đạt đến cuối nhiệm kỳ (vạch); bên phải: tỷ lệ hai số; dữ liệu đến {as_of}",
        "en": "New members per year: observed average (dot, coloured by label) and required for the rest of the term (bar); right: their ratio; data to {as_of}",
    },
    "pace_reached": {"vi": "đã đạt", "en": "reached"},
    "ratio_head": {"vi": "Tỷ lệ", "en": "Ratio"},
    "observed_pace": {"vi": "Đã đạt bình quân/năm", "en": "Observed per year"},
    "required_pace": {"vi": "Cần đạt mỗi năm", "en": "Required per year"},
    "per_year_log": {"vi": "Đảng viên mỗi năm (thang log)", "en": "Members per year (log scale)"},
    "per_year": {"vi": "Đảng viên mỗi năm", "en": "Members per year"},
    "title_pipeline": {
        "vi": "{unit}: để có {p} khả năng đạt chỉ tiêu cần kết nạp {admitted}/năm, tức giới thiệu {introduced} quần chúng mỗi năm",
        "en": "{unit}: a chance of {p} needs {admitted} admissions a year, i.e. {introduced} candidates introduced a year",
    },
    "subtitle_pipeline": {
        "vi": "Số người cần mỗi năm trong {years} năm còn lại của nhiệm kỳ {term}; tỷ lệ chuyển đổi {conv_i} số được giới thiệu, {conv_t} số học lớp nhận thức",
        "en": "People needed each year over the {years} years left in term {term}; conversion {conv_i} of introduced, {conv_t} of awareness-class attendees",
    },
    "subtitle_pipeline_annual": {
        "vi": "Số người cần, theo nhịp cả năm, trong {years} năm còn lại đến hạn chỉ tiêu năm {year}; tỷ lệ chuyển đổi {conv_i} số được giới thiệu, {conv_t} số học lớp nhận thức",
        "en": "People needed at a yearly pace over the {years} years left to the {year} annual target; conversion {conv_i} of introduced, {conv_t} of awareness-class attendees",
    },
    "introduced": {"vi": "Giới thiệu", "en": "Introduced"},
    "trained": {"vi": "Học lớp nhận thức về Đảng", "en": "Awareness class"},
    "admitted_needed": {"vi": "Kết nạp cần đạt", "en": "Admitted (needed)"},
    "observed_rate": {"vi": "bình quân đã đạt: {v}/năm", "en": "observed: {v} a year"},
    "title_nowcast": {
        "vi": "{unit}: đến {month} đạt {share} chỉ tiêu năm, so với {expected} theo nhịp thông thường",
        "en": "{unit}: {share} of the annual target by {month}, against {expected} on the usual profile",
    },
    "subtitle_nowcast": {
        "vi": "Số kết nạp cộng dồn trong năm {year}, % chỉ tiêu năm; đường: tỷ lệ cộng dồn thông thường theo tháng",
        "en": "New members admitted in {year} to date, % of the annual target; line: usual cumulative share by month",
    },
    "profile": {"vi": "Nhịp thông thường (đạt đúng chỉ tiêu)", "en": "Usual profile (meets the target)"},
    "reported_points": {"vi": "Số báo cáo", "en": "Reported"},
    "nowcast_range": {"vi": "Dự báo cả năm từ số đến {date} (khoảng 80 %)",
                      "en": "Full-year nowcast from the count to {date} (80 % range)"},
    "pct_annual": {"vi": "% chỉ tiêu năm", "en": "% of annual target"},
    "title_multiples": {
        "vi": "{parent}: {n_likely}/{n} đơn vị trực thuộc có ít nhất {level} khả năng đạt chỉ tiêu",
        "en": "{parent}: {n_likely} of {n} member units have a chance of at least {level} of reaching their target",
    },
    "subtitle_multiples": {
        "vi": "Số kết nạp cộng dồn, % chỉ tiêu nhiệm kỳ (cùng thang); dải: khoảng dự báo 80 % và 50 %; đường đứt: chỉ tiêu; số sau tên: khả năng đạt; dữ liệu đến {as_of}",
        "en": "Cumulative admissions, % of term target (shared scale); bands: 80 % and 50 % forecast ranges; dashed: target; after each name: chance of reaching it; data to {as_of}",
    },
    "pct_term": {"vi": "% chỉ tiêu nhiệm kỳ", "en": "% of term target"},
    "scenario": {"vi": "Kịch bản: {name}", "en": "Scenario: {name}"},
    "deterministic": {"vi": "{name} (không nhiễu)", "en": "{name} (no noise)"},
    "alt_progress": {
        "vi": "Biểu đồ đường. {title}. Đến {as_of} đã kết nạp {cum} so với chỉ tiêu {target}. Dự báo tổng đến {deadline}: trung vị {q50}, khoảng 80 % từ {q10} đến {q90}; khả năng đạt chỉ tiêu {p}.",
        "en": "Line chart. {title}. By {as_of}, {cum} admitted against a target of {target}. Forecast total by {deadline}: median {q50}, 80 % range {q10} to {q90}; chance of reaching the target {p}.",
    },
    "alt_multiples": {
        "vi": "Các biểu đồ nhỏ cùng thang. {title}. {n} đơn vị, theo khả năng đạt chỉ tiêu: {units}.",
        "en": "Small multiples on a shared scale. {title}. {n} units, by chance of reaching the target: {units}.",
    },
    "alt_portfolio": {
        "vi": "Biểu đồ điểm xếp hạng {n} đơn vị. {title}. Khả năng đạt chỉ tiêu từng đơn vị: {listing}.",
        "en": "Dot chart ranking {n} units. {title}. Chance of reaching the target by unit: {listing}.",
    },
    "alt_pace": {
        "vi": "Biểu đồ quả tạ. {title}. Đã đạt bình quân / cần đạt mỗi năm: {listing}.",
        "en": "Dumbbell chart. {title}. Observed / required per year: {listing}.",
    },
    "alt_yearly": {
        "vi": "Biểu đồ cột. {title}. Số kết nạp theo năm (tỷ lệ đạt chỉ tiêu năm): {listing}.",
        "en": "Bar chart. {title}. Admissions by year (attainment of the annual target): {listing}.",
    },
    "alt_nowcast": {
        "vi": "Biểu đồ đường và điểm. {title}. Số báo cáo trong năm: {listing}.",
        "en": "Line and point chart. {title}. Reported in the year: {listing}.",
    },
    "alt_pipeline": {
        "vi": "Biểu đồ thanh ngang. {title}. Mỗi năm cần giới thiệu {introduced}, cho học lớp nhận thức {trained} và kết nạp {admitted}.",
        "en": "Horizontal bar chart. {title}. Each year: {introduced} introduced, {trained} in the awareness class, {admitted} admitted.",
    },
    # The named scenarios; "Kịch bản: ..." / "Scenario: ..." is put around
    # them by forecast.figures.progress.scenario_name except in narrow legends.
    "scen:last": {"vi": "giữ tỷ lệ đạt năm gần nhất", "en": "last year's attainment"},
    "scen:mean": {"vi": "tỷ lệ đạt bình quân", "en": "mean attainment"},
    "scen:trend": {"vi": "theo xu hướng gần đây", "en": "recent trend"},
    "scen:full": {"vi": "đạt 100 % chỉ tiêu năm", "en": "100 % of annual targets"},
}
"""Every chart string. Formatting fields are filled by :func:`text`."""


def fill(strings: dict, key: str, lang: str, kind: str, table: str, /,
         **fields: object) -> str:
    """``strings[key][lang]`` with ``fields`` filled in and ``%`` bound to its number.

    ``kind`` ("chart", "brief") and ``table`` (its dotted name) are for the
    error message. The charts (:func:`text`) and the brief
    (:func:`forecast.brief.text.t`) each look up their own table through this.
    """
    check_lang(lang)
    try:
        template = strings[key][lang]
    except KeyError:
        raise ConfigError(
            f"{kind} text {key!r} has no {lang!r} version; expected a key of {table} "
            "with 'vi' and 'en'. Fix: add it there."
        ) from None
    return template.format(**fields).replace(" %", f"{NBSP}%")


def text(key: str, lang: str, **fields: object) -> str:
    """The chart string ``key`` in ``lang``, with ``fields`` filled in."""
    return fill(STRINGS, key, lang, "chart", "forecast.labels.STRINGS", **fields)


def label_text(label: object, lang: str) -> str:
    """The pace label in ``lang`` (``on track`` → ``đúng tiến độ``)."""
    key = str(label) if str(label) in STRINGS else "no label"
    return text(key, lang)



def fit_source_line(line: str, lang: str, max_items: int = 6) -> str:
    """Shorten a long source line to its first ``max_items`` sources.

    A portfolio over many units can cite dozens of sources; the chart keeps
    the first few and says how many more there are (the brief and the tables
    list them all). The line is expected as ``Label: a; b; c.`` (the form of
    ``Dataset.source_line``); anything else is returned unchanged.
    """
    head, sep, body = str(line).partition(": ")
    if not sep:
        return str(line)
    items = body.rstrip(".").split("; ")
    if len(items) <= max_items:
        return str(line)
    rest = text("more_sources", lang, n=len(items) - max_items)
    return f"{head}: {'; '.join(items[:max_items])}; {rest}."
