"""Notebooks: what the parameterized notebooks call.

:mod:`.api` is the thin layer the notebooks in ``notebooks/`` use (start a
run, tables for display, finish with a JSON result); :mod:`.run` runs one
notebook through papermill (:func:`~forecast.notebooks.run.run_notebook`) and
reads the units table for batches (:func:`~forecast.notebooks.run.units_table`).

May import: every stage and :mod:`forecast.batch`; only :mod:`forecast.cli` is above.
"""
