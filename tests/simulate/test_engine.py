"""The batched simulation against the monthly-path method on the same draws."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.models.base import Exposure, FittedModel, Streams, UnitData
from forecast.models.profile import DEFAULT_PROFILE
from forecast.simulate.engine import simulate_target
from forecast.simulate.summary import _summarize, month_grid
from forecast.simulate.engine import Job, simulate_many

T = pd.Timestamp
START, DEADLINE = T("2021-01-01"), T("2023-09-30")


class Level(FittedModel):
    """Future years at ``level × exposure`` (a plain model for the tests)."""

    def yearly_means(self, unit_id, years, streams):
        return np.broadcast_to(self.exposure(unit_id, years), (streams.n_paths, len(years)))


def _units(n=6):
    data = {f"u{i}": UnitData(f"u{i}", pd.DataFrame(),
                              Exposure("annual_target", {2021: 10.0 * 3 ** i}))
            for i in range(n)}
    return Level("level", data, alpha=0.05, year_sd=0.1, profile=DEFAULT_PROFILE)


def _known(i):
    # A first-half report with a range (drawn per path), then nothing.
    v = 4.0 * 3 ** i
    return pd.DataFrame({"period_start": [START], "period_end": [T("2021-06-30")],
                         "value": [v], "low": [0.9 * v], "high": [1.1 * v]})


def test_summary_equals_the_monthly_path_method_on_the_same_draws():
    # For each unit, keep the monthly paths and summarize them the plain way
    # (cumulate months, first month at or above the target): the batched
    # summary, which never builds those paths, must give the same answers.
    fm = _units()
    streams = Streams(3, 4000)
    jobs = [Job(u, target, _known(i), keep_paths=True)
            for i, u in enumerate(fm.data) for target in (20.0 * 3 ** i,)]
    res = simulate_many(fm, jobs, START, DEADLINE, streams)
    grid = month_grid(START, DEADLINE, jobs[0].known, fm.profile)
    for job, r in zip(jobs, res):
        ref = _summarize(r.monthly, grid, job.target, job.known, False)
        assert r.p_reach == ref.p_reach
        assert (r.reach_date_q10, r.reach_date_q50, r.reach_date_q90) == (
            ref.reach_date_q10, ref.reach_date_q50, ref.reach_date_q90)
        assert r.reach_date_q50 is not None
        np.testing.assert_allclose([r.final_q10, r.final_q50, r.final_q90],
                                   [ref.final_q10, ref.final_q50, ref.final_q90], rtol=1e-12)
        np.testing.assert_allclose(r.summary.cum_quantiles.to_numpy(),
                                   ref.summary.cum_quantiles.to_numpy(), rtol=1e-6)


def test_reach_month_inside_a_reported_year_and_never():
    # Targets reached inside the reported half-year (the search walks the report's
    # months), in a simulated year, and never (far above every path).
    fm = _units(2)
    streams = Streams(4, 2000)
    known = _known(1)  # 12 (10.8-13.2) by June 2021, exposure 30 a year
    jobs = [Job("u1", t, known, keep_paths=True) for t in (5.0, 40.0, 1e6)]
    res = simulate_many(fm, jobs, START, DEADLINE, streams)
    grid = month_grid(START, DEADLINE, known, fm.profile)
    for job, r in zip(jobs, res):
        ref = _summarize(r.monthly, grid, job.target, known, False)
        assert (r.reach_date_q10, r.reach_date_q50, r.reach_date_q90) == (
            ref.reach_date_q10, ref.reach_date_q50, ref.reach_date_q90)
    assert res[0].reach_date_q90 <= "2021-06-30"
    assert res[2].reach_date_q10 is None and res[2].p_reach == 0.0


def test_a_unit_gets_the_same_numbers_alone_in_any_batch_and_chunk_size():
    fm = _units()
    streams = Streams(8, 3000)
    jobs = [Job(u, 25.0 * 3 ** i, _known(i), keep_finals=True)
            for i, u in enumerate(fm.data)]
    big = simulate_many(fm, jobs, START, DEADLINE, streams)
    tiny_chunks = simulate_many(fm, jobs[::-1], START, DEADLINE, Streams(8, 3000),
                                chunk_elements=1)
    alone = simulate_target(fm, "u3", START, DEADLINE, 25.0 * 27, _known(3), Streams(8, 3000))
    assert np.array_equal(big[3].finals, alone.finals)
    assert np.array_equal(big[3].finals, tiny_chunks[2].finals)
    assert big[3].p_reach == alone.p_reach
    again = simulate_many(fm, jobs, START, DEADLINE, Streams(8, 3000))
    assert all(np.array_equal(a.finals, b.finals) for a, b in zip(big, again))
    other = simulate_many(fm, jobs, START, DEADLINE, Streams(9, 3000))
    assert not np.array_equal(big[3].finals, other[3].finals)


def test_a_refused_unit_is_an_error_in_its_slot_not_a_crash():
    fm = _units(2)

    class Picky(Level):
        def yearly_means(self, unit_id, years, streams):
            from forecast.errors import ModelError
            if unit_id == "u0":
                raise ModelError("unit 'u0': refused")
            return super().yearly_means(unit_id, years, streams)

    pk = Picky("picky", fm.data, alpha=0.05, year_sd=0.1, profile=DEFAULT_PROFILE)
    res = simulate_many(pk, [Job("u0", 10.0, _known(0)), Job("u1", 40.0, _known(1))],
                        START, DEADLINE, Streams(1, 500))
    assert isinstance(res[0], Exception) and "refused" in str(res[0])
    assert 0 <= res[1].p_reach <= 1


def test_year_totals_are_poisson_gamma_with_the_shared_shock():
    # Mean of a simulated year = exposure (shock and gamma have mean 1);
    # variance = m + (alpha + s² + alpha s²) m² with s² = e^{sd²} - 1 (lognormal):
    # m = 270, alpha 0.05, sd 0.1: 270 + (0.05 + 0.01005 + 0.000503) · 72,900 = 4,684.
    fm = _units()
    d = fm.draw_years_batch(["u3"], [2022], Streams(2, 40_000))[0, :, 0]
    s2 = np.exp(0.01) - 1
    assert d.mean() == pytest.approx(270, abs=4 * np.sqrt(4684 / 40_000))
    assert d.var() == pytest.approx(270 + (0.05 + s2 + 0.05 * s2) * 270 ** 2, rel=0.05)


def test_crossing_month_per_path_equals_the_first_month_of_the_monthly_path():
    # The same draws two ways: the monthly cumulative paths materialised (cum = kv · KF
    # + D · UC, first month at or above the target), and the engine's inversion from
    # the year-end cumulatives. Targets crossed inside the reported half-year, in each
    # simulated year, and never.
    from forecast.simulate.reach import crossing_months
    from forecast.simulate.engine import layout

    fm = _units(3)
    streams = Streams(6, 3000)
    known = _known(2)  # 36 (32.4-39.6) by June 2021, exposure 90 a year
    grid = month_grid(START, DEADLINE, known, fm.profile)
    lay = layout(grid)
    rng = np.random.default_rng(1)
    kv = (32.4 + 7.2 * rng.random((1, 3000, 1)))
    d = fm.draw_years_batch(["u2"], lay.need, streams)
    monthly = kv @ lay.kf + d.astype(float) @ lay.uc
    cm = monthly[:, :, lay.marks].transpose(0, 2, 1)  # units × marks × paths
    for target in (20.0, 38.0, 90.0, 150.0, 230.0, 1e5):
        tol = np.array([[target - 1e-9]])
        reached = monthly >= tol[:, :, None]
        ref = np.where(reached.any(2), reached.argmax(2), len(grid.ends))
        got = crossing_months(kv, d, cm, lay, tol, len(grid.ends))
        assert np.array_equal(got, ref), target


def test_reach_order_statistics_equal_those_of_every_path_sorted():
    # reach_months looks only at the paths of the year each order statistic
    # falls in; the plain way sorts every path's crossing month
    # (crossing_months) and takes the ranks: the outlook's three and every
    # seventh, so that a rank off by one shows. Three units with a target each:
    # crossed inside the reported half-year (a slow segment), inside simulated
    # years, and partly never; a fourth row is masked out (no target).
    from forecast.simulate.engine import layout
    from forecast.simulate.summary import order_rank
    from forecast.simulate.reach import crossing_months, reach_months

    fm = _units(3)
    streams = Streams(6, 3000)
    grid = month_grid(START, DEADLINE, _known(2), fm.profile)
    lay = layout(grid)
    n_m = len(grid.ends)
    rng = np.random.default_rng(2)
    ids = ["u0", "u1", "u2", "u2"]
    kv = 32.4 + 7.2 * rng.random((4, 3000, 1))
    d = fm.draw_years_batch(ids, lay.need, streams)
    cm = np.ascontiguousarray((kv @ lay.kf + d.astype(float) @ lay.uc)[:, :, lay.marks]
                              .transpose(0, 2, 1))
    tol = np.array([[35.0], [60.0], [245.0], [50.0]]) - 1e-9
    ranks = [order_rank(q, 3000) for q in (0.1, 0.5, 0.9)] + list(range(0, 3000, 7))
    units = np.array([True, True, True, False])
    got = reach_months(kv, d, cm, lay, tol, ranks, units, n_m)
    ref = np.sort(crossing_months(kv, d, cm, lay, tol, n_m), axis=1)[:, ranks]
    assert np.array_equal(got[:3], ref[:3])
    assert (got[3] == n_m).all()
    # The cases are there: a month inside the report (before July 2021), a
    # simulated month in each later year, and never (u2 reaches 245 in about
    # half its paths: 36 + 90 a year for 2.25 years is 238 on average).
    assert ref[0, 0] < 6 and 12 <= ref[1, 1] < 24 and 24 <= ref[2, 0] < n_m
    assert ref[2, 2] == n_m


def test_threads_change_nothing():
    fm = _units()
    jobs = [Job(u, 25.0 * 3 ** i, _known(i), keep_finals=True) for i, u in enumerate(fm.data)]
    one = simulate_many(fm, jobs, START, DEADLINE, Streams(8, 2000), chunk_elements=20_000)
    two = simulate_many(fm, jobs, START, DEADLINE, Streams(8, 2000), chunk_elements=20_000,
                        threads=2)
    assert all(np.array_equal(a.finals, b.finals) and a.reach_date_q50 == b.reach_date_q50
               for a, b in zip(one, two))


def test_month_search_stays_inside_the_segment_when_the_target_is_met_only_by_rounding():
    # Two paths, one simulated year of 12 months. Path 0's cumulative reaches
    # 79.9999996 at the deadline: the engine rounds the total to 80 and counts
    # the target (80) as reached, but no month's unrounded value reaches it.
    # Path 1 (600 a year) crosses in month index 1 and needs four halvings,
    # path 0 only three: the search must then keep path 0 at the last month
    # (index 11), not step on to 12 (which crashed Krông Bông's outlook with
    # an estimated profile when indexing the 12-month curve).
    from types import SimpleNamespace

    from forecast.simulate.reach import _search

    uc = np.cumsum(np.full(12, 1 / 12))[None, :] * (1 - 5e-9)
    lay = SimpleNamespace(kf=np.zeros((0, 12)), uc=uc)
    kv = np.zeros((1, 2, 0))
    d = np.array([[[80.0], [600.0]]])
    tol = np.array([[80.0 - 1e-9]])
    got = _search(kv, d, lay, tol, np.ones((1, 2), dtype=bool), 0, 11)
    assert got.tolist() == [11, 1]


def test_noise_cache_and_p_only_give_the_numbers_of_fresh_full_runs():
    # The inverse search draws the same units again at other attainments with a
    # noise cache and asks only for p_reach: each answer must equal a fresh,
    # full simulation at that attainment (same streams, nothing cached).
    fm = _units()
    streams = Streams(4, 3000)
    ids = list(fm.data)
    cache: dict = {}
    seen = []
    for att in (0.7, 1.3, 0.7, 2.0):
        jobs = [Job(u, 22.0 * 3 ** i, _known(i), attainment=att) for i, u in enumerate(ids)]
        fast = simulate_many(fm, jobs, START, DEADLINE, streams, returns="p",
                             noise_cache=cache)
        full = simulate_many(fm, jobs, START, DEADLINE, Streams(4, 3000))
        assert fast == [r.p_reach for r in full]
        cached = fm.draw_years_batch(ids, [2022, 2023], streams, att, cache)
        fresh = fm.draw_years_batch(ids, [2022, 2023], Streams(4, 3000), att)
        assert np.array_equal(cached, fresh)
        seen += fast
    assert sum(0.05 < p < 0.95 for p in seen) >= 4  # not all trivially met or missed


def test_path_parts_add_up_to_the_sum_of_the_monthly_paths():
    # A roll-up adds children in the linear form (one product per month grid);
    # the plain way keeps each child's monthly paths and adds the matrices.
    # Units 0-2 report a first half-year, unit 3 nothing (two grids).
    from forecast.simulate.rollup import add_paths, sum_paths

    fm = _units(4)
    none = _known(0).iloc[:0]
    jobs = [Job(u, float("nan"), _known(i) if i < 3 else none) for i, u in enumerate(fm.data)]
    parts = simulate_many(fm, jobs, START, DEADLINE, Streams(5, 2000), returns="paths")
    full = simulate_many(fm, [Job(j.unit_id, j.target, j.known, keep_paths=True) for j in jobs],
                         START, DEADLINE, Streams(5, 2000))
    plain = sum(r.monthly for r in full)
    np.testing.assert_allclose(add_paths(parts), plain, rtol=1e-12, atol=1e-9)
    cum, ends = sum_paths(dict(zip(fm.data, parts)))
    np.testing.assert_allclose(cum, plain, rtol=1e-12, atol=1e-9)
    assert ends == full[0].month_ends and len({id(p.layout) for p in parts}) == 2
