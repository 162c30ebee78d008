"""Output folders: which ones a command may write into or replace, one writer at a time.

``forecast brief --out DIR`` replaces ``DIR`` as a whole and ``forecast
batch --out DIR`` writes its files into ``DIR``. Neither may destroy what a
person keeps there, so each command leaves a marker file (:data:`MARKER`,
naming the command) in the folders it writes, and :func:`check_output_folder`
refuses, before any work, a folder that is

* the folder the command runs in or one above it (a brief cannot replace it),
* a file, or a symbolic link (replacing it would replace the link),
* the folder holding the data read, or a folder above it,
* not empty and not marked as written by the same command.

Folders written before the marker existed are recognised by what the command
always wrote there (see :func:`owner`).

:class:`FolderLock` keeps two commands from writing the same folder at once;
:func:`clean_stale` removes the hidden ``.DIR.building-NNNN`` and
``.DIR.old-NNNN`` folders a killed brief leaves beside ``DIR``.
``docs/guarantees.md`` states what this guarantees and how it is tested.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

from forecast.atomic import write_text
from forecast.errors import OutputError

MARKER = ".forecast-output"
"""File a command leaves in every folder it writes: ``{"command": "brief"}``."""

LOCK_WAIT_SECONDS = 5.0
"""How long a command waits for another one writing the same folder before giving up."""

_MARKER_NOTE = {
    "brief": ("This folder was written by 'forecast brief'. The next brief with the same "
              "--out replaces the whole folder: keep nothing of your own in it. Delete this "
              "file to keep briefs from replacing it."),
    "batch": ("This folder was written by 'forecast batch'. The next batch with the same "
              "--out rewrites manifest.json, results.csv, results.json and the run folders. "
              "Delete this file to keep batches from writing here."),
}


def mark(folder: Path, command: str) -> None:
    """Leave the marker saying ``command`` wrote ``folder``."""
    write_text(Path(folder) / MARKER, json.dumps(
        {"command": command, "note": _MARKER_NOTE[command]}, ensure_ascii=False, indent=1)
        + "\n")


def owner(folder: Path) -> str | None:
    """The command that wrote ``folder``, or None (a person's folder, or unknown).

    The marker decides. Without it, a folder holding what a command always
    wrote before markers existed counts as that command's: the brief's
    ``manifest.json`` with ``"command": "brief"``, the batch's ``.batch.lock``.
    """
    folder = Path(folder)
    for name, read in ((MARKER, _json_command), ("manifest.json", _json_command)):
        command = read(folder / name)
        if command:
            return command
    return "batch" if (folder / ".batch.lock").is_file() else None


def _json_command(path: Path) -> str | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    command = doc.get("command") if isinstance(doc, dict) else None
    return command if isinstance(command, str) else None


def _resolved(path: Path) -> Path:
    try:
        return Path(os.path.realpath(path))
    except (OSError, RuntimeError, ValueError):  # a symbolic link loop, a NUL in the name
        return Path(os.path.abspath(path))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_output_folder(out: str | Path, command: str, inputs: Iterable[str | Path] = (),
                        option: str = "--out") -> Path:
    """Refuse an output folder the command must not write; return it.

    Parameters
    ----------
    out : path
        The folder asked for (it need not exist).
    command : str
        ``"brief"`` (replaces the folder) or ``"batch"`` (writes into it).
    inputs : iterable of path
        Files and folders the command reads (data, notebooks, config): the
        output folder must not hold them.
    option : str
        The option named in messages.

    Raises
    ------
    OutputError
        Saying why and what to give instead.
    """
    out = Path(out)
    real = _resolved(out)
    here = _resolved(Path.cwd())
    fix = f"Fix: give {option} a new or empty folder, e.g. {option} reports/{command}-2."
    if command == "brief" and _inside(here, real):
        raise OutputError(
            f"{option} {out}: the brief replaces its folder as a whole, and this is the "
            f"folder you are working in{'' if here == real else ' or one above it'}. {fix}")
    if out.is_symlink():
        raise OutputError(f"{option} {out}: is a symbolic link (to {real}). "
                          f"Fix: give the folder itself, {option} {real}.")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{option} {out}: is a file, not a folder; the {command} would "
                          f"hide or destroy it. {fix}")
    for p in inputs:
        rp = _resolved(Path(p))
        if _inside(rp, real):
            what = "is" if rp == real else "holds"
            raise OutputError(
                f"{option} {out}: {what} the input {p}, which the {command} reads; writing "
                f"there would destroy it. {fix}")
    if real.is_dir():
        try:
            empty = not any(real.iterdir())
        except OSError as exc:
            raise OutputError(f"{option} {out}: cannot be read ({exc.strerror}). {fix}") from None
        found = owner(real)
        if not empty and found != command:
            who = (f"was written by 'forecast {found}'" if found
                   else "holds files that 'forecast " + command + "' did not write")
            raise OutputError(
                f"{option} {out}: {who}; it is left as it is (the {command} writes only into "
                f"a new or empty folder, or one it wrote before, marked by the file {MARKER}). "
                f"{fix}")
    return out


class FolderLock:
    """An exclusive lock held through a lock file, so two commands cannot write one folder.

    The lock file is removed on :meth:`release`. A process that opened the
    file before it was removed finds, once it holds the lock, that the path
    names another file (or none) and tries again, so two processes never both
    hold the lock.

    Parameters
    ----------
    path : Path
        The lock file.
    what : str
        What is locked, for the message (``"--out reports/brief"``).
    wait_seconds : float, optional
        How long to wait for another holder before giving up (default
        :data:`LOCK_WAIT_SECONDS`).
    """

    def __init__(self, path: Path, what: str, wait_seconds: float | None = None):
        self.path = Path(path)
        wait = LOCK_WAIT_SECONDS if wait_seconds is None else wait_seconds
        deadline = time.monotonic() + wait
        while True:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            except OSError as exc:
                raise OutputError(f"{what}: {describe_os_error(exc, 'create the folder')}") \
                    from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                if time.monotonic() > deadline:
                    raise OutputError(
                        f"{what}: another forecast command is writing there now. Fix: wait "
                        "for it to finish, or give a different folder.") from None
                time.sleep(0.1)
                continue
            if self._same_file(fd):
                self.fd = fd
                return
            os.close(fd)

    def _same_file(self, fd: int) -> bool:
        try:
            return os.stat(self.path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            return False

    def release(self) -> None:
        """Remove the lock file and let the next writer in."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
        os.close(self.fd)

    def __enter__(self) -> "FolderLock":
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def sibling(out: Path, what: str) -> Path:
    """The hidden folder ``.NAME.WHAT-PID`` beside ``out`` (same file system)."""
    return out.parent / f".{out.name}.{what}-{os.getpid()}"


def clean_stale(out: Path) -> list[Path]:
    """Remove the ``.NAME.building-N`` / ``.NAME.old-N`` folders a killed run left.

    Call it while holding the folder's lock: no other run is then building.
    Only folders that are empty or carry the marker are removed.
    """
    pattern = re.compile(rf"\.{re.escape(out.name)}\.(building|old)-\d+")
    removed = []
    try:
        entries = list(out.parent.iterdir())
    except OSError:
        return removed
    for p in entries:
        if not (pattern.fullmatch(p.name) and p.is_dir() and not p.is_symlink()):
            continue
        if (p / MARKER).is_file() or not any(p.iterdir()):
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed


def describe_os_error(exc: OSError, action: str) -> str:
    """``"could not write X: no space left on the disk"``, with a fix for common causes."""
    where = f" {exc.filename}" if exc.filename else ""
    fix = {
        errno.ENOSPC: "free some disk space (or write to another disk), then run it again",
        errno.EDQUOT: "free some space within your disk quota, then run it again",
        errno.EACCES: "choose a folder you may write to",
        errno.EPERM: "choose a folder you may write to",
        errno.EROFS: "choose a folder on a disk that is not read-only",
    }.get(exc.errno, "check the folder and the disk, then run it again")
    return f"could not {action}{where}: {exc.strerror or exc}. Fix: {fix}."
