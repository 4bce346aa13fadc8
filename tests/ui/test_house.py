"""The house: one undo (store entry ids), saves in a writer thread that never freezes the screen,
and the structure that keeps it so (one dialog base, no ui.app <-> screens import circle)."""

from __future__ import annotations

import ast
import subprocess
import sys
import time
from pathlib import Path
from statistics import median

import pytest
from textual.widgets import DataTable, Input, Static

from ccb_tui.core.domain.models import TaskState
from ccb_tui.core.store import Store
from ccb_tui.ui.app import create_app
from ccb_tui.ui.messages import StoreWaiting, StoreWritten
from ccb_tui.ui.screens.help import HelpScreen
from ccb_tui.ui.screens.tasks import EditTaskDialog, TasksScreen

UI = Path(__file__).resolve().parents[2] / "ccb_tui" / "ui"
SIZE = (100, 30)


def snap(path: Path):  # noqa: ANN201
    return Store(path).snapshot()


# --- one undo -------------------------------------------------------------------------------

# (what the TUI saves, how to tell it is undone) for each kind of edit the TUI makes.
KINDS = {
    "figure": (lambda s: s.set_value("krong_no", "members", 2020, 130),
               lambda sn: sn.reading("krong_no", "members", 2020).value == 120),
    "target": (lambda s: s.set_target("nam_ka", "workdays", 2021, 100),
               lambda sn: sn.target("nam_ka", "workdays", 2021) is None),
    "task status": (lambda s: s.set_task_status(1, "krong_no", TaskState.DOING, expect=TaskState.TODO),
                    lambda sn: sn.task(1).status("krong_no").state is TaskState.TODO),
    "note": (lambda s: s.set_task_status(1, "nam_ka", TaskState.TODO, note="Đã họp", expect=TaskState.TODO,
                                         expect_note=""),
             lambda sn: sn.task(1).status("nam_ka").note == ""),
    "task add": (lambda s: s.add_task(2021, "Thăm hỏi hội viên")[1], lambda sn: len(sn.tasks_for(2021)) == 8),
    "task edit": (lambda s: s.edit_task(2, title="Tên khác", expect_title=s.snapshot().task(2).title),
                  lambda sn: sn.task(2).title != "Tên khác"),
    "task remove": (lambda s: s.remove_task(3, expect=s.snapshot().task(3)),
                    lambda sn: sn.task(3) is not None and sn.task(3).id == 3),
    "rename": (lambda s: s.rename_unit("ea_rbin", "Xã Ea Rbin", year=2021, expect="Xã Ea R'Bin"),
               lambda sn: sn.unit("ea_rbin").name(2021) == "Xã Ea R'Bin"),
    "current year": (lambda s: s.set_setting("current_year", 2021, expect=2020),
                     lambda sn: sn.settings.current_year == 2020),
}


@pytest.mark.parametrize("kind", list(KINDS))
async def test_undo_of_each_kind_is_one_transaction(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "ccb.json"
    edit, undone = KINDS[kind]
    Store(path)
    if kind == "current year":  # the seed's current year is 2020, and 2021 is in the store
        assert snap(path).settings.current_year == 2020
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        result = await app.save(edit)
        assert result.saved and result.change is not None
        assert app.undo_stack == [result.change.entry_id]
        assert not undone(snap(path))
        revision = snap(path).revision
        await pilot.press("z")
        await pilot.pause()
        after = snap(path)
        assert undone(after)
        assert after.revision == revision + 1  # one transaction, whatever the edit
        entry = Store(path).log_entries()[-1]
        assert (entry.action, entry.undoes) == ("undo", result.change.entry_id)
        assert app.undo_stack == []


async def test_undo_refused_when_someone_changed_it_since_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    Store(path)
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        task = snap(path).task(3)
        result = await app.save(lambda s: s.remove_task(3, expect=task))
        Store(path, user="lan").add_task(2021, "Nhiệm vụ của Lan")  # not the same task: no conflict
        await pilot.press("z")
        await pilot.pause()
        assert snap(path).task(3).title == task.title  # back, with its old id
        result = await app.save(lambda s: s.set_value("krong_no", "members", 2020, 130))
        Store(path, user="lan").set_value("krong_no", "members", 2020, 140)
        revision = snap(path).revision
        await pilot.press("z")
        await pilot.pause()
        assert snap(path).reading("krong_no", "members", 2020).value == 140 and snap(path).revision == revision
        said = [n.message for n in app._notifications if n.severity == "error"]
        assert said and said[-1].startswith("Xung đột")
        assert app.undo_stack == [result.change.entry_id]  # kept, to retry after a look


# --- the screen never waits on a lock -------------------------------------------------------

HOLDER = r"""
import sys, time
from pathlib import Path
import filelock
path, ready, hold = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3])
with filelock.FileLock(str(path) + ".lock", thread_local=False):
    ready.touch()
    time.sleep(hold)
"""


def hold_lock(path: Path, seconds: float) -> subprocess.Popen[bytes]:
    """Another process holds the store's lock for ``seconds``; returns once it has it."""
    ready = path.with_name("holder-ready")
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), str(ready), str(seconds)])
    deadline = time.monotonic() + 30
    while not ready.exists():
        assert proc.poll() is None and time.monotonic() < deadline, "the holder never took the lock"
        time.sleep(0.01)
    return proc


async def help_times(pilot, screen, keep_open: bool = False) -> list[float]:  # noqa: ANN001
    """Seconds ``?`` took to open the help (press and pause), three times; left open if asked."""
    times = []
    for n in range(3):
        t0 = time.monotonic()
        await pilot.press("question_mark")
        await pilot.pause()
        times.append(time.monotonic() - t0)
        assert isinstance(pilot.app.screen, HelpScreen)
        if n < 2 or not keep_open:
            await pilot.press("escape")
            await pilot.pause()
            assert pilot.app.screen is screen
    return times


def keybar(screen) -> str:  # noqa: ANN001
    content = screen.query_one("KeyBar", Static).content
    return getattr(content, "plain", str(content))


async def test_screen_stays_live_while_another_process_holds_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    Store(path)
    messages: list[object] = []
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await pilot.press("t")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TasksScreen)
        screen.query_one("#tasks-matrix", DataTable).move_cursor(row=0, column=1)  # task 1, Krông Nô
        await pilot.press("question_mark", "escape")  # help once before: its first build is not the lock's
        await pilot.pause()
        baseline = await help_times(pilot, screen)
        proc = hold_lock(path, 5.0)
        started = time.monotonic()
        await pilot.press("space")  # a save: it waits for the lock in the writer thread
        await pilot.pause()
        assert app.store_waiting and "đang chờ… (người khác đang ghi)" in keybar(screen)
        during = await help_times(pilot, screen, keep_open=True)
        assert isinstance(app.screen, HelpScreen) and app.store_waiting
        assert time.monotonic() - started < 5.0, "the lock was let go before the keys were measured"
        print(f"\n? answered in {', '.join(f'{t * 1000:.0f}' for t in during)} ms while the lock was held "
              f"({', '.join(f'{t * 1000:.0f}' for t in baseline)} ms without it)")
        # 0.2 s (the median of three); on a machine so loaded that the same key takes longer with no
        # lock at all, the bound is that time and a half. A frozen screen would take the whole 5 s.
        assert median(during) < max(0.2, 1.5 * median(baseline))
        assert max(during) < 1.0
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and snap(path).task(1).status("krong_no").state is TaskState.TODO
        await pilot.press("space")  # a second save, queued behind the first
        await pilot.pause()
        assert proc.wait(30) == 0
        while app._writes:
            await pilot.pause(0.05)
        await pilot.pause()
        # Both saves ended, in order: chưa → đang → xong; the waiting text is gone.
        assert snap(path).task(1).status("krong_no").state is TaskState.DONE
        assert not app.store_waiting and "đang chờ" not in keybar(screen)
        assert len(app.undo_stack) == 2
    assert any(isinstance(m, StoreWaiting) for m in messages)
    assert sum(isinstance(m, StoreWritten) for m in messages) == 2


async def test_a_form_closed_while_its_save_waits_is_not_saved(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    Store(path)
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await pilot.pause()
        screen = app.screen
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, EditTaskDialog)
        dialog.query_one("#task-title", Input).value = "Tên mới"
        proc = hold_lock(path, 2.0)
        await pilot.press("enter")
        await pilot.pause()
        assert app.store_waiting and app.screen is dialog
        shown = dialog.query_one("#dialog-msg", Static)
        assert shown.display and str(shown.content).startswith("Đang chờ… (người khác đang ghi)")
        assert shown.has_class("-waiting")  # news, not drawn as an error
        await pilot.press("escape")  # changed their mind while it waited
        await pilot.pause()
        assert app.screen is screen
        assert proc.wait(30) == 0
        while app._writes:
            await pilot.pause(0.05)
        assert snap(path).task(1).title != "Tên mới" and app.undo_stack == []
        assert not [n for n in app._notifications if n.severity == "error"]
        await pilot.press("space")  # the queue goes on
        await pilot.pause()
        assert snap(path).task(1).status(snap(path).units_in(2021)[0].code).state is TaskState.DOING


async def test_quit_while_a_save_waits_on_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    Store(path)
    app = create_app(path, poll=False)
    proc = None
    async with app.run_test(size=SIZE) as pilot:
        await app.save(lambda s: s.set_value("krong_no", "members", 2020, 121))
        proc = hold_lock(path, 5.0)
        app.save(lambda s: s.set_value("krong_no", "members", 2020, 130))
        await pilot.pause()
        assert app.store_waiting
        t0 = time.monotonic()
        await pilot.press("q")
        await pilot.pause()
    assert time.monotonic() - t0 < 2.0  # the writer thread noticed the quit between lock tries
    assert app.return_code is not None
    proc.wait(30)
    assert snap(path).reading("krong_no", "members", 2020).value == 121  # the waiting save never ran


# --- structure ------------------------------------------------------------------------------

def _runtime_imports(path: Path) -> set[str]:
    """Modules a file imports outside ``if TYPE_CHECKING:`` blocks (relative ones as written)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


@pytest.mark.parametrize("path", sorted((UI / "screens").glob("*.py")) + sorted((UI / "widgets").glob("*.py")),
                         ids=lambda p: p.name)
def test_screens_and_widgets_do_not_import_the_app(path: Path) -> None:
    imports = _runtime_imports(path)
    assert not {"..app", "ccb_tui.ui.app"} & imports, "ui.app imports the screens; type hints only"
    if path.name == "meeting.py":
        assert ".tasks" not in imports  # shared checklist rendering lives in ui/widgets


def test_no_hand_written_undo_and_one_way_to_handle_buttons() -> None:
    for path in UI.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "UndoStep" not in source, path
        assert "event.button.id ==" not in source, path
        assert "def on_button_pressed" not in source, path


def test_every_dialog_is_built_on_the_dialog_base() -> None:
    import importlib

    from textual.screen import ModalScreen

    from ccb_tui.ui.screens.dialog import Dialog
    for path in sorted((UI / "screens").glob("*.py")):
        module = importlib.import_module(f"ccb_tui.ui.screens.{path.stem}")
        for name, obj in vars(module).items():
            if (isinstance(obj, type) and issubclass(obj, ModalScreen) and obj.__module__ == module.__name__
                    and name.endswith("Dialog")):
                assert issubclass(obj, Dialog), name
