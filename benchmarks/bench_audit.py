"""Seconds and peak memory of loading and auditing 1,000 to 100,000 observations.

Run from the checkout::

    .venv/bin/python benchmarks/bench_audit.py                    # 1,000 10,000 100,000
    .venv/bin/python benchmarks/bench_audit.py --observations 100000 --dense 20000

Each size writes a synthetic dataset in the input format (``units.csv``,
``sources.csv``, ``targets.csv``, ``observations.csv``, text cells as an
analyst types them: ``1.252``, ``83,5%``, ``~40``) to a temporary folder,
then, in a fresh process so that peak memory is its own, loads it with
:func:`forecast.data.dataset.load` and audits it with
:func:`forecast.audit.run.audit`.

What the data holds, per ordinary unit (about 20 rows), years 2015-2024:
each year's admitted count (90 %), its attainment percentage printed with one
decimal and an annual target (60 %), a first-half count (40 %), a nine-month
count (20 %), year-end membership (30 %), a term-to-date count over several
years (one a unit), and now and then an approximate count, a second report of
the same figure with another value, or a part-year count above its year.

One *dense* unit (``--dense`` rows, 10 % of the total by default) puts its
rows into one unit, measure and subgroup: counts over many nested and
overlapping periods (every day-aligned span from 1 January of a year to a
later date, several years long), which is where a rule that compares every
pair of rows in a group costs n² and one that sorts costs n log n.

Printed per size: rows, findings, wall and CPU seconds of the load and of
the audit, and the peak resident memory (``ru_maxrss``) of the process. The
machine may be shared; the load average is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from synthetic_csv import vi_count, vi_pct, write_tables

SOURCE = "bench-audit"
YEARS = list(range(2015, 2025))



def generate(folder: Path, n_obs: int, dense: int, seed: int = 1) -> int:
    """Write a dataset of about ``n_obs`` observations into ``folder``; return the count."""
    rng = np.random.default_rng(seed)
    units, targets, obs = [], [], []

    def add(uid, measure, value, start, end, ref=""):
        obs.append([f"{uid}-{len(obs)}", uid, measure, "", value, start, end, ref, SOURCE,
                    "bench", ""])

    # The dense unit: many spans in one group.
    units.append(["dense", "Đơn vị dày", "Dense unit", "province", "", "(bench)", ""])
    per_day = rng.uniform(2, 6)
    for k in range(dense):
        y0 = int(rng.integers(2015, 2024))
        length = int(rng.integers(30, 365 * 4))
        start = np.datetime64(f"{y0}-01-01")
        end = min(start + np.timedelta64(length, "D"), np.datetime64("2024-12-31"))
        value = per_day * (end - start).astype(int) * rng.uniform(0.9, 1.1)
        add("dense", "admitted", vi_count(value), str(start), str(end))
    i = 0
    while len(obs) < n_obs:
        i += 1
        uid = f"u{i:06d}"
        units.append([uid, f"Đơn vị {i}", f"Unit {i}", "district", "", "(bench)", ""])
        level = float(np.exp(rng.uniform(np.log(20), np.log(2000))))
        term_total = 0.0
        targets.append([f"{uid}-term", uid, "2020-2025", "term", "", "resolution", "count",
                        vi_count(level * 5.5), SOURCE, "bench", ""])
        for y in YEARS:
            count = rng.poisson(level)
            if y >= 2020:
                term_total += count
            if rng.uniform() < 0.6:
                target = max(1, round(level * rng.uniform(0.9, 1.2)))
                term = "2020-2025" if y >= 2020 else "2015-2020"
                targets.append([f"{uid}-{y}", uid, term, "annual", str(y), "assigned", "count",
                                vi_count(target), SOURCE, "bench", ""])
                add(uid, "attainment_pct", vi_pct(100 * count / target), f"{y}-01-01",
                    f"{y}-12-31", f"{uid}-{y}")
            if rng.uniform() < 0.9:
                text = f"~{vi_count(round(count, -1))}" if rng.uniform() < 0.05 else \
                    vi_count(count)
                add(uid, "admitted", text, f"{y}-01-01", f"{y}-12-31")
                if rng.uniform() < 0.03:  # a second report of the same year, another value
                    add(uid, "admitted", vi_count(count + 5), f"{y}-01-01", f"{y}-12-31")
            if rng.uniform() < 0.4:
                h1 = count * rng.uniform(0.3, 0.45) * (3 if rng.uniform() < 0.02 else 1)
                add(uid, "admitted", vi_count(h1), f"{y}-01-01", f"{y}-06-30")
            if rng.uniform() < 0.2:
                add(uid, "admitted", vi_count(count * 0.7), f"{y}-01-01", f"{y}-09-30")
            if rng.uniform() < 0.3:
                add(uid, "members", vi_count(level * 30), "", f"{y}-12-31")
        add(uid, "admitted", vi_count(term_total), "2020-01-01", "2024-12-31")
    write_tables(folder, SOURCE, "bench_audit.py", units, targets, obs)
    return len(obs)


def measure(folder: str) -> dict:
    """Load and audit ``folder`` in this process; wall and CPU seconds of each."""
    from forecast.audit.run import audit
    from forecast.data.dataset import load

    out = {}
    wall, cpu = time.perf_counter(), time.process_time()
    ds = load(folder)
    out["load"] = (time.perf_counter() - wall, time.process_time() - cpu)
    wall, cpu = time.perf_counter(), time.process_time()
    findings = audit(ds)
    out["audit"] = (time.perf_counter() - wall, time.process_time() - cpu)
    out["rows"] = len(ds.observations)
    out["findings"] = len(findings)
    out["kinds"] = findings["kind"].value_counts().to_dict()
    out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--dense", type=int, default=None,
                        help="rows of the dense unit (default: 10 %% of the observations)")
    parser.add_argument("--measure", metavar="FOLDER", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'rows':>8} {'dense':>6} {'findings':>8} {'load wall':>9} {'load cpu':>8} "
          f"{'audit wall':>10} {'audit cpu':>9} {'peak MiB':>8}")
    for n in args.observations:
        dense = args.dense if args.dense is not None else n // 10
        with tempfile.TemporaryDirectory() as tmp:
            generate(Path(tmp), n, dense)
            done = subprocess.run([sys.executable, __file__, "--measure", tmp],
                                  capture_output=True, text=True, check=True)
        r = json.loads(done.stdout)
        print(f"{r['rows']:>8,} {dense:>6,} {r['findings']:>8,} {r['load'][0]:>9.1f} "
              f"{r['load'][1]:>8.1f} {r['audit'][0]:>10.1f} {r['audit'][1]:>9.1f} "
              f"{r['peak_mib']:>8.0f}")
        print("         findings by kind: " + ", ".join(f"{k} {v}" for k, v in r["kinds"].items()))


if __name__ == "__main__":
    main()
