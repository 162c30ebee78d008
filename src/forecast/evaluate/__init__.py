"""Stage 6, evaluate: how good the forecasts are.

:mod:`.backtest` reruns the outlook at past as-of dates and scores it,
at the origins and on the outcomes of :mod:`.origins`;
:mod:`.real` is the real-data backtest (every origin the published figures
allow, scored per cell), written out by :mod:`.real_report`; :mod:`.cells`
assigns cases to cells (target kind × horizon × record length);
:mod:`.scores` holds the scores (Brier, log score, interval coverage,
reliability, bootstrap) and :mod:`.quantiles` those computed from a
forecast's quantiles (CRPS, PIT); :mod:`.synthetic` generates the synthetic
world of the simulation study; :mod:`.sensitivity` reruns the outlook under
each assumption's alternatives.

May import: every stage up to :mod:`forecast.outlook`; not figures or brief.
"""
