"""``forecast outlook``: progress and chance of reaching each target."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import pandas as pd

from forecast.config import Assumptions
from forecast.cli.common import (add_as_of_option, add_data_option, add_json_option,
                                 add_term_option, as_of_date, load_dataset, note, print_json,
                                 skipped_units, term_of)
from forecast.cli.options import SCENARIO_HELP, read_scenarios
from forecast.models.base import DEFAULT_MODEL


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "outlook",
        help="chance of reaching each unit's term and annual targets, and what it would take",
        description=("Per unit and target: cumulative admitted, remaining, time left, "
                     "required and observed pace, the official-style pace label, the "
                     "probability of reaching the target (p_reach), the final total's "
                     "range, when it is reached, and the attainment and candidates "
                     "needed for a p_reach of 0.8."),
    )
    add_data_option(p)
    add_as_of_option(p)
    add_json_option(p)
    add_term_option(p)
    p.add_argument("--units", nargs="+", metavar="ID",
                   help="only these unit ids (default: every unit with a target)")
    p.add_argument("--model", action="append", metavar="NAME", default=None,
                   help=("hier_nb (default), pooled_nb, ets, local_level, last_year or "
                         "mean_attainment; repeat for several"))
    p.add_argument("--scenario", action="append", metavar="NAME", default=[],
                   help=SCENARIO_HELP + "; repeat for several")
    p.add_argument("--pool-with", nargs="+", metavar="ID", default=None,
                   help=("reference units the model learns the population from (default: "
                         "every unit loaded); the units forecast are always included"))
    p.add_argument("--paths", type=int, metavar="N", default=None,
                   help="Monte Carlo paths per unit and target (default 10000)")
    p.add_argument("--seed", type=int, metavar="S", default=None,
                   help="random seed; the same seed gives the same numbers")
    p.add_argument("--no-requirements", dest="requirements", action="store_false",
                   help="skip the inverse search for the attainment needed (faster)")
    p.add_argument("--workers", type=int, metavar="N", default=None,
                   help=("processes the units are simulated in (default: every core); "
                         "the numbers do not depend on it"))
    p.add_argument("--executor", choices=("local", "dask"), default="local",
                   help=("where the units' chunks run: local processes (default) or a Dask "
                         "cluster (with --scheduler); the same numbers either way"))
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="address of the Dask scheduler, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--out", type=Path, metavar="FILE", default=None,
                   help=("also write the whole table (every column of the outlook) to "
                         "FILE.xlsx (formatted columns, header) or FILE.csv (UTF-8 with BOM "
                         "for Excel)"))
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from forecast.brief.tables import check_suffix, write_table
    from forecast.outlook.chunks import check_executor
    from forecast.outlook.table import check_model_names, outlook
    from forecast.outlook.why import unanswered

    if args.out is not None:
        check_suffix(args.out)
    check_executor(args.executor, args.scheduler, args.workers)
    changes = {k: v for k, v in (("n_paths", args.paths), ("seed", args.seed)) if v is not None}
    assumptions = dataclasses.replace(Assumptions(), **changes) if changes else Assumptions()
    models = check_model_names(args.model or [DEFAULT_MODEL])
    dataset = load_dataset(args, assumptions)
    dataset.check_unit_ids(args.units)
    dataset.check_unit_ids(args.pool_with, "--pool-with")
    scenarios = read_scenarios(args.scenario, dataset)
    as_of = as_of_date(args)
    result = outlook(dataset, as_of=as_of, model=models, scenarios=scenarios,
                     assumptions=assumptions, units=args.units,
                     requirements=args.requirements, pool_with=args.pool_with,
                     term=term_of(args, dataset, as_of),
                     workers=args.workers, executor=args.executor, scheduler=args.scheduler)
    skipped = skipped_units(dataset, result.table, as_of, args.units)
    by_reason: dict[str, list[str]] = {}
    for unit_id, why in skipped.items():
        by_reason.setdefault(why, []).append(unit_id)
    for why, ids in by_reason.items():
        note("forecast outlook", "note", f"{len(ids)} unit(s) with no row in the table, "
             f"{why}: {', '.join(ids)}")
    for gap in unanswered(result.table):
        reasons = "; ".join(f"{why.rstrip('.')} ({n} row(s))" for why, n in gap.reasons)
        more = f"; and {gap.more} other reason(s) in the why column of --json" if gap.more else ""
        note("forecast outlook", "note", f"model {gap.model} could not forecast "
             f"{gap.missing} of its {gap.total} row(s): {reasons}{more}")
    if args.out is not None:
        written = write_table(args.out, result.table)
        print(f"outlook written to {written}", file=sys.stderr)
    if args.json:
        print_json(result.records())
        return 0
    shown = result.table[["unit_id", "term", "target_kind", "deadline", "target_source", "model",
                          "scenario", "target",
                          "cumulative", "label", "p_reach", "final_q10", "final_q50",
                          "final_q90", "reach_date_q50", "required_attainment"]]
    with pd.option_context("display.max_rows", None, "display.width", 200):
        print(shown.assign(deadline=shown["deadline"].dt.strftime("%Y-%m-%d"))
              .round(2).to_string(index=False))
    return 0

