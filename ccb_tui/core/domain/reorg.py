"""Reorganised units (merge, split): shares as people write them and the words that say where a
unit came from ("gồm Krông Nô + Nam Ka trước 2025").

Pure: no store, no UI. The figures carried through a reorganisation are computed in
:mod:`.compare` (``unit_history`` and the comparison), which uses these words.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Iterable

from .errors import InvalidValue
from .fmt import format_number
from .models import Msg, Snapshot, Unit

_SHARE = re.compile(r"^\s*([0-9]+(?:[.,][0-9]+)?)\s*(%?)\s*$")  # ASCII digits: "٥٠" is not 50


def parse_share(raw: str) -> Decimal:
    """A share of a unit's figures as written: "0,6", "0.6", "60%", "62,5%" → Decimal("0.6").

    Exact (Decimal): shares are checked to add up to exactly 1. Refused (InvalidValue) when it
    is not a number, is 0, or is above 1 (100%).
    """
    m = _SHARE.match(str(raw))
    shown = str(raw).strip()[:40]
    if m is None:
        raise InvalidValue(Msg(f"Tỷ lệ '{shown}' không hợp lệ; viết kiểu 0,6 hoặc 60%.",
                               f"The share '{shown}' is not valid; write it as 0,6 or 60%."))
    try:
        share = Decimal(m.group(1).replace(",", "."))
    except InvalidOperation:  # the pattern admits only digits: kept as a guard
        raise InvalidValue(Msg(f"Tỷ lệ '{shown}' không hợp lệ; viết kiểu 0,6 hoặc 60%.",
                               f"The share '{shown}' is not valid; write it as 0,6 or 60%.")) from None
    if m.group(2):
        share /= 100
    elif share > 1:
        raise InvalidValue(Msg(f"Tỷ lệ '{shown}' lớn hơn 1; viết 0,6 hoặc 60% (có dấu %).",
                               f"The share '{shown}' is above 1; write 0,6 or 60% (with the % sign)."))
    if not 0 < share <= 1:
        raise InvalidValue(Msg(f"Tỷ lệ '{shown}' phải lớn hơn 0 và không quá 100%.",
                               f"The share '{shown}' must be above 0 and at most 100%."))
    return share.normalize()


def percent_text(share: Decimal, lang: str = "vi") -> str:
    """A share as a percent, Vietnamese-style by default: Decimal("0.625") → "62,5%"."""
    p = (share * 100).normalize()
    places = max(0, -int(p.as_tuple().exponent))  # type: ignore[operator]
    return f"{format_number(float(p), places, lang)}%"


def check_shares(shares: Iterable[Decimal]) -> None:
    """Refuse (InvalidValue) shares that do not add up to exactly 1 (100%)."""
    shares = list(shares)
    total = sum(shares, Decimal(0))
    if total != 1:
        raise InvalidValue(Msg(
            f"Các tỷ lệ cộng lại là {percent_text(total)}, phải đúng 100%; sửa lại cho đủ 100%.",
            f"The shares add up to {percent_text(total, 'en')}; they must make exactly 100%; fix them."))


def parts_text(snap: Snapshot, parts: Iterable[tuple[str, Decimal]], year: int | None, lang: str = "vi") -> str:
    """"Krông Nô + Nam Ka", "60% Ea R'Bin" ("60% of Ea R'Bin" in English): the units (short
    names in ``year``) and the share taken from each where it is not the whole."""
    out = []
    for code, share in parts:
        u = snap.unit(code)
        name = u.short_name(year) if u is not None else code
        if share != 1:
            name = f"{percent_text(share, lang)} {'of ' if lang == 'en' else ''}{name}"
        out.append(name)
    return " + ".join(out)


def formed_text(snap: Snapshot, unit: Unit, lang: str = "vi", *, before: bool = True) -> str:
    """Where a reorganised unit came from: "gồm Krông Nô + Nam Ka trước 2025" (``before``) or
    "gồm Krông Nô + Nam Ka từ 2025"; "" for a unit not formed by a merge or split."""
    if not unit.formed_from or unit.formed_in is None:
        return ""
    year = unit.formed_in
    parts = parts_text(snap, ((o.unit, o.share) for o in unit.formed_from), year - 1, lang)
    if lang == "en":
        return f"includes {parts} {'before' if before else 'from'} {year}"
    return f"gồm {parts} {'trước' if before else 'từ'} {year}"

