"""Store documents <-> frozen models. Every string is sanitised on the way in.

Plain dicts only (no TinyDB): ``core.store`` reads and writes the documents.
"""

from __future__ import annotations

import math
from decimal import Decimal
from functools import lru_cache
from typing import Any

from ..domain import indicators, scoring, text
from .audit import LogEntry
from ..domain.fmt import format_value
from ..domain.models import (
    DEFAULT_TIMEZONE, Cluster, Msg, Number, Origin, Qualifier, Reading, ReportedTotal, Settings, Snapshot, Status, Target, Task, TaskState, TaskStatus, Unit, UnitPeriod,
)
from ..domain.validation import STORED_LIMIT, YEAR_RANGE


def reading_doc(r: Reading) -> dict[str, Any]:
    doc: dict[str, Any] = {"v": r.value, "q": r.qualifier.value, "s": r.status.value}
    if r.sample:
        doc["sample"] = True
    if r.changed_by:
        doc["by"], doc["at"] = r.changed_by, r.changed_at
    return doc


def number_or_none(v: Any) -> Number | None:
    # A hand-edited file may hold "120" or [6] where a number belongs; refusing it here turns it
    # into a StoreCorrupt naming the file instead of a TypeError deep inside the totals.
    if v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)):
        return v
    raise TypeError(f"expected a number, got {type(v).__name__} {v!r}"[:120])


def reading(doc: dict[str, Any]) -> Reading:
    return Reading(number_or_none(doc.get("v")), Qualifier(doc.get("q", "exact")),
                   Status(doc.get("s", "reported")),
                   bool(doc.get("sample", False)), doc.get("by"), doc.get("at"))


def periods(d: dict[str, Any]) -> tuple[UnitPeriod, ...]:
    periods = tuple(UnitPeriod(int(p["from"]), clean(p["name"]), p["cluster"]) for p in d["periods"])
    if not periods:  # Unit.name()/active() index periods[0]: an empty list would crash every view
        raise ValueError(f"unit {d.get('code')!r} has no periods")
    return periods


@lru_cache(maxsize=8192)
def _sanitize(s: str) -> str:
    # Most strings are the same from one read to the next: cache so a reload costs little.
    return text.sanitize(s)


@lru_cache(maxsize=4096)
def _sanitize_note(s: str) -> str:
    return text.sanitize_multiline(s)


def clean(s: Any) -> str:
    """A one-line string from the file, sanitised."""
    return _sanitize(str(s)) if s is not None else ""


def clean_note(s: Any) -> str:
    """A multi-line note from the file, sanitised."""
    return _sanitize_note(str(s)) if s is not None else ""


def sorted_docs(data: dict[str, Any], table: str) -> list[tuple[int, dict[str, Any]]]:
    """A table's documents in id order."""
    return sorted(((int(k), v) for k, v in data.get(table, {}).items()), key=lambda kv: kv[0])


_LOG_TEXT_KEYS = ("unit", "indicator", "cluster", "setting", "backup", "action")


def _clean_deep(v: Any, depth: int = 0) -> Any:
    """A JSON value with every string sanitised (``log --json`` prints old/new as they are);
    nesting beyond any the store writes is cut short."""
    if isinstance(v, str):
        return clean_note(v)
    if depth > 20 and isinstance(v, (dict, list)):
        return "…"
    if isinstance(v, dict):
        return {clean(k): _clean_deep(x, depth + 1) for k, x in v.items()}
    if isinstance(v, list):
        return [_clean_deep(x, depth + 1) for x in v]
    return v


def log_entry(doc_id: int, d: dict[str, Any]) -> LogEntry:
    """An audit-log document as a LogEntry (strings sanitised).

    Lenient, unlike the rest of the file: the log is history, read to show it and by undo, and a
    hand-edited entry of an odd shape is shown as well as it can be rather than refused. Fields of
    the wrong type are dropped; ``old``/``new`` are kept as they are (``audit.describe`` copes).
    """
    d = d if isinstance(d, dict) else {}
    raw_target = d.get("target") if isinstance(d.get("target"), dict) else {}
    target: dict[str, Any] = {}
    for k, v in raw_target.items():
        if k in _LOG_TEXT_KEYS:
            if isinstance(v, str):
                target[k] = clean(v)
        elif k in ("year", "task"):
            if isinstance(v, int) and not isinstance(v, bool) and abs(v) < 10**15:
                target[k] = v
        else:
            target[clean(k)] = _clean_deep(v)
    undoes = d.get("undoes")

    def text_of(v: Any) -> str:
        return clean(v) if isinstance(v, str) else ""

    return LogEntry(int(doc_id), text_of(d.get("at")), text_of(d.get("user")), text_of(d.get("action")),
                    target, _clean_deep(d.get("old")), _clean_deep(d.get("new")),
                    int(undoes) if isinstance(undoes, int) and not isinstance(undoes, bool) else None)


class Malformed(ValueError):
    """A document of the store that cannot be read, naming where it is and which field.

    ``msg`` reads like "bản ghi records/7 (nam_ka 2020): trường values.members.v = 1e40 vượt giới
    hạn"; ``core.store`` wraps it into a ``StoreCorrupt`` naming the file.
    """

    def __init__(self, msg: Msg) -> None:
        super().__init__(msg.en)
        self.msg = msg


def _shown(v: Any) -> str:
    """A stored value, short and safe to print, for an error message."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        if abs(v) < 10**15:
            return str(v)
        return f"{float(v):g}".replace("e+", "e") if abs(v) < 10**300 else f"{'-' if v < 0 else ''}1e{len(str(abs(v))) - 1}"
    if isinstance(v, float):
        return f"{v:g}".replace("e+", "e")
    if isinstance(v, str):
        shown = text.sanitize(v.encode("utf-8", "replace").decode("utf-8"))
        return f"“{shown[:40]}…”" if len(shown) > 40 else f"“{shown}”"
    if isinstance(v, list):
        return "[…]" if v else "[]"
    if isinstance(v, dict):
        return "{…}" if v else "{}"
    return type(v).__name__


class _Doc:
    """One document being read: where it is (table/id and a label), for errors naming it."""

    def __init__(self, table: str, doc_id: Any, label: str = "") -> None:
        self.table, self.doc_id, self.label = table, doc_id, label

    def where(self, lang: str) -> str:
        word = "record" if lang == "en" else "bản ghi"
        label = f" ({self.label})" if self.label else ""
        return f"{word} {self.table}/{_shown(self.doc_id).strip('“”')}{label}"

    def fail(self, field: str, vi: str, en: str) -> Malformed:
        """An error about ``field`` of this document; ``vi``/``en`` say what is wrong."""
        fv = f": trường {field}" if field else ":"
        fe = f": field {field}" if field else ":"
        return Malformed(Msg(f"{self.where('vi')}{fv} {vi}", f"{self.where('en')}{fe} {en}"))

    def bad(self, field: str, v: Any, vi: str, en: str) -> Malformed:
        """``field = value`` is wrong: "không phải số" / "is not a number"."""
        return self.fail(field, f"= {_shown(v)} {vi}", f"= {_shown(v)} {en}")

    # typed getters: each returns the value or raises Malformed naming the field

    def obj(self, d: Any, field: str, *, optional: bool = False) -> dict[str, Any]:
        if d is None and optional:
            return {}
        if not isinstance(d, dict):
            raise self.bad(field, d, "không phải một đối tượng JSON", "is not a JSON object")
        return d

    def missing(self, d: dict[str, Any], key: str, field: str) -> Any:
        if key not in d:
            raise self.fail(field, "bị thiếu", "is missing")
        return d[key]

    def number(self, v: Any, field: str, *, optional: bool = True) -> Number | None:
        if v is None and optional:
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise self.bad(field, v, "không phải là số", "is not a number")
        if isinstance(v, float) and not math.isfinite(v) or abs(v) > STORED_LIMIT:
            raise self.bad(field, v, "vượt giới hạn", "is out of range")
        return v

    def year(self, v: Any, field: str, *, optional: bool = False) -> int | None:
        if v is None and optional:
            return None
        lo, hi = YEAR_RANGE
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise self.bad(field, v, f"không phải một năm ({lo}–{hi})", f"is not a year ({lo}–{hi})")
        return v

    def string(self, v: Any, field: str, *, optional: bool = True, multiline: bool = False) -> str:
        if v is None and optional:
            return ""
        if not isinstance(v, str):
            raise self.bad(field, v, "không phải chuỗi ký tự", "is not text")
        return clean_note(v) if multiline else clean(v)

    def who(self, v: Any, field: str) -> str | None:
        """A "by"/"at" field: text or null."""
        return None if v is None else self.string(v, field)

    def code(self, v: Any, field: str) -> str:
        """An identifier (unit, cluster, indicator code): plain one-line text, already canonical.

        Not sanitised into something else: records, tasks and edits refer to it by its exact
        spelling, so a code with control characters or in decomposed Unicode is refused instead.
        """
        if not isinstance(v, str) or not v or len(v) > 100 or clean(v) != v:
            raise self.bad(field, v, "không phải một mã hợp lệ", "is not a valid code")
        return v

    def key(self, v: Any, parent: str) -> str:
        """A key of the object at ``parent`` that is a code (:meth:`code`); the field is named
        ``parent.<key>`` only when it is refused, so reading a large store builds no messages."""
        if isinstance(v, str) and v and len(v) <= 100 and clean(v) == v:
            return v
        return self.code(v, f"{parent}.{_shown(v)}")

    def flag(self, v: Any, field: str, *, optional: bool = True) -> bool | None:
        if v is None and optional:
            return None
        if not isinstance(v, bool):
            raise self.bad(field, v, "không phải true/false", "is not true/false")
        return v

    def choice(self, v: Any, field: str, enum: Any, default: Any) -> Any:
        if v is None:
            return default
        if isinstance(v, str) and v in enum._value2member_map_:
            return enum(v)
        allowed = ", ".join(e.value for e in enum)
        raise self.bad(field, v, f"không hợp lệ (dùng: {allowed})", f"is not valid (use: {allowed})")


def _doc_items(data: dict[str, Any], table: str) -> list[tuple[int, Any]]:
    """A table's documents in id order; an id that is not a number is an error naming it."""
    out = []
    for k, v in data.get(table, {}).items():
        try:
            doc_id = int(k)
        except (TypeError, ValueError):
            raise _Doc(table, k).fail("", "mã bản ghi không phải là số", "the document id is not a number") from None
        out.append((doc_id, v))
    out.sort(key=lambda kv: kv[0])
    return out


def _reading_of(doc: _Doc, v: Any, field: str) -> Reading:
    v = doc.obj(v, field)
    value = doc.number(v.get("v"), f"{field}.v")  # negative or above max_value loads: check reports it
    return Reading(value, doc.choice(v.get("q"), f"{field}.q", Qualifier, Qualifier.EXACT),
                   doc.choice(v.get("s"), f"{field}.s", Status, Status.REPORTED),
                   bool(doc.flag(v.get("sample"), f"{field}.sample")),
                   doc.who(v.get("by"), f"{field}.by"), doc.who(v.get("at"), f"{field}.at"))


def _target_of(doc: _Doc, t: Any, field: str) -> Target:
    t = doc.obj(t, field)
    value = doc.number(doc.missing(t, "v", f"{field}.v"), f"{field}.v", optional=False)
    assert value is not None
    return Target(value, bool(doc.flag(t.get("sample"), f"{field}.sample")),
                  doc.who(t.get("by"), f"{field}.by"), doc.who(t.get("at"), f"{field}.at"))


def _unit_of(doc: _Doc, d: dict[str, Any]) -> Unit:
    code = doc.code(doc.missing(d, "code", "code"), "code")
    doc.label = code
    raw_periods = doc.missing(d, "periods", "periods")
    if not isinstance(raw_periods, list) or not raw_periods:  # Unit.name()/active() index periods[0]
        raise doc.bad("periods", raw_periods, "phải là một danh sách không rỗng", "must be a non-empty list")
    periods = []
    for i, p in enumerate(raw_periods):
        f = f"periods[{i}]"
        p = doc.obj(p, f)
        periods.append(UnitPeriod(doc.year(doc.missing(p, "from", f"{f}.from"), f"{f}.from"),  # type: ignore[arg-type]
                                  doc.string(doc.missing(p, "name", f"{f}.name"), f"{f}.name", optional=False),
                                  doc.code(doc.missing(p, "cluster", f"{f}.cluster"), f"{f}.cluster")))
    years = [p.from_year for p in periods]
    if years != sorted(set(years)):
        raise doc.fail("periods", "phải theo thứ tự năm, không trùng năm", "must be in year order, without repeated years")
    retired = doc.year(d.get("retired_from"), "retired_from", optional=True)
    return Unit(code, doc.string(d.get("kind"), "kind"), tuple(periods), retired,
                formed_from=_origins_of(doc, d, code))


def _origins_of(doc: _Doc, d: dict[str, Any], code: str) -> tuple[Origin, ...]:
    """A unit's optional ``formed_from``: [{"unit": CODE, "share": "0.6"}, ...] (merge/split)."""
    raw = d.get("formed_from")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise doc.bad("formed_from", raw, "phải là một danh sách", "must be a list")
    out = []
    for i, o in enumerate(raw):
        f = f"formed_from[{i}]"
        o = doc.obj(o, f)
        unit = doc.code(doc.missing(o, "unit", f"{f}.unit"), f"{f}.unit")
        if unit == code:
            raise doc.bad(f"{f}.unit", unit, "là chính đơn vị này", "is the unit itself")
        out.append(Origin(unit, _share_of(doc, o.get("share", "1"), f"{f}.share")))
    return tuple(out)


def _share_of(doc: _Doc, v: Any, field: str) -> Decimal:
    """A share of a unit's figures: text ("0.6") or a number, above 0 and at most 1."""
    if isinstance(v, bool) or not isinstance(v, (str, int, float)):
        raise doc.bad(field, v, "không phải một tỷ lệ (viết \"0.6\")", "is not a share (write \"0.6\")")
    try:
        share = Decimal(str(v))
    except ArithmeticError:
        share = None
    if share is None or not share.is_finite() or not 0 < share <= 1:
        raise doc.bad(field, v, "phải là một tỷ lệ lớn hơn 0 và không quá 1",
                      "must be a share above 0 and at most 1")
    return share


def _duplicate(doc: _Doc, field: str, first: _Doc) -> Malformed:
    return doc.fail(field, f"trùng với bản ghi {first.table}/{first.doc_id}; chỉ được có một. "
                           f"Hãy gộp hoặc xóa một bản ghi rồi mở lại",
                    f"duplicates record {first.table}/{first.doc_id}; there may be only one. Merge or remove one "
                    f"of them, then open again")


def _keyed(table: str, doc_id: Any, d: Any, key: str) -> tuple[_Doc, dict[str, Any], str, int]:
    """A document of ``table`` keyed by a code (its ``key`` field: a unit, a cluster) and a year,
    both checked; its label names them in later messages."""
    doc = _Doc(table, doc_id)
    d = doc.obj(d, "")
    code = doc.code(doc.missing(d, key, key), key)
    year = doc.year(doc.missing(d, "year", "year"), "year")
    assert year is not None
    doc.label = f"{code} {year}"
    return doc, d, code, year


def _first_of(seen: dict[tuple[str, int], _Doc], doc: _Doc, code: str, year: int) -> None:
    """Note ``doc`` as the one document of (code, year); a second is refused, naming the first."""
    if (code, year) in seen:
        raise _duplicate(doc, "", seen[(code, year)])
    seen[(code, year)] = doc


def build_snapshot(data: dict[str, Any], *, unit: str | None = None, year: int | None = None,
                   records: bool = True) -> Snapshot:
    """Turn the raw file into domain objects, checking every field and sanitising every string.

    A document of the wrong shape (a text where a year belongs, a number beyond
    :data:`~.validation.STORED_LIMIT`, a bad status, two units with one code, two records for one
    unit and year, ...) raises :class:`Malformed` naming the document and the field: every view
    can then trust the snapshot. Values that are well formed but doubtful (negative, above an
    indicator's sensible bound, a record of an unknown unit) load, and ``ccb-tui check`` reports them.

    ``unit``/``year`` keep only the matching unit and records, and ``records=False`` no records
    (the reported totals are then left out too): an edit inside a transaction needs its own unit
    and record and the tasks, not every figure of every year.
    """
    partial = unit is not None or year is not None or not records

    def docs(table: str) -> list[tuple[int, Any]]:
        items = _doc_items(data, table)
        if partial and table in ("records", "units") and unit is not None:
            items = [(k, v) for k, v in items
                     if not isinstance(v, dict) or v.get("unit", v.get("code")) == unit]
        return items

    clusters: dict[str, Cluster] = {}
    cluster_docs: dict[str, _Doc] = {}
    cluster_targets: dict[tuple[str, str, int], Target] = {}
    for doc_id, d in docs("clusters"):
        doc = _Doc("clusters", doc_id)
        d = doc.obj(d, "")
        code = doc.code(doc.missing(d, "code", "code"), "code")
        doc.label = code
        if code in cluster_docs:
            raise _duplicate(doc, "code", cluster_docs[code])
        cluster_docs[code] = doc
        c = Cluster(code, doc.string(doc.missing(d, "name_vi", "name_vi"), "name_vi", optional=False),
                    doc.string(doc.missing(d, "name_en", "name_en"), "name_en", optional=False),
                    doc.string(d.get("parent_vi"), "parent_vi"), doc.string(d.get("parent_en"), "parent_en"))
        clusters[c.code] = c
        for y, by_ind in doc.obj(d.get("targets"), "targets", optional=True).items():
            f = f"targets.{_shown(y).strip('“”')}"
            y_int = doc.year(int(y) if isinstance(y, str) and y.isascii() and y.isdigit() else y, f)
            for ind_code, t in doc.obj(by_ind, f).items():
                ind_code = doc.key(ind_code, f)
                cluster_targets[(code, ind_code, y_int)] = _target_of(doc, t, f"{f}.{ind_code}")  # type: ignore[index]

    if not clusters and not partial:  # every view shows a cluster (the first one by default)
        raise Malformed(Msg("bảng clusters: không có cụm thi đua nào", "table clusters: there is no cluster"))

    units = []
    unit_docs: dict[str, _Doc] = {}
    for doc_id, d in docs("units"):
        doc = _Doc("units", doc_id)
        u = _unit_of(doc, doc.obj(d, ""))
        if u.code in unit_docs:
            raise _duplicate(doc, "code", unit_docs[u.code])
        unit_docs[u.code] = doc
        units.append(u)

    values: dict[tuple[str, str, int], Reading] = {}
    targets: dict[tuple[str, str, int], Target] = {}
    record_docs: dict[tuple[str, int], _Doc] = {}
    for doc_id, d in (docs("records") if records else ()):
        doc, d, r_unit, r_year = _keyed("records", doc_id, d, "unit")
        if (unit is not None and r_unit != unit) or (year is not None and r_year != year):
            continue
        _first_of(record_docs, doc, r_unit, r_year)
        for code, v in doc.obj(d.get("values"), "values", optional=True).items():
            code = doc.key(code, "values")
            values[(r_unit, code, r_year)] = _reading_of(doc, v, f"values.{code}")
        for code, t in doc.obj(d.get("targets"), "targets", optional=True).items():
            code = doc.key(code, "targets")
            targets[(r_unit, code, r_year)] = _target_of(doc, t, f"targets.{code}")

    reported: dict[tuple[str, int], dict[str, ReportedTotal]] = {}
    reported_docs: dict[tuple[str, int], _Doc] = {}
    for doc_id, d in (() if partial else docs("reported")):
        doc, d, ccode, r_year = _keyed("reported", doc_id, d, "cluster")
        _first_of(reported_docs, doc, ccode, r_year)
        totals = {}
        for code, t in doc.obj(d.get("totals"), "totals", optional=True).items():
            code = doc.key(code, "totals")
            f = f"totals.{code}"
            t = doc.obj(t, f)
            totals[code] = ReportedTotal(code, doc.number(t.get("value"), f"{f}.value"),
                                         doc.choice(t.get("qualifier"), f"{f}.qualifier", Qualifier, Qualifier.EXACT),
                                         doc.string(t.get("quote"), f"{f}.quote"),
                                         doc.flag(t.get("plan_met"), f"{f}.plan_met"))
        reported[(ccode, r_year)] = totals

    tasks = []
    for doc_id, d in docs("tasks"):
        doc = _Doc("tasks", doc_id)
        d = doc.obj(d, "")
        t_year = doc.year(doc.missing(d, "year", "year"), "year")
        assert t_year is not None
        statuses = {}
        for u_code, st in doc.obj(d.get("statuses"), "statuses", optional=True).items():
            u_code = doc.key(u_code, "statuses")
            f = f"statuses.{u_code}"
            st = doc.obj(st, f)
            statuses[u_code] = TaskStatus(doc.choice(st.get("state"), f"{f}.state", TaskState, TaskState.TODO),
                                          doc.string(st.get("note"), f"{f}.note", multiline=True),
                                          doc.who(st.get("by"), f"{f}.by"), doc.who(st.get("at"), f"{f}.at"))
        tasks.append(Task(doc_id, t_year, doc.string(doc.missing(d, "title", "title"), "title", optional=False),
                          doc.string(d.get("note"), "note", multiline=True), statuses))

    if not partial:  # the log is read lazily, but TinyDB and undo need numeric ids and objects
        for doc_id, d in _doc_items(data, "log"):
            _Doc("log", doc_id).obj(d, "")

    meta = meta_doc(data)
    mdoc = _Doc("meta", next((k for k, v in data.get("meta", {}).items() if v is meta), 1))
    revision = meta.get("revision", 0)
    if isinstance(revision, bool) or not isinstance(revision, int) or not 0 <= revision < 10**15:
        raise mdoc.bad("revision", revision, "không phải số phiên bản hợp lệ", "is not a valid revision number")
    try:
        the_settings = settings(meta.get("settings"))
    except ValueError as exc:
        raise mdoc.fail("settings", f"sai dạng ({text.sanitize(str(exc))})", f"is malformed ({text.sanitize(str(exc))})") from exc
    templates, pacts, scores, commendations = _thidua_of(data)
    return Snapshot(revision, clusters, tuple(units), values, targets, reported, tuple(tasks),
                    cluster_targets, the_settings, templates, scores, commendations, pacts)


def _points_of(doc: _Doc, v: Any, field: str, *, optional: bool = False, default: str = "0") -> Decimal:
    """A points value: a string ("9.5") or a number, at most 2 decimals."""
    if v is None and optional:
        return scoring.points(default)
    if isinstance(v, bool) or not isinstance(v, (str, int, float)):
        raise doc.bad(field, v, "không phải số điểm", "is not a number of points")
    try:
        return scoring.points(v)
    except ValueError:
        raise doc.bad(field, v, "không phải số điểm (tối đa 2 chữ số thập phân)",
                      "is not a number of points (at most 2 decimals)") from None


def _day_of(doc: _Doc, v: Any, field: str) -> str | None:
    """A day as ISO text ("2020-01-15"), or None."""
    if v is None:
        return None
    from datetime import date
    if isinstance(v, str):
        try:
            return date.fromisoformat(v).isoformat()
        except ValueError:
            pass
    raise doc.bad(field, v, "không phải ngày (viết 2020-01-15)", "is not a day (write 2020-01-15)")


def _template_of(doc: _Doc, d: dict[str, Any], year: int) -> scoring.Template:
    raw_lines = doc.missing(d, "lines", "lines")
    if not isinstance(raw_lines, list):
        raise doc.bad("lines", raw_lines, "phải là một danh sách", "must be a list")
    if len(raw_lines) > scoring.MAX_LINES:
        raise doc.fail("lines", f"quá {scoring.MAX_LINES} dòng", f"has over {scoring.MAX_LINES} lines")
    lines: list[scoring.Line] = []
    seen: set[str] = set()
    for i, ln in enumerate(raw_lines):
        f = f"lines[{i}]"
        ln = doc.obj(ln, f)
        code = doc.code(doc.missing(ln, "code", f"{f}.code"), f"{f}.code")
        if code in seen:  # scores refer to lines by code: two lines with one code are ambiguous
            raise doc.bad(f"{f}.code", code, "bị trùng với một dòng trước", "repeats an earlier line's code")
        seen.add(code)
        rule = None
        if ln.get("rule") is not None:
            r = doc.obj(ln["rule"], f"{f}.rule")
            kind = doc.string(doc.missing(r, "kind", f"{f}.rule.kind"), f"{f}.rule.kind", optional=False)
            if kind not in scoring.RULE_KINDS:
                raise doc.bad(f"{f}.rule.kind", kind, f"không hợp lệ (dùng: {', '.join(scoring.RULE_KINDS)})",
                              f"is not valid (use: {', '.join(scoring.RULE_KINDS)})")
            step = _points_of(doc, r.get("step"), f"{f}.rule.step", optional=True, default="1")
            if step <= 0:
                raise doc.bad(f"{f}.rule.step", r.get("step"), "phải lớn hơn 0", "must be above 0")
            rule = scoring.Rule(kind, doc.code(doc.missing(r, "indicator", f"{f}.rule.indicator"), f"{f}.rule.indicator"),
                                _points_of(doc, r.get("per"), f"{f}.rule.per", optional=True), step)
        lines.append(scoring.Line(code, doc.string(ln.get("area"), f"{f}.area"),
                                  doc.string(ln.get("title"), f"{f}.title"),
                                  _points_of(doc, doc.missing(ln, "max", f"{f}.max"), f"{f}.max"),
                                  _points_of(doc, ln.get("min"), f"{f}.min", optional=True), rule))
    raw_bands = doc.missing(d, "bands", "bands")
    if not isinstance(raw_bands, list):
        raise doc.bad("bands", raw_bands, "phải là một danh sách", "must be a list")
    bands = []
    for i, b in enumerate(raw_bands[:50]):
        f = f"bands[{i}]"
        b = doc.obj(b, f)
        bands.append(scoring.Band(doc.string(doc.missing(b, "name", f"{f}.name"), f"{f}.name", optional=False),
                                  _points_of(doc, doc.missing(b, "low", f"{f}.low"), f"{f}.low"),
                                  _points_of(doc, doc.missing(b, "high", f"{f}.high"), f"{f}.high")))
    return scoring.Template(year, tuple(lines), tuple(bands), bool(doc.flag(d.get("sample"), "sample")))


def _thidua_of(data: dict[str, Any]) -> tuple[dict[int, scoring.Template], dict[int, str],
                                               dict[tuple[str, str, int, str], scoring.Score],
                                               tuple[scoring.Commendation, ...]]:
    """The thi đua tables: templates (and pact days) by year, scores, commendations.

    Small tables (one document per year, per unit and year, per commendation), read whole even
    for a partial snapshot: every score edit checks the year's template.
    """
    templates: dict[int, scoring.Template] = {}
    pacts: dict[int, str] = {}
    template_docs: dict[int, _Doc] = {}
    for doc_id, d in _doc_items(data, "templates"):
        doc = _Doc("templates", doc_id)
        d = doc.obj(d, "")
        year = doc.year(doc.missing(d, "year", "year"), "year")
        assert year is not None
        doc.label = str(year)
        if year in template_docs:
            raise _duplicate(doc, "year", template_docs[year])
        template_docs[year] = doc
        templates[year] = _template_of(doc, d, year)
        day = _day_of(doc, d.get("pact_signed"), "pact_signed")
        if day is not None:
            pacts[year] = day

    scores: dict[tuple[str, str, int, str], scoring.Score] = {}
    score_docs: dict[tuple[str, int], _Doc] = {}
    for doc_id, d in _doc_items(data, "scores"):
        doc, d, unit, year = _keyed("scores", doc_id, d, "unit")
        _first_of(score_docs, doc, unit, year)
        for stage, by_line in doc.obj(d.get("stages"), "stages", optional=True).items():
            if stage not in scoring.STAGES:
                raise doc.bad(f"stages.{_shown(stage).strip('“”')}", stage,
                              f"không phải vòng chấm (dùng: {', '.join(scoring.STAGES)})",
                              f"is not a stage (use: {', '.join(scoring.STAGES)})")
            for line, sc in doc.obj(by_line, f"stages.{stage}").items():
                line = doc.key(line, f"stages.{stage}")
                f = f"stages.{stage}.{line}"
                sc = doc.obj(sc, f)
                scores[(unit, line, year, stage)] = scoring.Score(
                    unit, line, year, stage, _points_of(doc, doc.missing(sc, "p", f"{f}.p"), f"{f}.p"),
                    doc.string(sc.get("note"), f"{f}.note", multiline=True),
                    doc.string(sc.get("evidence"), f"{f}.evidence", multiline=True),
                    doc.who(sc.get("by"), f"{f}.by"), doc.who(sc.get("at"), f"{f}.at"))

    commendations = []
    for doc_id, d in _doc_items(data, "commendations"):
        doc = _Doc("commendations", doc_id)
        d = doc.obj(d, "")
        year = doc.year(doc.missing(d, "year", "year"), "year")
        assert year is not None
        unit = None if d.get("unit") is None else doc.code(d["unit"], "unit")
        status = d.get("status", "proposed")
        if status not in scoring.COMMENDATION_STATUS:
            raise doc.bad("status", status, f"không hợp lệ (dùng: {', '.join(scoring.COMMENDATION_STATUS)})",
                          f"is not valid (use: {', '.join(scoring.COMMENDATION_STATUS)})")
        commendations.append(scoring.Commendation(
            doc_id, year, unit, doc.string(d.get("person"), "person"), doc.string(d.get("form"), "form"),
            doc.string(d.get("level"), "level"), doc.string(d.get("reason"), "reason", multiline=True), status))
    return templates, pacts, scores, tuple(commendations)


def target(t: dict[str, Any], where: str) -> Target:
    """A target document as a Target; one without a value is malformed."""
    value = number_or_none(t["v"])
    if value is None:
        raise ValueError(f"target {where} has no value")
    return Target(value, bool(t.get("sample", False)), t.get("by"), t.get("at"))


def target_doc(value: Number, user: str, at: str) -> dict[str, Any]:
    return {"v": value, "by": user, "at": at}


def _year_or_none(v: Any, what: str) -> int | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or not 1900 <= v <= 2100:
        raise ValueError(f"settings.{what} is not a year: {v!r}"[:120])
    return v


def settings(d: Any) -> Settings:
    """The meta record's ``settings`` as Settings (defaults for what is missing)."""
    if d is None:
        return Settings()
    if not isinstance(d, dict):
        raise ValueError("settings is not an object")
    for k in ("timezone", "org_parent", "org_name", "place", "signer_title", "signer_name"):
        if d.get(k) is not None and not isinstance(d[k], str):
            raise ValueError(f"settings.{k} is not text")
    tz = clean(d.get("timezone")) or DEFAULT_TIMEZONE
    check_timezone(tz)
    opened = d.get("open_years") or []
    if not isinstance(opened, list):
        raise ValueError("settings.open_years is not a list")
    return Settings(
        current_year=_year_or_none(d.get("current_year"), "current_year"),
        open_years=tuple(sorted({_year_or_none(y, "open_years") for y in opened})),  # type: ignore[type-var]
        timezone=tz,
        **{k: clean(d.get(k)) for k in ("org_parent", "org_name", "place", "signer_title", "signer_name")},
        current_cluster=_cluster_setting(d.get("current_cluster")),
    )


def _cluster_setting(v: Any) -> str | None:
    """``settings.current_cluster``: a cluster code, or None (the first cluster)."""
    if v is None or v == "":
        return None
    if not isinstance(v, str):
        raise ValueError("settings.current_cluster is not text")
    return clean(v) or None


def check_timezone(name: str) -> None:
    """Raise ValueError unless ``name`` is a time zone this machine knows (IANA name)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}"[:120]) from exc


def meta_doc(data: dict[str, Any]) -> dict[str, Any]:
    meta = data.get("meta")
    if isinstance(meta, dict):
        for d in meta.values():
            if isinstance(d, dict):
                return d
    return {}


def describe(ind_code: str, r: Reading | Target | None, lang: str) -> str:
    """A reading as a person would say it: "gần 250 triệu đồng", "chưa báo cáo"."""
    if r is None:
        return "—" if lang == "en" else "—"
    if isinstance(r, Target):
        ind = indicators.BY_CODE.get(ind_code)
        return format_value(r.value, ind.kind.value if ind else "quantity", lang, ind.decimals if ind else None)
    if not r.reported:
        return "not reported" if lang == "en" else "chưa báo cáo"
    ind = indicators.BY_CODE.get(ind_code)
    shown = format_value(r.value, ind.kind.value if ind else "quantity", lang, ind.decimals if ind else None)
    q = r.qualifier.label(lang)
    return f"{q} {shown}" if q else shown
