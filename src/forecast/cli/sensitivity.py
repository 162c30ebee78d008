"""``forecast sensitivity``: the chance of reaching each target under each assumption's alternatives."""

from __future__ import annotations

import argparse
import dataclasses

from forecast.config import Assumptions
from forecast.cli.common import (add_as_of_option, add_data_option, add_json_option, as_of_date,
                                 load_dataset, print_json)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sensitivity",
        help="p_reach per unit and target under each documented alternative of each assumption",
        description=("Rerun the outlook for the given units, changing one assumption at a "
                     "time: term deadline (30 June, 30 September, 31 December of the last "
                     "year), within-year profile (estimated, default, flat), prior "
                     "(population, corrected for publication bias; models with that option), "
                     "trend (on, off). Prints one row per alternative and one column per "
                     "unit and target (docs/backtest.md, section Sensitivity)."),
    )
    add_data_option(p)
    add_as_of_option(p)
    add_json_option(p)
    p.add_argument("--units", nargs="+", metavar="ID", required=True,
                   help="unit ids to report on (the models still learn from every unit)")
    p.add_argument("--model", metavar="NAME", default=None,
                   help="model (default: the engine's default model)")
    p.add_argument("--paths", type=int, metavar="N", default=None,
                   help="Monte Carlo paths per run (default 10000)")
    p.add_argument("--seed", type=int, metavar="S", default=None,
                   help="random seed, shared by every run")
    p.add_argument("--lang", choices=("vi", "en"), default="en",
                   help="language of the table (default en)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from forecast.evaluate.sensitivity import sensitivity, sensitivity_markdown
    from forecast.records import frame_records

    changes = {k: v for k, v in (("n_paths", args.paths), ("seed", args.seed)) if v is not None}
    assumptions = dataclasses.replace(Assumptions(), **changes)
    dataset = load_dataset(args, assumptions)
    table = sensitivity(dataset, args.units, as_of=as_of_date(args), model=args.model,
                        assumptions=assumptions, lang=args.lang)
    if args.json:
        print_json(frame_records(table))
    else:
        print(sensitivity_markdown(table, args.lang))
    return 0
