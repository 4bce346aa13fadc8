"""Trend charts and the change from the previous year, read back from what is drawn.

* The trend chart is rendered to text (``chart_lines``, what ``render`` draws) for random units,
  years, figures and gaps at random sizes, and parsed: the legend names every unit with its
  symbol; the y-axis labels are evenly spaced round values in the interface's number style
  (money in tr./tỷ); each reported figure is its unit's symbol in its year's column on the row
  the labels give for its value; a year a unit did not report has nothing of that unit in its
  column (a gap, never a zero).
* In the running app (Pilot): ``v`` opens the screen, keys switch the indicator, a figure saved
  by another session shows up, and the rows drawn at 80×24 and 120×40 parse the same way.
* The unit detail's and the dashboard's ▲/▼ cells are compared with ``compare``'s own output,
  formatted by the one formatter: one truth.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from textual.geometry import Region
from textual.widgets import DataTable

from ccb_tui.core.domain import compare, trends
from ccb_tui.core.domain.fmt import parse_number
from ccb_tui.core.domain.indicators import BY_CODE, CATALOGUE
from ccb_tui.core.domain.models import Qualifier
from ccb_tui.core.report.change_text import show_change, show_total_change
from ccb_tui.core.store.store import Store
from ccb_tui.ui.app import create_app
from ccb_tui.ui.widgets.trends import COLORS, SYMBOLS, TrendChart, TrendLine

UNITS = ["krong_no", "nam_ka", "ea_rbin", "lien_son"]
NAMES = ["Krông Nô", "Nam Ka", "Ea R'Bin", "Liên Sơn"]
MONEY_WORDS = {"vi": {"tỷ": 10**9, "tr.": 10**6, "đồng": 1}, "en": {"B ₫": 10**9, "M ₫": 10**6, "₫": 1}}


# --- reading a chart back ---------------------------------------------------------------------

@dataclass
class Parsed:
    legend: dict[str, str]  # point symbol -> label
    ticks: dict[int, float]  # canvas row -> the value its label says
    canvas: list[str]  # the canvas rows, right of the axis
    years: dict[int, int]  # year -> canvas column (from the ┴ marks and the labels under them)


def label_value(text: str, lang: str) -> float:
    """A y-axis label back to a number: "2,5 tỷ" → 2.5e9, "1.500" → 1500."""
    for word, factor in MONEY_WORDS[lang].items():
        if text.endswith(" " + word):
            number = text[: -len(word) - 1]
            return float(Decimal(str(parse_number(number, lang))) * factor)
    return float(parse_number(text, lang))


def parse_chart(lines: list[str], width: int, height: int, n_units: int, lang: str) -> Parsed:
    assert len(lines) == height
    for line in lines:
        assert cell_len(line) == width, (line, width)
    legend: dict[str, str] = {}
    i = 0
    entry = re.compile(r"(\S)(\S)\1 (.+?)(?=   \S\S\S |$)")
    while i < len(lines) and "┤" not in lines[i]:
        for m in entry.finditer(lines[i].rstrip()):
            legend[m.group(2)] = m.group(3)
        i += 1
    assert len(legend) == n_units, f"legend {legend} for {n_units} units"
    axis_col = lines[i].index("┤")
    ticks: dict[int, float] = {}
    canvas: list[str] = []
    while "└" not in lines[i]:
        head, mark, rest = lines[i][:axis_col], lines[i][axis_col], lines[i][axis_col + 1:]
        assert mark in "┤│", lines[i]
        if mark == "┤":
            ticks[len(canvas)] = label_value(head.strip(), lang)
        else:
            assert head.strip() == ""
        canvas.append(rest)
        i += 1
    axis = lines[i][axis_col + 1:]
    labels = lines[i + 1][axis_col + 1:]
    years: dict[int, int] = {}
    for m in re.finditer(r"\d{4}", labels):
        # the ┴ of each year stands under its label (centred, or pushed in at the edges)
        centre = (m.start() + m.end() - 1) / 2
        mark = min((c for c, ch in enumerate(axis) if ch == "┴"), key=lambda c: abs(c - centre))
        assert abs(mark - centre) <= 2.5, (m.group(), axis, labels)
        years[int(m.group())] = mark
    assert axis.count("┴") == len(years)
    assert all(ln.strip() == "" for ln in lines[i + 2:])
    return Parsed(legend, ticks, canvas, years)


def check_chart(p: Parsed, years: list[int], lines: list[TrendLine], lang: str,
                shared: list[tuple[int, tuple[str, ...]]] | None = None) -> None:
    # The labels: evenly spaced round values, decreasing downwards, first and last rows labelled.
    rows = sorted(p.ticks)
    assert rows[0] == 0 and rows[-1] == len(p.canvas) - 1
    values = [p.ticks[r] for r in rows]
    assert all(a > b for a, b in zip(values, values[1:])), values
    steps = {round(a - b, 6) for a, b in zip(values, values[1:])}
    assert len(steps) == 1, f"uneven ticks {values}"
    high, low = values[0], values[-1]
    per_row = (high - low) / (len(p.canvas) - 1)
    assert sorted(p.years) == sorted(years)
    for line in lines:
        assert p.legend[line.symbol] == line.label
        mine = {line.symbol, line.stroke}
        for year, value in zip(years, line.values):
            x = p.years[year]
            column = [row[x] for row in p.canvas]
            if value is None:
                assert not mine & set(column), f"{line.label} {year}: drawn where it did not report"
                continue
            assert low - 1e-6 <= value <= high + 1e-6, (value, low, high)
            exact = (high - value) / per_row
            # A half row may go either way (give or take float noise: 7.500000000000001 is a half).
            near = {math.floor(exact + 0.5 + 1e-9), math.ceil(exact - 0.5 - 1e-9)}
            # Points are drawn last: the figure's cell shows its unit's symbol, or the symbol of
            # another unit whose figure falls on the same cell.
            found = [(r, p.canvas[r][x]) for r in near if p.canvas[r][x] == line.symbol]
            if not found:
                others = {o.symbol for o in lines for y2, v2 in zip(years, o.values)
                          if y2 == year and v2 is not None and abs((high - v2) / per_row - exact) <= 1}
                assert any(p.canvas[r][x] in others for r in near), (line.label, year, value, exact,
                                                                      [p.canvas[r] for r in near])
                if shared is not None:  # a hidden point is named in words under the chart
                    assert any(y == year and line.label in names for y, names in shared), (
                        line.label, year, shared)


def render(chart: TrendChart, width: int, height: int) -> list[str] | None:
    out = chart.chart_lines(width, height)
    return None if out is None else [line.plain for line in out]


# --- the property ---------------------------------------------------------------------------

count = st.one_of(st.none(), st.just(0), st.integers(0, 500), st.integers(0, 10**6))
money = st.one_of(st.none(), st.just(0), st.integers(0, 10**8), st.integers(10**8, 5 * 10**9),
                  st.sampled_from([61_600_000, 2_500_000_000, 7 * 10**9]))
label_text = st.one_of(st.sampled_from(NAMES + ["Buôn Triết", "Đắk Nuê", "Ea"]),
                       st.text(alphabet="aăâbcdđeêghiklmnoôơuưxyĐÊ", min_size=1, max_size=12))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), lang=st.sampled_from(["vi", "en"]),
       indicator=st.sampled_from(["members", "fund", "loans"]),
       size=st.tuples(st.integers(40, 200), st.integers(10, 60)))
def test_trend_chart_reads_back(data: st.DataObject, lang: str, indicator: str, size: tuple[int, int]) -> None:
    n = data.draw(st.integers(1, 6), label="units")
    k = data.draw(st.integers(1, 6), label="years")
    years = list(range(2020, 2020 + k))
    labels = data.draw(st.lists(label_text, min_size=n, max_size=n, unique=True), label="labels")
    figure = money if indicator != "members" else count
    lines = [TrendLine(labels[i], SYMBOLS[i][0], COLORS[i], tuple(data.draw(
        st.lists(figure, min_size=k, max_size=k), label=f"values {i}")), SYMBOLS[i][1]) for i in range(n)]
    chart = TrendChart()
    chart.show(indicator, years, lines, lang)
    width, height = size
    out = render(chart, width, height)
    if out is None:
        return  # too small for this many legend rows or years: it says so instead
    if all(v is None for line in lines for v in line.values):
        assert any("chưa đơn vị nào" in ln or "no unit reported" in ln for ln in out)
        return
    check_chart(parse_chart(out, width, height, n, lang), years, lines, lang, chart.shared_cells(width, height))


def test_points_on_one_cell_are_named() -> None:
    """Krông Nô and Nam Ka both 110 in 2021: one cell, one symbol; shared_cells names both, and
    only there."""
    chart = TrendChart()
    lines = [TrendLine("Krông Nô", "●", 12, (120, 110), "•"), TrendLine("Nam Ka", "■", 9, (100, 110), "▪")]
    chart.show("members", [2020, 2021], lines, "vi")
    assert chart.shared_cells(60, 16) == [(2021, ("Krông Nô", "Nam Ka"))]
    p = parse_chart(render(chart, 60, 16), 60, 16, 2, "vi")
    check_chart(p, [2020, 2021], lines, "vi", chart.shared_cells(60, 16))


def test_a_gap_is_not_a_zero() -> None:
    """Hand-made: Nam Ka reports 0 in 2021 and nothing in 2022; its 2021 point sits on the 0
    row, its 2022 column is empty; Krông Nô's line runs on."""
    chart = TrendChart()
    lines = [TrendLine("Krông Nô", "●", 12, (120, 125, 130), "•"),
             TrendLine("Nam Ka", "■", 9, (110, 0, None), "▪")]
    chart.show("members", [2020, 2021, 2022], lines, "vi")
    out = render(chart, 60, 16)
    assert out is not None
    p = parse_chart(out, 60, 16, 2, "vi")
    check_chart(p, [2020, 2021, 2022], lines, "vi")
    zero_row = max(p.ticks)
    assert p.ticks[zero_row] == 0 and p.canvas[zero_row][p.years[2021]] == "■"
    assert "■" not in "".join(row[p.years[2022]] for row in p.canvas)
    assert any(row[p.years[2022]] == "●" for row in p.canvas)


def test_money_axis_in_ty() -> None:
    chart = TrendChart()
    chart.show("loans", [2020, 2021], [TrendLine("Krông Nô", "●", 12, (2_500_000_000, 2_700_000_000), "•")], "vi")
    out = render(chart, 60, 14)
    assert out is not None
    labels = [ln.split("┤")[0].strip() for ln in out if "┤" in ln]
    assert labels and all(label.endswith(" tỷ") for label in labels)
    assert "2,5 tỷ" in labels  # Vietnamese decimal comma
    assert chart.title() == "Dư nợ (tỷ đồng)"


# --- the screen in the app --------------------------------------------------------------------

def fill(path: Path) -> Store:
    """The seed (2020), 2021 figures (Ea R'Bin's members not reported, Liên Sơn's loans "trên 2,1
    tỷ"), and 2022 opened with Krông Nô's figures only."""
    s = Store(path, user="tester")
    for unit, members, fund, loans in (("krong_no", 125, 75_000_000, 2_700_000_000),
                                       ("nam_ka", 108, 60_500_000, 2_100_000_000),
                                       ("ea_rbin", None, 58_000_000, 1_200_000_000),
                                       ("lien_son", 112, 66_000_000, None)):
        if members is not None:
            s.set_value(unit, "members", 2021, members)
        s.set_value(unit, "fund", 2021, fund)
        if loans is not None:
            s.set_value(unit, "loans", 2021, loans)
    s.set_value("lien_son", "loans", 2021, 2_100_000_000, qualifier=Qualifier.OVER)
    s.set_value("nam_ka", "branches", 2021, 10)
    s.open_year(2022)
    s.set_value("krong_no", "members", 2022, 130)
    return s


def widget_lines(chart: TrendChart) -> list[str]:
    strips = chart.render_lines(Region(0, 0, chart.outer_size.width, chart.outer_size.height))
    return [strip.text[1:-1] for strip in strips][1:-1]  # inside the border


def expected_lines(snap, indicator: str) -> list[TrendLine]:  # noqa: ANN001
    return [TrendLine(name, SYMBOLS[i][0], COLORS[i],
                      tuple(p.value for p in trends.unit_history(snap, code, indicator)), SYMBOLS[i][1])
            for i, (code, name) in enumerate(zip(UNITS, NAMES))]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_trends_screen(tmp_path: Path, size: tuple[int, int]) -> None:
    path = tmp_path / "ccb.json"
    store = fill(path)
    app = create_app(path, poll=False)
    async with app.run_test(size=size) as pilot:
        await pilot.press("v")
        await pilot.pause()
        chart = app.screen.query_one(TrendChart)
        years = app.snap.years()
        assert years == [2020, 2021, 2022]
        for keys, indicator, title in ((), "members", "Hội viên (hội viên)"),  \
                (("n",), "fund", "Quỹ hội (triệu đồng)"), (("3",), "loans", "Dư nợ (tỷ đồng)"), \
                (("p", "p"), "members", "Hội viên (hội viên)"):
            await pilot.press(*keys)
            await pilot.pause()
            assert chart.indicator == indicator and str(chart.border_title) == title
            width, height = chart.size
            p = parse_chart(widget_lines(chart), width, height, 4, "vi")
            check_chart(p, years, expected_lines(app.snap, indicator), "vi")
        assert width >= (110 if size[0] == 120 else 70) and height >= (30 if size[1] == 40 else 15)
        # Ea R'Bin did not report 2021 members: its column there has nothing of it.
        assert not {"◆", "⋄"} & {row[p.years[2021]] for row in p.canvas}
        # A figure entered meanwhile (another session) shows after the reload.
        store.set_value("ea_rbin", "members", 2021, 103)
        app.reload()
        await pilot.pause()
        p = parse_chart(widget_lines(chart), width, height, 4, "vi")
        check_chart(p, years, expected_lines(app.snap, "members"), "vi")
        assert "◆" in {row[p.years[2021]] for row in p.canvas}
        await pilot.press("b")
        await pilot.pause()
        assert not app.screen.query(TrendChart)


# --- ▲/▼: the unit detail and the dashboard against compare -------------------------------------

async def test_unit_detail_changes_are_compares(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    fill(path)
    app = create_app(path, poll=False, year=2021)
    async with app.run_test(size=(80, 24)) as pilot:
        cmp = compare.compare(app.snap, 2020, 2021)
        for i, code in enumerate(UNITS):
            await pilot.press("u")
            await pilot.pause()
            table = app.screen.query_one("#units-table", DataTable)
            table.move_cursor(row=i)
            await pilot.press("enter")
            await pilot.pause()
            detail = app.screen.query_one("#detail-table", DataTable)
            keys = [c.key.value for c in detail.columns.values()]
            assert keys[-1] == "change" and "status" not in keys  # 80 columns: the change replaces it
            row = next(r for r in cmp.units if r.unit.code == code)
            for ind in CATALOGUE:
                shown = detail.get_cell(ind.code, "change").plain
                assert shown == show_change(ind, row.values[ind.code], "vi")
            if code == "krong_no":
                # From 110 columns the status and last year's figure stand beside the change.
                await pilot.resize_terminal(120, 40)
                await pilot.pause()
                keys = [c.key.value for c in detail.columns.values()]
                assert keys[-3:] == ["progress", "prev", "change"] and "status" in keys
                assert detail.get_cell("members", "prev").plain == "120"
                assert detail.get_cell("members", "change").plain == show_change(
                    BY_CODE["members"], row.values["members"], "vi")
                await pilot.resize_terminal(80, 24)
                await pilot.pause()
                assert "status" not in [c.key.value for c in detail.columns.values()]
            await pilot.press("b")
            await pilot.pause()
        # Spot checks worked out by hand: 120 → 125 members; 100 → not reported; over 2,1 tỷ loans.
        kn = next(r for r in cmp.units if r.unit.code == "krong_no").values["members"]
        assert show_change(BY_CODE["members"], kn, "vi") == "▲ +5 (+4,2%)"
        ea = next(r for r in cmp.units if r.unit.code == "ea_rbin").values["members"]
        assert show_change(BY_CODE["members"], ea, "vi") == "chưa có số năm nay"
        ls = next(r for r in cmp.units if r.unit.code == "lien_son").values["loans"]
        assert show_change(BY_CODE["loans"], ls, "vi").startswith("≈ ▲ +")
        er = next(r for r in cmp.units if r.unit.code == "ea_rbin").values["loans"]
        assert show_change(BY_CODE["loans"], er, "vi") == "chưa có số năm trước"  # not reported in 2020


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_dashboard_changes_are_compares(tmp_path: Path, size: tuple[int, int]) -> None:
    path = tmp_path / "ccb.json"
    fill(path)
    app = create_app(path, poll=False, year=2021)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#totals", DataTable)
        cmp = compare.compare(app.snap, 2020, 2021)
        wide = size[0] >= 110
        for ind in CATALOGUE:
            t = cmp.totals[ind.code]
            shown = table.get_cell(ind.code, "change").plain
            assert shown == (show_total_change(ind, t, "vi", percent=wide) if t.change.computable else "—")
        members = table.get_cell("members", "change").plain
        # 2021 members: Ea R'Bin did not report, so 3 of 4 units like for like: 338 → 345.
        assert members == ("▲ +7 (+2,1%) (3/4)" if wide else "▲ +7 (3/4)")
        # The table still fits: no column beyond the screen at 80 columns.
        assert table.virtual_size.width <= table.size.width
        # 2020 has no year before it in the store: no change column, and the notes say so.
        await pilot.press("Y")
        await pilot.pause()
        assert "change" not in [c.key.value for c in table.columns.values()]
        notes = str(app.screen.query_one("#dash-notes").render())
        assert "chưa có số năm 2019" in notes


# --- snapshots ----------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_trends_snapshot(snap_compare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
                         size: tuple[int, int]) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.chdir(tmp_path)
    fill(Path("ccb.json"))
    assert snap_compare(create_app(Path("ccb.json"), poll=False), press=["v", "3"], terminal_size=size)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_dashboard_with_changes_snapshot(snap_compare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
                                         size: tuple[int, int]) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.chdir(tmp_path)
    fill(Path("ccb.json"))
    assert snap_compare(create_app(Path("ccb.json"), poll=False, year=2021), terminal_size=size)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_unit_detail_with_changes_snapshot(snap_compare, tmp_path: Path,  # noqa: ANN001
                                           monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.chdir(tmp_path)
    fill(Path("ccb.json"))
    assert snap_compare(create_app(Path("ccb.json"), poll=False, year=2021), press=["u", "enter"],
                        terminal_size=size)


async def test_the_trends_screen_in_english(tmp_path: Path) -> None:
    path = tmp_path / "ccb.json"
    fill(path)
    app = create_app(path, poll=False, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v", "2")
        await pilot.pause()
        chart = app.screen.query_one(TrendChart)
        assert str(chart.border_title) == "Fund (million VND)"
        width, height = chart.size
        p = parse_chart(widget_lines(chart), width, height, 4, "en")
        check_chart(p, app.snap.years(), expected_lines(app.snap, "fund"), "en")
        bar = str(app.screen.query_one("KeyBar").render())
        assert "Next indicator" in bar and "Chỉ tiêu" not in bar
