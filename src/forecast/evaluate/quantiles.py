"""Scores of a forecast distribution given only by a few of its quantiles.

The outlook table gives each forecast total as five quantiles (10, 25, 50,
75 and 90 %), not as a full distribution, so the distribution scores are
computed from those quantiles. Like :mod:`forecast.evaluate.scores`, this
module knows nothing of the engine: plain arrays in, arrays out.

CRPS from quantiles
    The continuous ranked probability score equals twice the pinball
    (quantile) loss integrated over all levels,
    ``CRPS(F, y) = 2 ∫₀¹ ρ_τ(y - F⁻¹(τ)) dτ`` with
    ``ρ_τ(u) = u (τ - 1{u < 0})``. With only the levels ``τ_1 .. τ_K`` at
    hand, the integral is replaced by their average:
    ``CRPS ≈ (2 / K) Σ_k ρ_{τ_k}(y - q_k)``. This is an approximation: it
    ignores the tails beyond the outer levels (an outcome far outside
    ``[q10, q90]`` is penalized linearly, as the true CRPS is, but the
    weight of the tails is that of two levels out of five) and it treats
    the five levels as equally spaced. It is a proper score for those five
    quantiles, so it still ranks forecasts honestly; it is not comparable
    with a CRPS computed from full samples.

PIT histogram from quantiles
    The probability integral transform ``F(y)`` of a calibrated forecast is
    uniform. From quantiles we only know which *inter-quantile bin* the
    outcome fell in: below q10, q10-q25, q25-q50, q50-q75, q75-q90, above q90,
    with expected shares 0.10, 0.15, 0.25, 0.25, 0.15, 0.10. Counts are whole
    numbers, so an outcome often equals a quantile (small units, or several
    quantiles equal): then ``F(y)`` is only known to lie between the level
    of the highest quantile strictly below ``y`` and that of the lowest
    quantile strictly above it, and the case is spread over the bins of that
    range in proportion to their widths (the quantile version of the
    randomized PIT for discrete outcomes).
"""

from __future__ import annotations

import numpy as np

from forecast.errors import ConfigError

LEVELS = (0.10, 0.25, 0.50, 0.75, 0.90)
"""Quantile levels of the outlook table's final total (``final_q10`` ... ``final_q90``)."""
QUANTILE_COLUMNS = ("q10", "q25", "q50", "q75", "q90")
"""The case-table columns holding those quantiles."""


def _check(y, q, levels) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y = np.asarray(y, dtype=float)
    q = np.asarray(q, dtype=float)
    lv = np.asarray(levels, dtype=float)
    if q.ndim != 2 or q.shape != (y.size, lv.size) or y.ndim != 1:
        raise ConfigError(
            f"quantile scores: expected outcomes of shape (n,) and quantiles of shape "
            f"(n, {lv.size}), found {y.shape} and {q.shape}. Fix: one row of quantiles "
            "per outcome, one column per level.")
    if not (np.all(np.diff(lv) > 0) and lv[0] > 0 and lv[-1] < 1):
        raise ConfigError(f"quantile scores: levels must increase strictly inside (0, 1), "
                          f"found {list(levels)}. Fix: e.g. (0.1, 0.25, 0.5, 0.75, 0.9).")
    bad = np.any(np.diff(q, axis=1) < 0, axis=1)
    if np.any(bad):
        raise ConfigError(
            f"quantile scores: quantiles decrease in {int(bad.sum())} row(s) (first: row "
            f"{int(np.argmax(bad))}). Fix: quantiles must not decrease with the level.")
    return y, q, lv


def pinball_losses(y, q, levels=LEVELS) -> np.ndarray:
    """Pinball loss ``ρ_τ(y - q)`` of each case at each level, shape ``(n, K)``.

    Examples
    --------
    >>> pinball_losses([10.0], [[8.0, 12.0]], (0.25, 0.75)).tolist()
    [[0.5, 0.5]]
    """
    y, q, lv = _check(y, q, levels)
    u = y[:, None] - q
    return u * (lv[None, :] - (u < 0))


def crps_quantiles(y, q, levels=LEVELS) -> np.ndarray:
    """Per-case CRPS approximated from quantiles: ``2 × mean pinball loss`` (module docstring).

    Examples
    --------
    >>> crps_quantiles([10.0], [[8.0, 12.0]], (0.25, 0.75)).tolist()
    [1.0]
    """
    return 2 * pinball_losses(y, q, levels).mean(axis=1)


def pit_bin_weights(y, q, levels=LEVELS) -> np.ndarray:
    """Share of each case in each inter-quantile bin, shape ``(n, K + 1)``; rows sum to 1.

    Bin ``j`` runs from level ``τ_{j-1}`` to ``τ_j`` (``τ_0 = 0``,
    ``τ_{K+1} = 1``). An outcome strictly between two quantiles puts its
    whole weight in that bin; one equal to some quantiles is spread over the
    bins between the highest quantile strictly below it and the lowest
    strictly above it, in proportion to their widths (module docstring).
    """
    y, q, lv = _check(y, q, levels)
    edges = np.concatenate([[0.0], lv, [1.0]])
    below = (q < y[:, None]).sum(axis=1)          # quantiles strictly below y
    not_above = (q <= y[:, None]).sum(axis=1)     # quantiles at or below y
    lo = edges[below]                             # F(y) is at least this level
    hi = edges[not_above + 1]                     # and at most this one
    left, right = edges[:-1][None, :], edges[1:][None, :]
    overlap = np.clip(np.minimum(right, hi[:, None]) - np.maximum(left, lo[:, None]), 0, None)
    return overlap / overlap.sum(axis=1, keepdims=True)


def pit_expected(levels=LEVELS) -> np.ndarray:
    """Share of outcomes each bin holds under a calibrated forecast (the level gaps)."""
    lv = np.asarray(levels, dtype=float)
    return np.diff(np.concatenate([[0.0], lv, [1.0]]))


def pit_labels(levels=LEVELS) -> list[str]:
    """Bin names: ``<q10``, ``q10-q25``, ..., ``>q90``."""
    names = [f"q{round(100 * t)}" for t in levels]
    return [f"<{names[0]}"] + [f"{a}-{b}" for a, b in zip(names, names[1:])] + [f">{names[-1]}"]
