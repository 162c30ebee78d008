"""Batches that really start kernels: failures, limits, resume after a kill, atomic outputs.

Each test starts a few Jupyter kernels (about a second each), hence ``slow``.
The probe notebook (tests/fixtures/notebooks/probe.ipynb) does what its ``mode``
parameter says and appends one line per execution to ``log_file``, which is how
these tests tell a rerun from a skip.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from forecast.batch.run import run_batch
from forecast.batch.config import config_from_mapping

pytestmark = pytest.mark.slow

PROBE = str(Path(__file__).resolve().parents[1] / "fixtures" / "notebooks" / "probe.ipynb")
UNITS = pd.DataFrame({"unit_id": ["a", "bb", "ccc", "dddd"], "level": ["x"] * 4,
                      "parent_id": [None] * 4})


def make_config(tmp_path, **kw):
    return config_from_mapping({"notebooks": [PROBE], "output": str(tmp_path / "out"), **kw},
                               where=str(tmp_path / "test.yaml"), base_dir=tmp_path)


def log_lines(path):
    return path.read_text().splitlines() if path.exists() else []


def running(pid):
    """Whether ``pid`` still runs (a zombie has ended; only its parent has not reaped it)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            return "\nState:\tZ" not in fh.read()
    except FileNotFoundError:
        return False


def cells_text(nb_path):
    nb = nbformat.read(nb_path, as_version=4)
    out = []
    for c in nb.cells:
        out.append(c.source)
        for o in c.get("outputs", []):
            out.append(json.dumps(o))
    return "\n".join(out)


def test_failures_are_isolated_recorded_and_kept(tmp_path):
    log = tmp_path / "log.txt"
    config = make_config(
        tmp_path, units=["bb"], timeout=30, cell_timeout=3,
        parameters={"log_file": str(log)},
        scenarios=[{"name": "ok", "mode": "ok"}, {"name": "err", "mode": "error"},
                   {"name": "exit", "mode": "exit"}, {"name": "slow", "mode": "sleep", "seconds": 60}])
    res = run_batch(config, units=UNITS, workers=2, progress=False)
    out = tmp_path / "out"
    by_id = {r["run_id"]: r for r in res.runs}
    assert res.exit_code == 1
    assert res.summary == {"total": 4, "ok": 1, "skipped": 0, "failed": 3, "pending": 0}
    ok = by_id["probe__bb__ok"]
    assert ok["status"] == "ok"
    results = json.loads((out / ok["run_id"] / f"{ok['run_id']}.json").read_text())
    # value = factor 2.0 x len("bb"); BLAS threads were set to 1 in the kernel
    assert results == {"records": [{"unit": "bb", "value": 4.0}], "mode": "ok", "omp_threads": "1"}
    assert (out / ok["run_id"] / f"{ok['run_id']}.ipynb").is_file()
    err = by_id["probe__bb__err"]
    assert err["error_type"] == "cell error"
    # The cell, its line that raised, the error, then where the traceback is.
    assert err["reason"] == ("error in cell [4], line 2: raise ValueError(f'probe failure for "
                             "{unit_id}') -> ValueError: probe failure for bb. Fix: open the "
                             "executed notebook at cell [4] for the full traceback.")
    assert "probe failure for bb" in cells_text(err["failed_notebook"])
    assert by_id["probe__bb__exit"]["error_type"] == "dead kernel"
    # what the kernel process wrote to its stderr before dying is shown in the notebook
    assert "probe kernel exiting" in cells_text(by_id["probe__bb__exit"]["failed_notebook"])
    assert by_id["probe__bb__slow"]["error_type"] == "cell timeout"
    assert "cell time limit of 3 s" in by_id["probe__bb__slow"]["reason"]
    for r in res.runs:
        if r["status"] == "failed":
            assert f"Batch run `{r['run_id']}` failed:" in cells_text(r["failed_notebook"])
            assert not (out / r["run_id"] / f"{r['run_id']}.json").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["summary"]["failed"] == 3
    assert {r["run_id"]: r["status"] for r in manifest["runs"]} == {
        k: v["status"] for k, v in by_id.items()}
    assert manifest["runs"][0]["parameters"] == {"unit_id": "bb", "log_file": str(log), "mode": "ok"}
    assert set(manifest["packages"]) >= {"forecast", "pandas", "numpy", "statsmodels",
                                         "matplotlib", "papermill"}
    assert manifest["code_revision"]
    assert manifest["inputs"]["notebooks"][PROBE]
    assert pd.read_csv(out / "results.csv")["run_id"].tolist() == ["probe__bb__ok"]
    assert not (out / ".staging").exists()
    assert len(log_lines(log)) == 4


def test_wall_clock_limit_kills_worker_and_kernel(tmp_path):
    log = tmp_path / "log.txt"
    config = make_config(tmp_path, units=["a"], timeout=4,
                         parameters={"log_file": str(log), "mode": "sleep", "seconds": 120})
    t0 = time.monotonic()
    res = run_batch(config, units=UNITS, workers=1, progress=False)
    assert time.monotonic() - t0 < 30
    (run,) = res.runs
    assert run["status"] == "failed" and run["error_type"] == "wall-clock limit"
    assert run["reason"] == "the run passed its wall-clock limit of 4 s and was killed"
    assert "stopped while this cell was running" in cells_text(run["failed_notebook"])
    kernel_pid = int(log_lines(log)[0].split()[3])
    assert not running(kernel_pid)


def test_good_outputs_survive_a_failed_rerun(tmp_path):
    base = {"units": ["a"], "timeout": 60}
    first = run_batch(make_config(tmp_path, **base, scenarios=[{"name": "s", "mode": "ok"}]),
                      units=UNITS, workers=1, progress=False)
    assert first.exit_code == 0
    run_dir = tmp_path / "out" / "probe__a__s"
    good = {p.name: p.read_bytes() for p in run_dir.iterdir()}
    # Same run id, new parameters: the fingerprint differs, so it reruns, and fails.
    second = run_batch(make_config(tmp_path, **base, scenarios=[{"name": "s", "mode": "error"}]),
                       units=UNITS, workers=1, progress=False)
    assert second.exit_code == 1
    for name, content in good.items():
        assert (run_dir / name).read_bytes() == content
    assert (run_dir / "probe__a__s.failed.ipynb").is_file()
    # results.csv lists only this batch's good runs: none
    assert pd.read_csv(tmp_path / "out" / "results.csv").empty


def test_resume_after_kill(tmp_path):
    log = tmp_path / "log.txt"
    cfg = tmp_path / "resume.yaml"
    cfg.write_text(
        f"notebooks: [{PROBE}]\nunits: [a, bb, ccc, dddd]\noutput: out\ntimeout: 60\n"
        f"parameters: {{mode: sleep, seconds: 0.5, log_file: {log}}}\n", encoding="utf-8")
    script = (
        "import pandas as pd, sys\nfrom forecast.batch.run import run_batch\n"
        "units = pd.DataFrame({'unit_id': ['a','bb','ccc','dddd'], 'level': ['x']*4, 'parent_id': [None]*4})\n"
        f"sys.exit(run_batch({str(cfg)!r}, units=units, workers=1, progress=False).exit_code)\n")
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=tmp_path)
    out = tmp_path / "out"
    deadline = time.monotonic() + 60
    while len(list(out.glob("*/*.run.json"))) < 2:
        assert proc.poll() is None, "batch ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_first = sorted(p.parent.name for p in out.glob("*/*.run.json"))
    assert 2 <= len(done_first) < 4
    stamps = {r: (out / r / f"{r}.run.json").stat().st_mtime_ns for r in done_first}
    executed_first = len(log_lines(log))

    res = run_batch(cfg, units=UNITS, workers=1, progress=False)
    assert res.exit_code == 0, res.report()
    assert res.summary["skipped"] == len(done_first)
    assert res.summary["ok"] == 4 - len(done_first)
    for r in done_first:
        assert (out / r / f"{r}.run.json").stat().st_mtime_ns == stamps[r]
    units_run_again = [line.split()[0] for line in log_lines(log)[executed_first:]]
    assert sorted(units_run_again) == sorted(r["unit_id"] for r in res.runs
                                             if r["status"] == "ok")
    assert sorted(pd.read_csv(out / "results.csv")["run_unit"]) == ["a", "bb", "ccc", "dddd"]


def test_sigterm_stops_runs_and_records_them(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"notebooks: [{PROBE}]\nunits: [a, bb]\noutput: out\n"
                   "parameters: {mode: sleep, seconds: 60}\n", encoding="utf-8")
    script = (
        "import pandas as pd, sys\nfrom forecast.batch.run import run_batch\n"
        "units = pd.DataFrame({'unit_id': ['a', 'bb'], 'level': ['x'] * 2, 'parent_id': [None] * 2})\n"
        "try:\n"
        f"    run_batch({str(cfg)!r}, units=units, workers=2, progress=False)\n"
        "except KeyboardInterrupt:\n    sys.exit(130)\n")
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=tmp_path)
    out = tmp_path / "out"
    deadline = time.monotonic() + 60
    while len(list(out.glob(".staging/*/*.kernel.json"))) < 2:  # both kernels started
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    pids = [json.loads(p.read_text())["pid"] for p in out.glob(".staging/*/*.kernel.json")]
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 130
    runs = json.loads((out / "manifest.json").read_text())["runs"]
    assert [r["error_type"] for r in runs] == ["interrupted", "interrupted"]
    assert all((out / r["run_id"] / f"{r['run_id']}.failed.ipynb").is_file() for r in runs)
    assert not any(running(pid) for pid in pids)


def test_cell_error_leads_with_cell_line_error_and_fix():
    """A 30-line traceback shrinks to cell, line, error and fix; a forecast error keeps its fix."""
    from papermill.exceptions import PapermillExecutionError

    from forecast.batch.kernels import cell_error

    tb = ["\x1b[0;31m---------------------------------------------------------------\x1b[0m",
          "\x1b[0;31mNotebookError\x1b[0m        Traceback (most recent call last)",
          "Cell \x1b[0;32mIn[3], line 6\x1b[0m\n      5 \n\x1b[0;32m----> 6\x1b[0m ctx "
          "\x1b[38;5;241m=\x1b[39m api\x1b[38;5;241m.\x1b[39mstart(\x1b[38;5;124m\"01\"\x1b[39m)\n",
          "File \x1b[0;32m/x/api.py:407\x1b[0m, in \x1b[0;36mstart\x1b[0;34m\n"
          "\x1b[0;32m--> 407\x1b[0m     check_values(notebook)\n",
          *["    deep frame"] * 25,
          "\x1b[0;31mNotebookError\x1b[0m: 01: parameter 'unit_id': found 'x'. Fix: use an id."]
    exc = PapermillExecutionError(2, 3, "ctx = ...", "NotebookError",
                                  "01: parameter 'unit_id': found 'x'. Fix: use an id.", tb)
    assert cell_error(exc) == ("cell [3], line 6: ctx = api.start(\"01\") -> NotebookError: 01: "
                               "parameter 'unit_id': found 'x'. Fix: use an id.")
    plain = PapermillExecutionError(0, 7, "", "KeyError", "'p_reach'", [])
    assert cell_error(plain) == ("cell [7] -> KeyError: 'p_reach'. Fix: open the executed "
                                 "notebook at cell [7] for the full traceback.")
