"""Rolling backups beside the store: the last N versions, timestamped, plus manual ones.

During each write the store hard-links the file it is about to replace into ``<store>.backups/``
(no copy: the old version's inode simply stays reachable), but only once the new version is
complete on disk, and removes that link again if the write fails; after a successful write it
prunes the automatic backups to the newest N. So failed writes (a full disk) never use up the
history. ``ccb-tui backup`` adds a manual copy that is never pruned.
No TinyDB here; the store decides when to call these, always under its lock.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from ..domain import clock
from .files import atomic_write, shared_file_mode

DEFAULT_KEEP = 30
KEEP_ENV = "CCB_BACKUPS"
KINDS = ("auto", "manual", "before-restore")
_NAME = re.compile(r"^(?P<stem>.+)\.(?P<ts>\d{8}T\d{12})Z\.r(?P<rev>\d+)\.(?P<kind>[a-z-]+)\.json$")


@dataclass(frozen=True)
class Backup:
    """One backup file of the store."""

    path: Path
    revision: int
    taken_at: datetime
    kind: str

    @property
    def name(self) -> str:
        """The file name, which is also how ``restore`` names a version."""
        return self.path.name

    def label(self, tz: str | None = None) -> str:
        """"r42 · 29/11/2026 21:37 · auto": when, in the cluster's time zone ``tz``."""
        return f"r{self.revision} · {clock.local_time(self.taken_at, tz)} · {self.kind}"


def backup_dir(store_path: Path) -> Path:
    """The folder beside the store holding its backups."""
    return store_path.with_name(store_path.name + ".backups")


def keep_count() -> int:
    """How many automatic backups to keep (``$CCB_BACKUPS``, default 30; 0 turns them off)."""
    try:
        return max(0, int(os.environ.get(KEEP_ENV, DEFAULT_KEEP)))
    except ValueError:
        return DEFAULT_KEEP


def _ensure_dir(folder: Path) -> None:
    if folder.is_dir():
        return
    mode = shared_file_mode()
    mode |= (mode & 0o444) >> 2  # searchable wherever readable
    folder.mkdir(mode=mode, exist_ok=True)
    os.chmod(folder, mode | (os.stat(folder.parent).st_mode & 0o2000))  # keep a setgid parent's bit


def _new_name(store_path: Path, revision: int, kind: str) -> Path:
    ts = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    return backup_dir(store_path) / f"{store_path.name}.{ts}Z.r{revision}.{kind}.json"


def parse_name(path: Path) -> Backup | None:
    """A backup described by its file name, or None for other files."""
    m = _NAME.match(path.name)
    if not m or m["kind"] not in KINDS:
        return None
    taken = datetime.strptime(m["ts"], "%Y%m%dT%H%M%S%f").replace(tzinfo=timezone.utc)
    return Backup(path, int(m["rev"]), taken, m["kind"])


def list_backups(store_path: Path) -> list[Backup]:
    """Every backup of the store, newest first."""
    folder = backup_dir(store_path)
    if not folder.is_dir():
        return []
    found = [b for p in folder.iterdir() if (b := parse_name(p)) is not None]
    return sorted(found, key=lambda b: (b.taken_at, b.revision), reverse=True)


def _auto_names(folder: Path, store_name: str) -> list[str]:
    """The automatic backups' file names, newest first.

    Names start with a sortable UTC timestamp: plain string sorting, no parsing, on every write.
    """
    prefix = store_name + "."
    return sorted((n for n in os.listdir(folder) if n.startswith(prefix) and n.endswith(".auto.json")),
                  reverse=True)


def _fsync_dir(folder: Path) -> None:
    """Make the folder's entries durable; file systems that cannot sync a folder are let be."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
            return
        raise
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EBADF, errno.EISDIR):
            raise
    finally:
        os.close(fd)


def link_previous(store_path: Path, revision: int) -> Callable[[], None] | None:
    """Keep the version about to be replaced (hard link, else copy); returns how to undo it.

    The store calls this from ``atomic_write`` after the new version's temp file is complete and
    fsynced and just before the rename, and calls the returned undo if the rename fails. The
    order matters for a crash at any moment:

    - before this call: the old file is intact and nothing was added to the backups;
    - between the link and the rename: the old file is intact and also kept as a backup (at
      worst one spare backup of the current version, which the next write then does not repeat:
      the newest backup already is that very file);
    - after the rename: the new file is in place and the old version's backup link is already
      durable, because the backups folder is fsynced here, before the rename. Without that fsync
      the rename (in another folder) could reach the disk while the link did not.

    Pruning waits for :func:`prune`, after a successful write, so a failed write never removes an
    older backup either. Returns None when backups are turned off or nothing was linked.
    """
    if keep_count() == 0 or not store_path.exists():
        return None
    folder = backup_dir(store_path)
    _ensure_dir(folder)
    autos = _auto_names(folder, store_path.name)
    if autos:  # a crash after the link and before the rename: that backup is this very file
        try:
            if os.path.samefile(folder / autos[0], store_path):
                return None
        except OSError:
            pass
    target = _new_name(store_path, revision, "auto")
    try:
        os.link(store_path, target, follow_symlinks=True)
    except OSError:  # file systems without hard links
        shutil.copy2(store_path, target)
    try:
        _fsync_dir(folder)
    except OSError:
        _unlink_quietly(target)
        raise

    def undo() -> None:
        _unlink_quietly(target)

    return undo


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def prune(store_path: Path) -> None:
    """Keep only the newest N automatic backups (after a successful write; best effort)."""
    keep = keep_count()
    folder = backup_dir(store_path)
    if keep == 0 or not folder.is_dir():
        return
    try:
        autos = _auto_names(folder, store_path.name)
    except OSError:
        return
    for old in autos[keep:]:
        _unlink_quietly(folder / old)


def keep_previous(store_path: Path, revision: int) -> None:
    """Link the current version as a backup and prune, in one step (for callers outside a write)."""
    link_previous(store_path, revision)
    prune(store_path)


def make_backup(store_path: Path, raw: bytes, revision: int, kind: str = "manual") -> Backup:
    """Write ``raw`` (the store's current bytes) as a backup of ``kind``; never pruned unless auto."""
    folder = backup_dir(store_path)
    _ensure_dir(folder)
    target = _new_name(store_path, revision, kind)
    atomic_write(target, raw, shared_file_mode())
    backup = parse_name(target)
    assert backup is not None
    return backup


def find(store_path: Path, version: str) -> Backup | None:
    """A backup by file name, by revision ("42" or "r42"), or by position ("-1" newest, "-2", …)."""
    backups = list_backups(store_path)
    version = version.strip()
    for b in backups:
        if b.name == version or b.path.name == Path(version).name:
            return b
    if re.fullmatch(r"-\d+", version):
        idx = -int(version) - 1
        return backups[idx] if idx < len(backups) else None
    m = re.fullmatch(r"r?(\d+)", version)
    if m:
        rev = int(m[1])
        return next((b for b in backups if b.revision == rev), None)
    return None


def newest_good(store_path: Path, is_good: Callable[[Backup], bool]) -> Backup | None:
    """The newest backup that ``is_good`` accepts."""
    return next((b for b in list_backups(store_path) if is_good(b)), None)
