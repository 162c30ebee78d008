"""Baselines every model must beat: last year repeated, mean attainment.

Both use Poisson noise only (no shared year shock, no over-dispersion): they
are the naive forecasts an analyst would write down, and the backtest scores
them beside the models. The third baseline, the pace label, is in
:mod:`forecast.models.progress`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from forecast.errors import ModelError
from forecast.models.base import DEFAULT_MODEL, FittedModel, Streams, register, require_full_years


@dataclass
class LastYear(FittedModel):
    """Each future year repeats the last whole-year count (Poisson around it)."""

    level: dict = field(default_factory=dict)

    def yearly_means(self, unit_id, years, streams: Streams) -> np.ndarray:
        self.check_unit(unit_id, self.level)
        return np.full((streams.n_paths, len(years)), self.level[unit_id])


@register("last_year")
def fit_last_year(data, profile, **options) -> LastYear:
    """Last whole year's count of every unit that has one."""
    model = LastYear("last_year", data, alpha=0.0, year_sd=0.0)
    for u, ud in data.items():
        try:
            full = require_full_years(ud, 1, "last_year")
        except ModelError as exc:
            model.refuse(u, exc)
            continue
        model.level[u] = float(full.iloc[-1])
    return model


@dataclass
class MeanAttainment(FittedModel):
    """Future years at the unit's mean attainment times their exposure."""

    attainment: dict = field(default_factory=dict)

    def yearly_means(self, unit_id, years, streams: Streams) -> np.ndarray:
        self.check_unit(unit_id, self.attainment)
        e = self.exposure(unit_id, years)
        return np.broadcast_to(self.attainment[unit_id] * e, (streams.n_paths, len(years)))


def observed_attainment(ud) -> float:
    """Ratio estimate ``sum(count) / sum(weight × E)`` over the unit's reports."""
    num = den = 0.0
    for r in ud.counts.itertuples(index=False):
        num += r.value
        den += sum(w * ud.exposure.at(y) for y, w in r.weights.items())
    return num / den if den > 0 else float("nan")


@register("mean_attainment")
def fit_mean_attainment(data, profile, **options) -> MeanAttainment:
    """Mean attainment of every unit with a target and at least one count."""
    model = MeanAttainment("mean_attainment", data, alpha=0.0, year_sd=0.0)
    for u, ud in data.items():
        if ud.exposure.kind == "own_level":
            model.refuse(u, ModelError(
                f"unit {u!r}: mean_attainment needs a target to measure attainment against; "
                "none found. Fix: add the unit's target.",
                why={"en": "Model mean_attainment needs a target to measure the unit's "
                           "attainment against, and the data have none.",
                     "vi": "Mô hình mean_attainment cần chỉ tiêu để tính tỷ lệ đạt, "
                           "số liệu chưa có chỉ tiêu của đơn vị."}))
            continue
        if ud.n_obs == 0:
            model.refuse(u, ModelError(
                f"unit {u!r}: mean_attainment needs at least one admitted count; none up to "
                "the as-of date.",
                why={"en": "Model mean_attainment repeats the unit's own attainment and the "
                           f"unit has no count yet; the default model ({DEFAULT_MODEL}) "
                           "answers from other units.",
                     "vi": "Mô hình mean_attainment lặp lại tỷ lệ đạt của chính đơn vị, đơn vị "
                           f"chưa có số kết nạp; mô hình mặc định ({DEFAULT_MODEL}) dự báo "
                           "theo các đơn vị khác."}))
            continue
        model.attainment[u] = observed_attainment(ud)
    return model
