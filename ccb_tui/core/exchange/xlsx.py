"""Reading an XLSX workbook from an untrusted file, streaming and bounded.

openpyxl would resolve every shared string per cell, build a whole ``<row>`` in memory however many
cells it holds, trust the sheet's ``<dimension>`` and raise a dozen kinds of exception from deep
inside row iteration. So the import reads the few parts it needs itself, with the stdlib's expat
parser fed 64 KB at a time:

* the zip is checked first: member count and the unpacked sizes its directory declares (Python's
  zipfile never inflates a member past its declared size, so those sizes are a real bound);
* only ``workbook.xml``, its relationships, ``sharedStrings.xml``, ``styles.xml`` and the sheets
  whose names are parts of the import are parsed; themes, drawings and the rest are never inflated;
* a DOCTYPE (and so any entity definition) is refused outright: SpreadsheetML never has one;
* every element, cell and character counts into the file's :class:`Budget`; a shared string longer
  than a cell may be is kept as its length only, and the cell that uses it is refused by name;
* rows are counted as they are read, never taken from ``<dimension>``.

Cell values follow openpyxl's reading (formulas, shared/inline strings, booleans, errors, numbers,
dates by number format, ISO dates), using openpyxl's own date helpers. Headless: stdlib + openpyxl.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from typing import Any, Callable, Iterator
from xml.parsers import expat

from . import limits
from .limits import (
    MAX_CELL_CHARS, MAX_XML_DEPTH, MAX_XML_ELEMENTS, QUOTE_CHARS, Budget, column_letter, quote, refuse,
    too_many_rows,
)
from ..domain.fmt import format_number

MAX_MEMBERS = 500  # a workbook has a dozen or two parts
MAX_PART = 50 * 1024 * 1024  # one part that is parsed
MAX_STYLES = 64_000  # cell formats; Excel allows no more
MAX_COLUMN = 16_384  # XFD, the widest sheet a spreadsheet program makes
MAX_ROW_NUMBER = 1_048_576
MAX_CHARS_SHARED = 10_000_000  # characters kept from the shared strings table
CHUNK = 64 * 1024

_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_NUMBER = re.compile(r"\s*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*")
_INT = re.compile(r"\s*[+-]?[0-9]+\s*")


@dataclass(frozen=True)
class LongString:
    """A shared string too long for any cell: only its length is kept."""

    length: int
    head: str  # the first characters, to quote


class _Doctype(Exception):
    pass


def _local(name: str) -> str:
    return name.rpartition(":")[2] if ":" in name else name


def _attr(attrs: dict[str, str], local: str) -> str | None:
    """An attribute by local name, whatever its prefix (``r:id``, ``id``)."""
    if local in attrs:
        return attrs[local]
    for k, v in attrs.items():
        if _local(k) == local:
            return v
    return None


def _mb(n: int, lang: str) -> str:
    return format_number(n / 1024 / 1024, 1, lang)


class _Xml:
    """One part fed through expat chunk by chunk: no DOCTYPE, bounded depth, elements counted."""

    def __init__(self, book: "Workbook", member: str, start: Callable[[str, dict[str, str]], None],
                 end: Callable[[str], None] | None, text: Callable[[str], None] | None) -> None:
        self.book, self.member = book, member
        self.start, self.end = start, end
        self.depth = 0
        p = self.p = expat.ParserCreate()
        p.buffer_text = True
        p.StartElementHandler = self.on_start
        p.EndElementHandler = self.on_end
        if text is not None:
            p.CharacterDataHandler = text
        # As defusedxml does: no DTD, so no entity can be defined, let alone expanded.
        for h in ("StartDoctypeDeclHandler", "EntityDeclHandler", "UnparsedEntityDeclHandler",
                  "ExternalEntityRefHandler"):
            setattr(p, h, self.doctype)

    def doctype(self, *_: Any) -> None:
        raise _Doctype()

    def on_start(self, tag: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_XML_DEPTH:
            name, m = self.book.name, self.member
            raise refuse(f"{name}: phần {quote(m, 60)} lồng quá sâu (quá {MAX_XML_DEPTH} mức).",
                         f"{name}: the part {quote(m, 60)} nests too deep (over {MAX_XML_DEPTH} levels).")
        budget = self.book.budget
        budget.elements += 1
        if budget.elements > MAX_XML_ELEMENTS:
            budget.element(self.member)  # raises
        self.start(tag.rpartition(":")[2] if ":" in tag else tag, attrs)

    def on_end(self, tag: str) -> None:
        self.depth -= 1
        if self.end is not None:
            self.end(tag.rpartition(":")[2] if ":" in tag else tag)

    def feed(self, data: bytes, final: bool = False) -> None:
        name, m = self.book.name, self.member
        try:
            self.p.Parse(data, final)
        except _Doctype:
            raise refuse(f"{name}: phần {quote(m, 60)} có khai báo DOCTYPE/thực thể XML, "
                         f"điều mà bảng tính không bao giờ có.",
                         f"{name}: the part {quote(m, 60)} has a DOCTYPE/XML entity declaration, "
                         f"which a spreadsheet never has.") from None
        except expat.ExpatError as exc:
            why = quote(expat.errors.messages.get(exc.code, str(exc)), 60)
            raise refuse(f"{name}: phần {quote(m, 60)} không phải XML hợp lệ ({why}, dòng {exc.lineno}).",
                         f"{name}: the part {quote(m, 60)} is not valid XML ({why}, line {exc.lineno}).") from None


class Workbook:
    """An opened XLSX zip: its sheet list, shared strings, date styles, and its sheets' rows."""

    def __init__(self, zf: zipfile.ZipFile, name: str, budget: Budget) -> None:
        self.zf = zf
        self.name = name
        self.budget = budget
        self.members = {i.filename: i for i in zf.infolist()}
        self.shared: list[str | LongString] = []
        self.date_styles: set[int] = set()
        self.timedelta_styles: set[int] = set()
        self.epoch1904 = False
        self.sheets: list[tuple[str, str]] = []  # (title, member)
        self._strings_part: str | None = None
        self._styles_part: str | None = None

    # --- parts -----------------------------------------------------------------------------

    def chunks(self, member: str) -> Iterator[bytes]:
        """The part's bytes, 64 KB at a time, after checking its declared size."""
        info = self.members.get(member)
        if info is None:
            raise refuse(f"{self.name} thiếu phần {quote(member, 60)} của bảng tính XLSX.",
                         f"{self.name} lacks the part {quote(member, 60)} of an XLSX workbook.")
        if info.file_size > MAX_PART:
            raise refuse(f"{self.name}: phần {quote(member, 60)} khi giải nén quá lớn "
                         f"({_mb(info.file_size, 'vi')} MB; tối đa {_mb(MAX_PART, 'vi')} MB).",
                         f"{self.name}: the part {quote(member, 60)} unpacks to too much "
                         f"({_mb(info.file_size, 'en')} MB; at most {_mb(MAX_PART, 'en')} MB).")
        with self.zf.open(info) as f:
            while chunk := f.read(CHUNK):
                yield chunk

    def parse(self, member: str, start: Callable[[str, dict[str, str]], None],
              end: Callable[[str], None] | None = None, text: Callable[[str], None] | None = None) -> None:
        """Stream a whole part through the checked parser."""
        xml = _Xml(self, member, start, end, text)
        for chunk in self.chunks(member):
            xml.feed(chunk)
        xml.feed(b"", True)

    def _rels(self, member: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (type, member path) from ``member``'s .rels part (none when absent)."""
        folder, base = posixpath.split(member)
        rels_part = posixpath.join(folder, "_rels", base + ".rels")
        out: dict[str, tuple[str, str]] = {}
        if rels_part not in self.members:
            return out

        def start(tag: str, a: dict[str, str]) -> None:
            if tag == "Relationship" and a.get("Id") and a.get("Target") and a.get("TargetMode") != "External":
                target = a["Target"]
                path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
                out[a["Id"]] = (a.get("Type", "").rpartition("/")[2], posixpath.normpath(path))

        self.parse(rels_part, start)
        return out

    def load(self) -> None:
        """Read the workbook's structure: sheets, where the shared strings and styles are, dates."""
        root = self._rels("")  # "_rels/.rels"
        book = next((p for t, p in root.values() if t == "officeDocument"), "xl/workbook.xml")
        rels = self._rels(book)
        named: list[tuple[str, str | None]] = []

        def start(tag: str, a: dict[str, str]) -> None:
            if tag == "sheet":
                named.append((a.get("name", ""), _attr(a, "id")))
            elif tag == "workbookPr":
                self.epoch1904 = a.get("date1904", "").lower() in ("1", "true")

        self.parse(book, start)
        for title, rid in named:
            path = rels.get(rid or "", ("", ""))[1]
            if path:
                self.sheets.append((title, path))
        for kind, path in rels.values():
            if kind == "sharedStrings":
                self._strings_part = path
            elif kind == "styles":
                self._styles_part = path

    def load_strings_and_styles(self) -> None:
        """The shared strings (a long one as its length only) and which styles show a date."""
        if self._strings_part and self._strings_part in self.members:
            self._read_strings(self._strings_part)
        if self._styles_part and self._styles_part in self.members:
            self._read_styles(self._styles_part)

    def _read_strings(self, member: str) -> None:
        shared, budget = self.shared, self.budget
        parts: list[str] = []
        st = {"si": False, "t": False, "rph": 0, "size": 0}

        def start(tag: str, a: dict[str, str]) -> None:
            if tag == "si":
                parts.clear()
                st["size"], st["si"] = 0, True
            elif tag == "rPh":
                st["rph"] += 1  # a phonetic guide is not part of the text
            elif tag == "t" and st["si"] and not st["rph"]:
                st["t"] = True

        def end(tag: str) -> None:
            if tag == "si":
                size = st["size"]
                joined = "".join(parts)
                shared.append(LongString(size, joined[:QUOTE_CHARS * 2]) if size > MAX_CELL_CHARS else joined)
                budget.chars += min(size, MAX_CELL_CHARS)  # what is kept in memory
                if budget.chars > MAX_CHARS_SHARED:
                    raise refuse(f"{self.name}: bảng chuỗi dùng chung quá lớn.",
                                 f"{self.name}: the shared strings table is too big.")
                st["si"] = False
            elif tag == "rPh":
                st["rph"] -= 1
            elif tag == "t":
                st["t"] = False

        def text(data: str) -> None:
            if st["t"]:
                room = MAX_CELL_CHARS + 1 - st["size"]
                st["size"] += len(data)
                if room > 0:
                    parts.append(data[:room])

        self.parse(member, start, end, text)
        budget.chars = 0  # the cells count what they use

    def _read_styles(self, member: str) -> None:
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

        custom: dict[int, str] = {}
        xfs: list[int] = []
        where = {"cellXfs": False}

        def start(tag: str, a: dict[str, str]) -> None:
            if tag == "numFmt":
                fid = a.get("numFmtId", "")
                if _INT.fullmatch(fid) and len(fid) < 10:
                    custom[int(fid)] = a.get("formatCode", "")[:200]
            elif tag == "cellXfs":
                where["cellXfs"] = True
            elif tag == "xf" and where["cellXfs"]:
                if len(xfs) >= MAX_STYLES:
                    raise refuse(f"{self.name} có quá {format_number(MAX_STYLES)} kiểu ô; không phải bảng tính thường.",
                                 f"{self.name} has over {format_number(MAX_STYLES, lang='en')} cell styles; "
                                 f"not an ordinary workbook.")
                fid = a.get("numFmtId", "0")
                xfs.append(int(fid) if _INT.fullmatch(fid) and len(fid) < 10 else 0)

        def end(tag: str) -> None:
            if tag == "cellXfs":
                where["cellXfs"] = False

        self.parse(member, start, end)
        for i, fid in enumerate(xfs):
            fmt = custom.get(fid) or BUILTIN_FORMATS.get(fid)
            if fmt and is_date_format(fmt):
                (self.timedelta_styles if is_timedelta_format(fmt) else self.date_styles).add(i)

    # --- sheets ------------------------------------------------------------------------------

    def rows(self, title: str, member: str, max_col: int) -> Iterator[tuple[int, list[tuple[int, str, Any]]]]:
        """``(row number, [(column, kind, value)])`` for each ``<row>`` of a sheet in file order;
        cells right of ``max_col`` are counted, not read. Kinds as in ``exchange.files.Cell``."""
        reader = _SheetReader(self, title, max_col)
        xml = _Xml(self, member, reader.start, reader.end, reader.text)
        for chunk in self.chunks(member):
            xml.feed(chunk)
            yield from reader.done  # the rows finished in this chunk, before reading on
            reader.done.clear()
        xml.feed(b"", True)
        yield from reader.done
        reader.done.clear()



def _column(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


class _SheetReader:
    """expat handlers turning ``<row>``/``<c>`` elements into cells, with every limit applied."""

    def __init__(self, book: Workbook, title: str, max_col: int) -> None:
        self.book, self.title, self.max_col = book, title, max_col
        self.done: list[tuple[int, list[tuple[int, str, Any]]]] = []
        self.in_data = False
        self.row: list[tuple[int, str, Any]] | None = None
        self.row_no = 0
        self.rows_read = 0
        self.col = 0
        self.c: dict[str, Any] | None = None  # the cell being read
        self.collect: list[str] | None = None  # where character data goes
        self.size = 0
        self.rph = 0
        from openpyxl.utils import datetime as xl_dates

        self._letter, self._too_many_rows, self._dates = column_letter, too_many_rows, xl_dates

    def where(self, col: int | None = None) -> str:
        return f"{self.title}!{self._letter(col or self.col)}{self.row_no}"

    def bad_ref(self, vi: str, en: str, value: str) -> Exception:
        return refuse(f"{self.book.name}: trang {quote(self.title, 40)} có {vi} không hợp lệ «{quote(value, 40)}».",
                      f"{self.book.name}: the sheet {quote(self.title, 40)} has an invalid {en} «{quote(value, 40)}».")

    def start(self, tag: str, a: dict[str, str]) -> None:
        if tag == "sheetData":
            self.in_data = True
        elif not self.in_data:
            return
        elif tag == "row":
            r = a.get("r")
            if r is None:
                self.row_no += 1
            elif r.isdigit() and len(r) <= 7 and 0 < int(r) <= MAX_ROW_NUMBER:
                self.row_no = int(r)
            else:
                raise self.bad_ref("số hàng", "row number", r)
            self.rows_read += 1
            self._too_many_rows(self.rows_read, f"{self.book.name}!{self.title}")
            self.row, self.col = [], 0
        elif tag == "c" and self.row is not None:
            ref = a.get("r")
            if ref is None:
                self.col += 1
            else:
                m = _REF.fullmatch(ref)
                col = _column(m.group(1)) if m else 0
                if not m or not 0 < col <= MAX_COLUMN:
                    raise self.bad_ref("địa chỉ ô", "cell reference", ref)
                self.col = col
            s = a.get("s", "0")
            self.c = {"t": a.get("t", "n"), "s": int(s) if s.isdigit() and len(s) < 10 else 0,
                      "v": None, "f": None, "is": None}
            self.size, self.rph = 0, 0
        elif self.c is not None:
            if tag == "v":
                self.c["v"] = self.collect = []
            elif tag == "f":
                self.c["f"] = self.collect = []
            elif tag == "is":
                self.c["is"] = []
            elif tag == "rPh":
                self.rph += 1
            elif tag == "t" and self.c["is"] is not None and not self.rph:
                self.collect = self.c["is"]
            if self.collect is not None and tag in ("v", "f"):
                self.size = 0

    def end(self, tag: str) -> None:
        if not self.in_data:
            return
        if tag == "sheetData":
            self.in_data = False
        elif tag == "row" and self.row is not None:
            self.done.append((self.row_no, self.row))
            self.row = None
        elif tag == "c" and self.c is not None:
            self.finish_cell()
            self.c = None
            self.collect = None
        elif tag in ("v", "f", "t"):
            self.collect = None
        elif tag == "rPh":
            self.rph -= 1

    def text(self, data: str) -> None:
        if self.collect is not None:
            room = MAX_CELL_CHARS + 1 - self.size
            self.size += len(data)
            if room > 0:  # past the limit only the length is kept; the cell is then refused
                self.collect.append(data[:room])

    def finish_cell(self) -> None:
        c, book = self.c, self.book
        if c is None or self.row is None:
            return
        where = self.where  # a function: the name is built only for a message
        if self.col > self.max_col:
            book.budget.cells_only(1, where)
            return
        if c["f"] is not None:
            formula = "".join(c["f"])
            book.budget.cell(where, formula, self.size)
            self.row.append((self.col, "formula", "=" + formula))
            return
        t = c["t"]
        v = "".join(c["v"]) if c["v"] is not None else None
        if t == "inlineStr":
            value = "".join(c["is"]) if c["is"] is not None else None
            book.budget.cell(where, value, self.size)
            if value is not None:
                self.row.append((self.col, "text", value))
            return
        if t == "s" and v is not None:
            idx = v.strip()
            if not (idx.isdigit() and len(idx) < 10 and int(idx) < len(book.shared)):
                raise refuse(f"{where()}: ô trỏ tới chuỗi dùng chung số «{quote(idx, 20)}», không có trong tệp "
                             f"({len(book.shared)} chuỗi).",
                             f"{where()}: the cell points at shared string «{quote(idx, 20)}», which the file lacks "
                             f"({len(book.shared)} strings).")
            s = book.shared[int(idx)]
            if isinstance(s, LongString):
                book.budget.cell(where, s.head, s.length)  # refused: too long
            book.budget.cell(where, s)
            self.row.append((self.col, "text", s))
            return
        book.budget.cell(where, v, self.size)
        if v is None:
            return
        self.row.append((self.col, *self.typed(t, v, c["s"])))

    def typed(self, t: str, v: str, style: int) -> tuple[str, Any]:
        """(kind, value) of a cell whose type is ``t`` and whose ``<v>`` text is ``v``."""
        book, dates = self.book, self._dates
        if t == "str":
            return "text", v
        if t == "e":
            return "error", v
        if t == "b":
            if v.strip() in ("0", "1"):
                return "bool", v.strip() == "1"
            return "error", v
        if t == "d":
            try:
                return "date", dates.from_ISO8601(v.strip())
            except (ValueError, TypeError, OverflowError, AttributeError):
                return "error", v
        if t != "n":
            return "error", v
        if _INT.fullmatch(v) and len(v.strip().lstrip("+-")) <= 18:
            number: int | float = int(v)
        elif _NUMBER.fullmatch(v):
            number = float(v)  # may be inf for 1e999; the import refuses it by name
        else:
            return "error", v
        if style in book.date_styles or style in book.timedelta_styles:
            epoch = dates.CALENDAR_MAC_1904 if book.epoch1904 else dates.CALENDAR_WINDOWS_1900
            try:
                return "date", dates.from_excel(number, epoch, timedelta=style in book.timedelta_styles)
            except (ValueError, OverflowError, TypeError):
                return "error", v
        return "number", number


def open_workbook(path: Any, name: str, budget: Budget) -> tuple[zipfile.ZipFile, Workbook]:
    """The zip, checked before anything is inflated (members, declared sizes), and its workbook."""

    zf = zipfile.ZipFile(path)
    try:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            n_vi, n_en = format_number(len(infos)), format_number(len(infos), lang="en")
            raise refuse(f"{name} có {n_vi} phần bên trong (tối đa {MAX_MEMBERS}); không phải bảng tính thường.",
                         f"{name} holds {n_en} parts (at most {MAX_MEMBERS}); not an ordinary workbook.")
        unpacked = sum(i.file_size for i in infos)
        if unpacked > limits.MAX_UNPACKED:
            raise refuse(f"{name} khi giải nén quá lớn ({_mb(unpacked, 'vi')} MB; tối đa {_mb(limits.MAX_UNPACKED, 'vi')} MB).",
                         f"{name} unpacks to too much data ({_mb(unpacked, 'en')} MB; at most "
                         f"{_mb(limits.MAX_UNPACKED, 'en')} MB).")
        book = Workbook(zf, name, budget)
        book.load()
    except BaseException:
        zf.close()
        raise
    return zf, book
