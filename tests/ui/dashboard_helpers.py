"""What the dashboard tests share: the seeded store, the table positions, and reading back what
the screen, the forms and the store show."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import DataTable, Input, Static

from ccb_tui.core.domain.indicators import CATALOGUE
from ccb_tui.core.store.store import Store
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
