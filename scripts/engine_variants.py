"""Score variants of the engine's models on the real-data backtest and the simulation study.

Each variant is a model of the registry with options (``hier_nb`` with
``prior=population``, ...). Every variant is scored on the same cases with
the analysts' own call (``forecast.outlook.table.outlook``), so the tables
in ``docs/backtest.md`` that justify a change of the default come from one
run of this script::

    .venv/bin/python scripts/engine_variants.py --paths 1000 --synthetic-units 200 \\
        --variant hier_nb --variant "hier_nb:publication_discount=0" --variant pooled_nb

A variant is ``model`` or ``model:key=value,key=value`` (values parsed as
numbers or booleans where they look like one); a key written ``@name`` is
a field of :class:`forecast.config.Assumptions` (``hier_nb:@push_share=0``). It prints, per study, Brier,
log score, CRPS and 80 % coverage overall and per cell with at least
``--min-cell`` cases, and writes the cases to ``--out`` (CSV per study).
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import pandas as pd

from forecast.config import Assumptions


def parse_variant(text: str) -> tuple[str, str, dict]:
    """``"hier_nb:prior=population"`` → ``(label, model, options)``."""
    model, _, rest = text.partition(":")
    options = {}
    for item in filter(None, rest.split(",")):
        key, _, raw = item.partition("=")
        value: object = raw
        if raw in ("true", "false"):
            value = raw == "true"
        else:
            try:
                value = float(raw)
            except ValueError:
                pass
        options[key.strip()] = value
    return text, model, options


class VariantForecaster:
    """A picklable forecaster (``forecast.evaluate.backtest.Forecaster``) for model variants."""

    def __init__(self, variants):
        self.variants = {label: (model, opts) for label, model, opts in variants}

    def _split(self, label, assumptions):
        name, opts = self.variants[label]
        extra = {k[1:]: v for k, v in opts.items() if k.startswith("@")}
        opts = {k: v for k, v in opts.items() if not k.startswith("@")}
        return name, opts, dataclasses.replace(assumptions, **extra)

    def __call__(self, dataset, as_of, model, assumptions, units=None):
        from forecast.outlook.table import MODEL_SCENARIO, outlook

        labels = [model] if isinstance(model, str) else list(model)
        parts = []
        for label in labels:
            name, opts, a = self._split(label, assumptions)
            t = outlook(dataset, as_of=as_of, model=name, assumptions=a, units=units,
                        requirements=False, rollups=False, model_options={name: opts}).table
            parts.append(t[t["scenario"] == MODEL_SCENARIO].assign(model=label))
        return pd.concat(parts, ignore_index=True)


def headline(cells: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Overall rows and the cells with at least ``min_cell`` cases."""
    cols = ["model", "target_kind", "horizon", "record", "n", "brier", "log_score", "crps",
            "coverage_80"]
    cols = [c for c in cols if c in cells]
    c = cells[cells["subset"] == "all"] if "subset" in cells else cells
    overall = c[(c["target_kind"] == "all") & (c["horizon"] == "all") & (c["record"] == "all")]
    big = c[(c["n"] >= min_cell) & ~c.index.isin(overall.index)]
    return pd.concat([overall, big])[cols].round(3)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--variant", action="append", required=True)
    ap.add_argument("--paths", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--synthetic-units", type=int, default=0)
    ap.add_argument("--no-real", action="store_true")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--boot", type=int, default=200)
    ap.add_argument("--min-cell", type=int, default=50)
    ap.add_argument("--out", type=Path, default=Path("reports/variants"))
    a = ap.parse_args(argv)
    variants = [parse_variant(v) for v in a.variant]
    labels = [v[0] for v in variants]
    fc = VariantForecaster(variants)
    assumptions = Assumptions(n_paths=a.paths, seed=a.seed)
    a.out.mkdir(parents=True, exist_ok=True)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_rows", 200)
    if not a.no_real:
        from forecast.data.dataset import load
        from forecast.evaluate.real import real_backtest

        res = real_backtest(load(), labels, assumptions, forecaster=fc,
                            reference=labels[0], n_boot=a.boot, workers=a.workers)
        res.cases.to_csv(a.out / "real_cases.csv", index=False)
        print("== real-data backtest ==")
        print(headline(res.cells, a.min_cell).to_string(index=False))
    if a.synthetic_units:
        from forecast.evaluate.backtest import simulation_study

        res = simulation_study(a.synthetic_units, a.seed, labels, assumptions=assumptions,
                               forecaster=fc, n_boot=a.boot, workers=a.workers)
        res.cases.to_csv(a.out / "synthetic_cases.csv", index=False)
        print("== simulation study ==")
        s = res.scores
        print(s[[c for c in ("model", "subset", "n", "brier", "log_score", "coverage_50",
                             "coverage_80") if c in s]].round(3).to_string(index=False))


if __name__ == "__main__":
    main()
