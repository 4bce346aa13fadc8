"""Edit forms: a unit's figure, a target, a unit's name; and the conflict dialog.

Every form remembers the value it was opened on and saves with ``expect=`` that value, so an edit
made meanwhile by another session is never overwritten silently: the conflict dialog shows both
and lets the user keep either. Live updates never touch a form's input.
"""

from __future__ import annotations

from typing import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Select, Static

from ...core.domain import indicators, validation
from ...core.domain.errors import CcbError, ConflictError, InvalidValue
from ...core.domain.fmt import NumberFormatError, format_value, parse_number
from ...core.domain.models import Qualifier, Reading, Status, Target
from ...core.report.text import show_reading
from ...core.store import Change, Store
from ..safe import plain
from ..widgets.vninput import VnInput
from .base import CcbModal


def _plain_value(ind: indicators.Indicator, value: object, lang: str) -> str:
    """A figure as it would be typed back in (no scaling words)."""
    if value is None:
        return ""
    return format_value(value, "count" if ind.kind is indicators.Kind.MONEY else ind.kind.value, lang)


class FormDialog(CcbModal):
    """Shared shape: a title, fields, an error line per field, Save and Cancel buttons."""

    BINDINGS = [Binding("escape", "cancel", "Hủy")]

    def compose_buttons(self) -> ComposeResult:
        with Horizontal(classes="buttons"):
            yield Button(self.t("Lưu", "Save"), id="save", variant="primary")
            yield Button(self.t("Hủy", "Cancel"), id="cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        elif event.button.id == "cancel":
            self.action_cancel()

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        raise NotImplementedError

    def show_error(self, field_id: str, message: str) -> None:
        """Show a message beside a field (empty clears it)."""
        label = self.query_one(f"#{field_id}-error", Static)
        label.update(plain(message))
        label.display = bool(message)

    def show_refusal(self, exc: CcbError, field_id: str) -> None:
        """A store refusal that is not a conflict: beside the field, the input kept."""
        if isinstance(exc, InvalidValue) and exc.problems:
            message = "; ".join(p.text(self.ccb.lang) for p in exc.problems)
        else:
            message = exc.text(self.ccb.lang)
        self.show_error(field_id, message)


class CellDialog(FormDialog):
    """A form about one unit × indicator × year (a figure or a target)."""

    def __init__(self, unit: str, indicator: str, year: int) -> None:
        super().__init__()
        self.unit_code, self.indicator, self.year = unit, indicator, year
        self.ind = indicators.BY_CODE[indicator]

    def heading(self, vi: str, en: str) -> Static:
        """"<what>: Xã Krông Nô · Số hội viên · 2020" (the name shown literally)."""
        unit = self.ccb.snap.unit(self.unit_code) if self.ccb.snap else None
        title = Text(self.t(vi, en), style="bold")
        title.append_text(plain(f"{unit.name(self.year) if unit else self.unit_code} · "
                                f"{self.ind.label(self.ccb.lang)} · {self.year}"))
        return Static(title, classes="dialog-title")


class EditValueDialog(CellDialog):
    """Edit one unit's figure for one indicator and year: value, qualifier, not reported."""

    base: Reading | None = None

    def compose(self) -> ComposeResult:
        snap = self.ccb.snap
        assert snap is not None
        self.base = snap.reading(self.unit_code, self.indicator, self.year)
        lang = self.ccb.lang
        with Vertical(classes="dialog"):
            yield self.heading("Sửa số liệu: ", "Edit figure: ")
            yield Static(id="current")
            yield Static(plain(self.t(f"Giá trị ({self.ind.unit(lang)}), ví dụ: 1.500 · 6,7 tỷ · 248,6 triệu · 1,5",
                                      f"Value ({self.ind.unit(lang)}), e.g. 1,500 · 6.7 billion · 1.5")),
                         classes="field-label")
            base = self.base
            yield VnInput(value=_plain_value(self.ind, base.value if base.reported else None, lang), id="value")
            yield Static(id="value-error", classes="field-error")
            options = [(q.label(lang) or self.t("chính xác", "exact"), q.value) for q in Qualifier]
            yield Select(options, value=base.qualifier.value, allow_blank=False, id="qualifier")
            yield Static(id="qualifier-error", classes="field-error")
            yield Checkbox(self.t("Chưa báo cáo (không phải 0)", "Not reported (not zero)"),
                           value=not base.reported, id="not-reported")
            yield from self.compose_buttons()

    def on_mount(self) -> None:
        self.show_error("value", "")
        self.show_error("qualifier", "")
        self.refresh_data()
        self.query_one("#value", Input).focus()

    def refresh_data(self) -> None:
        """Show the stored value; say so if someone changed it since the form opened."""
        snap = self.ccb.snap
        if snap is None or self.base is None:
            return
        lang = self.ccb.lang
        now = snap.reading(self.unit_code, self.indicator, self.year)
        line = Text(self.t("Hiện tại: ", "Stored: "))
        line.append_text(plain(show_reading(self.ind, now, lang, short=False)))
        if now.sample:
            line.append(f" ({self.t('số liệu mẫu', 'sample data')})", style="italic")
        if not now.same_as(self.base):
            line.append(self.t("  ⚠ vừa được người khác thay đổi", "  ⚠ just changed by someone else"),
                        style="bold")
        self.query_one("#current", Static).update(line)

    def read_form(self) -> tuple[object, Qualifier, bool] | None:
        """The form's value, or None after showing what is wrong beside the field."""
        lang = self.ccb.lang
        not_reported = self.query_one("#not-reported", Checkbox).value
        qualifier = Qualifier(self.query_one("#qualifier", Select).value)
        raw = self.query_one("#value", Input).value.strip()
        self.show_error("value", "")
        self.show_error("qualifier", "")
        if not_reported:
            return None, Qualifier.EXACT, False
        if not raw:
            self.show_error("value", self.t("Nhập giá trị, hoặc chọn “Chưa báo cáo”.",
                                            "Enter a value, or tick “Not reported”."))
            return None
        try:
            # In the interface's number style, the style the field was filled in: parsed as
            # Vietnamese, an English "70,000,000" was refused and "1,500" read as 1.5.
            value = parse_number(raw, lang)
        except NumberFormatError as exc:
            self.show_error("value", exc.message(lang))
            return None
        problems = validation.validate_reading(self.indicator, value, qualifier, Status.REPORTED)
        if problems:
            for p in problems:
                field = "qualifier" if "qualifier" in p.field else "value"
                self.show_error(field, p.text(lang))
            return None
        return value, qualifier, True

    def action_save(self, expect: object | None = None) -> None:
        form = self.read_form()
        if form is None:
            return
        value, qualifier, reported = form
        base = self.base if expect is None else expect
        unit, ind, year = self.unit_code, self.indicator, self.year
        old = self.ccb.snap.reading(unit, ind, year) if self.ccb.snap else None

        def edit(store: Store) -> Change:
            return store.set_value(unit, ind, year, value, qualifier=qualifier, reported=reported, expect=base)

        del old
        change = self.ccb.save(edit, on_conflict=self._conflict,
                               on_error=lambda exc: self.show_refusal(exc, "value"))
        if change is not None:
            self.dismiss(change)

    def _conflict(self, exc: ConflictError) -> None:
        self.ccb.reload()
        theirs = self.ccb.snap.reading(self.unit_code, self.indicator, self.year)

        def decided(keep_mine: object) -> None:
            if keep_mine:
                self.action_save(expect=theirs)  # based on what is there now: a deliberate overwrite
            else:
                self.dismiss(None)

        self.app.push_screen(ConflictDialog(exc), decided)


_BASE = object()
"""``expect`` not given: the form's own starting value."""


class EditTargetDialog(CellDialog):
    """Set or remove a unit's target (kế hoạch) for one indicator and year."""

    base: Target | None = None

    def compose(self) -> ComposeResult:
        snap = self.ccb.snap
        assert snap is not None
        self.base = snap.target(self.unit_code, self.indicator, self.year)
        lang = self.ccb.lang
        with Vertical(classes="dialog"):
            yield self.heading("Sửa chỉ tiêu (kế hoạch): ", "Edit target: ")
            yield Static(id="current")
            yield Static(plain(self.t(f"Chỉ tiêu ({self.ind.unit(lang)}); để trống để bỏ chỉ tiêu",
                                      f"Target ({self.ind.unit(lang)}); leave empty to remove it")),
                         classes="field-label")
            yield VnInput(value=_plain_value(self.ind, self.base.value if self.base else None, lang), id="value")
            yield Static(id="value-error", classes="field-error")
            yield from self.compose_buttons()

    def on_mount(self) -> None:
        self.show_error("value", "")
        self.refresh_data()
        self.query_one("#value", Input).focus()

    def refresh_data(self) -> None:
        """Show the stored target; say so if someone changed it since the form opened."""
        snap = self.ccb.snap
        if snap is None:
            return
        now = snap.target(self.unit_code, self.indicator, self.year)
        shown = format_value(now.value, self.ind.kind.value, self.ccb.lang) if now else "—"
        line = Text(self.t("Hiện tại: ", "Stored: ") + shown)
        if (now.value if now else None) != (self.base.value if self.base else None):
            line.append(self.t("  ⚠ vừa được người khác thay đổi", "  ⚠ just changed by someone else"),
                        style="bold")
        self.query_one("#current", Static).update(line)

    def action_save(self, expect: object = _BASE) -> None:
        raw = self.query_one("#value", Input).value.strip()
        self.show_error("value", "")
        value = None
        if raw:
            try:
                value = parse_number(raw, self.ccb.lang)  # the style the field shows (see EditValueDialog)
            except NumberFormatError as exc:
                self.show_error("value", exc.message(self.ccb.lang))
                return
            problems = validation.validate_target(self.indicator, value)
            if problems:
                self.show_error("value", "; ".join(p.text(self.ccb.lang) for p in problems))
                return
        # A sentinel, not None, means "the value the form opened on": None is a real expectation
        # (no target), and treating it as "not given" made "keep mine" after the other session
        # removed the target raise the same conflict again, forever.
        base_value = (self.base.value if self.base else None) if expect is _BASE else expect
        unit, ind, year = self.unit_code, self.indicator, self.year

        change = self.ccb.save(lambda store: store.set_target(unit, ind, year, value, expect=base_value),
                               on_conflict=self._conflict,
                               on_error=lambda exc: self.show_refusal(exc, "value"))
        if change is not None:
            self.dismiss(change)

    def _conflict(self, exc: ConflictError) -> None:
        self.ccb.reload()
        now = self.ccb.snap.target(self.unit_code, self.indicator, self.year)
        theirs = now.value if now else None

        def decided(keep_mine: object) -> None:
            # Not a lambda: Textual awaits what a screen callback returns, and awaiting
            # self.dismiss() from this screen's own handler raised ScreenError on "keep theirs".
            if keep_mine:
                self.action_save(expect=theirs)
            else:
                self.dismiss(None)

        self.app.push_screen(ConflictDialog(exc), decided)


class RenameUnitDialog(FormDialog):
    """Rename a unit: correct the current name, or a new name from this year on."""

    def __init__(self, unit: str, year: int) -> None:
        super().__init__()
        self.unit_code, self.year = unit, year
        self.base_name = ""

    def compose(self) -> ComposeResult:
        snap = self.ccb.snap
        assert snap is not None
        unit = snap.unit(self.unit_code)
        self.base_name = unit.name(self.year) if unit else ""
        with Vertical(classes="dialog"):
            title = Text(self.t("Đổi tên đơn vị: ", "Rename unit: "), style="bold")
            title.append_text(plain(self.base_name))
            yield Static(title, classes="dialog-title")
            yield VnInput(value=self.base_name, id="name")
            yield Static(id="name-error", classes="field-error")
            yield Checkbox(self.t(f"Tên mới chỉ áp dụng từ năm {self.year} (giữ tên cũ cho các năm trước)",
                                  f"The new name applies from {self.year} on (keep the old name before)"),
                           value=False, id="from-year")
            yield from self.compose_buttons()

    def on_mount(self) -> None:
        self.show_error("name", "")
        self.query_one("#name", Input).focus()

    def action_save(self, expect: str | None = None) -> None:
        name = self.query_one("#name", Input).value
        from_year = self.query_one("#from-year", Checkbox).value
        snap = self.ccb.snap
        unit = snap.unit(self.unit_code) if snap else None
        # Without "from this year", correct the name shown, i.e. the period in force in the year
        # on screen. year=None would correct the latest period instead: on 2020 with a new name
        # from 2021, every save was refused as a conflict (and would have renamed the wrong one).
        period_year = unit.period(self.year).from_year if unit else None
        code, year = self.unit_code, self.year if from_year else period_year
        base = self.base_name if expect is None else expect
        if not name.strip():
            self.show_error("name", self.t("Tên đơn vị không được để trống.", "A unit needs a name."))
            return
        change = self.ccb.save(lambda store: store.rename_unit(code, name, year=year, expect=base),
                               on_conflict=self._conflict,
                               on_error=lambda exc: self.show_refusal(exc, "name"))
        if change is not None:
            self.dismiss(change)

    def _conflict(self, exc: ConflictError) -> None:
        # Like the other forms: someone renamed the unit meanwhile; let the user keep either name.
        self.ccb.reload()
        theirs = exc.actual

        def decided(keep_mine: object) -> None:  # not a lambda: see EditTargetDialog._conflict
            if keep_mine:
                self.action_save(expect=theirs)
            else:
                self.dismiss(None)

        self.app.push_screen(ConflictDialog(exc), decided)


class ConflictDialog(CcbModal):
    """Someone saved first: show theirs and yours; keep either. Dismisses True to keep mine."""

    BINDINGS = [
        Binding("t", "keep_mine", "Giữ của tôi"),
        Binding("h", "keep_theirs", "Giữ của họ"),
        Binding("escape", "keep_theirs", "Giữ của họ", show=False),
    ]

    def __init__(self, exc: ConflictError) -> None:
        super().__init__()
        self.exc = exc

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog conflict"):
            yield Static(plain(self.t("Xung đột khi lưu", "Conflict on save"), style="bold"),
                         classes="dialog-title")
            yield Static(plain(self.exc.text(self.ccb.lang)), id="conflict-message")
            yield Static(plain(self.t(f"Bạn dựa trên:  {self.exc.expected}", f"You started from: {self.exc.expected}")))
            yield Static(plain(self.t(f"Của họ (đã lưu): {self.exc.actual}", f"Theirs (saved): {self.exc.actual}")))
            yield Static(plain(self.t(f"Của bạn:       {self.exc.attempted}", f"Yours:           {self.exc.attempted}")))
            with Horizontal(classes="buttons"):
                yield Button(self.t("t  Giữ của tôi", "t  Keep mine"), id="mine", variant="warning")
                yield Button(self.t("h  Giữ của họ", "h  Keep theirs"), id="theirs", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#theirs", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "mine")

    def action_keep_mine(self) -> None:
        self.dismiss(True)

    def action_keep_theirs(self) -> None:
        self.dismiss(False)


EditCallback = Callable[[Change | None], None]
