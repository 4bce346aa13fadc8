"""The year's checklist as a matrix: a row per task, a column per unit, one key to move a cell on.

When the app's year has no tasks the screen shows the latest year that has some, and says so in
its title line (the seed's checklist is for 2021 while its figures are for 2020). New tasks go to
the year typed in the dialog, which starts at the app's year.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from ...core.domain.checklist import Checklist, checklist_for
from ...core.domain.models import Task, TaskState, Unit
from ...core.domain.text import nfc, sanitize
from ...core.store import ANY, Change, Store
from ..safe import plain
from ..widgets.checklist import STATE_STYLE, checklist_title, fill_matrix, legend, progress_line
from ..widgets.vninput import VnInput
from .base import CcbScreen
from .dialog import ConfirmDialog, Edit, FormDialog

if TYPE_CHECKING:
    from ...core.domain.errors import ConflictError

# --- the screen -----------------------------------------------------------------------------

class TasksScreen(CcbScreen):
    """The checklist matrix: Space/x moves a cell on, a/e/n/X add, edit, note and remove."""

    CSS_PATH = "tasks.tcss"
    BINDINGS = [
        Binding("x", "cycle_status", "Trạng thái", key_display="x/␣"),
        Binding("space", "cycle_status", "Trạng thái", show=False),
        Binding("a", "add_task", "Thêm"),
        Binding("e", "edit_task", "Sửa"),
        Binding("n", "edit_note", "Ghi chú"),
        Binding("X", "remove_task", "Xóa"),
        Binding("delete", "remove_task", "Xóa", show=False),
    ]

    checklist: Checklist | None = None

    def __init__(self) -> None:
        super().__init__()
        self._pending: dict[tuple[int, str], TaskState] = {}  # states being saved, per cell

    def compose_body(self) -> ComposeResult:
        yield Static(id="tasks-title")
        yield Static(id="tasks-progress")
        yield DataTable(id="tasks-matrix", cursor_type="cell", zebra_stripes=True)
        yield Static(id="tasks-detail")
        yield Static(id="tasks-legend")
        yield Static(id="tasks-status")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "edit_note" and self.ccb.read_only:
            return False
        return super().check_action(action, parameters)

    # --- drawing ----------------------------------------------------------------------------

    def refresh_data(self) -> None:
        app = self.ccb
        if app.snap is None:
            return
        cl = checklist_for(app.snap, app.year)
        self.checklist = cl
        self.query_one("#tasks-title", Static).update(checklist_title(app, cl))
        self.query_one("#tasks-progress", Static).update(progress_line(cl, app.lang))
        self.query_one("#tasks-legend", Static).update(legend(app.lang))
        self._fill()

    def _fill(self) -> None:
        if self.checklist is None:
            return
        table = self.query_one("#tasks-matrix", DataTable)
        avail = (self.size.width or self.app.size.width) - 3  # border and a one-cell scrollbar
        fill_matrix(table, self.checklist, self.ccb.lang, avail)
        self._show_detail()

    def on_resize(self) -> None:
        self._fill()

    @on(DataTable.CellHighlighted, "#tasks-matrix")
    def _cell_moved(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#tasks-detail", Static)
        cl = self.checklist
        if cl is None or not cl.tasks:
            detail.update(self.t("Chưa có nhiệm vụ nào. Nhấn a để thêm.", "No tasks yet. Press a to add one."))
            return
        table = self.query_one("#tasks-matrix", DataTable)
        row, col = table.cursor_coordinate
        task = cl.tasks[min(row, len(cl.tasks) - 1)]
        out = plain(f"{task.id}. {task.title}", style="bold")
        if task.note:
            out.append("\n")
            out.append_text(plain(self.t("Ghi chú: ", "Note: ") + task.note.replace("\n", " · "), style="italic"))
        if 1 <= col <= len(cl.units):
            unit = cl.units[col - 1]
            st = task.status(unit.code)
            out.append("\n")
            out.append_text(plain(unit.short_name(cl.year), style="bold"))
            out.append(": ")
            out.append(f"{st.state.glyph} {st.state.label(self.ccb.lang)}", style=STATE_STYLE[st.state])
            if st.note:
                out.append(" — ")
                out.append_text(plain(st.note.replace("\n", " · ")))
            if st.changed_by:
                out.append("  ")
                out.append_text(plain(f"({st.changed_by}, {self.ccb.local_time(st.changed_at)})",
                                      style="dim"))
        detail.update(out)

    def show_status(self, message: str, severity: str = "information") -> None:
        """Say what the last key did on the status line under the legend (one message, replaced each
        time): saves no longer stack up as toasts over the note dialog."""
        status = self.query_one("#tasks-status", Static)
        status.set_class(severity == "warning", "-warning")
        status.set_class(severity == "error", "-error")
        status.update(plain(" ".join(message.split())))

    # --- what is under the cursor -----------------------------------------------------------

    def _cursor_task(self) -> Task | None:
        cl = self.checklist
        if cl is None or not cl.tasks:
            self.show_status(self.t("Chưa có nhiệm vụ nào. Nhấn a để thêm.", "No tasks yet. Press a to add one."))
            return None
        row = self.query_one("#tasks-matrix", DataTable).cursor_row
        return cl.tasks[min(max(row, 0), len(cl.tasks) - 1)]

    def _cursor_cell(self) -> tuple[Task, Unit] | None:
        task = self._cursor_task()
        if task is None or self.checklist is None:
            return None
        col = self.query_one("#tasks-matrix", DataTable).cursor_column
        if not 1 <= col <= len(self.checklist.units):
            self.show_status(self.t("Chọn ô của một đơn vị (← →).", "Move to a unit's cell (← →)."))
            return None
        return task, self.checklist.units[col - 1]

    # --- actions ----------------------------------------------------------------------------

    def action_cycle_status(self) -> None:
        cell = self._cursor_cell()
        if cell is None:
            return
        task, unit = cell
        task_id, code = task.id, unit.code
        key = (task_id, code)
        # A key pressed again before the last save ended moves on from the state being saved.
        old = self._pending.get(key, task.status(code).state)
        new = old.next()
        self._pending[key] = new
        future = self.ccb.save(lambda store: store.set_task_status(task_id, code, new, expect=old))

        def ended(_future: object) -> None:
            if self._pending.get(key) is new:
                del self._pending[key]

        future.add_done_callback(ended)

    def action_add_task(self) -> None:
        self.app.push_screen(AddTaskDialog(self.ccb.year))

    def action_edit_task(self) -> None:
        task = self._cursor_task()
        if task is not None:
            self.app.push_screen(EditTaskDialog(task))

    def action_edit_note(self) -> None:
        cell = self._cursor_cell()
        if cell is not None:
            self.app.push_screen(CellNoteDialog(*cell))

    def action_remove_task(self) -> None:
        task = self._cursor_task()
        if task is not None:
            self.app.push_screen(RemoveTaskDialog(task))


# --- dialogs --------------------------------------------------------------------------------

class TaskFormDialog(FormDialog):
    """A task form: text fields, one message line under them (``#dialog-msg``).

    Every Input is NFC-normalised on each change (Textual's Input mishandles decomposed
    Vietnamese). The dialog stays open with the user's input when the save is refused.
    """

    TITLE_VI_EN = ("", "")

    def heading(self) -> Text:
        return plain(self.t(*self.TITLE_VI_EN), style="bold")

    def fields(self) -> list[tuple[str, str, str]]:
        """(id, label, initial value) per Input."""
        raise NotImplementedError

    def intro(self) -> Text | None:
        """Read-only context shown under the heading."""
        return None

    def compose_body(self) -> ComposeResult:
        intro = self.intro()
        if intro is not None:
            yield Static(intro, classes="dialog-intro")
        for field_id, label, value in self.fields():
            yield Static(plain(label), classes="field-label")
            yield VnInput(value=nfc(value), id=field_id)

    def value(self, field_id: str) -> str:
        """An Input's text, NFC."""
        return nfc(self.query_one(f"#{field_id}", Input).value)

    def show_error(self, field_id: str, message: str) -> None:
        self.say(message)  # one message line for the whole form

    def error_field(self) -> str:
        return "dialog-msg"

    def title_ok(self, title: str) -> bool:
        """A title is given (once cleaned); else say so."""
        self.say("")
        if sanitize(title):
            return True
        self.say(self.t("Tên nhiệm vụ không được để trống.", "A task needs a title."))
        return False


class AddTaskDialog(TaskFormDialog):
    """Add a task (title, note, year) to a year's checklist."""

    TITLE_VI_EN = ("Thêm nhiệm vụ", "Add a task")

    def __init__(self, year: int) -> None:
        super().__init__()
        self.year = year

    def fields(self) -> list[tuple[str, str, str]]:
        return [("task-title", self.t("Tên nhiệm vụ", "Title"), ""),
                ("task-note", self.t("Ghi chú", "Note"), ""),
                ("task-year", self.t("Năm", "Year"), str(self.year))]

    def build_edit(self) -> Edit | None:
        title, note = self.value("task-title"), self.value("task-note")
        if not self.title_ok(title):
            return None
        try:
            year = int(self.value("task-year").strip())
        except ValueError:
            self.say(self.t("Năm phải là một số, ví dụ 2021.", "The year must be a number, e.g. 2021."))
            return None
        if not 1900 <= year <= 2200:
            self.say(self.t("Năm không hợp lệ.", "That year is not valid."))
            return None
        return lambda store: store.add_task(year, title, note)[1]


class EditTaskDialog(TaskFormDialog):
    """Change a task's title and note; a change by another session in between is a conflict."""

    def __init__(self, task: Task) -> None:
        super().__init__()
        self.task_id = task.id
        self.base_title = task.title
        self.base_note = task.note

    def heading(self) -> Text:
        return plain(self.t(f"Sửa nhiệm vụ {self.task_id}", f"Edit task {self.task_id}"), style="bold")

    def fields(self) -> list[tuple[str, str, str]]:
        return [("task-title", self.t("Tên nhiệm vụ", "Title"), self.base_title),
                ("task-note", self.t("Ghi chú", "Note"), self.base_note.replace("\n", " "))]

    def rebase(self, exc: ConflictError) -> None:
        task = self.ccb.snap.task(self.task_id) if self.ccb.snap else None
        if task is not None:
            self.base_title, self.base_note = task.title, task.note

    def build_edit(self) -> Edit | None:
        title, note = self.value("task-title"), self.value("task-note")
        if not self.title_ok(title):
            return None
        task_id, base_title, base_note = self.task_id, self.base_title, self.base_note
        new_note = None if note == base_note.replace("\n", " ") else note  # unchanged: keep its line breaks

        def edit(store: Store) -> Change:
            # The store checks, under its lock, that the title (and the note, when it is being
            # changed) are still what this dialog showed; a change in between is a conflict.
            return store.edit_task(task_id, title=title, note=new_note, expect_title=base_title,
                                   expect_note=ANY if new_note is None else base_note)

        return edit


class CellNoteDialog(TaskFormDialog):
    """One unit's note on one task (its state is kept)."""

    def __init__(self, task: Task, unit: Unit) -> None:
        super().__init__()
        self.task_id = task.id
        self.task_title = task.title
        self.unit_code = unit.code
        self.unit_name = unit.short_name(task.year)
        st = task.status(unit.code)
        self.base_state, self.base_note = st.state, st.note

    def heading(self) -> Text:
        return plain(self.t(f"Ghi chú của {self.unit_name}", f"{self.unit_name}'s note"), style="bold")

    def intro(self) -> Text | None:
        out = plain(f"{self.task_id}. {self.task_title}")
        out.append(f"\n{self.base_state.glyph} {self.base_state.label(self.ccb.lang)}")
        return out

    def fields(self) -> list[tuple[str, str, str]]:
        return [("cell-note", self.t("Ghi chú", "Note"), self.base_note.replace("\n", " "))]

    def rebase(self, exc: ConflictError) -> None:
        task = self.ccb.snap.task(self.task_id) if self.ccb.snap else None
        if task is not None:
            st = task.status(self.unit_code)
            self.base_state, self.base_note = st.state, st.note

    def build_edit(self) -> Edit | None:
        note = self.value("cell-note")
        task_id, code, state, base_note = self.task_id, self.unit_code, self.base_state, self.base_note
        # State and note as this dialog showed them, checked by the store under its lock.
        return lambda store: store.set_task_status(task_id, code, state, note=note, expect=state,
                                                   expect_note=base_note)


class RemoveTaskDialog(ConfirmDialog):
    """Ask before removing a task; Hủy has the focus, Esc cancels too."""

    CONFIRM_VARIANT = "error"

    def __init__(self, task: Task) -> None:
        super().__init__()
        self.doomed = task

    def heading(self) -> Text:
        return plain(self.t(f"Xóa nhiệm vụ {self.doomed.id}?", f"Remove task {self.doomed.id}?"), style="bold")

    def compose_body(self) -> ComposeResult:
        yield Static(plain(self.doomed.title), classes="dialog-intro")
        yield Static(plain(self.t("Trạng thái của mọi đơn vị ở nhiệm vụ này cũng bị xóa (z để hoàn tác).",
                                  "Every unit's state on this task goes too (z undoes it).")))

    def confirm_label(self) -> str:
        return self.t("Xóa", "Remove")

    def action_confirm(self) -> None:
        task = self.doomed
        # The store refuses, under its lock, when the task is no longer what this dialog showed;
        # the app then says what changed and shows it.
        self.save_and_close(lambda store: store.remove_task(task.id, expect=task))
