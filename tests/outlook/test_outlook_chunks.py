"""The outlook cut into chunks, over processes or Dask, and the batched inverse search.

Every speed-up here must leave the numbers alone: each test compares with
an independent way of getting the same thing (a plain scan of the table,
one process, a bisection written out for one unit).
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from forecast.config import Assumptions
from forecast.data.dataset import load
from forecast.errors import ConfigError
from forecast.models.base import Streams, fit
from forecast.models.progress import admitted_spans, progress_table
from forecast.outlook.chunks import run_chunks, split
from forecast.outlook.table import outlook
from forecast.simulate.engine import simulate_target
from forecast.simulate.funnel import conversion_rates
from forecast.simulate.requirements import requirements_for_targets

AS_OF = pd.Timestamp("2022-12-31")
UNITS = ["tien-giang", "krong-bong", "khoi-co-quan-ha-nam"]


@pytest.fixture(scope="module")
def ds():
    return load()


@pytest.fixture(scope="module")
def fast():
    return dataclasses.replace(Assumptions(), n_paths=200, seed=11)


@pytest.fixture(scope="module")
def one(ds, fast):
    """The outlook of :data:`UNITS` in this process, in one chunk."""
    return outlook(ds, as_of=AS_OF, assumptions=fast, units=UNITS, workers=1)


def test_rows_of_is_the_plain_scan(ds):
    sample = list(ds.units["unit_id"].iloc[::7]) + [*UNITS, "no-such-unit"]
    for table in ("units", "targets", "observations"):
        frame = getattr(ds, table)
        for u in sample:
            want = frame[frame["unit_id"] == u]
            got = ds.rows_of(table, u)
            pd.testing.assert_frame_equal(got, want)
    for u in ds.units["unit_id"]:
        assert ds.children(u) == ds.units.loc[ds.units["parent_id"] == u, "unit_id"].tolist()


def test_rows_of_follows_a_replaced_table(ds):
    smaller = dataclasses.replace(ds, observations=ds.observations.iloc[:10])
    assert len(smaller.rows_of("observations", "tien-giang")) == \
        int((ds.observations.iloc[:10]["unit_id"] == "tien-giang").sum())
    assert len(ds.rows_of("observations", "tien-giang")) == \
        int((ds.observations["unit_id"] == "tien-giang").sum())


def _chunks_squared(work, chunk):
    return [work * i for i in chunk]


def test_run_chunks_keeps_the_order_over_processes():
    chunks = split(10, 3)
    assert [list(c) for c in chunks] == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert run_chunks(_chunks_squared, 2, chunks, workers=2) == [[0, 2, 4], [6, 8, 10],
                                                                  [12, 14, 16], [18]]
    with pytest.raises(ConfigError, match="--scheduler"):
        run_chunks(_chunks_squared, 2, chunks, executor="dask")
    with pytest.raises(ConfigError, match="--executor"):
        run_chunks(_chunks_squared, 2, chunks, executor="spark")


def test_chunked_outlook_over_two_processes_is_the_one_process_outlook(ds, fast, one):
    two = outlook(ds, as_of=AS_OF, assumptions=fast, units=UNITS, workers=2, chunk_rows=2)
    assert len(one.table) > 4
    assert one.table["required_attainment"].notna().any()
    pd.testing.assert_frame_equal(one.table, two.table)
    assert one.paths.keys() == two.paths.keys()
    for key, summary in one.paths.items():
        pd.testing.assert_frame_equal(summary.cum_quantiles, two.paths[key].cum_quantiles)


def _bisect_alone(fm, unit, start, deadline, target, known, streams, p_level=0.8,
                  upper=5.0, tol=1e-3):
    """The inverse search for one unit, written out (docs/requirements.md)."""
    def p(att):
        return simulate_target(fm, unit, start, deadline, target, known, streams,
                               attainment=att).p_reach

    p0 = p(0.0)
    if p0 >= p_level:
        return ("reached" if p0 >= 1 else "no_more_needed"), 0.0, p0
    p_hi = p(upper)
    if p_hi < p_level:
        return "unreachable", None, p_hi
    lo, hi = 0.0, upper
    while hi - lo > tol:
        mid = (lo + hi) / 2
        pm = p(mid)
        if pm >= p_level:
            hi, p_hi = mid, pm
        else:
            lo = mid
    return "found", hi, p_hi


def test_batched_inverse_search_is_each_units_own_search(ds, fast):
    fm = fit(ds, "hier_nb", as_of=AS_OF, assumptions=fast)
    streams = Streams(fast.seed, fast.n_paths)
    prog = progress_table(ds, as_of=AS_OF, assumptions=fast)
    prog = prog[(prog["target_kind"] == "term") & (prog["term"] == "2020-2025")
                & prog["unit_id"].isin(fm.data)]
    prog = prog[prog["unit_id"].map(lambda u: fm.data[u].exposure.kind != "own_level")]
    window = prog.groupby(["start", "deadline"]).size().idxmax()
    rows = prog[(prog["start"] == window[0]) & (prog["deadline"] == window[1])].head(4)
    assert len(rows) >= 3
    items = []
    for r in rows.itertuples(index=False):
        known = admitted_spans(ds.observations, r.unit_id, r.start, r.deadline, AS_OF)
        items.append((r.unit_id, float(r.target), known,
                      conversion_rates(ds, r.unit_id, fast, as_of=AS_OF)))
    got = requirements_for_targets(fm, items, window[0], window[1], streams, 0.8)
    for (unit, target, known, conv), res in zip(items, got):
        status, att, p = _bisect_alone(fm, unit, window[0], window[1], target, known, streams)
        assert res["requirement_status"] == status, unit
        assert res["requirement_p"] == p, unit
        if att is None:
            assert pd.isna(res["required_attainment"])
        else:
            assert res["required_attainment"] == att, unit


@pytest.mark.slow
def test_outlook_on_a_dask_cluster_is_the_local_outlook(ds, fast, one):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(processes=True, n_workers=1, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        remote = outlook(ds, as_of=AS_OF, assumptions=fast, units=UNITS, executor="dask",
                         scheduler=cluster.scheduler_address, chunk_rows=2)
    pd.testing.assert_frame_equal(one.table, remote.table)


def test_unit_names_in_attrs_are_shared_not_deep_copied():
    # pandas deep-copies attrs into every derived frame; the names of a national
    # run are read-only, so every derived frame must hold the same object, and
    # it must still pickle (worker processes, Dask) with its contents.
    import pickle

    from forecast.outlook.table import UNIT_NAMES_ATTR, UnitNames

    names = UnitNames({"vi": {"a": "Xã A"}, "en": {"a": "A commune"}})
    df = pd.DataFrame({"unit_id": ["a", "a"], "p": [0.2, 0.9]})
    df.attrs[UNIT_NAMES_ATTR] = names
    derived = df[df["p"] > 0.5].assign(q=1).sort_values("p")
    assert derived.attrs[UNIT_NAMES_ATTR] is names
    back = pickle.loads(pickle.dumps(derived))
    assert back.attrs[UNIT_NAMES_ATTR] == {"vi": {"a": "Xã A"}, "en": {"a": "A commune"}}
