"""Chart style: named sizes, the palette and a context manager applying both.

The rc settings live in the one style file ``forecast.mplstyle``
(:data:`forecast.paths.STYLE_FILE`); this module adds what a style file cannot
hold: figure sizes with names, colours with meanings, and font scaling for
slides. See ``docs/figures.md``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import matplotlib as mpl
import matplotlib.pyplot as plt

from forecast.errors import ConfigError
from forecast.paths import STYLE_FILE

MM_PER_INCH = 25.4


@dataclass(frozen=True)
class FigureSize:
    """A named figure size.

    Attributes
    ----------
    name : str
        Name used in function arguments (``"column"``, ``"page"``, ``"slide"``).
    width_mm, height_mm : float
        Size of the saved figure; the height is a default that charts with one
        row per unit (portfolio, dumbbell) replace by what the rows need.
    font_scale : float
        Factor on the style file's font sizes, so text has the same apparent
        size when the figure is shown at its intended width.
    """

    name: str
    width_mm: float
    height_mm: float
    font_scale: float = 1.0

    @property
    def width_in(self) -> float:
        return self.width_mm / MM_PER_INCH

    @property
    def height_in(self) -> float:
        return self.height_mm / MM_PER_INCH

    @property
    def inches(self) -> tuple[float, float]:
        """(width, height) in inches, as ``Figure.set_size_inches`` takes it."""
        return (self.width_in, self.height_in)

    def pixels(self, dpi: int = 300) -> tuple[int, int]:
        """(width, height) in pixels of a PNG saved at ``dpi``.

        Truncated, as matplotlib's Agg canvas does (85 mm at 300 dpi is
        1003.9 px, saved as 1003).
        """
        return (int(self.width_in * dpi), int(self.height_in * dpi))


SIZES: dict[str, FigureSize] = {
    # A4 two-column layout: text block ~170 mm, column ~85 mm.
    "column": FigureSize("column", 85.0, 80.0, 1.0),
    "page": FigureSize("page", 170.0, 100.0, 1.15),
    # PowerPoint/Impress 16:9 default: 10 in x 5.625 in (254 x 142.875 mm).
    "slide": FigureSize("slide", 254.0, 142.875, 1.6),
}


def get_size(size: str | FigureSize) -> FigureSize:
    """Look up a named size (or pass a :class:`FigureSize` through)."""
    if isinstance(size, FigureSize):
        return size
    try:
        return SIZES[size]
    except KeyError:
        raise ConfigError(
            f"figure size {size!r} is not known; expected one of "
            f"{', '.join(SIZES)}. Fix: pass size='column', 'page' or 'slide', or a "
            "forecast.figures.style.FigureSize."
        ) from None


# Okabe & Ito (2008) colour-blind-safe palette. CIE lightness L* (0-100) is
# given beside each colour: it is what greyscale print keeps, so colours used
# together either differ by 10 or more or are told apart by markers or dashes.
OKABE_ITO = {
    "black": "#000000",       # 0
    "orange": "#E69F00",      # 71
    "sky_blue": "#56B4E9",    # 70
    "green": "#009E73",       # 58
    "yellow": "#F0E442",      # 89
    "blue": "#0072B2",        # 46
    "vermillion": "#D55E00",  # 54
    "purple": "#CC79A7",      # 61
}

INK = "#222222"
MUTED = "#666666"
GRID = "#d9d9d9"

HISTORY = INK
"""Observed cumulative admissions."""
TARGET = OKABE_ITO["vermillion"]
"""The target line (dashed, so it survives greyscale)."""
FORECAST = OKABE_ITO["blue"]
"""Forecast median; the bands are the same hue, lighter."""
BAND_80 = "#c6dbef"
BAND_50 = "#7fb2d9"
ASOF = MUTED

LABELS = ("reached", "on track", "acceleration needed", "limited progress")
"""The pace labels of :mod:`forecast.models.progress` that get a colour, best first:
"reached" (target already met) and the three official-style labels. Any
other value ("no data") is drawn grey."""

LABEL_COLORS = {
    "reached": OKABE_ITO["green"],
    "on track": OKABE_ITO["blue"],
    "acceleration needed": OKABE_ITO["orange"],
    "limited progress": OKABE_ITO["vermillion"],
}
"""Label colours. Vermillion (L* 54) and green (58) are close in greyscale,
so each label also has its own marker (:data:`LABEL_MARKERS`)."""
LABEL_MARKERS = {"reached": "P", "on track": "o", "acceleration needed": "^",
                 "limited progress": "s"}
UNLABELLED = "#999999"

SCENARIO_STYLES = (
    (OKABE_ITO["green"], (0, (5, 2))),
    (OKABE_ITO["purple"], (0, (1, 1.5))),
    (OKABE_ITO["orange"], (0, (6, 2, 1, 2))),
    (OKABE_ITO["black"], (0, (2, 2))),
    (OKABE_ITO["sky_blue"], (0, (8, 3))),
)
"""(colour, dash pattern) per scenario line: the dash tells them apart in grey."""

FUNNEL_COLORS = (OKABE_ITO["sky_blue"], OKABE_ITO["green"], OKABE_ITO["blue"])
FUNNEL_HATCHES = ("", "///", "")
GREY_BAR = "#bdbdbd"
"""Context bars (what was observed) beside the coloured bars of what is needed."""


def label_color(label: object) -> str:
    """Colour for a pace label; grey for a missing or unknown label."""
    return LABEL_COLORS.get(str(label), UNLABELLED)


def label_marker(label: object) -> str:
    """Marker for a pace label; a diamond for a missing or unknown label."""
    return LABEL_MARKERS.get(str(label), "D")


_SCALED_KEYS = (
    "font.size", "axes.titlesize", "axes.labelsize", "xtick.labelsize",
    "ytick.labelsize", "legend.fontsize", "legend.title_fontsize", "figure.titlesize",
    "lines.linewidth", "lines.markersize", "axes.linewidth", "grid.linewidth",
)


def style_params(size: str | FigureSize = "column") -> dict[str, object]:
    """The rc parameters of the style file, scaled for ``size``."""
    fs = get_size(size)
    params = dict(mpl.rc_params_from_file(str(STYLE_FILE), use_default_template=False))
    for key in _SCALED_KEYS:
        if key in params:
            params[key] = float(params[key]) * fs.font_scale
    params["figure.figsize"] = fs.inches
    return params


@contextlib.contextmanager
def use_style(size: str | FigureSize = "column") -> Iterator[FigureSize]:
    """Apply the forecast style for the duration of a ``with`` block.

    Parameters
    ----------
    size : str or FigureSize
        Named size; its font scale is applied and it is the default figure size.

    Yields
    ------
    FigureSize
        The resolved size.
    """
    fs = get_size(size)
    with plt.rc_context(style_params(fs)):
        yield fs


def font_size(role: str, size: str | FigureSize = "column") -> float:
    """Point size of a text role (title, subtitle, body, note) at ``size``."""
    base = {"title": 9.0, "subtitle": 7.5, "body": 7.5, "annotation": 7.0, "note": 6.5}
    if role not in base:
        raise ConfigError(
            f"text role {role!r} is not known; expected one of {', '.join(base)}."
        )
    return base[role] * get_size(size).font_scale
