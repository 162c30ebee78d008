"""``forecast audit``: implied targets and disagreements between reported figures."""

from __future__ import annotations

import argparse
import re

from forecast.errors import ConfigError
from forecast.cli.common import add_data_option, add_json_option, load_dataset, print_json

_ASSUME = re.compile(r"\s*([A-Za-z0-9_-]+?)\s*:\s*(\d{4}(?:-\d{4})?)\s*=\s*([0-9.,_]+)\s*")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "audit",
        help="check reported figures: implied targets, percentages that do not match, "
             "contradictions",
        description=(
            "Audit the dataset: the target each count and attainment percentage implies "
            "(with the range that rounding or truncation of the printed decimals allows), "
            "percentages that disagree with count / target, conflicting reports, part-year "
            "counts above full-year ones, cumulative counts against their years, and target "
            "layers. Findings are information, not errors: the exit status is 0. "
            "See docs/audit.md."),
    )
    add_data_option(p)
    add_json_option(p)
    p.add_argument(
        "--tolerance", type=float, default=0.01, metavar="SHARE",
        help="relative tolerance for comparing counts (default 0.01 = 1 %%)")
    p.add_argument(
        "--rule", choices=("either", "round", "truncate"), default="either",
        help="how printed percentages were shortened to their decimals (default: either)")
    p.add_argument(
        "--assume-target", action="append", default=[], metavar="UNIT:YEAR=VALUE",
        dest="assume_target",
        help=("check percentages against a target the data does not hold, e.g. "
              "tien-giang:2022=1500 or tien-giang:2020-2025=6500; repeatable"))
    p.add_argument("--warnings-only", action="store_true", dest="warnings_only",
                   help="show only warnings, not information")
    p.set_defaults(run=run)


def parse_assumed(texts: list[str]) -> dict:
    """``["tien-giang:2022=1500"]`` → ``{("tien-giang", 2022): 1500.0}``."""
    out = {}
    for text in texts:
        m = _ASSUME.fullmatch(text)
        if not m:
            raise ConfigError(
                f"option --assume-target: found {text!r}; expected UNIT:YEAR=VALUE or "
                "UNIT:YYYY-YYYY=VALUE. Fix: e.g. --assume-target tien-giang:2022=1500.")
        unit, when, value = m.groups()
        number = float(value.replace(",", "").replace("_", "").replace(".", ""))
        out[(unit, int(when) if when.isdigit() else when)] = number
    return out


def run(args: argparse.Namespace) -> int:
    from forecast.audit.run import audit, findings_records, format_findings

    assumed = parse_assumed(args.assume_target)
    dataset = load_dataset(args)
    findings = audit(dataset, tolerance=args.tolerance, rule=args.rule,
                     assumed_targets=assumed)
    if args.warnings_only:
        findings = findings[findings["severity"] == "warning"].reset_index(drop=True)
    if args.json:
        print_json(findings_records(findings))
    else:
        print(format_findings(findings))
    return 0
