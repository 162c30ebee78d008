"""Executors: run many tasks of :mod:`forecast.batch.kernels` in parallel.

Two executors with the same shape: ``run_*(tasks, ..., on_start, on_done)``
calls ``on_done(task, outcome)`` in the calling process as each task ends.

- :func:`run_local` (default) forks one worker process per run, at most
  ``workers`` at a time. Forking reuses the parent's imported modules
  (importing papermill takes over a second), and a process per run lets the
  parent enforce the wall-clock limit by killing the worker and its kernel
  without disturbing the other runs.
- :func:`run_dask` submits the runs to a Dask distributed cluster; there the
  limit is enforced inside the task by killing the kernel (killing a Dask
  worker would make the cluster retry the task elsewhere).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from multiprocessing.connection import wait
from typing import Any

from forecast.batch.kernels import execute_run, execute_run_with_limit, kill_kernel

Task = dict[str, Any]
Outcome = dict[str, Any]
Callback = Callable[[Task, Outcome], None]

POLL_SECONDS = 0.1
"""How often the parent checks deadlines; the limit is enforced to about this."""

_CLOSE_IN_CHILD: set[int] = set()
"""File descriptors a worker must close first (the batch's output-folder lock)."""


def close_in_workers(fd: int, close: bool = True) -> None:
    """Have forked workers close ``fd`` (or stop doing so, with ``close=False``).

    The batch's lock is inherited by every forked worker; closing it there
    means a killed batch releases its lock at once. The caller must withdraw
    the fd when it closes it, since the number is then reused for other files.
    """
    if close:
        _CLOSE_IN_CHILD.add(fd)
    else:
        _CLOSE_IN_CHILD.discard(fd)


def _watch_parent(parent: int, pid_file: str | None) -> None:
    # If the batch process is killed, its workers must not run on as orphans
    # and move files into place under a rerun; the kernel follows (ipykernel
    # exits when its parent goes).
    while True:
        time.sleep(0.2)
        if os.getppid() != parent:
            kill_kernel(pid_file)
            os._exit(3)


def _worker(task: Task, conn: Any, parent: int) -> None:
    for fd in list(_CLOSE_IN_CHILD):
        try:
            os.close(fd)
        except OSError:
            pass
    # Own process group: the parent kills the whole group at the time limit.
    os.setpgid(0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent, task.get("pid_file")), daemon=True).start()
    try:
        outcome = execute_run(task)
    except BaseException as exc:  # report, never hang the parent
        outcome = {"status": "failed", "reason": f"{type(exc).__name__}: {exc}",
                   "error_type": "worker error", "seconds": 0.0}
    conn.send(outcome)
    conn.close()


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def run_local(tasks: Sequence[Task], workers: int, wall_clock: float,
              on_start: Callable[[Task], None], on_done: Callback) -> None:
    """Run ``tasks`` in forked worker processes, ``workers`` at a time.

    Parameters
    ----------
    tasks : sequence of dict
        Tasks for :func:`forecast.batch.kernels.execute_run`.
    workers : int
        Runs at the same time.
    wall_clock : float
        Seconds a run may take, start to end; past it the worker and its kernel
        are killed and the outcome says so.
    on_start, on_done : callable
        Called in this process when a run starts / ends.

    Notes
    -----
    On KeyboardInterrupt (or SIGTERM turned into one by the caller) every
    running worker and kernel is killed, the interrupted runs are reported as
    failed, and the interrupt is re-raised.
    """
    # Import papermill here, once, so that every forked worker inherits it
    # instead of spending over a second importing it again.
    import papermill  # noqa: F401

    ctx = mp.get_context("fork")
    pending = deque(tasks)
    active: dict[int, tuple[Any, Any, Task, float, float]] = {}
    parent = os.getpid()
    try:
        while pending or active:
            while pending and len(active) < max(1, workers):
                task = pending.popleft()
                recv, send = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_worker, args=(task, send, parent), daemon=False)
                on_start(task)
                t0 = time.monotonic()
                proc.start()
                send.close()
                active[proc.sentinel] = (proc, recv, task, t0 + wall_clock, t0)
            ready = set(wait(list(active), timeout=POLL_SECONDS))
            now = time.monotonic()
            for sentinel in list(active):
                proc, recv, task, deadline, t0 = active[sentinel]
                if sentinel in ready:
                    proc.join()
                    outcome = recv.recv() if recv.poll() else {
                        "status": "failed", "error_type": "worker died",
                        "reason": f"the worker process ended with exit code {proc.exitcode} "
                                  "before reporting (out of memory?)",
                        "seconds": round(now - t0, 3)}
                elif now > deadline:
                    _kill_group(proc.pid)
                    kill_kernel(task.get("pid_file"))
                    proc.join()
                    outcome = {"status": "failed", "error_type": "wall-clock limit",
                               "reason": f"the run passed its wall-clock limit of {wall_clock:g} s "
                                         "and was killed",
                               "seconds": round(now - t0, 3)}
                else:
                    continue
                recv.close()
                del active[sentinel]
                on_done(task, outcome)
    except BaseException:
        for proc, recv, task, _, t0 in active.values():
            _kill_group(proc.pid)
            kill_kernel(task.get("pid_file"))
            proc.join()
            on_done(task, {"status": "failed", "error_type": "interrupted",
                           "reason": "the batch was interrupted while this run was going",
                           "seconds": round(time.monotonic() - t0, 3)})
        raise


def run_dask(tasks: Sequence[Task], scheduler: Any, wall_clock: float,
             on_start: Callable[[Task], None], on_done: Callback) -> None:
    """Run ``tasks`` on a Dask distributed cluster.

    Parameters
    ----------
    tasks : sequence of dict
    scheduler : str or Cluster or Client
        A scheduler address (``tcp://host:8786``), a cluster object (e.g.
        ``LocalCluster``) or a connected ``Client``.
    wall_clock : float
        Seconds a run may take; enforced inside the task by killing its kernel.
    on_start, on_done : callable
        ``on_start`` is called when a run is submitted (Dask does not say when
        a task actually starts).

    Notes
    -----
    The workers must see the notebooks, the data and the output folder at the
    same paths as this process (a shared file system), and have the
    ``forecast`` package installed.
    """
    from distributed import Client, as_completed

    own = not isinstance(scheduler, Client)
    client = Client(scheduler) if own else scheduler
    try:
        futures = {}
        for task in tasks:
            on_start(task)
            fut = client.submit(execute_run_with_limit, task, wall_clock, pure=False,
                                key=f"forecast-run-{task['run_id']}-{os.urandom(4).hex()}")
            futures[fut] = task
        for fut in as_completed(futures):
            task = futures[fut]
            try:
                outcome = fut.result()
            except Exception as exc:  # a lost worker, a serialization problem...
                outcome = {"status": "failed", "error_type": "dask",
                           "reason": f"{type(exc).__name__}: {exc}", "seconds": 0.0}
            on_done(task, outcome)
    finally:
        if own:
            client.close()
