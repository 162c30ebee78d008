"""Publication-ready charts (the public entry point).

Each function returns a :class:`Chart` (``figure``, ``alt_text``, ``title``);
save it with :func:`forecast.export.save_figure`. Every chart has a title
stating the finding (computed from the data), a subtitle with measure, unit
and period, a source line passed in by the caller from
``Dataset.source_line(...)`` and alt text, in Vietnamese or English
(``lang``). See ``docs/figures.md`` for sizes, palette and use in Word/LaTeX.

The charts live in small modules by subject:

* :mod:`forecast.figures_progress` -- progress to target, small multiples;
* :mod:`forecast.figures_portfolio` -- portfolio ranking, pace dumbbell;
* :mod:`forecast.figures_unit` -- yearly admissions, part-year nowcast,
  what it would take (pipeline).
"""

from __future__ import annotations

from .export import save_figure
from .figures_base import Chart, frame_texts, select_rows
from .figures_portfolio import pace_dumbbell, portfolio
from .figures_progress import progress_to_target, small_multiples
from .figures_unit import part_year_nowcast, pipeline, yearly_admissions

__all__ = [
    "Chart",
    "frame_texts",
    "pace_dumbbell",
    "part_year_nowcast",
    "pipeline",
    "portfolio",
    "progress_to_target",
    "save_figure",
    "select_rows",
    "small_multiples",
    "yearly_admissions",
]
