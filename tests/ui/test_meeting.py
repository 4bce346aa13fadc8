"""The meeting screen: pages moved by ← → (wrapping), auto-advance, read-only, live updates."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.widgets import ContentSwitcher, DataTable, Digits, Static

from ccb_tui.core.domain.models import TaskState
from ccb_tui.core.report import thidua as tdv
from ccb_tui.core.store.store import Store
from ccb_tui.ui.app import create_app
from ccb_tui.ui.screens import meeting
from ccb_tui.ui.screens.base import EDIT_ACTIONS
from ccb_tui.ui.screens.dashboard import DashboardScreen
from ccb_tui.ui.screens.meeting import MeetingScreen

import thidua_sample

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
    """"Trang 2/5", without the auto-advance mark before it."""
    return text_of(screen, "#meet-page").split("  ")[-1]


async def test_meeting_opens_on_the_headline_figures(tmp_path: Path) -> None:
    app = meeting_app(tmp_path / "ccb.json")
    async with app.run_test(size=SIZE):
        screen = app.screen
        assert isinstance(screen, MeetingScreen)
        assert page(screen) == "Trang 1/5"
        assert digits(screen) == {"members": "438", "new_members": "24", "fund": "248,6", "loans": "6,73"}
        title = text_of(screen, "#meet-title")
        assert "Cụm thi đua số 3" in title and "2020" in title and "số liệu mẫu" in title
        assert "✔ khớp báo cáo" in text_of(screen, "#label-members")
        assert "Ea R'Bin chưa báo cáo" in text_of(screen, "#label-loans")  # not reported is not zero


async def test_an_approximate_total_says_so_under_its_big_digits(tmp_path: Path) -> None:
    from ccb_tui.core.domain.models import Qualifier
    path = tmp_path / "ccb.json"
    store = Store(path)
    loans = store.snapshot().reading("nam_ka", "loans", 2020).value
    store.set_value("nam_ka", "loans", 2020, loans, qualifier=Qualifier.OVER)  # "trên …"
    app = meeting_app(path)
    async with app.run_test(size=SIZE):
        screen = app.screen
        assert digits(screen)["loans"] == "6,73"  # Digits cannot draw "≈"
        assert "≈ số gần đúng" in text_of(screen, "#label-loans")
        assert "≈" not in text_of(screen, "#label-members")


async def test_arrows_move_through_the_pages_and_wrap(tmp_path: Path) -> None:
    app = meeting_app(tmp_path / "ccb.json")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        switcher = screen.query_one("#meet-pages", ContentSwitcher)
        for n, pane in ((2, "meet-plan"), (3, "meet-charts"), (4, "meet-tasks"), (5, "meet-rank")):
            await pilot.press("right")
            assert page(screen) == f"Trang {n}/5"
            assert switcher.current == pane
        plan = screen.query_one("#meet-plan-table", DataTable)
        assert plan.row_count == 10
        matrix = screen.query_one("#meet-tasks-table", DataTable)
        assert matrix.row_count == 8
        assert "0/32 hoàn thành" in text_of(screen, "#meet-tasks-progress")
        await pilot.press("right")
        assert page(screen) == "Trang 1/5"  # wraps to the first page
        await pilot.press("left")
        assert page(screen) == "Trang 5/5"  # and back to the last
        await pilot.press("p", "p", "p")
        assert page(screen) == "Trang 2/5"
        await pilot.press("n")
        assert page(screen) == "Trang 3/5"


async def test_auto_advance_runs_a_timer_only_while_on(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(meeting, "AUTO_SECONDS", 0.1)
    app = meeting_app(tmp_path / "ccb.json")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert screen.auto_timer is None
        await pilot.pause(0.3)
        assert page(screen) == "Trang 1/5"  # idle: nothing moves
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


# --- the thi đua ranking page -----------------------------------------------------------------

async def _ranking_page(app, size=SIZE):  # noqa: ANN001, ANN202
    """The ranking page's title, board rows and notes as plain text."""
    async with app.run_test(size=size) as pilot:
        await pilot.press("left")  # the last page
        await pilot.pause()
        screen = app.screen
        assert page(screen) == f"{'Trang' if app.lang == 'vi' else 'Page'} 5/5"
        board = screen.query_one("#meet-rank-board")
        rows = [s.text for s in board.render_lines(board.region.reset_offset)] if board.display else []
        return text_of(screen, "#meet-rank-title"), rows, text_of(screen, "#meet-rank-notes")


async def test_ranking_page_shows_the_final_ranking(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    thidua_sample.patch_store(monkeypatch)
    title, rows, notes = await _ranking_page(meeting_app(tmp_path / "ccb.json"))
    assert "Xếp hạng thi đua năm 2020" in title and "huyện chấm" in title and "tối đa 90 điểm" in title
    body = [r for r in rows if any(name in r for name in ("Krông Nô", "Nam Ka", "Liên Sơn", "Ea R'Bin"))]
    assert len(body) == 4
    for row, (rank, unit, points, band) in zip(body, (("1", "Krông Nô", "84,75", "Xuất sắc"),
                                                      ("1", "Nam Ka", "84,75", "Xuất sắc"),
                                                      ("3", "Liên Sơn", "72,5", "Tiên tiến"),
                                                      ("4", "Ea R'Bin", "49", "Yếu"))):
        cells = [c.strip() for c in row.strip("│ ").split("│")]
        assert cells[:3] == [rank, unit, points] and band in cells, row
    assert "⚠ 3/12 dòng chưa chấm" in body[3]  # incomplete: a word and a symbol, not a colour
    assert "✔" in body[0]
    assert "Nam Ka · dòng 1.2: cụm thẩm định 8 → huyện chấm 10" in notes


async def test_ranking_page_falls_back_to_the_latest_scored_stage(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from ccb_tui.core.store.store import Store as S

    original = S.snapshot

    def no_final(self, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        snap = thidua_sample.with_thidua(original(self, *a, **k))
        return dataclasses.replace(snap, scores={k: v for k, v in snap.scores.items() if k[3] != "final"})

    monkeypatch.setattr(S, "snapshot", no_final)
    title, rows, _ = await _ranking_page(meeting_app(tmp_path / "ccb.json", lang="en"), (100, 20))
    assert "by the peer check" in title and "no district score yet" in title
    assert any("Krông Nô" in r and "84.75" in r for r in rows)


async def test_ranking_page_without_a_template_says_how_to_add_one(tmp_path: Path) -> None:
    Store(tmp_path / "ccb.json")
    thidua_sample.strip_store(tmp_path / "ccb.json")  # the bundled store has a sample points table
    title, rows, notes = await _ranking_page(meeting_app(tmp_path / "ccb.json"))
    assert "Năm 2020 chưa có bảng điểm thi đua." in title
    assert "ccb-tui score template --import TỆP" in notes
    assert rows == []


async def test_ranking_page_with_a_template_but_no_scores(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    thidua_sample.patch_store(monkeypatch, with_scores=False)
    title, rows, notes = await _ranking_page(meeting_app(tmp_path / "ccb.json"))
    assert "chưa có điểm chấm nào" in title and "12 dòng" in notes and rows == []


async def test_ranking_names_are_text_not_markup(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    path = tmp_path / "ccb.json"
    Store(path).rename_unit("nam_ka", "[b]Nam[/b] [@click=app.quit]Ka")
    thidua_sample.patch_store(monkeypatch)
    _, rows, _ = await _ranking_page(create_app(path, meeting=True, poll=False), (120, 40))
    assert any("[b]Nam[/b] [@click=app.quit]Ka"[:20] in r for r in rows)


LONG_NAME = "Ea R'Bin và Thị trấn Liên Sơn, sáp nhập theo Nghị quyết 1665"
"""60 characters (and cells), shown whole where there is room."""


@pytest.mark.parametrize("sample", [False, True])
async def test_a_long_unit_name_gives_way_and_every_rows_points_and_band_stay_whole(
        tmp_path: Path, monkeypatch, sample: bool) -> None:  # noqa: ANN001
    # 80×24, a 60-cell name: the name is cut with "…", never the rank, points, band or flag.
    path = tmp_path / "ccb.json"
    Store(path).rename_unit("ea_rbin", LONG_NAME)
    if sample:
        thidua_sample.patch_store(monkeypatch)  # with a "⚠ 3/12 dòng chưa chấm" row
    snap = Store(path).snapshot()
    td = tdv.thidua_view(snap, 2020)
    assert len(LONG_NAME) == cell_len(LONG_NAME) == 60 and td.unit_name("ea_rbin") == LONG_NAME
    assert td.ranking is not None
    _, rows, _ = await _ranking_page(meeting_app(path), SIZE)
    header = next(r for r in rows if "Đơn vị" in r)
    assert [c.strip() for c in header.strip("│ ").split("│")] == ["Hạng", "Đơn vị", "Điểm", "Xếp loại", "Chấm"]
    assert all(cell_len(r) <= SIZE[0] for r in rows)
    for e in td.ranking.entries:
        name = td.unit_name(e.code)
        row = next(r for r in rows if name[:8] in r)
        cells = [c.strip() for c in row.strip("│ ").split("│")]
        flag = f"⚠ {tdv.missing_text(e)}" if not e.complete else f"✔ đủ {e.total_lines} dòng"
        assert cells[0] == tdv.rank_text(e) and cells[2] == tdv.show_points(e.points), row
        assert cells[3] == e.band and cells[4] == flag, row
        assert cells[1] == name or (e.code == "ea_rbin" and cells[1].endswith("…") and name.startswith(cells[1][:-1]))
    assert any("…" in r for r in rows)  # the long name really was cut
