"""What it would take: the attainment, yearly count and candidate pipeline needed.

Given a simulation that answers "with yearly attainment ``x`` of the annual
targets over the rest of the term, what is the chance of reaching the term
target?", this module finds the smallest constant ``x`` that gives the chance
``Assumptions.p_level`` (0.8), the yearly count it means, and how many
candidates must be introduced and trained each year to admit that many, using
the unit's conversion rates (its own where reported, else the defaults of
seed 003). Method and caveats: ``docs/requirements.md``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import ConfigError, ModelError
from forecast.simulate.funnel import Conversion, pipeline

REQUIREMENT_COLUMNS = ["required_attainment", "required_per_year_p", "introduced_needed",
                       "trained_needed"]
"""The outlook columns this module fills (names fixed by the outlook contract)."""

STATUSES = ("reached", "no_more_needed", "found", "unreachable")
"""``reached``: the target is already met (p = 1 with no further admissions);
``no_more_needed``: p ≥ level even with no further admissions (the rest of a
count already reported, e.g. a nowcast, carries it); ``found``: the smallest
attainment found by bisection; ``unreachable``: not even ``upper`` × the
targets gives the level."""


@dataclass(frozen=True)
class Requirement:
    """Result of the inverse search.

    Attributes
    ----------
    status : str
        One of :data:`STATUSES`.
    attainment : float or None
        Smallest constant yearly attainment (1.0 = 100 % of each year's
        target) giving ``p_reach >= p_level``; 0 when nothing more is needed;
        None when unreachable.
    p_reach : float
        The chance at that attainment (at ``upper`` when unreachable).
    evaluations : int
        Number of simulations run.
    """

    status: str
    attainment: float | None
    p_reach: float
    evaluations: int


def required_attainment(simulate: Callable[[float], float], p_level: float = 0.8, *,
                        upper: float = 5.0, tol: float = 1e-3,
                        max_iter: int = 60) -> Requirement:
    """Smallest constant yearly attainment with ``simulate(attainment) >= p_level``.

    Bisection on ``[0, upper]``. ``p_reach`` rises with attainment; a Monte
    Carlo ``simulate`` must reuse the same random numbers on every call
    (a fixed seed) so that it is monotone, not merely monotone on average.
    One problem of :func:`required_attainments`.

    Parameters
    ----------
    simulate : callable
        ``attainment -> p_reach`` for the rest of the term.
    p_level : float
        Required chance, in (0, 1).
    upper : float
        Largest attainment considered (5 = 500 % of every remaining annual
        target); above it the target is reported ``unreachable``.
    tol : float
        Width of the final bracket, in attainment units (0.001 = 0.1 point).
    max_iter : int
        Safety limit on bisection steps.

    Returns
    -------
    Requirement
    """
    got = required_attainments(lambda idx, att: [simulate(a) for a in att], 1, p_level,
                               upper=upper, tol=tol, max_iter=max_iter)[0]
    if isinstance(got, Exception):
        raise got
    return got


def required_attainments(simulate: Callable[[list, list], list], n: int, p_level: float = 0.8,
                         *, upper: float = 5.0, tol: float = 1e-3,
                         max_iter: int = 60) -> list:
    """:func:`required_attainment` for ``n`` problems at once, bisected in step.

    Each step asks ``simulate`` once for every problem still open, so a
    batched engine runs all units of a window in one call per step. Every
    problem follows exactly the steps it would follow alone.

    Parameters
    ----------
    simulate : callable
        ``(indices, attainments) -> p_reach`` per index, or the
        :class:`~forecast.errors.ModelError` the model raised for it.
    n : int
        Number of problems.
    p_level, upper, tol, max_iter
        As :func:`required_attainment`.

    Returns
    -------
    list
        Per problem, a :class:`Requirement` or the ModelError that stopped it.
    """
    if not 0 < p_level < 1:
        raise ConfigError(f"required_attainment: p_level must be in (0, 1), found {p_level!r}. "
                          "Fix: e.g. 0.8 for an 80 % chance.")
    if not upper > 0 or not tol > 0:
        raise ConfigError(f"required_attainment: upper and tol must be positive, found "
                          f"upper={upper!r}, tol={tol!r}.")
    out: list = [None] * n

    def ask(idx: list, att: list) -> dict:
        got = {}
        for i, p in zip(idx, simulate(idx, att) if idx else []):
            if isinstance(p, ModelError):
                out[i] = p
            else:
                got[i] = float(p)
        return got

    low, p_zero = [], {}
    for i, p0 in ask(list(range(n)), [0.0] * n).items():
        if p0 >= p_level:
            out[i] = Requirement("reached" if p0 >= 1 else "no_more_needed", 0.0, p0, 1)
        else:
            low.append(i)
            p_zero[i] = p0
    # The answer lies on the grid bisection of [0, upper] to a width <= tol
    # would reach: upper / 2**m. The bracket [a, b] (grid indices) keeps
    # p(a) < p_level <= p(b); each step tries the point where the line
    # through (a, probit p(a)) and (b, probit p(b)) crosses probit(p_level),
    # or the midpoint after a step that did not halve the bracket. With p
    # monotone in the attainment, the answer is the smallest grid point with
    # p >= p_level, the one bisection finds, in about half the simulations.
    m = 0
    while upper / 2 ** m > tol:
        m += 1
    step = upper / 2 ** m
    state = {}  # index -> [a, b, p(a), p(b), evaluations, bisect next]
    for i, p_hi in ask(low, [float(upper)] * len(low)).items():
        if p_hi < p_level:
            out[i] = Requirement("unreachable", None, p_hi, 2)
        else:
            state[i] = [0, 2 ** m, p_zero[i], p_hi, 2, False]
    while True:
        active = [i for i, st in state.items() if st[1] - st[0] > 1 and st[4] < max_iter + 2]
        if not active:
            break
        trial = [_next_point(state[i], p_level) for i in active]
        got = ask(active, [g * step for g in trial])
        for i, g in zip(active, trial):
            if i not in got:
                del state[i]
                continue
            st = state[i]
            width = st[1] - st[0]
            if got[i] >= p_level:
                st[1], st[3] = g, got[i]
            else:
                st[0], st[2] = g, got[i]
            st[4] += 1
            st[5] = st[1] - st[0] > width / 2
    for i, (_, b, _, p_b, k, _) in state.items():
        out[i] = Requirement("found", b * step, p_b, k)
    return out


def _probit(p: float) -> float:
    """The normal quantile of ``p``, kept finite (``p`` clipped to [1e-4, 1 - 1e-4])."""
    return statistics.NormalDist().inv_cdf(min(max(p, 1e-4), 1 - 1e-4))


def _next_point(st: list, p_level: float) -> int:
    """The next grid index to try inside the bracket ``st`` (see :func:`required_attainments`)."""
    a, b, p_a, p_b, _, bisect = st
    f_a, f_b = _probit(p_a), _probit(p_b)
    if bisect or not f_b > f_a:
        return (a + b) // 2
    g = a + round((_probit(p_level) - f_a) / (f_b - f_a) * (b - a))
    return min(max(g, a + 1), b - 1)


def what_it_would_take(simulate: Callable[[float], float], yearly_base: float | Sequence[float],
                       conversion: Conversion, p_level: float = 0.8,
                       **search: Any) -> dict[str, Any]:
    """The four outlook columns for one unit and target, plus the search status.

    Parameters
    ----------
    simulate : callable
        ``attainment -> p_reach`` (see :func:`required_attainment`).
    yearly_base : float or sequence of float
        What attainment 1.0 means in admissions per year over the remaining
        years: the exposure ``E[t]`` the simulation multiplies (annual targets,
        or the term target spread over the term). Its mean is used.
    conversion : Conversion
    p_level : float
    **search
        ``upper``, ``tol``, ``max_iter`` for :func:`required_attainment`.

    Returns
    -------
    dict
        ``required_attainment``, ``required_per_year_p`` (admissions per year),
        ``introduced_needed``, ``trained_needed`` (candidates per year), and
        ``requirement_status``, ``requirement_p``, ``conversion_from`` for the
        diagnostics.
    """
    base = _yearly_base(yearly_base)
    return _columns(required_attainment(simulate, p_level, **search), base, conversion)


def _yearly_base(yearly_base) -> float:
    """The mean of the exposure over the remaining years; ModelError unless positive."""
    base = float(np.mean(np.asarray(yearly_base, dtype=float)))
    if not np.isfinite(base) or base <= 0:
        raise ModelError(
            f"what_it_would_take: found yearly base {yearly_base!r}; expected positive "
            "admissions per year at 100 % attainment. Fix: give the unit an annual or term "
            "target (an attainment has no meaning without one)."
        )
    return base


def _columns(req: Requirement, base: float, conversion: Conversion) -> dict[str, Any]:
    """The outlook columns of :func:`what_it_would_take` from a search's result."""
    att = math.nan if req.attainment is None else req.attainment
    count = att * base
    introduced, trained = pipeline(count, conversion)
    return {
        "required_attainment": att,
        "required_per_year_p": count,
        "introduced_needed": introduced,
        "trained_needed": trained,
        "requirement_status": req.status,
        "requirement_p": req.p_reach,
        "conversion_from": f"introduced: {conversion.introduced_from}; "
                           f"trained: {conversion.trained_from}",
    }


def requirement_for_target(fitted: Any, unit_id: str, start: Any, deadline: Any,
                           target: float, known: pd.DataFrame, streams: Any,
                           conversion: Conversion, p_level: float = 0.8,
                           **search: Any) -> dict[str, Any]:
    """:func:`what_it_would_take` run through the engine for one unit and target.

    Parameters
    ----------
    fitted : forecast.models.base.FittedModel
    unit_id : str
    start, deadline : date-like
        The target's counting window.
    target : float
        The target as a count.
    known : DataFrame
        Reported counts in the window (``progress.admitted_spans``).
    streams : forecast.models.base.Streams
        Seeded streams; every evaluation reuses them, so ``p_reach`` is
        (nearly) monotone in the attainment.
    conversion : Conversion
    p_level : float
    **search
        ``upper``, ``tol``, ``max_iter``.

    Returns
    -------
    dict
        As :func:`what_it_would_take`. The yearly base is the model's exposure
        over the years still to be simulated.

    Raises
    ------
    ModelError
        When the model cannot forecast the unit or it has no yearly base.
    """
    got = requirements_for_targets(fitted, [(unit_id, target, known, conversion)], start,
                                   deadline, streams, p_level, **search)[0]
    if isinstance(got, Exception):
        raise got
    return got


def requirements_for_targets(fitted: Any, items: Sequence[tuple], start: Any, deadline: Any,
                             streams: Any, p_level: float = 0.8,
                             noise_cache: dict | None = None, **search: Any) -> list:
    """:func:`requirement_for_target` for many units of one window, batched.

    Every bisection step simulates all units still searching in one
    :func:`~forecast.simulate.engine.simulate_many` call; a unit's numbers
    come from its own random streams, so they are those of a search run
    for it alone.

    Parameters
    ----------
    items : sequence of tuple
        ``(unit_id, target, known, conversion)`` per unit and target.
    start, deadline, streams, p_level, **search
        As :func:`requirement_for_target`.
    noise_cache : dict, optional
        The engine's cache of the draws that do not depend on the mean
        (``simulate_many``), shared with the caller's own simulations of
        these units; a new one by default.

    Returns
    -------
    list
        Aligned with ``items``: the dict of :func:`requirement_for_target`,
        or the ModelError that stopped that unit's search.
    """
    from forecast.simulate.engine import Job, simulate_many
    from forecast.simulate.summary import month_grid

    start, deadline = pd.Timestamp(start), pd.Timestamp(deadline)
    out: list = [None] * len(items)
    done, search_idx, bases = [], [], []
    for i, (unit, _, known, _) in enumerate(items):
        grid = month_grid(start, deadline, known, fitted.profile)
        years = sorted({int(y) for y, u in zip(grid.year, grid.uncovered) if u > 0})
        if not years:
            done.append(i)
            continue
        try:
            bases.append(_yearly_base(fitted.exposure(unit, years)))
        except ModelError as exc:
            out[i] = exc
            continue
        search_idx.append(i)
    whole = simulate_many(fitted, [Job(items[i][0], float(items[i][1]), items[i][2])
                                   for i in done], start, deadline, streams)
    for i, r in zip(done, whole):
        out[i] = r if isinstance(r, ModelError) else _window_reported(r.p_reach)

    # Every step draws the same units again at other attainments: the draws
    # that do not depend on the mean are kept (same numbers, fewer draws).
    noise_cache = {} if noise_cache is None else noise_cache

    def simulate(idx: list, att: list) -> list:
        jobs = [Job(items[search_idx[k]][0], float(items[search_idx[k]][1]),
                    items[search_idx[k]][2], a) for k, a in zip(idx, att)]
        return simulate_many(fitted, jobs, start, deadline, streams, returns="p",
                             noise_cache=noise_cache)

    reqs = required_attainments(simulate, len(search_idx), p_level, **search)
    for k, (i, req) in enumerate(zip(search_idx, reqs)):
        out[i] = req if isinstance(req, ModelError) else _columns(req, bases[k], items[i][3])
    return out


def _window_reported(p_reach: float) -> dict[str, Any]:
    """The columns when reports cover the whole window: reached or not, nothing to search."""
    status = "reached" if p_reach >= 1 else "unreachable"
    zero = 0.0 if status == "reached" else math.nan
    return {"required_attainment": zero, "required_per_year_p": zero,
            "introduced_needed": zero, "trained_needed": zero,
            "requirement_status": status, "requirement_p": p_reach,
            "conversion_from": "window fully reported"}
