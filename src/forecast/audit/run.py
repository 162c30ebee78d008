"""The audit: what the reported figures imply and where they disagree.

:func:`audit` runs every check on a dataset and returns one findings table
with fixed columns (:data:`FINDING_COLUMNS`). Findings are information for
the analyst, not errors: a misprinted percentage is shown, never raised.
The rules (printed decimals, rounding or truncation, tolerance for counts)
are explained with worked examples in ``docs/audit.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from forecast.audit.counts import (
    annual_vs_term, conflicting_reports, cumulative_vs_years, part_exceeds_whole,
    target_layers,
)
from forecast.audit.findings import FINDING_COLUMNS, KINDS, SEVERITIES, empty_findings
from forecast.audit.pairs import percent_findings
from forecast.audit.percent import check_rule
from forecast.errors import ConfigError
from forecast.records import frame_records

__all__ = ["FINDING_COLUMNS", "KINDS", "audit", "findings_records", "format_findings"]

DEFAULT_TOLERANCE = 0.01
"""Relative tolerance for comparing counts: 1 % of the larger count."""


def audit(dataset, tolerance: float = DEFAULT_TOLERANCE, rule: str = "either",
          near: float = 0.02, assumed_targets: Mapping | None = None) -> pd.DataFrame:
    """Audit a dataset: implied targets, disagreements, contradictions.

    Parameters
    ----------
    dataset : Dataset
        As returned by :func:`forecast.data.dataset.load`.
    tolerance : float
        Relative tolerance for comparing counts (reports of the same figure,
        a cumulative count and the years it covers): two counts agree when
        they differ by at most ``tolerance`` times the larger one.
    rule : {"either", "round", "truncate"}
        How printed percentages may have been shortened to their printed
        decimals. ``"either"`` accepts both and says which one explains a
        figure.
    near : float
        A year's implied target that misses the whole number the unit's other
        years share is flagged when within this relative distance of it.
    assumed_targets : mapping, optional
        Targets the analyst supplies where the data has none:
        ``{(unit_id, 2022): 1500}`` (annual) or ``{(unit_id, "2020-2025"): 6500}``
        (term). Percentages are checked against them like against target rows.

    Returns
    -------
    DataFrame
        One row per finding, columns :data:`FINDING_COLUMNS`, sorted by unit
        name, then warnings before information, then kind and period.

    Raises
    ------
    ConfigError
        For a tolerance outside [0, 1), an unknown rule or a malformed
        assumed target.
    """
    if not 0 <= tolerance < 1:
        raise ConfigError(f"audit tolerance: found {tolerance!r}; expected a share in [0, 1) "
                          "such as 0.01 for 1 %. Fix: write 1 % as 0.01.")
    if not 0 <= near < 1:
        raise ConfigError(f"audit near: found {near!r}; expected a share in [0, 1) such as "
                          "0.02. Fix: write 2 % as 0.02.")
    check_rule(rule)
    assumed = _check_assumed(assumed_targets or {}, dataset)
    obs = dataset.observations
    rows: list[dict] = []
    rows += percent_findings(dataset, rule=rule, near=near, assumed=assumed)
    rows += conflicting_reports(obs, tolerance)
    rows += part_exceeds_whole(obs, tolerance)
    rows += cumulative_vs_years(obs, tolerance)
    rows += target_layers(dataset.targets, tolerance)
    rows += annual_vs_term(dataset.targets, dataset.terms)
    if not rows:
        return empty_findings()
    df = pd.DataFrame(rows, columns=list(FINDING_COLUMNS))
    names = dict(zip(dataset.units["unit_id"], dataset.units["name_vi"]))
    df["name"] = df["unit_id"].map(lambda u: names.get(u, u))
    df["_sev"] = df["severity"].map(SEVERITIES.index)
    df["_kind"] = df["kind"].map(list(KINDS).index)
    df = df.sort_values(["name", "unit_id", "_sev", "_kind", "period"], kind="stable")
    return df.drop(columns=["_sev", "_kind"]).reset_index(drop=True)


def _check_assumed(assumed: Mapping, dataset) -> dict:
    out = {}
    units = set(dataset.units["unit_id"])
    for key, value in assumed.items():
        ok = isinstance(key, tuple) and len(key) == 2 and key[0] in units
        when = str(key[1]) if ok else ""
        ok = ok and (when.isdigit() and len(when) == 4
                     or bool(pd.Series([when]).str.fullmatch(r"\d{4}-\d{4}").iloc[0]))
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not ok or not number > 0:
            raise ConfigError(
                f"assumed target {key!r}: {value!r}; expected (unit_id, year) or (unit_id, "
                "'YYYY-YYYY') of a unit in the dataset, with a positive count. "
                "Fix: e.g. {('tien-giang', 2022): 1500}.")
        out[(key[0], int(when) if when.isdigit() else when)] = number
    return out


def findings_records(findings: pd.DataFrame) -> list[dict]:
    """The findings as JSON-ready dicts (NaN → None, lists kept)."""
    return frame_records(findings)


def format_findings(findings: pd.DataFrame, width: int = 100) -> str:
    """A readable text table of findings, grouped by unit."""
    import textwrap

    if findings.empty:
        return "No findings."
    lines = []
    for (unit_id, name), grp in findings.groupby(["unit_id", "name"], sort=False):
        n_warn = int((grp["severity"] == "warning").sum())
        lines.append(f"{name} ({unit_id}): {len(grp)} finding{'s' if len(grp) != 1 else ''}, "
                     f"{n_warn} warning{'s' if n_warn != 1 else ''}")
        for _, f in grp.iterrows():
            head = f"  {f['severity'].upper():7} {f['kind']:<21} {f['period']}"
            lines.append(head.rstrip())
            body = textwrap.fill(f["explanation"], width=width, initial_indent=" " * 10,
                                 subsequent_indent=" " * 10)
            lines.append(body)
            lines.append(" " * 10 + "figures: " + ", ".join(f["figures"]))
        lines.append("")
    counts = findings["kind"].value_counts()
    n_warn = int((findings["severity"] == "warning").sum())
    n_units = findings["unit_id"].nunique()
    lines.append(f"{len(findings)} findings ({n_warn} warnings) in "
                 f"{n_units} unit{'s' if n_units != 1 else ''}: "
                 + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return "\n".join(lines)
