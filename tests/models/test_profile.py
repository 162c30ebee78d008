"""Tests of forecast.models.profile: default profile, share_by, estimation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from forecast.config import Assumptions
from forecast.data.dataset import Dataset
from forecast.errors import ConfigError, ModelError
from scipy import special, stats

from forecast.models.profile_estimate import (
    estimate_profile, ratio_effects, share_spread, within_year_profile,
)
from forecast.models.profile import (
    DEFAULT_CONCENTRATION,
    DEFAULT_EXPONENT,
    DEFAULT_FINAL_TO_TARGET,
    DEFAULT_PROFILE,
    DEFAULT_RATIO_LOG_SD,
    DEFAULT_SPREAD,
    power_profile,
    share_by,
)
from forecast.models.profile_fit import fit_exponent, fit_spread


# --- the default -------------------------------------------------------------------
def test_default_exponent_from_the_evidence():
    # Hand: median of the five June shares of target (35.34, 37.94, 38.1, 38.2,
    # 43.72 %) is 38.1 %; median of the eight final/target ratios (0.835, 0.852,
    # 0.8996, 1.008, 1.01, 1.08, 1.2333, 1.25) is (1.008 + 1.01) / 2 = 1.009.
    assert DEFAULT_FINAL_TO_TARGET == pytest.approx(1.009)
    # a = ln(0.381 / 1.009) / ln(0.5) = ln(0.37760) / ln(0.5) = 1.4051
    assert DEFAULT_EXPONENT == pytest.approx(1.4051, abs=1e-4)


def test_default_profile_is_the_rounded_power_curve_and_back_loaded():
    # (6/12) ** 1.4051 = 0.3776 -> 0.378; (3/12) ** 1.4051 = 0.1426 -> 0.143
    assert DEFAULT_PROFILE[5] == 0.378
    assert DEFAULT_PROFILE[2] == 0.143
    assert np.allclose(DEFAULT_PROFILE, power_profile(DEFAULT_EXPONENT), atol=5e-4)
    assert DEFAULT_PROFILE[-1] == 1.0
    assert all(a < b for a, b in zip(DEFAULT_PROFILE, DEFAULT_PROFILE[1:]))
    # Back-loaded: less than half by 30 June; in the 35-45 % of target band
    # once multiplied by the final/target ratio: 0.378 * 1.009 = 0.381.
    assert 0.35 <= DEFAULT_PROFILE[5] * DEFAULT_FINAL_TO_TARGET <= 0.45
    # Valid as an analyst's override too.
    assert Assumptions(within_year_profile=DEFAULT_PROFILE).within_year_profile == DEFAULT_PROFILE


def test_power_profile_refuses_non_positive_exponent():
    with pytest.raises(ConfigError, match="positive"):
        power_profile(0)


# --- share_by ------------------------------------------------------------------------
def test_share_by_month_end_and_linear_within_month():
    assert share_by("2021-06-30") == pytest.approx(0.378)
    # 15 June: 0.292 + (0.378 - 0.292) * 15 / 30 = 0.335
    assert share_by("2021-06-15") == pytest.approx(0.335)
    # 12 October: 0.668 + (0.774 - 0.668) * 12 / 31 = 0.70903
    assert share_by("2021-10-12") == pytest.approx(0.70903, abs=1e-5)
    assert share_by("2021-12-31") == pytest.approx(1.0)


def test_share_by_vectorized_matches_scalar_and_uses_given_profile():
    dates = ["2021-01-31", "2020-02-29", "2021-10-12"]
    out = share_by(dates)
    assert isinstance(out, np.ndarray)
    assert out == pytest.approx([share_by(d) for d in dates])
    flat = tuple(m / 12 for m in range(1, 13))
    # A flat profile: 29 Feb 2020 = 1/12 + (1/12) * 29 / 29 = 2/12
    assert share_by("2020-02-29", flat) == pytest.approx(2 / 12)


def test_share_by_refuses_bad_profile():
    with pytest.raises(ConfigError, match="12 non-decreasing"):
        share_by("2021-06-30", (0.5,) * 12)


# --- estimation ------------------------------------------------------------------------
UNITS = [
    {"unit_id": u, "name_vi": u.upper(), "level": "district"} for u in ("a", "b", "c", "d")
]
SOURCES = [{"source_id": "s", "title": "test"}]


def _obs(rows):
    return [dict(obs_id=f"o{i}", source_id="s", **r) for i, r in enumerate(rows)]


def _dataset(observations, targets=()):
    targets = [dict(target_id=f"t{i}", source_id="s", term="2020-2025", kind="annual",
                    layer="assigned", measure="count", **r) for i, r in enumerate(targets)]
    return Dataset.from_frames(units=UNITS, sources=SOURCES, observations=_obs(observations),
                               targets=targets or None)



def _map_by_grid(t, s, w):
    """Posterior mode of (a, kappa, pi) from shares of the year, by brute force.

    An independent implementation of the documented objective: scipy's Beta
    densities, the priors a ~ N(1.405, 0.25), ln kappa ~ N(ln 30, 0.7),
    pi ~ Beta(1, 4) on the logit scale (with its Jacobian), maximised on a
    grid (a in steps of 0.002; kappa and pi on 61-point grids).
    """
    a = np.arange(0.5, 4.0, 0.002)[:, None, None]
    lk = np.linspace(np.log(5), np.log(200), 61)[None, :, None]
    lpi = np.linspace(special.logit(0.005), special.logit(0.6), 61)[None, None, :]
    k, pi = np.exp(lk), special.expit(lpi)
    total = (-0.5 * ((a - 1.405) / 0.25) ** 2 - 0.5 * ((lk - np.log(30)) / 0.7) ** 2
             + 3 * np.log1p(-pi) + np.log(pi) + np.log1p(-pi))
    for ti, si, wi in zip(t, s, w):
        f = ti ** a
        dens = ((1 - pi) * stats.beta.pdf(si, k * f, k * (1 - f))
                + pi * stats.beta.pdf(si, 2.5 * f, 2.5 * (1 - f)))
        total = total + wi * np.log(dens)
    i = np.unravel_index(np.argmax(total), total.shape)
    return float(a[i[0], 0, 0]), float(k[0, i[1], 0]), float(pi[0, 0, i[2]])


def test_estimate_without_part_years_gives_the_default():
    ds = _dataset([dict(unit_id="a", measure="admitted", value="100",
                        period_start="2021-01-01", period_end="2021-12-31")])
    est = estimate_profile(ds)
    assert est.shares == DEFAULT_PROFILE
    assert est.exponent == DEFAULT_EXPONENT and est.exponent_sd == 0.25
    assert (est.concentration, est.front_weight) == (DEFAULT_CONCENTRATION, 0.2)
    assert est.spread == DEFAULT_SPREAD
    assert within_year_profile(ds) == DEFAULT_PROFILE


def test_estimate_from_full_year_pairs_against_a_brute_force_maximum():
    # Unit a: 30 of 100 by 30 June 2021 -> share 0.3 at t = 181/365.
    # Unit b: 60 of 120 by 30 Sep 2021 -> share 0.5 at t = 273/365.
    # Unit c: 5 by June (below min_count 10) is skipped.
    # Both figures come from source "s" about 2021: weight 1/2 each.
    ds = _dataset([
        dict(unit_id="a", measure="admitted", value="30", period_start="2021-01-01",
             period_end="2021-06-30"),
        dict(unit_id="a", measure="admitted", value="100", period_start="2021-01-01",
             period_end="2021-12-31"),
        dict(unit_id="b", measure="admitted", value="60", period_start="2021-01-01",
             period_end="2021-09-30"),
        dict(unit_id="b", measure="admitted", value="120", period_start="2021-01-01",
             period_end="2021-12-31"),
        dict(unit_id="c", measure="admitted", value="5", period_start="2021-01-01",
             period_end="2021-06-30"),
        dict(unit_id="c", measure="admitted", value="20", period_start="2021-01-01",
             period_end="2021-12-31"),
    ])
    est = estimate_profile(ds)
    ev = est.evidence
    assert len(ev) == 2 and set(ev["denominator_kind"]) == {"full_year"}
    assert ev["observed"].tolist() == pytest.approx([0.3, 0.5])
    assert ev["weight"].tolist() == pytest.approx([0.5, 0.5])
    assert ev["ratio_log_sd"].tolist() == [0.0, 0.0]
    a, k, pi = _map_by_grid([181 / 365, 273 / 365], [0.3, 0.5], [0.5, 0.5])
    # Per-figure exponents ln 0.3 / ln(181/365) = 1.717 and ln 0.5 / ln(273/365) = 2.387
    # lie above the prior's 1.405: the mode lies between.
    assert 1.405 < a < 2.387
    assert est.exponent == pytest.approx(a, abs=0.01)
    assert est.shares[5] == pytest.approx(0.5 ** est.exponent)
    assert 0 < est.exponent_sd < 0.25


def test_shares_of_a_target_get_the_ratio_random_effect_and_leave_the_exponent_alone():
    # Unit d: 38 admitted by 30 June 2022 against an annual target of 100; no
    # full year. Unit b: 40 % of target by 30 June 2022, no count. Unit a
    # reports 2021 whole, 120 against 100: one unit with a ratio (< 3), so the
    # random effect of units without their own is the default: median 1.009,
    # log-sd 0.155. No figure has the unit's own count as denominator, so the
    # exponent stays at the prior and the profile at the default.
    ds = _dataset(
        [
            dict(unit_id="d", measure="admitted", value="38", period_start="2022-01-01",
                 period_end="2022-06-30"),
            dict(unit_id="a", measure="admitted", value="120", period_start="2021-01-01",
                 period_end="2021-12-31"),
            dict(unit_id="b", measure="attainment_pct", value="40%",
                 period_start="2022-01-01", period_end="2022-06-30"),
        ],
        targets=[dict(unit_id="d", year="2022", value="100"),
                 dict(unit_id="a", year="2021", value="100")],
    )
    est = estimate_profile(ds)
    ev = est.evidence.set_index("unit_id")
    assert est.final_to_target == pytest.approx(1.009)
    assert ev.loc["d", "observed"] == pytest.approx(0.38)
    assert ev.loc["d", "denominator_kind"] == "target"
    assert ev.loc["d", "ratio_log_mean"] == pytest.approx(math.log(1.009))
    assert ev.loc["d", "ratio_log_sd"] == pytest.approx(DEFAULT_RATIO_LOG_SD)
    assert ev.loc["d", "share"] == pytest.approx(0.38 / 1.009)
    assert ev.loc["b", "observed"] == pytest.approx(0.40)
    assert ev.loc["b", "denominator_kind"] == "attainment_pct"
    assert est.exponent == DEFAULT_EXPONENT and est.shares == DEFAULT_PROFILE
    # Used for the exponent too (exponent_from="all"), both figures say the
    # same as the default (0.38 / 1.009 = 0.377 by June): a stays near 1.405.
    assert estimate_profile(ds, exponent_from="all").exponent == pytest.approx(1.405, abs=0.1)


def test_ratio_effects_by_hand():
    # Three units with whole years and targets: ratios 0.8 (u1), 1.0 and 1.21
    # (u2, two years), 1.25 (u3). Unit means of ln r: -0.22314, (0 + 0.19062)/2
    # = 0.09531, 0.22314: mean 0.03177; deviations -0.25491, 0.06354, 0.19137,
    # squares summing to 0.105638, sd = sqrt(0.105638 / 2) = 0.22982. Within u2: deviations
    # ±0.09531 over 1 degree of freedom: sd_w = sqrt(2 * 0.09531²) = 0.13479;
    # u2's own sd = 0.13479 * sqrt(1 + 1/2) = 0.16508.
    units = [{"unit_id": u, "name_vi": u, "level": "district"} for u in ("u1", "u2", "u3")]
    obs, tg = [], []
    for u, y, v in (("u1", 2020, 80), ("u2", 2020, 100), ("u2", 2021, 121), ("u3", 2021, 125)):
        obs.append(dict(unit_id=u, measure="admitted", value=str(v), period_start=f"{y}-01-01",
                        period_end=f"{y}-12-31"))
        tg.append(dict(unit_id=u, year=str(y), value="100"))
    targets = [dict(target_id=f"t{i}", source_id="s", term="2020-2025", kind="annual",
                    layer="assigned", measure="count", **r) for i, r in enumerate(tg)]
    ds = Dataset.from_frames(units=units, sources=SOURCES, observations=_obs(obs), targets=targets)
    mu, sd, own = ratio_effects(ds.observations, ds.targets)
    assert mu == pytest.approx(0.03177, abs=1e-5)
    assert sd == pytest.approx(0.22982, abs=1e-5)
    assert own["u2"] == pytest.approx((0.09531, 0.16508), abs=1e-5)


def test_the_fit_recovers_a_known_profile_and_spread():
    # 300 synthetic shares of the year at cut-offs between late February and
    # November from F(t) = t ** 1.8, 15 % of them from the wide component.
    rng = np.random.default_rng(5)
    n, a_true = 300, 1.8
    t = rng.uniform(0.15, 0.9, n)
    f = t ** a_true
    k = np.where(rng.random(n) < 0.15, 2.5, 30.0)
    s = np.clip(rng.beta(k * f, k * (1 - f)), 0.005, 0.995)
    zero, one = (0.0,) * n, (1.0,) * n
    a, sd_a = fit_exponent((tuple(t), tuple(s), zero, zero, one))
    assert sd_a < 0.06
    assert a == pytest.approx(a_true, abs=3 * sd_a)
    kappa, pi = fit_spread(a_true, (tuple(t), tuple(s), zero, zero, one))
    assert 20 < kappa < 45 and 0.07 < pi < 0.25
    # The same shares seen as shares of a target, the final/target ratio drawn
    # with ln r ~ N(0.1, 0.25): with the random effect the spread is still
    # found (kappa near 30); read as shares of the year (y / e^0.1, no
    # effect) the ratio's spread is taken for the units' and kappa falls
    # (about 15 on three seeds tried, against 27 with the effect).
    y = s * np.exp(rng.normal(0.1, 0.25, n))
    keep = y < 0.98
    tk, yk = tuple(t[keep]), tuple(y[keep])
    m = keep.sum()
    k_re, _ = fit_spread(a_true, (tk, yk, (0.1,) * m, (0.25,) * m, (1.0,) * m))
    k_naive, _ = fit_spread(a_true, (tk, tuple(np.clip(y[keep] / np.exp(0.1), 0, 0.995)),
                                     (0.0,) * m, (0.0,) * m, (1.0,) * m))
    assert 18 < k_re < 50
    assert k_naive < 0.7 * k_re


def test_analyst_profile_wins():
    flat = tuple(m / 12 for m in range(1, 13))
    ds = _dataset([])
    a = Assumptions(within_year_profile=flat)
    assert within_year_profile(ds, a) == pytest.approx(flat)
    # ... and is taken as exact: no exponent error in the share's spread.
    assert share_spread(ds, a).exponent_rel_sd == 0.0


def test_default_concentration_reflects_the_june_spread():
    # Hand: nine June shares of target (35.34, 37.94, 38.2, 38.1, 43.72, 28.8,
    # 50.98, 57.77, 38.5 %) / 1.009 have sd 0.0859; with mean 0.378,
    # kappa = 0.378 * 0.622 / 0.0859**2 - 1 = 30.9 -> 30.
    assert DEFAULT_CONCENTRATION == 30.0
    # The default spread carries the prior's exponent error: 0.25 / 1.4051.
    assert DEFAULT_SPREAD.exponent_rel_sd == pytest.approx(0.25 / 1.4051, abs=1e-4)


def test_estimate_on_the_tiny_dataset(tiny_dataset):
    # Krông Bông 2021: 23 by 30 June, 96 by 12 October, annual target 80, no
    # full year. Tiền Giang's final/target ratios are one unit's (< 3 units),
    # so a unit without its own gets the default random effect.
    #   target figure: observed 23 / 80 = 0.2875 at t = 181/365, weight 1/2
    #   later_count:   observed 23 / 96 = 0.23958 at t = 181/285 = 0.63509, weight 1/2
    # Cư Pui's 8 by September is below min_count 10, and its 114,2 % at the
    # same cut-off is skipped with it. Only the pair has the unit's own count
    # as denominator: the exponent is the mode of the prior and that figure
    # alone, whose own exponent ln 0.23958 / ln 0.63509 = 3.147 is far from
    # 1.405: the brute force puts the mode between.
    est = estimate_profile(tiny_dataset)
    ev = est.evidence.set_index("denominator_kind")
    assert list(est.evidence["unit_id"]) == ["krong-bong", "krong-bong"]
    assert ev.loc["target", "observed"] == pytest.approx(0.2875)
    assert ev.loc["target", "ratio_log_sd"] == pytest.approx(DEFAULT_RATIO_LOG_SD)
    assert ev.loc["later_count", "t"] == pytest.approx(181 / 285)
    assert ev.loc["later_count", "exponent"] == pytest.approx(3.1473, abs=1e-4)
    a, _, _ = _map_by_grid([181 / 285], [23 / 96], [0.5])
    assert est.exponent == pytest.approx(a, abs=0.01)
    assert DEFAULT_EXPONENT < est.exponent < 3.147
    # Before 12 October only the June figure (a share of the target) is seen:
    # the exponent is the prior's and the profile the default.
    early = estimate_profile(tiny_dataset, as_of="2021-07-01")
    assert early.exponent == DEFAULT_EXPONENT and early.shares == DEFAULT_PROFILE


def test_figures_past_their_target_are_kept_with_weight_zero():
    # Unit a: 110 by 31 May 2021 against a target of 100: past the target
    # before December, so its final/target ratio is large; the figure is
    # recorded with weight 0. Unit b: 40 by 30 June against 100: used.
    ds = _dataset(
        [dict(unit_id="a", measure="admitted", value="110", period_start="2021-01-01",
              period_end="2021-05-31"),
         dict(unit_id="b", measure="admitted", value="40", period_start="2021-01-01",
              period_end="2021-06-30")],
        targets=[dict(unit_id="a", year="2021", value="100"),
                 dict(unit_id="b", year="2021", value="100")],
    )
    est = estimate_profile(ds)
    ev = est.evidence.set_index("unit_id")
    assert ev.loc["a", "weight"] == 0
    assert ev.loc["b", "weight"] == pytest.approx(0.5)
    assert "spread from 1 figure(s)" in est.method


def test_exponent_from_is_checked():
    with pytest.raises(ConfigError, match="exponent_from"):
        estimate_profile(_dataset([]), exponent_from="june")
