"""Import of the Khen thưởng part: commendations changed in the file, or proposed in it.

A row with a number (Mã khen thưởng) is that commendation: a difference in its status, unit,
person, form, level or reason is one change, conditional in the store on the record it was
planned from. A row without a number is a new proposal, unless a stored commendation of the same
year already has its unit, person, form, level and reason (an export made before the number was
exported, or the same file imported twice): then it is that commendation. A commendation missing
from the file is kept, never removed; the plan counts those. Headless.
"""

from __future__ import annotations

from typing import Any

from ..domain import scoring, text
from ..domain.models import Msg, Unit
from ..domain.validation import resolve_unit
from ..store import COMMENDATION_TEXT_LIMIT as TEXT_LIMIT
from .files import Cell, Row, Table
from .layout import HEADERS
from .limits import QUOTE_CHARS, quote

FIELDS = ("unit", "person", "form", "level", "reason", "status")
"""What the store's batch sets on a commendation (``("commendation", id, year, fields, expect)``)."""
STATUS_ALIASES: dict[str, str] = {
    **{text.fold(vi): code for code, (vi, _) in scoring.COMMENDATION_STATUS.items()},
    **{code: code for code in scoring.COMMENDATION_STATUS},
    "duyet": "approved", "da duyet": "approved", "de xuat": "proposed",
}
TEXTS = (("person", False, False), ("form", True, False), ("level", True, False), ("reason", True, True))
"""(column, required, multi-line) of a commendation's free text."""
NOT_GIVEN = object()


def plan_commendations(p: Any, table: Table) -> None:
    """Add the part's changes to the planner ``p`` (its problems, changes and unchanged count),
    and how many of the file's years' commendations the file leaves out (``p.kept_commendations``)."""
    by_id = {c.id: c for c in p.snap.commendations}
    in_file: set[int] = set()
    for row in table.rows:  # numbered rows first: a row without a number never takes their record
        cell = row.get("commendation")
        if cell.kind == "number" and float(cell.value).is_integer():
            in_file.add(int(cell.value))
        elif cell.kind == "text" and str(cell.value).strip().isdigit():
            in_file.add(int(str(cell.value).strip()))
    seen: dict[Any, int] = {}
    matched: set[int] = set()
    years: set[int] = set()
    for row in table.rows:
        year = p.row_year(row)
        ok = year is not None
        if year is not None:
            years.add(year)
        current = _numbered(p, row, year, by_id)
        if current is False:
            ok, current = False, None
        unit = _unit(p, table, row, year) if year is not None else False
        ok = ok and unit is not False
        fields: dict[str, Any] = {"unit": unit.code if isinstance(unit, Unit) else None}
        if unit is NOT_GIVEN:
            fields["unit"] = current.unit if current is not None else None
        for key, required, multiline in TEXTS:
            value = _text(p, table, row, key, required and key in table.columns, multiline)
            if value is False:
                ok = False
            fields[key] = (getattr(current, key) if current is not None else "") if value is NOT_GIVEN else value
        scell = row.get("status")
        ok_s, status = p.word(scell, STATUS_ALIASES, "đề nghị, được duyệt", "proposed, approved")
        fields["status"] = status or (current.status if current is not None else "proposed")
        if ok and not fields["unit"] and not fields["person"]:
            cell = _at(table, row, "unit" if "unit" in table.columns else "unit_name")
            p.bad(cell, "thiếu đơn vị (khen tập thể) hoặc cá nhân (khen cá nhân)",
                  "no unit (a collective) and no person (an individual)")
            ok = False
        if not (ok and ok_s):
            continue
        assert year is not None
        if current is None:
            twin = next((c for c in p.snap.commendations if c.id not in in_file and c.id not in matched
                         and (c.year, *(getattr(c, k) for k in FIELDS[:-1])) == (year, *(fields[k] for k in FIELDS[:-1]))),
                        None)
            current = twin
        key = ("id", current.id) if current is not None else ("new", year, *(fields[k] for k in FIELDS[:-1]))
        if p.duplicate(seen, key, row, _at(table, row, "commendation" if current is not None else "reason"),
                       f"khen thưởng {_who(p, fields, year)} năm {year}", f"commendation {_who(p, fields, year)} of {year}"):
            continue
        if current is not None:
            matched.add(current.id)
            old = {k: getattr(current, k) for k in FIELDS}
            if old == fields:
                p.unchanged += 1
                continue
            changed = [k for k in FIELDS if old[k] != fields[k]]
            p.planned(
                "commendation", f"khen thưởng số {current.id} · {_who(p, old, year)} {year}",
                _words(old, changed), _words(fields, changed),
                ("commendation", current.id, year, fields, current))
        else:
            p.planned(
                "commendation", f"khen thưởng mới · {_who(p, fields, year)} {year}", "—",
                _words(fields, ["form", "level", "reason", "status"]),
                ("commendation", None, year, fields, None))
    p.kept_commendations += sum(1 for c in p.snap.commendations
                                if c.year in years and c.id not in matched and c.id not in in_file)


def _at(table: Table, row: Row, key: str) -> Cell:
    """The row's cell of column ``key``; an empty one still names its row and column (a
    spreadsheet leaves blank cells out of the file)."""
    return row.cells.get(key) or Cell(None, "empty", row.loc_vi, row.loc_en, table.columns.get(key, HEADERS[key]))


def _numbered(p: Any, row: Row, year: int | None, by_id: dict[int, scoring.Commendation]) -> Any:
    """The commendation the row's number names; None without a number; False (said why) when bad."""
    cell = row.get("commendation")
    if cell.empty:
        return None
    cid = p.integer(cell, "số khen thưởng", "a commendation number")
    if cid is None:
        return False
    found = by_id.get(cid)
    if found is None:
        p.bad(cell, f"không có khen thưởng số {cid} (xem: ccb-tui commend list); để trống Mã khen thưởng "
                    f"để đề nghị khen thưởng mới",
              f"there is no commendation {cid} (see: ccb-tui commend list); leave the number blank to "
              f"propose a new commendation")
        return False
    if year is not None and found.year != year:
        p.bad(cell, f"khen thưởng số {cid} thuộc năm {found.year}, không phải {year}",
              f"commendation {cid} belongs to {found.year}, not {year}")
        return False
    return found


def _unit(p: Any, table: Table, row: Row, year: int) -> Any:
    """The row's unit (code or name, accents optional); None when both cells are empty, NOT_GIVEN
    when the file has neither column, False (said why) when it names no unit of the cluster."""
    if "unit" not in table.columns and "unit_name" not in table.columns:
        return NOT_GIVEN
    found: list[tuple[Cell, Unit]] = []
    for key in ("unit", "unit_name"):
        cell = row.get(key)
        if cell.empty:
            continue
        if not p.usable(cell):
            return False
        raw = str(cell.value)
        u = p._resolve(p._units, (raw, year), raw, lambda: resolve_unit(p.snap, raw, year), "đơn vị", "unit")
        if isinstance(u, Msg):
            p.bad_msg(cell, u)
            return False
        found.append((cell, u))
    if not found:
        return None
    cell, u = found[-1]
    if len(found) == 2 and found[0][1].code != u.code:
        p.bad(cell, f"«{quote(cell.value, 40)}» là {u.name(year)}, khác với Mã đơn vị {found[0][1].code}; "
                    f"sửa cả hai cột cho khớp (hoặc để trống một cột)",
              f"«{quote(cell.value, 40)}» is {u.name(year)}, not the unit code {found[0][1].code}; make both "
              f"columns agree (or leave one blank)")
        return False
    if not u.active(year):
        p.bad(cell, f"{u.name(year)} không có trong cụm năm {year}", f"{u.name(year)} is not in the cluster in {year}")
        return False
    return u if p.in_cluster(cell, u, year) else False


def _text(p: Any, table: Table, row: Row, key: str, required: bool, multiline: bool) -> Any:
    """A free-text cell, sanitised and at most TEXT_LIMIT characters; NOT_GIVEN when the file has
    no such column, False (said why) when bad."""
    if key not in table.columns:
        return NOT_GIVEN
    cell = _at(table, row, key)
    if cell.empty:
        if required:
            p.bad(cell, f"thiếu {HEADERS[key]}", f"no {HEADERS[key]}")
            return False
        return ""
    if not p.usable(cell):
        return False
    raw = str(cell.value) if cell.kind != "number" or not float(cell.value).is_integer() else str(int(cell.value))
    clean = text.sanitize_multiline(raw) if multiline else text.sanitize(raw)
    if len(clean) > TEXT_LIMIT:
        p.bad(cell, f"dài {len(clean)} ký tự, tối đa {TEXT_LIMIT} («{quote(clean, QUOTE_CHARS // 2)}»)",
              f"{len(clean)} characters long, at most {TEXT_LIMIT} («{quote(clean, QUOTE_CHARS // 2)}»)")
        return False
    if required and not clean:
        p.bad(cell, f"thiếu {HEADERS[key]}", f"no {HEADERS[key]}")
        return False
    return clean


def _who(p: Any, fields: dict[str, Any], year: int) -> str:
    """The person, else the unit's name in ``year``: whom a commendation goes to."""
    if fields.get("person"):
        return text.sanitize(str(fields["person"]))[:40]
    u = p.snap.unit(fields.get("unit") or "")
    return u.name(year) if u is not None else str(fields.get("unit") or "—")


def _words(fields: dict[str, Any], keys: list[str]) -> str:
    """"Trạng thái: được duyệt · Thành tích «…»": the ``keys`` of a commendation as a person reads them."""
    parts = []
    for k in keys:
        v = fields.get(k)
        if k == "status":
            parts.append(scoring.COMMENDATION_STATUS.get(str(v), (str(v),))[0])
        else:
            parts.append(f"{HEADERS[k]} «{quote(v or '—', 40)}»")
    return " · ".join(parts)

