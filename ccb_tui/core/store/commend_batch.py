"""Commendations written by a batch (the import): a changed record, or a new proposal.

A mixin of :class:`~.store.Store`, used by ``Store.apply_batch`` for its ``"commendation"`` kind:
each change is checked inside the batch's transaction against the record it was planned from
(``expect``), validated like ``add_commendation``, and audited as one entry. A record changed in
more than its status is audited as ``edit_commendation``, whose undo is registered here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from ..domain import scoring, text
from ..domain.errors import ConflictError, InvalidValue
from ..domain.models import Msg, Snapshot
from .audit import LogEntry
from .changes import ANY
from .files import now_iso
from .thidua import _bounded, _commendation_entry
from .undo import conflict, register

if TYPE_CHECKING:
    from tinydb import TinyDB

    from .store import Store

FIELDS = ("unit", "person", "form", "level", "reason", "status")
"""What a batch sets on a commendation (all of them, as the file has them)."""


def _same_content(c: scoring.Commendation, year: int, entry: Mapping[str, Any]) -> bool:
    """Whether ``c`` is the commendation ``entry`` describes (its status aside)."""
    return (c.year, c.unit, c.person, c.form, c.level, c.reason) == (
        year, entry["unit"], entry["person"], entry["form"], entry["level"], entry["reason"])


def checked_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The fields sanitised and bounded as ``add_commendation`` has them, or InvalidValue."""
    unit = fields.get("unit") or None
    out = {"unit": unit,
           "person": _bounded(fields.get("person") or "", "Tên người", "The person's name"),
           "form": _bounded(fields.get("form") or "", "Hình thức", "The form"),
           "level": _bounded(fields.get("level") or "", "Cấp khen", "The level"),
           "reason": _bounded(fields.get("reason") or "", "Thành tích", "The reason", multiline=True),
           "status": fields.get("status") or "proposed"}
    if not out["unit"] and not out["person"]:
        raise InvalidValue(Msg("Khen thưởng cần đơn vị (khen tập thể) hoặc cá nhân.",
                               "A commendation needs a unit (collective) or a person (individual)."))
    for key, vi, en in (("form", "hình thức khen", "the form"), ("level", "cấp khen", "the level"),
                        ("reason", "thành tích", "the reason")):
        if not out[key]:
            raise InvalidValue(Msg(f"Khen thưởng thiếu {vi}.", f"A commendation is missing {en}."))
    if out["status"] not in scoring.COMMENDATION_STATUS:
        raise InvalidValue(Msg(f"Trạng thái khen thưởng '{text.sanitize(str(out['status']))[:30]}' không hợp lệ; "
                               f"dùng đề nghị hoặc được duyệt.",
                               f"Commendation status '{text.sanitize(str(out['status']))[:30]}' is not valid; "
                               f"use proposed or approved."))
    return out


def shown(c: scoring.Commendation | Mapping[str, Any] | None, lang: str = "vi") -> str:
    """"Giấy khen · Nguyễn Văn An · được duyệt": how a commendation reads in a change line."""
    if c is None:
        return "—"
    get = c.get if isinstance(c, Mapping) else (lambda k: getattr(c, k))
    status = scoring.COMMENDATION_STATUS.get(str(get("status")), (str(get("status")),) * 2)[1 if lang == "en" else 0]
    who = get("person") or get("unit") or ""
    return " · ".join(x for x in (str(get("form") or ""), str(who), status) if x)


class CommendationBatch:
    """The batch's commendation kind (mixed into :class:`~.store.Store`)."""

    def _write_commendation(self, db: "TinyDB", snap: Snapshot, cid: int | None, year: int,
                            fields: Mapping[str, Any], expect: object, via: str | None = None) -> bool:
        """Check and write one commendation inside an open transaction; whether it wrote.

        ``cid`` None adds a proposal; ``expect`` is then None ("no such commendation yet": one with
        the same year, unit, person, form, level and reason already stored is a conflict, so a file
        imported twice does not propose twice) or ``ANY``. With a ``cid``, ``expect`` is the
        :class:`~scoring.Commendation` the change was planned from: a record changed or removed
        since is a conflict.
        """
        entry = checked_fields(fields)
        self._year_open_or_fail(snap, year)  # type: ignore[attr-defined]
        if entry["unit"]:
            u = self._unit_or_fail(snap, entry["unit"])  # type: ignore[attr-defined]
            self._active_or_fail(u, year)  # type: ignore[attr-defined]
            entry["unit"] = u.code
        table = self._table(db, "commendations")  # type: ignore[attr-defined]
        target = {"year": year, **({"unit": entry["unit"]} if entry["unit"] else {}), **({"via": via} if via else {})}
        if cid is None:
            if expect is not ANY:
                twin = next((c for c in snap.commendations if _same_content(c, year, entry)), None)
                if twin is not None:
                    raise ConflictError(Msg(
                        f"Khen thưởng «{shown(entry)}» năm {year} đã có (số {twin.id}), có thể vừa được nhập; "
                        f"không thêm lần nữa. Xem: ccb-tui commend list --year {year}",
                        f"The commendation «{shown(entry, 'en')}» of {year} is already there (number {twin.id}), "
                        f"perhaps just imported; not added again. See: ccb-tui commend list --year {year}"),
                        f"khen thưởng năm {year}", "—", shown(twin), shown(entry))
            doc = {"year": year, **entry, "by": self.user, "at": now_iso()}  # type: ignore[attr-defined]
            new_id = table.insert(doc)
            self._log(db, "add_commendation", {"commendation": new_id, **target},  # type: ignore[attr-defined]
                      None, _commendation_entry(doc))
            return True
        current = next((c for c in snap.commendations if c.id == cid), None)
        what, what_en = f"khen thưởng số {cid}", f"commendation {cid}"
        if current is None:
            if expect is ANY:
                raise InvalidValue(Msg(f"Không có khen thưởng số {cid}. Xem: ccb-tui commend list",
                                       f"There is no commendation {cid}. See: ccb-tui commend list"))
            raise ConflictError(Msg(f"{what} đã bị người khác xóa; không ghi. Xem: ccb-tui commend list",
                                    f"{what_en} was removed by someone else; nothing written. "
                                    f"See: ccb-tui commend list"), what, shown(expect), "đã xóa", shown(entry))
        if expect is not ANY and expect != current:
            raise ConflictError(Msg(
                f"{what} đã được người khác sửa thành «{shown(current)}» (bạn dựa trên «{shown(expect)}»); "
                f"không ghi đè. Xem: ccb-tui commend list --year {current.year}",
                f"{what_en} was changed by someone else to «{shown(current, 'en')}» (you expected "
                f"«{shown(expect, 'en')}»); nothing overwritten. See: ccb-tui commend list --year {current.year}"),
                what, shown(expect), shown(current), shown(entry))
        if current.year != year:
            raise InvalidValue(Msg(f"{what} thuộc năm {current.year}, không phải {year}.",
                                   f"{what_en} belongs to {current.year}, not {year}."))
        old = {k: getattr(current, k) for k in FIELDS}
        if old == entry:
            return False
        stamp = {"by": self.user, "at": now_iso()}  # type: ignore[attr-defined]
        target = {"commendation": cid, **target}
        if {k for k in FIELDS if old[k] != entry[k]} == {"status"}:
            table.update({"status": entry["status"], **stamp}, doc_ids=[cid])
            self._log(db, "set_commendation_status", target, old["status"], entry["status"])  # type: ignore[attr-defined]
        else:
            table.update({**entry, **stamp}, doc_ids=[cid])
            self._log(db, "edit_commendation", target, {"year": year, **old},  # type: ignore[attr-defined]
                      {"year": year, **entry})
        return True


def _undo_edit_commendation(store: "Store", db: "TinyDB", snap: Snapshot, entry: LogEntry) -> None:
    """Put back the fields an ``edit_commendation`` replaced, if they are still what it wrote."""
    cid = int(entry.target["commendation"])
    table = store._table(db, "commendations")
    found = table.get(doc_id=cid)
    now = _commendation_entry(dict(found)) if found is not None else None
    if now != entry.new or not isinstance(entry.old, dict):
        raise conflict(entry, snap, shown(now) if now else "đã xóa", shown(entry.new))
    table.update({**{k: entry.old.get(k) for k in FIELDS}, "by": store.user, "at": now_iso()}, doc_ids=[cid])


register("edit_commendation", _undo_edit_commendation)
