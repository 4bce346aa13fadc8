"""Thi đua edits of the store: the year's points table, scores, commendations, the pact day.

A mixin of :class:`~.store.Store` (it uses the store's transaction, audit and check helpers):
each edit is one locked read-modify-write that checks its expectation inside the lock, refuses
bad input with :class:`InvalidValue` before anything is written, and writes one audit entry.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tinydb import Query

from ..domain import clock, scoring, text
from ..domain.errors import ConflictError, InvalidValue
from ..domain.models import Msg, Snapshot
from ..domain.scoring_text import fmt_points, no_template_msg, parse_stage
from .changes import ANY, Change
from .entry import audited
from .files import now_iso

if TYPE_CHECKING:
    from tinydb import TinyDB
    from tinydb.table import Table

TEXT_LIMIT = 500
"""The longest commendation field (form, level, reason, person) or score note, in characters."""


def _no_template(year: int) -> InvalidValue:
    return InvalidValue(no_template_msg(year))


def score_entry(doc: dict[str, Any] | None) -> dict[str, Any] | None:
    """The audited form of a stored score: points, note, evidence (None for no score)."""
    if not doc:
        return None
    return {"p": doc.get("p"), "note": doc.get("note", ""), "evidence": doc.get("evidence", "")}


def _bounded(value: str, what_vi: str, what_en: str, *, multiline: bool = False) -> str:
    clean = text.sanitize_multiline(value) if multiline else text.sanitize(value)
    if len(clean) > TEXT_LIMIT:
        raise InvalidValue(Msg(f"{what_vi} dài quá {TEXT_LIMIT} ký tự.", f"{what_en} is over {TEXT_LIMIT} characters."))
    return clean


class ThiduaEdits:
    """The store's thi đua edits (mixed into :class:`~.store.Store`)."""

    # --- templates ------------------------------------------------------------------------

    def _template_doc(self, db: "TinyDB", year: int) -> tuple["Table", int | None, dict[str, Any]]:
        table = self._table(db, "templates")  # type: ignore[attr-defined]
        found = table.get(Query().year == year)
        if found is None:
            return table, None, {"year": year, "pact_signed": None}
        return table, found.doc_id, dict(found)

    @staticmethod
    def _save(table: "Table", doc_id: int | None, doc: dict[str, Any]) -> None:
        if doc_id is None:
            table.insert(doc)
        else:
            table.update(doc, doc_ids=[doc_id])

    @audited
    def set_template(self, year: int, template: scoring.Template, *, expect: object = ANY) -> Change:
        """Replace ``year``'s points table (validated, all or nothing).

        ``expect`` is the template the edit was based on (None: there was none; ``ANY``: any).
        Refused when a stored score would fall outside the new table (a dropped line, a new maximum
        below it): clear or change those scores first.
        """
        template = scoring.Template(year, template.lines, template.bands, template.sample)
        problems = scoring.validate_template(template)
        if problems:
            raise InvalidValue.from_problems(problems)
        with self._transaction() as db:  # type: ignore[attr-defined]
            snap: Snapshot = self._snap_in(db, records=False)  # type: ignore[attr-defined]
            self._year_open_or_fail(snap, year)  # type: ignore[attr-defined]
            current = snap.templates.get(year)
            if expect is not ANY and not _same_template(current, expect):
                raise ConflictError(Msg(
                    f"Bảng điểm năm {year} đã được người khác sửa trước; không ghi đè. Xem lại: ccb-tui score template --year {year}",
                    f"The {year} points table was changed by someone else first; nothing overwritten. "
                    f"See: ccb-tui score template --year {year}"),
                    f"Bảng điểm {year}", "—", f"{len(current.lines) if current else 0} dòng", f"{len(template.lines)} dòng")
            self._scores_fit_or_fail(snap, year, template)
            old_doc = scoring.template_doc(current) if current else None
            new_doc = scoring.template_doc(template)
            if old_doc == new_doc:
                return Change(f"Bảng điểm {year}", "không đổi", "không đổi", snap.revision)
            table, doc_id, doc = self._template_doc(db, year)
            doc = {"year": year, "pact_signed": doc.get("pact_signed"), **new_doc}
            self._save(table, doc_id, doc)
            self._log(db, "set_template", {"year": year}, old_doc, new_doc)  # type: ignore[attr-defined]
            rev = snap.revision + 1
        old_n = f"{len(current.lines)} dòng" if current else "chưa có"
        old_en = f"{len(current.lines)} lines" if current else "none"
        return Change(f"Bảng điểm {year}", old_n, f"{len(template.lines)} dòng, tối đa {fmt_points(template.max_total)} điểm",
                      rev, (f"Points table {year}", old_en,
                            f"{len(template.lines)} lines, at most {fmt_points(template.max_total, 'en')} points"))

    @staticmethod
    def _scores_fit_or_fail(snap: Snapshot, year: int, template: scoring.Template) -> None:
        for (unit, line, y, stage), sc in sorted(snap.scores.items()):
            if y != year:
                continue
            ln = template.line(line)
            if ln is None or not ln.min_points <= sc.points <= ln.max_points:
                why_vi = "không còn trong bảng điểm mới" if ln is None else \
                    f"{fmt_points(sc.points)} điểm nằm ngoài {fmt_points(ln.min_points)}..{fmt_points(ln.max_points)}"
                why_en = "is not in the new table" if ln is None else \
                    f"{fmt_points(sc.points, 'en')} points is outside {fmt_points(ln.min_points, 'en')}..{fmt_points(ln.max_points, 'en')}"
                raise InvalidValue(Msg(
                    f"Đơn vị {unit} đã có điểm dòng {line} ({stage}) mà {why_vi}. Sửa hoặc xóa điểm đó trước: "
                    f"ccb-tui score set {unit} {line} none --stage {stage} --year {year}",
                    f"Unit {unit} has points on line {line} ({stage}) that {why_en}. Change or clear them first: "
                    f"ccb-tui score set {unit} {line} none --stage {stage} --year {year}"))

    @audited
    def set_pact_date(self, year: int, day: date | str | None) -> Change:
        """Record the day ``year``'s emulation pact was signed (None clears it).

        Refused: a day outside the pact's window (from 1 January of the year before, when pacts
        for the coming year are signed, to 31 December of ``year``) or after today in the
        cluster's time zone.
        """
        shown = day.isoformat() if isinstance(day, date) else (date.fromisoformat(day).isoformat() if day else None)
        with self._transaction() as db:  # type: ignore[attr-defined]
            snap: Snapshot = self._snap_in(db, records=False)  # type: ignore[attr-defined]
            self._year_open_or_fail(snap, year)  # type: ignore[attr-defined]
            if year not in snap.templates:
                raise _no_template(year)
            if shown is not None:
                _pact_day_or_fail(date.fromisoformat(shown), year, snap.settings.timezone)
            old = snap.pacts.get(year)
            what, what_en = f"Ngày ký giao ước {year}", f"Pact signed {year}"
            if old == shown:
                return Change(what, clock.show_day(old), clock.show_day(shown), snap.revision,
                              (what_en, clock.show_day(old), clock.show_day(shown)))
            table, doc_id, doc = self._template_doc(db, year)
            doc["pact_signed"] = shown
            self._save(table, doc_id, doc)
            self._log(db, "set_pact_date", {"year": year}, old, shown)  # type: ignore[attr-defined]
            rev = snap.revision + 1
        return Change(what, clock.show_day(old), clock.show_day(shown), rev, (what_en, clock.show_day(old), clock.show_day(shown)))

    # --- scores ---------------------------------------------------------------------------

    def _score_doc(self, db: "TinyDB", unit: str, year: int) -> tuple["Table", int | None, dict[str, Any]]:
        table = self._table(db, "scores")  # type: ignore[attr-defined]
        q = Query()
        found = table.get((q.unit == unit) & (q.year == year))
        if found is None:
            return table, None, {"unit": unit, "year": year, "stages": {}}
        return table, found.doc_id, dict(found)

    @audited
    def set_score(self, unit: str, line: str, year: int, stage: str, points: Any, *, note: str = "",
                  evidence: str = "", expect: object = ANY, cluster: str | None = None) -> Change:
        """Give ``unit`` ``points`` on ``line`` at ``stage`` (None clears the score).

        Refused (nothing written): an unknown stage, unit or line, a year without a points table,
        points outside the line's min..max. ``expect`` is the points the edit was based on (None:
        no score yet; ``ANY``: whatever is there); a different stored value is a conflict. Given
        ``cluster``, a unit not in that cluster in ``year`` is refused.
        """
        stage = parse_stage(stage)
        new_p = None if points is None else self._points_or_fail(points)
        note = _bounded(note or "", "Ghi chú", "The note", multiline=True)
        evidence = _bounded(evidence or "", "Minh chứng", "The evidence", multiline=True)
        with self._transaction() as db:  # type: ignore[attr-defined]
            snap: Snapshot = self._snap_in(db, unit=unit, year=year)  # type: ignore[attr-defined]
            if cluster is not None:
                u = self._unit_or_fail(snap, unit)  # type: ignore[attr-defined]
                if u.active(year):  # an inactive unit gets _write_score's own message
                    self._in_cluster_or_fail(u, year, cluster, snap)  # type: ignore[attr-defined]
            what, what_en, old_p, changed = self._write_score(db, snap, unit, line, year, stage, new_p, note,
                                                              evidence, expect)
            rev = snap.revision + (1 if changed else 0)
        return Change(what, fmt_points(old_p), fmt_points(new_p), rev,
                      (what_en, fmt_points(old_p, "en"), fmt_points(new_p, "en")))

    def _write_score(self, db: "TinyDB", snap: Snapshot, unit: str, line: str, year: int, stage: str,
                     new_p: Decimal | None, note: str, evidence: str, expect: object,
                     via: str | None = None) -> tuple[str, str, Decimal | None, bool]:
        """Check and write one score inside an open transaction (``set_score`` and the import's
        batch); returns what it was, in both languages, the old points and whether it wrote."""
        # Bounded here, inside the transaction, for every door (set_score and the import's batch).
        note = _bounded(note or "", "Ghi chú", "The note", multiline=True)
        evidence = _bounded(evidence or "", "Minh chứng", "The evidence", multiline=True)
        u = self._unit_or_fail(snap, unit)  # type: ignore[attr-defined]
        self._year_open_or_fail(snap, year)  # type: ignore[attr-defined]
        self._active_or_fail(u, year)  # type: ignore[attr-defined]
        template = snap.templates.get(year)
        if template is None:
            raise _no_template(year)
        ln = template.line(line)
        if ln is None:
            codes = ", ".join(x.code for x in template.lines[:12])
            raise InvalidValue(Msg(
                f"Bảng điểm năm {year} không có dòng '{text.sanitize(line)[:40]}' (có: {codes}). "
                f"Xem: ccb-tui score template --year {year}",
                f"The {year} points table has no line '{text.sanitize(line)[:40]}' (it has: {codes}). "
                f"See: ccb-tui score template --year {year}"))
        if new_p is not None and not ln.min_points <= new_p <= ln.max_points:
            word_vi = "vượt điểm tối đa" if new_p > ln.max_points else "dưới điểm tối thiểu"
            word_en = "above the maximum" if new_p > ln.max_points else "below the minimum"
            raise InvalidValue(Msg(
                f"{fmt_points(new_p)} điểm {word_vi} của dòng {line} ({fmt_points(ln.min_points)}..{fmt_points(ln.max_points)}). "
                f"Nhập một số trong khoảng đó.",
                f"{fmt_points(new_p, 'en')} points is {word_en} of line {line} "
                f"({fmt_points(ln.min_points, 'en')}..{fmt_points(ln.max_points, 'en')}). Give a number in that range."))
        current = snap.scores.get((unit, line, year, stage))
        old_p = current.points if current else None
        what = f"{u.name(year)} · {line} ({scoring.STAGE_LABELS[stage][0]}) {year}"
        what_en = f"{u.name(year)} · {line} ({scoring.STAGE_LABELS[stage][1]}) {year}"
        if expect is not ANY:
            try:
                expected = None if expect is None else self._points_or_fail(expect)
            except InvalidValue:
                expected = expect  # type: ignore[assignment]
            if expected != old_p:
                raise ConflictError(Msg(
                    f"{what}: điểm đã được đổi thành {fmt_points(old_p)} (bạn dựa trên {fmt_points(expected)}); "
                    f"không ghi đè. Xem: ccb-tui score show {unit} --year {year}",
                    f"{what_en}: the points were changed to {fmt_points(old_p, 'en')} (you expected "
                    f"{fmt_points(expected, 'en')}); nothing overwritten. See: ccb-tui score show {unit} --year {year}"),
                    what, fmt_points(expected), fmt_points(old_p), fmt_points(new_p))
        if new_p is not None and not note.strip():
            _reason_or_fail(ln, snap, unit, year, new_p)
        table, doc_id, doc = self._score_doc(db, unit, year)
        stages = {k: dict(v) for k, v in (doc.get("stages") or {}).items()}
        old_entry = score_entry(stages.get(stage, {}).get(line))
        if new_p is None:
            stages.get(stage, {}).pop(line, None)
            new_entry = None
        else:
            new_entry = {"p": str(new_p), "note": note, "evidence": evidence}
            stages.setdefault(stage, {})[line] = {**new_entry, "by": self.user, "at": now_iso()}  # type: ignore[attr-defined]
        if old_entry == new_entry:
            return what, what_en, old_p, False
        doc["stages"] = {k: v for k, v in stages.items() if v}
        self._save(table, doc_id, doc)
        target = {"unit": unit, "year": year, "line": line, "stage": stage, **({"via": via} if via else {})}
        self._log(db, "set_score", target, old_entry, new_entry)  # type: ignore[attr-defined]
        return what, what_en, old_p, True

    @staticmethod
    def _points_or_fail(value: Any) -> Decimal:
        try:
            return scoring.points(value)
        except ValueError:
            shown = text.sanitize(str(value))[:40]
            raise InvalidValue(Msg(f"'{shown}' không phải số điểm (tối đa 2 chữ số thập phân, ví dụ 9,5 hoặc 88,25).",
                                   f"'{shown}' is not a number of points (at most 2 decimals, e.g. 9.5 or 88.25)."
                                   )) from None

    # --- commendations --------------------------------------------------------------------

    def add_commendation(self, year: int, *, unit: str | None = None, person: str = "", form: str,
                         level: str, reason: str, status: str = "proposed", cluster: str | None = None) -> int:
        """Propose (or record as approved) a commendation for a unit or a person; its id. Given
        ``cluster``, a unit not in that cluster in ``year`` is refused."""
        person = _bounded(person or "", "Tên người", "The person's name")
        form = _bounded(form or "", "Hình thức", "The form")
        level = _bounded(level or "", "Cấp khen", "The level")
        reason = _bounded(reason or "", "Lý do", "The reason", multiline=True)
        if not unit and not person:
            raise InvalidValue(Msg("Cần --unit (khen tập thể) hoặc --person (khen cá nhân).",
                                   "Give --unit (a collective) or --person (an individual)."))
        for value, vi, en in ((form, "hình thức khen (--form)", "the form (--form)"),
                              (level, "cấp khen (--level)", "the level (--level)"),
                              (reason, "lý do (--reason)", "the reason (--reason)")):
            if not value:
                raise InvalidValue(Msg(f"Thiếu {vi}.", f"Missing {en}."))
        self._status_or_fail(status)
        with self._transaction() as db:  # type: ignore[attr-defined]
            snap: Snapshot = self._snap_in(db, records=False)  # type: ignore[attr-defined]
            self._year_open_or_fail(snap, year)  # type: ignore[attr-defined]
            if unit:
                u = self._unit_or_fail(snap, unit)  # type: ignore[attr-defined]
                self._active_or_fail(u, year)  # type: ignore[attr-defined]
                self._in_cluster_or_fail(u, year, cluster, snap)  # type: ignore[attr-defined]
            doc = {"year": year, "unit": unit or None, "person": person, "form": form, "level": level,
                   "reason": reason, "status": status, "by": self.user, "at": now_iso()}  # type: ignore[attr-defined]
            new_id = self._table(db, "commendations").insert(doc)  # type: ignore[attr-defined]
            self._log(db, "add_commendation", {"commendation": new_id, "year": year, **({"unit": unit} if unit else {})},  # type: ignore[attr-defined]
                      None, _commendation_entry(doc))
        return int(new_id)

    @staticmethod
    def _status_or_fail(status: str) -> None:
        if status not in scoring.COMMENDATION_STATUS:
            raise InvalidValue(Msg(f"Trạng thái '{text.sanitize(str(status))[:30]}' không hợp lệ; dùng proposed (đề nghị) "
                                   f"hoặc approved (được duyệt).",
                                   f"Status '{text.sanitize(str(status))[:30]}' is not valid; use proposed or approved."))

    def _commendation_or_fail(self, db: "TinyDB", cid: int) -> tuple["Table", dict[str, Any]]:
        table = self._table(db, "commendations")  # type: ignore[attr-defined]
        found = table.get(doc_id=cid)
        if found is None:
            raise InvalidValue(Msg(f"Không có đề nghị khen thưởng số {cid}. Xem: ccb-tui commend list",
                                   f"There is no commendation {cid}. See: ccb-tui commend list"))
        return table, dict(found)

    @audited
    def set_commendation_status(self, cid: int, status: str, *, expect: object = ANY) -> Change:
        """Mark a commendation proposed or approved; ``expect`` the status it had."""
        self._status_or_fail(status)
        with self._transaction() as db:  # type: ignore[attr-defined]
            snap: Snapshot = self._snap_in(db, records=False)  # type: ignore[attr-defined]
            table, doc = self._commendation_or_fail(db, cid)
            self._year_open_or_fail(snap, int(doc["year"]))  # type: ignore[attr-defined]
            old = doc.get("status", "proposed")
            what = f"Khen thưởng số {cid}"
            if expect is not ANY and expect != old:
                raise ConflictError(Msg(f"{what}: trạng thái đã là {old} (bạn dựa trên {expect}); không ghi đè.",
                                        f"Commendation {cid}: the status is already {old} (you expected {expect}); "
                                        f"nothing overwritten."), what, str(expect), old, status)
            labels = scoring.COMMENDATION_STATUS
            if old == status:  # nothing to write: the caller says so (old == new)
                return Change(what, labels[old][0], labels[status][0], snap.revision,
                              (f"Commendation {cid}", labels[old][1], labels[status][1]))
            table.update({"status": status, "by": self.user, "at": now_iso()}, doc_ids=[cid])  # type: ignore[attr-defined]
            self._log(db, "set_commendation_status", {"commendation": cid, "year": doc["year"],  # type: ignore[attr-defined]
                                                      **({"unit": doc["unit"]} if doc.get("unit") else {})}, old, status)
            rev = snap.revision + 1
        return Change(what, labels.get(old, (old,))[0], labels[status][0], rev,
                      (f"Commendation {cid}", labels.get(old, (old, old))[1], labels[status][1]))

    @audited
    def remove_commendation(self, cid: int, *, expect: object = ANY) -> Change:
        """Remove a commendation; ``expect`` the :class:`~scoring.Commendation` it was."""
        with self._transaction() as db:  # type: ignore[attr-defined]
            snap: Snapshot = self._snap_in(db, records=False)  # type: ignore[attr-defined]
            table, doc = self._commendation_or_fail(db, cid)
            self._year_open_or_fail(snap, int(doc["year"]))  # type: ignore[attr-defined]
            current = next((c for c in snap.commendations if c.id == cid), None)
            what = f"Khen thưởng số {cid}"
            if expect is not ANY and expect != current:
                raise ConflictError(Msg(f"{what} đã được người khác sửa; không xóa. Xem: ccb-tui commend list",
                                        f"Commendation {cid} was changed by someone else; not removed. "
                                        f"See: ccb-tui commend list"), what, "", "", "")
            table.remove(doc_ids=[cid])
            self._log(db, "remove_commendation", {"commendation": cid, "year": doc["year"],  # type: ignore[attr-defined]
                                                  **({"unit": doc["unit"]} if doc.get("unit") else {})}, doc, None)
            rev = snap.revision + 1
        shown = doc.get("person") or doc.get("unit") or ""
        return Change(what, f"{doc.get('form', '')} · {shown}", "đã xóa", rev,
                      (f"Commendation {cid}", f"{doc.get('form', '')} · {shown}", "removed"))

    # --- year open: carrying the points table and the checklist forward ---------------------

    def _carry_forward(self, db: "TinyDB", snap: Snapshot, source: int, year: int) -> dict[str, Any]:
        """Copy ``source``'s points table (if ``year`` has none) and checklist (tasks whose title
        ``year`` does not have yet, without statuses) into ``year``, in the open transaction, and
        audit it as one ``carry_forward`` entry. Returns what was copied."""
        if source == year:
            raise InvalidValue(Msg("--from phải là một năm khác.", "--from must be another year."))
        template = snap.templates.get(source)
        carried: dict[str, Any] = {"template": None, "tasks": []}
        if template is not None and year not in snap.templates:
            copy = scoring.Template(year, template.lines, template.bands, template.sample)
            tdoc = scoring.template_doc(copy)
            self._table(db, "templates").insert({"year": year, "pact_signed": None, **tdoc})  # type: ignore[attr-defined]
            carried["template"] = tdoc
        have = {text.fold(t.title) for t in snap.tasks_for(year)}
        tasks = self._table(db, "tasks")  # type: ignore[attr-defined]
        for t in snap.tasks_for(source):
            if text.fold(t.title) in have:
                continue
            new_id = tasks.insert({"year": year, "title": t.title, "note": t.note, "statuses": {}})
            carried["tasks"].append(new_id)
        if carried["template"] is not None or carried["tasks"]:
            self._log(db, "carry_forward", {"year": year, "from": source}, None, carried)  # type: ignore[attr-defined]
        carried["template_kept"] = year in snap.templates
        carried["source_template"] = template is not None
        return carried


def _pact_day_or_fail(day: date, year: int, tz: str | None) -> None:
    first, last = date(year - 1, 1, 1), date(year, 12, 31)
    shown = day.strftime(clock.DAY)
    if not first <= day <= last:
        raise InvalidValue(Msg(
            f"Ngày ký {shown} không hợp với giao ước năm {year} (ký trong khoảng {first.strftime(clock.DAY)}–"
            f"{last.strftime(clock.DAY)}). Sửa --date, ví dụ --date 15/1/{year}.",
            f"The day {shown} does not fit the {year} pact (signed between {first.strftime(clock.DAY)} and "
            f"{last.strftime(clock.DAY)}). Fix --date, e.g. --date 15/1/{year}."))
    today = clock.local_date(now_iso(), tz)
    if today is not None and day > today:
        raise InvalidValue(Msg(
            f"Ngày ký {shown} chưa tới (hôm nay là {today.strftime(clock.DAY)}). Ghi ngày đã ký bằng --date.",
            f"The day {shown} has not come yet (today is {today.strftime(clock.DAY)}). Give the day it was "
            f"signed with --date."))


def _reason_or_fail(ln: scoring.Line, snap: Snapshot, unit: str, year: int, new_p: Decimal) -> None:
    """Points other than what the line's rule proposes need a reason (the note): refused without one."""
    proposal = scoring.propose(ln, snap, unit, year)
    if proposal is None or proposal[0] == new_p:
        return
    pts, why = proposal
    raise InvalidValue(Msg(
        f"{fmt_points(new_p)} điểm khác điểm quy tắc đề xuất cho dòng {ln.code} ({fmt_points(pts)} điểm: {why.vi}); "
        f"ghi lý do vào ghi chú, ví dụ: --note \"lý do\".",
        f"{fmt_points(new_p, 'en')} points is not what the rule proposes for line {ln.code} "
        f"({fmt_points(pts, 'en')} points: {why.en}); give the reason in the note, e.g. --note \"reason\"."))


def _same_template(current: scoring.Template | None, expect: object) -> bool:
    if expect is None or current is None:
        return expect is None and current is None
    if not isinstance(expect, scoring.Template):
        return False
    return scoring.template_doc(current) == scoring.template_doc(
        scoring.Template(current.year, expect.lines, expect.bands, expect.sample))


def _commendation_entry(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: doc.get(k) for k in ("year", "unit", "person", "form", "level", "reason", "status")}
