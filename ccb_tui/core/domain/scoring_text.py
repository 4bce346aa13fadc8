"""Thi đua words shared by the store, the CLI and the views: points as people write them and the
stage a person means ("tự chấm", "huyện")."""

from __future__ import annotations

from decimal import Decimal

from . import text
from .errors import InvalidValue
from .models import Msg
from .scoring import STAGE_ALIASES


def fmt_points(d: Decimal | None, lang: str = "vi") -> str:
    """Points as people write them: "88,25" (vi) or "88.25" (en); "—" for none."""
    if d is None:
        return "—"
    shown = format(d.normalize(), "f")  # 80.50 is "80,5", as the other views show it; 80 stays "80"
    return shown.replace(".", ",") if lang == "vi" else shown


def parse_stage(raw: str) -> str:
    """A stage from what was typed ("self", "tự chấm", "huyện"); InvalidValue naming the choices."""
    found = STAGE_ALIASES.get(text.fold(str(raw)).strip())
    if found is None:
        shown = text.sanitize(str(raw))[:40]
        raise InvalidValue(Msg(f"Không có vòng chấm '{shown}'. Dùng: self (tự chấm), peer (cụm thẩm định), "
                               f"final (huyện chấm).",
                               f"There is no stage '{shown}'. Use: self, peer or final."))
    return found


def no_template_msg(year: int) -> Msg:
    """What a year without a points table says, and the two ways to give it one."""
    return Msg(
        f"Năm {year} chưa có bảng điểm thi đua. Nhập bảng điểm: ccb-tui score template --import TỆP --year {year}, "
        f"hoặc mang sang từ năm trước: ccb-tui year open {year} --from {year - 1}",
        f"{year} has no points table. Import one: ccb-tui score template --import FILE --year {year}, "
        f"or carry last year's forward: ccb-tui year open {year} --from {year - 1}")
