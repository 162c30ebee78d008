"""``forecast backtest``: score every model on real outcomes and on synthetic units.

``forecast backtest --real`` runs the real-data backtest alone and prints the
table that the README and ``docs/backtest.md`` quote.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np

from forecast import paths as _paths
from forecast.config import Assumptions
from forecast.errors import ConfigError
from forecast.records import frame_records
from forecast.cli.common import add_data_option, add_json_option, load_dataset, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "backtest",
        help="score the forecasts: real outcomes (rolling origin) and synthetic units",
        description=("Forecast every target with a known outcome from the data available at "
                     "earlier dates, with every model, the official pace label and the rule "
                     "'every unit reaches its target', and score them per cell (target kind x "
                     "horizon x record length): share answered, Brier, log score, CRPS, "
                     "coverage, PIT, reliability, bootstrap intervals by unit; writes "
                     "real_*.csv, real_summary.md, real_run.json. Then the same on synthetic "
                     "units whose truth is known: scores.csv, scores.json, reliability.csv, "
                     "cases.csv, run.json (intervals by year)."),
    )
    add_data_option(p)
    add_json_option(p)
    p.add_argument("--out", metavar="DIR", type=Path, default=None,
                   help="output folder (default: reports/backtest/)")
    p.add_argument("--real", action="store_true",
                   help=("only the real-data backtest; print its headline table "
                         "(the one docs/backtest.md quotes)"))
    p.add_argument("--synthetic-units", metavar="N", type=int, default=50,
                   help=("synthetic units in the simulation study; 0 skips it "
                         "(default 50; docs/backtest.md reports 200)"))
    p.add_argument("--paths", metavar="N", type=int, default=2000,
                   help="Monte Carlo paths per forecast (default 2000)")
    p.add_argument("--seed", metavar="S", type=int, default=1,
                   help="seed of the synthetic world, the engine and the bootstrap (default 1)")
    p.add_argument("--models", nargs="+", metavar="NAME", default=None,
                   help="models to score (default: every model of the engine's registry)")
    p.add_argument("--boot", metavar="N", type=int, default=1000,
                   help="bootstrap replicates (default 1000)")
    p.add_argument("--workers", metavar="N", type=int, default=None,
                   help="processes over which forecast origins are spread (default: cores)")
    p.add_argument("--no-public", action="store_true",
                   help="skip the real-data backtest on the --data dataset")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from forecast.evaluate import real_report
    from forecast.evaluate.backtest import default_models, simulation_study
    from forecast.evaluate.real import real_backtest

    if args.synthetic_units < 0 or args.boot < 10:
        raise ConfigError("options --synthetic-units and --boot: expected N >= 0 units and "
                          f"at least 10 replicates, found {args.synthetic_units} and "
                          f"{args.boot}. Fix: e.g. --synthetic-units 200 --boot 1000.")
    if args.real and args.no_public:
        raise ConfigError("options --real and --no-public exclude each other. "
                          "Fix: drop one of them.")
    synthetic_units = 0 if args.real else args.synthetic_units
    if args.no_public and not synthetic_units:
        raise ConfigError("nothing to do: --no-public and --synthetic-units 0. "
                          "Fix: drop one of them.")
    assumptions = Assumptions(n_paths=args.paths, seed=args.seed)
    workers = args.workers or os.cpu_count() or 1
    models = tuple(args.models) if args.models else default_models()
    out = args.out or (_paths.REPORTS_DIR / "backtest")
    params = {"data": [str(p) for p in args.data] if args.data else str(_paths.DATA_DIR),
              "synthetic_units": synthetic_units, "paths": args.paths, "seed": args.seed,
              "models": list(models), "boot": args.boot, "public": not args.no_public,
              "workers": workers}
    real = sim = None
    files: list[Path] = []
    if not args.no_public:
        ds = load_dataset(args, assumptions)
        real = real_backtest(ds, models, assumptions, n_boot=args.boot, seed=args.seed,
                             workers=workers)
        files += real_report.write_real(real, out, params)
    if synthetic_units:
        sim = simulation_study(synthetic_units, args.seed, models, assumptions=assumptions,
                               n_boot=args.boot, workers=workers)
        files += write(sim, out, params)
    if args.json:
        payload = {} if sim is None else {
            "scores": frame_records(sim.scores), "reliability": frame_records(sim.reliability),
            "failures": frame_records(sim.failures)}
        if real is not None:
            payload = {**real_report.json_payload(real, []), **payload} if args.real \
                else {**payload, "real": real_report.json_payload(real, [])}
        print_json({**payload, "files": [str(f) for f in files]})
        return 0
    if real is not None:
        ref = real.parameters["reference"]
        print(f"Real outcomes: {real.parameters['n_cases']} cases, reference {ref}\n")
        print(real_report.headline_markdown(real_report.headline(real), ref))
    if sim is not None:
        print("\nSimulation study:\n" + summary_text(sim))
    print(f"\nWritten: {', '.join(str(f) for f in files)}")
    return 0


def write(res, out: Path, params: dict) -> list[Path]:
    """Write the result files and ``run.json`` (code revision, parameters, timings)."""
    from forecast.manifest import code_revision, package_versions
    from forecast.tables import write_csv

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = [out / "scores.csv", out / "scores.json", out / "reliability.csv",
             out / "cases.csv", out / "failures.csv", out / "run.json"]
    # Through forecast.tables, like every table written for spreadsheet programs.
    write_csv(files[0], res.scores, bom=False, float_format="%.6g")
    files[1].write_text(json.dumps({"scores": frame_records(res.scores)}, ensure_ascii=False,
                                   indent=1), encoding="utf-8")
    write_csv(files[2], res.reliability, bom=False, float_format="%.6g")
    write_csv(files[3], res.cases, bom=False, float_format="%.6g")
    write_csv(files[4], res.failures, bom=False)
    run_info = {"code_revision": code_revision(), "parameters": params,
                "results": res.parameters, "packages": package_versions(),
                "n_failures": int(len(res.failures))}
    files[5].write_text(json.dumps(run_info, ensure_ascii=False, indent=1, default=str),
                        encoding="utf-8")
    return files


def summary_text(res) -> str:
    """The scores as a plain table: one line per dataset and model (all cases)."""
    s = res.scores[res.scores["subset"] == "all"]
    if s.empty:
        return "No forecast could be scored (no target with a known outcome and a forecast)."
    lines = [f"{'dataset':<10} {'model':<16} {'n':>5} {'Brier [90% CI]':>22} {'log':>6} "
             f"{'cov50':>6} {'cov80':>6} {'IS80':>7} {'REL':>6} {'RES':>6}"]
    for _, r in s.iterrows():
        ci = f"{r['brier']:.3f} [{r['brier_lo']:.3f},{r['brier_hi']:.3f}]"
        lines.append(
            f"{r['dataset']:<10} {r['model']:<16} {int(r['n']):>5} {ci:>22} "
            f"{_f(r['log_score'])} {_f(r['coverage_50'])} {_f(r['coverage_80'])} "
            f"{_f(r['interval_score'], 7)} {_f(r['reliability'])} {_f(r['resolution'])}")
    if len(res.failures):
        counts = res.failures.groupby(["dataset", "model"]).size()
        lines.append("Engine calls that failed: " + ", ".join(
            f"{d}/{m} {n}" for (d, m), n in counts.items()) + " (see failures.csv)")
    return "\n".join(lines)


def _f(x, width: int = 6) -> str:
    return f"{x:>{width}.3f}" if x is not None and np.isfinite(x) else f"{'–':>{width}}"
