"""Hostile import files, built in memory: spreadsheet bombs, malformed workbooks, huge CSV/JSON.

Shared by the hostile test tier (``tests/hostile``) and the import benchmark
(``tests/benchmarks/bench_import.py``). Each builder returns the file's bytes; ``ADVERSARIAL``
lists the named files the benchmark times (every one at most ``MAX_BYTES``).
"""

from __future__ import annotations

import io
import struct
import zipfile

from typing import Callable

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
HEADER = ["Năm", "Mã đơn vị", "Mã chỉ tiêu", "Giá trị", "Trạng thái", "Ước lượng", "Số liệu mẫu", "Đơn vị",
          "Chỉ tiêu", "Kế hoạch"]
MB = 1024 * 1024


def col(n: int) -> str:
    """1 -> A."""
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def xlsx(sheets: list[tuple[str, str | bytes]], shared: str | bytes | None = None, *,
         extra: dict[str, bytes] | None = None, workbook: str | None = None,
         level: int = 9) -> bytes:
    """A minimal workbook: ``sheets`` as (name, sheet XML), optional sharedStrings XML."""
    n = len(sheets)
    office = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    ct = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          f'<Override PartName="/xl/workbook.xml" ContentType="{office}.sheet.main+xml"/>'
          + "".join(f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="{office}.worksheet+xml"/>'
                    for i in range(n))
          + (f'<Override PartName="/xl/sharedStrings.xml" ContentType="{office}.sharedStrings+xml"/>'
             if shared is not None else "") + "</Types>")
    rels = (f'<?xml version="1.0"?><Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" '
            f'Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    wb = workbook or (f'<?xml version="1.0"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>'
                      + "".join(f'<sheet name="{name}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                                for i, (name, _) in enumerate(sheets)) + "</sheets></workbook>")
    wbrels = (f'<?xml version="1.0"?><Relationships xmlns="{PKG_REL_NS}">'
              + "".join(f'<Relationship Id="rId{i + 1}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
                        for i in range(n))
              + (f'<Relationship Id="rIdS" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
                 if shared is not None else "") + "</Relationships>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", ct)
        z.writestr("_rels/.rels", rels)
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels", wbrels)
        for i, (_, xml) in enumerate(sheets):
            z.writestr(f"xl/worksheets/sheet{i + 1}.xml", xml)
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", shared)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def sheet(rows: str, head: str = "") -> str:
    return f'<worksheet xmlns="{MAIN_NS}">{head}<sheetData>{rows}</sheetData></worksheet>'


def header_row() -> str:
    return '<row r="1">' + "".join(f'<c r="{col(i + 1)}1" t="inlineStr"><is><t>{h}</t></is></c>'
                                   for i, h in enumerate(HEADER)) + "</row>"


def sst(strings: list[str]) -> str:
    return f'<sst xmlns="{MAIN_NS}">' + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>"


def valid_row(r: int, unit: str = "krong_no", ind: str = "members", value: str = "120") -> str:
    cells = ["2020", unit, ind, value, "đã báo cáo"]
    return f'<row r="{r}">' + "".join(
        f'<c r="{col(i + 1)}{r}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(cells)) + "</row>"


# --- XLSX bombs and oddities ---------------------------------------------------------------

def shared_string_bomb(rows: int = 1000, cols: int = 10, length: int = 100_000) -> bytes:
    """The repro of issue 1: every cell points at one long shared string."""
    body = header_row() + "".join(
        f'<row r="{r}">' + "".join(f'<c r="{col(c)}{r}" t="s"><v>0</v></c>' for c in range(1, cols + 1)) + "</row>"
        for r in range(2, rows + 2))
    return xlsx([("Số liệu", sheet(body))], sst(["x" * length]))


def shared_string_bomb_short(rows: int = 20_000, cols: int = 10, length: int = 1_900) -> bytes:
    """Strings just under the cell limit, referenced over and over: the total-characters budget."""
    body = header_row() + "".join(
        f'<row r="{r}">' + "".join(f'<c t="s"><v>{c % 3}</v></c>' for c in range(cols)) + "</row>"
        for r in range(2, rows + 2))
    return xlsx([("Số liệu", sheet(body))], sst([ch * length for ch in "xyz"]))


def many_empty_cells(n: int = 3_000_000) -> bytes:
    """One huge row of empty cells (openpyxl would build it whole in memory)."""
    return xlsx([("Số liệu", sheet(header_row() + '<row r="2">' + "<c/>" * n + "</row>"))])


def element_flood(n: int = 5_000_000) -> bytes:
    """Millions of unknown elements inside sheetData."""
    return xlsx([("Số liệu", sheet(header_row() + "<x/>" * n))])


def deep_xml(depth: int = 200_000) -> bytes:
    return xlsx([("Số liệu", sheet(header_row() + "<a>" * depth + "</a>" * depth))])


def many_sheets(n: int = 450) -> bytes:
    return xlsx([(f"Số liệu{i}" if i else "Số liệu", sheet(header_row() + valid_row(2))) for i in range(n)])


def many_members(n: int = 5_000) -> bytes:
    return xlsx([("Số liệu", sheet(header_row()))], extra={f"junk/{i}.xml": b"<a/>" for i in range(n)})


def zip_bomb(size: int = 400 * MB) -> bytes:
    """A sheet that unpacks to hundreds of MB (declared in the zip directory)."""
    buf = io.BytesIO()
    base = zipfile.ZipFile(io.BytesIO(xlsx([("Số liệu", sheet(header_row()))])))
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for info in base.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                z.writestr(info.filename, base.read(info))
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(f'<worksheet xmlns="{MAIN_NS}"><sheetData>'.encode())
            chunk = b" " * MB
            for _ in range(size // MB):
                f.write(chunk)
            f.write(b"</sheetData></worksheet>")
    return buf.getvalue()


def lying_zip_bomb(size: int = 200 * MB) -> bytes:
    """A zip whose directory declares a small sheet that really inflates to hundreds of MB."""
    data = bytearray(zip_bomb(size))
    # Patch every "uncompressed size" the central directory and local header give for the sheet.
    name = b"xl/worksheets/sheet1.xml"
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        n_len, e_len, c_len = struct.unpack("<HHH", data[pos + 28:pos + 34])
        fname = bytes(data[pos + 46:pos + 46 + n_len])
        if fname == name:
            extra_start = pos + 46 + n_len
            # zip64 extra: header id 1, then 8-byte sizes
            e = extra_start
            while e < extra_start + e_len:
                hid, hsz = struct.unpack("<HH", data[e:e + 4])
                if hid == 1:
                    data[e + 4:e + 12] = struct.pack("<Q", 1000)
                e += 4 + hsz
            if struct.unpack("<I", data[pos + 24:pos + 28])[0] != 0xFFFFFFFF:
                data[pos + 24:pos + 28] = struct.pack("<I", 1000)
        pos = data.find(b"PK\x01\x02", pos + 4)
    return bytes(data)


def long_inline(length: int = 5 * MB) -> bytes:
    body = header_row() + f'<row r="2"><c r="A2" t="inlineStr"><is><t>{"y" * length}</t></is></c></row>'
    return xlsx([("Số liệu", sheet(body))])


def huge_number() -> bytes:
    body = header_row() + f'<row r="2"><c r="D2"><v>{"9" * 1_000_000}</v></c></row>'
    return xlsx([("Số liệu", sheet(body))])


def too_many_rows(n: int = 60_000) -> bytes:
    return xlsx([("Số liệu", sheet(header_row() + "".join(f'<row r="{r}"/>' for r in range(2, n + 2))))])


def lying_dimension() -> bytes:
    """Two rows, but <dimension> claims 999,999 (refused before; must be read)."""
    return xlsx([("Số liệu", sheet(header_row() + valid_row(2), head='<dimension ref="A1:J999999"/>'))])


def billion_laughs() -> bytes:
    ents = '<!ENTITY a0 "ha">' + "".join(f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    shared = f'<?xml version="1.0"?><!DOCTYPE sst [{ents}]><sst xmlns="{MAIN_NS}"><si><t>&a9;</t></si></sst>'
    body = header_row() + '<row r="2"><c r="B2" t="s"><v>0</v></c></row>'
    return xlsx([("Số liệu", sheet(body))], shared)


def external_entity() -> bytes:
    xml = (f'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
           f'<worksheet xmlns="{MAIN_NS}"><sheetData>{header_row()}'
           f'<row r="2"><c r="B2" t="inlineStr"><is><t>&e;</t></is></c></row></sheetData></worksheet>')
    return xlsx([("Số liệu", xml)])


def styles_flood(n: int = 2_500_000) -> bytes:
    styles = f'<styleSheet xmlns="{MAIN_NS}"><cellXfs>' + '<xf numFmtId="14"/>' * n + "</cellXfs></styleSheet>"
    data = xlsx([("Số liệu", sheet(header_row() + valid_row(2)))])
    # add a styles part and its relationship
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/_rels/workbook.xml.rels":
                body = body.replace(b"</Relationships>", f'<Relationship Id="rIdT" Type="{REL_NS}/styles" '
                                    f'Target="styles.xml"/></Relationships>'.encode())
            z.writestr(info.filename, body)
        z.writestr("xl/styles.xml", styles)
    return buf.getvalue()


# --- CSV ------------------------------------------------------------------------------------

CSV_HEAD = "Phần,Năm,Mã đơn vị,Mã chỉ tiêu,Giá trị,Trạng thái\n"


def csv_huge_cell(size: int = int(9.9 * MB)) -> bytes:
    """The repro of issue 1's stderr echo: a 9.9 MB cell."""
    return (CSV_HEAD + "Số liệu,2020,krong_no,\"" + "z" * size + "\",1,\n").encode()


def csv_huge_unit(size: int = 120_000) -> bytes:
    return (CSV_HEAD + "Số liệu,2020," + "q" * size + ",members,1,\n").encode()


def csv_tiny_rows(size: int = 10 * MB - 100) -> bytes:
    return (CSV_HEAD + "\n" * (size - len(CSV_HEAD))).encode()


def csv_many_rows(n: int = 49_000) -> bytes:
    """Nearly the row limit of plausible rows, each wrong (unknown unit): the problem cap."""
    return (CSV_HEAD + "".join(f"Số liệu,2020,don vi {i},members,{i},\n" for i in range(n))).encode()


def csv_wide(size: int = 10 * MB - 100) -> bytes:
    return (CSV_HEAD + "ab," * ((size - len(CSV_HEAD)) // 3)).encode()


def csv_quoted_chain(size: int = 10 * MB - 100) -> bytes:
    """One record spanning many lines through quoted fields."""
    unit = '"x\n",ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,'
    return (CSV_HEAD + unit * ((size - len(CSV_HEAD)) // len(unit))).encode()


def csv_many_cells(n: int = 320_000) -> bytes:
    rows = n // 25 + 1
    return (CSV_HEAD + ("Số liệu," + ",".join(["1"] * 24) + "\n") * rows).encode()


# --- JSON -----------------------------------------------------------------------------------

def json_head(body: str) -> bytes:
    return ('{"format": "ccb-tui-export", ' + body + "}").encode()


def json_deep(depth: int = 1_000_000) -> bytes:
    return json_head('"values": ' + "[" * depth + "]" * depth)


def json_wide_objects(size: int = 10 * MB - 100) -> bytes:
    return json_head('"values": [' + "{}," * ((size - 60) // 3) + "{}]")


def json_wide_strings(size: int = 10 * MB - 100) -> bytes:
    return json_head('"values": [{"unit": "krong_no", "x": [' + '"ab",' * ((size - 80) // 5) + '"ab"]}]')


def json_long_string(size: int = int(9.9 * MB)) -> bytes:
    return json_head('"values": [{"year": 2020, "unit": "' + "w" * size + '", "indicator": "members", "value": 1}]')


def json_huge_numbers() -> bytes:
    return json_head('"values": [{"year": 2020, "unit": "krong_no", "indicator": "members", "value": 1e400},'
                     '{"year": 2020, "unit": "krong_no", "indicator": "branches", "value": ' + "9" * 4000 + "}]")


def json_many_keys(n: int = 400_000) -> bytes:
    return json_head('"values": [{' + ",".join(f'"k{i}": {i}' for i in range(n)) + "}]")


ADVERSARIAL: dict[str, tuple[str, Callable[[], bytes]]] = {
    "shared-string bomb 100 KB × 10k cells": ("xlsx", shared_string_bomb),
    "shared-string bomb 530 KB": ("xlsx", lambda: shared_string_bomb(length=530_000)),
    "shared strings 1.9k chars × 200k cells": ("xlsx", shared_string_bomb_short),
    "zip bomb 400 MB sheet": ("xlsx", zip_bomb),
    "zip bomb, directory lies": ("xlsx", lying_zip_bomb),
    "one row of 3M empty cells": ("xlsx", many_empty_cells),
    "5M unknown elements": ("xlsx", element_flood),
    "deep XML 200k levels": ("xlsx", deep_xml),
    "450 sheets": ("xlsx", many_sheets),
    "5,000 zip members": ("xlsx", many_members),
    "5 MB inline string": ("xlsx", long_inline),
    "1M-digit number": ("xlsx", huge_number),
    "60k empty rows": ("xlsx", too_many_rows),
    "<dimension> claims 999,999 rows": ("xlsx", lying_dimension),
    "billion laughs (DTD entities)": ("xlsx", billion_laughs),
    "external entity": ("xlsx", external_entity),
    "2.5M styles": ("xlsx", styles_flood),
    "CSV 9.9 MB cell": ("csv", csv_huge_cell),
    "CSV 120 KB unit cell": ("csv", csv_huge_unit),
    "CSV 10M empty lines": ("csv", csv_tiny_rows),
    "CSV 49k bad rows": ("csv", csv_many_rows),
    "CSV one 10 MB row": ("csv", csv_wide),
    "CSV quoted multi-line record": ("csv", csv_quoted_chain),
    "CSV 320k cells": ("csv", csv_many_cells),
    "JSON 1M deep": ("json", json_deep),
    "JSON 3M empty objects": ("json", json_wide_objects),
    "JSON 2M strings": ("json", json_wide_strings),
    "JSON 9.9 MB string": ("json", json_long_string),
    "JSON 1e400 and 4000 digits": ("json", json_huge_numbers),
    "JSON 400k keys": ("json", json_many_keys),
}
