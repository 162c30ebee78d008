"""What every forecast model shares: the unit's counts, its exposure, the random streams.

A unit reports admissions as whole years, part-years ("first six months"),
multi-year spans ("since the term began") and ranges ("10-12"). Every model
here sees them the same way: each count is a sum over calendar years of
``weight[t] × (admissions of year t)``, the weight being the profile's share
of year ``t`` the period covers (1 for a whole year, ``share_by(30 June)``
for a first half). Nothing is split or scaled up; the models put their
likelihood on the reported sum.

The *exposure* ``E[t]`` (:mod:`forecast.models.exposure`) says how many
admissions a unit is expected to make in year ``t`` before its own record is
known, so that units of very different size can be pooled as *attainment*
``count / E``.

Models are looked up by name in :data:`MODELS` and fitted with :func:`fit`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from forecast.config import Assumptions
from forecast.errors import ConfigError, ModelError
from forecast.models.counts import UnitData, prepare
from forecast.models.draws import kept, nb_noise
from forecast.models.push import Push, estimate_push

from forecast.models.exposure import (  # noqa: F401  (re-exported: models.Exposure ... stay importable)
    EXPOSURE_KINDS, Exposure, share_between, unit_exposure, year_weights,
)

# --- the within-year profile -------------------------------------------------------
def profile_for(dataset, assumptions: Assumptions,
                as_of: pd.Timestamp | None = None) -> tuple[float, ...]:
    """The within-year profile (the analyst's, else estimated from the dataset).

    ``as_of`` limits the estimate to figures whose period ended by then: a
    backtest at an origin must not learn the profile from later part-year
    figures.
    """
    from forecast.models.profile_estimate import within_year_profile

    return tuple(within_year_profile(dataset, assumptions, as_of=as_of))


def profile_parts(dataset, assumptions: Assumptions, as_of: pd.Timestamp | None = None):
    """``(profile, concentration, spread)`` from one estimate of the within-year profile.

    The profile as :func:`profile_for` gives it; ``concentration``, the Beta
    concentration ``kappa`` of a unit's share at a cut-off around it, and
    ``spread`` (:class:`forecast.models.share.ShareSpread`: ``kappa``, the
    front-loaded weight, the exponent's error), the estimate's
    (:func:`forecast.models.profile_estimate.estimate_profile`) when the
    profile is estimated, the defaults when the analyst gives it. The
    simulation draws each unit-year's share reached by a part-year report from
    them (:mod:`forecast.simulate.part_year`).
    """
    from forecast.models.profile import DEFAULT_CONCENTRATION
    from forecast.models.profile_estimate import estimate_profile, share_spread

    if assumptions.within_year_profile is not None:
        return (tuple(assumptions.within_year_profile), float(DEFAULT_CONCENTRATION),
                share_spread(dataset, assumptions, as_of))
    est = estimate_profile(dataset, assumptions, as_of=as_of)
    return tuple(est.shares), float(est.concentration), est.spread


# --- random streams -----------------------------------------------------------------
def unit_key(unit_id: str) -> int:
    """A stable integer for a unit id (not Python's salted ``hash``)."""
    return int.from_bytes(hashlib.sha256(unit_id.encode("utf-8")).digest()[:8], "little")


@dataclass(frozen=True)
class Streams:
    """Seeded random streams, each keyed so that results do not move when units are added.

    ``shared(year)`` is the standard-normal year shock of every path (the same
    for every unit: path ``i`` of all units lives in the same world);
    ``unit(unit_id, *key)`` is a generator for one unit and purpose, derived
    with ``SeedSequence(seed, spawn_key=(2, sha256(unit_id), *key))``.
    Shared draws are computed once per ``Streams`` object and reused by
    every unit (the batched simulation asks for them thousands of times).
    """

    seed: int
    n_paths: int
    _cache: dict = field(default_factory=dict, compare=False, repr=False, hash=False)

    def shared(self, *key: int) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(1, *key)))

    def year_shock(self, year: int) -> np.ndarray:
        key = ("shock", int(year))
        if key not in self._cache:
            z = self.shared(0, int(year)).standard_normal(self.n_paths)
            z.flags.writeable = False
            self._cache[key] = z
        return self._cache[key]

    def year_factor(self, year: int, sd: float) -> np.ndarray:
        """``exp(sd · z - sd²/2)`` of the year's shared shock, float32 (mean 1)."""
        key = ("factor", int(year), float(sd))
        if key not in self._cache:
            f = np.exp(sd * self.year_shock(year) - sd * sd / 2).astype(np.float32)
            f.flags.writeable = False
            self._cache[key] = f
        return self._cache[key]

    def shared_normal(self, *key: int) -> np.ndarray:
        """The ``n_paths`` standard normals of ``shared(*key)`` (cached, read-only)."""
        ck = ("normal", *key)
        if ck not in self._cache:
            z = self.shared(*key).standard_normal(self.n_paths)
            z.flags.writeable = False
            self._cache[ck] = z
        return self._cache[ck]

    def unit(self, unit_id: str, *key: int) -> np.random.Generator:
        return np.random.default_rng(
            np.random.SeedSequence(self.seed, spawn_key=(2, unit_key(unit_id), *key)))


# --- fitted models ------------------------------------------------------------------
@dataclass
class FittedModel:
    """A model fitted to every unit of a dataset; draws yearly admissions.

    Attributes
    ----------
    name : str
    data : dict
        ``unit_id`` → :class:`UnitData`.
    alpha : float
        Negative-binomial dispersion of a year's count around its mean
        (variance ``m + alpha m²``), used for attainment overrides.
    year_sd : float
        Standard deviation of the shared log year shock.
    diagnostics : dict
        ``unit_id`` → short text (warnings, refusals, prior-only).
    profile : tuple of float
    """

    name: str
    data: dict
    alpha: float = 0.02
    year_sd: float = 0.1
    diagnostics: dict = field(default_factory=dict)
    profile: tuple = ()
    concentration: float = 30.0
    refused: dict = field(default_factory=dict)
    """``unit_id`` → the ModelError saying why the model cannot forecast it."""
    share_spread: object = None
    """A unit's share at a cut-off (``forecast.models.share.ShareSpread``); None: the defaults."""
    push: Push = field(default_factory=Push)
    """The final push applied to the model's simulated totals (:mod:`forecast.models.push`)."""
    part_year_update = False
    """Class flag: the simulation draws the rest of a partly reported year
    consistent with the part-year count (:mod:`forecast.simulate.part_year`)."""

    def refuse(self, unit_id: str, exc: ModelError) -> None:
        """Record that the model cannot forecast a unit (raised again by :meth:`check_unit`)."""
        self.refused[unit_id] = exc
        self.note(unit_id, str(exc))

    def check_unit(self, unit_id: str, known) -> None:
        """Raise the unit's refusal, or a plain ModelError if ``known`` lacks it."""
        if unit_id in self.refused:
            raise self.refused[unit_id]
        if unit_id not in known:
            raise ModelError(self.diagnostics.get(unit_id, f"unit {unit_id!r}: no data"))

    def unit_alpha(self, unit_id: str) -> float:
        """The unit's negative-binomial dispersion (one for all units unless a model has its own)."""
        return float(self.alpha)

    def note(self, unit_id: str, text: str) -> None:
        old = self.diagnostics.get(unit_id, "")
        if text and text not in old:
            self.diagnostics[unit_id] = f"{old}; {text}" if old else text

    def exposure(self, unit_id: str, years) -> np.ndarray:
        return self.data[unit_id].exposure.over(years)

    def yearly_means(self, unit_id: str, years: list[int], streams: Streams) -> np.ndarray:
        """Mean admissions per path and year before shocks, shape (n_paths, n_years)."""
        raise NotImplementedError

    def means_batch(self, unit_ids: list[str], years: list[int],
                    streams: Streams) -> np.ndarray:
        """``yearly_means`` of several units, shape ``(units, n_paths or 1, years)``."""
        return np.stack([np.asarray(self.yearly_means(u, years, streams), dtype=np.float32)
                         for u in unit_ids])

    def draw_years_batch(self, unit_ids: list[str], years: list[int], streams: Streams,
                         attainment=None, noise_cache: dict | None = None) -> np.ndarray:
        """Simulated whole-year admissions of several units, ``(units, n_paths, years)``.

        float32 (whole numbers, exact below 2**24). Each unit draws from its
        own streams, so its numbers do not depend on the other units.

        Parameters
        ----------
        attainment : array-like, optional
            ``(units, years)`` (or broadcastable): each future year's mean is
            ``attainment × E[t]`` instead of the model's (scenarios and the
            inverse search). The model's noise (shared year shock and NB
            dispersion) is kept.
        noise_cache : dict, optional
            See :meth:`noise_batch`.
        """
        years = [int(y) for y in years]
        if attainment is None:
            means = self.means_batch(unit_ids, years, streams)
        else:
            att = np.broadcast_to(np.asarray(attainment, dtype=float),
                                  (len(unit_ids), len(years)))
            e = np.stack([self.exposure(u, years) for u in unit_ids]) if unit_ids else \
                np.zeros((0, len(years)))
            means = (att * e)[:, None, :].astype(np.float32)
        return self.noise_batch(unit_ids, years, means, streams, noise_cache)

    def draw_years(self, unit_id: str, years: list[int], streams: Streams,
                   attainment=None) -> np.ndarray:
        """Simulated whole-year admissions, shape ``(n_paths, len(years))``.

        One unit of :meth:`draw_years_batch` (the same numbers as in any batch).

        Parameters
        ----------
        attainment : float or sequence, optional
            Override: each future year's mean is ``attainment × E[t]`` instead
            of the model's (scenarios and the inverse search use this). The
            model's noise (shared year shock and NB dispersion) is kept.
        """
        att = None if attainment is None else \
            np.broadcast_to(np.asarray(attainment, dtype=float), (len(years),))[None, :]
        return self.draw_years_batch([unit_id], years, streams, att)[0].astype(float)

    def noise(self, unit_id: str, years: list[int], means: np.ndarray,
              streams: Streams) -> np.ndarray:
        """Shared lognormal year shock, then NB2 (Poisson-gamma) noise, per year."""
        m = np.asarray(means, dtype=np.float32)[None, :, :]
        return self.noise_batch([unit_id], years, m, streams)[0].astype(float)

    def noise_batch(self, unit_ids: list[str], years: list[int], means: np.ndarray,
                    streams: Streams, noise_cache: dict | None = None) -> np.ndarray:
        """Year shock and NB2 noise on ``means`` (units × paths-or-1 × years), float32.

        The shock ``exp(s z_t - s²/2)`` is shared by every unit in year ``t``;
        the gamma-Poisson draw comes from the unit-year's own stream
        (:meth:`count_noise`, normal shortcut for large means).

        Parameters
        ----------
        noise_cache : dict, optional
            Keeps each unit's :meth:`count_noise` between calls (keyed by unit
            and years): a caller that draws the same units again at other
            means (the inverse search) then pays for the Poisson step only,
            and gets the numbers of a fresh call.
        """
        n = streams.n_paths
        out = np.empty((len(unit_ids), n, len(years)), dtype=np.float32)
        s = float(self.year_sd)
        for i, u in enumerate(unit_ids):
            parts = kept(noise_cache, (u, tuple(int(y) for y in years)),
                         lambda u=u: self.count_noise(u, years, streams))
            for j, y in enumerate(years):
                m = np.broadcast_to(means[i, :, j], (n,)).astype(np.float32, copy=False)
                if s > 0:
                    m = m * streams.year_factor(y, s)
                out[i, :, j] = parts[j].counts(m)
        return out

    def count_noise(self, unit_id: str, years: list[int], streams: Streams) -> list:
        """Per year, the unit's :class:`~forecast.models.draws.CountNoise`:
        NB2 with dispersion ``alpha`` from the unit-year's stream ``(unit, 1, year)``."""
        return [nb_noise(streams.unit(unit_id, 1, int(y)), streams.n_paths, float(self.alpha))
                for y in years]


MODELS: dict[str, Callable[..., FittedModel]] = {}
"""Model name → fitting function ``f(data, profile, **options) -> FittedModel``."""

DEFAULT_MODEL = "hier_nb"
"""The model every command uses unless told otherwise (:mod:`forecast.models.hier`)."""


def register(name: str):
    def deco(func):
        MODELS[name] = func
        return func
    return deco


def fit(dataset, model: str = DEFAULT_MODEL, as_of: pd.Timestamp | None = None,
        assumptions: Assumptions | None = None, units: list[str] | None = None,
        **options) -> FittedModel:
    """Fit a model by name to every unit's data up to ``as_of``.

    Parameters
    ----------
    dataset : Dataset
    model : str
        One of :data:`MODELS` (``hier_nb``, the default; ``pooled_nb``,
        ``ets``, ``local_level``, ``last_year``, ``mean_attainment``).
    as_of : Timestamp, optional
    assumptions : Assumptions, optional
    units : list of str, optional
        Fit only these units (the pooled model then pools only over them).
    **options
        Passed to the model's fitting function.
    """
    if model not in MODELS:
        raise ConfigError(f"model {model!r} is not known; expected one of "
                          f"{', '.join(sorted(MODELS))}. Fix: pass --model with one of them.")
    assumptions = assumptions or Assumptions()
    profile, concentration, spread = profile_parts(dataset, assumptions, as_of)
    data = prepare(dataset, as_of, profile, units)
    func = MODELS[model]
    if getattr(func, "takes_context", False):
        # Models that weigh part-year counts by the share's uncertainty and
        # centre their level on the first year forecast.
        origin = as_of if as_of is not None else None
        options = {"concentration": concentration, "origin": origin, **options}
    fitted = func(data, profile, **options)
    fitted.profile = profile
    fitted.concentration = concentration
    fitted.share_spread = spread
    fitted.push = estimate_push(dataset, as_of, assumptions.push_band, assumptions.push_share)
    return fitted


def require_full_years(ud: UnitData, minimum: int, model: str) -> pd.Series:
    """The unit's whole-year counts, or ModelError if there are fewer than ``minimum``."""
    full = ud.full_years()
    if len(full) < minimum:
        raise ModelError(
            f"unit {ud.unit_id!r}: model {model!r} needs at least {minimum} whole-year "
            f"counts, found {len(full)}"
            + (f" ({', '.join(str(y) for y in full.index)})" if len(full) else "")
            + f". Fix: use the default model ({DEFAULT_MODEL}), which borrows strength "
            "from other units, or add yearly figures.",
            why={"en": f"Model {model} needs at least {minimum} whole years of the unit's own "
                       f"counts and the data have {len(full)}; the default model "
                       f"({DEFAULT_MODEL}) also learns from other units and answers.",
                 "vi": f"Mô hình {model} cần ít nhất {minimum} năm trọn số kết nạp của chính "
                       f"đơn vị, số liệu mới có {len(full)}; mô hình mặc định ({DEFAULT_MODEL}) "
                       "học thêm từ các đơn vị khác nên vẫn dự báo được."})
    return full
