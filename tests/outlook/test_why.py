"""A model that gives no probability says why, in both languages (issue 9: no NaN without words)."""

from __future__ import annotations

import dataclasses

import numpy as np

from forecast.config import Assumptions
from forecast.data.dataset import Dataset
from forecast.outlook.table import outlook

FAST = dataclasses.replace(Assumptions(), n_paths=200, seed=3)


def _ds():
    units = [{"unit_id": "u", "name_vi": "Đơn vị U", "level": "district"},
             {"unit_id": "v", "name_vi": "Đơn vị V", "level": "district"}]
    obs = [{"obs_id": f"u{y}", "unit_id": "u", "measure": "admitted", "value": str(v),
            "period_start": f"{y}-01-01", "period_end": f"{y}-12-31", "source_id": "s"}
           for y, v in ((2020, 95), (2021, 102))]
    targets = [{"target_id": f"{u}-2022", "unit_id": u, "term": "2020-2025", "kind": "annual",
                "year": "2022", "layer": "plan", "measure": "count", "value": "100",
                "source_id": "s"} for u in ("u", "v")]
    return Dataset.from_frames(units=units, sources=[{"source_id": "s", "title": "t"}],
                               targets=targets, observations=obs)


def _rows(model):
    t = outlook(_ds(), as_of="2021-12-31", model=model, assumptions=FAST, requirements=False,
                rollups=False).table
    return t[(t["scenario"] == "model") & t["target_id"].str.endswith("2022")].set_index("unit_id")


def test_a_short_record_is_refused_in_words():
    rows = _rows("ets")
    assert rows["p_reach"].isna().all()
    # u has 2 whole years (2020, 2021), v none; ets needs 4.
    assert "needs at least 4 whole years" in rows.loc["u", "why"] and "have 2" in rows.loc["u", "why"]
    assert "cần ít nhất 4 năm trọn" in rows.loc["u", "why_vi"] and "có 2" in rows.loc["u", "why_vi"]
    assert "have 0" in rows.loc["v", "why"]


def test_a_unit_without_counts_is_refused_by_mean_attainment_and_answered_by_the_default():
    rows = _rows("mean_attainment")
    assert np.isnan(rows.loc["v", "p_reach"]) and np.isfinite(rows.loc["u", "p_reach"])
    assert "no count yet" in rows.loc["v", "why"] and "chưa có số kết nạp" in rows.loc["v", "why_vi"]
    default = _rows("hier_nb")
    assert default["p_reach"].notna().all()
