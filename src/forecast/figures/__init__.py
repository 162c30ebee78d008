"""Publication-ready charts (the public entry point).

Each function returns a :class:`Chart` (``figure``, ``alt_text``, ``title``);
save it with :func:`forecast.figures.export.save_figure`. Every chart has a title
stating the finding (computed from the data), a subtitle with measure, unit
and period, a source line passed in by the caller from
``Dataset.source_line(...)`` and alt text, in Vietnamese or English
(``lang``). See ``docs/figures.md`` for sizes, palette and use in Word/LaTeX.

The charts live in small modules by subject:

* :mod:`forecast.figures.progress` -- progress to target, small multiples;
* :mod:`forecast.figures.portfolio` -- portfolio ranking, pace dumbbell;
* :mod:`forecast.figures.unit` -- yearly admissions, part-year nowcast,
  what it would take (pipeline).

:mod:`.base` holds what charts share, :mod:`.style` the one style
(``forecast.mplstyle``, named sizes), :mod:`.export` writes PNG, SVG and PDF.

Stage 6 beside :mod:`forecast.evaluate`. May import: every stage up to
:mod:`forecast.outlook` (charts read the outlook table, never a model's
internals); not evaluate or brief.
"""

from __future__ import annotations

from forecast.figures.export import save_figure
from forecast.figures.base import select_rows
from forecast.figures.frame import Chart, frame_texts
from forecast.figures.portfolio import pace_dumbbell, portfolio
from forecast.figures.multiples import small_multiples
from forecast.figures.progress import progress_to_target
from forecast.figures.unit import part_year_nowcast, pipeline, yearly_admissions

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
