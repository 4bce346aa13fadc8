"""The shared store: the only module that touches TinyDB.

Several people edit one file over SSH at the same time, and a dropped link kills a session
instantly, so every read-modify-write holds an inter-process lock, every write is atomic (temp
file in the same folder, fsync, rename, fsync of the folder), and nothing is cached for writing:
an edit reported as saved is on disk. Reads need no lock: the file is only ever replaced whole.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterator

from tinydb import Query, TinyDB
from tinydb.table import Document, Table

from ..domain import indicators, text, validation
from ..domain.errors import (
    ConflictError, InvalidValue, StoreCorrupt, StoreLocked, StoreUnavailable, StoreWriteFailed,
)
from ..domain.fmt import format_value
from .undo import audited as _audited
from ..domain.models import (
    SETTING_KEYS, SETTING_LABELS, Msg, Number, Qualifier, Reading, Snapshot, Status, Target, Task, TaskState,
    TaskStatus, Unit,
)
from . import audit, backups, documents, recovery, schema, seed
from . import undo as _undo
from .changes import ANY, Change, LaterData, RetireChange, value_change
from .files import atomic_write, corrupt, current_user, dump_json_bytes, now_iso, os_error_msg, shared_file_mode
from .names import name_keys, name_spans
from .schema import check_store_bytes
from .storage import SafeJSONStorage, TxStorage
from .reorg import ReorgEdits
from .thidua import ThiduaEdits
from .clusters import ClusterEdits
from .commend_batch import CommendationBatch

DEFAULT_LOCK_TIMEOUT = 10.0



# --- the store ------------------------------------------------------------------------------

class Store(ThiduaEdits, ReorgEdits, ClusterEdits, CommendationBatch):
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

    @staticmethod
    def _expect_ok(current: Reading, expect: object) -> bool:
        if expect is ANY:
            return True
        if isinstance(expect, Reading):
            return current.same_as(expect)
        if expect is None or expect == Status.NOT_REPORTED:
            return not current.reported
        return current.reported and current.value == expect

    # edits

    @_audited
    def set_value(self, unit: str, indicator: str, year: int, value: Number | None, *,
                  qualifier: Qualifier = Qualifier.EXACT, reported: bool = True,
                  expect: object = ANY, cluster: str | None = None) -> Change:
        """Set a unit's figure. ``expect`` is the reading (or bare value) the edit was based on;
        given ``cluster``, a unit not in that cluster in ``year`` is refused."""
        ind = self._indicator_or_fail(indicator)
        status = Status.REPORTED if reported else Status.NOT_REPORTED
        if not reported:
            value, qualifier = None, Qualifier.EXACT
        problems = validation.validate_reading(indicator, value, qualifier, status)
        if problems:
            raise InvalidValue.from_problems(problems)
        with self._transaction() as db:
            snap = self._snap_in(db, unit=unit, year=year)
            u = self._unit_or_fail(snap, unit)
            self._year_open_or_fail(snap, year)
            self._active_or_fail(u, year)
            self._in_cluster_or_fail(u, year, cluster, snap)
            current = snap.reading(unit, indicator, year)
            new = Reading(value, qualifier, status, False, self.user, now_iso())
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
        self._year_open_or_fail(snap, year)
        self._active_or_fail(u, year)
        current = snap.reading(u.code, indicator, year)
        if not self._expect_ok(current, expect):
            self._conflict(f"{u.name(year)} · {indicators.BY_CODE[indicator].label('vi')} {year}",
                           indicator, expect, current, new)
        records, doc_id, doc = self._record(db, u.code, year)
        doc["values"] = {**doc.get("values", {}), indicator: documents.reading_doc(new)}
        self._save_record(records, doc_id, doc)
        target = {"unit": u.code, "indicator": indicator, "year": year, **({"via": via} if via else {})}
        self._log(db, "set_value", target, documents.reading_doc(current), documents.reading_doc(new))
        return current

    @_audited
    def set_target(self, unit: str, indicator: str, year: int, value: Number | None, *,
                   expect: object = ANY, cluster: str | None = None) -> Change:
        """Set (or with ``value=None`` remove) a unit's target. ``expect`` is the old target value;
        given ``cluster``, a unit not in that cluster in ``year`` is refused."""
        ind = self._indicator_or_fail(indicator)
        if value is not None:
            problems = validation.validate_target(indicator, value)
            if problems:
                raise InvalidValue.from_problems(problems)
        with self._transaction() as db:
            snap = self._snap_in(db, unit=unit, year=year)
            u = self._unit_or_fail(snap, unit)
            self._in_cluster_or_fail(u, year, cluster, snap)
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
            self._year_open_or_fail(snap, year)
            self._active_or_fail(u, year)
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
        records, doc_id, doc = self._record(db, u.code, year)
        targets = dict(doc.get("targets", {}))
        if value is None:
            targets.pop(indicator, None)
        else:
            targets[indicator] = {"v": value, "by": self.user, "at": now_iso()}
        doc["targets"] = targets
        self._save_record(records, doc_id, doc)
        target = {"unit": u.code, "indicator": indicator, "year": year, **({"via": via} if via else {})}
        self._log(db, "set_target", target, cur_value, value)
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

    @_audited
    def set_task_status(self, task_id: int, unit: str, state: TaskState, *, note: str | None = None,
                        expect: object = ANY, expect_note: object = ANY) -> Change:
        """Set one unit's state on a task.

        ``expect`` is the state the edit was based on (or a TaskStatus, whose note must match too)
        and ``expect_note`` the note it was based on; either differing is a conflict naming both
        values, checked under the lock. A task of a year the unit is not in (retired, or not yet in
        the cluster) is refused.
        """
        with self._transaction() as db:
            snap = self._snap_in(db, records=False)
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
        u = self._unit_or_fail(snap, unit)
        self._year_open_or_fail(snap, task.year)
        self._active_or_fail(u, task.year, figures=False)
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
        tasks = self._table(db, "tasks")
        doc = dict(tasks.get(doc_id=task_id))
        new_note = cur.note if note is None else text.sanitize_multiline(note)
        doc["statuses"] = {**doc.get("statuses", {}), unit: {
            "state": state.value, "note": new_note, "by": self.user, "at": now_iso()}}
        tasks.update(doc, doc_ids=[task_id])
        self._log(db, "set_task_status", {"task": task_id, "unit": unit, **({"via": via} if via else {})},
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

    def apply_batch(self, changes: list[tuple[Any, ...]], *, via: str = "import") -> int:
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
        like a single edit, with ``via`` in its log target.
        """
        with self._transaction() as db:
            snap = self._snap_in(db)
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

    @staticmethod
    def _task_or_fail(snap: Snapshot, task_id: int) -> Task:
        task = snap.task(task_id)
        if task is None:
            raise InvalidValue(Msg(f"Không có nhiệm vụ số {task_id}. Xem: ccb-tui task list",
                                   f"There is no task {task_id}. See: ccb-tui task list"))
        return task

    @_audited
    def add_task(self, year: int, title: str, note: str = "") -> tuple[int, Change]:
        """Add a task to the year's checklist; returns its id."""
        title = text.sanitize(title)
        if not title:
            raise InvalidValue(Msg("Tên nhiệm vụ không được để trống.", "A task needs a title."))
        with self._transaction() as db:
            snap = self._snap_in(db, records=False)
            self._year_open_or_fail(snap, year)
            doc = {"year": int(year), "title": title, "note": text.sanitize_multiline(note), "statuses": {},
                   "by": self.user, "at": now_iso()}
            task_id = self._table(db, "tasks").insert(doc)
            self._log(db, "add_task", {"task": task_id}, None, {"year": year, "title": title})
            rev = snap.revision + 1
        return task_id, Change(f"Nhiệm vụ {task_id}", "—", title, rev)

    @_audited
    def edit_task(self, task_id: int, *, title: str | None = None, note: str | None = None,
                  expect_title: object = ANY, expect_note: object = ANY) -> Change:
        """Change a task's title or note.

        ``expect_title`` and ``expect_note`` are what the edit was based on: when the stored
        title or note differs (checked under the lock), the edit is a conflict naming both values.
        """
        with self._transaction() as db:
            snap = self._snap_in(db, records=False)
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
            self._table(db, "tasks").update(upd, doc_ids=[task_id])
            self._log(db, "edit_task", {"task": task_id}, {"title": task.title, "note": task.note}, upd)
            rev = snap.revision + 1
        return Change(f"Nhiệm vụ {task_id}", task.title, upd.get("title", task.title), rev)

    @_audited
    def remove_task(self, task_id: int, *, expect: Task | object = ANY) -> Change:
        """Remove a task from the checklist.

        ``expect`` is the task as the user saw it: when its title, note or any unit's state or
        note has changed since (checked under the lock), nothing is removed and the conflict
        names what changed.
        """
        with self._transaction() as db:
            snap = self._snap_in(db, records=False)
            task = self._task_or_fail(snap, task_id)
            if isinstance(expect, Task):
                self._task_unchanged_or_fail(snap, task, expect)
            tasks = self._table(db, "tasks")
            doc = dict(tasks.get(doc_id=task_id))
            tasks.remove(doc_ids=[task_id])
            self._log(db, "remove_task", {"task": task_id}, doc, None)
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

    @_audited
    def add_unit(self, code: str, name: str, *, year: int, kind: str = "xa", cluster: str | None = None) -> Change:
        """Add a unit to a cluster from ``year`` on."""
        code = text.fold(code).replace(" ", "_")
        name = text.sanitize(name)
        if not code or not code.replace("_", "").isalnum():
            raise InvalidValue(Msg("Mã đơn vị chỉ gồm chữ không dấu, số và dấu gạch dưới, ví dụ: ea_kiet.",
                                   "A unit code holds only unaccented letters, digits and _, e.g. ea_kiet."))
        if not name:
            raise InvalidValue(Msg("Tên đơn vị không được để trống.", "A unit needs a name."))
        with self._transaction() as db:
            snap = self._snap_in(db, records=False)
            if snap.unit(code) is not None:
                raise InvalidValue(Msg(f"Đã có đơn vị mã '{code}'.", f"A unit with code '{code}' exists."))
            self._year_open_or_fail(snap, year)
            cluster = cluster or snap.default_cluster()
            if cluster not in snap.clusters:
                raise InvalidValue(Msg(f"Không có cụm '{cluster}'.", f"There is no cluster '{cluster}'."))
            self._unique_name_or_fail(snap, code, [(name, int(year), None)])
            self._table(db, "units").insert({"code": code, "kind": kind, "retired_from": None,
                                             "periods": [{"from": int(year), "name": name, "cluster": cluster}]})
            self._log(db, "add_unit", {"unit": code}, None, {"name": name, "year": year})
            rev = snap.revision + 1
        return Change(f"Đơn vị {code}", "—", name, rev)

    @_audited
    def rename_unit(self, code: str, name: str, *, year: int | None = None, expect: object = ANY) -> Change:
        """Rename a unit from ``year`` on (None: its current name is corrected in place)."""
        name = text.sanitize(name)
        if not name:
            raise InvalidValue(Msg("Tên đơn vị không được để trống.", "A unit needs a name."))
        with self._transaction() as db:
            snap = self._snap_in(db, records=False)
            u = self._unit_or_fail(snap, code)
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
            units = self._table(db, "units")
            units.update({"periods": periods}, Query().code == code)
            old_periods = [{"from": p.from_year, "name": p.name, "cluster": p.cluster} for p in u.periods]
            self._log(db, "rename_unit", {"unit": code, "year": year},
                      {"name": old, "periods": old_periods}, {"name": name, "periods": periods})
            rev = snap.revision + 1
        return Change(f"Đơn vị {code}", old, name, rev)

    @_audited
    def retire_unit(self, code: str, *, year: int, expect: object = ANY, drop_later: bool = False) -> "RetireChange":
        """Mark a unit as no longer existing from ``year`` on (its history stays).

        ``expect`` is the retirement year the edit was based on (None: not retired). The unit's
        figures and targets of ``year`` and later, which ``check`` would then flag, come back in
        ``later``; with ``drop_later`` they are removed in the same transaction, each audited.
        """
        with self._transaction() as db:
            snap = self._snap_in(db, unit=code)
            u = self._unit_or_fail(snap, code)
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
                self._table(db, "units").update({"retired_from": int(year)}, Query().code == code)
                self._log(db, "retire_unit", {"unit": code}, u.retired_from, year)
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
        records = self._table(db, "records")
        for item in later:
            _records, doc_id, doc = self._record(db, u.code, item.year)
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
                self._log(db, "set_value", target, old, None)
            else:
                self._log(db, "set_target", target, (old or {}).get("v"), None)

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

    # --- the cluster's own plan, settings and years ------------------------------------------

    @_audited
    def set_cluster_target(self, cluster: str, indicator: str, year: int, value: Number | None, *,
                           expect: object = ANY) -> Change:
        """Set (``None``: remove) the cluster's own target (kế hoạch trên giao cho cả cụm).

        When set, the cluster's progress compares the cluster total with it, rather than with the
        units' own targets. ``expect`` is the old target value.
        """
        ind = self._indicator_or_fail(indicator)
        if value is not None:
            problems = validation.validate_target(indicator, value)
            if problems:
                raise InvalidValue.from_problems(problems)
        with self._transaction() as db:
            snap = self._snap_in(db, records=False)
            if cluster not in snap.clusters:
                known = ", ".join(snap.clusters)
                raise InvalidValue(Msg(f"Không có cụm '{cluster}'. Các cụm: {known}",
                                       f"There is no cluster '{cluster}'. Clusters: {known}"))
            if value is not None:
                self._year_open_or_fail(snap, year)
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
            self._log(db, "set_cluster_target", {"cluster": cluster, "indicator": indicator, "year": year},
                      cur_value, value)
            rev = snap.revision + 1
        return value_change(what_vi, what_en, indicator, current,
                             Target(value) if value is not None else None, rev)

    def _write_cluster_target(self, db: TinyDB, cluster: str, indicator: str, year: int,
                              value: Number | None) -> None:
        clusters = self._table(db, "clusters")
        doc = clusters.get(Query().code == cluster)
        targets = {y: dict(t) for y, t in (doc.get("targets") or {}).items()}
        by_ind = targets.setdefault(str(year), {})
        if value is None:
            by_ind.pop(indicator, None)
            if not by_ind:
                targets.pop(str(year))
        else:
            by_ind[indicator] = documents.target_doc(value, self.user, now_iso())
        clusters.update({"targets": targets}, Query().code == cluster)

    def _settings_doc(self, db: TinyDB) -> tuple[Table, int, dict[str, Any]]:
        meta = self._table(db, "meta")
        doc = meta.all()[0]
        return meta, doc.doc_id, dict(doc.get("settings") or {})

    @_audited
    def set_setting(self, key: str, value: Any, *, expect: object = ANY) -> Change:
        """Change one store-wide setting (see :class:`~.models.Settings`), audited.

        ``current_year`` must be a year the store has or has opened; ``timezone`` an IANA name
        (``Asia/Ho_Chi_Minh``); the text settings are one line of at most 200 characters.
        """
        if key not in SETTING_KEYS:
            raise InvalidValue(Msg(f"Không có thiết lập '{key}'. Các thiết lập: {', '.join(SETTING_KEYS)}",
                                   f"There is no setting '{key}'. Settings: {', '.join(SETTING_KEYS)}"))
        if key == "current_cluster":  # a cluster by code or name, checked in its own transaction
            return self.set_current_cluster(str(value), expect=expect)
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
        with self._transaction() as db:
            snap = self._snap_in(db, records=False)
            if key == "current_year":
                if not isinstance(value, int) or value not in self._snap_in(db).years():
                    raise InvalidValue(Msg(
                        f"Năm {value} chưa có trong dữ liệu. Mở năm mới bằng: ccb-tui year open {value}",
                        f"{value} is not in the store yet. Open a new year with: ccb-tui year open {value}"))
            meta, doc_id, settings = self._settings_doc(db)
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
            self._log(db, "set_setting", {"setting": key}, old, value)
            rev = snap.revision + 1
        shown_new = str(value) if value != "" else "—"
        return Change(label_vi, shown_old, shown_new, rev, (label_en, shown_old, shown_new))

    @_audited
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
        with self._transaction() as db:
            snap = self._snap_in(db, records=False)
            first = min((u.periods[0].from_year for u in snap.units), default=year)
            if year < first:
                raise InvalidValue(Msg(f"Năm {year} trước khi cụm có đơn vị (từ {first}).",
                                       f"{year} is before the cluster has units (from {first})."))
            meta, doc_id, settings = self._settings_doc(db)
            old = {"current_year": snap.settings.current_year, "open_years": list(snap.settings.open_years)}
            opened = sorted({*snap.settings.open_years, year})
            new = {"current_year": year, "open_years": opened}
            units = snap.units_in(year)
            if old != new:
                settings.update(new)
                meta.update({"settings": settings}, doc_ids=[doc_id])
                self._log(db, "open_year", {"year": year}, old, new)
            carried = self._carry_forward(db, snap, carry_from, year) if carry_from is not None else {}
            if old == new and not (carried.get("template") or carried.get("tasks")):
                return Change("năm hiện hành", str(year), str(year), snap.revision), units
            rev = snap.revision + 1
        return Change("năm hiện hành", str(old["current_year"] or "—"), str(year), rev,
                      ("current year", str(old["current_year"] or "—"), str(year))), units

    def log_entries(self) -> list[audit.LogEntry]:
        """The audit log, oldest first."""
        return [documents.log_entry(k, v) for k, v in documents.sorted_docs(self._read_raw(), "log")]

    # --- undo -------------------------------------------------------------------------------

    def undo_last(self) -> Change:
        """Revert this user's last change that is not yet undone (repeat to walk further back).

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
            self._table(db, "log").insert({"at": now_iso(), "user": self.user, "action": "undo",
                                           "target": {**entry.target, "action": entry.action},
                                           "old": entry.new, "new": entry.old, "undoes": entry.id})
            rev = snap.revision + 1
        what = audit.describe(entry, snap, "vi")
        return Change(f"Hoàn tác: {what}", "", "", rev)

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


