"""Editing from the dashboard: a figure, a target or a name saved through its form and shown in
the totals and charts, every bad input refused beside its field, and undo.

Assertions are on the store (what is on disk), on the messages the user sees (notifications and
the error lines beside fields) and on the widgets' data, not only on pixels. The seed store opens
on 2020, whose cluster totals the source gives (438 members, 24 new members, ...); per-unit
figures are sample data until edited.
"""

from __future__ import annotations

from pathlib import Path

from textual.message import Message
from textual.widgets import Checkbox, DataTable, Input, Select

from ccb_tui.core.domain.models import Qualifier
from ccb_tui.core.store.store import Store
from ccb_tui.ui.app import create_app
from ccb_tui.ui.screens.dashboard import DashboardScreen
from ccb_tui.ui.screens.edit import EditTargetDialog, EditValueDialog, RenameUnitDialog
from ccb_tui.ui.screens.units import UnitsScreen
from ccb_tui.ui.widgets.charts import MembersChart, MoneyChart

from dashboard_helpers import _colour  # noqa: F401 - autouse: the default theme
from dashboard_helpers import (
    ROW, SIZE, actions, cells, dialog_error, keybar, notes, open_cell, plotted, reading, seeded, static_text,
    type_value,
)


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


async def test_keys_typed_ahead_of_the_figure_dialog_reach_it(tmp_path: Path) -> None:
    """"e Ctrl+U 130 Enter" arriving in one read (a slow SSH link): every digit reaches the dialog."""
    from textual import events

    from pilot_helpers import saves_done
    path = seeded(tmp_path)
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "down", "right")  # the per-unit table, Krông Nô · members
        await pilot.pause()
        for key, char in (("e", "e"), ("ctrl+u", None), ("1", "1"), ("3", "3"), ("0", "0"), ("enter", "\r")):
            app.post_message(events.Key(key, char))
        await pilot.pause(0.3)
        await saves_done(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert reading(path, "krong_no", "members").value == 130
