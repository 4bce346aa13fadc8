"""When the store fails the dashboard: a failed write says why beside the field and keeps the
input, a store damaged while open keeps the last good figures, and a store that cannot be
opened gives a readable screen.

Assertions are on the store (what is on disk), on the messages the user sees (notifications and
the error lines beside fields) and on the widgets' data, not only on pixels. The seed store opens
on 2020, whose cluster totals the source gives (438 members, 24 new members, ...); per-unit
figures are sample data until edited.
"""

from __future__ import annotations

import errno
import json
import os
import sys
from pathlib import Path

import filelock
import pytest
from textual.widgets import Input

from ccb_tui.core.store import store as store_module
from ccb_tui.core.store.store import Store
from ccb_tui.ui.app import create_app
from ccb_tui.ui.screens.dashboard import DashboardScreen
from ccb_tui.ui.screens.error import StoreErrorScreen

from dashboard_helpers import _colour  # noqa: F401 - autouse: the default theme
from dashboard_helpers import (
    SIZE, cells, dialog_error, keybar, notes, open_cell, reading, screen_text, seeded, static_text,
)


# --- failed writes: a clear message beside the field, the input kept ------------------------

class _OsWith:
    """``os`` for ccb_tui.core.store only, with some functions replaced."""

    def __init__(self, **replaced: object) -> None:
        self.__dict__.update(replaced)

    def __getattr__(self, name: str) -> object:
        return getattr(os, name)


def _fails(code: int):  # noqa: ANN202
    def fail(*_args: object, **_kwargs: object) -> None:
        raise OSError(code, os.strerror(code))
    return fail


def _writer_module():  # noqa: ANN202
    """The module whose ``os`` the store's atomic write uses (ccb_tui.core.store, or the helper
    module it re-exports ``atomic_write`` from)."""
    return sys.modules[store_module.atomic_write.__module__]


def _break(kind: str, monkeypatch: pytest.MonkeyPatch, app, path: Path):  # noqa: ANN001, ANN202
    """Make the next write fail; returns a function that repairs it."""
    if kind == "disk full (rename)":
        monkeypatch.setattr(_writer_module(), "os", _OsWith(replace=_fails(errno.ENOSPC)))
        return monkeypatch.undo
    if kind == "disk full (fsync)":
        monkeypatch.setattr(_writer_module(), "os", _OsWith(fsync=_fails(errno.ENOSPC)))
        return monkeypatch.undo
    if kind == "permission denied":
        monkeypatch.setattr(_writer_module(), "os", _OsWith(replace=_fails(errno.EACCES)))
        return monkeypatch.undo
    if kind == "lock timeout":
        lock = filelock.FileLock(str(path) + ".lock", timeout=1)
        lock.acquire()  # another session holds the lock
        app.write_patience = 0.3  # the save waits this long for the lock (the screen stays live)
        return lock.release
    if kind == "corrupt file":
        good = path.read_bytes()
        path.write_bytes(b'{"meta": {"1": {"app": "ccb-tui", "sch')
        return lambda: path.write_bytes(good)
    raise AssertionError(kind)


@pytest.mark.parametrize(("kind", "message"), [
    ("disk full (rename)", "ổ đĩa đầy"),
    ("disk full (fsync)", "ổ đĩa đầy"),
    ("permission denied", "không có quyền"),
    ("lock timeout", "đang bị một phiên khác khóa"),
    ("corrupt file", "không phải JSON hợp lệ"),
])
async def test_a_failed_write_shows_why_and_keeps_the_input(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sha, tmp_leftovers, kind: str, message: str) -> None:  # noqa: ANN001
    path = seeded(tmp_path)
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_cell(pilot, "krong_no", "members")
        dialog.query_one("#value", Input).value = "130"
        repair = _break(kind, monkeypatch, app, path)
        before = sha(path)
        await pilot.press("enter")
        await pilot.pause()
        if kind == "lock timeout":  # the save waits (the screen below says so), then gives up
            assert "đang chờ… (người khác đang ghi)" in static_text(app.screen_stack[-2], "KeyBar")
            while app._writes:
                await pilot.pause(0.05)
            await pilot.pause()
        assert app.screen is dialog
        error = dialog_error(dialog)
        assert message in error and "ccb.json" in error, error
        assert dialog.query_one("#value", Input).value == "130"
        assert sha(path) == before and tmp_leftovers(tmp_path) == []
        assert app.undo_stack == [] and not any(n.startswith("Đã lưu") for n in notes(app))
        repair()
        await pilot.press("enter")  # the same form, tried again once the cause is gone
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen), dialog_error(dialog)
        assert reading(path, "krong_no", "members").value == 130
        assert cells(app, "totals", "members")[1] == "448"


async def test_a_store_damaged_while_open_keeps_the_last_good_figures(tmp_path: Path) -> None:
    path = seeded(tmp_path)
    app = create_app(path, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        good = path.read_bytes()
        path.write_bytes(b"\x00\x00\x00")
        app.check_store()
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert cells(app, "totals", "members")[1] == "438"
        assert any("byte NUL" in n for n in notes(app, "error"))
        path.write_bytes(good)
        Store(path).set_value("krong_no", "members", 2020, 121)
        app.check_store()
        await pilot.pause()
        assert cells(app, "totals", "members")[1] == "439"


# --- a store that cannot be opened ----------------------------------------------------------

def _meta_schema_99(path: Path) -> None:
    Store(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    next(iter(data["meta"].values()))["schema"] = 99
    path.write_text(json.dumps(data), encoding="utf-8")


def _unit_without_periods(path: Path) -> None:
    Store(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    next(iter(data["units"].values()))["periods"] = []
    path.write_text(json.dumps(data), encoding="utf-8")


STORE_ERRORS = {
    "invalid JSON": (lambda p: p.write_text('{"meta": ', encoding="utf-8"), {}, "không phải JSON hợp lệ"),
    "not a ccb-tui store": (lambda p: p.write_text('{"_default": {}}', encoding="utf-8"), {},
                            "không phải dữ liệu của ccb-tui"),
    "newer schema": (_meta_schema_99, {}, "lược đồ phiên bản 99"),
    "malformed record": (_unit_without_periods, {}, "có bản ghi sai dạng"),
    "a folder": (lambda p: p.mkdir(), {}, "Không đọc được"),
    "missing, read-only": (lambda p: None, {"read_only": True}, "Không có tệp dữ liệu"),
    "missing, meeting": (lambda p: None, {"meeting": True}, "Không có tệp dữ liệu"),
}


@pytest.mark.parametrize("case", list(STORE_ERRORS))
async def test_a_store_that_cannot_be_opened_gives_a_readable_screen(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sha, case: str) -> None:  # noqa: ANN001
    make, kwargs, message = STORE_ERRORS[case]
    monkeypatch.chdir(tmp_path)
    path = Path("ccb.json")
    make(path)
    before = sha(path) if path.is_file() else None
    app = create_app(path, poll=False, **kwargs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StoreErrorScreen)
        shown = screen_text(app)
        assert "Không mở được dữ liệu" in shown and "Nhấn q để thoát." in shown
        text = static_text(app.screen, "#error-message")
        assert message in text and "ccb.json" in text, text
        assert "Traceback" not in shown
        assert keybar(app).split() == ["q", "Thoát", "?", "Trợ", "giúp"]  # no screen to go to
        await pilot.press("d", "u", "t", "m", "y", "e", "z")
        await pilot.pause()
        assert isinstance(app.screen, StoreErrorScreen)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert app.open_error is not None and app.open_error.exit_code == 5
    if before is None:
        assert not path.exists() or path.is_dir()  # a read-only session creates nothing
        assert sorted(os.listdir(tmp_path)) == ([] if case.startswith("missing") else ["ccb.json"])
    else:
        assert sha(path) == before  # left untouched
