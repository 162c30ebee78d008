"""``forecast review``: how a term ended, against its targets and the rolling forecasts."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import pandas as pd

from forecast.config import Assumptions
from forecast.cli.common import add_data_option, add_json_option, load_dataset, print_json
from forecast.cli.options import add_lang_option
from forecast.errors import ConfigError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "review",
        help="a term's results against their targets and against the earlier forecasts",
        description=("For every unit with a reported result for the whole term: the result, "
                     "the target, the attainment, and the chance of reaching the target "
                     "and the range of the final total that the toolkit would have forecast "
                     "with the figures known at each earlier date (30 June and 31 December "
                     "of every year of the term before its last), with a verdict: as "
                     "forecast, better or worse than forecast (docs/review.md)."),
    )
    add_data_option(p)
    add_json_option(p)
    add_lang_option(p)
    p.add_argument("--term", metavar="YYYY-YYYY", required=True,
                   help="the term to review, e.g. 2020-2025")
    p.add_argument("--as-of", metavar="DATE", dest="as_of", nargs="+", default=None,
                   help="dates of the rolling forecasts (default: 30 June and 31 December "
                        "of every year of the term before its last)")
    p.add_argument("--model", metavar="NAME", default=None,
                   help="model of the forecasts (default: the engine's default model)")
    p.add_argument("--paths", type=int, metavar="N", default=2000,
                   help="Monte Carlo paths per forecast (default 2000)")
    p.add_argument("--out", type=Path, metavar="FILE", default=None,
                   help="also write the table to FILE.xlsx or FILE.csv")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from forecast.brief.tables import check_suffix, write_table
    from forecast.cli.common import term_of
    from forecast.data.numbers import ParseError, parse_date
    from forecast.models.base import DEFAULT_MODEL
    from forecast.outlook.review import review_text_table, term_review
    from forecast.outlook.table import check_model_names

    if args.out is not None:
        check_suffix(args.out)
    model = check_model_names([args.model or DEFAULT_MODEL])[0]
    assumptions = dataclasses.replace(Assumptions(), n_paths=args.paths)
    # The forecast dates are not a cut-off of the data: load it whole.
    dataset = load_dataset(argparse.Namespace(**{**vars(args), "as_of": None}), assumptions)
    term = term_of(args, dataset, None)
    dates = None
    if args.as_of:
        try:
            dates = [parse_date(d, end=True) for d in args.as_of]
        except ParseError as exc:
            raise ConfigError(f"option --as-of: {exc}. Fix: write the dates as 2022-12-31.") \
                from exc
    table = term_review(dataset, term, dates, model=model, assumptions=assumptions)
    if table.empty:
        print(f"forecast review: note: no unit reports a result for the whole {term} term "
              "(an admission count from its first year to its last).", file=sys.stderr)
    if args.out is not None:
        written = write_table(args.out, table, sheet="review")
        print(f"review written to {written}", file=sys.stderr)
    if args.json:
        from forecast.records import frame_records

        print_json(frame_records(table))
        return 0
    with pd.option_context("display.max_rows", None, "display.width", 200):
        print(review_text_table(table, args.lang).to_string(index=False))
    return 0
