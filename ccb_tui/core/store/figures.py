"""Figure and target edits of the store: a unit's figure (``set_value``), a unit's target
(``set_target``) and the cluster's own target (``set_cluster_target``), with the conflict each
refuses.

A mixin of :class:`~.store.Store` (it uses the store's transaction, audit and check helpers):
each edit is one locked read-modify-write that checks what it was based on (``expect``) inside
the lock, refuses bad input with :class:`InvalidValue` before anything is written, and writes one
audit entry. The ``_write_*`` helpers are shared with ``Store.apply_batch``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tinydb import Query

from ..domain import indicators, validation
from ..domain.errors import ConflictError, InvalidValue
from ..domain.fmt import format_value
from ..domain.models import Msg, Number, Qualifier, Reading, Snapshot, Status, Target, Unit
from . import documents
from .changes import ANY, Change, value_change
from .files import now_iso
from .undo import audited

if TYPE_CHECKING:
    from tinydb import TinyDB


class FigureEdits:
    """The store's figure and target edits (mixed into :class:`~.store.Store`)."""

    @staticmethod
    def _expect_ok(current: Reading, expect: object) -> bool:
        if expect is ANY:
            return True
        if isinstance(expect, Reading):
            return current.same_as(expect)
        if expect is None or expect == Status.NOT_REPORTED:
            return not current.reported
        return current.reported and current.value == expect

    @audited
    def set_value(self, unit: str, indicator: str, year: int, value: Number | None, *,
                  qualifier: Qualifier = Qualifier.EXACT, reported: bool = True,
                  expect: object = ANY, cluster: str | None = None) -> Change:
        """Set a unit's figure. ``expect`` is the reading (or bare value) the edit was based on;
        given ``cluster``, a unit not in that cluster in ``year`` is refused."""
        ind = self._indicator_or_fail(indicator)  # type: ignore[attr-defined]
        status = Status.REPORTED if reported else Status.NOT_REPORTED
        if not reported:
            value, qualifier = None, Qualifier.EXACT
        problems = validation.validate_reading(indicator, value, qualifier, status)
        if problems:
            raise InvalidValue.from_problems(problems)
        with self._transaction() as db:  # type: ignore[attr-defined]
            snap = self._snap_in(db, unit=unit, year=year)  # type: ignore[attr-defined]
            u = self._unit_or_fail(snap, unit)  # type: ignore[attr-defined]
            self._year_open_or_fail(snap, year)  # type: ignore[attr-defined]
            self._active_or_fail(u, year)  # type: ignore[attr-defined]
            self._in_cluster_or_fail(u, year, cluster, snap)  # type: ignore[attr-defined]
            current = snap.reading(unit, indicator, year)
            new = Reading(value, qualifier, status, False, self.user, now_iso())  # type: ignore[attr-defined]
            what_vi = f"{u.name(year)} · {ind.label('vi')} {year}"
            what_en = f"{u.name(year)} · {ind.label('en')} {year}"
            if not self._expect_ok(current, expect):
                self._conflict(what_vi, indicator, expect, current, new)
            if current.same_as(new) and not current.sample:
                return value_change(what_vi, what_en, indicator, current, new, snap.revision)
            readings = {code: snap.reading(unit, code, year) for code in indicators.BY_CODE}
            readings[indicator] = new
            problems = validation.validate_unit_year(readings)
            if problems:
                raise InvalidValue.from_problems(problems)
            self._write_value(db, snap, u, indicator, year, new, expect)
            rev = snap.revision + 1
        return value_change(what_vi, what_en, indicator, current, new, rev)

    def _write_value(self, db: TinyDB, snap: Snapshot, u: Unit, indicator: str, year: int, new: Reading,
                     expect: object, via: str | None = None) -> Reading:
        """Check ``expect`` against the stored figure, write ``new`` and audit it; the old reading."""
        self._year_open_or_fail(snap, year)  # type: ignore[attr-defined]
        self._active_or_fail(u, year)  # type: ignore[attr-defined]
        current = snap.reading(u.code, indicator, year)
        if not self._expect_ok(current, expect):
            self._conflict(f"{u.name(year)} · {indicators.BY_CODE[indicator].label('vi')} {year}",
                           indicator, expect, current, new)
        records, doc_id, doc = self._record(db, u.code, year)  # type: ignore[attr-defined]
        doc["values"] = {**doc.get("values", {}), indicator: documents.reading_doc(new)}
        self._save_record(records, doc_id, doc)  # type: ignore[attr-defined]
        target = {"unit": u.code, "indicator": indicator, "year": year, **({"via": via} if via else {})}
        self._log(db, "set_value", target, documents.reading_doc(current), documents.reading_doc(new))  # type: ignore[attr-defined]
        return current

    @audited
    def set_target(self, unit: str, indicator: str, year: int, value: Number | None, *,
                   expect: object = ANY, cluster: str | None = None) -> Change:
        """Set (or with ``value=None`` remove) a unit's target. ``expect`` is the old target value;
        given ``cluster``, a unit not in that cluster in ``year`` is refused."""
        ind = self._indicator_or_fail(indicator)  # type: ignore[attr-defined]
        _target_ok_or_fail(indicator, value)
        with self._transaction() as db:  # type: ignore[attr-defined]
            snap = self._snap_in(db, unit=unit, year=year)  # type: ignore[attr-defined]
            u = self._unit_or_fail(snap, unit)  # type: ignore[attr-defined]
            self._in_cluster_or_fail(u, year, cluster, snap)  # type: ignore[attr-defined]
            current = self._write_target(db, snap, u, indicator, year, value, expect)
            rev = snap.revision + 1
        new = Target(value) if value is not None else None
        what_vi = f"{u.name(year)} · chỉ tiêu {ind.label('vi')} {year}"
        what_en = f"{u.name(year)} · target {ind.label('en')} {year}"
        return value_change(what_vi, what_en, indicator, current, new, rev)

    def _write_target(self, db: TinyDB, snap: Snapshot, u: Unit, indicator: str, year: int,
                      value: Number | None, expect: object, via: str | None = None) -> Target | None:
        """Check ``expect`` against the stored target, set or remove it and audit it; the old one."""
        if value is not None:  # removing a stray target of such a year stays possible
            self._year_open_or_fail(snap, year)  # type: ignore[attr-defined]
            self._active_or_fail(u, year)  # type: ignore[attr-defined]
        current = snap.target(u.code, indicator, year)
        cur_value = current.value if current else None
        if expect is not ANY:
            exp_value = expect.value if isinstance(expect, Target) else expect
            if exp_value != cur_value:
                what_vi = f"{u.name(year)} · chỉ tiêu {indicators.BY_CODE[indicator].label('vi')} {year}"
                raise ConflictError(
                    Msg(f"Xung đột: {what_vi} đã được người khác đổi thành "
                        f"{documents.describe(indicator, current, 'vi')} (bạn dựa trên "
                        f"{self._fmt_plain(indicator, exp_value, 'vi')}). Không ghi đè; hãy xem lại rồi sửa.",
                        f"Conflict: {what_vi} was changed by someone else to "
                        f"{documents.describe(indicator, current, 'en')} (your edit was based on "
                        f"{self._fmt_plain(indicator, exp_value, 'en')}). Nothing overwritten; review and retry."),
                    what_vi, self._fmt_plain(indicator, exp_value, "vi"),
                    documents.describe(indicator, current, "vi"), self._fmt_plain(indicator, value, "vi"))
        records, doc_id, doc = self._record(db, u.code, year)  # type: ignore[attr-defined]
        targets = dict(doc.get("targets", {}))
        if value is None:
            targets.pop(indicator, None)
        else:
            targets[indicator] = {"v": value, "by": self.user, "at": now_iso()}  # type: ignore[attr-defined]
        doc["targets"] = targets
        self._save_record(records, doc_id, doc)  # type: ignore[attr-defined]
        target = {"unit": u.code, "indicator": indicator, "year": year, **({"via": via} if via else {})}
        self._log(db, "set_target", target, cur_value, value)  # type: ignore[attr-defined]
        return current

    @staticmethod
    def _fmt_plain(indicator: str, value: Any, lang: str) -> str:
        if value is None:
            return "—"
        ind = indicators.BY_CODE[indicator]
        return format_value(value, ind.kind.value, lang, ind.decimals)

    def _conflict(self, what_vi: str, indicator: str, expect: object, current: Reading, new: Reading) -> None:
        if isinstance(expect, Reading):
            exp_vi, exp_en = documents.describe(indicator, expect, "vi"), documents.describe(indicator, expect, "en")
        elif expect is None or expect == Status.NOT_REPORTED:
            exp_vi, exp_en = "chưa báo cáo", "not reported"
        else:
            exp_vi, exp_en = self._fmt_plain(indicator, expect, "vi"), self._fmt_plain(indicator, expect, "en")
        cur_vi, cur_en = documents.describe(indicator, current, "vi"), documents.describe(indicator, current, "en")
        who = f" ({current.changed_by})" if current.changed_by else ""
        raise ConflictError(
            Msg(f"Xung đột: {what_vi} đã được người khác{who} đổi thành {cur_vi}, trong khi bạn dựa trên "
                f"{exp_vi}. Không ghi đè; hãy xem lại rồi sửa.",
                f"Conflict: {what_vi} was changed by someone else{who} to {cur_en}, while your edit was "
                f"based on {exp_en}. Nothing overwritten; review and retry."),
            what_vi, exp_vi, cur_vi, documents.describe(indicator, new, "vi"))

    @audited
    def set_cluster_target(self, cluster: str, indicator: str, year: int, value: Number | None, *,
                           expect: object = ANY) -> Change:
        """Set (``None``: remove) the cluster's own target (kế hoạch trên giao cho cả cụm).

        When set, the cluster's progress compares the cluster total with it, rather than with the
        units' own targets. ``expect`` is the old target value.
        """
        ind = self._indicator_or_fail(indicator)  # type: ignore[attr-defined]
        _target_ok_or_fail(indicator, value)
        with self._transaction() as db:  # type: ignore[attr-defined]
            snap = self._snap_in(db, records=False)  # type: ignore[attr-defined]
            if cluster not in snap.clusters:
                known = ", ".join(snap.clusters)
                raise InvalidValue(Msg(f"Không có cụm '{cluster}'. Các cụm: {known}",
                                       f"There is no cluster '{cluster}'. Clusters: {known}"))
            if value is not None:
                self._year_open_or_fail(snap, year)  # type: ignore[attr-defined]
            current = snap.cluster_target(cluster, indicator, year)
            cur_value = current.value if current else None
            name = snap.clusters[cluster].name("vi")
            what_vi = f"{name} · kế hoạch cụm {ind.label('vi')} {year}"
            what_en = f"{snap.clusters[cluster].name('en')} · cluster target {ind.label('en')} {year}"
            if expect is not ANY and (expect.value if isinstance(expect, Target) else expect) != cur_value:
                exp = expect.value if isinstance(expect, Target) else expect
                raise ConflictError(
                    Msg(f"Xung đột: {what_vi} đã được người khác đổi thành "
                        f"{self._fmt_plain(indicator, cur_value, 'vi')} (bạn dựa trên "
                        f"{self._fmt_plain(indicator, exp, 'vi')}). Không ghi đè; hãy xem lại rồi sửa.",
                        f"Conflict: {what_en} was changed by someone else to "
                        f"{self._fmt_plain(indicator, cur_value, 'en')} (your edit was based on "
                        f"{self._fmt_plain(indicator, exp, 'en')}). Nothing overwritten; review and retry."),
                    what_vi, self._fmt_plain(indicator, exp, "vi"), self._fmt_plain(indicator, cur_value, "vi"),
                    self._fmt_plain(indicator, value, "vi"))
            if cur_value == value:
                return value_change(what_vi, what_en, indicator, current, current, snap.revision)
            self._write_cluster_target(db, cluster, indicator, year, value)
            self._log(db, "set_cluster_target", {"cluster": cluster, "indicator": indicator, "year": year},  # type: ignore[attr-defined]
                      cur_value, value)
            rev = snap.revision + 1
        return value_change(what_vi, what_en, indicator, current,
                             Target(value) if value is not None else None, rev)

    def _write_cluster_target(self, db: TinyDB, cluster: str, indicator: str, year: int,
                              value: Number | None) -> None:
        clusters = self._table(db, "clusters")  # type: ignore[attr-defined]
        doc = clusters.get(Query().code == cluster)
        targets = {y: dict(t) for y, t in (doc.get("targets") or {}).items()}
        by_ind = targets.setdefault(str(year), {})
        if value is None:
            by_ind.pop(indicator, None)
            if not by_ind:
                targets.pop(str(year))
        else:
            by_ind[indicator] = documents.target_doc(value, self.user, now_iso())  # type: ignore[attr-defined]
        clusters.update({"targets": targets}, Query().code == cluster)


def _target_ok_or_fail(indicator: str, value: Number | None) -> None:
    """Refuse a target the indicator's rules do not allow (None, removing it, always passes)."""
    if value is not None:
        problems = validation.validate_target(indicator, value)
        if problems:
            raise InvalidValue.from_problems(problems)
