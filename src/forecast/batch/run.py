"""Batch runs: notebooks × units × scenarios, executed, collected, resumable.

The batch knows nothing about forecasting. It plans runs from a config
(:mod:`forecast.batch.config`), executes each notebook with papermill in
parallel (:mod:`forecast.batch.pool`), and collects the JSON each notebook
writes with :func:`write_results` into one table. Layout of the output folder::

    OUT/manifest.json                 config, runs, hashes, versions, timings
    OUT/results.json, results.csv     every successful run's results
    OUT/<run_id>/<run_id>.ipynb       the executed notebook
    OUT/<run_id>/<run_id>.json        its results (written by the notebook)
    OUT/<run_id>/<run_id>.run.json    fingerprint + file list: marks it complete
    OUT/<run_id>/<run_id>.failed.ipynb  the last failed attempt, error visible

A run executes in ``OUT/.staging/<attempt>/<run_id>/`` (its ``output_dir``; the
attempt folder is new for every batch, so a worker orphaned by a killed batch
cannot touch a rerun's files); only when it
succeeds are its files moved into ``OUT/<run_id>/`` and its record written
last. A failed or killed run therefore never replaces good outputs, and a
rerun skips every run whose record matches its current fingerprint.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forecast.jsonio import atomic_write_json, atomic_write_text, dumps, file_sha256, now_iso, read_json
from forecast.batch.results import collect_results, rebase_paths, write_results
from forecast.errors import ConfigError, OutputError
from forecast.outputs import FolderLock, check_output_folder, describe_os_error, mark

if TYPE_CHECKING:
    from forecast.batch.config import BatchConfig, RunSpec

# Notebooks import this module for write_results, so the config, planning and
# manifest modules (YAML, importlib.metadata...) are imported inside run_batch.

__all__ = ["BatchResult", "run_batch", "write_results", "collect_results", "default_kernel"]

STAGING = ".staging"


def default_kernel() -> str:
    """``forecast`` when that kernel is registered (the setup does so), else ``python3``."""
    from jupyter_client.kernelspec import KernelSpecManager

    try:
        return "forecast" if "forecast" in KernelSpecManager().find_kernel_specs() else "python3"
    except Exception:  # a broken Jupyter config should not stop the batch choosing
        return "python3"


@dataclass
class BatchResult:
    """What a batch did: per-run records and where everything was written."""

    output: Path
    runs: list[dict[str, Any]]
    manifest: Path
    results_csv: Path
    results_json: Path
    seconds: float
    summary: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    """Files of the batch itself (manifest, results) that could not be written."""

    @property
    def exit_code(self) -> int:
        """0 when every run succeeded or was up to date and every file was written, else 1."""
        bad = self.summary.get("failed", 0) or self.summary.get("pending", 0) or self.problems
        return 1 if bad else 0

    def report(self) -> str:
        """A short text summary, with each failed run and its reason."""
        s = self.summary
        lines = [f"batch: {s['total']} run{'' if s['total'] == 1 else 's'}: {s['ok']} ran, {s['skipped']} up to date (skipped), "
                 f"{s['failed']} failed, in {self.seconds:.1f} s. Output: {self.output}"]
        for r in self.runs:
            if r["status"] == "failed":
                where = f" (notebook: {r['failed_notebook']})" if r.get("failed_notebook") else ""
                lines.append(f"  FAILED {r['run_id']}: {r['reason']}{where}")
        lines.extend(f"  PROBLEM: {p}" for p in self.problems)
        return "\n".join(lines)


def _lock(out: Path) -> FolderLock:
    """Lock the output folder so that two batches cannot mix their outputs.

    Forked workers inherit the lock's descriptor and close it first thing, so
    that a killed batch releases its lock at once.
    """
    from forecast.batch.pool import close_in_workers

    lock = FolderLock(out / ".batch.lock", f"--out {out}")
    close_in_workers(lock.fd)
    return lock


def _unlock(lock: FolderLock) -> None:
    from forecast.batch.pool import close_in_workers

    close_in_workers(lock.fd, close=False)
    lock.release()


def _sigterm_as_interrupt():
    """Turn SIGTERM into KeyboardInterrupt (main thread only) so workers are cleaned up."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def _handler(signum, frame):
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, _handler)


def run_batch(config: BatchConfig | str | Path, *, workers: int | None = None,
              output: str | Path | None = None, executor: str = "local", scheduler: Any = None,
              force: bool = False, units: Any = None, kernel: str | None = None,
              progress: bool = True, check: Any = None) -> BatchResult:
    """Plan, execute and collect a batch.

    Parameters
    ----------
    config : BatchConfig or path
        The batch config (a YAML path is read with :func:`load_config`).
    workers : int, optional
        Runs at the same time (local executor); default the config's
        ``workers``, else ``os.cpu_count()``.
    output : path, optional
        Output folder; default the config's ``output``.
    executor : {"local", "dask"}
    scheduler : str or cluster or Client, optional
        For ``executor="dask"``: where to submit the runs.
    force : bool
        Rerun every run even when its outputs are up to date.
    units : DataFrame, optional
        The units table (default: loaded from the config's data).
    kernel : str, optional
        Jupyter kernel name (default: the config's, else :func:`default_kernel`).
    progress : bool
        Show a progress bar on stderr.
    check : callable, optional
        Checks each run's parameter values before any run starts (see
        :func:`forecast.batch.config.plan_runs`).

    Returns
    -------
    BatchResult
        ``exit_code`` is 1 when any run failed.

    Raises
    ------
    ConfigError, NotebookError
        Before anything runs, for a bad config or bad parameters.
    """
    from forecast.batch.config import BatchConfig, load_config, plan_runs
    from forecast.manifest import environment, fingerprint, hash_files, summarize, write_manifest

    t_start = time.monotonic()
    if not isinstance(config, BatchConfig):
        config = load_config(config)
    if executor not in ("local", "dask"):
        raise ConfigError(f"executor: found {executor!r}; expected 'local' or 'dask'. "
                          "Fix: use --executor local (default) or --executor dask --scheduler ADDRESS.")
    if executor == "dask" and scheduler is None:
        raise ConfigError("executor 'dask' needs a scheduler. Fix: add --scheduler tcp://HOST:8786.")
    specs = plan_runs(config, units, check)
    out = Path(output).resolve() if output else config.output
    kernel = kernel or config.kernel or default_kernel()
    workers = int(workers or config.workers or os.cpu_count() or 1)
    data_hashes = hash_files(_data_paths(config))
    nb_hashes = {str(p): file_sha256(p) for p in dict.fromkeys(s.notebook for s in specs)}
    env = environment()
    started = now_iso()
    check_output_folder(out, "batch", inputs=[*_data_paths(config), *nb_hashes])
    lock = _lock(out)
    problems: list[str] = []

    def problem(text: str) -> None:
        if text not in problems:
            problems.append(text)

    try:
        try:
            mark(out, "batch")
        except OSError as exc:
            raise OutputError(f"--out {out}: {describe_os_error(exc, 'write')}") from None
        shutil.rmtree(out / STAGING, ignore_errors=True)
        staging_root = out / STAGING / os.urandom(4).hex()
        records = {s.run_id: _record(s, fingerprint(s.parameters, nb_hashes[str(s.notebook)],
                                                    data_hashes, kernel, env["package_hash"]))
                   for s in specs}
        todo = [s for s in specs if force or not _up_to_date(out, records[s.run_id])]
        for s in specs:
            if s not in todo:
                records[s.run_id].update(status="skipped", reason="outputs up to date")
        extra = {"executor": executor, "workers": workers if executor == "local" else None,
                 "scheduler": str(scheduler) if executor == "dask" else None, "kernel": kernel,
                 "output": str(out), "timeout": config.timeout, "cell_timeout": config.cell_timeout}
        cfg = {"file": config.source, **config.raw}
        inputs = {"notebooks": nb_hashes, "data": data_hashes}

        def save_manifest() -> None:
            # On every change of a run's state, so that a kill leaves a manifest
            # that says what had finished; atomic, so never half a file.
            try:
                write_manifest(out / "manifest.json", config=cfg, env=env, inputs=inputs,
                               runs=list(records.values()), started=started, extra=extra)
            except OSError as exc:
                problem(describe_os_error(exc, "write the manifest"))

        save_manifest()
        tasks = [_task(s, staging_root, kernel, config) for s in todo]
        bar = _progress(len(tasks), len(specs) - len(todo), progress)

        def on_start(task: dict[str, Any]) -> None:
            records[task["run_id"]].update(status="running", started=now_iso())
            save_manifest()

        def on_done(task: dict[str, Any], outcome: Mapping[str, Any]) -> None:
            rec = records[task["run_id"]]
            try:
                _finalize(out, staging_root, task, rec, outcome)
            except OSError as exc:
                # A full disk must not stop the batch with a traceback: the run
                # is failed (a rerun redoes it) and the batch goes on.
                reason = describe_os_error(exc, "save the run's files")
                rec.update(status="failed", error_type="output error", finished=now_iso(),
                           reason=f"{rec['reason']}; {reason}" if rec.get("reason") else reason)
                shutil.rmtree(staging_root / task["run_id"], ignore_errors=True)
            save_manifest()
            bar.update(rec["status"])

        previous = _sigterm_as_interrupt()
        try:
            if executor == "local":
                from forecast.batch.pool import run_local
                run_local(tasks, min(workers, max(1, len(tasks))), config.timeout, on_start, on_done)
            else:
                from forecast.batch.pool import run_dask
                run_dask(tasks, scheduler, config.timeout, on_start, on_done)
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
            bar.close()
            for rec in records.values():
                if rec["status"] == "running":
                    rec["status"] = "pending"
            save_manifest()
        runs = list(records.values())
        try:
            csv_path, json_path = collect_results(out, runs)
        except OSError as exc:
            problem(describe_os_error(exc, "write results.csv and results.json"))
            csv_path, json_path = out / "results.csv", out / "results.json"
        shutil.rmtree(out / STAGING, ignore_errors=True)
    finally:
        _unlock(lock)
    return BatchResult(out, runs, out / "manifest.json", csv_path, json_path,
                       round(time.monotonic() - t_start, 3), summarize(runs), problems)


def _data_paths(config: BatchConfig) -> list[Path]:
    if config.data:
        return list(config.data)
    from forecast import paths as _paths

    return [_paths.DATA_DIR]


def _record(spec: RunSpec, fp: str) -> dict[str, Any]:
    return {"run_id": spec.run_id, "notebook": str(spec.notebook), "unit_id": spec.unit_id,
            "scenario": spec.scenario, "parameters": spec.parameters, "fingerprint": fp,
            "status": "pending", "reason": "", "error_type": "", "started": None,
            "finished": None, "seconds": None, "outputs": []}


def _up_to_date(out: Path, rec: Mapping[str, Any]) -> bool:
    run_dir = out / rec["run_id"]
    old = read_json(run_dir / f"{rec['run_id']}.run.json")
    if not isinstance(old, dict) or old.get("fingerprint") != rec["fingerprint"]:
        return False
    outputs = old.get("outputs") or []
    return bool(outputs) and all((run_dir / o).is_file() for o in outputs)


def _task(spec: RunSpec, staging_root: Path, kernel: str, config: BatchConfig) -> dict[str, Any]:
    staging = staging_root / spec.run_id
    staging.mkdir(parents=True, exist_ok=True)
    return {"run_id": spec.run_id, "notebook": str(spec.notebook),
            "output_notebook": str(staging / f"{spec.run_id}.ipynb"),
            "parameters": {**spec.parameters, "output_dir": str(staging)},
            "kernel": kernel, "cwd": str(spec.notebook.parent),
            "cell_timeout": config.cell_timeout, "pid_file": str(staging_root / f"{spec.run_id}.kernel.json"),
            "kernel_log": str(staging_root / f"{spec.run_id}.kernel.log")}


def _finalize(out: Path, staging_root: Path, task: Mapping[str, Any], rec: dict[str, Any],
              outcome: Mapping[str, Any]) -> None:
    """Move a good run's files into place, or keep a failed run's notebook with its error."""
    run_id = task["run_id"]
    staging, run_dir = staging_root / run_id, out / run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    result_file = staging / f"{run_id}.json"
    status, reason, kind = outcome["status"], outcome.get("reason", ""), outcome.get("error_type", "")
    if status == "ok" and not (result_file.is_file() and read_json(result_file) is not None):
        status, kind = "failed", "no results"
        reason = (f"the notebook ran but wrote no {run_id}.json. Fix: end the notebook with "
                  "forecast.batch.run.write_results(results, output_dir)")
    rec.update(status=status, reason=reason, error_type=kind, finished=now_iso(),
               seconds=outcome.get("seconds"))
    if status == "ok":
        record_file = run_dir / f"{run_id}.run.json"
        # The record marks a run complete, so it goes first and comes back last.
        record_file.unlink(missing_ok=True)
        moved = []
        for f in sorted(p for p in staging.rglob("*") if p.is_file()):
            rel = f.relative_to(staging)
            (run_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(f, run_dir / rel)
            moved.append(str(rel))
        (run_dir / f"{run_id}.failed.ipynb").unlink(missing_ok=True)
        rec["outputs"] = moved
        results = read_json(run_dir / f"{run_id}.json")
        final = results
        for old in dict.fromkeys((str(staging), str(staging.resolve()))):
            final = rebase_paths(final, old, str(run_dir))
        if final != results:  # the staging folder is deleted: record where the files are
            atomic_write_json(run_dir / f"{run_id}.json", final)
        atomic_write_json(record_file, {k: rec[k] for k in (
            "run_id", "notebook", "unit_id", "scenario", "parameters", "fingerprint", "status",
            "started", "finished", "seconds", "outputs")})
    else:
        failed = run_dir / f"{run_id}.failed.ipynb"
        atomic_write_text(failed, _failed_notebook(Path(task["output_notebook"]), task, reason))
        rec["failed_notebook"] = str(failed)
    shutil.rmtree(staging, ignore_errors=True)


def _failed_notebook(partial: Path, task: Mapping[str, Any], reason: str) -> str:
    """The executed notebook (or as much as was saved) with the failure at the top."""
    import nbformat

    try:
        nb = nbformat.read(partial, as_version=4)
    except Exception:  # missing or cut short by a kill: write a stub instead
        nb = nbformat.v4.new_notebook()
        nb.cells.append(nbformat.v4.new_markdown_cell(
            f"No executed notebook was saved for this run (input: `{task['notebook']}`)."))
    running = [i for i, c in enumerate(nb.cells)
               if c.get("metadata", {}).get("papermill", {}).get("status") == "running"]
    for i in reversed(running):
        # papermill marks the cell it was in; say so right below it.
        nb.cells.insert(i + 1, nbformat.v4.new_markdown_cell(
            "<span style=\"color:red\">**The run was stopped while this cell was running.**</span>",
            metadata={"tags": ["batch-error"]}))
    note = (f"<span style=\"color:red\">**Batch run `{task['run_id']}` failed:** {reason}</span>\n\n"
            f"Parameters: `{dumps(task['parameters']).strip()}`")
    log = _tail(task.get("kernel_log"))
    if log:
        note += "\n\nLast lines the kernel process printed:\n\n```\n" + log + "\n```"
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(note, metadata={"tags": ["batch-error"]}))
    return nbformat.writes(nb)


def _tail(path: str | None, lines: int = 15) -> str:
    """The last lines of a kernel log, without the noise every kernel prints at shutdown."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace") if path else ""
    except OSError:
        return ""
    keep = [ln for ln in text.splitlines() if "KeyboardInterrupt caught in kernel" not in ln]
    return "\n".join(keep[-lines:]).strip()


class _Bar:
    """tqdm bar whose postfix counts ok / failed / skipped runs."""

    def __init__(self, total: int, skipped: int, enabled: bool):
        from tqdm import tqdm

        tqdm.monitor_interval = 0  # no monitor thread: workers are forked from this process
        self.counts = {"ok": 0, "failed": 0, "skipped": skipped}
        self.bar = tqdm(total=total, unit="run", desc="batch", disable=not enabled, dynamic_ncols=True)
        self.bar.set_postfix(self.counts, refresh=False)

    def update(self, status: str) -> None:
        self.counts[status] = self.counts.get(status, 0) + 1
        self.bar.set_postfix(self.counts, refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def _progress(total: int, skipped: int, enabled: bool) -> _Bar:
    return _Bar(total, skipped, enabled)
