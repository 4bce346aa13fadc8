"""The review meeting: five read-only pages for a projector, moved with ← → (n / p).

Pages wrap around (→ on the last page shows the first). Auto-advance ("a") runs one 20-second
timer only while it is on; otherwise nothing on this screen redraws unless the data, the year or
the language changes, so an idle meeting sends no bytes.
"""

from __future__ import annotations

from rich.align import Align
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import ContentSwitcher, DataTable, Digits, Static

from ...core.domain import indicators, totals
from ...core.report import text as report_text
from ...core.report import thidua as thidua_view
from ...core.domain.fmt import format_number
from ...core.domain.indicators import CATALOGUE
from ..safe import plain, right
from ..widgets.charts import MembersChart, MoneyChart
from ..widgets.ranking import RankingBoard
from .base import CcbScreen
from ...core.domain.checklist import checklist_for
from ..widgets.checklist import checklist_title, fill_matrix, legend, progress_line

AUTO_SECONDS = 20.0
PAGES: tuple[tuple[str, str, str], ...] = (
    ("meet-headline", "Số liệu chính", "Headlines"),
    ("meet-plan", "Kế hoạch và thực hiện", "Plan vs actual"),
    ("meet-charts", "Biểu đồ theo đơn vị", "Charts"),
    ("meet-tasks", "Nhiệm vụ trọng tâm", "Checklist"),
    ("meet-rank", "Xếp hạng thi đua", "Competition ranking"),
)
# The headline figures: indicator, divisor, decimals, label (vi, en).
HEADLINE: tuple[tuple[str, int, int, str, str], ...] = (
    ("members", 1, 0, "Hội viên", "Members"),
    ("new_members", 1, 0, "Kết nạp mới", "New members"),
    ("fund", 1_000_000, 1, "Quỹ hội (triệu đồng)", "Fund (million VND)"),
    ("loans", 1_000_000_000, 2, "Dư nợ (tỷ đồng)", "Loans (billion VND)"),
)


class MeetingScreen(CcbScreen):
    """Headline totals, plan vs actual, charts, the checklist and the thi đua ranking, one page at
    a time."""

    CSS_PATH = "meeting.tcss"
    BINDINGS = [
        Binding("n", "page(1)", "Trang sau"),
        Binding("p", "page(-1)", "Trang trước"),
        Binding("right", "page(1)", "Trang sau", show=False, priority=True),
        Binding("left", "page(-1)", "Trang trước", show=False, priority=True),
        Binding("a", "toggle_auto", "Tự chuyển"),
        Binding("b", "close", "Đóng"),
        Binding("escape", "close", "Đóng", show=False),
        # The app's keys that would edit, or stack a second meeting, do something safe here.
        Binding("m", "toggle_meeting", show=False),
        Binding("z", "read_only", show=False),
        Binding("d", "leave('dashboard')", show=False),
        Binding("u", "leave('units')", show=False),
        Binding("t", "leave('tasks')", show=False),
        Binding("s", "leave('thidua')", show=False),
    ]

    page: int = 0
    auto_timer: Timer | None = None
    """The auto-advance timer; None while auto-advance is off."""

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="meet-head"):
            yield Static(id="meet-title")
            yield Static(id="meet-page")
        with ContentSwitcher(initial=PAGES[0][0], id="meet-pages"):
            with Vertical(id="meet-headline"):
                with Horizontal(id="meet-cards"):
                    for code, *_ in HEADLINE:
                        with Vertical(classes="meet-card", id=f"card-{code}"):
                            yield Digits("", id=f"digits-{code}")
                            yield Static(id=f"label-{code}", classes="meet-label")
                yield Static(id="meet-more")
            with Vertical(id="meet-plan"):
                table = DataTable(id="meet-plan-table", cursor_type="none", zebra_stripes=True)
                table.can_focus = False
                yield table
                yield Static(id="meet-plan-notes")
            with Vertical(id="meet-charts"):
                yield MembersChart(id="meet-chart-members")
                with Horizontal(id="meet-money"):
                    yield MoneyChart("fund", id="meet-chart-fund")
                    yield MoneyChart("loans", id="meet-chart-loans")
            with Vertical(id="meet-tasks"):
                yield Static(id="meet-tasks-title")
                yield Static(id="meet-tasks-progress")
                matrix = DataTable(id="meet-tasks-table", cursor_type="none", zebra_stripes=True)
                matrix.can_focus = False
                yield matrix
                yield Static(id="meet-tasks-legend")
            with Vertical(id="meet-rank"):
                yield Static(id="meet-rank-title")
                yield RankingBoard(id="meet-rank-board")
                yield Static(id="meet-rank-notes")

    # --- keys -------------------------------------------------------------------------------

    def closable(self) -> bool:
        """Whether closing shows another ccb screen (not so when started with --meeting)."""
        if self.ccb.start_meeting:
            return False  # a projector session: only q leaves, so nobody lands on the editing screens
        stack = self.app.screen_stack
        return len(stack) > 1 and stack[-1] is self and isinstance(stack[-2], CcbScreen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close" and not self.closable():
            return False  # started with --meeting: q quits
        return super().check_action(action, parameters)

    def action_close(self) -> None:
        if self.closable():
            self.app.pop_screen()

    def action_toggle_meeting(self) -> None:
        """"m" again closes the meeting (and never stacks a second one)."""
        self.action_close()

    def action_leave(self, mode: str) -> None:
        if self.closable():
            self.app.pop_screen()
        self.ccb.action_mode(mode)

    def action_read_only(self) -> None:
        self.notify(self.t("Màn hình họp chỉ để xem.", "The meeting screen is read-only."), markup=False)

    def action_page(self, step: int) -> None:
        self.show_page((self.page + step) % len(PAGES))
        if self.auto_timer is not None:
            self.auto_timer.reset()  # a page chosen by hand gets its full 20 seconds

    def action_toggle_auto(self) -> None:
        if self.auto_timer is None:
            self.auto_timer = self.set_interval(AUTO_SECONDS, self._auto_next, name="meeting-auto")
            self.notify(self.t(f"Tự chuyển trang mỗi {AUTO_SECONDS:g} giây (a để tắt).",
                               f"Next page every {AUTO_SECONDS:g} s (a to stop)."), markup=False, timeout=3)
        else:
            self.auto_timer.stop()
            self.auto_timer = None
            self.notify(self.t("Đã tắt tự chuyển trang.", "Auto-advance off."), markup=False, timeout=3)
        self._draw_title()

    def _auto_next(self) -> None:
        self.show_page((self.page + 1) % len(PAGES))

    def on_unmount(self) -> None:
        if self.auto_timer is not None:
            self.auto_timer.stop()
            self.auto_timer = None

    # --- drawing ----------------------------------------------------------------------------

    def show_page(self, index: int) -> None:
        """Switch to page ``index`` (0-based) and draw it."""
        self.page = index
        self.query_one("#meet-pages", ContentSwitcher).current = PAGES[index][0]
        self.refresh_data()

    def refresh_data(self) -> None:
        app = self.ccb
        if app.snap is None:
            return
        self.summary = totals.summarize(app.snap, app.year)
        self._draw_title()
        [self._draw_headline, self._draw_plan, self._draw_charts, self._draw_tasks, self._draw_ranking][self.page]()

    def _draw_title(self) -> None:
        app, summary = self.ccb, getattr(self, "summary", None)
        if summary is None:
            return
        indicator = Text()
        if self.auto_timer is not None:
            indicator.append(f"▶ {self.t('tự chuyển', 'auto')}  ", style="dim")
        indicator.append(f"{self.t('Trang', 'Page')} {self.page + 1}/{len(PAGES)}", style="bold")
        _, vi, en = PAGES[self.page]
        # The header is one row shared by the title and the page mark: the mark keeps its place
        # and the title gives way, the sample-data note first, so neither overwrites the other.
        room = (self.size.width or app.size.width) - 2 - indicator.cell_len - 2
        label = report_text.sample_label(summary, app.lang)
        for sample in (label, self.t("mẫu", "sample") if label else None, None):
            out = plain(summary.cluster.name(app.lang), style="bold")
            out.append(f" · {self.t('Năm', 'Year')} {summary.year} · ", style="bold")
            out.append(self.t(vi, en))
            if sample:
                out.append(f"  [{sample}]", style="italic")
            if out.cell_len <= room:
                break
        self.query_one("#meet-title", Static).update(out)
        self.query_one("#meet-page", Static).update(indicator)

    def _draw_headline(self) -> None:
        summary, lang = self.summary, self.ccb.lang
        recs = {r.indicator: r for r in summary.reconciliations}
        labels: list[tuple[str, Text]] = []
        for code, div, decimals, vi, en in HEADLINE:
            ind = indicators.BY_CODE[code]
            total = summary.totals[code]
            figure = "--" if total.value is None else format_number(total.value / div, decimals, lang)
            self.query_one(f"#digits-{code}", Digits).update(figure)
            name, _, unit = self.t(vi, en).partition(" (")
            label = Text(name, style="bold")
            if unit:
                label.append(f"\n{unit.rstrip(')')}")
            if total.approximate:  # the big digits cannot draw "≈": said under them instead
                label.append("\n")
                label.append(self.t("≈ số gần đúng", "≈ approximate"), style="bold")
            rec = recs.get(code)
            if rec is not None:
                label.append("\n")
                label.append(self.t("✔ khớp báo cáo", "✔ matches report") if rec.ok
                             else self.t("⚠ lệch báo cáo", "⚠ differs from report"),
                             style="" if rec.ok else "bold")
                label.append("\n")
                label.append_text(plain(f"({report_text.show_reconciliation(rec, ind, lang)[2:]})", style="dim"))
            prog = summary.progress[code]
            if prog.met is not None:
                label.append("\n")
                label.append(report_text.show_progress(prog, lang), style="bold")
                label.append(f"\n{self.t('kế hoạch', 'plan')} {report_text.show_number(ind, prog.target, lang)}")
                basis = report_text.plan_basis_text(prog, lang)
                if basis:
                    label.append(f"\n({basis})")
            if total.missing_units:
                label.append("\n")
                label.append(report_text.coverage_text(total, len(summary.units), lang), style="italic")
                names = ", ".join(u.short_name(summary.year) for u in summary.units if u.code in total.missing_units)
                label.append("\n")
                label.append_text(plain(f"({names} {self.t('chưa báo cáo', 'not reported')})", style="italic"))
            labels.append((code, label))
        for code, label in labels:
            self.query_one(f"#label-{code}", Static).update(label)
        items: list[Text] = []
        for ind in CATALOGUE:
            if ind.code in {h[0] for h in HEADLINE}:
                continue
            rec = recs.get(ind.code)
            unit = ind.unit(lang) if ind.kind is indicators.Kind.QUANTITY else ""
            unit = "" if unit.lower() in ind.short(lang).lower() else f" {unit}"
            item = Text(f"{ind.short(lang)} ")
            item.append(report_text.show_total(ind, summary.totals[ind.code], lang) + unit, style="bold")
            if rec is not None:
                item.append(" ✔" if rec.ok else " ⚠")
            items.append(item)
        grid = Table.grid(padding=(0, 3))
        per_row = 3
        for _ in range(per_row):
            grid.add_column(no_wrap=True)
        for i in range(0, len(items), per_row):
            grid.add_row(*items[i:i + per_row])
        more = Align.center(grid)
        self.query_one("#meet-more", Static).update(more)

    def _draw_plan(self) -> None:
        summary, lang = self.summary, self.ccb.lang
        table = self.query_one("#meet-plan-table", DataTable)
        recs = {r.indicator: r for r in summary.reconciliations}
        table.clear(columns=True)
        for label, key in ((self.t("Chỉ tiêu", "Indicator"), "ind"), (self.t("Tổng cụm", "Total"), "total"),
                           (self.t("Kế hoạch", "Plan"), "plan"), (self.t("Tiến độ", "Progress"), "progress"),
                           (self.t("Đối chiếu báo cáo", "Reported"), "rec")):
            table.add_column(plain(label), key=key)
        for ind in CATALOGUE:
            prog = summary.progress[ind.code]
            tgt = summary.targets.get(ind.code)
            rec = recs.get(ind.code)
            table.add_row(
                plain(ind.short(lang)),
                right(report_text.show_total(ind, summary.totals[ind.code], lang,
                                             units_total=len(summary.units), with_unit=True)),
                right(report_text.show_number(ind, tgt, lang) if tgt is not None else "—"),
                plain(report_text.show_progress(prog, lang) or "—",
                      style="" if prog.met is None else ("green" if prog.met else "bold red")),
                plain(report_text.show_reconciliation(rec, ind, lang) or "—",
                      style="" if rec is None or rec.ok else "bold"),
                key=ind.code)
        notes = [self.t("✔ khớp với tổng cụm đã báo cáo · ⚠ không khớp · ≈ có số gần đúng · — chưa có",
                        "✔ matches the reported total · ⚠ mismatch · ≈ approximate · — none")]
        notes.append(report_text.ratio_line(summary, lang))
        notes += report_text.ratio_notes(summary, lang)
        notes += report_text.coverage_notes(summary, lang)
        self.query_one("#meet-plan-notes", Static).update(Text("\n").join(plain(n) for n in notes))

    def _draw_charts(self) -> None:
        lang = self.ccb.lang
        self.query_one("#meet-chart-members", MembersChart).show(self.summary, lang)
        self.query_one("#meet-chart-fund", MoneyChart).show(self.summary, lang)
        self.query_one("#meet-chart-loans", MoneyChart).show(self.summary, lang)

    def _draw_tasks(self) -> None:
        app = self.ccb
        cl = checklist_for(app.snap, app.year)
        self.query_one("#meet-tasks-title", Static).update(checklist_title(app, cl, brief=True))
        self.query_one("#meet-tasks-progress", Static).update(progress_line(cl, app.lang))
        self.query_one("#meet-tasks-legend", Static).update(legend(app.lang))
        table = self.query_one("#meet-tasks-table", DataTable)
        fill_matrix(table, cl, app.lang, (self.size.width or app.size.width) - 2)

    def _draw_ranking(self) -> None:
        """The ranking of the final stage (else the latest scored one), one row per unit; or what
        is missing (a template, any score) and how to add it."""
        app = self.ccb
        td = thidua_view.thidua_view(app.snap, app.year)
        self.thidua = td
        title = self.query_one("#meet-rank-title", Static)
        notes = self.query_one("#meet-rank-notes", Static)
        board = self.query_one("#meet-rank-board", RankingBoard)
        if td.template is None:
            title.update(Text(self.t(f"Năm {td.year} chưa có bảng điểm thi đua.",
                                     f"There is no scoring template for {td.year}."), style="bold"))
            board.show(None, app.lang)
            notes.update(Text(self.t("Thêm bảng điểm bằng lệnh:\n  ccb-tui score template --import TỆP",
                                     "Add one with:\n  ccb-tui score template --import FILE")))
            return
        if td.ranking is None:
            title.update(Text(self.t(f"Năm {td.year} chưa có điểm chấm nào.", f"Nothing is scored for {td.year} yet."),
                              style="bold"))
            board.show(None, app.lang)
            notes.update(Text(self.t(
                f"Bảng điểm có {len(td.template.lines)} dòng, tối đa {thidua_view.show_points(td.template.max_total)} điểm."
                "\nNhập phiếu tự chấm: ccb-tui import TỆP.xlsx (trang Chấm điểm)",
                f"The template has {len(td.template.lines)} lines, out of "
                f"{thidua_view.show_points(td.template.max_total, 'en')} points."
                "\nImport a self-scoring sheet: ccb-tui import FILE.xlsx (sheet Chấm điểm)")))
            return
        out = Text(self.t(f"Xếp hạng thi đua năm {td.year}", f"Competition ranking {td.year}"), style="bold")
        caption = thidua_view.ranking_caption(td, app.lang)
        out.append(" · " + caption[:1].lower() + caption[1:])
        title.update(out)
        board.show(td, app.lang)
        lines = [plain(self.t("✔ chấm đủ các dòng · ⚠ còn dòng chưa chấm (tính 0 điểm)",
                              "✔ every line scored · ⚠ lines not scored yet (count as 0)"))]
        diffs = thidua_view.differences_lines(td, app.lang, td.stage)
        if diffs:
            room = max(1, (self.size.height or app.size.height) // 8)
            head = self.t("Chênh lệch từ 1 điểm: ", "Differ by a point or more: ")
            shown = diffs[:room]
            more = len(diffs) - len(shown)
            text = head + "; ".join(shown) + (self.t(f" (và {more} dòng khác)", f" (and {more} more)") if more else "")
            lines.append(plain(text))
        notes.update(Text("\n").join(lines))

    def on_resize(self) -> None:
        self._draw_title()
        if getattr(self, "summary", None) is None:
            return
        if self.page == 3:
            self._draw_tasks()
        elif self.page == 4:
            self._draw_ranking()
