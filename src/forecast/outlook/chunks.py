"""Run the outlook's unit chunks over processes or a Dask cluster.

The outlook's rows for one unit and target depend only on that unit's own
random streams and the shared year shocks (:class:`forecast.models.base.Streams`),
never on which other units are simulated with it, so the progress rows can
be cut into chunks, each chunk run anywhere, and the rows put back in order:
the table is the same, byte for byte, whatever the chunking, the number of
workers or the executor.

- ``local`` (default): forked worker processes, one per core. Forking hands
  the fitted model and the dataset to the workers without copying or
  pickling them; only the finished rows travel back.
- ``dask``: the chunks are submitted to a Dask distributed scheduler
  (``--scheduler tcp://host:8786``); the work (dataset, fitted model and
  chunk) is pickled to the workers, which must have ``forecast`` installed.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from forecast.errors import ConfigError

EXECUTORS = ("local", "dask")

CHUNK_ROWS = 500
"""Progress rows per chunk: large enough that a chunk's batched simulation
amortises its fixed cost, small enough that both cores get several."""

_WORK: dict = {}
"""The work of the current :func:`run_chunks` call, read by forked workers."""


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def split(n: int, chunk_rows: int = CHUNK_ROWS) -> list[range]:
    """Consecutive index ranges of at most ``chunk_rows`` covering ``range(n)``."""
    size = max(1, int(chunk_rows))
    return [range(a, min(a + size, n)) for a in range(0, n, size)]


def run_chunks(func: Callable[[Any, range], list], work: Any, chunks: Sequence[range],
               workers: int | None = None, executor: str = "local",
               scheduler: str | None = None) -> list[list]:
    """``[func(work, chunk) for chunk in chunks]``, run in parallel, in the same order.

    Parameters
    ----------
    func : callable
        A module-level function (Dask pickles it by name).
    work : object
        What every chunk needs (dataset, fitted model, progress rows ...).
    chunks : sequence of range
    workers : int, optional
        Local processes (default: :func:`default_workers`); 1 or a single
        chunk runs in this process.
    executor : str
        ``local`` or ``dask``.
    scheduler : str, optional
        Address of the Dask scheduler (required with ``dask``).
    """
    check_executor(executor, scheduler, workers)
    if executor == "dask":
        return _run_dask(func, work, chunks, scheduler)
    workers = default_workers() if workers is None else int(workers)
    if workers == 1 or len(chunks) <= 1 or "fork" not in mp.get_all_start_methods():
        return [func(work, c) for c in chunks]
    _WORK["job"] = (func, work)
    try:
        ctx = mp.get_context("fork")
        with ProcessPoolExecutor(min(workers, len(chunks)), mp_context=ctx) as pool:
            return list(pool.map(_forked, chunks))
    finally:
        _WORK.clear()


def check_executor(executor: str, scheduler: str | None, workers: int | None = None) -> None:
    """ConfigError, before any work, for an unknown executor, Dask without a
    scheduler, or fewer than one worker."""
    if executor not in EXECUTORS:
        raise ConfigError(f"--executor: found {executor!r}; expected one of "
                          f"{', '.join(EXECUTORS)}.")
    if executor == "dask" and not scheduler:
        raise ConfigError("--executor dask needs --scheduler ADDRESS (e.g. "
                          "tcp://127.0.0.1:8786, printed by `dask scheduler`).")
    if workers is not None and int(workers) < 1:
        raise ConfigError(f"--workers: found {workers}; expected 1 or more.")


def _forked(chunk: range) -> list:
    func, work = _WORK["job"]
    return func(work, chunk)


def _run_dask(func, work, chunks, scheduler: str) -> list[list]:
    from distributed import Client

    try:
        client = Client(scheduler, timeout="20s")
    except OSError as exc:
        raise ConfigError(f"--scheduler {scheduler}: no Dask scheduler answers there "
                          f"({exc}). Fix: start one with `dask scheduler` and workers "
                          "with `dask worker ADDRESS`, or use --executor local.") from exc
    try:
        shared = client.scatter(work, broadcast=True)
        futures = [client.submit(func, shared, c, pure=False) for c in chunks]
        return client.gather(futures)
    finally:
        client.close()
