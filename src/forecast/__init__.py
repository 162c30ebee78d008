"""forecast: will each unit reach the admission target of its term?

The package is cut by stage, one direction, each stage importing only those
below it (``tests/test_layers.py`` checks it)::

    base modules   errors, paths, config (assumptions), labels, atomic,
                   jsonio, records, manifest
    data/          read and validate the dataset
    audit/         implied targets, rounding, contradictions
    models/        progress arithmetic, exposure, profile, the models
    simulate/      paths to the deadline, reach, requirements, roll-up
    outlook/       the one table with fixed columns
    evaluate/      backtest and scores      figures/   charts
    brief/         the document
    batch/         notebooks × units × scenarios (knows nothing of forecasting)
    notebooks/     what the notebooks call
    cli/           ``forecast COMMAND``

Public entry points (what the notebooks, the docs and the command line use):

- ``forecast.data.dataset.load(paths)`` → :class:`~forecast.data.dataset.Dataset`
- ``forecast.audit.run.audit(dataset)`` → findings table
- ``forecast.models.progress.progress_table(dataset, as_of)``
- ``forecast.outlook.table.outlook(dataset, as_of, model, ...)`` → :class:`~forecast.outlook.table.Outlook`
- ``forecast.evaluate.backtest.backtest(dataset, ...)``, ``simulation_study(...)``
- ``forecast.figures`` (every chart) and ``forecast.figures.export.save_figure``
- ``forecast.brief.build.build_brief(dataset, out, ...)``
- ``forecast.batch.run.run_batch(config, units=...)``
- ``forecast.notebooks.run.run_notebook(path, ...)``, ``forecast.notebooks.api``
- ``forecast.cli.main`` (``python -m forecast``)
"""

__version__ = "0.1.0"
