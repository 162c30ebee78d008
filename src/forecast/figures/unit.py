"""One unit's detail charts: yearly admissions, the part-year nowcast and
what it would take (the candidate pipeline)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

from forecast.errors import ForecastError
from forecast.figures.base import localized, select_rows, unit_target_kind
from forecast.figures.frame import Chart, add_legend, after_layout, finish, new_figure, place_clear
from forecast.labels import fmt_date, fmt_int, fmt_num, fmt_pct, fmt_prob, month_name, text
from forecast.models.profile import DEFAULT_PROFILE, share_by
from forecast.figures.style import (FORECAST, FUNNEL_COLORS, FUNNEL_HATCHES, GREY_BAR, INK, MUTED, TARGET,
                    font_size, use_style)


def _check_columns(df: pd.DataFrame, needed: tuple[str, ...], what: str) -> None:
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise ForecastError(
            f"{what}: column(s) {', '.join(missing)} missing; expected "
            f"{', '.join(needed)}. Fix: build the table with those columns."
        )


def _printed_pct(v: float, lang: str) -> str:
    """A percentage with as many decimals as the source printed (83,5 %; 89,96 %)."""
    decimals = next((d for d in (0, 1, 2) if abs(round(v, d) - v) < 1e-9), 2)
    return fmt_pct(v, lang, decimals)


def yearly_admissions(
    yearly: pd.DataFrame,
    *,
    unit_name: str,
    source_line: str,
    lang: str = "vi",
    size: str = "column",
) -> Chart:
    """Admissions per year as bars, each labelled with its target attainment.

    Parameters
    ----------
    yearly : DataFrame
        Columns ``year``, ``admitted`` and ``target`` (annual target, NaN where
        none); optional ``reported_pct``: the attainment the source printed,
        shown beside the computed one when they differ by more than 0.05
        points (Tiền Giang 2022: 1,348 / 1,500 = 89.87 %, printed 89.96 %).
    unit_name : str
    source_line : str
    lang, size
        See :func:`forecast.figures.progress_to_target`.
    """
    _check_columns(yearly, ("year", "admitted", "target"), "yearly admissions table")
    d = yearly.sort_values("year").reset_index(drop=True)
    if d.empty:
        raise ForecastError(
            f"yearly admissions of {unit_name}: no rows; expected at least one year. "
            "Fix: add yearly 'admitted' observations for the unit."
        )
    years = d["year"].astype(int).to_numpy()
    admitted = d["admitted"].astype(float).to_numpy()
    target = d["target"].astype(float).to_numpy()
    att = 100 * admitted / target
    has_t = ~np.isnan(att)
    n_met = int((att[has_t] >= 100).sum())
    if has_t.any():
        best = int(np.nanargmax(att))
        title = text("title_yearly_all", lang, unit=unit_name, n_met=n_met, n=int(has_t.sum()),
                     best=fmt_pct(att[best], lang, 1), year=years[best])
    else:
        title = f"{unit_name}: " + text("admitted", lang).lower() + f" {years[0]}–{years[-1]}"
    subtitle = text("subtitle_yearly", lang, y0=years[0], y1=years[-1])
    reported = d["reported_pct"].astype(float).to_numpy() if "reported_pct" in d else None
    # The annual target is in the legend only when some year has one to draw.
    legend_labels = [text("admitted", lang)] + ([text("annual_target", lang)] if has_t.any() else [])
    with use_style(size) as fs:
        fig, ax = new_figure(fs, title=title, subtitle=subtitle, source=source_line, lang=lang,
                             legend_labels=legend_labels, legend_ncols=len(legend_labels))
        bars = ax.bar(years, admitted, width=0.62, color=FORECAST, gid="admitted",
                      label=text("admitted", lang))
        handles = [bars]
        if has_t.any():
            handles.append(ax.scatter(years[has_t], target[has_t], marker="_",
                                      s=(14 * fs.font_scale) ** 2, color=TARGET,
                                      lw=1.6 * fs.font_scale, zorder=4, gid="target",
                                      label=text("annual_target", lang)))
        top = np.nanmax(np.concatenate([admitted, target[has_t]]))
        for i, bar in enumerate(bars):
            ax.text(years[i], admitted[i] / 2, fmt_int(admitted[i], lang), ha="center",
                    va="center", color="white", fontsize=font_size("note", fs))
            printed = reported is not None and not np.isnan(reported[i])
            if has_t[i]:
                lines = [fmt_pct(att[i], lang, 1)]
                if printed and abs(reported[i] - att[i]) > 0.05:
                    lines.append(f"({text('reported', lang, v=_printed_pct(reported[i], lang))})")
            elif printed:
                # The target is not in the data but the source printed the attainment.
                lines = [text("reported", lang, v=_printed_pct(reported[i], lang))]
            else:
                continue
            ax.annotate("\n".join(lines), (years[i], max(admitted[i], np.nan_to_num(target[i]))),
                        xytext=(0, 4), textcoords="offset points", ha="center", va="bottom",
                        fontsize=font_size("annotation", fs), color=INK, gid="attainment",
                        linespacing=1.1)
        ax.set_ylim(0, top * 1.28)
        ax.set_xticks(years, [str(y) for y in years])
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_int(v, lang)))
        ax.yaxis.set_major_locator(MaxNLocator(5))
        add_legend(fig, handles)
    pcts = [fmt_pct(p, lang, 1) if not np.isnan(p)
            else _printed_pct(r, lang) if not np.isnan(r) else None
            for p, r in zip(att, reported if reported is not None else att)]
    listing = "; ".join(f"{y}: {fmt_int(a, lang)}" + (f" ({p})" if p else "")
                        for y, a, p in zip(years, admitted, pcts))
    alt = text("alt_yearly", lang, title=title, listing=listing)
    return finish(fig, title, alt)


def part_year_nowcast(
    points: pd.DataFrame,
    *,
    unit_name: str,
    year: int,
    source_line: str,
    lang: str = "vi",
    size: str = "column",
    profile: Any = DEFAULT_PROFILE,
    nowcast: Any = None,
) -> Chart:
    """Cumulative share of the annual target by month, against the profile.

    The profile (cumulative share of a year's admissions by month end, from
    :mod:`forecast.models.profile`) is drawn as the path of a unit that ends the year
    exactly on target; reported part-year counts are drawn as points at their
    cut-off dates, as % of the year's target.

    Parameters
    ----------
    points : DataFrame
        Columns ``period_end`` (cut-off date in ``year``), ``admitted``
        (cumulative from 1 January) and ``target`` (the annual target).
    unit_name : str
    year : int
    source_line : str
    profile : sequence of 12 floats
        Month-end cumulative shares; default :data:`forecast.models.profile.DEFAULT_PROFILE`.
    nowcast : forecast.models.nowcast.Nowcast, optional
        Year-end distribution; its 10-90 % range is drawn at 31 December.
    """
    _check_columns(points, ("period_end", "admitted", "target"), "part-year points")
    d = points.assign(period_end=pd.to_datetime(points["period_end"])).sort_values("period_end")
    if d.empty:
        raise ForecastError(
            f"part-year nowcast of {unit_name}: no points; expected at least one "
            "part-year count. Fix: pass the unit's part_year observations."
        )
    d = d.assign(share=100 * d["admitted"].astype(float) / d["target"].astype(float))
    d = d.assign(x=[t.day_of_year / (366 if t.is_leap_year else 365) * 12 for t in d["period_end"]])
    last = d.iloc[-1]
    expected = 100 * float(share_by(last["period_end"], profile))
    title = text("title_nowcast", lang, unit=unit_name, share=fmt_pct(last["share"], lang, 1),
                 month=fmt_date(last["period_end"], lang), expected=fmt_pct(expected, lang, 0))
    subtitle = text("subtitle_nowcast", lang, year=year)
    prof = 100 * np.concatenate([[0.0], np.asarray(profile, dtype=float)])
    legend_labels = [text("profile", lang), text("reported_points", lang)]
    if nowcast is not None:
        legend_labels.append(text("nowcast_range", lang, date=fmt_date(nowcast.cutoff, lang)))
    with use_style(size) as fs:
        fig, ax = new_figure(fs, title=title, subtitle=subtitle, source=source_line, lang=lang,
                             legend_labels=legend_labels)
        ax.plot(np.arange(13), prof, color=FORECAST, lw=1.4 * fs.font_scale, gid="profile",
                label=text("profile", lang))
        ax.axhline(100, color=TARGET, ls=(0, (4, 2)), lw=1.0 * fs.font_scale, zorder=1)
        ax.scatter(d["x"], d["share"], color=INK, marker="D",
                   s=(3.6 * fs.font_scale) ** 2, zorder=5, gid="reported",
                   label=text("reported_points", lang))
        for _, r in d.iterrows():
            xy = (r["x"], r["share"])
            label = ax.annotate(f"{fmt_int(r['admitted'], lang)} = {fmt_pct(r['share'], lang, 1)}",
                                xy, xytext=(-4, 4), textcoords="offset points", ha="right",
                                va="bottom", fontsize=font_size("annotation", fs), color=INK,
                                gid="reported_label")
            label.set_in_layout(False)
            after_layout(fig, lambda label=label, xy=xy: place_clear(ax, label, _point_spots(xy)))
        top = max(110.0, float(d["share"].max()) * 1.15)
        handles = [ax.lines[0], ax.collections[0]]
        if nowcast is not None:
            tgt = float(d["target"].iloc[-1])
            lo, mid, hi = (100 * nowcast.quantiles[q] / tgt for q in (0.1, 0.5, 0.9))
            ax.vlines(12, lo, hi, color=MUTED, lw=2.5 * fs.font_scale, gid="nowcast")
            ax.scatter([12], [mid], color=MUTED, marker="o", s=(3.4 * fs.font_scale) ** 2,
                       zorder=5)
            handles.append(Line2D([], [], color=MUTED, lw=2.5 * fs.font_scale, marker="o",
                                  ms=3.4 * fs.font_scale))
            top = max(top, hi * 1.1)
        ax.set_xlim(0, 12.3)
        ax.set_ylim(0, top)
        # Month boundaries as ticks, month names centred between them.
        ax.set_xticks(np.arange(13), [""] * 13)
        ax.set_xticks(np.arange(12) + 0.5,
                      [month_name(m, lang, short=fs.name == "column") for m in range(1, 13)],
                      minor=True)
        ax.tick_params(axis="x", which="minor", length=0, labelsize=font_size("note", fs))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_pct(v, lang, 0)))
        ax.set_ylabel(text("pct_annual", lang))
        add_legend(fig, handles)
    alt = text("alt_nowcast", lang, title=title,
               listing="; ".join(f"{fmt_date(r['period_end'], lang)}: {fmt_int(r['admitted'], lang)}"
                                 f" ({fmt_pct(r['share'], lang, 1)})" for _, r in d.iterrows()))
    return finish(fig, title, alt)


def _point_spots(xy: tuple[float, float]) -> list[dict]:
    """Where a point's label may go: above left, below right, below left, above right."""
    return [{"xy": xy, "xycoords": "data", "xytext": (dx, dy), "ha": ha, "va": va}
            for dx, dy, ha, va in ((-4, 4, "right", "bottom"), (4, -4, "left", "top"),
                                   (-4, -4, "right", "top"), (4, 4, "left", "bottom"))]


def _rate(part: float, whole: float, lang: str) -> str:
    """``part / whole`` as a percent, a dash when ``whole`` is zero."""
    return fmt_pct(100 * part / whole, lang, 1) if whole > 0 else "–"


def pipeline(
    table: pd.DataFrame,
    unit_id: str,
    *,
    source_line: str,
    lang: str = "vi",
    size: str = "column",
    model: str | None = None,
    p_level: float = 0.8,
    names: dict | None = None,
) -> Chart:
    """What it would take: candidates introduced, trained and admitted per year.

    Uses the outlook's ``required_per_year_p`` (admissions a year giving
    ``p_reach >= p_level``), ``trained_needed`` and ``introduced_needed``; the
    conversion rates in the subtitle are recomputed from those columns, so the
    chart states whatever rates the engine used. The unit's term target is
    used, or its annual target when it has no term target (the subtitle then
    names the year).
    """
    table = localized(table, lang, names)
    row = select_rows(table, target_kind=unit_target_kind(table, unit_id), model=model,
                      unit_ids=[unit_id]).iloc[0]
    need = [float(row["introduced_needed"]), float(row["trained_needed"]),
            float(row["required_per_year_p"])]
    if any(np.isnan(v) for v in need):
        raise ForecastError(
            f"unit {unit_id!r}, {row['target_kind']} target {row['target_id']!r}: the outlook "
            "has no pipeline numbers (introduced_needed, trained_needed, "
            "required_per_year_p); expected all three. Fix: run the outlook with "
            "requirements=True for this unit, or check its diagnostics for why the "
            "'what it would take' step gave none."
        )
    p = fmt_prob(p_level, lang)
    title = text("title_pipeline", lang, unit=row["name"], p=p, admitted=fmt_int(need[2], lang),
                 introduced=fmt_int(need[0], lang))
    key = "subtitle_pipeline" if row["target_kind"] == "term" else "subtitle_pipeline_annual"
    subtitle = text(key, lang, years=fmt_num(row["years_left"], lang, 1),
                    term=str(row["term"]).replace("-", "–"), conv_i=_rate(need[2], need[0], lang),
                    conv_t=_rate(need[2], need[1], lang),
                    year=pd.Timestamp(row["deadline"]).year)
    names = [text("introduced", lang), text("trained", lang), text("admitted_needed", lang)]
    values, colors, hatches = list(need), list(FUNNEL_COLORS), list(FUNNEL_HATCHES)
    observed = float(row["observed_per_year"])
    if not np.isnan(observed):
        # The pace so far as a fourth, grey bar: compared with the bar above,
        # without a marker that could collide with the value labels.
        names.append(text("observed_pace", lang))
        values.append(observed)
        colors.append(GREY_BAR)
        hatches.append("")
    with use_style(size) as fs:
        fig, ax = new_figure(fs, title=title, subtitle=subtitle, source=source_line, lang=lang)
        y = np.arange(len(values))[::-1]
        bars = ax.barh(y, values, height=0.62, color=colors, edgecolor=INK, lw=0.4,
                       gid="pipeline")
        for bar, hatch in zip(bars, hatches):
            bar.set_hatch(hatch)
        for yi, v in zip(y, values):
            ax.annotate(fmt_int(v, lang), (v, yi), xytext=(3, 0), textcoords="offset points",
                        ha="left", va="center", fontsize=font_size("body", fs), color=INK)
        ax.set_yticks(y, names)
        ax.set_ylim(-0.6, len(values) - 0.4)
        ax.set_xlim(0, max(values) * 1.2)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_int(v, lang)))
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.grid(axis="x", visible=True)
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="y", length=0)
    alt = text("alt_pipeline", lang, title=title, introduced=fmt_int(need[0], lang),
               trained=fmt_int(need[1], lang), admitted=fmt_int(need[2], lang))
    return finish(fig, title, alt)
