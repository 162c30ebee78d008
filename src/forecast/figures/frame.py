"""The frame every chart shares: title, subtitle, footer legend and source
line around the plot, a plot that keeps at least half the height, and
labels placed where no data are.

The frame follows the UK Analysis Function chart guidance: a left-aligned
title that states the finding, a subtitle with measure, unit and period, and
a source line at the foot. Text is wrapped by measuring it with the renderer
(not by counting characters), so long Vietnamese names wrap where they must
and never run off the edge.

Frame texts are anchored in inches to the top or the bottom edge, so the
figure can grow taller without moving them: :func:`finish` does that when
the text would leave the plot less than :data:`MIN_PLOT_SHARE` of the
height (a long title, a six-entry legend and four sources at the 85 mm
column size), and never changes the width.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import matplotlib.pyplot as plt
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.transforms import Bbox, ScaledTranslation, blended_transform_factory

from forecast.errors import ConfigError, ForecastError
from forecast.figures.style import INK, MUTED, FigureSize, font_size, get_size
from forecast.labels import fit_source_line

MEASURE_DPI = 300

MIN_PLOT_SHARE = 0.5
"""Least share of the figure's height left to the plot area (all axes together)."""

_GROW_TO = 0.52
"""Share aimed at when the figure must grow: a little above the minimum, so
the solver's rounding never lands just under it."""

SOURCE_LINES = {"column": 3, "page": 3, "slide": 2}
"""Most lines the source line may take at each size; past them, sources are
cut from the end and counted ("and 3 more")."""


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


@dataclass
class FrameLayout:
    """Where the frame puts the plot: inches taken at the top and the bottom.

    Kept on the figure (``fig.forecast_frame``) so :func:`finish` can make
    the figure taller and hand the plot the extra height.
    """

    header_in: float
    footer_in: float
    side: float

    def resize(self, fig: Figure, height_in: float) -> None:
        """Set the figure's height and the layout box between header and footer."""
        fig.set_size_inches(fig.get_figwidth(), height_in)
        bottom = self.footer_in / height_in
        fig.get_layout_engine().set(
            rect=(self.side, bottom, 1 - 2 * self.side,
                  1 - self.header_in / height_in - bottom),
            h_pad=0.02, w_pad=0.02,
        )


def _inches_from(fig: Figure, edge: str, offset_in: float) -> Any:
    """Figure-fraction x, and y a fixed number of inches from the top or bottom edge."""
    shift = ScaledTranslation(0, -offset_in if edge == "top" else offset_in,
                              fig.dpi_scale_trans)
    return fig.transFigure + shift


def _fit_source(source: str, lang: str, prop: FontProperties, width_px: float,
                renderer: Any, max_lines: int) -> list[str]:
    """The source line wrapped, with sources cut until it takes ``max_lines`` or fewer."""
    items = str(source).count("; ") + 1
    line = fit_source_line(source, lang)
    lines = _wrap(line, prop, width_px, renderer)
    keep = min(items, 6)
    while len(lines) > max_lines and keep > 1:
        keep -= 1
        lines = _wrap(fit_source_line(source, lang, max_items=keep), prop, width_px, renderer)
    return lines


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
        Frame text; ``source`` must be built from the data's sources. It is
        cut to :data:`SOURCE_LINES` lines, the sources left out counted.
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
    blocks = []
    for role, txt, weight, color in (("title", title, "bold", INK),
                                     ("subtitle", subtitle, "normal", MUTED),
                                     ("note", source, "normal", MUTED)):
        pt = font_size(role, fs)
        prop = FontProperties(family="DejaVu Sans", size=pt, weight=weight)
        if role == "note":
            lines = _fit_source(txt, lang, prop, width_px, renderer,
                                SOURCE_LINES.get(fs.name, 3))
        else:
            lines = _wrap(txt, prop, width_px, renderer)
        blocks.append((role, "\n".join(lines), prop, color, len(lines) * pt * 1.22 / 72))
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
        fig.forecast_legend = {  # read by add_legend
            "labels": wrapped, "ncols": legend_ncols, "x": margin_in / fs.width_in,
            "above_in": footer_in + legend_in - 2 * gap_in, "fontsize": pt,
        }
    footer_in += legend_in
    x = margin_in / fs.width_in
    top = margin_in
    for role, txt, prop, color, h in blocks:
        edge, offset = ("bottom", margin_in + h) if role == "note" else ("top", top)
        fig.text(x, 1.0 if edge == "top" else 0.0, txt, ha="left", va="top",
                 fontproperties=prop, color=color, linespacing=1.22, gid=f"frame-{role}",
                 transform=_inches_from(fig, edge, offset))
        top += h + gap_in
    height_in = fs.height_in if body_height_in is None else \
        header_in + footer_in + body_height_in
    fig.forecast_frame = FrameLayout(header_in, footer_in, margin_in / fs.width_in)
    fig.forecast_frame.resize(fig, height_in)
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
    leg = fig.legend(handles, spec["labels"], loc="upper left", bbox_to_anchor=(spec["x"], 0),
                     bbox_transform=_inches_from(fig, "bottom", spec["above_in"]),
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


def plot_share(fig: Figure) -> float:
    """Share of the figure's height from the lowest axes' bottom to the highest's top."""
    boxes = [ax.get_position() for ax in fig.axes if ax.get_visible()]
    if not boxes:
        return 1.0
    return max(b.y1 for b in boxes) - min(b.y0 for b in boxes)


def after_layout(fig: Figure, step: Callable[[], None]) -> None:
    """Run ``step`` once the layout is final (labels that look for free space)."""
    fig.__dict__.setdefault("forecast_after_layout", []).append(step)


def finish(fig: Figure, title: str, alt_text: str) -> Chart:
    """Fix the layout once and return the chart.

    The constrained layout is solved at the PNG resolution. When the plot
    gets less than :data:`MIN_PLOT_SHARE` of the height, the figure grows
    taller (the frame texts are anchored in inches to the edges, the plot
    takes the new height) and the layout is solved again. The layout is
    then frozen with axes positions rounded to 1e-5 of the figure: the
    solver's last digits depend on Python's hash seed (they changed the SVG
    bytes of the small multiples from run to run), and a frozen layout also
    makes the PNG, SVG and PDF of one chart agree whatever order they are
    saved in. Labels registered with :func:`after_layout` are placed last.
    """
    dpi = fig.dpi
    fig.set_dpi(MEASURE_DPI)
    fig.draw_without_rendering()
    frame = getattr(fig, "forecast_frame", None)
    for _ in range(3):
        share = plot_share(fig)
        if frame is None or share >= MIN_PLOT_SHARE:
            break
        height = fig.get_figheight()
        frame.resize(fig, height + (_GROW_TO - share) * height / (1 - _GROW_TO))
        fig.draw_without_rendering()
    for ax in fig.axes:
        ax.set_position([round(v, 5) for v in ax.get_position().bounds])
    fig.set_layout_engine("none")
    for step in getattr(fig, "forecast_after_layout", ()):
        step()
    fig.set_dpi(dpi)
    return Chart(fig, alt_text, title)


def data_paths(ax: Any, skip: Sequence[Any] = ()) -> list[tuple[Any, bool]]:
    """Every plotted line and band of ``ax`` in display coordinates, with
    whether it is filled (a band) or a line."""
    out = []
    for line in ax.lines:
        if line not in skip and line.get_visible():
            out.append((line.get_transform().transform_path(line.get_path()), False))
    for coll in ax.collections:
        if coll in skip or not coll.get_visible():
            continue
        filled = len(coll.get_facecolor()) > 0 and coll.get_facecolor()[0][3] > 0
        trans = coll.get_transform()
        out += [(trans.transform_path(p), filled) for p in coll.get_paths()]
    return out


def collisions(box: Bbox, paths: list[tuple[Any, bool]], boxes: Sequence[Bbox] = ()) -> int:
    """How many of ``paths`` (line or band) and ``boxes`` (other labels) touch ``box``."""
    hits = sum(bool(path.intersects_bbox(box, filled=filled)) for path, filled in paths)
    return hits + sum(bool(box.overlaps(b)) for b in boxes)


def place_clear(ax: Any, label: Any, spots: Sequence[dict]) -> None:
    """Move ``label`` (an annotation) to the first spot where it touches no data.

    Each spot is a dict of :meth:`Annotation` settings (``xy``, ``xycoords``,
    ``xytext``, ``ha``, ``va``). Lines, bands and the other labels of the
    axes count as data; when every spot touches some, the one touching
    fewest is kept. Call it after the layout is final (:func:`after_layout`).
    """
    paths = data_paths(ax)
    others = [t.get_window_extent() for t in ax.texts if t is not label and t.get_visible()]
    pad = 2 * ax.figure.dpi / 72
    tried = []
    for spot in spots:
        _put(label, spot)
        hits = collisions(label.get_window_extent().padded(pad), paths, others)
        if hits == 0:
            return
        tried.append((hits, len(tried)))
    _put(label, spots[min(tried)[1]])


def _put(label: Any, spot: dict) -> None:
    label.xy, label.xycoords = spot["xy"], spot["xycoords"]
    label.set_position(spot["xytext"])
    label.set_ha(spot["ha"])
    label.set_va(spot["va"])


def frame_texts(fig: Figure) -> dict[str, str]:
    """The title, subtitle and source text of a framed figure (for tests)."""
    out = {}
    for t in fig.texts:
        gid = t.get_gid() or ""
        if gid.startswith("frame-"):
            out[gid[6:]] = t.get_text().replace("\n", " ")
    return out
