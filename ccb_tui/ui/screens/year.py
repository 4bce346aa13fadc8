"""Asking before the current year (năm hiện hành) changes for everyone who shares the store."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from ...core.store import Change, Store
from ..safe import plain
from .dialog import ConfirmDialog


class CurrentYearDialog(ConfirmDialog):
    """"Make 2021 the current year for everyone?" — Hủy has the focus; Esc or k cancels."""

    BINDINGS = [Binding("escape,k", "cancel", "Hủy"), Binding("c", "confirm", "Đồng ý")]

    def __init__(self, year: int, current: int | None) -> None:
        super().__init__()
        self.year = year
        self.current = current

    def heading(self) -> Text:
        y = self.year
        return plain(self.t(f"Đặt năm {y} làm năm hiện hành cho mọi người?",
                            f"Make {y} the current year for everyone?"), style="bold")

    def compose_body(self) -> ComposeResult:
        y, cur = self.year, self.current if self.current is not None else "—"
        yield Static(plain(self.t(
            f"Năm hiện hành đang là {cur}. Mọi người dùng chung tệp dữ liệu này (bảng điều khiển và "
            f"các lệnh) sẽ mở năm {y}; sửa số liệu năm {y + 2} trở đi sẽ bị từ chối. z để hoàn tác.",
            f"The current year is {cur}. Everyone sharing this store (dashboard and commands) will open "
            f"{y}; edits to {y + 2} and later are refused. z undoes it.")))

    def confirm_label(self) -> str:
        return self.t("Đồng ý (c)", "Confirm (c)")

    def cancel_label(self) -> str:
        return self.t("Hủy (k)", "Cancel (k)")

    def action_confirm(self) -> None:
        year, current = self.year, self.current

        def make_current(store: Store) -> Change:
            if year in store.snapshot().years():
                return store.set_setting("current_year", year, expect=current)
            return store.open_year(year)[0]  # the next year, not in the store yet

        self.save_and_close(make_current)
