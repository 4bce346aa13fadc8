"""The one dialog base: a box with a title, a body, a message line and buttons.

Two shapes build on it:

- ``ConfirmDialog``: a question and two buttons (``#dialog-confirm``, ``#dialog-cancel``, the
  latter focused); ``c``/Enter on the first confirms, Esc cancels.
- ``FormDialog``: fields, each with an error line under it (``#<field>-error``); Enter or
  ``#dialog-save`` validates (``build_edit``) and saves through ``app.save`` in the background,
  ``#dialog-cancel`` or Esc closes. A refusal is shown beside its field with the input kept; a
  conflict opens ``ConflictDialog``: "keep mine" rebases the form on what is stored now
  (``rebase``) and saves again, "keep theirs" closes.

While a save waits for another session's lock the dialog says so (and the screen stays live);
closing it then gives the save up. All of them share one CSS block (``.dialog`` in ``app.tcss``).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from ...core.domain.errors import CcbError, ConflictError, InvalidValue
from ...core.store import Change, Store
from ..safe import plain
from .base import CcbModal

if TYPE_CHECKING:
    from ..messages import SaveResult

Edit = Callable[[Store], Change]
"""One store edit, run by the app's writer thread."""

WAITING = ("Đang chờ… (người khác đang ghi). Sẽ lưu ngay khi tệp được nhả; Hủy để thôi không lưu.",
           "Waiting… (someone else is writing). Saved as soon as the file is free; Cancel to not save.")


class Dialog(CcbModal):
    """A box over the current screen: ``heading``, ``compose_body``, a message line, buttons."""

    BINDINGS = [Binding("escape", "cancel", "Hủy")]
    BOX_CLASSES = ""
    """Extra classes of the box (``conflict`` draws it in the warning colour)."""

    def heading(self) -> Text:
        """The title line (data in it as text, never markup)."""
        raise NotImplementedError

    def compose_body(self) -> ComposeResult:
        """What the dialog shows between the title and the buttons."""
        return iter(())

    def compose_buttons(self) -> ComposeResult:
        """The buttons, right-aligned in one row."""
        return iter(())

    def compose(self) -> ComposeResult:
        with Vertical(classes=f"dialog {self.BOX_CLASSES}".strip()):
            yield Static(self.heading(), classes="dialog-title")
            yield from self.compose_body()
            msg = Static(id="dialog-msg", classes="field-error")
            msg.display = False
            yield msg
            with Horizontal(classes="buttons"):
                yield from self.compose_buttons()

    def say(self, message: str, *, waiting: bool = False) -> None:
        """A line under the body: why the dialog is still open (empty hides it); ``waiting`` is
        news, not an error, and is not drawn in the error colour."""
        label = self.query_one("#dialog-msg", Static)
        label.update(plain(message))
        label.set_class(waiting, "-waiting")
        label.display = bool(message)

    pending: "asyncio.Future[SaveResult] | None" = None
    """This dialog's save, while it is queued or running."""

    def save(self, edit: Edit, *, report: bool) -> "asyncio.Future[SaveResult]":
        """``app.save``, remembered so that closing the dialog while it waits gives it up."""
        self.pending = self.ccb.save(edit, report=report)
        return self.pending

    def on_mount(self) -> None:
        self.watch(self.app, "store_waiting", self._store_waiting, init=False)

    def _store_waiting(self, waiting: bool) -> None:
        # The key bar under this dialog says it too, dimmed: say it where the user looks.
        if self.pending is not None and not self.pending.done():
            self.say(self.t(*WAITING) if waiting else "", waiting=waiting)

    def action_cancel(self) -> None:
        if self.pending is not None and not self.pending.done():
            self.ccb.cancel_save(self.pending)  # closed while waiting for the lock: not saved
        self.dismiss(None)


class ConfirmDialog(Dialog):
    """A question with a confirming button and a cancelling one, which has the focus."""

    BINDINGS = [Binding("escape", "cancel", "Hủy")]
    CONFIRM_VARIANT = "warning"

    def confirm_label(self) -> str:
        """The confirming button's label."""
        return self.t("Đồng ý", "Confirm")

    def cancel_label(self) -> str:
        """The cancelling button's label."""
        return self.t("Hủy", "Cancel")

    def compose_buttons(self) -> ComposeResult:
        yield Button(self.confirm_label(), id="dialog-confirm", variant=self.CONFIRM_VARIANT)  # type: ignore[arg-type]
        yield Button(self.cancel_label(), id="dialog-cancel")

    def on_mount(self) -> None:
        self.query_one("#dialog-cancel", Button).focus()

    @on(Button.Pressed, "#dialog-confirm")
    def _confirm_pressed(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, "#dialog-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_confirm(self) -> None:
        """What confirming does."""
        raise NotImplementedError

    def save_and_close(self, edit: Edit) -> None:
        """Save ``edit``, then close: with the Change, or None when refused (the app says why)."""
        button = self.query_one("#dialog-confirm", Button)
        if button.disabled:  # already confirmed: the key pressed twice saves once
            return
        button.disabled = True
        self._save_then_close(edit)

    @work(group="dialog-save", exclusive=True)
    async def _save_then_close(self, edit: Edit) -> None:
        result = await self.save(edit, report=True)
        self.dismiss(result.change if result.saved else None)


class FormDialog(Dialog):
    """Fields, validation, a background save and the conflict-then-retry flow (see the module)."""

    saving = False
    """A save of this form is queued or running: Enter again does not queue a second one."""


    def compose_buttons(self) -> ComposeResult:
        yield Button(self.t("Lưu", "Save"), id="dialog-save", variant="primary")
        yield Button(self.t("Hủy", "Cancel"), id="dialog-cancel")

    @on(Button.Pressed, "#dialog-save")
    @on(Input.Submitted)
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#dialog-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def field_error(self, field_id: str) -> Static:
        """The error line under a field."""
        label = Static(id=f"{field_id}-error", classes="field-error")
        label.display = False
        return label

    def show_error(self, field_id: str, message: str) -> None:
        """Show a message beside a field (empty clears it)."""
        label = self.query_one(f"#{field_id}-error", Static)
        label.update(plain(message))
        label.display = bool(message)

    def error_field(self) -> str:
        """The field a refusal of the store is shown beside."""
        raise NotImplementedError

    def build_edit(self) -> Edit | None:
        """Validate the fields; the edit to save, or None after showing what is wrong."""
        raise NotImplementedError

    def rebase(self, exc: ConflictError) -> None:
        """After a conflict, "keep mine": base the next save on what is stored now."""

    def action_save(self) -> None:
        if self.saving:
            return
        edit = self.build_edit()
        if edit is None:
            return
        self.saving = True
        self._save(edit)

    @work(group="dialog-save", exclusive=True)
    async def _save(self, edit: Edit) -> None:
        try:
            result = await self.save(edit, report=False)
        finally:
            self.saving = False
        if result.saved:
            self.dismiss(result.change)
            return
        self.say("")  # no longer waiting
        if result.conflict is not None:
            self.on_conflict(result.conflict)
        elif result.error is not None:
            self.show_refusal(result.error)

    def show_refusal(self, exc: CcbError) -> None:
        """A store refusal that is not a conflict: beside the field, the input kept."""
        if isinstance(exc, InvalidValue) and exc.problems:
            message = "; ".join(p.text(self.ccb.lang) for p in exc.problems)
        else:
            message = exc.text(self.ccb.lang)
        self.show_error(self.error_field(), message)

    def on_conflict(self, exc: ConflictError) -> None:
        """Someone saved first: reload, show both in ConflictDialog; keep mine saves again."""
        self.ccb.reload()

        def decided(keep_mine: object) -> None:
            # Not a lambda: Textual awaits what a screen callback returns, and awaiting
            # self.dismiss() from this screen's own handler raised ScreenError on "keep theirs".
            if keep_mine:
                self.rebase(exc)  # based on what is there now: a deliberate overwrite
                self.action_save()
            else:
                self.dismiss(None)

        self.app.push_screen(ConflictDialog(exc), decided)


class ConflictDialog(ConfirmDialog):
    """Someone saved first: show theirs and yours; keep either. Dismisses True to keep mine."""

    BOX_CLASSES = "conflict"
    BINDINGS = [
        Binding("t", "confirm", "Giữ của tôi"),
        Binding("h", "cancel", "Giữ của họ"),
        Binding("escape", "cancel", "Giữ của họ", show=False),
    ]
    CONFIRM_VARIANT = "warning"

    def __init__(self, exc: ConflictError) -> None:
        super().__init__()
        self.exc = exc

    def heading(self) -> Text:
        return plain(self.t("Xung đột khi lưu", "Conflict on save"), style="bold")

    def compose_body(self) -> ComposeResult:
        exc = self.exc
        yield Static(plain(exc.text(self.ccb.lang)), id="conflict-message")
        yield Static(plain(self.t(f"Bạn dựa trên:  {exc.expected}", f"You started from: {exc.expected}")))
        yield Static(plain(self.t(f"Của họ (đã lưu): {exc.actual}", f"Theirs (saved): {exc.actual}")))
        yield Static(plain(self.t(f"Của bạn:       {exc.attempted}", f"Yours:           {exc.attempted}")))

    def confirm_label(self) -> str:
        return self.t("t  Giữ của tôi", "t  Keep mine")

    def cancel_label(self) -> str:
        return self.t("h  Giữ của họ", "h  Keep theirs")

    def compose_buttons(self) -> ComposeResult:
        yield Button(self.confirm_label(), id="dialog-confirm", variant="warning")
        yield Button(self.cancel_label(), id="dialog-cancel", variant="primary")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
