"""``forecast brief``: the HTML, Word and PDF brief with its figures and tables."""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

from forecast.config import Assumptions
from forecast.cli.common import (add_as_of_option, add_data_option, add_term_option, as_of_date,
                                 load_dataset, term_of)
from forecast.cli.options import SCENARIO_HELP, read_scenarios
from forecast.models.base import DEFAULT_MODEL

UNITS_HELP = (
    "which units get a section: unit ids (tien-giang), level names (province, district, "
    "commune, bloc, ...) or parent:ID for a unit and its direct children (parent:krong-bong); "
    "mix freely. Default: every unit with a term target and at least one admission report "
    "in that term. The portfolio chart always covers every unit with a term target."
)


def register(sub: argparse._SubParsersAction) -> None:
    from forecast.brief.build import DEFAULT_PATHS, DEFAULT_SCENARIOS, OUTPUTS

    p = sub.add_parser(
        "brief",
        help="write the brief: HTML page, Word document, PDF, figures and tables",
        description=(
            "Run the outlook once for every unit with a target and write a folder with "
            "index.html (portfolio chart, then a section per unit), brief.docx and brief.pdf "
            "with the same content, figures/ (PNG, SVG, PDF) and tables/ (CSV and Excel), "
            "and manifest.json. The folder is replaced only when the new brief is complete. "
            "A unit whose model or chart fails gets a section saying what failed; the "
            "command then prints the problems and still exits 0. It exits 2 when the data "
            "cannot be read, an option is wrong, or nothing at all could be produced."
        ),
    )
    add_data_option(p)
    p.add_argument("--out", type=Path, metavar="DIR", default=None,
                   help="output folder (default: reports/brief)")
    p.add_argument("--lang", choices=("vi", "en"), default="vi",
                   help="language of the text and charts (default: vi)")
    p.add_argument("--units", nargs="+", metavar="UNIT", default=None, help=UNITS_HELP)
    add_as_of_option(p)
    p.add_argument("--model", metavar="NAME", default=DEFAULT_MODEL,
                   help=("hier_nb (default), pooled_nb, ets, local_level, last_year or "
                         "mean_attainment"))
    p.add_argument("--scenario", nargs="+", action="extend", metavar="NAME", default=None,
                   help=("scenarios shown beside the model; " + SCENARIO_HELP + "; default: "
                         + " ".join(DEFAULT_SCENARIOS) + "; 'none' for no scenario"))
    p.add_argument("--size", choices=("column", "page", "slide"), default=None,
                   help=("draw every chart at this size: column (85 mm), page (170 mm) or "
                         "slide (16:9); default: wide charts at page size, the others at "
                         "column size"))
    p.add_argument("--format", metavar="LIST", dest="formats", default=None,
                   help=("outputs to write, comma-separated, of " + ",".join(OUTPUTS)
                         + " (default: all). Each selects every file of that type: pdf is "
                         "brief.pdf and the figures' PDFs; PNG figures are always written"))
    p.add_argument("--paths", type=int, metavar="N", default=None,
                   help=f"Monte Carlo paths per unit and target (default {DEFAULT_PATHS})")
    p.add_argument("--seed", type=int, metavar="S", default=None,
                   help="random seed; the same seed gives the same numbers")
    add_term_option(p)
    p.add_argument("--review", metavar="YYYY-YYYY", default=None,
                   help=("add the review of this term: results against targets and against "
                         "the earlier forecasts (docs/review.md)"))
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from forecast.brief.build import (DEFAULT_PATHS, DEFAULT_SCENARIOS, OUTPUTS, build_brief,
                                      check_outputs)
    from forecast.outlook.table import check_model_names

    started = time.perf_counter()
    changes = {"n_paths": args.paths if args.paths is not None else DEFAULT_PATHS}
    if args.seed is not None:
        changes["seed"] = args.seed
    assumptions = dataclasses.replace(Assumptions(), **changes)
    check_model_names([args.model])
    outputs = OUTPUTS if args.formats is None else check_outputs(
        f.strip().lower() for f in args.formats.split(",") if f.strip())
    scenarios = DEFAULT_SCENARIOS if args.scenario is None else \
        [s for s in args.scenario if s.lower() != "none"]
    dataset = load_dataset(args, assumptions)
    scenarios = read_scenarios(scenarios, dataset)
    as_of = as_of_date(args)
    review = term_of(argparse.Namespace(term=args.review), dataset, None) if args.review \
        else None
    result = build_brief(dataset, args.out, lang=args.lang, units=args.units,
                         as_of=as_of, model=args.model, scenarios=scenarios,
                         assumptions=assumptions, outputs=outputs, size=args.size,
                         term=term_of(args, dataset, as_of), review=review)
    if result.skipped:
        print(f"forecast brief: note: {len(result.skipped)} unit(s) asked for have no target "
              f"with figures and get no section: {', '.join(result.skipped)}", file=sys.stderr)
    for problem in result.problems:
        print(f"forecast brief: warning: {problem}", file=sys.stderr)
    shown = result.out / "index.html" if "html" in outputs else result.out
    print(f"brief written to {result.out} ({len(result.units)} unit sections, "
          f"{time.perf_counter() - started:.1f} s): {shown}")
    return 0
