"""Reverting one audited change, inside the store's transaction.

TinyDB stays inside ``core.store``: this module works through the store's document helpers and
treats the transaction handle ``db`` as opaque.

Each revert first checks that what the change wrote is still there; if someone changed it since,
the undo is refused with a conflict naming both, and nothing is written.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from . import documents
from ..domain import indicators, scoring, validation
from .audit import LogEntry, describe
from ..domain.errors import ConflictError, InvalidValue
from .changes import Change
from .files import now_iso
from .thidua import score_entry
from .entry import audited  # noqa: F401 - the store's edits take it from here
from ..domain.models import Msg, Snapshot

if TYPE_CHECKING:
    from .store import Store

def undo_entry(store: "Store", entry_id: int) -> "Change":
    """Revert the audited change ``entry_id`` in one transaction, audited as an undo.

    Refused (InvalidValue) when there is no such entry, it is an undo or a restore itself, or it
    was already undone; refused with a ConflictError when what it wrote has changed since. A task
    removal undone puts the task back with its old id.
    """

    with store._transaction() as db:
        snap = store._snap_in(db)
        log = store._table(db, "log")
        doc = log.get(doc_id=int(entry_id))
        if doc is None:
            raise InvalidValue(Msg(f"Không có thay đổi số {entry_id} trong nhật ký.",
                                   f"There is no change {entry_id} in the log."))
        entry = documents.log_entry(int(entry_id), doc)
        if entry.action in ("undo", "restore"):
            raise InvalidValue(Msg(f"Thay đổi số {entry_id} là một lần hoàn tác hoặc khôi phục; không hoàn tác được.",
                                   f"Change {entry_id} is an undo or a restore; it cannot be undone."))
        if any(d.get("undoes") == entry.id for d in log.all()):
            raise InvalidValue(Msg(f"Thay đổi số {entry_id} đã được hoàn tác.",
                                   f"Change {entry_id} has already been undone."))
        revert(store, db, snap, entry)
        undo_id = log.insert({"at": now_iso(), "user": store.user, "action": "undo",
                              "target": {**entry.target, "action": entry.action},
                              "old": entry.new, "new": entry.old, "undoes": entry.id})
        rev = snap.revision + 1
    return reversal(entry, snap, rev, undo_id)


def reversal(entry: LogEntry, snap: Snapshot, revision: int, undo_id: int) -> "Change":
    """What undoing ``entry`` did: its old and new swapped ("Số hội viên 2022: 62 → chưa báo cáo")."""
    reverse = dataclasses.replace(entry, old=entry.new, new=entry.old)
    vi, en = _split(describe(reverse, snap, "vi")), _split(describe(reverse, snap, "en"))
    return Change(*vi, revision, en, undo_id)


def _split(described: str) -> tuple[str, str, str]:
    """"what: old → new" as its three parts (``Change.text`` joins them back the same way)."""
    head, _, new = described.rpartition(" → ")
    what, _, old = head.rpartition(": ")
    return what, old, new


def register(action: str, handler: Callable[..., None]) -> None:
    """Let another store module (a mixin of Store) revert its own kind of change: ``handler(store,
    db, snap, entry)`` applies the inverse of ``entry`` inside the open transaction, or raises."""
    _HANDLERS[action] = handler


def conflict(entry: LogEntry, snap: Snapshot, now: str, then: str) -> ConflictError:
    """The undo of ``entry`` refused: the value is ``now``, no longer what the change wrote (``then``)."""
    return _conflict(entry, snap, now, then)


def _conflict(entry: LogEntry, snap: Snapshot, now: str, then: str) -> ConflictError:
    what = describe(entry, snap, "vi")
    what_en = describe(entry, snap, "en")
    return ConflictError(
        Msg(f"Xung đột: không hoàn tác được ({what}): giá trị đã được đổi thành {now} sau thay đổi của bạn "
            f"({then}). Không ghi đè.",
            f"Conflict: cannot undo ({what_en}): the value was changed to {now} after your change ({then}). "
            f"Nothing overwritten."), what, then, now, "")


def _same_reading(a: Any, b: Any) -> bool:
    a = a or {"s": "not_reported"}
    b = b or {"s": "not_reported"}
    if a.get("s") == "not_reported" and b.get("s") == "not_reported":
        return True
    return (a.get("v"), a.get("q", "exact"), a.get("s")) == (b.get("v"), b.get("q", "exact"), b.get("s"))


def revert(store: "Store", db: Any, snap: Snapshot, entry: LogEntry) -> None:
    """Apply the inverse of ``entry`` in the open transaction ``db``."""
    handler = _HANDLERS.get(entry.action)
    if handler is None:
        raise InvalidValue(Msg(f"Không hoàn tác được loại thay đổi '{entry.action}'.",
                               f"Changes of kind '{entry.action}' cannot be undone."))
    handler(store, db, snap, entry)


def _set_value(store: "Store", db: Any, snap: Snapshot, entry: LogEntry) -> None:
    t = entry.target
    records, doc_id, doc = store._record(db, t["unit"], int(t["year"]))
    current = doc.get("values", {}).get(t["indicator"])
    if not _same_reading(current, entry.new):
        cur = snap.reading(t["unit"], t["indicator"], int(t["year"]))
        raise _conflict(entry, snap, documents.describe(t["indicator"], cur, "vi"),
                        documents.describe(t["indicator"], documents.reading(entry.new or {}), "vi"))
    restored = dict(entry.old or {"v": None, "q": "exact", "s": "not_reported"})
    restored.update({"by": store.user, "at": now_iso()})
    readings = {code: snap.reading(t["unit"], code, int(t["year"])) for code in indicators.BY_CODE}
    readings[t["indicator"]] = documents.reading(restored)
    problems = validation.validate_unit_year(readings)
    if problems:
        raise InvalidValue.from_problems(problems)
    old = entry.old or {}
    if old.get("s", "not_reported") == "not_reported" and not old.get("by") and not old.get("sample"):
        # The cell had no entry before: undo leaves none (a placeholder would read as a figure
        # someone entered, and block undoing a merge or split), and no empty record.
        values = {k: v for k, v in doc.get("values", {}).items() if k != t["indicator"]}
        doc["values"] = values
        if doc_id is not None and not values and not doc.get("targets") and set(doc) <= _RECORD_KEYS:
            records.remove(doc_ids=[doc_id])
            return
    else:
        doc["values"] = {**doc.get("values", {}), t["indicator"]: restored}
    store._save_record(records, doc_id, doc)


_RECORD_KEYS = {"unit", "year", "values", "targets"}


def _set_target(store: "Store", db: Any, snap: Snapshot, entry: LogEntry) -> None:
    t = entry.target
    records, doc_id, doc = store._record(db, t["unit"], int(t["year"]))
    targets = dict(doc.get("targets", {}))
    current = targets.get(t["indicator"], {}).get("v")
    if current != entry.new:
        raise _conflict(entry, snap, str(current), str(entry.new))
    if entry.old is None:
        targets.pop(t["indicator"], None)
    else:
        targets[t["indicator"]] = {"v": entry.old, "by": store.user, "at": now_iso()}
    doc["targets"] = targets
    store._save_record(records, doc_id, doc)


def _set_task_status(store: "Store", db: Any, snap: Snapshot, entry: LogEntry) -> None:
    t = entry.target
    tasks = store._table(db, "tasks")
    doc = tasks.get(doc_id=int(t["task"]))
    if doc is None:
        raise _conflict(entry, snap, "đã xóa", str((entry.new or {}).get("state")))
    statuses = dict(doc.get("statuses", {}))
    cur = statuses.get(t["unit"], {"state": "todo", "note": ""})
    new = entry.new or {}
    if (cur.get("state"), cur.get("note", "")) != (new.get("state"), new.get("note", "")):
        raise _conflict(entry, snap, str(cur.get("state")), str(new.get("state")))
    old = entry.old or {"state": "todo", "note": ""}
    statuses[t["unit"]] = {"state": old.get("state", "todo"), "note": old.get("note", ""),
                           "by": store.user, "at": now_iso()}
    tasks.update({"statuses": statuses}, doc_ids=[int(t["task"])])


def _add_task(store: "Store", db: Any, snap: Snapshot, entry: LogEntry) -> None:
    task_id = int(entry.target["task"])
    tasks = store._table(db, "tasks")
    doc = tasks.get(doc_id=task_id)
    if doc is None:
        return  # already gone: nothing to revert
    if doc.get("title") != (entry.new or {}).get("title") or doc.get("statuses"):
        raise _conflict(entry, snap, str(doc.get("title")), str((entry.new or {}).get("title")))
    tasks.remove(doc_ids=[task_id])


def _edit_task(store: "Store", db: Any, snap: Snapshot, entry: LogEntry) -> None:
    task_id = int(entry.target["task"])
    tasks = store._table(db, "tasks")
    doc = tasks.get(doc_id=task_id)
    if doc is None:
        raise _conflict(entry, snap, "đã xóa", str(entry.new))
    for key, value in (entry.new or {}).items():
        if doc.get(key) != value:
            raise _conflict(entry, snap, str(doc.get(key)), str(value))
    tasks.update({k: v for k, v in (entry.old or {}).items() if k in (entry.new or {})}, doc_ids=[task_id])


def _remove_task(store: "Store", db: Any, snap: Snapshot, entry: LogEntry) -> None:
    task_id = int(entry.target["task"])
    tasks = store._table(db, "tasks")
    if tasks.get(doc_id=task_id) is not None or not isinstance(entry.old, dict):
        raise _conflict(entry, snap, f"nhiệm vụ {task_id} đang tồn tại", "đã xóa")
    store._insert_with_id(db, "tasks", dict(entry.old), task_id)


def _add_unit(store: "Store", db: Any, snap: Snapshot, entry: LogEntry) -> None:
    code = entry.target["unit"]
    used = any(d.get("unit") == code for d in store._table(db, "records").all()) or any(
        code in d.get("statuses", {}) for d in store._table(db, "tasks").all())
    if used:
        raise InvalidValue(Msg(f"Đơn vị {code} đã có số liệu; không hoàn tác việc thêm được. "
                               f"Dùng: ccb-tui unit retire {code} --year NĂM",
                               f"Unit {code} already has figures; adding it cannot be undone. "
                               f"Use: ccb-tui unit retire {code} --year YEAR"))
    store._remove_unit(db, code)


def _rename_unit(store: "Store", db: Any, snap: Snapshot, entry: LogEntry) -> None:
    code = entry.target["unit"]
    doc = store._unit_doc(db, code)
    new, old = entry.new or {}, entry.old or {}
    if doc is None or doc.get("periods") != new.get("periods"):
        raise _conflict(entry, snap, str(doc.get("periods") if doc else "—"), str(new.get("name")))
    store._update_unit(db, code, {"periods": old["periods"]})


def _retire_unit(store: "Store", db: Any, snap: Snapshot, entry: LogEntry) -> None:
    code = entry.target["unit"]
    doc = store._unit_doc(db, code)
    if doc is None or doc.get("retired_from") != entry.new:
        raise _conflict(entry, snap, str(doc.get("retired_from") if doc else "—"), str(entry.new))
    store._update_unit(db, code, {"retired_from": entry.old})


def _reorg_used(store: "Store", db: Any, code: str) -> bool:
    """Whether a unit made by a merge or split has anything of its own since (figures, targets,
    task states, scores, commendations), which undoing the reorganisation would leave orphaned."""
    return (any(d.get("unit") == code and (d.get("values") or d.get("targets") or set(d) - _RECORD_KEYS)
                for d in store._table(db, "records").all())
            or any(code in (d.get("statuses") or {}) for d in store._table(db, "tasks").all())
            or any(d.get("unit") == code for t in ("scores", "commendations") for d in store._table(db, t).all()))


def _reorganise(store: "Store", db: Any, snap: Snapshot, entry: LogEntry) -> None:
    """Undo a merge or split: remove the new unit(s), un-retire the predecessors. Refused when a
    new unit was changed since (renamed, retired, merged again) or has data of its own."""
    new, old = entry.new or {}, entry.old or {}
    docs = [d for d in new.get("units") or [] if isinstance(d, dict)]
    retired = new.get("retired") or {}
    for d in docs:
        code = str(d.get("code"))
        cur = store._unit_doc(db, code)
        if cur != d:
            now = "đã xóa" if cur is None else "đã được sửa"
            raise _conflict(entry, snap, f"{code} {now}", str(d.get("periods", [{}])[0].get("name", code)))
        if _reorg_used(store, db, code):
            what = "gộp" if entry.action == "merge_units" else "tách"
            what_en = "merge" if entry.action == "merge_units" else "split"
            raise InvalidValue(Msg(
                f"Đơn vị mới {code} đã có số liệu, chỉ tiêu, trạng thái nhiệm vụ hoặc điểm riêng; hoàn tác việc {what} "
                f"sẽ bỏ rơi chúng nên không làm được. Xem: ccb-tui log --unit {code}",
                f"The new unit {code} already has figures, targets, task states or scores of its own; undoing the "
                f"{what_en} would orphan them, so it is refused. See: ccb-tui log --unit {code}"))
    for code, year in retired.items():
        cur = store._unit_doc(db, code)
        if cur is None or cur.get("retired_from") != year:
            raise _conflict(entry, snap, str(cur.get("retired_from") if cur else "—"), str(year))
    for d in docs:
        store._remove_unit(db, str(d.get("code")))
    for code, was in (old.get("retired") or {}).items():
        store._update_unit(db, code, {"retired_from": was})


def _set_cluster_target(store: "Store", db: Any, snap: Snapshot, entry: LogEntry) -> None:
    t = entry.target
    current = snap.cluster_target(t["cluster"], t["indicator"], int(t["year"]))
    if (current.value if current else None) != entry.new:
        raise _conflict(entry, snap, str(current.value if current else "—"), str(entry.new))
    store._write_cluster_target(db, t["cluster"], t["indicator"], int(t["year"]), entry.old)


def _set_setting(store: "Store", db: Any, snap: Snapshot, entry: LogEntry) -> None:
    key = entry.target["setting"]
    if getattr(snap.settings, key, None) != entry.new:
        raise _conflict(entry, snap, str(getattr(snap.settings, key, None)), str(entry.new))
    meta, doc_id, settings = store._settings_doc(db)
    settings[key] = entry.old
    meta.update({"settings": settings}, doc_ids=[doc_id])


def _open_year(store: "Store", db: Any, snap: Snapshot, entry: LogEntry) -> None:
    new, old = entry.new or {}, entry.old or {}
    now = {"current_year": snap.settings.current_year, "open_years": list(snap.settings.open_years)}
    if now != new:
        raise _conflict(entry, snap, str(now["current_year"]), str(new.get("current_year")))
    meta, doc_id, settings = store._settings_doc(db)
    settings.update({"current_year": old.get("current_year"), "open_years": old.get("open_years", [])})
    meta.update({"settings": settings}, doc_ids=[doc_id])


def _template_part(doc: dict[str, Any] | None) -> dict[str, Any] | None:
    if not doc:
        return None
    return {k: v for k, v in doc.items() if k not in ("year", "pact_signed")}


def _scores_in(store: "Store", db: Any, year: int) -> bool:
    return any(d.get("year") == year and d.get("stages") for d in store._table(db, "scores").all())


def _set_template(store: "Store", db: Any, snap: Snapshot, entry: LogEntry) -> None:
    year = int(entry.target["year"])
    table, doc_id, doc = store._template_doc(db, year)
    current = _template_part(doc if doc_id is not None else None)
    if current != entry.new:
        raise _conflict(entry, snap, "đã sửa" if current else "—", "bảng điểm")
    if entry.old is None:
        if _scores_in(store, db, year):
            raise InvalidValue(Msg(f"Năm {year} đã có điểm chấm; không hoàn tác việc nhập bảng điểm được.",
                                   f"{year} already has scores; importing its points table cannot be undone."))
        table.remove(doc_ids=[doc_id])
        return
    old = scoring.template_from_doc(entry.old, year)
    store._scores_fit_or_fail(snap, year, old)
    store._save(table, doc_id, {"year": year, "pact_signed": doc.get("pact_signed"), **dict(entry.old)})


def _set_pact_date(store: "Store", db: Any, snap: Snapshot, entry: LogEntry) -> None:
    year = int(entry.target["year"])
    table, doc_id, doc = store._template_doc(db, year)
    if doc_id is None or doc.get("pact_signed") != entry.new:
        raise _conflict(entry, snap, str(doc.get("pact_signed") or "—"), str(entry.new or "—"))
    table.update({"pact_signed": entry.old}, doc_ids=[doc_id])


def _set_score(store: "Store", db: Any, snap: Snapshot, entry: LogEntry) -> None:
    t = entry.target
    table, doc_id, doc = store._score_doc(db, t["unit"], int(t["year"]))
    stages = {k: dict(v) for k, v in (doc.get("stages") or {}).items()}
    current = score_entry(stages.get(t["stage"], {}).get(t["line"]))
    if current != entry.new:
        raise _conflict(entry, snap, str((current or {}).get("p", "—")), str((entry.new or {}).get("p", "—")))
    if entry.old is None:
        stages.get(t["stage"], {}).pop(t["line"], None)
    else:
        stages.setdefault(t["stage"], {})[t["line"]] = {**entry.old, "by": store.user, "at": now_iso()}
    doc["stages"] = {k: v for k, v in stages.items() if v}
    store._save(table, doc_id, doc)


def _commendation_doc(store: "Store", db: Any, entry: LogEntry) -> tuple[Any, int, dict[str, Any] | None]:
    cid = int(entry.target["commendation"])
    table = store._table(db, "commendations")
    found = table.get(doc_id=cid)
    return table, cid, dict(found) if found is not None else None


def _add_commendation(store: "Store", db: Any, snap: Snapshot, entry: LogEntry) -> None:
    table, cid, doc = _commendation_doc(store, db, entry)
    if doc is None:
        return  # already removed: nothing to revert
    if doc.get("status") != (entry.new or {}).get("status"):
        raise _conflict(entry, snap, str(doc.get("status")), str((entry.new or {}).get("status")))
    table.remove(doc_ids=[cid])


def _set_commendation_status(store: "Store", db: Any, snap: Snapshot, entry: LogEntry) -> None:
    table, cid, doc = _commendation_doc(store, db, entry)
    if doc is None or doc.get("status") != entry.new:
        raise _conflict(entry, snap, str(doc.get("status") if doc else "đã xóa"), str(entry.new))
    table.update({"status": entry.old, "by": store.user, "at": now_iso()}, doc_ids=[cid])


def _remove_commendation(store: "Store", db: Any, snap: Snapshot, entry: LogEntry) -> None:
    table, cid, doc = _commendation_doc(store, db, entry)
    if doc is not None or not isinstance(entry.old, dict):
        raise _conflict(entry, snap, f"khen thưởng số {cid} đang tồn tại", "đã xóa")
    store._insert_with_id(db, "commendations", dict(entry.old), cid)


def _carry_forward(store: "Store", db: Any, snap: Snapshot, entry: LogEntry) -> None:
    year = int(entry.target["year"])
    new = entry.new or {}
    tasks = store._table(db, "tasks")
    for task_id in new.get("tasks") or []:
        doc = tasks.get(doc_id=int(task_id))
        if doc is not None and doc.get("statuses"):
            raise InvalidValue(Msg(f"Nhiệm vụ {task_id} mang sang năm {year} đã có trạng thái; không hoàn tác được.",
                                   f"Task {task_id} carried into {year} already has statuses; cannot undo."))
    if new.get("template") is not None:
        table, doc_id, doc = store._template_doc(db, year)
        if doc_id is not None:
            if _template_part(doc) != new["template"]:
                raise _conflict(entry, snap, "đã sửa", "bảng điểm")
            if _scores_in(store, db, year):
                raise InvalidValue(Msg(f"Năm {year} đã có điểm chấm; không hoàn tác việc mang bảng điểm sang được.",
                                       f"{year} already has scores; carrying the points table cannot be undone."))
            table.remove(doc_ids=[doc_id])
    gone = [int(i) for i in new.get("tasks") or [] if tasks.get(doc_id=int(i)) is not None]
    if gone:
        tasks.remove(doc_ids=gone)


_HANDLERS = {
    "set_template": _set_template, "set_pact_date": _set_pact_date, "set_score": _set_score,
    "add_commendation": _add_commendation, "set_commendation_status": _set_commendation_status,
    "remove_commendation": _remove_commendation, "carry_forward": _carry_forward,
    "set_value": _set_value, "set_target": _set_target, "set_task_status": _set_task_status,
    "add_task": _add_task, "edit_task": _edit_task, "remove_task": _remove_task,
    "add_unit": _add_unit, "rename_unit": _rename_unit, "retire_unit": _retire_unit,
    "set_cluster_target": _set_cluster_target, "set_setting": _set_setting, "open_year": _open_year,
    "merge_units": _reorganise, "split_unit": _reorganise,
}
