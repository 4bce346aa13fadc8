"""The thi đua screen: opened by ``s`` anywhere, the sheet's cells and marks, scoring a cell (the rule's
proposal, refusals, the conflict dialog, undo), the ranking panel, live updates, a year without a
points table. Expectations are computed from the store by the core (``scoring.rank``), never typed in."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from rich.cells import cell_len
from textual.widgets import DataTable, Input, Static

from ccb_tui.core.domain import scoring
from ccb_tui.core.report import thidua as tdv
from ccb_tui.core.store.store import Store
from ccb_tui.ui.app import create_app
from ccb_tui.ui.screens.dashboard import DashboardScreen
from ccb_tui.ui.screens.edit import ConflictDialog
from ccb_tui.ui.screens.thidua import EditScoreDialog, ThiduaScreen

import thidua_sample

SIZE = (80, 24)
WIDE = (120, 40)
YEAR = 2020


def text(widget) -> str:  # noqa: ANN001
    """What a Static shows, as plain text (a rich Table rendered to text)."""
    content = widget.render() if not isinstance(widget, Static) else widget.content
    if hasattr(content, "plain"):
        return content.plain
    from io import StringIO
    from rich.console import Console
    console = Console(width=120, file=StringIO(), color_system=None)
    console.print(content)
    return console.file.getvalue()


def ranking_text(app) -> str:  # noqa: ANN001
    return text(app.screen.query_one("#td-ranking", Static))


def cell(app, unit: str, line: str) -> str:  # noqa: ANN001
    sheet = app.screen.query_one("#td-sheet", DataTable)
    return str(sheet.get_cell(f"line:{line}", unit))


async def open_thidua(pilot) -> ThiduaScreen:  # noqa: ANN001
    await pilot.press("s")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ThiduaScreen)
    return pilot.app.screen


async def go_to(pilot, unit: str, line: str) -> None:  # noqa: ANN001
    sheet = pilot.app.screen.query_one("#td-sheet", DataTable)
    column = [c.key.value for c in sheet.columns.values()].index(unit)
    sheet.move_cursor(row=sheet.get_row_index(f"line:{line}"), column=column, animate=False)
    await pilot.pause()


async def type_points(pilot, value: str, note: str | None = None) -> None:  # noqa: ANN001
    dialog = pilot.app.screen
    assert isinstance(dialog, EditScoreDialog)
    dialog.query_one("#points", Input).value = value
    if note is not None:
        dialog.query_one("#note", Input).value = note
    await pilot.press("enter")
    await pilot.pause()


def stored(path: Path, unit: str, line: str, stage: str = "final") -> Decimal | None:
    s = Store(path).snapshot().scores.get((unit, line, YEAR, stage))
    return s.points if s else None


def expected_rows(path: Path, stage: str, lang: str = "vi") -> list[tuple[str, str, str]]:
    """(rank, unit, points) of the core's ranking, as the panel must show them."""
    snap = Store(path).snapshot()
    r = scoring.rank(snap, YEAR, stage)
    assert r is not None
    td = tdv.thidua_view(snap, YEAR)
    return [(str(e.rank), td.unit_name(e.code), tdv.show_points(e.points, lang)) for e in r.entries]


def panel_rows(app) -> list[tuple[str, str, str]]:  # noqa: ANN001
    rows = []
    for line in ranking_text(app).splitlines():
        parts = line.split()
        if parts and parts[0].isdigit():
            # rank, the unit's name (one or two words), points: the points are the first field with a digit
            idx = next(i for i, p in enumerate(parts[1:], 1) if any(ch.isdigit() for ch in p))
            rows.append((parts[0], " ".join(parts[1:idx]), parts[idx]))
    return rows


def a_plain_line(path: Path) -> scoring.Line:
    """The first line of the year's table without a rule."""
    template = Store(path).snapshot().templates[YEAR]
    return next(ln for ln in template.lines if ln.rule is None and ln.max_points > 0)


async def test_s_opens_the_screen_from_every_screen(tmp_path: Path) -> None:
    app = create_app(tmp_path / "ccb.json", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, DashboardScreen)
        screen = await open_thidua(pilot)
        assert "Thi đua năm 2020" in text(screen.query_one("#td-title", Static))
        for key in ("u", "t", "d"):
            await pilot.press(key, "s")
            await pilot.pause()
            assert isinstance(app.screen, ThiduaScreen), key
        # The units screen sorts with o now, and s still leaves it for the thi đua screen.
        await pilot.press("u", "o")
        await pilot.pause()
        assert app.screen.sort_column == "name"


async def test_the_sheet_and_the_ranking_come_from_the_store(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_thidua(pilot)
        snap = Store(path).snapshot()
        assert screen.stage == "final"  # the stage the views lead with when it has scores
        for ln in snap.templates[YEAR].lines:
            for u in ("krong_no", "ea_rbin"):
                assert cell(app, u, ln.code) == tdv.show_points(snap.scores[(u, ln.code, YEAR, "final")].points)
        assert panel_rows(app) == expected_rows(path, "final")
        legend = text(screen.query_one("#td-legend", Static))
        assert "○ chưa chấm" in legend and "⚠ lệch từ 1 điểm" in legend
        await pilot.press("v")  # final → self
        await pilot.pause()
        assert screen.stage == "self"
        assert "tự chấm" in ranking_text(app)
        assert panel_rows(app) == expected_rows(path, "self")
        await pilot.press("y")  # 2021: a points table, nothing scored yet
        await pilot.pause()
        assert app.year == 2021 and screen.stage == "self"
        assert cell(app, "krong_no", Store(path).snapshot().templates[2021].lines[0].code) == "○ chưa"
        assert "Chưa có điểm tự chấm nào" in ranking_text(app)
        await pilot.press("Y")  # back: the stage 2020's views lead with
        await pilot.pause()
        assert screen.stage == "final" and panel_rows(app) == expected_rows(path, "final")


async def test_unscored_and_disagreeing_cells_say_so_with_a_symbol_and_a_word(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    line = a_plain_line(path).code
    store = Store(path, user="lan")
    store.set_score("nam_ka", line, YEAR, "final", None)
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_thidua(pilot)
        assert cell(app, "nam_ka", line) == "○ chưa"
        assert "⚠ 1/12 dòng chưa chấm" in ranking_text(app)
        r = scoring.rank(Store(path).snapshot(), YEAR, "peer")
        assert r is not None and r.differences  # the sample has a self/peer disagreement
        d = r.differences[0]
        await pilot.press("v", "v")  # final → self → peer
        await pilot.pause()
        assert screen.stage == "peer"
        assert cell(app, d.unit, d.line) == f"⚠ {tdv.show_points(d.points_b)}"
        await go_to(pilot, d.unit, d.line)
        detail = text(screen.query_one("#td-detail", Static))
        gap = tdv.show_points(abs(d.points_a - d.points_b))
        assert f"lệch {gap}" in detail and "tự chấm" in detail and "cụm thẩm định" in detail


async def test_wide_screen_shows_the_three_stages_side_by_side(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    app = create_app(path, poll=False)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_thidua(pilot)
        assert screen.wide
        snap = Store(path).snapshot()
        line = snap.templates[YEAR].lines[0].code
        values = [tdv.show_points(snap.scores[("krong_no", line, YEAR, s)].points) for s in scoring.STAGES]
        assert cell(app, "krong_no", line).split() == values
        # The ranking and the commendations both show, and k (switch panel) is not offered.
        assert screen.query_one("#td-commend", Static).display and screen.query_one("#td-ranking", Static).display
        assert screen.check_action("panel", ()) is False


async def test_scoring_a_cell_changes_the_ranking_and_undo_restores_it(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    line = a_plain_line(path)
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_thidua(pilot)
        before_value = stored(path, "krong_no", line.code)
        before = expected_rows(path, "final")
        await go_to(pilot, "krong_no", line.code)
        await pilot.press("e")
        await pilot.pause()
        await type_points(pilot, "0,25", note="thiếu biên bản")
        assert isinstance(app.screen, ThiduaScreen)
        assert stored(path, "krong_no", line.code) == Decimal("0.25")
        after = expected_rows(path, "final")
        assert after != before
        assert panel_rows(app) == after
        # Far from the peer check's points now: marked as a disagreement.
        assert cell(app, "krong_no", line.code) == "⚠ 0,25"
        note = Store(path).snapshot().scores[("krong_no", line.code, YEAR, "final")].note
        assert note == "thiếu biên bản"
        await pilot.press("z")
        await pilot.pause()
        assert stored(path, "krong_no", line.code) == before_value
        assert panel_rows(app) == before


async def test_points_above_the_maximum_are_refused_and_nothing_is_written(tmp_path: Path, sha) -> None:  # noqa: ANN001
    path = tmp_path / "ccb.json"
    line = a_plain_line(path)
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_thidua(pilot)
        await go_to(pilot, "nam_ka", line.code)
        digest = sha(path)
        await pilot.press("e")
        await pilot.pause()
        too_much = tdv.show_points(line.max_points + Decimal("0.5"))
        await type_points(pilot, too_much)
        dialog = app.screen
        assert isinstance(dialog, EditScoreDialog)  # still open, the input kept
        message = text(dialog.query_one("#points-error", Static))
        assert f"{too_much} điểm vượt điểm tối đa của dòng {line.code}" in message
        assert dialog.query_one("#points", Input).value == too_much
        await type_points(pilot, "1,234")  # three decimals: refused in the form
        assert "không phải số điểm" in text(dialog.query_one("#points-error", Static))
        assert sha(path) == digest


async def test_a_rule_line_proposes_points_and_another_value_needs_a_reason(tmp_path: Path, sha) -> None:  # noqa: ANN001
    path = tmp_path / "ccb.json"
    snap = Store(path).snapshot()
    line = next(ln for ln in snap.templates[YEAR].lines if ln.rule is not None)
    Store(path).set_score("ea_rbin", line.code, YEAR, "self", None)
    proposal = scoring.propose(line, Store(path).snapshot(), "ea_rbin", YEAR)
    assert proposal is not None
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_thidua(pilot)
        await pilot.press("v")  # final → self
        await go_to(pilot, "ea_rbin", line.code)
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, EditScoreDialog)
        shown = text(dialog.query_one("#proposal", Static))
        assert tdv.show_points(proposal[0]) in shown and proposal[1].text("vi") in shown
        assert dialog.query_one("#points", Input).value == tdv.show_points(proposal[0])  # starts on it
        digest = sha(path)
        other = tdv.show_points(proposal[0] - 1)
        await type_points(pilot, other)  # overriding without a reason: refused
        assert "ghi lý do" in text(dialog.query_one("#note-error", Static))
        assert sha(path) == digest
        await type_points(pilot, other, note="chi hội báo cáo thiếu")
        assert stored(path, "ea_rbin", line.code, "self") == proposal[0] - 1
        # Other points again with the note kept from before: a new reason is asked for.
        await pilot.press("e")
        await pilot.pause()
        digest = sha(path)
        await type_points(pilot, tdv.show_points(proposal[0] - 2))
        assert "ghi lý do" in text(app.screen.query_one("#note-error", Static)) and sha(path) == digest
        await pilot.press("escape")
        await pilot.pause()
        # Confirming the proposal records the figures behind it as the evidence (Enter opens the form too).
        await pilot.press("enter")
        await pilot.pause()
        await pilot.click("#use-proposal")
        await pilot.press("enter")
        await pilot.pause()
        score = Store(path).snapshot().scores[("ea_rbin", line.code, YEAR, "self")]
        assert score.points == proposal[0] and proposal[1].text("vi") in score.evidence


async def test_another_sessions_score_shows_up_live(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    line = a_plain_line(path)
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_thidua(pilot)
        before = cell(app, "lien_son", line.code)
        Store(path, user="other").set_score("lien_son", line.code, YEAR, "final", "0.5")
        app.check_store()
        await pilot.pause()
        assert before != "⚠ 0,5" and cell(app, "lien_son", line.code) == "⚠ 0,5"  # and now off the peer check
        assert panel_rows(app) == expected_rows(path, "final")


async def test_a_stale_edit_opens_the_conflict_dialog(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    line = a_plain_line(path)
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_thidua(pilot)
        await go_to(pilot, "krong_no", line.code)
        await pilot.press("e")
        await pilot.pause()
        Store(path, user="lan").set_score("krong_no", line.code, YEAR, "final", 1)  # first, elsewhere
        await type_points(pilot, "2", note="x")
        assert isinstance(app.screen, ConflictDialog)
        assert stored(path, "krong_no", line.code) == 1  # theirs kept until I choose
        await pilot.press("t")  # keep mine
        await pilot.pause()
        assert stored(path, "krong_no", line.code) == 2
        assert isinstance(app.screen, ThiduaScreen)


async def test_a_year_without_a_points_table_says_how_to_add_one(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    Store(path)
    thidua_sample.strip_store(path)
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_thidua(pilot)
        detail = text(screen.query_one("#td-detail", Static))
        assert "Năm 2020 chưa có bảng điểm thi đua" in detail
        assert "ccb-tui score template --import TỆP --year 2020" in detail and "year open 2020" in detail
        assert not screen.query_one("#td-sheet", DataTable).display
        assert screen.check_action("edit", ()) is None


async def test_read_only_offers_no_scoring(tmp_path: Path, sha) -> None:  # noqa: ANN001
    path = tmp_path / "ccb.json"
    Store(path)
    digest = sha(path)
    app = create_app(path, poll=False, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_thidua(pilot)
        await pilot.press("e", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ThiduaScreen)
        assert "chỉ xem" in text(app.screen.query_one("#td-title", Static))
    assert sha(path) == digest


async def test_the_mark_is_on_the_stage_that_departs_from_the_one_before(tmp_path: Path) -> None:
    """Self 9,5 · peer 9,5 · district 8,25: only the district score differs (from the peer check),
    so only it carries ⚠, with a space and the stage it differs from; the peer cell has no mark."""
    path = tmp_path / "ccb.json"
    store = Store(path, user="lan")
    assert {store.snapshot().scores[("krong_no", "TC1", YEAR, s)].points for s in ("self", "peer")} == {Decimal("9.5")}
    store.set_score("krong_no", "TC1", YEAR, "final", "8.25")
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_thidua(pilot)
        assert screen.stage == "final"
        await go_to(pilot, "krong_no", "TC1")
        detail = text(screen.query_one("#td-detail", Static))
        assert "cụm thẩm định 9,5 · huyện chấm 8,25 ⚠ lệch 1,25 so với cụm" in detail, detail
        assert detail.count("⚠") == 1
        assert cell(app, "krong_no", "TC1") == "⚠ 8,25"
        await pilot.press("V")  # final → peer
        await pilot.pause()
        assert screen.stage == "peer" and cell(app, "krong_no", "TC1") == "9,5"
    async with create_app(path, poll=False).run_test(size=WIDE) as pilot:
        await open_thidua(pilot)
        shown = cell(pilot.app, "krong_no", "TC1")
        assert shown.split() == ["9,5", "9,5", "⚠8,25"], shown


def burst(app, *keys: str) -> None:  # noqa: ANN001
    """Keys as one read from a slow SSH link: all queued before the app handles the first."""
    from textual import events
    chars = {"enter": "\r", "ctrl+u": None, "tab": "\t", "space": " "}
    for k in keys:
        app.post_message(events.Key(k, chars.get(k, k)))


async def settle(pilot) -> None:  # noqa: ANN001
    from pilot_helpers import saves_done
    await pilot.pause(0.3)
    await saves_done(pilot)


async def test_keys_typed_ahead_of_the_score_dialog_reach_it(tmp_path: Path) -> None:
    """"e Ctrl+U 4 Enter" in one burst: the 4 is typed into the dialog and saved (it was dropped,
    and the emptied field cleared the score); "e Ctrl+U 12 Enter" is refused as over the maximum."""
    path = tmp_path / "ccb.json"
    Store(path, user="lan")
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_thidua(pilot)
        await go_to(pilot, "krong_no", "TC3")
        burst(app, "e", "ctrl+u", "4", "enter")
        await settle(pilot)
        assert app.screen is screen
        assert Store(path).snapshot().scores[("krong_no", "TC3", YEAR, "final")].points == 4
        burst(app, "e", "ctrl+u", "1", "2", "enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, EditScoreDialog)
        assert dialog.query_one("#points", Input).value == "12"
        assert "vượt điểm tối đa" in text(dialog.query_one("#points-error", Static))
        assert Store(path).snapshot().scores[("krong_no", "TC3", YEAR, "final")].points == 4


async def test_keys_typed_ahead_on_a_rule_line_are_the_score_not_the_proposal(tmp_path: Path, sha) -> None:  # noqa: ANN001
    """On a rule line (TC2 proposes 10 from the figures) "e Ctrl+U 7 Enter" in one burst types 7
    into the points field: Enter submits it (refused: other points than the proposal need a
    reason), it does not press the "use the proposal" button and save 10."""
    path = tmp_path / "ccb.json"
    Store(path, user="lan")
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_thidua(pilot)
        await go_to(pilot, "krong_no", "TC2")
        before = sha(path)
        burst(app, "e", "ctrl+u", "7", "enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, EditScoreDialog)
        assert dialog.query_one("#points", Input).value == "7"
        assert "lý do" in text(dialog.query_one("#note-error", Static))
        assert sha(path) == before


async def test_an_empty_points_field_never_clears_a_score(tmp_path: Path, sha) -> None:  # noqa: ANN001
    """Empty + Enter is refused with a message naming the Xóa điểm button; the button (showing the
    points it clears) is the one way to clear."""
    path = tmp_path / "ccb.json"
    Store(path, user="lan")
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_thidua(pilot)
        await go_to(pilot, "krong_no", "TC3")
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, EditScoreDialog)
        before = sha(path)
        await pilot.press("ctrl+u", "enter")
        await settle(pilot)
        assert app.screen is dialog and sha(path) == before
        assert "Xóa điểm" in text(dialog.query_one("#points-error", Static))
        from textual.widgets import Button
        button = dialog.query_one("#clear-score", Button)
        assert str(button.label) == "Xóa điểm (đang là 5)"
        button.press()
        await settle(pilot)
        assert app.screen is screen
        assert ("krong_no", "TC3", YEAR, "final") not in Store(path).snapshot().scores
        await pilot.press("e")  # nothing stored now: no clear button
        await pilot.pause()
        assert not app.screen.query("#clear-score")


async def test_narrow_screen_title_keeps_the_sample_tag_and_c_names_its_target(tmp_path: Path) -> None:
    """At 80 columns in English the title drops its key hints and the cluster's long name before
    the [sample data] tag; the key bar's c names what c switches to; the title column takes the
    room the unit columns leave."""
    path = tmp_path / "ccb.json"
    Store(path, user="lan")
    app = create_app(path, poll=False, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_thidua(pilot)
        title = text(screen.query_one("#td-title", Static))
        assert title.endswith("[sample data]") and len(title) <= SIZE[0] - 2, title

        def c_key() -> str:
            return next(b.binding.description for k, b in screen.active_bindings.items() if k == "c")

        assert c_key() == "Khen thưởng" and screen.panel == "ranking"  # (shown translated)
        await pilot.press("c")
        await pilot.pause()
        assert c_key() == "Xếp hạng" and screen.panel == "commend"
        await pilot.press("c")
        await pilot.pause()
        assert c_key() == "Khen thưởng" and screen.panel == "ranking"
        sheet = screen.query_one("#td-sheet", DataTable)
        used = sum(c.get_render_width(sheet) for c in sheet.columns.values())
        assert used >= SIZE[0] - 6, used


LONG_NAME = "Ea R'Bin và Thị trấn Liên Sơn, sáp nhập theo Nghị quyết 1665"
"""60 characters (and cells)."""


async def test_a_long_unit_name_gives_way_in_the_ranking_panel(tmp_path: Path) -> None:
    # 80×24: the name is cut with "…" in cells; every row keeps its rank, full points, band and flag.
    path = tmp_path / "ccb.json"
    Store(path).rename_unit("ea_rbin", LONG_NAME)
    assert len(LONG_NAME) == cell_len(LONG_NAME) == 60
    snap = Store(path).snapshot()
    td = tdv.thidua_view(snap, YEAR)
    r = scoring.rank(snap, YEAR, "final")
    assert r is not None and td.unit_name("ea_rbin") == LONG_NAME
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_thidua(pilot)
        panel = app.screen.query_one("#td-ranking", Static)
        lines = [s.text.rstrip() for s in panel.render_lines(panel.region.reset_offset)]
        assert all(cell_len(ln) <= panel.region.width <= SIZE[0] for ln in lines)
        head = next(ln for ln in lines if "Đơn vị" in ln)
        assert head.split() == ["Hạng", "Đơn", "vị", "Điểm", "Xếp", "loại", "Chấm"]
        for e in r.entries:
            name = td.unit_name(e.code)
            row = next(ln for ln in lines if name[:8] in ln)
            flag = f"⚠ {tdv.missing_text(e)}" if not e.complete else f"✔ đủ {e.total_lines} dòng"
            tail = f"{tdv.show_points(e.points)}  {e.band:<9}  {flag}"
            assert row.lstrip().startswith(f"{tdv.rank_text(e)}  ") and row.endswith(tail), row
            shown = row.lstrip()[len(tdv.rank_text(e)):-len(tail)].strip()
            assert shown == name or (e.code == "ea_rbin" and shown.endswith("…")
                                     and name.startswith(shown[:-1])), row
        assert any(LONG_NAME[:20] in ln and "…" in ln for ln in lines)
