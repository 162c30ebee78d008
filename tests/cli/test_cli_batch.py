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
        'portfolio__a\t{"label": "x"}', "portfolio__b\t{}",
        "2 runs; every parameter name and value checked; nothing was run (--dry-run)"]
    assert not (tmp_path / "out").exists()


NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"


@pytest.mark.parametrize("params, words", [
    ("{model: etz}", ["run 01_unit_outlook__cu-pui__bad", "parameter 'model'", "'etz'",
                      "ets, hier_nb, last_year, local_level, mean_attainment, pooled_nb", "nearest: ets"]),
    ("{as_of: 31/13/2022}", ["parameter 'as_of'", "'31/13/2022'", "31/12/2022"]),
    ("{scenarios: [lst]}", ["parameter 'scenarios'", "nearest: last"]),
    ("{term: 2021-2026}", ["parameter 'term'", "2020-2025"]),
    ("{lang: fr}", ["parameter 'lang'", "'vi', 'en'"]),
])
def test_dry_run_checks_parameter_values_before_any_run(tmp_path, capsys, params, words):
    """A value the notebook would refuse fails the dry run (exit 2), naming the run."""
    cfg = write(tmp_path / "c.yaml", f"notebooks: [{NOTEBOOKS / '01_unit_outlook.ipynb'}]\n"
                f"units: [cu-pui]\ndata: {TINY}\noutput: {tmp_path / 'out'}\n"
                f"scenarios: [{{name: bad, {params[1:-1]}}}]\n")
    assert main(["batch", str(cfg), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("forecast batch: error: 01_unit_outlook.ipynb (batch config ")
    for w in words:
        assert w in err, err
    assert "Fix:" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_dry_run_checks_unit_ids_and_accepts_day_month_year(tmp_path, capsys):
    cfg = write(tmp_path / "c.yaml", f"notebooks: [{NOTEBOOKS / '02_portfolio.ipynb'}]\n"
                f"data: {TINY}\nparameters: {{parent_id: dak-lac, as_of: 31/12/2022}}\n")
    assert main(["batch", str(cfg), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "run 02_portfolio__default" in err and "parameter 'parent_id'" in err
    assert "nearest: dak-lak" in err
    write(cfg, f"notebooks: [{NOTEBOOKS / '02_portfolio.ipynb'}]\n"
          f"data: {TINY}\nparameters: {{parent_id: dak-lak, as_of: 31/12/2022}}\n")
    assert main(["batch", str(cfg), "--dry-run"]) == 0
    assert "1 run; every parameter name and value checked" in capsys.readouterr().out
