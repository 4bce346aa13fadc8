"""Properties of validation and of Vietnamese number parsing that tests/core does not state yet.

tests/core/test_fmt.py already round-trips integers, 3-decimal floats (vi), fixed decimals and
money (multiples of 10 million đồng); tests/core/test_validation.py checks tables of examples.
Added here: validation never raises whatever it is given, refuses every negative and every
fraction of a count or an amount of money, accepts every whole number within the bound; English
3-decimal round trips; every indicator's displayed value reads back as itself; and parse_number on
any text returns a finite number or raises NumberFormatError, nothing else.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ccb_tui.core.domain import indicators
from ccb_tui.core.domain.errors import Problem
from ccb_tui.core.domain.fmt import NumberFormatError, format_number, format_value, parse_number
from ccb_tui.core.domain.models import Qualifier, Status
from ccb_tui.core.domain.validation import validate_reading, validate_target
from relhelp import YEAR, cli_in_process, one_line

pytestmark = pytest.mark.timeout(120)

CODES = [ind.code for ind in indicators.CATALOGUE]
INTEGRAL = [ind for ind in indicators.CATALOGUE if ind.integral]
NOT_MONEY = [ind for ind in indicators.CATALOGUE if ind.kind is not indicators.Kind.MONEY]
FLOAT_MAX_INT = 10**300  # ints beyond float range: see test_huge_integer_is_refused_not_crashed

anything = st.one_of(
    st.none(), st.booleans(), st.integers(-FLOAT_MAX_INT, FLOAT_MAX_INT),
    st.floats(allow_nan=True, allow_infinity=True), st.decimals(allow_nan=True), st.text(max_size=20),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
codes = st.one_of(st.sampled_from(CODES), st.text(max_size=12), st.none(), st.integers())
qualifiers = st.one_of(st.sampled_from(list(Qualifier)), st.sampled_from([q.value for q in Qualifier]),
                       st.text(max_size=10), st.none(), st.integers())
statuses = st.one_of(st.sampled_from(list(Status)), st.sampled_from([s.value for s in Status]),
                     st.text(max_size=10), st.none())


def _well_formed(problems: object) -> list[Problem]:
    assert isinstance(problems, list)
    for p in problems:
        assert isinstance(p, Problem) and p.msg.vi.strip() and p.msg.en.strip()
    return problems  # type: ignore[return-value]


# --- validation -------------------------------------------------------------------------------------

@settings(max_examples=400)
@given(code=codes, value=anything, qualifier=qualifiers, status=statuses)
def test_validate_reading_never_raises(code, value, qualifier, status) -> None:
    _well_formed(validate_reading(code, value, qualifier, status))


@settings(max_examples=200)
@given(code=codes, value=anything)
def test_validate_target_never_raises(code, value) -> None:
    _well_formed(validate_target(code, value))


@given(ind=st.sampled_from(indicators.CATALOGUE),
       value=st.one_of(st.integers(max_value=-1), st.floats(max_value=-1e-9, allow_infinity=False)))
def test_negatives_refused(ind, value) -> None:
    assert _well_formed(validate_reading(ind.code, value))
    assert _well_formed(validate_target(ind.code, value))


@given(ind=st.sampled_from(INTEGRAL), whole=st.integers(0, 10**6), frac=st.sampled_from([0.5, 0.25, 0.1, 0.001]))
def test_fractions_of_counts_and_money_refused(ind, whole, frac) -> None:
    value = whole + frac
    assert _well_formed(validate_reading(ind.code, value))
    assert _well_formed(validate_target(ind.code, value))


@given(data=st.data(), ind=st.sampled_from(indicators.CATALOGUE))
def test_whole_numbers_within_bound_accepted(data, ind) -> None:
    value = data.draw(st.integers(0, int(ind.max_value)))
    assert validate_reading(ind.code, value, Qualifier.EXACT, Status.REPORTED) == []
    assert validate_target(ind.code, value) == []
    assert validate_reading(ind.code, int(ind.max_value) + 1)  # one past the bound is refused


@given(data=st.data(), ind=st.sampled_from([i for i in indicators.CATALOGUE if not i.integral]))
def test_decimal_places(data, ind) -> None:
    k = data.draw(st.integers(0, int(ind.max_value) * 10**ind.decimals))
    assert validate_reading(ind.code, k / 10**ind.decimals) == []
    extra = data.draw(st.integers(1, 9))
    too_fine = (k * 10 + extra) / 10 ** (ind.decimals + 1)
    assert validate_reading(ind.code, too_fine)


@given(ind=st.sampled_from(indicators.CATALOGUE), value=st.sampled_from([math.nan, math.inf, -math.inf]))
def test_non_finite_refused(ind, value) -> None:
    assert validate_reading(ind.code, value)
    assert validate_target(ind.code, value)


@given(ind=st.sampled_from(indicators.CATALOGUE), value=st.integers(0, 99))
def test_not_reported_is_not_zero(ind, value) -> None:
    assert validate_reading(ind.code, None, Qualifier.EXACT, Status.NOT_REPORTED) == []
    assert validate_reading(ind.code, value, Qualifier.EXACT, Status.NOT_REPORTED)  # a value with "not reported"
    assert validate_reading(ind.code, None, Qualifier.EXACT, Status.REPORTED)  # "reported" without a value


def test_huge_integer_is_refused_not_crashed(seeded_db) -> None:
    huge = 10**400
    assert validate_reading("members", huge) and validate_target("members", huge)
    code, _out, err = cli_in_process(["set", "krong_no", "members", "1" + "0" * 400, "--year", str(YEAR),
                                      "--db", str(seeded_db)])
    assert code == 3
    one_line(err)


# --- numbers ----------------------------------------------------------------------------------------

@given(st.integers(-(10**12), 10**12), st.integers(1, 3))
def test_round_trip_decimals_en(k, decimals) -> None:
    x = k / 10**decimals
    assert parse_number(format_number(x, lang="en"), lang="en") == x


@given(data=st.data(), ind=st.sampled_from(NOT_MONEY), lang=st.sampled_from(["vi", "en"]))
def test_every_indicator_reads_back_what_it_shows(data, ind, lang) -> None:
    """What the dashboard shows for a valid figure, typed back into the form, is the same figure."""
    k = data.draw(st.integers(0, int(ind.max_value) * 10**ind.decimals))
    value = k if ind.decimals == 0 else k / 10**ind.decimals
    shown = format_value(value, ind.kind.value, lang, ind.decimals)
    assert parse_number(shown, lang=lang) == value, shown


NUMBER_PARTS = list("0123456789.,-+ eE_\u00a0\u2212") + [" tỷ", " triệu", " đồng", "tr", " nghìn", "km"]
NUMBERISH = st.lists(st.sampled_from(NUMBER_PARTS), max_size=20).map("".join)


@settings(max_examples=500)
@given(text=st.one_of(st.text(max_size=30), NUMBERISH), lang=st.sampled_from(["vi", "en"]))
def test_parse_number_returns_a_finite_number_or_refuses(text, lang) -> None:
    try:
        value = parse_number(text, lang=lang)
    except NumberFormatError as exc:
        assert exc.message_vi and exc.message_en and exc.code
        assert "\x1b" not in exc.message_vi + exc.message_en
        return
    assert type(value) in (int, float)
    assert math.isfinite(value)
    if isinstance(value, float):
        assert not value.is_integer(), "integral results are returned as int"


def test_overlong_decimal_refused_by_parser() -> None:
    with pytest.raises(NumberFormatError):
        parse_number("1" * 400 + ",5")
