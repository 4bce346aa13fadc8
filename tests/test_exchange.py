"""Export (csv, xlsx, md, json) and import (csv, xlsx, json): round trips, the file layout, and
every way a returned spreadsheet can be wrong — each refused with its cell named and the store
left byte-identical.

CLI paths go through ``cli.main(argv)``; exit codes: 0 ok, 2 usage, 3 invalid, 4 conflict.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import openpyxl
import pytest

from ccb_tui.cli import main
from ccb_tui.core.exchange import export as exchange
from ccb_tui.core.exchange import importer, limits
from ccb_tui.core.domain.errors import ConflictError, InvalidValue
from ccb_tui.core.domain.models import NOT_REPORTED, Qualifier, Reading, Status, TaskState
from ccb_tui.core.store.store import ANY, Store

FORMATS = ("csv", "xlsx", "json")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(db_path: Path, capsys) -> str:
    Store(db_path, user="tester")
    capsys.readouterr()
    return str(db_path)


def edited_store(path: Path) -> Store:
    """A store with every kind of data an exchange must carry, all different from the seed."""
    s = Store(path, user="alice")
    s.set_value("krong_no", "members", 2020, 125)
    s.set_value("nam_ka", "fund", 2020, 60_000_000, qualifier=Qualifier.NEARLY)
    s.set_value("nam_ka", "members", 2020, None, reported=False)
    s.set_value("lien_son", "canal_km", 2020, 0.25)
    s.set_value("ea_rbin", "workdays", 2020, 300, qualifier=Qualifier.HUNDREDS)
    s.set_value("krong_no", "land_m2", 2020, 1500, qualifier=Qualifier.OVER)
    s.set_target("krong_no", "members", 2020, 130)
    s.set_target("nam_ka", "new_members", 2020, None)
    s.set_target("lien_son", "fund", 2020, 65_000_000)
    s.set_task_status(1, "krong_no", TaskState.DONE, note="- Đã tổ chức 3 buổi\n=SUM(A1) không phải công thức")
    s.set_task_status(2, "lien_son", TaskState.DOING, note="@ghi chú, +84 912")
    s.set_task_status(3, "ea_rbin", TaskState.DOING)
    return s


def data_of(s: Store, years=(2020, 2021)) -> dict:
    """What an exchange must preserve: readings (value, qualifier, status, sample), targets, statuses."""
    snap = s.snapshot()
    out: dict = {"values": {}, "targets": {}, "tasks": {}}
    for year in years:
        for u in snap.units_in(year):
            for code in ("branches", "members", "new_members", "houses_removed", "houses_built", "fund",
                         "loans", "workdays", "land_m2", "canal_km"):
                r = snap.reading(u.code, code, year)
                out["values"][(u.code, code, year)] = (r.value, r.qualifier, r.reported, r.sample and r.reported) \
                    if r.reported else ("not reported",)
                t = snap.target(u.code, code, year)
                out["targets"][(u.code, code, year)] = (t.value, t.sample) if t else None
        for task in snap.tasks_for(year):
            for u in snap.units_in(year):
                st = task.status(u.code)
                out["tasks"][(task.id, u.code)] = (st.state, st.note)
    return out


def export(capsys, db: str, fmt: str, path: Path, year: int = 2020, *extra: str) -> None:
    code, out, err = run(capsys, "export", "--format", fmt, "--year", str(year), "-o", str(path), "--db", db, *extra)
    assert code == 0, err
    assert path.exists()


# --- export ----------------------------------------------------------------------------------


def test_export_every_format_has_the_parts(db: str, tmp_path: Path, capsys) -> None:
    for fmt in ("csv", "xlsx", "md", "json"):
        export(capsys, db, fmt, tmp_path / f"e.{fmt}")
    raw = (tmp_path / "e.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, so spreadsheet programs read Vietnamese right
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "Phần" and "Giá trị" in rows[0] and "Kế hoạch" in rows[0]
    parts = {r[0] for r in rows[1:]}
    # 2020 has no checklist of its own: the export carries the one that applies (2021's)
    # and the bundled sample points table brings the scoring sheet and the ranking (no commendations)
    assert parts == {"Số liệu", "Tổng cụm", "Chỉ tiêu", "Nhiệm vụ", "Chấm điểm", "Xếp hạng"}
    head = rows[0]
    ea_loans = next(r for r in rows if r[0] == "Số liệu" and r[head.index("Mã đơn vị")] == "ea_rbin"
                    and r[head.index("Mã chỉ tiêu")] == "loans")
    assert ea_loans[head.index("Giá trị")] == "" and ea_loans[head.index("Trạng thái")] == "chưa báo cáo"
    fund = next(r for r in rows if r[0] == "Tổng cụm" and r[head.index("Mã chỉ tiêu")] == "fund")
    assert fund[head.index("Tổng cụm")] == "248600000" and fund[head.index("Ước lượng (cụm báo cáo)")] == "gần"
    assert fund[head.index("Đối chiếu")].startswith("✔")

    md = (tmp_path / "e.md").read_text(encoding="utf-8")
    assert md.startswith("# Báo cáo họp") and "chưa BC" in md and "✔ gần 250 tr." in md and "█" in md

    doc = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))
    assert doc["format"] == "ccb-tui-export" and doc["year"] == 2020
    assert doc["summary"]["totals"]["members"] == 438
    loans = next(v for v in doc["values"] if v["unit"] == "ea_rbin" and v["indicator"] == "loans")
    assert loans["value"] is None and loans["status"] == "not_reported"  # not reported is not 0
    assert any(t["unit"] == "krong_no" and t["indicator"] == "new_members" and t["target"] == 6
               for t in doc["targets"])


def test_exported_xlsx_reads_back_with_openpyxl(db: str, tmp_path: Path, capsys) -> None:
    Store(db).set_value("lien_son", "canal_km", 2020, 0.25)
    Store(db).rename_unit("nam_ka", unicodedata.normalize("NFD", "Xã Nam Ka Mới"))
    path = tmp_path / "e.xlsx"
    export(capsys, db, "xlsx", path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:4] == ["Số liệu", "Tổng cụm", "Chỉ tiêu", "Nhiệm vụ"]
    ws = wb["Số liệu"]
    head = [c.value for c in ws[1]]
    assert head[:7] == ["Năm", "Mã đơn vị", "Đơn vị", "Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Giá trị"]
    rows = {(r[1].value, r[3].value): r for r in ws.iter_rows(min_row=2)}
    fund = rows[("krong_no", "fund")][6]
    assert fund.value == 70_000_000 and type(fund.value) is int and fund.number_format == "#,##0"
    canal = rows[("lien_son", "canal_km")][6]
    assert canal.value == 0.25 and canal.number_format == "#,##0.00"
    assert rows[("ea_rbin", "loans")][6].value is None and rows[("ea_rbin", "loans")][8].value == "chưa báo cáo"
    name = rows[("nam_ka", "members")][2].value
    assert name == "Xã Nam Ka Mới" and unicodedata.is_normalized("NFC", name)  # NFC, diacritics intact
    assert rows[("krong_no", "members")][4].value == "Số hội viên"
    assert isinstance(rows[("krong_no", "members")][0].value, int)  # the year is a number
    totals = {r[1].value: r for r in wb["Tổng cụm"].iter_rows(min_row=2)}
    assert totals["members"][4].value == 438 and type(totals["members"][4].value) is int
    assert wb["Tổng cụm"].freeze_panes == "A2"


def test_export_refuses_to_overwrite_without_force(db: str, tmp_path: Path, capsys, sha) -> None:
    path = tmp_path / "e.xlsx"
    path.write_bytes(b"keep me")
    code, out, err = run(capsys, "export", "--format", "xlsx", "-o", str(path), "--db", db)
    assert code == 2 and path.read_bytes() == b"keep me"
    assert err.count("\n") == 1 and "--force" in err and str(path) in err
    code, _, err = run(capsys, "export", "--format", "xlsx", "-o", str(path), "--db", db, "--force")
    assert code == 0, err
    assert path.read_bytes().startswith(b"PK")
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]


def test_export_never_overwrites_the_store_and_checks_the_suffix(db: str, capsys, sha) -> None:
    before = sha(db)
    code, _, err = run(capsys, "export", "--format", "json", "-o", db, "--db", db, "--force")
    assert code == 2 and sha(db) == before and "dữ liệu" in err
    code, _, err = run(capsys, "export", "--format", "csv", "-o", db + ".xlsx", "--db", db)
    assert code == 2 and "xlsx" in err
    code, _, err = run(capsys, "export", "-o", db + ".txt", "--db", db)
    assert code == 2 and "--format" in err


def test_export_to_stdout(db: str, capsys) -> None:
    code, out, _ = run(capsys, "export", "--format", "json", "-o", "-", "--db", db)
    assert code == 0 and json.loads(out)["year"] == 2020


def test_exported_text_cannot_run_as_a_formula(db: str, tmp_path: Path, capsys) -> None:
    s = Store(db)
    s.rename_unit("krong_no", '=HYPERLINK("http://x","bấm")')
    s.set_task_status(1, "krong_no", TaskState.DONE, note="+1 gọi", )
    s.set_task_status(1, "nam_ka", TaskState.DONE, note="@cmd")
    s.set_task_status(1, "ea_rbin", TaskState.DONE, note="-2+3")
    export(capsys, db, "csv", tmp_path / "e.csv", 2021)
    export(capsys, db, "xlsx", tmp_path / "e.xlsx", 2021)
    content = (tmp_path / "e.csv").read_text(encoding="utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(content)) for c in row]
    assert not any(c[:1] in ("=", "+", "-", "@") for c in cells if c)
    assert "'=HYPERLINK(\"http://x\",\"bấm\")" in cells and "'+1 gọi" in cells and "'-2+3" in cells
    wb = openpyxl.load_workbook(tmp_path / "e.xlsx")
    risky = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert risky and all(c.data_type == "s" and c.quotePrefix for c in risky)
    assert not [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    # And the notes come back exactly, apostrophes taken off.
    fresh = tmp_path / "fresh.json"
    Store(fresh)
    for fmt in ("csv", "xlsx"):
        code, _, err = run(capsys, "import", str(tmp_path / f"e.{fmt}"), "--db", str(fresh))
        assert code == 0, err
        task = Store(fresh).snapshot().task(1)
        assert [task.status(u).note for u in ("krong_no", "nam_ka", "ea_rbin")] == ["+1 gọi", "@cmd", "-2+3"]


# --- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_then_import_into_a_fresh_store_gives_the_same_data(fmt: str, tmp_path: Path, capsys) -> None:
    a = edited_store(tmp_path / "a.json")
    for year in (2020, 2021):
        export(capsys, str(a.path), fmt, tmp_path / f"e{year}.{fmt}", year)
    b_path = tmp_path / "b.json"
    Store(b_path)
    capsys.readouterr()
    assert data_of(Store(b_path)) != data_of(a)
    for year in (2020, 2021):
        code, out, err = run(capsys, "import", str(tmp_path / f"e{year}.{fmt}"), "--db", str(b_path))
        assert code == 0, err
    assert data_of(Store(b_path)) == data_of(a)
    # Importing the same files again changes nothing.
    code, out, _ = run(capsys, "import", str(tmp_path / f"e2020.{fmt}"), "--db", str(b_path))
    assert code == 0 and out.strip() == "0 số liệu, 0 chỉ tiêu, 0 trạng thái nhiệm vụ thay đổi; 256 không đổi"


def test_import_summary_dry_run_and_audit(db: str, tmp_path: Path, capsys, sha) -> None:
    path = tmp_path / "e.xlsx"
    export(capsys, db, "xlsx", path, 2020)
    wb = openpyxl.load_workbook(path)
    ws = wb["Số liệu"]
    rows = {(r[1].value, r[3].value): r for r in ws.iter_rows(min_row=2)}
    rows[("krong_no", "members")][6].value = 126
    rows[("nam_ka", "fund")][6].value = "62,5 triệu"
    rows[("nam_ka", "fund")][7].value = "khoảng"
    rows[("lien_son", "loans")][6].value = None  # emptied, and marked: not reported
    rows[("lien_son", "loans")][8].value = "chưa báo cáo"
    tws = wb["Chỉ tiêu"]
    trow = {(r[1].value, r[3].value): r for r in tws.iter_rows(min_row=2)}
    trow[("krong_no", "members")][6].value = "130"
    wb.save(path)
    before = sha(db)
    code, out, err = run(capsys, "import", str(path), "--dry-run", "--db", db)
    assert code == 0, err
    assert sha(db) == before
    assert out.splitlines()[-1] == ("Chạy thử, không ghi gì: 3 số liệu, 1 chỉ tiêu, 0 trạng thái nhiệm vụ "
                                    "thay đổi; 252 không đổi")
    assert "Xã Krông Nô · Số hội viên 2020: 120 (số liệu mẫu) → 126" in out
    code, out, err = run(capsys, "import", str(path), "--db", db)
    assert code == 0, err
    assert out.splitlines()[-1].startswith("3 số liệu, 1 chỉ tiêu, 0 trạng thái nhiệm vụ thay đổi; 252 không đổi")
    snap = Store(db).snapshot()
    assert snap.reading("nam_ka", "fund", 2020).value == 62_500_000
    assert snap.reading("nam_ka", "fund", 2020).qualifier is Qualifier.ABOUT
    assert not snap.reading("lien_son", "loans", 2020).reported
    assert snap.target("krong_no", "members", 2020).value == 130
    log = Store(db).log_entries()
    assert len(log) == 4 and all(e.target.get("via") == "import" and e.user for e in log)
    code, out, _ = run(capsys, "log", "--db", db)
    assert "Số hội viên 2020: 120 → 126" in out
    # An imported change can be undone like any other.
    code, _, err = run(capsys, "undo", "--db", db)
    assert code == 0, err


def test_confirming_sample_figures_clears_the_sample_mark(db: str, tmp_path: Path, capsys) -> None:
    path = tmp_path / "e.xlsx"
    export(capsys, db, "xlsx", path)
    wb = openpyxl.load_workbook(path)
    for row in wb["Số liệu"].iter_rows(min_row=2):
        if row[1].value == "krong_no":
            row[9].value = None  # "Số liệu mẫu" emptied: these are now real figures
    wb.save(path)
    code, out, err = run(capsys, "import", str(path), "--db", db)
    assert code == 0, err
    assert out.splitlines()[-1].startswith("10 số liệu, 0 chỉ tiêu")
    snap = Store(db).snapshot()
    assert not snap.reading("krong_no", "members", 2020).sample
    assert snap.reading("krong_no", "members", 2020).value == 120
    assert snap.reading("nam_ka", "members", 2020).sample


def test_csv_resaved_by_a_spreadsheet_still_imports(db: str, tmp_path: Path, capsys) -> None:
    """Semicolons, no BOM, an English decimal point, Vietnamese grouping: all read."""
    lines = ["Phần;Năm;Mã đơn vị;Mã chỉ tiêu;Giá trị;Ước lượng;Trạng thái",
             "Số liệu;2020;lien_son;canal_km;0.35;;",
             "Số liệu;2020;krong_no;land_m2;1.600;trên;đã báo cáo",
             "Số liệu;2020;krong_no;loans;2,6 tỷ;;"]
    path = tmp_path / "back.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    code, out, err = run(capsys, "import", str(path), "--db", db)
    assert code == 0, err
    snap = Store(db).snapshot()
    assert snap.reading("lien_son", "canal_km", 2020).value == 0.35
    assert snap.reading("krong_no", "land_m2", 2020) .value == 1600
    assert snap.reading("krong_no", "land_m2", 2020).qualifier is Qualifier.OVER
    assert snap.reading("krong_no", "loans", 2020).value == 2_600_000_000


def test_nfd_text_is_normalised_and_still_matches(db: str, tmp_path: Path, capsys) -> None:
    nfd = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
    lines = ["Phần,Năm,Đơn vị,Chỉ tiêu,Giá trị,Mã nhiệm vụ,Trạng thái,Ghi chú",
             f"{nfd('Số liệu')},2020,{nfd('Thị trấn Liên Sơn')},{nfd('Số hội viên')},111,,,",
             f"{nfd('Nhiệm vụ')},2021,{nfd('Xã Ea R’Bin')},,,4,{nfd('hoàn thành')},{nfd('Đã xong đợt một')}"]
    path = tmp_path / "nfd.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    code, out, err = run(capsys, "import", str(path), "--db", db)
    assert code == 0, err
    snap = Store(db).snapshot()
    assert snap.reading("lien_son", "members", 2020).value == 111
    st = snap.task(4).status("ea_rbin")
    assert st.state is TaskState.DONE and st.note == "Đã xong đợt một"
    assert unicodedata.is_normalized("NFC", st.note)


# --- refusals: the cell named, nothing written ------------------------------------------------


def _xlsx_with(db: str, tmp_path: Path, capsys, edit) -> Path:  # noqa: ANN001
    path = tmp_path / "back.xlsx"
    if not path.exists():
        export(capsys, db, "xlsx", path, 2020)
    wb = openpyxl.load_workbook(path)
    edit(wb)
    wb.save(path)
    return path


def _refused(capsys, db: str, path: Path, sha, *extra: str) -> str:
    before = sha(db)
    code, out, err = run(capsys, "import", str(path), "--db", db, *extra)
    assert code == 3, (out, err)
    assert sha(db) == before  # byte-identical: nothing written
    assert "Traceback" not in err and "\x1b" not in err
    assert "dữ liệu không thay đổi" in err.splitlines()[-1]
    return err


def test_text_in_a_numeric_cell_names_the_cell(db: str, tmp_path: Path, capsys, sha) -> None:
    def edit(wb):  # noqa: ANN001, ANN202
        wb["Số liệu"]["G3"] = "mười hai"
        wb["Chỉ tiêu"]["G4"] = "abc"
    err = _refused(capsys, db, _xlsx_with(db, tmp_path, capsys, edit), sha)
    assert "Số liệu!G3 (Giá trị): 'mười hai' không phải là số" in err
    assert "Chỉ tiêu!G4 (Kế hoạch): 'abc' không phải là số" in err


def test_formulas_are_refused_not_evaluated(db: str, tmp_path: Path, capsys, sha) -> None:
    def edit(wb):  # noqa: ANN001, ANN202
        wb["Số liệu"]["G2"] = "=5+5"
        wb["Số liệu"]["I5"] = "=IF(1,\"đã báo cáo\")"
    err = _refused(capsys, db, _xlsx_with(db, tmp_path, capsys, edit), sha)
    assert "Số liệu!G2 (Giá trị): công thức '=5+5' không được chấp nhận" in err
    assert "Số liệu!I5 (Trạng thái): công thức" in err
    csv_path = tmp_path / "f.csv"
    csv_path.write_text("Phần,Năm,Mã đơn vị,Mã chỉ tiêu,Giá trị\nSố liệu,2020,krong_no,members,=1+2\n",
                        encoding="utf-8")
    err = _refused(capsys, db, csv_path, sha)
    assert "dòng 2, cột E (Giá trị): công thức '=1+2'" in err


def test_missing_and_wrong_columns(db: str, tmp_path: Path, capsys, sha) -> None:
    def edit(wb):  # noqa: ANN001, ANN202
        wb["Số liệu"]["G1"] = "Gia tri X"  # renamed: the value column is gone
        wb["Chỉ tiêu"]["B1"] = None
        wb["Chỉ tiêu"]["C1"] = None  # no unit at all
    err = _refused(capsys, db, _xlsx_with(db, tmp_path, capsys, edit), sha)
    assert "Số liệu!1: thiếu cột «Giá trị»" in err
    assert "Chỉ tiêu!1: thiếu cột «Mã đơn vị» hoặc «Đơn vị»" in err
    csv_path = tmp_path / "nosection.csv"
    csv_path.write_text("Năm,Mã đơn vị,Mã chỉ tiêu,Giá trị\n2020,krong_no,members,5\n", encoding="utf-8")
    err = _refused(capsys, db, csv_path, sha)
    assert "thiếu cột «Phần»" in err
    dup = tmp_path / "dupcol.csv"
    dup.write_text("Phần,Năm,Mã đơn vị,Mã chỉ tiêu,Giá trị,Giá trị\nSố liệu,2020,krong_no,members,5,6\n",
                   encoding="utf-8")
    err = _refused(capsys, db, dup, sha)
    assert "dòng 1, cột F: cột «Giá trị» bị lặp" in err


def test_duplicate_rows_unknown_units_and_every_problem_listed(db: str, tmp_path: Path, capsys, sha) -> None:
    lines = ["Phần,Năm,Mã đơn vị,Đơn vị,Mã chỉ tiêu,Giá trị,Mã nhiệm vụ,Trạng thái",
             "Số liệu,2020,krong_no,,members,121,,",
             "Số liệu,2020,,Xã Krông Nô,members,122,,",  # the same figure again, by name
             "Số liệu,2020,,Krong Noo,fund,5,,",  # a typo: the closest unit is suggested
             "Số liệu,2020,nam_ka,,members,-4,,",
             "Số liệu,2020,nam_ka,,new_membrs,4,,",
             "Số liệu,1800,nam_ka,,branches,4,,",
             "Nhiệm vụ,2021,krong_no,,,,99,xong",
             "Nhiệm vụ,2021,krong_no,,,,1,làm rồi",
             "Tổng kết,2020,krong_no,,members,1,,",
             "Số liệu,2020,lien_son,,members," + "9" * 400 + ",,"]
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    err = _refused(capsys, db, path, sha)
    assert "dòng 3, cột C (Mã đơn vị)" not in err
    assert "dòng 3, cột F (Giá trị): dòng trùng: Xã Krông Nô · Số hội viên 2020 đã có ở dòng 2" in err
    assert "dòng 4, cột D (Đơn vị): Không có đơn vị 'Krong Noo'. Có phải: Xã Krông Nô?" in err
    assert "dòng 5, cột F (Giá trị): Số hội viên (số liệu): không được là số âm" in err
    assert "dòng 6, cột E (Mã chỉ tiêu): Không có chỉ tiêu 'new_membrs'. Có phải: new_members" in err
    assert "dòng 7, cột B (Năm): năm 1800 nằm ngoài" in err
    assert "dòng 8, cột G (Mã nhiệm vụ): không có nhiệm vụ số 99" in err
    assert "dòng 9, cột H (Trạng thái): không hiểu 'làm rồi'" in err
    assert "dòng 10, cột A (Phần): không rõ phần 'Tổng kết'" in err
    assert "dòng 11, cột F (Giá trị): '99999" in err and "' quá lớn" in err
    assert err.splitlines()[-1] == "Không nhập bad.csv: 9 lỗi; dữ liệu không thay đổi."


def test_cross_field_rules_over_the_whole_import(db: str, tmp_path: Path, capsys, sha) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Phần,Năm,Mã đơn vị,Mã chỉ tiêu,Giá trị\nSố liệu,2020,krong_no,new_members,500\n",
                    encoding="utf-8")
    err = _refused(capsys, db, path, sha)
    assert "dòng 2, cột E (Giá trị): Kết nạp hội viên mới (500) không thể lớn hơn số hội viên (120)" in err


def test_year_must_match_and_status_agrees_with_the_value(db: str, tmp_path: Path, capsys, sha) -> None:
    path = tmp_path / "y.csv"
    path.write_text("Phần,Năm,Mã đơn vị,Mã chỉ tiêu,Giá trị,Trạng thái\n"
                    "Số liệu,2021,krong_no,members,5,\n"
                    "Số liệu,,krong_no,fund,7,chưa báo cáo\n"
                    "Số liệu,,krong_no,loans,,đã báo cáo\n", encoding="utf-8")
    err = _refused(capsys, db, path, sha, "--year", "2020")
    assert "dòng 2, cột B (Năm): năm 2021 khác với --year 2020" in err
    assert "dòng 3, cột E (Giá trị): Quỹ hội: chưa báo cáo thì không được có giá trị" in err
    # A value emptied while the row still says "đã báo cáo" is refused rather than guessed at.
    assert "dòng 4, cột E (Giá trị): Dư nợ vốn vay Ngân hàng CSXH: đã báo cáo thì phải có giá trị" in err


def test_a_huge_file_is_refused_before_it_is_read(db: str, tmp_path: Path, capsys, sha) -> None:
    big = tmp_path / "big.csv"
    with big.open("wb") as f:
        f.write("Phần,Năm,Mã đơn vị,Mã chỉ tiêu,Giá trị\n".encode())
        f.truncate(limits.MAX_BYTES + 1)
    err = _refused(capsys, db, big, sha)
    assert "quá lớn" in err and "10,0 MB" in err
    big_x = tmp_path / "big.xlsx"
    big_x.write_bytes(b"PK" + b"\0" * (limits.MAX_BYTES + 10))
    assert "quá lớn" in _refused(capsys, db, big_x, sha)
    many = tmp_path / "many.csv"
    row = "Số liệu,2020,krong_no,members,1\n"
    many.write_text("Phần,Năm,Mã đơn vị,Mã chỉ tiêu,Giá trị\n" + row * (limits.MAX_ROWS + 5), encoding="utf-8")
    assert many.stat().st_size < limits.MAX_BYTES
    err = _refused(capsys, db, many, sha)
    assert "quá 50.000 dòng" in err


def test_xlsx_many_rows_and_zip_bombs_are_refused(db: str, tmp_path: Path, capsys, sha, monkeypatch) -> None:
    from ccb_tui.core.exchange import limits
    monkeypatch.setattr(limits, "MAX_ROWS", 30)
    path = tmp_path / "e.xlsx"
    export(capsys, db, "xlsx", path)
    assert "quá 30 dòng" in _refused(capsys, db, path, sha)
    monkeypatch.setattr(limits, "MAX_ROWS", 50_000)
    monkeypatch.setattr(limits, "MAX_UNPACKED", 1000)
    assert "khi giải nén quá lớn" in _refused(capsys, db, path, sha)


def test_not_a_spreadsheet(db: str, tmp_path: Path, capsys, sha) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a zip", encoding="utf-8")
    assert "không phải tệp XLSX" in _refused(capsys, db, fake, sha)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"Ph\xe2n,N\xe3m\nS\xf4 li\xea\xf2u,2020\n")  # a legacy 8-bit code page
    assert "không phải UTF-8" in _refused(capsys, db, latin, sha)
    code, _, err = run(capsys, "import", str(tmp_path / "missing.xlsx"), "--db", db)
    assert code == 2 and "Không có tệp" in err
    other = tmp_path / "x.ods"
    other.write_text("x", encoding="utf-8")
    code, _, err = run(capsys, "import", str(other), "--db", db)
    assert code == 2 and ".xlsx" in err


# --- conflict safety and the store's batch --------------------------------------------------------


def test_import_is_conditional_on_the_snapshot_it_was_checked_against(db: str, tmp_path: Path, capsys, sha) -> None:
    path = tmp_path / "c.csv"
    path.write_text("Phần,Năm,Mã đơn vị,Mã chỉ tiêu,Giá trị\nSố liệu,2020,krong_no,members,130\n"
                    "Số liệu,2020,nam_ka,members,115\n", encoding="utf-8")
    store = Store(db, user="importer")
    plan = importer.plan_import(store.snapshot(), path)
    assert plan.count("value") == 2
    Store(db, user="bob").set_value("krong_no", "members", 2020, 121)  # meanwhile, in another session
    before = sha(db)
    with pytest.raises(ConflictError) as info:
        importer.apply_plan(store, plan)
    assert info.value.exit_code == 4 and "121" in info.value.msg.vi
    assert sha(db) == before  # all or nothing: nam_ka was not written either
    assert Store(db).snapshot().reading("nam_ka", "members", 2020).value == 110


def test_apply_batch_is_all_or_nothing_and_audited(db: str, sha) -> None:
    store = Store(db, user="carol")
    before = sha(db)
    good = ("value", "krong_no", "members", 2020, Reading(130), ANY)
    bad = ("value", "nam_ka", "new_members", 2020, Reading(999), ANY)  # more than its members
    with pytest.raises(InvalidValue):
        store.apply_batch([good, bad])
    assert sha(db) == before
    rev = store.apply_batch([good, ("target", "nam_ka", "members", 2020, 120, None),
                             ("task", 1, "ea_rbin", TaskState.DOING, "đang làm", ANY),
                             ("value", "lien_son", "fund", 2020, NOT_REPORTED, ANY)])
    snap = store.snapshot()
    assert rev == snap.revision
    assert snap.reading("krong_no", "members", 2020).value == 130
    assert snap.target("nam_ka", "members", 2020).value == 120
    assert snap.task(1).status("ea_rbin").state is TaskState.DOING
    assert snap.reading("lien_son", "fund", 2020).status is Status.NOT_REPORTED
    log = store.log_entries()
    assert [e.action for e in log] == ["set_value", "set_target", "set_task_status", "set_value"]
    assert all(e.user == "carol" and e.target["via"] == "import" for e in log)
    assert store.apply_batch([]) == snap.revision  # nothing to do: nothing written


def test_import_commands_stay_headless(db: str, tmp_path: Path) -> None:
    p = str(tmp_path / "h.xlsx")
    snippet = ("import sys, json, contextlib, io\nfrom ccb_tui import cli\n"
               f"for argv in [['export','-o',{p!r}], ['import',{p!r},'--dry-run'], "
               f"['report','-o',{p + '.md'!r}], ['serve','--host','8.8.8.8']]:\n"
               "    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
               f"        cli.main(argv + ['--db', {db!r}])\n"
               "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
               "('textual','rich','plotext','textual_plotext','textual_serve'))))")
    done = subprocess.run([sys.executable, "-c", snippet], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


# --- the TUI's export key ---------------------------------------------------------------------


async def test_export_dialog_writes_and_asks_before_overwriting(db_path: Path, tmp_path: Path) -> None:
    from textual.widgets import Button, Input, Select

    from ccb_tui.ui.app import create_app
    from ccb_tui.ui.screens.export import ExportDialog

    Store(db_path)
    app = create_app(db_path, poll=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        dialog.folder = tmp_path
        dialog.query_one("#format", Select).value = "csv"
        await pilot.pause()
        field = dialog.query_one("#path", Input)
        assert field.value == "ccb-2020.csv"  # the suffix follows the format
        await pilot.press("enter")
        await pilot.pause()
        out = tmp_path / "ccb-2020.csv"
        assert out.read_bytes().startswith(b"\xef\xbb\xbf")
        assert not isinstance(app.screen, ExportDialog)
        out.write_bytes(b"old")
        await pilot.press("x")
        await pilot.pause()
        dialog = app.screen
        dialog.folder = tmp_path
        dialog.query_one("#format", Select).value = "csv"
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert out.read_bytes() == b"old"  # not overwritten: asked first
        assert str(dialog.query_one("#export", Button).label) == "Ghi đè"
        await pilot.click("#export")
        await pilot.pause()
        assert out.read_bytes().startswith(b"\xef\xbb\xbf")
        assert any("Đã xuất năm 2020" in n.message for n in app._notifications)
