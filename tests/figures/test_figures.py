"""Charts: the plotted data equals the input, text is complete, sizes are named.

The outlook here is written by hand (three units of a made-up province
with Tiền Giang's 2020-2022 figures), shaped like the engine's contract:
``forecast.outlook.table.OUTLOOK_COLUMNS`` rows and ``forecast.simulate.summary.PathSummary``.
"""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from forecast import figures  # noqa: E402
from forecast.errors import ConfigError  # noqa: E402
from forecast.labels import NBSP  # noqa: E402
from forecast.outlook.table import OUTLOOK_COLUMNS  # noqa: E402
from forecast.models.profile import DEFAULT_PROFILE  # noqa: E402
from forecast.simulate.summary import PathSummary  # noqa: E402
from forecast.figures.style import SIZES  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error:Glyph:UserWarning")

SRC_VI = "Nguồn: Báo Ấp Bắc, 16/9/2023."
SRC_EN = "Source: Báo Ấp Bắc, 16 Sept 2023."
DATES = pd.to_datetime(["2022-12-31", "2023-12-31", "2024-12-31", "2025-09-30"])
TG_Q = {  # cumulative quantiles of Tiền Giang, by hand: start at 3,878, widen each year
    "q10": [3878, 4900, 5900, 6000], "q25": [3878, 5000, 6100, 6400],
    "q50": [3878, 5150, 6400, 6900], "q75": [3878, 5300, 6700, 7300],
    "q90": [3878, 5400, 6900, 7700],
}
TG_FULL = [3878, 5378, 6878, 8003]  # scenario "full": +1,500 a year, 3/4 of 2025


def _row(uid, name, parent, target, cum, p, finals, label, scenario="model", **kw):
    required = (target - cum) / 2.75
    observed = cum / 3
    row = dict.fromkeys(OUTLOOK_COLUMNS)
    row.update(
        unit_id=uid, name=name, level="district" if parent else "province", parent_id=parent,
        term="2020-2025", target_kind="term", target_id=f"{uid}-term",
        start=pd.Timestamp("2020-01-01"), deadline=pd.Timestamp("2025-09-30"),
        as_of=pd.Timestamp("2022-12-31"), target=float(target), cumulative=float(cum),
        remaining=float(target - cum), years_left=2.75, required_per_year=required,
        observed_per_year=observed, pace_ratio=observed / required, label=label,
        model="pooled_nb", scenario=scenario, p_reach=p,
        final_q10=finals[0], final_q25=finals[1], final_q50=finals[2], final_q75=finals[3],
        final_q90=finals[4], final_mean=finals[2], required_per_year_p=required * 1.15,
        n_obs=3, diagnostics="",
    )
    row["introduced_needed"] = row["required_per_year_p"] / 0.367
    row["trained_needed"] = row["required_per_year_p"] / 0.571
    row.update(kw)
    return row


def _summary(cum_hist, q):
    hist = pd.DataFrame({"period_end": pd.to_datetime(["2020-12-31", "2021-12-31",
                                                       "2022-12-31"][-len(cum_hist):]),
                         "cumulative": cum_hist})
    return PathSummary(years=[2023, 2024, 2025],
                       cum_quantiles=pd.DataFrame(q, index=DATES.rename("period_end")),
                       history=hist)


def scaled(q, k):
    return {name: [v * k for v in vals] for name, vals in q.items()}


@pytest.fixture(scope="module")
def outlook():
    rows = [
        _row("tg", "Đảng bộ tỉnh Tiền Giang", None, 6500, 3878, 0.894,
             (6000, 6400, 6900, 7300, 7700), "on track"),
        _row("tg", "Đảng bộ tỉnh Tiền Giang", None, 6500, 3878, 1.0,
             (8003,) * 5, "on track", scenario="full-deterministic"),
        _row("tp", "Huyện Tân Phước", "tg", 300, 120, 0.12,
             (210, 240, 260, 280, 310), "limited progress"),
        _row("gcd", "Huyện Gò Công Đông", "tg", 200, 110, 0.55,
             (170, 190, 205, 220, 240), "acceleration needed"),
    ]
    table = pd.DataFrame(rows, columns=OUTLOOK_COLUMNS)
    paths = {
        ("tg", "tg-term", "pooled_nb", "model"): _summary([1252, 2530, 3878], TG_Q),
        ("tg", "tg-term", "pooled_nb", "full-deterministic"): _summary(
            [1252, 2530, 3878], {k: TG_FULL for k in TG_Q}),
        ("tp", "tp-term", "pooled_nb", "model"): _summary([40, 80, 120], scaled(TG_Q, 120 / 3878)),
        ("gcd", "gcd-term", "pooled_nb", "model"): _summary([35, 70, 110],
                                                            scaled(TG_Q, 110 / 3878)),
    }
    return SimpleNamespace(table=table, paths=paths)


def by_gid(fig, gid):
    found = [a for ax in fig.axes for a in ax.get_children() if a.get_gid() == gid]
    assert found, f"no artist with gid {gid!r}"
    return found


def texts_by_gid(fig, gid):
    return [t.get_text() for ax in fig.axes for t in ax.texts if t.get_gid() == gid]


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


# --- progress to target ---------------------------------------------------------
def test_progress_fan_and_lines_equal_the_quantiles(outlook):
    chart = figures.progress_to_target(outlook, "tg", source_line=SRC_VI, lang="vi")
    fig = chart.figure
    x = mdates.date2num(DATES)
    band80 = {tuple(v) for v in by_gid(fig, "band80")[0].get_paths()[0].vertices.round(6)}
    band50 = {tuple(v) for v in by_gid(fig, "band50")[0].get_paths()[0].vertices.round(6)}
    for i, xi in enumerate(x):
        assert (round(xi, 6), TG_Q["q10"][i]) in band80 and (round(xi, 6), TG_Q["q90"][i]) in band80
        assert (round(xi, 6), TG_Q["q25"][i]) in band50 and (round(xi, 6), TG_Q["q75"][i]) in band50
    median = by_gid(fig, "median")[0]
    np.testing.assert_allclose(mdates.date2num(median.get_xdata()), x)
    np.testing.assert_allclose(median.get_ydata(), TG_Q["q50"])
    history = by_gid(fig, "history")[0]
    # History starts at zero on the term's first day.
    np.testing.assert_allclose(history.get_ydata(), [0, 1252, 2530, 3878])
    assert mdates.date2num(history.get_xdata())[0] == mdates.date2num(pd.Timestamp("2020-01-01"))
    scen = by_gid(fig, "scenario-full-deterministic")[0]
    np.testing.assert_allclose(scen.get_ydata(), TG_FULL)
    target = by_gid(fig, "target")[0].get_segments()[0]
    assert target[0][1] == target[1][1] == 6500
    asof = by_gid(fig, "as_of")[0]
    assert mdates.date2num(asof.get_xdata())[0] == mdates.date2num(pd.Timestamp("2022-12-31"))


def test_progress_text_states_the_finding(outlook):
    vi = figures.progress_to_target(outlook, "tg", source_line=SRC_VI, lang="vi")
    # The deadline is a day, 30/9/2025: "đến 30/9/2025", not "trước tháng 9/2025"
    # (which reads "before September").
    assert vi.title == (f"Đảng bộ tỉnh Tiền Giang: 89{NBSP}% khả năng kết nạp 6.500 đảng "
                        "viên mới đến 30/9/2025")
    frame = figures.frame_texts(vi.figure)
    assert frame["title"] == vi.title and frame["note"] == SRC_VI
    assert "2020–2025" in frame["subtitle"] and "31/12/2022" in frame["subtitle"]
    assert texts_by_gid(vi.figure, "p_reach") == [f"Khả năng đạt chỉ tiêu:\n89{NBSP}%"]
    # Alt text carries the numbers: q10 6.000, median 6.900, q90 7.700, 3.878 admitted.
    for number in ("3.878", "6.000", "6.900", "7.700", "6.500"):
        assert number in vi.alt_text
    en = figures.progress_to_target(outlook, "tg", source_line=SRC_EN, lang="en", size="page")
    assert en.title == (f"Đảng bộ tỉnh Tiền Giang: 89{NBSP}% chance of admitting 6,500 new "
                        "members by 30 Sept 2025")
    assert texts_by_gid(en.figure, "p_reach") == [f"Chance of reaching target: 89{NBSP}%"]


def test_progress_size_is_the_named_size_or_taller(outlook):
    # The width is the named width; the height is the named height unless the
    # text would leave the plot less than half of it: then the figure grows
    # until the plot has 52 % (a little above half, for the solver's rounding).
    for size in ("column", "page", "slide"):
        fig = figures.progress_to_target(outlook, "tg", source_line=SRC_EN, lang="en",
                                         size=size).figure
        width, height = fig.get_size_inches()
        assert width == pytest.approx(SIZES[size].width_in)
        assert height >= SIZES[size].height_in - 1e-9
        share = fig.axes[0].get_position().height
        if height > SIZES[size].height_in + 1e-6:
            assert share == pytest.approx(0.52, abs=0.01)
        else:
            assert share >= 0.5


def test_source_line_is_required(outlook):
    with pytest.raises(ConfigError, match="source line is empty"):
        figures.progress_to_target(outlook, "tg", source_line="", lang="vi")


# --- yearly admissions ------------------------------------------------------------
def test_yearly_attainment_labels():
    yearly = pd.DataFrame({"year": [2020, 2021, 2022], "admitted": [1252, 1278, 1348],
                           "target": [1500, 1500, 1500], "reported_pct": [83.5, 85.2, 89.96]})
    vi = figures.yearly_admissions(yearly, unit_name="Tiền Giang", source_line=SRC_VI, lang="vi")
    # 1252/1500 = 83.47 %, 1278/1500 = 85.20 %, 1348/1500 = 89.87 % (printed 89.96 %).
    assert texts_by_gid(vi.figure, "attainment") == [
        f"83,5{NBSP}%", f"85,2{NBSP}%", f"89,9{NBSP}%\n(báo cáo: 89,96{NBSP}%)"]
    heights = [p.get_height() for p in by_gid(vi.figure, "admitted")]
    assert heights == [1252, 1278, 1348]
    en = figures.yearly_admissions(yearly, unit_name="Tiền Giang", source_line=SRC_EN, lang="en")
    assert texts_by_gid(en.figure, "attainment")[0] == f"83.5{NBSP}%"
    assert en.title == f"Tiền Giang: annual target met in 0 of 3 years; best 89.9{NBSP}% (2022)"
    assert [t.get_text() for t in en.figure.legends[0].get_texts()] == ["Admitted",
                                                                       "Annual target"]


def test_yearly_labels_the_printed_attainment_when_the_target_is_not_in_the_data():
    # Tiền Giang's annual targets are not printed, only the attainment: the
    # labels are the source's own figures, with the decimals it printed.
    yearly = pd.DataFrame({"year": [2020, 2021, 2022], "admitted": [1252, 1278, 1348],
                           "target": [np.nan] * 3, "reported_pct": [83.5, 85.2, 89.96]})
    vi = figures.yearly_admissions(yearly, unit_name="Tiền Giang", source_line=SRC_VI, lang="vi")
    assert texts_by_gid(vi.figure, "attainment") == [
        f"báo cáo: 83,5{NBSP}%", f"báo cáo: 85,2{NBSP}%", f"báo cáo: 89,96{NBSP}%"]
    en = figures.yearly_admissions(yearly, unit_name="Tiền Giang", source_line=SRC_EN, lang="en")
    assert texts_by_gid(en.figure, "attainment")[2] == f"reported: 89.96{NBSP}%"
    assert f"2022: 1,348 (89.96{NBSP}%)" in en.alt_text


def test_yearly_without_targets_has_no_target_in_the_legend():
    yearly = pd.DataFrame({"year": [2020, 2021], "admitted": [12, 15],
                           "target": [np.nan, np.nan]})
    chart = figures.yearly_admissions(yearly, unit_name="X", source_line=SRC_EN, lang="en")
    assert [t.get_text() for t in chart.figure.legends[0].get_texts()] == ["Admitted"]
    assert not [a for ax in chart.figure.axes for a in ax.get_children()
                if a.get_gid() == "target"]
    plt.close(chart.figure)


# --- portfolio ----------------------------------------------------------------------
def test_portfolio_ranks_by_p_reach_with_final_range(outlook):
    chart = figures.portfolio(outlook.table, source_line=SRC_VI, lang="vi")
    ax = chart.figure.axes[0]
    # Bottom to top: ascending chance (the most likely unit on top).
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Huyện Tân Phước", "Huyện Gò Công Đông", "Đảng bộ tỉnh Tiền Giang"]
    segs = by_gid(chart.figure, "range80")[0].get_segments()
    # Final q10..q90 as % of target: 210/300, 310/300; 170/200, 240/200; 6000/6500, 7700/6500.
    expected = [(70.0, 103.333), (85.0, 120.0), (92.3077, 118.4615)]
    for seg, (lo, hi) in zip(segs, expected):
        assert seg[0][0] == pytest.approx(lo, abs=1e-3) and seg[1][0] == pytest.approx(hi, abs=1e-3)
    assert texts_by_gid(chart.figure, "p_reach") == [f"12{NBSP}%", f"55{NBSP}%", f"89{NBSP}%"]
    assert chart.title == f"1/3 đơn vị có ít nhất 80{NBSP}% khả năng đạt chỉ tiêu nhiệm kỳ"


def _many(n):
    rng = np.random.default_rng(1)
    rows = []
    for i in range(n):
        p = float(rng.uniform())
        rows.append(_row(f"u{i}", f"Xã Cư Pui {i}", "tg", 100, 40, p,
                         (60, 80, 95, 110, 130), ["on track", "limited progress"][i % 2]))
    return pd.DataFrame(rows, columns=OUTLOOK_COLUMNS)


def test_portfolio_height_grows_with_units_and_fits_a4():
    h10 = figures.portfolio(_many(10), source_line=SRC_EN, lang="en").figure.get_size_inches()
    h60 = figures.portfolio(_many(60), source_line=SRC_EN, lang="en").figure
    assert h10[0] == pytest.approx(SIZES["page"].width_in)
    w, h = h60.get_size_inches()
    # 50 more rows at >= 0.125 in each; still within an A4 text block (247 mm = 9.72 in).
    assert h - h10[1] >= 50 * 0.125 - 1.5 * 0.15 * 10
    assert h <= 247 / 25.4
    assert min(t.get_fontsize() for t in h60.axes[0].get_yticklabels()) >= 6


def test_portfolio_of_many_units_draws_those_most_at_risk_and_says_so():
    # 75 units: the chart draws the 60 with the lowest chance (its lowest tick
    # is the unit with the smallest p of all), the title still counts 75.
    table = _many(75)
    p = table.set_index("name")["p_reach"]
    chart = figures.portfolio(table, source_line=SRC_EN, lang="en")
    ticks = [t.get_text() for t in chart.figure.axes[0].get_yticklabels()]
    assert len(ticks) == 60
    assert set(ticks) == set(p.sort_values().index[:60])
    assert ticks[0] == p.idxmin()
    assert chart.title.endswith("of 75 units have a chance of at least 80\u00a0% of reaching "
                                "their term target")
    sub = [t.get_text() for t in chart.figure.texts]
    assert any("Only the 60 of 75 units with the lowest chance are drawn" in t for t in sub)
    every = figures.portfolio(table, source_line=SRC_EN, lang="en", max_units=None)
    assert len(every.figure.axes[0].get_yticklabels()) == 75
    plt.close(chart.figure)
    plt.close(every.figure)


def test_portfolio_of_a_model_that_answered_no_unit_says_so_without_warnings():
    # Every p and final quantile empty (a model that could not forecast these
    # units): the title says so instead of "0 of 3 units", and no all-NaN warning.
    table = _many(3)
    table["model"] = "ets"
    for col in ["p_reach"] + [f"final_q{q}" for q in (10, 25, 50, 75, 90)]:
        table[col] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        en = figures.portfolio(table, source_line=SRC_EN, lang="en")
        vi = figures.portfolio(table, source_line=SRC_VI, lang="vi")
    assert en.title == "Model ets could not forecast the term target of any of the 3 units"
    assert vi.title == "Mô hình ets không dự báo được chỉ tiêu nhiệm kỳ của đơn vị nào trong 3 đơn vị"
    # The axis still runs to 110 % of target plus the label margin.
    assert en.figure.axes[0].get_xlim() == pytest.approx((0, 114))
    plt.close(en.figure)
    plt.close(vi.figure)

# --- pace dumbbell ------------------------------------------------------------------
def test_pace_dumbbell_positions(outlook):
    chart = figures.pace_dumbbell(outlook.table, source_line=SRC_EN, lang="en")
    t = outlook.table[outlook.table["scenario"] == "model"].set_index("unit_id")
    # Ascending pace ratio: Tân Phước 40 / 65.45 = 0.61, Gò Công Đông 36.67 / 32.73
    # = 1.12, Tiền Giang 1,292.7 / 953.5 = 1.36.
    order = ["tp", "gcd", "tg"]
    req = by_gid(chart.figure, "required")[0].get_offsets()
    np.testing.assert_allclose(req[:, 0], t.loc[order, "required_per_year"])
    # Tân Phước: observed 40/yr against (300-120)/2.75 = 65.45/yr -> 0.61x.
    assert texts_by_gid(chart.figure, "pace_ratio")[0] == "0.61×"
    assert chart.title == "1 of 3 units admit more slowly than the pace their target needs"


# --- nowcast ------------------------------------------------------------------------
def test_nowcast_profile_and_points():
    points = pd.DataFrame({"period_end": ["2021-06-30", "2021-10-12"], "admitted": [23, 96],
                           "target": [80, 80]})
    chart = figures.part_year_nowcast(points, unit_name="Krông Bông", year=2021,
                                      source_line=SRC_VI, lang="vi")
    prof = by_gid(chart.figure, "profile")[0]
    np.testing.assert_allclose(prof.get_ydata(), 100 * np.array([0.0, *DEFAULT_PROFILE]))
    pts = by_gid(chart.figure, "reported")[0].get_offsets()
    # 30 June 2021 is day 181 of 365: x = 181/365*12 = 5.9507; 23/80 = 28.75 %.
    assert pts[0][0] == pytest.approx(181 / 365 * 12) and pts[0][1] == pytest.approx(28.75)
    assert pts[1][1] == pytest.approx(120.0)
    # Latest point 12/10/2021: profile share there = Sept 0.668 + 12/31 of (0.774-0.668) = 70.9 %.
    assert chart.title == (f"Krông Bông: đến 12/10/2021 đạt 120,0{NBSP}% chỉ tiêu năm, so với "
                           f"71{NBSP}% theo nhịp thông thường")


# --- pipeline -----------------------------------------------------------------------
def test_pipeline_bars(outlook):
    chart = figures.pipeline(outlook.table, "tg", source_line=SRC_EN, lang="en")
    widths = [b.get_width() for b in by_gid(chart.figure, "pipeline")]
    req_p = (6500 - 3878) / 2.75 * 1.15
    np.testing.assert_allclose(widths, [req_p / 0.367, req_p / 0.571, req_p, 3878 / 3])
    assert f"36.7{NBSP}%" in figures.frame_texts(chart.figure)["subtitle"]


def test_pipeline_of_a_unit_with_only_an_annual_target(outlook):
    # The same numbers as an annual target due 30 Sept 2025: the row is used,
    # and the subtitle names the year instead of the term.
    table = outlook.table[outlook.table["unit_id"] == "tg"].assign(target_kind="annual")
    chart = figures.pipeline(table, "tg", source_line=SRC_EN, lang="en")
    req_p = (6500 - 3878) / 2.75 * 1.15
    assert by_gid(chart.figure, "pipeline")[2].get_width() == pytest.approx(req_p)
    assert "the 2025 annual target" in figures.frame_texts(chart.figure)["subtitle"]
    plt.close(chart.figure)


# --- small multiples ----------------------------------------------------------------
def test_small_multiples_shared_scale(outlook):
    chart = figures.small_multiples(outlook, "tg", source_line=SRC_VI, lang="vi")
    axes = [ax for ax in chart.figure.axes if ax.lines]
    assert len(axes) == 2
    assert axes[0].get_ylim() == axes[1].get_ylim()
    # Panels by chance: Gò Công Đông (55 %) first; its history as % of 200.
    assert axes[0].get_title(loc="left").startswith("Huyện Gò Công Đông")
    hist = [ln for ln in axes[0].lines if ln.get_gid() == "history"][0]
    np.testing.assert_allclose(hist.get_ydata(), [0, 17.5, 35, 55])
    assert chart.title.startswith("Đảng bộ tỉnh Tiền Giang: 0/2 đơn vị")


# --- every chart: glyphs and alt text -----------------------------------------------
LONG_NAME = "Đảng bộ tỉnh Tiền Giang — kết nạp đảng viên"
CHARTS = {
    "progress": lambda ol: figures.progress_to_target(ol, "tg", source_line=SRC_VI, lang="vi"),
    "portfolio": lambda ol: figures.portfolio(ol.table, source_line=SRC_VI, lang="vi"),
    "pace": lambda ol: figures.pace_dumbbell(ol.table, source_line=SRC_VI, lang="vi"),
    "pipeline": lambda ol: figures.pipeline(ol.table, "tg", source_line=SRC_VI, lang="vi"),
    "multiples": lambda ol: figures.small_multiples(ol, "tg", source_line=SRC_VI, lang="vi"),
    "yearly": lambda ol: figures.yearly_admissions(
        pd.DataFrame({"year": [2021], "admitted": [8], "target": [7]}),
        unit_name=LONG_NAME, source_line=SRC_VI, lang="vi"),
    "nowcast": lambda ol: figures.part_year_nowcast(
        pd.DataFrame({"period_end": ["2021-09-30"], "admitted": [8], "target": [7]}),
        unit_name=LONG_NAME, year=2021, source_line=SRC_VI, lang="vi"),
}


@pytest.mark.parametrize("name", list(CHARTS))
def test_every_chart_renders_vietnamese_without_missing_glyphs(outlook, name):
    outlook = SimpleNamespace(
        table=outlook.table.replace({"Đảng bộ tỉnh Tiền Giang": LONG_NAME}), paths=outlook.paths)
    chart = CHARTS[name](outlook)
    chart.figure.canvas.draw()   # a missing glyph warns here, and the warning is an error
    assert chart.alt_text.strip() and chart.title in chart.alt_text
    assert figures.frame_texts(chart.figure)["note"] == SRC_VI


def test_progress_fan_starts_at_last_report_and_skips_scenarios_without_paths(outlook):
    # Quantiles given only from the first year end after the last report (the
    # summary adds the anchor row: 3,878 at 31 Dec 2022), and a scenario row
    # whose paths were not kept.
    q = {k: v[1:] for k, v in TG_Q.items()}
    paths = dict(outlook.paths)
    paths[("tg", "tg-term", "pooled_nb", "model")] = PathSummary(
        years=[2023, 2024, 2025], cum_quantiles=pd.DataFrame(q, index=DATES[1:]),
        history=outlook.paths[("tg", "tg-term", "pooled_nb", "model")].history)
    extra = outlook.table.iloc[[0]].assign(scenario="last-deterministic")
    ol = SimpleNamespace(table=pd.concat([outlook.table, extra]), paths=paths)
    chart = figures.progress_to_target(ol, "tg", source_line=SRC_EN, lang="en")
    median = by_gid(chart.figure, "median")[0]
    np.testing.assert_allclose(median.get_ydata(), TG_Q["q50"])  # 3,878 at the last report first
    assert not [a for ax in chart.figure.axes for a in ax.get_children()
                if a.get_gid() == "scenario-last-deterministic"]


def test_progress_fan_starts_at_last_report_when_as_of_is_later(outlook):
    # As of 30 June 2023 with nothing reported after 31 Dec 2022: the first
    # half of 2023 is forecast too, so the fan still starts at (31 Dec 2022, 3,878).
    table = outlook.table.assign(as_of=pd.Timestamp("2023-06-30"))
    chart = figures.progress_to_target(SimpleNamespace(table=table, paths=outlook.paths), "tg",
                                       source_line=SRC_EN, lang="en")
    median = by_gid(chart.figure, "median")[0]
    assert pd.Timestamp(mdates.num2date(mdates.date2num(median.get_xdata())[0])
                        .replace(tzinfo=None)) == pd.Timestamp("2022-12-31")
    np.testing.assert_allclose(median.get_ydata(), TG_Q["q50"])


def test_progress_after_the_deadline_states_the_result(outlook):
    table = outlook.table.assign(as_of=pd.Timestamp("2025-12-31"), cumulative=7150.0)
    chart = figures.progress_to_target(SimpleNamespace(table=table, paths=outlook.paths), "tg",
                                       source_line=SRC_VI, lang="vi")
    # 7,150 / 6,500 = 110.0 %; no fan, no chance, no as-of line.
    assert chart.title == f"Đảng bộ tỉnh Tiền Giang: kết nạp 7.150 đảng viên, đạt 110,0{NBSP}% chỉ tiêu 2020–2025"
    gids = {a.get_gid() for ax in chart.figure.axes for a in ax.get_children()}
    assert not gids & {"band80", "median", "p_reach", "as_of"}


def test_progress_annual_target_is_labelled_annual(outlook):
    table = outlook.table.assign(target_kind="annual")
    chart = figures.progress_to_target(SimpleNamespace(table=table, paths=outlook.paths), "tg",
                                       target_id="tg-term", source_line=SRC_EN, lang="en")
    labels = [t.get_text() for t in chart.figure.axes[0].texts]
    assert "Annual target: 6,500" in labels


@pytest.fixture(scope="module")
def tg_outlook():
    from conftest import TINY_DIR

    from forecast.config import Assumptions
    from forecast.data.dataset import load
    from forecast.outlook.table import outlook as run_outlook

    ds = load(TINY_DIR)
    return run_outlook(ds, as_of="2022-12-31", units=["tien-giang"],
                       assumptions=Assumptions(within_year_profile=DEFAULT_PROFILE, n_paths=500))


def test_english_charts_use_english_unit_names(tg_outlook):
    # The outlook's name column is Vietnamese; the English names come from the
    # units table (name_en) through the table's attrs.
    assert tg_outlook.table["name"].iloc[0] == "Đảng bộ tỉnh Tiền Giang"
    en = figures.progress_to_target(tg_outlook, "tien-giang", source_line=SRC_EN, lang="en")
    assert en.title.startswith("Tiền Giang provincial party committee: ")
    vi = figures.progress_to_target(tg_outlook, "tien-giang", source_line=SRC_VI, lang="vi")
    assert vi.title.startswith("Đảng bộ tỉnh Tiền Giang: ")
    chart = figures.portfolio(tg_outlook.table.query("scenario == 'model'"),
                              source_line=SRC_EN, lang="en")
    ticks = [t.get_text() for ax in chart.figure.axes for t in ax.get_yticklabels()]
    assert any(t.startswith("Tiền Giang provincial") for t in ticks)
    # An explicit mapping wins over the table's names.
    named = figures.pipeline(tg_outlook.table, "tien-giang", source_line=SRC_EN, lang="en",
                             names={"tien-giang": "Tiền Giang"})
    assert named.title.startswith("Tiền Giang: ")
    for c in (en, vi, chart, named):
        plt.close(c.figure)


def test_engine_fan_starts_at_the_last_reported_year_end(tg_outlook):
    # Tiền Giang reported 1,252 / 1,278 / 1,348 for 2020-2022: the history line
    # has the three cumulative points 1,252 / 2,530 / 3,878 and the fan starts
    # at (31 Dec 2022, 3,878).
    chart = figures.progress_to_target(tg_outlook, "tien-giang", source_line=SRC_EN, lang="en")
    hist = by_gid(chart.figure, "history")[0]
    assert list(hist.get_ydata()) == [0, 1252, 2530, 3878]
    median = by_gid(chart.figure, "median")[0]
    first = mdates.num2date(mdates.date2num(median.get_xdata())[0]).replace(tzinfo=None)
    assert pd.Timestamp(first) == pd.Timestamp("2022-12-31")
    assert median.get_ydata()[0] == 3878
    plt.close(chart.figure)


def test_progress_with_nothing_reported_has_no_as_of_line_on_the_axis():
    # Nhơn Sơn-like: term 2020-2025, nothing reported. The fan starts at
    # (1 Jan 2020, 0); no dotted line on the y axis; the label says so from
    # the plot's left edge.
    row = _row("ns", "Nhơn Sơn", None, 32, 0, 0.26, [18, 22, 27, 31, 38],
               "limited progress", as_of=pd.Timestamp("2020-01-01"))
    q = pd.DataFrame({"q10": [4, 18], "q25": [5, 22], "q50": [6, 27], "q75": [7, 31],
                      "q90": [8, 38]}, index=pd.to_datetime(["2020-12-31", "2025-09-30"]))
    ps = PathSummary([2020, 2025], q, pd.DataFrame({"period_end": [], "cumulative": []}),
                     start=pd.Timestamp("2020-01-01"))
    ol = SimpleNamespace(table=pd.DataFrame([row]),
                         paths={("ns", "ns-term", "pooled_nb", "model"): ps})
    chart = figures.progress_to_target(ol, "ns", source_line=SRC_EN, lang="en")
    median = by_gid(chart.figure, "median")[0]
    assert list(median.get_ydata()) == [0, 6, 27]
    assert not [a for ax in chart.figure.axes for a in ax.get_children()
                if a.get_gid() == "as_of"]
    label = [t for ax in chart.figure.axes for t in ax.texts if t.get_gid() == "as_of_label"][0]
    assert label.get_text() == "No admissions reported yet; forecast from 1 Jan 2020"
    assert label.xy == (0.0, 1.0) and label.get_ha() == "left"
    plt.close(chart.figure)


def test_progress_of_an_annual_target_already_met(outlook):
    # Krông Bông-like: 96 admitted by 12 Oct 2021 against an annual target of
    # 80 due 31 Dec 2021. The title states the target is met; the one-year
    # axis has quarter ticks (Jan, Apr, July, Oct) rather than two year ends.
    row = _row("kb", "Krông Bông", None, 80, 96, 1.0, [105, 110, 120, 135, 150], "reached",
               target_kind="annual", target_id="kb-2021", term="2020-2025",
               start=pd.Timestamp("2021-01-01"), deadline=pd.Timestamp("2021-12-31"),
               as_of=pd.Timestamp("2021-10-12"))
    q = pd.DataFrame({c: [v] for c, v in zip(("q10", "q25", "q50", "q75", "q90"),
                                              (105, 110, 120, 135, 150))},
                     index=pd.to_datetime(["2021-12-31"]))
    hist = pd.DataFrame({"period_end": [pd.Timestamp("2021-10-12")], "cumulative": [96.0]})
    ol = SimpleNamespace(table=pd.DataFrame([row]),
                         paths={("kb", "kb-2021", "pooled_nb", "model"): PathSummary([2021], q, hist)})
    chart = figures.progress_to_target(ol, "kb", source_line=SRC_EN, lang="en")
    assert chart.title == "Krông Bông: target of 80 new members already reached, 96 admitted by 12 Oct 2021"
    ax = chart.figure.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[:4] == ["Jan\n2021", "Apr", "July", "Oct"]
    assert list(by_gid(chart.figure, "median")[0].get_ydata()) == [96, 120]
    assert not [t for ax in chart.figure.axes for t in ax.texts if t.get_gid() == "p_reach"]
    plt.close(chart.figure)
