"""Reading exchange files safely: size limits first, formulas never evaluated, every cell located.

A commune sends back a spreadsheet; before a single row is interpreted the file is checked for
size (bytes, rows, and for XLSX the unpacked size, so a "zip bomb" is refused unopened), and every
cell keeps where it came from ("Số liệu!G7", "dòng 7, cột G") so each problem can name its cell.
Nothing here knows what the columns mean: ``core.exchange`` does. Headless: openpyxl only.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from ..domain.errors import InvalidValue, UsageError
from ..domain.fmt import format_number
from ..domain.models import Msg
from ..domain.text import sanitize, sanitize_multiline

MAX_BYTES = 10 * 1024 * 1024  # a cluster of four units never needs more
MAX_ROWS = 50_000
MAX_UNPACKED = 100 * 1024 * 1024  # XLSX: the XML inside, once unzipped
MAX_COLS = 100  # columns read per row; anything further right is ignored
FORMULA_START = "="
# Text starting with one of these is run as a formula by spreadsheet programs (CSV injection);
# the export prefixes such text with an apostrophe and the import takes it off again.
RISKY_START = ("=", "+", "-", "@", "\t", "\r", "'")


@dataclass(frozen=True)
class Cell:
    """One cell as read: its value, what kind of value it is, and where it is."""

    value: Any
    kind: str  # "empty" | "text" | "number" | "formula" | "error" | "bool" | "date"
    loc_vi: str
    loc_en: str
    header: str = ""

    @property
    def empty(self) -> bool:
        """Whether the cell holds nothing (blank text counts as nothing)."""
        return self.kind == "empty"

    def at(self, vi: str, en: str) -> Msg:
        """A message prefixed with this cell's location and column."""
        head = f" ({self.header})" if self.header else ""
        return Msg(f"{self.loc_vi}{head}: {vi}", f"{self.loc_en}{head}: {en}")


@dataclass
class Row:
    """A data row: its number as the user sees it, and its cells by column key."""

    number: int
    cells: dict[str, Cell]
    loc_vi: str
    loc_en: str

    def get(self, key: str) -> Cell:
        """The cell of column ``key`` (an empty cell when the file has no such column)."""
        return self.cells.get(key) or Cell(None, "empty", self.loc_vi, self.loc_en)

    def blank(self) -> bool:
        """Whether every cell is empty (spreadsheets keep such rows at the end)."""
        return all(c.empty for c in self.cells.values())


@dataclass
class Table:
    """One part of the file (a sheet, or a section of the CSV) with its header mapped to keys."""

    section: str
    title: str
    columns: dict[str, str] = field(default_factory=dict)  # key -> header as written
    rows: list[Row] = field(default_factory=list)
    header_loc_vi: str = ""
    header_loc_en: str = ""


def refuse(vi: str, en: str) -> InvalidValue:
    """A whole-file refusal (exit 3): nothing is read further and nothing is written."""
    return InvalidValue(Msg(f"{vi} Không nhập gì; dữ liệu không thay đổi.", f"{en} Nothing imported; nothing changed."))


def _mb(n: int, lang: str) -> str:
    return format_number(n / 1024 / 1024, 1, lang)


def check_size(path: Path) -> int:
    """The file's size in bytes, or a refusal when it is missing, not a file or too big."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise UsageError(Msg(f"Không có tệp {path}.", f"There is no file {path}.")) from None
    except OSError as exc:
        raise UsageError(Msg(f"Không đọc được {path}: {exc.strerror}.",
                             f"Cannot read {path}: {exc.strerror}.")) from exc
    if not path.is_file():
        raise UsageError(Msg(f"{path} không phải là một tệp.", f"{path} is not a file."))
    if st.st_size > MAX_BYTES:
        raise refuse(f"Tệp {path.name} quá lớn ({_mb(st.st_size, 'vi')} MB; tối đa {_mb(MAX_BYTES, 'vi')} MB).",
                     f"The file {path.name} is too big ({_mb(st.st_size, 'en')} MB; at most "
                     f"{_mb(MAX_BYTES, 'en')} MB).")
    return st.st_size


def _too_many_rows(name: str) -> InvalidValue:
    n_vi, n_en = format_number(MAX_ROWS, lang="vi"), format_number(MAX_ROWS, lang="en")
    return refuse(f"{name} có quá {n_vi} dòng; tệp trao đổi của cụm không cần nhiều như vậy.",
                  f"{name} has more than {n_en} rows; a cluster's exchange file never needs that many.")


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def unescape_text(s: str) -> str:
    """Take off the apostrophe the export put before text a spreadsheet would run ("'=x" -> "=x")."""
    if len(s) > 1 and s[0] == "'" and s[1] in RISKY_START:
        return s[1:]
    return s


def escape_text(s: str) -> str:
    """Put an apostrophe before text a spreadsheet would run as a formula (for CSV)."""
    return "'" + s if s.startswith(RISKY_START) else s


def text_cell(raw: str, loc_vi: str, loc_en: str, header: str, *, explicit_text: bool) -> Cell:
    """A cell read as text: NFC, control characters removed; "=..." is a formula unless the file
    marks it as text (an XLSX string cell, or the export's apostrophe in a CSV)."""
    if not explicit_text and raw.lstrip().startswith(FORMULA_START):
        return Cell(raw.strip(), "formula", loc_vi, loc_en, header)
    if not explicit_text:
        raw = unescape_text(raw)
    # Notes keep their line breaks; everything loses control characters and becomes NFC.
    value = sanitize_multiline(raw) if ("\n" in raw or "\r" in raw) else sanitize(raw)
    if not value.strip():
        return Cell(None, "empty", loc_vi, loc_en, header)
    return Cell(value, "text", loc_vi, loc_en, header)


# --- CSV ------------------------------------------------------------------------------------

def _sniff_delimiter(first_line: str) -> str:
    """Comma by default; a spreadsheet saving in a locale with a decimal comma may use ";" or tab."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(path: Path, match_section: Any, header_keys: Any, section_key: str) -> tuple[list[Table], list[Msg]]:
    """Read a long-format CSV: row 1 is the header, the ``section_key`` column names each row's part.

    ``match_section(text)`` gives the section key for a "Phần" cell (None when unknown);
    ``header_keys(texts)`` maps header texts to column keys. Returns the tables and the problems
    found while reading (each naming its cell).
    """
    check_size(path)
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise refuse(f"{path.name} không phải tệp CSV văn bản (có byte NUL).",
                     f"{path.name} is not a text CSV file (it contains NUL bytes).")
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise refuse(f"{path.name} không phải UTF-8 (byte {exc.start}). Hãy lưu lại bằng “CSV UTF-8”.",
                     f"{path.name} is not UTF-8 (byte {exc.start}). Save it again as “CSV UTF-8”.") from exc
    first = content.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=_sniff_delimiter(first))
    problems: list[Msg] = []
    tables: dict[str, Table] = {}
    keys: list[str | None] = []
    headers: list[str] = []
    try:
        for number, record in enumerate(reader, start=1):
            if number > MAX_ROWS + 1:
                raise _too_many_rows(path.name)
            record = record[:MAX_COLS]
            if number == 1:
                headers = [sanitize(h) for h in record]
                keys, bad = header_keys(headers)
                problems += [Msg(f"dòng 1, cột {column_letter(i + 1)}: {vi}", f"line 1, column {column_letter(i + 1)}: {en}")
                             for i, vi, en in bad]
                if section_key not in keys:
                    problems.append(Msg(f"dòng 1: thiếu cột «{header_keys.label(section_key)}» cho biết mỗi dòng "
                                        f"thuộc phần nào (Số liệu, Chỉ tiêu, Nhiệm vụ).",
                                        f"line 1: the «{header_keys.label(section_key)}» column that says which part "
                                        f"each row belongs to (Số liệu, Chỉ tiêu, Nhiệm vụ) is missing."))
                    return [], problems
                continue
            cells: dict[str, Cell] = {}
            for i, value in enumerate(record):
                key = keys[i] if i < len(keys) else None
                if key is None:
                    continue
                loc_vi = f"dòng {number}, cột {column_letter(i + 1)}"
                loc_en = f"line {number}, column {column_letter(i + 1)}"
                cells[key] = text_cell(value, loc_vi, loc_en, headers[i], explicit_text=False)
            row = Row(number, cells, f"dòng {number}", f"line {number}")
            if row.blank():
                continue
            sec_cell = row.get(section_key)
            section = match_section(sec_cell.value) if sec_cell.kind == "text" else None
            if section is None:
                shown = sec_cell.value if sec_cell.value is not None else ""
                problems.append(sec_cell.at(f"không rõ phần '{shown}' (dùng: Số liệu, Chỉ tiêu, Tổng cụm, Nhiệm vụ)",
                                            f"unknown part '{shown}' (use: Số liệu, Chỉ tiêu, Tổng cụm, Nhiệm vụ)"))
                continue
            table = tables.get(section)
            if table is None:
                cols = {k: headers[i] for i, k in enumerate(keys) if k is not None}
                table = tables[section] = Table(section, str(sec_cell.value), cols, [], "dòng 1", "line 1")
            table.rows.append(row)
    except csv.Error as exc:
        raise refuse(f"{path.name}: không đọc được CSV ở dòng {reader.line_num}: {exc}.",
                     f"{path.name}: unreadable CSV at line {reader.line_num}: {exc}.") from exc
    if not headers:
        raise refuse(f"{path.name} rỗng.", f"{path.name} is empty.")
    return list(tables.values()), problems


# --- XLSX -----------------------------------------------------------------------------------

def _xlsx_cell(cell: Any, loc_vi: str, loc_en: str, header: str) -> Cell:
    value, dtype = cell.value, getattr(cell, "data_type", "n")
    if value is None:
        return Cell(None, "empty", loc_vi, loc_en, header)
    if dtype == "f" or (isinstance(value, str) and dtype != "s" and value.startswith(FORMULA_START)):
        return Cell(str(value), "formula", loc_vi, loc_en, header)
    if not isinstance(value, (str, int, float, bool, datetime, date, time)):  # ArrayFormula, DataTableFormula
        return Cell(str(getattr(value, "text", value)), "formula", loc_vi, loc_en, header)
    if dtype == "e":
        return Cell(str(value), "error", loc_vi, loc_en, header)
    if isinstance(value, bool):
        return Cell(value, "bool", loc_vi, loc_en, header)
    if isinstance(value, (datetime, date, time)):
        return Cell(value, "date", loc_vi, loc_en, header)
    if isinstance(value, (int, float)):
        return Cell(value, "number", loc_vi, loc_en, header)
    return text_cell(value, loc_vi, loc_en, header, explicit_text=True)


def read_xlsx(path: Path, match_section: Any, header_keys: Any) -> tuple[list[Table], list[Msg]]:
    """Read every sheet whose name is a known part; other sheets (the guide) are skipped."""
    check_size(path)
    if not zipfile.is_zipfile(path):
        raise refuse(f"{path.name} không phải tệp XLSX (Excel 2007 trở lên). Tệp .xls cũ: hãy lưu lại thành .xlsx.",
                     f"{path.name} is not an XLSX file (Excel 2007 or later). An old .xls: save it as .xlsx.")
    try:
        with zipfile.ZipFile(path) as zf:
            unpacked = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise refuse(f"{path.name} hỏng, không mở được: {exc}.", f"{path.name} is damaged: {exc}.") from exc
    if unpacked > MAX_UNPACKED:
        raise refuse(f"{path.name} khi giải nén quá lớn ({_mb(unpacked, 'vi')} MB; tối đa {_mb(MAX_UNPACKED, 'vi')} MB).",
                     f"{path.name} unpacks to too much data ({_mb(unpacked, 'en')} MB; at most "
                     f"{_mb(MAX_UNPACKED, 'en')} MB).")
    import openpyxl  # lazy: only imports need it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise refuse(f"Không mở được {path.name} như một bảng tính XLSX: {sanitize(str(exc))[:160]}.",
                     f"Cannot open {path.name} as an XLSX workbook: {sanitize(str(exc))[:160]}.") from exc
    tables: list[Table] = []
    problems: list[Msg] = []
    try:
        for ws in wb.worksheets:
            section = match_section(ws.title)
            if section is None:
                continue
            title = sanitize(ws.title)
            if (ws.max_row or 0) > MAX_ROWS + 1:
                raise _too_many_rows(f"{path.name}!{title}")
            table = Table(section, title, header_loc_vi=f"{title}!1", header_loc_en=f"{title}!1")
            keys: list[str | None] = []
            headers: list[str] = []
            for number, cells in enumerate(ws.iter_rows(min_row=1, min_col=1, max_col=MAX_COLS), start=1):
                if number > MAX_ROWS + 1:
                    raise _too_many_rows(f"{path.name}!{title}")
                if number == 1:
                    headers = [sanitize(str(c.value)) if c.value is not None else "" for c in cells]
                    keys, bad = header_keys(headers)
                    problems += [Msg(f"{title}!{column_letter(i + 1)}1: {vi}", f"{title}!{column_letter(i + 1)}1: {en}")
                                 for i, vi, en in bad]
                    table.columns = {k: headers[i] for i, k in enumerate(keys) if k is not None}
                    continue
                row_cells: dict[str, Cell] = {}
                for i, cell in enumerate(cells):
                    key = keys[i] if i < len(keys) else None
                    if key is None:
                        continue
                    ref = f"{title}!{column_letter(i + 1)}{number}"
                    row_cells[key] = _xlsx_cell(cell, ref, ref, headers[i])
                row = Row(number, row_cells, f"{title}!{number}", f"{title}!{number}")
                if not row.blank():
                    table.rows.append(row)
            tables.append(table)
    finally:
        wb.close()
    return tables, problems


# --- JSON (the export's own full-data format) -----------------------------------------------

def read_json(path: Path, sections: tuple[str, ...]) -> tuple[list[Table], list[Msg]]:
    """Read ``{"values": [{...}], "targets": [...], "tasks": [...]}`` as written by the JSON export."""
    check_size(path)
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise refuse(f"{path.name} không phải JSON hợp lệ: {sanitize(str(exc))[:160]}.",
                     f"{path.name} is not valid JSON: {sanitize(str(exc))[:160]}.") from exc
    if not isinstance(data, dict) or data.get("format") != "ccb-tui-export":
        raise refuse(f"{path.name} không phải tệp xuất của ccb-tui (thiếu \"format\": \"ccb-tui-export\").",
                     f"{path.name} is not a ccb-tui export (no \"format\": \"ccb-tui-export\").")
    tables: list[Table] = []
    problems: list[Msg] = []
    for section in sections:
        items = data.get(section)
        if items is None:
            continue
        if not isinstance(items, list) or len(items) > MAX_ROWS:
            problems.append(Msg(f"{section}: phải là một danh sách (tối đa {format_number(MAX_ROWS)} mục)",
                                f"{section}: must be a list (at most {format_number(MAX_ROWS, lang='en')} items)"))
            continue
        columns: dict[str, str] = {}
        table = Table(section, section, columns, [], section, section)
        for i, item in enumerate(items):
            loc = f"{section}[{i}]"
            if not isinstance(item, dict):
                problems.append(Msg(f"{loc}: phải là một đối tượng", f"{loc}: must be an object"))
                continue
            cells: dict[str, Cell] = {}
            for key, value in item.items():
                columns.setdefault(key, key)
                cloc = f"{loc}.{key}"
                if value is None:
                    cells[key] = Cell(None, "empty", cloc, cloc, key)
                elif isinstance(value, bool):
                    cells[key] = Cell(value, "bool", cloc, cloc, key)
                elif isinstance(value, (int, float)):
                    cells[key] = Cell(value, "number", cloc, cloc, key)
                elif isinstance(value, str):
                    cells[key] = text_cell(value, cloc, cloc, key, explicit_text=True)
                else:
                    cells[key] = Cell(str(value)[:40], "error", cloc, cloc, key)
            table.rows.append(Row(i, cells, loc, loc))
        tables.append(table)
    return tables, problems
