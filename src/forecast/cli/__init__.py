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


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser with every command that is installed, or with the command ``only``.

    A command's module imports what the command needs (pandas, matplotlib,
    papermill ...); building the parser for one command imports only its
    module, which saves about half a second of start-up per run.
    """
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
    for name in COMMANDS if only is None else (only,):
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
    words = sys.argv[1:] if argv is None else argv
    # The command is the first word that is not an option (no top-level option takes a value).
    first = next((w for w in words if not w.startswith("-")), None)
    parser = build_parser(first if first in COMMANDS else None)
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except ForecastError as exc:
        print(f"forecast {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"forecast {args.command}: interrupted", file=sys.stderr)
        return 130
