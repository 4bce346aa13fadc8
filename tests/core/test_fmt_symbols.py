"""The number symbols fmt keeps are Babel's, and formatting gives what Babel's format_decimal gives.

fmt reads no Babel data at run time (it costs start-up time); these tests keep Babel the source:
when a Babel upgrade changes a symbol, regenerate ``NUMBER_SYMBOLS`` from
``number_symbols_from_babel``.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from ccb_tui.core.domain import fmt


@pytest.mark.parametrize("locale", sorted(fmt.NUMBER_SYMBOLS))
def test_symbols_are_babels(locale):
    assert fmt.number_symbols_from_babel(locale) == fmt.NUMBER_SYMBOLS[locale]


def _babel_reference(d: Decimal, locale: str, decimals: int | None, min_decimals: int = 0) -> str:
    """What fmt did before it stopped calling Babel at run time."""
    pattern = None
    if decimals is not None:
        pattern = "#,##0"
        if decimals > 0:
            pattern += "." + "0" * min_decimals + "#" * (decimals - min_decimals)
    with localcontext() as ctx:
        ctx.prec = max(28, d.adjusted() + (decimals or 3) + 5)
        return format_decimal(d, format=pattern, locale=locale)


_decimals = st.one_of(st.none(), st.integers(min_value=0, max_value=4))


@given(
    unscaled=st.one_of(st.integers(min_value=-10**40, max_value=10**40),
                       st.integers(min_value=-10**6, max_value=10**6)),
    decimals=_decimals,
    min_share=st.integers(min_value=0, max_value=4),
    locale=st.sampled_from(["vi", "en"]),
)
def test_same_output_as_babel(unscaled, decimals, min_share, locale):
    places = 3 if decimals is None else decimals
    d = fmt._quantize(Decimal(unscaled).scaleb(-places), places)
    min_decimals = 0 if decimals is None else min(min_share, decimals)
    assert fmt._format_decimal(d, locale, decimals, min_decimals) == _babel_reference(d, locale, decimals,
                                                                                      min_decimals)


@given(x=st.one_of(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e16, max_value=1e16),
                   st.integers(min_value=-10**20, max_value=10**20)),
       decimals=_decimals, locale=st.sampled_from(["vi", "en"]))
def test_format_number_same_as_babel(x, decimals, locale):
    d = fmt._to_decimal(x)
    d = fmt._quantize(d, 3 if decimals is None else decimals)
    expected = _babel_reference(d, locale, decimals, 0 if decimals is None else decimals)
    assert fmt.format_number(x, decimals=decimals, lang=locale) == expected


@given(dong=st.integers(min_value=-10**16, max_value=10**16), locale=st.sampled_from(["vi", "en"]))
def test_money_same_as_babel(dong, locale):
    # The money text's number part, formatted the old way, for every scale.
    text = fmt.format_money_short(dong, lang=locale)
    amount, sign = abs(Decimal(dong)), "-" if dong < 0 else ""
    for factor in (10**9, 10**6):
        if amount >= factor:
            scaled = fmt._quantize(amount / factor, 2)
            if scaled >= 1000 and factor == 10**6:
                factor, scaled = 10**9, fmt._quantize(amount / 10**9, 2)
            assert text.startswith(sign + _babel_reference(scaled, locale, 2) + " ")
            return
    exact = fmt._quantize(amount, 0)
    assert text.split(" ")[0] == ("" if exact.is_zero() else sign) + _babel_reference(exact, locale, 0)
