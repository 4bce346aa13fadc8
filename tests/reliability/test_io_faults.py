"""I/O errors at each step of a write, a read-only folder, a lock held too long, a lock holder killed.

In each case: a clear error (a ``StoreUnavailable`` with exit code 5, one line naming the file and
saying what to do), the file byte-identical, no temp file left, and the lock free afterwards.
The injected errors are raised by wrappers around the calls ``atomic_write`` makes (``tempfile``
and the ``os`` module ``ccb_tui.core.store`` uses), filtered to the store's own temp file, folder
and path, and each test checks its wrapper actually fired.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

import filelock
import pytest

from ccb_tui.core.store import store as store_mod
from ccb_tui.core.domain.errors import StoreLocked, StoreUnavailable, StoreWriteFailed
from ccb_tui.core.store.store import Store
from relhelp import (
    YEAR, Events, assert_lock_free, cli_as, cli_in_process, exited_ok, fork, is_folder_fd, is_store_tmp_fd,
    killed_by, load, one_line, reap, revision, sigkill, temp_leftovers, value_in,
)

pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to tell the store's temp file"),
]

UNIT, IND = "krong_no", "workdays"
# The hint each error must carry, in Vietnamese and in English.
HINTS = {errno.ENOSPC: ("đầy", "full"), errno.EIO: ("vào/ra", "I/O"), errno.EACCES: ("quyền", "permission")}
ERRNOS = list(HINTS)
BEFORE_REPLACE = ["mkstemp", "write", "fsync", "replace"]


def _ids(err: int) -> str:
    return errno.errorcode[err]


def inject(m: pytest.MonkeyPatch, db: Path, step: str, err: int) -> list[str]:
    """Make ``step`` of the next writes of ``db`` fail with ``err``; returns the list of times it fired."""
    fired: list[str] = []
    os_mod = store_mod.os  # the os module itself, as seen by files.atomic_write too

    def fail(path: Any = None) -> None:
        fired.append(step)
        raise OSError(err, os.strerror(err), str(path or db))

    if step == "mkstemp":
        real_mkstemp = tempfile.mkstemp

        def mkstemp(*args: Any, **kwargs: Any) -> Any:
            folder, prefix = kwargs.get("dir"), str(kwargs.get("prefix", ""))
            if folder is not None and Path(folder) == db.parent and prefix.startswith(f".{db.name}."):
                fail(folder)
            return real_mkstemp(*args, **kwargs)

        m.setattr(tempfile, "mkstemp", mkstemp)
    elif step == "write":
        real_write = os_mod.write
        m.setattr(os_mod, "write", lambda fd, data: fail() if is_store_tmp_fd(db, fd) else real_write(fd, data))
    elif step == "fsync":
        real_fsync = os_mod.fsync
        m.setattr(os_mod, "fsync", lambda fd: fail() if is_store_tmp_fd(db, fd) else real_fsync(fd))
    elif step == "replace":
        real_replace = os_mod.replace
        m.setattr(os_mod, "replace",
                  lambda src, dst, **kw: fail(dst) if Path(dst) == db else real_replace(src, dst, **kw))
    elif step == "dir-fsync" and err == errno.EACCES:  # the folder cannot even be opened for reading
        real_open = os_mod.open

        def open_(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
            if Path(path) == db.parent:
                fail(path)
            return real_open(path, flags, *args, **kwargs)

        m.setattr(os_mod, "open", open_)
    elif step == "dir-fsync":
        real_fsync = os_mod.fsync
        m.setattr(os_mod, "fsync", lambda fd: fail(db.parent) if is_folder_fd(db.parent, fd) else real_fsync(fd))
    else:  # pragma: no cover
        raise ValueError(step)
    return fired


def assert_clear(exc: StoreUnavailable, db: Path, err: int | None = None) -> None:
    """One line in each language, naming the file, with the hint for ``err``; exit code 5."""
    assert exc.exit_code == 5
    for lang in ("vi", "en"):
        msg = exc.text(lang)
        assert str(db) in msg and "\n" not in msg, msg
    if err is not None:
        vi, en = HINTS[err]
        assert vi in exc.text("vi") and en in exc.text("en"), exc.text("en")


# --- errors injected at each step ----------------------------------------------------------------

@pytest.mark.parametrize("err", ERRNOS, ids=_ids)
@pytest.mark.parametrize("step", BEFORE_REPLACE)
def test_error_before_replace_leaves_file_untouched(seeded_db: Path, monkeypatch, sha, step: str, err: int) -> None:
    db = seeded_db
    store = Store(db, user="tester", lock_timeout=1)
    before = sha(db)
    with monkeypatch.context() as m:
        fired = inject(m, db, step, err)
        with pytest.raises(StoreWriteFailed) as ei:
            store.set_value(UNIT, IND, YEAR, 151)
    assert fired == [step]
    assert_clear(ei.value, db, err)
    assert sha(db) == before
    assert not temp_leftovers(db)
    assert_lock_free(db)


@pytest.mark.parametrize("step", BEFORE_REPLACE)
def test_error_before_replace_through_cli(seeded_db: Path, monkeypatch, sha, step: str) -> None:
    db = seeded_db
    before = sha(db)
    with monkeypatch.context() as m:
        fired = inject(m, db, step, errno.EIO)
        code, out, err = cli_in_process(["set", UNIT, IND, "151", "--year", str(YEAR), "--db", str(db)])
    assert fired == [step]
    assert code == 5 and not out
    line = one_line(err)
    assert str(db) in line and "vào/ra" in line
    assert sha(db) == before
    assert_lock_free(db)


@pytest.mark.parametrize("err", [errno.EACCES, errno.EINVAL], ids=_ids)
def test_folder_that_cannot_be_synced_keeps_the_edit(seeded_db: Path, monkeypatch, err: int) -> None:
    """A folder that cannot be opened (EACCES) or fsynced (EINVAL, some file systems): the rename
    is done and the file is synced, so the edit stands."""
    db = seeded_db
    rev = revision(db)
    with monkeypatch.context() as m:
        fired = inject(m, db, "dir-fsync", err)
        change = Store(db, user="tester", lock_timeout=1).set_value(UNIT, IND, YEAR, 151)
    assert fired == ["dir-fsync"]
    assert change.revision == rev + 1 == revision(db)
    assert value_in(load(db), UNIT, IND) == 151
    assert not temp_leftovers(db)
    assert_lock_free(db)


@pytest.mark.parametrize("err", [errno.EIO, errno.ENOSPC], ids=_ids)
def test_failed_folder_fsync_is_reported(seeded_db: Path, monkeypatch, err: int) -> None:
    db = seeded_db
    reported = None
    with monkeypatch.context() as m:
        fired = inject(m, db, "dir-fsync", err)
        try:
            Store(db, user="tester", lock_timeout=1).set_value(UNIT, IND, YEAR, 151)
        except StoreUnavailable as exc:
            reported = exc
    assert fired == ["dir-fsync"]
    Store(db).snapshot()  # whatever happened, the file is a valid store
    assert_lock_free(db)
    assert reported is not None, "the failed folder fsync was not reported"
    assert_clear(reported, db)


def test_disk_full_while_keeping_a_backup(seeded_db: Path, monkeypatch, sha) -> None:
    db = seeded_db
    before = sha(db)
    fired = []

    def no_space(*args: Any, **kwargs: Any) -> None:
        fired.append(args[0])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(args[1] if len(args) > 1 else db))

    with monkeypatch.context() as m:
        m.setattr(store_mod.os, "link", no_space)
        m.setattr(shutil, "copy2", no_space)
        store = Store(db, user="tester", lock_timeout=1)
        try:
            store.set_value(UNIT, IND, YEAR, 151)
        except StoreUnavailable as exc:  # refusing the edit is fine: clearly, and with the file untouched
            assert_clear(exc, db, errno.ENOSPC)
            assert sha(db) == before
        else:  # so is saving it without the backup
            assert value_in(load(db), UNIT, IND) == 151
    assert fired, "the backup step never ran"
    assert_lock_free(db)


# --- a read-only folder, as a user who may not write it ----------------------------------------------

NOBODY = 65534


def _as_nobody_edit(db: Path, ev_path: Path) -> None:
    ev = Events(ev_path).open()
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)
    try:
        Store(db, user="nobody", lock_timeout=1).set_value(UNIT, IND, YEAR, 152)
    except StoreUnavailable as exc:
        ev.emit(ev="refused", type=type(exc).__name__, vi=exc.text("vi"), en=exc.text("en"), exit=exc.exit_code)
    except BaseException as exc:  # noqa: BLE001
        ev.emit(ev="crashed", type=type(exc).__name__, err=str(exc)[:500])
    else:
        ev.emit(ev="saved")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0,
                    reason="needs root, to run the edit as another (non-root) user: root ignores folder modes")
@pytest.mark.parametrize("layout", [
    "lock-and-backups-exist",
    "no-lock-file",
    "no-backups-folder",
])
def test_read_only_folder(open_dir: Path, events, sha, layout: str) -> None:
    folder = open_dir / "store"
    folder.mkdir()
    db = folder / "ccb.json"
    store = Store(db, user="tester")
    store.set_value(UNIT, IND, YEAR, 151)  # one write: the backups folder exists
    lock = Path(str(db) + ".lock")
    if layout == "no-lock-file":
        lock.unlink()
    if layout == "no-backups-folder":
        (backups,) = [p for p in folder.iterdir() if p.is_dir()]
        shutil.rmtree(backups)
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, NOBODY, NOBODY)  # the user owns the file (and lock): only the folder is in the way
    folder.chmod(0o555)
    before = sha(db)

    ev = events("nobody")
    assert exited_ok(reap(fork(_as_nobody_edit, db, ev.path)))
    (got,) = ev.read()
    assert got["ev"] == "refused", got
    assert got["type"] == "StoreWriteFailed" and got["exit"] == 5
    assert str(db) in got["en"] and "permission" in got["en"] and "quyền" in got["vi"]
    assert sha(db) == before

    code, out, err = cli_as(NOBODY, NOBODY, ["set", UNIT, IND, "153", "--year", str(YEAR), "--db", str(db)],
                            cwd=open_dir)
    assert code == 5 and not out, err
    assert str(db) in one_line(err)
    assert sha(db) == before
    assert not temp_leftovers(db)


# --- the lock ----------------------------------------------------------------------------------------

def _hold_lock(lock_path: Path, ev_path: Path) -> None:
    lock = filelock.FileLock(lock_path, thread_local=False)
    lock.acquire()
    Events(ev_path).emit(ev="holding")
    time.sleep(120)


def _hang_mid_write(db: Path, ev_path: Path) -> None:
    """A Store edit that stops for good between fsync and rename, holding the lock."""
    ev = Events(ev_path)
    real_replace = store_mod.os.replace

    def replace(src: Any, dst: Any, **kwargs: Any) -> None:
        if Path(dst) == db:
            ev.emit(ev="holding")
            time.sleep(120)
        real_replace(src, dst, **kwargs)

    store_mod.os.replace = replace
    Store(db, user="holder", lock_timeout=5).set_value(UNIT, IND, YEAR, 999)


def _start_holder(kind: str, db: Path, ev: Events) -> int:
    if kind == "filelock":
        pid = fork(_hold_lock, Path(str(db) + ".lock"), ev.path)
    else:
        pid = fork(_hang_mid_write, db, ev.path)
    ev.wait_for("holding")
    return pid


@pytest.mark.parametrize("holder", ["filelock", "store-mid-write"])
def test_lock_held_too_long(seeded_db: Path, events, sha, holder: str) -> None:
    db = seeded_db
    before = sha(db)
    pid = _start_holder(holder, db, events("holder"))
    try:
        store = Store(db, user="waiter", lock_timeout=0.3)
        start = time.monotonic()
        with pytest.raises(StoreLocked) as ei:
            store.set_value(UNIT, IND, YEAR, 151)
        waited = time.monotonic() - start
        assert 0.3 <= waited < 2.0, waited
        assert_clear(ei.value, db)
        assert "0.3" in ei.value.text("en")
        assert store.snapshot().reading(UNIT, IND, YEAR).value == 150  # reads need no lock
        assert sha(db) == before
    finally:
        assert killed_by(sigkill(pid), signal.SIGKILL)


def _edit_when_free(db: Path, ev_path: Path) -> None:
    ev = Events(ev_path)
    store = Store(db, user="waiter", lock_timeout=30)
    ev.emit(ev="waiting")
    store.set_value(UNIT, IND, YEAR, 151)
    ev.emit(ev="saved", at=time.monotonic())


@pytest.mark.parametrize("holder", ["filelock", "store-mid-write"])
def test_lock_holder_killed(seeded_db: Path, events, holder: str) -> None:
    """The kernel drops a dead process's flock: an edit already waiting goes through at once."""
    db = seeded_db
    rev = revision(db)
    pid = _start_holder(holder, db, events("holder"))
    waiter_ev = events("waiter")
    waiter = fork(_edit_when_free, db, waiter_ev.path)
    waiter_ev.wait_for("waiting")
    time.sleep(0.3)
    assert [e["ev"] for e in waiter_ev.read()] == ["waiting"], "the waiter got the lock while it was held"
    killed_at = time.monotonic()
    assert killed_by(sigkill(pid), signal.SIGKILL)
    assert exited_ok(reap(waiter, timeout=30))
    saved_at = waiter_ev.wait_for("saved")["at"]
    assert saved_at - killed_at < 1.0, "the lock outlived its dead holder"
    data = load(db)
    assert revision(data) == rev + 1  # the killed holder's edit (999) never landed
    assert value_in(data, UNIT, IND) == 151
    assert not temp_leftovers(db) or holder == "store-mid-write"
    Store(db)  # opening the store clears the dead holder's temp file
    assert not temp_leftovers(db)
    assert_lock_free(db)
