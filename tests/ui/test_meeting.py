"""The meeting screen: pages moved by ← → (wrapping), auto-advance, read-only, live updates."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import ContentSwitcher, DataTable, Digits, Static

from ccb_tui.core.domain.models import TaskState
from ccb_tui.core.store.store import Store
from ccb_tui.ui.app import create_app
from ccb_tui.ui.screens import meeting
from ccb_tui.ui.screens.base import EDIT_ACTIONS
from ccb_tui.ui.screens.dashboard import DashboardScreen
from ccb_tui.ui.screens.meeting import MeetingScreen

SIZE = (80, 24)


def meeting_app(path: Path, **kwargs: object):  # noqa: ANN201
    """A --meeting app on a store created from the seed (meeting mode is read-only: it never creates)."""
    Store(path)
    return create_app(path, meeting=True, poll=False, **kwargs)


def text_of(screen, selector: str) -> str:  # noqa: ANN001
    content = screen.query_one(selector, Static).content
    return getattr(content, "plain", str(content))


def digits(screen) -> dict[str, str]:  # noqa: ANN001
    return {d.id.removeprefix("digits-"): d.value for d in screen.query(Digits)}


def page(screen) -> str:  # noqa: ANN001
    """"Trang 2/4", without the auto-advance mark before it."""
    return text_of(screen, "#meet-page").split("  ")[-1]


async def test_meeting_opens_on_the_headline_figures(tmp_path: Path) -> None:
    app = meeting_app(tmp_path / "ccb.json")
    async with app.run_test(size=SIZE):
        screen = app.screen
        assert isinstance(screen, MeetingScreen)
        assert page(screen) == "Trang 1/4"
        assert digits(screen) == {"members": "438", "new_members": "24", "fund": "248,6", "loans": "6,73"}
        title = text_of(screen, "#meet-title")
        assert "Cụm thi đua số 3" in title and "2020" in title and "số liệu mẫu" in title
        assert "✔ khớp báo cáo" in text_of(screen, "#label-members")
        assert "Ea R'Bin chưa báo cáo" in text_of(screen, "#label-loans")  # not reported is not zero


async def test_arrows_move_through_the_pages_and_wrap(tmp_path: Path) -> None:
    app = meeting_app(tmp_path / "ccb.json")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        switcher = screen.query_one("#meet-pages", ContentSwitcher)
        for n, pane in ((2, "meet-plan"), (3, "meet-charts"), (4, "meet-tasks")):
            await pilot.press("right")
            assert page(screen) == f"Trang {n}/4"
            assert switcher.current == pane
        plan = screen.query_one("#meet-plan-table", DataTable)
        assert plan.row_count == 10
        matrix = screen.query_one("#meet-tasks-table", DataTable)
        assert matrix.row_count == 8
        assert "0/32 hoàn thành" in text_of(screen, "#meet-tasks-progress")
        await pilot.press("right")
        assert page(screen) == "Trang 1/4"  # wraps to the first page
        await pilot.press("left")
        assert page(screen) == "Trang 4/4"  # and back to the last
        await pilot.press("p", "p")
        assert page(screen) == "Trang 2/4"
        await pilot.press("n")
        assert page(screen) == "Trang 3/4"


async def test_auto_advance_runs_a_timer_only_while_on(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(meeting, "AUTO_SECONDS", 0.1)
    app = meeting_app(tmp_path / "ccb.json")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert screen.auto_timer is None
        await pilot.pause(0.3)
        assert page(screen) == "Trang 1/4"  # idle: nothing moves
        await pilot.press("a")
        assert screen.auto_timer is not None
        assert "tự chuyển" in text_of(screen, "#meet-page")
        seen = set()
        for _ in range(20):
            await pilot.pause(0.05)
            seen.add(page(screen))
        assert len(seen) > 1  # the pages moved on their own
        await pilot.press("a")
        assert screen.auto_timer is None
        shown = page(screen)
        await pilot.pause(0.3)
        assert page(screen) == shown


async def test_no_edit_keys_and_escape_does_not_leave_a_lone_meeting(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    app = meeting_app(path)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        for active in screen.active_bindings.values():
            assert not (active.enabled and active.binding.action in EDIT_ACTIONS), active.binding.action
        revision = Store(path).snapshot().revision
        await pilot.press("e", "x", "space", "z", "escape", "b", "m")
        assert app.screen is screen  # started with --meeting: only q leaves
        assert len(app.screen_stack) == 2
        assert Store(path).snapshot().revision == revision
        keys = {a.binding.action for a in screen.active_bindings.values()}
        assert "close" not in keys
        await pilot.press("q")
    assert app.return_code == 0


async def test_meeting_over_the_dashboard_closes_with_b_escape_or_m(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, DashboardScreen)
        for close in ("b", "escape", "m"):
            await pilot.press("m")
            assert isinstance(app.screen, MeetingScreen)
            await pilot.press(close)
            assert isinstance(app.screen, DashboardScreen)
        await pilot.press("m", "z")  # undo is not offered inside the meeting
        assert isinstance(app.screen, MeetingScreen)


async def test_live_change_updates_the_figure(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    app = meeting_app(path)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        other = Store(path, user="other")
        old = other.snapshot().reading("krong_no", "members", 2020)
        other.set_value("krong_no", "members", 2020, old.value + 10, expect=old)
        app.check_store()
        await pilot.pause()
        assert digits(screen)["members"] == "448"
        assert "⚠" in text_of(screen, "#label-members")  # no longer matches the reported 438
        await pilot.press("right", "right", "right")
        Store(path, user="other").set_task_status(1, "nam_ka", TaskState.DONE)
        app.check_store()
        await pilot.pause()
        assert "1/32 hoàn thành" in text_of(screen, "#meet-tasks-progress")
