"""Tables as JSON-ready records: the one conversion every ``--json`` output uses."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd


def json_value(v: Any) -> Any:
    """One cell as a JSON value: ISO dates, None for missing or infinite numbers."""
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat() if v == v.normalize() else v.isoformat()
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of ``frame`` as dicts of JSON values (lists and strings kept)."""
    return [{k: json_value(v) for k, v in row.items()}
            for row in frame.to_dict(orient="records")]
