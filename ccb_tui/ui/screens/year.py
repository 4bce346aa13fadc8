"""Asking before the current year (năm hiện hành) changes for everyone who shares the store."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from ...core.store import Change, Store
from ..safe import plain
from .base import CcbModal


class CurrentYearDialog(CcbModal):
    """"Make 2021 the current year for everyone?" — Hủy has the focus; Esc or k cancels."""

    BINDINGS = [Binding("escape,k", "cancel", "Hủy"), Binding("c", "confirm", "Đồng ý")]

    def __init__(self, year: int, current: int | None) -> None:
        super().__init__()
        self.year = year
        self.current = current

    def compose(self) -> ComposeResult:
        y, cur = self.year, self.current if self.current is not None else "—"
        with Vertical(classes="dialog"):
            yield Static(plain(self.t(f"Đặt năm {y} làm năm hiện hành cho mọi người?",
                                      f"Make {y} the current year for everyone?"), style="bold"),
                         classes="dialog-title")
            yield Static(plain(self.t(
                f"Năm hiện hành đang là {cur}. Mọi người dùng chung tệp dữ liệu này (bảng điều khiển và "
                f"các lệnh) sẽ mở năm {y}; sửa số liệu năm {y + 2} trở đi sẽ bị từ chối. z để hoàn tác.",
                f"The current year is {cur}. Everyone sharing this store (dashboard and commands) will open "
                f"{y}; edits to {y + 2} and later are refused. z undoes it.")))
            with Horizontal(classes="buttons"):
                yield Button(self.t("Đồng ý (c)", "Confirm (c)"), id="year-confirm", variant="warning")
                yield Button(self.t("Hủy (k)", "Cancel (k)"), id="year-cancel")

    def on_mount(self) -> None:
        self.query_one("#year-cancel", Button).focus()

    @on(Button.Pressed, "#year-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#year-confirm")
    def action_confirm(self) -> None:
        year, current = self.year, self.current

        def make_current(store: Store) -> Change:
            if year in store.snapshot().years():
                return store.set_setting("current_year", year, expect=current)
            return store.open_year(year)[0]  # the next year, not in the store yet

        self.dismiss(self.ccb.save(make_current))
