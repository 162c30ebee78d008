"""Chart text: number, percent and date formats by hand-made examples."""

from __future__ import annotations

import string

import pytest

from forecast.errors import ConfigError
from forecast.labels import (NBSP, STRINGS, check_lang, fit_source_line, fmt_date, fmt_int,
                             fmt_month, fmt_num, fmt_pct, fmt_prob, label_text, month_name,
                             text)


@pytest.mark.parametrize("value, vi, en", [
    (1252, "1.252", "1,252"),            # Tiền Giang 2020, as printed in the article
    (8793, "8.793", "8,793"),
    (1234567, "1.234.567", "1,234,567"),
    (7, "7", "7"),
    (0, "0", "0"),
    (1251.5, "1.252", "1,252"),          # rounded half to even by Python: 1252
])
def test_fmt_int(value, vi, en):
    assert fmt_int(value, "vi") == vi
    assert fmt_int(value, "en") == en


def test_fmt_num_decimals_and_sign():
    assert fmt_num(89.96, "vi", 2) == "89,96"
    assert fmt_num(89.96, "en", 2) == "89.96"
    assert fmt_num(1234.5, "vi", 1) == "1.234,5"
    assert fmt_num(-1252, "vi") == "\u22121.252"      # a true minus sign
    assert fmt_num(-0.04, "en", 1) == "0.0"           # no sign on a rounded zero
    assert fmt_num(float("nan"), "en") == "–"


@pytest.mark.parametrize("value, decimals, vi, en", [
    (83.5, 1, "83,5", "83.5"),
    (85.2, 1, "85,2", "85.2"),
    (89.96, 2, "89,96", "89.96"),
    (114.2, 1, "114,2", "114.2"),
    (120, 0, "120", "120"),
])
def test_fmt_pct(value, decimals, vi, en):
    assert fmt_pct(value, "vi", decimals) == f"{vi}{NBSP}%"
    assert fmt_pct(value, "en", decimals) == f"{en}{NBSP}%"


def test_fmt_prob_ends_are_bounds():
    assert fmt_prob(0.894, "vi") == f"89{NBSP}%"
    assert fmt_prob(0.0, "en") == f"<1{NBSP}%"
    assert fmt_prob(0.004, "en") == f"<1{NBSP}%"
    assert fmt_prob(1.0, "vi") == f">99{NBSP}%"
    assert fmt_prob(0.996, "vi") == f">99{NBSP}%"
    assert fmt_prob(0.5, "en") == f"50{NBSP}%"


def test_dates_and_months():
    assert fmt_month("2025-09-30", "en") == "Sept 2025"
    assert fmt_month("2025-09-30", "vi") == "tháng 9/2025"
    assert fmt_date("2022-12-31", "vi") == "31/12/2022"
    assert fmt_date("2022-12-31", "en") == "31 Dec 2022"
    assert fmt_date("2021-06-30", "en") == "30 June 2021"
    assert month_name(9, "vi") == "T9"
    assert month_name(9, "en") == "Sept"
    assert month_name(9, "en", short=True) == "S"


def test_every_string_has_both_languages_with_the_same_fields():
    for key, versions in STRINGS.items():
        assert set(versions) == {"vi", "en"}, key
        fields = {lang: {f for _, f, _, _ in string.Formatter().parse(v) if f}
                  for lang, v in versions.items()}
        assert fields["vi"] == fields["en"], key


def test_text_keeps_diacritics_and_binds_percent():
    assert text("observed", "vi") == "Đã kết nạp (cộng dồn)"
    assert text("band80", "vi") == f"80{NBSP}% khả năng"
    assert label_text("acceleration needed", "vi") == "cần đẩy nhanh"
    assert label_text("limited progress", "en") == "limited progress"
    assert label_text("something else", "en") == "no label"


def test_unknown_language_and_key():
    with pytest.raises(ConfigError, match="Fix: pass lang='vi'"):
        check_lang("fr")
    with pytest.raises(ConfigError, match="no 'vi' version"):
        text("no-such-key", "vi")


def test_fit_source_line():
    short = "Nguồn: Báo Ấp Bắc, 16/9/2023."
    assert fit_source_line(short, "vi") == short
    items = [f"Báo {i}, 2023" for i in range(8)]
    line = "Sources: " + "; ".join(items) + "."
    assert fit_source_line(line, "en", max_items=6) == (
        "Sources: " + "; ".join(items[:6]) + "; and 2 more (see the table of sources).")
    assert fit_source_line("no colon here", "en") == "no colon here"
