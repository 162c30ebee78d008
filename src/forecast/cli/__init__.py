"""Command line: ``forecast COMMAND`` or ``python -m forecast COMMAND``.

Each command lives in its own module of this package, exposing
``register(subparsers)`` to declare its options and ``run(args) -> int``.

The top of the package: may import every stage.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from forecast import __version__
from forecast.errors import ForecastError

COMMANDS = ("audit", "outlook", "compare", "backtest", "sensitivity", "review", "batch",
            "brief", "template")


def build_parser() -> argparse.ArgumentParser:
    """The parser with every command that is installed."""
    parser = argparse.ArgumentParser(
        prog="forecast",
        description=(
            "Will each party unit reach the admission target of its term? "
            "Audit the sourced data, forecast the chance of reaching each target, "
            "run notebooks in batches and write briefs."
        ),
    )
    parser.add_argument("--version", action="version", version=f"forecast {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; print errors without a traceback and exit 2."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except ForecastError as exc:
        print(f"forecast {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"forecast {args.command}: interrupted", file=sys.stderr)
        return 130
