"""Real-data backtest: next-year origins, implied targets, cells, answers, baselines."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.data.dataset import Dataset
from forecast.evaluate import backtest as bt
from forecast.evaluate import origins as og
from forecast.evaluate import cells
from forecast.evaluate import real
from forecast.evaluate import real_report

SRC = {"source_id": "s1", "title": "hand-made test source"}


def _obs(oid, unit, value, start, end, measure="admitted", ref=""):
    return {"obs_id": oid, "unit_id": unit, "measure": measure, "value": value,
            "period_start": start, "period_end": end, "ref": ref, "source_id": "s1"}


def small_world() -> Dataset:
    """aa: 2021 target 80, a whole 2020 count, a first half and the year (96).
    tg: 1,278 admitted in 2021 at 85.2 %, no target row (implied 1,500, missed).
    sm: 9 admitted in 2021 at 95 %, no target row (implied 9.47, missed).
    tt: term 2015-2020 target 35 (term closed 29 May 2020), 36 admitted over it.
    pl: 2020 target 140; 50 by June, 96 by 30 November (taken as the year's total)."""
    units = [{"unit_id": u, "name_vi": f"Đơn vị {u}", "level": "district"}
             for u in ("aa", "tg", "sm", "tt", "pl")]
    targets = [
        {"target_id": "aa-2021", "unit_id": "aa", "term": "2020-2025", "kind": "annual",
         "year": "2021", "layer": "assigned", "measure": "count", "value": "80",
         "source_id": "s1"},
        {"target_id": "aa-2022", "unit_id": "aa", "term": "2020-2025", "kind": "annual",
         "year": "2022", "layer": "assigned", "measure": "count", "value": "90",
         "source_id": "s1"},
        {"target_id": "pl-2020", "unit_id": "pl", "term": "2015-2020", "kind": "annual",
         "year": "2020", "layer": "plan", "measure": "count", "value": "140",
         "source_id": "s1"},
        {"target_id": "tt-term", "unit_id": "tt", "term": "2015-2020", "kind": "term",
         "year": "", "layer": "resolution", "measure": "count", "value": "35",
         "source_id": "s1"},
    ]
    terms = [{"unit_id": "tt", "term": "2015-2020", "start": "2015-01-01", "end": "2020-05-29"}]
    obs = [
        _obs("aa-2020", "aa", "70", "2020-01-01", "2020-12-31"),
        _obs("aa-h1", "aa", "23", "2021-01-01", "2021-06-30"),
        _obs("aa-y", "aa", "96", "2021-01-01", "2021-12-31"),
        _obs("tg-y", "tg", "1278", "2021-01-01", "2021-12-31"),
        _obs("tg-pct", "tg", "85,2%", "2021-01-01", "2021-12-31", "attainment_pct"),
        _obs("sm-y", "sm", "9", "2021-01-01", "2021-12-31"),
        _obs("sm-pct", "sm", "95%", "2021-01-01", "2021-12-31", "attainment_pct"),
        _obs("tt-all", "tt", "36", "2015-01-01", "2020-05-29"),
        _obs("pl-h1", "pl", "50", "2020-01-01", "2020-06-30"),
        _obs("pl-11", "pl", "96", "2020-01-01", "2020-11-30"),
    ]
    return Dataset.from_frames(units=units, sources=[SRC], targets=targets, observations=obs,
                               terms=terms)


def test_next_years_target_is_forecast_from_the_eve_and_known_then():
    ds, _ = real.with_implied_targets(small_world())
    when = og.origins(ds, og.outcomes(ds))
    got = {(t, d.strftime("%Y-%m-%d"), o) for t, d, o in zip(when["target_id"], when["as_of"],
                                                           when["origin"])}
    # aa-2021: 31 Dec 2020 (the eve; the 2020 count also ends then, the calendar name wins),
    # 1 Jan 2021 and the first half; not 31 Dec 2021 (the deadline)
    assert {("aa-2021", "2020-12-31", "year_before"), ("aa-2021", "2021-01-01", "year_start"),
            ("aa-2021", "2021-06-30", "report")} <= got
    assert not any(t == "aa-2021" and d == "2021-12-31" for t, d, _ in got)
    # the term: 31 December of 2015 ... 2019 (the term closes on 29 May 2020)
    term = sorted(d for t, d, o in got if t == "tt-term")
    assert term == [f"{y}-12-31" for y in range(2015, 2020)]
    # on the eve the year's targets are known, the next year's not; the day before, neither
    eve = og.cut(ds, pd.Timestamp("2020-12-31"))
    assert "aa-2021" in set(eve.targets["target_id"])
    assert "aa-2022" not in set(eve.targets["target_id"])
    assert "aa-2021" not in set(og.cut(ds, pd.Timestamp("2020-12-30")).targets["target_id"])
    assert set(eve.observations["obs_id"]) == {"aa-2020", "tt-all", "pl-h1", "pl-11"}


def test_no_origin_once_the_outcome_is_reported():
    ds = small_world()
    known = og.outcomes(ds).set_index("target_id")
    # 96 to 30 November counts as the year's total (31 days of slack): missed, known then
    assert known.loc["pl-2020", ["outcome", "reached", "how"]].tolist() == [96.0, 0, "counts"]
    assert known.loc["pl-2020", "known_by"] == pd.Timestamp("2020-11-30")
    when = og.origins(ds, known.reset_index())
    got = sorted(when.loc[when["target_id"] == "pl-2020", "as_of"].dt.strftime("%Y-%m-%d"))
    assert got == ["2019-12-31", "2020-01-01", "2020-06-30"]


def test_implied_targets_keep_the_printed_side_of_100_percent():
    added = real.implied_annual_targets(small_world()).set_index("target_id")
    # 1,278 / 0.852 = 1,500.0; 9 / 0.95 = 9.47 rounds to 9, which 9 admitted would reach
    # although printed below 100 %: moved to 10, the printed side
    assert added.loc["tg-2021-implied", "value"] == 1500
    assert added.loc["sm-2021-implied", "value"] == 10
    assert (added["layer"] == real.IMPLIED_LAYER).all()
    assert added.loc["tg-2021-implied", "deadline"] == pd.Timestamp("2021-12-31")
    ds, kept = real.with_implied_targets(small_world())
    out = og.outcomes(ds).set_index("target_id")
    assert out.loc["tg-2021-implied", "reached"] == 0
    assert out.loc["sm-2021-implied", "reached"] == 0
    # aa has its own 2021 target: nothing is implied for it
    assert not kept["unit_id"].eq("aa").any()


def test_cells_by_hand():
    obs = small_world().observations
    frame = pd.DataFrame({
        "unit_id": ["aa", "aa", "aa", "tt"],
        "as_of": pd.to_datetime(["2021-06-30", "2020-12-31", "2020-12-30", "2016-12-31"]),
        "deadline": pd.to_datetime(["2021-12-31", "2021-12-31", "2021-12-31", "2020-05-29"]),
        "target_kind": ["annual", "annual", "annual", "term"]})
    got = cells.assign_cells(frame, obs)
    # 184 days / 30.4375 = 6.05 months; 365 d = 11.99; 366 d = 12.02; 1,245 d = 40.9
    assert got["horizon_months"].round(2).tolist() == [6.05, 11.99, 12.02, 40.90]
    assert got["horizon"].tolist() == ["4-8", "8-13", "8-13", "25+"]
    # aa's whole 2020 count ends 31 Dec 2020: known on that day, not the day before
    assert got["record_years"].tolist() == [1, 1, 0, 0]
    assert got["record"].tolist() == ["1", "1", "0", "0"]
    assert cells.record_bin([0, 1, 2, 3, 4, 7]) == ["0", "1", "2-3", "2-3", "4+", "4+"]
    assert cells.horizon_bin([3.9, 4.0, 12.99, 13.0, 25.0]) == ["0-4", "4-8", "8-13", "13-25",
                                                                 "25+"]


def this_year_only(dataset, as_of, model, assumptions, units=None):
    """A fake engine like today's outlook: annual targets of the as-of year only;
    p 0.5 and quantiles 0.5, 0.75, 1, 1.25, 1.5 x target."""
    rows = []
    t = dataset.targets
    for _, r in t[t["unit_id"].isin(units or t["unit_id"])].iterrows():
        if r["kind"] == "annual" and int(r["year"]) != as_of.year:
            continue
        names = model if isinstance(model, list) else [model]
        for m in names:
            rows.append({"unit_id": r["unit_id"], "target_id": r["target_id"], "model": m,
                         "p_reach": 0.5, **{f"final_{k}": f * r["value"] for k, f in
                                            zip(("q10", "q25", "q50", "q75", "q90"),
                                                (0.5, 0.75, 1.0, 1.25, 1.5))}})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def result():
    return real.real_backtest(small_world(), models=("half",), forecaster=this_year_only,
                              n_boot=50)


def test_no_answer_is_counted_per_model(result):
    c = result.cases
    half = c[c["model"] == "half"]
    # the fake has no row for next year's target on its eve
    eve = half[half["origin"] == "year_before"]
    assert len(eve) and not eve["answered"].any() and (eve["why"] == bt.NO_ROW).all()
    a = result.answers.set_index(["model", "target_kind", "horizon", "record"])
    row = a.loc[("half", "all", "all", "all")]
    assert row["n_cases"] == len(half) and row["n_answered"] == int(half["answered"].sum())
    assert row["n_no_row"] == len(eve)
    assert a.loc[(bt.ALWAYS_REACH, "all", "all", "all"), "answered_share"] == 1.0


def test_always_reach_is_scored_by_hand(result):
    c = result.cases
    al = c[c["model"] == bt.ALWAYS_REACH]
    assert (al["p"] == 1).all() and (al["p_log"] == 0.95).all() and al["answered"].all()
    row = result.cells.set_index(["model", "subset", "target_kind", "horizon", "record"]).loc[
        (bt.ALWAYS_REACH, "all", "all", "all", "all")]
    missed = int((al["y"] == 0).sum())
    n = len(al)
    # Brier: (1 - y)^2 is 1 for each miss; log score: -ln 0.95 if reached, -ln 0.05 if not
    assert row["brier"] == pytest.approx(missed / n)
    assert row["log_score"] == pytest.approx(
        (-(n - missed) * np.log(0.95) - missed * np.log(0.05)) / n)
    # tg and sm missed (each forecast on its eve and on 1 January), pl missed (its eve,
    # 1 January, 30 June), the others were reached
    assert missed == 7


def test_paired_scores_use_the_cases_both_answered(result):
    pr = result.paired.set_index(["model", "target_kind"])
    row = pr.loc[(bt.ALWAYS_REACH, "all")]
    c = result.cases
    half = c[(c["model"] == "half") & c["answered"]]
    assert row["n"] == len(half) and row["reference"] == "half"
    # the fake says 0.5 everywhere: its Brier is 0.25 on every case
    assert row["brier_ref"] == pytest.approx(0.25)
    al = c[(c["model"] == bt.ALWAYS_REACH)].set_index(["target_id", "as_of"])
    mine = al.loc[list(zip(half["target_id"], half["as_of"]))]
    assert row["diff_brier"] == pytest.approx(((1 - mine["y"]) ** 2).mean() - 0.25)


def test_pit_rows_sum_to_the_cases_with_a_total(result):
    pit = result.pit[(result.pit["model"] == "half") & (result.pit["target_kind"] == "all")
                     & (result.pit["horizon"] == "all") & (result.pit["record"] == "all")]
    assert pit["weight"].sum() == pytest.approx(pit["n"].iloc[0])
    c = result.cases
    with_total = c[(c["model"] == "half") & c["answered"] & c["outcome"].notna()]
    assert pit["n"].iloc[0] == len(with_total)


def test_headline_and_files(result, tmp_path):
    table = real_report.headline(result)
    assert table["model"].tolist() == ["half", bt.PACE_LABEL, bt.ALWAYS_REACH]
    md = real_report.headline_markdown(table, "half")
    assert "| half |" in md and "(reference)" in md
    files = real_report.write_real(result, tmp_path, {"paths": 200})
    names = {f.name for f in files}
    assert {"real_cells.csv", "real_answers.csv", "real_pit.csv", "real_summary.md",
            "real_headline.csv", "real_run.json"} <= names
    assert "Real-data backtest" in (tmp_path / "real_summary.md").read_text(encoding="utf-8")


def test_cli_real_json_prints_the_headline(tmp_path, monkeypatch, capsys, tiny_dataset):
    import json

    from forecast.cli import main
    from tests.conftest import TINY_DIR

    monkeypatch.setattr(bt, "outlook_forecaster", this_year_only)
    code = main(["backtest", "--real", "--json", "--data", str(TINY_DIR), "--models", "half",
                 "--boot", "20", "--paths", "200", "--workers", "1", "--out", str(tmp_path)])
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    models = [r["model"] for r in printed["headline"]]
    assert models == ["half", bt.PACE_LABEL, bt.ALWAYS_REACH]
    assert printed["parameters"]["reference"] == "half"
    assert all({"n_cases", "n_answered", "answered_share", "brier"} <= set(r)
               for r in printed["headline"])
    assert (tmp_path / "real_summary.md").exists() and not (tmp_path / "scores.csv").exists()


def test_cli_real_and_no_public_exclude_each_other(capsys):
    from forecast.cli import main

    assert main(["backtest", "--real", "--no-public"]) == 2
    assert "exclude each other" in capsys.readouterr().err
