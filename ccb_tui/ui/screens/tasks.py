"""The year's checklist as a matrix: a row per task, a column per unit, one key to move a cell on.

When the app's year has no tasks the screen shows the latest year that has some, and says so in
its title line (the seed's checklist is for 2021 while its figures are for 2020). New tasks go to
the year typed in the dialog, which starts at the app's year.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Label, Static

from ...core.domain.checklist import Checklist, checklist_for
from ...core.domain.errors import ConflictError
from ...core.domain.models import Task, TaskState, TaskStatus, Unit
from ...core.store import ANY, Change, Store
from ...core.domain.text import nfc, sanitize
from ..safe import cut_cells, plain
from ..widgets.vninput import VnInput
from .base import CcbModal, CcbScreen

SHORT_WORDS: dict[TaskState, tuple[str, str]] = {
    TaskState.TODO: ("chưa", "todo"),
    TaskState.DOING: ("đang", "doing"),
    TaskState.DONE: ("xong", "done"),
}
STATE_STYLE = {TaskState.TODO: "", TaskState.DOING: "bold", TaskState.DONE: "bold green"}
NOTE_MARK = "✎"


# --- the checklist as data, shared with the meeting screen ----------------------------------

def cell_text(status: TaskStatus, lang: str) -> Text:
    """"◐ đang": glyph and short word (never colour alone), ✎ when the unit left a note."""
    word = SHORT_WORDS[status.state][1 if lang == "en" else 0]
    out = Text(f"{status.state.glyph} {word}", style=STATE_STYLE[status.state])
    if status.note:
        out.append(f" {NOTE_MARK}", style="dim")
    return out


def progress_line(cl: Checklist, lang: str) -> Text:
    """"11/32 hoàn thành · 3 đang thực hiện · 18 chưa thực hiện"."""
    total = len(cl.tasks) * len(cl.units)
    done, doing, todo = (cl.count(s) for s in (TaskState.DONE, TaskState.DOING, TaskState.TODO))
    out = Text()
    out.append(f"{done}/{total} {TaskState.DONE.label(lang)}", style="bold")
    if total:
        out.append(f" ({round(done * 100 / total)}%)")
    out.append(f" · {doing} {TaskState.DOING.label(lang)} · {todo} {TaskState.TODO.label(lang)}")
    return out


def legend(lang: str) -> Text:
    """"○ chưa thực hiện · ◐ đang thực hiện · ● hoàn thành · ✎ có ghi chú"."""
    out = Text()
    for s in TaskState:
        out.append(f"{s.glyph} {s.label(lang)}", style=STATE_STYLE[s])
        out.append(" · ")
    out.append(f"{NOTE_MARK} {'has a note' if lang == 'en' else 'có ghi chú'}")
    return out


def truncate(s: str, n: int) -> str:
    """``s`` on one line in ``n`` terminal cells: runs of spaces made one, and when too long, cut
    at the last word boundary that fits (mid-word only when one word is most of the line, and
    then between glyphs), with "…" after the word and no trailing space or punctuation before it."""
    s = " ".join(s.split())
    if cell_len(s) <= n:
        return s
    out = cut_cells(s, n - 1)
    if s[len(out):len(out) + 1] != " " and " " in out:
        head = out[:out.rindex(" ")]
        if cell_len(head) >= n // 2:
            out = head
    return out.rstrip(" ,.;:-–—") + "…"


def fill_matrix(table: DataTable, cl: Checklist, lang: str, avail: int) -> None:
    """Rebuild ``table`` from ``cl`` in ``avail`` cells of width, keeping the cursor on its task."""
    old_row, old_col = table.cursor_coordinate
    old_key = None
    if 0 <= old_row < table.row_count:
        old_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    table.clear(columns=True)
    head_task = "Task" if lang == "en" else "Nhiệm vụ"
    head_done = "Done" if lang == "en" else "Xong"
    fixed = 0
    for u in cl.units:
        cells = [cell_len(cell_text(t.status(u.code), lang).plain) for t in cl.tasks]
        fixed += max([cell_len(u.short_name(cl.year)), *cells]) + 2
    n = len(cl.units)
    fixed += max(cell_len(head_done), len(f"{n}/{n}")) + 2
    title_w = max(16, avail - fixed - 2)
    table.add_column(plain(head_task), width=title_w, key="task")
    for u in cl.units:
        table.add_column(plain(u.short_name(cl.year), justify="center"), key=u.code)
    table.add_column(plain(head_done), key="progress")
    for t in cl.tasks:
        done = cl.done_in(t)
        table.add_row(
            plain(truncate(f"{t.id}. {t.title}", title_w)),
            *(cell_text(t.status(u.code), lang) for u in cl.units),
            plain(f"{done}/{n}", style="bold green" if n and done == n else "", justify="right"),
            key=str(t.id))
    if not cl.tasks:
        return
    row = next((i for i, t in enumerate(cl.tasks) if str(t.id) == old_key), min(old_row, len(cl.tasks) - 1))
    col = old_col if 0 < old_col < len(table.columns) else min(1, len(table.columns) - 1)
    table.move_cursor(row=max(0, row), column=col, animate=False)


def checklist_title(app, cl: Checklist, brief: bool = False) -> Text:  # noqa: ANN001 - CcbApp, import cycle
    """Cluster · "Nhiệm vụ trọng tâm năm 2021", and why that year when it is not the app's.

    ``brief`` leaves out the cluster and the read-only mark (the meeting screen shows them).
    """
    snap = app.snap
    out = Text()
    if not brief and snap is not None and snap.clusters:
        out.append_text(plain(snap.clusters[snap.default_cluster()].name(app.lang), style="bold"))
        out.append(" · ")
    out.append(app.t(f"Nhiệm vụ trọng tâm năm {cl.year}", f"Checklist {cl.year}"), style="bold")
    if cl.fallback:
        out.append(app.t(f"  (năm {cl.requested} chưa có nhiệm vụ)",
                         f"  ({cl.requested} has no tasks)"), style="italic")
    if app.read_only and not brief:
        out.append(f"   {app.t('chỉ xem', 'read-only')}", style="dim")
    return out


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

    def _on_conflict(self, exc: ConflictError) -> None:
        """Say what happened and show the other session's value."""
        self.notify(self.ccb.tm(exc.msg), severity="error", markup=False, timeout=10)
        self.ccb.reload()

    # --- actions ----------------------------------------------------------------------------

    def action_cycle_status(self) -> None:
        cell = self._cursor_cell()
        if cell is None:
            return
        task, unit = cell
        task_id, code = task.id, unit.code
        old = task.status(code).state
        new = old.next()
        self.ccb.save(lambda store: store.set_task_status(task_id, code, new, expect=old),
                      on_conflict=self._on_conflict)

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

class TaskFormDialog(CcbModal):
    """A small form: Inputs, then Lưu / Hủy buttons. Enter or Lưu saves, Esc or Hủy cancels.

    Every Input is NFC-normalised on each change (Textual's Input mishandles decomposed
    Vietnamese). The dialog stays open with the user's input when the save is refused.
    """

    CSS_PATH = "tasks.tcss"
    BINDINGS = [Binding("escape", "cancel", "Hủy")]

    def heading(self) -> str:
        """The dialog's title."""
        raise NotImplementedError

    def fields(self) -> list[tuple[str, str, str]]:
        """(id, label, initial value) per Input."""
        raise NotImplementedError

    def submit(self) -> Change | None:
        """Save through ``app.save``; None keeps the dialog open."""
        raise NotImplementedError

    def intro(self) -> Text | None:
        """Read-only context shown under the heading."""
        return None

    def compose(self) -> ComposeResult:
        with Vertical(classes="task-dialog"):
            yield Static(plain(self.heading(), style="bold"), classes="task-dialog-heading")
            intro = self.intro()
            if intro is not None:
                yield Static(intro, classes="task-dialog-intro")
            for field_id, label, value in self.fields():
                yield Label(plain(label))
                yield VnInput(value=nfc(value), id=field_id)
            yield Static(id="dialog-msg")
            with Horizontal(classes="task-dialog-buttons"):
                yield Button(self.t("Lưu"), id="dialog-save", variant="primary")
                yield Button(self.t("Hủy"), id="dialog-cancel")

    def value(self, field_id: str) -> str:
        """An Input's text, NFC."""
        return nfc(self.query_one(f"#{field_id}", Input).value)

    def say(self, text: str) -> None:
        """Show a line in the dialog (why it is still open)."""
        self.query_one("#dialog-msg", Static).update(plain(text))

    def on_conflict(self, exc: ConflictError) -> None:
        """Report, show the other session's value under the dialog, and let a second Lưu overwrite."""
        self.ccb.notify(self.ccb.tm(exc.msg), severity="error", markup=False, timeout=10)
        self.ccb.reload()
        self.rebase()
        self.say(self.ccb.tm(exc.msg) + self.t("  Nhấn Lưu lần nữa để ghi nội dung của bạn.",
                                               "  Press Save again to write yours."))

    def rebase(self) -> None:
        """Take the store's current values as the base of the next save."""

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#dialog-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#dialog-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_save(self) -> None:
        change = self.submit()
        if change is not None:
            self.dismiss(change)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _title_ok(dialog: TaskFormDialog, title: str) -> bool:
    if sanitize(title):
        return True
    dialog.say(dialog.t("Tên nhiệm vụ không được để trống.", "A task needs a title."))
    return False


class AddTaskDialog(TaskFormDialog):
    """Add a task (title, note, year) to a year's checklist."""

    def __init__(self, year: int) -> None:
        super().__init__()
        self.year = year

    def heading(self) -> str:
        return self.t("Thêm nhiệm vụ", "Add a task")

    def fields(self) -> list[tuple[str, str, str]]:
        return [("task-title", self.t("Tên nhiệm vụ", "Title"), ""),
                ("task-note", self.t("Ghi chú", "Note"), ""),
                ("task-year", self.t("Năm", "Year"), str(self.year))]

    def submit(self) -> Change | None:
        title, note = self.value("task-title"), self.value("task-note")
        if not _title_ok(self, title):
            return None
        try:
            year = int(self.value("task-year").strip())
        except ValueError:
            self.say(self.t("Năm phải là một số, ví dụ 2021.", "The year must be a number, e.g. 2021."))
            return None
        if not 1900 <= year <= 2200:
            self.say(self.t("Năm không hợp lệ.", "That year is not valid."))
            return None
        return self.ccb.save(lambda store: store.add_task(year, title, note)[1])


class EditTaskDialog(TaskFormDialog):
    """Change a task's title and note; a change by another session in between is a conflict."""

    def __init__(self, task: Task) -> None:
        super().__init__()
        self.task_id = task.id
        self.base_title = task.title
        self.base_note = task.note

    def heading(self) -> str:
        return self.t(f"Sửa nhiệm vụ {self.task_id}", f"Edit task {self.task_id}")

    def fields(self) -> list[tuple[str, str, str]]:
        return [("task-title", self.t("Tên nhiệm vụ", "Title"), self.base_title),
                ("task-note", self.t("Ghi chú", "Note"), self.base_note.replace("\n", " "))]

    def rebase(self) -> None:
        task = self.ccb.snap.task(self.task_id) if self.ccb.snap else None
        if task is not None:
            self.base_title, self.base_note = task.title, task.note

    def submit(self) -> Change | None:
        title, note = self.value("task-title"), self.value("task-note")
        if not _title_ok(self, title):
            return None
        task_id, base_title, base_note = self.task_id, self.base_title, self.base_note
        new_note = None if note == base_note.replace("\n", " ") else note  # unchanged: keep its line breaks

        def edit(store: Store) -> Change:
            # The store checks, under its lock, that the title (and the note, when it is being
            # changed) are still what this dialog showed; a change in between is a conflict.
            return store.edit_task(task_id, title=title, note=new_note, expect_title=base_title,
                                   expect_note=ANY if new_note is None else base_note)

        return self.ccb.save(edit, on_conflict=self.on_conflict)


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

    def heading(self) -> str:
        return self.t(f"Ghi chú của {self.unit_name}", f"{self.unit_name}'s note")

    def intro(self) -> Text | None:
        out = plain(f"{self.task_id}. {self.task_title}")
        out.append(f"\n{self.base_state.glyph} {self.base_state.label(self.ccb.lang)}")
        return out

    def fields(self) -> list[tuple[str, str, str]]:
        return [("cell-note", self.t("Ghi chú", "Note"), self.base_note.replace("\n", " "))]

    def rebase(self) -> None:
        task = self.ccb.snap.task(self.task_id) if self.ccb.snap else None
        if task is not None:
            st = task.status(self.unit_code)
            self.base_state, self.base_note = st.state, st.note

    def submit(self) -> Change | None:
        note = self.value("cell-note")
        task_id, code, state, base_note = self.task_id, self.unit_code, self.base_state, self.base_note

        def edit(store: Store) -> Change:
            # State and note as this dialog showed them, checked by the store under its lock.
            return store.set_task_status(task_id, code, state, note=note, expect=state, expect_note=base_note)

        return self.ccb.save(edit, on_conflict=self.on_conflict)


class RemoveTaskDialog(CcbModal):
    """Ask before removing a task; Hủy has the focus, Esc cancels too."""

    CSS_PATH = "tasks.tcss"
    BINDINGS = [Binding("escape", "cancel", "Hủy")]

    def __init__(self, task: Task) -> None:
        super().__init__()
        self.doomed = task

    def compose(self) -> ComposeResult:
        with Vertical(classes="task-dialog"):
            yield Static(plain(self.t(f"Xóa nhiệm vụ {self.doomed.id}?", f"Remove task {self.doomed.id}?"),
                               style="bold"), classes="task-dialog-heading")
            yield Static(plain(self.doomed.title), classes="task-dialog-intro")
            yield Static(plain(self.t("Trạng thái của mọi đơn vị ở nhiệm vụ này cũng bị xóa (z để hoàn tác).",
                                      "Every unit's state on this task goes too (z undoes it).")))
            yield Static(id="dialog-msg")
            with Horizontal(classes="task-dialog-buttons"):
                yield Button(self.t("Xóa"), id="dialog-remove", variant="error")
                yield Button(self.t("Hủy"), id="dialog-cancel")

    def on_mount(self) -> None:
        self.query_one("#dialog-cancel", Button).focus()

    @on(Button.Pressed, "#dialog-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#dialog-remove")
    def _remove(self) -> None:
        task = self.doomed
        task_id = task.id

        def remove(store: Store) -> Change:
            # The store refuses, under its lock, when the task is no longer what this dialog showed.
            return store.remove_task(task_id, expect=task)

        change = self.ccb.save(remove, on_conflict=self._conflict)
        if change is not None:
            self.dismiss(change)

    def _conflict(self, exc: ConflictError) -> None:
        self.ccb.notify(self.ccb.tm(exc.msg), severity="error", markup=False, timeout=10)
        self.ccb.reload()
        self.dismiss(None)

