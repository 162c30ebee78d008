"""Results of notebook runs: written by each notebook, collected by the batch.

A notebook run by the batch ends with ``write_results(results, output_dir)``;
the batch then gathers every good run's file into ``results.json`` (one
object per run) and ``results.csv`` (one row per record). This module is
imported inside every notebook kernel, so it imports only the standard
library at the top.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from forecast.jsonio import atomic_write_json, atomic_write_text, read_json, to_jsonable
from forecast.errors import ConfigError
from forecast.tables import safe_cell

RUN_COLUMNS = ["run_id", "run_notebook", "run_unit", "run_scenario", "run_status"]
"""Columns that lead every row of ``results.csv``. Prefixed so that they never
clash with a notebook's own columns (an outlook record has its own ``unit_id``
and ``scenario``, the engine's scenario rather than the batch's)."""


def write_results(results: Any, output_dir: str | os.PathLike[str], name: str | None = None) -> Path:
    """Write a notebook run's results as JSON beside its executed notebook.

    Notebooks call this last, with the ``output_dir`` parameter the batch
    gave them. The file is ``<output_dir>/<name>.json``, where ``name``
    defaults to the folder's name (the batch names each run's folder after
    its run id). Written atomically.

    Parameters
    ----------
    results : dict
        JSON-able results (DataFrames, numpy values, dates are converted). Put
        table rows under ``"records"`` (a list of dicts or a DataFrame): the
        batch's ``results.csv`` gets one row per record; other top-level
        scalar values are repeated on each row. Text values naming files
        inside ``output_dir`` are stored relative to it, so they stay right
        when the batch moves the run's files into place.
    output_dir : str or path
        The notebook's ``output_dir`` parameter.
    name : str, optional
        File name without ``.json``.

    Returns
    -------
    Path
        The file written.
    """
    if not str(output_dir):
        raise ConfigError("write_results: output_dir is empty; expected a folder. Fix: set "
                          "output_dir in the notebook's parameters cell (the batch sets it itself).")
    out = Path(output_dir).resolve()
    prefix = str(out) + os.sep
    obj = _map_strings(to_jsonable(results),
                       lambda s: s[len(prefix):] if s.startswith(prefix) else s)
    return atomic_write_json(out / f"{name or out.name}.json", obj)


def _map_strings(obj: Any, fn) -> Any:
    """``obj`` with ``fn`` applied to every string in it, at any depth."""
    if isinstance(obj, str):
        return fn(obj)
    if isinstance(obj, dict):
        return {k: _map_strings(v, fn) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_map_strings(v, fn) for v in obj]
    return obj


def rebase_paths(obj: Any, old: str, new: str) -> Any:
    """``obj`` with the folder ``old`` (and paths under it) replaced by ``new``.

    A run writes its results in its staging folder, which the batch deletes;
    the batch records where the files were moved instead.
    """
    return _map_strings(obj, lambda s: new + s[len(old):]
                        if s == old or s.startswith(old + os.sep) else s)


def collect_results(out: Path, runs: list[Mapping[str, Any]]) -> tuple[Path, Path]:
    """Gather every good run's JSON into ``results.json`` and ``results.csv``.

    ``results.json`` is a list with one object per run (``run_id``,
    ``run_notebook`` (stem), ``run_unit``, ``run_scenario``, ``run_status``,
    ``results``).
    ``results.csv`` has one row per record under ``"records"`` (or one row per
    run without records), run columns first; nested values are JSON text;
    text that a spreadsheet program would read as a formula is guarded
    (:func:`forecast.tables.safe_cell`).
    """
    combined, rows = [], []
    for r in runs:
        if r["status"] not in ("ok", "skipped"):
            continue
        head = {"run_id": r["run_id"], "run_notebook": Path(r["notebook"]).stem,
                "run_unit": r["unit_id"], "run_scenario": r["scenario"], "run_status": r["status"]}
        obj = read_json(out / r["run_id"] / f"{r['run_id']}.json")
        combined.append({**head, "results": obj})
        rows.extend({k: safe_cell(v) for k, v in {**row, **head}.items()} for row in _rows(obj))
    json_path = atomic_write_json(out / "results.json", combined)
    # The csv module rather than pandas: the batch process need not import pandas.
    columns = list(dict.fromkeys([*RUN_COLUMNS, *(k for row in rows for k in row)]))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    csv_path = atomic_write_text(out / "results.csv", buf.getvalue())
    return csv_path, json_path


def _cell(v: Any) -> Any:
    return json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v


def _rows(obj: Any) -> list[dict[str, Any]]:
    if isinstance(obj, list):
        return [{k: _cell(v) for k, v in r.items()} if isinstance(r, dict) else {"value": _cell(r)} for r in obj]
    if not isinstance(obj, dict):
        return [{"value": _cell(obj)}]
    scalars = {k: v for k, v in obj.items() if not isinstance(v, (dict, list))}
    records = obj.get("records")
    if isinstance(records, list) and records:
        return [{**scalars, **{k: _cell(v) for k, v in rec.items()}} if isinstance(rec, dict)
                else {**scalars, "value": _cell(rec)} for rec in records]
    return [{**scalars, **{k: _cell(v) for k, v in obj.items() if k not in scalars and k != "records"}}]

