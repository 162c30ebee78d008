"""Progress to target: one unit's fan chart, and the fan pieces the small multiples
(:mod:`forecast.figures.multiples`) draw with."""

from __future__ import annotations

from typing import Any

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from forecast.errors import ForecastError
from forecast.figures.base import localized, path_for, select_rows, unit_target_kind
from forecast.figures.frame import Chart, add_legend, after_layout, finish, new_figure, place_clear
from forecast.labels import STRINGS, fmt_date, fmt_int, fmt_pct, fmt_prob, month_name, text
from forecast.simulate.scenarios import DETERMINISTIC_SUFFIX
from forecast.figures.style import (ASOF, BAND_50, BAND_80, FORECAST, HISTORY, MUTED, SCENARIO_STYLES, TARGET,
                    font_size, use_style)

QUANTILES = ("q10", "q25", "q50", "q75", "q90")


def history_frame(ps: Any, start: pd.Timestamp) -> pd.DataFrame:
    """Observed cumulative points, starting from zero at the term start."""
    h = ps.history.copy()
    h["period_end"] = pd.to_datetime(h["period_end"])
    h = h.sort_values("period_end")[["period_end", "cumulative"]]
    if h.empty or h["period_end"].iloc[0] > start:
        h = pd.concat([pd.DataFrame({"period_end": [start], "cumulative": [0.0]}), h])
    return h.reset_index(drop=True)


def quantile_frame(ps: Any) -> pd.DataFrame:
    q = ps.cum_quantiles.copy()
    q.index = pd.to_datetime(q.index)
    missing = [c for c in QUANTILES if c not in q.columns]
    if missing:
        raise ForecastError(
            f"PathSummary.cum_quantiles lacks column(s) {', '.join(missing)}; expected "
            f"{', '.join(QUANTILES)}. Fix: keep those quantiles in the engine's path summary."
        )
    return q.sort_index()


def scenario_name(name: str, lang: str, short: bool = False) -> str:
    """A scenario's name for a legend or a table (translated where the labels know it).

    ``last-deterministic`` (the engine's noise-free line of scenario ``last``)
    becomes "Scenario: last year's attainment (no noise)"; ``short`` gives
    "Last year's attainment", for the narrow legend of a column-wide chart.
    """
    base = name[: -len(DETERMINISTIC_SUFFIX)] if name.endswith(DETERMINISTIC_SUFFIX) else name
    key = f"scen:{base}"
    label = text(key, lang) if key in STRINGS else base
    if short:
        return label[:1].upper() + label[1:]
    label = text("scenario", lang, name=label)
    return text("deterministic", lang, name=label) if base != name else label


def _legend_name(name: str, lang: str, narrow: bool) -> str:
    """A scenario line in the legend: "Scenario: mean attainment", or just
    "Mean attainment" in a narrow legend. Whether the line is the noise-free
    variant is left to docs/figures.md and the tables: a reader sees no
    difference in a median line."""
    base = name[: -len(DETERMINISTIC_SUFFIX)] if name.endswith(DETERMINISTIC_SUFFIX) else name
    return scenario_name(base, lang, short=narrow)


def draw_fan(ax: Any, q: pd.DataFrame, lw: float = 1.4) -> None:
    x = q.index.to_numpy()
    ax.fill_between(x, q["q10"], q["q90"], color=BAND_80, lw=0,
                    gid="band80", zorder=1)
    ax.fill_between(x, q["q25"], q["q75"], color=BAND_50, lw=0,
                    gid="band50", zorder=2)
    ax.plot(x, q["q50"], color=FORECAST, lw=lw, gid="median", zorder=4)


def year_axis(ax: Any, start: pd.Timestamp, end: pd.Timestamp, lang: str | None = None) -> None:
    """Years on the x axis; a window of two years or less (an annual target)
    gets quarters instead (``T1 2021, T4, T7, T10`` / ``Jan 2021, Apr, July, Oct``),
    else it would show only its two ends."""
    ax.set_xlim(start - pd.Timedelta(days=20), end + pd.Timedelta(days=20))
    if lang is not None and (end - start).days <= 731:
        ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))

        def quarter(v: float, _: Any) -> str:
            d = mdates.num2date(v)
            name = month_name(d.month, lang)
            return f"{name}\n{d.year}" if d.month == 1 else name

        ax.xaxis.set_major_formatter(FuncFormatter(quarter))
        return
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))


def _forecast_part(q: pd.DataFrame, hist: pd.DataFrame) -> pd.DataFrame:
    """The fan: quantiles from the last reported point on.

    The engine's summary starts at that point already (its anchor row,
    :func:`forecast.simulate.summary.anchored_quantiles`); a hand-made summary without
    that row starts at its first later date. Nothing to draw when no quantile
    lies after the last report.
    """
    later = q[q.index >= hist["period_end"].iloc[-1]]
    return later if (later.index > hist["period_end"].iloc[-1]).any() else later.iloc[0:0]


def chance_spots(start: pd.Timestamp, target: float) -> list[dict]:
    """Where the chance label may go, best first: the lower right corner (a
    cumulative line rises to the right, so it is usually empty there), just
    under the target line at the left, the upper left corner, the lower left."""
    axes = {"xycoords": "axes fraction", "textcoords": "offset points"}
    return [
        {"xy": (1.0, 0.0), "xytext": (-3, 3), "ha": "right", "va": "bottom", **axes},
        {"xy": (start, target), "xycoords": "data", "xytext": (3, -4), "ha": "left",
         "va": "top"},
        {"xy": (0.0, 1.0), "xytext": (3, -3), "ha": "left", "va": "top", **axes},
        {"xy": (0.5, 0.0), "xytext": (0, 3), "ha": "center", "va": "bottom", **axes},
    ]


def _target_and_chance(ax: Any, fs: Any, lang: str, row: pd.Series, start: pd.Timestamp,
                       target: float, shown: str, p: str | None) -> None:
    """The target line with its label above it at the left, and the chance,
    placed once the layout is final where it touches no line or band."""
    ax.hlines(target, start, pd.Timestamp(row["deadline"]), color=TARGET, ls=(0, (4, 2)),
              lw=1.2 * fs.font_scale, gid="target", zorder=3)
    name = text("target" if row["target_kind"] == "term" else "annual_target", lang)
    ax.annotate(f"{name}: {shown}", (start, target), xytext=(3, 2),
                textcoords="offset points", ha="left", va="bottom", color=TARGET,
                fontsize=font_size("annotation", fs), gid="target_label")
    if p is None:
        return
    box = text("p_reach_box", lang, p=p)
    if fs.name == "column":
        box = box.replace(": ", ":\n")
    label = ax.annotate(box, (start, target), xytext=(3, -4), textcoords="offset points",
                        ha="left", va="top", fontsize=font_size("body", fs),
                        fontweight="bold", color=FORECAST, gid="p_reach", linespacing=1.15,
                        zorder=6)
    label.set_in_layout(False)
    after_layout(ax.figure, lambda: place_clear(ax, label, chance_spots(start, target)))


def _as_of_line(ax: Any, fs: Any, lang: str, as_of: pd.Timestamp, start: pd.Timestamp,
               end: pd.Timestamp, reported: bool = True) -> None:
    """The as-of line, labelled just above the plot area where no data can be.

    When the data date is the window's first days (nothing reported yet, as
    Nhơn Sơn for 2020–2025) a line there would lie on the y axis and over the
    fan's first point: no line, and the label starts at the plot's left edge
    saying that nothing has been reported.
    """
    share = (as_of - start) / (end - start)
    label = text("as_of" if reported else "no_report", lang, date=fmt_date(as_of, lang))
    if share < 0.02:
        ax.annotate(label, (0.0, 1.0), xycoords="axes fraction", xytext=(0, 2),
                    textcoords="offset points", ha="left", va="bottom", color=MUTED,
                    fontsize=font_size("note", fs), gid="as_of_label")
        return
    ax.axvline(as_of, color=ASOF, ls=":", lw=0.9 * fs.font_scale, gid="as_of", zorder=3)
    ha = "left" if share < 0.3 else ("right" if share > 0.7 else "center")
    ax.annotate(label, (as_of, 1.0),
                xycoords=("data", "axes fraction"), xytext=(0, 2), textcoords="offset points",
                ha=ha, va="bottom", color=MUTED, fontsize=font_size("note", fs),
                gid="as_of_label")


def progress_to_target(
    outlook: Any,
    unit_id: str,
    *,
    source_line: str,
    lang: str = "vi",
    size: str = "column",
    target_id: str | None = None,
    model: str | None = None,
    scenario: str | None = None,
    scenarios: list[str] | None = None,
    names: dict | None = None,
    target_text: str | None = None,
) -> Chart:
    """Cumulative admissions against the term target, with the forecast fan.

    Parameters
    ----------
    outlook : Outlook
        Object with ``.table`` (OUTLOOK_COLUMNS) and ``.paths`` (PathSummary
        per (unit_id, target_id, model, scenario)).
    unit_id : str
    source_line : str
        From ``Dataset.source_line(ids, lang)``.
    lang : {"vi", "en"}
    size : {"column", "page", "slide"}
    target_id : str, optional
        Which target; default the unit's term target with the latest deadline,
        or its annual target when it has no term target.
    model : str, optional
        Default: the outlook's most common model.
    scenario : str, optional
        Scenario whose fan is drawn; default the fitted model's.
    scenarios : list of str, optional
        Other scenarios drawn as median lines; default all others in the table.
    names : dict, optional
        ``unit_id`` → name in ``lang``; default the outlook's names for ``lang``
        (:func:`forecast.figures.base.localized`).
    target_text : str, optional
        The target as its source printed it (``30–35``, ``ít nhất 7.000``),
        shown in the title and on the target line instead of the count the
        forecast uses (the line is drawn at that count: 32,5).

    Returns
    -------
    Chart
    """
    table = localized(outlook.table, lang, names)
    rows = table[table["unit_id"] == unit_id]
    if target_id is not None:
        rows = rows[rows["target_id"] == target_id]
        kind = rows["target_kind"].iloc[0] if len(rows) else "term"
    else:
        kind = unit_target_kind(table, unit_id)
    row = select_rows(rows if len(rows) else table, target_kind=kind, model=model,
                      scenario=scenario, unit_ids=[unit_id]).iloc[0]
    start, end = pd.Timestamp(row["start"]), pd.Timestamp(row["deadline"])
    as_of = pd.Timestamp(row["as_of"])
    ps = path_for(outlook.paths, row)
    hist, q = history_frame(ps, start), quantile_frame(ps)
    same = rows[(rows["target_id"] == row["target_id"]) & (rows["model"] == row["model"])]
    # Scenarios the engine kept no paths for are left out (nothing to draw).
    others = [s for s in dict.fromkeys(same["scenario"].astype(str)) if s != row["scenario"]
              and (row["unit_id"], row["target_id"], row["model"], s) in outlook.paths]
    if scenarios is not None:
        others = [s for s in scenarios if s in others]
    elif any(s.endswith(DETERMINISTIC_SUFFIX) for s in others):
        # One line per scenario: its noise-free line; the noisy version's
        # chance is in the outlook table, and the fan shows the model's noise.
        others = [s for s in others if s.endswith(DETERMINISTIC_SUFFIX)]
    target = float(row["target"])
    shown = target_text or fmt_int(target, lang)
    cum = float(row["cumulative"])
    # Only the future is forecast: the fan starts at the last reported count
    # (the engine's anchor row). A window already over has no forecast.
    done = as_of >= end
    q = _forecast_part(q, hist)
    if done or q.empty:
        others, q = [], q.iloc[0:0]
    p = fmt_prob(row["p_reach"], lang)
    term = str(row["term"]).replace("-", "–")
    if done:
        title = text("title_progress_done", lang, unit=row["name"], cum=fmt_int(cum, lang),
                     att=fmt_pct(100 * cum / target, lang, 1), term=term)
    elif cum >= target > 0:
        # Counts only grow: the chance is certain, the finding is that it is met.
        title = text("title_progress_reached", lang, unit=row["name"],
                     target=shown, cum=fmt_int(cum, lang),
                     as_of=fmt_date(hist["period_end"].iloc[-1], lang))
    else:
        title = text("title_progress", lang, unit=row["name"], p=p,
                     target=shown, deadline=fmt_date(end, lang))
    narrow = size == "column"
    # Column and slide: the short subtitle (the title has the deadline, the
    # axis the years); the page-wide chart for a paper keeps the window's dates.
    short = size in ("column", "slide")
    measure = text(("measure_term" if row["target_kind"] == "term" else "measure_annual")
                   + ("_short" if short else ""), lang,
                   term=term, start=fmt_date(start, lang), end=fmt_date(end, lang),
                   year=start.year)
    subtitle = measure + "; " + text("data_to" if done else "forecast_from", lang,
                                     as_of=fmt_date(min(as_of, end), lang))
    legend_labels = [text("observed", lang)]
    if not q.empty:
        legend_labels += [text("fan", lang), *[_legend_name(name, lang, narrow) for name in others]]
    with use_style(size) as fs:
        fig, ax = new_figure(fs, title=title, subtitle=subtitle, source=source_line, lang=lang,
                             legend_labels=legend_labels,
                             legend_ncols=3 if fs.name == "slide" else 2)
        handles = [Line2D([], [], color=HISTORY, marker="o", ms=3 * fs.font_scale,
                          lw=1.4 * fs.font_scale)]
        if not q.empty:
            draw_fan(ax, q, lw=1.4 * fs.font_scale)
            handles.append((Patch(color=BAND_80), Patch(color=BAND_50),
                            Line2D([], [], color=FORECAST, lw=1.4 * fs.font_scale)))
        for i, name in enumerate(others):
            color, dash = SCENARIO_STYLES[i % len(SCENARIO_STYLES)]
            qs = _forecast_part(quantile_frame(path_for(outlook.paths, row, scenario=name)), hist)
            handles += ax.plot(qs.index, qs["q50"], color=color, ls=dash,
                               lw=1.1 * fs.font_scale, gid=f"scenario-{name}", zorder=3)
        ax.plot(hist["period_end"], hist["cumulative"], color=HISTORY, marker="o",
                ms=3 * fs.font_scale, lw=1.4 * fs.font_scale, gid="history", zorder=5)
        # No chance box once the target is met: the title says so, and the box
        # would sit on the history line, which has risen past the target.
        _target_and_chance(ax, fs, lang, row, start, target, shown,
                           None if done or cum >= target > 0 else p)
        if not done:
            _as_of_line(ax, fs, lang, as_of, start, end, reported=len(ps.history) > 0)
        top = max(target, cum, float(hist["cumulative"].max()),
                  float(q["q90"].max()) if not q.empty else 0.0)
        ax.set_ylim(0, top * 1.15)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_int(v, lang)))
        ax.yaxis.set_major_locator(MaxNLocator(5, integer=True))
        year_axis(ax, start, end, lang)
        add_legend(fig, handles, handler_map={tuple: HandlerTuple(ndivide=None, pad=0)})
    final = (fmt_int(row["final_q10"], lang), fmt_int(row["final_q50"], lang),
             fmt_int(row["final_q90"], lang))
    alt = text("alt_progress", lang, title=title, cum=fmt_int(cum, lang),
               as_of=fmt_date(min(as_of, end), lang), target=fmt_int(target, lang),
               q50=final[1], q10=final[0], q90=final[2], deadline=fmt_date(end, lang), p=p)
    return finish(fig, title, alt)


def text_level(lang: str, level: float = 0.8) -> str:
    """The probability level in a title: ``80 %``."""
    return fmt_pct(100 * level, lang, 0)
