"""Stage 5, outlook: the one table with fixed columns that everything downstream reads.

:func:`~forecast.outlook.table.outlook` fits a model, simulates every target
and returns an :class:`~forecast.outlook.table.Outlook`; :mod:`.rollup` adds
the rows of parents from their children's paths.

May import: every stage below (data, audit, models, simulate).
"""
