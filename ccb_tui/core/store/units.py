"""Unit edits of the store: add, rename and retire a unit, with the figures a retirement leaves
behind and the check that no two units share a name.

A mixin of :class:`~.store.Store` (it uses the store's transaction, audit and check helpers):
each edit is one locked read-modify-write that checks existence, uniqueness and what it was based
on inside the lock, refuses bad input with :class:`InvalidValue` before anything is written, and
writes its audit entries. ``_later_data`` and ``_unique_name_or_fail`` serve the reorganisations
too (``reorg.ReorgEdits``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tinydb import Query

from ..domain import indicators, text
from ..domain.errors import ConflictError, InvalidValue
from ..domain.models import Msg, Snapshot, Unit
from . import documents
from .changes import ANY, Change, LaterData, RetireChange
from .names import name_keys, name_spans
from .undo import audited

if TYPE_CHECKING:
    from tinydb import TinyDB


class UnitEdits:
    """The store's unit edits (mixed into :class:`~.store.Store`)."""

    @audited
    def add_unit(self, code: str, name: str, *, year: int, kind: str = "xa", cluster: str | None = None) -> Change:
        """Add a unit to a cluster from ``year`` on."""
        code = text.fold(code).replace(" ", "_")
        name = text.sanitize(name)
        if not code or not code.replace("_", "").isalnum():
            raise InvalidValue(Msg("Mã đơn vị chỉ gồm chữ không dấu, số và dấu gạch dưới, ví dụ: ea_kiet.",
                                   "A unit code holds only unaccented letters, digits and _, e.g. ea_kiet."))
        if not name:
            raise InvalidValue(Msg("Tên đơn vị không được để trống.", "A unit needs a name."))
        with self._transaction() as db:  # type: ignore[attr-defined]
            snap = self._snap_in(db, records=False)  # type: ignore[attr-defined]
            if snap.unit(code) is not None:
                raise InvalidValue(Msg(f"Đã có đơn vị mã '{code}'.", f"A unit with code '{code}' exists."))
            self._year_open_or_fail(snap, year)  # type: ignore[attr-defined]
            cluster = cluster or snap.default_cluster()
            if cluster not in snap.clusters:
                raise InvalidValue(Msg(f"Không có cụm '{cluster}'.", f"There is no cluster '{cluster}'."))
            self._unique_name_or_fail(snap, code, [(name, int(year), None)])
            self._table(db, "units").insert({"code": code, "kind": kind, "retired_from": None,  # type: ignore[attr-defined]
                                             "periods": [{"from": int(year), "name": name, "cluster": cluster}]})
            self._log(db, "add_unit", {"unit": code}, None, {"name": name, "year": year})  # type: ignore[attr-defined]
            rev = snap.revision + 1
        return Change(f"Đơn vị {code}", "—", name, rev)

    @audited
    def rename_unit(self, code: str, name: str, *, year: int | None = None, expect: object = ANY) -> Change:
        """Rename a unit from ``year`` on (None: its current name is corrected in place)."""
        name = text.sanitize(name)
        if not name:
            raise InvalidValue(Msg("Tên đơn vị không được để trống.", "A unit needs a name."))
        with self._transaction() as db:  # type: ignore[attr-defined]
            snap = self._snap_in(db, records=False)  # type: ignore[attr-defined]
            u = self._unit_or_fail(snap, code)  # type: ignore[attr-defined]
            old = u.name(year)
            if expect is not ANY and expect != old:
                raise ConflictError(
                    Msg(f"Xung đột: đơn vị {code} đã được đổi tên thành “{old}” (bạn dựa trên “{expect}”). "
                        f"Không ghi đè.",
                        f"Conflict: unit {code} was renamed to “{old}” (your edit was based on “{expect}”). "
                        f"Nothing overwritten."), f"unit {code}", str(expect), old, name)
            if old == name:  # the same name: nothing to write, nothing to log
                return Change(f"Đơn vị {code}", old, name, snap.revision)
            periods = [{"from": p.from_year, "name": p.name, "cluster": p.cluster} for p in u.periods]
            if year is None or any(p["from"] == year for p in periods):
                idx = len(periods) - 1 if year is None else next(i for i, p in enumerate(periods) if p["from"] == year)
                periods[idx]["name"] = name
            else:
                periods.append({"from": int(year), "name": name, "cluster": u.cluster(year)})
                periods.sort(key=lambda p: p["from"])
            spans = name_spans([(p["from"], p["name"]) for p in periods], u.retired_from)
            self._unique_name_or_fail(snap, code, [sp for sp in spans if sp[0] == name])
            units = self._table(db, "units")  # type: ignore[attr-defined]
            units.update({"periods": periods}, Query().code == code)
            old_periods = [{"from": p.from_year, "name": p.name, "cluster": p.cluster} for p in u.periods]
            self._log(db, "rename_unit", {"unit": code, "year": year},  # type: ignore[attr-defined]
                      {"name": old, "periods": old_periods}, {"name": name, "periods": periods})
            rev = snap.revision + 1
        return Change(f"Đơn vị {code}", old, name, rev)

    @audited
    def retire_unit(self, code: str, *, year: int, expect: object = ANY, drop_later: bool = False) -> "RetireChange":
        """Mark a unit as no longer existing from ``year`` on (its history stays).

        ``expect`` is the retirement year the edit was based on (None: not retired). The unit's
        figures and targets of ``year`` and later, which ``check`` would then flag, come back in
        ``later``; with ``drop_later`` they are removed in the same transaction, each audited.
        """
        with self._transaction() as db:  # type: ignore[attr-defined]
            snap = self._snap_in(db, unit=code)  # type: ignore[attr-defined]
            u = self._unit_or_fail(snap, code)  # type: ignore[attr-defined]
            if expect is not ANY and expect != u.retired_from:
                was = lambda y, lang: (f"ngừng từ {y}" if lang == "vi" else f"retired from {y}") if y else (  # noqa: E731
                    "đang hoạt động" if lang == "vi" else "active")
                raise ConflictError(
                    Msg(f"Xung đột: đơn vị {code} đã được người khác đổi thành “{was(u.retired_from, 'vi')}” "
                        f"(bạn dựa trên “{was(expect, 'vi')}”). Không ghi đè.",
                        f"Conflict: unit {code} was changed by someone else to “{was(u.retired_from, 'en')}” "
                        f"(your edit was based on “{was(expect, 'en')}”). Nothing overwritten."),
                    f"unit {code}", was(expect, "vi"), was(u.retired_from, "vi"), was(year, "vi"))
            if year <= u.periods[0].from_year:
                raise InvalidValue(Msg(f"Năm ngừng hoạt động phải sau {u.periods[0].from_year}.",
                                       f"The retirement year must be after {u.periods[0].from_year}."))
            later = self._later_data(snap, u, year)
            same = u.retired_from == year
            if same and not (drop_later and later):  # nothing to write or log
                return RetireChange(f"Đơn vị {code}", f"ngừng từ {year}", f"ngừng từ {year}", snap.revision,
                                    later=later)
            if drop_later:
                self._drop_later(db, u, later)
            if not same:
                self._table(db, "units").update({"retired_from": int(year)}, Query().code == code)  # type: ignore[attr-defined]
                self._log(db, "retire_unit", {"unit": code}, u.retired_from, year)  # type: ignore[attr-defined]
            rev = snap.revision + 1
        return RetireChange(f"Đơn vị {code}", u.name() if not same else f"ngừng từ {year}", f"ngừng từ {year}",
                            rev, later=later, dropped=drop_later and bool(later))

    def _later_data(self, snap: Snapshot, u: Unit, year: int) -> tuple["LaterData", ...]:
        """The unit's figures and targets of ``year`` and later (what check flags once retired)."""
        out: list[LaterData] = []
        for (ucode, ind, y), reading in snap.values.items():
            if ucode == u.code and y >= year:
                out.append(LaterData("figure", ind, y, self._later_text(u, ind, y, reading, "vi"),
                                     self._later_text(u, ind, y, reading, "en")))
        for (ucode, ind, y), target in snap.targets.items():
            if ucode == u.code and y >= year:
                out.append(LaterData("target", ind, y, self._later_text(u, ind, y, target, "vi", True),
                                     self._later_text(u, ind, y, target, "en", True)))
        order = {code: i for i, code in enumerate(indicators.BY_CODE)}
        return tuple(sorted(out, key=lambda d: (d.year, d.kind != "figure", order.get(d.indicator, 99))))

    @staticmethod
    def _later_text(u: Unit, ind: str, year: int, value: Any, lang: str, target: bool = False) -> str:
        known = indicators.BY_CODE.get(ind)
        label = known.label(lang) if known else ind
        if target:
            label = ("chỉ tiêu " if lang == "vi" else "target ") + label
        return f"{u.name(year)} · {label} {year}: {documents.describe(ind, value, lang)}"

    def _drop_later(self, db: TinyDB, u: Unit, later: tuple["LaterData", ...]) -> None:
        """Remove ``later`` (figures and targets of a retired unit's years), each audited."""
        records = self._table(db, "records")  # type: ignore[attr-defined]
        for item in later:
            _records, doc_id, doc = self._record(db, u.code, item.year)  # type: ignore[attr-defined]
            if doc_id is None:
                continue
            field = "values" if item.kind == "figure" else "targets"
            kept = dict(doc.get(field, {}))
            old = kept.pop(item.indicator, None)
            doc[field] = kept
            if not doc.get("values") and not doc.get("targets"):
                records.remove(doc_ids=[doc_id])
            else:
                records.update(doc, doc_ids=[doc_id])
            target = {"unit": u.code, "indicator": item.indicator, "year": item.year, "via": "retire"}
            if item.kind == "figure":
                self._log(db, "set_value", target, old, None)  # type: ignore[attr-defined]
            else:
                self._log(db, "set_target", target, (old or {}).get("v"), None)  # type: ignore[attr-defined]

    def _unique_name_or_fail(self, snap: Snapshot, code: str, spans: list[tuple[str, int, int | None]]) -> None:
        """Refuse a name that another unit already uses in an overlapping year, compared without
        accents, case, NFC/NFD differences or the kind ("Xã "): both would read the same on screen."""
        for other in snap.units:
            if other.code == code:
                continue
            theirs = name_spans([(p.from_year, p.name) for p in other.periods], other.retired_from)
            for name, start, end in spans:
                keys = name_keys(name)
                for oname, ostart, oend in theirs:
                    lo = max(start, ostart)
                    hi = min(end if end is not None else 10**6, oend if oend is not None else 10**6)
                    if lo < hi and keys & name_keys(oname):
                        raise InvalidValue(Msg(
                            f"Tên “{name}” trùng với đơn vị {other.code} (“{oname}”, năm {lo}) khi không "
                            f"phân biệt dấu và chữ hoa; hãy đặt tên khác.",
                            f"The name “{name}” is the same as unit {other.code}'s (“{oname}”, {lo}) when "
                            f"accents and case are ignored; choose another name."))
