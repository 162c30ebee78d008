"""Atomic file writes and JSON conversion for batch outputs.

Every file the batch (or a notebook run by it) writes goes through
:mod:`forecast.atomic` (here as :func:`atomic_write_bytes` and
:func:`atomic_write_text`): a run killed mid-write leaves either the old good
file or the new complete one, never a half-written file.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from forecast.atomic import write_bytes, write_text
from forecast.errors import ConfigError


# The batch's names for the package's one atomic writer (forecast.atomic).
atomic_write_bytes = write_bytes
atomic_write_text = write_text


def to_jsonable(obj: Any) -> Any:
    """Convert ``obj`` to plain JSON types.

    DataFrames become lists of records, numpy scalars and arrays become Python
    numbers and lists, timestamps and dates become ISO strings, NaN/NaT/NA
    become ``None`` (JSON has no NaN), paths become strings.

    Raises
    ------
    ConfigError
        For a value that has no JSON form (says which type).
    """
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, int):
        return obj
    if isinstance(obj, float):
        return None if math.isnan(obj) or math.isinf(obj) else obj
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, (_dt.datetime, _dt.date)):
        iso = obj.isoformat()
        return None if iso == "NaT" else iso  # pandas' NaT is a datetime too
    return _to_jsonable_scientific(obj)


def _to_jsonable_scientific(obj: Any) -> Any:
    """numpy/pandas values; imported lazily so notebooks pay nothing extra."""
    import numpy as np
    import pandas as pd

    if isinstance(obj, pd.DataFrame):
        return [to_jsonable(r) for r in obj.to_dict(orient="records")]
    if isinstance(obj, pd.Series):
        return to_jsonable(obj.to_dict())
    if obj is pd.NaT or obj is pd.NA:
        return None
    if isinstance(obj, pd.Timestamp):
        return obj.isoformat()
    if isinstance(obj, np.generic):
        return to_jsonable(obj.item())
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    raise ConfigError(
        f"results: found a value of type {type(obj).__name__} ({obj!r:.60}); expected "
        "JSON types, numbers, dates, DataFrames or numpy values. Fix: convert it to "
        "one of those (e.g. str(value)) before writing the results."
    )


def dumps(obj: Any) -> str:
    """JSON text (via :func:`to_jsonable`), indented, Vietnamese left unescaped."""
    return json.dumps(to_jsonable(obj), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def atomic_write_json(path: str | Path, obj: Any) -> Path:
    """Write ``obj`` as JSON (via :func:`to_jsonable`) atomically."""
    return atomic_write_text(path, dumps(obj))


def file_sha256(path: str | Path) -> str:
    """SHA-256 hex digest of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def now_iso() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def read_json(path: str | Path) -> Any | None:
    """The JSON in ``path``, or None when it is missing or not valid JSON."""
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None
