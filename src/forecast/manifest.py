"""What a batch ran, with what, and how it went: fingerprints and the manifest.

A run's *fingerprint* is a SHA-256 over everything that decides its outputs:
its parameters, the notebook's bytes, the data files' hashes, the kernel, the
``forecast`` package version and a hash of the package's files. A rerun skips a run whose recorded
fingerprint is the same and whose outputs are all present.

The manifest (``manifest.json`` in the batch's output folder) records the
config, each run's parameters, fingerprint, timings and status, the inputs'
hashes, the code revision and the package versions, so a result can be traced
to exactly what produced it.
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from forecast import __version__
from forecast import paths as _paths
from forecast.jsonio import atomic_write_json, file_sha256, now_iso

PACKAGES = ("forecast", "pandas", "numpy", "statsmodels", "matplotlib", "papermill",
            "nbclient", "ipykernel")
"""Packages whose versions every manifest records."""


def package_versions(names: Iterable[str] = PACKAGES) -> dict[str, str]:
    """Installed version of each package, or ``"not installed"``."""
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def code_revision(repo: Path | None = None) -> str:
    """``git rev-parse HEAD`` of the checkout (``+dirty`` if files changed), or ``"unknown"``."""
    repo = repo or _paths.REPO_DIR
    try:
        head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True,
                              text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + ("+dirty" if dirty else "") if head else "unknown"


def hash_files(files: Iterable[str | Path]) -> dict[str, str]:
    """Path → SHA-256 of each file (folders expanded to their non-hidden files)."""
    out: dict[str, str] = {}
    for f in files:
        p = Path(f)
        if p.is_dir():
            members = sorted(q for q in p.rglob("*")
                             if q.is_file() and not any(part.startswith(".") for part in q.relative_to(p).parts))
            out.update(hash_files(members))
        elif p.is_file():
            out[str(p)] = file_sha256(p)
    return out


def package_hash() -> str:
    """SHA-256 over the ``forecast`` package's files (code, style, templates).

    The version number alone would not do: it stays the same while the code
    changes between releases, and a run must be redone when the code that
    computes its results changes.
    """
    h = hashlib.sha256()
    for rel, digest in sorted((str(p.relative_to(_paths.PACKAGE_DIR)), file_sha256(p))
                              for p in _paths.PACKAGE_DIR.rglob("*")
                              if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"):
        h.update(f"{rel}\0{digest}\n".encode())
    return h.hexdigest()


def fingerprint(parameters: Mapping[str, Any], notebook_sha256: str,
                data_hashes: Mapping[str, str], kernel: str, code: str = "") -> str:
    """SHA-256 over everything that decides a run's outputs.

    Data files enter by content only (sorted hashes), so moving the data folder
    does not force a rerun but editing one figure does. ``code`` is
    :func:`package_hash`.
    """
    payload = {
        "parameters": parameters,
        "notebook": notebook_sha256,
        "data": sorted(data_hashes.values()),
        "kernel": kernel,
        "forecast": __version__,
        "code": code,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=True, default=str)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def environment() -> dict[str, Any]:
    """Code revision, package versions and Python, computed once per batch."""
    return {
        "code_revision": code_revision(),
        "package_hash": package_hash(),
        "packages": package_versions(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def summarize(runs: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Counts of runs by status (``ok``, ``skipped``, ``failed``, ``pending``)."""
    counts = {"total": 0, "ok": 0, "skipped": 0, "failed": 0, "pending": 0}
    for r in runs:
        counts["total"] += 1
        counts[r.get("status", "pending")] = counts.get(r.get("status", "pending"), 0) + 1
    return counts


def write_manifest(path: Path, *, config: Mapping[str, Any], env: Mapping[str, Any],
                   inputs: Mapping[str, Any], runs: list[Mapping[str, Any]],
                   started: str, extra: Mapping[str, Any] | None = None) -> Path:
    """Write ``manifest.json`` atomically (called after every finished run).

    Parameters
    ----------
    path : Path
        The manifest file.
    config : mapping
        The batch config as read (plus the file it came from).
    env : mapping
        From :func:`environment`.
    inputs : mapping
        ``{"notebooks": {path: sha256}, "data": {path: sha256}}``.
    runs : list of mapping
        One record per run (parameters, fingerprint, status, reason, timings).
    started : str
        When the batch started (ISO).
    extra : mapping, optional
        Executor, workers, kernel and other facts about this batch.
    """
    doc = {
        "forecast_version": __version__,
        "started": started,
        "updated": now_iso(),
        **dict(extra or {}),
        "config": dict(config),
        **dict(env),
        "inputs": dict(inputs),
        "summary": summarize(runs),
        "runs": list(runs),
    }
    return atomic_write_json(path, doc)
