"""Batch configs: keys, unit selection, scenarios, run planning and parameter checks."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from forecast import paths
from forecast.batch.config import (CONFIG_KEYS, config_from_mapping, load_config, plan_runs,
                                   resolve_units, slug)
from forecast.errors import ConfigError, NotebookError
from forecast.notebooks.run import units_table

NB_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"
PROBE = str(NB_DIR / "probe.ipynb")
PORTFOLIO = str(NB_DIR / "portfolio.ipynb")

# A tiny hierarchy written by hand: a province with two districts, one of which has a commune.
UNITS = pd.DataFrame({
    "unit_id": ["dak-lak", "krong-bong", "cu-pui", "buon-don", "tien-giang"],
    "level": ["province", "district", "commune", "district", "province"],
    "parent_id": [None, "dak-lak", "krong-bong", "dak-lak", None],
})


def cfg(**kw):
    return config_from_mapping({"notebooks": [PROBE], **kw}, where="test.yaml", base_dir=NB_DIR)


def test_unknown_key_names_file_key_and_valid_keys(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("notebooks: [a.ipynb]\nunit: all\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(f)
    msg = str(err.value)
    assert msg.startswith(f"{f}: unknown key 'unit' (did you mean 'units'?)")
    assert "valid keys are " + ", ".join(CONFIG_KEYS) in msg


def test_bad_values(tmp_path):
    with pytest.raises(ConfigError, match="key 'timeout': found -5; expected a positive number"):
        cfg(timeout=-5)
    with pytest.raises(ConfigError, match="key 'notebooks' is missing or empty"):
        config_from_mapping({"units": "all"}, where="x.yaml")
    with pytest.raises(ConfigError, match="sets unit_id, which the batch sets"):
        cfg(parameters={"unit_id": "a"})
    f = tmp_path / "y.yaml"
    f.write_text("notebooks: [a\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(f)


def test_paths_relative_to_config_file(tmp_path):
    f = tmp_path / "sub" / "c.yaml"
    f.parent.mkdir()
    f.write_text("notebooks: [../nb/x.ipynb]\noutput: ../out\n", encoding="utf-8")
    c = load_config(f)
    assert c.notebooks[0].path == tmp_path / "nb" / "x.ipynb"
    assert c.output == tmp_path / "out"
    assert c.timeout == 600.0 and c.cell_timeout == 600.0
    assert c.scenarios == ({"name": "default"},)


def test_default_output_under_reports():
    c = config_from_mapping({"notebooks": ["a.ipynb"]}, where="configs/My Run.yaml")
    assert c.output == paths.REPORTS_DIR / "batch" / "my-run"


@pytest.mark.parametrize("spec, expected", [
    ("all", ["dak-lak", "krong-bong", "cu-pui", "buon-don", "tien-giang"]),
    (["tien-giang", "cu-pui", "tien-giang"], ["tien-giang", "cu-pui"]),
    ({"level": "province"}, ["dak-lak", "tien-giang"]),
    ({"level": ["district", "commune"]}, ["krong-bong", "cu-pui", "buon-don"]),
    # "parent" alone: every unit below it at any depth; with_children adds the parent itself.
    ({"parent": "dak-lak"}, ["krong-bong", "cu-pui", "buon-don"]),
    ({"parent": "krong-bong", "with_children": True}, ["krong-bong", "cu-pui"]),
    (["tien-giang", {"parent": "krong-bong"}], ["tien-giang", "cu-pui"]),
])
def test_resolve_units(spec, expected):
    assert resolve_units(spec, UNITS, "t.yaml") == expected


def test_resolve_units_errors():
    with pytest.raises(ConfigError, match=r"t\.yaml: units: unknown unit id 'krong-bon' \(nearest: krong-bong"):
        resolve_units(["krong-bon"], UNITS, "t.yaml")
    with pytest.raises(ConfigError, match="unknown level region; levels in the data: commune, district, province"):
        resolve_units({"level": "region"}, UNITS, "t.yaml")
    with pytest.raises(ConfigError, match="expected 'all', a unit id"):
        resolve_units([{"province": "x"}], UNITS, "t.yaml")


def test_slug():
    assert slug("Krông Bông") == "krong-bong"
    assert slug("Đắk Lắk / 2024") == "dak-lak-2024"
    assert slug("01_unit_outlook") == "01_unit_outlook"


def test_scenarios_named_and_checked():
    c = cfg(scenarios=[{"name": "Full Year", "mode": "ok"}, {"mode": "sleep", "seconds": 1}])
    assert c.scenarios == ({"name": "full-year", "mode": "ok"},
                           {"name": "mode-sleep-seconds-1", "mode": "sleep", "seconds": 1})
    with pytest.raises(ConfigError, match="scenario names repeat: a"):
        cfg(scenarios=[{"name": "a"}, {"name": "a"}])


def test_plan_checks_every_notebook():
    c = config_from_mapping({
        "notebooks": [PROBE, {"path": PORTFOLIO, "parameters": {"label": "x"}}],
        "units": {"level": "province"},
        "parameters": {"factor": 3},
        "scenarios": [{"name": "a", "mode": "ok"}, {"name": "b", "mode": "sleep", "seconds": 1}],
    }, where="t.yaml", base_dir=NB_DIR)
    with pytest.raises(NotebookError, match=r"portfolio\.ipynb .*scenario 'a': unknown parameter 'factor'"):
        plan_runs(c, UNITS)


def test_plan_runs_ids_and_once_per_scenario_without_unit_id():
    c = config_from_mapping({
        "notebooks": [PROBE, {"path": PORTFOLIO, "parameters": {"label": "x"}}],
        "units": {"level": "province"},
        "scenarios": [{"name": "a"}, {"name": "b"}],
    }, where="t.yaml", base_dir=NB_DIR)
    runs = plan_runs(c, UNITS)
    # probe: 2 provinces x 2 scenarios; portfolio has no unit_id: once per scenario.
    assert [r.run_id for r in runs] == [
        "probe__dak-lak__a", "probe__tien-giang__a", "probe__dak-lak__b", "probe__tien-giang__b",
        "portfolio__a", "portfolio__b"]
    assert runs[0].parameters == {"unit_id": "dak-lak"}
    assert runs[-1].parameters == {"label": "x"} and runs[-1].unit_id is None


def test_plan_refuses_wrong_type_before_running():
    c = cfg(units=["tien-giang"], parameters={"seconds": "long"})
    with pytest.raises(NotebookError) as err:
        plan_runs(c, UNITS)
    msg = str(err.value)
    assert "probe.ipynb (batch config test.yaml), scenario 'default'" in msg
    assert "parameter 'seconds': found 'long' (str); expected a number like the default 0.0" in msg
    assert "Valid parameters: unit_id (default 'u1'), mode (default 'ok')" in msg


def test_plan_requires_output_dir(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]})]
    nbformat.write(nb, tmp_path / "n.ipynb")
    c = config_from_mapping({"notebooks": ["n.ipynb"]}, where="t.yaml", base_dir=tmp_path)
    with pytest.raises(NotebookError, match="the parameters cell has no 'output_dir'"):
        plan_runs(c, UNITS)


def test_data_passed_only_to_notebooks_that_declare_it(tmp_path):
    c = config_from_mapping({"notebooks": [PROBE], "units": ["cu-pui"], "data": ["d1"]},
                            where="t.yaml", base_dir=tmp_path)
    assert c.data == (tmp_path / "d1",)
    assert "data" not in plan_runs(c, UNITS)[0].parameters


@pytest.mark.parametrize("name", sorted(p.name for p in paths.BATCH_CONFIGS_DIR.glob("*.yaml")))
def test_example_configs_load(name):
    c = load_config(paths.BATCH_CONFIGS_DIR / name)
    assert c.notebooks and all(n.path.suffix == ".ipynb" for n in c.notebooks)
    existing = [n for n in c.notebooks if n.path.exists()]
    if existing:
        # Once the notebooks exist, their parameters must accept the config's.
        plan_runs(dataclasses.replace(c, notebooks=tuple(existing)), units_table)


def test_with_progress_selects_units_with_a_target_and_a_count():

    table = units_table([Path(__file__).resolve().parents[1] / "fixtures" / "tiny"])
    # Tiny fixture: Tiền Giang, Krông Bông and Cư Pui have targets and counts.
    assert resolve_units({"with_progress": True}, table, "cfg.yaml") == [
        "tien-giang", "krong-bong", "cu-pui"]
    assert resolve_units({"with_progress": False}, table, "cfg.yaml") == [
        "tan-phuoc", "go-cong-dong", "dak-lak"]
    with pytest.raises(ConfigError, match="needs the dataset's targets"):
        resolve_units({"with_progress": True}, UNITS, "cfg.yaml")
