"""Options that used to be ignored silently: unknown unit ids, an --as-of before the
data, figures dated in the future, units that vanish from the outlook."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from forecast.cli import main

VALID = Path(__file__).resolve().parents[1] / "bad_inputs" / "valid"
QUICK = ["--paths", "200", "--no-requirements"]


def run(args, capsys):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_outlook_refuses_an_unknown_unit_and_suggests_the_nearest(capsys):
    code, out, err = run(["outlook", "--data", VALID, "--units", "krong-bongg", *QUICK], capsys)
    assert code == 2 and out == ""
    assert "unknown unit id 'krong-bongg' (did you mean 'krong-bong'?)" in err


def test_a_typo_beside_a_valid_id_is_not_dropped(capsys):
    code, out, err = run(["outlook", "--data", VALID, "--units", "cu-pui", "krong-bongg",
                          "xyzzy", *QUICK], capsys)
    assert code == 2 and out == ""
    assert "unknown unit ids 'krong-bongg' (did you mean 'krong-bong'?); 'xyzzy'" in err
    assert "'cu-pui'" not in err


def test_brief_suggests_the_nearest_unit(tmp_path, capsys):
    code, _, err = run(["brief", "--data", VALID, "--units", "cu-pui", "krong-bongg",
                        "--out", tmp_path / "b"], capsys)
    assert code == 2 and "did you mean 'krong-bong' for 'krong-bongg'?" in err
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize("command", ["outlook", "brief"])
def test_an_as_of_before_any_figure_is_an_error(tmp_path, capsys, command):
    extra = QUICK if command == "outlook" else ["--out", tmp_path / "b", "--paths", "200"]
    code, out, err = run([command, "--data", VALID, "--as-of", "2020-12-31", *extra], capsys)
    assert code == 2 and out == ""
    # The first admission figure of the valid data ends on 30 June 2021 (row 2).
    assert "2020-12-31 is before the first admission figure of the data (2021-06-30" in err
    assert "observations.csv, row 2" in err


def test_an_as_of_leaving_figures_out_says_how_many(capsys):
    code, _, err = run(["outlook", "--data", VALID, "--as-of", "2021-06-30", *QUICK], capsys)
    # Cư Pui's 9-month count (30 Sept) and the membership figure (12 Oct) come later.
    assert code == 0 and "2 figure(s) dated after --as-of 2021-06-30 are not used" in err


@pytest.mark.parametrize("as_json", [False, True])
def test_a_figure_dated_2099_is_a_warning_and_the_unit_does_not_vanish(tmp_path, capsys,
                                                                        as_json):
    data = tmp_path / "data"
    shutil.copytree(VALID, data)
    with open(data / "observations.csv", "a", encoding="utf-8") as fh:
        fh.write("krong-bong-admitted-2099,krong-bong,admitted,,40,2099-01-01,2099-12-31,,"
                 "baodaklak-2021-10-12,,\n")
    code, out, err = run(["outlook", "--data", data, *QUICK, *(["--json"] if as_json else [])],
                         capsys)
    assert code == 0
    assert "warning: 1 figure(s) dated after today" in err
    assert "krong-bong-admitted-2099 (2099-12-31," in err and "observations.csv, row 6" in err
    # Krông Bông has only its 2021 target: no row, and a line says why.
    assert ("1 unit(s) with no row in the table, only annual targets, none for 2099, the "
            "year of its latest admission figure (2099-12-31): krong-bong") in err
    if as_json:
        assert {r["unit_id"] for r in json.loads(out)} == {"cu-pui"}


def test_a_unit_asked_for_without_a_target_is_named(capsys):
    code, _, err = run(["outlook", "--data", VALID, "--units", "dak-lak", "cu-pui", *QUICK],
                       capsys)
    assert code == 0 and "no row in the table, it has no target: dak-lak" in err


def test_outlook_says_why_a_model_left_rows_without_a_chance(capsys):
    # ets needs four whole years of a unit's own counts; the shipped units at
    # 2022-12-31 have at most three, so every ets row is empty and the console,
    # which shows only the empty cells, gets the reason once per model.
    code, out, err = run(["outlook", "--model", "ets", "--as-of", "2022-12-31", *QUICK],
                         capsys)
    assert code == 0
    line = next(x for x in err.splitlines() if "model ets could not forecast" in x)
    n = int(line.split(" forecast ")[1].split(" of ")[0])
    assert n > 0 and "needs at least 4 whole years" in line
    code, _, err = run(["outlook", "--as-of", "2022-12-31", *QUICK], capsys)
    assert code == 0 and "could not forecast" not in err


def test_unanswered_counts_reasons_per_model():
    import pandas as pd

    from forecast.outlook.why import Unanswered, unanswered

    nan = float("nan")
    table = pd.DataFrame({
        "model": ["a", "a", "a", "a", "b", "b"],
        "scenario": ["model", "model", "model", "90%", "model", "model"],
        "p_reach": [nan, nan, 0.4, nan, 0.5, 0.6],
        "why": ["short record", "short record", "", None, "", ""],
        "why_vi": ["ít số liệu", "ít số liệu", "", None, "", ""],
    })
    # Row 4 is a scenario row and b answered everything: only a's two rows count.
    assert unanswered(table) == [Unanswered("a", 2, 3, [("short record", 2)], 0)]
    assert unanswered(table, "vi")[0].reasons == [("ít số liệu", 2)]
    table.loc[2, "p_reach"] = nan  # its why is empty
    assert unanswered(table, top=1) == [Unanswered("a", 3, 3, [("short record", 2)], 1)]
    assert unanswered(table)[0].reasons == [("short record", 2), ("no reason given", 1)]
