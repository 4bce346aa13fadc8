"""Times in the cluster's time zone: the store keeps UTC, people read dd/mm/yyyy HH:MM local time.

The fixed time 2026-03-31T18:30:00+00:00 is 01/04/2026 01:30 in Hanoi: a day later, so every
view that still showed UTC (or filtered on the UTC day) fails here.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from ccb_tui import cli
from ccb_tui.core.store import audit, backups
from ccb_tui.core.domain import clock
from ccb_tui.core.store.store import Store

LATE = "2026-03-31T18:30:00+00:00"  # 01/04/2026 01:30 in Asia/Ho_Chi_Minh
EARLY = "2026-03-31T16:59:00+00:00"  # 31/03/2026 23:59 there


def test_local_time_helpers() -> None:
    assert clock.local_time(LATE, "Asia/Ho_Chi_Minh") == "01/04/2026 01:30"
    assert clock.local_time(LATE, None) == "01/04/2026 01:30"  # the default zone is the cluster's
    assert clock.local_time(LATE, "Europe/Paris") == "31/03/2026 20:30"
    assert clock.local_time(LATE, "Asia/Ho_Chi_Minh", clock.SHORT) == "01/04/26 01:30"
    assert clock.local_date(LATE, "Asia/Ho_Chi_Minh") == date(2026, 4, 1)
    assert clock.local_iso(LATE, "Asia/Ho_Chi_Minh") == "2026-04-01T01:30:00+07:00"
    assert clock.local_time("not a time", None) == "not a time"
    assert clock.local_time(LATE, "No/Such_Zone") == "01/04/2026 01:30"  # unknown: the default zone
    assert clock.day_start(date(2026, 4, 1), "Asia/Ho_Chi_Minh").isoformat() == "2026-04-01T00:00:00+07:00"


@pytest.fixture
def late_store(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store with one change at EARLY (31/03 local) and one at LATE (01/04 local)."""
    import ccb_tui.core.store.figures as figures_mod
    import ccb_tui.core.store.store as store_mod
    times = iter([EARLY, EARLY, LATE, LATE])
    for mod in (figures_mod, store_mod):  # the figure's own stamp, then its log entry's
        monkeypatch.setattr(mod, "now_iso", lambda: next(times))
    s = Store(db_path, user="alice")
    s.set_value("krong_no", "members", 2020, 121)
    s.set_value("nam_ka", "members", 2020, 111)
    monkeypatch.undo()
    return db_path


def test_log_text_shows_local_time(late_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["log", "--db", str(late_store)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "31/03/2026 23:59" in out[0] and "01/04/2026 01:30" in out[1]
    assert "18:30" not in "\n".join(out)


def test_log_json_keeps_iso_with_the_local_offset(late_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["log", "--json", "--db", str(late_store)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["at"] for r in rows] == ["2026-03-31T23:59:00+07:00", "2026-04-01T01:30:00+07:00"]
    # the file keeps UTC
    stored = json.loads(late_store.read_text(encoding="utf-8"))["log"]
    assert sorted(d["at"] for d in stored.values()) == [EARLY, LATE]


def test_since_reads_a_local_day(late_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    entries = Store(late_store).log_entries()
    assert [e.at for e in audit.filter_entries(entries, since=date(2026, 4, 1), tz="Asia/Ho_Chi_Minh")] == [LATE]
    assert len(audit.filter_entries(entries, since=date(2026, 3, 31), tz="Asia/Ho_Chi_Minh")) == 2
    assert cli.main(["log", "--since", "1/4/2026", "--db", str(late_store)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and "Xã Nam Ka" in out[0]
    # another zone: both changes were on 31/03 in Paris
    Store(late_store).set_setting("timezone", "Europe/Paris")
    capsys.readouterr()
    assert cli.main(["log", "--since", "1/4/2026", "--db", str(late_store)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert not any("Nam Ka" in line for line in out)


def test_report_since_reads_a_local_day(late_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["report", "--year", "2020", "--since", "1/4/2026", "-o", "-", "--db", str(late_store)]) == 0
    section = capsys.readouterr().out.split("## Thay đổi từ ngày 01/04/2026", 1)[1]
    assert "Xã Nam Ka" in section and "Xã Krông Nô" not in section


def test_backup_labels_in_local_time(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Store(db_path)
    name = f"{db_path.name}.20260331T183000000000Z.r5.manual.json"
    b = backups.parse_name(Path(name))
    assert b is not None and b.label("Asia/Ho_Chi_Minh") == "r5 · 01/04/2026 01:30 · manual"
    folder = backups.backup_dir(db_path)
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(db_path.read_bytes())
    capsys.readouterr()
    assert cli.main(["backup", "--list", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "r5 · 01/04/2026 01:30 · manual" in out and "UTC" not in out
