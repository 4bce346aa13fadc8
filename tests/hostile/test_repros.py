"""The repros of the "Hostile inputs" issue, each failing before the bounded reader.

1. A 28 KB XLSX (1,000 rows × 10 cells pointing at one 100 KB shared string) ran for minutes and
   grew without bound; a 9.9 MB CSV cell was echoed whole on stderr.
4. 12 of 23 malformed XLSX files ended in a traceback (exit 1); a workbook whose <dimension>
   claimed 999,999 rows was refused although it had 2.
"""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

import adversarial as adv
from hosthelp import check_import, digest, run_cli, run_process

from ccb_tui.core.store import Store


@pytest.fixture
def db(db_path: Path) -> Path:
    Store(db_path, user="tester")
    return db_path


def one_line_refusal(path: Path, db: Path, tally, kind: str) -> str:
    code, err = check_import(path, db, kind, tally)
    assert code == 3, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


# --- 1: bounded work, short messages -----------------------------------------------------------

@pytest.mark.timeout(60)
@pytest.mark.parametrize("length", [100_000, 530_000])
def test_shared_string_bomb_is_refused_at_once_naming_the_cell(db: Path, tmp_path: Path, tally, length: int) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(adv.shared_string_bomb(length=length))
    assert path.stat().st_size < 30_000
    start = time.perf_counter()
    line = one_line_refusal(path, db, tally, "repro: shared-string bomb")
    assert time.perf_counter() - start < 5
    assert line.startswith("Số liệu!A2: ô dài ") and "tối đa 2.000" in line
    assert len(line) < 250  # the cell is quoted in 80 characters, not 100,000


@pytest.mark.timeout(120)
def test_shared_string_bomb_as_a_process_stays_small(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(adv.shared_string_bomb())
    wrapper = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True);"
               "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-c", wrapper, sys.executable, "-m", "ccb_tui", "--db", str(db),
                          "import", str(path), "--dry-run"], capture_output=True, text=True, timeout=60)
    code, rss_kb = map(int, out.stdout.split())
    assert code == 3
    assert rss_kb < 300 * 1024


def test_a_huge_csv_cell_is_not_echoed(db: Path, tmp_path: Path, tally) -> None:
    path = tmp_path / "huge.csv"
    path.write_bytes(adv.csv_huge_cell())
    line = one_line_refusal(path, db, tally, "repro: 9.9 MB CSV cell")
    assert len(line.encode()) < 300
    # A long cell that is not a whole line's worth: refused by its own length, quoted in 80 characters.
    path.write_bytes(adv.csv_huge_unit())
    line = one_line_refusal(path, db, tally, "repro: 120 KB CSV cell")
    assert line.startswith("dòng 2, cột C: ô dài 120.000 ký tự")
    assert "q" * 80 + "…" in line and "q" * 81 not in line


def test_unknown_unit_text_is_quoted_short(db: Path, tmp_path: Path, tally) -> None:
    path = tmp_path / "unit.csv"
    path.write_text(adv.CSV_HEAD + "Số liệu,2020," + "Nam Ka " * 250 + ",members,1,\n", encoding="utf-8")
    code, err = check_import(path, db, "repro: long unit name", tally)
    assert code == 3
    assert max(len(line) for line in err.splitlines()) < 300


def test_many_bad_rows_stop_after_200_problems(db: Path, tmp_path: Path, tally) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(adv.csv_many_rows(5_000))
    start = time.perf_counter()
    code, err = check_import(path, db, "repro: many bad rows", tally)
    assert code == 3 and time.perf_counter() - start < 10
    assert "dừng lại sau 200 lỗi đầu tiên" in err


# --- 4: malformed workbooks end as one line, exit 3 ---------------------------------------------

def _export(db: Path, tmp_path: Path) -> bytes:
    path = tmp_path / "e.xlsx"
    code, _, err = run_cli(["--db", str(db), "export", "-o", str(path)])
    assert code == 0, err
    return path.read_bytes()


def _rezip(data: bytes, change) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = change(info.filename, src.read(info))
            if body is not None:
                z.writestr(info.filename, body)
    return buf.getvalue()


def _sheet_edit(old: bytes, new: bytes, member: str = "xl/worksheets/sheet1.xml", count: int = 1):
    def change(name: str, body: bytes) -> bytes:
        if name == member:
            assert old in body, (old, body[:300])
            return body.replace(old, new, count)
        return body
    return change


def _member_offset(data: bytes, member: str) -> int:
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    name_len, extra_len = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little"), \
        int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    return info.header_offset + 30 + name_len + extra_len


def malformed(real: bytes) -> dict[str, bytes]:
    """The 23 kinds of damaged workbook of the issue (and a few more)."""
    out: dict[str, bytes] = {}
    sheet = "xl/worksheets/sheet1.xml"  # "Số liệu"; G is "Giá trị"
    start = _member_offset(real, sheet)
    info = zipfile.ZipFile(io.BytesIO(real)).getinfo(sheet)
    bad = bytearray(real)
    bad[start + info.compress_size // 2] ^= 0x55
    out["bad CRC or corrupt deflate (one byte)"] = bytes(bad)
    bad = bytearray(real)
    bad[start:start + 40] = b"\xff" * 40
    out["corrupt deflate stream"] = bytes(bad)
    out["truncated zip"] = real[: len(real) // 2]
    out["truncated at the end"] = real[:-30]
    out["malformed sheet XML"] = _rezip(real, _sheet_edit(b"</row>", b"</rowx>"))
    out["sheet XML cut short"] = _rezip(real, lambda n, b: b[: len(b) // 2] if n == sheet else b)
    out["not XML at all"] = _rezip(real, lambda n, b: b"\x00\x01garbage" if n == sheet else b)
    out["bad cell reference"] = _rezip(real, _sheet_edit(b'r="A2"', b'r="2A"'))
    out["cell reference past XFD"] = _rezip(real, _sheet_edit(b'r="A2"', b'r="ZZZ2"'))
    out["row number 0"] = _rezip(real, _sheet_edit(b'<row r="2"', b'<row r="0"'))
    out["row number text"] = _rezip(real, _sheet_edit(b'<row r="2"', b'<row r="two"'))
    unit = b'<c r="B2" t="inlineStr"><is><t>krong_no</t></is></c>'
    out["shared string index out of range"] = _rezip(real, _sheet_edit(unit, b'<c r="B2" t="s"><v>999</v></c>'))
    out["shared string index not a number"] = _rezip(real, _sheet_edit(unit, b'<c r="B2" t="s"><v>x</v></c>'))
    value = b'<c r="G2" s="4" t="n"><v>10</v></c>'
    for what, v in (("text", b"abc"), ("NaN", b"NaN"), ("inf", b"inf"), ("1e400", b"1e400"), ("-1e400", b"-1e400")):
        out[f't="n" holding {what}'] = _rezip(real, _sheet_edit(value, b'<c r="G2" s="4" t="n"><v>' + v + b'</v></c>'))
    out['t="d" garbage'] = _rezip(real, _sheet_edit(value, b'<c r="G2" t="d"><v>2020-13-45T99</v></c>'))
    out['t="b" garbage'] = _rezip(real, _sheet_edit(value, b'<c r="G2" t="b"><v>7</v></c>'))
    out["unknown cell type"] = _rezip(real, _sheet_edit(value, b'<c r="G2" t="zz"><v>7</v></c>'))
    out["a formula"] = _rezip(real, _sheet_edit(value, b'<c r="G2"><f>SUM(A1:A9)</f><v>10</v></c>'))
    out["date serial out of range"] = _rezip(real, _sheet_edit(value, b'<c r="G2" s="3" t="n"><v>1e300</v></c>'))
    out["DTD entity expansion"] = _rezip(real, lambda n, b: (
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>' + b
        ).replace(b"<t>krong_no", b"<t>&b;krong_no") if n == sheet else b)
    out["external entity"] = _rezip(real, lambda n, b: (
        b'<!DOCTYPE w [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + b) if n == sheet else b)
    out["workbook.xml missing"] = _rezip(real, lambda n, b: None if n == "xl/workbook.xml" else b)
    out["sheet part missing"] = _rezip(real, lambda n, b: None if n == sheet else b)
    out["workbook.xml malformed"] = _rezip(real, lambda n, b: b[:-20] if n == "xl/workbook.xml" else b)
    out["rels malformed"] = _rezip(real, lambda n, b: b"<Relationships" if n == "xl/_rels/workbook.xml.rels" else b)
    out["deep nesting"] = _rezip(real, _sheet_edit(b"<sheetData>", b"<sheetData>" + b"<x>" * 5000 + b"</x>" * 5000))
    out["encrypted-looking member"] = _flag_encrypted(real, sheet)
    return out


def _flag_encrypted(data: bytes, member: str) -> bytes:
    """Set the 'encrypted' flag of a member (zipfile then asks for a password: RuntimeError)."""
    out = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    out[info.header_offset + 6] |= 1
    pos = out.find(b"PK\x01\x02")
    while pos >= 0:
        n_len = int.from_bytes(out[pos + 28:pos + 30], "little")
        if bytes(out[pos + 46:pos + 46 + n_len]) == member.encode():
            out[pos + 8] |= 1
        pos = out.find(b"PK\x01\x02", pos + 4)
    return bytes(out)


def test_malformed_workbooks_end_in_one_line_exit_3(db: Path, tmp_path: Path, tally) -> None:
    real = _export(db, tmp_path)
    cases = malformed(real)
    assert len(cases) >= 23
    for name, data in cases.items():
        path = tmp_path / "m.xlsx"
        path.write_bytes(data)
        code, err = check_import(path, db, "repro: malformed XLSX", tally)
        if code != 3:
            pytest.fail(f"{name}: exit {code}\n{err}")
        lines = err.strip().splitlines()
        # A structural refusal is one line; a damaged cell value is one problem line plus the total.
        assert len(lines) <= 2, (name, err)


def test_malformed_workbooks_as_processes(db: Path, tmp_path: Path, tally) -> None:
    real = _export(db, tmp_path)
    cases = malformed(real)
    for name in ("bad CRC or corrupt deflate (one byte)", "malformed sheet XML", 't="n" holding NaN',
                 "DTD entity expansion", "shared string index out of range"):
        path = tmp_path / "p.xlsx"
        path.write_bytes(cases[name])
        code, err = check_import(path, db, "repro: malformed XLSX (process)", tally, process=True)
        assert code == 3, (name, err)


def test_entities_are_never_expanded(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "laughs.xlsx"
    path.write_bytes(adv.billion_laughs())
    code, _, err = run_cli(["--db", str(db), "import", str(path), "--dry-run"])
    assert code == 3 and "DOCTYPE" in err and "haha" not in err
    path.write_bytes(adv.external_entity())
    code, _, err = run_cli(["--db", str(db), "import", str(path), "--dry-run", "--lang", "en"])
    assert code == 3 and "DOCTYPE" in err and "root:" not in err


def test_a_lying_dimension_is_not_trusted(db: Path, tmp_path: Path, tally) -> None:
    path = tmp_path / "dim.xlsx"
    path.write_bytes(adv.lying_dimension())
    code, err = check_import(path, db, "repro: <dimension> 999,999", tally)
    assert code == 0, err
    # And a dimension claiming fewer rows than there are does not hide the rest.
    body = adv.header_row() + adv.valid_row(2) + adv.valid_row(3, value="mười")
    path.write_bytes(adv.xlsx([("Số liệu", adv.sheet(body, head='<dimension ref="A1:E2"/>'))]))
    code, err = check_import(path, db, "repro: <dimension> too small", tally)
    assert code == 3 and "Số liệu!D3" in err


def test_a_real_import_of_a_refused_file_leaves_the_store(db: Path, tmp_path: Path, tally) -> None:
    before = digest(db)
    for name, build in (("bomb.xlsx", adv.shared_string_bomb), ("huge.csv", adv.csv_huge_cell),
                        ("deep.json", adv.json_deep)):
        path = tmp_path / name
        path.write_bytes(build())
        code, _ = check_import(path, db, "repro: refused, real import", tally, dry_run=False)
        assert code == 3
    assert digest(db) == before


def test_zip_bombs_are_refused_before_inflating(db: Path, tmp_path: Path, tally) -> None:
    for build, expect in ((adv.zip_bomb, "khi giải nén quá lớn"), (adv.lying_zip_bomb, "CRC"),
                          (adv.many_members, "phần bên trong")):
        path = tmp_path / "z.xlsx"
        path.write_bytes(build())
        start = time.perf_counter()
        line = one_line_refusal(path, db, tally, "repro: zip bomb")
        assert expect in line and time.perf_counter() - start < 10


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_refusals_speak_the_language(db: Path, tmp_path: Path, lang: str) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(adv.shared_string_bomb(rows=2))
    code, _, err = run_process(["--db", str(db), "import", str(path), "--dry-run", "--lang", lang])
    assert code == 3
    assert ("the cell holds 100,000 characters" in err) == (lang == "en")
    assert ("ô dài 100.000 ký tự" in err) == (lang == "vi")


# --- the streaming reader still reads what spreadsheet programs write ----------------------------

def test_reader_understands_shared_strings_rich_text_prefixes_and_dates(tmp_path: Path) -> None:
    from datetime import datetime

    from ccb_tui.core.exchange.importer import read_tables

    ns = adv.MAIN_NS
    shared = (f'<x:sst xmlns:x="{ns}"><x:si><x:t>Năm</x:t></x:si><x:si><x:t>Mã đơn vị</x:t></x:si>'
              f'<x:si><x:r><x:t>Mã chỉ </x:t></x:r><x:r><x:t>tiêu</x:t></x:r><x:rPh><x:t>ignored</x:t></x:rPh></x:si>'
              f'<x:si><x:t>Giá trị</x:t></x:si><x:si><x:t>krong_no</x:t></x:si><x:si><x:t>members</x:t></x:si></x:sst>')
    body = (f'<x:worksheet xmlns:x="{ns}"><x:dimension ref="A1:B1"/><x:sheetData>'
            '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c>'
            '<x:c r="C1" t="s"><x:v>2</x:v></x:c><x:c r="D1" t="s"><x:v>3</x:v></x:c></x:row>'
            '<x:row r="3"><x:c r="A3"><x:v>2020</x:v></x:c><x:c t="s"><x:v>4</x:v></x:c><x:c t="s"><x:v>5</x:v></x:c>'
            '<x:c r="D3" s="1"><x:v>44197.5</x:v></x:c></x:row></x:sheetData></x:worksheet>')
    styles = (f'<styleSheet xmlns="{ns}"><cellXfs><xf numFmtId="0"/><xf numFmtId="22"/></cellXfs></styleSheet>')
    data = adv.xlsx([("Số liệu", body)], shared, extra={"xl/styles.xml": styles.encode()})
    data = _rezip(data, lambda n, b: b.replace(b"</Relationships>", f'<Relationship Id="rIdT" Type="{adv.REL_NS}/styles" '
                                               f'Target="styles.xml"/></Relationships>'.encode())
                  if n == "xl/_rels/workbook.xml.rels" else b)
    path = tmp_path / "s.xlsx"
    path.write_bytes(data)
    tables, problems, fmt = read_tables(path)
    assert fmt == "xlsx" and not problems
    (table,) = tables
    assert set(table.columns) == {"year", "unit", "indicator", "value"}
    (row,) = table.rows  # the dimension said one row; row 3 is read all the same
    assert row.number == 3
    assert row.get("year").value == 2020 and row.get("unit").value == "krong_no"
    assert row.get("indicator").value == "members"
    assert row.get("value").kind == "date" and row.get("value").value == datetime(2021, 1, 1, 12, 0)
