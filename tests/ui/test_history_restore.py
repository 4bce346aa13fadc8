"""The TUI side of the audit log and of backups: a unit's history, restoring a damaged store."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import DataTable, Static

from ccb_tui.core.store.store import Store
from ccb_tui.ui.app import create_app
from ccb_tui.ui.screens.error import StoreErrorScreen
from ccb_tui.ui.screens.history import HistoryScreen


def _cells(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_unit_history_lists_changes_from_cli_and_tui(db_path: Path) -> None:
    Store(db_path, user="alice").set_value("lien_son", "members", 2020, 112)
    Store(db_path, user="bob").set_value("krong_no", "members", 2020, 121)
    app = create_app(db_path, poll=False, user="carol")
    async with app.run_test(size=(100, 30)) as pilot:
        # a change made in the TUI itself
        app.save(lambda s: s.set_target("lien_son", "members", 2021, 115))
        await pilot.press("u")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        row = next(i for i in range(table.row_count) if "Liên Sơn" in str(table.get_row_at(i)[0]))
        table.move_cursor(row=row)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        rows = _cells(app.screen.query_one("#history-table", DataTable))
        assert [r[1] for r in rows] == ["carol", "alice"]  # newest first; bob's change is another unit
        assert rows[0][2] == "Thị trấn Liên Sơn · chỉ tiêu Số hội viên 2021: 112 → 115"
        assert rows[1][2] == "Thị trấn Liên Sơn · Số hội viên 2020: 108 → 112"
        await pilot.press("b")
        await pilot.pause()
        assert not isinstance(app.screen, HistoryScreen)


async def test_damaged_store_offers_the_newest_good_backup(db_path: Path) -> None:
    s = Store(db_path)
    s.set_value("krong_no", "members", 2020, 121)
    good = json.loads(db_path.read_bytes())
    s.backup()
    damaged = b'{"meta": {"1": {"app": "ccb-'
    db_path.write_bytes(damaged)
    app = create_app(db_path, poll=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StoreErrorScreen)
        message = str(app.screen.query_one("#error-message", Static).render())
        assert str(db_path) in message and "ccb-tui restore" in message
        assert db_path.read_bytes() == damaged  # opening never overwrites a damaged file
        await pilot.press("r")
        await pilot.pause()
        assert not isinstance(app.screen, StoreErrorScreen)
        assert app.snap is not None and app.snap.reading("krong_no", "members", 2020).value == 121
    restored = json.loads(db_path.read_bytes())
    assert restored["records"] == good["records"] and restored["tasks"] == good["tasks"]
    assert [p for p in db_path.parent.iterdir() if ".damaged-" in p.name]


async def test_read_only_never_restores(db_path: Path) -> None:
    Store(db_path).backup()
    db_path.write_bytes(b"not json")
    app = create_app(db_path, poll=False, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StoreErrorScreen)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, StoreErrorScreen)
    assert db_path.read_bytes() == b"not json"
