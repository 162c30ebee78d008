"""Render every chart, in Vietnamese and English, for a 10-unit and a 60-unit
synthetic outlook, to ``reports/gallery/`` (PNG, plus SVG/PDF with --all-formats).

The outlook here is synthetic and shaped like the engine's contract
(``forecast.outlook.table.OUTLOOK_COLUMNS`` and ``PathSummary``); it exists so the
charts can be looked at without running the engine. The numbers are not
forecasts of anything. Usage::

    .venv/bin/python scripts/render_figure_gallery.py [--out DIR] [--all-formats]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from forecast import figures  # noqa: E402
from forecast.figures.export import save_figure  # noqa: E402
from forecast.paths import REPORTS_DIR  # noqa: E402
from forecast.models.nowcast import nowcast  # noqa: E402
from forecast.models.profile import DEFAULT_PROFILE  # noqa: E402

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
SOURCE_VI = "Nguồn: số liệu tổng hợp giả lập để xem thử biểu đồ (không phải số liệu thật)."
SOURCE_EN = "Source: synthetic figures made to preview the charts (not real data)."
"""The gallery has no real sources; a real chart passes Dataset.source_line()."""

SCENARIOS = ("model", "last", "full")


def synthetic_outlook(n_units: int, seed: int = 7) -> SimpleNamespace:
    """An Outlook-like object: ``.table`` with the contract's columns, ``.paths``."""
    rng = np.random.default_rng(seed)
    start, end, as_of = pd.Timestamp("2020-01-01"), pd.Timestamp("2025-09-30"), pd.Timestamp("2022-12-31")
    n_children = min(12, n_units - 1)
    rows, paths = [], {}
    names = ["Tiền Giang"] + [f"Huyện {p}" for p in PLACES] + LONG_NAMES
    names += [f"Xã {p} {i}" for i in range(3) for p in PLACES]
    for i in range(n_units):
        uid = f"u{i:02d}"
        parent = None if i == 0 else ("u00" if i <= n_children else "u-other")
        target = 6500.0 if i == 0 else float(rng.choice([7, 12, 40, 90, 150, 300, 600, 1200]))
        attain = rng.uniform(0.55, 1.25)
        yearly_mean = target / 5.75 * attain
        hist_counts = rng.poisson(yearly_mean * rng.lognormal(0, 0.15, 3)).astype(float)
        if i == 0:
            hist_counts = np.array([1252.0, 1278.0, 1348.0])
        cum = np.cumsum(hist_counts)
        years_left = 2.75
        remaining = max(target - cum[-1], 0.0)
        required = remaining / years_left
        observed = cum[-1] / 3
        ratio = observed / required if required > 0 else np.inf
        label = ("on track" if ratio >= 0.95 else
                 "acceleration needed" if ratio >= 0.6 else "limited progress")
        for s_i, scen in enumerate(SCENARIOS):
            mult = {"model": 1.0, "last": hist_counts[-1] / max(observed, 1), "full": 1 / attain}[scen]
            rate = observed * mult
            draws = rng.poisson(rate * rng.lognormal(0, 0.2, (2000, 1)) * np.array([1, 1, 0.75]))
            sims = cum[-1] + np.cumsum(draws, axis=1)
            dates = pd.to_datetime(["2022-12-31", "2023-12-31", "2024-12-31", "2025-09-30"])
            qs = np.vstack([np.full(5, cum[-1]),
                            np.percentile(sims, [10, 25, 50, 75, 90], axis=0).T])
            cq = pd.DataFrame(qs, index=dates, columns=["q10", "q25", "q50", "q75", "q90"])
            hist = pd.DataFrame({"period_end": pd.to_datetime(["2020-12-31", "2021-12-31", "2022-12-31"]),
                                 "cumulative": cum})
            paths[(uid, f"{uid}-term", "pooled", scen)] = SimpleNamespace(
                years=[2023, 2024, 2025], cum_quantiles=cq, history=hist)
            final = sims[:, -1]
            req_p = required * 1.12
            rows.append(dict(
                unit_id=uid, name=names[i % len(names)], level="province" if i == 0 else "district",
                parent_id=parent, term="2020-2025", target_kind="term", target_id=f"{uid}-term",
                start=start, deadline=end, as_of=as_of, target=target, cumulative=cum[-1],
                remaining=remaining, years_left=years_left, required_per_year=required,
                observed_per_year=observed, pace_ratio=ratio, label=label, model="pooled",
                scenario=scen, p_reach=float(np.mean(final >= target)), final_mean=final.mean(),
                final_q10=np.percentile(final, 10), final_q50=np.percentile(final, 50),
                final_q90=np.percentile(final, 90), final_q25=np.percentile(final, 25),
                final_q75=np.percentile(final, 75), reach_date_q10=None, reach_date_q50=None,
                reach_date_q90=None, required_attainment=None, required_per_year_p=req_p,
                introduced_needed=req_p / 0.367, trained_needed=req_p / 0.571, n_obs=3,
                diagnostics="synthetic"))
            del s_i
    return SimpleNamespace(table=pd.DataFrame(rows), paths=paths)


def render(out: Path, formats: tuple[str, ...]) -> list[Path]:
    """Render the whole gallery; returns the PNG paths."""
    written = []
    tien_giang_years = pd.DataFrame({"year": [2020, 2021, 2022],
                                     "admitted": [1252, 1278, 1348],
                                     "target": [1500, 1500, 1500],
                                     "reported_pct": [83.5, 85.2, 89.96]})
    krong_bong = pd.DataFrame({"period_end": ["2021-06-30", "2021-10-12"],
                               "admitted": [23, 96], "target": [80, 80]})
    nc = nowcast(23, "2021-06-30", DEFAULT_PROFILE, n_paths=2000)
    for n in (10, 60):
        ol = synthetic_outlook(n)
        for lang in ("vi", "en"):
            src = SOURCE_VI if lang == "vi" else SOURCE_EN
            charts = {
                "progress": figures.progress_to_target(ol, "u00", source_line=src, lang=lang),
                "portfolio": figures.portfolio(ol.table, source_line=src, lang=lang),
                "pace": figures.pace_dumbbell(ol.table, source_line=src, lang=lang),
                "pipeline": figures.pipeline(ol.table, "u00", source_line=src, lang=lang),
                "multiples": figures.small_multiples(ol, "u00", source_line=src, lang=lang),
            }
            if n == 10:
                charts["yearly"] = figures.yearly_admissions(
                    tien_giang_years, unit_name="Tiền Giang", source_line=src, lang=lang)
                charts["nowcast"] = figures.part_year_nowcast(
                    krong_bong, unit_name="Krông Bông", year=2021, source_line=src,
                    lang=lang, nowcast=nc)
                charts["progress_page"] = figures.progress_to_target(
                    ol, "u00", source_line=src, lang=lang, size="page")
                charts["progress_slide"] = figures.progress_to_target(
                    ol, "u00", source_line=src, lang=lang, size="slide")
            for name, chart in charts.items():
                paths = save_figure(chart.figure, out / f"{name}_{n}_{lang}", chart.alt_text,
                                    formats=formats)
                written.append(paths["png"])
                plt.close(chart.figure)
    return written


def render_real(out: Path, formats: tuple[str, ...], as_of: str = "2022-12-31") -> list[Path]:
    """Charts from the shipped dataset (source lines from its sources table)."""
    from forecast.config import Assumptions
    from forecast.data.dataset import load
    from forecast.outlook.table import outlook

    ds = load()
    ol = outlook(ds, as_of=as_of, scenarios=("last", "full"),
                 assumptions=Assumptions(n_paths=2000))
    ids = lambda unit: ds.observations.loc[ds.observations["unit_id"] == unit, "source_id"]  # noqa: E731
    written = []
    for lang in ("vi", "en"):
        every = ds.source_line(ds.observations["source_id"], lang)
        charts = {
            "progress": figures.progress_to_target(
                ol, "tien-giang", source_line=ds.source_line(ids("tien-giang"), lang), lang=lang),
            "portfolio": figures.portfolio(ol.table, source_line=every, lang=lang),
            "pace": figures.pace_dumbbell(ol.table, source_line=every, lang=lang),
        }
        for name, chart in charts.items():
            paths = save_figure(chart.figure, out / f"real_{name}_{lang}", chart.alt_text,
                                formats=formats)
            written.append(paths["png"])
            plt.close(chart.figure)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPORTS_DIR / "gallery")
    parser.add_argument("--all-formats", action="store_true",
                        help="also write SVG and PDF beside each PNG")
    args = parser.parse_args(argv)
    formats = ("png", "svg", "pdf") if args.all_formats else ("png",)
    for path in [*render(args.out, formats), *render_real(args.out, formats)]:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
