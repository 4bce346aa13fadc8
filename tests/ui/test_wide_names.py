"""Unit names in CJK, emoji and stacked combining marks at 80×24: nothing spills over a border.

Labels are measured in terminal cells, not characters, and cut between glyphs: a cut between an
emoji and its variation selector leaves a one-cell symbol that many terminals draw two cells wide,
pushing the panel's right border out of line.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from ccb_tui.core.store import Store
from ccb_tui.core.domain.text import graphemes
from ccb_tui.ui.app import create_app

SIZE = (80, 24)
VS16 = "\ufe0f"
NAMES = {
    "krong_no": "Xã " + "北京" * 8,
    "nam_ka": "Xã " + "🎖️" * 12,
    "ea_rbin": "Xã " + "Ẫ̃̃̃" * 6 + " " + "Ẫ̃̃̃" * 8,
}


def screen_lines(app) -> list[str]:  # noqa: ANN001
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text(styles=False).splitlines()


def cells(line: str) -> dict[int, str]:
    """Each glyph of ``line`` by the terminal column it starts at."""
    out, col = {}, 0
    for g in graphemes(line):
        out[col] = g
        col += cell_len(g)
    return out


def check_screen(lines: list[str], where: str, whole_glyphs: bool = True) -> None:
    """Every line fits in 80 cells, no emoji lost its selector (``whole_glyphs``), and every
    rounded panel's side borders sit in the columns of its corners on every row."""
    assert len(lines) <= SIZE[1], where
    grid = [cells(line) for line in lines]
    for i, line in enumerate(lines):
        assert cell_len(line) <= SIZE[0], f"{where}, row {i}: {cell_len(line)} cells: {line!r}"
        for g in graphemes(line) if whole_glyphs else ():
            if g.startswith("🎖"):
                assert g == "🎖" + VS16, f"{where}, row {i}: an emoji cut from its selector: {line!r}"
    boxes = 0
    for r, row in enumerate(grid):
        for x, g in sorted(row.items()):
            if g != "╭":
                continue
            y = next((c for c, h in sorted(row.items()) if c > x and h == "╮"), None)
            assert y is not None, f"{where}, row {r}: a panel without its top right corner"
            for below in range(r + 1, len(grid)):
                if below == len(grid) - 1:  # the key bar: a panel scrolled on below the screen
                    boxes += 1
                    break
                left, right_ = grid[below].get(x), grid[below].get(y)
                if left == "╰":
                    assert right_ == "╯", f"{where}, row {below}: bottom corners out of line: {lines[below]!r}"
                    boxes += 1
                    break
                assert left == "│" and right_ == "│", \
                    f"{where}, row {below}: side borders not at columns {x} and {y}: {lines[below]!r}"
    assert boxes, f"{where}: no panel found"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "ccb.json"
    store = Store(path)
    for code, name in NAMES.items():
        store.rename_unit(code, name)
    return path


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_wide_names_stay_inside_the_panels(db: Path, lang: str) -> None:
    app = create_app(db, poll=False, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        check_screen(screen_lines(app), "dashboard")
        await pilot.press("c")  # the per-unit charts
        await pilot.pause()
        check_screen(screen_lines(app), "dashboard charts")
        await pilot.press("t")
        await pilot.pause()
        check_screen(screen_lines(app), "tasks")
        await pilot.press("right", "n")  # a unit's note dialog, its name in the heading
        await pilot.pause()
        # Textual crops the screen below a dialog by cells and may split an emoji there: only
        # our own labels are held to whole glyphs.
        check_screen(screen_lines(app), "note dialog", whole_glyphs=False)
        await pilot.press("escape", "u")
        await pilot.pause()
        check_screen(screen_lines(app), "units")
        await pilot.press("m")
        for page in range(4):
            await pilot.pause()
            check_screen(screen_lines(app), f"meeting page {page + 1}")
            await pilot.press("n")


def test_chart_labels_cut_between_glyphs() -> None:
    from ccb_tui.ui.widgets.charts import fit_cells
    from ccb_tui.ui.widgets.checklist import truncate
    for cut in (fit_cells("🎖️" * 10, 6), truncate("🎖️" * 10, 6)):
        assert cut == "🎖️🎖️…" and cell_len(cut) == 5
    assert fit_cells("北京北京", 6) == "北京…" and cell_len(fit_cells("北京北京", 6)) == 5
    assert fit_cells("Ẫ̃̃̃" * 8, 4) == "Ẫ̃̃̃" * 3 + "…"
