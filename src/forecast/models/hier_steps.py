"""The estimation steps of ``hier_nb`` (:mod:`forecast.models.hier`) and its settings.

Each function is one numbered step of the model's fit (the module
docstring of :mod:`forecast.models.hier` gives the equations): the
observed log-attainments with their variances, the target's slope within
units, the year-to-year variances, the shared year effects and the
population's centre and spread. They work on the table of observations,
all units at once; :func:`forecast.models.hier.fit_hier` calls them in order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class HierSettings:
    """Choices of ``hier_nb``; each is an assumption listed in ``docs/assumptions.md`` (H1-H9)."""

    trend: bool = True
    trend_sd: float = 0.05
    """Prior sd of a unit's trend in log-attainment per year (H1)."""
    tau_min: float = 0.15
    """Floor of the between-unit sd of log-attainment: a unit with a few
    years of its own is never pulled all the way to the population (H2)."""
    tau_default: float = 0.35
    """Between-unit sd when fewer than 3 units have whole years."""
    sigma_default: float = 0.15
    """Prior guess of the year-to-year sd of log-attainment beyond Poisson noise;
    the pooled value is this with ``sigma_pool_df`` pseudo-degrees of freedom
    plus the units' own (H3)."""
    sigma_pool_df: float = 4.0
    sigma_bounds: tuple = (0.03, 0.6)
    sigma_prior_df: float = 4.0
    """Pseudo-years of the pooled year-to-year variance in a unit's own (H3)."""
    year_sd: float = 0.05
    """Sd of the shared year effect when too few units share years to estimate it."""
    year_sd_bounds: tuple = (0.02, 0.2)
    drift: float = 0.10
    """Extra sd of log-attainment per year between a count and the nearest year
    with a target (H4)."""
    level_drift: float = 0.0
    """Sd per year of a random walk in the unit's level (H7): a count ``d`` years
    before the first year forecast gets the extra variance ``level_drift² d``,
    and each year forecast adds an increment of that sd to the path's level."""
    publication_discount: float = 0.5
    """Share of the population's log-attainment above 100 % attributed to the
    selection of published successes and removed from the prior centre (H5)."""
    prior: str = "population"
    """``population`` (default): the population as the loaded data show it;
    ``corrected``: the prior centre lowered by ``publication_discount`` (sensitivity)."""
    prior_only: bool = False
    """Ignore every unit's own counts."""
    target_slope: bool = True
    """Estimate ``gamma``, how a unit's log-attainment moves when its own target
    moves (H8): ``gamma = 0`` is admissions following the target one for one
    (the target a fixed offset), ``gamma = -1`` admissions ignoring it."""
    sigma_net: bool = False
    """Estimate the year-to-year variance net of the past year effects and, for
    units with three or more whole years, of the unit's own linear trend (H9):
    the paths add both back (the shared year shock, the trend), so a variance
    that still holds them counts them twice."""
    target_slope_sd: float = 0.5
    """Prior sd of ``gamma`` around 0 (H8): with targets that hardly move within
    units, the target stays an offset."""


def observations(data, ref_year: int, kappa: float, drift: float,
                  level_drift: float = 0.0) -> pd.DataFrame:
    """One row per usable count: unit, z, its fixed variance parts, year layout."""
    rows = []
    for u, ud in data.items():
        exp = ud.exposure
        pooled = exp.kind != "own_level"
        known_years = sorted(exp.by_year)
        log_ref = np.log(exp.at(ref_year))
        for r in ud.counts.itertuples(index=False):
            w = {int(t): float(x) for t, x in r.weights.items() if x > 0}
            tw = sum(w.values())
            if tw <= 0:
                continue
            x = sum(x_ * exp.at(t) for t, x_ in w.items())
            y = float(r.value)
            tbar = sum(t * x_ for t, x_ in w.items()) / tw
            dist = 0.0
            if pooled and known_years:
                dist = sum(x_ * min(abs(t - k) for k in known_years) for t, x_ in w.items()) / tw
            single = len(w) == 1
            part = single and tw < 1 - 1e-9
            whole = single and not part
            fixed = 1.0 / (y + 0.5)
            if r.high > r.low:
                fixed += ((r.high - r.low) / (y + 0.5)) ** 2 / 12
            if part:
                fixed += (1 - tw) / (tw * (kappa + 1))
            fixed += (drift * dist) ** 2 + level_drift ** 2 * abs(tbar - ref_year)
            rows.append((u, np.log((y + 0.5) / (x + 0.5)), fixed,
                         sum(v * v for v in w.values()) / tw ** 2, tbar - ref_year,
                         next(iter(w)) if single else -1, whole, part, pooled, y, x,
                         np.log(x / tw) - log_ref if pooled else 0.0))
    cols = ["unit_id", "z", "fixed", "avg", "dt", "year", "whole", "part", "pooled", "y", "x",
            "g"]
    # Typed even when empty: a boolean mask of object dtype would select columns.
    return pd.DataFrame(rows, columns=cols).astype(
        {"z": float, "fixed": float, "avg": float, "dt": float, "year": int, "whole": bool,
         "part": bool, "pooled": bool, "y": float, "x": float, "g": float})


def unit_sigma2(obs: pd.DataFrame, settings: HierSettings,
                detrend: bool = False) -> tuple[pd.Series, float, pd.Series]:
    """Pooled and per-unit year-to-year variance (moment estimates around unit means,
    or, with ``detrend``, around each unit's own line where it has three or more
    whole years)."""
    lo, hi = (b * b for b in settings.sigma_bounds)
    whole = obs[obs["whole"]]
    g = whole.groupby("unit_id")
    n = g["z"].count()
    if detrend:
        ss = pd.Series({u: _residual_ss(part["z"].to_numpy(), part["dt"].to_numpy())
                        for u, part in g})
        df = (n - np.where(n >= 3, 2, 1)).clip(lower=0)
    else:
        ss = g["z"].apply(lambda z: float(((z - z.mean()) ** 2).sum()))
        df = (n - 1).clip(lower=0)
    noise = g["fixed"].mean()
    raw = ((ss / df.where(df > 0)) - noise).clip(lower=0)
    used = df > 0
    nu0 = settings.sigma_pool_df
    pooled = (nu0 * settings.sigma_default ** 2 + float((raw[used] * df[used]).sum())) \
        / (nu0 + float(df[used].sum()))
    pooled = float(np.clip(pooled, lo, hi))
    nu = settings.sigma_prior_df
    units = obs["unit_id"].unique()
    df_all = df.reindex(units).fillna(0)
    own = ((nu * pooled + (df * raw.fillna(0))) / (nu + df)).reindex(units).fillna(pooled)
    return own.clip(lo, hi), pooled, df_all + nu


def _residual_ss(z: np.ndarray, t: np.ndarray) -> float:
    """Sum of squares of ``z`` around its least-squares line in ``t`` (three or
    more points spread in time), else around its mean."""
    if len(z) >= 3 and np.ptp(t) > 0:
        X = np.column_stack([np.ones_like(t), t])
        r = z - X @ np.linalg.lstsq(X, z, rcond=None)[0]
    else:
        r = z - z.mean()
    return float(r @ r)


def year_effects(obs: pd.DataFrame, sigma2: pd.Series, level: pd.Series,
                  settings: HierSettings) -> tuple[dict, float]:
    """Past year effects (shrunk mean residuals) and their sd ``h``."""
    whole = obs[obs["whole"] & obs["pooled"]]
    if whole.empty:
        return {}, settings.year_sd
    r = whole["z"] - whole["unit_id"].map(level)
    prec = 1.0 / (whole["unit_id"].map(sigma2) + whole["fixed"])
    tab = pd.DataFrame({"year": whole["year"], "r": r, "p": prec,
                        "unit_id": whole["unit_id"]})
    g = tab.groupby("year")
    n_units = g["unit_id"].nunique()
    sum_p = g["p"].sum()
    raw = (tab["r"] * tab["p"]).groupby(tab["year"]).sum() / sum_p
    shared = n_units >= 2
    lo, hi = settings.year_sd_bounds
    h = settings.year_sd
    if shared.sum() >= 3:
        excess = float(np.mean(raw[shared] ** 2 - 1 / sum_p[shared]))
        h = float(np.clip(np.sqrt(max(excess, 0.0)), lo, hi))
    eff = raw * sum_p / (sum_p + 1 / h ** 2)
    return {int(y): float(v) for y, v in eff[shared].items()}, h


def population_centre(means: pd.Series, var: pd.Series, settings: HierSettings) -> tuple[float, float, float]:
    """DerSimonian-Laird ``mu`` (raw), ``tau`` and ``Var(mu)`` over the units' whole-year means."""
    k = len(means)
    if k == 0:
        return 0.0, settings.tau_default, settings.tau_default ** 2
    w = 1 / var
    mu_fixed = float((w * means).sum() / w.sum())
    if k >= 3:
        q = float((w * (means - mu_fixed) ** 2).sum())
        c = float(w.sum() - (w ** 2).sum() / w.sum())
        tau2 = max((q - (k - 1)) / c, 0.0) if c > 0 else 0.0
        tau = max(float(np.sqrt(tau2)), settings.tau_min)
    else:
        tau = settings.tau_default
    w = 1 / (var + tau ** 2)
    mu = float((w * means).sum() / w.sum())
    return mu, tau, float(1 / w.sum())


def target_slope(obs: pd.DataFrame, sigma2: pd.Series, pooled_s2: float,
                  prior_sd: float) -> tuple[float, float]:
    """``gamma`` and its sd from the units whose own target moves between their counts.

    Within each unit (weighted means removed, so the unit's level drops out)
    log-attainment is regressed on ``g = log E[t] - log E[c]`` and on time
    (so a target that grows with a unit's trend is not read as the target's
    effect), with weights ``1 / (s_u² avg + fixed)`` and the prior
    ``gamma ~ Normal(0, prior_sd²)``.
    """
    o = obs[obs["pooled"]]
    if o.empty:
        return 0.0, prior_sd
    w = 1 / (o["unit_id"].map(sigma2).fillna(pooled_s2) * o["avg"] + o["fixed"])
    cols = o[["z", "g", "dt"]]
    means = (cols.mul(w, axis=0)).groupby(o["unit_id"]).sum().div(
        w.groupby(o["unit_id"]).sum(), axis=0)
    dev = cols - means.reindex(o["unit_id"]).to_numpy()
    X, z, wv = dev[["g", "dt"]].to_numpy(), dev["z"].to_numpy(), w.to_numpy()
    A = (X * wv[:, None]).T @ X + np.diag([1 / prior_sd ** 2, 1e-9])
    cov = np.linalg.inv(A)
    coef = cov @ ((X * wv[:, None]).T @ z)
    return float(coef[0]), float(np.sqrt(cov[0, 0]))
