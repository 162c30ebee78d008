"""``forecast batch``: run notebooks over units and scenarios, collect the results."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from forecast.cli.common import add_data_option


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"found {text!r}; expected a whole number of at least 1")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "batch",
        help="run notebooks for many units and scenarios in parallel and collect their results",
        description=(
            "Run every notebook of CONFIG for every selected unit and scenario with papermill, "
            "in parallel, each under a wall-clock limit. Up-to-date runs are skipped, so a "
            "stopped batch finishes the rest when rerun. Writes the executed notebooks, "
            "results.csv, results.json and manifest.json to the output folder. Exit status: "
            "0 all runs succeeded, 1 some run failed, 2 bad config or parameters."
        ),
    )
    p.add_argument("config", type=Path, metavar="CONFIG.yaml",
                   help="batch config (see configs/default.yaml and docs/batch.md)")
    p.add_argument("--workers", type=_positive_int, metavar="N", default=None,
                   help="runs at the same time (default: the config's 'workers', else the number of cores)")
    p.add_argument("--out", type=Path, metavar="DIR", default=None,
                   help="output folder (default: the config's 'output')")
    p.add_argument("--executor", choices=("local", "dask"), default="local",
                   help="local processes (default) or a Dask distributed cluster")
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="Dask scheduler address for --executor dask, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--force", action="store_true",
                   help="rerun every run, even those whose outputs are up to date")
    p.add_argument("--kernel", metavar="NAME", default=None,
                   help="Jupyter kernel (default: the config's 'kernel', else 'forecast' if "
                        "registered, else 'python3')")
    p.add_argument("--no-progress", dest="progress", action="store_false",
                   help="do not show the progress bar")
    p.add_argument("--dry-run", action="store_true",
                   help=("check the config and every run's parameter names and values (models, "
                         "unit ids, dates, scenarios), list the runs, run nothing"))
    add_data_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from forecast.batch.run import run_batch
    from forecast.batch.config import load_config, plan_runs
    from forecast.notebooks.checks import check_run
    from forecast.notebooks.run import units_table

    config = load_config(args.config)
    if getattr(args, "data", None):
        config = dataclasses.replace(config, data=tuple(Path(p).resolve() for p in args.data))
    if args.dry_run:
        runs = plan_runs(config, units_table, check_run)
        for spec in runs:
            print(f"{spec.run_id}\t{json.dumps(spec.parameters, ensure_ascii=False)}")
        print(f"{len(runs)} run{'' if len(runs) == 1 else 's'}; every parameter name and value "
              "checked; nothing was run (--dry-run)")
        return 0
    result = run_batch(config, workers=args.workers, output=args.out, executor=args.executor,
                       scheduler=args.scheduler, force=args.force, kernel=args.kernel,
                       progress=args.progress, units=units_table, check=check_run)
    print(result.report(), file=sys.stderr if result.exit_code else sys.stdout)
    return result.exit_code
