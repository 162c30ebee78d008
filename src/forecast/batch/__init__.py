"""Batch: notebooks × units × scenarios → executed notebooks, JSON results, a manifest.

The batch knows nothing about forecasting: it reads a config
(:mod:`.config`), a notebook's ``parameters`` cell (:mod:`.params`), runs
kernels (:mod:`.kernels`) in a process pool or on Dask (:mod:`.pool`), and
collects each run's JSON results (:mod:`.results`); :mod:`.run` ties them
together (:func:`~forecast.batch.run.run_batch`). The units table it needs
for per-unit runs is passed in by the caller.

May import: the base modules of :mod:`forecast` only.
"""
