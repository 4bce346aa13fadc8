"""The dashboard's totals table fits 80 columns in English and Vietnamese: a year whose totals
leave out a unit (every cell says "(3/4)") with plans and the change from the year before was
wider than the panel in English and scrolled sideways. The cells tighten step by step (English
"BELOW", then a word unit dropped, then the status as its symbol) only when the full words do not
fit; the bundled year, which fits, keeps them."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from ccb_tui.core.domain import totals
from ccb_tui.core.domain.models import Qualifier
from ccb_tui.core.store.store import Store
from ccb_tui.ui.app import create_app

from dashboard_helpers import cells, seeded

FIGURES = {"branches": 9, "members": 112, "new_members": 6, "houses_removed": 0, "houses_built": 1,
           "fund": 64_000_000, "loans": 2_300_000_000, "workdays": 130, "land_m2": 420, "canal_km": 0.4}
"""2021, each unit: these plus its position (counts); Ea R'Bin reports no new members and no loans,
Nam Ka's loans are "trên" (over), and every unit has a new-members plan of 8."""


@pytest.fixture
def partial_2021(tmp_path: Path) -> Path:
    path = seeded(tmp_path)
    store = Store(path, user="tester")
    for i, unit in enumerate(("krong_no", "nam_ka", "ea_rbin", "lien_son")):
        for code, value in FIGURES.items():
            if unit == "ea_rbin" and code in ("new_members", "loans"):
                continue
            bump = i if isinstance(value, int) and value < 1000 else 0
            store.set_value(unit, code, 2021, value + bump,
                            qualifier=Qualifier.OVER if (unit, code) == ("nam_ka", "loans") else Qualifier.EXACT)
        store.set_target(unit, "new_members", 2021, 8)
    return path


def fits(table: DataTable) -> bool:
    """No sideways scrolling: the table's content is no wider than the room it has."""
    return table.virtual_size.width <= table.scrollable_content_region.width and not table.show_horizontal_scrollbar


@pytest.mark.parametrize("lang", ["en", "vi"])
async def test_totals_fit_80_columns(partial_2021: Path, lang: str) -> None:
    app = create_app(partial_2021, poll=False, lang=lang, year=2021)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#totals", DataTable)
        assert table.virtual_size.width > 60  # the table is laid out, with its five columns
        assert len(table.columns) == 5
        assert fits(table), (table.virtual_size.width, table.scrollable_content_region.width)
        summary = totals.summarize(app.snap, 2021)
        p = summary.progress["new_members"]
        assert p.met is False and p.partial  # the widest case: not met, over 3 of 4 units
        row = cells(app, "totals", "new_members")
        assert row[3] == f"✘ {round(p.percent)}% (3/4)"  # tightened: the symbol, the percent, the coverage
        assert row[1] == f"{summary.totals['new_members'].value} (3/4)"
        assert cells(app, "totals", "land_m2")[1].endswith(" m²")  # a symbol unit is never dropped
        await pilot.press("l")  # the other language, same width
        await pilot.pause()
        assert fits(table)


async def test_wide_terminal_keeps_the_words(partial_2021: Path) -> None:
    app = create_app(partial_2021, poll=False, lang="en", year=2021)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#totals", DataTable)
        assert fits(table)
        assert cells(app, "totals", "new_members")[3].startswith("✘ NOT MET ")
        assert cells(app, "totals", "workdays")[1].endswith(" workdays")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert fits(table)  # refilled for the new width (columns narrowed, not only the cells)
        assert cells(app, "totals", "new_members")[3].startswith("✘ ") and "NOT MET" not in cells(
            app, "totals", "new_members")[3]


async def test_bundled_year_keeps_its_full_words_at_80(tmp_path: Path) -> None:
    app = create_app(seeded(tmp_path), poll=False, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#totals", DataTable)
        assert fits(table)
        assert cells(app, "totals", "new_members")[3] == "✔ MET 109%"
        assert cells(app, "totals", "workdays")[1] == "480 workdays"
