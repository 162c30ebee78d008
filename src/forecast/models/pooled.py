"""The pooled count model (``pooled_nb``): attainment with partial pooling across units.

Model, for unit ``u`` and calendar year ``t``::

    Y[u,t] ~ NegBin(mean = E[u,t] · exp(a_u + beta·(t - t0) + eta_t),  var = m + alpha·m²)
    eta_t  ~ Normal(-s²/2, s²)   shared by every unit in year t (a bad year hits all)
    a_u    ~ Normal(mu, tau²)    log-attainment, partially pooled

A reported count is ``sum_t w[t] · Y[u,t]`` (see :mod:`forecast.models.base`), so its
mean is ``m_i = sum_t w[i,t] E[u,t] exp(a_u + beta (t - t0))`` and its variance

    V_i = m_i + (alpha + s²) · sum_t m[i,t]² + (high - low)² / 12
          + cv² · sum_{t: 0 < w < 1} ((1 - w[i,t]) · m[i,t])²

(the last two terms: a range "10-12" read as uniform; the share of a
part-year being uncertain because units differ in how they spread the year).

Fitting is in two stages; ``docs/engine.md`` gives the reasoning.

1. Fixed effects ``a_u`` and ``beta`` by Fisher scoring on the quasi-score
   ``sum_i (y_i - m_i) / V_i · dm_i/dtheta`` (with ``V`` the NB variance this is
   the NB2 maximum-likelihood equation a GLM with log link and offset
   ``log E`` solves; the test compares it with statsmodels). ``beta`` has a
   Normal(0, 0.05²) ridge prior. The total dispersion ``alpha + s²`` solves
   the Pearson equation ``sum (y - m)² / V = n - units - 1``; the year part
   ``s²`` is the inverse-variance weighted mean product of two units'
   relative residuals in the same year (their covariance), not capped by
   the total; both refitted three times.
2. Empirical Bayes: the raw log-attainments ``x_u`` with variances
   ``v_u = 1 / I_uu`` give ``mu`` and ``tau²`` by the DerSimonian-Laird moment
   estimator; each unit's posterior is ``mu + (1 - B_u)(x_u - mu)`` with
   ``B_u = v_u / (v_u + tau²)`` and variance ``(1 - B_u) v_u + B_u² Var(mu)``.
   A unit with a target but no counts gets the prior ``Normal(mu, tau² + Var(mu))``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.errors import ModelError
from forecast.models.base import FittedModel, Streams, register

A_BOUNDS = (-7.0, 12.0)


@dataclass
class PooledSettings:
    """Choices of the pooled model (defaults documented in ``docs/engine.md``)."""

    trend: bool = True
    trend_prior_sd: float = 0.05
    alpha: float | None = None
    year_sd: float | None = None
    alpha_default: float = 0.02
    year_sd_default: float = 0.10
    alpha_floor: float = 1e-3
    profile_cv: float = 0.25
    tau_default: float = 0.30
    tau_min: float = 0.05
    min_df: int = 3
    outer_iterations: int = 3
    dispersion_prior_weight: float = 0.0
    year_var_prior_weight: float = 0.0


@dataclass
class PooledModel(FittedModel):
    """Fitted pooled model: per-unit posterior of log-attainment plus shared parts."""

    post_mean: dict = field(default_factory=dict)
    post_var: dict = field(default_factory=dict)
    beta: float = 0.0
    beta_se: float = 0.0
    t0: int = 2020
    mu: float = 0.0
    tau: float = 0.3
    shrinkage: pd.DataFrame = field(default_factory=pd.DataFrame)
    part_year_update = True

    def yearly_means(self, unit_id, years, streams: Streams) -> np.ndarray:
        return self.means_batch([unit_id], years, streams)[0].astype(float)

    def means_batch(self, unit_ids, years, streams: Streams) -> np.ndarray:
        """``E[u,t] · exp(a_u + beta (t - t0))`` per path, float32 ``(units, paths, years)``.

        ``a_u`` is drawn from the unit's posterior with its own stream
        ``(unit, 0)``; ``beta`` from ``Normal(beta, se²)`` with the shared
        stream ``(1, 1)``, the same draw in every unit's path ``i``.
        """
        n = streams.n_paths
        for u in unit_ids:
            if u not in self.post_mean:
                raise ModelError(self.diagnostics.get(
                    u, f"unit {u!r}: no counts and no target; nothing to forecast from."))
        b = (self.beta + self.beta_se * streams.shared_normal(1)).astype(np.float32)
        t = np.asarray(years, dtype=np.float32) - np.float32(self.t0)
        a = np.empty((len(unit_ids), n), dtype=np.float32)
        e = np.empty((len(unit_ids), len(years)), dtype=np.float32)
        for i, u in enumerate(unit_ids):
            z = streams.unit(u, 0).standard_normal(n, dtype=np.float32)
            a[i] = self.post_mean[u] + np.float32(np.sqrt(self.post_var[u])) * z
            e[i] = self.exposure(u, years)
        logm = a[:, :, None] + b[None, :, None] * t[None, None, :]
        return e[:, None, :] * np.exp(logm)


def _design(data, units):
    """Arrays of the fit: per observation its unit, y, range variance, year weights."""
    years = sorted({y for u in units for w in data[u].counts["weights"] for y in w})
    col = {y: j for j, y in enumerate(years)}
    uix, y, rv, W, E = [], [], [], [], []
    for k, u in enumerate(units):
        ud = data[u]
        for r in ud.counts.itertuples(index=False):
            row = np.zeros(len(years))
            for yr, w in r.weights.items():
                row[col[yr]] = w
            uix.append(k)
            y.append(r.value)
            rv.append((r.high - r.low) ** 2 / 12)
            W.append(row)
            E.append(ud.exposure.over(years))
    return (np.array(years, dtype=float), np.array(uix, dtype=int), np.array(y, dtype=float),
            np.array(rv), np.array(W).reshape(len(y), len(years)),
            np.array(E).reshape(len(y), len(years)))


def fit_fixed(uix, y, rv, W, E, years, t0, n_units, disp, settings: PooledSettings,
              a0=None, b0=0.0, iterations=100):
    """Stage 1: Fisher scoring for ``a_u`` and ``beta`` at a given dispersion.

    ``disp`` is ``alpha + s²`` (the NB part of the variance). Returns
    ``a, beta, info_aa, beta_se, m_it`` where ``info_aa`` is each unit's
    Fisher information (conditional on beta).
    """
    t = years - t0
    prior_prec = 0.0 if not settings.trend else 1 / settings.trend_prior_sd ** 2
    cv2 = settings.profile_cv ** 2
    partial = np.where((W > 0) & (W < 1), 1 - W, 0.0)
    if a0 is None:
        num = np.bincount(uix, y, n_units) + 0.5
        den = np.bincount(uix, (W * E).sum(1), n_units)
        a0 = np.log(num / np.maximum(den, 1e-12))
    a, b = np.clip(a0, *A_BOUNDS), b0
    for _ in range(iterations):
        mit = W * E * np.exp(a[uix, None] + b * t[None, :])
        m = mit.sum(1)
        d = (mit * t[None, :]).sum(1)
        V = m + disp * (mit ** 2).sum(1) + rv + cv2 * ((partial * mit) ** 2).sum(1)
        V = np.maximum(V, 1e-9)
        res = (y - m) / V
        su = np.bincount(uix, res * m, n_units)
        Iuu = np.maximum(np.bincount(uix, m * m / V, n_units), 1e-12)
        if settings.trend:
            sb = float(np.sum(res * d)) - prior_prec * b
            Iub = np.bincount(uix, m * d / V, n_units)
            Ibb = float(np.sum(d * d / V)) + prior_prec
            S = max(Ibb - float(np.sum(Iub ** 2 / Iuu)), 1e-12)
            db = (sb - float(np.sum(Iub * su / Iuu))) / S
            db = float(np.clip(db, -0.2, 0.2))
        else:
            Iub, S, db = np.zeros(n_units), np.inf, 0.0
        da = np.clip((su - Iub * db) / Iuu, -1.0, 1.0)
        a = np.clip(a + da, *A_BOUNDS)
        b = b + db
        if np.max(np.abs(da)) < 1e-9 and abs(db) < 1e-9:
            break
    beta_se = float(np.sqrt(1 / S)) if settings.trend else 0.0
    return a, b, Iuu, beta_se, mit


def moment_dispersion(uix, y, rv, W, mit, n_units, n_params, settings: PooledSettings,
                      years, info: dict | None = None):
    """Total dispersion (Pearson moments, df-corrected) and its shared-year part.

    The total ``d = alpha + s²`` solves the Pearson equation
    ``sum_i (y_i - m_i)² / V_i(d) = df`` with
    ``V_i(d) = m_i + d · q_i + range_i + part_i`` (``q_i = sum_t m[i,t]²``),
    by bisection; ``d`` stays at the floor when even ``V`` at the floor
    leaves the sum below ``df``. (An earlier version averaged the
    per-report estimates ``((y - m)² - m) / q`` with equal weights: a unit
    with a mean near 1 gives ``-1/m`` from a zero count and swamped the
    average, so the total sat at its floor.)

    The year part ``s²`` is the weighted covariance of relative residuals
    ``r = (y - m) / m`` of different units in one year, each weighted by
    the inverse of its variance ``1 / (1/m + d)`` so that small units'
    noise does not drown it. It is estimated on its own and is not capped
    by the total (the caller takes ``alpha = max(total - s², floor)``).

    Returns ``(total, year_var)`` or ``(None, None)`` where the data are too few.
    ``info``, when given, receives ``df`` and ``years_used`` (the evidence
    behind each part, for :func:`prior_dispersion`).
    """
    m = mit.sum(1)
    q = (mit ** 2).sum(1)
    cv2 = settings.profile_cv ** 2
    partial = np.where((W > 0) & (W < 1), 1 - W, 0.0)
    pv = cv2 * ((partial * mit) ** 2).sum(1)
    df = len(y) - n_params
    total = None
    r2 = (y - m) ** 2
    base = np.maximum(m + rv + pv, 1e-9)

    def pearson(d):
        return float(np.sum(r2 / (base + d * q))) - df

    if df >= settings.min_df:
        lo, hi = settings.alpha_floor, 50.0
        if pearson(lo) <= 0:
            total = lo
        elif pearson(hi) >= 0:
            total = hi
        else:
            for _ in range(60):
                mid = np.sqrt(lo * hi)
                lo, hi = (mid, hi) if pearson(mid) > 0 else (lo, mid)
            total = float(np.sqrt(lo * hi))
    # Shared year part: covariance of relative residuals of different units in one year.
    counts_per_unit = np.bincount(uix, minlength=n_units)
    single_year = (W > 0).sum(1) == 1
    keep = single_year & (counts_per_unit[uix] >= 2) & (m > 0)
    year_of = np.argmax(W > 0, axis=1)
    mm = np.where(m > 0, m, 1.0)
    rel = np.where(keep, (y - m) / mm, 0.0)
    wt = np.where(keep, 1.0 / (1.0 / mm + (total if total is not None else 0.05)), 0.0)
    num, den, pairs, years_used = 0.0, 0.0, 0, 0
    for j in range(len(years)):
        sel = keep & (year_of == j)
        r, w = rel[sel], wt[sel]
        if len(r) >= 2:
            num += ((w * r).sum() ** 2 - ((w * r) ** 2).sum()) / 2
            den += (w.sum() ** 2 - (w ** 2).sum()) / 2
            pairs += len(r) * (len(r) - 1) // 2
            years_used += 1
    year_var = num / den if years_used >= 2 and pairs >= 3 and den > 0 else None
    if info is not None:
        info.update(df=df, years_used=years_used)
    return total, year_var


def prior_dispersion(total, year_var, df: int, years_used: int, settings: PooledSettings):
    """Moment estimates shrunk towards the defaults by pseudo-observations.

    ``total = (df · total_hat + k · (alpha0 + s0²)) / (df + k)`` with
    ``k = dispersion_prior_weight`` degrees of freedom, and
    ``s² = (n · s²_hat + k_y · s0²) / (n + k_y)`` with ``n`` the years with
    pairs of units and ``k_y = year_var_prior_weight``; a missing estimate
    counts 0. Weights 0 (the default) leave the moment estimates as they are.
    Reason (``docs/engine.md``, "Dispersion"): a moment estimate from a few
    repeated reports is noisy and, truncated at its floor, biased low; a
    prior worth a few degrees of freedom keeps the intervals from collapsing
    when the data say little.
    """
    k, ky = settings.dispersion_prior_weight, settings.year_var_prior_weight
    t0 = settings.alpha_default + settings.year_sd_default ** 2
    y0 = settings.year_sd_default ** 2
    if k > 0:
        n = max(df, 0) if total is not None else 0
        total = (n * (total if total is not None else 0.0) + k * t0) / (n + k)
    if ky > 0:
        n = years_used if year_var is not None else 0
        year_var = (n * max(year_var if year_var is not None else 0.0, 0.0) + ky * y0) / (n + ky)
    return total, year_var


def dersimonian_laird(x, v, settings: PooledSettings):
    """``mu, tau², Var(mu)`` of the normal prior on log-attainment."""
    k = len(x)
    if k == 0:
        return 0.0, settings.tau_default ** 2, settings.tau_default ** 2
    w = 1 / v
    if k < 3:
        tau2 = settings.tau_default ** 2
    else:
        mu_fe = np.sum(w * x) / np.sum(w)
        Q = float(np.sum(w * (x - mu_fe) ** 2))
        tau2 = max(0.0, (Q - (k - 1)) / (np.sum(w) - np.sum(w ** 2) / np.sum(w)))
        tau2 = max(tau2, settings.tau_min ** 2)
    ws = 1 / (v + tau2)
    return float(np.sum(ws * x) / np.sum(ws)), float(tau2), float(1 / np.sum(ws))


@register("pooled_nb")
def fit_pooled(data, profile, **options) -> PooledModel:
    """Fit the pooled model to every unit in ``data`` (see the module docstring).

    Parameters
    ----------
    data : dict of UnitData
    profile : sequence of 12 floats
    **options
        Fields of :class:`PooledSettings`.
    """
    s = PooledSettings(**options)
    fitted_units = [u for u, d in data.items() if d.n_obs > 0]
    model = PooledModel("pooled_nb", data)
    alpha = s.alpha if s.alpha is not None else s.alpha_default
    year_sd = s.year_sd if s.year_sd is not None else s.year_sd_default
    shrink_rows = []
    a = info = None
    if fitted_units:
        years, uix, y, rv, W, E = _design(data, fitted_units)
        t0 = int(np.round(np.average(years, weights=(W > 0).sum(0)))) if len(years) else 2020
        if len(years) < 2:
            s.trend = False
        n_params = len(fitted_units) + (1 if s.trend else 0)
        b = 0.0
        for _ in range(s.outer_iterations):
            a, b, info, b_se, mit = fit_fixed(uix, y, rv, W, E, years, t0, len(fitted_units),
                                              alpha + year_sd ** 2, s, a, b)
            evidence: dict = {}
            total, year_var = moment_dispersion(uix, y, rv, W, mit, len(fitted_units),
                                                n_params, s, years, evidence)
            total, year_var = prior_dispersion(total, year_var, evidence["df"],
                                               evidence["years_used"], s)
            if s.year_sd is None and year_var is not None:
                # Not capped by the total: each part is its own estimate.
                year_sd = float(np.sqrt(max(year_var, 0.0)))
            if s.alpha is None and total is not None:
                alpha = max(total - year_sd ** 2, s.alpha_floor)
        model.beta, model.beta_se, model.t0 = float(b), float(b_se), t0
    model.alpha, model.year_sd = float(alpha), float(year_sd)
    raw = {u: (float(a[k]), float(1 / info[k])) for k, u in enumerate(fitted_units)}
    pooled = [u for u in fitted_units if data[u].exposure.kind != "own_level"]
    x = np.array([raw[u][0] for u in pooled])
    v = np.array([raw[u][1] for u in pooled])
    mu, tau2, var_mu = dersimonian_laird(x, v, s)
    model.mu, model.tau = mu, float(np.sqrt(tau2))
    for u, ud in data.items():
        if u in raw and ud.exposure.kind == "own_level":
            xm, vu = raw[u]
            model.post_mean[u], model.post_var[u] = xm, vu
            model.note(u, "no target to scale by: forecast from the unit's own counts, "
                          "not pooled")
            shrink_rows.append((u, ud.exposure.kind, ud.n_obs, xm, vu, xm, vu, 1.0))
        elif u in raw:
            xm, vu = raw[u]
            B = vu / (vu + tau2)
            pm, pv = mu + (1 - B) * (xm - mu), (1 - B) * vu + B * B * var_mu
            model.post_mean[u], model.post_var[u] = pm, pv
            shrink_rows.append((u, ud.exposure.kind, ud.n_obs, xm, vu, pm, pv, 1 - B))
        elif ud.exposure.kind != "own_level":
            model.post_mean[u], model.post_var[u] = mu, tau2 + var_mu
            model.note(u, f"no admission counts: forecast from the population prior of "
                          f"{len(pooled)} unit(s) (median attainment {np.exp(mu):.0%})")
            shrink_rows.append((u, ud.exposure.kind, 0, np.nan, np.nan, mu, tau2 + var_mu, 0.0))
        else:
            model.note(u, f"unit {u!r}: no admission counts and no target: nothing to "
                          "forecast from. Fix: add a target or yearly counts.")
    sh = pd.DataFrame(shrink_rows, columns=["unit_id", "exposure_kind", "n_obs", "raw_log",
                                            "raw_var", "post_log", "post_var", "weight_own"])
    sh["raw_attainment"] = np.exp(sh["raw_log"])
    sh["shrunk_attainment"] = np.exp(sh["post_log"])
    model.shrinkage = sh
    return model
