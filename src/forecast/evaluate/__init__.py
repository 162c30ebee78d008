"""Stage 6, evaluate: how good the forecasts are.

:mod:`.backtest` reruns the outlook at past as-of dates and scores it;
:mod:`.scores` holds the scores (Brier, log score, interval coverage,
reliability); :mod:`.synthetic` generates the synthetic world of the
simulation study.

May import: every stage up to :mod:`forecast.outlook`; not figures or brief.
"""
