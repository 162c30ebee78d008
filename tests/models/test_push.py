"""The final push (forecast.models.push): its estimate from final results and its effect on paths."""

from __future__ import annotations

import dataclasses
import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from forecast.config import Assumptions
from forecast.data.dataset import Dataset
from forecast.errors import ConfigError
from forecast.models.push import Push, apply_push, estimate_push, final_results
from forecast.models.base import Streams, fit
from forecast.simulate.engine import simulate_target

SOURCE = [{"source_id": "s", "title": "test"}]


def _world(ratios, target=100, extra_obs=(), extra_targets=()):
    """One unit per ratio: a whole-year 2021 count of ratio * target over an annual target."""
    units, obs, targets = [], list(extra_obs), list(extra_targets)
    for i, r in enumerate(ratios):
        u = f"u{i}"
        units.append({"unit_id": u, "name_vi": u, "level": "district"})
        obs.append({"obs_id": f"{u}-2021", "unit_id": u, "measure": "admitted",
                    "value": str(round(r * target)), "period_start": "2021-01-01",
                    "period_end": "2021-12-31", "source_id": "s"})
        targets.append({"target_id": f"{u}-2021", "unit_id": u, "term": "2020-2025",
                        "kind": "annual", "year": "2021", "layer": "plan", "measure": "count",
                        "value": str(target), "source_id": "s"})
    return Dataset.from_frames(units=units, sources=SOURCE, targets=targets, observations=obs)


def test_estimate_by_hand():
    # Ratios 0.8, 1.0, 1.02, 1.05, 1.08, 1.3: band 0.1 -> A = 4 in [1, 1.1), B = 0 in [0.9, 1).
    ratios = [0.8, 1.0, 1.02, 1.05, 1.08, 1.3]
    got = estimate_push(_world(ratios), band=0.1)
    lr = [math.log(r) for r in ratios]
    m = sum(lr) / 6
    s = math.sqrt(sum((x - m) ** 2 for x in lr) / 5)
    nd = NormalDist(m, s)
    e_a = nd.cdf(math.log(1.1)) - nd.cdf(0.0)
    e_b = nd.cdf(0.0) - nd.cdf(math.log(0.9))
    expected = 1 - (0 + 0.5) / (4 + 0 + 1) * (e_a + e_b) / e_b
    assert (got.n_results, got.n_above, got.n_below) == (6, 4, 0)
    assert got.share == pytest.approx(min(max(expected, 0.0), 0.9), abs=1e-9)
    assert got.share > 0.3


def test_no_push_in_smooth_results_and_none_from_a_handful():
    # 600 log-normal results (median 1.1, sd 0.2), no pile-up at 100 %: the share stays small.
    rng = np.random.default_rng(3)
    smooth = estimate_push(_world(np.exp(rng.normal(np.log(1.1), 0.2, 600)), target=1000))
    assert smooth.n_results == 600 and smooth.share < 0.15
    assert estimate_push(_world([1.0, 1.01, 1.02, 1.03])).share == 0.0   # fewer than 5 results
    assert estimate_push(_world([1.0] * 8), share=0.0).share == 0.0       # turned off


def test_final_results_read_whole_year_and_term_reports_once():
    # A whole-year attainment report (no count) and a term result; a part-year report is not final.
    obs = [{"obs_id": "p1", "unit_id": "u0", "measure": "attainment_pct", "value": "103",
            "period_start": "2022-01-01", "period_end": "2022-12-31", "source_id": "s"},
           {"obs_id": "p2", "unit_id": "u0", "measure": "attainment_pct", "value": "40",
            "period_start": "2023-01-01", "period_end": "2023-06-30", "source_id": "s"},
           {"obs_id": "p3", "unit_id": "u0", "measure": "attainment_pct", "value": "98",
            "period_start": "2020-01-01", "period_end": "2025-09-30", "source_id": "s",
            "ref": "u0-term"},
           # The 2021 count's own share printed as well: one result, not two.
           {"obs_id": "p4", "unit_id": "u0", "measure": "attainment_pct", "value": "90",
            "period_start": "2021-01-01", "period_end": "2021-12-31", "source_id": "s"}]
    term = [{"target_id": "u0-term", "unit_id": "u0", "term": "2020-2025", "kind": "term",
             "layer": "resolution", "measure": "count", "value": "500", "source_id": "s"}]
    res = final_results(_world([0.9], extra_obs=obs, extra_targets=term))
    assert sorted(res["r"].round(4)) == [0.9, 0.98, 1.03]
    assert len(final_results(_world([0.9], extra_obs=obs, extra_targets=term),
                             as_of="2024-12-31")) == 2


def test_apply_push_lifts_only_the_band():
    finals = np.array([85.0, 90.0, 95.0, 99.0, 100.0, 120.0])
    got = apply_push(finals.copy(), 100.0, Push(0.1, 0.9), _Always())
    assert got.tolist() == [85.0, 100.0, 100.0, 100.0, 100.0, 120.0]
    assert apply_push(finals.copy(), 100.0, Push(0.1, 0.0), _Always()).tolist() == finals.tolist()


class _Always:
    """A generator whose uniforms are all 0 (every path in the band is pushed)."""

    def random(self, n):
        return np.zeros(n)


def test_the_engine_lifts_share_of_the_paths_in_the_band_and_nothing_else():
    # The same fitted model simulated with and without a push of share 0.5 (same seed):
    # paths outside [90, 100) are unchanged, those inside become 100 with frequency
    # 0.5 (within 4 binomial standard errors), and p rises by exactly the lifted share.
    ds = _world([0.97, 0.99, 1.01, 1.0, 1.03, 0.95, 1.2, 0.8],
                extra_targets=[{"target_id": "u0-2022", "unit_id": "u0", "term": "2020-2025",
                                "kind": "annual", "year": "2022", "layer": "plan",
                                "measure": "count", "value": "100", "source_id": "s"}])
    a = dataclasses.replace(Assumptions(), n_paths=4000, seed=5, push_share=0.0)
    fm = fit(ds, as_of=pd.Timestamp("2021-12-31"), assumptions=a)
    empty = pd.DataFrame(columns=["period_start", "period_end", "value", "low", "high"])
    start, end = pd.Timestamp("2022-01-01"), pd.Timestamp("2022-12-31")
    streams = Streams(a.seed, a.n_paths)
    off = simulate_target(fm, "u0", start, end, 100.0, empty, streams)
    fm.push = Push(0.1, 0.5)
    on = simulate_target(fm, "u0", start, end, 100.0, empty, Streams(a.seed, a.n_paths))
    band = (off.finals >= 90) & (off.finals < 100)
    assert np.array_equal(on.finals[~band], off.finals[~band])
    assert set(np.unique(on.finals[band])) <= set(np.unique(off.finals[band])) | {100.0}
    lifted = (on.finals[band] == 100).mean()
    n = band.sum()
    assert n > 300 and abs(lifted - 0.5) < 4 * math.sqrt(0.25 / n)
    assert on.p_reach == pytest.approx(off.p_reach + (on.finals[band] == 100).sum() / 4000)


def test_push_assumptions_are_checked():
    with pytest.raises(ConfigError, match="push_band"):
        Assumptions(push_band=1.5)
    with pytest.raises(ConfigError, match="push_share"):
        Assumptions(push_share=-0.1)
