"""``forecast batch`` on the command line: exit statuses and messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from forecast.cli import main

NB_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_config_key_exit_2(tmp_path, capsys):
    cfg = write(tmp_path / "c.yaml", f"notebooks: [{NB_DIR / 'portfolio.ipynb'}]\nworker: 2\n")
    assert main(["batch", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"forecast batch: error: {cfg}: unknown key 'worker' (did you mean 'workers'?)")
    assert "Traceback" not in err


def test_unknown_parameter_exit_2_before_running(tmp_path, capsys):
    cfg = write(tmp_path / "c.yaml", f"notebooks: [{NB_DIR / 'portfolio.ipynb'}]\n"
                f"output: {tmp_path / 'out'}\nparameters: {{lable: x}}\n")
    assert main(["batch", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "portfolio.ipynb" in err and "unknown parameter 'lable' (did you mean 'label'?)" in err
    assert "Valid parameters: label (default 'all'), output_dir (default '')" in err
    assert not (tmp_path / "out").exists()


def test_bad_workers_option(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["batch", "x.yaml", "--workers", "0"])
    assert exc.value.code == 2
    assert "expected a whole number of at least 1" in capsys.readouterr().err


def test_dask_needs_scheduler(tmp_path, capsys):
    cfg = write(tmp_path / "c.yaml", f"notebooks: [{NB_DIR / 'portfolio.ipynb'}]\n")
    assert main(["batch", str(cfg), "--executor", "dask"]) == 2
    assert "needs a scheduler" in capsys.readouterr().err


@pytest.mark.slow
def test_run_skip_and_force(tmp_path, capsys):
    cfg = write(tmp_path / "c.yaml", f"notebooks: [{NB_DIR / 'portfolio.ipynb'}]\n"
                "scenarios: [{name: two, label: second}]\n")
    out = tmp_path / "out"
    assert main(["batch", str(cfg), "--out", str(out), "--workers", "2", "--no-progress"]) == 0
    assert "1 run: 1 ran, 0 up to date (skipped), 0 failed" in capsys.readouterr().out
    assert json.loads((out / "portfolio__two" / "portfolio__two.json").read_text()) == {
        "label": "second", "n": 3}
    assert main(["batch", str(cfg), "--out", str(out), "--no-progress"]) == 0
    assert "1 run: 0 ran, 1 up to date (skipped), 0 failed" in capsys.readouterr().out
    assert main(["batch", str(cfg), "--out", str(out), "--no-progress", "--force",
                 "--workers", "1"]) == 0
    assert "1 run: 1 ran, 0 up to date (skipped), 0 failed" in capsys.readouterr().out



def test_dry_run_lists_runs(tmp_path, capsys):
    cfg = write(tmp_path / "c.yaml", f"notebooks: [{NB_DIR / 'portfolio.ipynb'}]\n"
                f"output: {tmp_path / 'out'}\nscenarios: [{{name: a, label: x}}, {{name: b}}]\n")
    assert main(["batch", str(cfg), "--dry-run"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        'portfolio__a\t{"label": "x"}', "portfolio__b\t{}", "2 runs; nothing was run (--dry-run)"]
    assert not (tmp_path / "out").exists()
