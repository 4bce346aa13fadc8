"""Damaged and foreign store files, including very large ones, through the Store API and the CLI.

tests/core/test_store.py already refuses a long list of small damaged files through every Store
method; this adds very large files (50 MB of valid JSON that is not a ccb-tui store, a 20 MB
deeply nested array, a 20 MB store truncated half-way) and the command line: exit 5, one line on
stderr naming the file, the file byte-identical afterwards.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Callable

import pytest

from ccb_tui.core.domain.errors import StoreCorrupt
from ccb_tui.core.store.seed import seed_path
from ccb_tui.core.store.store import Store
from relhelp import YEAR, cli_in_process, cli_process, one_line

pytestmark = pytest.mark.timeout(180)

SEED = seed_path().read_bytes()
MB = 1_000_000


def _with_meta(**changes: object) -> bytes:
    data = json.loads(SEED)
    data["meta"]["1"].update(changes)
    return json.dumps(data, ensure_ascii=False).encode()


@functools.lru_cache(maxsize=None)
def _foreign_50mb() -> bytes:
    """Valid JSON, a TinyDB file even, 50 MB of it: but not ours."""
    doc = b'{"name": "Nguy\\u1ec5n V\\u0103n A", "text": "' + b"x" * 9_950 + b'"}'
    body = b",".join(b'"%d": %s' % (i, doc) for i in range(1, 5_001))
    raw = b'{"_default": {' + body + b"}}"
    assert len(raw) >= 50 * MB
    return raw


@functools.lru_cache(maxsize=None)
def _nested_20mb() -> bytes:
    return b"[" * (10 * MB) + b"]" * (10 * MB)


@functools.lru_cache(maxsize=None)
def _big_store_truncated() -> bytes:
    """A real 20 MB store (long task notes) cut in the middle, as a torn write would leave it."""
    data = json.loads(SEED)
    note = "Cựu chiến binh gương mẫu. " * 4_000
    for k in range(200):
        data["tasks"][str(100 + k)] = {"year": 2021, "title": f"Nhiệm vụ {k}", "note": note, "statuses": {}}
    raw = json.dumps(data, ensure_ascii=False).encode()
    assert len(raw) > 20 * MB
    return raw[: len(raw) // 2]


CASES: dict[str, Callable[[], bytes]] = {
    "empty": lambda: b"",
    "truncated": lambda: SEED[: len(SEED) // 2],
    "trailing-garbage": lambda: SEED + b"\n}garbage",
    "nul-filled": lambda: b"\x00" * 65_536,
    "not-utf8": lambda: SEED.replace("Krông".encode(), "Krông".encode("cp1258")),
    "not-an-object": lambda: b'[{"app": "ccb-tui"}]',
    "wrong-schema": lambda: _with_meta(schema=2),
    "other-app": lambda: _with_meta(app="qlhv"),
    "foreign-50MB": _foreign_50mb,
    "nested-array-20MB": _nested_20mb,
    "truncated-store-20MB": _big_store_truncated,
}
LARGE = {"foreign-50MB", "nested-array-20MB", "truncated-store-20MB"}
# A few run as real processes too: no traceback, the real exit status.
AS_PROCESS = LARGE | {"truncated", "not-utf8"}


@pytest.fixture(params=list(CASES))
def bad_db(request: pytest.FixtureRequest, db_path: Path) -> tuple[str, Path]:
    db_path.write_bytes(CASES[request.param]())
    return request.param, db_path


def _assert_names_file(msg: str, db: Path) -> None:
    assert str(db) in msg, msg
    assert "\n" not in msg and "Traceback" not in msg


def test_store_api_refuses_and_leaves_file(bad_db: tuple[str, Path], sha) -> None:
    case, db = bad_db
    before = sha(db)
    size = db.stat().st_size
    store = Store(db, user="tester", lock_timeout=2)
    for attempt in (store.snapshot, lambda: store.set_value("krong_no", "workdays", YEAR, 151)):
        with pytest.raises(StoreCorrupt) as ei:
            attempt()
        assert ei.value.exit_code == 5 and ei.value.path == db
        for lang in ("vi", "en"):
            _assert_names_file(ei.value.text(lang), db)
        assert len(ei.value.text("en")) < 2_000, "the message quotes the file instead of naming it"
    assert sha(db) == before and db.stat().st_size == size


@pytest.mark.parametrize("argv", [["summary"], ["set", "krong_no", "workdays", "151", "--year", str(YEAR)],
                                  ["task", "set", "1", "krong_no", "xong"]], ids=["summary", "set", "task-set"])
def test_cli_refuses_with_one_line(bad_db: tuple[str, Path], sha, argv: list[str]) -> None:
    case, db = bad_db
    before = sha(db)
    code, out, err = cli_in_process([*argv, "--db", str(db)])
    assert code == 5, err
    assert not out
    _assert_names_file(one_line(err), db)
    assert sha(db) == before


@pytest.mark.parametrize("case", sorted(AS_PROCESS))
def test_cli_process_refuses(db_path: Path, sha, case: str) -> None:
    db_path.write_bytes(CASES[case]())
    before = sha(db_path)
    proc = cli_process(["set", "krong_no", "workdays", "151", "--year", str(YEAR), "--db", str(db_path)])
    assert proc.returncode == 5, proc.stderr[-2000:]
    assert not proc.stdout
    _assert_names_file(one_line(proc.stderr), db_path)
    assert sha(db_path) == before
