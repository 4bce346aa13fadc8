"""The indicator catalogue: what the cluster measures, as data."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """How an indicator's value is stored and shown."""

    COUNT = "count"  # a whole number of things
    MONEY = "money"  # whole đồng
    QUANTITY = "quantity"  # a physical quantity with a unit (m², km, workdays)
    RATIO = "ratio"  # a share, 0..1


class Direction(StrEnum):
    """Which way is better when comparing with a target."""

    HIGHER = "higher"
    LOWER = "lower"


class Temporal(StrEnum):
    """Stock (a level as of a date) or flow (an amount during the year)."""

    STOCK = "stock"
    FLOW = "flow"


@dataclass(frozen=True)
class Indicator:
    """One measured indicator (chỉ tiêu)."""

    code: str
    label_vi: str
    label_en: str
    unit_vi: str
    unit_en: str
    kind: Kind
    direction: Direction
    temporal: Temporal
    decimals: int = 0
    max_value: float = 10**12
    short_vi: str = ""
    short_en: str = ""

    def label(self, lang: str = "vi") -> str:
        """The full label in the given language."""
        return self.label_en if lang == "en" else self.label_vi

    def short(self, lang: str = "vi") -> str:
        """A short label for tight tables."""
        if lang == "en":
            return self.short_en or self.label_en
        return self.short_vi or self.label_vi

    def unit(self, lang: str = "vi") -> str:
        """The unit of measure in the given language."""
        return self.unit_en if lang == "en" else self.unit_vi

    @property
    def integral(self) -> bool:
        """Whether values must be whole numbers."""
        return self.kind in (Kind.COUNT, Kind.MONEY) or self.decimals == 0


_H, _L = Direction.HIGHER, Direction.LOWER
_S, _F = Temporal.STOCK, Temporal.FLOW

CATALOGUE: tuple[Indicator, ...] = (
    Indicator("branches", "Số chi hội", "Branches", "chi hội", "branches",
              Kind.COUNT, _H, _S, max_value=10_000, short_vi="Chi hội", short_en="Branches"),
    Indicator("members", "Số hội viên", "Members", "hội viên", "members",
              Kind.COUNT, _H, _S, max_value=1_000_000, short_vi="Hội viên", short_en="Members"),
    Indicator("new_members", "Kết nạp hội viên mới", "New members admitted", "hội viên", "members",
              Kind.COUNT, _H, _F, max_value=100_000, short_vi="Kết nạp mới", short_en="New members"),
    Indicator("houses_removed", "Xóa nhà dột nát", "Dilapidated houses removed", "nhà", "houses",
              Kind.COUNT, _H, _F, max_value=10_000, short_vi="Xóa nhà", short_en="Houses removed"),
    Indicator("houses_built", "Xây dựng nhà", "Houses built", "nhà", "houses",
              Kind.COUNT, _H, _F, max_value=10_000, short_vi="Xây nhà", short_en="Houses built"),
    Indicator("fund", "Quỹ hội", "Association fund", "đồng", "VND",
              Kind.MONEY, _H, _S, max_value=10**12, short_vi="Quỹ hội", short_en="Fund"),
    Indicator("loans", "Dư nợ vốn vay Ngân hàng CSXH", "Social Policy Bank loans outstanding",
              "đồng", "VND", Kind.MONEY, _H, _S, max_value=10**13, short_vi="Dư nợ", short_en="Loans"),
    Indicator("workdays", "Ngày công làm đường nông thôn", "Workdays on rural roads", "ngày công",
              "workdays", Kind.QUANTITY, _H, _F, max_value=1_000_000, short_vi="Ngày công",
              short_en="Workdays"),
    Indicator("land_m2", "Hiến đất", "Land donated", "m²", "m²",
              Kind.QUANTITY, _H, _F, max_value=10_000_000, short_vi="Hiến đất", short_en="Land"),
    Indicator("canal_km", "Nạo vét kênh mương nội đồng", "Field canals dredged", "km", "km",
              Kind.QUANTITY, _H, _F, decimals=2, max_value=10_000, short_vi="Kênh mương",
              short_en="Canals"),
)

BY_CODE: dict[str, Indicator] = {ind.code: ind for ind in CATALOGUE}


def get(code: str) -> Indicator:
    """The indicator with this code; KeyError if there is none."""
    return BY_CODE[code]
