"""What the benchmarks' data generators share: Vietnamese number formats and the CSV writer.

Imported by ``bench_audit.py`` and ``bench_outlook.py`` (run as scripts from
the checkout, so this folder is on ``sys.path``).
"""

from __future__ import annotations

import csv
from pathlib import Path

COLUMNS = {
    "units": ["unit_id", "name_vi", "name_en", "level", "parent_id", "province", "note"],
    "sources": ["source_id", "title", "outlet", "url", "published", "file", "language", "note"],
    "targets": ["target_id", "unit_id", "term", "kind", "year", "layer", "measure", "value",
                "source_id", "locator", "note"],
    "observations": ["obs_id", "unit_id", "measure", "subgroup", "value", "period_start",
                     "period_end", "ref", "source_id", "locator", "note"],
}
"""Columns written for each table, in the documented input format (``data/README.md``)."""


def vi_count(x: float) -> str:
    """A count as a Vietnamese report prints it: ``1.252``."""
    return f"{int(round(x)):,}".replace(",", ".")


def vi_pct(x: float) -> str:
    return f"{x:.1f}".replace(".", ",") + "%"


def write_tables(folder: Path, source_id: str, outlet: str, units, targets, obs) -> None:
    """Write the four tables as ``<table>.csv`` in ``folder`` (one synthetic source row)."""
    rows = {"units": units, "targets": targets, "observations": obs,
            "sources": [[source_id, "Synthetic figures", outlet, "", "2025", "", "en", ""]]}
    for name, header in COLUMNS.items():
        with open(Path(folder) / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows[name])
