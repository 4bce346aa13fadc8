"""Tests for ccb_tui.core.fmt (Vietnamese number/money formatting and parsing)."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccb_tui.core.domain.fmt import (
    NumberFormatError, format_money, format_money_short, format_number, format_value, parse_number,
)

# --- format_number -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "lang", "expected"),
    [
        (1500, None, "vi", "1.500"),
        (1.5, None, "vi", "1,5"),
        (438, None, "vi", "438"),
        (248_600_000, None, "vi", "248.600.000"),
        (0, None, "vi", "0"),
        (-1500, None, "vi", "-1.500"),
        (1234.5, None, "vi", "1.234,5"),
        (0.001, None, "vi", "0,001"),
        (1.23456, None, "vi", "1,235"),  # at most 3 fraction digits by default
        (Decimal("2.50"), None, "vi", "2,5"),
        (10**13, None, "vi", "10.000.000.000.000"),
        (10**30, None, "vi", "1" + ".000" * 10),
        (1500, None, "en", "1,500"),
        (1.5, None, "en", "1.5"),
        (248_600_000, None, "en", "248,600,000"),
        (2, 2, "vi", "2,00"),
        (1.5, 0, "vi", "2"),
        (2.5, 0, "vi", "3"),  # half up, not Babel's half-even
        (Decimal("0.125"), 2, "vi", "0,13"),
        (1234.5678, 1, "vi", "1.234,6"),
        (1234.5678, 1, "en", "1,234.6"),
        (-0.0, None, "vi", "0"),  # no negative zero
        (-0.0001, 2, "vi", "0,00"),
        (None, None, "vi", "—"),
        (None, 2, "en", "—"),
        (float("nan"), None, "vi", "—"),
        (float("inf"), None, "vi", "—"),
        (1500, None, "vi_VN", "1.500"),
        (1500, None, "en-US", "1,500"),
    ],
)
def test_format_number(value, decimals, lang, expected):
    assert format_number(value, decimals=decimals, lang=lang) == expected


def test_format_number_rejects_unknown_language():
    with pytest.raises(ValueError):
        format_number(1, lang="fr")


# --- format_money ------------------------------------------------------------


@pytest.mark.parametrize(
    ("dong", "lang", "exact", "expected"),
    [
        (6_730_000_000, "vi", False, "6,73 tỷ đồng"),
        (6_700_000_000, "vi", False, "6,7 tỷ đồng"),
        (6_000_000_000, "vi", False, "6 tỷ đồng"),
        (6_734_999_999, "vi", False, "6,73 tỷ đồng"),
        (6_735_000_000, "vi", False, "6,74 tỷ đồng"),  # half up
        (1_000_000_000, "vi", False, "1 tỷ đồng"),
        (12_500_000_000_000, "vi", False, "12.500 tỷ đồng"),
        (248_600_000, "vi", False, "248,6 triệu đồng"),
        (70_000_000, "vi", False, "70 triệu đồng"),
        (1_000_000, "vi", False, "1 triệu đồng"),
        (1_234_567, "vi", False, "1,23 triệu đồng"),
        (999_995_000, "vi", False, "1 tỷ đồng"),  # rounds up into the next unit
        (500_000, "vi", False, "500.000 đồng"),
        (999_999, "vi", False, "999.999 đồng"),
        (0, "vi", False, "0 đồng"),
        (-248_600_000, "vi", False, "-248,6 triệu đồng"),
        (248_600_000, "vi", True, "248.600.000 đồng"),
        (6_730_000_000, "vi", True, "6.730.000.000 đồng"),
        (6_730_000_000, "en", False, "6.73 billion VND"),
        (248_600_000, "en", False, "248.6 million VND"),
        (500_000, "en", False, "500,000 VND"),
        (248_600_000, "en", True, "248,600,000 VND"),
        (None, "vi", False, "—"),
        (None, "en", True, "—"),
    ],
)
def test_format_money(dong, lang, exact, expected):
    assert format_money(dong, lang=lang, exact=exact) == expected


@pytest.mark.parametrize(
    ("dong", "lang", "expected"),
    [
        (6_730_000_000, "vi", "6,73 tỷ"),
        (248_600_000, "vi", "248,6 tr."),
        (500_000, "vi", "500.000"),
        # English money carries the đồng sign: "70 m" read like seventy metres
        (6_730_000_000, "en", "6.73 B ₫"),
        (248_600_000, "en", "248.6 M ₫"),
        (70_000_000, "en", "70 M ₫"),
        (500_000, "en", "500,000 ₫"),
        (None, "vi", "—"),
    ],
)
def test_format_money_short(dong, lang, expected):
    assert format_money_short(dong, lang=lang) == expected


# --- format_value ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind", "lang", "decimals", "expected"),
    [
        (248_600_000, "money", "vi", None, "248,6 triệu đồng"),
        (248_600_000, "money", "en", None, "248.6 million VND"),
        (438, "count", "vi", None, "438"),
        (1500, "count", "vi", None, "1.500"),
        (12.6, "count", "vi", None, "13"),
        (1500.25, "quantity", "vi", 1, "1.500,3"),
        (1500.25, "quantity", "vi", None, "1.500,25"),
        (0.875, "ratio", "vi", 2, "0,88"),
        (0.875, "ratio", "en", 2, "0.88"),
        (None, "money", "vi", None, "—"),
        (None, "count", "vi", None, "—"),
    ],
)
def test_format_value(value, kind, lang, decimals, expected):
    assert format_value(value, kind, lang=lang, decimals=decimals) == expected


def test_format_value_unknown_kind():
    with pytest.raises(ValueError):
        format_value(1, "percentage")


# --- parse_number ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1500", 1500),
        ("1.500", 1500),
        ("248.600.000", 248_600_000),
        ("1.500.000", 1_500_000),
        ("1,5", 1.5),
        ("1,500", 1.5),  # Vietnamese decimal comma, NOT 1500
        ("1.500,5", 1500.5),
        ("0,001", 0.001),
        ("1,0", 1),
        ("-5", -5),
        ("+5", 5),
        ("- 5", -5),
        ("\u22125", -5),  # Unicode minus sign
        ("-0,5", -0.5),
        ("0", 0),
        ("6,7 tỷ", 6_700_000_000),
        ("6,7 tỷ đồng", 6_700_000_000),
        ("6,73 tỷ đồng", 6_730_000_000),
        ("6,7 tỉ", 6_700_000_000),
        ("6,7 ty", 6_700_000_000),
        ("6,7 TỶ", 6_700_000_000),
        ("248,6 triệu", 248_600_000),
        ("248,6 trieu", 248_600_000),
        ("248,6 triệu đồng", 248_600_000),
        ("250 tr", 250_000_000),
        ("250tr", 250_000_000),
        ("250 tr.", 250_000_000),
        ("250 Tr đ", 250_000_000),
        ("1,2 nghìn", 1200),
        ("1,2 ngàn", 1200),
        ("1,2 nghin", 1200),
        ("1,2 ngan", 1200),
        ("50k", 50_000),
        ("1,2345678 triệu", 1_234_568),  # scaled results are whole đồng
        ("-1,5 tỷ", -1_500_000_000),
        ("1.500 m2", 1500),
        ("1.500m²", 1500),
        ("12 km", 12),
        ("500.000 đ", 500_000),
        ("500.000đ", 500_000),
        ("500.000 d", 500_000),
        ("500.000 VND", 500_000),
        ("500.000 vnđ", 500_000),
        ("500.000 đồng", 500_000),
        ("12 ngày công", 12),
        ("12 ngay cong", 12),
        ("  1.500  ", 1500),
        ("\u00a01.500\u00a0", 1500),
        ("1.500\u202fm2", 1500),
        ("\t248,6\ttriệu\n", 248_600_000),
    ],
)
def test_parse_number(text, expected):
    result = parse_number(text)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize("text", ["6,7 tỷ đồng", "248,6 triệu", "1,2 nghìn", "12 ngày công", "1.500 m²"])
def test_parse_number_accepts_nfd(text):
    assert parse_number(unicodedata.normalize("NFD", text)) == parse_number(text)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("\u00a0", "empty"),
        ("abc", "not_a_number"),
        ("-", "not_a_number"),
        ("tỷ", "not_a_number"),
        ("1..5", "repeated_separator"),
        ("1.,5", "repeated_separator"),
        ("1,2,3", "multiple_decimal_separators"),
        ("--5", "double_sign"),
        ("+-5", "double_sign"),
        ("1e5", "exponent"),
        ("1E-3", "exponent"),
        ("∞", "not_finite"),
        ("-∞", "not_finite"),
        ("nan", "not_finite"),
        ("NaN", "not_finite"),
        ("inf", "not_finite"),
        ("1.5", "dot_decimal"),
        ("1.50", "dot_decimal"),
        ("1.5000", "dot_decimal"),
        ("1.50.000", "bad_grouping"),
        ("12345.678", "bad_grouping"),
        ("1.500.0000", "bad_grouping"),
        ("1,500.5", "mixed_separators"),
        (",5", "stray_separator"),
        ("5,", "stray_separator"),
        ("1.500.", "stray_separator"),
        ("1 500", "space_in_number"),
        ("1,5 xyz", "unknown_suffix"),
        ("5 kg", "unknown_suffix"),
        ("6,7 tỷ tỷ", "unknown_suffix"),
        ("5-", "unknown_suffix"),
        ("1.5tr", "dot_decimal"),
    ],
)
def test_parse_number_errors(text, code):
    with pytest.raises(NumberFormatError) as info:
        parse_number(text)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.code == code
    assert err.message_vi and err.message_en
    assert err.message_vi != err.message_en
    assert str(err) == err.message_en
    assert err.message("vi") == err.message_vi
    assert err.message("en") == err.message_en


def test_dot_decimal_message_suggests_comma():
    with pytest.raises(NumberFormatError) as info:
        parse_number("1.5")
    assert "1,5" in info.value.message_vi
    assert "1,5" in info.value.message_en


def test_parse_number_rejects_non_str():
    with pytest.raises(TypeError):
        parse_number(15)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,500", 1500),
        ("1.5", 1.5),
        ("1,500.5", 1500.5),
        ("6.73 billion VND", 6_730_000_000),
        ("248.6 million", 248_600_000),
        ("248.6 m", 248_600_000),
        ("6.73 bn", 6_730_000_000),
        ("248.6 M ₫", 248_600_000),  # what the English tables show reads back
        ("6.73 B ₫", 6_730_000_000),
        ("500,000 ₫", 500_000),
        ("1.2 thousand", 1200),
    ],
)
def test_parse_number_english(text, expected):
    assert parse_number(text, lang="en") == expected


@pytest.mark.parametrize(("text", "code"), [("1,5", "comma_decimal"), ("1.5.5", "multiple_decimal_separators")])
def test_parse_number_english_errors(text, code):
    with pytest.raises(NumberFormatError) as info:
        parse_number(text, lang="en")
    assert info.value.code == code


# --- round trips (property based) ---------------------------------------------


@given(st.integers(min_value=0, max_value=10**13))
def test_round_trip_int(x):
    assert parse_number(format_number(x, lang="vi")) == x


@given(st.integers(min_value=-(10**13), max_value=10**13))
def test_round_trip_int_signed_en(x):
    assert parse_number(format_number(x, lang="en"), lang="en") == x


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_round_trip_float_three_decimals(k):
    x = k / 1000  # a float with at most 3 decimals
    assert parse_number(format_number(x, lang="vi")) == x


@given(st.integers(min_value=-(10**6), max_value=10**6), st.integers(min_value=0, max_value=3))
def test_round_trip_fixed_decimals(k, decimals):
    x = k / 10**decimals
    assert parse_number(format_number(x, decimals=decimals, lang="vi")) == x


@given(st.integers(min_value=-(10**7), max_value=10**7))
def test_round_trip_money_multiples_of_ten_million(k):
    x = k * 10**7
    assert parse_number(format_money(x)) == x
    assert parse_number(format_money_short(x)) == x
    assert parse_number(format_money(x, exact=True)) == x
    assert parse_number(format_money(x, lang="en"), lang="en") == x


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_exact_money_round_trip(x):
    assert parse_number(format_money(x, exact=True)) == x


@given(st.integers(min_value=10**6, max_value=10**15))
def test_scaled_money_is_close(x):
    # Scaled money keeps 3+ significant digits: relative error below 0.5 %.
    back = parse_number(format_money(x))
    assert abs(back - x) <= x * 0.005


def test_error_keeps_raw_text_and_echoes_sanitized_input():
    raw = "1,5 XYZ\x1b[31m"
    with pytest.raises(NumberFormatError) as info:
        parse_number(raw)
    assert info.value.text == raw
    assert "XYZ" in info.value.message_vi
    assert "\x1b" not in info.value.message_vi + info.value.message_en


def test_english_money_never_reads_like_a_length(tmp_path):
    """Every English view of money (CLI summary, tables) shows "M ₫" / "B ₫", never a bare "m"."""
    import re
    import subprocess
    import sys

    db = tmp_path / "ccb.json"
    out = subprocess.run([sys.executable, "-m", "ccb_tui", "summary", "--year", "2020", "--lang", "en", "--db", str(db)],
                         capture_output=True, text=True, check=True).stdout
    assert "M ₫" in out
    assert not re.search(r"\d m\b", out) and not re.search(r"\d bn\b", out)
