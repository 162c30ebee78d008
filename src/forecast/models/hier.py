"""The default model (``hier_nb``): each unit's own record first, the population second.

For unit ``u`` and calendar year ``t`` the admissions are negative binomial
around a mean that is the unit's exposure (its target, see
:mod:`forecast.models.exposure`) times its attainment::

    Y[u,t] ~ NegBin(mean m[u,t], var m + s_u² m²)
    log m[u,t] = log E[u,t] + a_u + b_u (t - c) + gamma g[u,t] + eta_t
    g[u,t] = log E[u,t] - log E[u,c]                   the unit's target against its own
    (a_u, b_u) ~ Normal((mu, 0), diag(tau², d²))     level and trend, drawn jointly
    eta_t ~ Normal(0, h²)                              shared by all units in year t

``a_u`` is the unit's log-attainment in the reference year ``c`` (the year of
the forecast origin) and ``b_u`` its trend; ``gamma`` says how far a unit's
admissions follow its own target when that target moves (``gamma = 0``:
one for one, the target a fixed offset; ``gamma = -1``: not at all), so
between units the target sets the scale and within a unit it is a
covariate; ``s_u²`` is the unit's own
year-to-year variation beyond Poisson noise, so a province (large counts,
small relative noise) and a cell (a few admissions, mostly Poisson noise)
each get the spread their counts show.

The fit is empirical Bayes on the log scale, in closed form (no optimiser);
``docs/engine.md`` gives the reasoning and the comparison with pooled_nb.

1. Each reported count ``y`` covering year weights ``w[t]`` gives an observed
   log-attainment ``z = log((y + 1/2) / (x + 1/2))``, ``x = sum_t w[t] E[t]``,
   with a variance that adds the Poisson part ``1 / (y + 1/2)``, the unit's
   year variation (``s_u² sum w² / (sum w)²``: a span of five years averages
   it), a printed range (uniform), the uncertain share of a part-year
   (``(1 - w) / (w (kappa + 1))``, kappa the profile's concentration), and,
   for a year with no target of its own, ``(drift × years to the nearest
   target)²``: a 2017 count says less about attainment of a 2024 target.
2. ``gamma`` (option ``target_slope``): a weighted regression of log-attainment
   on ``g`` and time within units (unit means removed; weights from a first
   estimate of ``s_u²``), prior ``Normal(0, target_slope_sd²)``; it is taken
   out of every ``z`` before the steps below, and the paths multiply the
   mean by ``exp(gamma g)``. Its sd (``gamma_sd``) is kept, not drawn: with
   many units it is small, with few ``gamma`` stays near 0 by its prior.
   The shipped data barely move their targets within a unit, so ``gamma``
   stays near 0 there; on the simulation study, whose targets follow last
   year's count, it is near -1 (``docs/backtest.md``).
3. ``s_u²``: each unit's moment estimate around its own mean, shrunk to the
   pooled value with ``sigma_prior_df`` pseudo-years (a unit with many years
   keeps its own); the pooled value itself starts from a documented guess
   (``sigma_default`` with ``sigma_pool_df`` pseudo-years), so a dataset with
   few long records does not claim that years hardly vary.
4. Past year effects ``eta_t``: precision-weighted mean residual of the
   units reporting year ``t``, shrunk with prior sd ``h``; they are taken out
   of the unit's data (a year bad for all units is not read as the unit's
   trend); future ones are drawn.
5. ``mu`` and ``tau``: DerSimonian-Laird over the units' whole-year means
   only (part-year counts do not inform the population), ``tau >= tau_min``.
   With the option ``prior="corrected"`` the prior centre is lowered by
   ``publication_discount`` of its excess over 100 % (published figures
   over-represent successes); the default keeps the population as the data
   show it, which scored better on real outcomes (``docs/backtest.md``).
6. Each unit's ``(a_u, b_u)`` posterior: a two-parameter Bayesian linear
   regression with those variances; its weight on its own record is
   ``own_weight = 1 - prior precision / posterior precision`` of ``a_u``.

Paths draw ``(a_u, b_u)`` jointly from the posterior, ``s_u²`` from its
scaled inverse-chi-square posterior (the uncertainty of the variance
component), the year effects from ``Normal(-h²/2, h²)``, then the counts.
A unit with a target and no counts gets the prior (``own_weight = 0``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.errors import ConfigError, ModelError
from forecast.models.base import FittedModel, Streams, register
from forecast.models.draws import poisson_draws


@dataclass
class HierSettings:
    """Choices of ``hier_nb``; each is an assumption listed in ``docs/assumptions.md`` (H1-H6)."""

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
    target_slope_sd: float = 0.5
    """Prior sd of ``gamma`` around 0 (H8): with targets that hardly move within
    units, the target stays an offset."""


@dataclass
class HierModel(FittedModel):
    """Fitted ``hier_nb``: per-unit posterior of level and trend, unit dispersion, year effects."""

    ref_year: int = 2020
    mean: dict = field(default_factory=dict)       # unit -> (a, b)
    cov: dict = field(default_factory=dict)        # unit -> 2x2
    sigma2: dict = field(default_factory=dict)     # unit -> s_u²
    sigma_df: dict = field(default_factory=dict)   # unit -> degrees of freedom of s_u²
    explain: dict = field(default_factory=dict)    # unit -> why-columns
    mu: float = 0.0
    mu_raw: float = 0.0
    tau: float = 0.35
    year_effects: dict = field(default_factory=dict)
    level_drift: float = 0.0
    gamma: float = 0.0
    gamma_sd: float = 0.0
    population: pd.DataFrame = field(default_factory=pd.DataFrame)
    part_year_update = True

    def unit_alpha(self, unit_id: str) -> float:
        return float(self.sigma2.get(unit_id, self.alpha))

    def _check(self, unit_ids):
        for u in unit_ids:
            if u not in self.mean:
                raise ModelError(self.diagnostics.get(
                    u, f"unit {u!r}: no counts and no target; nothing to forecast from."))

    def yearly_means(self, unit_id, years, streams: Streams) -> np.ndarray:
        return self.means_batch([unit_id], years, streams)[0].astype(float)

    def means_batch(self, unit_ids, years, streams: Streams) -> np.ndarray:
        """``E[u,t] exp(a_u + b_u (t - c))`` per path, float32 ``(units, paths, years)``.

        ``(a_u, b_u)`` is drawn jointly from the unit's posterior with its own
        stream ``(unit, 0)``, so a unit's paths do not depend on other units.
        """
        self._check(unit_ids)
        n = streams.n_paths
        t = np.asarray(years, dtype=np.float64) - self.ref_year
        out = np.empty((len(unit_ids), n, len(years)), dtype=np.float32)
        for i, u in enumerate(unit_ids):
            z = streams.unit(u, 0).standard_normal((n, 2))
            chol = np.linalg.cholesky(self.cov[u] + np.eye(2) * 1e-12)
            ab = np.asarray(self.mean[u]) + z @ chol.T
            logm = ab[:, :1] + ab[:, 1:] * t[None, :]
            if self.level_drift > 0:
                logm = logm + self._walk(u, t, n, streams)
            out[i] = self._scale(u, years)[None, :] * np.exp(logm)
        return out

    def _scale(self, unit_id: str, years) -> np.ndarray:
        """``E[t] (E[t] / E[c]) ** gamma``: the target's share in the mean (H8)."""
        e = self.exposure(unit_id, years)
        if self.gamma == 0.0:
            return e
        return e * (e / self.exposure(unit_id, [self.ref_year])[0]) ** self.gamma

    def _walk(self, unit_id: str, t: np.ndarray, n: int, streams: Streams) -> np.ndarray:
        """The level's random walk at years ``c + t`` (0 up to the reference year),
        mean-corrected so that it moves the median, not the mean; stream ``(unit, 7)``."""
        steps = np.maximum(np.asarray(t, dtype=float), 0.0)
        z = streams.unit(unit_id, 7).standard_normal((n, int(steps.max()) if len(steps) else 0))
        walk = np.concatenate([np.zeros((n, 1)), np.cumsum(z, axis=1)], axis=1) * self.level_drift
        k = steps.astype(int)
        return walk[:, k] - self.level_drift ** 2 * steps[None, :] / 2

    def alpha_paths(self, unit_id: str, n: int, streams: Streams) -> np.ndarray:
        """``s_u²`` per path from its scaled inverse-chi-square posterior (stream ``(unit, 5)``)."""
        df = float(self.sigma_df[unit_id])
        chi = streams.unit(unit_id, 5).chisquare(df, n)
        return (df * self.sigma2[unit_id] / np.maximum(chi, 1e-9)).astype(np.float32)

    def noise_batch(self, unit_ids, years, means, streams: Streams) -> np.ndarray:
        """Shared year effect, then gamma-Poisson noise with each path's own ``s_u²``."""
        n = streams.n_paths
        out = np.empty((len(unit_ids), n, len(years)), dtype=np.float32)
        s = float(self.year_sd)
        for i, u in enumerate(unit_ids):
            alpha = self.alpha_paths(u, n, streams) if u in self.sigma2 else \
                np.full(n, np.float32(self.alpha))
            shape = np.float32(1.0) / np.maximum(alpha, np.float32(1e-6))
            for j, y in enumerate(years):
                m = np.broadcast_to(means[i, :, j], (n,)).astype(np.float32)
                if s > 0:
                    m = m * streams.year_factor(y, s)
                rng = streams.unit(u, 1, int(y))
                lam = m * rng.standard_gamma(shape).astype(np.float32) / shape
                out[i, :, j] = poisson_draws(rng, lam)
        return out


# --- the observations ---------------------------------------------------------------
def _observations(data, ref_year: int, kappa: float, drift: float,
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


def _unit_sigma2(obs: pd.DataFrame, settings: HierSettings) -> tuple[pd.Series, float, pd.Series]:
    """Pooled and per-unit year-to-year variance (moment estimates around unit means)."""
    lo, hi = (b * b for b in settings.sigma_bounds)
    whole = obs[obs["whole"]]
    g = whole.groupby("unit_id")
    n = g["z"].count()
    ss = g["z"].apply(lambda z: float(((z - z.mean()) ** 2).sum()))
    noise = g["fixed"].mean()
    df = (n - 1).clip(lower=0)
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


def _year_effects(obs: pd.DataFrame, sigma2: pd.Series, level: pd.Series,
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


def _population(means: pd.Series, var: pd.Series, settings: HierSettings) -> tuple[float, float, float]:
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


def _target_slope(obs: pd.DataFrame, sigma2: pd.Series, pooled_s2: float,
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


@register("hier_nb")
def fit_hier(data, profile, concentration: float = 30.0, origin=None,
             **options) -> HierModel:
    """Fit ``hier_nb`` to every unit in ``data`` (see the module docstring).

    Parameters
    ----------
    data : dict
        ``unit_id`` → :class:`~forecast.models.base.UnitData`.
    profile : tuple of float
    concentration : float
        Beta concentration of a unit's share at a cut-off (part-year variance).
    origin : Timestamp, optional
        The forecast origin (as-of date): the reference year ``c`` of level
        and trend is the year of the day after it, the first year forecast
        (default: the day after the last reported count).
    **options
        Fields of :class:`HierSettings`.
    """
    settings = HierSettings(**options)
    if origin is None:
        ends = [ud.counts["period_end"].max() for ud in data.values() if not ud.counts.empty]
        origin = max(ends) if ends else pd.Timestamp.today()
    ref_year = (pd.Timestamp(origin) + pd.Timedelta(days=1)).year
    obs = _observations(data, ref_year, concentration, settings.drift, settings.level_drift)
    if settings.prior_only:
        obs = obs.iloc[:0]
    sigma2, pooled_s2, sigma_df = _unit_sigma2(obs, settings)
    gamma, gamma_sd = (_target_slope(obs, sigma2, pooled_s2, settings.target_slope_sd)
                       if settings.target_slope else (0.0, 0.0))
    if gamma != 0.0:
        # The year-to-year variance is re-estimated once the target's part is out.
        obs = obs.assign(z=obs["z"] - gamma * obs["g"])
        sigma2, pooled_s2, sigma_df = _unit_sigma2(obs, settings)

    # Unit means of whole years (for year effects and the population), then year effects.
    def unit_means(o: pd.DataFrame, effects: dict):
        zz = o["z"] - o["year"].map(effects).fillna(0.0)
        v = o["unit_id"].map(sigma2).fillna(pooled_s2) * o["avg"] + o["fixed"]
        w = 1 / v
        num = (zz * w).groupby(o["unit_id"]).sum()
        den = w.groupby(o["unit_id"]).sum()
        return num / den, 1 / den

    effects: dict = {}
    h = settings.year_sd
    whole_pooled = obs[obs["whole"] & obs["pooled"]]
    for _ in range(2):
        level, _v = unit_means(whole_pooled, effects)
        effects, h = _year_effects(obs, sigma2, level, settings)
    level, lvar = unit_means(whole_pooled, effects)
    mu_raw, tau, var_mu = _population(level, lvar, settings)
    if settings.prior not in ("corrected", "population"):
        raise ConfigError(f"hier_nb option prior: found {settings.prior!r}; expected "
                          "'corrected' or 'population'.")
    discount = settings.publication_discount if settings.prior == "corrected" else 0.0
    mu = mu_raw - discount * max(mu_raw, 0.0)

    fm = HierModel(name="hier_nb", data=data, alpha=pooled_s2, year_sd=h, ref_year=ref_year,
                   mu=mu, mu_raw=mu_raw, tau=tau, year_effects=effects,
                   level_drift=settings.level_drift, gamma=gamma, gamma_sd=gamma_sd)
    prior_prec = np.diag([1 / (tau ** 2 + var_mu),
                          1 / settings.trend_sd ** 2 if settings.trend else 1e12])
    prior_mean = np.array([mu, 0.0])
    by_unit = dict(tuple(obs.groupby("unit_id"))) if not obs.empty else {}
    rows = []
    for u, ud in data.items():
        o = by_unit.get(u)
        pooled = ud.exposure.kind != "own_level"
        if o is None and not pooled:
            fm.note(u, f"unit {u!r}: no admission counts and no target: nothing to forecast "
                       "from. Fix: add a target or yearly counts.")
            continue
        s2 = float(sigma2.get(u, pooled_s2))
        fm.sigma2[u] = s2
        fm.sigma_df[u] = float(sigma_df.get(u, settings.sigma_prior_df))
        P0 = prior_prec.copy() if pooled else np.diag([1e-6, prior_prec[1, 1]])
        m0 = prior_mean if pooled else np.zeros(2)
        if o is None or o.empty:
            P, rhs = P0, P0 @ m0
        else:
            zz = (o["z"] - o["year"].map(effects).fillna(0.0)).to_numpy()
            v = (s2 * o["avg"] + o["fixed"]).to_numpy()
            X = np.column_stack([np.ones(len(o)), o["dt"].to_numpy()])
            P = P0 + (X / v[:, None]).T @ X
            rhs = P0 @ m0 + (X / v[:, None]).T @ zz
        cov = np.linalg.inv(P)
        mean = cov @ rhs
        fm.mean[u], fm.cov[u] = (float(mean[0]), float(mean[1])), cov
        own = 0.0 if o is None or o.empty else float(1 - P0[0, 0] * cov[0, 0])
        recent = np.nan
        if o is not None and (o["whole"]).any():
            last = o[o["whole"]].sort_values("dt").tail(3)
            recent = float(last["y"].sum() / last["x"].sum()) if pooled else np.nan
        fm.explain[u] = {
            "expected_attainment": float(np.exp(mean[0] + cov[0, 0] / 2 + s2 / 2))
            if pooled else np.nan,
            "recent_attainment": recent,
            "own_weight": own if pooled else 1.0,
        }
        if o is None or o.empty:
            fm.note(u, f"no admission counts: forecast from the population prior of "
                       f"{len(level)} unit(s) (median attainment {np.exp(mu) * 100:.0f}%)")
        rows.append({"unit_id": u, "level": mean[0], "trend": mean[1],
                     "level_sd": float(np.sqrt(cov[0, 0])), "sigma": float(np.sqrt(s2)),
                     "own_weight": own, "n_counts": 0 if o is None else len(o)})
    fm.population = pd.DataFrame(rows)
    return fm


fit_hier.takes_context = True
