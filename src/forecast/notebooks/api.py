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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forecast import paths as _paths
from forecast.errors import ForecastError
from forecast.notebooks.checks import check_injected, check_values

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
