"""Set up and run the project with nothing but Python 3.11 and pip.

    python3.11 tasks.py brief   # the main job: the brief over the shipped data,
                                # then the default notebook batch
    python3.11 tasks.py test    # the whole test suite

Each command first makes sure ``.venv`` exists and matches ``pyproject.toml``
(it is rebuilt when the dependencies change), installs the package in it with
its test dependencies, and registers the Jupyter kernel "forecast" inside the
environment. Extra arguments are passed on (to ``forecast brief`` or pytest).
``brief`` writes ``reports/brief/`` and then runs ``configs/default.yaml``
(the portfolio notebook and one outlook notebook per unit with progress to
show) into ``reports/batch/default/``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".forecast-setup"


def _fingerprint() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def setup() -> None:
    """Create or refresh the virtual environment when needed."""
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"tasks.py: Python 3.11 is required, this is {sys.version.split()[0]}. "
                 "Run it as: python3.11 tasks.py ...")
    if STAMP.exists() and PY.exists() and STAMP.read_text() == _fingerprint():
        return
    if not PY.exists():
        print("tasks.py: creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    print("tasks.py: installing forecast and its dependencies into .venv ...", flush=True)
    pip = [str(PY), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", f"{ROOT}[test]"], check=True)
    subprocess.run(
        [str(PY), "-m", "ipykernel", "install", "--sys-prefix", "--name", "forecast",
         "--display-name", "Python 3.11 (forecast)"],
        check=True, stdout=subprocess.DEVNULL,
    )
    # An editable install skips pyproject's data-files: put the kernels' config in
    # place (no spurious TCP warning on the loopback address; forecast.notebooks.quiet).
    config = VENV / "etc" / "ipython"
    config.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "jupyter-config" / "ipython_kernel_config.py",
                    config / "ipython_kernel_config.py")
    STAMP.write_text(_fingerprint())


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"brief", "test"}:
        print(__doc__)
        return 2
    setup()
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONUTF8": "1"}
    if argv[0] == "test":
        # Spread over the cores (pytest-xdist); the notebook and kernel tests are IPC-safe.
        return subprocess.run([str(PY), "-m", "pytest", "-n", "auto", *argv[1:]], cwd=ROOT,
                              env=env).returncode
    status = 0
    for cmd in (["brief", *argv[1:]], ["batch", str(ROOT / "configs" / "default.yaml")]):
        print(f"tasks.py: forecast {' '.join(cmd)}", flush=True)
        status = subprocess.run([str(PY), "-m", "forecast", *cmd], cwd=ROOT, env=env).returncode or status
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
