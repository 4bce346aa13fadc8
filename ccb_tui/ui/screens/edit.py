"""Edit forms: a unit's figure, a target, a unit's name (on the dialog base in ``dialog.py``).

Every form remembers the value it was opened on and saves with ``expect=`` that value, so an edit
made meanwhile by another session is never overwritten silently: the conflict dialog shows both
and lets the user keep either. Live updates never touch a form's input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Select, Static

from ...core.domain import indicators, validation
from ...core.domain.fmt import NumberFormatError, format_value, parse_number
from ...core.domain.models import Qualifier, Reading, Status, Target
from ...core.report.text import show_reading
from ..safe import plain
from ..widgets.vninput import VnInput
from .dialog import ConflictDialog, Edit, FormDialog

if TYPE_CHECKING:
    from ...core.domain.errors import ConflictError

__all__ = ["ConflictDialog", "EditTargetDialog", "EditValueDialog", "FormDialog", "RenameUnitDialog"]


def _plain_value(ind: indicators.Indicator, value: object, lang: str) -> str:
    """A figure as it would be typed back in (no scaling words)."""
    if value is None:
        return ""
    return format_value(value, "count" if ind.kind is indicators.Kind.MONEY else ind.kind.value, lang)


class CellDialog(FormDialog):
    """A form about one unit × indicator × year (a figure or a target)."""

    def __init__(self, unit: str, indicator: str, year: int) -> None:
        super().__init__()
        self.unit_code, self.indicator, self.year = unit, indicator, year
        self.ind = indicators.BY_CODE[indicator]

    WHAT = ("", "")
    """What the form edits, in front of the cell: ("Sửa số liệu: ", "Edit figure: ")."""

    def error_field(self) -> str:
        return "value"

    def heading(self) -> Text:
        """"<what>: Xã Krông Nô · Số hội viên · 2020" (the name shown literally)."""
        unit = self.ccb.snap.unit(self.unit_code) if self.ccb.snap else None
        title = Text(self.t(*self.WHAT), style="bold")
        title.append_text(plain(f"{unit.name(self.year) if unit else self.unit_code} · "
                                f"{self.ind.label(self.ccb.lang)} · {self.year}"))
        return title


class EditValueDialog(CellDialog):
    """Edit one unit's figure for one indicator and year: value, qualifier, not reported."""

    WHAT = ("Sửa số liệu: ", "Edit figure: ")
    base: Reading | None = None

    def compose_body(self) -> ComposeResult:
        snap = self.ccb.snap
        assert snap is not None
        self.base = snap.reading(self.unit_code, self.indicator, self.year)
        lang = self.ccb.lang
        yield Static(id="current")
        yield Static(plain(self.t(f"Giá trị ({self.ind.unit(lang)}), ví dụ: 1.500 · 6,7 tỷ · 248,6 triệu · 1,5",
                                  f"Value ({self.ind.unit(lang)}), e.g. 1,500 · 6.7 billion · 1.5")),
                     classes="field-label")
        base = self.base
        yield VnInput(value=_plain_value(self.ind, base.value if base.reported else None, lang), id="value")
        yield self.field_error("value")
        options = [(q.label(lang) or self.t("chính xác", "exact"), q.value) for q in Qualifier]
        yield Select(options, value=base.qualifier.value, allow_blank=False, id="qualifier")
        yield self.field_error("qualifier")
        yield Checkbox(self.t("Chưa báo cáo (không phải 0)", "Not reported (not zero)"),
                       value=not base.reported, id="not-reported")

    def on_mount(self) -> None:
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

    def build_edit(self) -> Edit | None:
        form = self.read_form()
        if form is None:
            return None
        value, qualifier, reported = form
        unit, ind, year, base = self.unit_code, self.indicator, self.year, self.base
        return lambda store: store.set_value(unit, ind, year, value, qualifier=qualifier, reported=reported,
                                             expect=base)

    def rebase(self, exc: ConflictError) -> None:
        if self.ccb.snap is not None:
            self.base = self.ccb.snap.reading(self.unit_code, self.indicator, self.year)


class EditTargetDialog(CellDialog):
    """Set or remove a unit's target (kế hoạch) for one indicator and year."""

    WHAT = ("Sửa chỉ tiêu (kế hoạch): ", "Edit target: ")
    base: Target | None = None

    def compose_body(self) -> ComposeResult:
        snap = self.ccb.snap
        assert snap is not None
        self.base = snap.target(self.unit_code, self.indicator, self.year)
        lang = self.ccb.lang
        yield Static(id="current")
        yield Static(plain(self.t(f"Chỉ tiêu ({self.ind.unit(lang)}); để trống để bỏ chỉ tiêu",
                                  f"Target ({self.ind.unit(lang)}); leave empty to remove it")),
                     classes="field-label")
        yield VnInput(value=_plain_value(self.ind, self.base.value if self.base else None, lang), id="value")
        yield self.field_error("value")

    def on_mount(self) -> None:
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

    def build_edit(self) -> Edit | None:
        raw = self.query_one("#value", Input).value.strip()
        self.show_error("value", "")
        value = None
        if raw:
            try:
                value = parse_number(raw, self.ccb.lang)  # the style the field shows (see EditValueDialog)
            except NumberFormatError as exc:
                self.show_error("value", exc.message(self.ccb.lang))
                return None
            problems = validation.validate_target(self.indicator, value)
            if problems:
                self.show_error("value", "; ".join(p.text(self.ccb.lang) for p in problems))
                return None
        unit, ind, year = self.unit_code, self.indicator, self.year
        base_value = self.base.value if self.base else None
        return lambda store: store.set_target(unit, ind, year, value, expect=base_value)

    def rebase(self, exc: ConflictError) -> None:
        # What is stored now, None included: "keep mine" after the other session removed the
        # target must expect no target (not the form's first value, which conflicted forever).
        if self.ccb.snap is not None:
            self.base = self.ccb.snap.target(self.unit_code, self.indicator, self.year)


class RenameUnitDialog(FormDialog):
    """Rename a unit: correct the current name, or a new name from this year on."""

    def __init__(self, unit: str, year: int) -> None:
        super().__init__()
        self.unit_code, self.year = unit, year
        self.base_name = ""

    def heading(self) -> Text:
        snap = self.ccb.snap
        unit = snap.unit(self.unit_code) if snap else None
        self.base_name = unit.name(self.year) if unit else ""
        title = Text(self.t("Đổi tên đơn vị: ", "Rename unit: "), style="bold")
        title.append_text(plain(self.base_name))
        return title

    def compose_body(self) -> ComposeResult:
        yield VnInput(value=self.base_name, id="name")
        yield self.field_error("name")
        yield Checkbox(self.t(f"Tên mới chỉ áp dụng từ năm {self.year} (giữ tên cũ cho các năm trước)",
                              f"The new name applies from {self.year} on (keep the old name before)"),
                       value=False, id="from-year")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def error_field(self) -> str:
        return "name"

    def build_edit(self) -> Edit | None:
        name = self.query_one("#name", Input).value
        from_year = self.query_one("#from-year", Checkbox).value
        snap = self.ccb.snap
        unit = snap.unit(self.unit_code) if snap else None
        # Without "from this year", correct the name shown, i.e. the period in force in the year
        # on screen. year=None would correct the latest period instead: on 2020 with a new name
        # from 2021, every save was refused as a conflict (and would have renamed the wrong one).
        period_year = unit.period(self.year).from_year if unit else None
        code, year = self.unit_code, self.year if from_year else period_year
        base = self.base_name
        self.show_error("name", "")
        if not name.strip():
            self.show_error("name", self.t("Tên đơn vị không được để trống.", "A unit needs a name."))
            return None
        return lambda store: store.rename_unit(code, name, year=year, expect=base)

    def rebase(self, exc: ConflictError) -> None:
        self.base_name = exc.actual  # someone renamed it meanwhile: keep mine over their name
