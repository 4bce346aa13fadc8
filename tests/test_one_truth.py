"""One truth, every view: random stores (figures, not-reported cells, targets for some units,
cluster targets, two years, either as the current year) are rendered by `summary --json`, the
Markdown report, the XLSX export, the dashboard and the meeting's plan page, and every view must
show the same totals, plan, percentages, coverage and year.

The JSON is also checked against a model computed here from the generated inputs, so the one
computation is itself right: the cluster's own target when there is one, else only the units
with both a target and a figure.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl import load_workbook
from textual.widgets import DataTable

from ccb_tui.cli import main
from ccb_tui.core.exchange import export as exchange
from ccb_tui.core.report import meeting as report, text as report_text
from ccb_tui.core.domain import totals
from ccb_tui.core.domain.indicators import BY_CODE, CATALOGUE
from ccb_tui.core.store.store import Store

UNITS = ("krong_no", "nam_ka", "ea_rbin", "lien_son")
INDICATORS = ("members", "branches", "new_members", "fund", "loans", "canal_km")
MD_UNESCAPE = re.compile(r"\\(.)")

_SEED_DIRS: dict[str, Path] = {}


def _value(ind: str):  # noqa: ANN202 - a strategy
    if ind == "fund":
        return st.integers(0, 900).map(lambda m: m * 1_000_000)
    if ind == "loans":
        return st.integers(0, 90).map(lambda c: c * 100_000_000)
    if ind == "canal_km":
        return st.integers(0, 50).map(lambda t: t / 10)
    if ind in ("new_members", "branches"):  # never above the fewest members (20): a branch has members
        return st.integers(0, 20)
    return st.integers(20, 300)


@st.composite
def stores(draw):  # noqa: ANN001, ANN201
    """(figures, unit targets, cluster targets, current year) to write into a seed store."""
    figures, targets, cluster = {}, {}, {}
    for year in (2020, 2021):
        for ind in INDICATORS:
            for unit in UNITS:
                if draw(st.booleans()):
                    figures[(unit, ind, year)] = draw(st.one_of(st.none(), _value(ind)))  # None: not reported
                if draw(st.integers(0, 3)) == 0:
                    targets[(unit, ind, year)] = draw(st.one_of(st.none(), _value(ind).filter(bool)))
            if draw(st.integers(0, 4)) == 0:
                cluster[(ind, year)] = draw(_value(ind).filter(bool))
    return figures, targets, cluster, draw(st.sampled_from((2020, 2021)))


def build(tmp: Path, case) -> tuple[Path, int]:  # noqa: ANN001
    figures, targets, cluster, current = case
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / "ccb.json"
    if "seed" not in _SEED_DIRS:
        seed = tmp.parent / "seed.json"
        Store(seed)
        _SEED_DIRS["seed"] = seed
    shutil.copyfile(_SEED_DIRS["seed"], path)
    store = Store(path, user="tester")
    for (unit, ind, year), v in figures.items():
        store.set_value(unit, ind, year, v, reported=v is not None)
    for (unit, ind, year), v in targets.items():
        store.set_target(unit, ind, year, v)
    for (ind, year), v in cluster.items():
        store.set_cluster_target("cum3", ind, year, v)
    if store.snapshot().current_year() != current:
        store.set_setting("current_year", current)
    return path, current


def model(snap, year: int) -> dict[str, dict]:  # noqa: ANN001
    """The plan comparison worked out from the store's raw figures, independently of core.totals."""
    out = {}
    for ind in CATALOGUE:
        own = snap.cluster_targets.get(("cum3", ind.code, year))
        readings = {u: snap.values.get((u, ind.code, year)) for u in UNITS}
        reported = [u for u, r in readings.items() if r is not None and r.reported]
        if own is not None:
            actual = sum(readings[u].value for u in reported) if reported else None
            out[ind.code] = {"basis": "cluster", "actual": actual, "target": own.value, "units_counted": reported}
            continue
        counted = [u for u in reported if (u, ind.code, year) in snap.targets]
        if not counted:
            out[ind.code] = {"basis": None, "target": None, "units_counted": []}
            continue
        out[ind.code] = {"basis": "units", "units_counted": counted,
                         "actual": sum(readings[u].value for u in counted),
                         "target": sum(snap.targets[(u, ind.code, year)].value for u in counted)}
    return out


def model_ratio(snap, year: int, num: str, den: str, decimals: int | None):  # noqa: ANN001, ANN201
    """A ratio worked out from the raw figures: only the units that reported both sides."""
    counted = [u for u in UNITS
               if all((r := snap.values.get((u, c, year))) is not None and r.reported for c in (num, den))]
    if not counted:
        return None, []
    top = sum(snap.values[(u, num, year)].value for u in counted)
    bottom = sum(snap.values[(u, den, year)].value for u in counted)
    if not bottom:
        return None, []
    return round(top / bottom, decimals) if decimals else round(top / bottom), counted


def close(a, b) -> bool:  # noqa: ANN001
    if a is None or b is None:
        return a is b
    return abs(a - b) < 1e-6


def expected_cells(summary: totals.YearSummary, lang: str = "vi") -> dict[str, tuple[str, str, str]]:
    """(total, plan, progress) of each indicator, as every view must show them."""
    n = len(summary.units)
    out = {}
    for ind in CATALOGUE:
        p = summary.progress[ind.code]
        out[ind.code] = (
            report_text.show_total(ind, summary.totals[ind.code], lang, units_total=n, with_unit=True),
            report_text.show_number(ind, p.target, lang) if p.target is not None else "",
            report_text.show_progress(p, lang))
    return out


def check_headless_views(capsys, path: Path, year: int) -> totals.YearSummary:  # noqa: ANN001
    snap = Store(path).snapshot()
    summary = totals.summarize(snap, snap.current_year())
    assert summary.year == year

    # summary --json, against the model too
    assert main(["summary", "--json", "--db", str(path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["year"] == year
    want = model(snap, year)
    for ind in CATALOGUE:
        p, m = data["progress"][ind.code], want[ind.code]
        assert p["basis"] == m["basis"], ind.code
        assert p["units_counted"] == m["units_counted"], ind.code
        assert p["units_total"] == 4
        assert close(p["target"], m["target"]), ind.code
        if m["basis"] is not None and m["actual"] is not None:
            assert close(p["actual"], m["actual"]), ind.code
            pct = m["actual"] / m["target"] * 100 if ind.direction.value != "lower" else None
            if pct is not None and m["actual"] is not None:
                assert close(round(pct, 2), p["percent"]), ind.code
        total = summary.totals[ind.code]
        assert data["totals_reported"][ind.code] == list(total.reported_units)
        assert close(data["totals"][ind.code], total.value)

    for code, num, den, dec in (("fund_per_member", "fund", "members", None),
                                ("members_per_branch", "members", "branches", 2)):
        value, counted = model_ratio(snap, year, num, den, dec)
        assert close(data["ratios"][code], value), code
        assert data["ratios_counted"][code]["units_counted"] == counted, code

    cells = expected_cells(summary)
    ratio_vi = report_text.ratio_line(summary, "vi")
    assert main(["summary", "--db", str(path)]) == 0
    assert ratio_vi in capsys.readouterr().out

    # the Markdown report: section 1's table
    md = report.render(snap, year, "md", lang="vi")
    rows = {}
    for line in md.splitlines():
        if line.startswith("| ") and line.count(" | ") >= 4:
            parts = [MD_UNESCAPE.sub(r"\1", c).strip() for c in line.strip("|").split(" | ")]
            rows.setdefault(parts[0], parts)
    for ind in CATALOGUE:
        row = rows[ind.short("vi")]
        assert tuple(row[1:4]) == cells[ind.code], (ind.code, row)
    assert f"năm {year}".lower() in md.lower()
    assert MD_UNESCAPE.sub(r"\1", report_text.ratio_line(summary, "vi", sep=" · ")) in MD_UNESCAPE.sub(r"\1", md)
    for ind in CATALOGUE:
        cov = report_text.coverage_text(summary.totals[ind.code], 4, "vi")
        if cov and summary.totals[ind.code].value is not None:
            assert cov in md

    # the XLSX export: the "Tổng cụm" sheet
    wb = load_workbook(io.BytesIO(exchange.render(snap, year, "xlsx")), read_only=True)
    ws = wb["Tổng cụm"]
    header, *body = list(ws.iter_rows(values_only=True))
    col = {h: i for i, h in enumerate(header)}
    by_ind = {r[col["Mã chỉ tiêu"]]: r for r in body}
    for ind in CATALOGUE:
        r = by_ind[ind.code]
        total, p = summary.totals[ind.code], summary.progress[ind.code]
        assert r[col["Năm"]] == year
        assert close(r[col["Tổng cụm"]], total.value)
        assert close(r[col["Kế hoạch"]], p.target)
        assert close(r[col["Tiến độ (%)"]], round(p.percent, 1) if p.percent is not None else None)
        assert r[col["Đơn vị đã báo cáo"]] == f"{len(total.reported_units)}/4"
        assert r[col["Đánh giá"]] == (p.word("vi") if p.met is not None else None)
    return summary


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(case=stores())
def test_headless_views_agree(tmp_path_factory, capsys, case) -> None:  # noqa: ANN001
    path, year = build(tmp_path_factory.mktemp("case"), case)
    check_headless_views(capsys, path, year)


async def _ui_cells(path: Path) -> tuple[str, dict, dict, str, str]:
    from ccb_tui.ui.app import create_app
    from ccb_tui.ui.screens.meeting import MeetingScreen

    app = create_app(path, poll=False, user="tester")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#totals", DataTable)
        title = str(app.screen.query_one("#dash-title").render())
        dash = {ind.code: [str(c) for c in table.get_row(ind.code)] for ind in CATALOGUE}
        dash_notes = str(app.screen.query_one("#dash-notes").render())
        await pilot.press("m")
        await pilot.pause()
        meeting = app.screen
        assert isinstance(meeting, MeetingScreen)
        await pilot.press("n")
        await pilot.pause()
        plan = meeting.query_one("#meet-plan-table", DataTable)
        meet = {ind.code: [str(c) for c in plan.get_row(ind.code)] for ind in CATALOGUE}
        meet_notes = str(meeting.query_one("#meet-plan-notes").render())
    return title, dash, meet, dash_notes, meet_notes


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(case=stores())
def test_dashboard_and_meeting_agree(tmp_path_factory, capsys, case) -> None:  # noqa: ANN001
    path, year = build(tmp_path_factory.mktemp("ui"), case)
    summary = check_headless_views(capsys, path, year)
    cells = expected_cells(summary)
    title, dash, meet, dash_notes, meet_notes = asyncio.run(_ui_cells(path))
    assert f"Năm {year}" in title
    def words(x: str) -> str:  # a Static may fold runs of spaces when it wraps
        return " ".join(x.split())
    ratio = words(report_text.ratio_line(summary, "vi"))
    assert ratio in words(dash_notes) and ratio in words(meet_notes)
    for ind in CATALOGUE:
        total, plan, prog = cells[ind.code]
        assert dash[ind.code][1:4] == [total, plan, prog], ind.code
        assert meet[ind.code][1] == total
        assert meet[ind.code][2] == (plan or "—")
        assert meet[ind.code][3] == (prog or "—")


# --- thi đua: one ranking (scoring.rank) in the report, the XLSX and the meeting page -------------

@st.composite
def thidua_scores(draw):  # noqa: ANN001, ANN201
    """Scores on the sample template: any unit, line and stage may be missing; quarters of points."""
    import thidua_sample
    from decimal import Decimal

    from ccb_tui.core.domain.scoring import Score

    out = {}
    for unit in UNITS:
        for code, mx in zip(thidua_sample.CODES, thidua_sample.MAXES):
            for stage in ("self", "peer", "final"):
                if draw(st.integers(0, 3)) == 0:
                    continue
                p = Decimal(draw(st.integers(0, mx * 4))) / 4
                out[(unit, code, 2020, stage)] = Score(unit, code, 2020, stage, p)
    return out


def _with_scores(snap, scores):  # noqa: ANN001, ANN202
    import dataclasses

    import thidua_sample
    return dataclasses.replace(snap, templates={2020: thidua_sample.template()}, scores=scores,
                               commendations=thidua_sample.commendations())


def _md_ranking(md: str) -> list[list[str]]:
    lines = md.splitlines()
    start = lines.index("### Xếp hạng")
    out = []
    for line in lines[start + 1:]:
        if line.startswith("### "):
            break
        if line.startswith("| ") and not line.startswith("| Hạng"):
            out.append([MD_UNESCAPE.sub(r"\1", c).strip() for c in line.strip("|").split(" | ")])
    return out


async def _meeting_ranking(path: Path) -> list[list[str]]:
    from ccb_tui.ui.app import create_app

    app = create_app(path, poll=False, meeting=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("left")
        await pilot.pause()
        board = app.screen.query_one("#meet-rank-board")
        rows = [s.text for s in board.render_lines(board.region.reset_offset)]
    return [[c.strip() for c in r.strip().strip("│").split("│")] for r in rows
            if r.strip().startswith("│") and any(u in r for u in ("Krông Nô", "Nam Ka", "Ea R'Bin", "Liên Sơn"))]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(scores=thidua_scores())
def test_ranking_views_agree(tmp_path_factory, scores) -> None:  # noqa: ANN001
    import pytest

    from ccb_tui.core.domain import scoring
    from ccb_tui.core.report import thidua

    folder = tmp_path_factory.mktemp("rank")
    path = folder / "ccb.json"
    Store(path)
    snap = _with_scores(Store(path).snapshot(), scores)
    td = thidua.thidua_view(snap, 2020)
    stages = [s for s in ("final", "peer", "self") if any(k[3] == s for k in scores)]
    if not stages:
        assert td.ranking is None
        return
    want = scoring.rank(snap, 2020, stages[0])  # the final when scored, else the latest stage
    assert td.stage == stages[0]
    # A unit with nothing scored at the stage is not ranked: no rank, points or band ("—").
    expected = [[str(e.rank) if e.rank is not None else "—", td.unit_name(e.code),
                 thidua.show_points(e.points), e.band if e.band is not None else "—"] for e in want.entries]

    md = report.render(snap, 2020, "md", lang="vi")
    assert [r[:4] for r in _md_ranking(md)] == expected

    wb = load_workbook(io.BytesIO(exchange.render(snap, 2020, "xlsx")), read_only=True)
    header, *body = list(wb["Xếp hạng"].iter_rows(values_only=True))
    col = {h: i for i, h in enumerate(header)}
    word = scoring.STAGE_LABELS[want.stage][0]
    got = [(r[col["Hạng"]], r[col["Mã đơn vị"]], r[col["Điểm"]], r[col["Xếp loại"]])
           for r in body if r[col["Lần chấm"]] == word]
    assert got == [(e.rank, e.code, scoring.json_points(e.points) if e.points is not None else None, e.band)
                   for e in want.entries]

    with pytest.MonkeyPatch.context() as mp:
        original = Store.snapshot
        mp.setattr(Store, "snapshot", lambda self, *a, **k: _with_scores(original(self, *a, **k), scores))
        shown = asyncio.run(_meeting_ranking(path))
    assert [[r[0], r[1], r[2], r[4] if len(r) > 5 else r[3]] for r in shown] == expected
