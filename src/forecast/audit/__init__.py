"""Stage 2, audit: implied targets, rounding and contradictions in the dataset.

:mod:`.run` makes the findings table (:func:`~forecast.audit.run.audit`);
:mod:`.percent` holds the rounding and truncation rules, :mod:`.counts` and
:mod:`.pairs` the checks on counts and on pairs of figures, :mod:`.findings`
the finding records.

May import: the base modules and :mod:`forecast.data`.
"""
