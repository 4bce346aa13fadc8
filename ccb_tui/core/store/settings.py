"""Store-wide edits: one setting (``set_setting``) and opening a year (``open_year``).

A mixin of :class:`~.store.Store` (it uses the store's transaction, audit and settings helpers):
each edit is one locked read-modify-write that checks its value and what it was based on inside
the lock, refuses bad input with :class:`InvalidValue` before anything is written, and writes one
audit entry.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..domain import text
from ..domain.errors import ConflictError, InvalidValue
from ..domain.models import SETTING_KEYS, SETTING_LABELS, Msg, Unit
from . import documents
from .changes import ANY, Change
from .undo import audited


class SettingEdits:
    """The store's settings and years (mixed into :class:`~.store.Store`)."""

    @audited
    def set_setting(self, key: str, value: Any, *, expect: object = ANY) -> Change:
        """Change one store-wide setting (see :class:`~.models.Settings`), audited.

        ``current_year`` must be a year the store has or has opened; ``timezone`` an IANA name
        (``Asia/Ho_Chi_Minh``); the text settings are one line of at most 200 characters.
        """
        if key not in SETTING_KEYS:
            raise InvalidValue(Msg(f"Không có thiết lập '{key}'. Các thiết lập: {', '.join(SETTING_KEYS)}",
                                   f"There is no setting '{key}'. Settings: {', '.join(SETTING_KEYS)}"))
        if key == "current_cluster":  # a cluster by code or name, checked in its own transaction
            return self.set_current_cluster(str(value), expect=expect)  # type: ignore[attr-defined]
        if key == "timezone":
            value = text.sanitize(str(value))
            try:
                documents.check_timezone(value)
            except ValueError:
                raise InvalidValue(Msg(f"Múi giờ '{value}' không có; dùng tên như Asia/Ho_Chi_Minh.",
                                       f"Unknown time zone '{value}'; use a name such as Asia/Ho_Chi_Minh."))
        elif key != "current_year":
            value = text.sanitize(str(value))
            if len(value) > 200:
                raise InvalidValue(Msg("Thiết lập dài quá 200 ký tự.", "A setting is at most 200 characters."))
        with self._transaction() as db:  # type: ignore[attr-defined]
            snap = self._snap_in(db, records=False)  # type: ignore[attr-defined]
            if key == "current_year":
                if not isinstance(value, int) or value not in self._snap_in(db).years():  # type: ignore[attr-defined]
                    raise InvalidValue(Msg(
                        f"Năm {value} chưa có trong dữ liệu. Mở năm mới bằng: ccb-tui year open {value}",
                        f"{value} is not in the store yet. Open a new year with: ccb-tui year open {value}"))
            meta, doc_id, settings = self._settings_doc(db)  # type: ignore[attr-defined]
            old = getattr(snap.settings, key)
            if expect is not ANY and expect != old:
                raise ConflictError(
                    Msg(f"Xung đột: thiết lập {key} đã được người khác đổi thành “{old}” (bạn dựa trên "
                        f"“{expect}”). Không ghi đè.",
                        f"Conflict: setting {key} was changed by someone else to “{old}” (you based your "
                        f"edit on “{expect}”). Nothing overwritten."), key, str(expect), str(old), str(value))
            label_vi, label_en = SETTING_LABELS[key]
            shown_old = str(old) if old not in (None, "") else "—"
            if old == value:
                return Change(label_vi, shown_old, shown_old, snap.revision, (label_en, shown_old, shown_old))
            settings[key] = value
            meta.update({"settings": settings}, doc_ids=[doc_id])
            self._log(db, "set_setting", {"setting": key}, old, value)  # type: ignore[attr-defined]
            rev = snap.revision + 1
        shown_new = str(value) if value != "" else "—"
        return Change(label_vi, shown_old, shown_new, rev, (label_en, shown_old, shown_new))

    @audited
    def open_year(self, year: int, *, carry_from: int | None = None) -> tuple[Change, list[Unit]]:
        """Open ``year`` for writing and make it the current year; the units active in it.

        Units carry forward by themselves (a unit stays until retired); a year more than one
        year after today's is refused as a likely typo. ``carry_from`` also copies that year's
        points table and checklist into ``year``, in the same transaction (``_carry_forward``).
        """
        today = date.today().year
        if year > today + 1:
            raise InvalidValue(Msg(f"Năm {year} quá xa (năm nay là {today}); chỉ mở được đến năm {today + 1}.",
                                   f"{year} is too far ahead (this is {today}); years open up to {today + 1}."))
        with self._transaction() as db:  # type: ignore[attr-defined]
            snap = self._snap_in(db, records=False)  # type: ignore[attr-defined]
            first = min((u.periods[0].from_year for u in snap.units), default=year)
            if year < first:
                raise InvalidValue(Msg(f"Năm {year} trước khi cụm có đơn vị (từ {first}).",
                                       f"{year} is before the cluster has units (from {first})."))
            meta, doc_id, settings = self._settings_doc(db)  # type: ignore[attr-defined]
            old = {"current_year": snap.settings.current_year, "open_years": list(snap.settings.open_years)}
            opened = sorted({*snap.settings.open_years, year})
            new = {"current_year": year, "open_years": opened}
            units = snap.units_in(year)
            if old != new:
                settings.update(new)
                meta.update({"settings": settings}, doc_ids=[doc_id])
                self._log(db, "open_year", {"year": year}, old, new)  # type: ignore[attr-defined]
            carried = self._carry_forward(db, snap, carry_from, year) if carry_from is not None else {}  # type: ignore[attr-defined]
            if old == new and not (carried.get("template") or carried.get("tasks")):
                return Change("năm hiện hành", str(year), str(year), snap.revision), units
            rev = snap.revision + 1
        return Change("năm hiện hành", str(old["current_year"] or "—"), str(year), rev,
                      ("current year", str(old["current_year"] or "—"), str(year))), units
