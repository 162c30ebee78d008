"""JSON-ready records: dates, missing and infinite values, numpy scalars."""

import json
import math

import numpy as np
import pandas as pd

from forecast.records import frame_records


def test_records_are_json_values():
    frame = pd.DataFrame({
        "deadline": [pd.Timestamp("2025-09-30"), pd.NaT],
        "p_reach": [np.float64(0.9575), float("nan")],
        "pace_ratio": [math.inf, 1.25],
        "n_obs": [np.int64(4), np.int64(0)],
        "figures": [["a", "b"], []],
        "name": ["Đảng bộ tỉnh Tiền Giang", None],
    })
    recs = frame_records(frame)
    assert recs[0] == {"deadline": "2025-09-30", "p_reach": 0.9575, "pace_ratio": None,
                       "n_obs": 4, "figures": ["a", "b"], "name": "Đảng bộ tỉnh Tiền Giang"}
    assert recs[1]["deadline"] is None and recs[1]["p_reach"] is None
    assert recs[1]["pace_ratio"] == 1.25 and recs[1]["name"] is None
    assert type(recs[0]["n_obs"]) is int
    json.dumps(recs, allow_nan=False)  # no NaN or Infinity reaches JSON
