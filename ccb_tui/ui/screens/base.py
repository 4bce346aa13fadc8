"""What every screen shares: the key bar, the app's data, and redrawing only when asked."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.screen import ModalScreen, Screen

from ..widgets.keybar import KeyBar

if TYPE_CHECKING:
    from ..app import CcbApp


class CcbScreen(Screen[None]):
    """A full screen that redraws from ``app.snap`` in ``refresh_data``.

    Subclasses compose their body in ``compose_body`` and fill it in ``refresh_data``, which the
    app calls after any change of data, year or language (never on a timer).
    """

    @property
    def ccb(self) -> "CcbApp":
        """The app, typed."""
        return cast("CcbApp", self.app)

    def compose(self) -> ComposeResult:
        yield from self.compose_body()
        yield KeyBar()

    def compose_body(self) -> ComposeResult:
        """The screen's widgets, above the key bar."""
        return iter(())

    def on_mount(self) -> None:
        if self.ccb.snap is not None:
            self.refresh_data()

    def on_screen_resume(self) -> None:
        # An edit saved from a dialog changes what applies here (undo becomes possible), but
        # Textual republishes bindings only when focus changes, and the focus is restored
        # unchanged when the dialog closes: without this the key bar kept hiding "z".
        self.refresh_bindings()

    def refresh_data(self) -> None:
        """Redraw from ``self.ccb.snap``, ``self.ccb.year`` and ``self.ccb.lang``."""

    def t(self, vi: str, en: str | None = None) -> str:
        """``vi`` or its English."""
        return self.ccb.t(vi, en)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in EDIT_ACTIONS and self.ccb.read_only:
            return False
        return True


class CcbModal(ModalScreen["object"]):
    """A dialog over the current screen."""

    @property
    def ccb(self) -> "CcbApp":
        """The app, typed."""
        return cast("CcbApp", self.app)

    def t(self, vi: str, en: str | None = None) -> str:
        """``vi`` or its English."""
        return self.ccb.t(vi, en)


# Actions hidden (and refused) in read-only mode.
EDIT_ACTIONS = frozenset({"edit", "edit_target", "rename", "cycle_status", "add_task", "edit_task",
                          "remove_task", "undo", "edit_value", "edit_note"})
