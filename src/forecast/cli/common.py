"""Options shared by several commands, defined once."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from forecast.config import Assumptions
from forecast.errors import ConfigError
from forecast.data.numbers import ParseError, parse_date


def add_data_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data", metavar="PATH", action="append", type=Path,
        help=("dataset folder of CSV files or an Excel workbook; repeat to add your "
              "own files to another dataset (default: the shipped data/)"),
    )


def add_json_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true",
                   help="print machine-readable JSON instead of a table")


def add_as_of_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--as-of", metavar="DATE", dest="as_of", default=None,
        help="use only figures reported up to this date (YYYY-MM-DD; default: the latest figure)",
    )


def as_of_date(args: argparse.Namespace) -> pd.Timestamp | None:
    """The ``--as-of`` value as a Timestamp, or None."""
    if getattr(args, "as_of", None) is None:
        return None
    try:
        return parse_date(args.as_of, end=True)
    except ParseError as exc:
        raise ConfigError(f"option --as-of: found {args.as_of!r}; expected {exc}. "
                          "Fix: write the date as 2022-12-31.") from exc


def load_dataset(args: argparse.Namespace, assumptions: Assumptions | None = None):
    """Load the dataset named by ``--data`` (or the shipped one)."""
    from forecast.data.dataset import load

    return load(getattr(args, "data", None), assumptions=assumptions)


def print_json(obj: Any) -> None:
    """Print JSON with Vietnamese text kept readable (UTF-8, not escaped)."""
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
