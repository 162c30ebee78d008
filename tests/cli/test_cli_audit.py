"""``forecast audit`` on the command line: output, exit status, bad data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from forecast.cli import main
from forecast.cli.audit import parse_assumed
from forecast.errors import ConfigError
from forecast.paths import DATA_DIR

TESTS = Path(__file__).resolve().parents[1]
TINY = TESTS / "fixtures" / "tiny"
BAD = TESTS / "bad_inputs"
# 1,348 / 0.8996 = 1,498.44; 1,252 / 0.835 = 1,499.40; 1,278 / 0.852 = 1,500.00
TIEN_GIANG_2022 = "1,348 at 89,96 % implies 1,498.4, not 1,500"


def test_audit_text_on_tiny(capsys):
    assert main(["audit", "--data", str(TINY)]) == 0
    out = capsys.readouterr().out
    assert "Đảng bộ tỉnh Tiền Giang (tien-giang)" in out
    assert TIEN_GIANG_2022 in out
    assert "implies a target of 1,499.4" in out and "implies a target of 1,500.0" in out
    assert "114,2 % is consistent if truncated" in out


def test_audit_json_on_tiny(capsys):
    assert main(["audit", "--data", str(TINY), "--json", "--warnings-only"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert records and all(r["severity"] == "warning" for r in records)
    assert any(TIEN_GIANG_2022 in r["explanation"] for r in records)


def test_assume_target_option(capsys):
    assert main(["audit", "--data", str(TINY), "--json",
                 "--assume-target", "tien-giang:2022=1.500"]) == 0
    records = json.loads(capsys.readouterr().out)
    mm = [r for r in records if r["kind"] == "percent_mismatch"]
    assert len(mm) == 1 and mm[0]["period"] == "2022"
    assert parse_assumed(["tien-giang:2020-2025=6500"]) == {("tien-giang", "2020-2025"): 6500}
    with pytest.raises(ConfigError, match="UNIT:YEAR=VALUE"):
        parse_assumed(["tien-giang=1500"])


def test_bad_option_exits_2_without_traceback(capsys):
    assert main(["audit", "--data", str(TINY), "--assume-target", "x"]) == 2
    err = capsys.readouterr().err
    assert "forecast audit: error" in err and "Traceback" not in err


@pytest.mark.skipif(not (BAD / "many_problems").exists(), reason="bad inputs not yet written")
def test_bad_data_exits_2_without_traceback(capsys):
    assert main(["audit", "--data", str(BAD / "many_problems")]) == 2
    captured = capsys.readouterr()
    assert "problem" in captured.err and "Traceback" not in captured.err
    assert captured.out == ""


@pytest.mark.skipif(not (DATA_DIR / "observations.csv").exists()
                    and not any(DATA_DIR.glob("observations-*.csv")),
                    reason="shipped data not yet entered")
def test_audit_on_shipped_data(capsys):
    assert main(["audit"]) == 0
    out = capsys.readouterr().out
    assert TIEN_GIANG_2022 in out
    for implied in ("1,499.4", "1,500.0", "1,498.4"):
        assert f"implies a target of {implied}" in out
