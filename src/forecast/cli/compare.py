"""``forecast compare``: units × scenarios or units × as-of dates, for a paper."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from forecast.config import Assumptions
from forecast.cli.common import add_data_option, load_dataset
from forecast.cli.options import SCENARIO_HELP, add_lang_option, read_scenarios
from forecast.models.base import DEFAULT_MODEL


def register(sub: argparse._SubParsersAction) -> None:
    from forecast.brief.compare import SUFFIXES, VALUES

    p = sub.add_parser(
        "compare",
        help="a table for a paper: each unit's chance under several scenarios or at several "
             "as-of dates (XLSX, Word, LaTeX booktabs, CSV)",
        description=(
            "One value of the outlook (default: the chance of reaching the target) for each "
            "unit's main target (its latest term target, else its latest annual one), side by "
            "side for several scenarios (--scenario last trend full) or several as-of dates "
            "(--as-of 2021-12-31 2022-12-31). Prints the table; --out writes it as .xlsx, "
            ".docx, .tex (booktabs) or .csv, numbers formatted for --lang."),
    )
    add_data_option(p)
    add_lang_option(p)
    p.add_argument("--scenario", nargs="+", action="extend", metavar="NAME", default=None,
                   help=SCENARIO_HELP + ". Several: units × scenarios (the model's own "
                        "forecast comes first); with several --as-of dates: the one scenario "
                        "shown at each date")
    p.add_argument("--as-of", nargs="+", metavar="DATE", dest="as_of", default=None,
                   help="one date (figures up to it), or several: units × dates "
                        "(YYYY-MM-DD, DD/MM/YYYY, YYYY-MM or YYYY)")
    p.add_argument("--value", choices=tuple(VALUES), default="p_reach",
                   help="the outlook column shown (default: p_reach)")
    p.add_argument("--model", metavar="NAME", default=DEFAULT_MODEL,
                   help="hier_nb (default), pooled_nb, ets, local_level, last_year or mean_attainment")
    p.add_argument("--units", nargs="+", metavar="ID", default=None,
                   help="only these unit ids (default: every unit with a target)")
    p.add_argument("--out", nargs="+", type=Path, metavar="FILE", default=[],
                   help=f"write the table to these files ({', '.join(SUFFIXES)})")
    p.add_argument("--paths", type=int, metavar="N", default=None,
                   help="Monte Carlo paths per unit and target (default 10000)")
    p.add_argument("--seed", type=int, metavar="S", default=None,
                   help="random seed; the same seed gives the same numbers")
    p.set_defaults(run=run)


def _dates(texts) -> list:
    from forecast.data.numbers import ParseError, parse_date
    from forecast.errors import ConfigError

    out = []
    for text in texts or []:
        try:
            out.append(parse_date(text, end=True))
        except ParseError as exc:
            raise ConfigError(f"option --as-of: found {text!r}; expected {exc}. "
                              "Fix: write the date as 2022-12-31.") from exc
    return out


def run(args: argparse.Namespace) -> int:
    from forecast.brief.compare import SUFFIXES, run_comparison
    from forecast.brief.tables import check_suffix
    from forecast.outlook.table import check_model_names

    for path in args.out:
        check_suffix(path, SUFFIXES)
    check_model_names([args.model])
    dates = _dates(args.as_of)
    changes = {k: v for k, v in (("n_paths", args.paths), ("seed", args.seed)) if v is not None}
    assumptions = dataclasses.replace(Assumptions(), **changes)
    dataset = load_dataset(args, assumptions)
    scenarios = read_scenarios(args.scenario, dataset)
    cmp = run_comparison(dataset, scenarios=scenarios,
                         as_of_dates=dates if len(dates) > 1 else None,
                         as_of=dates[0] if len(dates) == 1 else None, model=args.model,
                         units=args.units, value=args.value, lang=args.lang,
                         assumptions=assumptions)
    table = cmp.table()
    widths = [max(len(str(x)) for x in [c, *(r[i] for r in table.rows)])
              for i, c in enumerate(table.columns)]
    print(table.caption)
    for row in [table.columns, *table.rows]:
        print("  ".join(str(v).rjust(w) if i in table.numeric else str(v).ljust(w)
                        for i, (v, w) in enumerate(zip(row, widths))).rstrip())
    print(cmp.note)
    for path in args.out:
        print(f"written: {cmp.write(path)}", file=sys.stderr)
    return 0
