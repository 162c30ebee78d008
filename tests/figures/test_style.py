"""Named sizes, palette legibility in greyscale, the style context."""

from __future__ import annotations

import itertools

import matplotlib as mpl
import pytest

from forecast.errors import ConfigError
from forecast.figures.style import (BAND_50, BAND_80, FORECAST, LABEL_COLORS, LABEL_MARKERS,
                            SCENARIO_STYLES, SIZES, get_size, use_style)


def lightness(hex_color: str) -> float:
    """CIE L* of an sRGB colour (independent of matplotlib: the sRGB formulas)."""
    rgb = [int(hex_color.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return 116 * y ** (1 / 3) - 16 if y > 216 / 24389 else 24389 / 27 * y


def test_lightness_reference_values():
    # White 100, black 0, Okabe-Ito blue ~46 (computed by hand above).
    assert lightness("#ffffff") == pytest.approx(100, abs=0.01)
    assert lightness("#000000") == pytest.approx(0, abs=0.01)
    assert lightness("#0072B2") == pytest.approx(45.9, abs=0.5)


def test_named_sizes():
    # 85 mm = 3.346 in; 170 mm = 6.693 in; slide 254 x 142.875 mm = 10 x 5.625 in.
    assert SIZES["column"].width_in == pytest.approx(85 / 25.4)
    assert SIZES["page"].width_in == pytest.approx(6.6929, abs=1e-4)
    assert SIZES["slide"].inches == pytest.approx((10.0, 5.625))
    assert SIZES["column"].pixels(300)[0] == 1003      # 1003.9 truncated like Agg
    assert SIZES["slide"].pixels(300) == (3000, 1687)  # 1687.5 truncated
    with pytest.raises(ConfigError, match="size='column'"):
        get_size("a4")


def test_label_colours_readable_in_greyscale():
    """Two labels whose colours are close in grey must differ by marker."""
    assert len(set(LABEL_MARKERS.values())) == len(LABEL_MARKERS)
    for a, b in itertools.combinations(LABEL_COLORS, 2):
        if abs(lightness(LABEL_COLORS[a]) - lightness(LABEL_COLORS[b])) < 10:
            assert LABEL_MARKERS[a] != LABEL_MARKERS[b], (a, b)
    # The fan: 80 % band, 50 % band and median step down in lightness.
    l80, l50, lmed = (lightness(c) for c in (BAND_80, BAND_50, FORECAST))
    assert l80 - l50 >= 10 and l50 - lmed >= 10


def test_scenario_lines_differ_by_dash():
    dashes = [str(d) for _, d in SCENARIO_STYLES]
    assert len(set(dashes)) == len(dashes)


def test_use_style_applies_and_restores():
    before = mpl.rcParams["font.size"]
    with use_style("slide") as fs:
        assert fs.name == "slide"
        assert mpl.rcParams["font.sans-serif"][0] == "DejaVu Sans"
        assert mpl.rcParams["pdf.fonttype"] == 42
        assert mpl.rcParams["font.size"] == pytest.approx(7.5 * 1.6)
        assert tuple(mpl.rcParams["figure.figsize"]) == pytest.approx((10.0, 5.625))
    assert mpl.rcParams["font.size"] == before
