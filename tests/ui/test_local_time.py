"""The history screen in the cluster's time zone, with the change ("old → new") visible at 80×24."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from ccb_tui.core.store.store import Store
from ccb_tui.ui.app import create_app
from ccb_tui.ui.screens.history import HistoryScreen

LATE = "2026-03-31T18:30:00+00:00"  # 01/04/2026 01:30 in Asia/Ho_Chi_Minh


def visible_lines(widget) -> list[str]:  # noqa: ANN001
    """What the widget shows on screen, line by line."""
    return [widget.render_line(y).text for y in range(widget.size.height)]


@pytest.fixture
def late_store(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import ccb_tui.core.store.figures as figures_mod
    import ccb_tui.core.store.store as store_mod
    for mod in (figures_mod, store_mod):  # the figures' own stamps and their log entries'
        monkeypatch.setattr(mod, "now_iso", lambda: LATE)
    s = Store(db_path, user="nguyen_van_a")
    s.set_value("krong_no", "members", 2020, 121)
    s.set_target("lien_son", "fund", 2021, 250_000_000)
    monkeypatch.undo()
    return db_path


async def test_history_in_local_time_with_the_change_visible_at_80(late_store: Path) -> None:
    app = create_app(late_store, poll=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(HistoryScreen())
        await pilot.pause()
        table = app.screen.query_one("#history-table", DataTable)
        rows = [[getattr(c, "plain", str(c)) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert [r[0] for r in rows] == ["01/04/26 01:30", "01/04/26 01:30"]
        title = app.screen.query_one("#history-title", Static).content
        assert "Asia/Ho_Chi_Minh" in str(title)
        shown = " ".join(" ".join(line.split()) for line in visible_lines(table))
        assert "18:30" not in shown
        # the ends of both changes are on screen, not cut off at the right edge
        assert "120 → 121" in shown
        assert "250 triệu đồng" in shown
        assert all(len(line) <= 80 for line in visible_lines(table))


async def test_task_detail_shows_local_time(late_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ccb_tui.core.store.store as store_mod
    import ccb_tui.core.store.tasks as tasks_mod
    for mod in (tasks_mod, store_mod):  # the task state's own stamp and its log entry's
        monkeypatch.setattr(mod, "now_iso", lambda: LATE)
    Store(late_store, user="bob").set_task_status(1, "krong_no", Store(late_store).snapshot().task(1)
                                                  .status("krong_no").state.next())
    monkeypatch.undo()
    app = create_app(late_store, poll=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        detail = app.screen.query_one("#tasks-detail", Static).content
        assert "(bob, 01/04/2026 01:30)" in str(detail)
