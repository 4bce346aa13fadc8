"""Trend charts: members, fund or loans of every unit over every year of the store (key ``v``)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from ...core.domain import trends
from ...core.domain.indicators import BY_CODE
from ...core.domain.text import sanitize
from ..safe import plain, show
from ..widgets.trends import COLORS, SYMBOLS, TrendChart, TrendLine
from .base import CcbScreen

INDICATORS = ("members", "fund", "loans")
"""The indicators a trend chart shows, in the order the keys 1-3 and n/p go through them."""


class TrendsScreen(CcbScreen):
    """One indicator at a time as a line per unit over the years; gaps where a unit did not report."""

    BINDINGS = [
        Binding("n", "indicator(1)", "Chỉ tiêu sau"),
        Binding("p", "indicator(-1)", "Chỉ tiêu trước"),
        Binding("right", "indicator(1)", "Chỉ tiêu sau", show=False, priority=True),
        Binding("left", "indicator(-1)", "Chỉ tiêu trước", show=False, priority=True),
        Binding("1", "show('members')", "Hội viên", show=False),
        Binding("2", "show('fund')", "Quỹ hội", show=False),
        Binding("3", "show('loans')", "Dư nợ", show=False),
        Binding("b", "close", "Đóng"),
        Binding("escape", "close", "Đóng", show=False),
        Binding("v", "close", show=False),
    ]

    indicator: str = "members"

    def __init__(self, indicator: str = "members") -> None:
        super().__init__()
        self.indicator = indicator

    def compose_body(self) -> ComposeResult:
        yield Static(id="trends-title")
        yield TrendChart(id="trend-chart")
        yield Static(id="trends-notes")

    def refresh_data(self) -> None:
        app = self.ccb
        snap = app.snap
        if snap is None:
            return
        lang = app.lang
        years = snap.years()
        units = trends.cluster_units(snap)
        lines: list[TrendLine] = []
        approximate: list[str] = []
        for i, unit in enumerate(units):
            history = trends.cluster_history(snap, unit.code, self.indicator)
            last = max((p.year for p in history if p.active), default=None)
            label = sanitize(unit.short_name(last))
            point, stroke = SYMBOLS[i % len(SYMBOLS)]
            lines.append(TrendLine(label, point, COLORS[i % len(COLORS)], tuple(p.value for p in history), stroke))
            approximate += [f"{label} {p.year}" for p in history if p.approximate]
        chart = self.query_one(TrendChart)
        chart.show(self.indicator, years, lines, lang)
        chart.border_title = Text(chart.title())  # a Text: never parsed as markup
        show(self.query_one("#trends-title", Static), self._title(snap.clusters[snap.default_cluster()].name(lang),
                                                                   years))
        self._approximate = approximate
        self._draw_notes()
        self.call_after_refresh(self._draw_notes)  # the chart's size is known once laid out

    def on_resize(self) -> None:
        self.call_after_refresh(self._draw_notes)

    def _draw_notes(self) -> None:
        """The notes under the chart: gaps, approximate figures, and the points that share a cell
        at this size (only one symbol can show there, so they are named in words)."""
        notes = Text(self.t("Khoảng trống: năm đơn vị chưa báo cáo (không phải 0).",
                            "A gap: a year the unit did not report (not zero)."), style="dim")
        approximate = getattr(self, "_approximate", [])
        if approximate:
            notes.append("\n")
            notes.append_text(plain(self.t("Số gần đúng (gần, trên, khoảng…): ", "Approximate figures: ")
                                    + ", ".join(approximate), style="dim"))
        chart = self.query_one(TrendChart)
        shared = chart.shared_cells(chart.size.width, chart.size.height) if chart.size.area else []
        if shared:
            notes.append("\n")
            said = "; ".join(f"{year} {' = '.join(labels)}" for year, labels in shared)
            notes.append_text(plain(self.t(f"Trùng điểm (một ký hiệu che ký hiệu kia): {said}",
                                           f"Points on one spot (one symbol hides the other): {said}")))
        show(self.query_one("#trends-notes", Static), notes)

    def _title(self, cluster: str, years: list[int]) -> Text:
        out = plain(self.t("Xu hướng", "Trends"), style="bold")
        out.append(" · ")
        out.append_text(plain(cluster))
        if years:
            out.append(f" · {years[0]}–{years[-1]}" if len(years) > 1 else f" · {years[0]}")
        out.append("   ")
        for i, code in enumerate(INDICATORS):
            label = f"{i + 1} {BY_CODE[code].short(self.ccb.lang)}"
            if code == self.indicator:
                out.append(f"[{label}]", style="bold reverse")
            else:
                out.append(f" {label} ", style="dim")
            out.append(" ")
        return out

    def action_indicator(self, step: int) -> None:
        """Show the next (or previous) indicator."""
        idx = (INDICATORS.index(self.indicator) + step) % len(INDICATORS)
        self.action_show(INDICATORS[idx])

    def action_show(self, indicator: str) -> None:
        """Show ``indicator``'s chart."""
        self.indicator = indicator
        self.refresh_data()

    def action_close(self) -> None:
        self.app.pop_screen()
