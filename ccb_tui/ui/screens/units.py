"""The units: a searchable, sortable list of the year's units, and one unit's figures in detail."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static
from textual.widgets.data_table import RowDoesNotExist

from ...core.domain import indicators, totals, trends
from ...core.report import text as report_text
from ...core.report.change_text import show_change, show_point
from ...core.domain.fmt import format_money
from ...core.domain.indicators import CATALOGUE, Kind
from ...core.domain.models import Reading, Unit
from ...core.domain.text import fold, matches, vi_sort_key
from ..safe import plain, right
from ..widgets.vninput import VnInput
from .base import CcbScreen

# Columns of the list after the name, in order; "o" cycles through "name", these, then report order.
FIGURE_COLUMNS = ("branches", "members", "new_members", "fund", "loans")
SORT_COLUMNS: tuple[str, ...] = ("name", *FIGURE_COLUMNS)


def order_units(units: list[Unit], readings: dict[str, dict[str, Reading]], year: int,
                column: str | None, reverse: bool = False) -> list[Unit]:
    """Units in display order.

    ``column`` None keeps the report's order; "name" sorts by the Vietnamese alphabet on the name
    without its kind ("Xã", "Thị trấn"), then on the full name; an indicator code sorts by value,
    and a unit that did not report stays last in either direction (not reported is not 0).
    """
    if column is None:
        return list(reversed(units)) if reverse else list(units)
    if column == "name":
        return sorted(units, key=lambda u: (vi_sort_key(u.short_name(year)), vi_sort_key(u.name(year))),
                      reverse=reverse)
    reported = [u for u in units if readings[u.code][column].reported]
    missing = [u for u in units if not readings[u.code][column].reported]
    reported.sort(key=lambda u: readings[u.code][column].value, reverse=reverse)  # type: ignore[arg-type,return-value]
    return reported + missing


def _cursor_key(table: DataTable) -> str | None:
    """The key of the row under the cursor, or None for an empty table."""
    if table.row_count == 0:
        return None
    return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value


def _restore_cursor(table: DataTable, key: str | None, fallback: int) -> None:
    """Put the cursor back on row ``key`` (or the same position when that row is gone)."""
    if table.row_count == 0:
        return
    row = fallback
    if key is not None:
        try:
            row = table.get_row_index(key)
        except RowDoesNotExist:  # the unit was filtered out, or left the year
            row = fallback
    table.move_cursor(row=max(0, min(row, table.row_count - 1)), animate=False)


class UnitsScreen(CcbScreen):
    """The year's units with their main figures: search without accents, sort by any column."""

    CSS_PATH = "units.tcss"
    AUTO_FOCUS = "#units-table"
    BINDINGS = [
        Binding("slash", "focus_search", "Tìm", key_display="/"),
        # "o" (order): "s" opens the thi đua screen from every screen.
        Binding("o", "sort", "Sắp xếp"),
        Binding("O", "sort_reverse", "Đảo thứ tự", show=False),
        # Priority, so Enter opens the unit from the table (whose own Enter only posts RowSelected);
        # while the search box has focus the action is off and Enter submits the search.
        Binding("enter", "open", "Chi tiết", priority=True),
        Binding("e", "edit", "Sửa"),
        Binding("r", "rename", "Đổi tên"),
        Binding("escape", "leave_search", "Về bảng", key_display="Esc"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sort_column: str | None = None
        """The column the list is sorted by; None keeps the report's order."""
        self.sort_reverse = False
        self.summary: totals.YearSummary | None = None
        self.shown: list[str] = []
        """Codes of the units in the table, in display order."""

    def compose_body(self) -> ComposeResult:
        yield Static(id="units-title")
        yield VnInput(placeholder="Tìm đơn vị (không cần dấu)…", id="unit-search")
        yield DataTable(id="units-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="units-status")

    # --- data -------------------------------------------------------------------------------

    def refresh_data(self) -> None:
        app = self.ccb
        if app.snap is None:
            return
        self.summary = totals.summarize(app.snap, app.year)
        search = self.query_one("#unit-search", Input)
        search.placeholder = self.t("Tìm đơn vị (không cần dấu)…", "Find a unit (accents optional)…")
        self._fill()

    def _fill(self) -> None:
        """Rebuild the table from the summary, the search text and the sort, keeping the cursor."""
        summary = self.summary
        if summary is None:
            return
        app = self.ccb
        lang, year = app.lang, summary.year
        query = self.query_one("#unit-search", Input).value
        readings = {code: dict(r) for code, r in summary.readings.items()}
        units = [u for u in summary.units
                 if matches(query, u.name(year)) or any(matches(query, p.name) for p in u.periods)]
        units = order_units(units, readings, year, self.sort_column, self.sort_reverse)

        table = self.query_one("#units-table", DataTable)
        key, row = _cursor_key(table), table.cursor_row
        table.clear(columns=True)
        arrow = " ▼" if self.sort_reverse else " ▲"
        table.add_column(plain(self.t("Đơn vị", "Unit") + (arrow if self.sort_column == "name" else "")), key="name")
        for code in FIGURE_COLUMNS:
            label = indicators.get(code).short(lang) + (arrow if self.sort_column == code else "")
            table.add_column(right(label), key=code)
        for u in units:
            cells: list[Text] = [plain(u.name(year))]
            for code in FIGURE_COLUMNS:
                r = readings[u.code][code]
                cells.append(right(report_text.show_reading(indicators.get(code), r, lang),
                                   "" if r.reported else "dim italic"))
            table.add_row(*cells, key=u.code)
        self.shown = [u.code for u in units]
        _restore_cursor(table, key, row)

        self.query_one("#units-title", Static).update(self._title(summary, len(units)))
        self.query_one("#units-status", Static).update(self._status(query, len(units)))
        self.refresh_bindings()

    def _title(self, summary: totals.YearSummary, shown: int) -> Text:
        app = self.ccb
        out = plain(self.t("Đơn vị", "Units"), style="bold")
        out.append(" · ")
        out.append_text(plain(summary.cluster.name(app.lang)))
        out.append(f" · {self.t('Năm', 'Year')} {summary.year} ", style="bold")
        out.append("‹y›", style="dim")
        total = len(summary.units)
        count = f"{shown}/{total}" if shown != total else str(total)
        out.append(f"  {count} {self.t('đơn vị', 'units')}")
        if report_text.sample_label(summary, app.lang):
            out.append(f"  [{report_text.sample_label(summary, app.lang)}]", style="italic")
        if app.read_only:
            out.append(f"  {self.t('chỉ xem', 'read-only')}", style="dim")
        return out

    def _status(self, query: str, shown: int) -> Text:
        if self.sort_column is None:
            by = self.t("thứ tự báo cáo", "report order")
        elif self.sort_column == "name":
            by = self.t("tên (A→Z)", "name (A→Z)") if not self.sort_reverse else self.t("tên (Z→A)", "name (Z→A)")
        else:
            label = indicators.get(self.sort_column).short(self.ccb.lang)
            way = self.t("giảm dần", "descending") if self.sort_reverse else self.t("tăng dần", "ascending")
            by = f"{label} {way}"
        out = Text()
        if shown == 0 and self.summary is not None and self.summary.units:
            out.append(self.t("Không có đơn vị nào khớp «", "No unit matches “"))
            out.append_text(plain(query))
            out.append(self.t("».\n", "”.\n"))
        out.append(self.t("Sắp xếp theo ", "Sorted by ") + by)
        out.append(self.t("  (o: cột khác, O: đảo chiều)", "  (o: next column, O: reverse)"), style="dim")
        return out

    # --- search -----------------------------------------------------------------------------

    @on(Input.Changed, "#unit-search")
    def _search_changed(self) -> None:
        self._fill()  # VnInput has already composed the text (NFC)

    @on(Input.Submitted, "#unit-search")
    def _search_submitted(self) -> None:
        self.action_leave_search()

    def action_focus_search(self) -> None:
        self.query_one("#unit-search", Input).focus()

    def action_leave_search(self) -> None:
        self.query_one("#units-table", DataTable).focus()

    # --- sorting ----------------------------------------------------------------------------

    def action_sort(self) -> None:
        """Sort by the next column (name, each figure, then the report's order), ascending."""
        idx = SORT_COLUMNS.index(self.sort_column) if self.sort_column in SORT_COLUMNS else -1
        self.sort_column = SORT_COLUMNS[idx + 1] if idx + 1 < len(SORT_COLUMNS) else None
        self.sort_reverse = False
        self._fill()

    def action_sort_reverse(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self._fill()

    def sort_by(self, column: str | None, reverse: bool = False) -> None:
        """Sort by ``column`` ("name", an indicator code, or None for the report's order)."""
        self.sort_column, self.sort_reverse = column, reverse
        self._fill()

    @on(DataTable.HeaderSelected, "#units-table")
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        column = event.column_key.value
        if column == self.sort_column:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_column, self.sort_reverse = column, False
        self._fill()

    # --- opening and editing ----------------------------------------------------------------

    def selected_unit(self) -> str | None:
        """The code of the unit under the cursor."""
        return _cursor_key(self.query_one("#units-table", DataTable))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        allowed = super().check_action(action, parameters)
        if not allowed:
            return allowed
        searching = isinstance(self.focused, Input)
        if action == "leave_search":
            return searching
        if action == "open" and searching:
            return False  # Enter belongs to the search box then
        if action in ("open", "edit", "rename") and self.is_mounted and not self.shown:
            return None  # shown dimmed: no unit to act on
        return True

    def action_open(self) -> None:
        code = self.selected_unit()
        if code is not None:
            self.app.push_screen(UnitDetailScreen(code))

    @on(DataTable.RowSelected, "#units-table")
    def _row_clicked(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.push_screen(UnitDetailScreen(event.row_key.value))

    def action_edit(self) -> None:
        code = self.selected_unit()
        if code is not None:
            self.app.push_screen(UnitDetailScreen(code))

    def action_rename(self) -> None:
        from .edit import RenameUnitDialog
        code = self.selected_unit()
        if code is not None:
            self.app.push_screen(RenameUnitDialog(code, self.ccb.year))


class UnitDetailScreen(CcbScreen):
    """Every indicator of one unit for the year: figure, status, target, progress, last year."""

    CSS_PATH = "units.tcss"
    AUTO_FOCUS = "#detail-table"
    BINDINGS = [
        Binding("e", "edit", "Sửa"),
        Binding("g", "edit_target", "Chỉ tiêu"),
        Binding("r", "rename", "Đổi tên"),
        Binding("h", "history", "Lịch sử"),
        Binding("b", "back", "Quay lại"),
        Binding("escape", "back", "Quay lại", show=False),
    ]

    def __init__(self, unit_code: str) -> None:
        super().__init__()
        self.unit_code = unit_code

    def compose_body(self) -> ComposeResult:
        yield Static(id="detail-title")
        yield DataTable(id="detail-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="detail-info")

    def refresh_data(self) -> None:
        app = self.ccb
        snap = app.snap
        if snap is None:
            return
        lang, year = app.lang, app.year
        unit = snap.unit(self.unit_code)
        self.query_one("#detail-title", Static).update(self._title(unit))
        table = self.query_one("#detail-table", DataTable)
        table.border_title = self.t("Các chỉ tiêu", "Indicators")
        key, row = _cursor_key(table), table.cursor_row
        table.clear(columns=True)
        prev = year - 1 if (year - 1) in snap.years() else None
        layout = self._layout(prev)
        self._shown_layout = layout
        for col, label, align in layout:
            table.add_column(right(label) if align else plain(label), key=col)
        cols = {col for col, _, _ in layout}
        if unit is not None:
            progress = totals.unit_progress(snap, unit.code, year)
            for ind in CATALOGUE:
                r = snap.reading(unit.code, ind.code, year)
                tgt = snap.target(unit.code, ind.code, year)
                prog = progress[ind.code]
                cells = [
                    plain(ind.short(lang)),
                    right(_long_reading(ind, r, lang), "" if r.reported else "dim italic"),
                ]
                if "status" in cols:
                    cells.append(plain(self._status_text(r), "" if r.reported else "dim"))
                cells += [
                    right(report_text.show_number(ind, tgt.value, lang) if tgt is not None else "",
                          "italic" if tgt is not None and tgt.sample else ""),
                    plain(report_text.show_progress(prog, lang),
                          "" if prog.met is None else ("green" if prog.met else "red")),
                ]
                if prev is not None:
                    points = {p.year: p for p in trends.unit_history(snap, unit.code, ind.code)}
                    before = points.get(prev)
                    if "prev" in cols:
                        cells.append(right(show_point(ind, before, lang),
                                           "" if before is not None and before.reported else "dim italic"))
                    ch = trends.change_between(ind.code, before, points.get(year))
                    cells.append(right(show_change(ind, ch, lang), "" if ch.computable else "dim italic"))
                table.add_row(*cells, key=ind.code)
        _restore_cursor(table, key, row)
        self._show_info()
        self.refresh_bindings()

    WIDE = 110
    """From this width the table has room for the status and last year's figure beside the change."""

    def _layout(self, prev: int | None) -> list[tuple[str, str, bool]]:
        """The table's columns (key, header, right-aligned) at the screen's width.

        With a year before this one in the store, a "change" column compares with it; below
        ``WIDE`` columns it takes the place of the status (then shown under the table for the
        highlighted row; a figure not reported already says so in its own cell) and of last year's
        figure (also shown under the table), so the table still fits 80 columns.
        """
        wide = self.app.size.width >= self.WIDE
        cols = [("ind", self.t("Chỉ tiêu", "Indicator"), False), ("actual", self.t("Thực hiện", "Actual"), True)]
        if prev is None or wide:
            cols.append(("status", self.t("Trạng thái", "Status"), False))
        cols += [("target", self.t("Kế hoạch", "Target"), True), ("progress", self.t("Tiến độ", "Progress"), False)]
        if prev is not None:
            if wide:
                cols.append(("prev", f"{self.t('Năm', 'Year')} {prev}", True))
            cols.append(("change", self.t(f"So với {prev}", f"Change from {prev}"), True))
        return cols

    def _status_text(self, r: Reading) -> str:
        status = self.t("Đã báo cáo", "Reported") if r.reported else self.t("Chưa báo cáo", "Not reported")
        if r.sample:
            status += " · " + self.t("số liệu mẫu", "sample")  # "sample data" would not fit 80 columns
        return status

    def on_resize(self) -> None:
        # Crossing WIDE changes the columns; a resize within one side changes nothing here.
        shown = getattr(self, "_shown_layout", None)
        snap = self.ccb.snap
        if shown is None or snap is None:
            return
        year = self.ccb.year
        if self._layout(year - 1 if (year - 1) in snap.years() else None) != shown:
            self.refresh_data()

    def _title(self, unit: Unit | None) -> Text:
        app = self.ccb
        year = app.year
        if unit is None:
            return plain(self.t(f"Không có đơn vị mã {self.unit_code}.", f"There is no unit {self.unit_code}."),
                         style="bold")
        out = plain(unit.name(year), style="bold")
        out.append(f" · {self.t('Năm', 'Year')} {year} ", style="bold")
        out.append("‹y›", style="dim")
        snap = app.snap
        if snap is not None and snap.has_sample(year, {unit.code}, targets=False):
            out.append(f"  [{report_text.SAMPLE_LABEL[app.lang]}]", style="italic")
        elif snap is not None and snap.has_sample(year, {unit.code}, figures=False):
            out.append(f"  [{report_text.SAMPLE_TARGETS_LABEL[app.lang]}]", style="italic")
        if not unit.active(year):
            out.append("  " + self.t("(không hoạt động năm này)", "(not active this year)"), style="dim")
        if app.read_only:
            out.append(f"  {self.t('chỉ xem', 'read-only')}", style="dim")
        current = unit.period(year)
        others = [p for p in unit.periods if p is not current and p.name != current.name]
        if others:
            out.append("\n")
            out.append(self.t("Tên khác: ", "Other names: "), style="dim")
            for i, p in enumerate(unit.periods):
                if p not in others:
                    continue
                nxt = unit.periods[i + 1].from_year - 1 if i + 1 < len(unit.periods) else None
                span = f"{p.from_year}–{nxt}" if nxt is not None and nxt != p.from_year else (
                    str(p.from_year) if nxt is not None else self.t(f"từ {p.from_year}", f"from {p.from_year}"))
                out.append_text(plain(p.name))
                out.append(f" ({span})", style="dim")
                if p is not others[-1]:
                    out.append("; ")
        return out

    @on(DataTable.RowHighlighted, "#detail-table")
    def _row_highlighted(self) -> None:
        self._show_info()

    def _show_info(self) -> None:
        """The highlighted indicator in full: label, exact figure, who changed it and when."""
        info = self.query_one("#detail-info", Static)
        code = self.selected_indicator()
        snap = self.ccb.snap
        if code is None or snap is None:
            info.update("")
            return
        lang, year = self.ccb.lang, self.ccb.year
        ind = indicators.get(code)
        r = snap.reading(self.unit_code, code, year)
        out = plain(ind.label(lang), style="bold")
        if fold(ind.unit(lang)) != fold(ind.label(lang)):  # not "Members (members)"
            out.append(f" ({ind.unit(lang)})", style="dim")
        if r.reported and ind.kind is Kind.MONEY:
            q = r.qualifier.label(lang)
            out.append(": " + (f"{q} " if q else "") + format_money(r.value, lang, exact=True))
        cols = {col for col, _, _ in getattr(self, "_shown_layout", ())}
        out.append_text(self._year_line(ind, r, "status" not in cols))
        if r.changed_by or r.changed_at:
            out.append("\n")
            who = plain(r.changed_by or "?")
            out.append(self.t("Sửa lần cuối: ", "Last changed: "), style="dim")
            out.append_text(who)
            if r.changed_at:
                out.append_text(plain(f" · {self.ccb.local_time(r.changed_at)}", style="dim"))
        info.update(out)

    def selected_indicator(self) -> str | None:
        """The code of the indicator under the cursor."""
        return _cursor_key(self.query_one("#detail-table", DataTable))

    def _year_line(self, ind: indicators.Indicator, r: Reading, with_status: bool) -> Text:
        """Under the table, for the highlighted indicator: its status when the table has no room
        for it, and this year's figure beside last year's with the change ("2020: 120 → 2021: 125
        ▲ +5 (+4,2%)"), or that the store has no year before."""
        snap, lang, year = self.ccb.snap, self.ccb.lang, self.ccb.year
        out = Text("\n")
        if with_status:
            out.append(self._status_text(r), style="" if r.reported else "dim")
            out.append(" · ")
        if snap is None or (year - 1) not in snap.years():
            out.append(self.t(f"So với năm trước: chưa có số năm {year - 1}.",
                              f"Change from last year: no figures for {year - 1}."), style="dim")
            return out
        points = {p.year: p for p in trends.unit_history(snap, self.unit_code, ind.code)}
        ch = trends.change_between(ind.code, points.get(year - 1), points.get(year))

        out.append(f"{year - 1}: {show_point(ind, points.get(year - 1), lang)} → "
                   f"{year}: {show_point(ind, points.get(year), lang)}  ")
        out.append(show_change(ind, ch, lang), style="bold" if ch.computable else "dim italic")
        return out

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        allowed = super().check_action(action, parameters)
        if not allowed:
            return allowed
        snap = self.ccb.snap
        if action in ("edit", "edit_target", "rename") and (snap is None or snap.unit(self.unit_code) is None):
            return None
        return True

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_edit(self) -> None:
        from .edit import EditValueDialog
        code = self.selected_indicator()
        if code is not None:
            self.app.push_screen(EditValueDialog(self.unit_code, code, self.ccb.year))

    def action_edit_target(self) -> None:
        from .edit import EditTargetDialog
        code = self.selected_indicator()
        if code is not None:
            self.app.push_screen(EditTargetDialog(self.unit_code, code, self.ccb.year))

    def action_rename(self) -> None:
        from .edit import RenameUnitDialog
        self.app.push_screen(RenameUnitDialog(self.unit_code, self.ccb.year))

    def action_history(self) -> None:
        from .history import HistoryScreen
        self.app.push_screen(HistoryScreen(self.unit_code))


def _long_reading(ind: indicators.Indicator, r: Reading, lang: str) -> str:
    """The figure in words with its qualifier and unit ("gần 248,6 triệu đồng", "0,5 km")."""
    shown = report_text.show_reading(ind, r, lang, short=False)
    if r.reported and ind.kind is Kind.QUANTITY:
        shown += f" {ind.unit(lang)}"
    return shown


__all__ = ["UnitsScreen", "UnitDetailScreen", "order_units"]
