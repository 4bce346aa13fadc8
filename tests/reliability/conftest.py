"""Fixtures of the reliability suite (helpers that are not fixtures live in ``relhelp``)."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable

import pytest

from ccb_tui.core.store.store import Store, dump_json_bytes

NOTE = "Cựu chiến binh gương mẫu, đoàn kết, đổi mới, sáng tạo. " * 180  # ~10 KB of Vietnamese text
BIG_TASKS, BIG_LOG = 60, 120


@pytest.fixture(scope="session")
def big_store_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A valid store of a few megabytes: the seed plus long task notes and a long audit log."""
    path = tmp_path_factory.mktemp("big") / "ccb.json"
    Store(path)
    data = json.loads(path.read_bytes())
    for k in range(BIG_TASKS):
        data["tasks"][str(100 + k)] = {"year": 2021, "title": f"Nhiệm vụ thử {k}", "note": NOTE, "statuses": {}}
    for k in range(1, BIG_LOG + 1):
        data["log"][str(k)] = {"at": "2021-01-01T00:00:00+00:00", "user": "seed", "action": "edit_task",
                               "target": {"task": 100}, "old": {"title": "x", "note": NOTE}, "new": {"note": NOTE}}
    data["meta"]["1"]["revision"] = BIG_LOG
    raw = dump_json_bytes(data)
    assert len(raw) > 3_000_000
    return raw


@pytest.fixture
def big_db(db_path: Path, big_store_bytes: bytes) -> Path:
    """``db_path`` holding the multi-megabyte store."""
    db_path.write_bytes(big_store_bytes)
    return db_path


@pytest.fixture
def seeded_db(db_path: Path) -> Path:
    """``db_path`` created from the seed."""
    Store(db_path, user="tester")
    return db_path


@pytest.fixture
def events(tmp_path: Path) -> Callable[[str], Any]:
    """A factory of event files in the test's tmp folder: ``events("writer-3")``."""
    from relhelp import Events

    folder = tmp_path / "events"
    folder.mkdir(exist_ok=True)
    return lambda name: Events(folder / f"{name}.jsonl")


@pytest.fixture
def open_dir() -> Path:
    """A fresh folder under the system temp dir that every user may enter (mode 0755).

    pytest's own tmp folders sit below a 0700 folder of the user running the tests, which a
    second OS user could never reach.
    """
    folder = Path(tempfile.mkdtemp(prefix="ccb-rel-"))
    folder.chmod(0o755)
    yield folder
    for sub in folder.rglob("*"):  # undo any chmod that would stop the clean-up
        if sub.is_dir() and not sub.is_symlink():
            sub.chmod(0o755)
    shutil.rmtree(folder, ignore_errors=True)
