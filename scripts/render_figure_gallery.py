"""Render every chart at every named size, in Vietnamese and English, to
``reports/gallery/`` (PNG, plus SVG/PDF with --all-formats).

Two sets:

* ``<chart>_<size>_<lang>.png`` from the shipped dataset (source lines from
  its sources table): the charts a brief or a notebook makes, e.g.
  ``progress-tien-giang_column_vi.png``. :func:`shipped_charts` lists them;
  ``tests/figures/test_plot_area.py`` checks the same list for the plot's
  share of the height and for labels clear of the data.
* ``synthetic-<chart>_<n>_<lang>.png``: a 60-unit synthetic outlook, shaped
  like the engine's contract (``forecast.outlook.table.OUTLOOK_COLUMNS`` and
  ``PathSummary``), for the long ranked charts the shipped data are too small
  to show. Its numbers are not forecasts of anything.

Usage::

    .venv/bin/python scripts/render_figure_gallery.py [--out DIR] [--all-formats]
        [--paths N] [--sizes column page slide] [--langs vi en]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from forecast import figures  # noqa: E402
from forecast.figures.export import save_figure  # noqa: E402
from forecast.figures.style import SIZES  # noqa: E402
from forecast.labels import LANGS  # noqa: E402
from forecast.paths import REPORTS_DIR  # noqa: E402

SCENARIOS = ("last", "mean", "trend", "full")
PROGRESS_UNITS = ("tien-giang", "krong-bong", "nhon-son", "duc-trong", "bac-lieu")
"""Progress charts of the shipped data: a term target with scenarios, an annual
target already met, a unit with no report yet (the prior), an annual target
far behind, a province whose units have targets."""
PARENT = "bac-lieu"
"""The shipped province with several units that have term targets."""


def shipped_outlook(n_paths: int = 2000):
    """The shipped dataset and its outlook with the brief's scenarios."""
    from forecast.config import Assumptions
    from forecast.data.dataset import load
    from forecast.outlook.table import outlook

    ds = load()
    return ds, outlook(ds, scenarios=SCENARIOS, assumptions=Assumptions(n_paths=n_paths))


def _sources(ds, unit_ids) -> list[str]:
    from forecast.brief.units import unit_source_ids

    return [s for u in unit_ids for s in unit_source_ids(ds, u)]


def shipped_charts(ds, ol, lang: str, size: str) -> Iterator[tuple[str, Callable]]:
    """``(name, make)`` for every chart of the shipped data; ``make()`` draws it.

    The charts are made one at a time (each is closed once saved or checked).
    """
    from forecast.brief.units import (part_year_points, primary_row, target_as_printed,
                                      yearly_table)
    from forecast.models.nowcast import nowcast

    def src(*units: str) -> str:
        return ds.source_line(_sources(ds, units), lang)

    every = list(dict.fromkeys(ol.table["unit_id"]))
    for unit in PROGRESS_UNITS:
        yield f"progress-{unit}", lambda unit=unit: figures.progress_to_target(
            ol, unit, source_line=src(unit), lang=lang, size=size,
            target_text=target_as_printed(ds, primary_row(ol.table, unit)["target_id"], lang))
    yield "yearly-tien-giang", lambda: figures.yearly_admissions(
        yearly_table(ds, "tien-giang", 2020, 2025),
        unit_name=ds.unit_name("tien-giang", lang), source_line=src("tien-giang"),
        lang=lang, size=size)
    year, pts = part_year_points(ds, "krong-bong")
    first = pts.iloc[0]
    yield "nowcast-krong-bong", lambda: figures.part_year_nowcast(
        pts[["period_end", "admitted", "target"]], unit_name=ds.unit_name("krong-bong", lang),
        year=year, source_line=src("krong-bong"), lang=lang, size=size,
        nowcast=nowcast(float(first["admitted"]), first["period_end"], n_paths=2000))
    yield "pipeline-tien-giang", lambda: figures.pipeline(
        ol.table, "tien-giang", source_line=src("tien-giang"), lang=lang, size=size)
    yield "portfolio", lambda: figures.portfolio(ol.table, source_line=src(*every), lang=lang,
                                                 size=size)
    yield "pace", lambda: figures.pace_dumbbell(ol.table, source_line=src(*every), lang=lang,
                                                size=size)
    kids = [u for u in ds.children(PARENT) if u in every]
    yield f"multiples-{PARENT}", lambda: figures.small_multiples(
        ol, PARENT, unit_ids=kids, parent_name=ds.unit_name(PARENT, lang),
        source_line=src(*kids), lang=lang, size=size)


PLACES = [
    "Tân Phước", "Gò Công Đông", "Cái Bè", "Cai Lậy", "Châu Thành", "Chợ Gạo",
    "Gò Công Tây", "Tân Phú Đông", "Krông Bông", "Cư Pui", "Ea Kar", "Krông Pắc",
    "Lắk", "Đắk Mil", "Thường Tín", "Hòa Bình", "Yên Sơn", "Sơn Dương", "Hàm Yên",
    "Chiêm Hóa", "Na Hang", "Lâm Bình", "Duy Tiên", "Kim Bảng", "Thanh Liêm",
    "Bình Lục", "Lý Nhân", "Phủ Lý", "Mỹ Tho", "Gò Công",
]
LONG_NAMES = [
    "Đảng bộ Khối các cơ quan và doanh nghiệp tỉnh Tuyên Quang",
    "Trường Đại học Tân Trào",
    "Chi bộ Ngân hàng TMCP Công thương chi nhánh Tuyên Quang",
]
SYNTHETIC_SOURCE = {
    "vi": "Nguồn: số liệu tổng hợp giả lập để xem thử biểu đồ (không phải số liệu thật).",
    "en": "Source: synthetic figures made to preview the charts (not real data).",
}
"""The synthetic outlook has no real sources; a real chart passes Dataset.source_line()."""


def synthetic_table(n_units: int, seed: int = 7) -> pd.DataFrame:
    """An outlook table with the contract's columns for ``n_units`` made-up units."""
    rng = np.random.default_rng(seed)
    names = ["Tiền Giang"] + [f"Huyện {p}" for p in PLACES] + LONG_NAMES
    names += [f"Xã {p} {i}" for i in range(3) for p in PLACES]
    rows = []
    for i in range(n_units):
        target = 6500.0 if i == 0 else float(rng.choice([7, 12, 40, 90, 150, 300, 600, 1200]))
        cum = float(rng.poisson(3 * target / 5.75 * rng.uniform(0.55, 1.25)))
        required = max(target - cum, 0.0) / 2.75
        observed = cum / 3
        ratio = observed / required if required > 0 else np.inf
        final = cum + rng.poisson(observed * 2.75 * rng.lognormal(0, 0.2, 2000))
        q = {f"final_q{k}": float(np.percentile(final, k)) for k in (10, 25, 50, 75, 90)}
        rows.append(dict(
            unit_id=f"u{i:02d}", name=names[i % len(names)], level="district",
            parent_id=None if i == 0 else "u00", term="2020-2025", target_kind="term",
            target_id=f"u{i:02d}-term", start=pd.Timestamp("2020-01-01"),
            deadline=pd.Timestamp("2025-09-30"), as_of=pd.Timestamp("2022-12-31"),
            target=target, cumulative=cum, remaining=max(target - cum, 0.0), years_left=2.75,
            required_per_year=required, observed_per_year=observed, pace_ratio=ratio,
            label=("on track" if ratio >= 0.95 else
                   "acceleration needed" if ratio >= 0.6 else "limited progress"),
            model="pooled", scenario="model", p_reach=float(np.mean(final >= target)),
            final_mean=float(final.mean()), **q, n_obs=3, diagnostics="synthetic"))
    return pd.DataFrame(rows)


def render(out: Path, formats: tuple[str, ...], n_paths: int = 2000,
           sizes=tuple(SIZES), langs=LANGS) -> list[Path]:
    """Render the gallery; returns the PNG paths."""
    written = []

    def save(chart, stem: str) -> None:
        try:
            paths = save_figure(chart.figure, out / stem, chart.alt_text, formats=formats)
        finally:
            plt.close(chart.figure)
        written.append(paths["png"])

    ds, ol = shipped_outlook(n_paths)
    for size in sizes:
        for lang in langs:
            for name, make in shipped_charts(ds, ol, lang, size):
                save(make(), f"{name}_{size}_{lang}")
    many = synthetic_table(60)
    for lang in langs:
        src = SYNTHETIC_SOURCE[lang]
        save(figures.portfolio(many, source_line=src, lang=lang), f"synthetic-portfolio_60_{lang}")
        save(figures.pace_dumbbell(many, source_line=src, lang=lang), f"synthetic-pace_60_{lang}")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPORTS_DIR / "gallery")
    parser.add_argument("--all-formats", action="store_true",
                        help="also write SVG and PDF beside each PNG")
    parser.add_argument("--paths", type=int, default=2000, help="Monte Carlo paths")
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--langs", nargs="+", default=list(LANGS), choices=list(LANGS))
    args = parser.parse_args(argv)
    formats = ("png", "svg", "pdf") if args.all_formats else ("png",)
    for path in render(args.out, formats, args.paths, args.sizes, args.langs):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
