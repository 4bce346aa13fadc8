"""Audit log, undo, rolling backups and restore."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from ccb_tui import cli
from ccb_tui.core.store import audit, backups
from ccb_tui.core.domain.errors import ConflictError, InvalidValue, StoreCorrupt
from ccb_tui.core.domain.models import TaskState
from ccb_tui.core.store.store import Store

CONTENT_TABLES = ("clusters", "units", "records", "reported", "tasks")


def content(path: Path) -> dict:
    """The store's data without the log and the revision: what a restore must bring back."""
    data = json.loads(path.read_bytes())
    return {t: data.get(t, {}) for t in CONTENT_TABLES}


# --- audit log -----------------------------------------------------------------------------

def test_every_kind_of_change_is_logged_with_author(db_path: Path) -> None:
    alice = Store(db_path, user="alice")
    bob = Store(db_path, user="bob")
    alice.set_value("krong_no", "members", 2020, 121)
    bob.set_target("nam_ka", "fund", 2021, 70_000_000)
    task_id, _ = alice.add_task(2021, "Thăm hỏi gia đình chính sách")
    bob.set_task_status(task_id, "ea_rbin", TaskState.DOING, note="đang làm")
    alice.edit_task(task_id, note="quý II")
    alice.add_unit("ea_kiet", "Xã Ea Kiết", year=2021)
    bob.rename_unit("lien_son", "TT Liên Sơn", year=2021)
    alice.retire_unit("ea_kiet", year=2022)
    bob.remove_task(task_id)
    log = alice.log_entries()
    assert [(e.user, e.action) for e in log] == [
        ("alice", "set_value"), ("bob", "set_target"), ("alice", "add_task"), ("bob", "set_task_status"),
        ("alice", "edit_task"), ("alice", "add_unit"), ("bob", "rename_unit"), ("alice", "retire_unit"),
        ("bob", "remove_task")]
    assert [e.id for e in log] == list(range(1, 10))
    snap = alice.snapshot()
    assert audit.describe(log[0], snap, "vi") == "Xã Krông Nô · Số hội viên 2020: 120 → 121"
    assert audit.describe(log[0], snap, "en") == "Xã Krông Nô · Members 2020: 120 → 121"
    assert audit.describe(log[1], snap, "vi") == "Xã Nam Ka · chỉ tiêu Quỹ hội 2021: 65 triệu đồng → 70 triệu đồng"


def test_sudo_user_is_the_author(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUDO_USER", "chi_hoa")
    Store(db_path).set_value("krong_no", "members", 2020, 122)
    assert Store(db_path).log_entries()[-1].user == "chi_hoa"


def test_log_filters(db_path: Path) -> None:
    s = Store(db_path, user="u")
    s.set_value("krong_no", "members", 2020, 121)
    s.set_value("nam_ka", "members", 2020, 111)
    entries = s.log_entries()
    assert [e.target["unit"] for e in audit.filter_entries(entries, unit="nam_ka")] == ["nam_ka"]
    assert audit.filter_entries(entries, since=date(2999, 1, 1)) == []
    assert len(audit.filter_entries(entries, since=date(2000, 1, 1))) == 2


def test_cli_log_shows_cli_changes_with_author(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["set", "lien son", "members", "112", "--db", str(db_path)]) == 0
    assert cli.main(["task", "set", "1", "krong no", "xong", "--db", str(db_path)]) == 0
    capsys.readouterr()
    assert cli.main(["log", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2
    user = Store(db_path).user
    assert user in out[0] and "Thị trấn Liên Sơn · Số hội viên 2020: 108 → 112" in out[0]
    assert "chưa thực hiện → hoàn thành" in out[1]
    assert cli.main(["log", "--json", "--unit", "lien son", "--db", str(db_path)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["action"], r["target"]["unit"], r["old"]["v"], r["new"]["v"]) for r in rows] == [
        ("set_value", "lien_son", 108, 112)]
    assert cli.main(["log", "--since", "31/3/2021", "--db", str(db_path)]) == 0
    assert cli.main(["log", "--since", "hôm qua", "--db", str(db_path)]) == 2


# --- undo ----------------------------------------------------------------------------------

def test_undo_walks_back_this_users_changes(db_path: Path) -> None:
    alice = Store(db_path, user="alice")
    bob = Store(db_path, user="bob")
    alice.set_value("krong_no", "members", 2020, 121)
    bob.set_value("nam_ka", "members", 2020, 111)
    alice.set_target("krong_no", "members", 2021, 130)
    alice.undo_last()  # the target
    assert alice.snapshot().target("krong_no", "members", 2021).value == 125
    alice.undo_last()  # the value, not bob's change
    snap = alice.snapshot()
    assert snap.reading("krong_no", "members", 2020).value == 120
    assert snap.reading("nam_ka", "members", 2020).value == 111
    with pytest.raises(InvalidValue):
        alice.undo_last()
    log = alice.log_entries()
    assert [e.action for e in log[-2:]] == ["undo", "undo"] and [e.undoes for e in log[-2:]] == [3, 1]


def test_undo_refused_when_someone_changed_it_since(db_path: Path) -> None:
    alice = Store(db_path, user="alice")
    bob = Store(db_path, user="bob")
    alice.set_value("krong_no", "members", 2020, 121)
    bob.set_value("krong_no", "members", 2020, 125)
    before = db_path.read_bytes()
    with pytest.raises(ConflictError) as err:
        alice.undo_last()
    assert "125" in err.value.msg.vi and "121" in err.value.msg.vi
    assert db_path.read_bytes() == before


@pytest.mark.parametrize("make, check", [
    (lambda s: s.set_task_status(1, "nam_ka", TaskState.DONE, note="xong"),
     lambda snap: snap.task(1).status("nam_ka").state is TaskState.TODO),
    (lambda s: s.add_task(2021, "Nhiệm vụ mới"), lambda snap: len(snap.tasks_for(2021)) == 8),
    (lambda s: s.edit_task(2, title="Tiêu đề khác"),
     lambda snap: snap.task(2).title == "Tiếp tục đổi mới hình thức tổ chức các phong trào thi đua"),
    (lambda s: s.remove_task(3), lambda snap: snap.task(3) is not None and snap.task(3).id == 3),
    (lambda s: s.add_unit("ea_kiet", "Xã Ea Kiết", year=2021), lambda snap: snap.unit("ea_kiet") is None),
    (lambda s: s.rename_unit("ea_rbin", "Xã Ea Rbin", year=2021),
     lambda snap: snap.unit("ea_rbin").name(2021) == "Xã Ea R'Bin"),
    (lambda s: s.retire_unit("nam_ka", year=2021), lambda snap: snap.unit("nam_ka").retired_from is None),
    (lambda s: s.set_value("ea_rbin", "loans", 2020, 1_000_000_000),
     lambda snap: not snap.reading("ea_rbin", "loans", 2020).reported),
    (lambda s: s.set_target("nam_ka", "workdays", 2021, 100),
     lambda snap: snap.target("nam_ka", "workdays", 2021) is None),
])
def test_undo_each_kind(db_path: Path, make, check) -> None:
    s = Store(db_path, user="u")
    make(s)
    assert not check(s.snapshot())  # the change took effect...
    s.undo_last()
    assert check(s.snapshot())  # ...and the undo reverted it
    assert s.log_entries()[-1].action == "undo"


def _change_of(result):  # noqa: ANN001, ANN202 - add_task and open_year return the Change in a tuple
    return next(x for x in result if hasattr(x, "entry_id")) if isinstance(result, tuple) else result


@pytest.mark.parametrize("make, check", [
    (lambda s: s.set_task_status(1, "nam_ka", TaskState.DONE, note="xong"),
     lambda snap: snap.task(1).status("nam_ka").state is TaskState.TODO),
    (lambda s: s.add_task(2021, "Nhiệm vụ mới"), lambda snap: len(snap.tasks_for(2021)) == 8),
    (lambda s: s.edit_task(2, title="Tiêu đề khác"),
     lambda snap: snap.task(2).title == "Tiếp tục đổi mới hình thức tổ chức các phong trào thi đua"),
    (lambda s: s.remove_task(3), lambda snap: snap.task(3) is not None and snap.task(3).id == 3),
    (lambda s: s.rename_unit("ea_rbin", "Xã Ea Rbin", year=2021),
     lambda snap: snap.unit("ea_rbin").name(2021) == "Xã Ea R'Bin"),
    (lambda s: s.set_value("ea_rbin", "loans", 2020, 1_000_000_000),
     lambda snap: not snap.reading("ea_rbin", "loans", 2020).reported),
    (lambda s: s.set_target("nam_ka", "workdays", 2021, 100),
     lambda snap: snap.target("nam_ka", "workdays", 2021) is None),
    (lambda s: s.set_setting("current_year", 2021), lambda snap: snap.settings.current_year == 2020),
])
def test_undo_by_entry_id_in_one_transaction(db_path: Path, make, check) -> None:
    s = Store(db_path, user="u")
    other = Store(db_path, user="v")
    change = _change_of(make(s))
    assert change.entry_id == s.log_entries()[-1].id
    other.set_value("lien_son", "members", 2020, 109)  # someone else's later change is left alone
    revision = s.revision()
    undone = s.undo(change.entry_id)
    assert check(s.snapshot())
    assert s.revision() == revision + 1  # one transaction
    last = s.log_entries()[-1]
    assert (last.action, last.undoes, last.id) == ("undo", change.entry_id, undone.entry_id)
    assert s.snapshot().reading("lien_son", "members", 2020).value == 109
    with pytest.raises(InvalidValue):  # an entry is undone once
        s.undo(change.entry_id)


def test_entry_id_is_none_for_a_no_op_and_a_batch(db_path: Path) -> None:
    s = Store(db_path, user="u")
    assert s.set_value("krong_no", "members", 2020, 121).entry_id is not None
    assert s.set_value("krong_no", "members", 2020, 121).entry_id is None  # the same value: nothing logged
    assert s.rename_unit("nam_ka", "Xã Nam Ka").entry_id is None


def test_undo_by_entry_id_refused_when_changed_since(db_path: Path) -> None:
    alice = Store(db_path, user="alice")
    change = alice.set_value("krong_no", "members", 2020, 121)
    Store(db_path, user="bob").set_value("krong_no", "members", 2020, 125)
    before = db_path.read_bytes()
    with pytest.raises(ConflictError) as err:
        alice.undo(change.entry_id)
    assert err.value.msg.vi.startswith("Xung đột") and "125" in err.value.msg.vi
    assert db_path.read_bytes() == before
    with pytest.raises(InvalidValue):
        alice.undo(10_000)


def test_cli_undo(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["set", "krong no", "members", "121", "--db", str(db_path)]) == 0
    capsys.readouterr()
    assert cli.main(["undo", "--db", str(db_path)]) == 0
    assert "Hoàn tác" in capsys.readouterr().out
    assert Store(db_path).snapshot().reading("krong_no", "members", 2020).value == 120
    assert cli.main(["undo", "--db", str(db_path)]) == 3
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


# --- backups and restore -------------------------------------------------------------------

def test_each_write_keeps_the_previous_version(db_path: Path) -> None:
    s = Store(db_path)
    states = [db_path.read_bytes()]
    for v in (121, 122, 123):
        s.set_value("krong_no", "members", 2020, v)
        states.append(db_path.read_bytes())
    found = s.backups()
    assert [b.revision for b in found] == [2, 1, 0]
    assert [b.path.read_bytes() for b in found] == states[2::-1]
    assert all(b.kind == "auto" for b in found)


def test_rolling_backups_keep_the_last_n(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCB_BACKUPS", "3")
    s = Store(db_path)
    manual = s.backup()
    for v in range(121, 128):
        s.set_value("krong_no", "members", 2020, v)
    autos = [b for b in s.backups() if b.kind == "auto"]
    assert [b.revision for b in autos] == [6, 5, 4]
    assert manual.path.exists()  # manual backups are never pruned


def test_restore_equals_the_state_backed_up(db_path: Path) -> None:
    s = Store(db_path, user="alice")
    s.set_value("krong_no", "members", 2020, 121)
    taken = content(db_path)
    b = s.backup()
    s.set_value("krong_no", "members", 2020, 150)
    s.remove_task(1)
    restored, change = s.restore(b.name)
    assert restored == b
    assert content(db_path) == taken
    log = s.log_entries()
    assert [e.action for e in log] == ["set_value", "set_value", "remove_task", "restore"]  # history kept
    assert s.snapshot().revision == 4
    # The state before the restore was itself kept, so the restore can be reverted.
    before = [x for x in s.backups() if x.kind == "before-restore"]
    assert len(before) == 1 and json.loads(before[0].path.read_bytes())["tasks"].get("1") is None


def test_restore_by_revision_and_position(db_path: Path) -> None:
    s = Store(db_path)
    s.set_value("krong_no", "members", 2020, 121)
    s.set_value("krong_no", "members", 2020, 122)
    s.restore("r1")
    assert s.snapshot().reading("krong_no", "members", 2020).value == 121
    assert backups.find(db_path, "-1") is not None
    with pytest.raises(InvalidValue):
        s.restore("r999")


def test_damaged_store_names_the_newest_good_backup_and_is_kept_aside(db_path: Path) -> None:
    s = Store(db_path)
    s.set_value("krong_no", "members", 2020, 121)
    s.set_value("krong_no", "members", 2020, 122)
    good_state = content(db_path)
    good = s.backup()
    damaged = b'{"meta": {"1": {"app": "ccb-tui", "sch'
    db_path.write_bytes(damaged)
    # a later, damaged backup is skipped when looking for the newest good one
    (backups.backup_dir(db_path) / f"{db_path.name}.29991231T000000000000Z.r99.auto.json").write_bytes(b"{")
    with pytest.raises(StoreCorrupt) as err:
        Store(db_path).snapshot()
    assert good.name in err.value.msg.vi and "ccb-tui restore" in err.value.msg.vi
    assert db_path.read_bytes() == damaged  # never overwritten by opening
    Store(db_path, create=False, cleanup=False).restore()
    assert content(db_path) == good_state
    aside = [p for p in db_path.parent.iterdir() if ".damaged-" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes() == damaged


def test_cli_backup_restore(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", str(db_path)]
    assert cli.main(["set", "krong no", "members", "121", *db]) == 0
    assert cli.main(["backup", *db]) == 0
    capsys.readouterr()
    taken = content(db_path)
    assert cli.main(["set", "krong no", "members", "150", *db]) == 0
    db_path.write_bytes(b"\x00" * 64)
    assert cli.main(["summary", *db]) == 5
    err = capsys.readouterr().err
    assert "ccb-tui restore" in err and len(err.strip().splitlines()) == 1
    assert cli.main(["restore", *db]) == 0
    assert content(db_path) == taken
    assert cli.main(["backup", "--list", *db]) == 0
    assert "before-restore" not in capsys.readouterr().out  # the damaged file was moved aside instead
    assert cli.main(["restore", "nope", *db]) == 3


def test_temp_files_of_a_killed_writer_are_cleaned_at_open(db_path: Path) -> None:
    Store(db_path)
    leftover = db_path.parent / f".{db_path.name}.abc123.tmp"
    leftover.write_bytes(b'{"half": ')
    other = db_path.parent / ".other.json.abc.tmp"
    other.write_bytes(b"x")
    Store(db_path)
    assert not leftover.exists() and other.exists()


def test_symlinked_store_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real" / "ccb.json"
    Store(real)
    link = tmp_path / "link.json"
    os.symlink(real, link)
    Store(link).set_value("krong_no", "members", 2020, 121)
    assert link.is_symlink()
    assert Store(real).snapshot().reading("krong_no", "members", 2020).value == 121


def test_unreadable_seed_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    from ccb_tui.core.store import seed

    def denied() -> dict:
        raise PermissionError(13, "Permission denied", "seed.json")

    monkeypatch.setattr(seed, "load_seed", denied)
    db = tmp_path / "new.json"
    assert cli.main(["summary", "--db", str(db)]) == 5
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Permission denied" in err and str(db) in err
    assert not db.exists()
