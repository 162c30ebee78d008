"""Roll-up rows in the outlook: a parent from its children's correlated paths."""

from __future__ import annotations

import pytest

from forecast.config import Assumptions
from forecast.data.dataset import Dataset
from forecast.outlook.table import outlook
from forecast.models.profile import DEFAULT_PROFILE

FAST = Assumptions(within_year_profile=DEFAULT_PROFILE, n_paths=2000)


def test_tiny_krong_bong_is_not_covered_by_cu_pui_and_says_so(tiny_dataset):
    # Cư Pui's target 7 is 9 % of Krông Bông's 80: the commune is one of many,
    # so no roll-up row, and the parent's row says why. The comparison by hand:
    # Cư Pui's 8 by 30 September spread by the default profile puts
    # 8 · 0.378 / 0.668 = 4.5 by 30 June, against the 23 Krông Bông reported.
    o = outlook(tiny_dataset, as_of="2021-09-30", assumptions=FAST, requirements=False, model="pooled_nb")
    assert "rollup" not in set(o.table["model"])
    kb = o.table[o.table["unit_id"] == "krong-bong"].iloc[0]["diagnostics"]
    assert "roll-up not shown: children's targets add up to 9% of the parent's" in kb
    assert "parent reported 23 by 2021-06-30, children's sum 5 (80 % range 5-5)" in kb
    tg = o.table[o.table["target_id"] == "tien-giang-term-2020-2025"].iloc[0]["diagnostics"]
    assert "roll-up not shown: none of the 2 children in the dataset has a forecast" in tg


def _covered():
    # District P (target 100 in 2023) and its two communes A (60) and B (40): the
    # children's targets add up to 100 % of the parent's. All three report the
    # first half of 2023: A 30, B 20, P 55 (P counts someone the communes do not).
    units = [{"unit_id": "p", "name_vi": "Huyện P", "level": "district"},
             {"unit_id": "a", "name_vi": "Xã A", "level": "commune", "parent_id": "p"},
             {"unit_id": "b", "name_vi": "Xã B", "level": "commune", "parent_id": "p"}]
    targets = [{"target_id": f"{u}-2023", "unit_id": u, "term": "2020-2025", "kind": "annual",
                "year": "2023", "layer": "assigned", "measure": "count", "value": v,
                "source_id": "s"} for u, v in (("p", "100"), ("a", "60"), ("b", "40"))]
    obs = [{"obs_id": f"{u}-h1", "unit_id": u, "measure": "admitted", "value": v,
            "period_start": "2023-01-01", "period_end": "2023-06-30", "source_id": "s"}
           for u, v in (("p", "55"), ("a", "30"), ("b", "20"))]
    return Dataset.from_frames(units=units, sources=[{"source_id": "s", "title": "t"}],
                               targets=targets, observations=obs)


def test_covered_parent_gets_a_rollup_row_from_its_childrens_paths():
    o = outlook(_covered(), as_of="2023-06-30", assumptions=FAST, requirements=False, model="pooled_nb")
    t = o.table
    ru = t[t["model"] == "rollup"]
    assert list(ru["unit_id"]) == ["p"] and list(ru["scenario"]) == ["model"]
    ru = ru.iloc[0]
    a = t[(t["unit_id"] == "a") & (t["model"] == "pooled_nb")].iloc[0]
    b = t[(t["unit_id"] == "b") & (t["model"] == "pooled_nb")].iloc[0]
    # The children's own windows are the parent's (calendar 2023), so the roll-up
    # sums the very paths behind their rows: the mean of the sum is the sum of means.
    assert ru["final_mean"] == pytest.approx(a["final_mean"] + b["final_mean"], rel=1e-9)
    assert ru["final_q10"] < ru["final_q50"] < ru["final_q90"]
    assert 0 <= ru["p_reach"] <= 1 and ru["cumulative"] == 55
    # By 30 June the children's sum is their reports, 30 + 20 = 50, against P's 55.
    assert "every child has a forecast and their targets add up to 100% of the parent's" \
        in ru["diagnostics"]
    assert ("parent reported 55 by 2023-06-30, children's sum 50 (80 % range 50-50), "
            "difference +5") in ru["diagnostics"]
    assert ("p", "p-2023", "rollup", "model") in o.paths
    # Off by request.
    off = outlook(_covered(), as_of="2023-06-30", assumptions=FAST, requirements=False, model="pooled_nb",
                  rollups=False)
    assert "rollup" not in set(off.table["model"])
