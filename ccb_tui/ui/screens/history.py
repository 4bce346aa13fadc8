"""A unit's history: every audited change to it, newest first, with who and when."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from ...core.store import audit
from ...core.domain.errors import CcbError
from ...core.domain.text import sanitize
from ..safe import plain
from .base import CcbScreen
from ..widgets.checklist import truncate

WHEN_W = 14  # "01/04/26 01:30"
USER_MAX = 12


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
        zone = app.tz or ""
        try:
            entries = audit.filter_entries(app.store.log_entries(), unit=self.unit_code)
        except CcbError as exc:
            self.query_one("#history-title", Static).update(plain(exc.text(app.lang)))
            return
        self.query_one("#history-title", Static).update(
            plain(f"{title} · {len(entries)} {self.t('thay đổi', 'changes')}"
                  f" · {self.t('giờ', 'time zone')} {zone}"))
        table = self.query_one("#history-table", DataTable)
        table.clear(columns=True)
        # At 80 columns the change ("… 120 → 125") must stay visible: a short date, the user cut
        # to a few cells, and the change given the rest of the width, wrapped over as many lines
        # as it needs rather than cut off at the right edge.
        users = [cell_len(sanitize(e.user)) for e in entries]
        user_w = min(max([len(self.t("Người sửa", "By")), *users]), USER_MAX)
        width = (self.size.width or self.app.size.width) - 2  # scrollbar
        change_w = max(24, width - WHEN_W - user_w - 3 * 2)
        table.add_column(plain(self.t("Lúc", "When")), width=WHEN_W, key="when")
        table.add_column(plain(self.t("Người sửa", "By")), width=user_w, key="user")
        table.add_column(plain(self.t("Thay đổi", "Change")), width=change_w, key="change")
        for e in reversed(entries):
            when = app.local_time(e.at, short=True) if e.when else e.at
            table.add_row(plain(when), plain(truncate(sanitize(e.user), user_w)),
                          plain(audit.describe(e, app.snap, app.lang)), height=None)

    def on_resize(self) -> None:
        if self.is_mounted:
            self.refresh_data()

    def action_back(self) -> None:
        self.app.pop_screen()
