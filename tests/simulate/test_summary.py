"""Monte Carlo paths against closed forms and hand calculations."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from forecast.models.base import Exposure, FittedModel, Streams, UnitData
from forecast.models.profile import DEFAULT_PROFILE
from forecast.simulate.engine import simulate_target

T = pd.Timestamp
NO_KNOWN = pd.DataFrame(columns=["period_start", "period_end", "value", "low", "high"])


@dataclass
class Fixed(FittedModel):
    """A model whose yearly mean is a known constant (for closed forms)."""

    level: float = 10.0

    def yearly_means(self, unit_id, years, streams):
        return np.full((streams.n_paths, len(years)), self.level)


def _model(level, alpha=0.0, year_sd=0.0, target=100.0):
    ud = UnitData("u", NO_KNOWN, Exposure("annual_target", {2023: target}))
    return Fixed("fixed", {"u": ud}, alpha=alpha, year_sd=year_sd,
                 profile=DEFAULT_PROFILE, level=level)


def test_sum_of_poisson_years_matches_closed_form():
    # Three whole years of Poisson(40): S ~ Poisson(120), P(S >= 130) = sf(129; 120).
    m = _model(40.0)
    n = 20_000
    res = simulate_target(m, "u", T("2023-01-01"), T("2025-12-31"), 130, NO_KNOWN,
                          Streams(11, n))
    exact = stats.poisson.sf(129, 120)
    assert res.p_reach == pytest.approx(exact, abs=4 * np.sqrt(exact * (1 - exact) / n))
    assert res.final_mean == pytest.approx(120, abs=4 * np.sqrt(120 / n))
    assert res.final_q50 == stats.poisson.median(120)


def test_negative_binomial_year_has_the_nb2_mean_and_variance():
    # One year, mean 50, alpha 0.1: variance 50 + 0.1 · 50² = 300.
    m = _model(50.0, alpha=0.1)
    streams = Streams(2, 40_000)
    d = m.draw_years("u", [2024], streams)[:, 0]
    assert d.mean() == pytest.approx(50, abs=4 * np.sqrt(300 / 40_000))
    assert d.var() == pytest.approx(300, rel=0.05)


def test_shared_year_shock_correlates_units_and_keeps_the_mean():
    # Lognormal shock exp(s z - s²/2) shared by units: mean unchanged, and two units'
    # draws for the same year correlate (both means large, so Poisson noise is small).
    ud = UnitData("v", NO_KNOWN, Exposure("annual_target", {2024: 1.0}))
    m = _model(1000.0, year_sd=0.2)
    m.data["v"] = ud
    streams = Streams(4, 20_000)
    a = m.draw_years("u", [2024], streams)[:, 0]
    b = m.draw_years("v", [2024], streams)[:, 0]
    assert a.mean() == pytest.approx(1000, rel=0.01)
    assert np.corrcoef(a, b)[0, 1] > 0.9


def test_same_seed_same_numbers_and_unit_streams_do_not_depend_on_other_units():
    m = _model(40.0, alpha=0.05, year_sd=0.1)
    args = ("u", T("2023-01-01"), T("2024-12-31"), 90, NO_KNOWN)
    r1 = simulate_target(m, *args, Streams(7, 1000))
    r2 = simulate_target(m, *args, Streams(7, 1000))
    r3 = simulate_target(m, *args, Streams(8, 1000))
    assert np.array_equal(r1.finals, r2.finals)
    assert not np.array_equal(r1.finals, r3.finals)
    # Adding a unit to the model changes nothing for "u": streams are keyed by unit id.
    m.data["w"] = UnitData("w", NO_KNOWN, Exposure("own_level"))
    assert np.array_equal(simulate_target(m, *args, Streams(7, 1000)).finals, r1.finals)


def test_part_year_adds_only_the_rest_of_the_year_deterministic_line():
    # 30 reported by 30 June (share 0.378); 100 % of a target of 100 for the rest:
    # 30 + 100 · (1 - 0.378) = 92.2. Deterministic: p_reach 0 for target 93, 1 for 92.
    known = pd.DataFrame({"period_start": [T("2023-01-01")], "period_end": [T("2023-06-30")],
                          "value": [30.0], "low": [30.0], "high": [30.0]})
    m = _model(0.0)
    for target, p in ((93, 0.0), (92, 1.0)):
        r = simulate_target(m, "u", T("2023-01-01"), T("2023-12-31"), target, known,
                            Streams(1, 200), attainment=1.0, deterministic=True)
        assert r.final_mean == pytest.approx(30 + 100 * (1 - 0.378))
        assert r.p_reach == p


def test_reach_date_is_the_month_the_line_crosses_the_target():
    # Deterministic 100 a year from 1 Jan 2023, target 150: 100 by end 2023, then
    # 100 + 100 · share(month) >= 150 first when share >= 0.5: June 0.378, July 0.469,
    # August 0.566 -> 2024-08-31. A target of 250 is never reached by 2024-12-31.
    m = _model(0.0)
    r = simulate_target(m, "u", T("2023-01-01"), T("2024-12-31"), 150, NO_KNOWN,
                        Streams(1, 200), attainment=1.0, deterministic=True)
    assert (r.reach_date_q10, r.reach_date_q50, r.reach_date_q90) == ("2024-08-31",) * 3
    r = simulate_target(m, "u", T("2023-01-01"), T("2024-12-31"), 250, NO_KNOWN,
                        Streams(1, 200), attainment=1.0, deterministic=True)
    assert r.reach_date_q50 is None and r.p_reach == 0.0


def test_deadline_counts_only_the_profile_share_of_the_last_year():
    # Window 2023-01-01..2025-09-30 at 100 a year: 100 + 100 + 100 · 0.668 = 266.8.
    m = _model(0.0)
    r = simulate_target(m, "u", T("2023-01-01"), T("2025-09-30"), 200, NO_KNOWN,
                        Streams(1, 200), attainment=1.0, deterministic=True)
    assert r.final_mean == pytest.approx(266.8)
    # Nothing reported: the fan's first row is 0 on the window's first day.
    q = r.summary.cum_quantiles
    assert list(q.index) == [T("2023-01-01"), T("2023-12-31"), T("2024-12-31"), T("2025-09-30")]
    assert (q.iloc[0] == 0).all()


def _known(rows):
    return pd.DataFrame({"period_start": [T(a) for a, _, _ in rows],
                         "period_end": [T(b) for _, b, _ in rows],
                         "value": [float(v) for *_, v in rows],
                         "low": np.nan, "high": np.nan})


def test_summary_starts_at_the_last_report_inside_a_year():
    # Krông Bông-like: 96 reported by 12 Oct 2021, target year 2021. The fan
    # runs from (12 Oct, 96) with every quantile 96 to the year end.
    known = _known([("2021-01-01", "2021-10-12", 96)])
    r = simulate_target(_model(40.0), "u", T("2021-01-01"), T("2021-12-31"), 100, known,
                        Streams(1, 500))
    q = r.summary.cum_quantiles
    assert list(q.index) == [T("2021-10-12"), T("2021-12-31")]
    assert (q.iloc[0] == 96).all()
    assert q.iloc[1]["q50"] > 96


def test_summary_drops_past_year_ends_and_keeps_a_year_end_anchor():
    # Tiền Giang-like: 1,252 + 1,278 + 1,348 = 3,878 reported for 2020-2022.
    # The 2020 and 2021 year ends are the past (history); the fan starts at
    # 31 Dec 2022 with 3,878 in every quantile.
    known = _known([("2020-01-01", "2020-12-31", 1252), ("2021-01-01", "2021-12-31", 1278),
                    ("2022-01-01", "2022-12-31", 1348)])
    r = simulate_target(_model(1300.0), "u", T("2020-01-01"), T("2025-09-30"), 6500, known,
                        Streams(1, 500))
    q = r.summary.cum_quantiles
    assert list(q.index) == [T("2022-12-31"), T("2023-12-31"), T("2024-12-31"), T("2025-09-30")]
    assert (q.iloc[0] == 3878).all()
    assert list(r.summary.history["cumulative"]) == [1252, 2530, 3878]


def test_hand_made_summary_gets_the_anchor_row():
    from forecast.simulate.summary import PathSummary

    q = pd.DataFrame({c: [v] for c, v in zip(("q10", "q25", "q50", "q75", "q90"),
                                              (121, 127, 133, 140, 145))},
                     index=pd.DatetimeIndex(["2021-12-31"], name="period_end"))
    hist = pd.DataFrame({"period_end": [T("2021-10-12")], "cumulative": [96.0]})
    ps = PathSummary([2021], q, hist)
    assert list(ps.cum_quantiles.index) == [T("2021-10-12"), T("2021-12-31")]
    assert (ps.cum_quantiles.iloc[0] == 96).all() and ps.cum_quantiles.iloc[1]["q50"] == 133
    # Neither history nor start: nothing to anchor on, the rows stay as given.
    assert len(PathSummary([2021], q, hist.iloc[:0]).cum_quantiles) == 1


def test_a_reported_range_is_drawn_uniformly_as_whole_numbers():
    # "10-12" reported for the whole window, nothing to simulate: the final is
    # 10, 11 or 12 with probability 1/3 each (a count), so q10 = 10, q50 = 11,
    # q90 = 12 and P(final >= 11.5) = P(12) = 1/3 (sd over 10,000 paths 0.0047).
    known = pd.DataFrame({"period_start": [T("2023-01-01")], "period_end": [T("2023-12-31")],
                          "value": [11.0], "low": [10.0], "high": [12.0]})
    r = simulate_target(_model(0.0), "u", T("2023-01-01"), T("2023-12-31"), 11.5, known,
                        Streams(3, 10_000))
    assert set(np.unique(r.finals)) == {10.0, 11.0, 12.0}
    assert (r.final_q10, r.final_q50, r.final_q90) == (10.0, 11.0, 12.0)
    assert r.p_reach == pytest.approx(1 / 3, abs=4 * 0.0047)


@pytest.mark.parametrize("alpha", [0.0, 0.3])
def test_the_deadline_part_year_is_a_thinned_count(alpha):
    # A unit admitting 6 a year, window 1 Jan 2024 - 30 Sep 2025, nothing
    # reported: 2024 whole, then 2025 to 30 September, the default profile's
    # share 0.668. Thinning each admission of 2025 with probability 0.668:
    # - Poisson years (alpha 0): final ~ Poisson(6 + 6 * 0.668) = Poisson(10.008),
    #   P(final >= 11) = 0.41796 (scipy);
    # - NB2 years (alpha 0.3, size r = 1/0.3): 2024 ~ NB(r, mean 6) and the
    #   thinned part ~ NB(r, mean 4.008); P(sum >= 11) by convolving the two
    #   pmfs = 0.40750.
    # The fractional part (2024 + 0.668 × 2025) gave 0.37126 and 0.38044:
    # 0.047 and 0.027 too low.
    n = 40_000
    res = simulate_target(_model(6.0, alpha=alpha), "u", T("2024-01-01"), T("2025-09-30"), 11,
                          NO_KNOWN, Streams(12, n))
    k = np.arange(0, 200)
    if alpha == 0:
        exact = stats.poisson.sf(10, 10.008)
    else:
        r = 1 / alpha
        conv = np.convolve(stats.nbinom.pmf(k, r, r / (r + 6)),
                           stats.nbinom.pmf(k, r, r / (r + 6 * 0.668)))
        exact = 1 - conv[:11].sum()
    assert exact == pytest.approx(0.41796 if alpha == 0 else 0.40750, abs=1e-5)
    # Monte Carlo standard error sqrt(p (1 - p) / n) = 0.0025; 4 of them.
    assert res.p_reach == pytest.approx(exact, abs=4 * np.sqrt(exact * (1 - exact) / n))
    assert np.array_equal(res.finals, np.round(res.finals))
    quantiles = (res.final_q10, res.final_q25, res.final_q50, res.final_q75, res.final_q90)
    assert all(float(q).is_integer() for q in quantiles)


def test_report_table_answers_are_kept_per_table_object(monkeypatch):
    import pandas as pd

    from forecast.simulate import summary

    monkeypatch.setattr(summary, "_PER_TABLE", {})
    monkeypatch.setattr(summary, "_PER_TABLE_MAX", 3)
    calls = []

    def make(tag):
        calls.append(tag)
        return tag

    a = pd.DataFrame({"value": [1.0]})
    b = a.copy()  # equal content, another table: worked out again
    assert summary.of_report_table(a, "x", lambda: make("a")) == "a"
    assert summary.of_report_table(a, "x", lambda: make("again")) == "a"
    assert summary.of_report_table(a, "y", lambda: make("ay")) == "ay"
    assert summary.of_report_table(b, "x", lambda: make("b")) == "b"
    assert calls == ["a", "ay", "b"]
    # At the bound the cache is emptied, then filled again.
    assert summary.of_report_table(a, "z", lambda: make("az")) == "az"
    assert len(summary._PER_TABLE) == 1
    assert summary.of_report_table(a, "x", lambda: make("a2")) == "a2"
