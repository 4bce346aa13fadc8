"""Store documents <-> frozen models. Every string is sanitised on the way in.

Plain dicts only (no TinyDB): ``core.store`` reads and writes the documents.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ..domain import indicators, text
from .audit import LogEntry
from ..domain.fmt import format_value
from ..domain.models import (
    DEFAULT_TIMEZONE, Cluster, Number, Qualifier, Reading, ReportedTotal, Settings, Snapshot, Status, Target, Task, TaskState, TaskStatus, Unit, UnitPeriod,
)


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


def log_entry(doc_id: int, d: dict[str, Any]) -> LogEntry:
    """An audit-log document as a LogEntry (strings sanitised)."""
    target = d.get("target") if isinstance(d.get("target"), dict) else {}
    undoes = d.get("undoes")
    return LogEntry(int(doc_id), clean(d.get("at")), clean(d.get("user")), clean(d.get("action")),
                    target, d.get("old"), d.get("new"), int(undoes) if isinstance(undoes, int) else None)


def build_snapshot(data: dict[str, Any], *, unit: str | None = None, year: int | None = None,
                   records: bool = True) -> Snapshot:
    """Turn the raw file into domain objects, sanitising every string on the way in.

    ``unit``/``year`` keep only the matching unit and records, and ``records=False`` no records
    (the reported totals are then left out too): an edit inside a transaction needs its own unit
    and record and the tasks, not every figure of every year.
    """
    partial = unit is not None or year is not None or not records

    def docs(table: str) -> list[tuple[int, dict[str, Any]]]:
        if partial and table in ("records", "units"):  # order does not matter to an edit
            return [(0, v) for v in data.get(table, {}).values()
                    if not isinstance(v, dict) or unit is None or v.get("unit", v.get("code")) == unit]
        return sorted_docs(data, table)

    clusters = {}
    cluster_targets: dict[tuple[str, str, int], Target] = {}
    for _, d in docs("clusters"):
        c = Cluster(clean(d["code"]), clean(d["name_vi"]), clean(d["name_en"]),
                    clean(d.get("parent_vi")), clean(d.get("parent_en")))
        clusters[c.code] = c
        for y, by_ind in (d.get("targets") or {}).items():
            for code, t in by_ind.items():
                cluster_targets[(c.code, code, int(y))] = target(t, f"{c.code}/{code}/{y}")
    units = tuple(
        Unit(d["code"], d.get("kind", ""), periods(d), d.get("retired_from"))
        for _, d in docs("units"))
    values: dict[tuple[str, str, int], Reading] = {}
    targets: dict[tuple[str, str, int], Target] = {}
    for _, d in (docs("records") if records else ()):
        r_unit, r_year = d["unit"], int(d["year"])
        if (unit is not None and r_unit != unit) or (year is not None and r_year != year):
            continue
        for code, v in d.get("values", {}).items():
            values[(r_unit, code, r_year)] = reading(v)
        for code, t in d.get("targets", {}).items():
            targets[(r_unit, code, r_year)] = target(t, f"{r_unit}/{code}/{r_year}")
    reported: dict[tuple[str, int], dict[str, ReportedTotal]] = {}
    for _, d in (() if partial else docs("reported")):
        reported[(d["cluster"], int(d["year"]))] = {
            code: ReportedTotal(code, number_or_none(t.get("value")), Qualifier(t.get("qualifier", "exact")),
                                clean(t.get("quote")), t.get("plan_met"))
            for code, t in d.get("totals", {}).items()}
    tasks = tuple(
        Task(doc_id, int(d["year"]), clean(d["title"]), clean_note(d.get("note")),
             {u: TaskStatus(TaskState(s.get("state", "todo")), clean_note(s.get("note")),
                            s.get("by"), s.get("at"))
              for u, s in d.get("statuses", {}).items()})
        for doc_id, d in docs("tasks"))
    meta = meta_doc(data)
    return Snapshot(int(meta.get("revision", 0)), clusters, units, values, targets, reported, tasks,
                    cluster_targets, settings(meta.get("settings")))


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
    )


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
