"""Checks of a notebook's parameters, in the kernel and before a batch starts.

:func:`check_values` checks values (types, choices, dates, models,
scenarios, and with a dataset unit ids and terms); :func:`check_run` does it
for one batch run before any kernel starts; :func:`check_injected` refuses
names papermill injected that the notebook does not declare. Every refusal
is a :class:`~forecast.errors.NotebookError` naming the notebook, the
parameter, what was found, what is expected and how to fix it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from forecast.batch.params import check_parameters, parse_parameters
from forecast.errors import ConfigError, ForecastError, NotebookError
from forecast.models.base import DEFAULT_MODEL

INJECTED_MARKER = "# Parameters\n"
"""First line of the cell papermill injects (papermill's default comment)."""


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
    (:func:`forecast.notebooks.checks.check_values`): a model or language that
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


def injected_cells() -> tuple[str, str] | None:
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
    cells = injected_cells()
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
