"""``forecast outlook``: progress and chance of reaching each target."""

from __future__ import annotations

import argparse

import pandas as pd

from ..progress import progress_table
from .common import (add_as_of_option, add_data_option, add_json_option, as_of_date,
                     load_dataset, print_json)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "outlook",
        help="progress to each unit's term and annual targets",
        description=("Per unit and target: cumulative admitted, remaining, time left, "
                     "required and observed pace, and the official-style pace label."),
    )
    add_data_option(p)
    add_as_of_option(p)
    add_json_option(p)
    p.add_argument("--units", nargs="+", metavar="ID",
                   help="only these unit ids (default: every unit with a target)")
    p.set_defaults(run=run)


def records(table: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts: dates as ISO strings, NaN and infinity as null."""
    out = []
    for row in table.to_dict(orient="records"):
        clean = {}
        for k, v in row.items():
            if isinstance(v, pd.Timestamp):
                v = v.date().isoformat()
            elif isinstance(v, float) and not pd.notna(v) or v in (float("inf"), float("-inf")):
                v = None
            elif v is pd.NaT:
                v = None
            clean[k] = v
        out.append(clean)
    return out


def run(args: argparse.Namespace) -> int:
    dataset = load_dataset(args)
    table = progress_table(dataset, as_of=as_of_date(args), units=args.units)
    if args.json:
        print_json(records(table))
        return 0
    shown = table[["unit_id", "term", "target_kind", "target", "cumulative", "remaining",
                   "years_left", "required_per_year", "observed_per_year", "label"]]
    with pd.option_context("display.max_rows", None, "display.width", 160):
        print(shown.round(2).to_string(index=False))
    return 0
