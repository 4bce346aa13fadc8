"""Các cụm thi đua: every cluster of the store side by side for the year shown, and the choice of
the cluster this session shows (dashboard, units, tasks, meeting)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from ...core.report import clusters as overview_mod
from ...core.report.thidua import show_points
from ..safe import plain, right, show
from ..widgets.checklist import truncate
from ..widgets.tables import fill_table
from .base import CcbScreen

NAME_MAX = 14  # cells of a cluster's short name at 80 columns; the text below the table gives it whole
WIDE = 110  # from this width: full names, "đạt" after the plan count, longer leader names


class ClustersScreen(CcbScreen):
    """One row per cluster for the year shown: its units, the main totals with coverage, plan vs
    actual, and who leads its ranking. Enter shows that cluster everywhere in this session."""

    AUTO_FOCUS = "#clusters-table"
    BINDINGS = [
        Binding("enter", "choose", "Xem cụm này"),
        Binding("b", "back", "Quay lại"),
        Binding("escape", "back", "Quay lại", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: tuple[overview_mod.ClusterRow, ...] = ()

    def compose_body(self) -> ComposeResult:
        yield Static(id="clusters-title")
        yield DataTable(id="clusters-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="clusters-detail-box"):
            yield Static(id="clusters-detail")
        yield Static(id="clusters-notes")

    def refresh_data(self) -> None:
        app = self.ccb
        if app.snap is None:
            return
        self.rows = overview_mod.overview(app.snap, app.year)
        title = plain(self.t("Các cụm thi đua", "Competition clusters"), style="bold")
        title.append(f"  ·  {self.t('Năm', 'Year')} {app.year} ", style="bold")
        title.append("‹y›", style="dim")
        title.append(f"  ·  {len(self.rows)} {self.t('cụm', 'clusters' if len(self.rows) != 1 else 'cluster')}")
        show(self.query_one("#clusters-title", Static), title)
        table = self.query_one("#clusters-table", DataTable)
        wide = (self.size.width or app.size.width) >= WIDE
        lang = app.lang
        columns = [("name", plain("  " + self.t("Cụm", "Cluster"))),
                   ("units", right(self.t("Đơn vị", "Units") if wide else self.t("ĐV", "Un."))),
                   ("members", right(self.t("Hội viên", "Members"))), ("fund", right(self.t("Quỹ hội", "Fund"))),
                   ("loans", right(self.t("Dư nợ", "Loans"))),
                   ("plan", plain(self.t("Kế hoạch", "Plan") if wide else self.t("KH", "Plan"))),
                   ("leader", plain(self.t("Dẫn đầu", "Leader")))]
        body = []
        for row in self.rows:
            name = row.cluster.name(lang) if wide else truncate(overview_mod.short_name(row.cluster, lang), NAME_MAX)
            cell = Text("► " if row.shown else "  ")
            cell.append_text(plain(name, style="bold" if row.shown else ""))
            body.append((row.cluster.code, [
                cell,
                right(row.unit_count),
                right(row.total_text("members", lang)),
                right(row.total_text("fund", lang)),
                right(row.total_text("loans", lang)),
                plain(row.plan_text(lang, short=not wide)),
                plain(self._leader(row, wide)),
            ]))
        fill_table(table, columns, body)
        self._show_detail()
        notes = self.t("► cụm đang xem · Enter: xem cụm đã chọn ở mọi màn hình (chỉ trong phiên này; "
                       "cho mọi người: ccb-tui cluster current MÃ) · b: quay lại",
                       "► the cluster shown · Enter: show the chosen cluster on every screen (this session "
                       "only; for everyone: ccb-tui cluster current CODE) · b: back")
        show(self.query_one("#clusters-notes", Static), plain(notes))

    def _leader(self, row: overview_mod.ClusterRow, wide: bool) -> str:
        leaders = row.leaders
        if not leaders:
            return "—"
        first = leaders[0]
        lang = self.ccb.lang
        name = next((u.short_name(row.summary.year) for u in row.summary.units if u.code == first.code), first.name)
        more = f" +{len(leaders) - 1}" if len(leaders) > 1 else ""
        return f"{truncate(name, 14 if wide else 9)}{more} {show_points(first.points, lang)}"

    def _current_row(self) -> overview_mod.ClusterRow | None:
        table = self.query_one("#clusters-table", DataTable)
        if table.row_count == 0 or not self.rows:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((r for r in self.rows if r.cluster.code == key), None)

    def _show_detail(self) -> None:
        row = self._current_row()
        box = self.query_one("#clusters-detail", Static)
        if row is None:
            show(box, plain(""))
            return
        lang = self.ccb.lang
        year = row.summary.year
        head = plain(row.cluster.name(lang), style="bold")
        parent = row.cluster.parent_en if lang == "en" else row.cluster.parent_vi
        if parent:
            head.append(" · ")
            head.append_text(plain(parent))
        names = ", ".join(u.short_name(year) for u in row.summary.units) or "—"
        lines = [head, plain(f"{row.unit_count} {self.t('đơn vị', 'units')}: {names}")]
        for code, vi, en in (("members", "Hội viên", "Members"), ("fund", "Quỹ hội", "Fund"), ("loans", "Dư nợ", "Loans")):
            total = row.summary.totals[code]
            missing = [u.short_name(year) for u in row.summary.units if u.code in total.missing_units]
            line = f"{self.t(vi, en)}: {row.total_text(code, lang)}"
            if missing:
                line += f" · {self.t('chưa báo cáo', 'not reported')}: {', '.join(missing)}"
            lines.append(plain(line))
        details = overview_mod.plan_details(row, lang)
        lines.append(plain(f"{self.t('Kế hoạch', 'Plan')}: {row.plan_text(lang)}" + (f" ({details})" if details else "")))
        if row.ranking is not None and row.leaders:
            ranked = " · ".join(f"{e.rank}. {self._short(row, e.code, e.name)} {show_points(e.points, lang)}"
                                if e.scored else f"{self._short(row, e.code, e.name)} {self.t('chưa chấm', 'not scored')}"
                                for e in row.ranking.entries)
            lines.append(plain(f"{self.t('Xếp hạng', 'Ranking')}: {ranked}"))
        else:
            lines.append(plain(self.t("Xếp hạng: chưa có điểm chấm", "Ranking: no scores yet")))
        out = Text("\n").join(lines)
        show(box, out)

    @staticmethod
    def _short(row: overview_mod.ClusterRow, code: str, name: str) -> str:
        return next((u.short_name(row.summary.year) for u in row.summary.units if u.code == code), name)

    @on(DataTable.RowHighlighted, "#clusters-table")
    def _highlighted(self) -> None:
        self._show_detail()

    @on(DataTable.RowSelected, "#clusters-table")
    def _selected(self) -> None:
        self.action_choose()

    def action_choose(self) -> None:
        row = self._current_row()
        if row is None:
            return
        self.ccb.show_cluster(row.cluster.code)
        self.app.pop_screen()

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_resize(self) -> None:
        if self.is_mounted and self.ccb.snap is not None:
            self.refresh_data()
