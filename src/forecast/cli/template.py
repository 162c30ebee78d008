"""``forecast template PATH.xlsx``: an empty workbook with the right sheets."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "template",
        help="write an Excel workbook to fill in: one sheet per table, headers, an example row",
        description=(
            "Write a data-entry workbook: a README sheet describing every column, then one "
            "sheet per table (units, sources, terms, targets, observations, corrections) "
            "with its header and a filled example row; the example rows refer to each "
            "other and load as valid data (the optional corrections sheet has only its "
            "header). Give the filled workbook to any command with --data PATH.xlsx."),
    )
    p.add_argument("path", type=Path, metavar="PATH.xlsx", help="workbook to write")
    p.add_argument("--force", action="store_true",
                   help="overwrite the file if it exists (default: refuse)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from forecast.data.template import write_template

    path = write_template(args.path, force=args.force)
    print(f"wrote {path}")
    return 0
