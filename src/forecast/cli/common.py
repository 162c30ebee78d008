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


def add_term_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--term", metavar="YYYY-YYYY", default=None,
        help=("only the targets of this term (a label of targets.csv or terms.csv, e.g. "
              "2025-2030); default: the term that contains --as-of, every term without it"))


def term_of(args: argparse.Namespace, dataset, as_of: pd.Timestamp | None) -> str | None:
    """The term chosen by ``--term``, else the one containing ``as_of`` (None: every term)."""
    from forecast.data.terms import check_term, term_containing

    given = getattr(args, "term", None)
    if given is None:
        return term_containing(dataset, as_of) if as_of is not None else None
    return check_term(dataset, given)


def as_of_date(args: argparse.Namespace) -> pd.Timestamp | None:
    """The ``--as-of`` value as a Timestamp, or None (several dates: the earliest)."""
    given = getattr(args, "as_of", None)
    if given is None:
        return None
    dates = []
    for value in given if isinstance(given, (list, tuple)) else [given]:
        try:
            dates.append(parse_date(value, end=True))
        except ParseError as exc:
            raise ConfigError(f"option --as-of: found {value!r}; expected {exc}. "
                              "Fix: write the date as 2022-12-31.") from exc
    return min(dates)


def load_dataset(args: argparse.Namespace, assumptions: Assumptions | None = None):
    """Load the dataset named by ``--data`` (or the shipped one) and check ``--as-of``.

    Figures dated after today are a warning on stderr (a typed 2099 for
    2019 would otherwise go unnoticed); an ``--as-of`` before the first
    admission figure is an error, and one that leaves later figures out says
    how many.
    """
    from forecast.data.dataset import load

    dataset = load(getattr(args, "data", None), assumptions=assumptions)
    command = f"forecast {getattr(args, 'command', '')}".strip()
    today = pd.Timestamp.today().normalize()
    late = _dated_after(dataset, today)
    if late:
        note(command, "warning", f"{len(late)} figure(s) dated after today ({today.date()}), "
             f"usually a mistyped year: {_listed(late)}. Fix: correct the dates.")
    as_of = as_of_date(args)
    if as_of is not None:
        _check_as_of(dataset, as_of)
        later = _dated_after(dataset, as_of)
        if later and len(later) > len(late):
            note(command, "note", f"{len(later)} figure(s) dated after --as-of {as_of.date()} "
                 "are not used.")
    return dataset


def note(command: str, kind: str, text: str) -> None:
    """One line on stderr: ``forecast outlook: warning: ...``."""
    print(f"{command}: {kind}: {text}", file=sys.stderr)


def _dated_after(dataset, when: pd.Timestamp) -> list[str]:
    """``obs_id (date, file row N)`` of every observation ending after ``when``."""
    obs = dataset.observations
    late = obs[obs["period_end"] > when]
    return [f"{oid} ({end.date()}, {dataset.where('observations', oid)})"
            for oid, end in zip(late["obs_id"], late["period_end"])]


def _listed(items: list[str], shown: int = 5) -> str:
    more = f" and {len(items) - shown} more" if len(items) > shown else ""
    return "; ".join(items[:shown]) + more


def _check_as_of(dataset, as_of: pd.Timestamp) -> None:
    """Refuse an ``--as-of`` before every admission figure: nothing would be used."""
    adm = dataset.observations[dataset.observations["measure"] == "admitted"]
    if adm.empty or as_of >= adm["period_end"].min():
        return
    first = adm.loc[adm["period_end"].idxmin()]
    raise ConfigError(
        f"option --as-of: {as_of.date()} is before the first admission figure of the data "
        f"({first['period_end'].date()}, {dataset.where('observations', first['obs_id'])}); "
        f"no figure would be used. Fix: give a date on or after "
        f"{first['period_end'].date()}, or leave --as-of out for the latest figures.")


def skipped_units(dataset, table: pd.DataFrame, as_of: pd.Timestamp | None,
                  units: list[str] | None) -> dict[str, str]:
    """Units asked for (default: every unit with a target) with no row in ``table``, and why.

    The outlook reports a unit's term targets whose term has begun and the
    annual targets of the year it looks at; a unit can have targets and
    still no row, and must not vanish without a line saying why.
    """
    from forecast.data.lineage import ended_units
    from forecast.models.progress import select_targets

    targets = dataset.targets
    asked = list(dict.fromkeys(units)) if units else list(dict.fromkeys(targets["unit_id"]))
    shown = set(table["unit_id"])
    adm = dataset.observations[dataset.observations["measure"] == "admitted"]
    out = {}
    lin = dataset.lineage
    for u in (u for u in asked if u not in shown):
        mine = targets[targets["unit_id"] == u]
        if u in ended_units(dataset, as_of):
            event = lin[lin["predecessor_id"] == u].iloc[0]
            into = f" into {event['successor_id']}" if event["successor_id"] else ""
            out[u] = (f"it ended on {event['date'].date()} ({event['event']}{into}, lineage "
                      f"{event['event_id']}); see forecast review")
            continue
        latest = adm.loc[adm["unit_id"] == u, "period_end"].max()
        chosen = select_targets(dataset, as_of, [u]) if not mine.empty else mine
        if mine.empty:
            out[u] = "it has no target"
        elif not chosen.empty and (chosen["measure"] == "pct_members").all():
            out[u] = ("its targets are rates of membership (pct_members) and no membership "
                      "figure turns them into a count")
        elif not chosen.empty:
            out[u] = "its targets have no number the outlook can use"
        elif as_of is not None:
            out[u] = (f"no term target begun by {as_of.date()} and no annual target for "
                      f"{as_of.year}")
        elif pd.isna(latest):
            out[u] = "only annual targets, and no admission figure to say which year is current"
        else:
            out[u] = (f"only annual targets, none for {latest.year}, the year of its latest "
                      f"admission figure ({latest.date()})")
    return out


def print_json(obj: Any) -> None:
    """Print JSON with Vietnamese text kept readable (UTF-8, not escaped)."""
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
