"""Synthetic units with known truth, for the simulation study of the backtest.

The generator draws a plausible world of party units and writes it as the
same raw tables an analyst supplies (units, sources, targets, observations),
together with the true outcomes (final totals and whether each target was
reached). It is deliberately *not* the forecast engine's own model, so that
the study does not merely check that the engine recovers itself:

- **Counts are Poisson-lognormal**, not negative binomial: a unit-year
  multiplicative noise ``exp(N(0, sigma_i^2))`` with a unit-specific
  ``sigma_i`` drawn from ``U(sigma_low, sigma_high)``.
- **Level** = membership x a unit rate (3.5 % x ``exp(N(0, 0.25^2))``), with
  a unit trend (log-slope ``N(0, trend_sd^2)`` a year).
- **Shared year shocks**: ``exp(N(0, year_shock_sd^2))`` for every unit in
  a year, plus a COVID dip (x ``covid_factor`` in ``covid_year``).
- **Regime changes**: with probability ``regime_prob`` a unit's level jumps by
  ``exp(N(0, regime_sd^2))`` from a random year on (a new secretary, a merger).
- **Target feedback**: a unit that reached under 90 % of last year's annual
  target pushes harder this year (x ``1 + push x shortfall``).
- **Within-year timing** is a steady background plus a surge, not the
  engine's power curve: a share ``1 - s_i`` of the year is spread evenly over
  the months and a share ``s_i`` lands in a surge. Back-loaders (most) surge
  in November-December (40/60 %) with ``s ~ U(0.1, 0.4)``, so 30-45 % is
  admitted by 30 June (the public figures show 35-45 %); front-loaders
  (share ``front_share``) surge in May-June (student waves) with ``s ~ U(0.2,
  0.4)``, 60-70 % by 30 June. Monthly counts are a multinomial split of the
  year's count with Dirichlet-perturbed shares (``month_concentration``).
- **Targets**: annual targets set before each year, either as a rate of last
  year-end membership (3, 3.5 or 4 %) or as last year's count plus an
  ambition of 0-15 %; the 2020-2025 term target is the 2017-2019 mean count x
  5.75 years x ``U(0.85, 1.2)``, rounded to a "nice" number.
- **Reports**: histories start in 2015 (long), 2018 (medium) or 2021 (short);
  each year's full count is reported with probability ``p_year``, a first-
  half count with ``p_h1``, a nine-month count with ``p_9m``; a few counts
  are approximate (``~N`` rounded to 10); year-end membership now and then.

Every parameter is a field of :class:`GeneratorSpec`; the same spec and seed
give the same world.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from forecast.errors import ConfigError

LEVEL_MEMBERS = {  # level: (low, high) of log-uniform membership
    "province": (15_000, 80_000),
    "district": (1_500, 8_000),
    "commune": (120, 500),
    "base": (25, 250),
}


@dataclass(frozen=True)
class GeneratorSpec:
    """Parameters of the synthetic world (see the module docstring)."""

    n_units: int = 200
    seed: int = 1
    first_year: int = 2015
    term_start_year: int = 2020
    term_end_year: int = 2025
    term_end: str = "09-30"
    level_weights: tuple[float, float, float, float] = (0.1, 0.3, 0.3, 0.3)
    trend_sd: float = 0.04
    year_shock_sd: float = 0.10
    covid_year: int = 2021
    covid_factor: float = 0.8
    sigma_low: float = 0.05
    sigma_high: float = 0.30
    regime_prob: float = 0.25
    regime_sd: float = 0.35
    push: float = 0.5
    front_share: float = 0.15
    month_concentration: float = 60.0
    history_weights: tuple[float, float, float] = (0.3, 0.4, 0.3)
    p_year: float = 0.85
    p_h1: float = 0.4
    p_9m: float = 0.2
    p_approx: float = 0.05
    p_annual_target: float = 0.9
    exit_rate: float = 0.02

    def __post_init__(self) -> None:
        if self.n_units < 1:
            raise ConfigError(f"synthetic generator: n_units must be at least 1, found "
                              f"{self.n_units}. Fix: e.g. --synthetic-units 200.")
        if not self.first_year + 3 <= self.term_start_year < self.term_end_year:
            raise ConfigError("synthetic generator: expected first_year + 3 <= term_start_year "
                              f"< term_end_year, found {self.first_year}, "
                              f"{self.term_start_year}, {self.term_end_year}. Fix: e.g. "
                              "2015, 2020, 2025.")


@dataclass(frozen=True)
class SyntheticWorld:
    """A generated world: raw input tables, the truth, and the hidden unit traits.

    Attributes
    ----------
    tables : dict of str to DataFrame
        Raw text tables ``units, sources, targets, observations`` in the
        input format (``Dataset.from_frames(**tables)`` or CSV files).
    truth : DataFrame
        One row per target: ``target_id, unit_id, kind, term, year, start,
        deadline, target, final, reached`` (final total by the deadline).
    monthly : DataFrame
        True admissions ``unit_id, year, month, count``.
    traits : DataFrame
        Hidden traits per unit (level, rate, trend, sigma, surge, regime).
    spec : GeneratorSpec
    """

    tables: dict[str, pd.DataFrame]
    truth: pd.DataFrame
    monthly: pd.DataFrame
    traits: pd.DataFrame
    spec: GeneratorSpec = field(default_factory=GeneratorSpec)

    def dataset(self, assumptions=None):
        """The world's tables loaded as a :class:`forecast.data.dataset.Dataset`."""
        from forecast.data.dataset import Dataset

        return Dataset.from_frames(**self.tables, assumptions=assumptions)

    def write(self, folder) -> None:
        """Write the tables as ``<table>.csv`` files in ``folder``."""
        from pathlib import Path

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in self.tables.items():
            frame.to_csv(folder / f"{name}.csv", index=False)


def _nice(x: np.ndarray) -> np.ndarray:
    """Round targets the way plans do: to 1, 5, 10 or 50 depending on size."""
    x = np.maximum(np.asarray(x, float), 1)
    step = np.select([x < 20, x < 100, x < 1000], [1, 5, 10], 50)
    return np.maximum(np.round(x / step) * step, 1).astype(int)


def generate(spec: GeneratorSpec | None = None, **overrides) -> SyntheticWorld:
    """Draw a synthetic world.

    Parameters
    ----------
    spec : GeneratorSpec, optional
        Parameters; keyword ``overrides`` replace single fields
        (``generate(n_units=50, seed=3)``).

    Returns
    -------
    SyntheticWorld
    """
    spec = spec or GeneratorSpec()
    if overrides:
        spec = GeneratorSpec(**{**asdict(spec), **overrides})
    rng = np.random.default_rng(spec.seed)
    n = spec.n_units
    years = np.arange(spec.first_year, spec.term_end_year + 1)
    ny = len(years)

    levels = np.array(list(LEVEL_MEMBERS))[
        rng.choice(4, size=n, p=np.array(spec.level_weights) / sum(spec.level_weights))]
    lo = np.array([LEVEL_MEMBERS[lv][0] for lv in levels], float)
    hi = np.array([LEVEL_MEMBERS[lv][1] for lv in levels], float)
    members0 = np.exp(rng.uniform(np.log(lo), np.log(hi)))
    rate = 0.035 * np.exp(rng.normal(0, 0.25, n))
    trend = rng.normal(0, spec.trend_sd, n)
    sigma = rng.uniform(spec.sigma_low, spec.sigma_high, n)
    front = rng.uniform(size=n) < spec.front_share
    surge = np.where(front, rng.uniform(0.2, 0.4, n), rng.uniform(0.1, 0.4, n))
    regime = rng.uniform(size=n) < spec.regime_prob
    regime_year = rng.integers(spec.first_year + 2, spec.term_end_year, size=n)
    regime_factor = np.where(regime, np.exp(rng.normal(0, spec.regime_sd, n)), 1.0)
    year_shock = np.exp(rng.normal(0, spec.year_shock_sd, ny))
    year_shock[years == spec.covid_year] *= spec.covid_factor
    target_rule = rng.uniform(size=n) < 0.5  # True: rate of membership
    target_rate = rng.choice([0.03, 0.035, 0.04], size=n)
    ambition = rng.uniform(0.0, 0.15, size=(n, ny))

    counts = np.zeros((n, ny), int)
    members = np.zeros((n, ny + 1))
    members[:, 0] = members0
    annual_target = np.zeros((n, ny), int)
    base = members0 * rate
    for j, y in enumerate(years):
        lam = base * np.exp(trend * (y - spec.term_start_year)) * year_shock[j]
        lam = lam * np.where(regime & (y >= regime_year), regime_factor, 1.0)
        if j == 0:
            annual_target[:, j] = _nice(lam * rng.uniform(0.9, 1.2, n))
        else:
            by_rate = members[:, j] * target_rate
            by_last = counts[:, j - 1] * (1 + ambition[:, j])
            annual_target[:, j] = _nice(np.where(target_rule, by_rate, by_last))
            att = counts[:, j - 1] / np.maximum(annual_target[:, j - 1], 1)
            lam = lam * (1 + spec.push * np.clip(0.9 - att, 0, 0.5))
        lam = lam * np.exp(rng.normal(0, sigma))
        counts[:, j] = rng.poisson(lam)
        members[:, j + 1] = members[:, j] * (1 - spec.exit_rate) + counts[:, j]

    monthly = _split_months(rng, counts, surge, front, spec.month_concentration)
    term_years = (years >= spec.term_start_year)
    pre = (years >= spec.term_start_year - 3) & (years < spec.term_start_year)
    term_len = (spec.term_end_year - spec.term_start_year) + _end_fraction(spec.term_end)
    term_target = _nice(counts[:, pre].mean(axis=1) * term_len * rng.uniform(0.85, 1.2, n))

    unit_ids = np.array([f"syn-{i + 1:04d}" for i in range(n)])
    hist_start = np.array([spec.first_year, spec.term_start_year - 2, spec.term_start_year + 1])[
        rng.choice(3, size=n, p=np.array(spec.history_weights) / sum(spec.history_weights))]
    source_id = f"synthetic-seed-{spec.seed}"
    tables = _tables(spec, rng, unit_ids, levels, years, counts, monthly, members, annual_target,
                     term_target, hist_start, source_id, front, regime, regime_year)
    truth = _truth(spec, unit_ids, years, counts, monthly, annual_target, term_target, term_years)
    traits = pd.DataFrame({
        "unit_id": unit_ids, "level": levels, "members_start": members0.round(), "rate": rate,
        "trend": trend, "sigma": sigma, "surge": surge, "front_loaded": front,
        "regime_change_year": np.where(regime, regime_year, 0), "regime_factor": regime_factor,
        "history_from": hist_start, "target_rule": np.where(target_rule, "rate", "last+ambition"),
    })
    mon = pd.DataFrame({
        "unit_id": np.repeat(unit_ids, ny * 12),
        "year": np.tile(np.repeat(years, 12), n),
        "month": np.tile(np.arange(1, 13), n * ny),
        "count": monthly.reshape(-1),
    })
    return SyntheticWorld(tables, truth, mon, traits, spec)


def _end_fraction(mmdd: str) -> float:
    month, day = (int(x) for x in mmdd.split("-"))
    return (month - 1 + day / 30.5) / 12


def _split_months(rng, counts: np.ndarray, surge: np.ndarray, front: np.ndarray,
                  kappa: float) -> np.ndarray:
    """Split each unit-year count into 12 months (n, years, 12): background + surge."""
    late = np.zeros(12)
    late[[10, 11]] = (0.4, 0.6)
    early = np.zeros(12)
    early[[4, 5]] = (0.5, 0.5)
    peak = np.where(front[:, None], early[None, :], late[None, :])
    shares = (1 - surge[:, None]) / 12 + surge[:, None] * peak
    n, ny = counts.shape
    alpha = np.maximum(kappa * np.repeat(shares[:, None, :], ny, axis=1), 1e-3)
    probs = rng.gamma(alpha)
    probs /= probs.sum(axis=2, keepdims=True)
    return rng.multinomial(counts, probs)


def _truth(spec, unit_ids, years, counts, monthly, annual_target, term_target, term_years):
    rows = []
    end_month = int(spec.term_end.split("-")[0])
    last = len(years) - 1
    # The term's last year counts whole months up to term_end's month (09-30: January-September).
    term_final = (counts[:, term_years][:, :-1].sum(axis=1)
                  + monthly[:, last, :end_month].sum(axis=1))
    term = f"{spec.term_start_year}-{spec.term_end_year}"
    for i, uid in enumerate(unit_ids):
        rows.append((f"{uid}-term-{term}", uid, "term", term, pd.NA,
                     pd.Timestamp(spec.term_start_year, 1, 1),
                     pd.Timestamp(f"{spec.term_end_year}-{spec.term_end}"),
                     float(term_target[i]), float(term_final[i])))
        for j, y in enumerate(years):
            rows.append((f"{uid}-annual-{y}", uid, "annual", _term_of(spec, y), int(y),
                         pd.Timestamp(y, 1, 1), pd.Timestamp(y, 12, 31),
                         float(annual_target[i, j]), float(counts[i, j])))
    t = pd.DataFrame(rows, columns=["target_id", "unit_id", "kind", "term", "year", "start",
                                    "deadline", "target", "final"])
    t["year"] = t["year"].astype("Int64")
    t["reached"] = (t["final"] >= t["target"]).astype(int)
    return t


def _term_of(spec, year: int) -> str:
    """The term label of a year: the current term, or the earlier term of the same
    length that contains it (2017 with 2020-2022 terms is in 2016-2018)."""
    if year >= spec.term_start_year:
        return f"{spec.term_start_year}-{spec.term_end_year}"
    span = spec.term_end_year - spec.term_start_year
    back = -(-(spec.term_start_year - year) // span)  # terms back, rounded up
    end = spec.term_start_year - (back - 1) * span
    return f"{end - span}-{end}"


def _tables(spec, rng, unit_ids, levels, years, counts, monthly, members, annual_target,
            term_target, hist_start, source_id, front, regime, regime_year):
    n, ny = counts.shape
    units = pd.DataFrame({
        "unit_id": unit_ids,
        "name_vi": [f"Đơn vị tổng hợp {u[4:]}" for u in unit_ids],
        "name_en": [f"Synthetic unit {u[4:]}" for u in unit_ids],
        "level": levels, "parent_id": "", "province": "(synthetic)",
        "note": [f"synthetic; history from {h}; {'front' if f else 'back'}-loaded"
                 + (f"; regime change {ry}" if r else "")
                 for h, f, r, ry in zip(hist_start, front, regime, regime_year)],
    })
    sources = pd.DataFrame([{
        "source_id": source_id, "title": f"synthetic generator, seed {spec.seed}",
        "outlet": "forecast.evaluate.synthetic", "url": "", "published": "", "file": "",
        "language": "en", "note": "generated data with known truth; not real figures",
    }])
    term = f"{spec.term_start_year}-{spec.term_end_year}"
    tgt = [{"target_id": f"{u}-term-{term}", "unit_id": u, "term": term, "kind": "term",
            "year": "", "layer": "resolution", "measure": "count", "value": str(int(v)),
            "source_id": source_id, "locator": "generator"}
           for u, v in zip(unit_ids, term_target)]
    obs = []
    p_tgt = rng.uniform(size=(n, ny))
    p_rep = rng.uniform(size=(n, ny, 4))
    for i, u in enumerate(unit_ids):
        for j, y in enumerate(years):
            if y < hist_start[i]:
                continue
            if p_tgt[i, j] < spec.p_annual_target or y >= spec.term_start_year:
                tgt.append({"target_id": f"{u}-annual-{y}", "unit_id": u,
                            "term": _term_of(spec, int(y)), "kind": "annual", "year": str(y),
                            "layer": "assigned", "measure": "count",
                            "value": str(int(annual_target[i, j])), "source_id": source_id,
                            "locator": "generator"})
            cum = np.cumsum(monthly[i, j])
            if p_rep[i, j, 0] < spec.p_year:
                obs.append(_obs(u, f"{y}", counts[i, j], f"{y}-01-01", f"{y}-12-31",
                                source_id, approx=p_rep[i, j, 3] < spec.p_approx))
            if p_rep[i, j, 1] < spec.p_h1:
                obs.append(_obs(u, f"{y}h1", cum[5], f"{y}-01-01", f"{y}-06-30", source_id))
            if p_rep[i, j, 2] < spec.p_9m:
                obs.append(_obs(u, f"{y}m9", cum[8], f"{y}-01-01", f"{y}-09-30", source_id))
            if p_rep[i, j, 3] > 0.7:
                obs.append({"obs_id": f"{u}-members-{y}", "unit_id": u, "measure": "members",
                            "value": str(int(round(members[i, j + 1]))), "period_start": "",
                            "period_end": f"{y}-12-31", "source_id": source_id,
                            "locator": "generator"})
    return {"units": units, "sources": sources, "targets": pd.DataFrame(tgt),
            "observations": pd.DataFrame(obs)}


def _obs(unit, tag, value, start, end, source_id, approx=False) -> dict:
    text = f"~{int(round(value, -1))}" if approx and value >= 20 else str(int(value))
    return {"obs_id": f"{unit}-admitted-{tag}", "unit_id": unit, "measure": "admitted",
            "value": text, "period_start": start, "period_end": end,
            "source_id": source_id, "locator": "generator"}
