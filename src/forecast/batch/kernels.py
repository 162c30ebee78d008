"""Execute one notebook run with papermill, in whatever process calls it.

This module is the only one that talks to papermill and Jupyter kernels. It
knows nothing about configs or output folders: it gets a *task* (a plain dict,
so it can cross process and machine boundaries) and returns an *outcome*
dict ``{"status": "ok" | "failed", "reason": str, "error_type": str,
"seconds": float}``. Every exception is caught and turned into an outcome.

Kernels are started by :class:`BatchKernelManager`, which

- talks to the kernel over IPC (Unix domain sockets) instead of TCP, so
  kernels started at the same moment cannot race for the same free port; each
  kernel gets its own socket path;
- sets one BLAS/OpenMP thread in the kernel's environment, so N parallel runs
  use N cores instead of N × cores threads fighting over them;
- writes the kernel's process id to a file, so whoever enforces the
  wall-clock limit can kill the kernel as well as the worker;
- gives its clients channels that wait for a message in slices of
  :data:`POLL_SLICE_S` (:class:`SlicedChannel`).
"""

from __future__ import annotations

import json
import os
import re
import signal
import tempfile
import threading
import time
import uuid
from typing import Any

from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_client.manager import AsyncKernelManager
from traitlets import Type, default

BLAS_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
}
"""Set in every batch kernel's environment: one thread per run."""

START_TIMEOUT = 60
"""Seconds papermill waits for a kernel to start (slow on a loaded machine)."""


POLL_SLICE_S = 1.0
"""Longest single wait of a client channel for a message (seconds)."""


class SlicedChannel(AsyncZMQSocketChannel):
    """A client channel whose wait for a message is cut into short polls.

    Run headless (nbclient, papermill) on notebooks that show widgets, a
    channel's asyncio poll sometimes misses the wake-up of a message that
    has arrived: the kernel has answered and sits idle, and the client waits
    out the whole cell timeout (or, with none, forever). A new poll sees the
    waiting message at once, so polling in slices turns that hang into a
    delay of at most :data:`POLL_SLICE_S` (``docs/notebooks.md``).
    """

    async def get_msg(self, timeout: float | None = None) -> dict[str, Any]:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = POLL_SLICE_S if deadline is None else \
                min(POLL_SLICE_S, max(deadline - time.monotonic(), 0.0))
            try:
                return await super().get_msg(timeout=left)
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise


class SlicedKernelClient(AsyncKernelClient):
    """An asynchronous kernel client whose channels are :class:`SlicedChannel`."""

    shell_channel_class = Type(SlicedChannel)
    iopub_channel_class = Type(SlicedChannel)
    stdin_channel_class = Type(SlicedChannel)
    control_channel_class = Type(SlicedChannel)


class BatchKernelManager(AsyncKernelManager):
    """A kernel manager for batch runs: IPC transport, one BLAS thread, pid file.

    ``pid_file`` is a class attribute so that a per-run subclass (see
    :func:`kernel_manager_for`) can carry it: nbclient instantiates the class
    itself and passes no extra arguments.
    """

    pid_file: str | None = None
    log_file: str | None = None
    """Where the kernel process's own stdout and stderr go (crash messages,
    kernel warnings), instead of the batch's terminal."""

    @default("transport")
    def _default_transport(self) -> str:
        return "ipc"

    @default("client_factory")
    def _default_client_factory(self) -> type:
        return SlicedKernelClient

    def _ip_default(self) -> str:
        # The stock default for IPC is the relative path "kernel-ipc", resolved
        # against each process's working folder: two kernels started together
        # in one folder would pick the same socket names. A unique absolute
        # path avoids both problems; it stays short (sockets allow ~100 bytes).
        if self.transport == "ipc":
            return os.path.join(tempfile.gettempdir(), f"fck-{uuid.uuid4().hex[:12]}")
        return super()._ip_default()

    async def _async_pre_start_kernel(self, **kw: Any):
        env = dict(kw.pop("env", None) or os.environ)
        env.update(BLAS_ENV)
        kw["env"] = env
        if self.log_file:
            # Popen duplicates the descriptor, so ours can be closed after launch.
            self._log_handle = open(self.log_file, "ab")  # noqa: SIM115
            kw["stdout"] = kw["stderr"] = self._log_handle
        return await super()._async_pre_start_kernel(**kw)

    async def _async_post_start_kernel(self, **kw: Any) -> None:
        await super()._async_post_start_kernel(**kw)
        handle = getattr(self, "_log_handle", None)
        if handle is not None:
            handle.close()
        pid = getattr(self.provisioner, "pid", None)
        if self.pid_file and pid:
            with open(self.pid_file, "w", encoding="utf-8") as fh:
                json.dump({"pid": pid, "ip": self.ip}, fh)


def kernel_manager_for(pid_file: str | None, log_file: str | None = None) -> type[BatchKernelManager]:
    """A :class:`BatchKernelManager` subclass for one run: its pid file and log file."""
    return type("RunKernelManager", (BatchKernelManager,), {"pid_file": pid_file, "log_file": log_file})


def kill_kernel(pid_file: str | None) -> bool:
    """Kill the kernel whose pid is in ``pid_file`` and remove its socket files.

    Returns True when a process was signalled. Safe to call when the kernel
    has already gone.
    """
    if not pid_file:
        return False
    try:
        with open(pid_file, encoding="utf-8") as fh:
            info = json.load(fh)
    except (OSError, ValueError):
        return False
    killed = False
    try:
        # The kernel runs in its own session (jupyter_client starts it so), so
        # its process group is its pid: this also stops processes it spawned.
        os.killpg(int(info["pid"]), signal.SIGKILL)
        killed = True
    except (OSError, KeyError, ValueError):
        try:
            os.kill(int(info["pid"]), signal.SIGKILL)
            killed = True
        except (OSError, KeyError, ValueError):
            pass
    ip = info.get("ip")
    if ip and os.path.isabs(ip):
        for n in range(1, 11):
            try:
                os.unlink(f"{ip}-{n}")
            except OSError:
                pass
    return killed


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CELL = re.compile(r"Cell In\[\d*\], line (\d+)")
_ARROW = re.compile(r"^-+>\s*\d+\s?(.*)$", re.M)


def cell_error(exc: BaseException) -> str:
    """What a failed notebook cell says, first things first.

    ``cell [4], line 2: raise ValueError(...) -> ValueError: probe failure.
    Fix: ...``: the cell, the line of the cell that raised and the error,
    then the fix. A ``forecast`` error carries its own fix; for any other the
    fix points at the full traceback in the executed notebook, instead of
    repeating it here (it runs to dozens of lines).
    """
    tb = _ANSI.sub("", "\n".join(getattr(exc, "traceback", None) or []))
    where = f"cell [{exc.exec_count}]"
    m = _CELL.search(tb)
    if m:
        arrow = _ARROW.search(tb, m.end())
        where += f", line {m.group(1)}" + (f": {arrow.group(1).strip()}" if arrow else "")
    value = str(exc.evalue).strip()
    fix = "" if "Fix:" in value else (
        ("" if value.endswith(".") else ".") + f" Fix: open the executed notebook at cell "
        f"[{exc.exec_count}] for the full traceback.")
    return f"{where} -> {exc.ename}: {value}{fix}"


def describe_failure(exc: BaseException, cell_timeout: float | None) -> tuple[str, str]:
    """A one-line reason and a short type name for an exception from a run."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return f"error in {cell_error(exc)}", "cell error"
    if isinstance(exc, CellTimeoutError):
        limit = f" of {cell_timeout:g} s" if cell_timeout else ""
        return (f"a cell ran past the cell time limit{limit}", "cell timeout")
    if isinstance(exc, DeadKernelError):
        return ("the kernel died (it crashed, exited or was killed)", "dead kernel")
    text = str(exc).strip().splitlines()
    return (f"{type(exc).__name__}: {text[0] if text else ''}".strip(), "error")


def execute_run(task: dict[str, Any]) -> dict[str, Any]:
    """Run one notebook with papermill and report how it went.

    Parameters
    ----------
    task : dict
        ``notebook`` (input path), ``output_notebook`` (where papermill saves
        the executed notebook, also on failure), ``parameters``, ``kernel``,
        ``cwd``, ``cell_timeout`` (seconds or None), ``pid_file``, ``kernel_log``
        (file for the kernel process's stdout and stderr; None: inherited) and optionally
        ``shutdown_kernel`` (``"immediate"``, the default, or ``"graceful"``).

    Returns
    -------
    dict
        The outcome: ``status``, ``reason``, ``error_type``, ``seconds``.
    """
    t0 = time.monotonic()
    try:
        import papermill as pm

        pm.execute_notebook(
            task["notebook"], task["output_notebook"],
            parameters=task["parameters"],
            kernel_name=task["kernel"],
            progress_bar=False,
            cwd=task.get("cwd"),
            start_timeout=START_TIMEOUT,
            execution_timeout=task.get("cell_timeout"),
            kernel_manager_class=kernel_manager_for(task.get("pid_file"), task.get("kernel_log")),
            # Kill the kernel as soon as the last cell has replied instead of
            # asking it to shut down and waiting: every output has arrived by
            # then, and it saves about 0.6 s a run (a third of an empty
            # notebook's time). Notebooks must not rely on exit handlers.
            shutdown_kernel=task.get("shutdown_kernel", "immediate"),
        )
    except BaseException as exc:  # every failure of a run is an outcome, not a crash
        if isinstance(exc, KeyboardInterrupt):
            raise
        reason, kind = describe_failure(exc, task.get("cell_timeout"))
        return {"status": "failed", "reason": reason, "error_type": kind,
                "seconds": round(time.monotonic() - t0, 3)}
    return {"status": "ok", "reason": "", "error_type": "",
            "seconds": round(time.monotonic() - t0, 3)}


def execute_run_with_limit(task: dict[str, Any], wall_clock: float) -> dict[str, Any]:
    """:func:`execute_run` with the wall-clock limit enforced by killing the kernel.

    Used where the worker process itself must survive (a Dask worker): a timer
    thread kills the kernel at the limit; papermill then stops with a dead
    kernel, and the outcome says the limit was the reason.
    """
    fired = threading.Event()

    def _stop() -> None:
        fired.set()
        kill_kernel(task.get("pid_file"))

    timer = threading.Timer(wall_clock, _stop)
    timer.daemon = True
    timer.start()
    try:
        outcome = execute_run(task)
    finally:
        timer.cancel()
    if fired.is_set():
        outcome = {**outcome, "status": "failed", "error_type": "wall-clock limit",
                   "reason": f"the run passed its wall-clock limit of {wall_clock:g} s and was stopped"}
    return outcome
