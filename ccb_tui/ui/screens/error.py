"""Screens shown instead of a broken layout: a store that cannot be opened, a terminal too small."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Static

from ...core.errors import CcbError
from ..safe import plain
from ..widgets.keybar import KeyBar


class StoreErrorScreen(Screen[None]):
    """The store could not be opened: say why and how to fix it, then quit with its exit code."""

    BINDINGS = [Binding("q", "app.quit", "Thoát")]

    def __init__(self, error: CcbError) -> None:
        super().__init__()
        self.error = error

    def compose(self) -> ComposeResult:
        lang = getattr(self.app, "lang", "vi")
        title = "Cannot open the data" if lang == "en" else "Không mở được dữ liệu"
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
    """Shown while the terminal is below 80×24, instead of a squashed layout."""

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
            msg = f"Terminal too small: {w}×{h}. Enlarge it to at least 80×24. (q quits)"
        else:
            msg = f"Cửa sổ terminal quá nhỏ: {w}×{h}. Hãy mở rộng ít nhất 80×24. (q để thoát)"
        self.query_one("#too-small", Static).update(plain(msg))
