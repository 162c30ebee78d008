"""What every chart shares: the frame (title, subtitle, source line), the
result type, and picking rows and paths out of an outlook.

The frame follows the UK Analysis Function chart guidance: a left-aligned
title that states the finding, a subtitle with measure, unit and period, and
a source line at the foot. Text is wrapped by measuring it with the renderer
(not by counting characters), so long Vietnamese names wrap where they must
and never run off the edge.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.transforms import ScaledTranslation, blended_transform_factory

from forecast.errors import ConfigError, ForecastError
from forecast.labels import fit_source_line
from forecast.figures.style import MUTED, INK, FigureSize, font_size, get_size

MEASURE_DPI = 300

BASE_SCENARIOS = ("model", "base", "baseline", "none", "")
"""Scenario names that mean "the model as fitted" (first one present wins)."""


class Chart(NamedTuple):
    """A finished chart: unpack as ``fig, alt = chart``.

    Attributes
    ----------
    figure : Figure
        The matplotlib figure, sized to a named size.
    alt_text : str
        Text alternative: what the chart shows and its main numbers.
    title : str
        The finding, as printed on the chart.
    """

    figure: Figure
    alt_text: str
    title: str


def _wrap(text: str, prop: FontProperties, width_px: float, renderer: Any) -> list[str]:
    """Greedy word wrap using measured widths (pixels at ``MEASURE_DPI``)."""
    lines: list[str] = []
    for para in str(text).split("\n"):
        words = para.split(" ")
        line = ""
        for word in words:
            trial = f"{line} {word}" if line else word
            w, _, _ = renderer.get_text_width_height_descent(trial, prop, ismath=False)
            if w <= width_px or not line:
                line = trial
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


class Frame(NamedTuple):
    figure: Figure
    size: FigureSize


def new_figure(
    size: str | FigureSize,
    *,
    title: str,
    subtitle: str,
    source: str,
    body_height_in: float | None = None,
    nrows: int = 1,
    ncols: int = 1,
    fig: Figure | None = None,
    legend_labels: list[str] | None = None,
    legend_ncols: int = 1,
    lang: str = "en",
    **subplot_kw: Any,
) -> tuple[Figure, Any]:
    """Create a figure with the standard frame and its axes.

    Parameters
    ----------
    size : str or FigureSize
        Named size; sets the width (and the height unless ``body_height_in``).
    title, subtitle, source : str
        Frame text; ``source`` must be built from the data's sources.
    body_height_in : float, optional
        Height of the plotting area in inches; the figure height becomes this
        plus what the title, subtitle and source need (rows-per-unit charts).
    nrows, ncols, subplot_kw
        Passed to :meth:`Figure.subplots`.
    fig : Figure, optional
        An existing figure (e.g. from seaborn) to frame instead; no axes made.
    legend_labels : list of str, optional
        Labels of a legend placed in the footer, above the source line, by
        :func:`add_legend`. Space is reserved for it here, with labels wrapped
        to the width, so a long legend never squeezes the plot sideways.
    legend_ncols : int
        Columns of that legend.
    lang : {"vi", "en"}
        Language of the "and N more sources" ending when the source line is
        shortened (:func:`forecast.labels.fit_source_line`).

    Returns
    -------
    (Figure, axes)
    """
    fs = get_size(size)
    if not str(source).strip():
        raise ConfigError(
            "chart source line is empty; expected a 'Source: ...' line built from "
            "the data's sources. Fix: pass Dataset.source_line(ids, lang) or "
            "forecast.labels.source_line(sources, ids, lang)."
        )
    source = fit_source_line(source, lang)
    if fig is None:
        fig = plt.figure(figsize=fs.inches, layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=True, **subplot_kw)
    else:
        fig.set_size_inches(fs.inches)
        fig.set_layout_engine("constrained")
        axes = fig.axes
    # Measure at the PNG resolution: hinted glyph advances at screen dpi are
    # narrower, and a line that fits at 100 dpi can overflow at 300 dpi. A 4 %
    # allowance covers the unhinted metrics of PDF and SVG.
    renderer = RendererAgg(8, 8, MEASURE_DPI)
    margin_in = 0.06
    width_px = (fs.width_in - 2 * margin_in) * MEASURE_DPI * 0.96
    specs = (
        ("title", title, "bold", INK),
        ("subtitle", subtitle, "normal", MUTED),
        ("note", source, "normal", MUTED),
    )
    blocks = []
    for role, txt, weight, color in specs:
        pt = font_size(role, fs)
        prop = FontProperties(family="DejaVu Sans", size=pt, weight=weight)
        lines = _wrap(txt, prop, width_px, renderer)
        height_in = len(lines) * pt * 1.22 / 72
        blocks.append((role, "\n".join(lines), prop, color, height_in, pt))
    gap_in = 0.05 * fs.font_scale
    header_in = margin_in + blocks[0][4] + gap_in + blocks[1][4] + 2 * gap_in
    footer_in = 2 * gap_in + blocks[2][4] + margin_in
    legend_in = 0.0
    if legend_labels:
        pt = font_size("note", fs)
        prop = FontProperties(family="DejaVu Sans", size=pt)
        handle_px = (2.6 * pt / 72) * MEASURE_DPI  # handle + padding, in font sizes
        col_px = width_px / legend_ncols - handle_px
        wrapped = ["\n".join(_wrap(lab, prop, col_px, renderer)) for lab in legend_labels]
        lines = [lab.count("\n") + 1 for lab in wrapped]
        rows = [max(lines[i:i + legend_ncols]) for i in range(0, len(lines), legend_ncols)]
        legend_in = (sum(rows) * pt * 1.25 + (len(rows) - 1) * pt * 0.5) / 72 + 3 * gap_in
    footer_in += legend_in
    height_in = fs.height_in
    if body_height_in is not None:
        height_in = header_in + footer_in + body_height_in
    fig.set_size_inches(fs.width_in, height_in)
    top = 1 - margin_in / height_in
    y = top
    for role, txt, prop, color, h, pt in blocks:
        if role == "note":
            y = (margin_in + h) / height_in
        fig.text(margin_in / fs.width_in, y, txt, ha="left", va="top",
                 fontproperties=prop, color=color, linespacing=1.22,
                 gid=f"frame-{role}")
        y -= (h + gap_in) / height_in
    bottom = footer_in / height_in
    if legend_labels:
        fig.forecast_legend = {  # read by add_legend
            "labels": wrapped, "ncols": legend_ncols,
            "anchor": (margin_in / fs.width_in, (footer_in - 2 * gap_in) / height_in),
            "fontsize": font_size("note", fs),
        }
    side = margin_in / fs.width_in
    fig.get_layout_engine().set(
        rect=(side, bottom, 1 - 2 * side, 1 - header_in / height_in - bottom),
        h_pad=0.02, w_pad=0.02,
    )
    return fig, axes


def add_legend(fig: Figure, handles: list, **kw: Any) -> Any:
    """Place the footer legend reserved by :func:`new_figure` (same order of labels)."""
    spec = getattr(fig, "forecast_legend", None)
    if spec is None or len(spec["labels"]) != len(handles):
        raise ForecastError(
            "add_legend: the figure reserved no legend, or a different number of "
            f"entries ({len(handles)} handles). Fix: pass legend_labels to new_figure "
            "with one label per handle."
        )
    leg = fig.legend(handles, spec["labels"], loc="upper left", bbox_to_anchor=spec["anchor"],
                     ncols=spec["ncols"], fontsize=spec["fontsize"], borderaxespad=0,
                     borderpad=0, handletextpad=0.5, columnspacing=1.2, **kw)
    leg.set_in_layout(False)
    return leg


def legend_above(ax: Any, handles: list, fs: FigureSize, *, top_ticks: bool = False,
                 header_row: bool = False, **kw: Any) -> Any:
    """A legend over the axes, starting at the figure's left margin.

    ``top_ticks`` lifts it clear of tick labels on top; ``header_row`` lifts
    it one more line, over a column header printed just above the axes.
    """
    lift = 1.0
    if top_ticks:
        lift += plt.rcParams["xtick.major.size"] + plt.rcParams["xtick.major.pad"] + \
            plt.rcParams["font.size"] * 1.35
    if header_row:
        lift += font_size("note", fs) * 1.5
    fig = ax.figure
    shift = ScaledTranslation(0, lift / 72, fig.dpi_scale_trans)
    left = 0.06 / fs.width_in
    kw.setdefault("ncols", len(handles))
    return ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(left, 1),
                     bbox_transform=blended_transform_factory(fig.transFigure,
                                                              ax.transAxes) + shift,
                     fontsize=font_size("note", fs), borderaxespad=0, handletextpad=0.3,
                     columnspacing=1.0, **kw)


def finish(fig: Figure, title: str, alt_text: str) -> Chart:
    """Fix the layout once and return the chart.

    The constrained layout is solved once, at the PNG resolution, and then
    frozen with axes positions rounded to 1e-5 of the figure: the solver's
    last digits depend on Python's hash seed (they changed the SVG bytes of
    the small multiples from run to run), and a frozen layout also makes
    the PNG, SVG and PDF of one chart agree whatever order they are saved in.
    """
    dpi = fig.dpi
    fig.set_dpi(MEASURE_DPI)
    fig.draw_without_rendering()
    fig.set_dpi(dpi)
    for ax in fig.axes:
        ax.set_position([round(v, 5) for v in ax.get_position().bounds])
    fig.set_layout_engine("none")
    return Chart(fig, alt_text, title)


def frame_texts(fig: Figure) -> dict[str, str]:
    """The title, subtitle and source text of a framed figure (for tests)."""
    out = {}
    for t in fig.texts:
        gid = t.get_gid() or ""
        if gid.startswith("frame-"):
            out[gid[6:]] = t.get_text().replace("\n", " ")
    return out


def pick_model(table: pd.DataFrame, model: str | None) -> str:
    """The model to show: ``model`` if given (checked), else the most common one."""
    models = table["model"].dropna().astype(str)
    if models.empty:
        raise ForecastError(
            "outlook table has no rows with a model; expected rows from the "
            "forecast engine. Fix: run forecast.outlook.table first."
        )
    if model is None:
        counts = models.value_counts()
        return str(sorted(counts.index, key=lambda m: (-counts[m], m))[0])
    if model not in set(models):
        raise ConfigError(
            f"model {model!r} is not in the outlook; expected one of "
            f"{', '.join(sorted(set(models)))}. Fix: pass one of those or None."
        )
    return model


def pick_scenario(table: pd.DataFrame, scenario: str | None) -> str:
    """The scenario to show: ``scenario`` if given, else the fitted model's."""
    names = list(dict.fromkeys(table["scenario"].fillna("").astype(str)))
    if scenario is not None:
        if scenario not in names:
            raise ConfigError(
                f"scenario {scenario!r} is not in the outlook; expected one of "
                f"{', '.join(map(repr, names))}. Fix: pass one of those or None."
            )
        return scenario
    for name in BASE_SCENARIOS:
        if name in names:
            return name
    return sorted(names)[0]


def select_rows(
    table: pd.DataFrame,
    *,
    target_kind: str = "term",
    model: str | None = None,
    scenario: str | None = None,
    unit_ids: list[str] | None = None,
) -> pd.DataFrame:
    """One outlook row per unit: a target kind, one model, one scenario.

    Where a unit has several targets of that kind (two terms), the latest
    deadline is kept.
    """
    rows = table[table["target_kind"] == target_kind]
    if unit_ids is not None:
        rows = rows[rows["unit_id"].isin(unit_ids)]
    if rows.empty:
        raise ForecastError(
            f"outlook has no {target_kind!r} targets"
            + (f" for units {', '.join(unit_ids)}" if unit_ids else "")
            + "; expected at least one row. Fix: check the unit ids and that "
            "targets.csv holds a target of that kind."
        )
    rows = rows[rows["model"] == pick_model(rows, model)]
    rows = rows[rows["scenario"].fillna("").astype(str) == pick_scenario(rows, scenario)]
    rows = rows.assign(_dl=pd.to_datetime(rows["deadline"]))
    rows = rows.sort_values(["unit_id", "_dl"]).groupby("unit_id", sort=False).tail(1)
    return rows.drop(columns="_dl").reset_index(drop=True)


def localized(table: pd.DataFrame, lang: str, names: dict | None = None) -> pd.DataFrame:
    """The table with ``name`` in the chart's language.

    ``names`` (``unit_id`` → name) wins; otherwise the names the outlook put
    in ``table.attrs`` (:data:`forecast.outlook.table.UNIT_NAMES_ATTR`) for ``lang``.
    Units in neither keep the table's (Vietnamese) name.
    """
    from forecast.outlook.table import UNIT_NAMES_ATTR

    mapping = names if names is not None else table.attrs.get(UNIT_NAMES_ATTR, {}).get(lang)
    if not mapping:
        return table
    out = table.copy()
    out["name"] = [mapping.get(u, n) for u, n in zip(out["unit_id"], out["name"])]
    return out


def unit_target_kind(table: pd.DataFrame, unit_id: str) -> str:
    """``"term"`` when the unit has a term-target row, else ``"annual"`` (a unit
    with only an annual target, such as Krông Bông in 2021)."""
    kinds = set(table.loc[table["unit_id"] == unit_id, "target_kind"])
    return "term" if "term" in kinds or not kinds else "annual"


def path_for(paths: dict, row: pd.Series, scenario: str | None = None) -> Any:
    """The PathSummary of an outlook row (optionally of another scenario)."""
    key = (row["unit_id"], row["target_id"], row["model"],
           row["scenario"] if scenario is None else scenario)
    if key not in paths:
        raise ForecastError(
            f"no simulated paths for unit {key[0]!r}, target {key[1]!r}, model "
            f"{key[2]!r}, scenario {key[3]!r}; expected a key of Outlook.paths. "
            "Fix: run the outlook with paths kept for this unit."
        )
    return paths[key]

