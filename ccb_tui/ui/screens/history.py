"""A unit's history: every audited change to it, newest first, with who and when."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from ...core import audit
from ...core.errors import CcbError
from ..safe import plain
from .base import CcbScreen


class HistoryScreen(CcbScreen):
    """The audit log filtered to one unit (or the whole store when ``unit_code`` is None)."""

    AUTO_FOCUS = "#history-table"
    BINDINGS = [
        Binding("b", "back", "Quay lại"),
        Binding("escape", "back", "Quay lại", show=False),
    ]

    def __init__(self, unit_code: str | None = None) -> None:
        super().__init__()
        self.unit_code = unit_code

    def compose_body(self) -> ComposeResult:
        yield Static(id="history-title")
        yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)

    def refresh_data(self) -> None:
        app = self.ccb
        if app.snap is None or app.store is None:
            return
        unit = app.snap.unit(self.unit_code) if self.unit_code else None
        title = self.t("Lịch sử thay đổi", "Change history")
        if unit is not None:
            title += f" · {unit.name(app.year)}"
        try:
            entries = audit.filter_entries(app.store.log_entries(), unit=self.unit_code)
        except CcbError as exc:
            self.query_one("#history-title", Static).update(plain(exc.text(app.lang)))
            return
        self.query_one("#history-title", Static).update(
            plain(f"{title} · {len(entries)} {self.t('thay đổi', 'changes')}"))
        table = self.query_one("#history-table", DataTable)
        table.clear(columns=True)
        for label in (self.t("Lúc (UTC)", "When (UTC)"), self.t("Người sửa", "By"),
                      self.t("Thay đổi", "Change")):
            table.add_column(plain(label))
        for e in reversed(entries):
            when = e.when.strftime("%Y-%m-%d %H:%M") if e.when else e.at
            table.add_row(plain(when), plain(e.user), plain(audit.describe(e, app.snap, app.lang)))

    def action_back(self) -> None:
        self.app.pop_screen()
