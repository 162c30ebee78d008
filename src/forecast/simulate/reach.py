"""When a path reaches its target: the month, without the monthly path.

Used by :mod:`forecast.simulate.engine`. A path's cumulative count at the
end of month ``j`` is ``kv · KF[:, j] + D · UC[:, j]`` (see
:class:`forecast.simulate.engine.Layout`); its values at year ends and the
deadline (the *marks*, ``cm``) are known. The crossing year is the first
mark at or above the target; the month inside it is found by inverting the
within-year curve (:func:`crossing_keys`).
"""

from __future__ import annotations

import numpy as np


def crossing_keys(kv, d, cm, lay, tol, n_months) -> np.ndarray:
    """Per path, a key whose order is the order of the month it reaches the target.

    ``searchsorted(g, key)`` (``g`` from :func:`_segments`) is the index of
    that month, ``n_months`` where it never does (key ``inf``). Order
    statistics of the months are thus order statistics of the keys, and the
    engine searches only those (three per unit, not one per path).

    The crossing year comes from the year-end cumulatives ``cm`` (the first
    mark at or above the target); inside it:

    - when no report changes inside that year (the usual case: the year is
      simulated), the curve is ``base + D_t · UC_t[j]``, one array ``UC_t``
      for all paths, so the key is ``4k + (target - base) / D_t`` against
      ``g = 4k + UC_t[j]`` (the within-year profile inverted);
    - otherwise (the target is crossed inside reported months) a per-path
      binary search on ``kv · KF[:, j] + D · UC[:, j]`` (at most 4 steps)
      gives the month ``j`` and the key is ``g[j]``.
    """
    c, p, nm = cm.shape
    # cm rises along the marks: the number of marks below the target is the
    # index of the crossing year's mark (nm: never).
    seg = np.count_nonzero(cm < tol[:, :, None], axis=2)
    anyr = seg < nm
    flat, moving, g = _segments(lay, n_months)
    segc = np.minimum(seg, nm - 1)
    cmk = np.take_along_axis(cm, segc[:, :, None], axis=2)[:, :, 0]
    if d.shape[2]:
        db = np.broadcast_to(d, (c, p, d.shape[2]))
        dt = np.take_along_axis(db, moving[segc][:, :, None], axis=2)[:, :, 0].astype(np.float64)
        end = lay.uc[moving, lay.marks][segc]
    else:
        dt = np.zeros((c, p))
        end = np.zeros((c, p))
    base = cmk - dt * end
    ok = dt > 0
    r = np.where(ok, (tol - base) / np.where(ok, dt, 1.0), -0.5)
    # The keys of segment k lie in [4k - 0.5, 4k + end]: inside its months of g.
    key = 4.0 * segc + np.clip(r, -0.5, end)
    key[~anyr] = np.inf
    slow = anyr & ~flat[segc]
    if slow.any():
        for k in np.unique(segc[slow]):
            hit = slow & (segc == k)
            key[hit] = g[_search(kv, d, lay, tol, hit, int(lay.seg_lo[k]), int(lay.marks[k]))]
    return key


def crossing_months(kv, d, cm, lay, tol, n_months) -> np.ndarray:
    """Index of the month each path first reaches the target (``n_months``: never)."""
    _, _, g = _segments(lay, n_months)
    return np.searchsorted(g, crossing_keys(kv, d, cm, lay, tol, n_months), side="left")


def _segments(lay, n_months: int):
    """Per mark's year segment: whether only one simulated year moves inside it
    (no report changes), which year, and the concatenated curve ``g``
    (``4k + UC_t[j]`` over segment ``k``'s months, non-decreasing; a
    segment with reports inside gets ``4k + (j - first + 1) / 16``)."""
    got = getattr(lay, "_segments", None)
    if got is not None:
        return got
    nm = len(lay.marks)
    flat = np.zeros(nm, dtype=bool)
    moving = np.zeros(nm, dtype=np.int64)
    g = np.zeros(n_months)
    for k in range(nm):
        lo_m, hi_m = int(lay.seg_lo[k]), int(lay.marks[k])
        months = slice(lo_m, hi_m + 1)
        still = lay.kf.shape[0] == 0 or bool(np.all(lay.kf[:, months] == lay.kf[:, [hi_m]]))
        mov = [t for t in range(lay.uc.shape[0])
               if lay.uc[t, hi_m] > (lay.uc[t, lo_m - 1] if lo_m > 0 else 0.0)]
        flat[k] = still and len(mov) <= 1
        moving[k] = mov[0] if mov else 0
        if flat[k] and mov:
            g[months] = 4.0 * k + lay.uc[moving[k], months]
        else:
            # Strictly increasing, so that searchsorted(g, g[j]) is j.
            g[months] = 4.0 * k + np.arange(1, hi_m - lo_m + 2) / 16.0
    lay._segments = (flat, moving, g)
    return lay._segments


def _search(kv, d, lay, tol, hit, lo_m: int, hi_m: int) -> np.ndarray:
    """Per-path binary search for the first month in ``[lo_m, hi_m]`` at the target."""
    c, p = hit.shape
    ui, pi = np.nonzero(hit)
    kvh = np.broadcast_to(kv, (c, p, kv.shape[2]))[ui, pi]
    dh = np.broadcast_to(d, (c, p, d.shape[2]))[ui, pi].astype(np.float64)
    th = tol[ui, 0]
    lo = np.full(len(ui), lo_m)
    hi = np.full(len(ui), hi_m)
    while np.any(lo < hi):
        mid = (lo + hi) // 2
        val = np.einsum("nk,nk->n", kvh, lay.kf.T[mid]) + np.einsum("nt,nt->n", dh,
                                                                     lay.uc.T[mid])
        ok = val >= th
        hi = np.where(ok, mid, hi)
        # A path already settled stays: when the total at the deadline was
        # rounded up to a whole count that meets the target, the months'
        # unrounded values can stay a hair below it; the answer is then hi_m.
        lo = np.where(ok | (lo >= hi), lo, mid + 1)
    return lo
