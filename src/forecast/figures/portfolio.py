"""Charts across units: the portfolio ranking and the pace dumbbell.

The portfolio's interval is the forecast final total as a share of the target
(80 % and 50 % ranges from ``final_q10..q90`` and ``final_q25..q75``), not a
confidence interval around ``p_reach``: ``p_reach`` is a Monte Carlo share
over 10,000 paths whose sampling error (at most 0.5 percentage points) is far
smaller than anything a reader should act on, so a Beta interval around it
would suggest a precision the model does not have. The final-total range shows
instead how far from the target a unit may end, which is what the chance
summarises; the chance itself is printed beside each row.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator

from forecast.errors import ForecastError
from forecast.figures.base import localized, select_rows
from forecast.figures.frame import Chart, finish, legend_above, new_figure
from forecast.figures.progress import text_level
from forecast.labels import fmt_date, fmt_int, fmt_num, fmt_pct, fmt_prob, label_text, text
from forecast.figures.style import (INK, LABELS, MUTED, TARGET, font_size, label_color,
                    label_marker, use_style)

X_CAP = 250.0
"""Right edge of the portfolio axis, % of target; longer ranges end in an arrow."""


def _short(name: str, limit: int) -> str:
    """Trim a long unit name for a row label (the alt text keeps the full name)."""
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def _row_geometry(fs: Any, n: int) -> tuple[float, int]:
    # Rows tighten for long lists so 60 units fit an A4 text block (247 mm,
    # 9.7 in) with the smaller row labels used above 30 units: 0.12 in is
    # 8.6 pt of row for 7.5 pt text at page size.
    row_in = 0.15 * fs.font_scale if n <= 30 else max(0.12, 0.105 * fs.font_scale)
    limit = {"column": 26, "page": 44, "slide": 44}.get(fs.name, 40)
    return n * row_in + 0.75 * fs.font_scale, limit


def _label_handles(ax: Any, labels: pd.Series, lang: str, fs: Any) -> list:
    """Legend entries for the pace labels present (and 'no label' if any)."""
    present = [lab for lab in LABELS if (labels == lab).any()]
    for other in dict.fromkeys(labels[~labels.isin(LABELS)].astype(str)):
        present.append(other)
    return [ax.scatter([], [], color=label_color(lab), marker=label_marker(lab),
                       s=(3.2 * fs.font_scale) ** 2, label=label_text(lab, lang))
            for lab in present]


def _unit_rows(ax: Any, fs: Any, names: pd.Series, limit: int) -> None:
    """The y axis of a chart with one row per unit (portfolio, dumbbell).

    Names cut to ``limit`` characters, x grid only, smaller names past 30
    rows, and the x axis repeated on top past 25 rows so a long chart reads
    without going back to the bottom.
    """
    n = len(names)
    ax.set_yticks(np.arange(n), [_short(str(s), limit) for s in names])
    ax.set_ylim(-0.7, n - 0.3)
    ax.grid(axis="x", visible=True)
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0, labelsize=font_size("note", fs) if n > 30 else None)
    if n > 25:
        ax.tick_params(axis="x", top=True, labeltop=True)


def _right_column(ax: Any, fs: Any, values: list[str], head: str, gid: str) -> None:
    """One value per row just right of the plot, under a bold ``head``."""
    trans = ax.get_yaxis_transform()
    for yi, v in enumerate(values):
        ax.text(1.01, yi, v, transform=trans, ha="left", va="center",
                fontsize=font_size("note", fs), color=INK, gid=gid)
    ax.text(1.01, 1.0, head, transform=ax.transAxes, ha="left", va="bottom",
            fontsize=font_size("note", fs), color=MUTED, fontweight="bold")


MAX_UNITS = 60
"""Units drawn at most in a portfolio or pace chart: past it a chart of one
row per unit no longer fits a page (1,010 units made a chart 37,000 pixels
tall), so the charts draw the units that need attention and the brief's
table lists every unit."""


def _first_rows(rows: pd.DataFrame, max_units: int | None, key: str,
                lang: str) -> tuple[pd.DataFrame, str]:
    """The first ``max_units`` rows (already sorted, most at risk first) and the
    subtitle's note saying how many are drawn ("" when all are)."""
    if max_units is None or len(rows) <= max_units:
        return rows, ""
    return rows.iloc[:max_units].reset_index(drop=True), \
        ". " + text(key, lang, k=max_units, n=len(rows))


def portfolio(
    table: pd.DataFrame,
    *,
    source_line: str,
    lang: str = "vi",
    size: str = "page",
    model: str | None = None,
    scenario: str | None = None,
    level: float = 0.8,
    names: dict | None = None,
    max_units: int | None = MAX_UNITS,
) -> Chart:
    """Every unit ranked by ``p_reach``, with its final-total range.

    Parameters
    ----------
    table : DataFrame
        The outlook table (OUTLOOK_COLUMNS); one term-target row per unit is
        used (see :func:`forecast.figures.base.select_rows`).
    source_line : str
    lang : {"vi", "en"}
    size : {"column", "page", "slide"}
        Sets the width; the height grows with the number of units.
    model, scenario : str, optional
    level : float
        Chance counted as "likely" in the title.
    names : dict, optional
        ``unit_id`` → name in ``lang``; default the outlook's names for ``lang``
        (:func:`forecast.figures.base.localized`).
    max_units : int, optional
        Draw at most this many units, those with the lowest chance (the title
        still counts them all; the subtitle says so). None: every unit.

    Returns
    -------
    Chart
    """
    rows = select_rows(localized(table, lang, names), model=model, scenario=scenario)
    rows = rows.sort_values(["p_reach", "name"], ascending=[True, False]).reset_index(drop=True)
    n_all, n_likely = len(rows), int((rows["p_reach"] >= level).sum())
    rows, note = _first_rows(rows, max_units, "shown_lowest_p", lang)
    n = len(rows)
    tgt = rows["target"].astype(float).to_numpy()
    pct = {q: 100 * rows[f"final_{q}"].astype(float).to_numpy() / tgt
           for q in ("q10", "q25", "q50", "q75", "q90")}
    if n_all and rows["p_reach"].isna().all():
        # A model that answered none of them (the brief's note says why).
        title = text("title_portfolio_none", lang, model=str(rows["model"].iloc[0]), n=n_all)
    else:
        title = text("title_portfolio", lang, n_likely=n_likely, n=n_all,
                     level=text_level(lang, level))
    subtitle = text("subtitle_portfolio", lang,
                    as_of=fmt_date(pd.to_datetime(rows["as_of"]).max(), lang)) + note
    with use_style(size) as fs:
        body_h, limit = _row_geometry(fs, n)
        fig, ax = new_figure(fs, title=title, subtitle=subtitle, source=source_line, lang=lang,
                             body_height_in=body_h)
        y = np.arange(n)
        colors = [label_color(lab) for lab in rows["label"]]
        hi = np.minimum(pct["q90"], X_CAP)
        ax.hlines(y, pct["q10"], hi, color=colors, lw=0.9 * fs.font_scale, gid="range80")
        ax.hlines(y, pct["q25"], np.minimum(pct["q75"], X_CAP), color=colors,
                  lw=3.2 * fs.font_scale, alpha=0.55, gid="range50")
        data = pd.DataFrame({"x": np.minimum(pct["q50"], X_CAP), "y": y,
                             "label": rows["label"].where(rows["label"].isin(LABELS), "")})
        palette = {lab: label_color(lab) for lab in (*LABELS, "")}
        markers = {lab: label_marker(lab) for lab in (*LABELS, "")}
        sns.scatterplot(data=data, x="x", y="y", hue="label", style="label", palette=palette,
                        markers=markers, s=(3.4 * fs.font_scale) ** 2, edgecolor="white",
                        linewidth=0.4, legend=False, ax=ax, zorder=5, gid="median")
        clipped = pct["q90"] > X_CAP
        ax.plot(np.full(clipped.sum(), X_CAP), y[clipped], ls="", marker=">", color=MUTED,
                ms=3 * fs.font_scale)
        ax.axvline(100, color=TARGET, ls=(0, (4, 2)), lw=1.0 * fs.font_scale, zorder=1)
        _unit_rows(ax, fs, rows["name"], limit)
        # A model that answered none of these units leaves every q90 empty.
        q90 = np.asarray(pct["q90"], dtype=float)
        top = float(np.nanmax(q90)) if (~np.isnan(q90)).any() else 0.0
        ax.set_xlim(0, min(X_CAP, max(110.0, top * 1.05)) + 4)
        # Steps of 25, 50 or 100 % put a gridline on 100 %, the target; the
        # narrow column has room for three or four labels ("150 %" is wide).
        ax.xaxis.set_major_locator(MaxNLocator(3 if fs.name == "column" else 6,
                                               steps=[1, 2.5, 5, 10]))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_pct(v, lang, 0)))
        ax.set_xlabel(text("final_pct", lang))
        ax.set_ylabel("")
        _right_column(ax, fs, [fmt_prob(p, lang) for p in rows["p_reach"]],
                      text("p_reach_head", lang), "p_reach")
        legend_above(ax, _label_handles(ax, rows["label"], lang, fs), fs, top_ticks=n > 25,
                     header_row=True, ncols=2 if fs.name == "column" else 4)
    listing = "; ".join(
        f"{r['name']} {fmt_prob(r['p_reach'], lang)}" for _, r in rows[::-1].iterrows())
    alt = text("alt_portfolio", lang, title=title, n=n, listing=listing)
    return finish(fig, title, alt)


def pace_dumbbell(
    table: pd.DataFrame,
    *,
    source_line: str,
    lang: str = "vi",
    size: str = "page",
    model: str | None = None,
    log_ratio: float = 20.0,
    names: dict | None = None,
    max_units: int | None = MAX_UNITS,
) -> Chart:
    """Observed yearly pace against the pace each unit's target requires.

    Parameters
    ----------
    table : DataFrame
        The outlook table; the deterministic columns ``required_per_year``,
        ``observed_per_year``, ``pace_ratio`` and ``label`` are used.
    log_ratio : float
        The axis is logarithmic when the largest value is more than this many
        times the smallest (a province of 1,300 a year beside a commune of 7).
    names : dict, optional
        ``unit_id`` → name in ``lang``; default the outlook's names for ``lang``
        (:func:`forecast.figures.base.localized`).
    max_units : int, optional
        Draw at most this many units, those furthest behind their required
        pace (the title still counts them all). None: every unit.
    """
    rows = select_rows(localized(table, lang, names), model=model)
    rows = rows.dropna(subset=["required_per_year", "observed_per_year"])
    if rows.empty:
        raise ForecastError(
            "no unit has both required_per_year and observed_per_year in the outlook; "
            "expected at least one. Fix: add yearly observations or an as-of date after "
            "the term start."
        )
    rows = rows.sort_values(["pace_ratio", "name"], ascending=[True, False]).reset_index(drop=True)
    n_all = len(rows)
    n_slow = int((rows["observed_per_year"].astype(float)
                  < rows["required_per_year"].astype(float)).sum())
    rows, note = _first_rows(rows, max_units, "shown_slowest", lang)
    n = len(rows)
    obs = rows["observed_per_year"].astype(float).to_numpy()
    req = rows["required_per_year"].astype(float).to_numpy()
    title = text("title_pace", lang, n_slow=n_slow, n=n_all)
    subtitle = text("subtitle_pace", lang,
                    as_of=fmt_date(pd.to_datetime(rows["as_of"]).max(), lang)) + note
    positive = np.concatenate([obs[obs > 0], req[req > 0]])
    use_log = positive.size > 0 and positive.max() / positive.min() > log_ratio
    with use_style(size) as fs:
        body_h, limit = _row_geometry(fs, n)
        fig, ax = new_figure(fs, title=title, subtitle=subtitle, source=source_line, lang=lang,
                             body_height_in=body_h)
        y = np.arange(n)
        colors = [label_color(lab) for lab in rows["label"]]
        # A unit that has already reached its target needs no more (required 0):
        # it gets its observed dot and "target reached" instead of a bar.
        due = req > 0
        ax.hlines(y[due], np.minimum(obs, req)[due], np.maximum(obs, req)[due],
                  color=[c for c, d in zip(colors, due) if d], lw=1.6 * fs.font_scale,
                  alpha=0.8, gid="segment")
        ms = 3.6 * fs.font_scale
        ax.scatter(req[due], y[due], marker="|", s=(ms * 1.6) ** 2, color=INK,
                   lw=1.4 * fs.font_scale, zorder=4, gid="required")
        for lab in dict.fromkeys(rows["label"]):
            sel = (rows["label"] == lab).to_numpy()
            ax.scatter(obs[sel], y[sel], marker=label_marker(lab), color=label_color(lab),
                       s=ms ** 2, edgecolor="white", lw=0.4, zorder=5, gid="observed")
        if use_log:
            ax.set_xscale("log")
            ax.xaxis.set_major_locator(LogLocator(base=10, numticks=12))
            ax.set_xlabel(text("per_year_log", lang))
        else:
            ax.set_xlim(left=0)
            ax.set_xlabel(text("per_year", lang))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_int(v, lang)))
        ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
        _unit_rows(ax, fs, rows["name"], limit)
        shown = [(fmt_num(r, lang, 2 if r < 10 else 1) + "×") if d and np.isfinite(r)
                 else text("pace_reached", lang)
                 for r, d in zip(rows["pace_ratio"].astype(float), due)]
        _right_column(ax, fs, shown, text("ratio_head", lang), "pace_ratio")
        handles = [ax.scatter([], [], marker="|", color=INK, s=(ms * 1.6) ** 2,
                              label=text("required_pace", lang)),
                   *_label_handles(ax, rows["label"], lang, fs)]
        ncols = 4 if fs.name == "slide" else 2
        legend_above(ax, handles, fs, top_ticks=n > 25, header_row=True, ncols=ncols)
    listing = "; ".join(
        f"{r['name']}: {fmt_int(r['observed_per_year'], lang)} / "
        f"{fmt_int(r['required_per_year'], lang)}" for _, r in rows[::-1].iterrows())
    alt = text("alt_pace", lang, title=title, listing=listing)
    return finish(fig, title, alt)

