"""Reading exchange files safely: size limits first, formulas never evaluated, every cell located.

A commune sends back a spreadsheet; before a single row is interpreted the file is checked for
size (bytes, rows, and for XLSX the unpacked size, so a "zip bomb" is refused unopened), every cell
is counted and its length checked before it is looked at (``exchange.limits``), and every cell keeps
where it came from ("Số liệu!G7", "dòng 7, cột G") so each problem can name its cell. Whatever a
damaged file makes a library raise ends as one refusal (exit 3), never a traceback. Nothing here
knows what the columns mean: ``core.exchange`` does. Headless: stdlib and openpyxl only.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
import zlib
from contextlib import contextmanager
from xml.parsers import expat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ..domain.errors import CcbError, UsageError
from ..domain.fmt import format_number
from ..domain.models import Msg
from ..domain.text import sanitize, sanitize_multiline
from .limits import (
    MAX_BYTES, MAX_ROWS, Budget, column_letter, no_surrogates, quote, refuse, too_many_rows,
)

MAX_COLS = 100  # columns read per row; anything further right is ignored
MAX_RECORD_CHARS = 250_000  # CSV: one record (a row), however many lines it spans
MAX_JSON_CONTAINERS = 200_000  # JSON: objects and arrays ({ and [), counted before parsing
MAX_JSON_ITEMS = 1_000_000  # JSON: values (commas), counted before parsing
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


# What a damaged file can make the libraries (zipfile, zlib, expat, csv, json, openpyxl's date
# helpers) raise while it is read. Each becomes one refusal naming the file.
DAMAGED = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, expat.ExpatError, csv.Error, KeyError,
           ValueError, TypeError, IndexError, AttributeError, OverflowError, EOFError, OSError,
           NotImplementedError, RuntimeError, RecursionError, MemoryError, LookupError)


@contextmanager
def guarded(name: str, kind: str) -> Iterator[None]:
    """Turn whatever reading a damaged file raises into one refusal line (exit 3)."""
    try:
        yield
    except CcbError:
        raise
    except DAMAGED as exc:
        why = quote(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
        raise refuse(f"{name} hỏng hoặc không phải tệp {kind} đúng dạng ({why}).",
                     f"{name} is damaged or not a well-formed {kind} file ({why}).") from None


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
    raw = no_surrogates(raw)
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


class _Lines:
    """The CSV's lines for ``csv.reader``, refusing a record (which may span lines inside quotes)
    that grows past :data:`MAX_RECORD_CHARS` before the csv module builds it."""

    def __init__(self, content: str, name: str) -> None:
        self.src = io.StringIO(content, newline="")
        self.name = name
        self.record_chars = 0
        self.line = 0

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        line = self.src.readline(MAX_RECORD_CHARS + 1)
        if not line:
            raise StopIteration
        self.line += 1
        self.record_chars += len(line)
        if self.record_chars > MAX_RECORD_CHARS:
            n_vi, n_en = format_number(MAX_RECORD_CHARS, lang="vi"), format_number(MAX_RECORD_CHARS, lang="en")
            raise refuse(f"{self.name}: dòng {self.line} quá dài (một dòng dữ liệu quá {n_vi} ký tự).",
                         f"{self.name}: line {self.line} is too long (a record of over {n_en} characters).")
        return line


def read_csv(path: Path, match_section: Any, header_keys: Any, section_key: str) -> tuple[list[Table], list[Msg]]:
    """Read a long-format CSV: row 1 is the header, the ``section_key`` column names each row's part.

    ``match_section(text)`` gives the section key for a "Phần" cell (None when unknown);
    ``header_keys(texts)`` maps header texts to column keys. Returns the tables and the problems
    found while reading (each naming its cell).
    """
    check_size(path)
    with guarded(path.name, "CSV"):
        return _read_csv(path, match_section, header_keys, section_key)


def _decode_csv(path: Path) -> str:
    """The CSV's text: UTF-8 (a BOM is fine), refused when it holds NUL bytes or other encodings."""
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise refuse(f"{path.name} không phải tệp CSV văn bản (có byte NUL).",
                     f"{path.name} is not a text CSV file (it contains NUL bytes).")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise refuse(f"{path.name} không phải UTF-8 (byte {exc.start}). Hãy lưu lại bằng “CSV UTF-8”.",
                     f"{path.name} is not UTF-8 (byte {exc.start}). Save it again as “CSV UTF-8”.") from None


class _CsvSheet:
    """The state of one long-format CSV being read: its header, its sections and the tables the
    rows go into, with the problems found so far."""

    def __init__(self, name: str, match_section: Any, header_keys: Any, section_key: str) -> None:
        self.name = name
        self.match_section = match_section
        self.header_keys = header_keys
        self.section_key = section_key
        self.budget = Budget(name)
        self.problems: list[Msg] = []
        self.tables: dict[str, Table] = {}
        self.keys: list[str | None] = []
        self.headers: list[str] = []
        self.letters = [column_letter(i + 1) for i in range(MAX_COLS)]
        self.sections: dict[str, str | None] = {}  # "Số liệu" is folded once, not once per row

    def header(self, record: list[str]) -> bool:
        """Read row 1; False when the section column is missing (nothing else can be read)."""
        for i, h in enumerate(record):
            self.budget.cell(f"dòng 1, cột {column_letter(i + 1)}", h)
        self.headers = [sanitize(no_surrogates(h)) for h in record]
        self.keys, bad = self.header_keys(self.headers)
        self.problems += [Msg(f"dòng 1, cột {column_letter(i + 1)}: {vi}", f"line 1, column {column_letter(i + 1)}: {en}")
                          for i, vi, en in bad]
        if self.section_key in self.keys:
            return True
        label = self.header_keys.label(self.section_key)
        self.problems.append(Msg(f"dòng 1: thiếu cột «{label}» cho biết mỗi dòng "
                                 f"thuộc phần nào (Số liệu, Chỉ tiêu, Nhiệm vụ).",
                                 f"line 1: the «{label}» column that says which part "
                                 f"each row belongs to (Số liệu, Chỉ tiêu, Nhiệm vụ) is missing."))
        return False

    def row(self, number: int, record: list[str]) -> None:
        """Read one data row into the table of its section (or note why it cannot be placed)."""
        cells: dict[str, Cell] = {}
        for i, value in enumerate(record):
            # Counted (and its length checked) before anything looks at the text.
            self.budget.cell(lambda: f"dòng {number}, cột {self.letters[i]}", value)
            key = self.keys[i] if i < len(self.keys) else None
            if key is None:
                continue
            loc_vi, loc_en = f"dòng {number}, cột {self.letters[i]}", f"line {number}, column {self.letters[i]}"
            cells[key] = text_cell(value, loc_vi, loc_en, self.headers[i], explicit_text=False)
        row = Row(number, cells, f"dòng {number}", f"line {number}")
        if row.blank():
            return
        sec_cell = row.get(self.section_key)
        section = None
        if sec_cell.kind == "text":
            if sec_cell.value not in self.sections:
                self.sections[sec_cell.value] = self.match_section(sec_cell.value)
            section = self.sections[sec_cell.value]
        if section is None:
            shown = quote(sec_cell.value) if sec_cell.value is not None else ""
            self.problems.append(sec_cell.at(f"không rõ phần '{shown}' (dùng: Số liệu, Chỉ tiêu, Tổng cụm, Nhiệm vụ)",
                                             f"unknown part '{shown}' (use: Số liệu, Chỉ tiêu, Tổng cụm, Nhiệm vụ)"))
            return
        table = self.tables.get(section)
        if table is None:
            cols = {k: self.headers[i] for i, k in enumerate(self.keys) if k is not None}
            table = self.tables[section] = Table(section, str(sec_cell.value), cols, [], "dòng 1", "line 1")
        table.rows.append(row)


def _read_csv(path: Path, match_section: Any, header_keys: Any, section_key: str) -> tuple[list[Table], list[Msg]]:
    content = _decode_csv(path)
    end = content.find("\n", 0, MAX_RECORD_CHARS)
    lines = _Lines(content, path.name)
    reader = csv.reader(lines, delimiter=_sniff_delimiter(content[: end if end >= 0 else MAX_RECORD_CHARS]))
    sheet = _CsvSheet(path.name, match_section, header_keys, section_key)
    try:
        for number, record in enumerate(reader, start=1):
            lines.record_chars = 0
            too_many_rows(number, path.name)
            if len(record) > MAX_COLS:
                sheet.budget.cells_only(len(record) - MAX_COLS, f"dòng {number}")
                record = record[:MAX_COLS]
            if number == 1:
                if not sheet.header(record):
                    return [], sheet.problems
            else:
                sheet.row(number, record)
    except csv.Error as exc:
        raise refuse(f"{path.name}: không đọc được CSV ở dòng {reader.line_num}: {quote(exc)}.",
                     f"{path.name}: unreadable CSV at line {reader.line_num}: {quote(exc)}.") from None
    if not sheet.headers:
        raise refuse(f"{path.name} rỗng.", f"{path.name} is empty.")
    return list(sheet.tables.values()), sheet.problems


# --- XLSX -----------------------------------------------------------------------------------

def read_xlsx(path: Path, match_section: Any, header_keys: Any) -> tuple[list[Table], list[Msg]]:
    """Read every sheet whose name is a known part; other sheets (the guide) are never inflated.

    The workbook is read by ``exchange.xlsx`` (streaming, bounded), not by openpyxl's loader."""
    check_size(path)
    if not zipfile.is_zipfile(path):
        raise refuse(f"{path.name} không phải tệp XLSX (Excel 2007 trở lên). Tệp .xls cũ: hãy lưu lại thành .xlsx.",
                     f"{path.name} is not an XLSX file (Excel 2007 or later). An old .xls: save it as .xlsx.")
    from .xlsx import open_workbook

    budget = Budget(path.name)
    with guarded(path.name, "XLSX"):
        zf, book = open_workbook(path, path.name, budget)
        with zf:
            wanted = [(title, member, match_section(title) if len(title) <= 100 else None)
                      for title, member in book.sheets]
            if any(section for _, _, section in wanted):
                book.load_strings_and_styles()
            tables: list[Table] = []
            problems: list[Msg] = []
            for raw_title, member, section in wanted:
                if section is None:
                    continue
                title = sanitize(no_surrogates(raw_title))
                table, found = _xlsx_table(book, title, member, section, header_keys)
                tables.append(table)
                problems += found
    return tables, problems


def _xlsx_table(book: Any, title: str, member: str, section: str, header_keys: Any) -> tuple[Table, list[Msg]]:
    table = Table(section, title, header_loc_vi=f"{title}!1", header_loc_en=f"{title}!1")
    problems: list[Msg] = []
    keys: list[str | None] = []
    headers: list[str] = []
    letters = [column_letter(i + 1) for i in range(MAX_COLS)]
    for number, cells in book.rows(title, member, MAX_COLS):
        if number == 1:
            texts = [""] * (max((c for c, _, _ in cells), default=0))
            for col, kind, value in cells:
                texts[col - 1] = sanitize(no_surrogates(str(value)))
            headers = texts
            keys, bad = header_keys(headers)
            problems += [Msg(f"{title}!{column_letter(i + 1)}1: {vi}", f"{title}!{column_letter(i + 1)}1: {en}")
                         for i, vi, en in bad]
            table.columns = {k: headers[i] for i, k in enumerate(keys) if k is not None}
            continue
        row_cells: dict[str, Cell] = {}
        for col, kind, value in cells:
            key = keys[col - 1] if col - 1 < len(keys) else None
            if key is None:
                continue
            ref = f"{title}!{letters[col - 1]}{number}"
            header = headers[col - 1]
            if kind == "text":
                row_cells[key] = text_cell(value, ref, ref, header, explicit_text=True)
            else:
                row_cells[key] = Cell(value, kind, ref, ref, header)
        row = Row(number, row_cells, f"{title}!{number}", f"{title}!{number}")
        if not row.blank():
            table.rows.append(row)
    return table, problems


# --- JSON (the export's own full-data format) -----------------------------------------------

def read_json(path: Path, sections: tuple[str, ...]) -> tuple[list[Table], list[Msg]]:
    """Read ``{"values": [{...}], "targets": [...], "tasks": [...]}`` as written by the JSON export."""
    check_size(path)
    with guarded(path.name, "JSON"):
        return _read_json(path, sections)


def _read_json(path: Path, sections: tuple[str, ...]) -> tuple[list[Table], list[Msg]]:
    raw = path.read_bytes()
    # Count before parsing: a 10 MB file of "{}," is three million objects once parsed.
    if raw.count(b"{") + raw.count(b"[") > MAX_JSON_CONTAINERS or raw.count(b",") > MAX_JSON_ITEMS:
        raise refuse(f"{path.name} có quá nhiều đối tượng hoặc giá trị JSON; tệp xuất của cụm không cần nhiều như vậy.",
                     f"{path.name} holds too many JSON objects or values; a cluster's export never needs that many.")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise refuse(f"{path.name} không phải JSON hợp lệ: {quote(exc)}.",
                     f"{path.name} is not valid JSON: {quote(exc)}.") from None
    del raw
    if not isinstance(data, dict) or data.get("format") != "ccb-tui-export":
        raise refuse(f"{path.name} không phải tệp xuất của ccb-tui (thiếu \"format\": \"ccb-tui-export\").",
                     f"{path.name} is not a ccb-tui export (no \"format\": \"ccb-tui-export\").")
    budget = Budget(path.name)
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
                if len(key) > 40:  # no column's key is this long: ignored, like any unknown key
                    budget.cells_only(1, loc)
                    continue
                key = no_surrogates(key)
                columns.setdefault(key, key)
                cloc = f"{loc}.{sanitize(key)}"
                budget.cell(cloc, value if isinstance(value, str) else None)
                if value is None:
                    cells[key] = Cell(None, "empty", cloc, cloc, key)
                elif isinstance(value, bool):
                    cells[key] = Cell(value, "bool", cloc, cloc, key)
                elif isinstance(value, (int, float)):
                    cells[key] = Cell(value, "number", cloc, cloc, key)
                elif isinstance(value, str):
                    cells[key] = text_cell(value, cloc, cloc, key, explicit_text=True)
                else:  # an object or a list where a value belongs: never turned into text whole
                    cells[key] = Cell("{…}" if isinstance(value, dict) else "[…]", "error", cloc, cloc, key)
            table.rows.append(Row(i, cells, loc, loc))
        tables.append(table)
    return tables, problems
