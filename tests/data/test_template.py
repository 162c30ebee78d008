"""The data-entry workbook: sheets, headers, README, a valid example row."""

import openpyxl
import pytest

from forecast.cli import main
from forecast.data.dataset import load
from forecast.errors import ConfigError
from forecast.data.schema import TABLES
from forecast.data.template import README_SHEET, write_template


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return write_template(tmp_path_factory.mktemp("tpl") / "template.xlsx")


def test_sheets_and_headers(template):
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == [README_SHEET, *TABLES]
    for name, table in TABLES.items():
        ws = wb[name]
        assert [c.value for c in ws[1]] == table.column_names


def test_example_rows_are_text(template):
    ws = openpyxl.load_workbook(template)["targets"]
    row = {h.value: c.value for h, c in zip(ws[1], ws[2])}
    assert row["value"] == "6.500"  # text, so it reads as six thousand five hundred
    assert ws["H2"].number_format == "@"


def test_readme_describes_every_column(template):
    ws = openpyxl.load_workbook(template)[README_SHEET]
    described = {(r[0], r[1]) for r in ws.iter_rows(min_row=5, values_only=True) if r[1]}
    expected = {(t.name, c.name) for t in TABLES.values() for c in t.columns}
    assert described == expected
    levels = next(r for r in ws.iter_rows(values_only=True) if r[:2] == ("units", "level"))
    assert levels[5] == "national, province, bloc, district, commune, base, cell"


def test_template_loads_back_as_valid_data(template):
    ds = load(template)
    assert ds.units["unit_id"].tolist() == ["tien-giang"]
    tg = ds.targets.iloc[0]
    assert (tg["value"], tg["kind"]) == (6500.0, "term")
    # The terms sheet's example row is an explicit window for the same term.
    term = ds.terms.iloc[0]
    assert bool(term["explicit"]) and str(term["end"].date()) == "2025-09-30"
    obs = ds.observations.iloc[0]
    assert (obs["value"], obs["period_kind"]) == (1252.0, "year")
    assert ds.corrections.empty


def test_refuses_to_overwrite(template):
    with pytest.raises(ConfigError, match="--force"):
        write_template(template)
    write_template(template, force=True)  # allowed


def test_refuses_other_suffix(tmp_path):
    with pytest.raises(ConfigError, match=r"\.xlsx"):
        write_template(tmp_path / "template.csv")


def test_cli(tmp_path, capsys):
    path = tmp_path / "new.xlsx"
    assert main(["template", str(path)]) == 0
    assert path.exists() and "wrote" in capsys.readouterr().out
    assert main(["template", str(path)]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err and "Traceback" not in err
    assert main(["template", str(path), "--force"]) == 0
