"""How much work an imported file may cause, counted as it is read, and how a bad cell is quoted.

A file's size alone does not bound the work: an XLSX cell holds an index into a table of shared
strings, so a 30 KB workbook can point ten thousand cells at one 100 KB string (a gigabyte of
text once each cell is looked at). So every reader counts what it reads (cells, characters, XML
elements) against one :class:`Budget` and checks each cell's length *before* the cell is
sanitised, folded or matched; the file is refused as soon as a limit is passed, with the sheet and
cell named. Messages quote at most :data:`QUOTE_CHARS` characters of what the file holds.
Headless: stdlib only.
"""

from __future__ import annotations

import re
from typing import Callable

from ..domain.errors import InvalidValue
from ..domain.fmt import format_number
from ..domain.models import Msg
from ..domain.text import sanitize

MAX_BYTES = 10 * 1024 * 1024  # a cluster of four units never needs more
MAX_ROWS = 50_000
MAX_UNPACKED = 100 * 1024 * 1024  # XLSX: all parts together, as the zip's directory declares them
MAX_CELL_CHARS = 2_000  # one cell; a task note of a page still fits
MAX_CELLS = 300_000  # cells read in the whole file (a cluster's file has a few thousand)
MAX_CHARS = 10_000_000  # characters of cell text in the whole file (as much as the biggest CSV)
MAX_XML_ELEMENTS = 1_200_000  # XLSX: XML elements parsed over every part read
MAX_XML_DEPTH = 64  # XLSX: nesting; SpreadsheetML needs about 8
MAX_PROBLEMS = 200  # the import stops collecting problems after this many
QUOTE_CHARS = 80

_SURROGATES = re.compile("[\ud800-\udfff]")


def refuse(vi: str, en: str) -> InvalidValue:
    """A whole-file refusal (exit 3): nothing is read further and nothing is written."""
    return InvalidValue(Msg(f"{vi} Không nhập gì; dữ liệu không thay đổi.", f"{en} Nothing imported; nothing changed."))


def no_surrogates(s: str) -> str:
    """Lone UTF-16 surrogates (possible in JSON: "\\ud800") replaced by U+FFFD: they cannot be
    printed or stored as UTF-8."""
    return _SURROGATES.sub("\ufffd", s) if _SURROGATES.search(s) else s


def quote(value: object, n: int = QUOTE_CHARS) -> str:
    """At most ``n`` characters of ``value``, sanitised, with "…" when cut (never the whole of a
    huge cell). Only a prefix is looked at, so quoting costs the same for any length."""
    s = value if isinstance(value, str) else str(value)
    cut = len(s) > n
    s = sanitize(no_surrogates(s[: n * 2]))
    if len(s) > n:
        s, cut = s[:n], True
    return s + ("…" if cut else "")


def _n(n: int, lang: str) -> str:
    return format_number(n, lang=lang)


def too_long(where: str, length: int, value: object) -> InvalidValue:
    """Refusal for a cell longer than :data:`MAX_CELL_CHARS` (``where``: "Số liệu!G7", "dòng 7, cột G")."""
    return refuse(f"{where}: ô dài {_n(length, 'vi')} ký tự, tối đa {_n(MAX_CELL_CHARS, 'vi')} "
                  f"(«{quote(value)}»).",
                  f"{where}: the cell holds {_n(length, 'en')} characters, at most {_n(MAX_CELL_CHARS, 'en')} "
                  f"(«{quote(value)}»).")


class Budget:
    """The work one file may cause; each reader counts into it and is refused past a limit."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.cells = 0
        self.chars = 0
        self.elements = 0

    def cell(self, where: str | Callable[[], str], value: str | None, length: int | None = None) -> None:
        """Count one cell (``length``: its text length when ``value`` is not all there) and refuse
        it when it is too long or the file has passed its totals. Call before any processing.
        ``where`` names the cell ("Số liệu!G7"), or is a function giving it when needed."""
        self.cells += 1
        n = len(value) if length is None and value is not None else (length or 0)
        self.chars += n
        if n > MAX_CELL_CHARS or self.cells > MAX_CELLS or self.chars > MAX_CHARS:
            self._refuse(where if isinstance(where, str) else where(), value, n)

    def _refuse(self, where: str, value: str | None, n: int) -> None:
        if n > MAX_CELL_CHARS:
            raise too_long(where, n, value if value is not None else "")
        if self.cells > MAX_CELLS:
            raise refuse(f"{self.name}: quá {_n(MAX_CELLS, 'vi')} ô (dừng ở {where}); tệp của cụm không cần nhiều như vậy.",
                         f"{self.name}: more than {_n(MAX_CELLS, 'en')} cells (stopped at {where}); a cluster's "
                         f"file never needs that many.")
        if self.chars > MAX_CHARS:
            raise refuse(f"{self.name}: các ô chứa quá {_n(MAX_CHARS, 'vi')} ký tự (dừng ở {where}).",
                         f"{self.name}: the cells hold more than {_n(MAX_CHARS, 'en')} characters (stopped at {where}).")

    def cells_only(self, n: int, where: str | Callable[[], str]) -> None:
        """Count ``n`` cells that are skipped unread (columns the import ignores)."""
        self.cells += n
        if self.cells > MAX_CELLS:
            self.cell(where, None, 0)

    def element(self, part: str) -> None:
        """Count one XML element of ``part``."""
        self.elements += 1
        if self.elements > MAX_XML_ELEMENTS:
            raise refuse(f"{self.name}: phần {quote(part, 40)} có quá nhiều thành phần XML "
                         f"(quá {_n(MAX_XML_ELEMENTS, 'vi')} trong cả tệp).",
                         f"{self.name}: the part {quote(part, 40)} holds too many XML elements "
                         f"(over {_n(MAX_XML_ELEMENTS, 'en')} in the whole file).")


def too_many_rows(count: int, name: str) -> None:
    """Refuse once ``count`` rows (the header included), counted as read, pass the limit."""
    if count > MAX_ROWS + 1:
        n_vi, n_en = format_number(MAX_ROWS, lang="vi"), format_number(MAX_ROWS, lang="en")
        raise refuse(f"{name} có quá {n_vi} dòng; tệp trao đổi của cụm không cần nhiều như vậy.",
                     f"{name} has more than {n_en} rows; a cluster's exchange file never needs that many.")


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out
