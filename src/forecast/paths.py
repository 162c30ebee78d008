"""Every path the package uses by default, in one place."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent.parent
"""The checkout (src layout). Only meaningful for an editable install."""

DATA_DIR = Path(os.environ.get("FORECAST_DATA", REPO_DIR / "data"))
"""The shipped dataset; ``--data`` on every command chooses another."""
REPORTS_DIR = Path(os.environ.get("FORECAST_REPORTS", REPO_DIR / "reports"))
NOTEBOOKS_DIR = REPO_DIR / "notebooks"
BATCH_CONFIGS_DIR = REPO_DIR / "configs"
STYLE_FILE = PACKAGE_DIR / "figures" / "forecast.mplstyle"
