"""The term review, the term option and units ended by the lineage.

Expected values are worked out by hand beside the assertions.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from forecast.cli import main
from forecast.config import Assumptions
from forecast.data.dataset import load
from forecast.data.lineage import ended_units
from forecast.data.terms import term_containing
from forecast.outlook.review import _forecast_cols, review_text_table, term_review


@pytest.fixture(scope="module")
def shipped():
    return load()


def test_term_review_of_2015_2020_over_the_shipped_data(shipped):
    a = dataclasses.replace(Assumptions(), n_paths=200)
    r = term_review(shipped, "2015-2020", ["2019-12-31"], assumptions=a)
    tg = r[r["unit_id"] == "tien-giang"].iloc[0]
    # 8.793 admitted against the 6.500 of the resolution: 8793 / 6500 = 1.3528
    assert tg["result"] == 8793 and tg["target"] == 6500
    assert tg["attainment"] == pytest.approx(1.3528, abs=1e-4)
    assert tg["reached"] is True or tg["reached"] == True  # noqa: E712
    assert tg["as_of"] == pd.Timestamp("2019-12-31")
    ns = r[r["unit_id"] == "nhon-son"].iloc[0]
    # Nhơn Sơn: 36 of 35 assigned = 102.9 % (printed 103 %)
    assert ns["attainment"] == pytest.approx(36 / 35)
    # Units with a result and no target as a count still have their row.
    assert r.loc[r["unit_id"] == "chu-se", "verdict"].tolist() == ["no_target"]
    printed = review_text_table(r, "vi")
    assert "kết quả" in printed.columns and "không có chỉ tiêu dạng số lượng" in set(
        printed["so với dự báo"])


def test_verdicts():
    reached = {"result": 110.0, "reached": True}
    missed = {"result": 90.0, "reached": False}
    # reached with p 0.3: better than forecast; missed with p 0.8: worse
    assert _forecast_cols(reached, pd.Series(
        {"p_reach": 0.3, "final_q10": 80.0, "final_q50": 95.0, "final_q90": 120.0}))[
        "verdict"] == "surprise_up"
    assert _forecast_cols(missed, pd.Series(
        {"p_reach": 0.8, "final_q10": 85.0, "final_q50": 105.0, "final_q90": 130.0}))[
        "verdict"] == "surprise_down"
    # missed with p 0.3 and the result inside 80-120: as forecast
    got = _forecast_cols(missed, pd.Series(
        {"p_reach": 0.3, "final_q10": 80.0, "final_q50": 95.0, "final_q90": 120.0}))
    assert got["verdict"] == "expected" and got["in_range80"] is True


def test_term_containing_and_ended_units(shipped):
    # 2020-2025 runs to 30 Sep 2025, 2025-2030 from 1 Jan 2025: the older term
    # is still counted in June 2025, the new one from October.
    assert term_containing(shipped, pd.Timestamp("2025-06-30")) == "2020-2025"
    assert term_containing(shipped, pd.Timestamp("2025-10-22")) == "2025-2030"
    # The July 2025 mergers end Tiền Giang and Gia Lai (old) on 1 Jul 2025.
    assert {"tien-giang", "gia-lai"} <= set(ended_units(shipped, pd.Timestamp("2025-07-01")))
    assert "tien-giang" not in ended_units(shipped, pd.Timestamp("2025-06-30"))


def test_outlook_of_the_new_gia_lai_for_its_term(shipped, capsys):
    code = main(["outlook", "--as-of", "2025-10-22", "--units", "gia-lai-moi", "tien-giang",
                 "--paths", "200", "--no-requirements", "--json"])
    assert code == 0
    out = capsys.readouterr()
    import json

    rows = json.loads(out.out)
    assert {r["term"] for r in rows} == {"2025-2030"}
    term = [r for r in rows if r["target_kind"] == "term"][0]
    # 3 % of 147.054 members a year over 1 Jan 2025 - 30 Sep 2030 (2098 days
    # / 365.25 = 5.744 years): 0.03 * 147054 * 5.744 = 25.340
    assert term["target"] == pytest.approx(25340, abs=2)
    assert term["cumulative"] == 2873
    assert "tien-giang" in out.err and "ended on 2025-07-01" in out.err


def test_unknown_term_is_refused(capsys):
    assert main(["outlook", "--term", "2030-2035", "--paths", "200"]) == 2
    assert "expected one of the terms of the data" in capsys.readouterr().err
