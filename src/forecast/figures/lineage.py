"""A merged unit's history: its predecessors' yearly admissions, stacked."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from forecast.errors import ForecastError
from forecast.figures.frame import Chart, add_legend, finish, new_figure
from forecast.figures.style import GREY_BAR, OKABE_ITO, font_size, use_style
from forecast.labels import fmt_date, fmt_int

PREDECESSOR_COLORS = (OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["green"],
                      OKABE_ITO["purple"], OKABE_ITO["sky_blue"])

STRINGS = {
    "title": {"vi": "{unit}: lịch sử kết nạp của {n} đơn vị tiền thân trước {date}",
              "en": "{unit}: admissions of its {n} predecessors before {date}"},
    "subtitle": {"vi": "Số đảng viên kết nạp mỗi năm, cộng theo đơn vị tiền thân, {y0}–{y1}",
                 "en": "New members admitted per year, stacked by predecessor, {y0}–{y1}"},
    "missing": {"vi": "thiếu số liệu một đơn vị tiền thân, tổng chỉ là mức tối thiểu",
                "en": "a predecessor has no figures, so totals are only floors"},
    "no_figures": {"vi": "{name}: không có số liệu", "en": "{name}: no figures"},
    "alt": {"vi": "{title}. Mỗi cột là một năm, chia theo đơn vị tiền thân: {listing}.",
            "en": "{title}. One bar a year, split by predecessor: {listing}."},
}
"""The chart's strings in both languages (only this chart uses them)."""


def predecessor_history(history: pd.DataFrame, unit_id: str, *, names: dict, event_date,
                        source_line: str, lang: str = "vi", size: str = "column") -> Chart:
    """Yearly admissions of a successor's predecessors, one colour each, stacked.

    Parameters
    ----------
    history : DataFrame
        ``Dataset.history`` (:data:`forecast.data.lineage.HISTORY_COLUMNS`).
    unit_id : str
        The successor.
    names : dict
        ``unit_id`` → name in ``lang``, for the successor and its predecessors.
    event_date : date-like
        Date of the event that formed the successor.
    source_line, lang, size
        See :func:`forecast.figures.progress_to_target`.

    Returns
    -------
    Chart
        Whole calendar years only; a predecessor without a figure for a year
        is named under the chart, and such a year's total is a floor.
    """
    h = history[(history["unit_id"] == unit_id) & (history["measure"] == "admitted")]
    years = h[(h["period_start"].dt.month == 1) & (h["period_start"].dt.day == 1)
              & (h["period_end"].dt.month == 12) & (h["period_end"].dt.day == 31)
              & (h["period_start"].dt.year == h["period_end"].dt.year)]
    if years.empty:
        raise ForecastError(
            f"predecessor history of {unit_id}: no whole-year admission figure of any "
            "predecessor; expected at least one. Fix: add yearly 'admitted' observations "
            "for the predecessors named in lineage.csv.")
    table = years.assign(year=years["period_end"].dt.year).pivot_table(
        index="year", columns="predecessor_id", values="value", aggfunc="first")
    preds = list(dict.fromkeys(history.loc[history["unit_id"] == unit_id, "predecessor_id"]))
    missing = sorted({m for ms in years["missing"] for m in str(ms).split(", ") if m})
    shown = [p for p in preds if p in table.columns]
    date = fmt_date(pd.Timestamp(event_date), lang)
    title = STRINGS["title"][lang].format(unit=names.get(unit_id, unit_id),
                                          n=len(set(preds) | set(missing)), date=date)
    subtitle = STRINGS["subtitle"][lang].format(y0=table.index.min(), y1=table.index.max())
    if missing:
        # Readers must not take a floor for the merged unit's total.
        subtitle += "; " + STRINGS["missing"][lang]
    labels = [names.get(p, p) for p in shown]
    labels += [STRINGS["no_figures"][lang].format(name=names.get(m, m)) for m in missing]
    with use_style(size) as fs:
        fig, ax = new_figure(fs, title=title, subtitle=subtitle, source=source_line, lang=lang,
                             legend_labels=labels, legend_ncols=1)
        x = table.index.to_numpy()
        bottom = np.zeros(len(x))
        handles = []
        for i, p in enumerate(shown):
            v = table[p].fillna(0).to_numpy(dtype=float)
            handles.append(ax.bar(x, v, bottom=bottom, width=0.62, gid=f"pred-{p}",
                                  color=PREDECESSOR_COLORS[i % len(PREDECESSOR_COLORS)]))
            for xi, b, vi in zip(x, bottom, v):
                if vi > 0:
                    ax.text(xi, b + vi / 2, fmt_int(vi, lang), ha="center", va="center",
                            color="white", fontsize=font_size("note", fs))
            bottom += v
        handles += [Patch(facecolor="white", edgecolor=GREY_BAR, hatch="///") for _ in missing]
        ax.set_ylim(0, bottom.max() * 1.3)
        ax.set_xticks(x, [str(y) for y in x])
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_int(v, lang)))
        ax.yaxis.set_major_locator(MaxNLocator(5))
        add_legend(fig, handles)
    listing = "; ".join(f"{y}: " + ", ".join(f"{names.get(p, p)} {fmt_int(table.at[y, p], lang)}"
                                              for p in shown if not np.isnan(table.at[y, p]))
                        for y in x)
    return finish(fig, title, STRINGS["alt"][lang].format(title=title, listing=listing))
