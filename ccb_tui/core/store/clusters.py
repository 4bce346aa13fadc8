"""Cluster edits of the store: add and rename a cluster, move a unit to a cluster from a year on,
choose the store's current cluster.

A mixin of :class:`~.store.Store` (it uses the store's transaction, audit and check helpers):
each edit is one locked read-modify-write that checks existence, uniqueness and what it was based
on inside the lock, refuses bad input with :class:`InvalidValue` before anything is written, and
writes one audit entry that ``Store.undo`` can revert (the handlers below are registered with
``undo``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tinydb import Query

from ..domain import text
from ..domain.clusters import cluster_keys, known_clusters, not_in_cluster, resolve_cluster
from ..domain.errors import ConflictError, InvalidValue
from ..domain.models import Cluster, Msg, Snapshot, Unit
from .audit import LogEntry
from .changes import ANY, Change
from .undo import audited, register

if TYPE_CHECKING:
    from tinydb import TinyDB

    from .store import Store

NAME_LIMIT = 120
"""The longest cluster name, in characters."""


def _periods_doc(u: Unit) -> list[dict[str, Any]]:
    return [{"from": p.from_year, "name": p.name, "cluster": p.cluster} for p in u.periods]


def _cluster_or_fail(snap: Snapshot, code: str) -> Cluster:
    found = snap.clusters.get(code)
    if found is None:
        known = known_clusters(snap)
        raise InvalidValue(Msg(f"Không có cụm thi đua '{text.sanitize(code)[:40]}'. Các cụm: {known}",
                               f"There is no competition cluster '{text.sanitize(code)[:40]}'. Clusters: {known}"))
    return found


def _name_or_fail(name: str) -> str:
    clean = text.sanitize(name or "")
    if not clean:
        raise InvalidValue(Msg("Tên cụm không được để trống. Ví dụ: --name \"Cụm thi đua số 4\"",
                               "A cluster needs a name. Example: --name \"Cụm thi đua số 4\""))
    if len(clean) > NAME_LIMIT:
        raise InvalidValue(Msg(f"Tên cụm dài quá {NAME_LIMIT} ký tự.", f"A cluster name is at most {NAME_LIMIT} characters."))
    return clean


def _unique_or_fail(snap: Snapshot, code: str | None, names: list[str], skip: str | None = None) -> None:
    """Refuse a code or name that reads like another cluster's (accents, case, spaces ignored)."""
    for other in snap.clusters.values():
        if other.code == skip:
            continue
        theirs = cluster_keys(other.code) | cluster_keys(other.name_vi) | cluster_keys(other.name_en)
        if code is not None and (code == other.code or cluster_keys(code) & theirs):
            raise InvalidValue(Msg(f"Đã có cụm mã '{other.code}' (“{other.name_vi}”); chọn mã khác.",
                                   f"Cluster '{other.code}' (“{other.name_vi}”) exists; choose another code."))
        for name in names:
            if cluster_keys(name) & theirs:
                raise InvalidValue(Msg(
                    f"Tên “{name}” trùng với cụm {other.code} (“{other.name_vi}”) khi không phân biệt dấu và "
                    f"chữ hoa; hãy đặt tên khác.",
                    f"The name “{name}” is the same as cluster {other.code}'s (“{other.name_vi}”) when accents "
                    f"and case are ignored; choose another name."))


class ClusterEdits:
    """The store's cluster edits (mixed into :class:`~.store.Store`)."""

    # --- clusters -------------------------------------------------------------------------

    @audited
    def add_cluster(self, code: str, name: str, *, name_en: str | None = None) -> Change:
        """Add a competition cluster (no units yet: move units in with ``assign_unit``)."""
        code = text.fold(code or "").replace(" ", "_")
        if not code or not code.replace("_", "").isalnum() or len(code) > 40:
            raise InvalidValue(Msg("Mã cụm chỉ gồm chữ không dấu, số và dấu gạch dưới, ví dụ: cum4.",
                                   "A cluster code holds only unaccented letters, digits and _, e.g. cum4."))
        name = _name_or_fail(name)
        english = _name_or_fail(name_en) if name_en else name
        with self._transaction() as db:  # type: ignore[attr-defined]
            snap: Snapshot = self._snap_in(db, records=False)  # type: ignore[attr-defined]
            _unique_or_fail(snap, code, [name, english])
            doc = {"code": code, "name_vi": name, "name_en": english, "parent_vi": "", "parent_en": ""}
            self._table(db, "clusters").insert(doc)  # type: ignore[attr-defined]
            self._log(db, "add_cluster", {"cluster": code}, None,  # type: ignore[attr-defined]
                      {"name_vi": name, "name_en": english})
            rev = snap.revision + 1
        return Change(f"Cụm {code}", "—", name, rev, (f"Cluster {code}", "—", english))

    @audited
    def rename_cluster(self, code: str, name: str, *, name_en: str | None = None,
                       expect: object = ANY) -> Change:
        """Rename a cluster. Without ``name_en`` the English name follows when it was the same as
        the Vietnamese one (never translated), else it is kept. ``expect`` is the name it had."""
        name = _name_or_fail(name)
        english_given = _name_or_fail(name_en) if name_en else None
        with self._transaction() as db:  # type: ignore[attr-defined]
            snap: Snapshot = self._snap_in(db, records=False)  # type: ignore[attr-defined]
            c = _cluster_or_fail(snap, code)
            if expect is not ANY and expect != c.name_vi:
                raise ConflictError(Msg(
                    f"Xung đột: cụm {code} đã được đổi tên thành “{c.name_vi}” (bạn dựa trên “{expect}”). Không ghi đè.",
                    f"Conflict: cluster {code} was renamed to “{c.name_vi}” (your edit was based on “{expect}”). "
                    f"Nothing overwritten."), f"cluster {code}", str(expect), c.name_vi, name)
            english = english_given or (name if c.name_en == c.name_vi else c.name_en)
            old = {"name_vi": c.name_vi, "name_en": c.name_en}
            new = {"name_vi": name, "name_en": english}
            if old == new:
                return Change(f"Cụm {code}", c.name_vi, name, snap.revision, (f"Cluster {code}", c.name_en, english))
            _unique_or_fail(snap, None, [name, english], skip=code)
            self._table(db, "clusters").update(new, Query().code == code)  # type: ignore[attr-defined]
            self._log(db, "rename_cluster", {"cluster": code}, old, new)  # type: ignore[attr-defined]
            rev = snap.revision + 1
        return Change(f"Cụm {code}", c.name_vi, name, rev, (f"Cluster {code}", c.name_en, english))

    # --- units ----------------------------------------------------------------------------

    @audited
    def assign_unit(self, unit: str, cluster: str, *, year: int, expect: object = ANY) -> Change:
        """Move ``unit`` into ``cluster`` from ``year`` on: a unit belongs to one cluster per year.

        The unit's periods from ``year`` on take the new cluster (a period starting in ``year`` is
        added when none does; its name stays). Assigning the cluster the unit is already in that
        year writes nothing. Refused: an unknown unit or cluster, a year the unit is not active,
        a year not open. ``expect`` is the cluster the unit was in that year.
        """
        with self._transaction() as db:  # type: ignore[attr-defined]
            snap: Snapshot = self._snap_in(db, records=False)  # type: ignore[attr-defined]
            u = self._unit_or_fail(snap, unit)  # type: ignore[attr-defined]
            c = _cluster_or_fail(snap, cluster)
            self._year_open_or_fail(snap, year)  # type: ignore[attr-defined]
            self._active_or_fail(u, year)  # type: ignore[attr-defined]
            was = u.cluster(year)
            old_c = snap.clusters.get(was)
            old_vi = old_c.name_vi if old_c else was
            old_en = old_c.name_en if old_c else was
            what_vi, what_en = f"{u.name(year)} · cụm từ {year}", f"{u.name(year)} · cluster from {year}"
            if expect is not ANY and expect != was:
                raise ConflictError(Msg(
                    f"Xung đột: {u.name(year)} năm {year} đã được chuyển sang cụm {was} (bạn dựa trên {expect}). "
                    f"Không ghi đè.",
                    f"Conflict: {u.name(year)} was moved to cluster {was} for {year} (your edit was based on "
                    f"{expect}). Nothing overwritten."), what_vi, str(expect), str(was), c.code)
            if was == c.code:
                return Change(what_vi, old_vi, c.name_vi, snap.revision, (what_en, old_en, c.name_en))
            old_periods = _periods_doc(u)
            periods = [dict(p) for p in old_periods]
            if not any(p["from"] == year for p in periods):
                periods.append({"from": int(year), "name": u.name(year), "cluster": was})
                periods.sort(key=lambda p: p["from"])
            for p in periods:
                if p["from"] >= year:
                    p["cluster"] = c.code
            merged: list[dict[str, Any]] = []  # a period saying what the one before says is no period
            for p in periods:
                if merged and (merged[-1]["name"], merged[-1]["cluster"]) == (p["name"], p["cluster"]):
                    continue
                merged.append(p)
            self._update_unit(db, u.code, {"periods": merged})  # type: ignore[attr-defined]
            self._log(db, "assign_unit", {"unit": u.code, "year": int(year)},  # type: ignore[attr-defined]
                      {"cluster": was, "periods": old_periods}, {"cluster": c.code, "periods": merged})
            rev = snap.revision + 1
        return Change(what_vi, old_vi, c.name_vi, rev, (what_en, old_en, c.name_en))

    def _in_cluster_or_fail(self, u: Unit, year: int, cluster: str | None, snap: Snapshot) -> None:
        """Refuse an edit for ``u`` in ``year`` when it is not in ``cluster`` (None: no check)."""
        why = not_in_cluster(snap, u, year, cluster)
        if why is not None:
            raise InvalidValue(why)

    def _batch_in_cluster_or_fail(self, snap: Snapshot, changes: list[tuple[Any, ...]], cluster: str | None) -> None:
        """Refuse a batch (``Store.apply_batch``) when one of its changes is for a unit that is
        not in ``cluster`` in the change's year (None: no check). Called inside the transaction,
        so a unit moved to another cluster after the import was planned is caught."""
        if cluster is None:
            return
        for kind, key, *rest in changes:
            if kind == "task":
                task = snap.task(key)
                unit, year = rest[0], task.year if task is not None else None
            elif kind == "commendation":
                year, fields = rest[0], rest[1]
                unit = (fields or {}).get("unit")
            else:  # value, target, score: (kind, unit, indicator or line, year, ...)
                unit, year = key, rest[1]
            u = snap.unit(unit) if unit else None
            if u is not None and year is not None and u.active(int(year)):
                self._in_cluster_or_fail(u, int(year), cluster, snap)

    # --- the current cluster --------------------------------------------------------------

    @audited
    def set_current_cluster(self, cluster: str, *, expect: object = ANY) -> Change:
        """Make ``cluster`` (a code, or a name with or without accents) the cluster every command and
        the dashboard show by default, for everyone sharing the store (audited as a setting).
        ``expect`` is the current cluster's code the edit was based on."""
        with self._transaction() as db:  # type: ignore[attr-defined]
            snap: Snapshot = self._snap_in(db, records=False)  # type: ignore[attr-defined]
            c = resolve_cluster(snap, cluster)
            now = snap.default_cluster()
            if expect is not ANY and expect != now:
                raise ConflictError(Msg(
                    f"Xung đột: cụm hiện hành đã được đổi thành {now} (bạn dựa trên {expect}). Không ghi đè.",
                    f"Conflict: the current cluster was changed to {now} (your edit was based on {expect}). "
                    f"Nothing overwritten."), "current_cluster", str(expect), now, c.code)
            old_c = snap.clusters[now]
            stored = snap.settings.current_cluster
            if now == c.code and (stored is None or stored == c.code):  # (a setting naming no cluster is mended)
                return Change("cụm hiện hành", old_c.name_vi, c.name_vi, snap.revision,
                              ("current cluster", old_c.name_en, c.name_en))
            meta, doc_id, settings = self._settings_doc(db)  # type: ignore[attr-defined]
            settings["current_cluster"] = c.code
            meta.update({"settings": settings}, doc_ids=[doc_id])
            self._log(db, "set_setting", {"setting": "current_cluster"}, stored, c.code)  # type: ignore[attr-defined]
            rev = snap.revision + 1
        old_vi, old_en = old_c.name_vi, old_c.name_en
        if stored is not None and stored not in snap.clusters:
            old_vi, old_en = f"{stored} (không có cụm này)", f"{stored} (no such cluster)"
        return Change("cụm hiện hành", old_vi, c.name_vi, rev, ("current cluster", old_en, c.name_en))


# --- undo -----------------------------------------------------------------------------------

def _conflict(entry: LogEntry, snap: Snapshot, now: str, then: str) -> ConflictError:
    from .undo import conflict
    return conflict(entry, snap, now, then)


def _undo_add_cluster(store: "Store", db: "TinyDB", snap: Snapshot, entry: LogEntry) -> None:
    code = str(entry.target["cluster"])
    clusters = store._table(db, "clusters")
    doc = clusters.get(Query().code == code)
    if doc is None:
        return  # already gone: nothing to revert
    in_use = [u.code for u in snap.units if any(p.cluster == code for p in u.periods)]
    if in_use or doc.get("targets") or snap.settings.current_cluster == code:
        why_vi = f"đã có đơn vị ({', '.join(in_use)})" if in_use else (
            "đã có kế hoạch cụm" if doc.get("targets") else "đang là cụm hiện hành")
        why_en = f"has units ({', '.join(in_use)})" if in_use else (
            "has cluster targets" if doc.get("targets") else "is the current cluster")
        raise InvalidValue(Msg(f"Cụm {code} {why_vi}; không hoàn tác việc thêm cụm được.",
                               f"Cluster {code} {why_en}; adding it cannot be undone."))
    clusters.remove(Query().code == code)


def _undo_rename_cluster(store: "Store", db: "TinyDB", snap: Snapshot, entry: LogEntry) -> None:
    code = str(entry.target["cluster"])
    c = snap.clusters.get(code)
    new, old = entry.new or {}, entry.old or {}
    now = {"name_vi": c.name_vi, "name_en": c.name_en} if c else None
    if now != new:
        raise _conflict(entry, snap, (now or {}).get("name_vi", "—"), str(new.get("name_vi")))
    store._table(db, "clusters").update({"name_vi": old["name_vi"], "name_en": old["name_en"]},
                                         Query().code == code)


def _undo_assign_unit(store: "Store", db: "TinyDB", snap: Snapshot, entry: LogEntry) -> None:
    code = str(entry.target["unit"])
    doc = store._unit_doc(db, code)
    new, old = entry.new or {}, entry.old or {}
    if doc is None or doc.get("periods") != new.get("periods"):
        u = snap.unit(code)
        year = int(entry.target.get("year", 0))
        now = u.cluster(year) if u is not None and year else "—"
        raise _conflict(entry, snap, str(now), str(new.get("cluster")))
    store._update_unit(db, code, {"periods": old["periods"]})


register("add_cluster", _undo_add_cluster)
register("rename_cluster", _undo_rename_cluster)
register("assign_unit", _undo_assign_unit)
