"""Checklist edits of the store: a unit's state and note on a task, and adding, editing and
removing a task.

A mixin of :class:`~.store.Store` (it uses the store's transaction, audit and check helpers):
each edit is one locked read-modify-write that checks what it was based on (state, title, note)
inside the lock, refuses bad input with :class:`InvalidValue` before anything is written, and
writes one audit entry. ``_write_task_status`` is shared with ``Store.apply_batch``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..domain import text
from ..domain.errors import ConflictError, InvalidValue
from ..domain.models import Msg, Snapshot, Task, TaskState, TaskStatus, Unit
from . import audit
from .changes import ANY, Change
from .files import now_iso
from .undo import audited

if TYPE_CHECKING:
    from tinydb import TinyDB


class TaskEdits:
    """The store's checklist edits (mixed into :class:`~.store.Store`)."""

    @audited
    def set_task_status(self, task_id: int, unit: str, state: TaskState, *, note: str | None = None,
                        expect: object = ANY, expect_note: object = ANY) -> Change:
        """Set one unit's state on a task.

        ``expect`` is the state the edit was based on (or a TaskStatus, whose note must match too)
        and ``expect_note`` the note it was based on; either differing is a conflict naming both
        values, checked under the lock. A task of a year the unit is not in (retired, or not yet in
        the cluster) is refused.
        """
        with self._transaction() as db:  # type: ignore[attr-defined]
            snap = self._snap_in(db, records=False)  # type: ignore[attr-defined]
            task, u, cur = self._write_task_status(db, snap, task_id, unit, state, note, expect,
                                                   expect_note=expect_note)
            rev = snap.revision + 1
        what = f"{audit.short_title(task.title)} · {u.name(task.year)}"
        new_note = cur.note if note is None else text.sanitize_multiline(note)
        vi = audit.task_status_words(cur.state, cur.note, state, new_note, "vi")
        en = audit.task_status_words(cur.state, cur.note, state, new_note, "en")
        return Change(" · ".join(filter(None, (what, vi[0]))), vi[1], vi[2], rev,
                      (" · ".join(filter(None, (what, en[0]))), en[1], en[2]))

    def _write_task_status(self, db: TinyDB, snap: Snapshot, task_id: int, unit: str, state: TaskState,
                           note: str | None, expect: object, via: str | None = None, *,
                           expect_note: object = ANY) -> tuple[Task, Unit, TaskStatus]:
        """Check ``expect`` (a TaskState, or a TaskStatus whose note must match too) and
        ``expect_note``, write, audit."""
        task = self._task_or_fail(snap, task_id)
        u = self._unit_or_fail(snap, unit)  # type: ignore[attr-defined]
        self._year_open_or_fail(snap, task.year)  # type: ignore[attr-defined]
        self._active_or_fail(u, task.year, figures=False)  # type: ignore[attr-defined]
        cur = task.status(unit)
        what = f"{audit.short_title(task.title)} · {u.name(task.year)}"
        if expect is not ANY:
            exp_state = TaskState(getattr(expect, "state", expect))
            if exp_state != cur.state:
                raise ConflictError(
                    Msg(f"Xung đột: {what} đã được {cur.changed_by or 'người khác'} đổi thành "
                        f"“{cur.state.label('vi')}” (bạn dựa trên “{exp_state.label('vi')}”). Không ghi đè.",
                        f"Conflict: {what} was changed by {cur.changed_by or 'someone else'} to "
                        f"“{cur.state.label('en')}” (your edit was based on “{exp_state.label('en')}”). "
                        f"Nothing overwritten."),
                    what, exp_state.label("vi"), cur.state.label("vi"), state.label("vi"))
            if expect_note is ANY and hasattr(expect, "note"):
                expect_note = expect.note  # type: ignore[attr-defined]
        if expect_note is not ANY and text.sanitize_multiline(str(expect_note or "")) != cur.note:
            self._note_conflict(f"{u.name(task.year)} ở nhiệm vụ {task_id}",
                                f"{u.name(task.year)}'s note on task {task_id}", cur.changed_by,
                                str(expect_note or ""), cur.note, note)
        tasks = self._table(db, "tasks")  # type: ignore[attr-defined]
        doc = dict(tasks.get(doc_id=task_id))
        new_note = cur.note if note is None else text.sanitize_multiline(note)
        doc["statuses"] = {**doc.get("statuses", {}), unit: {
            "state": state.value, "note": new_note, "by": self.user, "at": now_iso()}}  # type: ignore[attr-defined]
        tasks.update(doc, doc_ids=[task_id])
        self._log(db, "set_task_status", {"task": task_id, "unit": unit, **({"via": via} if via else {})},  # type: ignore[attr-defined]
                  {"state": cur.state.value, "note": cur.note}, {"state": state.value, "note": new_note})
        return task, u, cur

    @staticmethod
    def _note_conflict(whose_vi: str, whose_en: str, who: str | None, expected: str, actual: str,
                       attempted: str | None) -> None:
        """Refuse a note edit based on a note someone has changed since: both notes named."""
        exp, act = audit.quoted_note(expected), audit.quoted_note(actual)
        raise ConflictError(
            Msg(f"Xung đột: ghi chú của {whose_vi} đã được {who or 'người khác'} đổi thành {act} "
                f"(bạn dựa trên {exp}). Không ghi đè; hãy xem lại rồi sửa.",
                f"Conflict: {whose_en} was changed by {who or 'someone else'} to {act} "
                f"(your edit was based on {exp}). Nothing overwritten; review and retry."),
            f"ghi chú của {whose_vi}", expected, actual, attempted if attempted is not None else actual)

    @staticmethod
    def _task_or_fail(snap: Snapshot, task_id: int) -> Task:
        task = snap.task(task_id)
        if task is None:
            raise InvalidValue(Msg(f"Không có nhiệm vụ số {task_id}. Xem: ccb-tui task list",
                                   f"There is no task {task_id}. See: ccb-tui task list"))
        return task

    @audited
    def add_task(self, year: int, title: str, note: str = "") -> tuple[int, Change]:
        """Add a task to the year's checklist; returns its id."""
        title = text.sanitize(title)
        if not title:
            raise InvalidValue(Msg("Tên nhiệm vụ không được để trống.", "A task needs a title."))
        with self._transaction() as db:  # type: ignore[attr-defined]
            snap = self._snap_in(db, records=False)  # type: ignore[attr-defined]
            self._year_open_or_fail(snap, year)  # type: ignore[attr-defined]
            doc = {"year": int(year), "title": title, "note": text.sanitize_multiline(note), "statuses": {},
                   "by": self.user, "at": now_iso()}  # type: ignore[attr-defined]
            task_id = self._table(db, "tasks").insert(doc)  # type: ignore[attr-defined]
            self._log(db, "add_task", {"task": task_id}, None, {"year": year, "title": title})  # type: ignore[attr-defined]
            rev = snap.revision + 1
        return task_id, Change(f"Nhiệm vụ {task_id}", "—", title, rev)

    @audited
    def edit_task(self, task_id: int, *, title: str | None = None, note: str | None = None,
                  expect_title: object = ANY, expect_note: object = ANY) -> Change:
        """Change a task's title or note.

        ``expect_title`` and ``expect_note`` are what the edit was based on: when the stored
        title or note differs (checked under the lock), the edit is a conflict naming both values.
        """
        with self._transaction() as db:  # type: ignore[attr-defined]
            snap = self._snap_in(db, records=False)  # type: ignore[attr-defined]
            task = self._task_or_fail(snap, task_id)
            if expect_title is not ANY and text.sanitize(str(expect_title)) != task.title:
                raise ConflictError(
                    Msg(f"Xung đột: tên nhiệm vụ {task_id} đã được người khác đổi thành “{task.title}” "
                        f"(bạn dựa trên “{expect_title}”). Không ghi đè.",
                        f"Conflict: the title of task {task_id} was changed by someone else to “{task.title}” "
                        f"(your edit was based on “{expect_title}”). Nothing overwritten."),
                    f"task {task_id}", str(expect_title), task.title, title or "")
            if expect_note is not ANY and text.sanitize_multiline(str(expect_note or "")) != task.note:
                self._note_conflict(f"nhiệm vụ {task_id}", f"the note of task {task_id}", None,
                                    str(expect_note or ""), task.note, note)
            upd: dict[str, Any] = {}
            if title is not None:
                upd["title"] = text.sanitize(title)
                if not upd["title"]:
                    raise InvalidValue(Msg("Tên nhiệm vụ không được để trống.", "A task needs a title."))
            if note is not None:
                upd["note"] = text.sanitize_multiline(note)
            self._table(db, "tasks").update(upd, doc_ids=[task_id])  # type: ignore[attr-defined]
            self._log(db, "edit_task", {"task": task_id}, {"title": task.title, "note": task.note}, upd)  # type: ignore[attr-defined]
            rev = snap.revision + 1
        return Change(f"Nhiệm vụ {task_id}", task.title, upd.get("title", task.title), rev)

    @audited
    def remove_task(self, task_id: int, *, expect: Task | object = ANY) -> Change:
        """Remove a task from the checklist.

        ``expect`` is the task as the user saw it: when its title, note or any unit's state or
        note has changed since (checked under the lock), nothing is removed and the conflict
        names what changed.
        """
        with self._transaction() as db:  # type: ignore[attr-defined]
            snap = self._snap_in(db, records=False)  # type: ignore[attr-defined]
            task = self._task_or_fail(snap, task_id)
            if isinstance(expect, Task):
                self._task_unchanged_or_fail(snap, task, expect)
            tasks = self._table(db, "tasks")  # type: ignore[attr-defined]
            doc = dict(tasks.get(doc_id=task_id))
            tasks.remove(doc_ids=[task_id])
            self._log(db, "remove_task", {"task": task_id}, doc, None)  # type: ignore[attr-defined]
            rev = snap.revision + 1
        return Change(f"Nhiệm vụ {task_id}", task.title, "—", rev)

    @staticmethod
    def _task_unchanged_or_fail(snap: Snapshot, task: Task, expect: Task) -> None:
        """Conflict when ``task`` (stored) differs from ``expect`` (seen) in what a person sees."""
        def seen(t: Task) -> dict[str, tuple[str, str]]:
            return {code: (st.state.value, st.note) for code, st in t.statuses.items()
                    if (st.state, st.note) != (TaskState.TODO, "")}
        changes_vi: list[tuple[str, str, str]] = []
        changes_en: list[tuple[str, str, str]] = []
        if task.title != expect.title:
            changes_vi.append(("tên", f"“{expect.title}”", f"“{task.title}”"))
            changes_en.append(("title", f"“{expect.title}”", f"“{task.title}”"))
        if task.note != expect.note:
            changes_vi.append(("ghi chú", audit.quoted_note(expect.note), audit.quoted_note(task.note)))
            changes_en.append(("note", audit.quoted_note(expect.note), audit.quoted_note(task.note)))
        now, then = seen(task), seen(expect)
        for code in sorted(set(now) | set(then)):
            if now.get(code) == then.get(code):
                continue
            u = snap.unit(code)
            name = u.name(task.year) if u else code
            a, b = task.status(code), expect.status(code)
            vi = audit.task_status_words(b.state, b.note, a.state, a.note, "vi")
            en = audit.task_status_words(b.state, b.note, a.state, a.note, "en")
            changes_vi.append((" · ".join(filter(None, (name, vi[0]))), vi[1], vi[2]))
            changes_en.append((" · ".join(filter(None, (name, en[0]))), en[1], en[2]))
        if not changes_vi:
            return
        said_vi = "; ".join(f"{w}: {o} → {n}" for w, o, n in changes_vi)
        said_en = "; ".join(f"{w}: {o} → {n}" for w, o, n in changes_en)
        raise ConflictError(
            Msg(f"Xung đột: nhiệm vụ {task.id} vừa được người khác sửa ({said_vi}). Không xóa; hãy xem lại.",
                f"Conflict: task {task.id} was just changed by someone else ({said_en}). Not removed; "
                f"review it."),
            f"task {task.id}", changes_vi[0][1], changes_vi[0][2], "—")
