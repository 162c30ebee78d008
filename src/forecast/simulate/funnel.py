"""The candidate funnel: a unit's conversion rates and the pipeline a yearly count needs.

Admission is a funnel: candidates are introduced, attend the awareness
class, and some are admitted. "What it would take"
(:mod:`forecast.simulate.requirements`) turns a required yearly count into
the candidates to introduce and to train with these rates. Method and
caveats: ``docs/requirements.md``, "The candidate pipeline".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from forecast.config import Assumptions
from forecast.errors import ModelError


@dataclass(frozen=True)
class Conversion:
    """Share of candidates at a funnel stage who are admitted.

    Attributes
    ----------
    introduced, trained : float
        Admitted / introduced, admitted / trained (awareness class).
    introduced_from, trained_from : str
        Where each rate came from: ``obs <obs_id>``, ``counts <obs_id>/<obs_id>``
        or ``default (A5)``.
    """

    introduced: float
    trained: float
    introduced_from: str = "default (A5)"
    trained_from: str = "default (A5)"


def conversion_rates(dataset: Any, unit_id: str, assumptions: Assumptions | None = None,
                     as_of: Any = None) -> Conversion:
    """The unit's conversion rates: reported, else derived from counts, else the defaults.

    For each stage (``introduced``, ``trained``), in order of preference:

    1. the latest whole-unit ``conversion_pct`` observation with ``ref`` equal
       to the stage (``36,7%`` -> 0.367);
    2. the latest pair of whole-unit ``admitted`` and stage counts over the
       very same period (Tuyên Quang's bloc: 1,147 admitted of 1,270 trained);
    3. ``Assumptions.conversion_introduced`` / ``conversion_trained``
       (36.7 % and 57.1 %, seed 003).

    Rates outside (0, 1] are ignored (a typo, or a stage counted differently).
    """
    assumptions = assumptions or Assumptions()
    obs = dataset.rows_of("observations", unit_id)
    found = {}
    # Nothing reported about the funnel (most units): the defaults, without the search.
    funnel = bool(np.isin(obs["measure"].to_numpy(),
                          ("conversion_pct", "introduced", "trained")).any())
    if funnel:
        obs = obs[(obs["unit_id"] == unit_id) & (obs["subgroup"].fillna("") == "")]
        if as_of is not None:
            obs = obs[obs["period_end"] <= pd.Timestamp(as_of)]
        obs = obs.sort_values("period_end")
    for stage in ("introduced", "trained") if funnel else ():
        pct = obs[(obs["measure"] == "conversion_pct") & (obs["ref"].fillna("") == stage)]
        pct = pct[(pct["value"] > 0) & (pct["value"] <= 100)]
        if len(pct):
            last = pct.iloc[-1]
            found[stage] = (float(last["value"]) / 100, f"obs {last['obs_id']}")
            continue
        adm = obs[obs["measure"] == "admitted"]
        stg = obs[(obs["measure"] == stage) & (obs["value"] > 0)]
        pairs = adm.merge(stg, on=["period_start", "period_end"], suffixes=("_a", "_s"))
        pairs = pairs[(pairs["value_a"] > 0) & (pairs["value_a"] <= pairs["value_s"])]
        if len(pairs):
            last = pairs.iloc[-1]
            found[stage] = (float(last["value_a"] / last["value_s"]),
                            f"counts {last['obs_id_a']}/{last['obs_id_s']}")
    intro = found.get("introduced", (assumptions.conversion_introduced, "default (A5)"))
    train = found.get("trained", (assumptions.conversion_trained, "default (A5)"))
    return Conversion(intro[0], train[0], intro[1], train[1])


def pipeline(count_per_year: float, conversion: Conversion) -> tuple[float, float]:
    """Candidates to introduce and to train per year to admit ``count_per_year``.

    ``introduced = count / conversion.introduced``, ``trained = count /
    conversion.trained``, rounded up to whole people. NaN stays NaN.
    """
    if count_per_year is None or not np.isfinite(count_per_year):
        return math.nan, math.nan
    if count_per_year < 0:
        raise ModelError(f"pipeline: found a negative yearly count {count_per_year!r}; "
                         "expected 0 or more.")
    return (float(math.ceil(count_per_year / conversion.introduced - 1e-9)),
            float(math.ceil(count_per_year / conversion.trained - 1e-9)))
