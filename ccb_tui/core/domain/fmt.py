"""Number and money formatting/parsing in Vietnamese style.

Vietnamese writes ``1.500`` for one thousand five hundred and ``1,5`` for one
and a half (thousands ".", decimal ","). Grouping and separators are Babel's
``vi`` / ``en`` locale data (CLDR), and the output is exactly what
``babel.numbers.format_decimal`` gives (``format_decimal(248600000,
locale="vi") == "248.600.000"``). The few symbols needed were read from Babel
once and are kept in :data:`NUMBER_SYMBOLS`, so formatting loads no locale data
at run time (Babel's pickled ``vi`` data costs ~30 ms of start-up, and each
``format_decimal`` call ~0.15 ms); ``tests/core/test_fmt_symbols.py`` checks
that Babel still gives the same symbols and the same strings.
Adjustments made on top of Babel's formatting, all deliberate:

* Rounding is ``ROUND_HALF_UP`` (Babel rounds half-to-even, so ``2,5`` would
  show as ``2``); users expect ``3``.
* Negative zero (``-0.0`` or a tiny negative rounded to zero) is shown as
  ``0`` - Babel would print ``-0``.
* Non-finite floats (NaN, ±∞) and ``None`` are shown as ``—``.
* Without an explicit ``decimals`` the locale's default pattern ``#,##0.###``
  is used, i.e. at most 3 fraction digits, trailing zeros dropped.

Money is shown scaled: ``6,73 tỷ đồng``, ``248,6 triệu đồng``, ``500.000 đồng``
(English: ``6.73 billion VND`` ...). :func:`parse_number` reads all of these
forms back, so ``parse_number(format_number(x)) == x`` and, for amounts that
are multiples of 10 million đồng, ``parse_number(format_money(x)) == x``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any, NamedTuple

from .text import sanitize

__all__ = [
    "EMPTY",
    "NumberFormatError",
    "format_number",
    "format_money",
    "format_money_short",
    "format_value",
    "parse_number",
]

EMPTY = "—"
"""Placeholder shown for a missing value."""

Number = int | float | Decimal

_BILLION = 10**9
_MILLION = 10**6
_MONEY_DECIMALS = 2  # fraction digits of scaled money ("6,73 tỷ")


def _locale(lang: str) -> str:
    """Map a language tag ("vi", "en", "vi_VN", "en-US") to a Babel locale."""
    base = (lang or "vi").replace("-", "_").split("_")[0].lower()
    if base not in ("vi", "en"):
        raise ValueError(f"unsupported language {lang!r} (expected 'vi' or 'en')")
    return base


def _to_decimal(x: Number) -> Decimal | None:
    """Convert to Decimal; None for non-finite values."""
    if isinstance(x, bool):
        x = int(x)
    if isinstance(x, float):
        if not math.isfinite(x):
            return None
        return Decimal(repr(x))  # shortest repr: 0.1 -> Decimal("0.1")
    if isinstance(x, Decimal):
        return x if x.is_finite() else None
    if isinstance(x, int):
        return Decimal(x)
    raise TypeError(f"expected a number, got {type(x).__name__}")


def _quantize(d: Decimal, decimals: int) -> Decimal:
    """Round half up to *decimals* fraction digits, never returning -0."""
    prec = max(28, d.adjusted() + decimals + 5)
    with localcontext() as ctx:
        ctx.prec = prec
        q = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return q.copy_abs() if q.is_zero() else q  # no "-0"


class NumberSymbols(NamedTuple):
    """What formatting needs of a locale's number data: symbols and the default pattern's shape."""

    decimal: str
    group: str
    minus: str
    grouping: tuple[int, int]  # (primary, secondary) group sizes of the default pattern
    max_fraction: int  # fraction digits of the default pattern ("#,##0.###" -> 3)


NUMBER_SYMBOLS: dict[str, NumberSymbols] = {
    # Read from Babel 2.19's CLDR data by number_symbols_from_babel(); a test keeps them equal.
    "vi": NumberSymbols(decimal=",", group=".", minus="-", grouping=(3, 3), max_fraction=3),
    "en": NumberSymbols(decimal=".", group=",", minus="-", grouping=(3, 3), max_fraction=3),
}


def number_symbols_from_babel(locale: str) -> NumberSymbols:
    """The locale's :class:`NumberSymbols` as Babel gives them (imports Babel and loads its data)."""
    from babel import Locale

    loc = Locale.parse(locale)
    symbols = loc.number_symbols["latn"]
    pattern = loc.decimal_formats[None]
    return NumberSymbols(decimal=symbols["decimal"], group=symbols["group"], minus=symbols["minusSign"],
                         grouping=tuple(pattern.grouping), max_fraction=pattern.frac_prec[1])  # type: ignore[arg-type]


def _group(digits: str, sizes: tuple[int, int], sep: str) -> str:
    """Insert ``sep`` into a run of integer digits, as Babel does (primary group, then secondary)."""
    size = sizes[0]
    out = ""
    while len(digits) > size:
        out = sep + digits[-size:] + out
        digits = digits[:-size]
        size = sizes[1]
    return digits + out


def _format_decimal(d: Decimal, locale: str, decimals: int | None, min_decimals: int = 0) -> str:
    """Format like Babel's ``format_decimal``; *d* must already be rounded.

    ``decimals=None`` is the locale's default pattern (``#,##0.###``); otherwise the pattern is
    ``#,##0.`` with ``min_decimals`` zeros and ``decimals - min_decimals`` optional digits.
    Both patterns group by 3 in vi and en.
    """
    sym = NUMBER_SYMBOLS[locale]
    grouping = sym.grouping if decimals is None else (3, 3)
    max_frac = sym.max_fraction if decimals is None else decimals
    if d.as_tuple().exponent != -max_frac:  # type: ignore[operator]
        with localcontext() as ctx:
            ctx.prec = max(28, d.adjusted() + max_frac + 5)
            d = d.quantize(Decimal(1).scaleb(-max_frac), rounding=ROUND_HALF_UP)
    text = format(d.copy_abs(), "f")
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    if len(frac) < min_decimals:
        frac += "0" * (min_decimals - len(frac))
    out = _group(whole, grouping, sym.group)
    if frac:
        out += sym.decimal + frac
    return (sym.minus + out) if d < 0 else out


def format_number(x: Number | None, decimals: int | None = None, lang: str = "vi") -> str:
    """Format a number with Vietnamese (default) or English separators.

    ``1500 -> "1.500"``, ``1.5 -> "1,5"``, ``248600000 -> "248.600.000"``;
    with ``lang="en"``: ``"1,500"``, ``"1.5"``. *decimals* fixes the number of
    fraction digits (rounded half up, zeros kept: ``format_number(2, 2) ==
    "2,00"``); without it integers show no fraction and other numbers show up
    to 3 fraction digits. ``None``/NaN/∞ give ``"—"``.
    """
    locale = _locale(lang)
    if x is None:
        return EMPTY
    d = _to_decimal(x)
    if d is None:
        return EMPTY
    if decimals is not None and decimals < 0:
        raise ValueError("decimals must be >= 0")
    if decimals is None:
        d = _quantize(d, 3)
        return _format_decimal(d, locale, None)
    d = _quantize(d, decimals)
    return _format_decimal(d, locale, decimals, min_decimals=decimals)


_MONEY_UNITS = {
    # (long form, short form) per language, largest unit first
    "vi": ((_BILLION, "tỷ", "tỷ"), (_MILLION, "triệu", "tr.")),
    # English short forms carry the đồng sign: a bare "70 m" read like seventy metres.
    "en": ((_BILLION, "billion", "B ₫"), (_MILLION, "million", "M ₫")),
}
_CURRENCY = {"vi": "đồng", "en": "VND"}


def _money_parts(dong: Number, locale: str, short: bool) -> tuple[str, str | None]:
    """Return (number text, unit word or None) for a scaled money amount.

    The unit is chosen from the exact amount (>= 1 tỷ → tỷ, >= 1 triệu →
    triệu); if rounding to 2 decimals reaches 1.000 of a unit (999.995.000 →
    "1.000 triệu") the next larger unit is used instead ("1 tỷ").
    """
    d = _to_decimal(dong)
    if d is None:
        return EMPTY, None
    amount = abs(d)
    sign = "-" if d < 0 else ""
    units = _MONEY_UNITS[locale]
    for index, (factor, long_word, short_word) in enumerate(units):
        if amount >= factor:
            scaled = _quantize(amount / factor, _MONEY_DECIMALS)
            if scaled >= 1000 and index > 0 and units[index - 1][0] == factor * 1000:
                factor, long_word, short_word = units[index - 1]
                scaled = _quantize(amount / factor, _MONEY_DECIMALS)
            text = _format_decimal(scaled, locale, _MONEY_DECIMALS)
            return sign + text, short_word if short else long_word
    exact = _quantize(amount, 0)
    if exact.is_zero():
        sign = ""
    return sign + _format_decimal(exact, locale, 0), None


def format_money(dong: Number | None, lang: str = "vi", exact: bool = False) -> str:
    """Format an amount of money in đồng.

    Scaled (default): ``6_730_000_000 -> "6,73 tỷ đồng"``, ``248_600_000 ->
    "248,6 triệu đồng"``, ``70_000_000 -> "70 triệu đồng"``, ``500_000 ->
    "500.000 đồng"`` (at most 2 fraction digits, trailing zeros dropped).
    ``exact=True`` gives the full amount: ``"248.600.000 đồng"``. English:
    ``"6.73 billion VND"``, ``"248.6 million VND"``, ``"500,000 VND"``.
    ``None`` gives ``"—"``.
    """
    locale = _locale(lang)
    if dong is None:
        return EMPTY
    currency = _CURRENCY[locale]
    if exact:
        d = _to_decimal(dong)
        if d is None:
            return EMPTY
        return f"{_format_decimal(_quantize(d, 0), locale, 0)} {currency}"
    number, unit = _money_parts(dong, locale, short=False)
    if number == EMPTY:
        return EMPTY
    return f"{number} {unit} {currency}" if unit else f"{number} {currency}"


def format_money_short(dong: Number | None, lang: str = "vi") -> str:
    """Compact money for narrow table cells, without the currency word.

    ``"6,73 tỷ"``, ``"248,6 tr."``, ``"500.000"``; English ``"6.73 B ₫"``,
    ``"248.6 M ₫"``, ``"500,000 ₫"`` (always with the đồng sign, so that money never
    reads like a length or a count). ``None`` gives ``"—"``.
    """
    locale = _locale(lang)
    if dong is None:
        return EMPTY
    number, unit = _money_parts(dong, locale, short=True)
    if number == EMPTY:
        return EMPTY
    if locale == "en" and not unit:
        unit = "₫"
    return f"{number} {unit}" if unit else number


def format_value(value: Any, kind: str, lang: str = "vi", decimals: int | None = None) -> str:
    """Format *value* according to an indicator *kind*.

    ``"money"`` → :func:`format_money`; ``"count"`` → whole number;
    ``"quantity"`` / ``"ratio"`` → :func:`format_number` with *decimals*.
    ``None`` gives ``"—"``; an unknown kind raises ``ValueError``.
    """
    if kind == "money":
        return format_money(value, lang=lang)
    if kind == "count":
        return format_number(value, decimals=0, lang=lang)
    if kind in ("quantity", "ratio"):
        return format_number(value, decimals=decimals, lang=lang)
    raise ValueError(f"unknown value kind {kind!r}")


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------


class NumberFormatError(ValueError):
    """A number typed by the user could not be read.

    Attributes: ``code`` (stable, language-independent identifier such as
    ``"dot_decimal"``), ``message_vi`` / ``message_en`` (what is wrong plus an
    example of the right form) and ``text`` (the input).
    """

    def __init__(self, code: str, message_vi: str, message_en: str, text: str = "") -> None:
        super().__init__(message_en)
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en
        self.text = text

    def message(self, lang: str = "vi") -> str:
        """Return the message in *lang* ("vi" or "en")."""
        return self.message_en if _locale(lang) == "en" else self.message_vi


# Scale words. Keys are casefolded, NFC; matched longest first.
_SCALES = {
    "vi": {
        "tỷ": _BILLION, "tỉ": _BILLION, "ty": _BILLION, "ti": _BILLION,
        "triệu": _MILLION, "trieu": _MILLION, "tr.": _MILLION, "tr": _MILLION,
        "nghìn": 1000, "nghin": 1000, "ngàn": 1000, "ngan": 1000, "k": 1000,
    },
    "en": {
        "billion": _BILLION, "bn": _BILLION, "b": _BILLION,
        "million": _MILLION, "mn": _MILLION, "m": _MILLION,
        "thousand": 1000, "k": 1000,
    },
}  # fmt: skip
# Vietnamese scale words are understood in English mode too (figures arrive written "6,7 tỷ").
_SCALES["en"] = {**_SCALES["vi"], **_SCALES["en"]}
# Units that are accepted and ignored after the number (and after a scale).
_UNITS = {
    "vi": {
        "m2", "m²", "km", "đ", "₫", "đồng", "dong", "d", "vnd", "vnđ",
        "ngày công", "ngay cong",
    },
    "en": {"m2", "m²", "km", "đ", "₫", "d", "vnd", "vnđ", "dong", "đồng"},
}  # fmt: skip

_SPACES_RE = re.compile(r"[\s\u00a0\u2007\u2009\u202f]+")
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2010": "-", "\u2011": "-"})
_NUMBER_RE = re.compile(r"(?P<signs>[+\-\s]*)(?P<body>[0-9.,]*)(?P<rest>.*)", re.DOTALL)
_EXPONENT_RE = re.compile(r"e[+\-]?\d", re.IGNORECASE)
_NON_FINITE = {"∞", "+∞", "-∞", "inf", "+inf", "-inf", "infinity", "nan", "-nan", "+nan"}

_EX = {
    # examples per mode: (integer with grouping, decimal, money)
    "vi": ("1.500", "1,5", "6,7 tỷ đồng"),
    "en": ("1,500", "1.5", "6.7 billion VND"),
}


def _error(code: str, text: str, vi: str, en: str) -> NumberFormatError:
    return NumberFormatError(code, vi, en, text)


def _parse_body(body: str, text: str, locale: str) -> Decimal:
    """Validate and convert the digits-and-separators part."""
    group, dec = (".", ",") if locale == "vi" else (",", ".")
    ex_int, ex_dec, _ = _EX[locale]
    if re.search(r"[.,]{2,}", body):
        raise _error(
            "repeated_separator", text,
            f"«{text}» có hai dấu phân cách liền nhau. Ví dụ đúng: {ex_dec} hoặc {ex_int}.",
            f"“{text}” has two separators in a row. Correct examples: {ex_dec} or {ex_int}.",
        )  # fmt: skip
    if body[0] in ".," or body[-1] in ".,":
        fixed = ("0" + body if body[0] in ".," else body.rstrip(".,")).replace(group, dec)
        raise _error(
            "stray_separator", text,
            f"Số không được bắt đầu hay kết thúc bằng dấu chấm/phẩy. Ví dụ: {fixed}.",
            f"A number cannot start or end with a dot or comma. Example: {fixed}.",
        )  # fmt: skip
    if body.count(dec) > 1:
        raise _error(
            "multiple_decimal_separators", text,
            f"«{text}» có nhiều dấu thập phân «{dec}»; chỉ dùng một dấu, ví dụ: {ex_dec}.",
            f"“{text}” has more than one decimal separator “{dec}”; use only one, "
            f"e.g. {ex_dec}.",
        )  # fmt: skip
    int_part, _, frac = body.partition(dec)
    if group in frac:
        example = "1.500,5" if locale == "vi" else "1,500.5"
        raise _error(
            "mixed_separators", text,
            f"Dấu chấm (hàng nghìn) phải đứng trước dấu phẩy (thập phân), ví dụ: {example}.",
            f"The thousands separator “{group}” must come before the decimal "
            f"separator “{dec}”, e.g. {example}.",
        )  # fmt: skip
    if group in int_part:
        groups = int_part.split(group)
        if len(groups) == 2 and len(groups[1]) != 3 and not frac:
            # "1.5" in vi mode: the user meant a decimal.
            suggestion = body.replace(group, dec)
            if locale == "vi":
                raise _error(
                    "dot_decimal", text,
                    f"Dấu chấm chỉ dùng để ngăn cách hàng nghìn; phần thập phân dùng dấu phẩy: "
                    f"hãy viết «{suggestion}» thay cho «{body}».",
                    f"In Vietnamese numbers the dot separates thousands and the comma marks "
                    f"decimals: write “{suggestion}” instead of “{body}”.",
                )  # fmt: skip
            raise _error(
                "comma_decimal", text,
                f"Trong kiểu số tiếng Anh, dấu phẩy ngăn hàng nghìn và dấu chấm là thập phân: "
                f"hãy viết «{suggestion}» thay cho «{body}».",
                f"The comma separates thousands and the dot marks decimals: write "
                f"“{suggestion}” instead of “{body}”.",
            )  # fmt: skip
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            example = "1.500.000" if locale == "vi" else "1,500,000"
            raise _error(
                "bad_grouping", text,
                f"«{body}» chia nhóm sai: mỗi dấu chấm phải đứng trước đúng 3 chữ số và nhóm "
                f"đầu có 1-3 chữ số, ví dụ: {example}.",
                f"“{body}” is grouped wrongly: every thousands separator must be followed "
                f"by exactly 3 digits and the first group has 1-3 digits, e.g. {example}.",
            )  # fmt: skip
    digits = int_part.replace(group, "")
    return Decimal(digits + ("." + frac if frac else ""))


def _split_suffix(rest: str, text: str, locale: str) -> int:
    """Return the scale factor named in *rest*; raise on unknown text."""
    scale = 1
    rest = rest.strip()
    key = rest.casefold()
    if rest[:1].isdigit():
        example = "1.500.000" if locale == "vi" else "1,500,000"
        raise _error(
            "space_in_number", text,
            f"Không để dấu cách giữa các chữ số trong «{text.strip()}». Ngăn cách hàng "
            f"nghìn bằng dấu chấm, ví dụ: {example}.",
            f"Do not put spaces between the digits of “{text.strip()}”. Separate "
            f"thousands with “{'.' if locale == 'vi' else ','}”, e.g. {example}.",
        )  # fmt: skip
    for word in sorted(_SCALES[locale], key=len, reverse=True):
        if key.startswith(word):
            after = key[len(word) :]
            if not after or not (after[0].isalnum() or after[0] == "²"):
                scale = _SCALES[locale][word]
                same_length = len(key) == len(rest)
                key = after.strip()
                rest = rest[len(word) :].strip() if same_length else key
                break
    if key and key not in _UNITS[locale]:
        if locale == "vi":
            example = "6,7 tỷ đồng, 250 triệu, 1,2 nghìn, 1.500 m²"
        else:
            example = "6.7 billion, 250 million, 1.2 thousand, 1,500 m²"
        raise _error(
            "unknown_suffix", text,
            f"Không hiểu «{sanitize(rest)}» sau con số. Chỉ nhận các chữ tỷ, triệu, nghìn và đơn vị "
            f"(đồng, m², km, ngày công), ví dụ: {example}.",
            f"Unexpected “{sanitize(rest)}” after the number. Only scale words (tỷ, triệu, "
            f"nghìn) and units (đồng, m², km, ngày công) are allowed, e.g. {example}.",
        )  # fmt: skip
    return scale


def parse_number(text: str, lang: str = "vi") -> int | float:
    """Read a number typed in Vietnamese style (or English with ``lang="en"``).

    Accepted (vi): ``"1500"``, ``"1.500"`` (= 1500), ``"248.600.000"``,
    ``"1,5"`` (= 1.5), ``"1.500,5"``, ``"-5"``, scale words ``"6,7 tỷ"``,
    ``"248,6 triệu"``, ``"250 tr"``/``"250tr"``, ``"1,2 nghìn"``/``"ngàn"``
    (also unaccented ``ty``/``trieu``/``nghin``), followed optionally by a unit
    that is ignored (``đồng``, ``đ``, ``d``, ``vnd``, ``m2``, ``m²``, ``km``,
    ``ngày công``). Whitespace, NBSP and NFD input are tolerated.

    Rules: a dot followed by groups of exactly 3 digits is a thousands
    separator; a single comma is the decimal separator. ``"1,500"`` is
    therefore 1.5 (Vietnamese decimal comma), not 1500. ``"1.5"`` is refused
    with a hint to write ``"1,5"``. Results with a scale word are rounded to
    whole đồng. Integral results are returned as ``int``, others as ``float``.

    Raises :class:`NumberFormatError` (a ``ValueError``) with a specific
    ``code``: ``empty``, ``not_a_number``, ``not_finite``, ``double_sign``,
    ``exponent``, ``repeated_separator``, ``stray_separator``,
    ``multiple_decimal_separators``, ``mixed_separators``, ``dot_decimal``
    (``comma_decimal`` in en mode), ``bad_grouping``, ``space_in_number``,
    ``unknown_suffix``.
    """
    locale = _locale(lang)
    if not isinstance(text, str):
        raise TypeError(f"expected str, got {type(text).__name__}")
    try:
        return _parse_number(text, locale)
    except NumberFormatError as err:
        err.text = text
        raise


def _parse_number(raw: str, locale: str) -> int | float:
    s = unicodedata.normalize("NFC", raw).translate(_MINUS)
    s = _SPACES_RE.sub(" ", s).strip()
    shown = sanitize(s)  # safe to echo back in a message
    if len(shown) > 40:
        shown = shown[:39] + "…"
    ex_int, ex_dec, ex_money = _EX[locale]
    if not s:
        raise _error(
            "empty", raw,
            f"Chưa nhập số. Ví dụ: {ex_int} hoặc {ex_dec}.",
            f"No number entered. Example: {ex_int} or {ex_dec}.",
        )  # fmt: skip
    if s.replace(" ", "").casefold() in _NON_FINITE:
        raise _error(
            "not_finite", raw,
            f"«{shown}» không phải là một số cụ thể. Hãy nhập số hữu hạn, ví dụ: {ex_int}.",
            f"“{shown}” is not a finite number. Enter a real amount, e.g. {ex_int}.",
        )  # fmt: skip
    m = _NUMBER_RE.fullmatch(s)
    assert m is not None  # the pattern matches any string
    signs = m["signs"].replace(" ", "")
    body, rest = m["body"], m["rest"]
    if len(signs) > 1:
        raise _error(
            "double_sign", raw,
            f"«{shown}» có nhiều dấu +/- ở đầu. Chỉ dùng một dấu, ví dụ: -5.",
            f"“{shown}” has more than one sign. Use a single one, e.g. -5.",
        )  # fmt: skip
    if not any(ch.isdigit() for ch in body):
        raise _error(
            "not_a_number", raw,
            f"«{shown}» không phải là số. Ví dụ: {ex_int}, {ex_dec} hoặc {ex_money}.",
            f"“{shown}” is not a number. Examples: {ex_int}, {ex_dec} or {ex_money}.",
        )  # fmt: skip
    if _EXPONENT_RE.match(rest):
        raise _error(
            "exponent", raw,
            f"Không dùng dạng lũy thừa như «{shown}». Hãy viết đầy đủ, ví dụ: "
            f"{format_number(100000, lang=locale)} thay cho 1e5.",
            f"Scientific notation like “{shown}” is not accepted. Write the number out, "
            f"e.g. {format_number(100000, lang=locale)} instead of 1e5.",
        )  # fmt: skip
    value = _parse_body(body, shown, locale)
    scale = _split_suffix(rest, shown, locale)
    if signs == "-":
        value = -value
    if scale != 1:
        return int((value * scale).to_integral_value(rounding=ROUND_HALF_UP))
    if value == value.to_integral_value():
        return int(value)
    result = float(value)
    if not math.isfinite(result):  # hundreds of digits after the point overflow a float
        raise _error(
            "not_finite", raw,
            f"«{shown}» quá dài, không phải một số dùng được. Ví dụ: {ex_dec}.",
            f"“{shown}” is too long to be a usable number. Example: {ex_dec}.",
        )  # fmt: skip
    return result
