"""The package's layering: stages import only stages below them, and no module imports itself back.

The stages, bottom to top (see ``src/forecast/__init__.py``)::

    base (errors, paths, config, ...) < data < audit < models < simulate
    < outlook < {evaluate, figures} < brief < batch < notebooks < cli

``batch`` sits high so that only the notebooks and the command line use it,
but it runs notebooks and knows nothing of forecasting, so it may import the
base modules only. Every import is counted, also those
inside functions (a lazy import is still a dependency).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "forecast"

BASE = {"errors", "paths", "config", "labels", "atomic", "jsonio", "records", "manifest",
        "outputs", "tables", "__init__"}
RANK = {"base": 0, "data": 1, "audit": 2, "models": 3, "simulate": 4, "outlook": 5,
        "evaluate": 6, "figures": 6, "brief": 7, "batch": 8, "notebooks": 9, "cli": 10,
        "__main__": 11}
"""A stage may import the stages of lower rank (equal rank: neither imports the other)."""
ONLY = {"batch": {"base"}}
"""Stages whose imports are restricted to these stages whatever their rank."""

EXCEPTIONS: dict[tuple[str, str], str] = {}
"""(importer, imported) pairs allowed against the rules, each with its reason. Keep it short."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, name: str) -> set[str]:
    """Every ``forecast`` module ``path`` imports, at any depth of the file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "forecast")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.split(".")[0] != "forecast":
                continue
            found.add(module)
            # ``from forecast.models import pooled`` imports the submodule pooled.
            found.update(f"{module}.{a.name}" for a in node.names
                         if (SRC.parent / (module + "." + a.name).replace(".", "/")).with_suffix(".py").exists()
                         or (SRC.parent / (module + "." + a.name).replace(".", "/") / "__init__.py").exists())
    return found


def graph() -> dict[str, set[str]]:
    mods = {module_name(p): p for p in SRC.rglob("*.py")}
    return {name: {m for m in imports_of(p, name) if m in mods and m != name}
            for name, p in mods.items()}


def stage(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "base"
    head = parts[1]
    return "base" if head in BASE else head


def violations(edges: dict[str, set[str]], exceptions=EXCEPTIONS) -> list[str]:
    """Upward or sideways imports between stages, as readable lines."""
    bad = []
    for src, targets in edges.items():
        s = stage(src)
        for dst in sorted(targets):
            d = stage(dst)
            if s == d or (src, dst) in exceptions:
                continue
            allowed = d in ONLY[s] if s in ONLY else RANK[d] < RANK[s]
            if not allowed:
                bad.append(f"{src} ({s}) imports {dst} ({d})")
    return bad


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_every_module_belongs_to_a_known_stage():
    unknown = sorted(m for m in graph() if stage(m) not in RANK)
    assert unknown == [], f"modules outside every stage: {unknown}; add the stage to RANK"


def test_no_upward_or_sideways_import():
    assert violations(graph()) == []


def test_no_import_circle():
    assert cycles(graph()) == []


def test_exceptions_are_few_and_explained():
    assert len(EXCEPTIONS) <= 3 and all(len(why) > 20 for why in EXCEPTIONS.values())


@pytest.mark.parametrize("edges, expected", [
    ({"forecast.data.dataset": {"forecast.outlook.table"}, "forecast.outlook.table": set()},
     ["forecast.data.dataset (data) imports forecast.outlook.table (outlook)"]),
    ({"forecast.batch.run": {"forecast.models.progress"}, "forecast.models.progress": set()},
     ["forecast.batch.run (batch) imports forecast.models.progress (models)"]),
    ({"forecast.evaluate.scores": {"forecast.figures.base"}, "forecast.figures.base": set()},
     ["forecast.evaluate.scores (evaluate) imports forecast.figures.base (figures)"]),
    ({"forecast.models.progress": {"forecast.batch.run"}, "forecast.batch.run": set()},
     ["forecast.models.progress (models) imports forecast.batch.run (batch)"]),
    ({"forecast.notebooks.run": {"forecast.batch.run", "forecast.outlook.table"},
      "forecast.cli.batch": {"forecast.batch.config"}}, []),
])
def test_the_checker_finds_what_it_should(edges, expected):
    assert violations(edges) == expected


def test_the_checker_finds_a_circle():
    edges = {"forecast.models.base": {"forecast.models.pooled"},
             "forecast.models.pooled": {"forecast.models.base"}, "forecast.errors": set()}
    assert cycles(edges) == [["forecast.models.base", "forecast.models.pooled"]]
