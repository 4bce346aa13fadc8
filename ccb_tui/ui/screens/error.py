"""Screens shown instead of a broken layout: a store that cannot be opened, a terminal too small."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Middle
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from ...core.domain.errors import CcbError, StoreCorrupt
from ...core.store import Store
from ..safe import plain
from ..widgets.keybar import KeyBar


class StoreErrorScreen(Screen[None]):
    """The store could not be opened: say why and how to fix it; offer the newest good backup."""

    BINDINGS = [Binding("r", "restore", "Khôi phục bản sao lưu"), Binding("q", "app.quit", "Thoát")]

    def __init__(self, error: CcbError) -> None:
        super().__init__()
        self.error = error
        self.backup = None
        if isinstance(error, StoreCorrupt) and error.path is not None and error.path.exists():
            try:
                self.backup = Store(error.path, create=False, cleanup=False).newest_good_backup()
            except CcbError:
                self.backup = None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "restore":
            return self.backup is not None and not getattr(self.app, "read_only", False)
        return True

    class Restored(Message):
        """The restore in the worker thread ended: the backup put back, or why not."""

        def __init__(self, backup: Any, error: CcbError | None) -> None:  # backup: a store Backup
            super().__init__()
            self.backup, self.error = backup, error

    def action_restore(self) -> None:
        """Restore the newest good backup (the damaged file is kept aside), then open the store."""
        self._restore()

    @work(thread=True, group="store-restore", exclusive=True)
    def _restore(self) -> None:
        # Under the store's lock: in a worker thread, which posts the result and touches no widget.
        try:
            backup, _change = Store(self.error.path, create=False, cleanup=False).restore()
        except CcbError as exc:
            self.post_message(self.Restored(None, exc))
        else:
            self.post_message(self.Restored(backup, None))

    def on_store_error_screen_restored(self, message: Restored) -> None:
        lang = getattr(self.app, "lang", "vi")
        if message.error is not None or message.backup is None:
            self.query_one("#error-message", Static).update(plain(message.error.text(lang) if message.error else ""))
            return
        backup = message.backup
        self.app.pop_screen()
        self.app.notify((f"Restored {backup.name} ({backup.label()})" if lang == "en"
                         else f"Đã khôi phục {backup.name} ({backup.label()})"), markup=False, timeout=8)
        self.app.open_store()  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        lang = getattr(self.app, "lang", "vi")
        title = "Cannot open the data" if lang == "en" else "Không mở được dữ liệu"
        if self.backup is not None and not getattr(self.app, "read_only", False):
            hint = (f"Press r to restore {self.backup.name} ({self.backup.label()}); the damaged file is "
                    f"kept aside. Press q to quit." if lang == "en" else
                    f"Nhấn r để khôi phục {self.backup.name} ({self.backup.label()}); tệp hỏng được giữ "
                    f"lại bên cạnh. Nhấn q để thoát.")
        else:
            hint = ("Press q to quit." if lang == "en" else "Nhấn q để thoát.")
        with Middle():
            with Center():
                yield Static(plain(title, style="bold"), id="error-title")
            with Center():
                yield Static(plain(self.error.text(lang)), id="error-message")
            with Center():
                yield Static(plain(hint), id="error-hint")
        yield KeyBar()


class TooSmallScreen(Screen[None]):
    """Shown while the terminal is below 80×20, instead of a squashed layout."""

    BINDINGS = [Binding("q", "app.quit", "Thoát")]

    def compose(self) -> ComposeResult:
        yield Static(id="too-small")

    def on_mount(self) -> None:
        self._update()

    def on_resize(self) -> None:
        self._update()

    def _update(self) -> None:
        lang = getattr(self.app, "lang", "vi")
        w, h = self.app.size
        if lang == "en":
            msg = f"Terminal too small: {w}×{h}. Enlarge it to at least 80×20. (q quits)"
        else:
            msg = f"Cửa sổ terminal quá nhỏ: {w}×{h}. Hãy mở rộng ít nhất 80×20. (q để thoát)"
        self.query_one("#too-small", Static).update(plain(msg))
