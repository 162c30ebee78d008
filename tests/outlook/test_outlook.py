"""The outlook table: contract columns, the seed examples, a front-loaded unit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.config import Assumptions
from forecast.data.dataset import Dataset
from forecast.outlook.table import OUTLOOK_COLUMNS, outlook
from forecast.models.profile import DEFAULT_PROFILE

FAST = Assumptions(within_year_profile=DEFAULT_PROFILE, n_paths=2000)


def test_tien_giang_as_of_end_2022(tiny_dataset):
    o = outlook(tiny_dataset, as_of="2022-12-31", assumptions=FAST, units=["tien-giang"],
                scenarios=["full"], model="pooled_nb")
    assert list(o.table.columns) == OUTLOOK_COLUMNS
    term = o.table[o.table["target_id"] == "tien-giang-term-2020-2025"]
    row = term[term["scenario"] == "model"].iloc[0]
    # Progress by hand: 1,252 + 1,278 + 1,348 = 3,878; 2,622 left over 1,004 days
    # (2.749 years) -> 953.9 a year required against 3,878 / 3.0007 = 1,292.4 observed.
    assert row["cumulative"] == 3878 and row["remaining"] == 2622
    assert row["required_per_year"] == pytest.approx(2622 / (1004 / 365.25))
    # Chance: the median forecast ~1,200-1,300 a year for 2.67 profile-years (2023,
    # 2024 and 0.668 of 2025) gives ~7,100, well above 6,500 but with trend and
    # year-shock uncertainty: likely, not certain.
    assert 0.75 < row["p_reach"] < 0.99
    assert row["final_q10"] < row["final_q50"] < row["final_q90"]
    assert 6800 < row["final_q50"] < 7600
    assert row["reach_date_q50"] is not None and row["reach_date_q50"] <= "2025-09-30"
    assert 0 < row["required_attainment"] < 1.2 and row["n_obs"] == 4
    det = term[term["scenario"] == "full-deterministic"].iloc[0]
    # 100 % of the implied annual target 1,500 (1,252 at 83,5 % ...) from 2023:
    # 3,878 + 1,500 · (1 + 1 + 0.668) = 7,880 -> reached.
    assert det["final_mean"] == pytest.approx(3878 + 1500 * 2.668, rel=1e-6)
    assert det["p_reach"] == 1.0
    assert "exposure: implied annual target 1,500 from 3 attainment reports" in row["diagnostics"]
    assert ("tien-giang", "tien-giang-term-2020-2025", "pooled_nb", "model") in o.paths
    rec = [r for r in o.records() if r["target_id"] == "tien-giang-term-2020-2025"][0]
    assert rec["deadline"] == "2025-09-30" and isinstance(rec["p_reach"], float)


def test_krong_bong_nowcast_from_23_in_june(tiny_dataset):
    # The profile puts 37.8 % of a year's admissions by 30 June: 23 / 0.378 = 60.8 is
    # the plain nowcast (76 % of the target 80). The model shrinks the attainment
    # towards the other units' and adds noise; the reader compares the range with the
    # 96 reported by 12 October (which the default profile does not anticipate:
    # Krông Bông's 2021 was more back-loaded, COVID-19 having slowed vetting).
    o = outlook(tiny_dataset, as_of="2021-06-30", assumptions=FAST, units=["krong-bong"],
                requirements=False)
    row = o.table.iloc[0]
    assert row["cumulative"] == 23
    assert row["final_q10"] < 60.8 < row["final_q90"]
    assert row["final_q90"] < 96
    assert 0.05 < row["p_reach"] < 0.6


def test_model_refusal_is_a_diagnostic_not_a_crash(tiny_dataset):
    o = outlook(tiny_dataset, as_of="2022-12-31", model="ets", assumptions=FAST,
                units=["tien-giang"], requirements=False)
    row = o.table.iloc[0]
    assert np.isnan(row["p_reach"])
    assert "needs at least 4 whole-year counts, found 3" in row["diagnostics"]


def _front_loaded_dataset():
    units = [{"unit_id": f"u{i}", "name_vi": f"Đơn vị {i}", "level": "commune"}
             for i in range(6)]
    sources = [{"source_id": "s", "title": "test"}]
    targets, obs = [], []
    rng = np.random.default_rng(0)
    for i in range(6):
        for y in (2020, 2021, 2022, 2023):
            targets.append({"target_id": f"t{i}-{y}", "unit_id": f"u{i}", "term": "2020-2025",
                            "kind": "annual", "year": y, "layer": "assigned",
                            "measure": "count", "value": "100", "source_id": "s"})
        for y in (2020, 2021, 2022):
            if i < 5:
                obs.append({"obs_id": f"o{i}-{y}", "unit_id": f"u{i}", "measure": "admitted",
                            "value": str(int(rng.poisson(100))), "period_start": f"{y}-01-01",
                            "period_end": f"{y}-12-31", "source_id": "s"})
    # u5: no history, 45 by 31 March 2023 (45 % of its target in a quarter).
    obs.append({"obs_id": "front", "unit_id": "u5", "measure": "admitted", "value": "45",
                "period_start": "2023-01-01", "period_end": "2023-03-31", "source_id": "s"})
    return Dataset.from_frames(units=units, sources=sources, targets=targets, observations=obs)


def test_front_loaded_unit_does_not_get_a_certain_overshoot():
    # The plain scale-up 45 / share_by(31 Mar) = 45 / 0.143 = 315 would put the unit at
    # 3.15 times its target for sure. The part-year count enters with exposure 0.143
    # and an uncertain share, and is shrunk towards units that made ~100 % a year, so
    # the forecast stays far below 315 and overshooting twice the target is unlikely.
    o = outlook(_front_loaded_dataset(), as_of="2023-03-31", assumptions=FAST, units=["u5"],
                requirements=False, model="pooled_nb")
    row = o.table[o.table["target_kind"] == "annual"].iloc[0]
    assert row["cumulative"] == 45
    assert row["final_q90"] < 315
    assert row["final_q50"] < 200
    finals = o.paths  # summary exists for figures
    assert ("u5", "t5-2023", "pooled_nb", "model") in finals
