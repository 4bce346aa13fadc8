"""Tests for ccb_tui.core.text (normalisation, sanitising, search, collation)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccb_tui.core.domain.text import closest, fold, matches, nfc, sanitize, sanitize_multiline, vi_sort_key

NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731


# --- nfc / sanitize ---------------------------------------------------------


def test_nfc_composes():
    assert nfc(NFD("Liên Sơn")) == "Liên Sơn"
    assert len(nfc(NFD("ệ"))) == 1


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Liên   Sơn  ", "Liên Sơn"),
        ("a\tb\nc\r\nd", "a b c d"),
        ("a\u00a0\u00a0b", "a b"),  # NBSP collapses
        (NFD("Krông Nô"), "Krông Nô"),
        ("\x1b[31mđỏ\x1b[0m", "đỏ"),  # CSI colour
        ("x\x1b[2J\x1b[Hy", "xy"),  # clear screen / cursor home
        ("a\x1b]0;title\x07b", "ab"),  # OSC with BEL
        ("a\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\b", "alinkb"),  # OSC 8 hyperlink, ST
        ("a\x1bPq#0;2;0;0;0\x1b\\b", "ab"),  # DCS (sixel)
        ("a\x1b_apc\x1b\\b", "ab"),  # APC
        ("a\x1b^pm\x1b\\b", "ab"),  # PM
        ("a\x1bXsos\x1b\\b", "ab"),  # SOS
        ("a\x1bcb", "ab"),  # RIS, two-char ESC form
        ("a\x1b(Bb", "ab"),  # charset designation
        ("a\x9b31mb", "ab"),  # 8-bit CSI
        ("a\x9d0;t\x9cb", "ab"),  # 8-bit OSC with 8-bit ST
        ("a\x1b]0;unterminated", "a"),  # unterminated OSC swallows payload
        ("a\x00b\x07c\x7fd\x85e\x81f", "abcd ef"),  # C0, DEL, C1 (NEL -> space)
        ("a\x9fapc payload\x9cb", "ab"),  # 8-bit APC
        ("a\u202eb\u202dc\u2066d\u2069e", "abcde"),  # bidi overrides / isolates
        ("a\u200bb\u200cc\u200dd\ufeffe", "abcde"),  # zero-width, BOM
        ("\ufeffXã", "Xã"),
        ("a\x1b", "a"),  # lone trailing ESC
        ("", ""),
        ("   ", ""),
        ("Ea R'Bin", "Ea R'Bin"),
    ],
)
def test_sanitize(raw, expected):
    assert sanitize(raw) == expected


def test_sanitize_recomposes_after_removing_invisible():
    # "e" + ZWSP + combining circumflex: after the ZWSP goes the result is NFC.
    assert sanitize("e\u200b\u0302") == "ê"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("dòng 1\r\ndòng 2", "dòng 1\ndòng 2"),
        ("a\rb", "a\nb"),
        ("  a   b \t\n  c  ", "a b\nc"),
        ("\n\na\n\nb\n\n", "a\n\nb"),
        ("a\x1b[1m\nb\u202e", "a\nb"),
        ("a\x00\nb", "a\nb"),
        ("", ""),
    ],
)
def test_sanitize_multiline(raw, expected):
    assert sanitize_multiline(raw) == expected


@given(st.text())
def test_sanitize_output_is_clean(s):
    out = sanitize(s)
    assert out == out.strip()
    assert "  " not in out
    assert out == unicodedata.normalize("NFC", out)
    for ch in out:
        cat = unicodedata.category(ch)
        assert cat not in ("Cc",), repr(ch)
        assert ch not in "\u200b\u200c\u200d\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    assert sanitize(out) == out  # idempotent


@given(st.text())
def test_sanitize_multiline_output_is_clean(s):
    out = sanitize_multiline(s)
    assert "\r" not in out
    assert all(unicodedata.category(ch) != "Cc" or ch == "\n" for ch in out)
    assert sanitize_multiline(out) == out


# --- fold / matches ---------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Xã Ea R'Bin", "xa ea rbin"),
        ("Xã Ea R’Bin", "xa ea rbin"),
        ("Xã Ea Rʼ Bin", "xa ea r bin"),
        ("Thị trấn Liên Sơn", "thi tran lien son"),
        ("ĐẮK LẮK", "dak lak"),
        ("đường", "duong"),
        (NFD("Krông Nô"), "krong no"),
        ("Buôn Ma-Thuột", "buon ma thuot"),
        ("a -- b", "a b"),
        ("  Ư  Ơ  ", "u o"),
        ("", ""),
    ],
)
def test_fold(raw, expected):
    assert fold(raw) == expected


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("lien son", "Thị trấn Liên Sơn", True),
        ("LIEN SON", "Thị trấn Liên Sơn", True),
        ("Liên Sơn", "Thị trấn Liên Sơn", True),
        ("son lien", "Thị trấn Liên Sơn", True),  # tokens in any order
        ("ea rbin", "Xã Ea R'Bin", True),
        ("earbin", "Xã Ea R'Bin", True),
        ("r'bin", "Xã Ea R'Bin", True),
        ("krong no", "Huyện Krông Nô", True),
        ("kro", "Huyện Krông Nô", True),
        ("dak", "Đắk Lắk", True),
        ("", "anything", True),
        ("   ", "anything", True),
        ("lien son", "Xã Ea R'Bin", False),
        ("xyz", "Thị trấn Liên Sơn", False),
        ("nam ka zz", "Xã Nam Ka", False),
    ],
)
def test_matches(query, text, expected):
    assert matches(query, text) is expected


@given(st.text())
def test_matches_self_and_empty(s):
    assert matches(s, s)
    assert matches("", s)


# --- vi_sort_key ------------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (["Đông", "Dung", "An", "Ăn", "Ba", "Âu"], ["An", "Ăn", "Âu", "Ba", "Dung", "Đông"]),
        (
            ["Liên Sơn", "Krông Nô", "Nam Ka", "Ea R'Bin"],
            ["Ea R'Bin", "Krông Nô", "Liên Sơn", "Nam Ka"],
        ),
        (["Đà", "Dz", "Dân"], ["Dân", "Dz", "Đà"]),  # đ after every d-word
        (["ơ", "ô", "o"], ["o", "ô", "ơ"]),
        (["ư", "u", "v"], ["u", "ư", "v"]),
        (["ê", "e", "f", "g"], ["e", "ê", "f", "g"]),
        (["z", "y", "x", "w", "v"], ["v", "w", "x", "y", "z"]),
        (["ia", "j", "k"], ["ia", "j", "k"]),
        # tones: none, huyền, hỏi, ngã, sắc, nặng
        (["mạ", "má", "mã", "mả", "mà", "ma"], ["ma", "mà", "mả", "mã", "má", "mạ"]),
        # tone is secondary: base letters decide first
        (["Àb", "Ac"], ["Àb", "Ac"]),
        (["Tô", "tô"], ["tô", "Tô"]),  # case is tertiary, lower first
        (["anh", "An Bình"], ["An Bình", "anh"]),  # word break sorts first
        (["Tổ 10", "Tổ 2", "Tổ 1"], ["Tổ 1", "Tổ 2", "Tổ 10"]),  # numeric runs
        (["b", "1", "a"], ["1", "a", "b"]),
    ],
)
def test_vi_sort(items, expected):
    assert sorted(items, key=vi_sort_key) == expected


def test_vi_sort_key_nfd_equals_nfc():
    assert vi_sort_key(NFD("Đắk Lắk")) == vi_sort_key("Đắk Lắk")


@given(st.lists(st.text(), max_size=8))
def test_vi_sort_key_is_total(items):
    # Sorting is independent of the input order (keys are totally ordered
    # and only equal for strings that sanitize to the same text).
    forward = [vi_sort_key(x) for x in sorted(items, key=vi_sort_key)]
    backward = [vi_sort_key(x) for x in sorted(reversed(items), key=vi_sort_key)]
    assert forward == backward


# --- closest ----------------------------------------------------------------

PLACES = ["Thị trấn Liên Sơn", "Xã Krông Nô", "Xã Nam Ka", "Xã Ea R'Bin"]
PLACE_MAP = {"lien_son": "Thị trấn Liên Sơn", "krong_no": "Xã Krông Nô", "nam_ka": "Xã Nam Ka"}


@pytest.mark.parametrize(
    ("query", "candidates", "expected"),
    [
        ("thi tran lien sn", PLACES, ["Thị trấn Liên Sơn"]),
        ("qqqqqqqq", PLACES, []),
        ("", PLACES, []),
        ("lien_sn", PLACE_MAP, ["lien_son"]),  # compared against the key
        ("krong", {"krong_no": "Krông Nô", "lien_son": "Liên Sơn"}, ["krong_no"]),
    ],
)
def test_closest(query, candidates, expected):
    assert closest(query, candidates) == expected


@pytest.mark.parametrize(
    ("query", "candidates", "best"),
    [
        ("xa krong no", PLACES, "Xã Krông Nô"),
        ("XÃ NAM KA", PLACES, "Xã Nam Ka"),
        ("xa ea rbim", PLACES, "Xã Ea R'Bin"),
        ("xa krong nô", PLACE_MAP, "krong_no"),  # compared against the value
    ],
)
def test_closest_best_first(query, candidates, best):
    result = closest(query, candidates)
    assert result[0] == best
    assert len(result) == len(set(result)) <= 3


def test_closest_limits_and_orders():
    cands = ["abcd", "abce", "abcf", "abcg", "zzzz"]
    assert closest("abcd", cands, n=2) == ["abcd", "abce"]
    assert closest("abcd", cands, n=0) == []
    assert len(closest("abcx", cands)) == 3


# --- terminal cells (the core's own measure; the UI uses rich's) --------------------------------

CELL_CASES = [("Krông Nô", 8), ("北京", 4), ("🎖️", 2), ("🎖", 1), ("Ẫ̃̃̃", 1), ("❤️", 2), ("🇻🇳", 2), ("a\u0301", 1)]


@pytest.mark.parametrize(("s", "cells"), CELL_CASES)
def test_cell_width_agrees_with_rich(s: str, cells: int) -> None:
    from rich.cells import cell_len  # rich is a test-time reference only: the core never imports it

    from ccb_tui.core.domain.text import cell_width
    assert cell_width(s) == cells == cell_len(s)


def test_cut_cells_cuts_between_glyphs() -> None:
    from ccb_tui.core.domain.text import cut_cells, graphemes
    assert graphemes("Ẫ̃̃̃🎖️北") == ["Ẫ̃̃̃", "🎖️", "北"]
    assert cut_cells("🎖️🎖️", 3) == "🎖️"  # never the emoji without its selector
    assert cut_cells("北京", 3) == "北"  # never half a wide character
    assert cut_cells("Ẫ̃̃̃Ẫ̃̃̃", 1) == "Ẫ̃̃̃"  # a letter keeps all its marks
    assert cut_cells("abc", 0) == ""


def test_short_title_and_notes_in_cells() -> None:
    from ccb_tui.core.store.audit import quoted_note, short_title
    from ccb_tui.core.domain.text import cell_width
    title = short_title("北京 " * 20, 20)
    assert cell_width(title) <= 20 and title.endswith("…")
    note = quoted_note("🎖️" * 40)
    assert cell_width(note) <= 62 and "🎖️…" in note


def test_shorten_runs_cuts_only_overlong_runs():
    from ccb_tui.core.domain.text import shorten_runs
    ordinary = "Không có đơn vị 'krong_no_2'. Xem: /tmp/a/b/c/ccb.json và ccb-tui unit list"
    assert shorten_runs(ordinary) == ordinary
    out = shorten_runs("Không có đơn vị '" + "x" * 100_000 + "'. Xem: ccb-tui unit list")
    assert out.startswith("Không có đơn vị 'xxx") and out.endswith("'. Xem: ccb-tui unit list")
    assert len(out) < 200 and out.count("…") == 1
