"""Stage 3, models: progress arithmetic, exposure, the within-year profile and the forecast models.

:mod:`.progress` (cumulative, remaining, required against observed pace),
:mod:`.exposure` (what a unit is expected to admit before its record is
known), :mod:`.profile` and :mod:`.profile_estimate` (the within-year
profile), :mod:`.nowcast` (a year's total from a part-year count),
:mod:`.draws` (random-draw kernels), :mod:`.base` (the unit data, fitted
model, random streams and the registry :data:`~forecast.models.base.MODELS`),
and the models, which register themselves: :mod:`.hier` (the default),
:mod:`.pooled`, :mod:`.ts`, :mod:`.baselines`.

Importing this package fills the registry; :mod:`.base` imports none of the
models (no import circle).

May import: the base modules, :mod:`forecast.data`, :mod:`forecast.audit`.
"""

from forecast.models import baselines, hier, pooled, ts  # noqa: F401  (each registers its models)
