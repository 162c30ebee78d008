"""Every bad-input case under tests/bad_inputs/ gets its own clear message.

Each folder there is the small valid dataset of ``tests/bad_inputs/valid``
with one deliberate fault (see tests/bad_inputs/README.md). For each we check
the number of problems and that the message names the file, row, column, the
value found and the fix.
"""

from pathlib import Path

import pytest

from forecast.data.dataset import Dataset, load
from forecast.errors import DataError

BAD = Path(__file__).resolve().parents[1] / "bad_inputs"

# case, file, row, column, words the message must contain (value found, expected, fix)
CASES = [
    ("missing_column", "observations.csv", 1, "period_end",
     ["required column 'period_end'", "add a column named 'period_end'"]),
    ("missing_value", "units.csv", 3, "name_vi", ["found ''", "fill in 'name_vi'"]),
    ("unknown_unit", "observations.csv", 5, "unit_id",
     ["found 'cu-puy'", "units.unit_id", "did you mean 'cu-pui'"]),
    ("unknown_parent", "units.csv", 3, "parent_id",
     ["found 'dak-lac'", "did you mean 'dak-lak'"]),
    ("unknown_source", "targets.csv", 3, "source_id",
     ["found 'baodaklak-2021-10-21'", "did you mean 'baodaklak-2021-10-12'"]),
    ("unknown_target_ref", "observations.csv", 3, "ref",
     ["found 'krong-bong-2012'", "targets.target_id", "did you mean 'krong-bong-2021'"]),
    ("duplicate_unit", "units.csv", 5, "unit_id",
     ["found 'krong-bong'", "a unique unit_id", "units.csv, row 3",
      "give one of the two rows another id"]),
    ("negative_count", "observations.csv", 2, "value",
     ["found '-23'", "a count of zero or more", "remove the minus sign"]),
    ("non_numeric_count", "observations.csv", 5, "value",
     ["found 'eight'", "a number such as 1.252", "write the number as reported"]),
    ("share_out_of_range", "observations.csv", 3, "value",
     ["found '2.880%'", "between 0 and 1000", "write the share in percent"]),
    ("percent_on_count", "targets.csv", 2, "value",
     ["found '80%'", "not a percentage", "write the number of people"]),
    ("bad_choice", "units.csv", 4, "level",
     ["found 'xa'", "one of: national, province, bloc, district, commune, base, cell"]),
    ("end_before_start", "observations.csv", 5, "period_end",
     ["found '2021-09-30'", "on or after period_start (2021-10-01)", "swap"]),
    ("bad_date", "observations.csv", 4, "period_end",
     ["found '12 Oct 2021'", "YYYY-MM-DD", "write the date as 2021-06-30"]),
    ("annual_without_year", "targets.csv", 2, "year",
     ["calendar year of an annual target", "write the year"]),
    ("parent_loop", "units.csv", 2, "parent_id",
     ["it loops: dak-lak → cu-pui → krong-bong → dak-lak", "correct the parent_id"]),
    ("not_utf8", "units.csv", 2, None,
     ["byte 0xd0 at line 2", "UTF-8", "save it as 'CSV UTF-8"]),
    ("empty_file", "units.csv", None, None, ["a header line (unit_id,", "the file is empty"]),
    ("header_only", "targets.csv", None, None,
     ["at least one data row in table 'targets'", "add the rows"]),
]


def _problems(case):
    with pytest.raises(DataError) as info:
        load(BAD / case)
    return info.value.problems, str(info.value)


def test_valid_base_loads():
    ds = load(BAD / "valid")
    assert len(ds.units) == 3 and len(ds.observations) == 4


@pytest.mark.parametrize("case, file, row, column, words", CASES, ids=[c[0] for c in CASES])
def test_bad_input_message(case, file, row, column, words):
    problems, message = _problems(case)
    # Each case has exactly its one fault, except missing_column, where the
    # renamed header is reported as well as the missing one.
    expected_n = 2 if case == "missing_column" else 1
    assert len(problems) == expected_n, message
    p = next(p for p in problems if p.column == column)
    assert Path(p.file).as_posix().endswith(f"{case}/{file}")
    assert p.row == row
    text = str(p)
    assert text.startswith(p.file)
    if row is not None:
        assert f"row {row}" in text
    if column is not None:
        assert f"column '{column}'" in text
    for w in words:
        assert w in text, text
    assert "Fix: " in text


def test_unknown_column_names_the_valid_ones():
    problems, _ = _problems("missing_column")
    p = next(p for p in problems if p.column == "end_date")
    assert p.row == 1
    assert "obs_id, unit_id, measure" in p.expected
    assert "is it the missing column 'period_end'" in p.fix


def test_missing_table_named_once():
    problems, message = _problems("missing_table")
    assert len(problems) == 1, message
    assert "a table 'sources'" in message and "add sources.csv" in message


def test_all_problems_reported_together():
    problems, message = _problems("many_problems")
    assert message.startswith("3 problems in the input data:")
    got = sorted((p.row, p.column) for p in problems)
    assert got == [(2, "measure"), (4, "period_end"), (5, "unit_id")]
    assert "did you mean 'admitted'" in message
    assert "a real calendar date" in message  # 2021-13-01


def test_problems_across_files_together(tmp_path):
    # Two broken locations at once: both files' problems in one error.
    with pytest.raises(DataError) as info:
        load([BAD / "unknown_unit", BAD / "bad_choice"])
    files = {Path(p.file).parent.name for p in info.value.problems}
    assert {"unknown_unit", "bad_choice"} <= files


# -- checks through Dataset.from_frames ---------------------------------------
UNITS = [{"unit_id": "a", "name_vi": "A", "level": "province"},
         {"unit_id": "b", "name_vi": "B", "level": "district", "parent_id": "a"}]
SOURCES = [{"source_id": "s", "title": "S"}]


def _obs(**kw):
    row = {"obs_id": "o", "unit_id": "b", "measure": "admitted", "value": "5",
           "period_start": "2021-01-01", "period_end": "2021-12-31", "source_id": "s"}
    row.update(kw)
    return row


def _errors(**frames):
    args = dict(units=UNITS, sources=SOURCES, targets=[], observations=[])
    args.update(frames)
    with pytest.raises(DataError) as info:
        Dataset.from_frames(**args)
    return info.value.problems


@pytest.mark.parametrize("value, ok", [
    ("83,5", True),        # a share without % is read as percent (documented)
    ("83,5%", True),
    ("0%", True),
    ("1000%", True),
    ("1000,5%", False),
    ("-1%", False),
])
def test_share_bounds(value, ok):
    obs = [_obs(measure="attainment_pct", value=value)]
    if ok:
        ds = Dataset.from_frames(units=UNITS, sources=SOURCES, targets=[], observations=obs)
        assert ds.observations["value"].iloc[0] == float(value.rstrip("%").replace(",", "."))
    else:
        (p,) = _errors(observations=obs)
        assert p.column == "value" and "between 0 and 1000" in p.expected


def test_change_may_be_negative():
    obs = [_obs(measure="change_pct", value="-10%", ref="2020")]
    ds = Dataset.from_frames(units=UNITS, sources=SOURCES, targets=[], observations=obs)
    assert ds.observations["value"].iloc[0] == -10.0
    (p,) = _errors(observations=[_obs(measure="change_pct", value="-150%")])
    assert "between -100 and 1000" in p.expected


def test_other_measure_keeps_any_text():
    obs = [_obs(measure="other", value="54/67 units fewer")]
    ds = Dataset.from_frames(units=UNITS, sources=SOURCES, targets=[], observations=obs)
    row = ds.observations.iloc[0]
    assert row["value_text"] == "54/67 units fewer" and row["value"] != row["value"]


def test_flow_needs_period_start_but_stock_does_not():
    (p,) = _errors(observations=[_obs(period_start="")])
    assert (p.row, p.column) == (2, "period_start")
    ds = Dataset.from_frames(units=UNITS, sources=SOURCES, targets=[],
                             observations=[_obs(measure="members", value="3.360",
                                                period_start="")])
    assert ds.observations["period_kind"].iloc[0] == "point"


def test_attainment_ref_must_be_a_target_of_the_same_unit():
    targets = [{"target_id": "a-2021", "unit_id": "a", "term": "2020-2025", "kind": "annual",
                "year": "2021", "layer": "plan", "measure": "count", "value": "50",
                "source_id": "s"}]
    obs = [_obs(measure="attainment_pct", value="80%", ref="a-2021")]  # unit b
    (p,) = _errors(targets=targets, observations=obs)
    assert (p.column, p.value) == ("ref", "a-2021")
    assert "a target of unit b" in p.expected


def test_conversion_ref_must_be_a_funnel_stage():
    (p,) = _errors(observations=[_obs(measure="conversion_pct", value="36,7%", ref="youth")])
    assert p.column == "ref" and "introduced, trained" in p.expected


def test_duplicate_obs_ids_name_both_rows():
    (p,) = _errors(observations=[_obs(), _obs(value="6")])
    assert (p.row, p.column) == (3, "obs_id")
    assert "row 2" in p.expected


def test_self_parent_is_a_loop():
    units = [{"unit_id": "a", "name_vi": "A", "level": "province", "parent_id": "a"}]
    (p,) = _errors(units=units)
    assert "it loops: a → a" in p.expected


def test_annual_year_outside_term():
    targets = [{"target_id": "t", "unit_id": "b", "term": "2020-2025", "kind": "annual",
                "year": "2027", "layer": "plan", "measure": "count", "value": "5",
                "source_id": "s"}]
    (p,) = _errors(targets=targets)
    assert (p.column, p.value) == ("year", "2027")


def test_bad_term_label():
    targets = [{"target_id": "t", "unit_id": "b", "term": "2025-2020", "kind": "term",
                "layer": "plan", "measure": "count", "value": "5", "source_id": "s"}]
    (p,) = _errors(targets=targets)
    assert p.column == "term" and "YYYY-YYYY" in p.expected


def test_id_with_spaces_gets_a_slug():
    units = [*UNITS, {"unit_id": "Cư Pui", "name_vi": "C", "level": "commune"}]
    (p,) = _errors(units=units)
    assert p.column == "unit_id" and "without spaces" in p.fix


def test_correction_of_unknown_record():
    corr = [{"table": "observations", "record_id": "nope", "column": "value",
             "reported": "9", "corrected": "8", "reason": "r"}]
    (p,) = _errors(observations=[_obs()], corrections=corr)
    assert (p.column, p.value) == ("record_id", "nope")


# -- through the command line -------------------------------------------------
@pytest.mark.parametrize("case", ["unknown_unit", "not_utf8", "parent_loop", "empty_file"])
def test_cli_exits_2_without_traceback(case, capsys):
    from forecast.cli import main

    assert main(["audit", "--data", str(BAD / case)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("forecast audit: error: 1 problem in the input data:")
    assert f"{case}/" in err and "Fix: " in err
    assert "Traceback" not in err
