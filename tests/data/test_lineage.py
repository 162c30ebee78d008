"""Unit lineage: validation messages and the histories carried across events.

Expected sums are worked out by hand beside each assertion.
"""

from __future__ import annotations

import pandas as pd
import pytest

from forecast.data.dataset import Dataset
from forecast.errors import DataError

SRC = [{"source_id": "s1", "title": "t"}]
UNITS = [
    {"unit_id": u, "name_vi": u, "level": "province"}
    for u in ("a", "b", "ab", "old", "east", "west", "c")
]


def _obs(unit, value, year, measure="admitted", start=True, qualifier_text=None):
    return {"obs_id": f"{unit}-{measure}-{year}", "unit_id": unit, "measure": measure,
            "value": qualifier_text or value,
            "period_start": f"{year}-01-01" if start else "",
            "period_end": f"{year}-12-31", "source_id": "s1"}


OBS = [
    _obs("a", "1.252", 2022), _obs("b", "800", 2022),    # both report 2022
    _obs("a", "1.278", 2023),                            # only a reports 2023
    _obs("old", "1.000", 2022), _obs("old", "~600", 2023),
]
MERGE = [
    {"event_id": "M1", "event": "merge", "date": "2025-07-01", "predecessor_id": p,
     "successor_id": "ab", "source_id": "s1"} for p in ("a", "b")
]
SPLIT = [
    {"event_id": "S1", "event": "split", "date": "2024-01-01", "predecessor_id": "old",
     "successor_id": "east", "share": "40%", "source_id": "s1"},
    {"event_id": "S1", "event": "split", "date": "2024-01-01", "predecessor_id": "old",
     "successor_id": "west", "share": "50-60%", "source_id": "s1"},
]


def _ds(lineage, obs=OBS, units=UNITS):
    return Dataset.from_frames(units=units, sources=SRC, observations=obs, lineage=lineage)


def _value(ds, unit, year):
    o = ds.observations
    hit = o[(o["unit_id"] == unit) & (o["period_end"] == pd.Timestamp(f"{year}-12-31"))
            & (o["measure"] == "admitted")]
    return hit


def test_merge_sums_the_years_every_predecessor_reports():
    ds = _ds(MERGE)
    got = _value(ds, "ab", 2022)
    # 2022: a 1.252 + b 800 = 2.052, exact
    assert len(got) == 1
    assert got["value"].iloc[0] == 2052
    assert got["qualifier"].iloc[0] == "exact"
    assert got["obs_id"].iloc[0].endswith("-lineage")
    assert "a 1.252 + b 800" in got["note"].iloc[0]
    # 2023: only a reported; the sum would be a floor, so it is not given to the models
    assert _value(ds, "ab", 2023).empty
    part = ds.history[(ds.history["unit_id"] == "ab") & ~ds.history["complete"]]
    assert part["predecessor_id"].tolist() == ["a"]
    assert part["value"].tolist() == [1278]
    assert part["missing"].tolist() == ["b"]


def test_split_passes_on_shares_and_a_range_for_an_assumed_share():
    ds = _ds(SPLIT)
    east22, west22 = _value(ds, "east", 2022), _value(ds, "west", 2022)
    # east: 40 % of 1.000 = 400, exact
    assert east22["value"].iloc[0] == pytest.approx(400)
    assert east22["qualifier"].iloc[0] == "exact"
    # west: 50-60 % of 1.000 = 500-600, central 550
    assert west22[["low", "value", "high"]].iloc[0].tolist() == pytest.approx([500, 550, 600])
    assert west22["qualifier"].iloc[0] == "range"
    # 2023: ~600 × 40 % = ~240 (approx); 600 × 50-60 % = 300-360
    assert _value(ds, "east", 2023)["value"].iloc[0] == pytest.approx(240)
    assert _value(ds, "east", 2023)["qualifier"].iloc[0] == "approx"
    assert _value(ds, "west", 2023)[["low", "high"]].iloc[0].tolist() == pytest.approx([300, 360])


def test_a_chain_of_events_carries_the_first_predecessors_years():
    chain = MERGE + [{"event_id": "M2", "event": "merge", "date": "2026-01-01",
                      "predecessor_id": "ab", "successor_id": "c", "source_id": "s1"}]
    ds = _ds(chain)
    # c inherits ab's derived 2022 (1.252 + 800 = 2.052)
    assert _value(ds, "c", 2022)["value"].tolist() == [2052]


def test_a_successors_own_report_wins_over_the_sum():
    ds = _ds(MERGE, obs=OBS + [_obs("ab", "2.100", 2022)])
    got = _value(ds, "ab", 2022)
    assert got["value"].tolist() == [2100]


def _problems(lineage, obs=OBS):
    with pytest.raises(DataError) as err:
        _ds(lineage, obs)
    return str(err.value)


def test_merge_into_a_unit_that_does_not_exist():
    bad = [{**MERGE[0], "successor_id": "dong-thap-moi"}]
    msg = _problems(bad)
    assert "lineage (in memory), row 2, column 'successor_id'" in msg
    assert "'dong-thap-moi'" in msg
    assert "add a row for dong-thap-moi to units.csv" in msg


def test_date_outside_both_units_lives():
    # ab is created on 2025-07-01; a merge of ab into c dated 2020 is before it existed
    bad = MERGE + [{"event_id": "M2", "event": "merge", "date": "2020-01-01",
                    "predecessor_id": "ab", "successor_id": "c", "source_id": "s1"}]
    msg = _problems(bad)
    assert "row 4, column 'date'" in msg
    assert "within the life of ab, which was created on 2025-07-01" in msg


def test_a_unit_merged_twice():
    bad = MERGE + [{"event_id": "M2", "event": "merge", "date": "2025-07-01",
                    "predecessor_id": "a", "successor_id": "c", "source_id": "s1"}]
    msg = _problems(bad)
    assert "row 4, column 'predecessor_id'" in msg
    assert "a already ends in event M1 (row 2)" in msg


def test_a_cycle():
    bad = [{"event_id": "R1", "event": "rename", "date": "2024-01-01", "predecessor_id": "a",
            "successor_id": "b", "source_id": "s1"},
           {"event_id": "R2", "event": "rename", "date": "2024-01-01", "predecessor_id": "b",
            "successor_id": "a", "source_id": "s1"}]
    msg = _problems(bad)
    assert "they loop: a → b → a" in msg


def test_split_shares_above_100_percent():
    bad = [SPLIT[0], {**SPLIT[1], "share": "70%"}]
    msg = _problems(bad)
    # 40 % + 70 % = 110 %
    assert "row 3, column 'share'" in msg
    assert "add up to 110% (40% + 70%)" in msg


def test_reports_after_the_unit_ended():
    late = OBS + [_obs("a", "100", 2026)]
    msg = _problems(MERGE, late)
    assert "observations (in memory), row 7, column 'unit_id'" in msg
    assert "give the report to the successor ab" in msg


def test_bad_lineage_on_the_command_line_exits_2(tmp_path, capsys):
    import shutil

    from forecast.cli import main
    from forecast.paths import DATA_DIR

    for f in DATA_DIR.glob("*.csv"):
        shutil.copy(f, tmp_path / f.name)
    text = (tmp_path / "lineage.csv").read_text(encoding="utf-8")
    (tmp_path / "lineage.csv").write_text(
        text.replace(",khanh-hoa-moi,", ",khanh-hoa-moii,"), encoding="utf-8")
    assert main(["audit", "--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "lineage.csv, row 4, column 'successor_id': found 'khanh-hoa-moii'" in err
    assert "Traceback" not in err


def test_predecessor_history_chart_in_both_languages():
    from forecast.figures.lineage import predecessor_history

    ds = _ds(MERGE)
    for lang, words, sep in (("vi", "đơn vị tiền thân", "."), ("en", "predecessors", ",")):
        names = {u: u.upper() for u in ds.units["unit_id"]}
        chart = predecessor_history(ds.history, "ab", names=names, event_date="2025-07-01",
                                    source_line="Source: s1.", lang=lang)
        assert words in chart.title
        # 2022: A 1.252 and B 800 stacked; 2023: A 1.278 only (B missing)
        assert f"2022: A 1{sep}252, B 800; 2023: A 1{sep}278" in chart.alt_text
