"""Seconds and peak memory of the simulation for 100, 1,000 and 10,000 units.

Run from the checkout::

    .venv/bin/python benchmarks/bench_simulate.py                 # both modes
    .venv/bin/python benchmarks/bench_simulate.py --mode vectorized --units 100 1000 10000
    .venv/bin/python benchmarks/bench_simulate.py --mode engine --units 100 1000 --workers 2

Synthetic units, all on the same term window as Tiền Giang (1 Jan 2020 -
30 Sep 2025), as of 31 Dec 2022: a known count for 2020-2022 and three
years to simulate (2023, 2024 and the profile share of 2025 up to
30 September). Yearly exposures are drawn log-uniformly between 5 and 2,000
admissions; targets are 5.67 years of exposure. Every unit gets 10,000 paths
(``--paths``) and its p_reach and final-total quantiles; nothing else is kept
(the paths of 10,000 units × 10,000 draws would not fit in 2 GiB).

Two modes:

``engine``
    The engine's own per-unit call, ``forecast.simulate.simulate_target``,
    with a :class:`forecast.models.FittedModel` whose future years have mean
    ``1.0 × exposure`` (the attainment override: the same shared lognormal
    year shock and negative-binomial noise as every model). Monthly resolution.
    Units are split over ``--workers`` processes.
``vectorized``
    A reference implementation of the same model at yearly resolution, over
    chunks of ``--chunk`` units at once (memory bounded by chunk × paths ×
    years). Shared year shocks are drawn once per path and year and broadcast
    to every unit, so units stay correlated as in the engine. The count is
    drawn exactly (gamma-Poisson) for means below ``--normal-above`` and by a
    normal with the same mean and variance, rounded and floored at 0, above
    it (``--normal-above 0`` = always exact). It shows what a batched engine
    could cost. Chunks are spread over ``--workers`` processes too.

Printed: units, paths, mode, wall seconds, CPU seconds (main process and
workers), CPU microseconds per unit×1,000 paths (flat when the cost is
linear), peak memory. On a shared machine the wall time depends on the load
(printed); CPU time much less. Peak memory is tracemalloc's peak of
the main process (numpy reports its allocations to it) and the largest
resident set of the processes (``resource.getrusage``; for workers, of any
one worker).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

from forecast.models import Exposure, FittedModel, Streams, UnitData
from forecast.profile import DEFAULT_PROFILE, share_by
from forecast.simulate import QUANTILES, simulate_target

START, DEADLINE, AS_OF = pd.Timestamp("2020-01-01"), pd.Timestamp("2025-09-30"), 2022
YEARS = [2023, 2024, 2025]
ALPHA, YEAR_SD, SEED = 0.02, 0.1, 20251


def synthetic_units(n: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Yearly exposure, known 2020-2022 count and term target of ``n`` units."""
    rng = np.random.default_rng(seed)
    exposure = np.exp(rng.uniform(np.log(5), np.log(2000), n)).round(0)
    known = rng.poisson(exposure * 3 * rng.uniform(0.7, 1.1, n)).astype(float)
    target = np.round(exposure * 5.668)
    return exposure, known, target


# --- engine mode ----------------------------------------------------------------------
def _engine_chunk(args: tuple[int, int, int, int]) -> tuple[list[dict], int]:
    lo, hi, n, n_paths = args
    exposure, known, target = synthetic_units(n)
    data = {f"u{i}": UnitData(f"u{i}", pd.DataFrame(),
                              Exposure("annual_target", {y: float(exposure[i]) for y in YEARS}))
            for i in range(lo, hi)}
    fitted = FittedModel("bench", data, alpha=ALPHA, year_sd=YEAR_SD, profile=DEFAULT_PROFILE)
    streams = Streams(SEED, n_paths)
    out = []
    for i in range(lo, hi):
        kn = pd.DataFrame({"period_start": [START], "period_end": [pd.Timestamp(AS_OF, 12, 31)],
                           "value": [known[i]], "low": [known[i]], "high": [known[i]]})
        res = simulate_target(fitted, f"u{i}", START, DEADLINE, float(target[i]), kn, streams,
                              attainment=1.0)
        out.append({k: v for k, v in res.outlook_values().items() if not k.startswith("reach")})
    return out, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_engine(n: int, n_paths: int, workers: int) -> tuple[int, int]:
    """Simulate ``n`` units through ``simulate_target``; returns (units done, max worker RSS KiB)."""
    bounds = np.linspace(0, n, max(workers, 1) * 4 + 1).astype(int)
    jobs = [(int(a), int(b), n, n_paths) for a, b in zip(bounds, bounds[1:]) if b > a]
    done, rss = 0, 0
    if workers <= 1:
        for job in jobs:
            rows, r = _engine_chunk(job)
            done, rss = done + len(rows), max(rss, r)
        return done, rss
    with ProcessPoolExecutor(workers) as pool:
        for rows, r in pool.map(_engine_chunk, jobs):
            done, rss = done + len(rows), max(rss, r)
    return done, rss


# --- vectorized reference -----------------------------------------------------------------
_SHOCKS: dict[int, np.ndarray] = {}


def _shared_shocks(n_paths: int) -> np.ndarray:
    """Lognormal year shocks, ``n_paths × len(YEARS)``, identical in every process."""
    if n_paths not in _SHOCKS:
        z = np.random.default_rng(np.random.SeedSequence(SEED, spawn_key=(1,))).standard_normal(
            (n_paths, len(YEARS)))
        _SHOCKS[n_paths] = np.exp(YEAR_SD * z - YEAR_SD ** 2 / 2)
    return _SHOCKS[n_paths]


def _vector_chunk(args: tuple[int, int, int, int, float]) -> np.ndarray:
    lo, hi, n, n_paths, normal_above = args
    exposure, known, target = synthetic_units(n)
    weights = np.array([1.0, 1.0, share_by(DEADLINE, DEFAULT_PROFILE)])
    # A stream per chunk of units: results do not depend on the number of workers.
    rng = np.random.default_rng(np.random.SeedSequence(SEED, spawn_key=(2, lo)))
    base = exposure[lo:hi, None] * weights[None, :]                       # units × years
    m = base[:, None, :] * _shared_shocks(n_paths)[None, :, :]           # units × paths × years
    draws = _nb_draws(rng, m, base >= normal_above if normal_above > 0 else base < 0)
    finals = known[lo:hi, None] + draws.sum(axis=2)
    del m, draws
    qs = np.quantile(finals, QUANTILES, axis=1).T
    p = (finals >= target[lo:hi, None]).mean(axis=1)
    return np.column_stack([p, finals.mean(axis=1), qs])


def run_vectorized(n: int, n_paths: int, chunk: int, normal_above: float,
                   workers: int = 1) -> pd.DataFrame:
    """Yearly-resolution simulation of ``n`` units in chunks; one summary row per unit."""
    jobs = [(lo, min(lo + chunk, n), n, n_paths, normal_above) for lo in range(0, n, chunk)]
    if workers <= 1:
        parts = [_vector_chunk(j) for j in jobs]
    else:
        with ProcessPoolExecutor(workers) as pool:
            parts = list(pool.map(_vector_chunk, jobs))
    cols = ["p_reach", "final_mean", "final_q10", "final_q25", "final_q50", "final_q75",
            "final_q90"]
    return pd.DataFrame(np.vstack(parts), columns=cols)


def _nb_draws(rng: np.random.Generator, m: np.ndarray, big: np.ndarray) -> np.ndarray:
    """Negative-binomial (NB2, dispersion ALPHA) counts with means ``m``.

    ``big`` (units × years) marks the unit-years drawn by the normal
    approximation; the others are drawn exactly as gamma-Poisson. The choice
    is per unit and year, from the mean before the shock, so it never
    depends on the path.
    """
    out = np.empty_like(m)
    mask = np.broadcast_to(big[:, None, :], m.shape)
    if (~mask).any():
        ms = m[~mask]
        out[~mask] = rng.poisson(ms * rng.gamma(1 / ALPHA, ALPHA, ms.shape))
    if mask.any():
        mb = m[mask]
        # Same mean and variance as the gamma-Poisson mixture: m + alpha m^2.
        x = mb + np.sqrt(mb + ALPHA * mb * mb) * rng.standard_normal(mb.shape)
        out[mask] = np.maximum(np.rint(x), 0)
    return out


# --- driver --------------------------------------------------------------------------------
def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def measure(func) -> tuple[float, float, float, object]:
    """Wall seconds, CPU seconds (this process and finished workers), traced peak MiB."""
    tracemalloc.start()
    c0, t0 = _cpu_seconds(), time.perf_counter()
    result = func()
    secs, cpu = time.perf_counter() - t0, _cpu_seconds() - c0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return secs, cpu, peak / 2 ** 20, result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, nargs="+", default=[100, 1000, 10000])
    ap.add_argument("--paths", type=int, default=10_000)
    ap.add_argument("--mode", choices=("engine", "vectorized", "both"), default="both")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chunk", type=int, default=100)
    ap.add_argument("--normal-above", type=float, default=50.0)
    args = ap.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, "
          f"{os.cpu_count()} CPUs, paths {args.paths}")
    print(f"load average {os.getloadavg()[0]:.1f} (other processes share the CPUs)")
    print(f"{'mode':<12}{'units':>7}{'wall s':>9}{'cpu s':>9}{'cpu us/(unit*1k paths)':>24}"
          f"{'traced MiB':>12}{'RSS MiB':>10}{'worker RSS MiB':>16}")
    modes = ("vectorized", "engine") if args.mode == "both" else (args.mode,)
    for mode in modes:
        for n in args.units:
            if mode == "engine":
                secs, cpu, traced, (done, wrss) = measure(
                    lambda: run_engine(n, args.paths, args.workers))
            else:
                secs, cpu, traced, table = measure(
                    lambda: run_vectorized(n, args.paths, args.chunk, args.normal_above,
                                           args.workers))
                wrss = (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
                        if args.workers > 1 else 0)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            per = cpu / (n * args.paths / 1000) * 1e6
            print(f"{mode:<12}{n:>7}{secs:>9.2f}{cpu:>9.2f}{per:>24.1f}{traced:>12.0f}"
                  f"{rss:>10.0f}{wrss / 1024:>16.0f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
