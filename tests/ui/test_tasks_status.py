"""The tasks screen says what each key did on one status line (no toasts over the dialogs);
notes read as note changes; undo says "Hoàn tác"; keys that cannot act say why."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, Static

from ccb_tui.core.store.store import Store
from ccb_tui.ui.app import create_app
from ccb_tui.ui.screens.dashboard import DashboardScreen
from ccb_tui.ui.screens.tasks import CellNoteDialog, TasksScreen
from ccb_tui.ui.widgets.checklist import truncate

SIZE = (80, 24)
READ_ONLY = "Chế độ chỉ xem: không sửa được."


def status(screen) -> str:  # noqa: ANN001
    content = screen.query_one("#tasks-status", Static).content
    return getattr(content, "plain", str(content))


def notes(app) -> list[str]:  # noqa: ANN001
    return [n.message for n in app._notifications]


async def open_tasks(pilot) -> TasksScreen:  # noqa: ANN001
    await pilot.press("t")
    await pilot.pause()
    assert isinstance(pilot.app.screen, TasksScreen)
    return pilot.app.screen


async def test_saves_go_to_one_status_line_not_toasts(tmp_path: Path) -> None:
    app = create_app(tmp_path / "ccb.json", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tasks(pilot)
        screen.query_one("#tasks-matrix", DataTable).move_cursor(row=0, column=1)
        await pilot.press("x")
        await pilot.pause()
        assert status(screen).startswith("Đã lưu: ") and status(screen).endswith("chưa thực hiện → đang thực hiện")
        await pilot.press("x")
        await pilot.pause()
        assert status(screen).endswith("đang thực hiện → hoàn thành")  # replaced, not stacked
        assert "\n" not in status(screen)
        # the note dialog: the save is said under it, and says what the note changed
        await pilot.press("n")
        dialog = app.screen
        assert isinstance(dialog, CellNoteDialog)
        dialog.query_one("#cell-note", Input).value = "Đã tổ chức 3 buổi"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        assert status(screen).endswith("ghi chú: '' → 'Đã tổ chức 3 buổi'")
        assert "hoàn thành → hoàn thành" not in status(screen)
        assert not any(n.startswith("Đã lưu") for n in notes(app))
        # undo says so, like the CLI
        await pilot.press("z")
        await pilot.pause()
        assert status(screen).startswith("Hoàn tác: ")
        assert status(screen).endswith("ghi chú: 'Đã tổ chức 3 buổi' → ''")
        await pilot.press("z", "z")
        await pilot.pause()
        await pilot.press("z")  # nothing left
        await pilot.pause()
        assert status(screen) == "Không có gì để hoàn tác: phiên này không còn thay đổi nào của bạn."


async def test_edit_keys_in_read_only_say_why(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    Store(path)  # a read-only session does not create the store
    app = create_app(path, poll=False, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")  # the dashboard's edit key
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert notes(app) == [READ_ONLY]
        screen = await open_tasks(pilot)
        for key in ("x", "n", "a", "e", "X", "z"):
            screen.query_one("#tasks-status", Static).update("")
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is screen, key
            assert status(screen) == READ_ONLY, key
        bar = str(screen.query_one("KeyBar").content)
        assert "Ghi chú" not in bar and "Hoàn tác" not in bar  # still hidden from the key bar


def test_titles_cut_at_a_word_boundary() -> None:
    title = "1. Đẩy mạnh  tuyên truyền, giáo dục làm cho các thế hệ CCB"
    cut = truncate(title, 30)
    assert cut == "1. Đẩy mạnh tuyên truyền…"  # not "…truyền, giá…" nor "truyền,…"
    assert "  " not in cut and len(cut) <= 30
    assert truncate("1. Ngắn  gọn", 30) == "1. Ngắn gọn"
    assert truncate("Mộtchữrấtdàikhôngcókhoảngtrắng", 10) == "Mộtchữrất…"


async def test_edit_keys_on_the_meeting_screen_say_why(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    Store(path)
    app = create_app(path, poll=False, meeting=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        meeting = app.screen
        for key in ("e", "g", "r", "x", "X"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is meeting, key
        assert notes(app) == ["Màn hình họp chỉ để xem: không sửa được."]  # said once, not stacked
