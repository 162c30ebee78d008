"""Sensitivity table: term deadlines, alternatives, defaults, models without an option."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from forecast.config import Assumptions
from forecast.data.dataset import Dataset
from forecast.errors import ConfigError
from forecast.evaluate import sensitivity as sv
from forecast.labels import NBSP

FEW = Assumptions(n_paths=200, seed=3)


def test_every_string_has_both_languages():
    assert all(set(v) == {"vi", "en"} and all(v.values()) for v in sv.STRINGS.values())
    keys = {a.assumption for a in sv.alternatives()}
    keys |= {f"{a.assumption}:{a.key}" for a in sv.alternatives()}
    assert keys <= set(sv.STRINGS)


def test_with_term_end_moves_only_terms_the_terms_table_does_not_give():
    ds = Dataset.from_frames(
        units=[{"unit_id": u, "name_vi": u, "level": "commune"} for u in ("a", "b")],
        sources=[{"source_id": "s", "title": "t"}],
        terms=[{"unit_id": "b", "term": "2020-2025", "start": "2020-01-01",
                "end": "2025-02-14"}],
        targets=[{"target_id": f"{u}-term", "unit_id": u, "term": "2020-2025", "kind": "term",
                  "layer": "resolution", "measure": "count", "value": "50", "source_id": "s"}
                 for u in ("a", "b")],
        observations=[{"obs_id": "a1", "unit_id": "a", "measure": "admitted", "value": "9",
                       "period_start": "2020-01-01", "period_end": "2020-12-31",
                       "source_id": "s"}])
    moved = sv.with_term_end(ds, "12-31")
    dl = dict(zip(moved.targets["target_id"], moved.targets["deadline"]))
    # a: the default rule, now 31 December 2025; b: its congress date from terms.csv stays
    assert dl == {"a-term": pd.Timestamp("2025-12-31"), "b-term": pd.Timestamp("2025-02-14")}
    assert moved.assumptions.term_end == "12-31"
    assert ds.targets["deadline"].tolist() == [pd.Timestamp("2025-09-30"),
                                               pd.Timestamp("2025-02-14")]


@pytest.fixture(scope="module")
def table(tiny_dataset):
    t = sv.sensitivity(tiny_dataset, ["tien-giang"], "2022-12-31", model="pooled_nb",
                       assumptions=FEW)
    # The outlook also answers next years' annual targets (assumed ones): keep the term.
    return t[t["target_id"] == "tien-giang-term-2020-2025"].reset_index(drop=True)


def test_one_row_per_target_and_alternative(table):
    assert len(table) == len(sv.alternatives())  # one open target: the 2020-2025 term
    assert set(table["target_id"]) == {"tien-giang-term-2020-2025"}
    defaults = table[table["is_default"]]
    assert sorted(defaults["assumption"] + ":" + defaults["alternative"]) == [
        "prior:population", "profile:estimated", "push:off", "slope:estimated", "term_end:09-30",
        "trend:on"]
    # every default row is the base run: the same numbers
    assert defaults["p_reach"].nunique() == 1 and defaults["final_q50"].nunique() == 1


def test_term_deadline_alternatives_move_the_deadline(table):
    t = table[table["assumption"] == "term_end"].set_index("alternative")
    assert t["deadline"].dt.strftime("%Y-%m-%d").to_dict() == {
        "06-30": "2025-06-30", "09-30": "2025-09-30", "12-31": "2025-12-31"}


def test_model_without_the_option_says_so_and_gives_no_number(table):
    prior = table[table["assumption"] == "prior"].set_index("alternative")
    assert np.isnan(prior.loc["corrected", "p_reach"])
    assert (prior["note"] == "model pooled_nb has no option 'prior'").all()
    # pooled_nb has a trend option: both trend rows have numbers and no note
    trend = table[table["assumption"] == "trend"]
    assert trend["p_reach"].notna().all() and (trend["note"] == "").all()
    # Monte Carlo error of a probability from 200 paths: sqrt(p (1 - p) / 200)
    row = trend.iloc[0]
    assert row["mc_se"] == pytest.approx(np.sqrt(row["p_reach"] * (1 - row["p_reach"]) / 200))


def test_markdown_by_hand():
    rows = [
        {"unit_id": "a", "name": "Xã A", "target_id": "a-2021", "target_kind": "annual",
         "term": "2020-2025", "deadline": pd.Timestamp("2021-12-31"), "assumption": "trend",
         "alternative": k, "is_default": k == "on", "p_reach": p,
         "assumption_label": "Trend", "alternative_label": k, "note": ""}
        for k, p in (("on", 0.5), ("off", 0.999))]
    md = sv.sensitivity_markdown(pd.DataFrame(rows), "en").splitlines()
    assert md[0] == "| Assumption | Alternative | Xã A: 2021 target |"
    assert md[2] == f"| Trend | on (default) | 50{NBSP}% |"
    assert md[3] == f"| Trend | off | >99{NBSP}% |"


def test_unknown_unit_is_a_clear_error(tiny_dataset):
    with pytest.raises(ConfigError, match="not in the dataset"):
        sv.sensitivity(tiny_dataset, ["tien-gang"], "2022-12-31", assumptions=FEW)


def test_cli_prints_json_in_vietnamese(capsys):
    from forecast.cli import main
    from tests.conftest import TINY_DIR

    code = main(["sensitivity", "--data", str(TINY_DIR), "--units", "krong-bong",
                 "--as-of", "2021-06-30", "--paths", "200", "--model", "pooled_nb",
                 "--lang", "vi", "--json"])
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    # The printed 2021 target, and the 2022 one the outlook assumes for next year.
    assert {r["target_id"] for r in rows} == {"krong-bong-2021", "krong-bong-2022-assumed"}
    assert {r["assumption_label"] for r in rows} >= {"Hạn chỉ tiêu nhiệm kỳ", "Xu hướng"}


def _register(monkeypatch, name, refuse):
    """A model like pooled_nb that raises ``refuse(options)`` when it is not None."""
    from forecast.models import base
    from forecast.models.pooled import fit_pooled

    def fit(data, profile, **options):
        error = refuse(options)
        if error is not None:
            raise error
        fitted = fit_pooled(data, profile, **options)
        fitted.name = name
        return fitted

    monkeypatch.setitem(base.MODELS, name, fit)


def test_a_model_refusing_an_option_in_its_own_words_gets_the_note(tiny_dataset, monkeypatch):
    _register(monkeypatch, "picky", lambda o: ConfigError(
        "model option 'prior' is not known to this model") if "prior" in o else None)
    t = sv.sensitivity(tiny_dataset, ["krong-bong"], "2021-06-30", model="picky",
                       assumptions=FEW)
    t = t[t["target_id"] == "krong-bong-2021"]   # not the assumed 2022 target
    prior = t[t["assumption"] == "prior"].set_index("alternative")
    assert np.isnan(prior.loc["corrected", "p_reach"])
    assert (prior["note"] == "model picky has no option 'prior'").all()
    assert t.loc[t["assumption"] == "trend", "p_reach"].notna().all()


def test_any_other_failure_of_an_alternative_is_raised(tiny_dataset, monkeypatch):
    _register(monkeypatch, "fragile", lambda o: ConfigError(
        "the fit did not converge") if o.get("trend") is False else None)
    with pytest.raises(ConfigError, match="did not converge"):
        sv.sensitivity(tiny_dataset, ["krong-bong"], "2021-06-30", model="fragile",
                       assumptions=FEW)


def test_the_default_model_answers_both_slope_alternatives(tiny_dataset):
    t = sv.sensitivity(tiny_dataset, ["tien-giang"], "2022-12-31", model="hier_nb",
                       assumptions=FEW)
    slope = t[(t["target_id"] == "tien-giang-term-2020-2025")
              & (t["assumption"] == "slope")].set_index("alternative")
    assert slope["p_reach"].notna().all() and (slope["note"] == "").all()
    assert slope["is_default"].to_dict() == {"estimated": True, "offset": False}
