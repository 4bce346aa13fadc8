"""The shared store: the only module that touches TinyDB.

Several people edit one file over SSH at the same time, and a dropped link kills a session
instantly, so every read-modify-write holds an inter-process lock, every write is atomic (temp
file in the same folder, fsync, rename, fsync of the folder), and nothing is cached for writing:
an edit reported as saved is on disk. Reads need no lock: the file is only ever replaced whole.

This module is the store's core: opening, locking, reading and caching snapshots, the
transaction, the audit log, the helpers and checks the edits share, ``apply_batch``, and the
undo and backup entry points. The edits themselves are mixins of :class:`Store`, one module a
theme: ``figures`` (figures and targets), ``tasks`` (the checklist), ``units`` (add, rename,
retire), ``settings`` (settings and years), ``thidua``, ``reorg`` (merge and split) and
``clusters``.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from tinydb import Query, TinyDB
from tinydb.table import Document, Table

from ..domain import indicators, text, validation
from ..domain.errors import InvalidValue, StoreCorrupt, StoreLocked, StoreUnavailable, StoreWriteFailed
from ..domain.models import Msg, Reading, Snapshot, Unit
from . import audit, backups, documents, recovery, schema, seed
from . import undo as _undo
from .changes import ANY, Change  # noqa: F401 - ANY is part of the package's API (see __init__)
from .files import atomic_write, corrupt, current_user, dump_json_bytes, now_iso, os_error_msg, shared_file_mode
from .schema import check_store_bytes
from .storage import SafeJSONStorage, TxStorage
from .reorg import ReorgEdits
from .thidua import ThiduaEdits
from .clusters import ClusterEdits
from .figures import FigureEdits
from .tasks import TaskEdits
from .units import UnitEdits
from .settings import SettingEdits
from .commend_batch import CommendationBatch

DEFAULT_LOCK_TIMEOUT = 10.0



# --- the store ------------------------------------------------------------------------------

class Store(FigureEdits, TaskEdits, UnitEdits, SettingEdits, ThiduaEdits, ReorgEdits, ClusterEdits,
            CommendationBatch):
    """The cluster's data in one JSON file that several processes share safely.

    ``snapshot()`` gives the current state as frozen models; each edit method runs one locked
    read-modify-write transaction, checks the value it was based on (``expect``) and validates
    the result, then writes atomically and bumps the revision.
    """

    def __init__(self, path: str | os.PathLike[str], *, user: str | None = None,
                 lock_timeout: float = DEFAULT_LOCK_TIMEOUT, create: bool = True,
                 cleanup: bool = True) -> None:
        self.path = Path(path).expanduser()
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.user = text.sanitize(user) if user else current_user()
        self.lock_timeout = lock_timeout
        self.created = False
        self._sig: tuple[int, ...] | None = None
        self._snapshot: Snapshot | None = None
        self._tx_cache: tuple[bytes, dict[str, Any]] | None = None
        self._entry_ids: list[int] = []  # log entries written by the current edit (see undo.audited)
        if not self.path.exists():
            if not create:
                raise StoreCorrupt(Msg(f"Không có tệp dữ liệu {self.path}.",
                                       f"There is no data file at {self.path}."), self.path)
            self._create_from_seed()
        elif cleanup:
            self.cleanup_temp_files()

    # locking and transactions

    @contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreWriteFailed(os_error_msg(exc, self.path.parent, "tạo thư mục", "create the folder"),
                                   self.path) from exc
        import filelock  # only writers need it: reading dashboards start faster without it
        lock = filelock.FileLock(self.lock_path, timeout=self.lock_timeout, mode=shared_file_mode(),
                                 thread_local=False)
        try:
            lock.acquire()
        except filelock.Timeout as exc:
            raise StoreLocked(Msg(
                f"Tệp dữ liệu {self.path} đang bị một phiên khác khóa quá {self.lock_timeout:g} giây. "
                f"Thử lại sau giây lát.",
                f"The data file {self.path} has been locked by another session for over "
                f"{self.lock_timeout:g} s. Try again in a moment."), self.path) from exc
        except OSError as exc:
            raise StoreWriteFailed(os_error_msg(exc, self.lock_path, "khóa", "lock"), self.path) from exc
        try:
            yield
        finally:
            lock.release()

    def _create_from_seed(self) -> None:
        with self._locked():
            if self.path.exists():  # someone else created it while we waited for the lock
                return
            try:
                data = seed.load_seed()
            except (OSError, ValueError) as exc:
                raise StoreUnavailable(Msg(
                    f"Không tạo được tệp dữ liệu {self.path}: không đọc được dữ liệu mẫu đi kèm ({exc}). "
                    f"Hãy cài lại ccb-tui, hoặc dùng --db trỏ tới một tệp dữ liệu đã có.",
                    f"Could not create {self.path}: the bundled seed data cannot be read ({exc}). "
                    f"Reinstall ccb-tui, or point --db at an existing store."), self.path) from exc
            atomic_write(self.path, dump_json_bytes(data), shared_file_mode())
            self.created = True

    def _stat_sig(self) -> tuple[int, ...] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_dev, st.st_mtime_ns, st.st_ctime_ns, st.st_size)

    def _read_bytes(self) -> bytes:
        """The file's bytes; a missing or unreadable file is StoreCorrupt naming it."""
        try:
            return self.path.read_bytes()
        except FileNotFoundError as exc:
            raise StoreCorrupt(Msg(f"Không có tệp dữ liệu {self.path}.",
                                   f"There is no data file at {self.path}."), self.path) from exc
        except OSError as exc:
            raise StoreCorrupt(os_error_msg(exc, self.path, "đọc", "read"), self.path) from exc

    def _check(self, raw: bytes) -> dict[str, Any]:
        """``check_store_bytes`` with the newest good backup named in any error."""
        try:
            return check_store_bytes(raw, self.path)
        except StoreCorrupt as exc:
            raise self._with_backup_hint(exc) from exc.__cause__

    def _read_raw(self) -> dict[str, Any]:
        """Read and check the file: a ccb-tui store of a schema this version knows."""
        return self._check(self._read_bytes())

    def _with_backup_hint(self, exc: StoreCorrupt) -> StoreCorrupt:
        """Name the newest good backup, and how to restore it, in a damaged-file error."""
        good = self.newest_good_backup()
        if good is None:
            return exc
        return StoreCorrupt(Msg(
            f"{exc.msg.vi} Bản sao lưu tốt gần nhất: {good.name} ({good.label()}); "
            f"khôi phục bằng: ccb-tui restore (tệp hỏng sẽ được giữ lại bên cạnh).",
            f"{exc.msg.en} Newest good backup: {good.name} ({good.label()}); "
            f"restore it with: ccb-tui restore (the damaged file is kept aside)."), self.path)

    def _build(self, data: dict[str, Any]) -> Snapshot:
        """Domain objects from the raw file; a malformed record becomes StoreCorrupt naming the file."""
        try:
            return documents.build_snapshot(data)
        except documents.Malformed as exc:  # names the record and field
            raise corrupt(self.path, f"có bản ghi sai dạng: {exc.msg.vi}", f"has a malformed record: {exc.msg.en}") from exc
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, ArithmeticError,
                RecursionError) as exc:  # a shape build_snapshot does not foresee: still exit 5
            detail = text.sanitize(f"{type(exc).__name__}: {exc}")[:200]
            raise corrupt(self.path, f"có bản ghi sai dạng ({detail})",
                           f"has a malformed record ({detail})") from exc

    def _build_or_hint(self, data: dict[str, Any]) -> Snapshot:
        """``_build``, naming the newest good backup in any error (as for a damaged file)."""
        try:
            return self._build(data)
        except StoreCorrupt as exc:
            raise self._with_backup_hint(exc) from exc.__cause__

    def _load(self) -> Snapshot:
        sig = self._stat_sig()
        data = self._read_raw()
        snap = self._build_or_hint(data)
        self._sig, self._snapshot = sig, snap
        return snap

    def snapshot(self) -> Snapshot:
        """The current state; re-read only when the file changed since the last read."""
        if self._snapshot is not None and self._stat_sig() == self._sig:
            return self._snapshot
        return self._load()

    def changed(self) -> bool:
        """Cheap check (one stat) whether the file changed since this store last read it."""
        return self._snapshot is None or self._stat_sig() != self._sig

    def revision(self) -> int:
        """The store's revision counter, bumped by every write."""
        return self.snapshot().revision

    def _read_for_edit(self) -> dict[str, Any]:
        """The file's documents for a transaction (under the lock).

        When the bytes on disk are exactly those this store last wrote or read, the parsed
        documents kept from then are reused; otherwise the file is parsed and fully checked (a
        malformed record anywhere refuses the edit), and the check's snapshot is kept for readers.
        """
        sig = self._stat_sig()
        raw = self._read_bytes()
        if self._tx_cache is not None and self._tx_cache[0] == raw:
            return self._tx_cache[1]
        self._tx_cache = None
        data = self._check(raw)
        snap = self._build_or_hint(data)
        self._sig, self._snapshot = sig, snap
        self._tx_cache = (raw, data)
        return data

    @contextmanager
    def _transaction(self) -> Iterator[TinyDB]:
        """One locked read-modify-write: read once, let TinyDB work in memory, write once."""
        with self._locked():
            data = self._read_for_edit()
            storage = TxStorage(data)
            db = TinyDB(storage=lambda: storage)
            try:
                yield db
            except BaseException:
                self._tx_cache = None  # the documents may have been changed in memory: re-read next time
                raise
            if storage.dirty:
                out = storage.data
                meta_table = out.setdefault("meta", {})
                key = next(iter(meta_table)) if meta_table else "1"
                meta = dict(meta_table.get(key, {}))
                meta["revision"] = int(meta.get("revision", 0)) + 1
                meta["schema"] = schema.SCHEMA_VERSION
                meta_table[key] = meta
                self._tx_cache = None
                # The previous version becomes a backup only for a write that goes through: it is
                # linked once the new temp file is complete and synced, unlinked again if the rename
                # fails, and old backups are pruned only after the rename (see backups.link_previous
                # for why this order is safe against a crash at any moment).
                payload = SafeJSONStorage(self.path).write(
                    out, before_replace=lambda: self._keep_previous(meta["revision"] - 1))
                backups.prune(self.path)
                self._tx_cache = (payload, out)
                self._sig = None
                self._snapshot = None

    def _keep_previous(self, revision: int) -> Callable[[], None] | None:
        """Link the version about to be replaced into the backups; a failure refuses the write."""
        try:
            return backups.link_previous(self.path, revision)
        except OSError as exc:  # disk full, read-only folder: refuse before touching the store
            raise StoreWriteFailed(os_error_msg(exc, backups.backup_dir(self.path),
                                                "sao lưu vào", "back up into"), self.path) from exc

    @staticmethod
    def _table(db: TinyDB, name: str) -> Table:
        return db.table(name, cache_size=0)

    def _log(self, db: TinyDB, action: str, target: dict[str, Any], old: Any, new: Any) -> None:
        self._entry_ids.append(self._table(db, "log").insert({
            "at": now_iso(), "user": self.user, "action": action, "target": target, "old": old, "new": new}))

    def _committed_revision(self) -> int:
        return self.snapshot().revision

    # reading helpers inside a transaction

    def _snap_in(self, db: TinyDB, *, unit: str | None = None, year: int | None = None,
                 records: bool = True) -> Snapshot:
        # The whole file was checked when it was read (_read_for_edit); an edit needs only its
        # own part. Through _build all the same, so a surprise becomes StoreCorrupt, not a KeyError.
        data = db.storage.read()  # type: ignore[attr-defined]
        try:
            return documents.build_snapshot(data, unit=unit, year=year, records=records)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            return self._build(data)

    def _record(self, db: TinyDB, unit: str, year: int) -> tuple[Table, int | None, dict[str, Any]]:
        records = self._table(db, "records")
        q = Query()
        found = records.get((q.unit == unit) & (q.year == year))
        if found is None:
            return records, None, {"unit": unit, "year": year, "values": {}, "targets": {}}
        return records, found.doc_id, dict(found)

    def _unit_doc(self, db: TinyDB, code: str) -> dict[str, Any] | None:
        """A unit's document, by code."""
        doc = self._table(db, "units").get(Query().code == code)
        return dict(doc) if doc is not None else None

    def _update_unit(self, db: TinyDB, code: str, fields: dict[str, Any]) -> None:
        self._table(db, "units").update(fields, Query().code == code)

    def _remove_unit(self, db: TinyDB, code: str) -> None:
        self._table(db, "units").remove(Query().code == code)

    def _insert_with_id(self, db: TinyDB, table: str, doc: dict[str, Any], doc_id: int) -> None:
        """Put a document back under its old id (undoing a removal)."""
        self._table(db, table).insert(Document(doc, doc_id=doc_id))

    @staticmethod
    def _save_record(records: Table, doc_id: int | None, doc: dict[str, Any]) -> None:
        if doc_id is None:
            records.insert(doc)
        else:
            records.update(doc, doc_ids=[doc_id])

    def _unit_or_fail(self, snap: Snapshot, unit: str) -> Unit:
        u = snap.unit(unit)
        if u is None:
            raise InvalidValue(Msg(f"Không có đơn vị mã '{unit}'. Xem: ccb-tui unit list",
                                   f"There is no unit with code '{unit}'. See: ccb-tui unit list"))
        return u

    @staticmethod
    def _active_or_fail(u: Unit, year: int, *, figures: bool = True) -> None:
        # validate_snapshot (and so `ccb-tui check`) flags a figure or target for a year the unit
        # did not exist; the store must not accept what the check then rejects (`--year 1990`).
        # A task state of such a year is refused too: no screen would ever show it.
        if u.active(year):
            return
        first = u.periods[0].from_year
        what_vi, what_en = ("số liệu", "figures") if figures else ("trạng thái nhiệm vụ", "task states")
        if year < first:
            raise InvalidValue(Msg(f"{u.name(first)} chỉ có trong cụm từ năm {first}, không nhập {what_vi} "
                                   f"cho năm {year} được.",
                                   f"{u.name(first)} is in the cluster only from {first}; "
                                   f"there can be no {what_en} for {year}."))
        raise InvalidValue(Msg(f"{u.name(year)} đã ngừng hoạt động từ năm {u.retired_from}, không nhập {what_vi} "
                               f"cho năm {year} được.",
                               f"{u.name(year)} was retired from {u.retired_from}; "
                               f"there can be no {what_en} for {year}."))

    @staticmethod
    def _year_open_or_fail(snap: Snapshot, year: int) -> None:
        """Refuse a write to a year beyond the current year + 1 that was never opened."""
        limit = snap.writable_until()
        if limit is None or year <= limit:
            return
        cur = snap.current_year()
        raise InvalidValue(Msg(
            f"Năm {year} chưa mở: năm hiện hành là {cur}, chỉ ghi được đến năm {limit}. "
            f"Nếu đúng là năm {year}, mở năm đó bằng: ccb-tui year open {year}",
            f"Year {year} is not open: the current year is {cur}, so writes go up to {limit}. "
            f"If {year} is right, open it with: ccb-tui year open {year}"))

    @staticmethod
    def _indicator_or_fail(code: str) -> indicators.Indicator:
        ind = indicators.BY_CODE.get(code)
        if ind is None:
            raise InvalidValue(Msg(f"Không có chỉ tiêu '{code}'.", f"There is no indicator '{code}'."))
        return ind

    def apply_batch(self, changes: list[tuple[Any, ...]], *, via: str = "import", cluster: str | None = None) -> int:
        """Apply many edits in ONE locked transaction, all or nothing; returns the new revision.

        Each change is a tuple, ``expect`` being what the edit was based on (as for the single
        edits; ``ANY`` makes it unconditional):
        ``("value", unit, indicator, year, Reading, expect)``,
        ``("target", unit, indicator, year, value or None to remove, expect)`` and
        ``("task", task_id, unit, TaskState, note or None to keep, expect)`` (expect a TaskStatus
        or a TaskState), ``("score", unit, line, year, stage, points, note, evidence, expect)`` and
        ``("commendation", id or None to add, year, fields, expect)`` (fields: unit, person, form,
        level, reason, status; expect the Commendation, or None for a new one). Every change is checked and validated, with the cross-field rules over the
        result, before anything is written: a conflict raises ConflictError, bad values raise
        InvalidValue listing every problem, and the file is then untouched. Each change is audited
        like a single edit, with ``via`` in its log target. Given ``cluster``, a change for a unit
        not in that cluster in its year refuses the whole batch.
        """
        with self._transaction() as db:
            snap = self._snap_in(db)
            self._batch_in_cluster_or_fail(snap, changes, cluster)
            problems: list[Any] = []
            touched: dict[tuple[str, int], dict[str, Reading]] = {}
            for kind, key, *rest in changes:
                if kind == "task":
                    unit, state, note, expect = rest
                    self._write_task_status(db, snap, key, unit, state, note, expect, via)
                    continue
                if kind == "score":
                    line, year, stage, pts, note, evidence, expect = rest
                    self._write_score(db, snap, key, line, year, stage, pts, note or "", evidence or "",
                                      expect, via)
                    continue
                if kind == "commendation":
                    year, fields, expect = rest
                    self._write_commendation(db, snap, key, year, fields, expect, via)
                    continue
                indicator, year, value, expect = rest
                self._indicator_or_fail(indicator)
                u = self._unit_or_fail(snap, key)
                field = f"{key}/{indicator}/{year}"
                if kind == "value":
                    problems += validation.validate_reading(indicator, value.value, value.qualifier, value.status,
                                                            field=field)
                    new = Reading(value.value, value.qualifier, value.status, False, self.user, now_iso())
                    touched.setdefault((key, year), {c: snap.reading(key, c, year) for c in indicators.BY_CODE})
                    touched[(key, year)][indicator] = new
                    self._write_value(db, snap, u, indicator, year, new, expect, via)
                elif kind == "target":
                    if value is not None:
                        problems += validation.validate_target(indicator, value, field=field)
                    self._write_target(db, snap, u, indicator, year, value, expect, via)
                else:
                    raise ValueError(f"unknown change kind {kind!r}")
            for (unit, year), readings in touched.items():
                problems += validation.validate_unit_year(readings, unit, year)
            if problems:
                raise InvalidValue.from_problems(problems)
            rev = snap.revision + (1 if changes else 0)
        return rev

    def _settings_doc(self, db: TinyDB) -> tuple[Table, int, dict[str, Any]]:
        meta = self._table(db, "meta")
        doc = meta.all()[0]
        return meta, doc.doc_id, dict(doc.get("settings") or {})

    def log_entries(self) -> list[audit.LogEntry]:
        """The audit log, oldest first."""
        return [documents.log_entry(k, v) for k, v in documents.sorted_docs(self._read_raw(), "log")]

    # --- undo -------------------------------------------------------------------------------

    def undo_last(self) -> Change:
        """Revert this user's last change that is not yet undone (repeat to walk further back).

        The change returned describes the reversal ("62 → chưa báo cáo"), as the log does.
        Refused with a conflict when someone changed that value since.
        """
        with self._transaction() as db:
            snap = self._snap_in(db)
            entries = [documents.log_entry(e.doc_id, e) for e in self._table(db, "log").all()]
            undone = {e.undoes for e in entries if e.undoes is not None}
            mine = [e for e in entries if e.user == self.user and e.action not in ("undo", "restore")
                    and e.id not in undone]
            if not mine:
                raise InvalidValue(Msg(f"Không có thay đổi nào của {self.user} để hoàn tác.",
                                       f"There is no change by {self.user} to undo."))
            entry = max(mine, key=lambda e: e.id)
            _undo.revert(self, db, snap, entry)
            undo_id = self._table(db, "log").insert({"at": now_iso(), "user": self.user, "action": "undo",
                                                     "target": {**entry.target, "action": entry.action},
                                                     "old": entry.new, "new": entry.old, "undoes": entry.id})
            rev = snap.revision + 1
        return _undo.reversal(entry, snap, rev, undo_id)

    def undo(self, entry_id: int) -> Change:
        """Revert exactly the audited change ``entry_id`` (``Change.entry_id``) in one transaction.

        Refused with a ConflictError when someone changed that value since; see ``undo.undo_entry``.
        """
        return _undo.undo_entry(self, entry_id)

    # --- backups (implemented in core.recovery) -------------------------------------------

    def backups(self) -> list[backups.Backup]:
        """The store's backups, newest first."""
        return backups.list_backups(self.path)

    def newest_good_backup(self) -> backups.Backup | None:
        """The newest backup that is a readable store."""
        return recovery.newest_good_backup(self)

    def backup(self) -> backups.Backup:
        """Take a manual backup of the current state (kept until removed by hand)."""
        return recovery.backup(self)

    def restore(self, version: str | None = None) -> tuple[backups.Backup, Change]:
        """Put a backup back (the newest good one by default); see ``recovery.restore``."""
        return recovery.restore(self, version)

    def cleanup_temp_files(self) -> int:
        """Remove temp files left by a writer killed mid-write; returns how many."""
        return recovery.cleanup_temp_files(self)


