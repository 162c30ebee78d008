"""The notebooks: structure, jupytext pairs, parameter checks, runs, golden outputs.

Fast tests read the notebook files and call :mod:`forecast.notebooks.api` in
this process. Tests marked ``slow`` start kernels: every notebook is run
through papermill with small parameters and its JSON results are checked, a
direct papermill run with a bad parameter is refused by the notebook itself,
and nbval reruns the golden notebooks against their stored outputs.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from forecast.notebooks import api
from forecast.errors import NotebookError
from forecast.batch.params import read_parameters

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
GOLDEN = NOTEBOOKS / "golden"
TINY = str(Path(__file__).resolve().parents[1] / "fixtures" / "tiny")
MAIN = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
NAMES = [p.name for p in MAIN]


def code_cells(path: Path) -> list:
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


# --- files ----------------------------------------------------------------------------
def test_the_five_notebooks_exist():
    assert NAMES == ["01_unit_outlook.ipynb", "02_portfolio.ipynb", "03_data_audit.ipynb",
                     "04_backtest.ipynb", "05_term_review.ipynb"]


@pytest.mark.parametrize("path", MAIN + sorted(GOLDEN.glob("*.ipynb")), ids=lambda p: p.name)
def test_kernel_metadata(path):
    meta = nbformat.read(path, as_version=4).metadata
    assert meta["kernelspec"] == {"name": "forecast", "display_name": "Python 3.11 (forecast)",
                                  "language": "python"}
    assert meta["language_info"]["name"] == "python"
    assert str(meta["language_info"]["version"]).startswith("3.11")


@pytest.mark.parametrize("path", MAIN, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    for cell in code_cells(path):
        assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


@pytest.mark.parametrize("path", MAIN, ids=lambda p: p.name)
def test_title_then_parameters_then_checked_start(path):
    """Markdown title first; the parameters cell next; the first code cell after it
    passes every declared parameter, by name, to api.start with the file name."""
    cells = nbformat.read(path, as_version=4).cells
    assert cells[0].cell_type == "markdown" and cells[0].source.startswith("# ")
    assert cells[1].cell_type == "code" and cells[1].metadata.get("tags") == ["parameters"]
    declared = read_parameters(path)  # literals only, or it raises
    assert {"output_dir", "lang", "data"} <= set(declared)
    check = next(c for c in cells[2:] if c.cell_type == "code")
    calls = [n for n in ast.walk(ast.parse(check.source))
             if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "start"]
    assert len(calls) == 1
    assert ast.literal_eval(calls[0].args[0]) == path.name
    assert [k.arg for k in calls[0].keywords] == list(declared)
    assert all(isinstance(k.value, ast.Name) and k.value.id == k.arg for k in calls[0].keywords)


@pytest.mark.parametrize("path", MAIN, ids=lambda p: p.name)
def test_jupytext_pair_in_sync(path):
    import jupytext

    text = path.with_suffix(".py")
    assert text.is_file(), f"{text} missing: run jupytext --sync {path}"
    nb, py = jupytext.read(path), jupytext.read(text)
    assert nb.metadata["jupytext"]["formats"] == "ipynb,py:percent"
    pairs = lambda n: [(c.cell_type, c.source.strip()) for c in n.cells]  # noqa: E731
    assert pairs(nb) == pairs(py), f"{path.name} and {text.name} differ: run jupytext --sync"
    assert py.cells[1].metadata.get("tags") == ["parameters"]


# --- checks in this process ---------------------------------------------------------
OUTLOOK_DEFAULTS = dict(unit_id="tien-giang", term=None, as_of="2022-12-31", model="pooled_nb",
                        scenarios=["last"], n_paths=200, seed=1, lang="vi", data=TINY)


@pytest.mark.parametrize("change, words", [
    ({"unit_id": "tien-giag"}, ["parameter 'unit_id'", "'tien-giag'", "nearest: tien-giang"]),
    ({"model": "pooled"}, ["parameter 'model'", "pooled_nb", "ets", "last_year"]),
    ({"scenarios": ["lst"]}, ["parameter 'scenarios'", "last, mean, trend, full", "nearest: last"]),
    ({"scenarios": "last"}, ["parameter 'scenarios'", "a list of text"]),
    ({"lang": "fr"}, ["parameter 'lang'", "'vi', 'en'"]),
    ({"n_paths": "300"}, ["parameter 'n_paths'", "'300'", "whole number >= 100"]),
    ({"n_paths": 50}, ["parameter 'n_paths'", "whole number >= 100"]),
    ({"seed": True}, ["parameter 'seed'", "whole number"]),
    ({"as_of": "31/13/2022"}, ["parameter 'as_of'", "a real calendar date",
                               "31/12/2022"]),
    ({"as_of": "end of 2022"}, ["parameter 'as_of'", "YYYY-MM-DD, DD/MM/YYYY"]),
    ({"as_of": 2022}, ["parameter 'as_of'", "text or None"]),
    ({"term": "2021-2026"}, ["parameter 'term'", "2020-2025", "or None"]),
])
def test_start_refuses_bad_values_naming_notebook_parameter_and_choices(tmp_path, change, words):
    params = {**OUTLOOK_DEFAULTS, "output_dir": str(tmp_path), **change}
    with pytest.raises(NotebookError) as err:
        api.start("01_unit_outlook.ipynb", **params)
    msg = str(err.value)
    assert msg.startswith("01_unit_outlook.ipynb: ")
    for w in words:
        assert w in msg, msg
    assert "Fix:" in msg


@pytest.mark.parametrize("as_of", ["2022-12-31", "31/12/2022", "2022-12", "2022"])
def test_as_of_reads_the_formats_the_command_line_reads(tmp_path, as_of):
    """The same parser as --as-of (forecast.data.numbers.parse_date, end of a partial date)."""
    ctx = api.start("01_unit_outlook.ipynb", **{**OUTLOOK_DEFAULTS, "as_of": as_of},
                    output_dir=str(tmp_path))
    assert str(ctx.as_of.date()) == "2022-12-31"


def test_scenarios_in_counts_and_from_a_file(tmp_path):
    plan = tmp_path / "plan.csv"
    plan.write_text("unit_id,scenario,year,count\ntien-giang,plan,2023,1400\n", encoding="utf-8")
    params = {**OUTLOOK_DEFAULTS, "output_dir": str(tmp_path),
              "scenarios": ["last", "1200/năm", str(plan)]}
    ctx = api.start("01_unit_outlook.ipynb", **params)
    assert [s.name for s in ctx.scenarios] == ["last", "count:1200", "plan"]
    plan.write_text("unit_id,scenario,year,count\ntien-giag,plan,2023,1400\n", encoding="utf-8")
    with pytest.raises(NotebookError, match="parameter 'scenarios'.*unknown unit 'tien-giag'"):
        api.start("01_unit_outlook.ipynb", **params)


def test_start_loads_data_and_finish_writes_results(tmp_path):
    ctx = api.start("01_unit_outlook.ipynb", **OUTLOOK_DEFAULTS,
                             output_dir=str(tmp_path / "run-1"))
    assert set(ctx.dataset.units["unit_id"]) == {"tien-giang", "tan-phuoc", "go-cong-dong",
                                                 "dak-lak", "krong-bong", "cu-pui"}
    assert (ctx.assumptions.n_paths, ctx.assumptions.seed) == (200, 1)
    assert str(ctx.as_of.date()) == "2022-12-31"
    ctx.figures["x"] = {"png": str(tmp_path / "run-1" / "figures" / "x.png")}
    written = api.finish(ctx, {"unit_id": "tien-giang", "records": []})
    assert written == tmp_path / "run-1" / "run-1.json"  # the batch names it after the folder
    got = json.loads(written.read_text(encoding="utf-8"))
    assert got["notebook"] == "01_unit_outlook.ipynb"
    assert got["parameters"]["unit_id"] == "tien-giang"
    assert got["figures"] == {"x": {"png": "figures/x.png"}}  # relative to the run folder


def test_empty_output_dir_means_reports_notebooks(tmp_path, monkeypatch):
    monkeypatch.setattr(api._paths, "REPORTS_DIR", tmp_path)
    ctx = api.start("03_data_audit.ipynb", unit_ids=[], tolerance=0.01, rule="either",
                             profile_unit="krong-bong", lang="en", output_dir="", data=TINY)
    assert ctx.output_dir == tmp_path / "notebooks" / "03_data_audit"


class _Shell:
    def __init__(self, history):
        self.user_ns = {"In": ["", *history]}


def test_names_papermill_injected_but_not_declared_are_refused(monkeypatch):
    params_cell = 'unit_id = "tien-giang"\nn_paths = 10000\noutput_dir = ""'
    injected = '# Parameters\nn_path = 500\noutput_dir = "/tmp/x"\n'
    shell = _Shell([params_cell, injected, "ctx = start(...)"])
    monkeypatch.setattr("IPython.get_ipython", lambda: shell)
    with pytest.raises(NotebookError) as err:
        api.check_injected("01_unit_outlook.ipynb",
                                    {"unit_id": "x", "n_paths": 500, "output_dir": "/tmp/x"})
    msg = str(err.value)
    assert msg.startswith("01_unit_outlook.ipynb: unknown parameter 'n_path'")
    assert "did you mean 'n_paths'" in msg and "n_paths (default 10000)" in msg
    # Declared names pass; no injected cell (JupyterLab) passes.
    api.check_injected("01_unit_outlook.ipynb",
                                {"unit_id": "x", "n_path": 1, "n_paths": 1, "output_dir": ""})
    monkeypatch.setattr("IPython.get_ipython", lambda: _Shell([params_cell, "x = 1"]))
    api.check_injected("01_unit_outlook.ipynb", {"unit_id": "x"})


@pytest.mark.parametrize("params, words", [
    ({"n_path": 300}, ["unknown parameter 'n_path'", "did you mean 'n_paths'", "Valid parameters:",
                       "unit_id (default 'tien-giang')"]),
    ({"n_paths": "300"}, ["parameter 'n_paths'", "'300'", "a whole number like the default"]),
])
def test_run_notebook_checks_before_starting_a_kernel(tmp_path, params, words):
    with pytest.raises(NotebookError) as err:
        api.run_notebook(NOTEBOOKS / "01_unit_outlook.ipynb", params,
                                  output_dir=tmp_path, kernel="no-such-kernel")
    msg = str(err.value)
    assert "01_unit_outlook.ipynb" in msg
    for w in words:
        assert w in msg, msg
    assert not list(tmp_path.iterdir())  # nothing ran


# --- kernels ----------------------------------------------------------------------------
def run(name: str, tmp_path: Path, **params) -> dict:
    r = api.run_notebook(NOTEBOOKS / name, params, output_dir=tmp_path / "run")
    assert r.notebook == tmp_path / "run" / "run.ipynb" and r.notebook.is_file()
    assert r.results_file == tmp_path / "run" / "run.json"
    assert r.results["notebook"] == name
    assert r.results["parameters"] == {**read_parameters(NOTEBOOKS / name), **params,
                                       "output_dir": str(tmp_path / "run")}
    for files in r.results["figures"].values():
        assert {"png", "svg", "pdf", "alt"} <= set(files)
        assert all((tmp_path / "run" / f).is_file() for f in files.values())
    return r.results


@pytest.mark.slow
def test_unit_outlook_runs(tmp_path):
    res = run("01_unit_outlook.ipynb", tmp_path, unit_id="tien-giang", n_paths=300,
              scenarios=["full"], lang="en")
    assert res["unit_id"] == "tien-giang"
    assert 0 <= res["p_reach"] <= 1
    assert {r["unit_id"] for r in res["records"]} == {"tien-giang"}
    assert {r["scenario"] for r in res["records"]} == {"model", "full", "full-deterministic"}
    assert {r["scenario"] for r in res["scenario_table"]} == {"model", "full", "full-deterministic"}
    assert all(0 <= r["p_reach"] <= 1 for r in res["records"])
    term = next(r for r in res["records"] if r["term"] == "2020-2025" and r["scenario"] == "model")
    assert (term["target"], term["cumulative"]) == (6500, 1252 + 1278 + 1348)
    assert {"progress", "pipeline", "yearly"} <= set(res["figures"])


@pytest.mark.slow
def test_term_review_runs(tmp_path):
    res = run("05_term_review.ipynb", tmp_path, term="2015-2020", as_of_dates=["2019-12-31"],
              n_paths=200, lang="en")
    tg = next(r for r in res["records"] if r["unit_id"] == "tien-giang")
    # 8.793 admitted against 6.500: 8793 / 6500 = 1.3528
    assert (tg["result"], tg["target"]) == (8793, 6500)
    assert abs(tg["attainment"] - 1.3528) < 1e-4
    assert tg["as_of"].startswith("2019-12-31")


@pytest.mark.slow
def test_unit_outlook_of_a_unit_without_targets_still_writes_results(tmp_path):
    res = run("01_unit_outlook.ipynb", tmp_path, unit_id="tan-phuoc", n_paths=200, data=TINY)
    assert res["unit_id"] == "tan-phuoc" and res["records"] == [] and res["p_reach"] is None


@pytest.mark.slow
def test_portfolio_runs(tmp_path):
    res = run("02_portfolio.ipynb", tmp_path, parent_id="dak-lak", n_paths=200, data=TINY)
    # The tiny data has one term target (Tiền Giang's) and two annual targets.
    assert [r["unit_id"] for r in res["ranking"]] == ["tien-giang"]
    assert res["n_units"] == 1
    assert {r["unit_id"] for r in res["records"]} == {"tien-giang", "krong-bong", "cu-pui"}
    assert all(0 <= r["p_reach"] <= 1 for r in res["records"] if r["p_reach"] is not None)
    assert "portfolio" in res["figures"]


@pytest.mark.slow
def test_data_audit_runs(tmp_path):
    res = run("03_data_audit.ipynb", tmp_path, unit_ids=["tien-giang"], lang="en")
    assert {r["unit_id"] for r in res["records"]} == {"tien-giang"}
    assert res["n_findings"] == len(res["records"])
    implied = {r["period"]: r["implied"] for r in res["records"] if r["kind"] == "implied_target"}
    assert implied["2021"] == pytest.approx(1278 / 0.852)  # = 1500.0 by hand
    assert implied["2020"] == pytest.approx(1252 / 0.835)  # = 1499.4
    assert len(res["profile"]["shares"]) == 12 and res["profile"]["shares"][-1] == pytest.approx(1)
    assert "profile" in res["figures"]  # Krông Bông's part-year figures


@pytest.mark.slow
def test_backtest_runs(tmp_path):
    res = run("04_backtest.ipynb", tmp_path, synthetic_units=4, n_boot=20, data=TINY)
    scores = res["records"]
    assert {(s["dataset"], s["model"]) for s in scores if s["subset"] == "all"} >= {
        ("public", "pooled_nb"), ("synthetic", "pooled_nb")}
    assert all(0 <= s["brier"] <= 1 for s in scores if s["brier"] is not None)


@pytest.mark.slow
@pytest.mark.parametrize("params, words", [
    ({"n_path": 300}, ["unknown parameter 'n_path'", "did you mean 'n_paths'",
                       "Valid parameters: unit_id (default 'tien-giang')"]),
    ({"unit_id": "krong-bon"}, ["parameter 'unit_id'", "nearest: krong-bong"]),
])
def test_direct_papermill_run_is_refused_by_the_notebook(tmp_path, params, words):
    """Without run_notebook's check, the notebook's own first code cell refuses."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from forecast.batch.run import default_kernel

    out = tmp_path / "out.ipynb"
    with pytest.raises(PapermillExecutionError) as err:
        pm.execute_notebook(str(NOTEBOOKS / "01_unit_outlook.ipynb"), str(out),
                            parameters={**params, "data": TINY, "output_dir": str(tmp_path)},
                            kernel_name=default_kernel(), cwd=str(NOTEBOOKS),
                            progress_bar=False)
    assert err.value.ename == "NotebookError"
    assert err.value.evalue.startswith("01_unit_outlook.ipynb: ")
    for w in words:
        assert w in err.value.evalue, err.value.evalue
    # It stopped at the check: nothing after it ran, no results were written.
    assert not list(tmp_path.glob("*.json"))
    executed = nbformat.read(out, as_version=4)
    ran = [c for c in executed.cells if c.cell_type == "code" and c.execution_count]
    assert "api.start(" in ran[-1].source


@pytest.mark.slow
def test_golden_notebooks_match_their_stored_outputs():
    from forecast.batch.run import default_kernel

    assert len(list(GOLDEN.glob("*.ipynb"))) >= 2
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", str(GOLDEN), "-p", "no:cacheprovider",
         "--nbval-kernel-name", default_kernel(), "-q"],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout and "failed" not in proc.stdout


# --- the dropdowns -------------------------------------------------------------------
def test_explorer_redraws_every_section_with_the_new_choice(tmp_path):
    """Outside a kernel there are no widgets, but choose() is what a dropdown calls."""
    from forecast.notebooks import views, widgets

    ctx = api.start("01_unit_outlook.ipynb", **{**OUTLOOK_DEFAULTS, "scenarios": []},
                    output_dir=str(tmp_path))
    ui = widgets.Explorer(ctx)
    assert not ui.live and ui.box is None  # papermill, batch and plain Python: no widgets
    seen = []
    ui.section(views.unit_outlook)
    ui.section(lambda c: seen.append((c.parameters["unit_id"], c.lang, len(c.state["table"]))))
    # The model's forecast of the term target (6.500), and of the annual targets
    # the engine assumes for the year after the as-of date and the next (2023,
    # 2024: inside the 2020-2025 term, not printed; 1.278 at 85,2 % implies
    # 1.500). Three rows; before hier_nb merged, the outlook had only the term row.
    assert seen == [("tien-giang", "vi", 3)]
    ui.choose(unit_id="cu-pui", as_of=None, lang="en", scenarios=("full",))
    # Cư Pui (every figure): one annual target, the model row, full and full-deterministic.
    assert seen[-1] == ("cu-pui", "en", 3)
    assert [s.name for s in ctx.scenarios] == ["full"]
    with pytest.raises(NotebookError, match="parameter 'model'"):
        ui.choose(model="etz")
    assert ctx.parameters["model"] == "pooled_nb" and len(seen) == 2


def test_explorer_dropdowns_call_choose(tmp_path, monkeypatch):
    """With widgets (forced on here), changing a dropdown sets the parameter and redraws."""
    from forecast.notebooks import views, widgets

    monkeypatch.setattr(widgets, "interactive", lambda: True)
    ctx = api.start("01_unit_outlook.ipynb", **{**OUTLOOK_DEFAULTS, "scenarios": [],
                                               "as_of": None}, output_dir=str(tmp_path))
    ui = widgets.Explorer(ctx)
    assert set(ui.dropdowns) == {"unit_id", "as_of", "model", "scenarios", "lang"}
    assert ("Đảng bộ xã Cư Pui (cu-pui)", "cu-pui") in ui.dropdowns["unit_id"].options
    assert ("31/12/2022", "2022-12-31") in ui.dropdowns["as_of"].options
    ui.section(views.unit_outlook)
    ui.dropdowns["unit_id"].value = "krong-bong"
    assert ui.status.value == "" and ctx.parameters["unit_id"] == "krong-bong"
    assert set(ctx.state["table"]["unit_id"]) == {"krong-bong"}
    ui.dropdowns["lang"].value = "en"
    assert ctx.lang == "en"


def test_compare_from_a_notebook_writes_the_paper_tables(tmp_path):
    ctx = api.start("01_unit_outlook.ipynb", **{**OUTLOOK_DEFAULTS, "lang": "en"},
                    output_dir=str(tmp_path))
    shown = api.compare(ctx, scenarios=["full", "1200/yr"], units=["tien-giang"],
                        files=["compare.tex", "compare.xlsx"])
    assert list(shown.columns) == ["Unit", "Target", "Model", "100\u00a0% of target", "1,200/yr"]
    assert shown.iloc[0, 1] == "Term target 2020–2025: 6,500"
    tex = (tmp_path / "compare.tex").read_text(encoding="utf-8")
    assert r"\toprule" in tex and r"\bottomrule" in tex and "1,200/yr" in tex
    assert (tmp_path / "compare.xlsx").is_file()
