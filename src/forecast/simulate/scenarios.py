"""Scenarios: "what if future yearly attainment is ...".

A scenario fixes each future year's attainment of the unit's exposure
(its annual target, or the term target spread over the term; see
:mod:`forecast.models.base`) instead of letting the model forecast it:

- ``last``: the attainment of the last whole year reported;
- ``mean``: the ratio of all reported counts to their exposure;
- ``trend``: a straight line through the yearly attainments (two or more
  whole years; else ``mean``), continued and floored at zero;
- ``full``: 100 % of every target;
- a list given by the analyst, one value per future year (``90%,100%,110%``
  or ``0.9,1,1.1``); the last value repeats for later years.

Each scenario is reported twice in the outlook: with the model's noise
(shared year shock and over-dispersion) under the scenario's name, and as
the deterministic line under ``<name>-deterministic``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from forecast.models.baselines import observed_attainment
from forecast.errors import ConfigError, ModelError

NAMED = ("last", "mean", "trend", "full")
DETERMINISTIC_SUFFIX = "-deterministic"


@dataclass(frozen=True)
class Scenario:
    """A named rule for future attainment.

    Attributes
    ----------
    name : str
        ``last``, ``mean``, ``trend``, ``full`` or ``given:<values>``.
    values : tuple of float
        The analyst's attainments (``given`` only), first future year first.
    """

    name: str
    values: tuple[float, ...] = ()

    def attainment(self, ud, first_year: int, since=None):
        """``year -> attainment`` for the unit's future years (from ``first_year``).

        ``last``, ``mean`` and ``trend`` use the counts reported from ``since``
        (the target window's start) when there are any, else all of them.
        """
        if ud.exposure.kind == "own_level":
            raise ModelError(
                f"unit {ud.unit_id!r}: scenario {self.name!r} sets attainment of a target, "
                "but the unit has none. Fix: add its annual or term target.")
        if self.name == "full":
            return lambda y: 1.0
        if self.values:
            vals = self.values
            return lambda y: vals[min(max(y - first_year, 0), len(vals) - 1)]
        if since is not None and (ud.counts["period_start"] >= since).any():
            ud = dataclasses.replace(ud, counts=ud.counts[ud.counts["period_start"] >= since])
        yearly = yearly_attainment(ud)
        if self.name == "last":
            if len(yearly):
                last = float(yearly.iloc[-1])
                return lambda y: last
        if self.name == "trend" and len(yearly) >= 2:
            slope, intercept = np.polyfit(yearly.index.to_numpy(float), yearly.to_numpy(), 1)
            return lambda y: max(float(intercept + slope * y), 0.0)
        mean = observed_attainment(ud)
        if not np.isfinite(mean):
            raise ModelError(
                f"unit {ud.unit_id!r}: scenario {self.name!r} needs reported admissions to "
                "compute an attainment; none up to the as-of date. Fix: use 'full' or a list.")
        return lambda y: mean


def yearly_attainment(ud):
    """Whole-year counts divided by the year's exposure, by year."""
    full = ud.full_years()
    return full / ud.exposure.over(full.index)


def parse_scenario(text: str) -> Scenario:
    """Read a scenario name or a list of attainments (``90%,100%`` or ``0.9,1.0``)."""
    s = str(text).strip()
    if s in NAMED:
        return Scenario(s)
    body = s.split(":", 1)[1] if s.startswith("given:") else s
    try:
        vals = tuple(float(v.strip().rstrip("%")) / (100 if v.strip().endswith("%") else 1)
                     for v in body.split(",") if v.strip())
    except ValueError:
        vals = ()
    if not vals or any(v < 0 for v in vals):
        raise ConfigError(
            f"scenario {text!r}: expected one of {', '.join(NAMED)} or a list of yearly "
            "attainments such as 90%,100%,110% or 0.9,1,1.1. Fix: correct the --scenario value.")
    return Scenario("given:" + ",".join(f"{v:g}" for v in vals), vals)
