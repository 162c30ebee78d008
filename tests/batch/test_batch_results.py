"""Atomic writes, JSON conversion, write_results and the combined results table."""

from __future__ import annotations

import datetime as dt
import json
import os

import numpy as np
import pandas as pd
import pytest

from forecast.batch.run import collect_results, write_results
from forecast.jsonio import atomic_write_text, to_jsonable
from forecast.errors import ConfigError
from forecast.manifest import fingerprint, hash_files, summarize


def test_atomic_write_replaces_and_leaves_no_temp(tmp_path):
    f = tmp_path / "a" / "x.txt"
    atomic_write_text(f, "old")
    atomic_write_text(f, "new")
    assert f.read_text() == "new"
    assert os.listdir(f.parent) == ["x.txt"]


def test_atomic_write_failure_keeps_old_file(tmp_path, monkeypatch):
    f = tmp_path / "x.txt"
    atomic_write_text(f, "good")

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write_text(f, "half")
    assert f.read_text() == "good"
    assert os.listdir(tmp_path) == ["x.txt"]


def test_to_jsonable():
    frame = pd.DataFrame({"a": [1, 2], "d": pd.to_datetime(["2022-12-31", None])})
    got = to_jsonable({"f": frame, "n": np.int64(3), "x": np.float64("nan"), "arr": np.arange(2),
                       "date": dt.date(2024, 5, 31), "ts": pd.Timestamp("2024-05-31"), "t": (1, 2)})
    assert got == {"f": [{"a": 1, "d": "2022-12-31T00:00:00"}, {"a": 2, "d": None}], "n": 3,
                   "x": None, "arr": [0, 1], "date": "2024-05-31", "ts": "2024-05-31T00:00:00",
                   "t": [1, 2]}
    with pytest.raises(ConfigError, match="found a value of type object"):
        to_jsonable({"o": object()})


def test_write_results_name_and_relative_paths(tmp_path):
    out = tmp_path / "probe__a__ok"
    fig = out / "figs" / "progress.png"
    path = write_results({"figures": [str(fig)], "other": "/elsewhere/x.png", "p": 0.5}, out)
    assert path == out / "probe__a__ok.json"
    assert json.loads(path.read_text()) == {"figures": ["figs/progress.png"],
                                            "other": "/elsewhere/x.png", "p": 0.5}
    assert write_results({}, out, name="extra") == out / "extra.json"
    with pytest.raises(ConfigError, match="output_dir is empty"):
        write_results({}, "")


def test_collect_results_rows(tmp_path):
    runs = [
        {"run_id": "nb__a__s", "notebook": "/x/nb.ipynb", "unit_id": "a", "scenario": "s", "status": "ok"},
        {"run_id": "nb__b__s", "notebook": "/x/nb.ipynb", "unit_id": "b", "scenario": "s", "status": "skipped"},
        {"run_id": "nb__c__s", "notebook": "/x/nb.ipynb", "unit_id": "c", "scenario": "s", "status": "failed"},
        {"run_id": "port__s", "notebook": "/x/port.ipynb", "unit_id": None, "scenario": "s", "status": "ok"},
    ]
    # A record's own "scenario" (the engine's) must not be overwritten by the batch's.
    write_results({"model": "m", "records": [{"target": 10, "p": 0.25, "scenario": "full"},
                                             {"target": 20, "p": 0.5, "scenario": "last"}]},
                  tmp_path / "nb__a__s")
    write_results({"model": "m", "records": [{"target": 30, "p": 1.0}]}, tmp_path / "nb__b__s")
    write_results({"model": "m", "records": [{"target": 99, "p": 0.0}]}, tmp_path / "nb__c__s")
    write_results({"n": 3, "ranks": ["a", "b"]}, tmp_path / "port__s")
    csv_path, json_path = collect_results(tmp_path, runs)
    table = pd.read_csv(csv_path)
    assert list(table.columns) == ["run_id", "run_notebook", "run_unit", "run_scenario",
                                   "run_status", "model", "target", "p", "scenario", "n", "ranks"]
    assert table["scenario"].tolist()[:2] == ["full", "last"]
    assert table["run_scenario"].tolist() == ["s"] * 4
    assert table["run_notebook"].tolist() == ["nb", "nb", "nb", "port"]
    assert table["run_status"].tolist() == ["ok", "ok", "skipped", "ok"]
    # failed runs are left out; two records of run a, one of b, one row for the portfolio
    assert table["run_id"].tolist() == ["nb__a__s", "nb__a__s", "nb__b__s", "port__s"]
    assert table["target"].tolist()[:3] == [10, 20, 30]
    assert table["ranks"].iloc[3] == '["a", "b"]'
    combined = json.loads(json_path.read_text())
    assert [c["run_id"] for c in combined] == ["nb__a__s", "nb__b__s", "port__s"]
    assert combined[2]["results"] == {"n": 3, "ranks": ["a", "b"]}


def test_fingerprint_changes_with_each_input(tmp_path):
    base = fingerprint({"a": 1}, "nbhash", {"d.csv": "h1"}, "python3")
    assert base == fingerprint({"a": 1}, "nbhash", {"moved/d.csv": "h1"}, "python3")
    assert base != fingerprint({"a": 2}, "nbhash", {"d.csv": "h1"}, "python3")
    assert base != fingerprint({"a": 1}, "nbhash2", {"d.csv": "h1"}, "python3")
    assert base != fingerprint({"a": 1}, "nbhash", {"d.csv": "h2"}, "python3")
    assert base != fingerprint({"a": 1}, "nbhash", {"d.csv": "h1"}, "forecast")
    assert base != fingerprint({"a": 1}, "nbhash", {"d.csv": "h1"}, "python3", code="changed")


def test_hash_files_expands_folders(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "u.csv").write_text("unit_id\n")
    (tmp_path / "d" / ".hidden").write_text("x")
    # sha256 of b"unit_id\n", computed independently with `printf 'unit_id\n' | sha256sum`
    assert hash_files([tmp_path / "d"]) == {
        str(tmp_path / "d" / "u.csv"): "fd7c014d4c74db263425bc947dafaa9b9c26398c528f8658fb73d9048abfdbb5"}


def test_summarize():
    assert summarize([{"status": "ok"}, {"status": "failed"}, {"status": "ok"}, {}]) == {
        "total": 4, "ok": 2, "skipped": 0, "failed": 1, "pending": 1}
