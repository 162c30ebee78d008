"""Stage 1, data: read, validate and hold the dataset.

Owns the one description of the input tables (:mod:`.schema`), the readers of
CSV folders and Excel workbooks (:mod:`.readers`), Vietnamese numbers and
dates (:mod:`.numbers`), validation with errors that name file, row and column
(:mod:`.validate`), the :class:`~forecast.data.dataset.Dataset` itself
(:mod:`.dataset`), unit lineage and the histories it carries
(:mod:`.lineage`), the terms of the data (:mod:`.terms`) and the empty
workbook for analysts (:mod:`.template`).

May import: the base modules of :mod:`forecast` only (errors, paths, config,
labels, ...). Everything else builds on this stage.
"""
