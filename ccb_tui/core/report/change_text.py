"""A change from one year to another in words: "▲ +12 (+3,0%)", "▼ -5", "= 0", "≈ ▲ +0,4 tỷ".

The direction is a symbol and a sign, never colour alone. Shared by ``compare`` (CLI), the unit
detail and the dashboard; every change shown is a :class:`~..domain.compare.Change`.
"""

from __future__ import annotations

from decimal import Decimal

from ..domain.compare import Change, TotalComparison
from ..domain.fmt import format_number
from ..domain.indicators import Indicator, Kind
from ..domain.models import Number
from ..domain.trends import HistoryPoint
from .text import NOT_REPORTED_LONG, NOT_REPORTED_SHORT, show_number

NO_PREVIOUS = {"vi": "chưa có số năm trước", "en": "no figure last year"}
NO_CURRENT = {"vi": "chưa có số năm nay", "en": "no figure this year"}
_SCALES = {"vi": ((10**9, "tỷ"), (10**6, "tr.")), "en": ((10**9, "B ₫"), (10**6, "M ₫"))}

__all__ = ["NO_PREVIOUS", "NO_CURRENT", "show_delta", "show_percent", "show_change", "show_total_change",
           "show_point"]


def _money_delta(amount: Number, ref: Number, lang: str) -> str:
    """A money change in the scale of the figures it is a change of: 7,1 tỷ − 6,7 tỷ is "0,4 tỷ",
    not "400 tr." (the unit of ``ref``, the larger of the two figures)."""
    for factor, word in _SCALES[lang]:
        if abs(ref) >= factor:
            scaled = (Decimal(int(amount)) / factor).quantize(Decimal("0.01")).normalize()
            return f"{format_number(float(scaled), None, lang)} {word}"
    return format_number(amount, 0, lang) + (" ₫" if lang == "en" else "")


def show_delta(ind: Indicator, c: Change, lang: str) -> str:
    """"▲ +5", "▼ -0,2", "= 0", "≈ ▲ +0,4 tỷ" — the sign in text, not colour; "—" when a side is
    missing."""
    if c.delta is None:
        return "—"
    if c.delta == 0:
        body = "= 0"
    else:
        if ind.kind is Kind.MONEY:
            ref = max(abs(c.before or 0), abs(c.after or 0))
            shown = _money_delta(abs(c.delta), ref, lang)
        else:
            shown = show_number(ind, abs(c.delta), lang)
        body = f"▲ +{shown}" if c.delta > 0 else f"▼ -{shown}"
    return f"≈ {body}" if c.approximate else body


def show_percent(c: Change, lang: str, decimals: int = 2, approximate_mark: bool = True) -> str:
    """"+4,17%" (``decimals`` decimals); "—" when not computable (a side missing, or from 0)."""
    if c.percent is None:
        return "—"
    p = round(c.percent, decimals)
    sign = "+" if p > 0 else "-" if p < 0 else ""
    shown = f"{sign}{format_number(abs(p), decimals, lang)}%"
    return f"≈ {shown}" if c.approximate and approximate_mark else shown


def show_change(ind: Indicator, c: Change, lang: str, percent: bool = True) -> str:
    """A change in one cell: "▲ +12 (+3,0%)", "≈ ▼ -0,2 tỷ (-5,1%)", "= 0"; "chưa có số năm
    trước" / "chưa có số năm nay" when a side has no figure (not reported is not zero)."""
    if c.before is None:
        return NO_PREVIOUS[lang]
    if c.after is None:
        return NO_CURRENT[lang]
    out = show_delta(ind, c, lang)
    if percent and c.percent is not None and c.delta != 0:
        out += f" ({show_percent(c, lang, 1, approximate_mark=False)})"
    return out


def show_total_change(ind: Indicator, t: TotalComparison, lang: str, percent: bool = True) -> str:
    """A cluster total's change, like for like: "▲ +14 (+3,2%)", with "(3/4)" when only some
    units reported in both years; "chưa có số năm trước" when none did."""
    if not t.units_counted:
        return NO_PREVIOUS[lang] if not t.reported_before else NO_CURRENT[lang]
    out = show_change(ind, t.change, lang, percent)
    if t.partial:
        out += f" ({len(t.units_counted)}/{t.units_total})"
    return out


def show_point(ind: Indicator, point: HistoryPoint | None, lang: str, short: bool = True) -> str:
    """One year of a unit's history as a table shows a figure: "trên 7 tỷ", "120"; "chưa BC" when
    not reported (or the year is not in the store)."""
    if point is None or not point.reported:
        return (NOT_REPORTED_SHORT if short else NOT_REPORTED_LONG)[lang]
    shown = show_number(ind, point.value, lang, short)
    q = point.qualifier.label(lang)
    return f"{q} {shown}" if q else shown
