"""The dashboard on a pseudo-terminal, killed with SIGHUP (a dropped SSH link) or SIGTERM.

The session is driven by keys like a person would: the tasks screen's "x" cycles a unit's status
and the app notifies "Đã lưu"; the dashboard's per-unit table edits a figure through a form. Each
save is awaited on disk (the file's revision) before the next step; after the signal every save
the app reported must be in the file, and the file must be a valid store.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import Callable

import pexpect
import psutil
import pytest

from ccb_tui.core.domain.models import TaskState
from ccb_tui.core.store.store import Store
from relhelp import PY, load, log_docs, record, revision

pytestmark = [pytest.mark.timeout(120), pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")]

SAVED = "Đã lưu"


def _default_sighup() -> None:
    """Run in the child before exec: restore SIGHUP's default action (nohup sets it to ignore)."""
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


class Session:
    """One ``python -m ccb_tui --db PATH`` on an 80×24 pty, with its output drained as it comes."""

    def __init__(self, db: Path) -> None:
        self.db = db
        env = dict(os.environ, TERM="xterm-256color")
        env.pop("COLUMNS", None)
        env.pop("LINES", None)
        # Under `nohup` (or any parent ignoring SIGHUP) the child would inherit SIG_IGN and survive
        # the hang-up these tests send: give it the default disposition, as a login shell would.
        self.child = pexpect.spawn(PY, ["-m", "ccb_tui", "--db", str(db)], dimensions=(24, 80), env=env,
                                   encoding="utf-8", codec_errors="replace", timeout=30,
                                   preexec_fn=_default_sighup)
        self.out = ""

    def pump(self, until: Callable[[], bool], timeout: float = 15.0, what: str = "") -> None:
        """Read the app's output (so it never blocks on a full pty) until ``until()`` holds."""
        deadline = time.monotonic() + timeout
        while not until():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what or until}; screen tail: {self.out[-300:]!r}")
            try:
                self.out += self.child.read_nonblocking(65536, timeout=0.05)
            except pexpect.TIMEOUT:
                pass

    def shows(self, text: str, since: int = 0, timeout: float = 15.0) -> None:
        """Wait until ``text`` has been drawn (after output offset ``since``)."""
        self.pump(lambda: text in self.out[since:], timeout, repr(text))

    def settle(self, quiet: float = 0.4, timeout: float = 15.0) -> None:
        """Wait until the app has drawn nothing for ``quiet`` seconds (it is idle, keys go to the new screen)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.out += self.child.read_nonblocking(65536, timeout=quiet)
            except pexpect.TIMEOUT:
                return
        raise AssertionError("the app never went idle")

    def send(self, keys: str) -> int:
        """Type ``keys``; returns the output offset before them (for ``shows(since=...)``)."""
        mark = len(self.out)
        self.child.send(keys)
        return mark

    def rev(self) -> int | None:
        try:
            return revision(self.db)
        except (OSError, ValueError):
            return None

    def save(self, keys: str, rev: int) -> None:
        """Type ``keys`` that save once; wait for revision ``rev`` on disk and for the app's "Đã lưu"."""
        mark = self.send(keys)
        self.pump(lambda: self.rev() == rev, what=f"revision {rev} on disk")
        self.shows(SAVED, since=mark)

    def start(self) -> None:
        self.shows("Nhiệm vụ")  # the key bar is drawn
        self.settle()

    def to_tasks(self) -> None:
        mark = self.send("t")
        self.shows("trọng tâm", since=mark)  # "Nhiệm vụ trọng tâm năm 2021"
        self.settle()

    def kill(self, sig: int) -> None:
        """Send ``sig`` and wait for the process to be gone."""
        pid = self.child.pid
        self.child.kill(sig)
        try:
            self.child.expect(pexpect.EOF, timeout=15)
        except pexpect.TIMEOUT:
            raise AssertionError(f"the app survived signal {sig}") from None
        self.child.close(force=True)
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)


@pytest.fixture
def session(seeded_db: Path):
    s = Session(seeded_db)
    yield s
    s.close()


def _cycled(n: int) -> TaskState:
    state = TaskState.TODO
    for _ in range(n):
        state = state.next()
    return state


def _task_edits(db: Path, since: int) -> list[dict]:
    entries = log_docs(load(db))[since:]
    assert all(e["action"] == "set_task_status" for e in entries), entries
    assert len({(e["target"]["task"], e["target"]["unit"]) for e in entries}) <= 1, "one cell was cycled"
    return entries


def _assert_cell_state(db: Path, entries: list[dict], n: int) -> None:
    """The cell cycled ``n`` times holds the state of n presses, with a consistent log."""
    snap = Store(db).snapshot()  # the file is a valid store
    assert len(entries) == n
    if n:
        target = entries[-1]["target"]
        state = snap.task(target["task"]).status(target["unit"]).state
        assert state == _cycled(n)
        # Each save was based on the state the previous one left: a chain, nothing lost in between.
        assert [e["old"]["state"] for e in entries] == [_cycled(i).value for i in range(n)]
        assert [e["new"]["state"] for e in entries] == [_cycled(i + 1).value for i in range(n)]


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM], ids=["SIGHUP", "SIGTERM"])
def test_saves_survive_signal(session: Session, sig: int) -> None:
    db = session.db
    base = revision(db)
    log0 = len(log_docs(load(db)))
    session.start()
    session.to_tasks()
    presses = 4
    for i in range(1, presses + 1):
        session.save("x", base + i)
    session.kill(sig)
    assert revision(db) == base + presses
    _assert_cell_state(db, _task_edits(db, log0), presses)


def test_form_edits_survive_sigterm(session: Session) -> None:
    """A figure typed twice into the dashboard's edit form, a status cycled on the tasks screen, SIGTERM."""
    db = session.db
    base = revision(db)
    session.start()
    for i, value in enumerate((13, 17), start=1):
        session.send("\t")  # to the per-unit table
        session.settle()
        mark = session.send("e")
        session.shows("Sửa số liệu", since=mark)
        session.settle()
        # The form opens with the stored figure selected: typing replaces it. (No Backspace: see
        # test_fast_typing_saves_what_was_typed.)
        session.send(str(value))
        session.settle(0.2)
        session.save("\r", base + i)
        session.settle()
    session.to_tasks()
    session.save("x", base + 3)
    session.kill(signal.SIGTERM)

    entries = log_docs(load(db))[-3:]
    assert revision(db) == base + 3
    assert [e["action"] for e in entries] == ["set_value", "set_value", "set_task_status"]
    first, second = entries[0], entries[1]
    assert first["target"] == second["target"]  # the cell under the cursor, both times
    assert (first["new"]["v"], second["old"]["v"], second["new"]["v"]) == (13, 13, 17)
    target = second["target"]
    assert Store(db).snapshot().reading(target["unit"], target["indicator"], target["year"]).value == 17


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM], ids=["SIGHUP", "SIGTERM"])
def test_killed_in_a_burst_of_saves(session: Session, sig: int) -> None:
    db = session.db
    base = revision(db)
    log0 = len(log_docs(load(db)))
    session.start()
    session.to_tasks()
    burst = 30
    session.send("x" * burst)
    session.pump(lambda: (session.rev() or 0) >= base + 3, what="the first saves of the burst")
    session.kill(sig)  # while the app is still working through the burst
    n = revision(db) - base
    assert 3 <= n < burst, f"{n} saves: the signal did not land mid-burst"
    _assert_cell_state(db, _task_edits(db, log0), n)
    assert record(load(db), "krong_no")  # the rest of the store is intact


# Textual 8.2.8 runs a key's binding (Backspace → delete_left) after the printable keys that follow it
# in the same read (Textualize/textual#6605): '⌫13⏎' in one SSH packet saved 1. VnInput applies its
# editing keys in order; this proves it on a real pseudo-terminal.
def test_fast_typing_saves_what_was_typed(session: Session) -> None:
    db = session.db
    base = revision(db)
    session.start()
    session.send("\t")
    session.settle()
    mark = session.send("e")
    session.shows("Sửa số liệu", since=mark)
    session.settle()
    session.send("\x7f13\r")  # what a quick typist sends over a slow link: one packet
    session.pump(lambda: session.rev() == base + 1, what="the save")
    (entry,) = [e for e in log_docs(load(db)) if e["action"] == "set_value"]
    assert entry["new"]["v"] == 13, f"typed 13, saved {entry['new']['v']}"
