"""Saves from the task dialogs against another process holding the store's transaction open.

The other process takes the store's ``.lock`` (as a transaction of another session does), waits
until the TUI has read the store and is waiting for the lock, writes its own change through the
store API under that lock and lets go. Every check the TUI's save depends on must then happen
under the lock: the TUI shows a conflict and the other session's change survives.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import time
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from pilot_helpers import saves_done

from ccb_tui.core.domain.models import TaskState
from ccb_tui.core.store import Store
from ccb_tui.ui.app import create_app
from ccb_tui.ui.screens.dialog import ConflictDialog
from ccb_tui.ui.screens.tasks import CellNoteDialog, EditTaskDialog, RemoveTaskDialog, TasksScreen

SIZE = (80, 24)
HOLD = 1.5  # seconds the other process keeps the lock before writing (the TUI waits on it)

HOLDER = r"""
import contextlib, sys, time
from pathlib import Path
import filelock
from ccb_tui.core.domain.models import TaskState
from ccb_tui.core.store import Store

path, kind, ready, hold = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), float(sys.argv[4])
store = Store(path, user="other")
store.snapshot()
with filelock.FileLock(store.lock_path, thread_local=False):
    ready.touch()
    time.sleep(hold)  # the TUI has read the store by now and is waiting for the lock
    store._locked = contextlib.nullcontext  # this process already holds it
    if kind == "cell-note":
        store.set_task_status(1, "krong_no", TaskState.TODO, note="OTHER")
    elif kind == "task-note":
        store.edit_task(1, note="OTHER")
    elif kind == "state":
        store.set_task_status(1, "krong_no", TaskState.DONE, note="OTHER")
"""


def hold_and_write(path: Path, kind: str, tmp_path: Path) -> subprocess.Popen[bytes]:
    """Start the other session; return once it holds the lock."""
    ready = tmp_path / f"ready-{kind}"
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), kind, str(ready), str(HOLD)])
    deadline = time.monotonic() + 30
    while not ready.exists():
        assert proc.poll() is None, "the holder process died"
        assert time.monotonic() < deadline, "the holder process never took the lock"
        time.sleep(0.01)
    return proc


def conflict_text(app) -> str:  # noqa: ANN001
    """The message the conflict dialog on top shows."""
    content = app.screen.query_one("#conflict-message", Static).content
    return getattr(content, "plain", str(content))


def errors(app) -> list[str]:  # noqa: ANN001
    return [n.message for n in app._notifications if n.severity == "error"]


async def open_tasks(pilot) -> TasksScreen:  # noqa: ANN001
    await pilot.press("t")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, TasksScreen)
    table = screen.query_one("#tasks-matrix", DataTable)
    table.move_cursor(row=0, column=1)  # task 1, Krông Nô
    await pilot.pause()
    return screen


def log_lines(path: Path) -> list[str]:
    import contextlib
    import io

    from ccb_tui import cli
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["log", "--db", str(path)]) == 0
    return out.getvalue().splitlines()


async def test_cell_note_saved_while_another_session_holds_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(pilot)
        await pilot.press("n")
        dialog = app.screen
        assert isinstance(dialog, CellNoteDialog)
        dialog.query_one("#cell-note", Input).value = "TUI-NOTE"
        proc = hold_and_write(path, "cell-note", tmp_path)
        await pilot.press("enter")  # waits for the other session's transaction
        await pilot.pause()
        assert proc.wait(30) == 0
        await saves_done(pilot)  # the save's result, back from the writer thread
        status = Store(path).snapshot().task(1).status("krong_no")
        assert status.note == "OTHER"  # the other session's note survives
        assert isinstance(app.screen, ConflictDialog)
        assert app.screen_stack[-2] is dialog  # the user's text is still there to save knowingly
        assert dialog.query_one("#cell-note", Input).value == "TUI-NOTE"
        said = conflict_text(app)
        assert "Xung đột" in said and "'OTHER'" in said and "''" in said  # both notes named
    notes = [line for line in log_lines(path) if "ghi chú" in line]
    assert len(notes) == 1 and "ghi chú: '' → 'OTHER'" in notes[0]  # a note change, read as one
    assert not any("TUI-NOTE" in line for line in log_lines(path))


async def test_task_note_edited_while_another_session_holds_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(pilot)
        await pilot.press("e")
        dialog = app.screen
        assert isinstance(dialog, EditTaskDialog)
        dialog.query_one("#task-note", Input).value = "TUI-NOTE"
        proc = hold_and_write(path, "task-note", tmp_path)
        await pilot.click("#dialog-save")
        await pilot.pause()
        assert proc.wait(30) == 0
        await saves_done(pilot)
        assert Store(path).snapshot().task(1).note == "OTHER"
        assert isinstance(app.screen, ConflictDialog) and app.screen_stack[-2] is dialog
        assert "Xung đột" in conflict_text(app) and "'OTHER'" in conflict_text(app)


async def test_task_removed_while_another_session_holds_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tasks(pilot)
        await pilot.press("X")
        assert isinstance(app.screen, RemoveTaskDialog)
        proc = hold_and_write(path, "state", tmp_path)
        await pilot.click("#dialog-confirm")
        await pilot.pause()
        assert proc.wait(30) == 0
        await saves_done(pilot)
        task = Store(path).snapshot().task(1)
        assert task is not None  # not removed: it changed after the user looked at it
        assert (task.status("krong_no").state, task.status("krong_no").note) == (TaskState.DONE, "OTHER")
        assert app.screen is screen
        assert any("Xung đột" in m for m in errors(app))


def test_the_ui_builds_no_conflicts() -> None:
    """Conflicts are decided by the store, under its lock; the UI only shows them."""
    ui = Path(__file__).resolve().parents[2] / "ccb_tui" / "ui"
    found = []
    for file in sorted(ui.rglob("*.py")):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if name == "ConflictError":
                    found.append(f"{file.relative_to(ui)}:{node.lineno}")
    assert not found, f"ConflictError built in the UI: {found}"


@pytest.mark.parametrize("kind", ["cell-note", "task-note"])
def test_store_names_both_notes(tmp_path: Path, kind: str) -> None:
    from ccb_tui.core.domain.errors import ConflictError
    path = tmp_path / "ccb.json"
    Store(path, user="other").set_task_status(1, "krong_no", TaskState.TODO, note="OTHER")
    Store(path, user="other").edit_task(1, note="OTHER")
    store = Store(path, user="me")
    with pytest.raises(ConflictError) as exc:
        if kind == "cell-note":
            store.set_task_status(1, "krong_no", TaskState.TODO, note="MINE", expect=TaskState.TODO, expect_note="")
        else:
            store.edit_task(1, note="MINE", expect_note="Nhiệm vụ trọng tâm do hội nghị cụm thống nhất")
    assert "'OTHER'" in exc.value.msg.vi and "'OTHER'" in exc.value.msg.en
    assert exc.value.actual == "OTHER"
