"""Stage 4, simulate: paths to the deadline and what follows from them.

:mod:`.engine` draws the paths of many units at once (:func:`~forecast.simulate.engine.simulate_many`,
:func:`~forecast.simulate.engine.simulate_target`); :mod:`.summary` holds the
month grid and the summaries (p of reaching, quantiles); :mod:`.part_year`
conditions a partly reported year on its count; :mod:`.reach` finds when
the target is reached; :mod:`.scenarios` the analyst's scenarios;
:mod:`.requirements` what attainment and pipeline it would take;
:mod:`.rollup` parents from their children's paths.

May import: the base modules, :mod:`forecast.data`, :mod:`forecast.audit`,
:mod:`forecast.models`.
"""
