"""Thi đua in the exchange files: the Chấm điểm, Xếp hạng and Khen thưởng parts of the exports,
and a unit's filled self-scoring sheet read back (every bad cell named, all or nothing, each change
conditional on the points it was planned from).

Until the store reads templates and scores from its file, the snapshot is the seed's with the
sample thi đua put in (``thidua_sample``); the store-side application is tested only when the
store has ``set_score``.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest

import thidua_sample
from ccb_tui.core.domain import scoring
from ccb_tui.core.domain.errors import InvalidValue, UsageError
from ccb_tui.core.exchange import export as exchange
from ccb_tui.core.exchange import importer
from ccb_tui.core.store.store import Store

YEAR = thidua_sample.YEAR


@pytest.fixture
def snap(store: Store):  # noqa: ANN201
    return thidua_sample.with_thidua(store.snapshot())


def sheet(snap, name: str) -> tuple[dict[str, int], list[tuple]]:  # noqa: ANN001
    wb = openpyxl.load_workbook(io.BytesIO(exchange.render(snap, YEAR, "xlsx")), read_only=True)
    header, *body = list(wb[name].iter_rows(values_only=True))
    return {h: i for i, h in enumerate(header)}, body


# --- export ------------------------------------------------------------------------------------

def test_xlsx_has_the_thidua_parts(snap) -> None:  # noqa: ANN001
    wb = openpyxl.load_workbook(io.BytesIO(exchange.render(snap, YEAR, "xlsx")), read_only=True)
    assert wb.sheetnames[4:7] == ["Chấm điểm", "Xếp hạng", "Khen thưởng"]
    col, rows = sheet(snap, "Chấm điểm")
    assert len(rows) == 4 * 12 * 3  # every unit × line × stage, so a unit can fill its own
    by_key = {(r[col["Mã đơn vị"]], r[col["Mã dòng"]], r[col["Lần chấm"]]): r for r in rows}
    assert by_key[("nam_ka", "1.2", "tự chấm")][col["Điểm"]] == 10
    assert by_key[("nam_ka", "1.2", "cụm thẩm định")][col["Điểm"]] == 8
    assert by_key[("krong_no", "3.4", "huyện chấm")][col["Điểm"]] == 4.25
    assert by_key[("krong_no", "3.4", "huyện chấm")][col["Minh chứng"]] == "biên bản số 3"
    assert by_key[("ea_rbin", "3.4", "huyện chấm")][col["Điểm"]] is None  # not scored is blank, not 0
    col, rows = sheet(snap, "Khen thưởng")
    assert [(r[col["Mã khen thưởng"]], r[col["Trạng thái"]]) for r in rows] == [(1, "được duyệt"), (2, "đề nghị")]


def test_no_template_no_thidua_sheets(store: Store) -> None:
    bare = thidua_sample.bare(store.snapshot())  # the bundled store has a sample points table
    wb = openpyxl.load_workbook(io.BytesIO(exchange.render(bare, YEAR, "xlsx")), read_only=True)
    assert "Chấm điểm" not in wb.sheetnames and "Khen thưởng" not in wb.sheetnames
    data = json.loads(exchange.render(bare, YEAR, "json"))
    assert "scores" not in data and "ranking" not in data


def test_json_and_csv_keep_points_exact(snap) -> None:  # noqa: ANN001
    data = json.loads(exchange.render(snap, YEAR, "json"))
    final = {r["unit"]: r for r in data["ranking"] if r["stage"] == "final"}
    want = scoring.rank(snap, YEAR, "final")
    for e in want.entries:
        assert D(str(final[e.code]["points"])) == e.points and final[e.code]["rank"] == e.rank
    assert final["krong_no"]["points"] == 84.75 and final["ea_rbin"]["scored"] == "9/12"
    assert {r["stage"] for r in data["scores"]} == {"self", "peer", "final"}
    text = exchange.render(snap, YEAR, "csv").decode("utf-8-sig")
    assert "Xếp hạng,2020,krong_no" in text and '"84,75"' in text


# --- import ------------------------------------------------------------------------------------

def filled(snap, tmp_path: Path, edits: dict[tuple[str, str, str], dict[str, object]],  # noqa: ANN001
           name: str = "phieu.xlsx") -> Path:
    """The export with some Chấm điểm cells changed: (unit, line, stage word) → {header: value}."""
    wb = openpyxl.load_workbook(io.BytesIO(exchange.render(snap, YEAR, "xlsx")))
    ws = wb["Chấm điểm"]
    header = [c.value for c in ws[1]]
    col = {h: i for i, h in enumerate(header)}
    for row in ws.iter_rows(min_row=2):
        key = (row[col["Mã đơn vị"]].value, row[col["Mã dòng"]].value, row[col["Lần chấm"]].value)
        for h, v in edits.get(key, {}).items():
            row[col[h]].value = v
    path = tmp_path / name
    wb.save(path)
    return path


def test_import_plans_conditional_score_changes(snap, tmp_path: Path) -> None:  # noqa: ANN001
    path = filled(snap, tmp_path, {
        ("krong_no", "1.2", "tự chấm"): {"Điểm": "9,75", "Ghi chú": "đã rà soát"},
        ("ea_rbin", "3.4", "huyện chấm"): {"Điểm": 4},   # not scored before
        ("nam_ka", "1.1", "tự chấm"): {"Minh chứng": "biên bản 12/2020"},
    })
    plan = importer.plan_import(snap, path)
    assert plan.count("score") == 3 and plan.count("value") == 0
    batches = {c.batch[1:5]: c.batch for c in plan.changes if c.kind == "score"}
    assert batches[("krong_no", "1.2", YEAR, "self")] == (
        "score", "krong_no", "1.2", YEAR, "self", D("9.75"), "đã rà soát", "", D("9.5"))
    assert batches[("ea_rbin", "3.4", YEAR, "final")][5:] == (D(4), "", "", None)  # expect: not scored
    assert batches[("nam_ka", "1.1", YEAR, "self")][5:] == (D("9.5"), "", "biên bản 12/2020", D("9.5"))
    assert "điểm chấm" in plan.summary()


def test_import_names_every_bad_score_cell(snap, tmp_path: Path) -> None:  # noqa: ANN001
    path = filled(snap, tmp_path, {
        ("krong_no", "1.3", "tự chấm"): {"Điểm": 6},            # above the line's 5
        ("krong_no", "1.4", "tự chấm"): {"Điểm": "4,255"},      # three decimals
        ("krong_no", "2.1", "tự chấm"): {"Mã dòng": "9.9"},     # no such line
        ("krong_no", "2.2", "tự chấm"): {"Lần chấm": "xã chấm"},  # no such stage
        ("krong_no", "2.3", "tự chấm"): {"Mã đơn vị": "dak_mil", "Đơn vị": None},  # no such unit
        ("krong_no", "2.4", "tự chấm"): {"Điểm": "bốn"},        # not a number
    })
    with pytest.raises(InvalidValue) as err:
        importer.plan_import(snap, path)
    problems = err.value.problems
    text = "\n".join(p.msg.vi for p in problems)
    assert len(problems) == 6, text
    assert "6 điểm vượt điểm tối đa 5 của dòng 1.3" in text
    assert "tối đa 2 chữ số thập phân" in text
    assert "không có dòng «9.9»" in text
    assert "xã chấm" in text
    assert "dak_mil" in text
    assert "'bốn' không phải là số" in text
    assert all(p.field.startswith("Chấm điểm!") for p in problems)  # each names its cell


def test_import_scores_without_a_template_is_refused(store: Store, snap, tmp_path: Path) -> None:  # noqa: ANN001
    path = filled(snap, tmp_path, {("krong_no", "1.2", "tự chấm"): {"Điểm": 9}})
    with pytest.raises(InvalidValue) as err:
        importer.plan_import(thidua_sample.bare(store.snapshot()), path)  # no points table
    assert "chưa có bảng điểm thi đua" in err.value.problems[0].msg.vi


def test_unchanged_sheet_plans_nothing(snap, tmp_path: Path) -> None:  # noqa: ANN001
    plan = importer.plan_import(snap, filled(snap, tmp_path, {}))
    assert plan.changes == ()


def test_scores_round_trip_through_the_store(store: Store, tmp_path: Path) -> None:
    """Export → fill the self-scoring rows → import → the store has the points, and the ranking
    follows. Needs the store side (templates read from the file, set_score, the batch's kind)."""
    thidua_sample.strip_store(store.path)  # the bundled sample table has other lines
    store.set_template(YEAR, thidua_sample.template())
    snap = store.snapshot()
    assert YEAR in snap.templates, "the store must read the template it was given"
    edits = {(u, ln, "tự chấm"): {"Điểm": str(p).replace(".", ",")}
             for (u, ln, y, st), s in thidua_sample.scores().items() if st == "self"
             for p in [s.points]}
    path = filled(snap, tmp_path, edits)
    importer.apply_plan(store, importer.plan_import(snap, path))
    after = store.snapshot()
    for (u, ln, y, st), s in thidua_sample.scores().items():
        if st == "self":
            assert after.scores[(u, ln, y, "self")].points == s.points
    assert importer.plan_import(after, path).changes == ()
