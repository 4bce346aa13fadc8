"""The dashboard and the app shell: what it shows, moving between screens, read-only, the year,
language, theme and colour keys, a terminal too small, and hostile names shown as text.

Assertions are on the store (what is on disk), on the messages the user sees (notifications and
the error lines beside fields) and on the widgets' data, not only on pixels. The seed store opens
on 2020, whose cluster totals the source gives (438 members, 24 new members, ...); per-unit
figures are sample data until edited.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from textual.widgets import Button, DataTable, Input

from ccb_tui.core.store.store import Store
from ccb_tui.ui.app import THEMES, create_app
from ccb_tui.ui.screens.dashboard import DashboardScreen
from ccb_tui.ui.screens.error import TooSmallScreen
from ccb_tui.ui.screens.help import HelpScreen
from ccb_tui.ui.screens.meeting import MeetingScreen
from ccb_tui.ui.screens.tasks import TasksScreen
from ccb_tui.ui.screens.units import UnitsScreen
from ccb_tui.ui.widgets.charts import MembersChart, MoneyChart

from dashboard_helpers import _colour  # noqa: F401 - autouse: the default theme
from dashboard_helpers import (
    CONTROLS, SIZE, actions, cells, dialog_error, keybar, notes, open_cell, plotted, reading, screen_text,
    seeded, static_text, terminal_bytes, type_value,
)


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
