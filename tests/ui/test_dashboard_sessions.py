"""Two sessions on one file: a change underneath an open form is a conflict that keeps the input,
and a change written by a second process shows on the dashboard.

Assertions are on the store (what is on disk), on the messages the user sees (notifications and
the error lines beside fields) and on the widgets' data, not only on pixels. The seed store opens
on 2020, whose cluster totals the source gives (438 members, 24 new members, ...); per-unit
figures are sample data until edited.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from textual import events
from textual.message import Message
from textual.widgets import DataTable, Input

from ccb_tui.core.store.store import Store
from ccb_tui.ui.app import create_app
from ccb_tui.ui.screens.dashboard import DashboardScreen
from ccb_tui.ui.screens.edit import ConflictDialog, RenameUnitDialog
from ccb_tui.ui.screens.units import UnitsScreen
from ccb_tui.ui.widgets.charts import MembersChart

from dashboard_helpers import _colour  # noqa: F401 - autouse: the default theme
from dashboard_helpers import (
    SIZE, cells, notes, open_cell, plotted, reading, screen_text, seeded, static_text,
)


# --- conflicts: two stores on one file ------------------------------------------------------

@pytest.mark.parametrize(("key", "kept"), [("h", 125), ("t", 130)])
async def test_change_underneath_an_open_form_keeps_the_input_and_saving_conflicts(
        tmp_path: Path, key: str, kept: int) -> None:
    path = seeded(tmp_path)
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_cell(pilot, "krong_no", "members")
        dialog.query_one("#value", Input).value = "130"
        Store(path, user="lan").set_value("krong_no", "members", 2020, 125)  # another session saves first
        app.check_store()  # what the poll timer does
        await pilot.pause()
        assert app.screen is dialog
        assert dialog.query_one("#value", Input).value == "130"  # the live update left the input alone
        current = static_text(dialog, "#current")
        assert "125" in current and "vừa được người khác thay đổi" in current
        dashboard = app.screen_stack[-2]
        assert [str(c) for c in dashboard.query_one("#totals", DataTable).get_row("members")][1] == "443"
        await pilot.press("enter")
        await pilot.pause()
        conflict = app.screen
        assert isinstance(conflict, ConflictDialog)
        message = static_text(conflict, "#conflict-message")
        assert message.startswith("Xung đột: Xã Krông Nô · Số hội viên 2020")
        assert "(lan) đổi thành 125" in message and "dựa trên 120" in message
        shown = screen_text(app)
        assert "Của họ (đã lưu): 125" in shown and "Của bạn: 130" in shown
        assert "t  Giữ của tôi" in shown and "h  Giữ của họ" in shown
        assert reading(path, "krong_no", "members").value == 125  # nothing overwritten yet
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert reading(path, "krong_no", "members").value == kept
        assert cells(app, "totals", "members")[1] == str(318 + kept)
        if key == "t":  # kept mine: a deliberate overwrite, undone back to theirs
            assert notes(app) == ["Đã lưu: Xã Krông Nô · Số hội viên 2020: 125 → 130"]
            await pilot.press("z")
            await pilot.pause()
            assert reading(path, "krong_no", "members").value == 125
        else:
            assert notes(app) == [] and app.undo_stack == []


@pytest.mark.parametrize(("key", "kept", "plan"), [("t", 8, "24"), ("h", None, "16")])
async def test_target_conflict_when_the_other_session_removed_it(
        tmp_path: Path, key: str, kept: int | None, plan: str) -> None:
    path = seeded(tmp_path)
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_cell(pilot, "krong_no", "new_members", key="g")
        assert dialog.query_one("#value", Input).value == "6"
        dialog.query_one("#value", Input).value = "8"
        Store(path, user="lan").set_target("krong_no", "new_members", 2020, None)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConflictDialog)
        await pilot.press(key)  # t: keep mine (8) although theirs is "no target"; h: keep theirs
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        target = Store(path).snapshot().target("krong_no", "new_members", 2020)
        assert (target.value if target else None) == kept
        assert cells(app, "totals", "new_members")[2] == plan  # 22 - 6 (+ 8)


async def test_rename_conflict_and_a_name_from_an_earlier_period(tmp_path: Path) -> None:
    path = seeded(tmp_path)
    Store(path).rename_unit("lien_son", "Thị trấn Liên Sơn Lắk", year=2021)
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("u")
        app.screen.query_one("#units-table", DataTable).move_cursor(row=3)
        await pilot.press("r")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, RenameUnitDialog)
        name = dialog.query_one("#name", Input)
        assert name.value == "Thị trấn Liên Sơn"  # the 2020 name, the year on screen
        name.value = "Thị trấn Liên Sơn cũ"
        await pilot.press("enter")
        await pilot.pause()
        unit = Store(path).snapshot().unit("lien_son")
        assert (unit.name(2020), unit.name(2021)) == ("Thị trấn Liên Sơn cũ", "Thị trấn Liên Sơn Lắk")
        assert isinstance(app.screen, UnitsScreen)
        # Someone else renames the unit while the form is open: saving shows the conflict.
        app.screen.query_one("#units-table", DataTable).move_cursor(row=0)
        await pilot.press("r")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#name", Input).value = "Xã Krông Nô A"
        Store(path, user="lan").rename_unit("krong_no", "Xã Krông Nô B")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConflictDialog)
        assert "Xã Krông Nô B" in screen_text(app)
        await pilot.press("h")
        await pilot.pause()
        assert Store(path).snapshot().unit("krong_no").name(2020) == "Xã Krông Nô B"
        assert isinstance(app.screen, UnitsScreen)


# --- live update from a second process ------------------------------------------------------

async def test_live_update_from_another_process_within_two_seconds(tmp_path: Path) -> None:
    path = seeded(tmp_path)
    app = create_app(path, poll=True)
    messages: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        chart = app.screen.query_one(MembersChart)
        before = plotted(chart)
        assert cells(app, "totals", "members")[1] == "438"
        proc = subprocess.run([sys.executable, "-m", "ccb_tui", "set", "krong_no", "members", "130",
                               "--year", "2020", "--db", str(path)],
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        start = time.monotonic()
        while cells(app, "totals", "members")[1] != "448" and time.monotonic() - start < 2.0:
            await pilot.pause(0.1)  # no key pressed: only the poll timer can update the screen
        elapsed = time.monotonic() - start
        assert cells(app, "totals", "members")[1] == "448", f"no update after {elapsed:.1f} s"
        assert elapsed < 2.0
        assert cells(app, "per-unit", "members")[1] == "130"
        assert plotted(chart) != before and plotted(chart)[0][2] == 130
        assert notes(app) == []  # a change by someone else is shown, not announced
        assert not any(isinstance(m, events.Key) for m in messages)  # no key was pressed


async def test_idle_poll_does_not_reload(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = seeded(tmp_path)
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        reloads: list[int] = []
        monkeypatch.setattr(app, "refresh_screens", lambda: reloads.append(1))
        for _ in range(3):
            app.check_store()
        await pilot.pause()
        assert reloads == []  # nothing changed on disk: nothing redrawn
