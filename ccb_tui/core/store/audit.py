"""The audit log as data: who changed what, when, old → new; filtering and plain descriptions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Mapping

from ..domain import clock, indicators, text
from ..domain.fmt import format_value
from ..domain.scoring import COMMENDATION_STATUS, STAGE_LABELS
from ..domain.text import sanitize
from ..domain.models import SETTING_LABELS, Qualifier, Snapshot, Status, TaskState


@dataclass(frozen=True)
class LogEntry:
    """One change recorded by the store."""

    id: int
    at: str  # ISO 8601, UTC
    user: str
    action: str
    target: Mapping[str, Any] = field(default_factory=dict)
    old: Any = None
    new: Any = None
    undoes: int | None = None

    @property
    def when(self) -> datetime | None:
        """``at`` as a datetime (None when unreadable)."""
        try:
            return datetime.fromisoformat(self.at)
        except (TypeError, ValueError):
            return None

    def unit(self) -> str | None:
        """The unit this change concerns, if any."""
        return self.target.get("unit")

    def units(self) -> set[str]:
        """Every unit this change concerns: its unit, and the others of a merge or split."""
        out = {self.target["unit"]} if isinstance(self.target.get("unit"), str) else set()
        for key in ("units", "into"):
            found = self.target.get(key)
            if isinstance(found, list):
                out |= {c for c in found if isinstance(c, str)}
        return out


ACTION_LABELS: dict[str, tuple[str, str]] = {
    "set_value": ("số liệu", "figure"),
    "set_target": ("chỉ tiêu", "target"),
    "set_task_status": ("trạng thái nhiệm vụ", "task status"),
    "add_task": ("thêm nhiệm vụ", "task added"),
    "edit_task": ("sửa nhiệm vụ", "task edited"),
    "remove_task": ("xóa nhiệm vụ", "task removed"),
    "add_unit": ("thêm đơn vị", "unit added"),
    "rename_unit": ("đổi tên đơn vị", "unit renamed"),
    "retire_unit": ("đơn vị ngừng", "unit retired"),
    "set_cluster_target": ("kế hoạch cụm", "cluster target"),
    "set_setting": ("thiết lập", "setting"),
    "open_year": ("mở năm", "year opened"),
    "set_template": ("bảng điểm thi đua", "points table"),
    "set_pact_date": ("ngày ký giao ước", "pact signed"),
    "set_score": ("điểm thi đua", "score"),
    "add_commendation": ("đề nghị khen thưởng", "commendation proposed"),
    "set_commendation_status": ("trạng thái khen thưởng", "commendation status"),
    "remove_commendation": ("xóa khen thưởng", "commendation removed"),
    "edit_commendation": ("sửa khen thưởng", "commendation edited"),
    "carry_forward": ("mang sang năm mới", "carried forward"),
    "merge_units": ("gộp đơn vị", "units merged"),
    "split_unit": ("tách đơn vị", "unit split"),
    "add_cluster": ("thêm cụm", "cluster added"),
    "rename_cluster": ("đổi tên cụm", "cluster renamed"),
    "assign_unit": ("chuyển cụm", "unit moved to a cluster"),
    "undo": ("hoàn tác", "undo"),
    "restore": ("khôi phục bản sao lưu", "backup restored"),
}


def _reading_text(code: str, doc: Any, lang: str) -> str:
    if not isinstance(doc, dict) or doc.get("s") == Status.NOT_REPORTED.value or doc.get("v") is None:
        return "chưa báo cáo" if lang == "vi" else "not reported"
    ind = indicators.BY_CODE.get(code)
    shown = format_value(doc["v"], ind.kind.value if ind else "quantity", lang)
    try:
        q = Qualifier(doc.get("q", "exact")).label(lang)
    except ValueError:
        q = ""
    return f"{q} {shown}".strip()


def _plain(code: str | None, value: Any, lang: str) -> str:
    if value is None:
        return "—"
    ind = indicators.BY_CODE.get(code or "")
    if ind is not None and isinstance(value, (int, float)):
        return format_value(value, ind.kind.value, lang)
    if isinstance(value, dict):
        if "state" in value:
            try:
                return TaskState(value["state"]).label(lang)
            except ValueError:
                return str(value["state"])
        if "name" in value:
            return str(value["name"])
        if "title" in value:
            return str(value["title"])
    return str(value)


def short_title(title: str, n: int = 40) -> str:
    """A task title in at most ``n`` terminal cells: cut at a word boundary, with "…", one space
    between words (never inside a wide character or between a letter and its marks)."""
    title = " ".join(str(title).split())
    if text.cell_width(title) <= n:
        return title
    cut = text.cut_cells(title, n - 1)
    if title[len(cut):len(cut) + 1] != " " and " " in cut and text.cell_width(cut[:cut.rindex(" ")]) >= n // 2:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,.;:-–—") + "…"


def quoted_note(note: Any) -> str:
    """A note on one line, in quotes, cut to 60 cells: "'Đã tổ chức 3 buổi · xong'"."""
    shown = " · ".join(str(note or "").splitlines())
    if text.cell_width(shown) > 60:
        shown = text.cut_cells(shown, 59).rstrip() + "…"
    return f"'{shown}'"


def task_status_words(old_state: TaskState, old_note: str, new_state: TaskState, new_note: str,
                      lang: str = "vi") -> tuple[str, str, str]:
    """How a task status change reads: (what it is about, old, new).

    A note-only change reads as a note change ("ghi chú: '' → 'Đã tổ chức 3 buổi'"), not as
    "đang thực hiện → đang thực hiện"; ``what`` is then "ghi chú" ("note"), else "".
    """
    note_word = "note" if lang == "en" else "ghi chú"
    old_label, new_label = old_state.label(lang), new_state.label(lang)
    if (old_note or "") == (new_note or ""):
        return "", old_label, new_label
    if old_state == new_state:
        return note_word, quoted_note(old_note), quoted_note(new_note)
    return ("", f"{old_label}, {note_word} {quoted_note(old_note)}",
            f"{new_label}, {note_word} {quoted_note(new_note)}")


def _task_status_words(old: Any, new: Any, lang: str) -> tuple[str, str, str] | None:
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return None
    try:
        return task_status_words(TaskState(old.get("state")), old.get("note") or "",
                                 TaskState(new.get("state")), new.get("note") or "", lang)
    except ValueError:
        return None


def describe(entry: LogEntry, snap: Snapshot | None, lang: str = "vi") -> str:
    """"Xã Krông Nô · Số hội viên 2020: 120 → 125" — what changed, from what, to what.

    A hand-edited entry of a shape this does not expect is described plainly instead of failing.
    """
    try:
        return _describe(entry, snap, lang)
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, ArithmeticError, RecursionError):
        label = ACTION_LABELS.get(entry.action, (entry.action, entry.action))[1 if lang == "en" else 0]
        return f"{label or '?'}: {_odd(entry.old)} → {_odd(entry.new)}"


def _odd(value: Any) -> str:
    """A value of an unexpected shape, short and safe to print."""
    if isinstance(value, (dict, list)):
        return "{…}" if isinstance(value, dict) else "[…]"
    return sanitize(str(value))[:60] if value is not None else "—"


def _describe(entry: LogEntry, snap: Snapshot | None, lang: str) -> str:
    t = entry.target
    if entry.action == "restore":
        label = ACTION_LABELS["restore"][1 if lang == "en" else 0]
        old_rev = f"r{entry.old}" if entry.old is not None else "—"
        return f"[{label}] {t.get('backup', '')}: {old_rev} → r{entry.new}"
    action = entry.action if entry.action != "undo" else str(t.get("action", "undo"))
    if action in ("merge_units", "split_unit"):
        label = ACTION_LABELS.get(entry.action, (entry.action, entry.action))[1 if lang == "en" else 0]
        what, old, new = _reorg_words(action, entry, snap, lang)
        prefix = f"[{label}] " if entry.action == "undo" else ""
        if not isinstance(entry.new, dict) or "units" not in entry.new:  # an undo: old/new swapped
            return f"{prefix}{what}: {new} → {old}"
        return f"{prefix}{what}: {old} → {new}"
    if action in _THIDUA_ACTIONS:
        label = ACTION_LABELS.get(entry.action, (entry.action, entry.action))[1 if lang == "en" else 0]
        prefix = f"[{label}] " if entry.action == "undo" else ""
        what, old, new = _thidua_words(action, entry, snap, lang)
        return f"{prefix}{what}: {old} → {new}"
    if action in _CLUSTER_ACTIONS:
        label = ACTION_LABELS.get(entry.action, (entry.action, entry.action))[1 if lang == "en" else 0]
        prefix = f"[{label}] " if entry.action == "undo" else ""
        what, old, new = _cluster_words(action, entry, snap, lang)
        return f"{prefix}{what}: {old} → {new}"
    parts: list[str] = []
    unit_code = t.get("unit")
    if unit_code:
        unit = snap.unit(unit_code) if snap else None
        parts.append(unit.name(t.get("year")) if unit else str(unit_code))
    if "cluster" in t:
        cluster = snap.clusters.get(t["cluster"]) if snap else None
        parts.append(cluster.name(lang) if cluster else str(t["cluster"]))
    if "indicator" in t:
        ind = indicators.BY_CODE.get(t["indicator"])
        label = ind.label(lang) if ind else t["indicator"]
        if action == "set_target":
            label = ("chỉ tiêu " if lang == "vi" else "target ") + label
        elif action == "set_cluster_target":
            label = ("kế hoạch cụm " if lang == "vi" else "cluster target ") + label
        parts.append(f"{label} {t.get('year', '')}".strip())
    if "task" in t:
        task = snap.task(t["task"]) if snap else None
        title = task.title if task else ""
        short = short_title(title)
        parts.append((f"nhiệm vụ {t['task']}" if lang == "vi" else f"task {t['task']}")
                     + (f" “{short}”" if title else ""))
    what = " · ".join(parts) or ACTION_LABELS.get(action, (action, action))[1 if lang == "en" else 0]
    if action == "set_setting":
        labels = SETTING_LABELS.get(str(t.get("setting")), (str(t.get("setting")),) * 2)
        what = labels[1 if lang == "en" else 0]
    elif action == "open_year":
        what = ("năm hiện hành" if lang == "vi" else "current year")
    if action == "set_value":
        old = _reading_text(t.get("indicator", ""), entry.old, lang)
        new = _reading_text(t.get("indicator", ""), entry.new, lang)
    elif action == "open_year":
        old = str((entry.old or {}).get("current_year") or "—")
        new = str((entry.new or {}).get("current_year") or "—")
    elif action == "set_task_status" and (words := _task_status_words(entry.old, entry.new, lang)):
        about, old, new = words
        if about:
            what = f"{what} · {about}"
    else:
        old = _plain(t.get("indicator"), entry.old, lang)
        new = _plain(t.get("indicator"), entry.new, lang)
    label = ACTION_LABELS.get(entry.action, (entry.action, entry.action))[1 if lang == "en" else 0]
    prefix = f"[{label}] " if entry.action in ("undo", "restore") else ""
    return f"{prefix}{what}: {old} → {new}"


def _reorg_words(action: str, entry: LogEntry, snap: Snapshot | None, lang: str) -> tuple[str, str, str]:
    """(what, before, after) of a merge or split: "gộp đơn vị từ năm 2022", "Xã Krông Nô + Xã Nam Ka",
    "Xã Krông Nam (krong_nam)"; a split's new units with their shares."""
    t = entry.target
    year = t.get("year")
    before = year - 1 if isinstance(year, int) else None
    change = entry.new if isinstance(entry.new, dict) and "units" in entry.new else entry.old
    docs = [d for d in (change if isinstance(change, dict) else {}).get("units") or [] if isinstance(d, dict)]

    def unit_name(code: Any) -> str:
        u = snap.unit(str(code)) if snap else None
        return u.name(before) if u else str(code)

    def new_unit(d: dict[str, Any]) -> str:
        periods = d.get("periods") or [{}]
        shown = f"{periods[0].get('name', '')} ({d.get('code')})"
        origins = d.get("formed_from") or []
        if action == "split_unit" and origins:
            from decimal import Decimal
            from ..domain.reorg import percent_text
            shown += " " + percent_text(Decimal(str(origins[0].get("share", "1"))), lang)
        return shown

    if action == "merge_units":
        olds = " + ".join(unit_name(c) for c in t.get("units") or [])
        what = f"units merged from {year}" if lang == "en" else f"gộp đơn vị từ năm {year}"
    else:
        olds = unit_name(t.get("unit"))
        what = f"unit split from {year}" if lang == "en" else f"tách đơn vị từ năm {year}"
    return what, olds, " + ".join(new_unit(d) for d in docs) or "—"


_THIDUA_ACTIONS = ("set_template", "set_pact_date", "set_score", "add_commendation", "set_commendation_status",
                   "remove_commendation", "edit_commendation", "carry_forward")


def _pts(v: Any, lang: str) -> str:
    if not isinstance(v, dict) or v.get("p") is None:
        return "—"
    shown = str(v["p"])
    return shown.replace(".", ",") if lang == "vi" else shown


def _thidua_words(action: str, entry: LogEntry, snap: Snapshot | None, lang: str) -> tuple[str, str, str]:
    """(what, old, new) of a thi đua change: "Xã Krông Nô · TC1 (tự chấm) 2020", "9,5", "10"."""
    en = lang == "en"
    t, year = entry.target, entry.target.get("year", "")
    if action == "set_score":
        unit = snap.unit(t.get("unit", "")) if snap else None
        name = unit.name(year if isinstance(year, int) else None) if unit else str(t.get("unit", ""))
        stage = STAGE_LABELS.get(str(t.get("stage")), (str(t.get("stage")),) * 2)[1 if en else 0]
        return f"{name} · {t.get('line', '')} ({stage}) {year}", _pts(entry.old, lang), _pts(entry.new, lang)
    if action == "set_template":
        def size(doc: Any) -> str:
            if not isinstance(doc, dict):
                return "—"
            n = len(doc.get("lines") or [])
            return f"{n} lines" if en else f"{n} dòng"
        return (f"points table {year}" if en else f"bảng điểm {year}"), size(entry.old), size(entry.new)
    if action == "set_pact_date":
        from ..domain.clock import show_day
        return ((f"pact signed {year}" if en else f"ngày ký giao ước {year}"),
                show_day(str(entry.old) if entry.old else None), show_day(str(entry.new) if entry.new else None))
    if action == "carry_forward":
        def carried(doc: Any) -> str:  # either side: an undo swaps them
            doc = doc if isinstance(doc, dict) else {}
            parts = []
            if doc.get("template"):
                parts.append("points table" if en else "bảng điểm")
            n = len(doc.get("tasks") or [])
            if n:
                parts.append(f"{n} tasks" if en else f"{n} nhiệm vụ")
            return ", ".join(parts) or "—"
        what = f"{year} from {t.get('from', '')}" if en else f"năm {year} từ năm {t.get('from', '')}"
        return (f"carried into {what}" if en else f"mang sang {what}"), carried(entry.old), carried(entry.new)
    cid = t.get("commendation", "")
    what = f"commendation {cid}" if en else f"khen thưởng số {cid}"

    def status(v: Any) -> str:
        v = v.get("status") if isinstance(v, dict) else v
        return COMMENDATION_STATUS.get(str(v), (str(v), str(v)))[1 if en else 0] if v else "—"

    if action == "remove_commendation":
        old = entry.old if isinstance(entry.old, dict) else {}
        return what, f"{old.get('form', '')} · {old.get('person') or old.get('unit') or ''}", "removed" if en else "đã xóa"
    if action == "edit_commendation":
        old = entry.old if isinstance(entry.old, dict) else {}
        new = entry.new if isinstance(entry.new, dict) else {}
        keys = [k for k in ("unit", "person", "form", "level", "reason") if old.get(k) != new.get(k)]

        def fields(v: dict[str, Any]) -> str:
            parts = [str(v.get(k) or "—") for k in keys] + ([status(v)] if old.get("status") != new.get("status") else [])
            return " · ".join(parts) or "—"
        return what, fields(old), fields(new)
    return what, status(entry.old), status(entry.new)


_CLUSTER_ACTIONS = ("add_cluster", "rename_cluster", "assign_unit")


def _cluster_words(action: str, entry: LogEntry, snap: Snapshot | None, lang: str) -> tuple[str, str, str]:
    """(what, old, new) of a cluster change: "Xã Nam Ka · cụm từ 2021", "Cụm thi đua số 3", "Cụm 4"."""
    en = lang == "en"
    t = entry.target

    def name(v: Any) -> str:
        if isinstance(v, dict):
            return str(v.get("name_en" if en else "name_vi") or "—")
        c = snap.clusters.get(str(v)) if snap is not None and v is not None else None
        return c.name(lang) if c is not None else (str(v) if v is not None else "—")

    if action == "assign_unit":
        unit = snap.unit(str(t.get("unit", ""))) if snap else None
        year = t.get("year")
        who = unit.name(year if isinstance(year, int) else None) if unit else str(t.get("unit", ""))
        old = entry.old.get("cluster") if isinstance(entry.old, dict) else None
        new = entry.new.get("cluster") if isinstance(entry.new, dict) else None
        return (f"{who} · cluster from {year}" if en else f"{who} · cụm từ {year}"), name(old), name(new)
    what = f"cluster {t.get('cluster', '')}" if en else f"cụm {t.get('cluster', '')}"
    return what, name(entry.old), name(entry.new)


def filter_entries(entries: list[LogEntry], *, since: date | None = None,
                   unit: str | None = None, tz: str | None = None) -> list[LogEntry]:
    """Entries on or after ``since`` concerning ``unit`` (a unit code).

    ``since`` is a day in the cluster's time zone ``tz`` (it starts at 00:00 there), or an aware
    datetime (a moment).
    """
    start = None if since is None else clock.day_start(since, tz)
    out = []
    for e in entries:
        when = clock.parse(e.at)
        if start is not None and (when is None or when < start):
            continue
        if unit is not None and unit not in e.units():
            continue
        out.append(e)
    return out


def zone_of(snap: Snapshot | None) -> str | None:
    """The cluster's time zone (the store's ``timezone`` setting), None without a snapshot."""
    settings = getattr(snap, "settings", None)
    return getattr(settings, "timezone", None)


def to_json(entry: LogEntry, snap: Snapshot | None, lang: str = "vi", tz: str | None = None) -> dict[str, Any]:
    """A JSON-ready form of one entry, with its description; ``at`` in the cluster's time zone
    (ISO 8601 with its offset, e.g. 2026-04-01T01:30:00+07:00), the store itself keeps UTC."""
    return {"id": entry.id, "at": clock.local_iso(entry.at, tz or zone_of(snap)), "user": entry.user, "action": entry.action,
            "target": dict(entry.target), "old": entry.old, "new": entry.new, "undoes": entry.undoes,
            "description": describe(entry, snap, lang)}
