"""Tests of forecast.models.profile: default profile, share_by, estimation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from forecast.config import Assumptions
from forecast.data.dataset import Dataset
from forecast.errors import ConfigError, ModelError
from forecast.models.profile_estimate import estimate_profile, within_year_profile
from forecast.models.profile import (
    DEFAULT_CONCENTRATION,
    DEFAULT_EXPONENT,
    DEFAULT_FINAL_TO_TARGET,
    DEFAULT_PROFILE,
    PRIOR_WEIGHT,
    power_profile,
    share_by,
)


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


def test_estimate_without_part_years_gives_the_default():
    ds = _dataset([dict(unit_id="a", measure="admitted", value="100",
                        period_start="2021-01-01", period_end="2021-12-31")])
    est = estimate_profile(ds)
    assert est.shares == DEFAULT_PROFILE
    assert est.exponent_data is None
    assert "default" in est.method
    assert within_year_profile(ds) == DEFAULT_PROFILE


def test_estimate_from_full_year_pairs_hand_computed():
    # Unit a: 30 of 100 by 30 June 2021 -> share 0.3 at t = 181/365.
    # Unit b: 60 of 120 by 30 Sep 2021 -> share 0.5 at t = 273/365.
    # Unit c: 5 by June (below min_count 10) is skipped.
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
    a1 = math.log(0.3) / math.log(181 / 365)   # 1.7165
    a2 = math.log(0.5) / math.log(273 / 365)   # 2.3867
    # Weights: both figures come from source "s" about 2021 (cluster of 2);
    # t = 181/365 = 0.4959, so (ln t / ln 0.5)^2 = 1.024 -> capped 1;
    # t = 0.7479 gives (ln 0.7479 / ln 0.5)^2 = 0.1756. Weights 0.5 and 0.0878.
    w1, w2 = 0.5, (math.log(273 / 365) / math.log(0.5)) ** 2 / 2
    assert len(est.evidence) == 2
    assert set(est.evidence["denominator_kind"]) == {"full_year"}
    assert est.evidence["weight"].tolist() == pytest.approx([w1, w2])
    # Weighted median: a1 already holds more than half the weight.
    assert est.exponent_data == pytest.approx(a1)
    # Shrinkage: (n_eff * median + 5 * 1.4051) / (n_eff + 5), n_eff = w1 + w2
    n_eff = w1 + w2
    expected = (n_eff * a1 + PRIOR_WEIGHT * DEFAULT_EXPONENT) / (n_eff + PRIOR_WEIGHT)
    assert est.exponent == pytest.approx(expected)
    assert est.shares[5] == pytest.approx(0.5 ** expected)
    assert est.exponent > DEFAULT_EXPONENT  # the data are more back-loaded


def test_estimate_converts_shares_of_target_with_the_final_to_target_ratio():
    # Unit d: 38 admitted by 30 June 2022 against an annual target of 100; no
    # full year. Unit a reports 2021 full year 120 against a target of 100, so
    # its own ratio is 1.2, but d has none: the pooled ratio is used, which is
    # the default 1.009 because fewer than three ratios are in the data.
    # Share = 38 / (100 * 1.009) = 0.37661.
    # Unit b: attainment 40 % of target by 30 June 2022, no count:
    # share = 0.40 / 1.009 = 0.39643.
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
    assert ev.loc["d", "share"] == pytest.approx(38 / 100.9)
    assert ev.loc["d", "denominator_kind"] == "target"
    assert ev.loc["b", "share"] == pytest.approx(0.40 / 1.009)
    assert ev.loc["b", "denominator_kind"] == "attainment_pct"


def test_analyst_profile_wins():
    flat = tuple(m / 12 for m in range(1, 13))
    ds = _dataset([])
    assert within_year_profile(ds, Assumptions(within_year_profile=flat)) == pytest.approx(flat)


def test_default_concentration_reflects_the_june_spread():
    # Hand: nine June shares of target (35.34, 37.94, 38.2, 38.1, 43.72, 28.8,
    # 50.98, 57.77, 38.5 %) / 1.009 have sd 0.0859; with mean 0.378,
    # kappa = 0.378 * 0.622 / 0.0859**2 - 1 = 30.9 -> 30.
    assert DEFAULT_CONCENTRATION == 30.0


def test_estimate_on_the_tiny_dataset_by_hand(tiny_dataset):
    # Krông Bông 2021: 23 by 30 June, 96 by 12 October, annual target 80, no
    # full year. Tiền Giang's final/target ratios are one unit's (< 3 units),
    # so the pooled ratio is the default 1.009.
    #   target point: share 23 / (80 * 1.009) = 0.28494 at t = 181/365
    #                 a1 = ln(0.28494) / ln(0.49589) = 1.7900
    #   later_count:  share 23 / 96 = 0.23958 at t = 181/285 = 0.63509
    #                 a2 = ln(0.23958) / ln(0.63509) = 3.1473
    # Cư Pui's 8 by September is below min_count 10, and its 114,2 % at the
    # same cut-off is skipped with it. Both figures come from one article
    # about 2021: weights 1/2 for June (t <= 0.5) and
    # (ln 0.63509 / ln 0.5)^2 / 2 = 0.21449 for the pair. The weighted
    # median is a1 (it holds 0.5 of 0.71449); n_eff = 0.71449 and
    # a = (0.71449 * 1.7900 + 5 * 1.4051) / 5.71449 = 1.4532.
    est = estimate_profile(tiny_dataset)
    ev = est.evidence.set_index("denominator_kind")
    assert list(est.evidence["unit_id"]) == ["krong-bong", "krong-bong"]
    assert ev.loc["target", "share"] == pytest.approx(0.28494, abs=1e-5)
    assert ev.loc["later_count", "t"] == pytest.approx(181 / 285)
    assert ev.loc["later_count", "exponent"] == pytest.approx(3.1473, abs=1e-4)
    assert est.exponent == pytest.approx(1.4532, abs=1e-4)
    # Before 12 October only the June point is seen, alone in its cluster
    # (weight 1): a = (1.79 + 5 * 1.4051) / 6
    early = estimate_profile(tiny_dataset, as_of="2021-07-01")
    assert early.exponent == pytest.approx((1.7900 + 5 * 1.4051) / 6, abs=1e-4)


def test_figures_past_their_target_are_kept_with_weight_zero():
    # Unit a: 110 by 31 May 2021 against a target of 100: share of the final
    # count 110 / 100.9 = 1.09, impossible before December; its final/target
    # ratio must exceed the 1.009 used, so the figure is recorded, not used.
    # Unit b: 40 by 30 June against 100: share 0.3964, used.
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
    assert est.exponent_data == pytest.approx(math.log(40 / 100.9) / math.log(181 / 365))


def test_weighted_median():
    from forecast.models.profile_estimate import weighted_median

    # Equal weights: the ordinary median (midpoint for an even count).
    assert weighted_median(np.array([3.0, 1.0, 2.0, 4.0]), np.ones(4)) == 2.5
    assert weighted_median(np.array([1.0, 2.0, 3.0]), np.ones(3)) == 2.0
    # 5 holds 3 of 4 units of weight.
    assert weighted_median(np.array([1.0, 5.0]), np.array([1.0, 3.0])) == 5.0
