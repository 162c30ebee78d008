"""Options about scenarios and outputs that several commands share.

(The data, as-of and JSON options are in :mod:`forecast.cli.common`.)
"""

from __future__ import annotations

import argparse

SCENARIO_HELP = (
    "future yearly attainment: last, mean, trend, full, a list such as 90%%,100%%,110%%; "
    "admissions per year: 1200/năm (or 1200/yr) or one count per remaining year "
    "1200,1300,1400; or a scenario file NAME.csv with columns unit_id, scenario, year, "
    "count or attainment (docs/scenarios.md)")


def read_scenarios(texts, dataset) -> list:
    """The scenarios of ``--scenario`` read and checked (scenario files against the data's units)."""
    from forecast.simulate.scenarios import check_scenario_units, parse_scenarios

    scenarios = parse_scenarios(texts or [])
    check_scenario_units(scenarios, dataset.units["unit_id"])
    return scenarios


def add_lang_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=("vi", "en"), default="vi",
                   help="language of the text, charts and number formats (default: vi)")
