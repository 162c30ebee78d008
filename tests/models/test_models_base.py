"""Pooled model, exposure and count preparation against hand calculations and statsmodels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.config import Assumptions
from forecast.errors import ModelError
from forecast.models.base import Exposure, UnitData, fit, unit_exposure, year_weights
from forecast.models.pooled import PooledSettings, dersimonian_laird, fit_fixed
from forecast.models.ts import MIN_YEARS
from forecast.models.profile import DEFAULT_PROFILE

DEFAULT = Assumptions(within_year_profile=DEFAULT_PROFILE, n_paths=500)


def test_fixed_effects_match_statsmodels_nb_glm_with_offset():
    # Three units, four years each, exact yearly counts; NB2 with alpha = 0.05.
    # Independent fit: statsmodels GLM, NegativeBinomial family, log link,
    # offset log(E), one dummy per unit plus (year - 2020).
    import statsmodels.api as sm

    rng = np.random.default_rng(3)
    years = np.arange(2018, 2022, dtype=float)
    E = np.array([100.0, 40.0, 900.0])
    units, y, ex, t = [], [], [], []
    for k in range(3):
        for yr in years:
            units.append(k)
            ex.append(E[k])
            t.append(yr)
            y.append(rng.negative_binomial(20, 20 / (20 + E[k] * 0.9)))
    units, y, ex, t = map(np.array, (units, y, ex, t))
    X = np.column_stack([(units == k).astype(float) for k in range(3)] + [t - 2020])
    ref = sm.GLM(y, X, family=sm.families.NegativeBinomial(alpha=0.05),
                 offset=np.log(ex)).fit(tol=1e-12)
    W = (t[:, None] == years[None, :]).astype(float)
    Emat = W * ex[:, None] + (1 - W) * ex[:, None]
    s = PooledSettings(trend_prior_sd=1e6, profile_cv=0.0)
    a, b, info, b_se, _ = fit_fixed(units, y.astype(float), np.zeros(len(y)), W, Emat, years,
                                    2020, 3, 0.05, s)
    np.testing.assert_allclose(a, ref.params[:3], atol=1e-6)
    assert b == pytest.approx(ref.params[3], abs=1e-6)
    # Unit information conditional on beta: 1 / I_uu is the variance of a_u given beta.
    cov = ref.cov_params()
    cond_var = cov[0, 0] - cov[0, 3] ** 2 / cov[3, 3]
    assert 1 / info[0] == pytest.approx(cond_var, rel=1e-4)
    assert b_se == pytest.approx(np.sqrt(cov[3, 3]), rel=1e-4)


def test_dersimonian_laird_by_hand():
    # x = 0, 0.2, 0.4 with v = 0.01 each: w = 100; mu_FE = 0.2;
    # Q = 100 (0.04 + 0 + 0.04) = 8; denominator = 300 - 30000/300 = 200;
    # tau² = (8 - 2) / 200 = 0.03; equal weights -> mu = 0.2, Var(mu) = 0.04 / 3.
    mu, tau2, var_mu = dersimonian_laird(np.array([0.0, 0.2, 0.4]), np.full(3, 0.01),
                                         PooledSettings())
    assert mu == pytest.approx(0.2)
    assert tau2 == pytest.approx(0.03)
    assert var_mu == pytest.approx(0.04 / 3)


def test_term_to_date_span_keeps_only_the_years_no_yearly_count_covers(tiny_dataset):
    fm = fit(tiny_dataset, "pooled_nb", as_of=pd.Timestamp("2022-12-31"), assumptions=DEFAULT)
    counts = fm.data["tien-giang"].counts.set_index("obs_id")
    # 2015-2020 term: 8,793 minus the 2020 count 1,252 = 7,541 over 2015-2019.
    assert counts.loc["tien-giang-admitted-2015-2020", "value"] == 7541
    assert counts.loc["tien-giang-admitted-2015-2020", "weights"] == {
        2015: 1.0, 2016: 1.0, 2017: 1.0, 2018: 1.0, 2019: 1.0}
    # "since 2020" (3,878) is the sum of the three yearly counts: nothing left, dropped.
    assert "tien-giang-admitted-2020-2022" not in counts.index
    assert len(counts) == 4


def test_exposure_spreads_the_term_target_over_profile_years(tiny_dataset):
    # 2020-01-01..2025-09-30 = 5 whole years + share_by(30 Sep) = 0.668 (DEFAULT_PROFILE)
    # -> 6,500 / 5.668 = 1,146.79 a year.
    # As of 2019 no attainment percentage implies an annual target yet.
    e = unit_exposure(tiny_dataset, "tien-giang", DEFAULT_PROFILE, as_of="2019-12-31")
    assert e.kind == "term_target"
    assert e.at(2023) == pytest.approx(6500 / 5.668, rel=1e-9)
    assert e.at(2030) == e.at(2025)  # nearest known year
    kb = unit_exposure(tiny_dataset, "krong-bong", DEFAULT_PROFILE)
    assert (kb.kind, kb.at(2021), kb.at(2024)) == ("annual_target", 80.0, 80.0)
    assert Exposure("own_level").at(2021) == 1.0


def test_part_year_enters_with_its_profile_share_not_scaled_up(tiny_dataset):
    # Krông Bông as of 30 June 2021: 23 by 30 June, profile share 0.378, target 80.
    # One observation, no trend: the fit solves 23 = 80 · 0.378 · r,
    # r = 23 / 30.24 = 0.7606 (the profile's nowcast 23 / 0.378 = 60.8 over 80).
    fm = fit(tiny_dataset, "pooled_nb", as_of=pd.Timestamp("2021-06-30"),
             assumptions=DEFAULT, trend=False)
    sh = fm.shrinkage.set_index("unit_id")
    assert sh.loc["krong-bong", "raw_attainment"] == pytest.approx(23 / (80 * 0.378), rel=1e-6)
    # Shrinkage pulls it towards the others (Tiền Giang ~1.25): between raw and prior.
    assert 0.7606 < sh.loc["krong-bong", "shrunk_attainment"] < np.exp(fm.mu)
    # Cư Pui has no count by then: the population prior, said in the diagnostics.
    assert "population prior" in fm.diagnostics["cu-pui"]
    assert fm.post_mean["cu-pui"] == pytest.approx(fm.mu)


def test_year_weights_of_a_span_crossing_years():
    w = year_weights(pd.Timestamp("2020-07-01"), pd.Timestamp("2021-06-30"), DEFAULT_PROFILE)
    assert w[2020] == pytest.approx(1 - 0.378) and w[2021] == pytest.approx(0.378)


def test_ets_refuses_short_records_with_a_fix(tiny_dataset):
    fm = fit(tiny_dataset, "ets", as_of=pd.Timestamp("2022-12-31"), assumptions=DEFAULT)
    from forecast.models.base import Streams

    with pytest.raises(ModelError) as err:
        fm.draw_years("tien-giang", [2023], Streams(1, 200))
    msg = str(err.value)
    assert MIN_YEARS == 4
    assert "'tien-giang'" in msg and "at least 4 whole-year counts, found 3 (2020, 2021, 2022)" in msg
    assert "Fix: use the default model (hier_nb)" in msg


def test_local_level_fits_a_long_record_and_captures_warnings():
    from forecast.models.base import Streams
    from forecast.models.ts import TimeSeriesModel

    counts = pd.DataFrame({
        "obs_id": [f"y{y}" for y in range(2014, 2022)],
        "period_start": [pd.Timestamp(y, 1, 1) for y in range(2014, 2022)],
        "period_end": [pd.Timestamp(y, 12, 31) for y in range(2014, 2022)],
        "value": [100.0, 110, 95, 105, 120, 100, 98, 112],
        "low": np.nan, "high": np.nan,
        "weights": [{y: 1.0} for y in range(2014, 2022)],
    })
    ud = UnitData("u", counts, Exposure("annual_target", {2021: 100.0}))
    for kind in ("ets", "local_level"):
        m = TimeSeriesModel(kind, {"u": ud}, kind=kind, profile=DEFAULT_PROFILE)
        d = m.draw_years("u", [2022, 2023], Streams(5, 2000))
        assert d.shape == (2000, 2)
        # Level near the mean 105 of the record; generous band (model's own noise).
        assert 80 < np.median(d[:, 0]) < 130


def test_fit_estimates_the_profile_only_from_figures_up_to_as_of(tiny_dataset):
    # As of 30 June 2021 the only part-year evidence is Krông Bông's 23 by June,
    # a share of its target: it says nothing on the exponent (docs/profile.md),
    # so the fit uses the default profile. The 96 by 12 October, a later count
    # of the same year, enters only later and moves the exponent. A backtest at
    # the June origin must get the default.
    from forecast.models.profile import DEFAULT_PROFILE, power_profile
    from forecast.models.profile_estimate import estimate_profile

    estimated = Assumptions(n_paths=200)
    early = fit(tiny_dataset, "pooled_nb", as_of=pd.Timestamp("2021-06-30"),
                assumptions=estimated)
    later = fit(tiny_dataset, "pooled_nb", as_of=pd.Timestamp("2021-12-31"),
                assumptions=estimated)
    assert early.profile == DEFAULT_PROFILE
    a_later = estimate_profile(tiny_dataset, as_of="2021-12-31").exponent
    np.testing.assert_allclose(later.profile, power_profile(a_later))
    assert not np.allclose(early.profile, later.profile)


def test_exposure_is_the_annual_target_the_attainment_percentages_imply(tiny_dataset):
    # Tiền Giang prints no annual target, but 1,252 at 83,5 % (2020), 1,278 at 85,2 %
    # (2021) and 1,348 at 89,96 % (2022). By hand: 1,252 / 0.835 = 1,499.4 (whole
    # numbers the printed decimal allows, rounded or truncated: 83.45-83.6 % ->
    # 1,497.6-1,500.3 -> 1,498, 1,499, 1,500); 1,278 / 0.852 = 1,500.0 (85.15-85.3 %
    # -> 1,498.2-1,500.9 -> 1,499, 1,500); 1,348 / 0.8996 = 1,498.4 (89.955-89.97 %
    # -> 1,498.28-1,498.53: no whole number). 1,499 and 1,500 each fit two years;
    # the rounder 1,500 wins, and 2022's 1,498.4 is within 2 % of it.
    e = unit_exposure(tiny_dataset, "tien-giang", DEFAULT_PROFILE)
    assert e.kind == "implied_annual_target"
    assert e.by_year == {2020: 1500.0, 2021: 1500.0, 2022: 1500.0}
    assert e.at(2024) == 1500.0
    assert e.note == "exposure: implied annual target 1,500 from 3 attainment reports"
    # As of mid-2021 only the 2020 report is known: one year, the roundest fit 1,500.
    early = unit_exposure(tiny_dataset, "tien-giang", DEFAULT_PROFILE, as_of="2021-06-30")
    assert early.by_year == {2020: 1500.0} and "from 1 attainment report" in early.note
    # A printed annual target wins over an implied one (Krông Bông: 80).
    kb = unit_exposure(tiny_dataset, "krong-bong", DEFAULT_PROFILE)
    assert kb.kind == "annual_target" and kb.note == ""


def test_dispersion_prior_by_hand():
    # df = 16 with a floored moment estimate 0.001; prior total 0.02 + 0.1² = 0.03 worth
    # 5 df: (16 · 0.001 + 5 · 0.03) / 21 = 0.0079048. Year part from 3 years at 0.0004,
    # prior 0.01 worth 2 years: (3 · 0.0004 + 2 · 0.01) / 5 = 0.00424.
    from forecast.models.pooled import prior_dispersion

    s = PooledSettings(dispersion_prior_weight=5, year_var_prior_weight=2)
    total, year_var = prior_dispersion(0.001, 0.0004, 16, 3, s)
    assert total == pytest.approx((16 * 0.001 + 5 * 0.03) / 21)
    assert year_var == pytest.approx(0.00424)
    # No estimate (too few df): the prior; weights 0: unchanged.
    assert prior_dispersion(None, None, 1, 0, s) == pytest.approx((0.03, 0.01))
    assert prior_dispersion(0.001, 0.0004, 16, 3, PooledSettings()) == (0.001, 0.0004)


def test_outlook_passes_model_options_to_the_fit(tiny_dataset):
    from forecast.outlook.table import outlook

    o = outlook(tiny_dataset, as_of="2022-12-31", assumptions=DEFAULT, units=["tien-giang"],
                requirements=False, rollups=False, model="pooled_nb",
                model_options={"pooled_nb": {"alpha": 0.3, "year_sd": 0.0}})
    assert o.fitted["pooled_nb"].alpha == 0.3 and o.fitted["pooled_nb"].year_sd == 0.0
