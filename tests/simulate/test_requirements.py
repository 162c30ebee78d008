"""Tests of forecast.simulate.requirements: inverse search, conversion rates, pipeline."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special, stats

from forecast.config import Assumptions
from forecast.data.dataset import Dataset
from forecast.errors import ConfigError, ModelError
from forecast.simulate.funnel import Conversion, conversion_rates, pipeline
from forecast.simulate.requirements import (
    REQUIREMENT_COLUMNS,
    required_attainment,
    what_it_would_take,
)


def _poisson_p_reach(remaining, base, years):
    """Closed form: total over ``years`` ~ Poisson(att * base * years);
    P(total >= R) = P(R, lambda), the regularized lower incomplete gamma."""
    return lambda att: 1.0 if remaining <= 0 else (
        0.0 if att <= 0 else float(special.gammainc(remaining, att * base * years)))


def test_bisection_matches_the_poisson_closed_form():
    # R = 100 still to admit over 2 years with an annual target of 50. The
    # smallest lambda with P(Poisson(lambda) >= 100) >= 0.8 is
    # gammaincinv(100, 0.8) (scipy, independent of our code); roughly
    # 100 + 0.84 * 10 - 0.5 = 108; attainment = lambda / (50 * 2).
    lam = special.gammaincinv(100, 0.8)
    assert 107 < lam < 109
    req = required_attainment(_poisson_p_reach(100, 50, 2), 0.8, tol=1e-5)
    assert req.status == "found"
    assert req.attainment == pytest.approx(lam / 100, abs=2e-5)
    assert req.p_reach >= 0.8


def test_bisection_with_a_seeded_monte_carlo_simulation():
    # Same case by simulation with common random numbers (uniforms reused,
    # inverted through the Poisson cdf so p_reach is monotone in attainment).
    u = np.random.default_rng(0).random(20_000)

    def sim(att):
        totals = stats.poisson.ppf(u, max(att, 1e-12) * 100)
        return float(np.mean(totals >= 100))

    req = required_attainment(sim, 0.8)
    # Monte Carlo error of a probability of 0.8 with 20,000 paths: sd 0.0028,
    # i.e. about 0.0028 / pdf at the 80 % point of the attainment: ~0.01.
    assert req.attainment == pytest.approx(special.gammaincinv(100, 0.8) / 100, abs=0.01)


def _bisection(p, level=0.8, upper=5.0, tol=1e-3):
    """Plain bisection, written out independently: the smallest grid point found."""
    lo, hi, p_hi = 0.0, upper, p(upper)
    while hi - lo > tol:
        mid = (lo + hi) / 2
        if p(mid) >= level:
            hi, p_hi = mid, p(mid)
        else:
            lo = mid
    return hi, p_hi


def test_interpolating_search_lands_where_bisection_does_in_fewer_steps():
    # For a monotone p the answer is the smallest point of bisection's grid
    # (5 / 2**13) with p >= 0.8, whatever the order of the trials; the search
    # must find exactly that point, and in fewer simulations than bisection's
    # 15 (p at 0, p at 5, 13 halvings). Step functions like those of 10,000
    # simulated paths: a normal cdf floored to multiples of 1/10,000.
    rng = np.random.default_rng(3)
    steps = []
    for _ in range(300):
        mu = rng.uniform(0.3, 3.0)
        sd = rng.uniform(0.02, 0.6) * mu

        def p(x, mu=mu, sd=sd):
            return math.floor(stats.norm.cdf((x - mu) / sd) * 10_000) / 10_000

        req = required_attainment(p)
        assert (req.attainment, req.p_reach) == _bisection(p)
        steps.append(req.evaluations)
    assert np.mean(steps) < 10 and max(steps) <= 20


def test_search_survives_a_simulation_without_a_chance():
    # A simulation that answers NaN (no target to reach) must not stop the
    # search: no interpolation is possible, so it bisects to the top of the
    # range, as bisection alone did, and reports the NaN it saw.
    req = required_attainment(lambda a: float("nan"))
    assert req.status == "found" and req.attainment == 5.0 and math.isnan(req.p_reach)


def test_already_reached_and_unreachable():
    assert required_attainment(lambda a: 1.0).status == "reached"
    nm = required_attainment(lambda a: 0.9)
    assert nm.status == "no_more_needed" and nm.attainment == 0.0
    un = required_attainment(lambda a: 0.5 * min(a, 1.0), upper=5)
    assert un.status == "unreachable" and un.attainment is None and un.p_reach == 0.5
    with pytest.raises(ConfigError, match="p_level"):
        required_attainment(lambda a: 1.0, 1.0)


def test_pipeline_uses_the_seed_003_rates_by_default():
    # 110 admissions a year: 110 / 0.367 = 299.7 -> 300 introduced;
    # 110 / 0.571 = 192.6 -> 193 trained.
    conv = Conversion(Assumptions().conversion_introduced, Assumptions().conversion_trained)
    assert pipeline(110, conv) == (300.0, 193.0)
    assert all(math.isnan(x) for x in pipeline(math.nan, conv))
    with pytest.raises(ModelError, match="negative"):
        pipeline(-1, conv)


def test_what_it_would_take_fills_the_outlook_columns():
    conv = Conversion(0.367, 0.571)
    out = what_it_would_take(_poisson_p_reach(100, 50, 2), [40, 60], conv, 0.8, tol=1e-6)
    assert set(REQUIREMENT_COLUMNS) <= set(out)
    lam = special.gammaincinv(100, 0.8)
    # base = mean(40, 60) = 50 a year; count = attainment * 50 = lam / 2 = 54.0
    assert out["required_per_year_p"] == pytest.approx(lam / 2, abs=1e-3)
    assert out["introduced_needed"] == math.ceil(lam / 2 / 0.367)
    assert out["trained_needed"] == math.ceil(lam / 2 / 0.571)
    assert out["requirement_status"] == "found"
    unreach = what_it_would_take(lambda a: 0.0, 50, conv)
    assert math.isnan(unreach["required_attainment"]) and math.isnan(unreach["trained_needed"])
    with pytest.raises(ModelError, match="yearly base"):
        what_it_would_take(lambda a: 0.5, 0, conv)


UNITS = [{"unit_id": u, "name_vi": u, "level": "bloc"} for u in ("tq", "x")]
SOURCES = [{"source_id": "s", "title": "t"}]


def test_conversion_rates_from_reports_counts_and_defaults():
    # tq: 1.147 admitted of 1.270 trained over 2015-2020 (seed 001) -> 0.90315;
    # a reported conversion of introduced 30 % (Tuyên Quang youth union,
    # public figures) -> 0.30. x: nothing -> defaults 0.367 / 0.571.
    obs = [
        dict(obs_id="a", unit_id="tq", measure="admitted", value="1.147",
             period_start="2015-01-01", period_end="2020-06-30", source_id="s"),
        dict(obs_id="b", unit_id="tq", measure="trained", value="1.270",
             period_start="2015-01-01", period_end="2020-06-30", source_id="s"),
        dict(obs_id="c", unit_id="tq", measure="conversion_pct", value="30%", ref="introduced",
             period_start="2019-01-01", period_end="2022-05-31", source_id="s"),
    ]
    ds = Dataset.from_frames(units=UNITS, sources=SOURCES, observations=obs)
    conv = conversion_rates(ds, "tq")
    assert conv.trained == pytest.approx(1147 / 1270)
    assert conv.trained_from == "counts a/b"
    assert conv.introduced == pytest.approx(0.30)
    assert conv.introduced_from == "obs c"
    # Before the 2022 report only the counts are known.
    early = conversion_rates(ds, "tq", as_of="2021-12-31")
    assert early.introduced == pytest.approx(0.367) and early.introduced_from == "default (A5)"
    dflt = conversion_rates(ds, "x", Assumptions(conversion_trained=0.5))
    assert (dflt.introduced, dflt.trained) == (0.367, 0.5)


def test_requirement_through_the_engine_for_tien_giang(tiny_dataset):
    # Tiền Giang, as of 2022-12-31: 3,878 of 6,500 admitted, 2,622 to go over
    # 2023, 2024 and 1 Jan-30 Sep 2025 (profile share 0.668 of 2025). The
    # exposure is the term target spread over the term's profile-weighted
    # years. With no noise the attainment that exactly closes the gap is
    # 2622 / (E * (2 + 0.668)); the 80 % answer must be above it, and the
    # chance at the answer at least 0.8 while 0.01 less falls short.
    import pandas as pd

    from forecast.models import base as models, progress
    from forecast.models.base import Streams
    from forecast.simulate.requirements import requirement_for_target
    from forecast.simulate.engine import simulate_target

    ds = tiny_dataset
    fitted = models.fit(ds, "pooled_nb", as_of=pd.Timestamp("2022-12-31"))
    t = ds.targets.set_index("target_id").loc["tien-giang-term-2020-2025"]
    known = progress.admitted_spans(ds.observations, "tien-giang", t["start"], t["deadline"],
                                    pd.Timestamp("2022-12-31"))
    streams = Streams(7, 2000)
    out = requirement_for_target(fitted, "tien-giang", t["start"], t["deadline"], 6500, known,
                                 streams, Conversion(0.367, 0.571), 0.8)
    e = float(fitted.exposure("tien-giang", [2023])[0])
    exact = 2622 / (e * (2 + fitted.profile[8]))
    assert out["requirement_status"] == "found"
    assert out["required_attainment"] > exact
    assert out["required_per_year_p"] == pytest.approx(out["required_attainment"] * e)

    def p(att):
        return simulate_target(fitted, "tien-giang", t["start"], t["deadline"], 6500, known,
                               streams, attainment=att).p_reach

    assert p(out["required_attainment"]) >= 0.8 > p(out["required_attainment"] - 0.01)
