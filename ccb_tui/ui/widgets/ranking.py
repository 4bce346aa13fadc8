"""The thi đua ranking as a board for a projector: rank, unit, points, a bar, band, completeness.

Fed a :class:`~ccb_tui.core.report.thidua.ThiDua` (the one computation); it only lays it out for
its size: taller rows when the screen has room, the bar only when there is width for it. Status
is a symbol and a word (✔ / ⚠ "3/12 dòng chưa chấm"), never colour alone; data is plain text.
"""

from __future__ import annotations

from decimal import Decimal

from rich import box
from rich.cells import cell_len
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.widget import Widget

from ...core.domain import scoring
from ...core.domain.text import sanitize
from ...core.report import thidua
from ..safe import fit_cells, plain

_EIGHTHS = " ▏▎▍▌▋▊▉"
MIN_BAR = 8
PAGE_CHROME = 6
"""Rows of the screen that are not the board: the header, the page title, the notes, the keys."""


def bar(points: Decimal, top: Decimal, width: int) -> str:
    """A horizontal bar of ``width`` cells at most, ``points`` out of ``top``, in eighths."""
    if top <= 0 or points <= 0 or width <= 0:
        return ""
    eighths = int(min(points, top) / top * width * 8)
    return "█" * (eighths // 8) + (_EIGHTHS[eighths % 8] if eighths % 8 else "")


def flag(e: scoring.RankEntry, lang: str) -> str:
    """Whether every line is scored, in words: "✔ đủ 12 dòng" / "⚠ 3/12 dòng chưa chấm"."""
    if e.complete:
        return f"✔ all {e.total_lines} lines" if lang == "en" else f"✔ đủ {e.total_lines} dòng"
    return f"⚠ {thidua.missing_text(e, lang)}"


def short_flag(e: scoring.RankEntry) -> str:
    """The flag without its words, for a narrow screen: "✔", "⚠ 3/12", "⚠ 0/12"."""
    if e.complete:
        return "✔"
    return f"⚠ {e.total_lines - e.scored_lines}/{e.total_lines}" if e.scored else f"⚠ 0/{e.total_lines}"


class RankingBoard(Widget):
    """One row per unit of the ranking the view leads with."""

    DEFAULT_CSS = "RankingBoard { height: auto; }"

    td: thidua.ThiDua | None = None
    lang: str = "vi"

    def show(self, td: thidua.ThiDua | None, lang: str) -> None:
        """Draw ``td``'s leading ranking (hidden when there is none)."""
        self.td, self.lang = td, lang
        self.display = td is not None and td.ranking is not None
        self.refresh(layout=True)

    def _t(self, vi: str, en: str) -> str:
        return en if self.lang == "en" else vi

    def render(self) -> RenderableType:
        td = self.td
        r = td.ranking if td is not None else None
        if td is None or r is None:
            return Text("")
        lang = self.lang
        # Each unit gets three rows (a blank above and below) when the screen has room for them.
        tall = self.app.size.height - PAGE_CHROME >= 3 * len(r.entries) + 6
        table = Table(box=box.ROUNDED, show_lines=not tall, padding=(1 if tall else 0, 1), expand=True,
                      header_style="bold")
        rows = []
        for e in r.entries:
            rows.append((thidua.rank_text(e), sanitize(td.unit_name(e.code)), thidua.show_points(e.points, lang), e.band or "—",
                         flag(e, lang), e.points, short_flag(e)))
        head = (self._t("Hạng", "Rank"), self._t("Đơn vị", "Unit"), self._t("Điểm", "Points"),
                self._t("Xếp loại", "Band"), self._t("Chấm", "Scored"))
        widths = [max(cell_len(h), *(cell_len(row[i]) for row in rows)) for i, h in enumerate(head)]
        width = self.size.width or self.app.size.width
        # The unit's name gives way first: rank, points, band and the flag keep their full width;
        # the flag drops its words (the legend under the board explains the symbols) only when
        # the name would otherwise be narrower than its heading.
        room = width - (sum(widths) + 3 * len(head) + 1)
        if room < 0 and widths[1] + room < cell_len(head[1]):
            rows = [(*row[:4], row[6], *row[5:]) for row in rows]
            widths[4] = max(cell_len(head[4]), *(cell_len(row[4]) for row in rows))
            room = width - (sum(widths) + 3 * len(head) + 1)
        if room < 0:
            widths[1] = max(1, widths[1] + room)
        room -= 3  # the bar's column: its border and padding
        with_bar = room >= MIN_BAR
        if not with_bar and room > -3:
            widths[1] += room + 3  # the name's column takes the space a bar would not use
        table.add_column(head[0], justify="right", no_wrap=True, width=widths[0])
        table.add_column(head[1], no_wrap=True, overflow="ellipsis", width=widths[1])
        table.add_column(head[2], justify="right", no_wrap=True, width=widths[2])
        if with_bar:
            table.add_column(self._t(f"trên {thidua.show_points(r.max_total, lang)}",
                                     f"of {thidua.show_points(r.max_total, lang)}"), no_wrap=True, width=room)
        table.add_column(head[3], no_wrap=True, width=widths[3])
        table.add_column(head[4], no_wrap=True, width=widths[4])
        for rank, name, points, band, note, value, _ in rows:
            cells: list[Text] = [Text(rank, style="bold"), plain(fit_cells(name, widths[1]), style="bold"),
                                 Text(points, style="bold")]
            if with_bar:
                cells.append(Text(bar(value, r.max_total, room) if value is not None else ""))
            cells += [plain(band), plain(note, style="" if note.startswith("✔") else "bold")]
            table.add_row(*cells)
        return table
