"""The parameters a notebook declares, and checking values against them.

A notebook of this project has one code cell tagged ``parameters`` that holds
literal assignments only (``unit_id = "tien-giang"``, ``n_paths = 10000``).
The names declared there are the only parameters the notebook accepts, and
each default's type is the type a value must have. Checking happens before any
kernel starts, so a typo in a batch config fails in a second instead of after
an hour of runs.

Type rules (value given → accepted when the default is):

- ``bool`` → a bool default only (``True`` is not a number here);
- ``int`` → an int or float default (ints are exact floats);
- ``float`` → a float default;
- ``str`` → a str default (dates are ISO strings: papermill passes JSON);
- ``list`` / ``tuple`` → a list or tuple default;
- ``dict`` → a dict default;
- anything → a ``None`` default (the notebook decides what it accepts).
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forecast.errors import NotebookError

if TYPE_CHECKING:
    import nbformat

PARAMETERS_TAG = "parameters"


def read_notebook(path: str | Path) -> nbformat.NotebookNode:
    """Read a notebook file, with a clear error when it is missing or broken."""
    # Imported here: nbformat takes over a second to import (its JSON-schema
    # validator), and notebooks import this package's batch module for
    # write_results only.
    import nbformat

    path = Path(path)
    if not path.is_file():
        raise NotebookError(
            f"{path}: notebook not found. Fix: check the path (relative paths in a "
            "batch config are relative to the config file's folder)."
        )
    try:
        return nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises several unrelated types
        raise NotebookError(
            f"{path}: not a readable notebook ({type(exc).__name__}: {exc}). "
            "Fix: open and save it in JupyterLab, or restore it from git."
        ) from exc


def parameters_cell(nb: nbformat.NotebookNode, where: str) -> nbformat.NotebookNode:
    """The one code cell tagged ``parameters``.

    Raises
    ------
    NotebookError
        When there is no such cell or more than one.
    """
    cells = [
        c for c in nb.cells
        if c.cell_type == "code" and PARAMETERS_TAG in c.get("metadata", {}).get("tags", [])
    ]
    if len(cells) != 1:
        found = "no cell" if not cells else f"{len(cells)} cells"
        raise NotebookError(
            f"{where}: found {found} tagged '{PARAMETERS_TAG}'; expected exactly one "
            "code cell with that tag. Fix: in JupyterLab open the property inspector "
            "(gear icon) on the cell of defaults and add the tag 'parameters'."
        )
    return cells[0]


def parse_parameters(source: str, where: str) -> dict[str, Any]:
    """Names and default values of the literal assignments in ``source``.

    Parameters
    ----------
    source : str
        The parameters cell's code.
    where : str
        The notebook, for messages.

    Returns
    -------
    dict
        Name → default value, in the order declared (a later assignment of
        the same name wins, as it would when the cell runs).

    Raises
    ------
    NotebookError
        For code that is not a plain assignment of a literal.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise NotebookError(
            f"{where}: the parameters cell is not valid Python (line {exc.lineno}: "
            f"{exc.msg}). Fix: correct the cell so it runs."
        ) from exc
    params: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            raise NotebookError(
                f"{where}: parameters cell, line {node.lineno}: found "
                f"{ast.unparse(node)!r}; expected only assignments of literals "
                "(name = value). Fix: move other code to the next cell."
            )
        try:
            default = ast.literal_eval(value)
        except ValueError as exc:
            raise NotebookError(
                f"{where}: parameters cell, line {node.lineno}: found "
                f"{ast.unparse(value)!r}; expected a literal (number, string, True/False, "
                "None, list, dict). Fix: compute derived values in the next cell."
            ) from exc
        for target in targets:
            if not isinstance(target, ast.Name):
                raise NotebookError(
                    f"{where}: parameters cell, line {node.lineno}: found assignment to "
                    f"{ast.unparse(target)!r}; expected a plain name. Fix: use name = value."
                )
            params.pop(target.id, None)
            params[target.id] = default
    return params


def read_parameters(path: str | Path) -> dict[str, Any]:
    """The parameters a notebook file declares, with their defaults.

    Examples
    --------
    >>> read_parameters("notebooks/01_unit_outlook.ipynb")  # doctest: +SKIP
    {'unit_id': 'tien-giang', 'as_of': '2022-12-31', 'n_paths': 10000, ...}
    """
    nb = read_notebook(path)
    return parse_parameters(parameters_cell(nb, str(path)).source, str(path))


def type_name(value: Any) -> str:
    """A reader's name for the type a default asks for."""
    if value is None:
        return "anything"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def type_matches(value: Any, default: Any) -> bool:
    """Whether ``value`` may replace ``default`` (rules in the module doc)."""
    if default is None:
        return True
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float))
    if isinstance(default, int):
        return isinstance(value, int)
    if isinstance(default, (list, tuple)):
        return isinstance(value, (list, tuple))
    return isinstance(value, type(default))


def check_parameters(declared: Mapping[str, Any], values: Mapping[str, Any], where: str) -> None:
    """Refuse unknown names and values of the wrong type, all at once.

    Parameters
    ----------
    declared : mapping
        Name → default, from :func:`read_parameters`.
    values : mapping
        The parameters to pass.
    where : str
        The notebook (and, in a batch, the run), for the message.

    Raises
    ------
    NotebookError
        Listing every bad name (with the nearest valid one) and every value of
        the wrong type, with the valid parameters and their defaults.
    """
    problems = []
    for name, value in values.items():
        if name not in declared:
            near = difflib.get_close_matches(name, list(declared), n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            problems.append(f"unknown parameter '{name}'{hint}")
        elif not type_matches(value, declared[name]):
            default = declared[name]
            problems.append(
                f"parameter '{name}': found {value!r} ({type(value).__name__}); expected "
                f"{type_name(default)} like the default {default!r}"
            )
    if problems:
        valid = ", ".join(f"{k} (default {v!r})" for k, v in declared.items()) or "none"
        raise NotebookError(
            f"{where}: " + "; ".join(problems)
            + f". Valid parameters: {valid}. Fix: correct the name or value in the "
            "config (or add the parameter to the notebook's parameters cell)."
        )


def validate_notebook_parameters(path: str | Path, values: Mapping[str, Any]) -> dict[str, Any]:
    """Read a notebook's parameters and check ``values`` against them.

    Returns
    -------
    dict
        The declared parameters with their defaults.
    """
    declared = read_parameters(path)
    check_parameters(declared, values, str(path))
    return declared
