"""A unit's history through the years (``core.domain.trends``), on the bundled data with more
years entered through the store: not reported kept apart from zero, qualifiers kept, years in
order, and every change the same object ``compare`` computes."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccb_tui.core.domain import compare, totals, trends
from ccb_tui.core.domain.indicators import CATALOGUE
from ccb_tui.core.domain.models import Qualifier
from ccb_tui.core.store import Store

UNITS = ["krong_no", "nam_ka", "ea_rbin", "lien_son"]


@pytest.fixture
def years(db_path: Path) -> Store:
    """The seed (2020) plus 2021 and 2023 figures; 2022 is open but Nam Ka reports nothing then.

    members: Krông Nô 120 → 125 → 0 → 131; Nam Ka 110 → 0 → (none) → 104;
    Ea R'Bin 100 → (none) → 101 → 102. Krông Nô's 2021 loans are "trên 7 tỷ".
    """
    s = Store(db_path, user="tester")
    s.set_value("krong_no", "members", 2021, 125)
    s.set_value("nam_ka", "members", 2021, 0)
    s.set_value("krong_no", "loans", 2021, 7_000_000_000, qualifier=Qualifier.OVER)
    s.open_year(2022)
    s.set_value("krong_no", "members", 2022, 0)
    s.set_value("ea_rbin", "members", 2022, 101)
    s.open_year(2023)
    s.set_value("krong_no", "members", 2023, 131)
    s.set_value("nam_ka", "members", 2023, 104)
    s.set_value("ea_rbin", "members", 2023, 102)
    return s


def values(points: list[trends.HistoryPoint]) -> list[object]:
    return [p.value for p in points]


def test_every_year_of_the_store_in_order(years: Store) -> None:
    snap = years.snapshot()
    points = trends.unit_history(snap, "krong_no", "members")
    assert [p.year for p in points] == snap.years() == [2020, 2021, 2022, 2023]
    assert values(points) == [120, 125, 0, 131]


def test_not_reported_is_kept_apart_from_zero(years: Store) -> None:
    snap = years.snapshot()
    nam_ka = trends.unit_history(snap, "nam_ka", "members")
    assert values(nam_ka) == [110, 0, None, 104]
    assert [p.reported for p in nam_ka] == [True, True, False, True]
    ea = trends.unit_history(snap, "ea_rbin", "members")
    assert values(ea) == [100, None, 101, 102]
    # Ea R'Bin's 2020 loans were not reported in the seed: a gap, not a zero.
    assert trends.unit_history(snap, "ea_rbin", "loans")[0].value is None


def test_a_qualified_figure_is_approximate(years: Store) -> None:
    points = trends.unit_history(years.snapshot(), "krong_no", "loans")
    assert [(p.value, p.approximate) for p in points[:2]] == [(2_500_000_000, False), (7_000_000_000, True)]
    assert points[1].qualifier is Qualifier.OVER
    change = trends.change_from_previous(years.snapshot(), "krong_no", "loans", 2021)
    assert change.approximate and change.delta == 4_500_000_000


def test_a_year_before_the_unit_existed_is_a_gap(years: Store) -> None:
    years.add_unit("dak_nue", "Xã Đắk Nuê", year=2022)
    years.set_value("dak_nue", "members", 2022, 50)
    snap = years.snapshot()
    points = trends.unit_history(snap, "dak_nue", "members")
    assert [(p.year, p.value, p.active) for p in points] == [
        (2020, None, False), (2021, None, False), (2022, 50, True), (2023, None, True)]
    assert "dak_nue" in [u.code for u in trends.cluster_units(snap)]


def test_changes_from_the_previous_year(years: Store) -> None:
    snap = years.snapshot()
    c = trends.change_from_previous(snap, "krong_no", "members", 2023)
    assert (c.before, c.after, c.delta) == (0, 131, 131)
    assert c.percent is None  # from zero: no percent, but a change
    c = trends.change_from_previous(snap, "nam_ka", "members", 2023)
    assert (c.before, c.after, c.delta) == (None, 104, None)  # 2022 not reported: not computable
    c = trends.change_from_previous(snap, "nam_ka", "members", 2022)
    assert (c.before, c.after, c.delta) == (0, None, None)
    c = trends.change_from_previous(snap, "krong_no", "members", 2020)  # no 2019 in the store
    assert (c.before, c.after, c.delta) == (None, 120, None)


@pytest.mark.parametrize("year", [2021, 2022, 2023])
def test_the_same_change_as_compare(years: Store, year: int) -> None:
    """One truth: every unit's change from the previous year is exactly compare's."""
    snap = years.snapshot()
    cmp = compare.compare_summaries(totals.summarize(snap, year - 1), totals.summarize(snap, year))
    rows = {row.unit.code: row for row in cmp.units}
    for code in UNITS:
        for ind in CATALOGUE:
            assert trends.change_from_previous(snap, code, ind.code, year) == rows[code].values[ind.code]


def test_previous_comparison_is_compares(years: Store) -> None:
    snap = years.snapshot()
    assert trends.previous_comparison(snap, totals.summarize(snap, 2020)) is None  # no 2019
    got = trends.previous_comparison(snap, totals.summarize(snap, 2021))
    assert got is not None
    assert got.totals == compare.compare(snap, 2020, 2021).totals
    members = got.totals["members"]
    # Ea R'Bin and Liên Sơn did not report 2021 members: like for like over 2 of 4 units.
    assert (members.units_counted, members.units_total) == (("krong_no", "nam_ka"), 4)
    assert (members.change.before, members.change.after, members.change.delta) == (230, 125, -105)


def test_an_unknown_indicator_is_an_error(years: Store) -> None:
    with pytest.raises(KeyError):
        trends.unit_history(years.snapshot(), "krong_no", "nope")


def test_changes_in_words() -> None:
    """The one formatter of a change (unit detail, dashboard, compare): the direction in text."""
    from ccb_tui.core.domain.indicators import BY_CODE
    from ccb_tui.core.report.change_text import show_change, show_point

    members, loans = BY_CODE["members"], BY_CODE["loans"]
    assert show_change(members, compare.change(members, 120, 125), "vi") == "▲ +5 (+4,2%)"
    assert show_change(members, compare.change(members, 110, 105), "vi") == "▼ -5 (-4,5%)"
    assert show_change(members, compare.change(members, 110, 110), "vi") == "= 0"
    assert show_change(members, compare.change(members, 0, 7), "vi") == "▲ +7"  # no percent from 0
    assert show_change(members, compare.change(members, None, 7), "vi") == "chưa có số năm trước"
    assert show_change(members, compare.change(members, 7, None), "en") == "no figure this year"
    c = compare.change(loans, 6_700_000_000, 7_100_000_000, before_qualifier=Qualifier.OVER)
    assert show_change(loans, c, "vi") == "≈ ▲ +0,4 tỷ (+6,0%)"
    assert show_change(loans, c, "en", percent=False) == "≈ ▲ +0.4 B ₫"
    point = trends.HistoryPoint(2021, 7_000_000_000, True, Qualifier.OVER)
    assert show_point(loans, point, "vi") == "trên 7 tỷ"
    assert show_point(loans, trends.HistoryPoint(2022, None), "vi") == "chưa BC"


def test_a_merged_units_past_is_its_predecessors_sum_and_they_are_not_drawn_again(db_path: Path) -> None:
    s = Store(db_path, user="tester")
    for code, n in zip(UNITS, (125, 108, 102, 106)):
        s.set_value(code, "members", 2021, n)
    s.open_year(2022)
    s.merge_units(["krong_no", "nam_ka"], into="krong_nam", name="Xã Krông Nam", year=2022)
    s.set_value("krong_nam", "members", 2022, 240)
    snap = s.snapshot()
    points = trends.unit_history(snap, "krong_nam", "members")
    # 2020 from the seed: Krông Nô 120 + Nam Ka 110; 2021: 125 + 108.
    assert values(points) == [230, 233, 240]
    assert [p.predecessors for p in points] == [("krong_no", "nam_ka"), ("krong_no", "nam_ka"), ()]
    # One line per unit, in stored order (the new unit last); Krông Nô and Nam Ka are its past.
    assert [u.code for u in trends.cluster_units(snap)] == ["ea_rbin", "lien_son", "krong_nam"]
    ch = trends.change_from_previous(snap, "krong_nam", "members", 2022)
    assert (ch.before, ch.after, ch.delta) == (233, 240, 7)


def test_a_unit_that_left_the_cluster_is_a_gap_on_its_chart_from_then(db_path: Path) -> None:
    s = Store(db_path, user="tester")
    s.add_cluster("cum4", "Cụm thi đua số 4")
    s.set_value("lien_son", "members", 2021, 100)
    s.open_year(2022)
    s.assign_unit("lien_son", "cum4", year=2022)
    s.set_value("lien_son", "members", 2022, 110, cluster="cum4")
    snap = s.snapshot()
    own = values(trends.unit_history(snap, "lien_son", "members"))
    assert own[1:] == [100, 110]
    # Cluster 3's chart: Liên Sơn up to 2021, a gap in 2022 (it is cluster 4's then).
    assert values(trends.cluster_history(snap, "lien_son", "members", "cum3")) == [*own[:2], None]
    # Cluster 4's chart: its own past before it moved in, as compare shows it.
    assert values(trends.cluster_history(snap, "lien_son", "members", "cum4")) == own
    assert "lien_son" in [u.code for u in trends.cluster_units(snap, "cum4")]
