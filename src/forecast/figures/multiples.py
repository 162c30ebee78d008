"""Small multiples: one panel per unit under a parent, on a shared scale of attainment."""

from __future__ import annotations

from typing import Any

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import FuncFormatter, MaxNLocator

from forecast.errors import ForecastError
from forecast.figures.base import localized, path_for, select_rows
from forecast.figures.frame import Chart, after_layout, finish, new_figure
from forecast.figures.progress import (QUANTILES, draw_fan, history_frame, quantile_frame,
                                       text_level, year_axis)
from forecast.figures.style import ASOF, HISTORY, TARGET, font_size, use_style
from forecast.labels import fmt_date, fmt_pct, fmt_prob, text


def _facet_size(fs: Any, n: int) -> tuple[int, float]:
    ncols = {"column": 2, "page": 4, "slide": 5}.get(fs.name, 3)
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    panel_h = {"column": 1.15, "page": 1.25, "slide": 1.2}.get(fs.name, 1.3) * fs.font_scale
    return ncols, nrows * panel_h + 0.35 * fs.font_scale


def small_multiples(
    outlook: Any,
    parent_id: str | None = None,
    *,
    source_line: str,
    unit_ids: list[str] | None = None,
    parent_name: str | None = None,
    lang: str = "vi",
    size: str = "page",
    model: str | None = None,
    scenario: str | None = None,
    names: dict | None = None,
) -> Chart:
    """Progress to target for the children of one parent, on a shared % scale.

    Each panel is one unit's cumulative admissions and forecast fan as a
    percentage of its own term target, so a commune of 7 and a district of
    300 read on the same axis; panels are ordered by ``p_reach``.

    Parameters
    ----------
    outlook : Outlook
    parent_id : str, optional
        Units whose ``parent_id`` is this are shown (unless ``unit_ids``).
    source_line : str
    unit_ids : list of str, optional
        Explicit units instead of a parent's children.
    parent_name : str, optional
        Name in the title; default the parent's name in the table, else its id.
    lang, size, model, scenario, names
        As in :func:`progress_to_target`.
    """
    table = localized(outlook.table, lang, names)
    if unit_ids is None:
        unit_ids = sorted(set(table.loc[table["parent_id"] == parent_id, "unit_id"]))
        if not unit_ids:
            raise ForecastError(
                f"unit {parent_id!r} has no children in the outlook; expected rows whose "
                "parent_id is it. Fix: check the id, or pass unit_ids explicitly."
            )
    if parent_name is None:
        hit = table.loc[table["unit_id"] == parent_id, "name"]
        parent_name = str(hit.iloc[0]) if len(hit) else str(parent_id or "")
    rows = select_rows(table, model=model, scenario=scenario, unit_ids=unit_ids)
    rows = rows.sort_values(["p_reach", "name"], ascending=[False, True])
    long = []
    for order, (_, row) in enumerate(rows.iterrows()):
        ps = path_for(outlook.paths, row)
        tgt = float(row["target"])
        h = history_frame(ps, pd.Timestamp(row["start"]))
        q = quantile_frame(ps)
        panel = f"{row['name']} · {fmt_prob(row['p_reach'], lang)}"
        long.append(pd.DataFrame({"panel": panel, "order": order, "kind": "history",
                                  "date": h["period_end"], "q50": 100 * h["cumulative"] / tgt,
                                  "label": row["label"]}))
        qq = 100 * q[list(QUANTILES)] / tgt
        long.append(qq.assign(panel=panel, order=order, kind="forecast", date=q.index,
                              label=row["label"]).reset_index(drop=True))
    data = pd.concat(long, ignore_index=True)
    level = text_level(lang)
    n_likely = int((rows["p_reach"] >= 0.8).sum())
    title = text("title_multiples", lang, parent=parent_name, n_likely=n_likely,
                 n=len(rows), level=level)
    as_of = pd.Timestamp(rows["as_of"].max())
    subtitle = text("subtitle_multiples", lang, as_of=fmt_date(as_of, lang))
    start = pd.to_datetime(rows["start"]).min()
    end = pd.to_datetime(rows["deadline"]).max()
    with use_style(size) as fs:
        ncols, body_h = _facet_size(fs, len(rows))
        panels = list(dict.fromkeys(data.sort_values("order")["panel"]))
        grid = sns.FacetGrid(data, col="panel", col_wrap=ncols, col_order=panels,
                             sharex=True, sharey=True, height=1.0, aspect=1.5, despine=True)
        grid.map_dataframe(_facet_panel, as_of=as_of)
        grid.set_titles("")
        grid.set_axis_labels("", "")
        limit = {"column": 24, "page": 26, "slide": 30}.get(fs.name, 26)
        n_panels = len(panels)
        titles = []
        for i, (ax, panel) in enumerate(zip(grid.axes.flat, panels)):
            name, p_text = panel.rsplit(" · ", 1)
            short = name if len(name) <= limit else name[: limit - 1].rstrip() + "…"
            titles.append((ax.set_title(f"{short} · {p_text}", loc="left",
                                        fontsize=font_size("note", fs), pad=2), name, p_text))
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_pct(v, lang, 0)))
            # Steps of 1, 2.5 or 5 (x10) so the 100 % target sits on a gridline.
            ax.yaxis.set_major_locator(MaxNLocator(4, steps=[1, 2.5, 5, 10]))
            year_axis(ax, start, end)
            ax.xaxis.set_major_locator(mdates.YearLocator(2))
            # Re-applying locators makes fresh tick labels: hide them again where
            # the shared axes make them redundant (seaborn hid the first set).
            ax.tick_params(labelsize=font_size("note", fs), labelleft=i % ncols == 0,
                           labelbottom=i + ncols >= n_panels)
        fig, _ = new_figure(fs, title=title, subtitle=subtitle, source=source_line, lang=lang,
                            fig=grid.figure, body_height_in=body_h)
        # Room between a panel's title and the x axis of the panel above.
        fig.get_layout_engine().set(hspace=0.06)
        after_layout(fig, lambda: _fit_titles(fig, titles))
    alt = text("alt_multiples", lang, title=title, n=len(rows),
               units="; ".join(f"{p}" for p in panels))
    return finish(fig, title, alt)


def _fit_titles(fig: Any, titles: list) -> None:
    """Shorten panel titles (the unit's name, never the chance) that would run
    into the next panel or off the figure."""
    lefts = sorted({t.axes.get_window_extent().x0 for t, _, _ in titles})
    edge = fig.bbox.x1 - 0.06 * fig.dpi
    for label, name, p_text in titles:
        x0 = label.axes.get_window_extent().x0
        right = min([x - 0.04 * fig.dpi for x in lefts if x > x0 + 1] + [edge])
        keep = len(name)
        while label.get_window_extent().x1 > right and keep > 3:
            keep -= 1
            label.set_text(f"{name[:keep].rstrip()}… · {p_text}")


def _facet_panel(data: pd.DataFrame, color: Any = None, as_of: Any = None, **_: Any) -> None:
    """Draw one facet (seaborn passes the panel's rows; the axes is current)."""
    ax = plt.gca()
    fc = data[data["kind"] == "forecast"].set_index("date")
    hist = data[data["kind"] == "history"]
    if len(fc):
        draw_fan(ax, fc)
    ax.plot(hist["date"], hist["q50"], color=HISTORY, lw=1.1, marker="o", ms=2, gid="history")
    ax.axhline(100, color=TARGET, ls=(0, (4, 2)), lw=0.9, gid="target")
    if as_of is not None:
        ax.axvline(as_of, color=ASOF, ls=":", lw=0.7)
