"""The synthetic generator: loadable tables, truth consistent with the months."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.evaluate import synthetic
from forecast.errors import ConfigError


@pytest.fixture(scope="module")
def world():
    return synthetic.generate(n_units=40, seed=7)


def test_tables_load_as_a_dataset(world):
    ds = world.dataset()
    assert len(ds.units) == 40
    assert ds.sources.loc[0, "title"] == "synthetic generator, seed 7"
    assert set(ds.observations["measure"]) <= {"admitted", "members"}
    assert set(ds.observations["period_kind"]) <= {"year", "part_year", "point"}
    # every unit has its term target and an annual target for every term year
    # from the start of its reported history (2021 for short histories)
    t = ds.targets
    assert (t["kind"] == "term").sum() == 40
    per_unit = t[(t["kind"] == "annual") & (t["year"] >= 2020)].groupby("unit_id").size()
    first = world.traits.set_index("unit_id")["history_from"].clip(lower=2020)
    assert (per_unit == 2025 - first[per_unit.index] + 1).all()


def test_same_seed_same_world_other_seed_other_world():
    a = synthetic.generate(n_units=10, seed=3)
    b = synthetic.generate(n_units=10, seed=3)
    c = synthetic.generate(n_units=10, seed=4)
    pd.testing.assert_frame_equal(a.truth, b.truth)
    pd.testing.assert_frame_equal(a.tables["observations"], b.tables["observations"])
    assert not a.truth["final"].equals(c.truth["final"])


def test_truth_matches_months(world):
    m = world.monthly
    tr = world.truth.set_index("target_id")
    # an annual final is the year's twelve months
    year_sum = m[(m.unit_id == "syn-0005") & (m.year == 2022)]["count"].sum()
    assert tr.loc["syn-0005-annual-2022", "final"] == year_sum
    # the term final runs from January 2020 to September 2025 (term_end 09-30)
    u = m[m.unit_id == "syn-0005"]
    term_sum = u[(u.year >= 2020) & (u.year <= 2024)]["count"].sum() + \
        u[(u.year == 2025) & (u.month <= 9)]["count"].sum()
    assert tr.loc["syn-0005-term-2020-2025", "final"] == term_sum
    assert ((tr["final"] >= tr["target"]) == (tr["reached"] == 1)).all()


def test_reports_agree_with_truth(world):
    obs = world.tables["observations"]
    m = world.monthly.set_index(["unit_id", "year", "month"])["count"]
    exact = obs[(obs.measure == "admitted") & ~obs.value.str.startswith("~")]
    for _, row in exact.head(60).iterrows():
        y = int(row.period_start[:4])
        last = int(row.period_end[5:7])
        expected = sum(m[(row.unit_id, y, k)] for k in range(1, last + 1))
        assert int(row.value) == expected, row.obs_id


def test_back_loaded_units_admit_under_half_by_june():
    w = synthetic.generate(n_units=300, seed=11)
    m = w.monthly.merge(w.traits[["unit_id", "front_loaded"]], on="unit_id")
    share = (m[m.month <= 6].groupby("front_loaded")["count"].sum()
             / m.groupby("front_loaded")["count"].sum())
    # background (1 - s)/2 with s ~ U(0.1, 0.4): mean 0.375 for back-loaders;
    # front-loaders: (1 - s)/2 + s with s ~ U(0.2, 0.4): mean 0.65
    assert share[False] == pytest.approx(0.375, abs=0.03)
    assert share[True] == pytest.approx(0.65, abs=0.04)


def test_shared_year_shock_moves_everyone():
    # with a strong COVID dip, mean attainment in 2021 is below the other years'
    w = synthetic.generate(n_units=300, seed=2, covid_factor=0.5, year_shock_sd=0.0)
    a = w.truth[w.truth.kind == "annual"].assign(att=lambda d: d.final / d.target)
    by_year = a.groupby("year")["att"].median()
    assert by_year[2021] < 0.75 * np.median(by_year.drop(2021))


def test_history_lengths_vary(world):
    starts = world.traits["history_from"].unique()
    assert len(starts) == 3
    obs = world.tables["observations"]
    first = obs.groupby("unit_id")["period_end"].min().str[:4].astype(int)
    hist = world.traits.set_index("unit_id")["history_from"]
    assert (first >= hist[first.index]).all()


def test_bad_spec_raises():
    with pytest.raises(ConfigError, match="n_units"):
        synthetic.generate(n_units=0)


@pytest.mark.parametrize("first, start, end", [(2017, 2020, 2022), (2010, 2020, 2023),
                                               (2015, 2020, 2025)])
def test_short_and_long_terms_write_data_the_loader_accepts(tmp_path, first, start, end):
    # With 2-year terms, 2017 lies in 2016-2018 (not 2018-2020); with 3-year terms
    # 2010 lies in 2008-2011 and 2011 in 2011-2014 as well as 2008-2011.
    from forecast.data.dataset import load

    w = synthetic.generate(n_units=15, seed=4, first_year=first, term_start_year=start,
                 term_end_year=end)
    w.write(tmp_path)
    ds = load(tmp_path)
    annual = ds.targets[ds.targets["kind"] == "annual"]
    for term, year in zip(annual["term"], annual["year"]):
        lo, hi = map(int, term.split("-"))
        assert lo <= year <= hi and hi - lo == end - start
