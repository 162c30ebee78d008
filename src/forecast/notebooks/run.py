"""Run one notebook with papermill after checking its parameters, and read its results."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forecast import paths as _paths
from forecast.data.dataset import load
from forecast.errors import NotebookError
from forecast.models.progress import units_with_progress


@dataclass(frozen=True)
class NotebookRun:
    """Where :func:`run_notebook` wrote the executed notebook and its results."""

    notebook: Path
    results_file: Path
    results: dict[str, Any]


def run_notebook(path: str | os.PathLike[str], parameters: Mapping[str, Any] | None = None, *,
                 output_dir: str | os.PathLike[str] | None = None, kernel: str | None = None,
                 timeout: float = 600) -> NotebookRun:
    """Check parameters against the notebook, run it with papermill, read its results.

    Parameters
    ----------
    path : path
        The notebook (its folder is the working folder of the run).
    parameters : mapping, optional
        Values for names of the parameters cell; ``output_dir`` is set here.
    output_dir : path, optional
        Folder for the executed notebook, its figures and results (default
        ``reports/notebooks/<notebook>``).
    kernel : str, optional
        Default :func:`forecast.batch.run.default_kernel` ("forecast" when registered).
    timeout : float
        Seconds allowed per cell.

    Raises
    ------
    NotebookError
        For unknown names or values of the wrong type (before running), and
        for a run that fails (with the error the notebook raised).
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from forecast.batch.run import default_kernel
    from forecast.batch.kernels import START_TIMEOUT, cell_error, kernel_manager_for
    from forecast.jsonio import read_json
    from forecast.batch.params import validate_notebook_parameters

    path = Path(path).resolve()
    values = dict(parameters or {})
    validate_notebook_parameters(path, {**values, "output_dir": ""})
    out = Path(output_dir or _paths.REPORTS_DIR / "notebooks" / path.stem).resolve()
    out.mkdir(parents=True, exist_ok=True)
    executed = out / f"{out.name}.ipynb"
    try:
        pm.execute_notebook(str(path), str(executed), parameters={**values, "output_dir": str(out)},
                            kernel_name=kernel or default_kernel(), cwd=str(path.parent),
                            progress_bar=False, execution_timeout=timeout,
                            start_timeout=START_TIMEOUT,
                            # IPC transport: parallel runs (pytest -n) cannot race for ports.
                            kernel_manager_class=kernel_manager_for(None))
    except PapermillExecutionError as exc:
        raise NotebookError(f"{path.name}: the run failed in {cell_error(exc)} (executed "
                            f"notebook with the error: {executed})") from None
    results_file = out / f"{out.name}.json"
    results = read_json(results_file)
    if not isinstance(results, dict):
        raise NotebookError(f"{path.name}: the run wrote no results file {results_file}. Fix: "
                            "end the notebook with forecast.notebooks.api.finish(ctx, results).")
    return NotebookRun(executed, results_file, results)


def units_table(data: Sequence[Path] | None):
    """The units table of the dataset at ``data`` (None: the shipped data).

    A column ``with_progress`` marks the units that have a target and a
    reported count towards it (:func:`forecast.models.progress.units_with_progress`).
    """
    dataset = load(list(data) if data else None)
    units = dataset.units.copy()
    units["with_progress"] = units["unit_id"].isin(units_with_progress(dataset))
    return units

