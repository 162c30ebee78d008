"""Why the headline chance is what it is, in one sentence, when it seems to
disagree with the pace label or the scenario table.

A reader sees Tiền Giang "on track" at 1.35 times the pace it needs, every
scenario at 95-99 %, and a headline of 70 %. The three answer different
questions: the pace label compares the average so far with the pace
needed; a scenario fixes each remaining year's attainment; the headline is
the model's own forecast, with the spread of a year's count. This module
finds such a disagreement in an outlook row and says, from the row's own
numbers, what lies behind it:

* the model expects fewer (or more) admissions a year than the unit's
  recent years (with the engine's ``expected_attainment`` and
  ``recent_attainment`` columns when present, else from the median final
  total and the observed pace), and how much the unit's own record weighs
  (``own_weight``, when present);
* the deadline falls before the year's end, when units have admitted only
  part of a year's members (the within-year profile);
* the target lies inside the 80 % range of the final total, so the
  headline counts the years that fall short.

The brief's unit sections and notebook 01 call :func:`why_headline`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.brief.text import t
from forecast.labels import fmt_date, fmt_int, fmt_num, fmt_pct, fmt_prob, label_text, missing
from forecast.simulate.scenarios import DETERMINISTIC_SUFFIX

GAP = 0.15
"""Scenario chances all this far (or more) from the headline count as a disagreement."""

PACE_GAP = 0.03
"""Expected and recent pace closer than this share of the recent one are 'the same'."""


def _value(row: pd.Series, column: str) -> float | None:
    """A column's value when the table has it and it is a number, else None."""
    if column not in row.index or missing(row[column]):
        return None
    return float(row[column])


def _share(x: float) -> float:
    """An attainment as a share: the engine may give 0.85 or 85 (percent)."""
    return x / 100 if x > 5 else x


def prior_only(row: pd.Series) -> bool:
    """True when the unit has no admission report in the target's window, so
    its chance comes from the other units alone (label ``no data``)."""
    return str(row.get("label", "")) == "no data"


def scenario_chances(rows: pd.DataFrame) -> list[float]:
    """The chances of the scenarios (not the model's row, not the noise-free
    variants) that have one."""
    keep = rows[(rows["scenario"].astype(str) != "model")
                & ~rows["scenario"].astype(str).str.endswith(DETERMINISTIC_SUFFIX)]
    return [float(p) for p in keep["p_reach"] if not missing(p)]


def disagreement(row: pd.Series, chances: list[float], p_level: float = 0.8) -> dict:
    """What the headline seems to disagree with.

    Returns
    -------
    dict
        ``pace``: ``"lower"`` when the label is "on track" and the chance is
        below ``p_level``, ``"higher"`` when the label says the unit is
        behind and the chance is at least ``p_level``; ``scenarios``:
        ``"lower"``/``"higher"`` when every scenario's chance is at least
        :data:`GAP` above/below the headline. Empty when all agree.
    """
    p = _value(row, "p_reach")
    if p is None or prior_only(row) or float(row.get("remaining", 1) or 0) <= 0:
        return {}
    out = {}
    label = str(row.get("label", ""))
    if label == "on track" and p < p_level:
        out["pace"] = "lower"
    elif label in ("acceleration needed", "limited progress") and p >= p_level:
        out["pace"] = "higher"
    if chances and min(chances) >= p + GAP:
        out["scenarios"] = "lower"
    elif chances and max(chances) <= p - GAP:
        out["scenarios"] = "higher"
    return out


def _pace_reason(row: pd.Series, lang: str, lower: bool) -> str | None:
    """The model's expected pace against the recent one, in the direction asked."""
    expected, recent = _value(row, "expected_attainment"), _value(row, "recent_attainment")
    if expected is not None and recent is not None:
        expected, recent = _share(expected), _share(recent)
        key, shown = "why_attainment", (fmt_pct(100 * expected, lang, 0),
                                        fmt_pct(100 * recent, lang, 0))
    else:
        q50, cum = _value(row, "final_q50"), _value(row, "cumulative")
        years, recent = _value(row, "years_left"), _value(row, "observed_per_year")
        if None in (q50, cum, years, recent) or years <= 0:
            return None
        expected = (q50 - cum) / years
        key, shown = "why_per_year", (fmt_int(expected, lang), fmt_int(recent, lang))
    if recent <= 0 or abs(expected - recent) < PACE_GAP * recent or (expected < recent) != lower:
        return None
    text = t(key + ("_fewer" if lower else "_more"), lang, expected=shown[0], recent=shown[1],
             years=fmt_num(_value(row, "years_left") or 0, lang, 1))
    weight = _value(row, "own_weight")
    if weight is not None:
        text += t("why_own_weight", lang, w=fmt_pct(100 * weight, lang, 0))
    return text


def _deadline_reason(row: pd.Series, lang: str, profile) -> str | None:
    """The deadline cuts the last year before its year-end rush."""
    deadline = pd.Timestamp(row["deadline"])
    years = _value(row, "years_left")
    if (deadline.month, deadline.day) == (12, 31) or years is None or years <= 0 \
            or profile is None:
        return None
    from forecast.models.profile import share_by

    share = float(share_by(deadline, profile))
    elapsed = deadline.day_of_year / (366 if deadline.is_leap_year else 365)
    if share > elapsed - 0.02:  # no year-end rush cut off: nothing to explain
        return None
    return t("why_deadline", lang, deadline=fmt_date(deadline, lang), year=deadline.year,
             share=fmt_pct(100 * share, lang, 0))


def _spread_reason(row: pd.Series, lang: str) -> str | None:
    """The target lies inside the 80 % range of the final total."""
    lo, hi, target = (_value(row, c) for c in ("final_q10", "final_q90", "target"))
    if None in (lo, hi, target) or not lo < target < hi:
        return None
    return t("why_spread", lang, q10=fmt_int(lo, lang), q90=fmt_int(hi, lang),
             target=fmt_int(target, lang))


def why_headline(row: pd.Series, scenarios: pd.DataFrame | None, lang: str, *,
                 profile=None, p_level: float = 0.8) -> str | None:
    """One sentence on why the headline chance is what it is, or None.

    Parameters
    ----------
    row : Series
        The outlook row of the model's own forecast (``scenario == "model"``).
        Uses ``p_reach``, ``label``, ``pace_ratio``, ``target``,
        ``cumulative``, ``remaining``, ``years_left``, ``observed_per_year``,
        ``final_q10/q50/q90``, ``deadline``; and, when the table has them,
        ``expected_attainment``, ``recent_attainment``, ``own_weight`` and
        ``why`` (the engine's own reason, used in English when none of the
        reasons here applies).
    scenarios : DataFrame or None
        The outlook rows of the same unit, target and model (any scenarios).
    lang : {"vi", "en"}
    profile : sequence of 12 floats, optional
        The within-year profile the model used (for the deadline reason).
    p_level : float
        The chance a reader calls likely (``Assumptions.p_level``).

    Returns
    -------
    str or None
        None when the headline, the pace label and the scenarios agree.
    """
    chances = scenario_chances(scenarios) if scenarios is not None else []
    found = disagreement(row, chances, p_level)
    if not found:
        return None
    lower = "lower" in found.values()
    against = []
    if "pace" in found:
        against.append(t("why_against_pace", lang, label=label_text(row["label"], lang),
                         ratio=fmt_num(float(row["pace_ratio"]), lang, 2)))
    if "scenarios" in found:
        lo, hi = min(chances), max(chances)
        shown = fmt_prob(lo, lang, 1) if np.isclose(lo, hi) else \
            f"{fmt_prob(lo, lang, 1)}–{fmt_prob(hi, lang, 1)}"
        against.append(t("why_against_scenarios", lang, range=shown))
    reasons = [r for r in (_pace_reason(row, lang, lower),
                           _deadline_reason(row, lang, profile) if lower else None,
                           _spread_reason(row, lang)) if r]
    if not reasons:
        why = row.get("why") if "why" in row.index else None
        if lang == "en" and isinstance(why, str) and why.strip():
            reasons = [why.strip().rstrip(".")]
        else:
            reasons = [t("why_model", lang)]
    return t("why_sentence", lang, p=fmt_prob(row["p_reach"], lang, 1),
             against=t("and", lang).join(against), reasons="; ".join(reasons))


def prior_note(row: pd.Series, lang: str) -> str | None:
    """For a unit with no report yet: where its chance comes from."""
    if not prior_only(row) or missing(row.get("p_reach")):
        return None
    return t("why_prior", lang, p=fmt_prob(row["p_reach"], lang, 1))
