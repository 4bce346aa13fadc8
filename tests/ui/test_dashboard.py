"""The dashboard and the app shell: edits through the dialogs, undo, year, language, theme,
read-only, conflicts, failed writes, error screens, a terminal too small, hostile names, and a
live update written by a second process.

Assertions are on the store (what is on disk), on the messages the user sees (notifications and
the error lines beside fields) and on the widgets' data, not only on pixels. The seed store opens
on 2020, whose cluster totals the source gives (438 members, 24 new members, ...); per-unit
figures are sample data until edited.
"""

from __future__ import annotations

import errno
import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import filelock
import pytest
from rich.console import Console
from textual import events
from textual.message import Message
from textual.widgets import Button, Checkbox, DataTable, Input, Select, Static

from ccb_tui.core.store import store as store_module
from ccb_tui.core.domain.indicators import CATALOGUE
from ccb_tui.core.domain.models import Qualifier
from ccb_tui.core.store.store import Store
from ccb_tui.ui.app import THEMES, create_app
from ccb_tui.ui.screens.dashboard import DashboardScreen
from ccb_tui.ui.screens.edit import ConflictDialog, EditTargetDialog, EditValueDialog, RenameUnitDialog
from ccb_tui.ui.screens.error import StoreErrorScreen, TooSmallScreen
from ccb_tui.ui.screens.help import HelpScreen
from ccb_tui.ui.screens.meeting import MeetingScreen
from ccb_tui.ui.screens.tasks import TasksScreen
from ccb_tui.ui.screens.units import UnitsScreen
from ccb_tui.ui.widgets.charts import MembersChart, MoneyChart
from ccb_tui.ui.widgets.keybar import KeyBar

SIZE = (80, 24)
ROW = {ind.code: i for i, ind in enumerate(CATALOGUE)}
"""Row of each indicator in the totals and per-unit tables."""
COL = {"krong_no": 1, "nam_ka": 2, "ea_rbin": 3, "lien_son": 4}
"""Column of each unit in the per-unit table (column 0 names the indicator)."""


@pytest.fixture(autouse=True)
def _colour(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default theme, whatever the terminal running the tests asks for (NO_COLOR is tested
    on its own)."""
    monkeypatch.delenv("NO_COLOR", raising=False)


# --- helpers --------------------------------------------------------------------------------

def seeded(tmp_path: Path, name: str = "ccb.json") -> Path:
    """A store created from the seed before the app starts (so no "created" notification)."""
    path = tmp_path / name
    Store(path)
    return path


def reading(path: Path, unit: str, indicator: str, year: int = 2020):  # noqa: ANN201
    """What is on disk now, read by a separate store."""
    return Store(path).snapshot().reading(unit, indicator, year)


def cells(app, table_id: str, row_key: str) -> list[str]:  # noqa: ANN001
    """One row of a table on the current screen, as plain text."""
    table = app.screen.query_one(f"#{table_id}", DataTable)
    return [str(c) for c in table.get_row(row_key)]


def plotted(chart) -> list:  # noqa: ANN001
    """What a chart draws per unit: its data key's (code, label, value, ...) rows.

    The key is what ``UnitChart.show`` compares to decide whether to redraw, so a change here
    is a redraw.
    """
    return list(chart._key[2])


def static_text(node, selector: str) -> str:  # noqa: ANN001
    """The plain text a Static shows."""
    content = node.query_one(selector, Static).content
    return getattr(content, "plain", str(content))


def keybar(app) -> str:  # noqa: ANN001
    return static_text(app.screen, KeyBar.__name__)


def notes(app, severity: str | None = None) -> list[str]:  # noqa: ANN001
    """The notifications shown so far (optionally of one severity)."""
    return [n.message for n in app._notifications if severity is None or n.severity == severity]


def actions(app) -> set[str]:  # noqa: ANN001
    """Actions the current screen's key bindings offer (hidden ones left out)."""
    return {b.binding.action for b in app.screen.active_bindings.values()}


def screen_text(app) -> str:  # noqa: ANN001
    """Everything the screen shows, as characters (styles left out)."""
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text(styles=False)


SGR_AND_MOVES = re.compile(r"\x1b\[[0-9;]*[mH]")
CONTROLS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def terminal_bytes(app) -> str:  # noqa: ANN001
    """What a full redraw would write to the terminal, with Textual's own colours and moves removed.

    Whatever control characters remain would have come from the data.
    """
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", legacy_windows=False)
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return SGR_AND_MOVES.sub("", update.render_segments(console))


def dialog_error(dialog, field: str = "value") -> str:  # noqa: ANN001
    """The message beside a field of a form ("" when hidden)."""
    label = dialog.query_one(f"#{field}-error", Static)
    return static_text(dialog, f"#{field}-error") if label.display else ""


async def open_cell(pilot, unit: str, indicator: str, key: str = "e"):  # noqa: ANN001, ANN201
    """Put the per-unit table's cursor on (unit, indicator) and press ``key``; returns the screen."""
    table = pilot.app.screen.query_one("#per-unit", DataTable)
    table.focus()
    table.move_cursor(row=ROW[indicator], column=COL[unit], animate=False)
    await pilot.press(key)
    await pilot.pause()
    return pilot.app.screen


async def type_value(pilot, text: str) -> None:  # noqa: ANN001
    """Replace the focused form's value by typing ``text`` and press Enter."""
    field = pilot.app.screen.query_one("#value", Input)
    field.value = ""
    await pilot.press(*["space" if c == " " else c for c in text], "enter")
    await pilot.pause()


# --- the dashboard --------------------------------------------------------------------------

async def test_dashboard_shows_totals_plan_reconciliation_and_charts(tmp_path: Path) -> None:
    app = create_app(seeded(tmp_path), poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        assert app.year == 2020  # the latest year with figures
        assert notes(app) == []  # an existing store: no "created" message
        title = static_text(screen, "#dash-title")
        assert "Cụm thi đua số 3" in title and "Năm 2020" in title and "số liệu mẫu" in title
        assert cells(app, "totals", "members") == ["Hội viên", "438", "", "", "✔ 438"]
        assert cells(app, "totals", "new_members") == ["Kết nạp mới", "24", "22", "✔ ĐẠT 109%", "✔ 24"]
        assert cells(app, "totals", "fund")[1:] == ["248,6 tr.", "", "", "✔ gần 250 tr."]
        assert cells(app, "per-unit", "members") == ["Hội viên", "120", "110", "100", "108"]
        assert cells(app, "per-unit", "loans")[3] == "chưa BC"  # not reported, never 0
        dash_notes = static_text(screen, "#dash-notes")
        assert "Ea R'Bin chưa báo cáo" in dash_notes and "không coi là 0" in dash_notes
        members_chart = screen.query_one(MembersChart)
        assert [row[2] for row in plotted(members_chart)] == [120, 110, 100, 108]
        loans = screen.query_one("#chart-loans", MoneyChart)
        assert plotted(loans)[2][2] is None  # Ea R'Bin's loans: not reported
        bar = keybar(app)
        for item in ("e Sửa", "g Chỉ tiêu", "u Đơn vị", "t Nhiệm vụ", "m Họp", "? Trợ giúp", "q Thoát"):
            assert item in bar, item
        assert "Tổng quan" not in bar  # the screen already shown
        assert "Hoàn tác" not in bar  # nothing to undo yet
        assert "undo" not in actions(app)


async def test_navigation_between_every_screen(tmp_path: Path) -> None:
    app = create_app(seeded(tmp_path), poll=False)
    async with app.run_test(size=SIZE) as pilot:
        for key, screen_type, hidden in (("u", UnitsScreen, "Đơn vị"), ("t", TasksScreen, "Nhiệm vụ"),
                                         ("d", DashboardScreen, "Tổng quan")):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, screen_type), key
            assert f"{key} {hidden}" not in keybar(app)  # the current screen's key is left out
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen)
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        for close in ("q", "escape", "question_mark"):
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            assert "Phím tắt" in screen_text(app)
            await pilot.press(close)
            await pilot.pause()
            assert isinstance(app.screen, DashboardScreen), close
        assert app.is_running  # q closed the help, it did not quit
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


# --- edit -> save -> totals and charts ------------------------------------------------------

async def test_edit_saves_to_the_store_and_updates_totals_and_charts(tmp_path: Path) -> None:
    path = seeded(tmp_path)
    app = create_app(path, poll=False)
    messages: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        chart = app.screen.query_one(MembersChart)
        before = plotted(chart)
        await pilot.press("tab")  # totals -> per-unit table
        assert app.screen.focused is app.screen.query_one("#per-unit", DataTable)
        await pilot.press("down", "right", "e")  # Krông Nô · members
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, EditValueDialog)
        assert (dialog.unit_code, dialog.indicator, dialog.year) == ("krong_no", "members", 2020)
        assert dialog.query_one("#value", Input).value == "120"
        assert "120 (số liệu mẫu)" in static_text(dialog, "#current")
        await type_value(pilot, "130")
        assert isinstance(app.screen, DashboardScreen)
        r = reading(path, "krong_no", "members")
        assert (r.value, r.reported, r.sample) == (130, True, False)
        assert cells(app, "totals", "members") == ["Hội viên", "448", "", "", "⚠ 438"]
        assert cells(app, "per-unit", "members")[1] == "130"
        assert plotted(chart) != before and plotted(chart)[0][2] == 130
        assert notes(app) == ["Đã lưu: Xã Krông Nô · Số hội viên 2020: 120 → 130"]
        assert {m.value for m in messages if isinstance(m, Input.Submitted)} == {"130"}  # Enter, once typed
        assert "undo" in actions(app)  # z applies now (the 80-column key bar has no room to list it)


async def test_e_on_the_totals_table_points_to_the_per_unit_table(tmp_path: Path, sha) -> None:  # noqa: ANN001
    path = seeded(tmp_path)
    before = sha(path)
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        totals_table = app.screen.query_one("#totals", DataTable)
        assert app.screen.focused is totals_table
        totals_table.move_cursor(row=ROW["fund"])
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)  # a total has no single unit
        per_unit = app.screen.query_one("#per-unit", DataTable)
        assert app.screen.focused is per_unit
        assert tuple(per_unit.cursor_coordinate) == (ROW["fund"], 1)
        assert any("Theo đơn vị" in n for n in notes(app))
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, EditValueDialog) and dialog.indicator == "fund"
        assert dialog.query_one("#value", Input).value == "70.000.000"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
    assert sha(path) == before  # cancelling writes nothing


async def test_money_with_a_scale_word_qualifier_and_not_reported(tmp_path: Path) -> None:
    path = seeded(tmp_path)
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_cell(pilot, "krong_no", "fund")
        dialog.query_one("#value", Input).value = "75 triệu"
        await pilot.press("enter")
        await pilot.pause()
        assert reading(path, "krong_no", "fund").value == 75_000_000
        assert cells(app, "totals", "fund")[1] == "253,6 tr."
        assert plotted(app.screen.query_one("#chart-fund", MoneyChart))[0][2] == 75_000_000
        # A qualifier: "trên 2,6 tỷ".
        dialog = await open_cell(pilot, "krong_no", "loans")
        dialog.query_one("#qualifier", Select).value = Qualifier.OVER.value
        dialog.query_one("#value", Input).value = "2,6 tỷ"
        await pilot.press("enter")
        await pilot.pause()
        r = reading(path, "krong_no", "loans")
        assert (r.value, r.qualifier) == (2_600_000_000, Qualifier.OVER)
        assert cells(app, "per-unit", "loans")[1].startswith("trên")
        # Not reported is not zero: the figure leaves the total and the notes say so.
        dialog = await open_cell(pilot, "nam_ka", "members")
        dialog.query_one("#not-reported", Checkbox).value = True
        await pilot.press("enter")
        await pilot.pause()
        r = reading(path, "nam_ka", "members")
        assert (r.reported, r.value) == (False, None)
        assert cells(app, "per-unit", "members")[2] == "chưa BC"
        assert cells(app, "totals", "members")[1] == "328 (3/4)"  # 438 - 110, with the units that reported
        assert "Hội viên: 3/4 đơn vị đã báo cáo (Nam Ka chưa báo cáo" in static_text(app.screen, "#dash-notes")
        assert plotted(app.screen.query_one(MembersChart))[1][2] is None  # drawn as "Nam Ka (chưa BC)"


async def test_edit_target_updates_plan_and_progress(tmp_path: Path) -> None:
    path = seeded(tmp_path)
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_cell(pilot, "krong_no", "members", key="g")
        assert isinstance(dialog, EditTargetDialog)
        assert dialog.query_one("#value", Input).value == ""  # no 2020 target for members
        await type_value(pilot, "500")
        assert Store(path).snapshot().target("krong_no", "members", 2020).value == 500
        row = cells(app, "totals", "members")
        assert row[2] == "500" and row[3].startswith("✘ CHƯA ĐẠT")
        # Empty removes the target again.
        dialog = await open_cell(pilot, "krong_no", "members", key="g")
        assert dialog.query_one("#value", Input).value == "500"
        await type_value(pilot, "")
        assert Store(path).snapshot().target("krong_no", "members", 2020) is None
        assert cells(app, "totals", "members")[2:4] == ["", ""]
        assert notes(app)[-1].startswith("Đã lưu: Xã Krông Nô · chỉ tiêu")


async def test_rename_shows_the_new_name_literally_everywhere(tmp_path: Path) -> None:
    path = seeded(tmp_path)
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("u", "r")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, RenameUnitDialog)
        name = dialog.query_one("#name", Input)
        assert name.value == "Xã Krông Nô"
        name.value = "Xã [b]Krông[/] Nô [@click=app.quit]"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, UnitsScreen)
        assert Store(path).snapshot().unit("krong_no").name(2020) == "Xã [b]Krông[/] Nô [@click=app.quit]"
        await pilot.press("d")
        await pilot.pause()
        table = app.screen.query_one("#per-unit", DataTable)
        assert str(table.columns["krong_no"].label) == "[b]Krông[/] Nô [@click=app.quit]"
        assert plotted(app.screen.query_one(MembersChart))[0][1] == "[b]Krông[/] Nô [@click=app.quit]"
        assert app.is_running


# --- validation: every error beside its field, the input kept, nothing written -------------

VALUE_ERRORS = [
    # (unit, indicator, typed, qualifier, message part)
    ("krong_no", "members", "", None, "Nhập giá trị, hoặc chọn “Chưa báo cáo”"),
    ("krong_no", "members", "abc", None, "abc"),
    ("krong_no", "members", "-5", None, "không được là số âm"),
    ("krong_no", "members", "12,5", None, "phải là số nguyên"),
    ("krong_no", "members", "2.000.000", None, "vượt quá giới hạn hợp lý"),
    ("krong_no", "members", "50", Qualifier.HUNDREDS, "'hàng trăm' nghĩa là từ 100 đến 999"),
    ("krong_no", "members", "0", Qualifier.NEARLY, "cần một giá trị lớn hơn 0"),
    ("krong_no", "new_members", "200", None, "không thể lớn hơn số hội viên"),  # cross-field, by the store
    ("krong_no", "branches", "121", None, "không thể lớn hơn số hội viên"),
    ("krong_no", "canal_km", "1.5", None, "1,5"),  # a dot is a thousands separator in Vietnamese
    ("krong_no", "canal_km", "0,123", None, "tối đa 2 chữ số thập phân"),
    ("krong_no", "fund", "70.000.000,5", None, "số đồng chẵn"),
]


async def test_every_value_error_is_shown_beside_the_field(tmp_path: Path, sha) -> None:  # noqa: ANN001
    path = seeded(tmp_path)
    before = sha(path)
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        for n, (unit, indicator, typed, qualifier, message) in enumerate(VALUE_ERRORS):
            dialog = app.screen
            if not (isinstance(dialog, EditValueDialog) and dialog.indicator == indicator):
                if isinstance(dialog, EditValueDialog):
                    app.pop_screen()
                dialog = EditValueDialog(unit, indicator, 2020)  # as "e" opens it (tested above)
                await app.push_screen(dialog)
            dialog.query_one("#qualifier", Select).value = (qualifier or Qualifier.EXACT).value
            dialog.query_one("#value", Input).value = typed
            if n % 3 == 0:
                await pilot.press("enter")
                await pilot.pause()
            else:  # the same path as Enter, then only what the save needs (no key event)
                dialog.action_save()
                await pilot.pause()  # a refusal by the store comes back from the writer thread
            assert app.screen is dialog, typed  # the form stays open
            assert message in dialog_error(dialog), (typed, dialog_error(dialog))
            assert dialog.query_one("#value", Input).value == typed  # the input is kept
        assert notes(app) == []
        assert app.undo_stack == []
    assert sha(path) == before


async def test_target_and_rename_errors(tmp_path: Path, sha) -> None:  # noqa: ANN001
    path = seeded(tmp_path)
    before = sha(path)
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_cell(pilot, "krong_no", "members", key="g")
        for typed, message in (("abc", "«abc» không phải là số"), ("-1", "(kế hoạch): không được là số âm"),
                               ("1,5", "(kế hoạch): phải là số nguyên"), ("1.5", "1,5")):
            dialog.query_one("#value", Input).value = typed
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is dialog
            assert message in dialog_error(dialog), (typed, dialog_error(dialog))
            assert dialog.query_one("#value", Input).value == typed
        await pilot.press("escape", "u", "r")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, RenameUnitDialog)
        for typed, message in (("   ", "Tên đơn vị không được để trống"),
                               ("\x1b[2J\x07", "Tên đơn vị không được để trống")):  # nothing left once cleaned
            dialog.query_one("#name", Input).value = typed
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is dialog
            assert message in dialog_error(dialog, "name"), repr(typed)
    assert sha(path) == before


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


# --- read-only ------------------------------------------------------------------------------

async def test_read_only_hides_the_edit_keys_and_never_writes(tmp_path: Path, sha) -> None:  # noqa: ANN001
    path = seeded(tmp_path)
    before, listing = sha(path), sorted(os.listdir(tmp_path))
    app = create_app(path, poll=False, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        assert "chỉ xem" in static_text(app.screen, "#dash-title")
        assert not actions(app) & {"edit", "edit_target", "undo"}
        bar = keybar(app)
        assert "Sửa" not in bar and "Chỉ tiêu" not in bar and "Hoàn tác" not in bar
        assert "q Thoát" in bar and "u Đơn vị" in bar
        await pilot.press("tab", "down", "right", "e", "g", "z")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        # Even called directly, a save is refused and says why.
        result = await app.save(lambda s: s.set_value("krong_no", "members", 2020, 1))
        assert result.status == "refused" and result.error is None
        await pilot.pause()
        assert notes(app, "warning") == ["Chế độ chỉ xem: không sửa được."]
    assert sha(path) == before
    assert sorted(os.listdir(tmp_path)) == listing


# --- undo -----------------------------------------------------------------------------------

async def test_undo_reverts_the_last_edit_and_is_kept_when_refused(tmp_path: Path) -> None:
    path = seeded(tmp_path)
    app = create_app(path, poll=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_cell(pilot, "krong_no", "members")
        await type_value(pilot, "130")
        assert "z Hoàn tác" in keybar(app)
        await open_cell(pilot, "nam_ka", "fund")
        await type_value(pilot, "65 triệu")
        assert len(app.undo_stack) == 2
        await pilot.press("z")
        await pilot.pause()
        assert reading(path, "nam_ka", "fund").value == 62_000_000
        assert cells(app, "per-unit", "fund")[2] == "62 tr."
        assert notes(app)[-1] == "Hoàn tác: Xã Nam Ka · Quỹ hội 2020: 65 triệu đồng → 62 triệu đồng"
        # Someone else changes the figure the remaining undo would revert: it is refused and kept.
        Store(path, user="lan").set_value("krong_no", "members", 2020, 140)
        app.check_store()
        await pilot.press("z")
        await pilot.pause()
        assert reading(path, "krong_no", "members").value == 140
        assert "Xung đột" in notes(app, "error")[-1]
        assert len(app.undo_stack) == 1
        Store(path, user="lan").set_value("krong_no", "members", 2020, 130)
        app.check_store()
        await pilot.press("z")
        await pilot.pause()
        assert reading(path, "krong_no", "members").value == 120
        assert cells(app, "totals", "members")[1] == "438"
        assert app.undo_stack == [] and "Hoàn tác" not in keybar(app)
        count = len(notes(app))
        await pilot.press("z")  # nothing left: nothing changes, and the key says why
        await pilot.pause()
        assert len(notes(app)) == count + 1
        assert notes(app)[-1] == "Không có gì để hoàn tác: phiên này không còn thay đổi nào của bạn."


# --- year, language, theme, colour ----------------------------------------------------------

async def test_year_keys(tmp_path: Path) -> None:
    path = seeded(tmp_path)
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y")
        await pilot.pause()
        assert app.year == 2021
        assert "Năm 2021" in static_text(app.screen, "#dash-title")
        assert "năm hiện hành 2020" in static_text(app.screen, "#dash-title")
        # no figures yet: no unit has both a figure and a target, so there is no plan comparison
        assert cells(app, "totals", "members")[1:4] == ["chưa BC", "", ""]
        assert cells(app, "per-unit", "members")[1:] == ["chưa BC"] * 4
        assert notes(app) == ["Năm 2021 (năm hiện hành là 2020; N để đặt 2021 làm năm hiện hành)"]
        await pilot.press("Y")
        await pilot.pause()
        assert app.year == 2020 and cells(app, "totals", "members")[1] == "438"
        await pilot.press("Y")  # the first year: stays
        await pilot.pause()
        assert app.year == 2020
        await pilot.press("y", "y")  # past the last writable year (current + 1): stays, says how to open
        await pilot.pause()
        assert app.year == 2021
        assert any("Năm 2022 chưa mở" in n for n in notes(app))
        dialog = await open_cell(pilot, "krong_no", "members", key="g")
        assert dialog.year == 2021


async def test_current_year_is_changed_for_everyone_only_after_asking(tmp_path: Path) -> None:
    from ccb_tui.ui.screens.year import CurrentYearDialog
    path = seeded(tmp_path)
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y", "N")
        await pilot.pause()
        assert isinstance(app.screen, CurrentYearDialog)
        await pilot.press("k")  # cancel: nothing written
        await pilot.pause()
        assert Store(path).snapshot().current_year() == 2020
        await pilot.press("N")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert Store(path).snapshot().current_year() == 2021
        assert "năm hiện hành" not in static_text(app.screen, "#dash-title")
    # a new session opens on it
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.year == 2021


async def test_read_only_cannot_change_the_current_year(tmp_path: Path) -> None:
    path = seeded(tmp_path)
    app = create_app(path, poll=False, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y", "N")
        await pilot.pause()
        assert Store(path).snapshot().current_year() == 2020
        assert app.year == 2021


async def test_language_key_and_english_numbers(tmp_path: Path) -> None:
    path = seeded(tmp_path)
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await pilot.pause()
        assert app.lang == "en"
        assert static_text(app.screen, "#dash-title").startswith("Competition cluster No. 3  ·  Year 2020")
        table = app.screen.query_one("#totals", DataTable)
        assert [str(c.label) for c in table.columns.values()] == ["Indicator", "Total", "Plan", "Progress",
                                                                  "Reported"]
        assert cells(app, "totals", "new_members")[3].startswith("✔ MET")
        assert cells(app, "per-unit", "loans")[3] == "n/r"
        bar = keybar(app)
        assert "e Edit" in bar and "q Quit" in bar and "? Help" in bar
        # A figure shown in English style is read back in English style.
        dialog = await open_cell(pilot, "krong_no", "fund")
        assert dialog.query_one("#value", Input).value == "70,000,000"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen), dialog_error(dialog)
        assert reading(path, "krong_no", "fund").value == 70_000_000
        dialog = await open_cell(pilot, "krong_no", "canal_km")
        assert dialog.query_one("#value", Input).value == "0.5"
        await type_value(pilot, "1.25")
        assert reading(path, "krong_no", "canal_km").value == 1.25
        await pilot.press("l")
        await pilot.pause()
        assert app.lang == "vi" and "e Sửa" in keybar(app)
        assert cells(app, "per-unit", "canal_km")[1] == "1,25"
    app = create_app(path, poll=False, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        assert cells(app, "totals", "members")[0] == "Members"
        await pilot.press("question_mark")
        await pilot.pause()
        assert "Keys — ccb-tui" in screen_text(app)


async def test_theme_key_cycles_four_themes(tmp_path: Path) -> None:
    app = create_app(seeded(tmp_path), poll=False)
    async with app.run_test(size=SIZE) as pilot:
        seen = [app.theme]
        for _ in THEMES:
            await pilot.press("T")  # "c" switches the dashboard's per-unit panel to the charts
            await pilot.pause()
            seen.append(app.theme)
            assert isinstance(app.screen, DashboardScreen)  # the charts redraw in every theme
        assert seen == ["textual-dark", "textual-light", "ansi-dark", "ansi-light", "textual-dark"]


async def test_no_color_is_respected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.filter import Monochrome

    monkeypatch.setenv("NO_COLOR", "1")
    app = create_app(seeded(tmp_path), poll=False)
    assert app.no_color and app.theme == "ansi-dark"
    assert any(isinstance(f, Monochrome) for f in app._filters)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # Status never relies on colour alone.
        assert cells(app, "totals", "new_members")[3] == "✔ ĐẠT 109%"
        assert cells(app, "totals", "members")[4] == "✔ 438"


# --- terminal size --------------------------------------------------------------------------

async def test_80x24_fits_and_below_it_says_too_small(tmp_path: Path) -> None:
    app = create_app(seeded(tmp_path), poll=False)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        shown = screen_text(app)
        assert "Cửa sổ terminal quá nhỏ: 60×20" in shown and "80×20" in shown
        await pilot.press("u", "e", "m")  # the screens' keys wait until there is room
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen) and app.current_mode == "dashboard"
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        # At exactly 80×24 a form fits, buttons included.
        dialog = await open_cell(pilot, "krong_no", "members")
        for button in dialog.query(Button):
            assert app.screen.region.contains_region(button.region), button.id
        dialog.query_one("#value", Input).value = "13"
        for small in ((79, 24), (80, 19)):
            await pilot.resize_terminal(*small)
            await pilot.pause()
            assert isinstance(app.screen, TooSmallScreen), small
            assert f"{small[0]}×{small[1]}" in screen_text(app)
            await pilot.resize_terminal(*SIZE)
            await pilot.pause()
            assert app.screen is dialog  # back where the user was, the input kept
            assert dialog.query_one("#value", Input).value == "13"
        await pilot.press("escape")
        await pilot.pause()
        # The key bar keeps help and quit at 80 columns; help fits as well.
        bar = keybar(app)
        assert "? Trợ giúp" in bar and "q Thoát" in bar and len(bar) <= 80
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "Nhấn q, Esc hoặc ? để đóng." in str(app.screen.query_one("Static").render())


# --- data shown literally -------------------------------------------------------------------

HOSTILE = {
    "krong_no": "Xã [b]x[/]",
    "nam_ka": "Smith [/]",
    "ea_rbin": "[@click=app.quit]",
    "lien_son": "Xã \x1b[2JLiên\x1b]52;c;ZXZpbA==\x07 Sơn\x9b31m\r\n\x1b[?1049h",
}


def write_hostile(path: Path) -> None:
    """Another program writes markup- and escape-laden names straight into the JSON file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for doc in data["units"].values():
        doc["periods"][-1]["name"] = HOSTILE[doc["code"]]
    for doc in data["clusters"].values():
        doc["name_vi"] = "Cụm [bold red]3[/] \x1b]0;pwned\x07"
    path.write_text(json.dumps(data), encoding="utf-8")


async def test_markup_and_escape_sequences_in_data_are_shown_as_text(tmp_path: Path) -> None:
    path = seeded(tmp_path)
    app = create_app(path, poll=False)
    async with app.run_test(size=(120, 40)) as pilot:
        write_hostile(path)  # while the app runs, as another program would
        app.check_store()
        await pilot.pause()
        assert app.is_running
        table = app.screen.query_one("#per-unit", DataTable)
        assert [str(c.label) for c in table.columns.values()] == [
            "Chỉ tiêu", "[b]x[/]", "Smith [/]", "[@click=app.quit]", "Liên Sơn"]
        assert static_text(app.screen, "#dash-title").startswith("Cụm [bold red]3[/]")
        shown = screen_text(app)
        for literal in ("[b]x[/]", "Smith [/]", "[@click=app.quit]", "Cụm [bold red]3[/]"):
            assert literal in shown, literal
        sent = terminal_bytes(app)
        assert not CONTROLS.search(sent.replace("\n", "")), repr(CONTROLS.findall(sent))
        assert "\x1b" not in sent and "pwned" not in shown
        # Clicking the names (table header, chart label) runs no action hidden in them.
        x = 1 + sum(c.get_render_width(table) for c in list(table.columns.values())[:3]) + 2
        await pilot.click("#per-unit", offset=(x, 1))
        await pilot.click(MembersChart, offset=(3, 4))
        await pilot.pause()
        assert app.is_running
        # The edit form shows the name literally too.
        dialog = await open_cell(pilot, "ea_rbin", "members")
        assert "[@click=app.quit] · Số hội viên" in static_text(dialog, ".dialog-title")
        await pilot.press("escape")
        await pilot.pause()
    # Opened from the start, the same: nothing escapes to the terminal.
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not CONTROLS.search(terminal_bytes(app).replace("\n", ""))
        assert "[b]x[/]" in screen_text(app)


async def test_long_unit_names_do_not_break_the_charts(tmp_path: Path) -> None:
    path = seeded(tmp_path)
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        # plotext raised (and took the app down) for a bar label two columns short of the plot:
        # a 32-35 character name at 80 or 120 columns.
        for size in (SIZE, (120, 40)):
            await pilot.resize_terminal(*size)
            for length in range(31, 37):
                Store(path).rename_unit("krong_no", "Xã " + "K" * length)
                app.check_store()
                await pilot.pause()
                assert app.is_running, (size, length)
        assert cells(app, "per-unit", "members")[1] == "120"
        assert str(app.screen.query_one("#per-unit", DataTable).columns["krong_no"].label) == "K" * 36


# --- failed writes: a clear message beside the field, the input kept ------------------------

class _OsWith:
    """``os`` for ccb_tui.core.store only, with some functions replaced."""

    def __init__(self, **replaced: object) -> None:
        self.__dict__.update(replaced)

    def __getattr__(self, name: str) -> object:
        return getattr(os, name)


def _fails(code: int):  # noqa: ANN202
    def fail(*_args: object, **_kwargs: object) -> None:
        raise OSError(code, os.strerror(code))
    return fail


def _writer_module():  # noqa: ANN202
    """The module whose ``os`` the store's atomic write uses (ccb_tui.core.store, or the helper
    module it re-exports ``atomic_write`` from)."""
    return sys.modules[store_module.atomic_write.__module__]


def _break(kind: str, monkeypatch: pytest.MonkeyPatch, app, path: Path):  # noqa: ANN001, ANN202
    """Make the next write fail; returns a function that repairs it."""
    if kind == "disk full (rename)":
        monkeypatch.setattr(_writer_module(), "os", _OsWith(replace=_fails(errno.ENOSPC)))
        return monkeypatch.undo
    if kind == "disk full (fsync)":
        monkeypatch.setattr(_writer_module(), "os", _OsWith(fsync=_fails(errno.ENOSPC)))
        return monkeypatch.undo
    if kind == "permission denied":
        monkeypatch.setattr(_writer_module(), "os", _OsWith(replace=_fails(errno.EACCES)))
        return monkeypatch.undo
    if kind == "lock timeout":
        lock = filelock.FileLock(str(path) + ".lock", timeout=1)
        lock.acquire()  # another session holds the lock
        app.write_patience = 0.3  # the save waits this long for the lock (the screen stays live)
        return lock.release
    if kind == "corrupt file":
        good = path.read_bytes()
        path.write_bytes(b'{"meta": {"1": {"app": "ccb-tui", "sch')
        return lambda: path.write_bytes(good)
    raise AssertionError(kind)


@pytest.mark.parametrize(("kind", "message"), [
    ("disk full (rename)", "ổ đĩa đầy"),
    ("disk full (fsync)", "ổ đĩa đầy"),
    ("permission denied", "không có quyền"),
    ("lock timeout", "đang bị một phiên khác khóa"),
    ("corrupt file", "không phải JSON hợp lệ"),
])
async def test_a_failed_write_shows_why_and_keeps_the_input(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sha, tmp_leftovers, kind: str, message: str) -> None:  # noqa: ANN001
    path = seeded(tmp_path)
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_cell(pilot, "krong_no", "members")
        dialog.query_one("#value", Input).value = "130"
        repair = _break(kind, monkeypatch, app, path)
        before = sha(path)
        await pilot.press("enter")
        await pilot.pause()
        if kind == "lock timeout":  # the save waits (the screen below says so), then gives up
            assert "đang chờ… (người khác đang ghi)" in static_text(app.screen_stack[-2], "KeyBar")
            while app._writes:
                await pilot.pause(0.05)
            await pilot.pause()
        assert app.screen is dialog
        error = dialog_error(dialog)
        assert message in error and "ccb.json" in error, error
        assert dialog.query_one("#value", Input).value == "130"
        assert sha(path) == before and tmp_leftovers(tmp_path) == []
        assert app.undo_stack == [] and not any(n.startswith("Đã lưu") for n in notes(app))
        repair()
        await pilot.press("enter")  # the same form, tried again once the cause is gone
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen), dialog_error(dialog)
        assert reading(path, "krong_no", "members").value == 130
        assert cells(app, "totals", "members")[1] == "448"


async def test_a_store_damaged_while_open_keeps_the_last_good_figures(tmp_path: Path) -> None:
    path = seeded(tmp_path)
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        good = path.read_bytes()
        path.write_bytes(b"\x00\x00\x00")
        app.check_store()
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert cells(app, "totals", "members")[1] == "438"
        assert any("byte NUL" in n for n in notes(app, "error"))
        path.write_bytes(good)
        Store(path).set_value("krong_no", "members", 2020, 121)
        app.check_store()
        await pilot.pause()
        assert cells(app, "totals", "members")[1] == "439"


# --- a store that cannot be opened ----------------------------------------------------------

def _meta_schema_99(path: Path) -> None:
    Store(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    next(iter(data["meta"].values()))["schema"] = 99
    path.write_text(json.dumps(data), encoding="utf-8")


def _unit_without_periods(path: Path) -> None:
    Store(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    next(iter(data["units"].values()))["periods"] = []
    path.write_text(json.dumps(data), encoding="utf-8")


STORE_ERRORS = {
    "invalid JSON": (lambda p: p.write_text('{"meta": ', encoding="utf-8"), {}, "không phải JSON hợp lệ"),
    "not a ccb-tui store": (lambda p: p.write_text('{"_default": {}}', encoding="utf-8"), {},
                            "không phải dữ liệu của ccb-tui"),
    "newer schema": (_meta_schema_99, {}, "lược đồ phiên bản 99"),
    "malformed record": (_unit_without_periods, {}, "có bản ghi sai dạng"),
    "a folder": (lambda p: p.mkdir(), {}, "Không đọc được"),
    "missing, read-only": (lambda p: None, {"read_only": True}, "Không có tệp dữ liệu"),
    "missing, meeting": (lambda p: None, {"meeting": True}, "Không có tệp dữ liệu"),
}


@pytest.mark.parametrize("case", list(STORE_ERRORS))
async def test_a_store_that_cannot_be_opened_gives_a_readable_screen(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sha, case: str) -> None:  # noqa: ANN001
    make, kwargs, message = STORE_ERRORS[case]
    monkeypatch.chdir(tmp_path)
    path = Path("ccb.json")
    make(path)
    before = sha(path) if path.is_file() else None
    app = create_app(path, poll=False, **kwargs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StoreErrorScreen)
        shown = screen_text(app)
        assert "Không mở được dữ liệu" in shown and "Nhấn q để thoát." in shown
        text = static_text(app.screen, "#error-message")
        assert message in text and "ccb.json" in text, text
        assert "Traceback" not in shown
        assert keybar(app).split() == ["q", "Thoát", "?", "Trợ", "giúp"]  # no screen to go to
        await pilot.press("d", "u", "t", "m", "y", "e", "z")
        await pilot.pause()
        assert isinstance(app.screen, StoreErrorScreen)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert app.open_error is not None and app.open_error.exit_code == 5
    if before is None:
        assert not path.exists() or path.is_dir()  # a read-only session creates nothing
        assert sorted(os.listdir(tmp_path)) == ([] if case.startswith("missing") else ["ccb.json"])
    else:
        assert sha(path) == before  # left untouched
