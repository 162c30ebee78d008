"""Wall, CPU and peak memory of ``forecast outlook``, ``audit`` and ``brief`` end to end.

Run from the checkout::

    .venv/bin/python benchmarks/bench_outlook.py                        # 1,000 and 10,000 units
    .venv/bin/python benchmarks/bench_outlook.py --units 1000 10000 50000
    .venv/bin/python benchmarks/bench_outlook.py --units 1000 --commands outlook
    .venv/bin/python benchmarks/bench_outlook.py --units 1000 --keep /tmp/bench1k

Each size writes a synthetic dataset in the documented input format
(``data/README.md``) to a temporary folder: ``units`` districts under
provinces of 100 districts each (the province → district hierarchy), every
unit (provinces included) with a 2020-2025 term target and annual targets
for 2020-2023, and three yearly admitted counts (2020, 2021, 2022) with the
attainment percentage of each year, typed as a report prints them
(``1.252``, ``83,5%``). Yearly levels are log-uniform between 5 and 2,000
admissions. A province's counts are the sums of its districts', so the
roll-ups run.

The commands are then run as an analyst runs them, in a fresh process each,
as of 31 December 2022 with the default model, 10,000 paths and the
requirements on:

- ``outlook``: ``forecast outlook --data DIR --as-of 2022-12-31 --out FILE.csv``;
- ``audit``: ``forecast audit --data DIR``;
- ``brief``: ``forecast brief --data DIR --units province --format html``
  (a section per province; the brief's outlook still covers every unit).

Printed per size and command: wall seconds, CPU seconds (the command's
process and every process it started, user + system, from
``resource.getrusage(RUSAGE_CHILDREN)``), and peak memory: the largest sum
of the resident sets of the command's process tree, sampled every 0.1 s with
psutil (``tree MiB``), and the largest single process (``proc MiB``). The last column, ``per 1k``, is the wall time per 1,000
units: flat when the cost is linear in units. The machine may be shared:
the load average is printed.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from synthetic_csv import vi_count, vi_pct, write_tables
import psutil

SOURCE = "bench-outlook"
PER_PROVINCE = 100
YEARS = (2020, 2021, 2022)
AS_OF = "2022-12-31"



def generate(folder: Path, n_units: int, seed: int = 1) -> int:
    """Write ``n_units`` districts and their provinces into ``folder``; return all units."""
    rng = np.random.default_rng(seed)
    units, targets, obs = [], [], []
    n_prov = -(-n_units // PER_PROVINCE)
    prov_counts = np.zeros((n_prov, len(YEARS)))
    prov_level = np.zeros(n_prov)

    def add_unit(uid, name, level, parent, counts, level_size):
        units.append([uid, f"{name}", f"{name} (en)", level, parent, "(bench)", ""])
        targets.append([f"{uid}-term", uid, "2020-2025", "term", "", "resolution", "count",
                        vi_count(max(1, level_size * 5.5)), SOURCE, "bench", ""])
        for y in (*YEARS, 2023):
            target = max(1, round(level_size * rng.uniform(0.9, 1.2)))
            targets.append([f"{uid}-{y}", uid, "2020-2025", "annual", str(y), "assigned",
                            "count", vi_count(target), SOURCE, "bench", ""])
            if y in YEARS:
                count = counts[YEARS.index(y)]
                obs.append([f"{uid}-admitted-{y}", uid, "admitted", "", vi_count(count),
                            f"{y}-01-01", f"{y}-12-31", "", SOURCE, "bench", ""])
                obs.append([f"{uid}-attainment-{y}", uid, "attainment_pct", "",
                            vi_pct(100 * count / target), f"{y}-01-01", f"{y}-12-31",
                            f"{uid}-{y}", SOURCE, "bench", ""])

    for i in range(n_units):
        p = i // PER_PROVINCE
        level = float(np.exp(rng.uniform(np.log(5), np.log(2000))))
        counts = rng.poisson(level * rng.uniform(0.7, 1.1), len(YEARS)).astype(float)
        prov_counts[p] += counts
        prov_level[p] += level
        add_unit(f"d{i:06d}", f"Huyện {i}", "district", f"p{p:04d}", counts, level)
    for p in range(n_prov):
        add_unit(f"p{p:04d}", f"Tỉnh {p}", "province", "", prov_counts[p], prov_level[p])
    write_tables(folder, SOURCE, "bench_outlook.py", units, targets, obs)
    return len(units)


def commands(folder: Path, out: Path) -> dict[str, list[str]]:
    """The command lines timed, by name."""
    exe = [sys.executable, "-m", "forecast"]
    data = ["--data", str(folder)]
    return {
        "outlook": [*exe, "outlook", *data, "--as-of", AS_OF, "--out", str(out / "o.csv")],
        "audit": [*exe, "audit", *data],
        "brief": [*exe, "brief", *data, "--as-of", AS_OF, "--units", "province",
                  "--format", "html", "--out", str(out / "brief")],
    }


def run_measured(cmd: list[str]) -> dict:
    """Run ``cmd``; wall, CPU (its whole tree) and peak memory (tree sum, largest process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0, 0]
    done = threading.Event()

    def sample():
        root = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                sizes = [p.memory_info().rss for p in [root, *root.children(recursive=True)]]
            except psutil.Error:
                sizes = [0]
            peak[0] = max(peak[0], sum(sizes))
            peak[1] = max(peak[1], max(sizes))
            time.sleep(0.1)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    _, err = proc.communicate()
    done.set()
    watcher.join()
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err.decode()[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "tree_mib": peak[0] / 2**20,
            "proc_mib": peak[1] / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--commands", nargs="+", default=["outlook", "audit", "brief"],
                        choices=["outlook", "audit", "brief"])
    parser.add_argument("--keep", type=Path, default=None,
                        help="write the data of the first size here and keep it")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'units':>7} {'command':>8} {'wall s':>8} {'cpu s':>8} {'tree MiB':>9} "
          f"{'proc MiB':>9} {'per 1k':>7}")
    for n in args.units:
        with tempfile.TemporaryDirectory() as tmp:
            folder = args.keep if args.keep is not None else Path(tmp) / "data"
            folder.mkdir(parents=True, exist_ok=True)
            total = generate(folder, n)
            for name in args.commands:
                r = run_measured(commands(folder, Path(tmp))[name])
                print(f"{total:>7,} {name:>8} {r['wall']:>8.1f} {r['cpu']:>8.1f} "
                      f"{r['tree_mib']:>9.0f} {r['proc_mib']:>9.0f} "
                      f"{1000 * r['wall'] / total:>7.2f}", flush=True)
            args.keep = None


if __name__ == "__main__":
    main()
