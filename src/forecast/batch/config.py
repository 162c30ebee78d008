"""Batch configs: read the YAML file, resolve the units, plan the runs.

A batch is the product notebooks × units × scenarios. A config file looks like::

    notebooks: [../notebooks/01_unit_outlook.ipynb]
    units: all                       # or [tien-giang, ha-nam], {level: province},
                                     # {parent: krong-bong, with_children: true}
    scenarios:
      - {name: last, scenario: last}
      - {name: full, scenario: full}
    parameters: {as_of: "2024-06-30", n_paths: 2000}
    timeout: 600                     # seconds of wall clock per run
    output: ../reports/batch/outlook

Relative paths are relative to the config file's folder, so a config means the
same thing from wherever it is run. Every run gets the parameters
``{unit_id, **parameters, **notebook parameters, **scenario, output_dir}``; a
notebook whose parameters cell has no ``unit_id`` runs once per scenario, not
once per unit (a portfolio covers every unit by itself). Each notebook must
declare ``output_dir``: that is where the batch tells it to write its results.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from forecast import paths as _paths
from forecast.errors import ConfigError, NotebookError
from forecast.batch.params import check_parameters, read_parameters

CONFIG_KEYS = ("description", "notebooks", "units", "scenarios", "parameters", "timeout",
               "cell_timeout", "output", "kernel", "data", "workers")
"""Keys a batch config may hold."""
NOTEBOOK_KEYS = ("path", "parameters")
UNIT_SELECTOR_KEYS = ("level", "parent", "with_children", "with_progress")
INJECTED = ("unit_id", "output_dir")
"""Parameters the batch sets itself; a config must not set them."""
DEFAULT_TIMEOUT = 600.0


@dataclass(frozen=True)
class NotebookEntry:
    """One notebook of a batch, with parameters that apply to it only."""

    path: Path
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchConfig:
    """A batch config, checked and with paths resolved.

    Attributes
    ----------
    source : str
        Where it came from (file path or ``"<mapping>"``), for messages.
    notebooks : tuple of NotebookEntry
    units : object
        The unit selection as written (resolved by :func:`resolve_units`).
    scenarios : tuple of dict
        Each with a ``name``; the other keys are notebook parameters.
    parameters : dict
        Shared parameters.
    timeout : float
        Wall-clock limit per run in seconds, enforced from outside the run.
    cell_timeout : float
        papermill's limit per cell (default: ``timeout``).
    output : Path
    kernel : str or None
        Jupyter kernel name (None: ``forecast`` if registered, else ``python3``).
    data : tuple of Path or None
        Dataset locations (None: the shipped data); hashed into fingerprints and
        passed to notebooks that declare a ``data`` parameter.
    workers : int or None
    raw : dict
        The mapping as read, for the manifest.
    """

    source: str
    notebooks: tuple[NotebookEntry, ...]
    units: Any
    scenarios: tuple[dict[str, Any], ...]
    parameters: dict[str, Any]
    timeout: float
    cell_timeout: float
    output: Path
    kernel: str | None = None
    data: tuple[Path, ...] | None = None
    workers: int | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RunSpec:
    """One run of a batch: a notebook, a unit (or none) and a scenario."""

    run_id: str
    notebook: Path
    unit_id: str | None
    scenario: str
    parameters: dict[str, Any]
    """Parameters except ``output_dir``, which depends on where the run executes."""


def slug(text: str) -> str:
    """An ASCII slug: ``"Krông Bông"`` → ``"krong-bong"``; keeps ``_`` and ``-``."""
    text = str(text).replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9_-]+", "-", text.lower())
    return re.sub(r"-{2,}", "-", text).strip("-") or "x"


def _fail(where: str, what: str, fix: str) -> ConfigError:
    return ConfigError(f"{where}: {what}. Fix: {fix}")


def load_config(path: str | Path) -> BatchConfig:
    """Read and check a batch config file.

    Raises
    ------
    ConfigError
        For a missing or unreadable file, YAML errors, unknown keys (naming the
        file, the key and the valid keys) and values of the wrong kind.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(str(path), f"cannot read the batch config ({exc})",
                    "give the path of a UTF-8 YAML file, e.g. configs/default.yaml") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _fail(str(path), f"not valid YAML ({exc})", "correct the YAML syntax") from exc
    return config_from_mapping(data, where=str(path), base_dir=path.resolve().parent)


def config_from_mapping(data: Any, where: str = "<mapping>",
                        base_dir: Path | None = None) -> BatchConfig:
    """Check a config mapping (as read from YAML) and resolve its paths."""
    base_dir = base_dir or Path.cwd()
    if not isinstance(data, Mapping):
        raise _fail(where, f"found {type(data).__name__}; expected a mapping of keys",
                    "start the file with 'notebooks:' (see configs/default.yaml)")
    unknown = [k for k in data if k not in CONFIG_KEYS]
    if unknown:
        near = difflib.get_close_matches(str(unknown[0]), CONFIG_KEYS, n=1)
        hint = f" (did you mean '{near[0]}'?)" if near else ""
        raise _fail(where, f"unknown key{'s' if len(unknown) > 1 else ''} "
                    f"{', '.join(repr(k) for k in unknown)}{hint}; valid keys are "
                    f"{', '.join(CONFIG_KEYS)}", "rename or remove the key")
    if not data.get("notebooks"):
        raise _fail(where, "key 'notebooks' is missing or empty; expected a list of notebook paths",
                    "add e.g. notebooks: [../notebooks/01_unit_outlook.ipynb]")
    timeout = _positive(data.get("timeout", DEFAULT_TIMEOUT), "timeout", where)
    data_paths = data.get("data")
    if data_paths is not None:
        data_paths = tuple(_path(p, base_dir) for p in _as_list(data_paths, "data", where))
    output = data.get("output")
    return BatchConfig(
        source=where,
        notebooks=tuple(_notebook_entry(n, base_dir, where) for n in _as_list(data["notebooks"], "notebooks", where)),
        units=data.get("units", "all"),
        scenarios=_scenarios(data.get("scenarios"), where),
        parameters=_mapping(data.get("parameters") or {}, "parameters", where),
        timeout=timeout,
        cell_timeout=_positive(data.get("cell_timeout", timeout), "cell_timeout", where),
        output=_path(output, base_dir) if output else _paths.REPORTS_DIR / "batch" / slug(Path(where).stem),
        kernel=data.get("kernel"),
        data=data_paths,
        workers=None if data.get("workers") is None else int(_positive(data["workers"], "workers", where)),
        raw=dict(data),
    )


def _path(p: Any, base_dir: Path) -> Path:
    p = Path(str(p)).expanduser()
    return p if p.is_absolute() else (base_dir / p).resolve()


def _as_list(value: Any, key: str, where: str) -> list[Any]:
    if isinstance(value, (str, Mapping)):
        return [value]
    if isinstance(value, Sequence):
        return list(value)
    raise _fail(where, f"key '{key}': found {value!r}; expected a list", f"write {key}: [a, b]")


def _mapping(value: Any, key: str, where: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(where, f"key '{key}': found {value!r}; expected a mapping of name: value",
                    f"write {key}: {{as_of: '2024-06-30'}}")
    set_by_batch = [k for k in value if k in INJECTED]
    if set_by_batch:
        raise _fail(where, f"key '{key}' sets {', '.join(set_by_batch)}, which the batch sets "
                    "for every run", "select units with 'units:' and the folder with 'output:'")
    return dict(value)


def _positive(value: Any, key: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise _fail(where, f"key '{key}': found {value!r}; expected a positive number",
                    f"write e.g. {key}: 600")
    return float(value)


def _notebook_entry(item: Any, base_dir: Path, where: str) -> NotebookEntry:
    if isinstance(item, Mapping):
        unknown = [k for k in item if k not in NOTEBOOK_KEYS]
        if unknown or "path" not in item:
            raise _fail(where, f"notebook entry {dict(item)!r}: expected keys path (required) and "
                        f"parameters; found {', '.join(map(str, item))}",
                        "write - {path: ../notebooks/x.ipynb, parameters: {...}}")
        return NotebookEntry(_path(item["path"], base_dir),
                             _mapping(item.get("parameters") or {}, "parameters", where))
    if isinstance(item, str):
        return NotebookEntry(_path(item, base_dir))
    raise _fail(where, f"notebook entry {item!r}: expected a path or a mapping with 'path'",
                "list notebook paths under 'notebooks:'")


def _scenarios(value: Any, where: str) -> tuple[dict[str, Any], ...]:
    if value is None:
        return ({"name": "default"},)
    out = []
    for i, sc in enumerate(_as_list(value, "scenarios", where), start=1):
        if not isinstance(sc, Mapping):
            raise _fail(where, f"scenario {i}: found {sc!r}; expected a mapping of parameters",
                        "write - {name: full, scenario: full}")
        sc = dict(sc)
        params = {k: v for k, v in sc.items() if k != "name"}
        _mapping(params, f"scenarios[{i}]", where)
        name = sc.get("name") or "-".join(f"{k}-{v}" for k, v in params.items()) or "default"
        out.append({"name": slug(name), **params})
    names = [s["name"] for s in out]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise _fail(where, f"scenario names repeat: {', '.join(dupes)}", "give each scenario its own name")
    return tuple(out)


def resolve_units(spec: Any, units: Any, where: str) -> list[str]:
    """Unit ids selected by ``spec``, in the units table's order.

    Parameters
    ----------
    spec : str, list or mapping
        ``"all"``; a list of ids and selectors; ``{level: province}`` (a level or
        list of levels); ``{parent: ID}`` (every unit below ID, at any depth) or
        ``{parent: ID, with_children: true}`` (ID and every unit below it);
        ``{with_progress: true}`` (units with a target and a reported count
        towards it; needs the table from :func:`forecast.notebooks.run.units_table`).
    units : DataFrame
        The dataset's units table (``unit_id``, ``level``, ``parent_id``).
    where : str
        The config, for messages.
    """
    ids = [str(u) for u in units["unit_id"]]
    if isinstance(spec, str) and spec == "all":
        return ids
    chosen: list[str] = []
    for item in _as_list(spec, "units", where):
        for uid in _resolve_one(item, units, ids, where):
            if uid not in chosen:
                chosen.append(uid)
    if not chosen:
        raise _fail(where, f"units {spec!r} select no unit", "check the level or parent named")
    return chosen


def _resolve_one(item: Any, units: Any, ids: list[str], where: str) -> list[str]:
    if isinstance(item, str):
        if item == "all":
            return ids
        if item not in ids:
            near = difflib.get_close_matches(item, ids, n=3)
            raise _fail(where, f"units: unknown unit id {item!r}"
                        + (f" (nearest: {', '.join(near)})" if near else ""),
                        "use an id from the units table (forecast audit lists them)")
        return [item]
    if not isinstance(item, Mapping) or any(k not in UNIT_SELECTOR_KEYS for k in item):
        raise _fail(where, f"units: found {item!r}; expected 'all', a unit id, {{level: ...}}, "
                    "{parent: ID, with_children: true} or {with_progress: true}", "see configs/default.yaml")
    if "level" in item:
        levels = [str(v) for v in _as_list(item["level"], "level", where)]
        known = sorted({str(v) for v in units["level"]})
        bad = [lv for lv in levels if lv not in known]
        if bad:
            raise _fail(where, f"units: unknown level {', '.join(bad)}; levels in the data: "
                        f"{', '.join(known)}", "use one of those levels")
        return [u for u, lv in zip(ids, units["level"]) if str(lv) in levels]
    if "with_progress" in item:
        if "with_progress" not in units:
            raise _fail(where, "units: {with_progress: true} needs the dataset's targets",
                        "let the batch load the data (do not pass a bare units table)")
        flag = bool(item["with_progress"])
        return [u for u, w in zip(ids, units["with_progress"]) if bool(w) == flag]
    if "parent" in item:
        parent = str(item["parent"])
        _resolve_one(parent, units, ids, where)
        below = _descendants(parent, units)
        keep = set(below) | ({parent} if item.get("with_children") else set())
        return [u for u in ids if u in keep]
    raise _fail(where, f"units: {dict(item)!r} names neither level nor parent", "add level: or parent:")


def _descendants(parent: str, units: Any) -> list[str]:
    children: dict[str, list[str]] = {}
    for uid, pid in zip(units["unit_id"], units["parent_id"]):
        if isinstance(pid, str) and pid:
            children.setdefault(pid, []).append(str(uid))
    out, stack = [], list(children.get(parent, []))
    while stack:
        uid = stack.pop()
        if uid not in out:
            out.append(uid)
            stack.extend(children.get(uid, []))
    return out


def plan_runs(config: BatchConfig, units: Any = None, check: Any = None) -> list[RunSpec]:
    """Every run of the batch, with parameters checked against each notebook.

    Parameters
    ----------
    config : BatchConfig
    units : DataFrame or callable, optional
        The units table, or a function that reads it from ``config.data`` (a
        sequence of paths, or None for the shipped data) when a notebook takes
        ``unit_id``. The batch knows nothing of the dataset: the command line
        passes :func:`forecast.notebooks.run.units_table`.
    check : callable, optional
        ``check(spec, where)`` raises when a run's parameter *values* are not
        valid choices (a model ``etz``, a unit id the data lacks, a date that
        does not parse); called for every run before any starts. The command
        line passes :func:`forecast.notebooks.checks.check_run`.

    Raises
    ------
    NotebookError
        For a missing notebook, a notebook without ``output_dir``, or an
        unknown parameter or a value of the wrong type (all checked before any
        run starts).
    ConfigError
        For unknown units or levels and run ids that repeat.
    """
    runs: list[RunSpec] = []
    unit_ids: list[str] | None = None
    for entry in config.notebooks:
        declared = read_parameters(entry.path)
        where = f"{entry.path} (batch config {config.source})"
        if "output_dir" not in declared:
            raise NotebookError(
                f"{where}: the parameters cell has no 'output_dir'; the batch needs it to tell the "
                "notebook where to write its results. Fix: add output_dir = \"\" to the parameters "
                "cell and pass it to forecast.batch.run.write_results(results, output_dir)."
            )
        per_unit = "unit_id" in declared
        if per_unit and unit_ids is None:
            if units is None:
                raise ConfigError(
                    f"{where}: the notebook takes unit_id, so the batch needs the units table. "
                    "Fix: pass units= a DataFrame of units, or "
                    "forecast.notebooks.run.units_table (what `forecast batch` uses).")
            table = units(config.data) if callable(units) else units
            unit_ids = resolve_units(config.units, table, config.source)
        for scenario in config.scenarios:
            params = {**config.parameters, **entry.parameters,
                      **{k: v for k, v in scenario.items() if k != "name"}}
            if config.data and "data" in declared and "data" not in params:
                params["data"] = [str(p) for p in config.data] if len(config.data) > 1 else str(config.data[0])
            for unit in (unit_ids if per_unit else [None]):
                p = dict(params) if unit is None else {"unit_id": unit, **params}
                check_parameters(declared, {**p, "output_dir": ""},
                                 f"{where}, scenario '{scenario['name']}'")
                parts = [slug(entry.path.stem)] + ([slug(unit)] if unit else []) + [scenario["name"]]
                spec = RunSpec("__".join(parts), entry.path, unit, scenario["name"], p)
                if check is not None:
                    check(spec, f"batch config {config.source}, run {spec.run_id}")
                runs.append(spec)
    seen: set[str] = set()
    for r in runs:
        if r.run_id in seen:
            raise _fail(config.source, f"run id {r.run_id!r} occurs twice (the same notebook "
                        "listed twice?)", "list each notebook once; use scenarios to vary parameters")
        seen.add(r.run_id)
    return runs
