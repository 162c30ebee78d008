"""Benchmark the batch runner: overhead per run, and speed-up from a second worker.

    .venv/bin/python benchmarks/bench_batch.py [--runs 8] [--cpu-seconds 1.5] [--repeat 1]

1. Overhead. The floor is papermill itself running an empty notebook (one
   parameters cell), one run after another in this process. The batch runs a
   minimal notebook (parameters cell plus the ``write_results`` call every
   batch notebook ends with) with one worker. Reported: seconds per run of
   each and their ratio. The batch kills each kernel when its last cell has
   replied, where papermill by default asks it to shut down and waits, so
   two more floors are measured with the same kernel shutdown as the batch:
   the empty notebook, and the same minimal notebook; the last ratio isolates
   what the batch machinery adds (fork, staging, atomic moves, manifest,
   results table).
2. Speed-up. ``--runs`` runs of a notebook that spends ``--cpu-seconds`` of
   CPU in pure Python, with 1 and then 2 workers; reported: wall-clock
   seconds of each and their ratio.

The numbers depend on what else the machine is doing; the load average is
printed with them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import nbformat
import papermill as pm

from forecast.batch.run import default_kernel, run_batch
from forecast.batch.config import config_from_mapping

CPU_WORK = ("import time\nfrom forecast.batch.run import write_results\n"
            "n, t0 = 0, time.process_time()\n"
            "while time.process_time() - t0 < seconds:\n    n += sum(range(10000))\n"
            "write_results({'loops': n}, output_dir)")


IN_FLIGHT: list[float] = []
"""Per batch: sum of the runs' seconds / wall-clock seconds = runs going at once on average."""


def notebook(path: Path, params: str, *code: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(c) for c in code]
    nbformat.write(nb, path)
    return path


def papermill_floor(nb: Path, runs: int, work: Path, kernel: str, shutdown: str = "graceful") -> float:
    """Seconds per run of papermill executing ``nb`` sequentially.

    ``shutdown`` is nbclient's ``shutdown_kernel``: papermill's default
    ("graceful") or what the batch uses ("immediate").
    """
    t0 = time.perf_counter()
    for i in range(runs):
        out = work / f"floor-{i}"
        out.mkdir(parents=True, exist_ok=True)
        pm.execute_notebook(str(nb), str(out / "out.ipynb"), parameters={"output_dir": str(out)},
                            kernel_name=kernel, progress_bar=False, shutdown_kernel=shutdown)
    return (time.perf_counter() - t0) / runs


def batch_time(nb: Path, runs: int, work: Path, workers: int, kernel: str,
               scenario_params: dict | None = None) -> float:
    """Wall-clock seconds of one batch of ``runs`` runs of ``nb``."""
    scenarios = [{"name": f"r{i}", **(scenario_params or {})} for i in range(runs)]
    out = work / f"batch-{nb.stem}-{workers}"
    shutil.rmtree(out, ignore_errors=True)
    config = config_from_mapping({"notebooks": [str(nb)], "scenarios": scenarios,
                                  "output": str(out), "timeout": 600, "data": [str(nb)]},
                                 where="bench", base_dir=work)
    t0 = time.perf_counter()
    res = run_batch(config, workers=workers, kernel=kernel, progress=False, force=True)
    elapsed = time.perf_counter() - t0
    if res.exit_code:
        raise SystemExit(res.report())
    IN_FLIGHT.append(sum(r["seconds"] for r in res.runs) / elapsed)
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=8, help="runs per measurement (default 8)")
    ap.add_argument("--cpu-seconds", type=float, default=1.5,
                    help="CPU seconds each run of the speed-up notebook spends (default 1.5)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="rounds of all measurements; medians are reported (default 1)")
    args = ap.parse_args()
    kernel = default_kernel()
    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    try:
        empty = notebook(work / "empty.ipynb", 'output_dir = ""')
        minimal = notebook(work / "minimal.ipynb", 'output_dir = ""',
                           "from forecast.batch.run import write_results\n"
                           "write_results({'ok': True}, output_dir)")
        cpu = notebook(work / "cpu.ipynb", 'seconds = 1.0\noutput_dir = ""', CPU_WORK)
        papermill_floor(empty, 1, work, kernel)  # warm the file cache and kernel spec lookup
        print(f"kernel: {kernel}; cores: {os.cpu_count()}; load average at start: "
              f"{os.getloadavg()[0]:.2f}")
        # Rounds alternate the measurements so that a change in the machine's
        # load hits all of them alike; medians are reported.
        rows: dict[str, list[float]] = {k: [] for k in ("floor", "floor_imm", "floor_min", "batch",
                                                          "w1", "w2")}
        params = {"seconds": args.cpu_seconds}
        for _ in range(args.repeat):
            rows["floor"].append(papermill_floor(empty, args.runs, work, kernel))
            rows["floor_imm"].append(papermill_floor(empty, args.runs, work, kernel, "immediate"))
            rows["floor_min"].append(papermill_floor(minimal, args.runs, work, kernel, "immediate"))
            rows["batch"].append(batch_time(minimal, args.runs, work, 1, kernel) / args.runs)
            rows["w1"].append(batch_time(cpu, args.runs, work, 1, kernel, params))
            rows["w2"].append(batch_time(cpu, args.runs, work, 2, kernel, params))
            rows.setdefault("flight2", []).append(IN_FLIGHT[-1])
        med = {k: statistics.median(v) for k, v in rows.items()}
        per_run = med["batch"]
        print(f"overhead: papermill empty notebook {med['floor']:.3f} s/run (papermill defaults), "
              f"{med['floor_imm']:.3f} s/run (kernel killed at the end, as the batch does); "
              f"papermill minimal notebook {med['floor_min']:.3f} s/run (killed at the end); "
              f"batch (1 worker) minimal notebook {per_run:.3f} s/run")
        print(f"overhead ratio vs empty-notebook floor: {per_run / med['floor']:.2f}x (aim <= 1.3x); "
              f"vs the floor with the same kernel shutdown: {per_run / med['floor_imm']:.2f}x; "
              f"vs the same notebook under plain papermill: {per_run / med['floor_min']:.2f}x")
        ratios = [a / b for a, b in zip(rows["w1"], rows["w2"])]
        print(f"speed-up: {args.runs} runs x {args.cpu_seconds:g} CPU s: 1 worker {med['w1']:.1f} s, "
              f"2 workers {med['w2']:.1f} s, speed-up {med['w1'] / med['w2']:.2f}x (aim >= 1.7x; "
              f"per round: {', '.join(f'{r:.2f}' for r in ratios)}); runs going at once with "
              f"2 workers: {statistics.median(rows['flight2']):.2f} on average; "
              f"load average now {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
