"""Every chart of the gallery, at every named size, in both languages, on the
shipped data: the plot keeps at least half the height, the width is the
named width, no text leaves the figure, and the chance label of a progress
chart touches no plotted line or band.

The charts are the ones ``scripts/render_figure_gallery.py`` writes to
``reports/gallery/`` (its :func:`shipped_charts`), so what is looked at there
is what is checked here. The geometry is read back from the drawn figure.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection, PolyCollection  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from forecast.figures.style import SIZES  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("error:Glyph:UserWarning")]

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "render_figure_gallery.py"


def _gallery():
    spec = importlib.util.spec_from_file_location("render_figure_gallery", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GALLERY = _gallery()


@pytest.fixture(scope="module")
def shipped():
    return GALLERY.shipped_outlook(n_paths=400)


def _names():
    # The chart names do not depend on the outlook; list them from a cheap call.
    return ["progress-" + u for u in GALLERY.PROGRESS_UNITS] + [
        "yearly-tien-giang", "nowcast-krong-bong", "pipeline-tien-giang", "portfolio", "pace",
        f"multiples-{GALLERY.PARENT}"]


def test_the_list_of_names_is_the_gallery(shipped):
    ds, ol = shipped
    assert [name for name, _ in GALLERY.shipped_charts(ds, ol, "vi", "column")] == _names()


def _segments_hit(points: np.ndarray, box) -> bool:
    """Whether a polyline (display coordinates) passes through ``box``: each
    segment is sampled at 1/40 steps and the samples tested one by one."""
    for a, b in zip(points[:-1], points[1:]):
        t = np.linspace(0, 1, 41)[:, None]
        xy = a + t * (b - a)
        inside = ((xy[:, 0] >= box.x0) & (xy[:, 0] <= box.x1)
                  & (xy[:, 1] >= box.y0) & (xy[:, 1] <= box.y1))
        if inside.any():
            return True
    return False


def _touches(ax, box) -> list[str]:
    """The plotted artists of ``ax`` whose lines or filled areas meet ``box``."""
    hits = []
    corners = np.array([[box.x0, box.y0], [box.x0, box.y1], [box.x1, box.y0], [box.x1, box.y1],
                        [(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2]])
    for artist in ax.get_children():
        if isinstance(artist, Line2D) and artist.get_visible():
            xy = ax.transData.transform(np.asarray(artist.get_xydata(), dtype=float))
            if _segments_hit(xy, box):
                hits.append(artist.get_gid() or "line")
        elif isinstance(artist, LineCollection):
            for seg in artist.get_segments():
                if _segments_hit(artist.get_transform().transform(seg), box):
                    hits.append(artist.get_gid() or "lines")
        elif isinstance(artist, PolyCollection):
            for path in artist.get_paths():
                verts = artist.get_transform().transform(path.vertices)
                band = MplPath(verts)
                if band.contains_points(corners).any() or _segments_hit(verts, box):
                    hits.append(artist.get_gid() or "band")
    return hits


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_plot_keeps_half_the_height_and_labels_are_clear(shipped, size, lang):
    ds, ol = shipped
    problems = []
    for name, make in GALLERY.shipped_charts(ds, ol, lang, size):
        fig = make().figure
        try:
            axes = [ax for ax in fig.get_axes() if ax.get_visible()]
            # The plot area: from the lowest axes' bottom to the highest's top
            # (the small multiples have one axes per unit), in figure fractions.
            top = max(ax.get_position().y1 for ax in axes)
            bottom = min(ax.get_position().y0 for ax in axes)
            if top - bottom < 0.5:
                problems.append(f"{name}: plot {top - bottom:.2f} of the height")
            width, height = fig.get_size_inches()
            if abs(width - SIZES[size].width_in) > 1e-6:
                problems.append(f"{name}: width {width:.3f} in")
            if height < SIZES[size].height_in * 0.6:
                problems.append(f"{name}: height {height:.3f} in")
            # Drawn at the PNG's 300 dpi: glyphs are relatively wider there than
            # at the screen's 100 dpi, and a title that fits at 100 may not.
            fig.set_dpi(300)
            fig.canvas.draw()
            frame = fig.bbox.padded(1)
            # Frame texts, labels and panel titles (Text children of the axes).
            texts = [*fig.texts, *[t for ax in axes for t in ax.get_children()
                                   if isinstance(t, Text) and t.get_visible()]]
            for text in texts:
                box = text.get_window_extent()
                if text.get_text() and not (frame.x0 <= box.x0 and box.x1 <= frame.x1
                                            and frame.y0 <= box.y0 and box.y1 <= frame.y1):
                    problems.append(f"{name}: text {text.get_text()[:30]!r} leaves the figure")
            boxes = [(t.get_text(), t.get_window_extent()) for t in texts if t.get_text()]
            for i, (a, box_a) in enumerate(boxes):
                for b, box_b in boxes[i + 1:]:
                    if box_a.overlaps(box_b):
                        problems.append(f"{name}: {a[:25]!r} overlaps {b[:25]!r}")
            for ax in axes:
                for label in [t for t in ax.texts if t.get_gid() == "p_reach"]:
                    hits = _touches(ax, label.get_window_extent())
                    if hits:
                        problems.append(f"{name}: chance label on {', '.join(hits)}")
        finally:
            plt.close(fig)
    assert not problems, "\n".join(problems)


def test_the_progress_charts_have_chance_labels_to_check(shipped):
    # Tiền Giang (2020-2025) and Nhơn Sơn (no report yet) have a chance to
    # show; Krông Bông has met its target and shows none.
    ds, ol = shipped
    makers = dict(GALLERY.shipped_charts(ds, ol, "vi", "column"))
    for name, expected in (("progress-tien-giang", 1), ("progress-nhon-son", 1),
                           ("progress-krong-bong", 0)):
        fig = makers[name]().figure
        n = sum(t.get_gid() == "p_reach" for ax in fig.axes for t in ax.texts)
        plt.close(fig)
        assert n == expected, name
