"""N processes × M conditional edits on one store, with a reader parsing the file all along.

Each edit reads a value and writes a new random one with ``expect=`` what it read. Afterwards the
acknowledged edits, replayed in the order of their revisions against a model, must give exactly
the final file; each must have been based on the value current at its turn; each refusal must be
a conflict that really happened; and every file the reader saw must be one of the model's states.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest

from ccb_tui.core.domain.errors import ConflictError
from ccb_tui.core.domain.fmt import format_number
from ccb_tui.core.store.store import Store
from relhelp import (
    YEAR, Events, cli_in_process, cli_process, exited_ok, fork, load, log_docs, one_line, reap, revision,
    value_in,
)

pytestmark = pytest.mark.timeout(240)

WORKERS, EDITS = 4, 50
CLI_WORKER = 3  # this worker edits through `ccb-tui set --expect` (cli.main), the others through Store
KEYS = [("krong_no", "workdays"), ("nam_ka", "workdays")]  # two keys: plenty of real conflicts


def _wait_for(path: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(path)
        time.sleep(0.001)


def _worker(db: Path, w: int, ev_path: Path, start: Path) -> None:
    ev = Events(ev_path)
    rng = random.Random(7000 + w)
    # Distinct random values per worker, none equal to a seed value: every write is identifiable.
    values = rng.sample(range(w * 100_000 + 1_000, w * 100_000 + 99_000), EDITS)
    store = Store(db, user=f"w{w}", lock_timeout=60)
    _wait_for(start)
    for j, new in enumerate(values):
        unit, ind = rng.choice(KEYS)
        snap = store.snapshot()
        old = snap.reading(unit, ind, YEAR).value
        edit = {"w": w, "j": j, "unit": unit, "ind": ind, "expect": old, "new": new, "read_rev": snap.revision}
        if w == CLI_WORKER:
            code, _out, err = cli_in_process(["set", unit, ind, format_number(new), "--expect", format_number(old),
                                              "--year", str(YEAR), "--db", str(db)])
            if code == 0:
                ev.emit(ev="ack", via="cli", **edit)
            elif code == 4:
                ev.emit(ev="conflict", via="cli", stderr=err[:1000], **edit)
            else:
                ev.emit(ev="error", via="cli", code=code, stderr=err[:1000], **edit)
            continue
        try:
            change = store.set_value(unit, ind, YEAR, new, expect=old)
        except ConflictError as exc:
            ev.emit(ev="conflict", via="api", msg=exc.msg.en[:500], **edit)
        except Exception as exc:  # noqa: BLE001 - anything else is a failure the parent reports
            ev.emit(ev="error", via="api", err=repr(exc)[:1000], **edit)
        else:
            ev.emit(ev="ack", via="api", rev=change.revision, **edit)
    ev.emit(ev="done")


def _reader(db: Path, ev_path: Path, stop: Path) -> None:
    """Parse the file in a loop; report each revision seen with the values of KEYS, or what broke."""
    ev = Events(ev_path)
    store = Store(db, user="reader")
    reads, last = 0, None
    while True:
        stopping = stop.exists()
        raw = db.read_bytes()
        try:
            data = json.loads(raw)
            seen = (revision(data), [value_in(data, u, i) for u, i in KEYS])
        except Exception as exc:  # noqa: BLE001
            ev.emit(ev="bad", what="json", err=repr(exc)[:300], size=len(raw))
            seen = None
        try:
            store.snapshot()
        except Exception as exc:  # noqa: BLE001
            ev.emit(ev="bad", what="snapshot", err=repr(exc)[:300])
        reads += 1
        if seen is not None and seen != last:
            ev.emit(ev="seen", rev=seen[0], vals=seen[1])
            last = seen
        if stopping:
            break
    ev.emit(ev="done", reads=reads)


def test_conditional_edits_lose_nothing_and_refuse_only_real_conflicts(seeded_db: Path, events, sha) -> None:
    db = seeded_db
    base = load(db)
    rev0, log0 = revision(base), len(log_docs(base))
    start, stop = db.parent.parent / "start", db.parent.parent / "stop"

    reader_ev = events("reader")
    reader = fork(_reader, db, reader_ev.path, stop)
    worker_ev = [events(f"worker-{w}") for w in range(WORKERS)]
    pids = [fork(_worker, db, w, worker_ev[w].path, start) for w in range(WORKERS)]
    start.touch()
    for pid in pids:
        assert exited_ok(reap(pid, timeout=200))
    stop.touch()
    assert exited_ok(reap(reader, timeout=60))

    outcomes = []
    for ev in worker_ev:
        got = ev.read()
        assert got[-1]["ev"] == "done", got[-3:]
        outcomes += [e for e in got if e["ev"] != "done"]
    errors = [e for e in outcomes if e["ev"] == "error"]
    assert not errors, errors[:3]
    assert len(outcomes) == WORKERS * EDITS
    acks = [e for e in outcomes if e["ev"] == "ack"]
    conflicts = [e for e in outcomes if e["ev"] == "conflict"]
    assert acks and conflicts, (len(acks), len(conflicts))

    # Every write logged once, in revision order: the log gives the revision of each value written,
    # including the CLI's edits (which print no revision).
    final = load(db)
    new_log = log_docs(final)[log0:]
    assert revision(final) == rev0 + len(new_log) == rev0 + len(acks), "a write nobody acknowledged, or a lost one"
    rev_of = {}
    for i, entry in enumerate(new_log):
        assert entry["action"] == "set_value"
        rev_of[(entry["target"]["unit"], entry["new"]["v"])] = rev0 + i + 1
    for a in acks:
        rev = rev_of.pop((a["unit"], a["new"]))  # KeyError: an acknowledged edit is missing from the file
        if a["via"] == "api":
            assert a["rev"] == rev, a
        a["rev"] = rev
    assert not rev_of

    # Replay in revision order: each edit was based on the value current at its turn.
    state = {k: value_in(base, *k) for k in KEYS}
    states = {rev0: dict(state)}
    for a in sorted(acks, key=lambda a: a["rev"]):
        key = (a["unit"], a["ind"])
        assert state[key] == a["expect"], f"edit {a} overwrote {state[key]} it had not seen"
        assert a["read_rev"] < a["rev"]
        state[key] = a["new"]
        states[a["rev"]] = dict(state)
    assert sorted(states) == list(range(rev0, rev0 + len(acks) + 1))
    assert {k: value_in(final, *k) for k in KEYS} == state
    snap = Store(db).snapshot()
    assert snap.revision == rev0 + len(acks)
    assert {k: snap.reading(*k, YEAR).value for k in KEYS} == state

    # Each refusal was a real conflict: the value read was current at its revision, and someone
    # changed that key after it was read.
    for c in conflicts:
        key = (c["unit"], c["ind"])
        assert states[c["read_rev"]][key] == c["expect"], c
        assert any(a["rev"] > c["read_rev"] and (a["unit"], a["ind"]) == key for a in acks), c
        if c["via"] == "cli":
            line = one_line(c["stderr"])
            assert "Xung đột" in line and format_number(c["expect"]) in line

    # The reader never saw invalid JSON or an unbuildable store, only states of the model.
    seen = reader_ev.read()
    assert seen[-1]["ev"] == "done" and seen[-1]["reads"] > 10
    assert not [e for e in seen if e["ev"] == "bad"], [e for e in seen if e["ev"] == "bad"][:3]
    revs = [e["rev"] for e in seen if e["ev"] == "seen"]
    assert revs == sorted(revs), "the revision went backwards"
    assert len(set(revs)) > 5, "the reader saw too few states to prove anything"
    for e in seen:
        if e["ev"] == "seen":
            assert e["vals"] == [states[e["rev"]][k] for k in KEYS], e

    # A real `ccb-tui set --expect STALE` process: exit 4, one line naming both values, nothing written.
    before = sha(db)
    stale = acks[0]["expect"]
    unit, ind = KEYS[0]
    assert state[KEYS[0]] != stale
    proc = cli_process(["set", unit, ind, "12", "--expect", format_number(stale), "--year", str(YEAR),
                        "--db", str(db)])
    assert proc.returncode == 4, proc.stderr
    line = one_line(proc.stderr)
    assert format_number(stale) in line and format_number(state[KEYS[0]]) in line
    assert sha(db) == before
