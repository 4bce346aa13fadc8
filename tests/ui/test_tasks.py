"""The checklist screen: the matrix, one-key status changes with undo, the dialogs, conflicts.

The seed's figures are for 2020 and its checklist for 2021; the app opens on 2020, so the tasks
screen shows 2021 with a note saying 2020 has no tasks (the fallback the screen implements).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from textual.widgets import DataTable, Input, Static

from ccb_tui.core.domain.models import TaskState
from ccb_tui.core.store.store import Store
from ccb_tui.ui.app import create_app
from ccb_tui.ui.screens.base import EDIT_ACTIONS
from ccb_tui.ui.screens.dialog import ConflictDialog
from pilot_helpers import saves_done

from ccb_tui.ui.screens.tasks import (
    AddTaskDialog, CellNoteDialog, EditTaskDialog, RemoveTaskDialog, TasksScreen,
)

SIZE = (80, 24)


def text_of(screen, selector: str) -> str:  # noqa: ANN001
    """The plain text a Static shows."""
    content = screen.query_one(selector, Static).content
    return getattr(content, "plain", str(content))


def cell_plain(table: DataTable, row: int, col: int) -> str:
    value = table.get_cell_at((row, col))
    return getattr(value, "plain", str(value))


def state(path: Path, task_id: int, unit: str) -> TaskState:
    return Store(path).snapshot().task(task_id).status(unit).state


def errors(app) -> list[str]:  # noqa: ANN001
    return [n.message for n in app._notifications if n.severity == "error"]


async def open_tasks(pilot) -> TasksScreen:  # noqa: ANN001
    await pilot.press("t")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, TasksScreen)
    return screen


async def test_matrix_lists_the_seeded_checklist(tmp_path: Path) -> None:
    app = create_app(tmp_path / "ccb.json", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        assert app.year == 2020
        screen = await open_tasks(pilot)
        table = screen.query_one("#tasks-matrix", DataTable)
        assert table.row_count == 8
        assert len(table.columns) == 1 + 4 + 1  # task, four units, progress
        headers = [c.label.plain for c in table.columns.values()]
        assert headers[1:5] == ["Krông Nô", "Nam Ka", "Ea R'Bin", "Liên Sơn"]
        assert cell_plain(table, 0, 0).startswith("1. Đẩy mạnh")
        assert cell_plain(table, 0, 1) == "○ chưa"
        assert cell_plain(table, 0, 5) == "0/4"
        assert "0/32 hoàn thành" in text_of(screen, "#tasks-progress")
        title = text_of(screen, "#tasks-title")
        assert "2021" in title and "năm 2020 chưa có nhiệm vụ" in title
        legend = text_of(screen, "#tasks-legend")
        for word in ("○ chưa thực hiện", "◐ đang thực hiện", "● hoàn thành"):
            assert word in legend
        # The full title and note of the cursor's task are shown under the table.
        detail = text_of(screen, "#tasks-detail")
        assert "tham gia các phong trào" in detail and "hội nghị cụm" in detail


async def test_no_fallback_note_when_the_year_has_tasks(tmp_path: Path) -> None:
    app = create_app(tmp_path / "ccb.json", poll=False, year=2021)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tasks(pilot)
        assert "chưa có nhiệm vụ" not in text_of(screen, "#tasks-title")


async def test_space_cycles_a_cell_and_undo_restores_it(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tasks(pilot)
        table = screen.query_one("#tasks-matrix", DataTable)
        assert tuple(table.cursor_coordinate) == (0, 1)
        await pilot.press("space")
        await saves_done(pilot)
        assert state(path, 1, "krong_no") is TaskState.DOING
        assert cell_plain(table, 0, 1) == "◐ đang"
        assert "1 đang thực hiện" in text_of(screen, "#tasks-progress")
        await pilot.press("x")
        await saves_done(pilot)
        assert state(path, 1, "krong_no") is TaskState.DONE
        assert "1/32 hoàn thành" in text_of(screen, "#tasks-progress")
        assert cell_plain(table, 0, 5) == "1/4"
        await pilot.press("right", "down", "space")
        await saves_done(pilot)
        assert state(path, 2, "nam_ka") is TaskState.DOING
        assert tuple(table.cursor_coordinate) == (1, 2)  # the cursor stays where it was
        await pilot.press("z")
        await saves_done(pilot)
        assert state(path, 2, "nam_ka") is TaskState.TODO
        await pilot.press("z")
        await saves_done(pilot)
        assert state(path, 1, "krong_no") is TaskState.DOING
        await pilot.press("z")
        await saves_done(pilot)
        assert state(path, 1, "krong_no") is TaskState.TODO
        assert "0/32 hoàn thành" in text_of(screen, "#tasks-progress")


async def test_space_on_the_title_column_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(pilot)
        revision = Store(path).snapshot().revision
        await pilot.press("left", "space")
        assert Store(path).snapshot().revision == revision


async def test_conflict_keeps_the_other_sessions_value(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tasks(pilot)
        Store(path, user="other").set_task_status(1, "krong_no", TaskState.DONE)
        await pilot.press("space")  # based on "chưa thực hiện", which is no longer true
        await pilot.pause()
        assert state(path, 1, "krong_no") is TaskState.DONE
        assert any("Xung đột" in m for m in errors(app))
        table = screen.query_one("#tasks-matrix", DataTable)
        assert cell_plain(table, 0, 1) == "● xong"  # reloaded: the user now sees their value
        assert not app.undo_stack


async def test_add_edit_note_and_remove_through_dialogs(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tasks(pilot)
        table = screen.query_one("#tasks-matrix", DataTable)

        await pilot.press("a")
        dialog = app.screen
        assert isinstance(dialog, AddTaskDialog)
        assert dialog.query_one("#task-year", Input).value == "2020"  # the app's year
        dialog.query_one("#task-title", Input).value = unicodedata.normalize("NFD", "Thăm hỏi hội viên ốm đau")
        await pilot.pause()
        assert dialog.query_one("#task-title", Input).value == "Thăm hỏi hội viên ốm đau"  # NFC at once
        dialog.query_one("#task-note", Input).value = "Quý III"
        dialog.query_one("#task-year", Input).value = "2021"
        dialog.query_one("#task-title", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        snap = Store(path).snapshot()
        added = snap.tasks_for(2021)[-1]
        assert (added.title, added.note) == ("Thăm hỏi hội viên ốm đau", "Quý III")
        assert table.row_count == 9
        assert "0/36 hoàn thành" in text_of(screen, "#tasks-progress")

        table.move_cursor(row=8, column=1)
        await pilot.press("e")
        dialog = app.screen
        assert isinstance(dialog, EditTaskDialog)
        assert dialog.query_one("#task-title", Input).value == "Thăm hỏi hội viên ốm đau"
        dialog.query_one("#task-title", Input).value = "Thăm hỏi, tặng quà hội viên"
        dialog.query_one("#task-note", Input).value = "Quý IV"
        await pilot.click("#dialog-save")
        await pilot.pause()
        assert app.screen is screen
        edited = Store(path).snapshot().task(added.id)
        assert (edited.title, edited.note) == ("Thăm hỏi, tặng quà hội viên", "Quý IV")
        assert cell_plain(table, 8, 0).startswith(f"{added.id}. Thăm hỏi, tặng quà")

        await pilot.press("n")
        dialog = app.screen
        assert isinstance(dialog, CellNoteDialog)
        dialog.query_one("#cell-note", Input).value = "Đã lên kế hoạch"
        await pilot.press("enter")
        await pilot.pause()
        status = Store(path).snapshot().task(added.id).status("krong_no")
        assert (status.state, status.note) == (TaskState.TODO, "Đã lên kế hoạch")
        assert "✎" in cell_plain(table, 8, 1)
        assert "Đã lên kế hoạch" in text_of(screen, "#tasks-detail")

        await pilot.press("x")  # a state, so that undoing the removal has something to restore
        await pilot.press("X")
        dialog = app.screen
        assert isinstance(dialog, RemoveTaskDialog)
        assert dialog.focused is not None and dialog.focused.id == "dialog-cancel"
        await pilot.click("#dialog-confirm")
        await pilot.pause()
        assert app.screen is screen
        assert Store(path).snapshot().task(added.id) is None
        assert table.row_count == 8

        revision = Store(path).snapshot().revision
        await pilot.press("z")  # undo the removal: same title, note, states and number, in one write
        await pilot.pause()
        assert Store(path).snapshot().revision == revision + 1
        restored = Store(path).snapshot().tasks_for(2021)[-1]
        assert restored.id == added.id
        assert restored.title == "Thăm hỏi, tặng quà hội viên"
        assert restored.status("krong_no").state is TaskState.DOING
        assert restored.status("krong_no").note == "Đã lên kế hoạch"


async def test_dialogs_cancel_with_escape_or_the_button(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tasks(pilot)
        revision = Store(path).snapshot().revision
        await pilot.press("a")
        assert isinstance(app.screen, AddTaskDialog)
        await pilot.press("escape")
        assert app.screen is screen
        await pilot.press("e")
        assert isinstance(app.screen, EditTaskDialog)
        await pilot.press("tab", "tab", "tab", "enter")  # title → note → Lưu → Hủy
        assert app.screen is screen
        await pilot.press("X")
        await pilot.press("enter")  # Hủy has the focus
        assert app.screen is screen
        assert Store(path).snapshot().revision == revision


async def test_dialog_stays_open_when_the_save_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tasks(pilot)
        await pilot.press("a", "enter")  # empty title
        assert isinstance(app.screen, AddTaskDialog)
        assert "trống" in text_of(app.screen, "#dialog-msg")
        await pilot.press("escape")

        await pilot.press("e")
        dialog = app.screen
        assert isinstance(dialog, EditTaskDialog)
        dialog.query_one("#task-title", Input).value = "Tên của tôi"
        Store(path, user="other").edit_task(1, title="Tên của người khác")
        await pilot.press("enter")
        await pilot.pause()
        conflict = app.screen  # the conflict dialog, over the form with the user's text
        assert isinstance(conflict, ConflictDialog) and app.screen_stack[-2] is dialog
        assert dialog.query_one("#task-title", Input).value == "Tên của tôi"
        assert Store(path).snapshot().task(1).title == "Tên của người khác"
        assert "Xung đột" in text_of(conflict, "#conflict-message")
        assert "Tên của người khác" in text_of(screen, "#tasks-detail")  # the screen below reloaded
        await pilot.press("t")  # keep mine: knowingly writes the user's title over theirs
        await pilot.pause()
        assert app.screen is screen
        assert Store(path).snapshot().task(1).title == "Tên của tôi"


async def test_read_only_hides_the_edit_keys(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    Store(path)  # read-only never creates the file
    app = create_app(path, read_only=True, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tasks(pilot)
        actions = {b.binding.action for b in screen.active_bindings.values()}
        assert not actions & (EDIT_ACTIONS | {"edit_note"})
        revision = Store(path).snapshot().revision
        await pilot.press("space", "x", "a", "e", "n", "X")
        assert app.screen is screen
        assert Store(path).snapshot().revision == revision


async def test_markup_in_titles_is_shown_literally(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    store = Store(path)
    quit_id, _ = store.add_task(2021, "[@click=app.quit]")
    smith_id, _ = store.add_task(2021, "Smith [/]", note="[b]x[/b]")
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tasks(pilot)
        table = screen.query_one("#tasks-matrix", DataTable)
        assert cell_plain(table, 8, 0) == f"{quit_id}. [@click=app.quit]"
        assert cell_plain(table, 9, 0) == f"{smith_id}. Smith [/]"
        table.move_cursor(row=8, column=1)
        await pilot.pause()
        await pilot.click("#tasks-detail")
        await pilot.click("#tasks-matrix", offset=(5, 9))
        await pilot.pause()
        assert app.is_running and app.return_code is None
        table.move_cursor(row=9, column=1)
        await pilot.pause()
        assert "Smith [/]" in text_of(screen, "#tasks-detail")
        assert "[b]x[/b]" in text_of(screen, "#tasks-detail")
