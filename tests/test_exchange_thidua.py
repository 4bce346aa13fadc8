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
from ccb_tui.core.store import ANY
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
    ws = openpyxl.load_workbook(io.BytesIO(exchange.render(snap, YEAR, "xlsx")))["Khen thưởng"]
    (dv,) = ws.data_validations.dataValidation  # the status pick list, also on rows added below
    assert dv.formula1 == '"đề nghị,được duyệt"' and str(dv.sqref) == "I2:I103"


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


def test_import_refuses_over_long_score_notes_per_cell(snap, tmp_path: Path) -> None:  # noqa: ANN001
    """The store takes at most 500 characters of note or evidence; the import says so per cell
    (it stored 1.999 characters)."""
    path = filled(snap, tmp_path, {("krong_no", "1.3", "tự chấm"): {"Điểm": 4, "Ghi chú": "m" * 1999},
                                   ("krong_no", "1.4", "tự chấm"): {"Điểm": 4, "Minh chứng": "e" * 501}})
    with pytest.raises(InvalidValue) as err:
        importer.plan_import(snap, path)
    problems = err.value.problems
    assert [p.msg.vi.split(": ", 1)[1] for p in problems] == ["dài 1999 ký tự, tối đa 500", "dài 501 ký tự, tối đa 500"]
    assert "(Ghi chú)" in problems[0].msg.vi and "(Minh chứng)" in problems[1].msg.vi
    assert all(p.field.startswith("Chấm điểm!") for p in problems)


def test_the_store_bounds_score_notes_in_the_batch_too(store: Store, sha) -> None:  # noqa: ANN001
    before = sha(store.path)
    with pytest.raises(InvalidValue, match="over 500 characters"):
        store.apply_batch([("score", "krong_no", "1.3", YEAR, "self", D("4"), "m" * 600, "", ANY)])
    assert sha(store.path) == before


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


# --- commendations: export → edit → import ----------------------------------------------------

KT = "Khen thưởng"
FIELDS = ("year", "unit", "person", "form", "level", "reason", "status")


def commend_store(store: Store) -> Store:
    """The store with the two sample commendations (a collective award, an individual proposal)."""
    for c in thidua_sample.commendations():
        store.add_commendation(c.year, unit=c.unit, person=c.person, form=c.form, level=c.level,
                               reason=c.reason, status=c.status)
    return store


def stored(store: Store) -> dict[int, tuple]:
    return {c.id: tuple(getattr(c, k) for k in FIELDS) for c in store.snapshot().commendations}


def edited(snap, tmp_path: Path, fmt: str, changes: dict[int, dict[str, object]],  # noqa: ANN001
           added: list[dict[str, object]] = (), drop: tuple[str, ...] = (), name: str = "kt") -> Path:
    """The year's export in ``fmt`` with the Khen thưởng rows edited as a person would: ``changes``
    by number ({header: value}), rows ``added`` ({header: value}), columns ``drop``ped."""
    from ccb_tui.core.exchange.layout import HEADERS
    raw = exchange.render(snap, YEAR, fmt)
    path = tmp_path / f"{name}.{fmt}"
    num = HEADERS["commendation"]
    if fmt == "xlsx":
        wb = openpyxl.load_workbook(io.BytesIO(raw))
        ws = wb[KT]
        header = [c.value for c in ws[1]]
        col = {h: i for i, h in enumerate(header)}
        for row in ws.iter_rows(min_row=2):
            for h, v in changes.get(row[col[num]].value, {}).items():
                row[col[h]].value = v
        for new in added:
            ws.append([new.get(h) for h in header])
        for h in drop:
            ws.delete_cols(header.index(h) + 1)
        wb.save(path)
    elif fmt == "csv":
        import csv
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        header = rows[0]
        col = {h: i for i, h in enumerate(header)}
        for r in rows[1:]:
            if r[0] == KT:
                for h, v in changes.get(int(r[col[num]]), {}).items():
                    r[col[h]] = "" if v is None else str(v)
        for new in added:
            rows.append([KT if h == "Phần" else ("" if new.get(h) is None else str(new[h])) for h in header])
        keep = [i for i, h in enumerate(header) if h not in drop]
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerows([[r[i] for i in keep] for r in rows])
        path.write_bytes(("\ufeff" + buf.getvalue()).encode("utf-8"))
    else:
        data = json.loads(raw)
        keys = {v: k for k, v in HEADERS.items()}
        for item in data["commendations"]:
            for h, v in changes.get(item["commendation"], {}).items():
                item[keys[h]] = v
        for new in added:
            data["commendations"].append({keys[h]: v for h, v in new.items()})
        for item in data["commendations"]:
            for h in drop:
                item.pop(keys[h], None)
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


NEW_ROW = {"Năm": YEAR, "Đơn vị": "ea rbin", "Hình thức": "Bằng khen", "Cấp khen": "Tỉnh Hội CCB",
           "Thành tích": "Nhiều năm hoàn thành xuất sắc nhiệm vụ"}


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_commendations_round_trip_through_the_store(store: Store, tmp_path: Path, fmt: str) -> None:
    """Export → approve one proposal and add one row in the file → import: the store has exactly
    that, each change audited once (via import), and the same file imported again changes nothing."""
    commend_store(store)
    before = stored(store)
    status = "approved" if fmt == "json" else "được duyệt"  # JSON carries codes, sheets carry words
    path = edited(store.snapshot(), tmp_path, fmt, {2: {"Trạng thái": status}}, [NEW_ROW])
    plan = importer.plan_import(store.snapshot(), path)
    assert plan.count("commendation") == 2 and len(plan.changes) == 2
    assert "2 khen thưởng thay đổi" in plan.summary() and "2 commendations changed" in plan.summary("en")
    log_before = len(store.log_entries())
    importer.apply_plan(store, plan)
    want = {**before, 2: before[2][:-1] + ("approved",),
            3: (YEAR, "ea_rbin", "", "Bằng khen", "Tỉnh Hội CCB", "Nhiều năm hoàn thành xuất sắc nhiệm vụ", "proposed")}
    assert stored(store) == want
    entries = store.log_entries()[log_before:]
    assert sorted(e.action for e in entries) == ["add_commendation", "set_commendation_status"]
    assert all(e.target.get("via") == "import" for e in entries)
    again = importer.plan_import(store.snapshot(), path)  # the new row is now the stored one
    assert again.changes == () and "khen thưởng" not in again.summary()


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_unchanged_commendations_import_as_nothing_changed(capsys, store: Store, tmp_path: Path, fmt: str,
                                                           sha) -> None:  # noqa: ANN001
    from ccb_tui.cli import main
    commend_store(store)
    path = edited(store.snapshot(), tmp_path, fmt, {})
    before = sha(store.path)
    assert main(["import", str(path), "--db", str(store.path)]) == 0
    out = capsys.readouterr().out
    assert out.strip().startswith("0 số liệu, 0 chỉ tiêu, 0 trạng thái nhiệm vụ thay đổi;"), out
    assert sha(store.path) == before


def test_edited_fields_are_one_conditional_change_and_undo(store: Store, tmp_path: Path) -> None:
    """Reason, level, person and unit (by name, without accents) changed on one row: one change,
    audited as edit_commendation, and undone whole."""
    commend_store(store)
    before = stored(store)
    path = edited(store.snapshot(), tmp_path, "xlsx", {2: {
        "Thành tích": "Vận động xây 3 nhà tình nghĩa", "Cấp khen": "Tỉnh Hội", "Cá nhân": "Nguyễn Văn Ân",
        "Mã đơn vị": None, "Đơn vị": "lien son"}})
    plan = importer.plan_import(store.snapshot(), path)
    (change,) = plan.changes
    assert change.batch[:3] == ("commendation", 2, YEAR)
    assert change.batch[4] == store.snapshot().commendations[1]  # the expected old record
    assert "Thành tích «Vận động xây 3 nhà tình nghĩa»" in change.new and "«Thị trấn Liên Sơn»" not in change.new
    importer.apply_plan(store, plan)
    assert stored(store)[2] == (YEAR, "lien_son", "Nguyễn Văn Ân", "Giấy khen", "Tỉnh Hội",
                                "Vận động xây 3 nhà tình nghĩa", "proposed")
    entry = store.log_entries()[-1]
    assert entry.action == "edit_commendation" and entry.target["via"] == "import"
    store.undo_last()
    assert stored(store) == before


def test_missing_commendation_is_kept_and_said(store: Store, tmp_path: Path) -> None:
    commend_store(store)
    wb = openpyxl.load_workbook(io.BytesIO(exchange.render(store.snapshot(), YEAR, "xlsx")))
    wb[KT].delete_rows(2)  # commendation 1 taken out of the file
    path = tmp_path / "bot.xlsx"
    wb.save(path)
    before = stored(store)
    plan = importer.plan_import(store.snapshot(), path)
    assert plan.changes == () and plan.kept_commendations == 1
    assert "1 khen thưởng không có trong tệp được giữ nguyên (nhập không xóa)" in plan.summary()
    importer.apply_plan(store, plan)
    assert stored(store) == before


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_old_export_without_the_number_still_imports(store: Store, tmp_path: Path, fmt: str) -> None:
    """Rows without a Mã khen thưởng column: a row equal to a stored commendation (its status aside)
    is that commendation; any other row is a new proposal."""
    commend_store(store)
    before = stored(store)
    status = "approved" if fmt == "json" else "được duyệt"
    path = edited(store.snapshot(), tmp_path, fmt, {2: {"Trạng thái": status}}, [NEW_ROW],
                  drop=("Mã khen thưởng",))
    plan = importer.plan_import(store.snapshot(), path)
    assert sorted(c.batch[1] or 0 for c in plan.changes) == [0, 2]
    importer.apply_plan(store, plan)
    after = stored(store)
    assert after[1] == before[1] and after[2][-1] == "approved" and len(after) == 3
    assert importer.plan_import(store.snapshot(), path).changes == ()


def test_bad_commendation_cells_refused_byte_identical(capsys, store: Store, tmp_path: Path, sha) -> None:  # noqa: ANN001
    from ccb_tui.cli import main
    commend_store(store)
    path = edited(store.snapshot(), tmp_path, "xlsx", {
        1: {"Trạng thái": "đã khen"},               # unknown status word
        2: {"Hình thức": None},                     # a required field emptied
    }, [
        {"Năm": YEAR, "Mã khen thưởng": 99, "Cá nhân": "Lê Văn C", "Hình thức": "Giấy khen", "Cấp khen": "Huyện",
         "Thành tích": "x"},                        # no such number
        {"Năm": YEAR, "Mã đơn vị": "dak_mil", "Hình thức": "Giấy khen", "Cấp khen": "Huyện", "Thành tích": "x"},
        {"Năm": YEAR, "Đơn vị": "Nam Ka", "Hình thức": "Giấy khen", "Cấp khen": "Huyện", "Thành tích": "x" * 501},
        {"Năm": YEAR, "Hình thức": "Giấy khen", "Cấp khen": "Huyện", "Thành tích": "y"},  # nobody
        {"Năm": YEAR, "Mã đơn vị": "krong_no", "Đơn vị": "Nam Ka", "Hình thức": "Giấy khen", "Cấp khen": "Huyện",
         "Thành tích": "z"},                        # code and name disagree
    ])
    before = sha(store.path)
    assert main(["import", str(path), "--db", str(store.path)]) == 3
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.startswith(f"{KT}!")]
    assert len(lines) == 7, err
    want = ["!I2 (Trạng thái): không hiểu 'đã khen'", "!3 (Hình thức): thiếu Hình thức",
            "!B4 (Mã khen thưởng): không có khen thưởng số 99", "!C5 (Mã đơn vị): Không có đơn vị 'dak_mil'",
            "!H6 (Thành tích): dài 501 ký tự, tối đa 500", "!7 (Mã đơn vị): thiếu đơn vị (khen tập thể) hoặc cá nhân",
            "!D8 (Đơn vị): «Nam Ka» là Xã Nam Ka, khác với Mã đơn vị krong_no"]
    for w, line in zip(want, lines):
        assert w in line, line
    assert "7 lỗi; dữ liệu không thay đổi" in err
    assert sha(store.path) == before


def test_concurrent_commendation_change_is_a_conflict(store: Store, tmp_path: Path, sha) -> None:  # noqa: ANN001
    """Planned from one snapshot, applied after someone else changed the record, removed it or added
    the same proposal: ConflictError (exit 4), checked inside the store's transaction, nothing written."""
    from ccb_tui.core.domain.errors import ConflictError
    commend_store(store)
    path = edited(store.snapshot(), tmp_path, "xlsx", {2: {"Thành tích": "Gương mẫu"}}, [NEW_ROW])
    plan = importer.plan_import(store.snapshot(), path)
    for meanwhile in (lambda: store.set_commendation_status(2, "approved"),
                      lambda: store.remove_commendation(2),
                      lambda: store.add_commendation(YEAR, unit="ea_rbin", form="Bằng khen", level="Tỉnh Hội CCB",
                                                     reason="Nhiều năm hoàn thành xuất sắc nhiệm vụ")):
        meanwhile()
        before = sha(store.path)
        with pytest.raises(ConflictError) as err:
            importer.apply_plan(store, plan)
        assert err.value.exit_code == 4
        assert sha(store.path) == before
        store.undo_last()
    importer.apply_plan(store, plan)  # with nobody in between it applies
    assert stored(store)[2][5] == "Gương mẫu" and len(stored(store)) == 3


def test_cli_conflict_between_plan_and_apply_exits_4(capsys, store: Store, tmp_path: Path, monkeypatch, sha) -> None:  # noqa: ANN001
    from ccb_tui.cli import main
    commend_store(store)
    path = edited(store.snapshot(), tmp_path, "csv", {1: {"Trạng thái": "đề nghị"}})
    real = importer.plan_import

    def plan_then_someone_edits(*a, **k):  # noqa: ANN002, ANN003, ANN202
        plan = real(*a, **k)
        Store(store.path, user="other").set_commendation_status(1, "proposed")
        return plan

    monkeypatch.setattr(importer, "plan_import", plan_then_someone_edits)
    code = main(["import", str(path), "--db", str(store.path)])
    err = capsys.readouterr().err
    assert code == 4, err
    assert "khen thưởng số 1 đã được người khác sửa" in err
    assert stored(store)[1][-1] == "proposed"


def test_dry_run_lists_commendation_changes(capsys, store: Store, tmp_path: Path, sha) -> None:  # noqa: ANN001
    from ccb_tui.cli import main
    commend_store(store)
    path = edited(store.snapshot(), tmp_path, "xlsx", {2: {"Trạng thái": "được duyệt"}}, [NEW_ROW])
    before = sha(store.path)
    assert main(["import", str(path), "--dry-run", "--db", str(store.path)]) == 0
    out = capsys.readouterr().out
    assert "khen thưởng số 2 · Nguyễn Văn An 2020: đề nghị → được duyệt" in out
    assert "khen thưởng mới · Xã Ea R'Bin 2020: — → Hình thức «Bằng khen»" in out
    assert "2 khen thưởng thay đổi" in out
    assert sha(store.path) == before


# --- a rule's proposal needs a reason to be departed from --------------------------------------

def test_import_refuses_points_off_the_proposal_without_a_note(store: Store, tmp_path: Path, sha) -> None:  # noqa: ANN001
    """The bundled table's TC2 proposes 10 for Krông Nô: 6 without a note is refused for that cell
    (the file left untouched); the same 6 with a note in the Ghi chú column is planned and saved."""
    snap = store.snapshot()
    before = sha(store.path)
    path = filled(snap, tmp_path, {("krong_no", "TC2", "huyện chấm"): {"Điểm": 6, "Ghi chú": None},
                                   ("krong_no", "TC1", "huyện chấm"): {"Điểm": 9}})  # no rule: fine
    with pytest.raises(InvalidValue) as err:
        importer.plan_import(snap, path)
    problems = err.value.problems
    assert len(problems) == 1 and problems[0].field.startswith("Chấm điểm!")
    assert "khác điểm quy tắc đề xuất (10" in problems[0].msg.vi and "Ghi chú" in problems[0].msg.vi
    assert sha(store.path) == before
    path = filled(snap, tmp_path, {("krong_no", "TC2", "huyện chấm"): {"Điểm": 6, "Ghi chú": "thiếu hồ sơ"}},
                  name="ok.xlsx")
    importer.apply_plan(store, importer.plan_import(snap, path))
    assert store.snapshot().scores[("krong_no", "TC2", YEAR, "final")].points == 6


def test_store_batch_refuses_points_off_the_proposal_without_a_note(store: Store, sha) -> None:  # noqa: ANN001
    """The store's batch checks it too (inside the transaction), whatever planned the change."""
    before = sha(store.path)
    with pytest.raises(InvalidValue):
        store.apply_batch([("score", "krong_no", "TC2", YEAR, "final", D(6), "", "", D(10))], via="test")
    assert sha(store.path) == before
