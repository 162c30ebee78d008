"""When a path reaches its target: the month, without the monthly path.

Used by :mod:`forecast.simulate.engine`. A path's cumulative count at the
end of month ``j`` is ``kv · KF[:, j] + D · UC[:, j]`` (see
:class:`forecast.simulate.engine.Layout`); its values at year ends and the
deadline (the *marks*, ``cm``, ``units × marks × paths``) are known. The
crossing year is the first mark at or above the target; the month inside it
is found by inverting the within-year curve (:func:`segment_keys`).

The engine needs only three order statistics of the crossing month per unit
(:func:`reach_months`): it counts the paths per crossing year, and computes
the month of the paths of the one year where each order statistic lies.
:func:`crossing_months` gives every path's month (the reference in the tests).
"""

from __future__ import annotations

import numpy as np


def marks_below(cm, tol) -> np.ndarray:
    """Per path, how many marks are below the target (``tol``, ``units × 1``).

    As ``cm`` rises along the marks, this is the index of the crossing year's
    mark; ``n_marks`` where the path never reaches the target.
    """
    c, nm, p = cm.shape
    seg = np.zeros((c, p), dtype=np.int8 if nm < 127 else np.int32)  # small: fast passes
    for k in range(nm):
        seg += cm[:, k, :] < tol
    return seg


def segment_keys(kv, d, cm, lay, tol, k: int, hit, n_months: int) -> np.ndarray:
    """Keys of the paths ``hit`` (``units × paths``, row-major order), all crossing
    in mark ``k``'s segment: their order is the order of the crossing month.

    ``searchsorted(g, key)`` (``g`` from :func:`_segments`) is the index of
    the month. When no report changes inside the segment (the usual case:
    the year is simulated), the curve is ``base + D_t · UC_t[j]``, one array
    ``UC_t`` for all paths, so the key is ``4k + (target - base) / D_t``
    against ``g = 4k + UC_t[j]`` (the within-year profile inverted); it lies
    in ``[4k - 0.5, 4k + UC_t[end]]``, inside the segment's months of ``g``.
    Otherwise (the target is crossed inside reported months) a per-path
    binary search on ``kv · KF[:, j] + D · UC[:, j]`` (at most 4 steps) gives
    the month ``j`` and the key is ``g[j]``.
    """
    flat, moving, g = _segments(lay, n_months)
    if not flat[k]:
        return g[_search(kv, d, lay, tol, hit, int(lay.seg_lo[k]), int(lay.marks[k]))]
    # The paths by flat index (u · paths + i): gathers from a flat index are
    # several times faster than by mask or by index pairs.
    c, nm, p = cm.shape
    idx = np.flatnonzero(hit)
    ui = idx // p
    cmk = cm.ravel().take(idx + ui * ((nm - 1) * p) + k * p)         # cm[u, k, i]
    if d.shape[2]:
        t, y = int(moving[k]), d.shape[2]
        dt = np.broadcast_to(d, (c, p, y)).ravel().take(idx * y + t).astype(np.float64)
        end = lay.uc[t, lay.marks[k]]
    else:
        dt = np.zeros(len(idx))
        end = 0.0
    base = cmk - dt * end
    ok = dt > 0
    r = np.where(ok, (tol[:, 0].take(ui) - base) / np.where(ok, dt, 1.0), -0.5)
    return 4.0 * k + np.clip(r, -0.5, end)


def crossing_months(kv, d, cm, lay, tol, n_months) -> np.ndarray:
    """Index of the month each path first reaches the target (``n_months``: never)."""
    seg = marks_below(cm, tol)
    key = np.full(seg.shape, np.inf)
    for k in range(cm.shape[1]):
        hit = seg == k
        if hit.any():
            key[hit] = segment_keys(kv, d, cm, lay, tol, k, hit, n_months)
    return np.searchsorted(_segments(lay, n_months)[2], key, side="left")


def reach_months(kv, d, cm, lay, tol, ranks, units, n_months) -> np.ndarray:
    """Month index of the crossing month's order statistics, ``(units, ranks)``.

    ``ranks`` are 0-based ranks among the paths (:func:`forecast.simulate.engine.order_rank`);
    only the rows ``units`` (a boolean mask) are computed, the others and the
    order statistics of paths that never reach the target are ``n_months``.
    The keys of a later crossing year are all larger than those of an
    earlier one (:func:`segment_keys`), so the rank-``r`` key is found among
    the paths of the year where the count of paths crossed by then passes
    ``r``: the same value as a selection over every path's key.
    """
    c, nm, p = cm.shape
    out = np.full((c, len(ranks)), n_months, dtype=np.int64)
    if not np.any(units):
        return out
    seg = marks_below(cm, tol)
    ranks = np.asarray(ranks, dtype=np.intp)
    # upto[u, s]: paths of unit u crossing at mark s or earlier.
    upto = np.stack([np.count_nonzero(seg <= s, axis=1) for s in range(nm)], axis=1)
    mark = (upto[:, :, None] <= ranks).sum(axis=1)                   # (units, ranks)
    mark[~np.asarray(units, dtype=bool)] = nm
    before = np.take_along_axis(np.pad(upto, ((0, 0), (1, 0))), mark, axis=1)
    within = ranks - before
    g = _segments(lay, n_months)[2]
    for k in np.unique(mark[mark < nm]):
        need = (mark == k).any(axis=1)
        hit = (seg == k) & need[:, None]
        key = segment_keys(kv, d, cm, lay, tol, int(k), hit, n_months)
        n_hit = np.count_nonzero(hit, axis=1)
        first = np.cumsum(n_hit) - n_hit
        for u in np.flatnonzero(need):
            cols = np.flatnonzero(mark[u] == k)
            own = np.partition(key[first[u]:first[u] + n_hit[u]], np.unique(within[u, cols]))
            out[u, cols] = np.searchsorted(g, own[within[u, cols]], side="left")
    return out


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
