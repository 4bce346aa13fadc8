"""The units screen: list, accent-insensitive search, sorting, the detail, safety and live updates."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

from rich.console import Console
from textual.widgets import DataTable, Input, Static

from ccb_tui.core.store.store import Store
from ccb_tui.ui.app import create_app
from ccb_tui.ui.screens.units import UnitDetailScreen, UnitsScreen

SIZE = (80, 24)


def names(app) -> list[str]:  # noqa: ANN001
    """The unit names in the list, top to bottom, as displayed."""
    table = app.screen.query_one("#units-table", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def column(app, key: str) -> list[str]:  # noqa: ANN001
    """One column of the units list, as displayed."""
    table = app.screen.query_one("#units-table", DataTable)
    return [str(c) for c in table.get_column(key)]


def screen_text(app) -> str:  # noqa: ANN001
    """Everything the current screen renders, as the characters sent (controls left out)."""
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text(styles=False)


def keys(text: str) -> list[str]:
    """Pilot key names that type ``text``."""
    return ["space" if c == " " else c for c in text]


async def open_units(pilot) -> None:  # noqa: ANN001
    await pilot.press("u")
    await pilot.pause()
    assert isinstance(pilot.app.screen, UnitsScreen)


async def test_lists_the_four_units(tmp_path: Path) -> None:
    app = create_app(tmp_path / "ccb.json", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_units(pilot)
        assert names(app) == ["Xã Krông Nô", "Xã Nam Ka", "Xã Ea R'Bin", "Thị trấn Liên Sơn"]
        assert column(app, "members") == ["120", "110", "100", "108"]
        assert column(app, "loans")[2] == "chưa BC"  # not reported, never 0
        assert column(app, "fund")[0] == "70 tr."
        assert isinstance(app.screen.focused, DataTable)
        text = screen_text(app)
        assert "Thị trấn Liên Sơn" in text and "Dư nợ" in text


async def test_search_folds_accents_and_case(tmp_path: Path) -> None:
    app = create_app(tmp_path / "ccb.json", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_units(pilot)
        await pilot.press("slash")
        search = app.screen.query_one("#unit-search", Input)
        assert app.screen.focused is search
        for query, expected in (("lien son", ["Thị trấn Liên Sơn"]), ("LIEN SON", ["Thị trấn Liên Sơn"]),
                                ("ea rbin", ["Xã Ea R'Bin"]), ("krong no", ["Xã Krông Nô"]),
                                ("xa", ["Xã Krông Nô", "Xã Nam Ka", "Xã Ea R'Bin"])):
            search.value = ""
            await pilot.press(*keys(query))
            await pilot.pause()
            assert search.value == query
            assert names(app) == expected, query
        # Nothing matches: the table is empty and says so.
        search.value = "zzz"
        await pilot.pause()
        assert names(app) == []
        assert "Không có đơn vị nào khớp" in str(app.screen.query_one("#units-status", Static).render())
        # Esc goes back to the table, keeping the filter; Enter does the same.
        search.value = "nam"
        await pilot.pause()
        await pilot.press("escape")
        assert isinstance(app.screen.focused, DataTable)
        assert names(app) == ["Xã Nam Ka"]
        await pilot.press("slash", "backspace", "backspace", "backspace", "enter")
        await pilot.pause()
        assert isinstance(app.screen.focused, DataTable)
        assert isinstance(app.screen, UnitsScreen)  # Enter in the search does not open a unit
        assert len(names(app)) == 4


async def test_nfd_query_is_composed(tmp_path: Path) -> None:
    app = create_app(tmp_path / "ccb.json", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_units(pilot)
        await pilot.press("slash")
        search = app.screen.query_one("#unit-search", Input)
        nfd = unicodedata.normalize("NFD", "Liên Sơn")
        assert nfd != "Liên Sơn"
        search.insert_text_at_cursor(nfd)
        await pilot.pause()
        assert search.value == "Liên Sơn"
        assert unicodedata.is_normalized("NFC", search.value)
        assert search.cursor_position == len(search.value)
        assert names(app) == ["Thị trấn Liên Sơn"]
        # Backspace removes a whole letter, not just its horn.
        await pilot.press("backspace")
        await pilot.pause()
        assert search.value == "Liên Sơ"


async def test_sort_by_members_and_name(tmp_path: Path) -> None:
    app = create_app(tmp_path / "ccb.json", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_units(pilot)
        await pilot.press("o")  # name
        await pilot.pause()
        assert names(app) == ["Xã Ea R'Bin", "Xã Krông Nô", "Thị trấn Liên Sơn", "Xã Nam Ka"]
        await pilot.press("o", "o")  # branches, then members
        await pilot.pause()
        assert column(app, "members") == ["100", "108", "110", "120"]
        assert "▲" in str(app.screen.query_one("#units-table", DataTable).columns["members"].label)
        await pilot.press("O")
        await pilot.pause()
        assert column(app, "members") == ["120", "110", "108", "100"]
        # Loans: Ea R'Bin did not report and stays last both ways.
        await pilot.press("o", "o", "o")
        await pilot.pause()
        assert app.screen.sort_column == "loans"
        assert column(app, "loans") == ["2,03 tỷ", "2,2 tỷ", "2,5 tỷ", "chưa BC"]
        await pilot.press("O")
        await pilot.pause()
        assert column(app, "loans") == ["2,5 tỷ", "2,2 tỷ", "2,03 tỷ", "chưa BC"]
        await pilot.press("o")  # back to the report's order
        await pilot.pause()
        assert app.screen.sort_column is None
        assert names(app)[0] == "Xã Krông Nô"


async def test_name_sort_follows_the_vietnamese_alphabet(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    store = Store(path)
    store.rename_unit("nam_ka", "Xã Đắk Liêng")
    store.rename_unit("lien_son", "Xã Dur Kmăl")
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_units(pilot)
        await pilot.press("o")
        await pilot.pause()
        # Đ comes after D and before E (a plain code-point sort puts it after K).
        assert names(app) == ["Xã Dur Kmăl", "Xã Đắk Liêng", "Xã Ea R'Bin", "Xã Krông Nô"]
        await pilot.press("O")
        await pilot.pause()
        assert names(app) == ["Xã Krông Nô", "Xã Ea R'Bin", "Xã Đắk Liêng", "Xã Dur Kmăl"]
        # Search folds đ to d.
        await pilot.press("slash", "d", "a", "k")
        await pilot.pause()
        assert names(app) == ["Xã Đắk Liêng"]


async def test_sort_keeps_the_cursor_on_the_unit(tmp_path: Path) -> None:
    app = create_app(tmp_path / "ccb.json", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_units(pilot)
        await pilot.press("down", "down")  # Ea R'Bin
        assert app.screen.selected_unit() == "ea_rbin"
        await pilot.press("o")
        await pilot.pause()
        assert app.screen.selected_unit() == "ea_rbin"
        assert app.screen.query_one("#units-table", DataTable).cursor_row == 0


async def test_detail_shows_not_reported_and_goes_back(tmp_path: Path) -> None:
    app = create_app(tmp_path / "ccb.json", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_units(pilot)
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, UnitDetailScreen) and screen.unit_code == "ea_rbin"
        table = screen.query_one("#detail-table", DataTable)
        loans = [str(c) for c in table.get_row("loans")]
        assert loans[0] == "Dư nợ"
        assert loans[1] == "chưa báo cáo"
        assert loans[2].startswith("Chưa báo cáo") and "số liệu mẫu" in loans[2]
        members = [str(c) for c in table.get_row("members")]
        assert members[1] == "100" and members[2].startswith("Đã báo cáo")
        fund = [str(c) for c in table.get_row("fund")]
        assert fund[1] == "55 triệu đồng"
        new = [str(c) for c in table.get_row("new_members")]
        assert new[3] == "5" and new[4].startswith("✔ ĐẠT")  # progress in symbol and word
        assert "Xã Ea R'Bin" in str(screen.query_one("#detail-title", Static).render())
        assert len(table.columns) == 5  # no 2019 in the store: no previous-year column
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, UnitsScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, UnitDetailScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, UnitsScreen)
        await pilot.press("e")  # e on the list opens the detail too
        await pilot.pause()
        assert isinstance(app.screen, UnitDetailScreen)


async def test_previous_year_column_in_2021(tmp_path: Path) -> None:
    app = create_app(tmp_path / "ccb.json", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_units(pilot)
        await pilot.press("enter")
        await pilot.pause()
        table = app.screen.query_one("#detail-table", DataTable)
        assert len(table.columns) == 5
        await pilot.press("y")
        await pilot.pause()
        assert app.year == 2021
        table = app.screen.query_one("#detail-table", DataTable)
        # Below 110 columns the change from 2020 takes the place of the status and last year's
        # figure; those are shown under the table for the highlighted row.
        assert [str(c.label) for c in table.columns.values()][-1] == "So với 2020"
        members = [str(c) for c in table.get_row("members")]
        assert members[1] == "chưa báo cáo"
        assert members[2] == "125"  # 2021 target
        assert members[-1] == "chưa có số năm nay"  # not reported in 2021: no change, not -120
        table.move_cursor(row=table.get_row_index("members"))
        await pilot.pause()
        assert "2020: 120 → 2021: chưa BC" in screen_text(app)  # the 2020 figure, under the table
        assert "Chưa báo cáo" in screen_text(app)
        # The list follows the year as well.
        await pilot.press("b")
        await pilot.pause()
        assert column(app, "members") == ["chưa BC"] * 4


async def test_names_from_data_are_literal_and_clean(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    store = Store(path)
    store.rename_unit("krong_no", "[b]x[/] Smith [/]")
    store.rename_unit("nam_ka", "Xã \x1b[2JNam\x1b]52;c;ZXZpbA==\x07 Ka [@click=app.quit]")
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_units(pilot)
        shown = names(app)
        assert shown[0] == "[b]x[/] Smith [/]"
        assert shown[1] == "Xã Nam Ka [@click=app.quit]"
        text = screen_text(app)
        assert "\x1b" not in text and "\x07" not in text
        assert "[b]x[/] Smith [/]" in text
        await pilot.click("#units-table", offset=(4, 2))  # a click on the name runs no action in it
        await pilot.pause()
        assert app.is_running
        if isinstance(app.screen, UnitDetailScreen):  # a click on the highlighted row opens it
            assert app.screen.unit_code == "krong_no"
            await pilot.press("b")
            await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        title = str(app.screen.query_one("#detail-title", Static).render())
        assert title.startswith("Xã Nam Ka [@click=app.quit]")
        text = screen_text(app)
        assert "\x1b" not in text and "[@click=app.quit]" in text
        # Search by the literal text works too.
        await pilot.press("b", "slash", *"smith")
        await pilot.pause()
        assert names(app) == ["[b]x[/] Smith [/]"]


async def test_earlier_names_in_the_detail(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    Store(path).rename_unit("lien_son", "Thị trấn Liên Sơn Lắk", year=2021)
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_units(pilot)
        await pilot.press("y")
        await pilot.pause()
        assert names(app)[3] == "Thị trấn Liên Sơn Lắk"
        await pilot.press("slash", *keys("lien son lak"), "enter", "enter")
        await pilot.pause()
        title = str(app.screen.query_one("#detail-title", Static).render())
        assert title.startswith("Thị trấn Liên Sơn Lắk")
        assert "Thị trấn Liên Sơn (2020)" in title


async def test_read_only_hides_editing(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    Store(path)
    app = create_app(path, poll=False, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_units(pilot)
        actions = {b.binding.action for b in app.screen.active_bindings.values()}
        assert "rename" not in actions and "edit" not in actions
        assert "sort" in actions and "open" in actions
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, UnitsScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, UnitDetailScreen)
        actions = {b.binding.action for b in app.screen.active_bindings.values()}
        assert not actions & {"edit", "edit_target", "rename"}
        assert "back" in actions
        for key in ("e", "g", "r"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, UnitDetailScreen), key


async def test_edit_keys_open_the_dialogs(tmp_path: Path) -> None:
    from ccb_tui.ui.screens import edit

    app = create_app(tmp_path / "ccb.json", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_units(pilot)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, edit.RenameUnitDialog)
        app.pop_screen()
        await pilot.pause()
        await pilot.press("enter", "down")
        await pilot.pause()
        assert app.screen.selected_indicator() == "members"
        for key, dialog in (("e", edit.EditValueDialog), ("g", edit.EditTargetDialog),
                            ("r", edit.RenameUnitDialog)):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, dialog), key
            app.pop_screen()
            await pilot.pause()
            assert isinstance(app.screen, UnitDetailScreen)


async def test_live_change_from_another_session(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_units(pilot)
        await pilot.press("slash", *"krong", "escape")
        await pilot.press("o", "o", "o")  # by members
        await pilot.pause()
        assert column(app, "members") == ["120"]
        Store(path).set_value("krong_no", "members", 2020, 130)
        app.check_store()
        await pilot.pause()
        assert column(app, "members") == ["130"]
        assert app.screen.query_one("#unit-search", Input).value == "krong"  # the search is kept
        assert app.screen.sort_column == "members"
        # The detail refreshes too.
        await pilot.press("enter")
        await pilot.pause()
        Store(path).set_value("krong_no", "members", 2020, 131)
        app.check_store()
        await pilot.pause()
        table = app.screen.query_one("#detail-table", DataTable)
        row = [str(c) for c in table.get_row("members")]
        assert row[1] == "131" and row[2] == "Đã báo cáo"  # an edited figure is no longer sample data


async def test_english(tmp_path: Path) -> None:
    app = create_app(tmp_path / "ccb.json", poll=False, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await open_units(pilot)
        table = app.screen.query_one("#units-table", DataTable)
        assert [str(c.label) for c in table.columns.values()] == [
            "Unit", "Branches", "Members", "New members", "Fund", "Loans"]
        assert column(app, "loans")[2] == "n/r"
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        row = [str(c) for c in app.screen.query_one("#detail-table", DataTable).get_row("loans")]
        assert row[1] == "not reported"


async def test_clicking_a_header_sorts(tmp_path: Path) -> None:
    app = create_app(tmp_path / "ccb.json", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_units(pilot)
        table = app.screen.query_one("#units-table", DataTable)
        x = 1 + sum(c.get_render_width(table) for c in list(table.columns.values())[:2]) + 3
        await pilot.click("#units-table", offset=(x, 1))  # the "Hội viên" header
        await pilot.pause()
        assert app.screen.sort_column == "members"
        assert column(app, "members") == ["100", "108", "110", "120"]
        await pilot.click("#units-table", offset=(x, 1))
        await pilot.pause()
        assert column(app, "members") == ["120", "110", "108", "100"]
