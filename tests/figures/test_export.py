"""PNG/SVG/PDF output: embedded TrueType fonts, byte-stability, atomic writes."""

from __future__ import annotations

import re
import struct

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from forecast.errors import ConfigError, ForecastError  # noqa: E402
from forecast.figures.export import figure_bytes, save_figure, write_atomic  # noqa: E402
from forecast.figures.style import SIZES, use_style  # noqa: E402

VI = "Đảng bộ tỉnh Tiền Giang — kết nạp đảng viên"
pytestmark = pytest.mark.filterwarnings("error:Glyph:UserWarning")


def make_figure():
    with use_style("column") as fs:
        fig, ax = plt.subplots(figsize=fs.inches)
        ax.plot([2020, 2021, 2022], [1252, 2530, 3878])
        ax.set_title(VI)
        ax.set_xlabel("Năm — số liệu đến 31/12/2022, đạt 83,5 %")
    return fig


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the PNG IHDR chunk (bytes 16-24)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_same_bytes_on_every_run(fmt):
    first, second = make_figure(), make_figure()
    a = figure_bytes(first, fmt)
    assert a == figure_bytes(first, fmt)        # same figure saved twice
    assert a == figure_bytes(second, fmt)       # the figure rebuilt
    plt.close("all")


def test_pdf_fonts_are_embedded_truetype():
    pdf = figure_bytes(make_figure(), "pdf")
    assert b"/Type3" not in pdf
    assert b"/FontFile2" in pdf                       # TrueType program embedded
    assert re.search(rb"/BaseFont\s*/([A-Z]{6}\+)?DejaVuSans", pdf)  # subset of DejaVu
    assert b"/ToUnicode" in pdf                       # text searchable / copyable
    assert b"/CreationDate" not in pdf and b"/ModDate" not in pdf
    plt.close("all")


def test_svg_text_as_paths_by_default_or_as_text():
    fig = make_figure()
    as_paths = figure_bytes(fig, "svg").decode("utf-8")
    # Glyphs are paths (the words survive only in an XML comment).
    assert "<text" not in as_paths and "<dc:date>" not in as_paths
    as_text = figure_bytes(fig, "svg", svg_text="none").decode("utf-8")
    assert "<text" in as_text and "Tiền Giang" in as_text
    with pytest.raises(ConfigError, match="svg_text"):
        figure_bytes(fig, "svg", svg_text="glyphs")
    plt.close("all")


def test_png_pixels_match_named_size():
    data = figure_bytes(make_figure(), "png", dpi=300)
    assert png_size(data) == SIZES["column"].pixels(300) == (1003, 944)
    plt.close("all")


def test_missing_glyph_is_an_error():
    fig = make_figure()
    fig.axes[0].set_title("中文")                    # CJK: not in DejaVu Sans
    with pytest.raises(ForecastError, match="cannot draw"):
        figure_bytes(fig, "png")
    plt.close("all")


def test_save_figure_writes_files_and_alt_text(tmp_path):
    fig = make_figure()
    out = save_figure(fig, tmp_path / "sub" / "tien-giang_progress", "Biểu đồ đường. " + VI)
    assert set(out) == {"png", "svg", "pdf", "alt"}
    assert out["alt"].name == "tien-giang_progress.alt.txt"
    assert out["alt"].read_text("utf-8") == "Biểu đồ đường. " + VI + "\n"
    assert png_size(out["png"].read_bytes()) == SIZES["column"].pixels(300)
    # No temporary files left behind.
    assert sorted(p.name for p in out["png"].parent.iterdir()) == sorted(
        p.name for p in out.values())
    with pytest.raises(ConfigError, match="alt text is empty"):
        save_figure(fig, tmp_path / "x", "  ")
    plt.close("all")


def test_write_atomic_keeps_old_file_on_failure(tmp_path):
    target = tmp_path / "a.txt"
    write_atomic(target, b"old")
    with pytest.raises(TypeError):
        write_atomic(target, "not bytes")                # fails while writing
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"


def test_chart_layout_is_frozen():
    """Charts leave with a solved, rounded layout and no layout engine, so a
    later save (any format, any order) cannot move anything."""
    import pandas as pd

    from forecast import figures

    yearly = pd.DataFrame({"year": [2020, 2021], "admitted": [1252, 1278],
                           "target": [1500, 1500]})
    fig = figures.yearly_admissions(yearly, unit_name="Tiền Giang",
                                    source_line="Nguồn: Báo Ấp Bắc, 16/9/2023.",
                                    lang="vi").figure
    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    engine = fig.get_layout_engine()
    assert engine is None or isinstance(engine, PlaceHolderLayoutEngine)  # does nothing
    for ax in fig.axes:
        for v in ax.get_position().bounds:
            assert v == pytest.approx(round(v, 5), abs=1e-12)
    svg = figure_bytes(fig, "svg")
    figure_bytes(fig, "png")
    assert figure_bytes(fig, "svg") == svg
    plt.close("all")


@pytest.mark.slow
def test_same_bytes_under_other_hash_seeds():
    """Small multiples (seaborn + constrained layout) do not depend on PYTHONHASHSEED."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    code = (
        "import sys, hashlib; sys.path.insert(0, 'scripts')\n"
        "import matplotlib; matplotlib.use('Agg')\n"
        "from render_figure_gallery import shipped_charts, shipped_outlook\n"
        "from forecast.figures.export import figure_bytes\n"
        "ds, ol = shipped_outlook(300)\n"
        "c = dict(shipped_charts(ds, ol, 'en', 'page'))['multiples-bac-lieu']()\n"
        "print(hashlib.sha256(figure_bytes(c.figure, 'svg')).hexdigest())\n"
    )
    digests = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "MPLBACKEND": "Agg"}
        out = subprocess.run([sys.executable, "-c", code], cwd=repo, env=env,
                             capture_output=True, text=True, check=True)
        digests.add(out.stdout.strip())
    assert len(digests) == 1
