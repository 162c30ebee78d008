"""Scores from quantiles: CRPS approximation and PIT bins, checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.errors import ConfigError
from forecast.evaluate import quantiles as qs
from forecast.evaluate import scores

Q = [[8.0, 9.0, 10.0, 12.0, 15.0]]  # q10, q25, q50, q75, q90


def test_crps_from_quantiles_by_hand():
    # y = 11: pinball rho_tau(y - q) = (y - q)(tau - 1{y < q})
    #   q10=8:  3 * 0.10          = 0.30
    #   q25=9:  2 * 0.25          = 0.50
    #   q50=10: 1 * 0.50          = 0.50
    #   q75=12: (-1) * (0.75 - 1) = 0.25
    #   q90=15: (-4) * (0.90 - 1) = 0.40
    # mean 1.95 / 5 = 0.39; CRPS ~ 2 x 0.39 = 0.78
    assert qs.crps_quantiles([11.0], Q)[0] == pytest.approx(0.78)
    # far below: y = 0: (8)(0.9)+(9)(0.75)+(10)(0.5)+(12)(0.25)+(15)(0.1) = 7.2+6.75+5+3+1.5
    assert qs.crps_quantiles([0.0], Q)[0] == pytest.approx(2 * 23.45 / 5)
    # a point forecast at the outcome scores 0
    assert qs.crps_quantiles([5.0], [[5.0] * 5])[0] == 0


def test_crps_of_a_point_forecast_is_the_absolute_error():
    # all quantiles at m: (2/K) sum |y - m| (tau or 1 - tau) = |y - m| (2/K)(sum tau) for y > m;
    # levels sum to 2.5, so 2 x 2.5 / 5 = 1: CRPS = |y - m| exactly, as for a true point mass
    assert qs.crps_quantiles([7.0], [[4.0] * 5])[0] == pytest.approx(3.0)
    assert qs.crps_quantiles([1.0], [[4.0] * 5])[0] == pytest.approx(3.0)


def test_pit_bins_strictly_inside_and_outside():
    w = qs.pit_bin_weights([11.0, 3.0, 20.0, 9.5], Q * 4)
    # 11 lies between q50=10 and q75=12 -> bin 3; 3 below q10 -> bin 0; 20 above q90 -> bin 5
    assert w.tolist()[0] == [0, 0, 0, 1, 0, 0]
    assert w.tolist()[1] == [1, 0, 0, 0, 0, 0]
    assert w.tolist()[2] == [0, 0, 0, 0, 0, 1]
    assert w.tolist()[3] == [0, 0, 1, 0, 0, 0]


def test_pit_ties_spread_over_the_bins_in_proportion_to_their_width():
    # q = 5, 7, 7, 8, 10 and y = 7: F(y) lies between 0.10 (q10=5 < 7) and 0.75 (q75=8 > 7):
    # bins q10-q25 (width 0.15), q25-q50 (0.25), q50-q75 (0.25) over 0.65
    w = qs.pit_bin_weights([7.0], [[5.0, 7.0, 7.0, 8.0, 10.0]])[0]
    assert w == pytest.approx([0, 0.15 / 0.65, 0.25 / 0.65, 0.25 / 0.65, 0, 0])
    # y equal to q10 only: between level 0 and 0.25 -> bins <q10 (0.10) and q10-q25 (0.15)
    w = qs.pit_bin_weights([5.0], [[5.0, 7.0, 8.0, 9.0, 10.0]])[0]
    assert w == pytest.approx([0.4, 0.6, 0, 0, 0, 0])
    # all quantiles equal to y (a certain count): spread like a uniform PIT
    w = qs.pit_bin_weights([4.0], [[4.0] * 5])[0]
    assert w == pytest.approx(qs.pit_expected())


def test_pit_labels_and_expected_shares():
    assert qs.pit_labels() == ["<q10", "q10-q25", "q25-q50", "q50-q75", "q75-q90", ">q90"]
    assert qs.pit_expected() == pytest.approx([0.10, 0.15, 0.25, 0.25, 0.15, 0.10])


def test_bad_quantiles_are_refused():
    with pytest.raises(ConfigError, match="decrease"):
        qs.crps_quantiles([1.0], [[3.0, 2.0, 4.0, 5.0, 6.0]])
    with pytest.raises(ConfigError, match="shape"):
        qs.crps_quantiles([1.0, 2.0], Q)


def test_summarize_reports_crps_on_the_target_scale_and_monte_carlo_error():
    frame = pd.DataFrame({
        "model": "m", "p": [0.5, 0.8], "y": [1, 0], "outcome": [11.0, np.nan],
        "q10": [8.0, 1.0], "q25": [9.0, 2.0], "q50": [10.0, 3.0], "q75": [12.0, 4.0],
        "q90": [15.0, 5.0], "scale": [10.0, 5.0], "year": [2020, 2021],
        "p_se": [0.01, 0.02]})
    row = scores.summarize(frame, by=("model",), n_boot=20).iloc[0]
    # only the first case has a total: CRPS 0.78 on the count scale / target 10
    assert row["crps"] == pytest.approx(0.078)
    # MC error of the mean Brier: sqrt((2(0.5-1) 0.01)^2 + (2(0.8-0) 0.02)^2) / 2
    assert row["brier_mc_se"] == pytest.approx(np.sqrt(0.01 ** 2 + 0.032 ** 2) / 2)
    # log score: d/dp = -1/0.5 for y=1, 1/(1-0.8) for y=0
    assert row["log_score_mc_se"] == pytest.approx(np.sqrt((2 * 0.01) ** 2 + (5 * 0.02) ** 2) / 2)
