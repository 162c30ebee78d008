"""The engine reads a merged unit's history from its predecessors (no engine change)."""

from __future__ import annotations

import dataclasses

from forecast.config import Assumptions
from forecast.data.dataset import Dataset
from forecast.outlook.table import MODEL_SCENARIO, outlook

UNITS = [{"unit_id": u, "name_vi": u, "level": "commune"} for u in ("a", "b", "ab", "c")]
# a admits 40, 41, ... and b 60, 61, ... in 2020-2024; c is a reference unit.
OBS = [{"obs_id": f"{u}-{y}", "unit_id": u, "measure": "admitted", "value": str(base + y - 2020),
        "period_start": f"{y}-01-01", "period_end": f"{y}-12-31", "source_id": "s"}
       for u, base in (("a", 40), ("b", 60), ("c", 30)) for y in range(2020, 2025)]
OBS.append({"obs_id": "ab-2025h1", "unit_id": "ab", "measure": "admitted", "value": "40",
            "period_start": "2025-01-01", "period_end": "2025-06-30", "source_id": "s"})
TARGETS = [{"target_id": f"{u}-t", "unit_id": u, "term": "2025-2030", "kind": "term",
            "layer": "resolution", "measure": "count", "value": v, "source_id": "s"}
           for u, v in (("ab", "600"), ("c", "150"))]
MERGE = [{"event_id": "M", "event": "merge", "date": "2025-01-01", "predecessor_id": p,
          "successor_id": "ab", "source_id": "s"} for p in ("a", "b")]


def _outlook(lineage):
    ds = Dataset.from_frames(units=UNITS, sources=[{"source_id": "s", "title": "t"}],
                             observations=OBS, targets=TARGETS, lineage=lineage)
    out = outlook(ds, as_of="2025-06-30", assumptions=dataclasses.replace(Assumptions(),
                                                                           n_paths=200),
                  requirements=False, rollups=False, term="2025-2030")
    t = out.table
    return ds, t[(t["scenario"] == MODEL_SCENARIO) & (t["target_kind"] == "term")]


def test_the_merged_unit_is_fitted_on_its_predecessors_years():
    ds, with_lineage = _outlook(MERGE)
    ab = ds.observations[ds.observations["unit_id"] == "ab"].sort_values("period_end")
    # 2020: 40 + 60 = 100; 2024: 44 + 64 = 108; then its own 40 in 2025 H1
    assert ab["value"].tolist() == [100, 102, 104, 106, 108, 40]
    row = with_lineage[with_lineage["unit_id"] == "ab"].iloc[0]
    # five derived years and its own half-year (without the lineage: 1)
    assert row["n_obs"] == 6 and row["cumulative"] == 40
    # The predecessors ended on 1 Jan 2025: no rows of theirs as of 30 June 2025.
    assert set(with_lineage["unit_id"]) == {"ab", "c"}
