"""Inputs that once crashed a command or loaded silently wrong (issue 11).

Each test starts from the small valid dataset in ``tests/bad_inputs/valid``,
breaks one thing, and checks the error names the file, row and column and
says how to fix it; the command line exits 2 without a traceback.
"""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import openpyxl
import pytest

from forecast.cli import main
from forecast.data.dataset import load
from forecast.errors import DataError, Problem

VALID = Path(__file__).resolve().parents[1] / "bad_inputs" / "valid"


def copy_valid(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(VALID, data)
    return data


def set_cell(data: Path, table: str, row: int, column: str, value: str) -> None:
    """Set one cell of ``<table>.csv`` (``row`` as a person counts: first data row = 2)."""
    path = data / f"{table}.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[row - 1][rows[0].index(column)] = value
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def problems_of(path) -> list[Problem]:
    with pytest.raises(DataError) as exc:
        load(path)
    return exc.value.problems


def only_problem(path) -> Problem:
    (p,) = problems_of(path)
    return p


def exits_2(args, capsys) -> str:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "Fix:" in err
    return err


@pytest.mark.parametrize("table,row,column,value", [
    ("observations", 2, "period_start", "0000-01-01"),
    ("observations", 2, "period_start", "0001-01-01"),
    ("observations", 3, "period_end", "2300-09-30"),
    ("sources", 2, "published", "31/12/1850"),
])
def test_dates_outside_the_plausible_years(tmp_path, capsys, table, row, column, value):
    data = copy_valid(tmp_path)
    set_cell(data, table, row, column, value)
    p = only_problem(data)
    assert (p.file.endswith(f"{table}.csv"), p.row, p.column, p.value) == (True, row, column, value)
    assert "between 1900 and 2100" in p.expected
    exits_2(["outlook", "--data", str(data)], capsys)


def test_a_term_ending_in_2300(tmp_path, capsys):
    data = copy_valid(tmp_path)
    set_cell(data, "targets", 2, "term", "2020-2300")
    p = only_problem(data)
    assert (p.row, p.column, p.value) == (2, "term", "2020-2300")
    assert "1900-2100" in p.expected
    exits_2(["outlook", "--data", str(data)], capsys)


def test_a_data_path_that_is_a_symlink_loop(tmp_path, capsys):
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    p = only_problem(loop)
    assert "loops back on itself" in p.expected
    exits_2(["audit", "--data", str(loop)], capsys)


def test_units_csv_that_is_a_symlink_loop(tmp_path, capsys):
    data = copy_valid(tmp_path)
    (data / "units.csv").unlink()
    (data / "units.csv").symlink_to(data / "units.csv")
    p = only_problem(data)
    assert p.file.endswith("units.csv") and "loops back on itself" in p.expected
    exits_2(["audit", "--data", str(data)], capsys)


def test_a_folder_named_units_csv(tmp_path, capsys):
    data = copy_valid(tmp_path)
    (data / "units.csv").unlink()
    (data / "units.csv").mkdir()
    p = only_problem(data)
    assert p.file.endswith("units.csv") and "a folder with that name" in p.expected
    exits_2(["audit", "--data", str(data)], capsys)


@pytest.mark.parametrize("value", ["9" * 401, "10.000.001", "~20000000"])
def test_counts_are_bounded(tmp_path, capsys, value):
    data = copy_valid(tmp_path)
    set_cell(data, "observations", 2, "value", value)
    p = only_problem(data)
    assert (p.row, p.column) == (2, "value") and "at most 10,000,000" in p.expected
    # The longest number is cut in the message, with its length.
    assert len(str(p)) < 400
    exits_2(["outlook", "--data", str(data)], capsys)


def test_the_largest_count_loads(tmp_path):
    data = copy_valid(tmp_path)
    set_cell(data, "observations", 4, "value", "10.000.000")  # members, a stock
    assert load(data).observations["value"].max() == 10_000_000


@pytest.mark.parametrize("char", ["\x00", "\x0b", "\x1b", "\x7f", "\ufffe"])
def test_control_characters_are_refused(tmp_path, capsys, char):
    data = copy_valid(tmp_path)
    set_cell(data, "units", 3, "name_vi", f"Đảng bộ huyện{char} Krông Bông")
    p = only_problem(data)
    assert (p.file.endswith("units.csv"), p.row, p.column) == (True, 3, "name_vi")
    assert f"U+{ord(char):04X}" in p.expected and "position 14" in p.expected
    exits_2(["brief", "--data", str(data), "--out", str(tmp_path / "b")], capsys)
    assert not (tmp_path / "b").exists()


def test_tabs_and_line_breaks_are_text(tmp_path):
    data = copy_valid(tmp_path)
    set_cell(data, "units", 3, "note", "first line\nsecond\tline\r\nthird")
    assert load(data).units["note"].iloc[1] == "first line\nsecond\tline\r\nthird"


@pytest.mark.parametrize("value", ["0", "0%", "<=0"])
def test_a_target_of_zero_is_refused(tmp_path, capsys, value):
    data = copy_valid(tmp_path)
    if value.endswith("%"):
        set_cell(data, "targets", 2, "measure", "pct_members")
    set_cell(data, "targets", 2, "value", value)
    p = only_problem(data)
    assert (p.file.endswith("targets.csv"), p.row, p.column) == (True, 2, "value")
    assert p.expected == "a target above zero"
    exits_2(["outlook", "--data", str(data)], capsys)


@pytest.mark.parametrize("value", ["1,5", "~2,5", "1.2520"])
def test_a_count_with_decimals_in_a_csv_file(tmp_path, value):
    data = copy_valid(tmp_path)
    set_cell(data, "observations", 2, "value", value)
    p = only_problem(data)
    assert (p.row, p.column, p.expected) == (2, "value", "a whole number (a count of people)")
    assert "without decimals" in p.fix


def workbook_of(folder: Path, path: Path, edit=None) -> Path:
    """The CSV tables of ``folder`` as sheets of one workbook; ``edit(wb)`` changes it."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for f in sorted(folder.glob("*.csv")):
        ws = wb.create_sheet(f.stem)
        with open(f, encoding="utf-8", newline="") as fh:
            for row in csv.reader(fh):
                ws.append(row)
    if edit:
        edit(wb)
    wb.save(path)
    return path


def test_a_fractional_count_in_a_number_cell_of_excel(tmp_path, capsys):
    # Someone types "1.252" into Excel set to English: it stores the number 1.252.
    def edit(wb):
        wb["observations"]["E4"] = 1.252  # cu-pui's admitted count, row 4 of the sheet
        wb["observations"]["E4"].data_type = "n"

    book = workbook_of(VALID, tmp_path / "book.xlsx", edit)
    wb_rows = list(openpyxl.load_workbook(book)["observations"].iter_rows(values_only=True))
    assert wb_rows[3][0] == "krong-bong-members-2021-10-12"  # the test edits the members row
    p = only_problem(book)
    assert (p.sheet, p.row, p.column) == ("observations", 4, "value")
    assert p.expected == "a whole number (a count of people)"
    assert "Excel set to English" in p.fix and "1,252" in p.fix and "type 1252" in p.fix
    exits_2(["outlook", "--data", str(book)], capsys)


def test_formulas_never_calculated_are_named_once(tmp_path, capsys):
    def edit(wb):
        wb["targets"]["H2"] = "=40*2"  # openpyxl stores formulas without a value
        wb["observations"]["E2"] = "=20+3"

    book = workbook_of(VALID, tmp_path / "book.xlsx", edit)
    p = only_problem(book)
    assert "2 formula cell(s) whose value was never calculated" in p.expected
    assert "targets!H2" in p.expected and "observations!E2" in p.expected
    assert "save it again" in p.fix
    exits_2(["audit", "--data", str(book)], capsys)


def test_a_million_character_cell(tmp_path, capsys):
    data = copy_valid(tmp_path)
    set_cell(data, "units", 3, "note", "x" * 1_000_000)
    p = only_problem(data)
    assert (p.row, p.expected) == (3, "cells of at most 5,000 characters")
    assert "131,072 characters" in p.fix
    err = exits_2(["audit", "--data", str(data)], capsys)
    assert len(err) < 1000


def test_a_long_cell_names_its_column(tmp_path):
    data = copy_valid(tmp_path)
    set_cell(data, "units", 3, "note", "x" * 6_000)
    p = only_problem(data)
    assert (p.row, p.column, p.expected) == (3, "note", "at most 5,000 characters in one cell")
    assert "(6,000 characters)" in str(p)


def test_an_unclosed_quotation_mark(tmp_path):
    data = copy_valid(tmp_path)
    text = (data / "units.csv").read_text(encoding="utf-8")
    (data / "units.csv").write_text(text.replace(",Đắk Lắk,\ncu-pui", ',"Đắk Lắk,\ncu-pui'),
                                    encoding="utf-8")
    p = only_problem(data)
    assert p.row == 3 and "never closed" in p.fix


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_title_above_the_header_is_said_once(tmp_path, capsys, kind):
    data = copy_valid(tmp_path)
    text = (data / "units.csv").read_text(encoding="utf-8")
    (data / "units.csv").write_text("Danh sách đơn vị\n\n" + text, encoding="utf-8")
    path = data if kind == "csv" else workbook_of(data, tmp_path / "book.xlsx")
    p = only_problem(path)
    assert p.row == 3 and "they are on row 3" in p.expected and "Danh sách" in p.expected
    assert p.fix == "delete the 1 line(s) above the column names"
    exits_2(["audit", "--data", str(path)], capsys)


@pytest.mark.parametrize("column", ["year", "term", "kind", "value"])
def test_a_misnamed_header_of_targets_is_reported_not_a_crash(tmp_path, column):
    # Found by tests/fuzz: a column absent from the header was None in every row,
    # and the target checks called str methods on it (AttributeError).
    data = copy_valid(tmp_path)
    set_cell(data, "targets", 1, column, column.upper())
    problems = problems_of(data)
    assert any(p.row == 1 and p.column == column.upper() for p in problems)


def test_a_symlink_to_the_data_folder_still_loads(tmp_path):
    link = tmp_path / "link"
    os.symlink(VALID, link)
    assert len(load(link).units) == 3
