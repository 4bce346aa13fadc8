"""Generated hostile files, imported through the real CLI: mutations of a real export (flipped
bytes, truncations, corrupted zip members, edited sheet XML, wrong types, odd numbers and Unicode)
and Hypothesis-built CSV, JSON and XLSX files.

Every file must end with exit 0, 2 or 3 (never a traceback, never exit 1), print no huge line, and
leave the store byte-identical after a refusal and after every ``--dry-run``. The counts are
printed at the end of the session ("hostile import files") and each test asserts its own minimum.
"""

from __future__ import annotations

import io
import json
import random
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import adversarial as adv
from hosthelp import check_import, run_cli

from ccb_tui.core.store import Store

SEED = 20_210_329
N_BYTES = 120  # per format: flipped bytes and truncations
N_XML = 160  # XLSX: edited sheet XML
N_FIELDS = 120  # CSV and JSON: edited fields
HYPOTHESIS = settings(max_examples=120, deadline=None, derandomize=True,
                      suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Text a hostile or merely unlucky file may hold.
ODD_TEXT = [
    "", " ", "=1+1", "=cmd|' /C calc'!A0", "+84 912", "-5", "@SUM(A1)", "'=x", "\t=1",
    "Lie\u0302n So\u031bn",  # NFD
    "\u202eKrông Nô\u202c", "\u200fNam Ka\u200e", "Ea\u200bR'Bin", "\ufeffkrong_no", "krong\u00adno",
    "\x1b]52;c;aGk=\x07", "\x1b[2J", "[b]x[/]", "[@click=app.quit]", "\u0000", "\x7f", "\u2028", "\r\n",
    "𝟙𝟚𝟛", "١٢٣", "１２３", "1.500", "1,5", "6,7 tỷ", "gần 250 triệu", "hàng trăm", "NaN", "nan", "inf",
    "-inf", "Infinity", "1e400", "-1e400", "1e-400", "0x1F", "1_000", "9" * 30, "9" * 5000, "-0", "0.0000001",
    "2020-02-30", "31/12/2020", "44197", "TRUE", "đã báo cáo", "chưa báo cáo", "mẫu", "ĐÃ BÁO CÁO",
    "x" * 1999, "y" * 2001, "Số liệu", "so lieu", "values", "Nhiệm vụ", "tasks", "Chỉ tiêu", "targets",
    "krong_no", "nam_ka", "lien_son", "ea_rbin", "members", "fund", "loans", "canal_km", "branches",
]
ODD_JSON = [None, True, False, 0, -1, 1.5, 10**15, 10**16, -(10**20), 1e308, float("nan"), float("inf"),
            [], {}, [1, 2], {"a": 1}, [[[[]]]], "\ud800", "a\udfffb", "\ud83d\ude00", *ODD_TEXT[:40]]


@pytest.fixture
def db(db_path: Path) -> Path:
    Store(db_path, user="tester")
    return db_path


@pytest.fixture
def exports(db: Path, tmp_path: Path) -> dict[str, bytes]:
    """A real export of the seed in each format, and an edited store so rows differ."""
    out = {}
    for fmt in ("xlsx", "csv", "json"):
        path = tmp_path / f"export.{fmt}"
        code, _, err = run_cli(["--db", str(db), "export", "-o", str(path)])
        assert code == 0, err
        out[fmt] = path.read_bytes()
    return out


def flip(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 12)):
        i = rng.randrange(len(out))
        out[i] = rng.randrange(256) if rng.random() < 0.5 else out[i] ^ (1 << rng.randrange(8))
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data))]


# --- bytes: flips and truncations of every format --------------------------------------------

@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_flipped_and_truncated_exports(fmt: str, db: Path, tmp_path: Path, exports, tally) -> None:
    rng = random.Random(f"{SEED}-{fmt}")
    real = exports[fmt]
    pristine = db.read_bytes()
    n = 0
    for i in range(N_BYTES):
        data = flip(real, rng) if i % 3 else truncate(real, rng)
        path = tmp_path / f"m{i}.{fmt}"
        path.write_bytes(data)
        # Most are dry runs; every fourth is a real import (put back if it was accepted).
        check_import(path, db, f"{fmt}: flipped bytes / truncated", tally, dry_run=i % 4 != 0, pristine=pristine)
        n += 1
    assert n >= N_BYTES


# --- XLSX: corrupted zip members and edited sheet XML ----------------------------------------

def rezip(data: bytes, change) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = change(info.filename, src.read(info))
            if body is not None:
                z.writestr(info.filename, body)
    return buf.getvalue()


def _xml_edits(rng: random.Random) -> list[tuple[bytes, bytes]]:
    """(old, new) byte edits of the "Số liệu" sheet, the kinds a damaged or crafted file has."""
    value = rng.choice(ODD_TEXT).encode("utf-8", "surrogatepass").replace(b"&", b"&amp;").replace(b"<", b"&lt;")
    num = rng.choice([b"NaN", b"inf", b"-inf", b"1e400", b"1e-400", b"abc", b"", b" 12 ", b"9" * 40, b"-0",
                      b"1.5", b"12,5", b"0x10", b"1e5", b"2958466", b"-1", b"60", b"1_0"])
    t = rng.choice([b"n", b"s", b"b", b"d", b"e", b"str", b"inlineStr", b"", b"zz"])
    col = rng.choice([b"A", b"B", b"D", b"G", b"H", b"I", b"J", b"Z", b"XFD", b"XFE", b"AAAA", b"", b"1"])
    row = rng.choice([b"2", b"0", b"-1", b"1048576", b"1048577", b"99999999999", b"x", b"", b"2.5"])
    style = rng.choice([b"0", b"3", b"4", b"99999", b"-1", b"x"])
    return rng.sample([
        (b'<c r="G2" s="4" t="n"><v>10</v></c>', b'<c r="G2" s="4" t="n"><v>' + num + b"</v></c>"),
        (b'<c r="G2" s="4" t="n"><v>10</v></c>', b'<c r="G2" t="' + t + b'"><v>' + num + b"</v></c>"),
        (b'<c r="G2" s="4" t="n">', b'<c r="G2" s="' + style + b'" t="n">'),
        (b'<c r="B2" t="inlineStr"><is><t>krong_no</t></is></c>', b'<c r="B2" t="' + t + b'"><is><t>' + value + b"</t></is><v>" + num + b"</v></c>"),
        (b'<c r="B2" t="inlineStr"><is><t>krong_no</t></is></c>', b'<c r="B2" t="inlineStr"><is><t>' + value + b"</t></is></c>"),
        (b'<c r="I2" t="inlineStr"><is><t>', b'<c r="I2" t="inlineStr"><is><r><t>' + value + b"</t></r><rPh><t>x</t></rPh><t>"),
        (b'r="A2"', b'r="' + col + row + b'"'),
        (b'<row r="3"', b'<row r="' + row + b'"'),
        (b'<row r="2"', b'<row'),
        (b'<c r="G2" s="4" t="n"><v>10</v></c>', b'<c r="G2"><f>' + value + b"</f><v>10</v></c>"),
        (b"</row>", b""),
        (b"<sheetData>", b"<sheetData><row><c><v>1</v></c></row>"),
        (b"</sheetData>", b"<row r=\"" + row + b"\"><c r=\"" + col + b"9\" t=\"" + t + b"\"><v>" + num + b"</v></c></row></sheetData>"),
        (b"<worksheet", b"<!DOCTYPE x [<!ENTITY e \"" + value + b"\">]><worksheet"),
        (b"<t>krong_no</t>", b"<t>&e;</t>"),
        (b"<t>krong_no</t>", b"<t>&#0;</t>"),
        (b"<t>krong_no</t>", b"<t>&#xD800;</t>"),
        (b"<sheetData>", b"<sheetData>" + b"<x>" * rng.choice([10, 70, 1000]) + b"</x>" * 3),
        (b'<dimension ref="', b'<dimension ref="A1:XFD1048576" x="'),
        (b"<t>", b"<t xml:space=\"preserve\">  "),
    ], k=rng.randint(1, 3))


def _broken_members(real: bytes, rng: random.Random) -> bytes:
    names = [i.filename for i in zipfile.ZipFile(io.BytesIO(real)).infolist()]
    victim = rng.choice(names)
    how = rng.choice(["drop", "empty", "garbage", "half", "doctype", "wrong root", "utf16", "bom"])

    def change(name: str, body: bytes) -> bytes | None:
        if name != victim:
            return body
        return {"drop": None, "empty": b"", "garbage": bytes(rng.randrange(256) for _ in range(64)),
                "half": body[: len(body) // 2], "doctype": b"<!DOCTYPE a [<!ENTITY x 'y'>]>" + body,
                "wrong root": b"<a/>", "utf16": body.decode("utf-8").encode("utf-16"),
                "bom": b"\xef\xbb\xbf" + body}[how]
    return rezip(real, change)


def test_edited_workbooks(db: Path, tmp_path: Path, exports, tally) -> None:
    rng = random.Random(f"{SEED}-xml")
    real = exports["xlsx"]
    pristine = db.read_bytes()
    sheet = "xl/worksheets/sheet1.xml"
    for i in range(N_XML):
        edits = _xml_edits(rng)

        def change(name: str, body: bytes, edits=edits) -> bytes:
            if name == sheet:
                for old, new in edits:
                    body = body.replace(old, new, 1 if rng.random() < 0.7 else -1)
            return body
        path = tmp_path / f"x{i}.xlsx"
        path.write_bytes(rezip(real, change))
        check_import(path, db, "xlsx: edited sheet XML", tally, dry_run=i % 4 != 0, pristine=pristine)
    for i in range(N_XML // 2):
        path = tmp_path / f"z{i}.xlsx"
        path.write_bytes(_broken_members(real, rng))
        check_import(path, db, "xlsx: broken zip member", tally)


# --- CSV and JSON: edited fields ---------------------------------------------------------------

def test_edited_csv_and_json(db: Path, tmp_path: Path, exports, tally) -> None:
    rng = random.Random(f"{SEED}-fields")
    pristine = db.read_bytes()
    lines = exports["csv"].decode("utf-8-sig").splitlines(keepends=True)
    for i in range(N_FIELDS):
        rows = list(lines)
        for _ in range(rng.randint(1, 4)):
            r = rng.randrange(len(rows))
            fields = rows[r].rstrip("\r\n").split(",")
            how = rng.random()
            if how < 0.6:
                fields[rng.randrange(len(fields))] = rng.choice(ODD_TEXT).replace("\x00", "")
            elif how < 0.7:
                fields = fields[: rng.randrange(len(fields))]
            elif how < 0.8:
                fields += [rng.choice(ODD_TEXT)] * rng.randint(1, 150)
            elif how < 0.9:
                rows.insert(r, rows[r])  # a duplicated row
            else:
                fields[rng.randrange(len(fields))] = '"' + rng.choice(ODD_TEXT)  # an unclosed quote
            rows[r] = ",".join(fields) + "\n"
        text = "".join(rows)
        data = text.encode("utf-8") if rng.random() < 0.9 else text.replace(",", ";").encode("utf-8-sig")
        path = tmp_path / f"c{i}.csv"
        path.write_bytes(data)
        check_import(path, db, "csv: edited fields", tally, dry_run=i % 4 != 0, pristine=pristine)

    doc = json.loads(exports["json"])
    for i in range(N_FIELDS):
        d = json.loads(json.dumps(doc))
        for _ in range(rng.randint(1, 4)):
            section = rng.choice(["values", "targets", "tasks", "format", "year", "junk"])
            if section in ("format", "year", "junk") or rng.random() < 0.1:
                d[section] = rng.choice(ODD_JSON)
                continue
            items = d.get(section)
            if not isinstance(items, list) or not items:
                continue
            item = rng.choice(items)
            if isinstance(item, dict) and item:
                key = rng.choice([*item, "x" * 50, "\ud800"])
                item[key] = rng.choice(ODD_JSON)
            else:
                items.append(rng.choice(ODD_JSON))
        path = tmp_path / f"j{i}.json"
        path.write_bytes(json.dumps(d, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
                         .replace(b"\xed\xa0\x80", b"\\ud800"))
        check_import(path, db, "json: edited fields", tally, dry_run=i % 4 != 0, pristine=pristine)


# --- Hypothesis ----------------------------------------------------------------------------------

odd_text = st.one_of(st.sampled_from(ODD_TEXT), st.text(max_size=40),
                     st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12))
CSV_COLS = ["Phần", "Năm", "Mã đơn vị", "Đơn vị", "Mã chỉ tiêu", "Giá trị", "Ước lượng", "Trạng thái",
            "Số liệu mẫu", "Kế hoạch", "Mã nhiệm vụ", "Nhiệm vụ", "Ghi chú", "Khác"]


@HYPOTHESIS
@given(header=st.lists(st.sampled_from(CSV_COLS), min_size=1, max_size=10),
       rows=st.lists(st.lists(odd_text, max_size=10), max_size=8),
       delimiter=st.sampled_from([",", ";", "\t"]))
def test_hypothesis_csv(header, rows, delimiter, db: Path, tmp_path: Path, tally) -> None:
    import csv
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter)
    w.writerow(header)
    for r in rows:
        w.writerow([c.replace("\x00", "") for c in r])
    path = tmp_path / "h.csv"
    path.write_text(buf.getvalue(), encoding="utf-8", errors="surrogatepass")
    check_import(path, db, "hypothesis: CSV", tally)


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                         st.sampled_from(ODD_JSON[:20]), odd_text)
json_values = st.recursive(json_scalars, lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=5), kids, max_size=3),
                           max_leaves=8)
json_keys = st.sampled_from(["year", "unit", "unit_name", "indicator", "indicator_name", "value", "qualifier",
                             "status", "sample", "target", "task", "task_title", "note", "x", "\ud800"])


@HYPOTHESIS
@given(items=st.dictionaries(st.sampled_from(["values", "targets", "tasks", "format"]),
                             st.lists(st.dictionaries(json_keys, json_values, max_size=8), max_size=4) | json_values,
                             max_size=4))
def test_hypothesis_json(items, db: Path, tmp_path: Path, tally) -> None:
    doc = {"format": "ccb-tui-export", **items}
    path = tmp_path / "h.json"
    path.write_bytes(json.dumps(doc).encode("ascii"))  # lone surrogates travel as \\ud800 escapes
    check_import(path, db, "hypothesis: JSON", tally)


xml_text = odd_text.map(lambda s: "".join(ch for ch in s if ch in "\t\n\r" or (" " <= ch and ch not in "\ufffe\uffff"
                                                                                and not "\ud800" <= ch <= "\udfff")))
cell = st.tuples(st.sampled_from(["n", "s", "b", "d", "e", "str", "inlineStr", None]),
                 st.one_of(xml_text, st.sampled_from(["0", "1", "2", "99", "-1", "NaN", "1e400", "44197.5"])),
                 st.sampled_from([None, "0", "1", "5"]), st.booleans())


@HYPOTHESIS
@given(rows=st.lists(st.lists(cell, max_size=8), max_size=6), shared=st.lists(xml_text, max_size=4),
       date_style=st.booleans(), title=st.sampled_from(["Số liệu", "Chỉ tiêu", "Nhiệm vụ", "so lieu", "Khác"]))
def test_hypothesis_xlsx(rows, shared, date_style, title, db: Path, tmp_path: Path, tally) -> None:
    from xml.sax.saxutils import escape
    body = adv.header_row()
    for r, cells in enumerate(rows, start=2):
        body += f'<row r="{r}">'
        for c, (t, v, s, formula) in enumerate(cells, start=1):
            attrs = f' r="{adv.col(c)}{r}"' + (f' t="{t}"' if t else "") + (f' s="{s}"' if s else "")
            inner = f"<is><t>{escape(v)}</t></is>" if t == "inlineStr" else f"<v>{escape(v)}</v>"
            body += f"<c{attrs}>" + (f"<f>{escape(v)}</f>" if formula else "") + inner + "</c>"
        body += "</row>"
    extra = {}
    if date_style:
        extra["xl/styles.xml"] = (f'<styleSheet xmlns="{adv.MAIN_NS}"><numFmts><numFmt numFmtId="164" '
                                  f'formatCode="dd/mm/yyyy"/></numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/>'
                                  f'<xf numFmtId="164"/><xf numFmtId="46"/></cellXfs></styleSheet>').encode()
    data = adv.xlsx([(title, adv.sheet(body))], adv.sst([escape(s) for s in shared]), extra=extra)
    if date_style:  # the styles part needs its relationship
        data = rezip(data, lambda n, b: b.replace(b"</Relationships>", f'<Relationship Id="rIdT" Type="{adv.REL_NS}/styles" Target="styles.xml"/></Relationships>'.encode()) if n == "xl/_rels/workbook.xml.rels" else b)
    path = tmp_path / "h.xlsx"
    path.write_bytes(data)
    check_import(path, db, "hypothesis: XLSX", tally)


# --- a few as real processes, and the counts ---------------------------------------------------

def test_some_as_processes(db: Path, tmp_path: Path, exports, tally) -> None:
    rng = random.Random(f"{SEED}-proc")
    for i in range(4):
        for fmt in ("xlsx", "csv", "json"):
            path = tmp_path / f"p{i}.{fmt}"
            path.write_bytes(flip(exports[fmt], rng) if i % 2 else truncate(exports[fmt], rng))
            check_import(path, db, f"{fmt}: flipped/truncated (process)", tally, process=True,
                         lang="en" if i == 3 else None)
    for name in ("long_inline", "huge_number", "json_huge_numbers", "csv_huge_unit"):
        path = tmp_path / f"{name}.{'json' if 'json' in name else 'csv' if 'csv' in name else 'xlsx'}"
        path.write_bytes(getattr(adv, name)())
        check_import(path, db, "adversarial (process)", tally, process=True)


def test_zz_counts(tally) -> None:
    """The tier tried at least this many files (run with -s, or see the end-of-session summary)."""
    tried, outcomes, backstop = tally
    total = sum(tried.values())
    print(f"\nhostile tier: {total} files; " + ", ".join(f"{k}: {v}" for k, v in sorted(tried.items())))
    if _partial_run(tried):
        return
    assert total >= 3 * N_BYTES + N_XML + N_XML // 2 + 2 * N_FIELDS, tried


def _partial_run(tried) -> bool:
    """True when only part of the tier ran (``-k``), so the minimum does not apply."""
    return not all(k in tried for k in ("xlsx: edited sheet XML", "csv: edited fields", "hypothesis: CSV"))
