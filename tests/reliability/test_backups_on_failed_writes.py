"""Failed writes must not use up the backups: only a write that went through keeps its predecessor.

Before the fix each write linked the old file into ``<store>.backups/`` before writing, so 30 saves
refused for a full disk left 30 links of one and the same version and pruned the real history away.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from ccb_tui.core.store import backups
from ccb_tui.core.domain.errors import StoreWriteFailed
from ccb_tui.core.store import Store
from relhelp import YEAR, assert_lock_free, load, revision, temp_leftovers
from test_io_faults import inject

pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to tell the store's temp file"),
]

UNIT, IND = "krong_no", "workdays"


def _autos(db: Path) -> list[backups.Backup]:
    return [b for b in backups.list_backups(db) if b.kind == "auto"]


@pytest.mark.parametrize("step", ["write", "fsync", "replace"])
def test_failed_writes_keep_no_backup(seeded_db: Path, monkeypatch, sha, step: str) -> None:
    db = seeded_db
    store = Store(db, user="tester", lock_timeout=1)
    good = 0
    for value in (151, 152, 153):  # a few successful edits: a history of distinct revisions
        store.set_value(UNIT, IND, YEAR, value)
        good += 1
    history = [(b.revision, b.path.stat().st_ino) for b in _autos(db)]
    assert len(history) == good
    before = sha(db)
    with monkeypatch.context() as m:
        fired = inject(m, db, step, errno.ENOSPC)
        for k in range(30):
            with pytest.raises(StoreWriteFailed):
                store.set_value(UNIT, IND, YEAR, 200 + k)
    assert fired == [step] * 30
    assert sha(db) == before
    assert [(b.revision, b.path.stat().st_ino) for b in _autos(db)] == history, "a failed write changed the backups"
    assert not temp_leftovers(db)
    store.set_value(UNIT, IND, YEAR, 300)
    good += 1
    autos = _autos(db)
    assert len(autos) == good
    revs = [b.revision for b in autos]
    assert len(set(revs)) == len(revs) == good, revs  # distinct revisions, one per successful write
    inodes = {b.path.stat().st_ino for b in autos}
    assert len(inodes) == good
    assert revision(db) == revs[0] + 1
    assert_lock_free(db)


def test_pruning_keeps_distinct_revisions_after_failures(seeded_db: Path, monkeypatch) -> None:
    """With room for 5 backups, 30 failures between successes still leave the last 5 versions."""
    db = seeded_db
    monkeypatch.setenv(backups.KEEP_ENV, "5")
    store = Store(db, user="tester", lock_timeout=1)
    for round_no in range(8):
        store.set_value(UNIT, IND, YEAR, 100 + round_no)
        with monkeypatch.context() as m:
            inject(m, db, "write", errno.ENOSPC)
            for k in range(4):
                with pytest.raises(StoreWriteFailed):
                    store.set_value(UNIT, IND, YEAR, 500 + k)
    autos = _autos(db)
    assert [b.revision for b in autos] == list(range(revision(db) - 1, revision(db) - 6, -1))
    assert len(os.listdir(backups.backup_dir(db))) == 5


def test_backup_link_failure_refuses_the_write(seeded_db: Path, monkeypatch, sha) -> None:
    """The backup cannot be made (disk full): the edit is refused and leaves neither backup nor temp."""
    db = seeded_db
    store = Store(db, user="tester", lock_timeout=1)
    store.set_value(UNIT, IND, YEAR, 151)
    history = [b.name for b in _autos(db)]
    before = sha(db)

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as m:
        m.setattr(os, "link", no_space)
        m.setattr(backups.shutil, "copy2", no_space)
        with pytest.raises(StoreWriteFailed) as ei:
            store.set_value(UNIT, IND, YEAR, 152)
    assert "đầy" in ei.value.text("vi") and "full" in ei.value.text("en")
    assert sha(db) == before and [b.name for b in _autos(db)] == history
    assert not temp_leftovers(db)
    assert_lock_free(db)


def test_leftover_link_from_a_crash_is_not_repeated(seeded_db: Path) -> None:
    """A crash between the backup link and the rename leaves a backup of the current file; the next
    write does not link that same version a second time."""
    db = seeded_db
    store = Store(db, user="tester", lock_timeout=1)
    store.set_value(UNIT, IND, YEAR, 151)
    backups.link_previous(db, revision(db))  # what the crashed writer left
    store.set_value(UNIT, IND, YEAR, 152)
    revs = [b.revision for b in _autos(db)]
    assert len(revs) == len(set(revs)) == 2
    assert load(db)["meta"]["1"]["revision"] == revision(db)
