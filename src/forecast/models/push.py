"""The final push: units close to their target at the deadline tend to reach it.

Results feed the year's emulation ranking, so a unit a few admissions short
in the last weeks pushes them through (``../shared/domain.md``: "units push
admissions into the last months of the year"). Final results therefore pile
up just above 100 % of the target: on the shipped data, final attainments in
[100 %, 110 %) are several times as common as in [90 %, 100 %). A smooth
model of yearly counts cannot produce that step, and gives a unit that is
expected to land near its target a chance of reaching it near one half.

The engine models it as a last step of every simulated path: a final total
in ``[(1 - band) target, target)`` is raised to the target with probability
``share`` (:func:`forecast.simulate.engine.simulate_many`, the model's own
forecast only; scenarios of a given attainment are not pushed). ``band``
is an assumption (``Assumptions.push_band``, A9); ``share`` is fixed by
``Assumptions.push_share`` (default 0: off) or, when that is ``None``,
estimated here from the final results in the data. It is off by default
because the real-data backtest did not favour it (``docs/backtest.md``).

**Estimate.** Final results ``r = final / target`` of targets whose window
has ended by the as-of date: a whole-year count over the unit's annual count
target (one value), a whole-window attainment or excess report. Let ``A``
be the number in ``[1, 1 + band)`` and ``B`` in ``[1 - band, 1)``. Without a
push, a normal fit of ``log r`` (mean and sd over all results) gives the
expected shares ``E_A`` and ``E_B`` of the two bins; a push of ``share``
moves ``share · E_B`` from the lower bin to the upper, so
``B / (A + B) = (1 - share) E_B / (E_A + E_B)``. Solved for ``share`` with
``B`` and ``A + B`` shrunk by half a result and one result (a handful of
results does not claim a push), clipped to ``[0, MAX_SHARE]``. On data with
no push (the simulation study's generator) it comes out near 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtr  # the normal distribution function (what scipy.stats.norm.cdf calls)

from forecast.models.attainment import MEASURES, exact_count_targets, report_share, unique_value

MAX_SHARE = 0.9
"""A push is never certain: some units a few short stay short."""
MIN_RESULTS = 5
"""Fewer final results than this: no push is estimated (share 0)."""
WHOLE_SLACK_DAYS = 31
"""A report ending this close to the window's end counts as its final result."""


@dataclass(frozen=True)
class Push:
    """The final push applied to simulated totals (module docstring)."""

    band: float = 0.10
    share: float = 0.0
    n_results: int = 0
    n_above: int = 0
    n_below: int = 0

    @property
    def active(self) -> bool:
        return self.share > 0 and self.band > 0


def final_results(dataset, as_of=None) -> pd.DataFrame:
    """Final results ``unit_id, window_end, r`` of targets whose window ended by ``as_of``."""
    obs = dataset.observations
    obs = obs[(obs["subgroup"].fillna("") == "") & obs["period_start"].notna()
              & obs["period_end"].notna() & obs["value"].notna()]
    if as_of is not None:
        obs = obs[obs["period_end"] <= pd.Timestamp(as_of)]
    slack = pd.Timedelta(days=WHOLE_SLACK_DAYS)
    start, end = obs["period_start"], obs["period_end"]
    whole_year = (start.dt.month == 1) & (start.dt.day == 1) & (end.dt.year == start.dt.year) \
        & (end >= pd.to_datetime(start.dt.year.astype(str) + "-12-31") - slack)
    parts = []
    # Whole-year counts over the unit's (single-valued) annual count target.
    t = exact_count_targets(dataset.targets)
    ann = unique_value(t[t["kind"] == "annual"].assign(year=lambda f: f["year"].astype(int)),
                        ["unit_id", "year"], "target")
    cnt = obs[whole_year & (obs["measure"] == "admitted")].assign(year=lambda f: f["period_start"].dt.year)
    cnt = cnt.merge(ann, on=["unit_id", "year"])
    parts.append(pd.DataFrame({"unit_id": cnt["unit_id"], "key": cnt["year"].astype(str),
                               "r": cnt["value"] / cnt["target"]}))
    # Attainment reports over a whole year, or over a term target's whole window.
    pct = obs[obs["measure"].isin(MEASURES)]
    share = pd.Series(report_share(pct["value"], pct["measure"]), index=pct.index)
    yearly = whole_year.reindex(pct.index)
    parts.append(pd.DataFrame({"unit_id": pct["unit_id"][yearly],
                               "key": pct["period_start"][yearly].dt.year.astype(str),
                               "r": share[yearly]}))
    term = t[t["kind"] == "term"].dropna(subset=["start", "deadline"])
    tw = pct.reset_index().merge(term[["unit_id", "start", "deadline", "target_id"]],
                                 left_on=["unit_id", "period_start"], right_on=["unit_id", "start"])
    tw = tw[(tw["period_end"] - tw["deadline"]).abs() <= slack]
    parts.append(pd.DataFrame({"unit_id": tw["unit_id"], "key": tw["target_id"],
                               "r": report_share(tw["value"], tw["measure"])}))
    out = pd.concat(parts, ignore_index=True)
    out = out[np.isfinite(out["r"]) & (out["r"] > 0)]
    # One result per unit and window (a count and its printed share are one figure).
    return out.drop_duplicates(["unit_id", "key"]).reset_index(drop=True)


def estimate_push(dataset, as_of=None, band: float = 0.10, share: float | None = None) -> Push:
    """The :class:`Push` for a dataset as of a date (module docstring).

    Parameters
    ----------
    band : float
        Width of the band below the target that a push can close (A9).
    share : float, optional
        A fixed share (0 turns the push off); ``None`` estimates it.
    """
    if share is not None:
        return Push(band, float(share))
    res = final_results(dataset, as_of)
    lr = np.log(res["r"].to_numpy(float))
    above = int(((lr >= 0) & (lr < np.log1p(band))).sum())
    below = int(((lr < 0) & (lr >= np.log1p(-band))).sum())
    if len(lr) < MIN_RESULTS or band <= 0:
        return Push(band, 0.0, len(lr), above, below)
    m, s = float(np.mean(lr)), max(float(np.std(lr, ddof=1)), 0.05)
    e_above = ndtr((np.log1p(band) - m) / s) - ndtr(-m / s)
    e_below = ndtr(-m / s) - ndtr((np.log1p(-band) - m) / s)
    frac_below = (below + 0.5) / (above + below + 1.0)
    est = 1.0 - frac_below * (e_above + e_below) / max(e_below, 1e-12)
    return Push(band, float(np.clip(est, 0.0, MAX_SHARE)), len(lr), above, below)


def apply_push(finals: np.ndarray, target: float, push: Push, rng) -> np.ndarray:
    """Raise the totals in ``[(1 - band) target, target)`` to the target with probability ``share``.

    ``finals`` (paths,) is changed in place and returned; ``rng`` is the
    unit's own stream, so a unit's push does not depend on other units.
    """
    if not push.active or not np.isfinite(target) or target <= 0:
        return finals
    goal = float(np.ceil(target - 1e-9))
    near = (finals >= (1 - push.band) * target) & (finals < target - 1e-9)
    lift = near & (rng.random(finals.shape[0]) < push.share)
    finals[lift] = goal
    return finals
