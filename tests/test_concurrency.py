"""Several processes on one store file: no lost edits, exactly one winner per conflict, no torn file.

These tests start real processes (multiprocessing and subprocess) and kill writers with SIGKILL.
"""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing as mp
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ccb_tui.core.store import store as store_mod
from ccb_tui.core.store.store import Store

pytestmark = [pytest.mark.timeout(180), pytest.mark.skipif(sys.platform == "win32", reason="POSIX only")]

CTX = mp.get_context("fork")
UNITS = ["krong_no", "nam_ka", "ea_rbin", "lien_son"]
INDICATORS = ["branches", "members", "new_members", "fund", "loans"]
WORKERS, EDITS = 4, 25
BARRIER_TIMEOUT = 60


def _quiet_main(argv: list[str]) -> tuple[int, str]:
    from ccb_tui import cli

    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, err.getvalue()


def _target_worker(db: str, worker: int, barrier, results) -> None:
    barrier.wait(BARRIER_TIMEOUT)
    codes = []
    for j in range(EDITS):
        # 25 edits over 5 keys: each key is written 5 times, the last write being j = 20..24.
        argv = ["target", UNITS[worker], INDICATORS[j % len(INDICATORS)], str(j + 1), "--year", "2021", "--db", db]
        codes.append(_quiet_main(argv))
    results.put((worker, codes))


def test_concurrent_edits_lose_nothing(db_path: Path) -> None:
    Store(db_path)
    barrier = CTX.Barrier(WORKERS)
    results = CTX.Queue()
    procs = [CTX.Process(target=_target_worker, args=(str(db_path), w, barrier, results)) for w in range(WORKERS)]
    for p in procs:
        p.start()
    got = dict(results.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    for worker, codes in got.items():
        assert codes == [(0, "")] * EDITS, (worker, [c for c in codes if c[0]])

    data = json.loads(db_path.read_bytes())  # valid JSON
    s = Store(db_path)
    snap = s.snapshot()
    for w, unit in enumerate(UNITS):
        for i, ind in enumerate(INDICATORS):
            last_j = max(j for j in range(EDITS) if j % len(INDICATORS) == i)
            assert snap.target(unit, ind, 2021).value == last_j + 1, (unit, ind)
    log = s.log_entries()
    assert len(log) == WORKERS * EDITS
    assert all(e.action == "set_target" for e in log)
    assert snap.revision == WORKERS * EDITS
    assert data["meta"]["1"]["revision"] == WORKERS * EDITS
    # Each worker's own writes appear in its order.
    for unit in UNITS:
        mine = [e.new for e in log if e.target["unit"] == unit]
        assert mine == list(range(1, EDITS + 1))
    assert not [n for n in os.listdir(db_path.parent) if n.endswith(".tmp")]


def test_concurrent_cli_processes(db_path: Path) -> None:
    """Real `python -m ccb_tui set` processes started at once on a missing store: it is created once
    from the seed, and every edit lands."""
    assert not db_path.exists()
    jobs = []
    for unit in UNITS:
        for ind, value in (("houses_built", "3"), ("workdays", "111")):
            jobs.append((unit, ind, value))
    procs = [subprocess.Popen([sys.executable, "-m", "ccb_tui", "set", unit, ind, value, "--year", "2020",
                               "--db", str(db_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for unit, ind, value in jobs]
    created = 0
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        created += str(db_path) in err  # "Đã tạo tệp dữ liệu mới từ dữ liệu mẫu: PATH"
    assert created == 1
    snap = Store(db_path).snapshot()
    for unit, ind, value in jobs:
        assert snap.reading(unit, ind, 2020).value == int(value)
    assert snap.revision == len(jobs)
    assert len(Store(db_path).log_entries()) == len(jobs)


RACERS, ROUNDS = 4, 6


def _race_worker(db: str, worker: int, barrier, results) -> None:
    for r in range(ROUNDS):
        barrier.wait(BARRIER_TIMEOUT)  # the previous round is over
        old = Store(db).snapshot().reading("krong_no", "members", 2020).value
        barrier.wait(BARRIER_TIMEOUT)  # everyone has read the same value
        new = 200 + 10 * r + worker
        code, err = _quiet_main(["set", "krong no", "members", str(new), "--expect", str(old),
                                 "--year", "2020", "--db", db])
        results.put((r, worker, old, new, code, err))
    barrier.wait(BARRIER_TIMEOUT)


def test_conditional_edit_race_has_one_winner(db_path: Path) -> None:
    Store(db_path)
    barrier = CTX.Barrier(RACERS)
    results = CTX.Queue()
    procs = [CTX.Process(target=_race_worker, args=(str(db_path), w, barrier, results)) for w in range(RACERS)]
    for p in procs:
        p.start()
    rows = [results.get(timeout=120) for _ in range(RACERS * ROUNDS)]
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    expected_old = 120
    for r in range(ROUNDS):
        this = [row for row in rows if row[0] == r]
        assert len(this) == RACERS
        assert {row[2] for row in this} == {expected_old}
        winners = [row for row in this if row[4] == 0]
        losers = [row for row in this if row[4] != 0]
        assert len(winners) == 1, this
        assert {row[4] for row in losers} == {4}
        for row in losers:
            assert row[5].count("\n") == 1 and "Traceback" not in row[5]
            assert str(expected_old) in row[5] and str(winners[0][3]) in row[5]
        expected_old = winners[0][3]
    snap = Store(db_path).snapshot()
    assert snap.reading("krong_no", "members", 2020).value == expected_old
    assert snap.revision == ROUNDS
    assert len(Store(db_path).log_entries()) == ROUNDS


# --- a writer killed at random moments ---------------------------------------------------------------------

KILLS = 24
N_TASKS, N_LOG = 60, 170
NOTE = "Cựu chiến binh gương mẫu, đoàn kết, đổi mới. " * 200  # ~10 KB


def _writer_loop(db: str, start: int, ready) -> None:
    """Edit forever: targets, and now and then a task note of a random length (the size changes)."""
    rng = random.Random(start)
    s = Store(db, user="killed", lock_timeout=30)
    ready.set()
    i = start
    while True:
        i += 1
        if i % 4 == 0:
            s.edit_task(1, note="ghi chú " * rng.randint(1, 5000))
        else:
            s.set_target("krong_no", "members", 2021, i)


def _inflate(db_path: Path) -> int:
    """Make the store a few MB: tasks with long Vietnamese notes and a long history of note edits."""
    Store(db_path)
    data = json.loads(db_path.read_bytes())
    for k in range(N_TASKS):
        data["tasks"][str(100 + k)] = {"year": 2021, "title": f"Nhiệm vụ thử {k}", "note": NOTE, "statuses": {}}
    for k in range(1, N_LOG + 1):
        data["log"][str(k)] = {"at": "2021-01-01T00:00:00+00:00", "user": "seed", "action": "edit_task",
                               "target": {"task": 100}, "old": {"title": "x", "note": NOTE}, "new": {"note": NOTE}}
    data["meta"]["1"]["revision"] = N_LOG
    store_mod.atomic_write(db_path, store_mod.dump_json_bytes(data))
    assert db_path.stat().st_size > 3_000_000
    return len(data["tasks"])


def test_killed_writer_never_tears_the_file(db_path: Path) -> None:
    n_tasks = _inflate(db_path)
    rng = random.Random(20201231)
    last_rev = Store(db_path).revision()
    first_rev = last_rev
    mid_write_kills = 0
    for k in range(KILLS):
        ready = CTX.Event()
        proc = CTX.Process(target=_writer_loop, args=(str(db_path), 1000 * (k + 1), ready), daemon=True)
        proc.start()
        try:
            assert ready.wait(30)
            time.sleep(rng.uniform(0.0, 0.6))
        finally:
            proc.kill()  # SIGKILL: no cleanup handlers, no finally blocks
            proc.join(10)
        assert proc.exitcode == -signal.SIGKILL

        # A kill between mkstemp and rename leaves a hidden temp file; the next open removes it.
        mid_write_kills += sum(1 for n in os.listdir(db_path.parent) if n.endswith(".tmp"))
        # The file is always a complete state: valid JSON, a store that opens, and its parts agree.
        data = json.loads(db_path.read_bytes())
        s = Store(db_path)
        assert not [n for n in os.listdir(db_path.parent) if n.endswith(".tmp")]
        snap = s.snapshot()
        log = s.log_entries()
        assert snap.revision == len(log)  # each write bumps the revision and logs once, atomically
        assert snap.revision >= last_rev
        last_rev = snap.revision
        assert data["meta"]["1"]["revision"] == snap.revision
        assert len(snap.tasks) == n_tasks
        targets = [e for e in log if e.action == "set_target"]
        if targets:
            assert snap.target("krong_no", "members", 2021).value == targets[-1].new
        notes = [e for e in log[N_LOG:] if e.action == "edit_task"]
        if notes:
            assert snap.task(1).note == notes[-1].new["note"]

    assert last_rev > first_rev, "the writer never got to write: the test proves nothing"
    print(f"{KILLS} kills, {mid_write_kills} of them mid-write (temp file left, then cleaned up)")
    # After all that, an ordinary edit still works (the lock died with its holders).
    Store(db_path, lock_timeout=2).set_target("krong_no", "members", 2021, 1)
    assert Store(db_path).snapshot().target("krong_no", "members", 2021).value == 1
