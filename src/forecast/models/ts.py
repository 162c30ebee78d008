"""Time-series models from statsmodels for units with a long enough yearly record.

``ets``: simple exponential smoothing with multiplicative errors
(``ETSModel(error="mul")``; additive when a year has no admission), on the
longest run of consecutive whole years ending with the last one.
``local_level``: ``UnobservedComponents(level="llevel")`` on log counts; a
missing year inside the record is a NaN the Kalman filter steps over.

Both need :data:`MIN_YEARS` whole-year counts: with three points a level and
two variances cannot be told apart, and the fit would be noise presented as a
forecast. Paths come from the fitted model's own simulation (parameter
uncertainty is not included: these models are a check on the pooled one,
not a replacement); units are independent of each other (no shared year
shock). Fits are made lazily, the first time a unit is simulated, and
statsmodels' warnings are kept in the unit's diagnostics.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.errors import ModelError
from forecast.models.base import FittedModel, Streams, register, require_full_years

MIN_YEARS = 4
"""Fewest whole-year counts the time-series models accept."""


@dataclass
class TimeSeriesModel(FittedModel):
    """Lazily fitted statsmodels model per unit."""

    kind: str = "ets"
    results: dict = field(default_factory=dict)
    thread_safe = False  # warnings.catch_warnings is process-wide

    def _fit(self, unit_id):
        if unit_id in self.results:
            return self.results[unit_id]
        full = require_full_years(self.data[unit_id], MIN_YEARS, self.name)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                res = self._fit_series(full)
            except Exception as exc:  # statsmodels raises many kinds on degenerate data
                raise ModelError(f"unit {unit_id!r}: {self.name} fit failed ({exc}). "
                                 "Fix: use --model pooled_nb.") from exc
        msgs = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
        for m in msgs:
            self.note(unit_id, f"{self.name}: {m}")
        self.results[unit_id] = res
        return res

    def _fit_series(self, full: pd.Series):
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel
        from statsmodels.tsa.statespace.structural import UnobservedComponents

        years = np.arange(full.index.min(), full.index.max() + 1)
        y = full.reindex(years)
        if self.kind == "ets":
            # ETS cannot step over a gap: the last run of consecutive years.
            gaps = np.flatnonzero(y.isna().to_numpy())
            run = y.iloc[gaps[-1] + 1:] if len(gaps) else y
            if len(run) < MIN_YEARS:
                raise ModelError(
                    f"{self.name} needs {MIN_YEARS} consecutive whole years; the last run "
                    f"has {len(run)} ({run.index.min()}-{run.index.max()}). Fix: use "
                    "--model local_level, which steps over missing years.",
                    why={"en": f"Model {self.name} needs {MIN_YEARS} consecutive whole years "
                               f"of counts; the unit's last run has {len(run)}.",
                         "vi": f"Mô hình {self.name} cần {MIN_YEARS} năm trọn liên tiếp; chuỗi "
                               f"gần nhất của đơn vị chỉ có {len(run)} năm."})
            error = "mul" if (run > 0).all() else "add"
            res = ETSModel(run.to_numpy(dtype=float), error=error, trend=None).fit(disp=False)
            return ("ets", res, int(run.index.max()))
        logy = np.log(np.maximum(y.to_numpy(dtype=float), 0.5))
        res = UnobservedComponents(logy, level="llevel").fit(disp=False)
        return ("ll", res, int(years.max()))

    def draw_years_batch(self, unit_ids, years, streams: Streams, attainment=None,
                         noise_cache=None):
        # statsmodels simulates one unit at a time; the attainment override
        # (scenarios) goes through the shared batched noise instead.
        if attainment is not None:
            return super().draw_years_batch(unit_ids, years, streams, attainment, noise_cache)
        return np.stack([self.draw_years(u, years, streams).astype(np.float32)
                         for u in unit_ids])

    def draw_years(self, unit_id, years, streams: Streams, attainment=None) -> np.ndarray:
        if attainment is not None:
            return super().draw_years(unit_id, years, streams, attainment)
        kind, res, last = self._fit(unit_id)
        h = max(int(max(years)) - last, 1)
        rng = streams.unit(unit_id, 2)
        sim = np.asarray(res.simulate(h, repetitions=streams.n_paths, anchor="end",
                                      rng=rng), dtype=float)
        sim = sim.reshape(h, streams.n_paths).T
        level = np.maximum(sim, 0.0) if kind == "ets" else np.exp(sim)
        cols = np.clip(np.asarray(years, dtype=int) - last - 1, 0, h - 1)
        return rng.poisson(level[:, cols])


@register("ets")
def fit_ets(data, profile, **options) -> TimeSeriesModel:
    """ETS (simple exponential smoothing) per unit, fitted on first use."""
    return TimeSeriesModel("ets", data, alpha=0.02, year_sd=0.0, kind="ets")


@register("local_level")
def fit_local_level(data, profile, **options) -> TimeSeriesModel:
    """Local level model on log counts per unit, fitted on first use."""
    return TimeSeriesModel("local_level", data, alpha=0.02, year_sd=0.0, kind="local_level")
