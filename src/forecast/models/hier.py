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
The steps below are functions of :mod:`forecast.models.hier_steps`, which
also holds the settings (:class:`~forecast.models.hier_steps.HierSettings`).

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
from forecast.models.draws import CountNoise
from forecast.models.hier_steps import (HierSettings, observations, population_centre,
                                        target_slope, unit_sigma2, year_effects)


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

    def count_noise(self, unit_id: str, years: list[int], streams: Streams) -> list:
        """Gamma-Poisson noise with each path's own ``s_u²`` (:meth:`alpha_paths`)."""
        n = streams.n_paths
        alpha = self.alpha_paths(unit_id, n, streams) if unit_id in self.sigma2 else \
            np.full(n, np.float32(self.alpha))
        shape = np.float32(1.0) / np.maximum(alpha, np.float32(1e-6))
        out = []
        for y in years:
            rng = streams.unit(unit_id, 1, int(y))
            out.append(CountNoise(rng, rng.standard_gamma(shape).astype(np.float32), shape))
        return out


@register("hier_nb")
def fit_hier(data, profile, concentration: float = 30.0, origin=None,
             **options) -> HierModel:
    """Fit ``hier_nb`` to every unit in ``data`` (see the module docstring).

    Parameters
    ----------
    data : dict
        ``unit_id`` → :class:`~forecast.models.counts.UnitData`.
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
    obs = observations(data, ref_year, concentration, settings.drift, settings.level_drift)
    if settings.prior_only:
        obs = obs.iloc[:0]
    sigma2, pooled_s2, sigma_df = unit_sigma2(obs, settings)
    gamma, gamma_sd = (target_slope(obs, sigma2, pooled_s2, settings.target_slope_sd)
                       if settings.target_slope else (0.0, 0.0))
    if gamma != 0.0:
        # The year-to-year variance is re-estimated once the target's part is out.
        obs = obs.assign(z=obs["z"] - gamma * obs["g"])
        sigma2, pooled_s2, sigma_df = unit_sigma2(obs, settings)

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
        effects, h = year_effects(obs, sigma2, level, settings)
    if settings.sigma_net:
        # H9: the variance net of the year effects just estimated and of own trends.
        net = obs.assign(z=obs["z"] - obs["year"].map(effects).fillna(0.0))
        sigma2, pooled_s2, sigma_df = unit_sigma2(net, settings, detrend=settings.trend)
    level, lvar = unit_means(whole_pooled, effects)
    mu_raw, tau, var_mu = population_centre(level, lvar, settings)
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
    # Each unit's rows as positions into whole columns: a frame per unit costs
    # more than the unit's arithmetic.
    by_unit = obs.groupby("unit_id", sort=False).indices if not obs.empty else {}
    col = {c: obs[c].to_numpy() for c in ("avg", "fixed", "dt", "whole", "y", "x")}
    col["zz"] = (obs["z"] - obs["year"].map(effects).fillna(0.0)).to_numpy()
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
        if o is None or not len(o):
            P, rhs = P0, P0 @ m0
        else:
            v = s2 * col["avg"][o] + col["fixed"][o]
            X = np.column_stack([np.ones(len(o)), col["dt"][o]])
            P = P0 + (X / v[:, None]).T @ X
            rhs = P0 @ m0 + (X / v[:, None]).T @ col["zz"][o]
        cov = np.linalg.inv(P)
        mean = cov @ rhs
        fm.mean[u], fm.cov[u] = (float(mean[0]), float(mean[1])), cov
        own = 0.0 if o is None or not len(o) else float(1 - P0[0, 0] * cov[0, 0])
        recent = np.nan
        whole = o[col["whole"][o]] if o is not None else []
        if len(whole):
            # The last three whole years (pandas' sort_values order: quicksort).
            last = whole[np.argsort(col["dt"][whole], kind="quicksort")][-3:]
            recent = float(col["y"][last].sum() / col["x"][last].sum()) if pooled else np.nan
        fm.explain[u] = {
            "expected_attainment": float(np.exp(mean[0] + cov[0, 0] / 2 + s2 / 2))
            if pooled else np.nan,
            "recent_attainment": recent,
            "own_weight": own if pooled else 1.0,
        }
        if o is None or not len(o):
            fm.note(u, f"no admission counts: forecast from the population prior of "
                       f"{len(level)} unit(s) (median attainment {np.exp(mu) * 100:.0f}%)")
        rows.append({"unit_id": u, "level": mean[0], "trend": mean[1],
                     "level_sd": float(np.sqrt(cov[0, 0])), "sigma": float(np.sqrt(s2)),
                     "own_weight": own, "n_counts": 0 if o is None else len(o)})
    fm.population = pd.DataFrame(rows)
    return fm


fit_hier.takes_context = True
