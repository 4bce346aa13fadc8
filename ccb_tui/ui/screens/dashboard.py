"""The dashboard: cluster totals with plan and reconciliation, charts per unit, the per-unit table."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, VerticalScroll
from textual.widget import MountError
from textual.widgets import ContentSwitcher, DataTable, Static

from ...core.domain import indicators, totals, trends
from ...core.report import text as report_text
from ...core.report.change_text import show_total_change
from ...core.domain.indicators import CATALOGUE
from ..safe import plain, right, show
from ..widgets.tables import fill_table, set_border_title
from .base import CcbScreen

TIGHTEN = ((0, True), (1, True), (1, False), (2, False))
"""The totals table's steps from full to tight, as (show_progress's ``tight``, whether a quantity
shows a unit that is a word): full words; English "BELOW" for "NOT MET"; "480" for "480 ngày công"
(the row says what it counts; m² and km stay); the status as its symbol only ("✘ 92% (3/4)")."""


def table_width(columns: list[tuple[str, Text]], rows: list[tuple[str, list[Text]]]) -> int:
    """The cells a DataTable of these columns and rows is wide (one cell of padding each side)."""
    widths = [label.cell_len for _, label in columns]
    for _, cells in rows:
        widths = [max(w, c.cell_len) for w, c in zip(widths, cells)]
    return sum(w + 2 for w in widths)


def title_line(app, summary: totals.YearSummary) -> Text:  # noqa: ANN001 - CcbApp, avoided import cycle
    """"Cụm thi đua số 3 · Hội CCB huyện Lắk … · Năm 2020  [số liệu mẫu]"."""
    lang = app.lang
    cluster = summary.cluster
    out = plain(cluster.name(lang), style="bold")
    parent = cluster.parent_en if lang == "en" else cluster.parent_vi
    if parent and app.size.width >= 110:
        out.append(" · ")
        out.append_text(plain(parent))
    out.append(f"  ·  {app.t('Năm', 'Year')} {summary.year} ", style="bold")
    out.append("‹y›", style="dim")
    current = app.snap.current_year() if app.snap is not None else None
    if current is not None and current != summary.year:
        out.append(f"  {app.t('năm hiện hành', 'current year')} {current}", style="dim")
    if report_text.sample_label(summary, app.lang):
        out.append(f"   [{report_text.sample_label(summary, app.lang)}]", style="italic")
    if app.read_only:
        out.append(f"   {app.t('chỉ xem', 'read-only')}", style="dim")
    return out


class DashboardScreen(CcbScreen):
    """Cluster totals, plan vs actual, reconciliation with the reported totals, and charts."""

    AUTO_FOCUS = "#totals"
    BINDINGS = [
        Binding("e", "edit", "Sửa"),
        Binding("g", "edit_target", "Chỉ tiêu"),
        Binding("x", "export", "Xuất"),
        # Not in the key bar (it is full at 80 columns): the panel's title says "c biểu đồ".
        Binding("c", "toggle_charts", "Biểu đồ", show=False),
    ]

    charts_shown: bool = False
    """Whether the per-unit panel shows the charts (``c``) instead of the per-unit table."""

    def compose_body(self) -> ComposeResult:
        # The breakpoints apply only after the first layout: set the class now, so the first
        # frame is laid out once (a late change repaints the whole screen).
        wide = self.app.size.width >= 110
        self.set_class(not wide, "-narrow")
        self.set_class(wide, "-wide")
        with VerticalScroll(id="dash-scroll"):
            yield Static(id="dash-title")
            totals_table = DataTable(id="totals", cursor_type="row", zebra_stripes=True)
            totals_table.border_title = "Tổng cụm"
            yield totals_table
            # The per-unit panel shows the table or, after "c", the charts in its place: at 80×24
            # charts below the tables were out of reach (PageDown moved the table's cursor).
            with ContentSwitcher(initial="per-unit", id="dash-panel"):
                units_table = DataTable(id="per-unit", cursor_type="cell", zebra_stripes=True)
                units_table.border_title = "Theo đơn vị"
                yield units_table
                # Filled after the first frame (see on_mount): plotting is the costliest import.
                charts = Container(id="dash-charts")
                charts.border_title = "Biểu đồ"
                yield charts
            yield Static(id="dash-notes")

    def refresh_data(self) -> None:
        app = self.ccb
        if app.snap is None:
            return
        summary = totals.summarize(app.snap, app.year)
        self.summary = summary
        show(self.query_one("#dash-title", Static), title_line(app, summary), layout=False)
        self._fill_totals(summary)
        self._fill_units(summary)
        for chart in self.query("#dash-charts > *"):
            chart.show(summary, app.lang)  # type: ignore[attr-defined]
        self._fill_notes(summary)

    def on_mount(self) -> None:
        # CcbScreen.on_mount, which runs after this one, fills the screen (Textual calls the handler
        # of each class in the MRO: a call to super() here filled the dashboard twice).
        if self.app.is_headless:
            # No terminal, no first frame to wait for (Pilot tests): the charts are there at once.
            self.after_first_frame()

    _charts_added = False

    def after_first_frame(self) -> None:
        """Add the charts; the app calls this once its first frame is on screen.

        Their box has a fixed height, so this changes no layout above them and sends nothing while
        they are not shown. Not from on_mount: the screen is built inside the app's start-up batch,
        where "after refresh" callbacks run at once, and importing the plotting library there
        delayed the first frame.
        """
        if self._charts_added:
            return
        self._charts_added = True
        from ..widgets.charts import MembersChart, MoneyChart
        charts = [MembersChart(id="chart-members"), MoneyChart("fund", id="chart-fund"),
                  MoneyChart("loans", id="chart-loans")]
        summary = getattr(self, "summary", None)
        if summary is not None:
            for chart in charts:  # only the data: a chart draws when it is shown
                chart.show(summary, self.ccb.lang)
        try:
            self.query_one("#dash-charts", Container).mount_all(charts)
        except MountError:
            return  # the app closed before the charts were added

    _wide: bool | None = None
    _width = 0

    def on_resize(self) -> None:
        # The change column shows its percent from 110 columns: refill when that flips. The
        # totals tighten to fit the width: refill them (alone) when the width changes.
        if self._wide is not None and (self.app.size.width >= 110) != self._wide and self.ccb.snap is not None:
            self.refresh_data()
        elif self._width and self.app.size.width != self._width and getattr(self, "summary", None) is not None:
            self._fill_totals(self.summary)

    def action_toggle_charts(self) -> None:
        """Switch the per-unit panel between the table and the charts."""
        self.charts_shown = not self.charts_shown
        panel = self.query_one("#dash-panel", ContentSwitcher)
        panel.current = "dash-charts" if self.charts_shown else "per-unit"
        self._panel_titles()
        scroll = self.query_one("#dash-scroll", VerticalScroll)
        if self.charts_shown:
            # Bring the charts into view and let the keys scroll the page (a table's cursor
            # would otherwise keep PageDown and End).
            scroll.focus()
            self.call_after_refresh(scroll.scroll_to_widget, panel, top=True, animate=False)
        else:
            self.query_one("#per-unit", DataTable).focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "edit_target") and self.charts_shown:
            return False  # the cell to edit is in the table: "c" brings it back
        return super().check_action(action, parameters)

    def _panel_titles(self) -> None:
        set_border_title(self.query_one("#per-unit", DataTable),
                         self.t("Theo đơn vị (e sửa, g chỉ tiêu, c biểu đồ)",
                                "By unit (e edit, g target, c charts)"))
        set_border_title(self.query_one("#dash-charts", Container),
                         self.t("Biểu đồ theo đơn vị (c bảng)", "Charts by unit (c table)"))

    # Below 110 columns the charts go two to a row. Breakpoints apply the class before the first
    # layout; setting it in on_mount repainted the whole screen a second time.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]

    def _fill_totals(self, summary: totals.YearSummary) -> None:
        lang = self.ccb.lang
        table = self.query_one("#totals", DataTable)
        set_border_title(table, self.t("Tổng cụm", "Cluster totals"))
        recs = {r.indicator: r for r in summary.reconciliations}
        # The change from the year before, like for like (compare's TotalComparison); no column
        # when the store has no year before (the notes say so). The reconciliation column is
        # left out in a year without reported totals, where it would be empty.
        previous = trends.previous_comparison(self.ccb.snap, summary) if self.ccb.snap is not None else None
        self.previous = previous
        wide = self._wide = self.app.size.width >= 110
        self._width = self.app.size.width
        heads = [(self.t("Chỉ tiêu", "Indicator"), "ind"), (self.t("Tổng cụm", "Total"), "total"),
                 (self.t("Kế hoạch", "Plan"), "plan"), (self.t("Tiến độ", "Progress"), "progress")]
        if recs:
            heads.append((self.t("Đối chiếu", "Reported"), "rec"))
        if previous is not None:
            heads.append((self.t(f"So với {previous.before}", f"vs {previous.before}"), "change"))
        columns = [(key, plain(label)) for label, key in heads]
        # The table fits its panel without scrolling sideways: when the full words are too wide
        # (partial coverage, English), the cells tighten step by step (see _totals_rows).
        room = self.app.size.width - 4  # the panel's border and the page's scrollbar
        for tight in range(len(TIGHTEN)):
            rows = self._totals_rows(summary, recs, previous, wide, tight)
            if table_width(columns, rows) <= room:
                break
        if tight != self._tight:  # columns never narrow when cells are updated in place
            table.clear(columns=True)
        self._tight = tight
        fill_table(table, columns, rows)

    _tight = 0

    def _totals_rows(self, summary: totals.YearSummary, recs: dict, previous: object, wide: bool,
                     tight: int) -> list[tuple[str, list[Text]]]:
        """The totals table's rows; ``tight`` (an index of :data:`TIGHTEN`) shortens them."""
        lang = self.ccb.lang
        word, unit = TIGHTEN[tight]
        rows = []
        for ind in CATALOGUE:
            total = summary.totals[ind.code]
            prog = summary.progress[ind.code]
            tgt = summary.targets.get(ind.code)
            rec = recs.get(ind.code)
            cells = [
                plain(ind.short(lang)),
                right(report_text.show_total(ind, total, lang, units_total=len(summary.units),
                                             with_unit=unit or len(ind.unit(lang)) <= 2)),  # m², km stay
                right(report_text.show_number(ind, tgt, lang) if tgt is not None else ""),
                plain(report_text.show_progress(prog, lang, tight=word),
                      style="" if prog.met is None else ("green" if prog.met else "red")),
            ]
            if recs:
                cells.append(plain(report_text.show_reconciliation(rec, ind, lang),
                                   style="" if rec is None else ("" if rec.ok else "yellow")))
            if previous is not None:
                t = previous.totals[ind.code]  # type: ignore[attr-defined]
                # Below 110 columns the change goes without its percent, to fit 80 columns; a
                # change that cannot be computed is "—" (the cell beside it says which year lacks).
                shown = show_total_change(ind, t, lang, percent=wide) if t.change.computable else "—"
                cells.append(right(shown, "" if t.change.computable else "dim"))
            rows.append((ind.code, cells))
        return rows

    def _fill_units(self, summary: totals.YearSummary) -> None:
        lang = self.ccb.lang
        table = self.query_one("#per-unit", DataTable)
        self._panel_titles()
        columns = [("ind", plain(self.t("Chỉ tiêu", "Indicator")))]
        columns += [(u.code, plain(u.short_name(summary.year))) for u in summary.units]
        rows = []
        for ind in CATALOGUE:
            cells: list[Text] = [plain(ind.short(lang))]
            for u in summary.units:
                r = summary.readings[u.code][ind.code]
                shown = report_text.show_reading(ind, r, lang)
                style = "dim italic" if not r.reported else ("italic" if r.sample else "")
                cells.append(right(shown, style))
            rows.append((ind.code, cells))
        fill_table(table, columns, rows)

    def _fill_notes(self, summary: totals.YearSummary) -> None:
        lang = self.ccb.lang
        lines: list[str] = []
        lines.append(report_text.ratio_line(summary, lang))
        lines += report_text.ratio_notes(summary, lang)
        lines += report_text.coverage_notes(summary, lang)
        if getattr(self, "previous", None) is None:
            lines.append(self.t(f"So với năm trước: chưa có số năm {summary.year - 1}.",
                                f"Change from last year: no figures for {summary.year - 1}."))
        else:
            lines.append(self.t(
                f"So với {summary.year - 1}: ▲ tăng · ▼ giảm · = không đổi · ≈ có số gần đúng · "
                f"(a/b): chỉ so a trong b đơn vị, những đơn vị có số liệu cả hai năm · —: thiếu số của một năm.",
                f"Change from {summary.year - 1}: ▲ up · ▼ down · = unchanged · ≈ approximate · "
                f"(a/b): only a of b units, those with figures in both years · —: a year has no figure."))
        lines += report_text.sample_notes(summary, lang)
        show(self.query_one("#dash-notes", Static), Text("\n".join(lines)))  # lines built from sanitised names

    # --- editing ----------------------------------------------------------------------------

    def _cursor_target(self) -> tuple[str, str] | None:
        """The (unit, indicator) under the per-unit table's cursor, or the first unit for a totals row."""
        table = self.query_one("#per-unit", DataTable)
        summary = getattr(self, "summary", None)
        if summary is None or not summary.units:
            return None
        totals_table = self.query_one("#totals", DataTable)
        if self.focused is totals_table:
            # A total has no single unit: move to that indicator's row of the per-unit table.
            table.move_cursor(row=totals_table.cursor_row, column=max(1, table.cursor_column))
            table.focus()
            self.notify(self.t("Chọn đơn vị trong bảng “Theo đơn vị” rồi nhấn lại.",
                               "Pick a unit in the “By unit” table, then press again."), markup=False, timeout=4)
            return None
        row, col = table.cursor_coordinate
        col = max(1, col)
        return summary.units[col - 1].code, CATALOGUE[row].code

    def action_edit(self) -> None:
        from .edit import EditValueDialog
        target = self._cursor_target()
        if target is not None:
            self.app.push_screen(EditValueDialog(target[0], target[1], self.ccb.year))

    def action_export(self) -> None:
        from .export import ExportDialog
        self.app.push_screen(ExportDialog(self.ccb.year))

    def action_edit_target(self) -> None:
        from .edit import EditTargetDialog
        target = self._cursor_target()
        if target is not None:
            self.app.push_screen(EditTargetDialog(target[0], target[1], self.ccb.year))
