"""The charts read back: render a chart to text, parse it, and check it says what the data says.

Each case builds a year summary from random figures (1-8 units, long, Vietnamese and wide-character
names, zeros, slivers, huge values, units that did not report), feeds it to the chart widget the
screens use (``show``), renders it with ``chart_lines`` at a random size (the code ``render``
runs) and parses the text:

* every line is exactly the widget's width (in terminal cells) and there are exactly its height;
* a unit row is "<label> │<bar> <value>"; a row between units is "<blank> │<blank>"; the tick
  row starts with "└"; every other row is blank (so nothing is drawn on an unlabelled row);
* the labels come in the units' order, each the unit's name or a prefix of it ending in "…";
* a unit that did not report has no bar and says "chưa báo cáo" ("not reported");
* a reported unit's value text is its figure in the interface's number style;
* bar lengths are monotone in the values and proportional (±1 cell) to the longest bar;
* every bar is one row thick: a bar cell appears on no other row.

The sizes drawn cover the chart sizes the dashboard and the meeting give at terminals from 80×24
to 200×60; ``test_charts_in_the_app_read_back`` checks that claim by measuring the real widgets
in the running app at several terminal sizes, and parses what they actually rendered.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from textual.geometry import Region

from ccb_tui.core.domain.text import sanitize
from ccb_tui.core.domain.fmt import format_number
from ccb_tui.core.domain.models import Cluster, Reading, Snapshot, Status, Unit, UnitPeriod
from ccb_tui.core.store.store import Store
from ccb_tui.core.domain.totals import summarize
from ccb_tui.ui.app import create_app
from ccb_tui.ui.widgets.charts import MembersChart, MoneyChart, UnitChart

BAR = "█"
# The chart sizes drawn: the smallest a chart gets (the dashboard's money charts at 80×24, the
# meeting at 100×20) to the largest (the meeting's members chart at 200×60).
MIN_W, MAX_W, MIN_H, MAX_H = 34, 198, 4, 58
CLUSTERS = {"cum3": Cluster("cum3", "Cụm thi đua số 3", "Competition cluster No. 3")}
NAMES = ["Xã Krông Nô", "Xã Nam Ka", "Xã Ea R'Bin", "Thị trấn Liên Sơn", "Xã Đắk Nuê", "Ấp Ông Ích Khiêm",
         "Xã Buôn Triết Nguyễn Thị Minh Khai Mười Hai", "東京都 Liên Sơn", "Ea", "Yang Tao"]
NOT_REPORTED_TEXT = {"vi": "chưa báo cáo", "en": "not reported"}


# --- data ------------------------------------------------------------------------------------

name_text = st.one_of(
    st.sampled_from(NAMES),
    st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyAĂĐÊÔƠƯáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ '東",
            min_size=1, max_size=40).map(sanitize).filter(bool),  # as the store keeps a name
)
count = st.one_of(st.none(), st.just(0), st.just(1), st.integers(0, 500), st.integers(0, 10**7))
money = st.one_of(st.none(), st.just(0), st.just(1), st.integers(0, 10**8), st.integers(0, 5 * 10**9),
                  st.integers(0, 10**14), st.sampled_from([10**7, 10**8, 3 * 10**7, 8 * 10**7, 61_600_000]))
sizes = st.tuples(st.integers(MIN_W, MAX_W), st.integers(MIN_H, MAX_H))


def reading(value: int | None) -> Reading:
    return Reading(None, status=Status.NOT_REPORTED) if value is None else Reading(value)


def make_summary(names: list[str], figures: dict[str, list[int | None]]):  # noqa: ANN201
    """A 2020 summary of these units with these figures per indicator (None: not reported)."""
    units = tuple(Unit(f"u{i}", "xa", (UnitPeriod(2015, name, "cum3"),)) for i, name in enumerate(names))
    values = {(u.code, ind, 2020): reading(v) for ind, vs in figures.items() for u, v in zip(units, vs)
              if v is not None}
    snap = Snapshot(revision=1, clusters=CLUSTERS, units=units, values=values, targets={},
                    reported={}, tasks=())
    return summarize(snap, 2020, "cum3")


# --- reading the text back --------------------------------------------------------------------

@dataclass
class Row:
    label: str
    bar: int
    text: str


def parse(lines: list[str], width: int, height: int) -> list[Row]:
    """The unit rows of a rendered chart, checking its shape on the way (see the module doc)."""
    assert len(lines) == height
    rows: list[Row] = []
    axis_cells: set[int] = set()
    ticks = 0
    for line in lines:
        assert cell_len(line) == width, (line, width)
        cut = min((i for i in (line.find("│"), line.find("└")) if i >= 0), default=-1)
        if cut < 0:
            assert line.strip() == "", f"a row outside the chart's rows: {line!r}"
            continue
        head, axis, rest = line[:cut], line[cut], line[cut + 1:]
        axis_cells.add(cell_len(head))
        if axis == "└":
            ticks += 1
            assert head.strip() == "" and BAR not in rest
            continue
        label = head.rstrip()
        assert head.endswith(" "), "the label touches the axis"
        bar = len(rest) - len(rest.lstrip(BAR))
        after = rest[bar:]
        assert BAR not in after, f"a second bar on one row: {line!r}"
        if not label:
            assert rest.strip() == "", f"something drawn on an unlabelled row: {line!r}"
            continue
        if bar:
            assert after.startswith(" "), f"value glued to its bar: {line!r}"
        rows.append(Row(label, bar, after.strip()))
    assert len(axis_cells) <= 1, f"the axis moves between rows: {axis_cells}"
    assert ticks <= 1
    return rows


def render(chart: UnitChart, width: int, height: int) -> list[str] | None:
    lines = chart.chart_lines(width, height)
    return None if lines is None else [line.plain for line in lines]


def check(rows: list[Row], names: list[str], values: list[float | None], texts: list[str], lang: str) -> None:
    """The parsed rows against the data: order, labels, texts, bars."""
    assert len(rows) == len(names), "one labelled row per unit"
    for row, name, value, text in zip(rows, names, values, texts):
        assert row.label == name or (row.label.endswith("…") and name.startswith(row.label[:-1])), (row.label, name)
        if value is None:
            assert row.bar == 0 and row.text == NOT_REPORTED_TEXT[lang]
        else:
            assert row.text == text
            assert (row.bar > 0) == (value > 0), (row, value)
    shown = [(v, r.bar) for v, r in zip(values, rows) if v is not None]
    for v1, b1 in shown:
        for v2, b2 in shown:
            if v1 < v2:
                assert b1 <= b2, f"bars not monotone: {v1}->{b1}, {v2}->{b2}"
            if v1 == v2:
                assert b1 == b2
    if shown and max(v for v, _ in shown) > 0:
        top, longest = max(shown)
        for v, b in shown:
            assert abs(b - longest * v / top) <= 1, f"bar {b} for {v}, longest {longest} for {top}"


def short(name: str) -> str:
    for prefix in ("Thị trấn ", "Xã "):
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix):]
    return name


def fits(n: int, height: int) -> bool:
    """A chart needs one row per unit; below that it says it is too small (never a wrong bar)."""
    return height >= n


# --- the properties ---------------------------------------------------------------------------

@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), size=sizes, lang=st.sampled_from(["vi", "en"]))
def test_members_chart_reads_back(data: st.DataObject, size: tuple[int, int], lang: str) -> None:
    n = data.draw(st.integers(1, 8), label="units")
    names = data.draw(st.lists(name_text, min_size=n, max_size=n), label="names")
    members = data.draw(st.lists(count, min_size=n, max_size=n), label="members")
    new = data.draw(st.lists(count, min_size=n, max_size=n), label="new")
    chart = MembersChart()
    chart.show(make_summary(names, {"members": members, "new_members": new}), lang)
    width, height = size
    lines = render(chart, width, height)
    if not fits(n, height):
        assert lines is None
        return
    assert lines is not None
    texts = [format_number(m, lang=lang) + (f" (+{format_number(k, lang=lang)})" if k is not None else "")
             if m is not None else "" for m, k in zip(members, new)]
    check(parse(lines, width, height), [short(x) for x in names], members, texts, lang)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), size=sizes, lang=st.sampled_from(["vi", "en"]),
       indicator=st.sampled_from(["fund", "loans"]))
def test_money_chart_reads_back(data: st.DataObject, size: tuple[int, int], lang: str, indicator: str) -> None:
    n = data.draw(st.integers(1, 8), label="units")
    names = data.draw(st.lists(name_text, min_size=n, max_size=n), label="names")
    figures = data.draw(st.lists(money, min_size=n, max_size=n), label="đồng")
    chart = MoneyChart(indicator)
    chart.show(make_summary(names, {indicator: figures}), lang)
    width, height = size
    lines = render(chart, width, height)
    if not fits(n, height):
        assert lines is None
        return
    assert lines is not None
    # The oracle: tỷ đồng with 2 decimals when the largest is a billion or more, else triệu with 1.
    div, decimals = (10**9, 2) if max((v for v in figures if v is not None), default=0) >= 10**9 else (10**6, 1)
    texts = []
    for v in figures:
        if v is None:
            texts.append("")
        elif v > 0 and round(v / div, decimals) == 0:
            texts.append("< " + format_number(10 ** -decimals, decimals, lang))
        else:
            texts.append(format_number(round(v / div, decimals), lang=lang))
    values = [None if v is None else v / div for v in figures]
    assert chart.border_title is not None
    assert ("tỷ" if div == 10**9 else "triệu") in str(chart.border_title) or lang == "en"
    check(parse(lines, width, height), [short(x) for x in names], values, texts, lang)


# --- the same parse on the running app --------------------------------------------------------

REPRO = {"members": [50, 200, 80, 150], "fund": [10_000_000, 100_000_000, 30_000_000, 80_000_000]}
UNITS = ["krong_no", "nam_ka", "ea_rbin", "lien_son"]


def widget_lines(chart: UnitChart) -> list[str]:
    """What the widget put on screen, inside its border."""
    strips = chart.render_lines(Region(0, 0, chart.outer_size.width, chart.outer_size.height))
    lines = [strip.text for strip in strips][1:-1]  # the border's top and bottom
    return [line[1:-1] for line in lines]


@pytest.mark.parametrize("size", [(80, 24), (100, 20), (100, 30), (120, 40), (160, 50), (200, 60)],
                         ids=lambda s: f"{s[0]}x{s[1]}")
async def test_charts_in_the_app_read_back(tmp_path: Path, size: tuple[int, int]) -> None:
    path = tmp_path / "ccb.json"
    store = Store(path)
    for indicator, values in REPRO.items():
        for unit, value in zip(UNITS, values):
            store.set_value(unit, indicator, 2020, value)
    store.set_value("ea_rbin", "loans", 2020, None, reported=False)
    app = create_app(path, poll=False)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("c")  # the dashboard's per-unit panel shows the charts
        await pilot.pause()
        await pilot.press("m", "right", "right")  # the meeting's chart page
        await pilot.pause()
        for screen in (app.screen, app.screen_stack[-2]):
            for chart in screen.query(UnitChart):
                width, height = chart.size
                assert MIN_W <= width <= MAX_W and MIN_H <= height <= MAX_H, (screen, chart.id, chart.size)
                lines = widget_lines(chart)
                rows = parse(lines, width, height)
                names = ["Krông Nô", "Nam Ka", "Ea R'Bin", "Liên Sơn"]
                if isinstance(chart, MembersChart):
                    snap = app.snap
                    new = [snap.reading(u, "new_members", 2020).value for u in UNITS]
                    texts = [f"{m} (+{k})" for m, k in zip(REPRO["members"], new)]
                    check(rows, names, REPRO["members"], texts, "vi")
                elif chart.indicator == "fund":
                    check(rows, names, [v / 1e6 for v in REPRO["fund"]], ["10", "100", "30", "80"], "vi")
                else:
                    assert rows[2].bar == 0 and rows[2].text == "chưa báo cáo"  # Ea R'Bin's loans
