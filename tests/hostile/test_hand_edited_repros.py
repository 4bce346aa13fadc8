"""The hand-edited stores that crashed (a traceback) or misled instead of giving exit 5.

Each case failed before the store checked documents' shapes when building the snapshot:
``retired_from: "soon"`` was a TypeError in summary, check, set, export and the TUI; a value of
10**40 a ``decimal.InvalidOperation``; two unit documents with one code a ``DuplicateKey`` in the
TUI; a second record for one unit and year passed ``check`` while ``set`` reported a change that
``summary`` did not show. Now each is refused with exit 5 naming the record and the field (the TUI
shows its store error screen). Duplicates are refused at load rather than loaded and reported by
``check``: no edit can then silently target one of two documents.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import json
from pathlib import Path
from typing import Any, Callable

import pytest

from ccb_tui.cli import main
from ccb_tui.core.store import Store

YEAR = "2020"


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def edited(db_path: Path) -> Callable[[Callable[[dict[str, Any]], None]], Path]:
    """Make the seed store, then hand-edit its JSON with ``change``."""
    Store(db_path, user="tester")
    seed = json.loads(db_path.read_bytes())

    def make(change: Callable[[dict[str, Any]], None]) -> Path:
        data = copy.deepcopy(seed)
        change(data)
        db_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return db_path

    return make


def _record_id(data: dict[str, Any], unit: str) -> str:
    return next(k for k, r in data["records"].items() if r["unit"] == unit and r["year"] == 2020)


def _unit_id(data: dict[str, Any], unit: str) -> str:
    return next(k for k, u in data["units"].items() if u["code"] == unit)


COMMANDS = [["summary"], ["check"], ["set", "nam_ka", "workdays", "151", "--year", YEAR],
            ["export", "-o", "{tmp}/out.json", "--format", "json"], ["task", "list"], ["unit", "list"]]


def _all_refused(db: Path, tmp_path: Path, *needles: str) -> None:
    before = hashlib.sha256(db.read_bytes()).digest()
    for argv in COMMANDS:
        argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
        code, out, err = _run([*argv, "--db", str(db)])
        assert code == 5, (argv, code, out, err)
        line = err.strip()
        assert "\n" not in line and str(db) in line, err
        for needle in needles:
            assert needle in line, (needle, line)
        code, _, err_en = _run(["--lang", "en", *argv, "--db", str(db)])
        assert code == 5 and "has a malformed record: record" in err_en, err_en
        assert hashlib.sha256(db.read_bytes()).digest() == before


def test_retired_from_text(edited, tmp_path: Path) -> None:
    ids: dict[str, str] = {}

    def change(d: dict[str, Any]) -> None:
        ids["u"] = _unit_id(d, "krong_no")
        d["units"][ids["u"]]["retired_from"] = "soon"

    db = edited(change)
    _all_refused(db, tmp_path, f"bản ghi units/{ids['u']} (krong_no)", "trường retired_from = “soon”",
                 "không phải một năm")


def test_number_beyond_any_limit(edited, tmp_path: Path) -> None:
    ids: dict[str, str] = {}

    def change(d: dict[str, Any]) -> None:
        ids["r"] = _record_id(d, "nam_ka")
        d["records"][ids["r"]]["values"]["members"]["v"] = 10**40

    db = edited(change)
    _all_refused(db, tmp_path, f"bản ghi records/{ids['r']} (nam_ka 2020): trường values.members.v = 1e40 vượt giới hạn")


def test_two_units_with_one_code(edited, tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["units"]["99"] = copy.deepcopy(d["units"][_unit_id(d, "krong_no")])

    db = edited(change)
    _all_refused(db, tmp_path, "bản ghi units/99 (krong_no): trường code trùng với bản ghi units/")


def test_two_records_for_one_unit_and_year(edited, tmp_path: Path) -> None:
    """Before: check passed it and set changed one record while summary showed the other."""
    def change(d: dict[str, Any]) -> None:
        dup = copy.deepcopy(d["records"][_record_id(d, "nam_ka")])
        dup["values"]["workdays"]["v"] = 999
        d["records"]["99"] = dup

    db = edited(change)
    _all_refused(db, tmp_path, "bản ghi records/99 (nam_ka 2020): trùng với bản ghi records/")


def test_still_loads_what_check_should_report(edited, tmp_path: Path) -> None:
    """Doubtful but well-formed values load; check reports them (exit 6) instead of a refusal."""
    def change(d: dict[str, Any]) -> None:
        r = d["records"][_record_id(d, "nam_ka")]
        r["values"]["members"]["v"] = 10**14  # above the indicator's sensible bound, below STORED_LIMIT
        r["values"]["workdays"]["v"] = -5

    db = edited(change)
    code, out, _ = _run(["check", "--db", str(db)])
    assert code == 6 and "số âm" in out
    assert _run(["summary", "--db", str(db)])[0] == 0


@pytest.mark.parametrize("case", ["retired", "duplicate unit", "huge", "bad settings", "log entry"])
async def test_tui_shows_the_store_error_screen(edited, case: str) -> None:
    from ccb_tui.ui.app import create_app
    from ccb_tui.ui.screens.error import StoreErrorScreen
    from textual.widgets import Static

    def change(d: dict[str, Any]) -> None:
        if case == "retired":
            d["units"][_unit_id(d, "krong_no")]["retired_from"] = "soon"
        elif case == "duplicate unit":
            d["units"]["99"] = copy.deepcopy(d["units"][_unit_id(d, "krong_no")])
        elif case == "huge":
            d["records"][_record_id(d, "nam_ka")]["values"]["members"]["v"] = 1e308
        elif case == "bad settings":
            d["meta"]["1"]["settings"]["open_years"] = "2020"
        else:
            d["log"]["1"] = "oops"

    db = edited(change)
    app = create_app(db, poll=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StoreErrorScreen)
        message = str(app.screen.query_one("#error-message", Static).render())
        assert str(db.name) in message and "bản ghi" in message, message
    assert app._exception is None
