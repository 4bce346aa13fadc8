"""SVG snapshots of every screen at 80×24 and 120×40, on the seed data.

The store is created from the seed before the app starts (no "created" notification), the test
runs in its tmp folder and passes a relative path (no tmp path on screen), and the app does not
poll. Inputs do not blink. Update with ``pytest tests/ui/test_snapshots.py --snapshot-update``
only after looking at the new SVGs (the HTML report pytest-textual-snapshot writes on a failure
shows the old and new side by side).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from ccb_tui.core.domain.indicators import CATALOGUE
from ccb_tui.core.store.store import Store
from ccb_tui.ui.app import create_app

import thidua_sample

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
DB = Path("ccb.json")


@pytest.fixture(autouse=True)
def _colour(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default theme, whatever the terminal running the tests asks for (NO_COLOR is tested
    on its own)."""
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The seed store as ./ccb.json, the test's working folder being its tmp folder."""
    monkeypatch.chdir(tmp_path)
    Store(DB)
    return DB


async def open_members_form(pilot) -> None:  # noqa: ANN001
    """The edit form on Krông Nô · members (2020), its cursor steady."""
    table = pilot.app.screen.query_one("#per-unit", DataTable)
    table.focus()
    table.move_cursor(row=[i.code for i in CATALOGUE].index("members"), column=1, animate=False)
    await pilot.press("e")
    await pilot.pause()
    pilot.app.screen.query_one("#value", Input).cursor_blink = False


@pytest.mark.parametrize("size", SIZES)
def test_dashboard(snap_compare, db: Path, size: tuple[int, int]) -> None:  # noqa: ANN001
    assert snap_compare(create_app(db, poll=False), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_units_list(snap_compare, db: Path, size: tuple[int, int]) -> None:  # noqa: ANN001
    assert snap_compare(create_app(db, poll=False), press=["u"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_unit_detail(snap_compare, db: Path, size: tuple[int, int]) -> None:  # noqa: ANN001
    # Ea R'Bin: its loans are not reported, which the detail must say (not 0).
    assert snap_compare(create_app(db, poll=False), press=["u", "down", "down", "enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_tasks(snap_compare, db: Path, size: tuple[int, int]) -> None:  # noqa: ANN001
    assert snap_compare(create_app(db, poll=False), press=["t"], terminal_size=size)


@pytest.mark.parametrize("page", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("size", SIZES)
def test_meeting_page(snap_compare, db: Path, size: tuple[int, int], page: int) -> None:  # noqa: ANN001
    app = create_app(db, poll=False, meeting=True)
    assert snap_compare(app, press=["right"] * (page - 1), terminal_size=size)


@pytest.mark.parametrize("size", [*SIZES, pytest.param((100, 20), id="100x20")])
def test_meeting_ranking(snap_compare, db: Path, size: tuple[int, int],
                         monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    """The thi đua ranking page (the sample template and scores: a tie, an incomplete unit)."""
    thidua_sample.patch_store(monkeypatch)
    assert snap_compare(create_app(db, poll=False, meeting=True), press=["left"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, db: Path, size: tuple[int, int]) -> None:  # noqa: ANN001
    assert snap_compare(create_app(db, poll=False), press=["question_mark"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_edit_value_dialog(snap_compare, db: Path, size: tuple[int, int]) -> None:  # noqa: ANN001
    assert snap_compare(create_app(db, poll=False), run_before=open_members_form, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_thidua(snap_compare, db: Path, size: tuple[int, int]) -> None:  # noqa: ANN001
    # The bundled sample points table; the peer stage shows the sample's one disagreement (⚠).
    assert snap_compare(create_app(db, poll=False), press=["s", "v", "v"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_thidua_score_dialog(snap_compare, db: Path, size: tuple[int, int]) -> None:  # noqa: ANN001
    async def score(pilot) -> None:  # noqa: ANN001
        await pilot.press("s", "down", "right", "e")  # Nam Ka · TC2, a line with a rule
        await pilot.pause()
        for field in ("#points", "#note", "#evidence"):
            pilot.app.screen.query_one(field, Input).cursor_blink = False

    assert snap_compare(create_app(db, poll=False), run_before=score, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_conflict_dialog(snap_compare, db: Path, size: tuple[int, int]) -> None:  # noqa: ANN001
    async def conflict(pilot) -> None:  # noqa: ANN001
        await open_members_form(pilot)
        pilot.app.screen.query_one("#value", Input).value = "130"
        Store(db, user="lan").set_value("krong_no", "members", 2020, 125)  # another session, first
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(create_app(db, poll=False), run_before=conflict, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_store_error_screen(snap_compare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                            size: tuple[int, int]) -> None:  # noqa: ANN001
    monkeypatch.chdir(tmp_path)
    DB.write_text('{"meta": {"1": {"app": "ccb-tui", "schema": 1}}, "units": [', encoding="utf-8")
    assert snap_compare(create_app(DB, poll=False), terminal_size=size)


def test_too_small(snap_compare, db: Path) -> None:  # noqa: ANN001
    assert snap_compare(create_app(db, poll=False), terminal_size=(60, 20))
