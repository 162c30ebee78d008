"""Seconds and peak memory of the engine's simulation for 100, 1,000 and 10,000 units.

Run from the checkout::

    .venv/bin/python benchmarks/bench_simulate.py                       # 100 1000 10000, 2 workers
    .venv/bin/python benchmarks/bench_simulate.py --units 100 1000 --workers 1
    .venv/bin/python benchmarks/bench_simulate.py --workers 1 --threads 2  # one process, as outlook(threads=2)
    .venv/bin/python benchmarks/bench_simulate.py --paths 2000

What is measured is the engine path itself: synthetic units simulated by
:func:`forecast.simulate.engine.simulate_many`, the batched function
:func:`forecast.outlook.table.outlook` calls for all units of a target window, with
a :class:`forecast.models.pooled.PooledModel` (the default model) whose
parameters are set instead of fitted: per path, the unit's log-attainment
drawn from its posterior (sd 0.1) and a shared trend (-2 % ± 2 % a year),
the shared lognormal year shock (sd 0.1) and negative-binomial noise
(alpha 0.02). Every unit is on Tiền Giang's term window (1 Jan 2020 - 30 Sep
2025), as of 31 Dec 2022, with a known count for 2020-2022 and three years
to simulate (2023, 2024 and the profile share of 2025 to 30 September).
Yearly exposures are log-uniform between 5 and 2,000 admissions; targets
are 5.67 years of exposure. Every unit gets 10,000 paths (``--paths``),
p_reach, final quantiles, reach dates and the year-end fan (PathSummary), as
in the outlook; nothing per path is kept.

The last two columns are the issue-14 figure: ``numpy cpu s`` is what numpy
alone spends on the same draws (per unit and path one normal, then per year
a gamma and a Poisson: :func:`numpy_floor_cpu`), measured in the same run,
and ``ratio`` the engine's CPU seconds over it (1.0 would be the floor).

With ``--workers 2`` the units are split into two halves simulated in two
processes by the same function; a unit's numbers do not depend on the split
(its own random streams; the shared year shocks are the same in every
process), so the two halves are the one-process result. ``--threads 2``
instead runs the chunks of one process in two threads
(``simulate_many(..., threads=2)``, what ``outlook(..., threads=2)`` does).

A calibration line gives numpy's own cost of a float32 standard normal on
the machine at the time (a few ns on an idle modern core): the engine's CPU
time scales with it.

Each size runs in a fresh process so that peak memory is its own. Printed:
wall seconds, CPU seconds (the run's process and its workers, user +
system), CPU microseconds per unit × 1,000 paths (flat when the cost is
linear in units × paths), and peak memory as ``ru_maxrss`` (the largest
resident set, from ``resource.getrusage``) of the main process and of the
largest worker: the run's total is about main + workers × worker. The
machine may be shared: the load average is printed; CPU seconds depend on it
much less than wall seconds do.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

START, DEADLINE, KNOWN_END = pd.Timestamp("2020-01-01"), pd.Timestamp("2025-09-30"), \
    pd.Timestamp("2022-12-31")
YEARS = list(range(2015, 2026))
SEED = 20251


def synthetic_units(n: int, seed: int = SEED):
    """Yearly exposure, known 2020-2022 count and term target of ``n`` units."""
    rng = np.random.default_rng(seed)
    exposure = np.exp(rng.uniform(np.log(5), np.log(2000), n)).round(0)
    known = rng.poisson(exposure * 3 * rng.uniform(0.7, 1.1, n)).astype(float)
    target = np.round(exposure * 5.668)
    return exposure, known, target


def model_and_jobs(lo: int, hi: int, n: int):
    """A pooled model with set parameters and the jobs of units ``lo..hi-1``."""
    from forecast.models.base import Exposure, UnitData
    from forecast.models.pooled import PooledModel
    from forecast.models.profile import DEFAULT_PROFILE
    from forecast.simulate.engine import Job

    exposure, known, target = synthetic_units(n)
    ids = [f"u{i}" for i in range(lo, hi)]
    data = {u: UnitData(u, pd.DataFrame(), Exposure("annual_target", {2022: float(exposure[i])}))
            for u, i in zip(ids, range(lo, hi))}
    fm = PooledModel("pooled_nb", data, alpha=0.02, year_sd=0.1, profile=DEFAULT_PROFILE,
                     beta=-0.02, beta_se=0.02, t0=2021,
                     post_mean={u: float(np.log(0.95)) for u in ids},
                     post_var={u: 0.01 for u in ids})
    jobs = []
    for u, i in zip(ids, range(lo, hi)):
        kn = pd.DataFrame({"period_start": [START], "period_end": [KNOWN_END],
                           "value": [known[i]], "low": [known[i]], "high": [known[i]]})
        jobs.append(Job(u, float(target[i]), kn))
    return fm, jobs


def run_part(args: tuple) -> tuple[list[float], int]:
    """Simulate units ``lo..hi-1``; returns their p_reach and this process's peak RSS (KiB)."""
    from forecast.models.base import Streams
    from forecast.simulate.engine import simulate_many

    lo, hi, n, n_paths, threads = args
    fm, jobs = model_and_jobs(lo, hi, n)
    res = simulate_many(fm, jobs, START, DEADLINE, Streams(SEED, n_paths), threads=threads)
    bad = [r for r in res if isinstance(r, Exception)]
    if bad:
        raise RuntimeError(f"{len(bad)} unit(s) failed: {bad[0]}")
    return [r.p_reach for r in res], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def one(n: int, n_paths: int, workers: int, threads: int = 1) -> dict:
    """Measure one size in this process (called in a fresh subprocess)."""
    import forecast.simulate.engine  # noqa: F401  (import time is not the engine's cost)

    c0, t0 = _cpu(), time.perf_counter()
    if workers <= 1:
        p, _ = run_part((0, n, n, n_paths, threads))
        wrss = 0
    else:
        bounds = np.linspace(0, n, workers + 1).astype(int)
        parts = [(int(a), int(b), n, n_paths, threads) for a, b in zip(bounds, bounds[1:])
                 if b > a]
        with ProcessPoolExecutor(workers) as pool:
            got = list(pool.map(run_part, parts))
        p = [x for g, _ in got for x in g]
        wrss = max(r for _, r in got)
    wall, cpu = time.perf_counter() - t0, _cpu() - c0
    floor = numpy_floor_cpu(n, n_paths)
    return {"floor_cpu": floor, "units": n, "paths": n_paths, "workers": workers, "wall": wall, "cpu": cpu,
            "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "worker_rss_mib": wrss / 1024, "mean_p": float(np.mean(p)), "n_done": len(p)}


def numpy_floor_cpu(n: int, n_paths: int, years: int = 3) -> float:
    """CPU seconds numpy itself needs for the draws the engine makes for ``n`` units.

    Per unit and path: one normal (the unit's posterior draw of its level),
    then per simulated year one gamma (the NB mixing) and one Poisson at the
    resulting mean, in float64 from one generator, nothing else: what any
    implementation drawing the same numbers must spend. Measured in this
    process, units in blocks so that memory stays small.
    """
    rng = np.random.default_rng(SEED)
    exposure, _, _ = synthetic_units(n)
    shape = 1 / 0.02
    c0 = time.process_time()
    block = max(1, 2_000_000 // n_paths)
    for a in range(0, n, block):
        e = exposure[a:a + block, None]
        level = np.exp(np.log(0.95) + 0.1 * rng.standard_normal((len(e), n_paths)))
        for _ in range(years):
            lam = e * level * rng.standard_gamma(shape, (len(e), n_paths)) / shape
            rng.poisson(lam)
    return time.process_time() - c0


def _normal_ns(n: int = 1_000_000, repeat: int = 20) -> float:
    # Small arrays, so that the main process's peak memory stays its own.
    rng = np.random.default_rng(0)
    c0 = time.process_time()
    for _ in range(repeat):
        rng.standard_normal(n, dtype=np.float32)
    return (time.process_time() - c0) / (n * repeat) * 1e9


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, nargs="+", default=[100, 1000, 10000])
    ap.add_argument("--paths", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one is not None:
        print(json.dumps(one(args.one, args.paths, args.workers, args.threads)))
        return 0
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
          f"paths {args.paths}, workers {args.workers}, threads {args.threads}")
    print(f"calibration: numpy float32 standard normal {_normal_ns():.1f} ns per draw (CPU)")
    print(f"load average {os.getloadavg()[0]:.1f} (other processes share the CPUs)")
    print(f"{'units':>7}{'wall s':>9}{'cpu s':>9}{'cpu us/(unit*1k paths)':>24}"
          f"{'main RSS MiB':>14}{'worker RSS MiB':>16}{'mean p':>8}{'numpy cpu s':>12}"
          f"{'ratio':>7}")
    for n in args.units:
        out = subprocess.run([sys.executable, __file__, "--one", str(n), "--paths",
                              str(args.paths), "--workers", str(args.workers),
                              "--threads", str(args.threads)],
                             capture_output=True, text=True, env=env, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        per = r["cpu"] / (n * args.paths / 1000) * 1e6
        print(f"{n:>7}{r['wall']:>9.2f}{r['cpu']:>9.2f}{per:>24.1f}{r['rss_mib']:>14.0f}"
              f"{r['worker_rss_mib']:>16.0f}{r['mean_p']:>8.3f}{r['floor_cpu']:>12.2f}"
              f"{r['cpu'] / r['floor_cpu']:>7.2f}", flush=True)
    print(f"load average {os.getloadavg()[0]:.1f} at the end; calibration now "
          f"{_normal_ns():.1f} ns per normal")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
