"""Hand-written cases for reading Vietnamese and English numbers and dates.

Each expected value is what a Vietnamese reader takes the text to mean:
"." groups thousands, "," marks decimals (1.252 = 1252; 83,5 = 83.5).
"""

import pandas as pd
import pytest

from forecast.data.numbers import ParseError, Quantity, parse_date, parse_number, parse_quantity


@pytest.mark.parametrize("text, expected", [
    ("1.252", 1252.0),          # Tiền Giang 2020
    ("8.793", 8793.0),
    ("3.360", 3360.0),          # Krông Bông membership
    ("1.252.000", 1252000.0),
    ("83,5", 83.5),
    ("89,96", 89.96),
    ("89.96", 89.96),           # two decimals after '.': not a thousands group
    ("0.252", 0.252),           # a leading 0 cannot start a thousands group
    ("12.5000", 12.5),          # a group of four digits is not thousands
    ("1.252,5", 1252.5),        # both marks: the last is the decimal one
    ("1,252.5", 1252.5),
    ("1 252", 1252.0),
    ("1\u00a0252", 1252.0),
    ("+14,5", 14.5),
    ("-23", -23.0),
    ("80", 80.0),
])
def test_parse_number(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text, hint", [
    ("6,500", "6.500"),          # Vietnamese decimal or English thousands: refused
    ("1,252,000", "1.252.000"),
    ("1.25.000", "in threes"),
    ("", "a number"),
    ("eight", "1.252"),
    (".5", "1.252"),
    ("1e5", "1.252"),
])
def test_parse_number_refuses(text, hint):
    with pytest.raises(ParseError, match=hint.replace(".", r"\.")):
        parse_number(text)


@pytest.mark.parametrize("text, expected", [
    ("1.252", Quantity(1252.0, 1252.0, "exact")),
    ("83,5%", Quantity(83.5, 83.5, "exact", True)),
    ("83,5 %", Quantity(83.5, 83.5, "exact", True)),
    ("~6", Quantity(6.0, 6.0, "approx")),
    ("khoảng 6", Quantity(6.0, 6.0, "approx")),
    ("Khoảng 6", Quantity(6.0, 6.0, "approx")),
    ("about 6", Quantity(6.0, 6.0, "approx")),
    ("10-12", Quantity(10.0, 12.0, "range")),
    ("10–12", Quantity(10.0, 12.0, "range")),
    ("10 đến 12", Quantity(10.0, 12.0, "range")),
    ("90-100", Quantity(90.0, 100.0, "range")),
    ("1.000-1.200", Quantity(1000.0, 1200.0, "range")),
    ("3-4%", Quantity(3.0, 4.0, "range", True)),
    ("90%-100%", Quantity(90.0, 100.0, "range", True)),
    # An approximate range and a "from .. to" range (Cư Pui: "khoảng 2 – 4").
    ("khoảng 2 – 4", Quantity(2.0, 4.0, "range")),
    ("~10–12", Quantity(10.0, 12.0, "range")),
    ("từ 10 đến 12", Quantity(10.0, 12.0, "range")),
    (">=300", Quantity(300.0, None, "at_least")),
    ("≥ 3 %", Quantity(3.0, None, "at_least", True)),
    ("trên 50.000", Quantity(50000.0, None, "at_least")),
    (">50.000", Quantity(50000.0, None, "at_least")),
    ("từ 300", Quantity(300.0, None, "at_least")),
    ("<=5", Quantity(None, 5.0, "at_most")),
    ("dưới 5", Quantity(None, 5.0, "at_most")),
    ("-10%", Quantity(-10.0, -10.0, "exact", True)),   # a fall, not a range
])
def test_parse_quantity(text, expected):
    assert parse_quantity(text) == expected


def test_quantity_central_value():
    # Midpoint of a range; the bound itself for an open one.
    assert parse_quantity("10-12").value == 11.0
    assert parse_quantity(">=300").value == 300.0
    assert parse_quantity("<=5").value == 5.0
    assert parse_quantity("~6").value == 6.0


@pytest.mark.parametrize("text", ["", "nan", "12-10", "trên 10-12", "gần 3,2 triệu",
                                  "2021-06-30"])
def test_parse_quantity_refuses(text):
    with pytest.raises(ParseError):
        parse_quantity(text)


T = pd.Timestamp


@pytest.mark.parametrize("text, start, end", [
    ("2021", T(2021, 1, 1), T(2021, 12, 31)),
    ("2021-06", T(2021, 6, 1), T(2021, 6, 30)),
    ("2020-02", T(2020, 2, 1), T(2020, 2, 29)),     # leap year
    ("2021-02", T(2021, 2, 1), T(2021, 2, 28)),
    ("06/2021", T(2021, 6, 1), T(2021, 6, 30)),
    ("2021-06-30", T(2021, 6, 30), T(2021, 6, 30)),
    ("2021-6-3", T(2021, 6, 3), T(2021, 6, 3)),
    ("12/10/2021", T(2021, 10, 12), T(2021, 10, 12)),   # day first: 12 October
    (" 2021-10-12 ", T(2021, 10, 12), T(2021, 10, 12)),
])
def test_parse_date(text, start, end):
    assert parse_date(text) == start
    assert parse_date(text, end=True) == end


@pytest.mark.parametrize("text, hint", [
    ("2021-13", "month between 1 and 12"),
    ("13/2021", "month between 1 and 12"),
    ("31/13/2021", "real calendar date"),
    ("29/02/2021", "real calendar date"),
    ("2021-13-01", "real calendar date"),
    ("12 Oct 2021", "YYYY-MM-DD"),
    ("", "YYYY-MM-DD"),
])
def test_parse_date_refuses(text, hint):
    with pytest.raises(ParseError, match=hint):
        parse_date(text)
