"""Backups, restore and clean-up for the store: kept beside ``core.store``, which delegates here.

No TinyDB here: these work on the file's bytes, under the store's lock.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from . import backups, documents
from ..domain import text
from ..domain.errors import InvalidValue, StoreCorrupt
from .files import atomic_write, dump_json_bytes, now_iso, shared_file_mode
from ..domain.models import Msg
from .changes import Change
from .schema import check_store_bytes

if TYPE_CHECKING:
    from .store import Store


def _backup_is_good(store: "Store", b: backups.Backup) -> bool:
    try:
        store._build(check_store_bytes(b.path.read_bytes(), b.path))
    except (StoreCorrupt, OSError):
        return False
    return True


def newest_good_backup(store: "Store") -> backups.Backup | None:
    """The newest backup that is a readable store."""
    return backups.newest_good(store.path, lambda b: _backup_is_good(store, b))


def backup(store: "Store") -> backups.Backup:
    """Take a manual backup of the current state (kept until removed by hand)."""
    with store._locked():
        raw = store.path.read_bytes()
        data = check_store_bytes(raw, store.path)
        return backups.make_backup(store.path, raw, int(documents.meta_doc(data).get("revision", 0)))


def restore(store: "Store", version: str | None = None) -> tuple[backups.Backup, Change]:
    """Put a backup back (the newest good one by default).

    The current file is kept first: as a "before-restore" backup when it is readable, or moved
    aside as ``<name>.damaged-<time>`` when it is not (it is never overwritten). The restored
    state equals the backup's; the audit log keeps every entry and records the restore, and
    the revision moves forward so open dashboards notice.
    """
    with store._locked():
        if version is None:
            chosen = store.newest_good_backup()
            if chosen is None:
                raise InvalidValue(Msg(f"Không có bản sao lưu tốt nào cho {store.path}.",
                                       f"There is no good backup of {store.path}."))
        else:
            chosen = backups.find(store.path, version)
            if chosen is None:
                raise InvalidValue(Msg(f"Không có bản sao lưu '{text.sanitize(version)}'. "
                                       f"Xem: ccb-tui backup --list",
                                       f"There is no backup '{text.sanitize(version)}'. "
                                       f"See: ccb-tui backup --list"))
        restored = check_store_bytes(chosen.path.read_bytes(), chosen.path)
        store._build(restored)
        current: dict[str, Any] | None = None
        try:
            raw = store.path.read_bytes()
            current = check_store_bytes(raw, store.path)
            store._build(current)
        except (StoreCorrupt, FileNotFoundError):
            current = None
        if current is not None:
            cur_rev = int(documents.meta_doc(current).get("revision", 0))
            backups.make_backup(store.path, raw, cur_rev, "before-restore")
            log = dict(current.get("log", {}))
        else:
            cur_rev = 0
            if store.path.exists():
                stamp = now_iso().replace(":", "").replace("+0000", "Z")
                os.rename(store.path, store.path.with_name(f"{store.path.name}.damaged-{stamp}"))
            log = dict(restored.get("log", {}))
        next_id = max((int(k) for k in log), default=0) + 1
        log[str(next_id)] = {"at": now_iso(), "user": store.user, "action": "restore",
                             "target": {"backup": chosen.name}, "old": cur_rev or None,
                             "new": chosen.revision}
        restored["log"] = log
        meta = documents.meta_doc(restored)
        rev = max(cur_rev, int(meta.get("revision", 0))) + 1
        meta["revision"] = rev
        atomic_write(store.path, dump_json_bytes(restored))
        store._sig, store._snapshot = None, None
    return chosen, Change(f"Khôi phục {chosen.name}", f"r{cur_rev}" if cur_rev else "—", f"r{rev}", rev)


def cleanup_temp_files(store: "Store") -> int:
    """Remove temp files left by a writer killed mid-write; returns how many.

    Only while holding the lock (no writer of ours is then between mkstemp and rename), and
    only when the lock is free right now: a busy store is left for the next open.
    """
    pattern = f".{store.path.name}.*.tmp"
    if not any(store.path.parent.glob(pattern)):
        return 0
    import filelock
    lock = filelock.FileLock(store.lock_path, timeout=0, mode=shared_file_mode(), thread_local=False)
    try:
        lock.acquire()
    except (filelock.Timeout, OSError):
        return 0
    removed = 0
    try:
        for leftover in store.path.parent.glob(pattern):
            try:
                leftover.unlink()
                removed += 1
            except OSError:
                pass
    finally:
        lock.release()
    return removed
