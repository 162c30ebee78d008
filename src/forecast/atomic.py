"""Atomic file writes: the one place the package writes a file in one piece.

The content goes to a temporary file in the target's folder, is flushed to
disk, and is moved over the target with :func:`os.replace` (atomic on POSIX
and Windows). A process killed mid-write leaves either the old complete file
or the new complete one, never half a file, and no temporary file behind when
the write fails in Python. The new file gets the permissions every other
program gives a new file (``0666`` less the umask, usually ``rw-r--r--``), not
the owner-only mode of :func:`tempfile.mkstemp`. Used by the figures
(:mod:`forecast.figures.export`), the brief, the tables
(:mod:`forecast.tables`) and the batch (:mod:`forecast.jsonio`).
"""

from __future__ import annotations

import os
from pathlib import Path


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically.

    Parameters
    ----------
    path : str or Path
        Target file; its folder is created if missing.
    data : bytes
        The complete new content.

    Returns
    -------
    Path
        The path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _temporary(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            # fsync so that a power cut cannot leave the rename without the data.
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def _temporary(path: Path) -> tuple[int, str]:
    """A new file beside ``path``, created with mode 0666 so that the umask applies."""
    while True:
        tmp = str(path.parent / f".{path.name}.{os.urandom(4).hex()}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:  # pragma: no cover - 1 in 4 billion
            continue


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` as UTF-8 atomically (see :func:`write_bytes`)."""
    return write_bytes(path, text.encode("utf-8"))
