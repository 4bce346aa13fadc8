"""Writers SIGKILLed at random and at chosen steps of a write of a multi-megabyte store.

The writer edits forever (a figure, and now and then a task note of random length so the file's
size changes), logging before each edit what it is about to write ("inflight") and after it the
revision it got ("ack"). After every kill the file must parse, build a snapshot, and be exactly
an acknowledged state: the last acknowledged revision, or the one in flight, with that revision's
content and every other document as before (never "valid but missing documents"); and the lock
must be free again (a new edit succeeds within a second).

Targeted kills run a child that wraps ``os.write``/``os.fsync``/``os.replace`` (the ``os`` module
that ``ccb_tui.core.store`` uses, so the wrappers see the calls inside ``atomic_write``) and sends
itself SIGKILL at the chosen step of its n-th write.
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from ccb_tui.core.store import store as store_mod
from ccb_tui.core.store.store import Store
from relhelp import (
    YEAR, Events, assert_lock_free, fork, is_folder_fd, is_store_tmp_fd, killed_by, load, log_docs, meta, reap,
    record, revision, sigkill, temp_leftovers, value_in,
)

pytestmark = [
    pytest.mark.timeout(240),
    pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to tell the store's temp file"),
]

RANDOM_KILLS = 64
TARGETED_KILLS = 10  # per step; 4 steps
STEPS = ["mid-write", "before-fsync", "before-replace", "before-dir-fsync"]
AFTER_REPLACE = {"before-dir-fsync"}  # the new file is in place when the writer dies
UNIT, IND, TASK = "krong_no", "workdays", "1"


def note_text(i: int, n: int) -> str:
    """A task note of ``n`` words, tagged with the edit number."""
    return f"#{i} " + " ".join(["ghi chú đổi mới"] * n)


def _writer(db: Path, ev_path: Path, round_no: int, arm: tuple[str, int] | None) -> None:
    ev = Events(ev_path)
    if arm is not None:
        _arm_kill(db, ev, *arm)
    store = Store(db, user="killed", lock_timeout=30)
    rng = random.Random(round_no)
    ev.emit(ev="ready")
    i = 0
    while True:
        i += 1
        if i % 3 == 0:
            op = {"op": "note", "v": [round_no * 100 + i, rng.randint(1, 3000)]}
        else:
            op = {"op": "value", "v": round_no * 100 + i}
        ev.emit(ev="inflight", **op)
        if op["op"] == "value":
            change = store.set_value(UNIT, IND, YEAR, op["v"])
        else:
            change = store.edit_task(int(TASK), note=note_text(*op["v"]))
        ev.emit(ev="ack", rev=change.revision, **op)


def _arm_kill(db: Path, ev: Events, step: str, nth: int) -> None:
    """Wrap the os calls of ``atomic_write`` so that this process SIGKILLs itself at ``step`` of
    its ``nth`` write of ``db``."""
    os_mod = store_mod.os  # the os module itself: the wrappers also see files.atomic_write's calls
    real_write, real_fsync, real_replace = os_mod.write, os_mod.fsync, os_mod.replace
    count = {"hits": 0, "replaced": 0}

    def die() -> None:
        ev.emit(ev="killing", step=step, write=nth)
        os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(60)

    def hit() -> bool:
        count["hits"] += 1
        return count["hits"] == nth

    def write(fd: int, data: Any) -> int:
        if step == "mid-write" and is_store_tmp_fd(db, fd) and os.lseek(fd, 0, os.SEEK_CUR) == 0 and hit():
            real_write(fd, memoryview(data)[: len(data) // 2])
            die()
        return real_write(fd, data)

    def fsync(fd: int) -> None:
        if step == "before-fsync" and is_store_tmp_fd(db, fd) and hit():
            die()
        if step == "before-dir-fsync" and count["replaced"] == nth and is_folder_fd(db.parent, fd):
            die()
        return real_fsync(fd)

    def replace(src: Any, dst: Any, **kwargs: Any) -> None:
        mine = Path(dst) == db
        if step == "before-replace" and mine and hit():
            die()
        real_replace(src, dst, **kwargs)
        count["replaced"] += mine

    os_mod.write, os_mod.fsync, os_mod.replace = write, fsync, replace


# --- checking a file left by a killed writer ---------------------------------------------------------

def _observed(data: dict[str, Any]) -> dict[str, Any]:
    return {"value": value_in(data, UNIT, IND), "note": data["tasks"][TASK]["note"]}


def _apply(state: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    new = dict(state)
    if op["op"] == "value":
        new["value"] = op["v"]
    else:
        new["note"] = note_text(*op["v"])
    return new


def _rest(data: dict[str, Any], base_meta: dict[str, Any]) -> dict[str, Any]:
    """Everything the writer does not touch (in place: pass a freshly parsed copy)."""
    m = meta(data)
    for key in list(m):
        if key == "revision" or key not in base_meta:
            del m[key]
    del record(data, UNIT)["values"][IND]
    del data["tasks"][TASK]["note"]
    del data["log"]
    return data


class Base:
    """The state of the file before a writer starts."""

    def __init__(self, db: Path) -> None:
        data = load(db)
        self.rev = revision(data)
        self.log = len(log_docs(data))
        self.state = _observed(data)
        self.meta = dict(meta(data))
        self.rest = _rest(data, self.meta)

    def check(self, db: Path, events: list[dict[str, Any]]) -> tuple[int, bool]:
        """Assert the file is an acknowledged state; returns (its revision, whether it is the in-flight one)."""
        data = load(db)  # valid JSON
        snap = Store(db, user="checker").snapshot()  # a store that builds
        state, rev = self.state, self.rev
        allowed = {rev: state}
        last_op = None
        for e in events:
            if e["ev"] == "ack":
                assert e["rev"] == rev + 1, f"revisions not consecutive: {e}"
                rev, state, last_op = e["rev"], _apply(state, e), e
                allowed = {rev: state}
        inflight = events[-1] if events and events[-1]["ev"] in ("inflight", "killing") else None
        if inflight is not None and inflight["ev"] == "killing":
            inflight = events[-2] if events[-2]["ev"] == "inflight" else None
        if inflight is not None:
            allowed[rev + 1] = _apply(state, inflight)
        got = revision(data)
        assert got in allowed, f"file at revision {got}; acknowledged {rev}, in flight {inflight}"
        assert snap.revision == got
        assert _observed(data) == allowed[got], f"revision {got} does not hold what was acknowledged for it"
        assert snap.reading(UNIT, IND, YEAR).value == allowed[got]["value"]
        log = log_docs(data)
        assert len(log) == self.log + (got - self.rev), "each write adds exactly one log entry"
        if got > self.rev:
            op = inflight if got > rev else last_op
            assert log[-1]["action"] == ("set_value" if op["op"] == "value" else "edit_task")
        assert _rest(data, self.meta) == self.rest, "documents the writer never touched have changed"
        return got, got > rev


# --- random moments ------------------------------------------------------------------------------

def test_random_kills_leave_an_acknowledged_state(big_db: Path, events) -> None:
    db = big_db
    rng = random.Random(20201231)
    inflight_kills = 0
    for k in range(RANDOM_KILLS):
        base = Base(db)
        ev = events(f"random-{k}")
        pid = fork(_writer, db, ev.path, k + 1, None)
        ev.wait_for("ready")
        time.sleep(rng.uniform(0.0, 0.25))
        assert killed_by(sigkill(pid), signal.SIGKILL)
        got = ev.read()
        inflight_kills += bool(got) and got[-1]["ev"] == "inflight"
        base.check(db, got)
        assert_lock_free(db)
    # Most kills must land inside a transaction, or this test proves little.
    assert inflight_kills >= RANDOM_KILLS // 2, inflight_kills


# --- chosen steps ----------------------------------------------------------------------------------

@pytest.mark.parametrize("step", STEPS)
def test_kill_at_step_of_atomic_write(big_db: Path, events, step: str) -> None:
    db = big_db
    rng = random.Random(step)
    for k in range(TARGETED_KILLS):
        nth = rng.randint(1, 3)
        base = Base(db)
        ev = events(f"{step}-{k}")
        pid = fork(_writer, db, ev.path, 500 + 10 * STEPS.index(step) + k, (step, nth))
        assert killed_by(reap(pid, timeout=60), signal.SIGKILL)
        got = ev.read()
        assert got[-1] == {"ev": "killing", "step": step, "write": nth}, got[-3:]
        assert [e["ev"] for e in got].count("ack") == nth - 1

        leftovers = temp_leftovers(db)
        if step in AFTER_REPLACE:
            assert not leftovers
        else:  # the killed write's temp file, which is never taken for the store
            assert len(leftovers) == 1
        rev, is_inflight = base.check(db, got)
        assert is_inflight == (step in AFTER_REPLACE)
        assert rev == base.rev + nth - (step not in AFTER_REPLACE)
        assert not temp_leftovers(db), "opening the store did not clean up the dead writer's temp file"
        assert_lock_free(db)
