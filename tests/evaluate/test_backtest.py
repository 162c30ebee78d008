"""Backtest: outcomes, origins, leak-free cuts, and known-answer scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.evaluate import backtest as bt
from forecast.evaluate import origins as og
from forecast.config import Assumptions
from forecast.data.dataset import Dataset

SRC = {"source_id": "s1", "title": "hand-made test source"}


def tiny_dataset() -> Dataset:
    units = [
        {"unit_id": "aa", "name_vi": "Đơn vị A", "level": "district"},
        {"unit_id": "bb", "name_vi": "Đơn vị B", "level": "commune"},
        {"unit_id": "cc", "name_vi": "Đơn vị C", "level": "commune"},
    ]
    targets = [
        {"target_id": "aa-2021", "unit_id": "aa", "term": "2020-2025", "kind": "annual",
         "year": "2021", "layer": "assigned", "measure": "count", "value": "80",
         "source_id": "s1"},
        {"target_id": "aa-2022", "unit_id": "aa", "term": "2020-2025", "kind": "annual",
         "year": "2022", "layer": "assigned", "measure": "count", "value": "90",
         "source_id": "s1"},
        {"target_id": "aa-term", "unit_id": "aa", "term": "2020-2025", "kind": "term",
         "year": "", "layer": "resolution", "measure": "count", "value": "400",
         "source_id": "s1"},
        {"target_id": "bb-2022", "unit_id": "bb", "term": "2020-2025", "kind": "annual",
         "year": "2022", "layer": "assigned", "measure": "count", "value": "10",
         "source_id": "s1"},
        {"target_id": "cc-2021", "unit_id": "cc", "term": "2020-2025", "kind": "annual",
         "year": "2021", "layer": "assigned", "measure": "count", "value": "7",
         "source_id": "s1"},
    ]
    obs = [
        {"obs_id": "aa-h1", "unit_id": "aa", "measure": "admitted", "value": "23",
         "period_start": "2021-01-01", "period_end": "2021-06-30", "source_id": "s1"},
        {"obs_id": "aa-m9", "unit_id": "aa", "measure": "admitted", "value": "60",
         "period_start": "2021-01-01", "period_end": "2021-09-30", "source_id": "s1"},
        {"obs_id": "aa-y", "unit_id": "aa", "measure": "admitted", "value": "96",
         "period_start": "2021-01-01", "period_end": "2021-12-31", "source_id": "s1"},
        {"obs_id": "bb-att", "unit_id": "bb", "measure": "attainment_pct", "value": "120%",
         "period_start": "2022-01-01", "period_end": "2022-12-31", "ref": "bb-2022",
         "source_id": "s1"},
        {"obs_id": "cc-h1", "unit_id": "cc", "measure": "admitted", "value": "3",
         "period_start": "2021-01-01", "period_end": "2021-06-30", "source_id": "s1"},
        {"obs_id": "cc-m9", "unit_id": "cc", "measure": "admitted", "value": "8",
         "period_start": "2021-01-01", "period_end": "2021-09-30", "source_id": "s1"},
    ]
    return Dataset.from_frames(units=units, sources=[SRC], targets=targets, observations=obs)


def test_outcomes_from_counts_and_attainment():
    out = og.outcomes(tiny_dataset()).set_index("target_id")
    # aa 2021: the full-year count 96 >= 80; bb 2022: 120 % of 10 = 12 (derived)
    assert out.loc["aa-2021", ["outcome", "reached", "how"]].tolist() == [96.0, 1, "counts"]
    assert out.loc["bb-2022", ["outcome", "reached", "how"]].tolist() == [12.0, 1, "attainment"]
    # cc 2021: 8 by 30 September already passes 7; the year's total is unknown
    assert out.loc["cc-2021", ["reached", "how"]].tolist() == [1, "reached_early"]
    assert np.isnan(out.loc["cc-2021", "outcome"])
    # the term and aa's 2022 have no closing figure
    assert "aa-term" not in out.index and "aa-2022" not in out.index


def test_origins_are_reports_before_the_deadline_the_year_start_and_its_eve():
    ds = tiny_dataset()
    when = og.origins(ds, og.outcomes(ds))
    got = sorted(zip(when["target_id"], when["as_of"].dt.strftime("%Y-%m-%d"), when["origin"]))
    # 31 December of the year before: next year's target, asked at the year's end
    assert got == [
        ("aa-2021", "2020-12-31", "year_before"),
        ("aa-2021", "2021-01-01", "year_start"),
        ("aa-2021", "2021-06-30", "report"),
        ("aa-2021", "2021-09-30", "report"),
        ("bb-2022", "2021-12-31", "year_before"),
        ("bb-2022", "2022-01-01", "year_start"),
        ("cc-2021", "2020-12-31", "year_before"),
        ("cc-2021", "2021-01-01", "year_start"),
        ("cc-2021", "2021-06-30", "report"),
        ("cc-2021", "2021-09-30", "report"),
    ]


def test_targets_already_reached_at_the_origin_are_not_scored():
    ds = tiny_dataset()
    known = og.outcomes(ds)
    when = og.origins(ds, known)
    seen = []

    def fake(dataset, as_of, model, assumptions, units=None):
        seen.append((as_of.strftime("%Y-%m-%d"), tuple(units)))
        return pd.DataFrame({"unit_id": ["cc"], "target_id": ["cc-2021"], "p_reach": [0.5]})

    cases, failures = bt.forecast_cases(ds, known, when, ("m",), forecaster=fake)
    got = cases[(cases["model"] == "m") & (cases["target_id"] == "cc-2021")]
    # cc-2021 is a case on its eve, 1 January and 30 June, not on 30 September (8 >= 7 known)
    assert sorted(got["as_of"].dt.strftime("%Y-%m-%d")) == ["2020-12-31", "2021-01-01",
                                                             "2021-06-30"]
    assert ("2021-09-30", ("aa",)) in seen
    assert failures.empty
    # the fake answers only cc-2021: the other targets' cases are kept, unanswered, with why
    other = cases[(cases["model"] == "m") & (cases["target_id"] != "cc-2021")]
    assert len(other) and not other["answered"].any() and (other["why"] == bt.NO_ROW).all()
    assert got["answered"].all()


def test_cut_hides_later_reports_and_later_targets():
    past = og.cut(tiny_dataset(), pd.Timestamp("2021-06-30"))
    assert past.observations["obs_id"].tolist() == ["aa-h1", "cc-h1"]
    assert "aa-2022" not in set(past.targets["target_id"])
    assert "aa-term" in set(past.targets["target_id"])


def make_oracle(truth: pd.DataFrame, mode: str):
    """A fake engine: 'perfect' knows the outcome; 'coin' says 0.5 and a wide interval."""
    t = truth.rename(columns={"final": "outcome"}).set_index("target_id")

    def forecaster(dataset, as_of, model, assumptions, units=None):
        rows = []
        for _, r in dataset.targets.iterrows():
            if r["target_id"] not in t.index:
                continue
            if r["kind"] == "annual" and int(r["year"]) != as_of.year:
                continue
            o = t.loc[r["target_id"]]
            if mode == "perfect":
                p, q = float(o["reached"]), dict.fromkeys(("q10", "q25", "q50", "q75", "q90"),
                                                          o["outcome"])
            else:
                p = 0.5
                q = {"q10": 0.0, "q25": 0.0, "q50": o["target"], "q75": 10 * o["target"],
                     "q90": 10 * o["target"]}
            rows.append({"unit_id": r["unit_id"], "target_id": r["target_id"],
                         "target_kind": r["kind"], "model": model, "scenario": "",
                         "p_reach": p, **{f"final_{k}": v for k, v in q.items()}})
        return pd.DataFrame(rows)

    return forecaster


@pytest.fixture(scope="module")
def world():
    from forecast.evaluate.synthetic import generate

    return generate(n_units=12, seed=5)


def test_perfect_forecast_scores_brier_zero(world):
    res = bt.backtest(world.dataset(), models=("oracle",), as_of_dates=["2022-06-30", "2023-06-30"],
                      truth=world.truth, label="synthetic",
                      forecaster=make_oracle(world.truth, "perfect"), n_boot=50)
    s = res.scores.set_index(["model", "subset"])
    row = s.loc[("oracle", "all")]
    # 12 units x 2 origins x (term + that year's annual target) = 48 cases, less
    # those the reports at the origin already show reached (not forecasts)
    from forecast.models.progress import progress_table

    ds = world.dataset()
    known = sum((progress_table(og.cut(ds, pd.Timestamp(d)), as_of=pd.Timestamp(d))["label"]
                 == "reached").sum() for d in ("2022-06-30", "2023-06-30"))
    assert row["n"] == 48 - known and row["dataset"] == "synthetic"
    assert row["brier"] == 0 and row["coverage_80"] == 1 and row["coverage_50"] == 1
    assert row["interval_score"] == 0 and row["reliability"] == 0
    # log score of a sure and right forecast: -ln(1 - 0.001) = 0.0010005
    assert row["log_score"] == pytest.approx(-np.log(0.999))
    assert row["n_clusters"] == 2
    assert res.failures.empty
    assert {"oracle", bt.PACE_LABEL} <= set(res.scores["model"])


def test_coin_forecast_scores_a_quarter(world):
    res = bt.backtest(world.dataset(), models=("coin",), as_of_dates=["2022-06-30"],
                      truth=world.truth, label="synthetic",
                      forecaster=make_oracle(world.truth, "coin"), n_boot=50)
    row = res.scores.set_index(["model", "subset"]).loc[("coin", "all")]
    # (0.5 - y)^2 = 0.25 whatever y; log score ln 2 = 0.693147
    assert row["brier"] == pytest.approx(0.25)
    assert row["log_score"] == pytest.approx(np.log(2))
    # outcomes are >= 0 and, by construction of the generator, below 10 x target
    assert row["coverage_80"] == 1
    # interval score on the target scale: width (10 T - 0) / T = 10 for every case
    assert row["interval_score"] == pytest.approx(10.0)
    rel = res.reliability[res.reliability["model"] == "coin"]
    assert rel["n"].sum() == row["n"] and rel.loc[rel["n"] > 0, "bin_lower"].tolist() == [0.5]


def test_pace_label_becomes_zero_one_forecast(world):
    res = bt.backtest(world.dataset(), models=("coin",), as_of_dates=["2022-06-30"],
                      truth=world.truth, label="synthetic",
                      forecaster=make_oracle(world.truth, "coin"), n_boot=20)
    lab = res.cases[(res.cases["model"] == bt.PACE_LABEL) & res.cases["answered"]]
    assert not lab.empty
    assert set(lab["p"]) <= {0.0, 1.0}
    assert set(lab["p_log"]) <= {0.05, 0.95}
    assert ((lab["p"] == 1) == (lab["p_log"] == 0.95)).all()
    # the common subset holds only cases both forecast
    common = res.scores[res.scores["subset"] == "common"].set_index("model")["n"]
    assert common.nunique() == 1 and common.iloc[0] <= lab.shape[0]


def test_failing_model_is_recorded_not_fatal(world):
    from forecast.errors import ModelError

    def broken(dataset, as_of, model, assumptions, units=None):
        raise ModelError(f"model {model!r} cannot be fitted here")

    res = bt.backtest(world.dataset(), models=("broken",), as_of_dates=["2022-06-30"],
                      truth=world.truth, label="synthetic", forecaster=broken, n_boot=20)
    assert res.failures["model"].tolist() == ["broken"]
    assert "cannot be fitted" in res.failures.loc[0, "error"]
    assert set(res.scores["model"]) == {bt.PACE_LABEL, bt.ALWAYS_REACH}
    broken = res.cases[res.cases["model"] == "broken"]
    assert len(broken) and not broken["answered"].any()
    assert broken["why"].str.contains("cannot be fitted").all()


@pytest.mark.slow
def test_cli_writes_reports_and_json(tmp_path, monkeypatch, capsys, world):
    import json

    from forecast.evaluate import synthetic
    from forecast.cli import main

    small = synthetic.generate(n_units=6, seed=1)
    monkeypatch.setattr(bt, "outlook_forecaster", make_oracle(small.truth, "perfect"))
    code = main(["backtest", "--no-public", "--synthetic-units", "6", "--seed", "1",
                 "--paths", "200", "--boot", "20", "--models", "oracle", "--json", "--workers", "1",
                 "--out", str(tmp_path)])
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    keys = {"model", "dataset", "n", "brier", "log_score", "coverage_50", "coverage_80",
            "interval_score"}
    assert printed["scores"] and all(keys <= set(r) for r in printed["scores"])
    oracle = [r for r in printed["scores"] if r["model"] == "oracle" and r["subset"] == "all"]
    assert oracle[0]["brier"] == 0 and oracle[0]["dataset"] == "synthetic"
    for name in ("scores.csv", "scores.json", "reliability.csv", "cases.csv", "run.json"):
        assert (tmp_path / name).stat().st_size > 0
    run = json.loads((tmp_path / "run.json").read_text())
    assert run["code_revision"] and run["parameters"]["paths"] == 200
    assert set(pd.read_csv(tmp_path / "scores.csv")["model"]) == {"oracle", bt.PACE_LABEL,
                                                                  bt.ALWAYS_REACH}


def test_models_share_one_engine_call_and_fall_back_one_by_one():
    ds = tiny_dataset()
    known = og.outcomes(ds)
    when = og.origins(ds, known)
    calls = []

    def fake(dataset, as_of, model, assumptions, units=None):
        calls.append(model)
        if isinstance(model, list) and as_of.month == 6:
            from forecast.errors import ModelError
            raise ModelError("a list is refused at mid-year")
        names = model if isinstance(model, list) else [model]
        return pd.DataFrame([{"unit_id": "cc", "target_id": "cc-2021", "model": m,
                              "p_reach": 0.25} for m in names])

    cases, failures = bt.forecast_cases(ds, known, when, ("m1", "m2"), forecaster=fake)
    assert failures.empty
    got = cases[(cases["target_id"] == "cc-2021") & cases["answered"]].groupby("model").size()
    assert got["m1"] == 3 and got["m2"] == 3  # 31 December, 1 January and 30 June
    # 1 January: one call with both; 30 June: the list refused, then one call each
    jan = [c for c in calls if isinstance(c, list)]
    assert ["m1", "m2"] in jan and "m1" in calls and "m2" in calls


def test_default_models_follow_the_registry(monkeypatch):
    from forecast.models import base

    assert bt.default_models()[:2] == ("hier_nb", "pooled_nb")
    assert bt.reference_model() == "hier_nb"
    # a new default model registered by the engine is scored first and becomes the reference
    monkeypatch.setitem(base.MODELS, "hier_nb", base.MODELS["pooled_nb"])
    monkeypatch.setitem(base.MODELS, "zz_new", base.MODELS["pooled_nb"])
    got = bt.default_models()
    assert got[0] == "hier_nb" and got[-1] == "zz_new" and "pooled_nb" in got
    assert bt.reference_model() == "hier_nb"
    monkeypatch.setattr(base, "DEFAULT_MODEL", "zz_new", raising=False)
    assert bt.reference_model() == "zz_new"
