"""The default model ``hier_nb``: its estimator, its robustness to other units, its answers."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from forecast.config import Assumptions
from forecast.data.dataset import Dataset, load
from forecast.models.base import Streams, fit
from forecast.models.hier_steps import HierSettings, population_centre, target_slope
from forecast.outlook.table import outlook

FAST = dataclasses.replace(Assumptions(), n_paths=2000, seed=11)
SOURCE = [{"source_id": "s", "title": "test"}]


def _unit(uid, counts, annual=None, term=None, level="province"):
    """Rows of one unit: whole-year counts {year: n}, annual targets {year: n}, a term target."""
    units = [{"unit_id": uid, "name_vi": f"Đơn vị {uid}", "level": level}]
    obs = [{"obs_id": f"{uid}-{y}", "unit_id": uid, "measure": "admitted", "value": str(v),
            "period_start": f"{y}-01-01", "period_end": f"{y}-12-31", "source_id": "s"}
           for y, v in counts.items()]
    targets = [{"target_id": f"{uid}-{y}", "unit_id": uid,
                "term": "2015-2020" if y < 2020 else "2020-2025", "kind": "annual", "year": str(y), "layer": "assigned", "measure": "count",
                "value": str(v), "source_id": "s"} for y, v in (annual or {}).items()]
    if term:
        targets.append({"target_id": f"{uid}-term", "unit_id": uid, "term": "2020-2025",
                        "kind": "term", "layer": "resolution", "measure": "count",
                        "value": str(term), "source_id": "s"})
    return units, obs, targets


def _dataset(*parts):
    units, obs, targets = [], [], []
    for u, o, t in parts:
        units += u
        obs += o
        targets += t
    return Dataset.from_frames(units=units, sources=SOURCE, targets=targets, observations=obs)


_SHIPPED: list = []


def shipped() -> Dataset:
    """The shipped data, loaded once for this module."""
    if not _SHIPPED:
        _SHIPPED.append(load())
    return _SHIPPED[0]


def _merge(base: Dataset, extra: Dataset) -> Dataset:
    return dataclasses.replace(
        base, units=pd.concat([base.units, extra.units], ignore_index=True),
        targets=pd.concat([base.targets, extra.targets], ignore_index=True),
        observations=pd.concat([base.observations, extra.observations], ignore_index=True),
        sources=pd.concat([base.sources, extra.sources], ignore_index=True))


STEADY = _unit("steady", {2020: 1000, 2021: 1012, 2022: 995},
               annual={2020: 1000, 2021: 1000, 2022: 1000, 2023: 1000})


def _p(ds, unit, target_id, as_of="2022-12-31"):
    t = outlook(ds, as_of=as_of, units=[unit], assumptions=FAST, requirements=False,
                rollups=False).table
    return float(t[(t["target_id"] == target_id) & (t["scenario"] == "model")]["p_reach"].iloc[0])


def test_posterior_matches_an_independent_weighted_least_squares():
    # One unit's level and trend: the closed-form posterior equals a weighted least
    # squares fit of z on (1, t - c) with the prior written as two pseudo-observations
    # (statsmodels WLS), given the same variances.
    ds = _dataset(_unit("a", {2019: 90, 2020: 120, 2021: 100, 2022: 130},
                        annual={y: 100 for y in (2019, 2020, 2021, 2022)}))
    fm = fit(ds, "hier_nb", as_of=pd.Timestamp("2022-12-31"), assumptions=FAST)
    s2, c = fm.sigma2["a"], fm.ref_year
    assert c == 2023
    y = np.array([90, 120, 100, 130.0])
    z = np.log((y + 0.5) / 100.5) - np.array([fm.year_effects.get(t, 0.0) for t in
                                              (2019, 2020, 2021, 2022)])
    v = s2 + 1 / (y + 0.5)
    # The prior precision is read back as posterior precision minus the data's; its
    # trend part must be the documented 1 / 0.05² and the two parts uncorrelated.
    X = np.column_stack([np.ones(4), np.array([2019, 2020, 2021, 2022]) - c])
    P0 = np.linalg.inv(fm.cov["a"]) - (X / v[:, None]).T @ X     # prior precision implied
    assert P0[0, 1] == pytest.approx(0, abs=1e-6) and P0[1, 1] == pytest.approx(1 / 0.05 ** 2)
    m0 = np.array([fm.mu, 0.0])
    Xa = np.vstack([X, np.eye(2)])
    za = np.concatenate([z, m0])
    wa = np.concatenate([1 / v, np.diag(P0)])
    ref = sm.WLS(za, Xa, weights=wa).fit().params
    assert fm.mean["a"] == pytest.approx(tuple(ref), abs=1e-9)


def test_dersimonian_laird_population_by_hand():
    # Three unit means 0.0, 0.2, 0.4 with variances 0.01: fixed mean 0.2,
    # Q = 100 (0.04 + 0 + 0.04) = 8, C = 300 - 30000/300 = 200, tau² = (8 - 2)/200 = 0.03;
    # weights equal -> mu = 0.2, Var(mu) = (0.01 + 0.03) / 3.
    mu, tau, var_mu = population_centre(pd.Series([0.0, 0.2, 0.4]), pd.Series([0.01] * 3),
                                  HierSettings())
    assert mu == pytest.approx(0.2) and tau == pytest.approx(np.sqrt(0.03))
    assert var_mu == pytest.approx(0.04 / 3)


def _slope_obs(z, g, dt):
    n = len(z)
    return pd.DataFrame({"unit_id": ["a"] * n, "z": z, "g": g, "dt": dt, "avg": [1.0] * n,
                         "fixed": [1.0] * n, "pooled": [True] * n})


def test_target_slope_by_hand():
    # One unit, weights 1 (s² = 0, fixed = 1). Centred time -1, 0, 1; centred
    # g = 0.1, -0.2, 0.1 is orthogonal to it, so gamma = sum(g z) / (sum(g²) + 1/sd²).
    # Admissions flat while the target moves: z = 0.3 - g, sum(g z) = -sum(g²) = -0.06.
    obs = _slope_obs([0.2, 0.5, 0.2], [0.1, -0.2, 0.1], [-2.0, -1.0, 0.0])
    s2 = pd.Series({"a": 0.0})
    gamma, sd = target_slope(obs, s2, 0.0, prior_sd=0.5)
    assert gamma == pytest.approx(-0.06 / (0.06 + 4.0))
    assert sd == pytest.approx(np.sqrt(1 / (0.06 + 4.0)))
    gamma, _ = target_slope(obs, s2, 0.0, prior_sd=1e4)
    assert gamma == pytest.approx(-1.0, abs=1e-6)


def test_target_slope_is_learnt_from_units_whose_targets_move():
    # 40 units admit ~e a year whatever their target, which moves by +-20 %
    # around e (as when a target is last year's count plus an ambition): gamma
    # near -1, and next year's mean no longer follows a target raised by 30 %.
    rng = np.random.default_rng(3)
    parts = []
    for i in range(40):
        e = float(rng.choice([50, 200, 800]))
        years = range(2018, 2023)
        counts = {y: int(rng.poisson(e * np.exp(rng.normal(0, 0.05)))) for y in years}
        annual = {y: int(e * rng.uniform(0.8, 1.2)) for y in years}
        annual[2023] = int(e * 1.3)
        parts.append(_unit(f"u{i}", counts, annual=annual))
    ds = _dataset(*parts)
    fm = fit(ds, "hier_nb", as_of=pd.Timestamp("2022-12-31"), assumptions=FAST)
    assert -1.15 < fm.gamma < -0.8 and fm.gamma_sd < 0.15
    off = fit(ds, "hier_nb", as_of=pd.Timestamp("2022-12-31"), assumptions=FAST,
              target_slope=False)
    assert off.gamma == 0.0
    st = Streams(seed=1, n_paths=4000)
    for u in ("u0", "u1", "u2"):
        own = np.mean(list(ds.observations.loc[ds.observations["unit_id"] == u, "value"]
                           .astype(float)))
        m = fm.yearly_means(u, [2023], st).mean()
        m_off = off.yearly_means(u, [2023], st).mean()
        # With gamma ~ -1 the mean stays near the unit's own ~e; as an offset it
        # follows the target to ~1.3 e / (the unit's mean attainment ~1).
        assert abs(m / own - 1) < 0.12
        assert m_off / own > 1.15


def test_recovers_level_spread_and_year_variation_of_a_synthetic_population():
    # 60 units, true log-attainment a ~ N(0, 0.25²), year sd 0.10, Poisson on top,
    # 4 whole years each at very different sizes (targets 20 to 2,000).
    rng = np.random.default_rng(5)
    parts, truth = [], {}
    for i in range(60):
        e = float(rng.choice([20, 80, 300, 2000]))
        a = rng.normal(0, 0.25)
        truth[f"u{i}"] = a
        counts = {y: int(rng.poisson(e * np.exp(a + rng.normal(0, 0.10))))
                  for y in (2019, 2020, 2021, 2022)}
        parts.append(_unit(f"u{i}", counts, annual={y: int(e) for y in range(2019, 2024)}))
    fm = fit(_dataset(*parts), "hier_nb", as_of=pd.Timestamp("2022-12-31"), assumptions=FAST)
    assert 0.17 < fm.tau < 0.33
    assert 0.06 < np.sqrt(fm.alpha) < 0.15
    est = np.array([fm.mean[u][0] for u in truth])
    sd = np.array([np.sqrt(fm.cov[u][0, 0]) for u in truth])
    true = np.array(list(truth.values()))
    inside = np.abs(est - true) <= 1.2816 * sd
    assert 0.65 <= inside.mean() <= 0.95          # 80 % intervals, 60 units
    assert np.corrcoef(est, true)[0, 1] > 0.9


def test_a_steady_unit_keeps_its_own_record_whatever_else_is_loaded():
    # Three years at ~100 % of its targets: alone, or beside the shipped data
    # (mostly published successes and short records), its chance for next year
    # moves by at most a few points (pooled_nb: 0.99 alone, 0.31 beside). The
    # shipped population's median of ~109 % pulls the level up by ~1 % (own weight
    # ~0.89 of a 9 % gap); with a year-to-year sd of ~1 % that is ~0.055 of p at
    # even odds (10,000 paths: 0.48 alone, 0.54 beside), hence 0.065 here.
    alone = _p(_dataset(STEADY), "steady", "steady-2023")
    beside = _p(_merge(shipped(), _dataset(STEADY)), "steady", "steady-2023")
    assert abs(alone - beside) <= 0.065
    assert 0.35 < alone < 0.65   # ~100 % expected: about even odds of >= 100 %


def test_tien_giang_hardly_moves_when_an_unrelated_province_is_added():
    other = _dataset(_unit("far", {2020: 300, 2021: 420, 2022: 510},
                           annual={2020: 500, 2021: 500, 2022: 500}))
    before = _p(shipped(), "tien-giang", "tien-giang-term-2020-2025")
    after = _p(_merge(shipped(), other), "tien-giang", "tien-giang-term-2020-2025")
    assert abs(before - after) <= 0.03


def test_a_unit_that_missed_twice_is_not_expected_to_reach():
    missed = _unit("miss", {2021: 800, 2022: 820}, annual={2021: 1000, 2022: 1000, 2023: 1000})
    p = _p(_merge(shipped(), _dataset(missed)), "miss", "miss-2023")
    assert p < 0.25


def test_prior_only_units_are_centred_near_their_targets_not_inflated():
    # Units with a target and no count get the population of whole years, not
    # part-year overshoots divided by a share: median attainment between 90 % and
    # 115 % at every origin (pooled_nb gave 150-205 % here). The option
    # prior="corrected" removes half the excess over 100 %: mu = mu_raw / 2.
    for as_of in ("2021-06-30", "2022-12-31", "2024-06-30"):
        fm = fit(shipped(), "hier_nb", as_of=pd.Timestamp(as_of), assumptions=FAST)
        assert 0.90 <= np.exp(fm.mu) <= 1.15, as_of
        assert fm.mu == fm.mu_raw
        low = fit(shipped(), "hier_nb", as_of=pd.Timestamp(as_of), assumptions=FAST,
                  prior="corrected")
        assert low.mu == pytest.approx(fm.mu_raw - 0.5 * max(fm.mu_raw, 0.0))


def test_an_old_count_says_less_about_a_much_later_target():
    # A unit whose only count is from 2017 (100 admitted) and whose only target is
    # for 2024 (100): the count is measured against that target only with the drift
    # variance of 7 years, so the forecast is far from certain either way.
    old = _unit("old", {2017: 100}, annual={2024: 100})
    p = _p(_merge(shipped(), _dataset(old)), "old", "old-2024", as_of="2023-12-31")
    assert 0.2 < p < 0.8


def test_next_years_target_is_answered_on_31_december():
    t = outlook(_dataset(STEADY, _unit("noannual", {2021: 50, 2022: 60}, term=300)),
                as_of="2022-12-31", assumptions=FAST, requirements=False).table
    model = t[t["scenario"] == "model"]
    assert "steady-2023" in set(model["target_id"])
    assumed = model[model["target_id"] == "noannual-2023-assumed"].iloc[0]
    # The term target 300 spread over its profile-weighted years (2020 to 30 Sept 2025:
    # 5 + share_by(30 Sept) years) is what the unit is assumed to be asked each year.
    assert assumed["target_source"] == "assumed" and assumed["target"] > 0
    assert np.isfinite(assumed["p_reach"]) and assumed["why"]


def test_a_unit_with_a_target_and_no_count_gets_a_prior_forecast_marked_as_such():
    newcomer = Dataset.from_frames(
        units=[{"unit_id": "new", "name_vi": "Đơn vị mới", "level": "commune"}], sources=SOURCE,
        targets=[{"target_id": "new-2023", "unit_id": "new", "term": "2020-2025",
                  "kind": "annual", "year": 2023, "layer": "assigned", "measure": "count",
                  "value": "25", "source_id": "s"}], observations=[])
    t = outlook(_merge(shipped(), newcomer), as_of="2022-12-31", units=["new"], assumptions=FAST,
                requirements=False).table
    row = t[(t["target_id"] == "new-2023") & (t["scenario"] == "model")].iloc[0]
    assert 0.2 < row["p_reach"] < 0.8 and row["own_weight"] == 0
    assert "population prior" in row["diagnostics"] and "typical unit" in row["why"]


def test_a_reached_target_is_reached_under_every_model():
    ds = _dataset(_unit("done", {2021: 150, 2022: 160}, term=300))
    t = outlook(ds, as_of="2022-12-31", model=["hier_nb", "ets", "last_year"],
                assumptions=FAST, requirements=False).table
    rows = t[(t["target_id"] == "done-term") & (t["scenario"] == "model")]
    assert len(rows) == 3 and (rows["p_reach"] == 1.0).all()


def test_residual_sum_of_squares_around_a_units_own_line():
    # H9's year-to-year variance around the unit's line, by hand: z = 0, 1, 2, 4
    # at t = 0..3: mean t 1.5, mean z 1.75, Sxx 5, Sxz 6.5, slope 1.3, intercept
    # -0.2; fitted -0.2, 1.1, 2.4, 3.7; residuals 0.2, -0.1, -0.4, 0.3: RSS 0.30.
    from forecast.models.hier_steps import _residual_ss, unit_sigma2

    assert _residual_ss(np.array([0.0, 1, 2, 4]), np.array([0.0, 1, 2, 3])) == \
        pytest.approx(0.30)
    # Two points: around their mean (no line to fit): (0.5² + 0.5²) = 0.5.
    assert _residual_ss(np.array([1.0, 2.0]), np.array([0.0, 1.0])) == pytest.approx(0.5)
    # A unit on a straight line has no variance left once detrended (floor of
    # the bounds after pooling aside): raw 0 against 0.05 / 3 around the mean.
    obs = pd.DataFrame({"unit_id": ["a"] * 4, "z": [0.0, 0.1, 0.2, 0.3],
                        "dt": [-3.0, -2.0, -1.0, 0.0], "whole": True, "fixed": 0.0})
    s = HierSettings(sigma_prior_df=1e-9, sigma_bounds=(1e-6, 1.0))
    flat, _, df_flat = unit_sigma2(obs, s)
    line, _, df_line = unit_sigma2(obs, s, detrend=True)
    assert flat["a"] == pytest.approx(0.05 / 3, rel=1e-6)
    assert line["a"] == pytest.approx(1e-12, abs=1e-9)
    assert (df_flat["a"], df_line["a"]) == pytest.approx((3, 2))
