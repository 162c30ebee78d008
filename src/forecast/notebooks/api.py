"""What the notebooks call: check parameters, load the data, save figures, write results.

A notebook of this project (``notebooks/0*.ipynb``) is thin. Its cells are

1. a markdown title;
2. one code cell tagged ``parameters`` holding literals only;
3. ``ctx = start("<notebook>.ipynb", unit_id=unit_id, ...)``, which checks
   every parameter *before anything runs* and loads the dataset;
4. calls into ``forecast.*``; figures go through :meth:`Context.figure`
   (shown inline and saved as PNG, SVG and PDF in ``output_dir``);
5. ``finish(ctx, results)``, which writes the JSON results beside the
   executed notebook for the batch (:func:`forecast.batch.results.write_results`).

Unknown parameter names. The notebook passes its parameters to :func:`start`
by name, so a name papermill injects that the notebook does not declare would
go unnoticed. :func:`start` therefore reads the cell papermill injected (it is
in the kernel's input history, ``In``, and starts with ``# Parameters``) and
refuses names it did not receive. The batch
(:func:`forecast.batch.config.plan_runs`) and :func:`run_notebook` check the
same before any kernel starts, from the notebook file
(:func:`forecast.batch.params.validate_notebook_parameters`).
"""

from __future__ import annotations

import datetime as _dt
import difflib
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forecast import paths as _paths
from forecast.errors import ConfigError, ForecastError, NotebookError
from forecast.batch.params import check_parameters, parse_parameters

INJECTED_MARKER = "# Parameters\n"
"""First line of the cell papermill injects (papermill's default comment)."""


@dataclass
class Context:
    """Everything a notebook run needs after its parameters were checked.

    Attributes
    ----------
    notebook : str
        The notebook's file name, for messages.
    parameters : dict
        The checked parameters (``as_of`` as given: a date string or None).
    dataset : forecast.data.dataset.Dataset
    assumptions : forecast.config.Assumptions
        Defaults with ``n_paths`` and ``seed`` from the parameters (when declared).
    output_dir : Path
        Where figures and the results file go (created).
    figures : dict
        Figure name → {"png": path, "svg": path, "pdf": path, "alt": path}.
    scenarios : list of forecast.simulate.scenarios.Scenario
        The ``scenarios`` parameter read and checked: pass these to the outlook
        (a scenario file such as ``"plan.csv"`` becomes one scenario per name in it).
    state : dict
        What one section of a notebook computes for the next ones (the outlook
        of :mod:`forecast.notebooks.views`); emptied when a dropdown changes.
    """

    notebook: str
    parameters: dict[str, Any]
    dataset: Any
    assumptions: Any
    output_dir: Path
    figures: dict[str, dict[str, str]] = field(default_factory=dict)
    scenarios: list = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def lang(self) -> str:
        return self.parameters.get("lang", "vi")

    @property
    def as_of(self):
        """The as-of date as a Timestamp, or None for every figure.

        Read like ``--as-of`` on the command line
        (:func:`forecast.data.numbers.parse_date`, the end of a partial date):
        ``"2022-12-31"``, ``"31/12/2022"``, ``"2022-12"`` and ``"2022"`` all
        mean 31 December 2022.
        """
        from forecast.data.numbers import parse_date

        value = self.parameters.get("as_of")
        return None if value is None else parse_date(value, end=True)

    def unit_name(self, unit_id: str) -> str:
        return self.dataset.unit_name(unit_id, self.lang)

    def source_line(self, unit_ids: str | Sequence[str] | None = None) -> str:
        """The chart source line for these units' targets and figures (all units if None)."""
        from forecast.brief.units import unit_source_ids

        ids = [unit_ids] if isinstance(unit_ids, str) else unit_ids
        if ids is None:
            ids = self.dataset.units["unit_id"].tolist()
        sources = [s for u in ids for s in unit_source_ids(self.dataset, u, self.as_of)]
        if not sources:
            sources = self.dataset.sources["source_id"].tolist()
        return self.dataset.source_line(sources, self.lang)

    def figure(self, name: str, chart_function: Callable[..., Any], *args: Any, **kwargs: Any):
        """Draw a chart, save it to ``output_dir/figures/<name>.*`` and show it.

        When the data cannot make this chart (a unit without yearly figures,
        say), the reason is printed and the run goes on: one missing chart
        must not stop a batch of many units.

        Returns
        -------
        forecast.figures.Chart or None
        """
        import matplotlib.pyplot as plt

        from forecast.figures.export import save_figure

        try:
            chart = chart_function(*args, **kwargs)
        except ForecastError as exc:
            print(f"No '{name}' chart: {exc}")
            return None
        written = save_figure(chart.figure, self.output_dir / "figures" / name, chart.alt_text)
        self.figures[name] = {k: str(v) for k, v in written.items()}
        _display(chart.figure)
        plt.close(chart.figure)
        return chart

    def _repr_markdown_(self) -> str:
        from forecast.notebooks.show import words

        rows = "\n".join(f"| `{k}` | `{v!r}` |" for k, v in self.parameters.items())
        head = words("checked", self.lang, notebook=self.notebook, units=len(self.dataset.units),
                     targets=len(self.dataset.targets),
                     figures=len(self.dataset.observations), out=self.output_dir)
        return f"{head}\n\n| parameter | value |\n|---|---|\n{rows}"


def _display(fig) -> None:
    try:
        from IPython.display import display
    except ImportError:  # outside IPython there is nothing to show
        return
    display(fig)


# --- checking parameters --------------------------------------------------------
def _fail(notebook: str, name: str, value: Any, expected: str, fix: str) -> NotebookError:
    return NotebookError(f"{notebook}: parameter '{name}': found {value!r}; expected {expected}. "
                         f"Fix: {fix}")


def _nearest(value: Any, choices: Sequence[str], n: int = 3) -> str:
    from forecast.data.dataset import nearest

    near = nearest(value, choices, n)
    return f" (nearest: {', '.join(near)})" if near else ""


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _check_types(notebook: str, p: Mapping[str, Any]) -> None:
    """Types and choices that do not need the data."""
    from forecast.labels import LANGS

    def need(ok: bool, name: str, expected: str, fix: str) -> None:
        if not ok:
            raise _fail(notebook, name, p[name], expected, fix)

    texts = ("unit_id", "parent_id", "output_dir", "model", "rule", "profile_unit")
    for name in (n for n in texts if n in p):
        need(isinstance(p[name], str), name, "text", f'write it in quotes, e.g. {name} = "..."')
    for name in (n for n in ("term", "as_of") if n in p):
        need(p[name] is None or isinstance(p[name], str), name, "text or None",
             f'write e.g. {name} = "2022-12-31" in quotes, or None')
    if isinstance(p.get("as_of"), str):
        from forecast.data.numbers import ParseError, parse_date

        try:
            parse_date(p["as_of"], end=True)
        except ParseError as exc:
            need(False, "as_of", f"{exc} (e.g. 2022-12-31 or 31/12/2022), or None for "
                 "every figure", 'write e.g. as_of = "2022-12-31"')
    for name, low in (("n_paths", 100), ("seed", 0), ("synthetic_units", 0), ("n_boot", 10)):
        if name in p:
            need(_is_int(p[name]) and p[name] >= low, name, f"a whole number >= {low}",
                 f"write e.g. {name} = {max(low, 200)}")
    if "lang" in p:
        need(p["lang"] in LANGS, "lang", f"one of {', '.join(map(repr, LANGS))}",
             'write lang = "vi" or lang = "en"')
    if "tolerance" in p:
        t = p["tolerance"]
        need(isinstance(t, (int, float)) and not isinstance(t, bool) and 0 <= t < 1,
             "tolerance", "a share in [0, 1) such as 0.01", "write 1 % as 0.01")
    if "rule" in p:
        rules = ("either", "round", "truncate")
        need(p["rule"] in rules, "rule", f"one of {', '.join(map(repr, rules))}"
             + _nearest(p["rule"], rules), 'write rule = "either"')
    for name in (n for n in ("scenarios", "models", "unit_ids") if n in p):
        v = p[name]
        need(isinstance(v, (list, tuple)) and all(isinstance(x, str) for x in v), name,
             "a list of text", f'write e.g. {name} = ["..."] (or [] for none)')
    if "data" in p:
        v = p["data"]
        ok = v is None or isinstance(v, str) or (
            isinstance(v, (list, tuple)) and all(isinstance(x, str) for x in v))
        need(ok, "data", "None (the shipped data), a path or a list of paths",
             'write data = None or data = "path/to/folder"')


def _check_models(notebook: str, p: Mapping[str, Any]) -> None:
    from forecast.models.base import MODELS
    from forecast.outlook.table import check_model_names

    for name in (n for n in ("model", "models") if n in p):
        given = [p[name]] if isinstance(p[name], str) else list(p[name])
        for m in given:
            try:
                check_model_names([m])
            except ConfigError:
                raise _fail(notebook, name, p[name], f"a model of {', '.join(sorted(MODELS))}"
                            + _nearest(m, sorted(MODELS)), f"write e.g. {name} = "
                            + (f'"{DEFAULT_MODEL}"' if name == "model" else f'["{DEFAULT_MODEL}"]')) from None


def _check_scenarios(notebook: str, p: Mapping[str, Any], base_dir=None) -> list:
    from forecast.simulate.scenarios import NAMED, parse_scenarios

    out = []
    for s in p.get("scenarios", ()):
        try:
            out.extend(parse_scenarios([s], base_dir))
        except ForecastError as exc:
            if str(s).lower().endswith(".csv"):
                raise NotebookError(f"{notebook}: parameter 'scenarios': {exc}") from None
            raise _fail(notebook, "scenarios", p["scenarios"],
                        f"each one of {', '.join(NAMED)}, yearly attainments such as "
                        f"'90%,100%', admissions such as '1200/năm' or a scenario file "
                        f"'plan.csv'; {s!r} is none of them" + _nearest(s, NAMED),
                        'write e.g. scenarios = ["last", "full"]') from None
    try:
        return parse_scenarios(out)  # names given twice
    except ForecastError as exc:
        raise NotebookError(f"{notebook}: parameter 'scenarios': {exc}") from None


def _check_units(notebook: str, p: Mapping[str, Any], dataset, scenarios=()) -> None:
    """Unit ids exist (also those of scenario files); a term is one of the unit's terms."""
    from forecast.simulate.scenarios import check_scenario_units

    ids = dataset.units["unit_id"].tolist()
    try:
        check_scenario_units(scenarios, ids)
    except ForecastError as exc:
        raise NotebookError(f"{notebook}: parameter 'scenarios': {exc}") from None
    given = [(n, p[n]) for n in ("unit_id", "parent_id", "profile_unit") if p.get(n)]
    given += [("unit_ids", u) for u in p.get("unit_ids", ())]
    for name, uid in given:
        if uid not in ids:
            raise _fail(notebook, name, uid, f"a unit id of the data ({len(ids)} units)"
                        + _nearest(uid, ids), "use an id from data/units.csv "
                        "(`forecast audit` names them)")
    if p.get("term") is not None and p.get("unit_id"):
        terms = sorted(set(dataset.terms.loc[dataset.terms["unit_id"] == p["unit_id"], "term"]))
        if p["term"] not in terms:
            raise _fail(notebook, "term", p["term"], f"a term of {p['unit_id']}: "
                        + (", ".join(terms) or "it has none") + ", or None for its latest",
                        "write e.g. term = None")


def check_values(where: str, parameters: Mapping[str, Any], dataset=None,
                 base_dir=None) -> list:
    """Check the values of a notebook's parameters (the names it knows, see :func:`start`).

    Types and choices (``lang``, ``rule``, ``n_paths >= 100`` ...), dates in
    any form :func:`forecast.data.numbers.parse_date` reads, model names,
    scenarios (a scenario file is read, relative to ``base_dir``); with a
    ``dataset`` also unit ids (with the nearest ones), terms and the units
    of scenario files. :func:`start` calls it in the kernel; the batch calls
    it for every run before any starts (:func:`check_run`).

    Returns
    -------
    list of forecast.simulate.scenarios.Scenario
        The ``scenarios`` parameter read (a file gives one per name in it).

    Raises
    ------
    NotebookError
        ``"<where>: parameter '<name>': found ...; expected ... Fix: ..."``.
    """
    _check_types(where, parameters)
    _check_models(where, parameters)
    scenarios = _check_scenarios(where, parameters, base_dir)
    if dataset is not None:
        _check_units(where, parameters, dataset, scenarios)
    return scenarios


@functools.lru_cache(maxsize=4)
def _dataset(data: tuple[str, ...] | None):
    from forecast.data.dataset import load

    return load(list(data) if data else None)


def check_run(spec, where: str) -> None:
    """Check one batch run's parameter values before any run starts.

    What the notebook's own check cell would refuse
    (:func:`forecast.notebooks.api.check_values`): a model or language that
    is not a choice, a date that does not parse, a unit id or term the data
    does not have, a bad scenario (files read from the notebook's folder,
    where the run executes). The dataset is the run's ``data`` parameter
    (None: the shipped data), loaded once.

    Parameters
    ----------
    spec : forecast.batch.config.RunSpec
    where : str
        The batch config and run id, leading the message.
    """
    label, params = f"{spec.notebook.name} ({where})", spec.parameters
    check_values(label, params, base_dir=spec.notebook.parent)  # types first: data may be bad
    data = params.get("data")
    key = (data,) if isinstance(data, str) else (tuple(data) if data else None)
    check_values(label, params, _dataset(key), base_dir=spec.notebook.parent)


def _injected_cells() -> tuple[str, str] | None:
    """(parameters cell, cell papermill injected) from the kernel's history, if any."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    history = list(shell.user_ns.get("In", [])) if shell is not None else []
    for i in range(len(history) - 1, 0, -1):
        if str(history[i]).startswith(INJECTED_MARKER):
            return str(history[i - 1]), str(history[i])
    return None


def check_injected(notebook: str, declared: Mapping[str, Any]) -> None:
    """Refuse names papermill injected that the notebook does not declare.

    Parameters
    ----------
    notebook : str
    declared : mapping
        The parameters the notebook passed to :func:`start` (its declared names).
    """
    cells = _injected_cells()
    if cells is None:
        return
    try:
        injected = parse_parameters(cells[1], notebook)
    except NotebookError:
        return  # not papermill's cell after all: nothing to compare
    try:
        defaults = parse_parameters(cells[0], notebook)
        if set(defaults) != set(declared):
            defaults = dict(declared)
    except NotebookError:
        defaults = dict(declared)
    unknown = {k: v for k, v in injected.items() if k not in declared}
    if unknown:
        check_parameters(defaults, unknown, notebook)


def start(notebook: str, **parameters: Any) -> Context:
    """Check a notebook's parameters, load the dataset and prepare the output folder.

    Parameters
    ----------
    notebook : str
        The notebook's file name (``"01_unit_outlook.ipynb"``), named in messages.
    **parameters
        Every parameter of the notebook's parameters cell, by name. Known
        names are checked: ``unit_id``, ``parent_id``, ``profile_unit``
        (unit ids of the data), ``unit_ids`` (list of them), ``term`` (a term
        of the unit, or None), ``as_of`` (ISO date or None), ``model``,
        ``models``, ``scenarios``, ``n_paths``, ``seed``, ``lang``,
        ``tolerance``, ``rule``, ``synthetic_units``, ``n_boot``,
        ``output_dir`` ("" = ``reports/notebooks/<notebook>``) and ``data``
        (None = the shipped data).

    Returns
    -------
    Context

    Raises
    ------
    NotebookError
        Naming the notebook, the parameter, what was found and the valid
        choices (nearest names for unit ids), before any work is done.
    """
    import dataclasses

    from forecast.config import Assumptions
    from forecast.data.dataset import load

    check_injected(notebook, parameters)
    check_values(notebook, parameters)
    changes = {k: parameters[k] for k in ("n_paths", "seed") if k in parameters}
    assumptions = dataclasses.replace(Assumptions(), **changes)
    data = parameters.get("data")
    dataset = load([data] if isinstance(data, str) else data, assumptions=assumptions)
    scenarios = check_values(notebook, parameters, dataset)
    out = parameters.get("output_dir") or str(_paths.REPORTS_DIR / "notebooks" / Path(notebook).stem)
    out_dir = Path(out).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    return Context(notebook, dict(parameters), dataset, assumptions, out_dir,
                   scenarios=scenarios)


def finish(ctx: Context, results: Mapping[str, Any]) -> Path:
    """Write the run's results (with its parameters and figure paths) as JSON.

    The file is ``<output_dir>/<folder name>.json``, beside the executed
    notebook when the batch or :func:`run_notebook` runs it; see
    :func:`forecast.batch.results.write_results`.
    """
    from forecast.batch.results import write_results

    payload = {"notebook": ctx.notebook, "parameters": ctx.parameters, **results,
               "figures": ctx.figures}
    from forecast.notebooks.show import words

    path = write_results(payload, ctx.output_dir)
    records = results.get("records")
    print(words("written", ctx.lang, file=path.name,
                records=len(records) if records is not None else 0,
                n=len(ctx.figures), folder=ctx.output_dir.name))
    return path


# --- small look-ups the notebooks share -------------------------------------------
def records(table) -> list[dict[str, Any]]:
    """Outlook rows as JSON-ready dicts (:func:`forecast.records.frame_records`)."""
    from forecast.records import frame_records

    return frame_records(table)


def headline_p_reach(table) -> float | None:
    """``p_reach`` of the unit's main target: its latest term target, else latest annual.

    The model's own forecast (scenario ``model``); None when there is no row
    or no probability (a unit the model could not fit).
    """
    from forecast.brief.units import primary_row

    if table.empty:
        return None
    row = primary_row(table, table["unit_id"].iloc[0])
    p = None if row is None else row["p_reach"]
    return None if p is None or p != p else float(p)


RANKING_COLUMNS = ["unit_id", "name", "level", "parent_id", "term", "target", "cumulative",
                   "label", "p_reach", "final_q10", "final_q50", "final_q90"]


def ranking(table, model: str | None = None):
    """One row per unit with a term target (its latest), best chance first.

    The rows the portfolio chart draws (:func:`forecast.figures.select_rows`:
    the model's own forecast), columns :data:`RANKING_COLUMNS`.
    """
    import pandas as pd

    from forecast.figures import select_rows

    try:
        rows = select_rows(table, target_kind="term", model=model)
    except ForecastError:
        return pd.DataFrame(columns=RANKING_COLUMNS)
    rows = rows.sort_values(["p_reach", "unit_id"], ascending=[False, True], kind="stable")
    return rows[RANKING_COLUMNS].reset_index(drop=True)


def compare(ctx: Context, *, scenarios=None, as_of_dates=None, value: str = "p_reach",
            units=None, files: Sequence[str] = ()):
    """A comparison table for a paper: units × scenarios, or units × as-of dates.

    The notebook's data, model, language, paths and seed
    (:func:`forecast.brief.compare.run_comparison`; the same table as
    ``forecast compare``). ``files`` (``"compare.xlsx"``, ``.docx``, ``.tex``
    or ``.csv``) are written into ``ctx.output_dir`` unless absolute.

    Returns
    -------
    DataFrame
        The table as printed, numbers formatted for ``ctx.lang``.
    """
    import pandas as pd

    from forecast.brief.compare import run_comparison

    cmp = run_comparison(ctx.dataset, scenarios=scenarios, as_of_dates=as_of_dates,
                         as_of=ctx.as_of, model=ctx.parameters.get("model", DEFAULT_MODEL),
                         units=units, value=value, lang=ctx.lang, assumptions=ctx.assumptions)
    for name in files:
        path = Path(name)
        written = cmp.write(path if path.is_absolute() else ctx.output_dir / path)
        print(f"{cmp.title}: {written}")
    table = cmp.table()
    return pd.DataFrame(table.rows, columns=table.columns)


def main_target_id(table) -> str | None:
    """The target a unit's charts show: its latest term target, else its latest annual one."""
    from forecast.brief.units import primary_row

    row = None if table.empty else primary_row(table, table["unit_id"].iloc[0])
    return None if row is None else str(row["target_id"])


from forecast.notebooks.run import NotebookRun, run_notebook  # noqa: E402,F401  (kept importable from here)
from forecast.models.base import DEFAULT_MODEL
