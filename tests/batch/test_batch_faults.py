"""The batch against a person's folder, a full disk and a kill; what its results record.

Most tests start a kernel or two (about a second each), hence ``slow``.
"""

from __future__ import annotations

import errno
import json

import nbformat
import pandas as pd
import pytest

import forecast.batch.run
import forecast.manifest
from forecast.batch.config import config_from_mapping
from forecast.batch.run import run_batch
from forecast.errors import OutputError
from forecast.outputs import MARKER

from test_batch_run import PROBE, UNITS, make_config


def test_a_folder_the_batch_did_not_create_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.csv").write_text("my,own\n1,2\n")
    (out / "manifest.json").write_text('{"mine": true}')
    with pytest.raises(OutputError, match="did not write"):
        run_batch(make_config(tmp_path, units=["a"]), units=UNITS, progress=False)
    assert (out / "results.csv").read_text() == "my,own\n1,2\n"
    assert (out / "manifest.json").read_text() == '{"mine": true}'
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "results.csv"]


def test_the_notebooks_folder_is_refused(tmp_path):
    config = make_config(tmp_path, units=["a"])
    with pytest.raises(OutputError, match="which the batch reads"):
        run_batch(config, output=PROBE.rsplit("/", 1)[0], units=UNITS, progress=False)


@pytest.mark.slow
def test_a_batch_folder_is_marked_and_used_again(tmp_path):
    config = make_config(tmp_path, units=["a"], parameters={"mode": "ok"})
    assert run_batch(config, units=UNITS, workers=1, progress=False).exit_code == 0
    out = tmp_path / "out"
    assert json.loads((out / MARKER).read_text())["command"] == "batch"
    assert not (out / ".batch.lock").exists()  # the lock goes with the batch
    again = run_batch(config, units=UNITS, workers=1, progress=False)
    assert again.summary["skipped"] == 1


@pytest.mark.slow
def test_a_full_disk_fails_the_run_and_the_batch_ends_with_its_summary(tmp_path, monkeypatch):
    config = make_config(tmp_path, units=["a"], timeout=60,
                         scenarios=[{"name": "good", "mode": "ok"},
                                    {"name": "bad", "mode": "error"}])
    real = forecast.batch.run.atomic_write_text

    def full(path, text):
        if str(path).endswith(".failed.ipynb"):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(path, text)

    monkeypatch.setattr(forecast.batch.run, "atomic_write_text", full)
    res = run_batch(config, units=UNITS, workers=1, progress=False)
    by_id = {r["run_id"]: r for r in res.runs}
    assert by_id["probe__a__good"]["status"] == "ok"
    bad = by_id["probe__a__bad"]
    assert bad["status"] == "failed"
    assert "probe failure for a" in bad["reason"] and "No space left on device" in bad["reason"]
    assert res.exit_code == 1
    report = res.report()
    assert "1 ran" in report and "1 failed" in report and "free some disk space" in report
    assert not (tmp_path / "out" / ".staging").exists()
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["summary"]["failed"] == 1


@pytest.mark.slow
def test_a_manifest_that_cannot_be_written_is_reported(tmp_path, monkeypatch):
    def full(path, **kw):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(forecast.manifest, "write_manifest", full)
    res = run_batch(make_config(tmp_path, units=["a"], parameters={"mode": "ok"}),
                    units=UNITS, workers=1, progress=False)
    assert res.summary["ok"] == 1 and res.exit_code == 1
    assert "could not write the manifest" in res.report()


@pytest.mark.slow
def test_the_manifest_is_written_on_every_change_of_state(tmp_path, monkeypatch):
    seen = []
    real = forecast.manifest.write_manifest

    def spy(path, **kw):
        seen.append(tuple(r["status"] for r in kw["runs"]))
        return real(path, **kw)

    monkeypatch.setattr(forecast.manifest, "write_manifest", spy)
    config = make_config(tmp_path, units=["a", "bb"], parameters={"mode": "ok"})
    run_batch(config, units=UNITS, workers=1, progress=False)
    # Planned, a starts, a done, bb starts, bb done, the end: a kill after any
    # of these leaves a manifest that says which runs had finished.
    assert seen == [("pending", "pending"), ("running", "pending"), ("ok", "pending"),
                    ("ok", "running"), ("ok", "ok"), ("ok", "ok")]


def _notebook(path, source):
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell('output_dir = ""', metadata={"tags": ["parameters"]}))
    nb.cells.append(nbformat.v4.new_code_cell(source))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_results_record_the_final_folder_and_carry_no_formula(tmp_path):
    nb = _notebook(tmp_path / "named.ipynb", (
        "from forecast.batch.run import write_results\n"
        "write_results({'output_dir': output_dir, 'records': [\n"
        "    {'name': '=HYPERLINK(\"http://example.invalid\",\"x\")', 'change': -3,\n"
        "     'note': '-1+2', 'printed': '-14,5%'}]}, output_dir)\n"))
    config = config_from_mapping({"notebooks": [str(nb)], "output": str(tmp_path / "out")},
                                 where=str(tmp_path / "c.yaml"), base_dir=tmp_path)
    res = run_batch(config, workers=1, progress=False)
    assert res.exit_code == 0, res.report()
    run_dir = tmp_path / "out" / "named__default"
    assert json.loads((run_dir / "named__default.json").read_text())["output_dir"] == str(run_dir)
    (combined,) = json.loads((tmp_path / "out" / "results.json").read_text())
    assert combined["results"]["output_dir"] == str(run_dir)
    table = pd.read_csv(tmp_path / "out" / "results.csv")
    assert table["output_dir"].tolist() == [str(run_dir)]
    assert table["name"].tolist() == ['\'=HYPERLINK("http://example.invalid","x")']
    assert table["note"].tolist() == ["'-1+2"]
    assert table["printed"].tolist() == ["-14,5%"]  # a number as printed: not guarded
    assert table["change"].tolist() == [-3]  # numbers stay numbers
