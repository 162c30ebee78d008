"""Proper scores for probability and interval forecasts, with cluster bootstrap.

Independent of the forecast engine: every function takes plain arrays (or a
DataFrame with named columns) of forecasts and outcomes. All scores are
*negatively oriented*: lower is better.

- Brier score ``mean((p - y)^2)`` for the event "the target is reached", with
  Murphy's decomposition over probability bins:
  ``REL = sum_k n_k (pbar_k - obar_k)^2 / N`` (reliability: how far the bins'
  mean forecast is from their observed frequency), ``RES = sum_k n_k (obar_k -
  obar)^2 / N`` (resolution: how much the bins' frequencies differ from the
  overall rate) and ``UNC = obar (1 - obar)`` (uncertainty of the event). When
  the forecasts are constant within each bin, ``Brier = REL - RES + UNC``
  exactly; otherwise a small within-bin remainder is left, which is reported.
- Log score ``-mean(y log p + (1 - y) log(1 - p))`` with ``p`` clipped to
  ``[eps, 1 - eps]`` (default ``eps = 0.001``): a forecast of exactly 0 or 1
  that turns out wrong would otherwise score infinity. With the default, a
  sure and wrong forecast costs ``-log(0.001) = 6.91``.
- Coverage of a central interval: the share of outcomes inside ``[lower,
  upper]`` (ends included).
- Interval score of a central ``(1 - alpha)`` interval (Gneiting & Raftery
  2007, eq. 43): ``(u - l) + 2/alpha (l - y) 1{y < l} + 2/alpha (y - u) 1{y > u}``.
- CRPS of the forecast total, approximated from its quantiles
  (:mod:`forecast.evaluate.quantiles`), on the scale given by ``scale``.
- Reliability table: probability bins with their count, mean forecast and
  observed frequency.
- Monte Carlo error: a probability estimated from ``N`` simulated paths has
  standard error ``se = sqrt(p (1 - p) / N)`` (or the engine's own, column
  ``p_se``); the mean of a score over ``n`` cases then carries the error
  ``sqrt(Σ (dloss/dp)² se²) / n`` (delta method; ``dloss/dp = 2 (p - y)`` for
  Brier, ``-y/p + (1 - y)/(1 - p)`` for the log score).
- Cluster bootstrap: resample whole clusters (years) with replacement, since
  units in the same year share shocks and are not independent cases.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.errors import ConfigError
from forecast.evaluate.quantiles import QUANTILE_COLUMNS, crps_quantiles

LOG_EPS = 1e-3
"""Default clipping of probabilities in the log score (see module docstring)."""


def _as_pair(p, y, where: str) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(p, dtype=float)
    y = np.asarray(y, dtype=float)
    if p.shape != y.shape or p.ndim != 1:
        raise ConfigError(
            f"{where}: forecasts and outcomes must be 1-d arrays of the same length, "
            f"found shapes {p.shape} and {y.shape}. Fix: pass one value per case."
        )
    if np.any((p < 0) | (p > 1)) or np.any(np.isnan(p)):
        lo, hi = (np.nanmin(p), np.nanmax(p)) if p.size else ("n/a", "n/a")
        raise ConfigError(
            f"{where}: probabilities must lie in [0, 1], found min {lo} and max {hi} "
            "(or NaN). Fix: drop cases without a forecast."
        )
    if not np.all((y == 0) | (y == 1)):
        raise ConfigError(
            f"{where}: outcomes must be 0 or 1, found {sorted(set(y.tolist()) - {0.0, 1.0})[:5]}. "
            "Fix: code 'reached' as 1 and 'not reached' as 0."
        )
    return p, y


def brier_score(p, y) -> float:
    """Mean squared difference between probability and 0/1 outcome.

    Examples
    --------
    >>> round(brier_score([0.8, 0.3], [1, 0]), 6)
    0.065
    """
    p, y = _as_pair(p, y, "brier_score")
    return float(np.mean((p - y) ** 2)) if p.size else float("nan")


def log_score(p, y, eps: float = LOG_EPS) -> float:
    """Mean negative log-likelihood of the outcomes, ``p`` clipped to ``[eps, 1-eps]``."""
    p, y = _as_pair(p, y, "log_score")
    if not 0 < eps < 0.5:
        raise ConfigError(f"log_score: eps must lie in (0, 0.5), found {eps}. Fix: use 0.001.")
    q = np.clip(p, eps, 1 - eps)
    return float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q))) if p.size else float("nan")


def bin_edges(n_bins: int = 10) -> np.ndarray:
    """Equal-width probability bins on [0, 1]; the last bin includes 1."""
    if n_bins < 1:
        raise ConfigError(f"bins: expected at least 1 bin, found {n_bins}. Fix: use 10.")
    return np.linspace(0.0, 1.0, n_bins + 1)


def bin_index(p, n_bins: int = 10) -> np.ndarray:
    """Index of the bin of each probability: [0, 0.1) -> 0 ... [0.9, 1] -> 9."""
    p = np.asarray(p, dtype=float)
    return np.minimum((p * n_bins).astype(int), n_bins - 1)


@dataclass(frozen=True)
class BrierDecomposition:
    """Murphy's decomposition of the Brier score.

    ``remainder = brier - (reliability - resolution + uncertainty)`` is zero
    when forecasts are constant within bins (the within-bin variance terms).
    """

    brier: float
    reliability: float
    resolution: float
    uncertainty: float
    remainder: float
    n_bins: int


def brier_decomposition(p, y, n_bins: int = 10) -> BrierDecomposition:
    """Brier score and its reliability, resolution and uncertainty terms."""
    p, y = _as_pair(p, y, "brier_decomposition")
    n = p.size
    if n == 0:
        nan = float("nan")
        return BrierDecomposition(nan, nan, nan, nan, nan, n_bins)
    k = bin_index(p, n_bins)
    cnt = np.bincount(k, minlength=n_bins).astype(float)
    sp = np.bincount(k, weights=p, minlength=n_bins)
    sy = np.bincount(k, weights=y, minlength=n_bins)
    rel, res, unc = _decompose(cnt, sp, sy)
    b = float(np.mean((p - y) ** 2))
    return BrierDecomposition(b, float(rel), float(res), float(unc),
                              b - float(rel - res + unc), n_bins)


def _decompose(cnt, sp, sy):
    """REL, RES, UNC from per-bin counts and sums; works on (..., bins) arrays."""
    cnt = np.asarray(cnt, dtype=float)
    n = cnt.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        pbar = np.where(cnt > 0, sp / np.where(cnt > 0, cnt, 1), 0.0)
        obar_k = np.where(cnt > 0, sy / np.where(cnt > 0, cnt, 1), 0.0)
        obar = np.asarray(sy).sum(axis=-1) / n
        rel = (cnt * (pbar - obar_k) ** 2).sum(axis=-1) / n
        res = (cnt * (obar_k - obar[..., None]) ** 2).sum(axis=-1) / n
        unc = obar * (1 - obar)
    return rel, res, unc


def reliability_table(p, y, n_bins: int = 10) -> pd.DataFrame:
    """Predicted-probability bins against observed frequency.

    Returns
    -------
    DataFrame
        One row per bin: ``bin_lower, bin_upper, n, mean_p, observed_freq``
        (``mean_p`` and ``observed_freq`` NaN in empty bins).
    """
    p, y = _as_pair(p, y, "reliability_table")
    edges = bin_edges(n_bins)
    k = bin_index(p, n_bins)
    cnt = np.bincount(k, minlength=n_bins)
    sp = np.bincount(k, weights=p, minlength=n_bins)
    sy = np.bincount(k, weights=y, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame({
            "bin_lower": edges[:-1], "bin_upper": edges[1:], "n": cnt,
            "mean_p": np.where(cnt > 0, sp / np.maximum(cnt, 1), np.nan),
            "observed_freq": np.where(cnt > 0, sy / np.maximum(cnt, 1), np.nan),
        })


def _as_interval(y, lower, upper, where: str):
    y, lo, hi = (np.asarray(a, dtype=float) for a in (y, lower, upper))
    if not (y.shape == lo.shape == hi.shape):
        raise ConfigError(f"{where}: outcome, lower and upper must have the same length, "
                          f"found {y.shape}, {lo.shape}, {hi.shape}. Fix: one value per case.")
    if np.any(hi < lo):
        raise ConfigError(f"{where}: an interval's upper end is below its lower end "
                          f"({int(np.sum(hi < lo))} cases). Fix: swap or recompute the quantiles.")
    return y, lo, hi


def interval_hits(y, lower, upper) -> np.ndarray:
    """1.0 where the outcome lies in ``[lower, upper]``, else 0.0."""
    y, lo, hi = _as_interval(y, lower, upper, "coverage")
    return ((y >= lo) & (y <= hi)).astype(float)


def coverage(y, lower, upper) -> float:
    """Share of outcomes inside their interval (ends included)."""
    h = interval_hits(y, lower, upper)
    return float(h.mean()) if h.size else float("nan")


def interval_score_values(y, lower, upper, alpha: float) -> np.ndarray:
    """Per-case interval score of central ``(1 - alpha)`` intervals (Gneiting & Raftery 2007)."""
    if not 0 < alpha < 1:
        raise ConfigError(f"interval_score: alpha must lie in (0, 1), found {alpha}. "
                          "Fix: 0.2 for an 80 % interval.")
    y, lo, hi = _as_interval(y, lower, upper, "interval_score")
    return (hi - lo) + (2 / alpha) * np.maximum(lo - y, 0) + (2 / alpha) * np.maximum(y - hi, 0)


def interval_score(y, lower, upper, alpha: float) -> float:
    """Mean interval score; lower is better."""
    v = interval_score_values(y, lower, upper, alpha)
    return float(v.mean()) if v.size else float("nan")


def _cluster_weights(clusters, n_boot: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Codes of each case's cluster and bootstrap multiplicities (n_boot x n_clusters)."""
    codes, uniques = pd.factorize(pd.Series(clusters), sort=True)
    g = len(uniques)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, g, size=(n_boot, g))
    w = np.zeros((n_boot, g))
    np.add.at(w, (np.repeat(np.arange(n_boot), g), draws.ravel()), 1.0)
    return codes, w


def bootstrap_means(values: dict[str, np.ndarray], clusters, n_boot: int = 1000,
                    level: float = 0.9, seed: int = 0) -> dict[str, tuple[float, float]]:
    """Percentile intervals of means of per-case losses, resampling whole clusters.

    Each replicate draws as many clusters as there are, with replacement, and
    takes every case of each drawn cluster; the mean of a replicate is
    ``sum over drawn clusters of loss sums / their case counts``. NaN cases
    are ignored per score. With one cluster the interval is ``(nan, nan)``.
    """
    codes, w = _cluster_weights(clusters, n_boot, seed)
    g = w.shape[1]
    a = (1 - level) / 2
    out = {}
    for name, v in values.items():
        v = np.asarray(v, dtype=float)
        ok = ~np.isnan(v)
        if g < 2 or not ok.any():
            out[name] = (float("nan"), float("nan"))
            continue
        s = np.bincount(codes[ok], weights=v[ok], minlength=g)
        c = np.bincount(codes[ok], minlength=g).astype(float)
        den = w @ c
        with np.errstate(invalid="ignore", divide="ignore"):
            reps = (w @ s) / den
        reps = reps[den > 0]
        out[name] = (float(np.quantile(reps, a)), float(np.quantile(reps, 1 - a)))
    return out


def bootstrap_decomposition(p, y, clusters, n_bins: int = 10, n_boot: int = 1000,
                            level: float = 0.9, seed: int = 0) -> dict[str, tuple[float, float]]:
    """Cluster-bootstrap percentile intervals of REL, RES and UNC."""
    p, y = _as_pair(p, y, "bootstrap_decomposition")
    codes, w = _cluster_weights(clusters, n_boot, seed)
    g = w.shape[1]
    nan2 = (float("nan"), float("nan"))
    if g < 2 or p.size == 0:
        return {"reliability": nan2, "resolution": nan2, "uncertainty": nan2}
    k = bin_index(p, n_bins)
    flat = codes * n_bins + k
    shape = (g, n_bins)
    cnt = np.bincount(flat, minlength=g * n_bins).reshape(shape)
    sp = np.bincount(flat, weights=p, minlength=g * n_bins).reshape(shape)
    sy = np.bincount(flat, weights=y, minlength=g * n_bins).reshape(shape)
    rel, res, unc = _decompose(w @ cnt, w @ sp, w @ sy)
    a = (1 - level) / 2
    return {name: (float(np.quantile(r, a)), float(np.quantile(r, 1 - a)))
            for name, r in (("reliability", rel), ("resolution", res), ("uncertainty", unc))}


SCORE_COLUMNS = ("n", "n_intervals", "brier", "log_score", "crps", "coverage_50",
                 "coverage_80", "interval_score", "reliability", "resolution", "uncertainty",
                 "remainder", "brier_mc_se", "log_score_mc_se")
_BOOTSTRAPPED = ("brier", "log_score", "crps", "coverage_50", "coverage_80", "interval_score")


def summarize(frame: pd.DataFrame, by=("model", "dataset"), cluster: str = "year",
              n_bins: int = 10, n_boot: int = 1000, level: float = 0.9, seed: int = 0,
              eps: float = LOG_EPS) -> pd.DataFrame:
    """Score every group of forecasts, with cluster-bootstrap intervals.

    Parameters
    ----------
    frame : DataFrame
        One row per forecast case with columns ``p`` (probability of the
        event), ``y`` (0/1 outcome), optionally ``p_log`` (probability used in
        the log score, default ``p``), ``outcome`` (observed total, NaN where
        unknown), ``q10, q25, q50, q75, q90`` (quantiles of the forecast total),
        ``p_se`` (Monte Carlo standard error of ``p``, optional),
        ``scale`` (divisor of outcome and quantiles in the interval score,
        e.g. the target, so that big and small units weigh alike; default 1)
        and the cluster column.
    by : sequence of str
        Grouping columns (each group is one row of the result).
    cluster : str
        Column resampled in the bootstrap (the year).
    n_bins, n_boot, level, seed, eps
        Reliability bins, bootstrap replicates, interval level, seed, log clip.

    Returns
    -------
    DataFrame
        ``by`` columns, then ``SCORE_COLUMNS``, then ``<score>_lo`` /
        ``<score>_hi`` bootstrap bounds for brier, log_score, crps,
        coverage_50, coverage_80, interval_score, reliability and
        resolution, and ``n_clusters``.
    """
    rows = []
    for key, g in frame.groupby(list(by), sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(by, key)), **_score_group(g, cluster, n_bins, n_boot,
                                                          level, seed, eps)})
    return pd.DataFrame(rows)


def _score_group(g: pd.DataFrame, cluster, n_bins, n_boot, level, seed, eps) -> dict:
    g = g[g["p"].notna() & g["y"].notna()]
    p = g["p"].to_numpy(float)
    y = g["y"].to_numpy(float)
    losses = case_losses(g, eps)
    q = np.clip(g["p_log"].to_numpy(float) if "p_log" in g else p, eps, 1 - eps)
    dec = brier_decomposition(p, y, n_bins)
    res = {"n": int(len(g)),
           "n_intervals": int(np.sum(~np.isnan(losses["coverage_80"])))
           if "coverage_80" in losses else 0,
           "reliability": dec.reliability, "resolution": dec.resolution,
           "uncertainty": dec.uncertainty, "remainder": dec.remainder,
           **_mc_errors(g, p, y, q, eps)}
    for name in _BOOTSTRAPPED:
        v = losses.get(name)
        res[name] = float(np.nanmean(v)) if v is not None and np.any(~np.isnan(v)) else float("nan")
    clusters = g[cluster].to_numpy() if len(g) else np.array([])
    res["n_clusters"] = int(pd.Series(clusters).nunique())
    if len(g):
        cis = bootstrap_means(losses, clusters, n_boot, level, seed)
        cis.update(bootstrap_decomposition(p, y, clusters, n_bins, n_boot, level, seed))
    else:
        cis = {}
    for name in (*_BOOTSTRAPPED, "reliability", "resolution"):
        lo, hi = cis.get(name, (float("nan"), float("nan")))
        res[f"{name}_lo"], res[f"{name}_hi"] = lo, hi
    return res


def case_losses(g: pd.DataFrame, eps: float = LOG_EPS) -> dict[str, np.ndarray]:
    """Per-case Brier and log score, and where the total and its quantiles are
    known coverage, interval score and CRPS (columns as in :func:`summarize`)."""
    p, y = g["p"].to_numpy(float), g["y"].to_numpy(float)
    q = np.clip(g["p_log"].to_numpy(float) if "p_log" in g else p, eps, 1 - eps)
    losses = {"brier": (p - y) ** 2, "log_score": -(y * np.log(q) + (1 - y) * np.log(1 - q))}
    losses.update(_distribution_losses(g))
    return losses


def _distribution_losses(g: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per-case coverage and interval score (needs ``q10, q25, q75, q90``) and
    CRPS (needs all of :data:`~forecast.evaluate.quantiles.QUANTILE_COLUMNS`)
    where the total is known.

    Interval score and CRPS are divided by ``scale`` (the target), so that a
    province and a cell weigh alike; NaN where the case has no total or no
    quantiles.
    """
    if not all(c in g for c in ("q10", "q25", "q75", "q90")):
        return {}
    n = len(g)
    out_ = g["outcome"].to_numpy(float) if "outcome" in g else np.full(n, np.nan)
    scale = g["scale"].to_numpy(float) if "scale" in g else np.ones(n)
    q10, q25, q75, q90 = (g[c].to_numpy(float) for c in ("q10", "q25", "q75", "q90"))
    ok = ~np.isnan(out_) & ~np.isnan(np.stack([q10, q25, q75, q90])).any(axis=0)
    res = {k: np.full(n, np.nan) for k in ("coverage_50", "coverage_80", "interval_score")}
    yv, s = out_[ok], scale[ok]
    res["coverage_50"][ok] = interval_hits(yv, q25[ok], q75[ok])
    res["coverage_80"][ok] = interval_hits(yv, q10[ok], q90[ok])
    res["interval_score"][ok] = interval_score_values(yv / s, q10[ok] / s, q90[ok] / s,
                                                      alpha=0.2)
    if all(c in g for c in QUANTILE_COLUMNS):
        qs = g[list(QUANTILE_COLUMNS)].to_numpy(float)
        full = ok & ~np.isnan(qs).any(axis=1)
        res["crps"] = np.full(n, np.nan)
        res["crps"][full] = crps_quantiles(out_[full] / scale[full],
                                           qs[full] / scale[full][:, None])
    return res


def _mc_errors(g: pd.DataFrame, p, y, q_log, eps) -> dict[str, float]:
    """Monte Carlo standard errors of the mean Brier and log score (module docstring)."""
    if "p_se" not in g or not len(g):
        return {"brier_mc_se": float("nan"), "log_score_mc_se": float("nan")}
    se = g["p_se"].to_numpy(float)
    se = np.where(np.isnan(se), 0.0, se)
    d_brier = 2 * (p - y)
    # The log score's derivative is 0 where its probability is clipped.
    inside = (q_log > eps) & (q_log < 1 - eps)
    d_log = np.where(inside, -y / q_log + (1 - y) / (1 - q_log), 0.0)
    n = len(g)
    return {"brier_mc_se": float(np.sqrt(np.sum((d_brier * se) ** 2)) / n),
            "log_score_mc_se": float(np.sqrt(np.sum((d_log * se) ** 2)) / n)}
