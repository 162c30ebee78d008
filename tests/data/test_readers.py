"""Reading CSV files and Excel workbooks into raw text, with row numbers."""

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from forecast.data.dataset import load
from forecast.errors import DataError
from forecast.data.readers import read_csv, read_path, table_for_name
from forecast.data.schema import TABLES

HERE = Path(__file__).resolve().parents[1]
VALID = HERE / "bad_inputs" / "valid"


def test_table_for_name():
    assert table_for_name("targets").name == "targets"
    assert table_for_name("Targets-HaNam").name == "targets"
    assert table_for_name("README") is None
    assert table_for_name("unit") is None


def test_bom_accepted():
    ds = load(HERE / "fixtures" / "bom")
    assert ds.units["unit_id"].tolist()[0] == "dak-lak"  # no BOM glued to the header


def test_row_numbers_skip_blank_lines_and_follow_quoted_newlines(tmp_path):
    f = tmp_path / "units.csv"
    f.write_text(
        "unit_id,name_vi,level,note\n"       # line 1
        "a,A,province,\n"                    # line 2
        "\n"                                 # line 3 (blank, skipped)
        'b,B,district,"two\nlines"\n'        # lines 4-5
        "c,C,commune,\n",                    # line 6
        encoding="utf-8")
    frame, problems = read_csv(f, TABLES["units"])
    assert problems == []
    assert frame["_row"].tolist() == [2, 4, 6]
    assert frame["note"].tolist() == ["", "two\nlines", ""]
    # Columns absent from the header are None (reported once), not blank.
    assert frame["parent_id"].tolist() == [None, None, None]


def test_semicolon_csv_from_a_decimal_comma_excel(tmp_path):
    f = tmp_path / "observations.csv"
    f.write_text("obs_id;unit_id;measure;value;period_start;period_end;source_id\n"
                 "o;a;attainment_pct;83,5%;2020;2020;s\n", encoding="utf-8")
    frame, problems = read_csv(f, TABLES["observations"])
    assert problems == []
    assert frame["value"].tolist() == ["83,5%"]


def test_extra_cells_reported(tmp_path):
    f = tmp_path / "units.csv"
    f.write_text("unit_id,name_vi,level\na,A,province,1.252\n", encoding="utf-8")
    _, problems = read_csv(f, TABLES["units"])
    (p,) = problems
    assert p.row == 2 and p.value == "1.252" and "quote a value" in p.fix


def test_duplicate_header_reported(tmp_path):
    f = tmp_path / "units.csv"
    f.write_text("unit_id,name_vi,level,level\na,A,province,district\n", encoding="utf-8")
    _, problems = read_csv(f, TABLES["units"])
    assert [(p.row, p.column) for p in problems] == [(1, "level")]


def test_other_csv_files_ignored_and_not_a_dataset(tmp_path):
    (tmp_path / "excluded_rows.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    frames, problems, files = read_path(tmp_path)
    assert frames == {} and problems == [] and files == []
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    _, problems, _ = read_path(tmp_path / "notes.txt")
    assert "Excel workbook" in problems[0].expected
    _, problems, _ = read_path(tmp_path / "nowhere")
    assert "existing folder" in problems[0].expected


def test_missing_unit_table_suggests_a_near_file_name(tmp_path):
    for f in VALID.glob("*.csv"):
        name = "unit.csv" if f.name == "units.csv" else f.name
        (tmp_path / name).write_bytes(f.read_bytes())
    with pytest.raises(DataError) as info:
        load(tmp_path)
    (p,) = info.value.problems
    assert "rename unit.csv to units.csv" in p.fix


# -- Excel -------------------------------------------------------------------
def _csv_rows(name):
    import csv

    with open(VALID / f"{name}.csv", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _workbook_from_valid(path, tweak=None):
    wb = openpyxl.Workbook()
    wb.active.title = "README"
    wb.active["A1"] = "Notes for people; not a table"
    for name in ("units", "sources", "targets", "observations"):
        ws = wb.create_sheet(name)
        for row in _csv_rows(name):
            ws.append(row)
    if tweak:
        tweak(wb)
    wb.save(path)
    return path


def test_workbook_reads_like_the_csv_folder(tmp_path):
    ds_csv = load(VALID)
    ds_xl = load(_workbook_from_valid(tmp_path / "data.xlsx"))
    for name in ("units", "targets", "observations"):
        a, b = getattr(ds_csv, name), getattr(ds_xl, name)
        assert a.astype(str).values.tolist() == b.astype(str).values.tolist(), name


def test_workbook_numeric_cells(tmp_path):
    def tweak(wb):
        ws = wb["observations"]
        # Row 2: admitted typed as a number; row 3: attainment as 0.288 shown as %;
        # row 4: members 3.360 typed as text stays Vietnamese thousands;
        # row 5: a date cell for period_end.
        ws["E2"] = 23
        ws["E3"] = 0.288
        ws["E3"].number_format = "0.0%"
        ws["G5"] = dt.datetime(2021, 9, 30)
        wb["targets"]["E2"] = 2021  # year as a number, no ".0"
        wb["targets"]["H2"] = 80.0  # a float that is whole

    ds = load(_workbook_from_valid(tmp_path / "data.xlsx", tweak))
    obs = ds.observations.set_index("obs_id")
    assert obs.at["krong-bong-admitted-2021h1", "value_text"] == "23"
    assert obs.at["krong-bong-attainment-2021h1", "value_text"] == "28.8%"
    assert obs.at["krong-bong-attainment-2021h1", "value"] == pytest.approx(28.8)
    assert obs.at["krong-bong-members-2021-10-12", "value"] == 3360
    assert str(obs.at["cu-pui-admitted-2021-9m", "period_end"].date()) == "2021-09-30"
    tg = ds.targets.set_index("target_id")
    assert tg.at["krong-bong-2021", "year"] == 2021
    assert tg.at["krong-bong-2021", "value_text"] == "80"


def test_workbook_decimal_number_not_read_as_thousands(tmp_path):
    def tweak(wb):
        wb["observations"]["E3"] = 1.252  # a number cell: one point two five two
    ds = load(_workbook_from_valid(tmp_path / "data.xlsx", tweak))
    value = ds.observations.set_index("obs_id").at["krong-bong-attainment-2021h1", "value"]
    assert value == pytest.approx(1.252)


def test_broken_workbook_names_sheet_row_and_column(tmp_path):
    def tweak(wb):
        ws = wb["observations"]
        ws["B5"] = "cu-puy"          # sheet row 5: unknown unit
        ws["E2"] = "-23"             # sheet row 2: negative count
        wb["units"]["D4"] = "xa"     # sheet units row 4: bad level

    path = _workbook_from_valid(tmp_path / "broken.xlsx", tweak)
    with pytest.raises(DataError) as info:
        load(path)
    got = sorted((p.sheet, p.row, p.column) for p in info.value.problems)
    assert got == [("observations", 2, "value"), ("observations", 5, "unit_id"),
                   ("units", 4, "level")]
    message = str(info.value)
    assert "broken.xlsx [sheet observations], row 5, column 'unit_id'" in message
    assert "did you mean 'cu-pui'" in message


def test_workbook_missing_column_and_blank_rows(tmp_path):
    def tweak(wb):
        ws = wb["units"]
        ws.delete_cols(4)  # level
        ws.insert_rows(3)  # a blank row 3 between data rows
        ws["B5"] = ""      # name_vi of the unit now on row 5 (cu-pui)

    path = _workbook_from_valid(tmp_path / "broken.xlsx", tweak)
    with pytest.raises(DataError) as info:
        load(path)
    got = sorted((p.row, p.column) for p in info.value.problems)
    assert got == [(1, "level"), (5, "name_vi")]


def test_not_a_workbook(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("not a zip", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load(path)
    (p,) = info.value.problems  # reported once, not also as missing tables
    assert "re-save the file" in p.fix and p.file.endswith("fake.xlsx")


def test_folder_and_workbook_merged(tmp_path):
    # The analyst's own workbook adds one observation to a CSV dataset.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "observations-mine"
    ws.append(["obs_id", "unit_id", "measure", "value", "period_start", "period_end",
               "source_id"])
    ws.append(["cu-pui-admitted-2022", "cu-pui", "admitted", "9", "2022", "2022",
               "baodaklak-2021-10-12"])
    wb.save(tmp_path / "mine.xlsx")
    ds = load([VALID, tmp_path / "mine.xlsx"])
    assert ds.observations["obs_id"].tolist()[-1] == "cu-pui-admitted-2022"
    assert len(ds.observations) == 5
    assert ds.where("observations", "cu-pui-admitted-2022").endswith(
        "mine.xlsx [sheet observations-mine], row 2")
