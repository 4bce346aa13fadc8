"""The clusters overview (key k): one row per cluster with its units, main totals and coverage,
plan vs actual and ranking leader; Enter shows that cluster on every screen for this session only.
Pilot tests on the bundled store (one cluster) and on it plus cluster 4; SVG snapshots."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from ccb_tui.core.domain import scoring, totals
from ccb_tui.core.domain.indicators import BY_CODE
from ccb_tui.core.report.text import show_total
from ccb_tui.core.report.thidua import show_points
from ccb_tui.core.store.store import Store
from ccb_tui.ui.app import create_app
from ccb_tui.ui.screens.clusters import ClustersScreen
from ccb_tui.ui.screens.dashboard import DashboardScreen

SIZE = (80, 24)
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
FIGURES = {  # cluster 4's two units in 2020 and 2021 (money in đồng); Đắk Nang's 2020 loans not reported
    2020: {"ea_kiet": {"members": 120, "fund": 30_000_000, "loans": 1_200_000_000},
           "dak_nang": {"members": 80, "fund": 20_000_000}},
    2021: {"ea_kiet": {"members": 131}, "dak_nang": {"members": 86}},
}
POINTS = {"ea_kiet": {"TC1": 9, "TC2": 8}, "dak_nang": {"TC1": 10, "TC2": 9}}


def add_cluster_4(path: Path) -> None:
    """Cluster 4 with two new units, their figures and final points, beside the bundled cluster 3."""
    store = Store(path, user="tester")
    store.add_cluster("cum4", "Cụm thi đua số 4", name_en="Competition cluster No. 4")
    store.add_unit("ea_kiet", "Xã Ea Kiết", year=2020, cluster="cum4")
    store.add_unit("dak_nang", "Xã Đắk Nang", year=2020, cluster="cum4")
    for year, units in FIGURES.items():
        for unit, values in units.items():
            for ind, value in values.items():
                store.set_value(unit, ind, year, value)
    for unit, lines in POINTS.items():
        for line, p in lines.items():
            store.set_score(unit, line, 2020, "final", p)


@pytest.fixture
def seed_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    Store(Path("ccb.json"))
    return Path("ccb.json")


@pytest.fixture
def two_db(seed_db: Path) -> Path:
    add_cluster_4(seed_db)
    return seed_db


def static_text(screen, selector: str) -> str:  # noqa: ANN001
    content = screen.query_one(selector, Static).render()
    return getattr(content, "plain", str(content))


def rows(app) -> dict[str, list[str]]:  # noqa: ANN001
    table = app.screen.query_one("#clusters-table", DataTable)
    return {key.value: [str(c) for c in table.get_row(key)] for key in table.rows}


def expected_row(snap, code: str, year: int, lang: str = "vi") -> list[str]:  # noqa: ANN001
    """What the overview must show for a cluster, from the summary and ranking every view uses."""
    s = totals.summarize(snap, year, code)
    n = len(s.units)
    judged = [p for p in s.progress.values() if p.met is not None]
    met = sum(1 for p in judged if p.met)
    plan = "—" if not judged else f"{'✔' if met == len(judged) else '✘'} {met}/{len(judged)}"
    ranking = scoring.rank(snap, year, "final", code)
    firsts = [e for e in ranking.entries if e.rank == 1 and e.points > 0] if ranking else []
    if firsts:
        name = next(u.short_name(year) for u in s.units if u.code == firsts[0].code)
        leader = f"{name}{f' +{len(firsts) - 1}' if len(firsts) > 1 else ''} {show_points(firsts[0].points, lang)}"
    else:
        leader = "—"
    return [str(n), *(show_total(BY_CODE[i], s.totals[i], lang, units_total=n) for i in ("members", "fund", "loans")),
            plan, leader]


async def test_one_cluster_shows_one_row_and_changes_nothing(seed_db: Path) -> None:
    app = create_app(seed_db, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        title_before = static_text(app.screen, "#dash-title")
        await pilot.press("k")
        assert isinstance(app.screen, ClustersScreen)
        got = rows(app)
        assert list(got) == ["cum3"]
        assert got["cum3"][0] == "► Cụm số 3"
        assert got["cum3"][1:] == expected_row(app.snap, "cum3", 2020)
        assert got["cum3"][2] == "438"  # the article's members, as the dashboard shows them
        detail = static_text(app.screen, "#clusters-detail")
        assert "Cụm thi đua số 3 · Hội CCB huyện Lắk" in detail
        assert "Dư nợ: 6,73 tỷ (3/4) · chưa báo cáo: Ea R'Bin" in detail  # not reported is not zero
        await pilot.press("enter")
        assert isinstance(app.screen, DashboardScreen)
        assert static_text(app.screen, "#dash-title") == title_before


async def test_overview_puts_the_clusters_side_by_side(two_db: Path) -> None:
    app = create_app(two_db, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("k")
        got = rows(app)
        assert list(got) == ["cum3", "cum4"]
        assert got["cum3"][1:] == expected_row(app.snap, "cum3", 2020)
        assert got["cum4"][1:] == expected_row(app.snap, "cum4", 2020)
        members_4 = sum(v["members"] for v in FIGURES[2020].values())
        assert got["cum4"][:4] == ["  Cụm số 4", "2", str(members_4), "50 tr."]
        assert got["cum4"][4] == "1,2 tỷ (1/2)"  # Đắk Nang's loans not reported: said, not added as 0
        assert got["cum4"][6] == "Đắk Nang 19"  # 10 + 9 points, ahead of Ea Kiết's 17
        assert got["cum3"][2] == "438"  # cluster 3's figures are its own, unchanged
        await pilot.press("down")
        detail = static_text(app.screen, "#clusters-detail")
        assert "2 đơn vị: Ea Kiết, Đắk Nang" in detail
        assert "Xếp hạng: 1. Đắk Nang 19 · 2. Ea Kiết 17" in detail


async def test_enter_shows_the_cluster_everywhere_for_this_session_only(two_db: Path, sha) -> None:
    before = sha(two_db)
    app = create_app(two_db, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("k", "down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert app.snap.default_cluster() == "cum4"
        assert static_text(app.screen, "#dash-title").startswith("Cụm thi đua số 4  ·  Năm 2020")
        table = app.screen.query_one("#per-unit", DataTable)
        assert [str(c.label) for c in table.columns.values()][1:] == ["Ea Kiết", "Đắk Nang"]
        await pilot.press("u")
        assert app.screen.query_one("#units-table", DataTable).row_count == 2
        assert "Cụm thi đua số 4" in static_text(app.screen, "#units-title")
        await pilot.press("t")
        assert "Cụm thi đua số 4" in static_text(app.screen, "#tasks-title")
        await pilot.press("m")
        assert "Cụm thi đua số 4" in static_text(app.screen, "#meet-title")
        await pilot.press("k")
        assert rows(app)["cum4"][0] == "► Cụm số 4" and rows(app)["cum3"][0] == "  Cụm số 3"
    assert sha(two_db) == before  # the session's choice is not written
    assert Store(two_db).snapshot().default_cluster() == "cum3"


async def test_the_choice_survives_another_sessions_write(two_db: Path) -> None:
    app = create_app(two_db, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("k", "down", "enter")
        Store(two_db, user="lan").set_value("ea_kiet", "members", 2020, 125)
        app.reload()
        await pilot.pause()
        assert app.snap.default_cluster() == "cum4"
        members = str(125 + FIGURES[2020]["dak_nang"]["members"])
        assert [str(c) for c in app.screen.query_one("#totals", DataTable).get_row("members")][1] == members


async def test_year_and_language_keys_on_the_overview(two_db: Path) -> None:
    app = create_app(two_db, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("k", "y")
        assert app.year == 2021
        assert "Năm 2021" in static_text(app.screen, "#clusters-title")
        assert rows(app)["cum4"][2] == str(sum(v["members"] for v in FIGURES[2021].values()))
        await pilot.press("l")
        assert static_text(app.screen, "#clusters-title").startswith("Competition clusters")
        assert rows(app)["cum4"][0] == "  Cluster No. 4"
        await pilot.press("b")
        assert isinstance(app.screen, DashboardScreen)


WIDE = (120, 40)


def keybar(app) -> str:  # noqa: ANN001
    return static_text(app.screen, "KeyBar")


async def test_k_is_on_the_key_bar_only_with_several_clusters(seed_db: Path) -> None:
    app = create_app(seed_db, poll=False)
    async with app.run_test(size=WIDE) as pilot:
        bar = keybar(app)
        assert " v Xu hướng " in bar and " k " not in bar  # room enough: left out, not crowded out
        await pilot.press("k")  # one cluster: the key still opens the overview
        assert isinstance(app.screen, ClustersScreen)
        await pilot.press("b")
        add_cluster_4(seed_db)  # another session adds a cluster
        app.reload()
        await pilot.pause()
        assert " m Họp  k Các cụm  s Thi đua " in keybar(app)
        await pilot.press("l")
        await pilot.pause()
        assert " k Clusters " in keybar(app)
        await pilot.press("k")
        assert isinstance(app.screen, ClustersScreen) and list(rows(app)) == ["cum3", "cum4"]
        assert " k " not in keybar(app)  # already on the overview
        depth = len(app.screen_stack)
        await pilot.press("k")
        assert len(app.screen_stack) == depth  # not a second overview on top of the first


async def test_k_on_every_screen_with_several_clusters(two_db: Path) -> None:
    app = create_app(two_db, poll=False)
    async with app.run_test(size=WIDE) as pilot:
        for key in ("d", "u", "t"):
            await pilot.press(key)
            await pilot.pause()
            assert " k Các cụm " in keybar(app), key


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_two_clusters(snap_compare, two_db: Path, size: tuple[int, int]) -> None:  # noqa: ANN001
    assert snap_compare(create_app(two_db, poll=False), press=["k"], terminal_size=size)


def test_snapshot_one_cluster(snap_compare, seed_db: Path) -> None:  # noqa: ANN001
    assert snap_compare(create_app(seed_db, poll=False), press=["k"], terminal_size=SIZE)
