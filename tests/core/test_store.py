"""Tests for ccb_tui.core.store: locking, atomic writes, conditional edits, corrupt files, migrations."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import filelock
import pytest
from tinydb import Query, TinyDB

from ccb_tui.core.store import store as store_mod
from ccb_tui.core.domain.models import NOT_REPORTED as NOT_REPORTED_READING
from ccb_tui.core.store import schema as schema_mod
from ccb_tui.core.domain import totals
from ccb_tui.core.domain.errors import (
    ConflictError, InvalidValue, StoreCorrupt, StoreLocked, StoreWriteFailed,
)
from ccb_tui.core.domain.models import Qualifier, TaskState
from ccb_tui.core.store.seed import seed_path
from ccb_tui.core.store.files import shared_file_mode
from ccb_tui.core.store.storage import SafeJSONStorage
from ccb_tui.core.store.store import Store

SEED_BYTES = seed_path().read_bytes()


def _bytes(p: Path) -> bytes:
    return Path(p).read_bytes()


def _raw(p: Path) -> dict:
    return json.loads(Path(p).read_bytes())


def _nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


# --- creation and permissions ------------------------------------------------------------------


# The group gets write access whenever the umask lets it read (typical 022 would lock colleagues
# out); a umask that shuts the group out entirely (077, 007) is honoured.
@pytest.mark.parametrize(("umask", "expected"), [(0o022, 0o664), (0o002, 0o664), (0o027, 0o660),
                                                  (0o077, 0o600), (0o007, 0o660), (0o067, 0o600)],
                         ids=["022", "002", "027", "077", "007", "067"])
def test_create_from_seed_mode_bits(db_path: Path, umask: int, expected: int) -> None:
    old = os.umask(umask)
    try:
        assert shared_file_mode() == expected
        s = Store(db_path, user="tester")
    finally:
        os.umask(old)
    assert s.created is True
    assert db_path.stat().st_mode & 0o777 == expected
    assert s.lock_path.exists()
    assert s.lock_path.stat().st_mode & 0o777 == expected
    # The seed's content, as a valid store.
    assert _raw(db_path) == json.loads(SEED_BYTES)
    assert s.snapshot().revision == 0
    # Opening it again does not recreate it.
    again = Store(db_path)
    assert again.created is False


def test_mode_kept_after_write(db_path: Path) -> None:
    old = os.umask(0o022)
    try:
        s = Store(db_path, user="tester")
    finally:
        os.umask(old)
    os.chmod(db_path, 0o660)
    s.set_value("krong_no", "members", 2020, 121)
    assert db_path.stat().st_mode & 0o777 == 0o660


def test_missing_store_without_create(db_path: Path) -> None:
    with pytest.raises(StoreCorrupt) as ei:
        Store(db_path, create=False)
    assert str(db_path) in ei.value.text("vi") and str(db_path) in ei.value.text("en")
    assert not db_path.exists()


def test_create_in_missing_folder(tmp_path: Path) -> None:
    p = tmp_path / "a" / "b" / "ccb.json"
    s = Store(p)
    assert s.created and p.exists()


# --- edits ---------------------------------------------------------------------------------------


def test_set_value_old_new_and_revision(store: Store, db_path: Path) -> None:
    rev = store.revision()
    change = store.set_value("krong_no", "members", 2020, 121)
    assert (change.old, change.new) == ("120", "121")
    assert change.revision == rev + 1
    assert store.revision() == rev + 1
    r = store.snapshot().reading("krong_no", "members", 2020)
    assert r.value == 121 and r.reported and r.changed_by == "tester" and r.changed_at
    assert "→" in change.text()
    # The write is on disk at once (no write-behind cache).
    assert _raw(db_path)["records"]["1"]["values"]["members"]["v"] == 121
    # The log records it.
    entry = store.log_entries()[-1]
    assert entry.action == "set_value" and entry.old["v"] == 120 and entry.new["v"] == 121
    assert entry.user == "tester"


def test_unchanged_value_is_not_written_twice(store: Store, db_path: Path, sha) -> None:
    store.set_value("krong_no", "members", 2020, 121)  # clears the sample flag
    before = sha(db_path)
    rev = store.revision()
    change = store.set_value("krong_no", "members", 2020, 121)
    assert change.revision == rev
    assert sha(db_path) == before


def test_conditional_edit(store: Store, db_path: Path, sha) -> None:
    store.set_value("krong_no", "members", 2020, 130, expect=120)
    assert store.snapshot().reading("krong_no", "members", 2020).value == 130
    before = sha(db_path)
    with pytest.raises(ConflictError) as ei:
        store.set_value("krong_no", "members", 2020, 140, expect=120)
    err = ei.value
    assert err.exit_code == 4
    for lang in ("vi", "en"):
        assert "120" in err.text(lang) and "130" in err.text(lang)
    assert (err.expected, err.actual, err.attempted) == ("120", "130", "140")
    assert sha(db_path) == before


@pytest.mark.parametrize("expect", [None, NOT_REPORTED_READING])
def test_conditional_edit_on_not_reported(store: Store, expect: object) -> None:
    # Ea R'Bin's loans are not reported in the seed.
    store.set_value("ea_rbin", "loans", 2020, 2_000_000_000, expect=expect)
    with pytest.raises(ConflictError) as ei:
        store.set_value("ea_rbin", "loans", 2020, 2_100_000_000, expect=None)
    assert "chưa báo cáo" in ei.value.text("vi")
    assert "2 tỷ" in ei.value.text("vi")


def test_two_instances_on_one_file(db_path: Path) -> None:
    a = Store(db_path, user="a")
    b = Store(db_path, user="b")
    assert b.snapshot().reading("krong_no", "members", 2020).value == 120
    assert not b.changed()
    a.set_value("krong_no", "members", 2020, 125)
    assert b.changed()
    assert b.snapshot().reading("krong_no", "members", 2020).value == 125
    assert not b.changed()
    # b's edit, based on a stale view, does not undo a's: each edit re-reads under the lock.
    b.set_value("nam_ka", "members", 2020, 111)
    a.set_value("lien_son", "members", 2020, 109)
    snap = Store(db_path).snapshot()
    assert [snap.reading(u, "members", 2020).value for u in ("krong_no", "nam_ka", "lien_son")] == [125, 111, 109]
    assert snap.revision == 3


def test_not_reported_stays_out_of_sums(store: Store) -> None:
    snap = store.snapshot()
    loans = totals.cluster_totals(snap, 2020)["loans"]
    assert loans.value == 6_730_000_000
    assert loans.missing_units == ("ea_rbin",)
    store.set_value("krong_no", "members", 2020, None, reported=False)
    snap = store.snapshot()
    r = snap.reading("krong_no", "members", 2020)
    assert not r.reported and r.value is None
    members = totals.cluster_totals(snap, 2020)["members"]
    assert members.value == 438 - 120
    assert "krong_no" in members.missing_units


def test_sample_flag_cleared_by_edit(store: Store) -> None:
    snap = store.snapshot()
    assert snap.reading("krong_no", "members", 2020).sample
    assert snap.target("krong_no", "new_members", 2020).sample
    assert snap.has_sample(2020)
    # Confirming the same value is an edit too: it turns sample data into real data.
    store.set_value("krong_no", "members", 2020, 120)
    store.set_target("krong_no", "new_members", 2020, 6)
    snap = store.snapshot()
    assert not snap.reading("krong_no", "members", 2020).sample
    assert not snap.target("krong_no", "new_members", 2020).sample
    assert snap.reading("nam_ka", "members", 2020).sample


def test_qualifier_stored(store: Store) -> None:
    store.set_value("krong_no", "workdays", 2020, 150, qualifier=Qualifier.HUNDREDS)
    r = store.snapshot().reading("krong_no", "workdays", 2020)
    assert r.qualifier is Qualifier.HUNDREDS


def test_set_and_remove_target(store: Store, db_path: Path, sha) -> None:
    store.set_target("krong_no", "members", 2021, 130)
    assert store.snapshot().target("krong_no", "members", 2021).value == 130
    store.set_target("krong_no", "members", 2021, 135, expect=130)
    before = sha(db_path)
    with pytest.raises(ConflictError) as ei:
        store.set_target("krong_no", "members", 2021, 140, expect=130)
    assert "130" in ei.value.text("vi") and "135" in ei.value.text("vi")
    assert sha(db_path) == before
    with pytest.raises(ConflictError):
        store.set_target("krong_no", "members", 2021, 140, expect=None)
    store.set_target("krong_no", "members", 2021, None, expect=135)
    assert store.snapshot().target("krong_no", "members", 2021) is None
    store.set_target("krong_no", "members", 2021, 100, expect=None)
    assert store.snapshot().target("krong_no", "members", 2021).value == 100
    assert [e.action for e in store.log_entries()] == ["set_target"] * 4


def test_tasks(store: Store, db_path: Path, sha) -> None:
    n = len(store.snapshot().tasks)
    task_id, change = store.add_task(2021, "Kiểm tra quỹ hội", "ghi chú\ndòng 2")
    assert change.new == "Kiểm tra quỹ hội"
    snap = store.snapshot()
    assert len(snap.tasks) == n + 1
    task = snap.task(task_id)
    assert (task.year, task.title, task.note) == (2021, "Kiểm tra quỹ hội", "ghi chú\ndòng 2")
    assert task.status("krong_no").state is TaskState.TODO

    store.set_task_status(task_id, "krong_no", TaskState.DOING, note="đang làm")
    store.set_task_status(task_id, "krong_no", TaskState.DONE, expect=TaskState.DOING)
    st = store.snapshot().task(task_id).status("krong_no")
    assert st.state is TaskState.DONE and st.note == "đang làm"
    before = sha(db_path)
    with pytest.raises(ConflictError) as ei:
        store.set_task_status(task_id, "krong_no", TaskState.TODO, expect=TaskState.DOING)
    assert "hoàn thành" in ei.value.text("vi") and "đang thực hiện" in ei.value.text("vi")
    assert sha(db_path) == before

    store.edit_task(task_id, title="Kiểm tra quỹ hội năm 2021", expect_title="Kiểm tra quỹ hội")
    with pytest.raises(ConflictError) as ei:
        store.edit_task(task_id, title="X", expect_title="Kiểm tra quỹ hội")
    assert "Kiểm tra quỹ hội năm 2021" in ei.value.text("vi")
    store.edit_task(task_id, note="mới")
    task = store.snapshot().task(task_id)
    assert (task.title, task.note) == ("Kiểm tra quỹ hội năm 2021", "mới")

    store.remove_task(task_id)
    assert store.snapshot().task(task_id) is None
    before = sha(db_path)
    for call in (lambda: store.remove_task(task_id),
                 lambda: store.edit_task(task_id, title="x"),
                 lambda: store.set_task_status(task_id, "krong_no", TaskState.DONE)):
        with pytest.raises(InvalidValue):
            call()
    assert sha(db_path) == before
    actions = [e.action for e in store.log_entries()]
    assert actions == ["add_task", "set_task_status", "set_task_status", "edit_task", "edit_task", "remove_task"]


def test_units_add_rename_retire(store: Store, db_path: Path, sha) -> None:
    store.add_unit("ea_kiet", "Xã Ea Kiết", year=2021)
    u = store.snapshot().unit("ea_kiet")
    assert u.name(2021) == "Xã Ea Kiết" and u.cluster(2021) == "cum3"
    assert not u.active(2020) and u.active(2021)
    # Renamed from 2022 on: the old name stays for earlier years.
    store.rename_unit("ea_kiet", "Xã Ea Kiết Mới", year=2022)
    u = store.snapshot().unit("ea_kiet")
    assert u.name(2021) == "Xã Ea Kiết"
    assert u.name(2022) == "Xã Ea Kiết Mới" and u.name(2030) == "Xã Ea Kiết Mới"
    # Without a year the current name is corrected in place.
    store.rename_unit("ea_kiet", "Xã Ea Kiết (mới)")
    u = store.snapshot().unit("ea_kiet")
    assert [p.name for p in u.periods] == ["Xã Ea Kiết", "Xã Ea Kiết (mới)"]
    before = sha(db_path)
    with pytest.raises(ConflictError):
        store.rename_unit("ea_kiet", "Y", expect="Xã Ea Kiết Mới")
    assert sha(db_path) == before
    store.retire_unit("ea_kiet", year=2023)
    u = store.snapshot().unit("ea_kiet")
    assert u.active(2022) and not u.active(2023) and u.retired_from == 2023
    assert [x.code for x in store.snapshot().units_in(2023)] == ["krong_no", "nam_ka", "ea_rbin", "lien_son"]
    before = sha(db_path)
    with pytest.raises(InvalidValue):
        store.add_unit("ea_kiet", "Trùng", year=2021)
    with pytest.raises(InvalidValue):
        store.retire_unit("krong_no", year=2020)
    with pytest.raises(InvalidValue):
        store.rename_unit("khong_co", "X")
    assert sha(db_path) == before


def test_nfd_enters_as_nfc(store: Store, db_path: Path) -> None:
    name, title = "Xã Ea Kiết", "Phát huy truyền thống “Bộ đội Cụ Hồ”"
    assert _nfd(name) != name
    store.add_unit("ea_kiet", _nfd(name), year=2021)
    store.rename_unit("krong_no", _nfd("Xã Krông Nô Mới"), year=2022)
    task_id, _ = store.add_task(2021, _nfd(title), _nfd("Ghi chú có dấu"))
    store.set_task_status(task_id, "krong_no", TaskState.DOING, note=_nfd("Đang thực hiện"))
    snap = store.snapshot()
    assert snap.unit("ea_kiet").name() == name
    assert snap.unit("krong_no").name(2022) == "Xã Krông Nô Mới"
    assert snap.task(task_id).title == title
    assert snap.task(task_id).note == "Ghi chú có dấu"
    assert snap.task(task_id).status("krong_no").note == "Đang thực hiện"
    raw = _bytes(db_path).decode("utf-8")
    assert raw == unicodedata.normalize("NFC", raw)


def test_nfd_in_file_is_read_as_nfc(store: Store, db_path: Path) -> None:
    data = _raw(db_path)
    data["units"]["1"]["periods"][0]["name"] = _nfd("Xã Krông Nô")
    db_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert store.snapshot().unit("krong_no").name() == "Xã Krông Nô"


@pytest.mark.parametrize(("dirty", "clean"), [
    ("\x1b[2JXã \x1b[31mEa\x1b[0m Kiết", "Xã Ea Kiết"),
    ("Xã Ea\x1b]52;c;SGVsbG8=\x07 Kiết", "Xã Ea Kiết"),
    ("Xã\x07 Ea\x00 Kiết\x7f", "Xã Ea Kiết"),
    ("Xã\tEa\r\nKiết", "Xã Ea Kiết"),
    ("\u202eXã Ea Kiết\u200b", "Xã Ea Kiết"),
    ("\x9b2JXã Ea Kiết", "Xã Ea Kiết"),
])
def test_control_chars_stripped(store: Store, db_path: Path, dirty: str, clean: str) -> None:
    store.add_unit("ea_kiet", dirty, year=2021)
    task_id, _ = store.add_task(2021, dirty)
    snap = store.snapshot()
    assert snap.unit("ea_kiet").name() == clean
    assert snap.task(task_id).title == clean
    raw = _bytes(db_path)
    assert b"\x1b" not in raw and b"\\u001b" not in raw and "\u202e".encode() not in raw


def test_dirty_names_in_file_are_sanitised_on_read(store: Store, db_path: Path) -> None:
    data = _raw(db_path)
    data["units"]["1"]["periods"][0]["name"] = "\x1b]52;c;SGVsbG8=\x07Xã Krông Nô\x1b[2J"
    data["tasks"]["1"]["title"] = "[@click=app.quit]\x1b[31m đỏ"
    db_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    snap = store.snapshot()
    assert snap.unit("krong_no").name() == "Xã Krông Nô"
    assert snap.task(1).title == "[@click=app.quit] đỏ"  # markup stays literal text; the UI must not render it


# --- validation refusals leave the file byte-identical ----------------------------------------------

REFUSALS = [
    pytest.param(lambda s: s.set_value("krong_no", "members", 2020, -5), id="negative"),
    pytest.param(lambda s: s.set_value("krong_no", "members", 2020, 1.5), id="fractional-count"),
    pytest.param(lambda s: s.set_value("krong_no", "fund", 2020, 1.5), id="fractional-money"),
    pytest.param(lambda s: s.set_value("krong_no", "canal_km", 2020, 1.234), id="too-many-decimals"),
    pytest.param(lambda s: s.set_value("krong_no", "new_members", 2020, 500), id="new-members-above-members"),
    pytest.param(lambda s: s.set_value("krong_no", "members", 2020, 5), id="members-below-new-members"),
    pytest.param(lambda s: s.set_value("krong_no", "workdays", 2020, 50, qualifier=Qualifier.HUNDREDS),
                 id="hang-tram-50"),
    pytest.param(lambda s: s.set_value("krong_no", "members", 2020, 10**9), id="above-max"),
    pytest.param(lambda s: s.set_value("krong_no", "members", 2020, float("nan")), id="nan"),
    pytest.param(lambda s: s.set_value("krong_no", "members", 2020, None), id="reported-without-value"),
    pytest.param(lambda s: s.set_value("krong_no", "khong_co", 2020, 5), id="unknown-indicator"),
    pytest.param(lambda s: s.set_value("khong_co", "members", 2020, 5), id="unknown-unit"),
    pytest.param(lambda s: s.set_value("krong_no", "members", 1990, 5), id="year-before-unit-existed"),
    pytest.param(lambda s: s.set_target("krong_no", "members", 2021, -1), id="negative-target"),
    pytest.param(lambda s: s.set_target("krong_no", "members", 2021, 2.5), id="fractional-target"),
    pytest.param(lambda s: s.set_target("krong_no", "members", 1990, 5), id="target-year-before-unit"),
    pytest.param(lambda s: s.add_task(2021, "  \x1b[2J "), id="empty-task-title"),
    pytest.param(lambda s: s.edit_task(1, title="\x07"), id="empty-task-title-edit"),
    pytest.param(lambda s: s.add_unit("ea kiết!", "Xã Ea Kiết", year=2021), id="bad-unit-code"),
    pytest.param(lambda s: s.add_unit("ea_kiet", " ", year=2021), id="empty-unit-name"),
    pytest.param(lambda s: s.rename_unit("krong_no", "\x1b[0m"), id="empty-rename"),
]


@pytest.mark.parametrize("call", REFUSALS)
def test_validation_refusal_leaves_file_identical(store: Store, db_path: Path, sha, call) -> None:
    before = sha(db_path)
    rev = store.revision()
    with pytest.raises(InvalidValue) as ei:
        call(store)
    assert ei.value.exit_code == 3
    assert ei.value.text("vi") and ei.value.text("en")
    assert "\n" not in ei.value.text("vi")
    assert sha(db_path) == before
    assert Store(db_path).revision() == rev


# --- corrupt files -----------------------------------------------------------------------------------


def _seed_with(change) -> bytes:
    data = json.loads(SEED_BYTES)
    change(data)
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _set(path: list, value):
    def change(data):
        node = data
        for k in path[:-1]:
            node = node[k]
        node[path[-1]] = value
    return change


CORRUPT = [
    pytest.param(b"", id="empty"),
    pytest.param(b"  \n\t ", id="whitespace"),
    pytest.param(SEED_BYTES[: len(SEED_BYTES) // 2], id="truncated"),
    pytest.param(SEED_BYTES.rstrip()[:-1], id="truncated-last-byte"),
    pytest.param(SEED_BYTES + b"garbage", id="trailing-garbage"),
    pytest.param(SEED_BYTES + b"{}", id="trailing-object"),
    pytest.param(b"\x00" * 4096, id="nul-filled"),
    pytest.param(SEED_BYTES[:100] + b"\x00" * 100 + SEED_BYTES[200:], id="nul-hole"),
    pytest.param(b"\xff\xfe" + SEED_BYTES, id="not-utf8-bom16"),
    pytest.param(SEED_BYTES.replace("Krông".encode(), "Kr\xf4ng".encode("latin-1")), id="latin1"),
    pytest.param(b"[1, 2, 3]", id="json-array"),
    pytest.param(b'"ccb"', id="json-string"),
    pytest.param(b"null", id="json-null"),
    pytest.param(b'{"records": {}}', id="no-meta"),
    pytest.param(b'{"_default": {"1": {"a": 1}}}', id="other-tinydb-file"),
    pytest.param(_seed_with(_set(["meta", "1", "app"], "other-app")), id="other-app"),
    pytest.param(_seed_with(_set(["meta", "1", "schema"], 99)), id="schema-99"),
    pytest.param(_seed_with(_set(["meta", "1", "schema"], 0)), id="schema-0"),
    pytest.param(_seed_with(_set(["meta", "1", "schema"], "1")), id="schema-string"),
    pytest.param(SEED_BYTES.replace(b'"revision": 0', b'"revision": NaN'), id="nan-constant"),
    pytest.param(_seed_with(_set(["records"], [])), id="table-is-list"),
]

# A well-formed file with a malformed document: everything that builds the domain view refuses it.
CORRUPT_RECORDS = [
    pytest.param(_seed_with(lambda d: d["records"]["1"].pop("year")), id="record-missing-year"),
    pytest.param(_seed_with(_set(["records", "1"], "x")), id="record-is-string"),
    pytest.param(_seed_with(_set(["records", "1", "values", "members", "q"], "roughly")), id="bad-qualifier"),
    pytest.param(_seed_with(_set(["records", "1", "values", "members", "v"], "120")), id="value-is-string"),
    pytest.param(_seed_with(_set(["records", "1", "targets", "new_members", "v"], [6])), id="target-is-list"),
    pytest.param(_seed_with(_set(["units", "1", "periods"], [])), id="unit-without-periods"),
    pytest.param(_seed_with(_set(["units", "x"], {"code": "a"})), id="bad-doc-id"),
    pytest.param(_seed_with(_set(["tasks", "1", "statuses"], {"krong_no": {"state": "??"}})), id="bad-task-state"),
    pytest.param(_seed_with(_set(["meta", "1", "revision"], "abc")), id="bad-revision"),
]


@pytest.mark.parametrize("content", CORRUPT + CORRUPT_RECORDS)
def test_corrupt_file_refused_and_untouched(db_path: Path, sha, content: bytes) -> None:
    db_path.write_bytes(content)
    before = sha(db_path)
    s = Store(db_path, lock_timeout=1)
    assert s.created is False
    attempts = [
        s.snapshot,
        s.revision,
        lambda: s.set_value("krong_no", "members", 2020, 121),
        lambda: s.set_target("krong_no", "members", 2021, 121),
        lambda: s.add_task(2021, "x"),
        lambda: s.set_task_status(1, "krong_no", TaskState.DONE),
        lambda: s.edit_task(1, title="x"),
        lambda: s.remove_task(1),
        lambda: s.add_unit("ea_kiet", "Xã Ea Kiết", year=2021),
        lambda: s.rename_unit("krong_no", "X"),
        lambda: s.retire_unit("krong_no", year=2022),
    ]
    for attempt in attempts:
        with pytest.raises(StoreCorrupt) as ei:
            attempt()
        err = ei.value
        assert err.exit_code == 5
        assert str(db_path) in err.text("vi") and str(db_path) in err.text("en")
        assert err.path == db_path
        assert "\n" not in err.text("vi")
        assert sha(db_path) == before
    if content not in [p.values[0] for p in CORRUPT_RECORDS]:
        with pytest.raises(StoreCorrupt):
            s.log_entries()
    # Opening it again (as a new session would) never overwrites it either.
    Store(db_path)
    assert sha(db_path) == before
    assert _bytes(db_path) == content


def test_unreadable_path_is_store_error(tmp_path: Path) -> None:
    folder = tmp_path / "adir"
    folder.mkdir()
    s = Store(folder)  # exists (as a folder): not created
    with pytest.raises(StoreCorrupt) as ei:
        s.snapshot()
    assert str(folder) in ei.value.text("en")


# --- SafeJSONStorage with plain TinyDB ------------------------------------------------------------------


def test_safe_storage_with_tinydb(tmp_path: Path) -> None:
    p = tmp_path / "plain.json"
    old = os.umask(0o022)
    try:
        db = TinyDB(p, storage=SafeJSONStorage)
    finally:
        os.umask(old)
    assert p.exists()
    assert p.stat().st_mode & 0o777 == 0o664
    assert db.all() == []
    q = Query()
    db.insert({"name": "Liên Sơn", "n": 1})
    db.insert({"name": "Nam Ka", "n": 2})
    assert [d["name"] for d in db.search(q.n >= 1)] == ["Liên Sơn", "Nam Ka"]
    db.update({"n": 5}, q.name == "Nam Ka")
    assert db.get(q.name == "Nam Ka")["n"] == 5
    db.remove(q.name == "Liên Sơn")
    assert len(db) == 1
    db.close()
    assert json.loads(p.read_bytes()) == {"_default": {"2": {"name": "Nam Ka", "n": 5}}}
    assert "Nam Ka".encode() in p.read_bytes()
    # Reopen: the data is there; no temp files are left.
    with TinyDB(p, storage=SafeJSONStorage) as db2:
        assert db2.all() == [{"name": "Nam Ka", "n": 5}]
        db2.table("other").insert({"x": "Krông Nô"})
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
    assert json.loads(p.read_bytes())["other"] == {"1": {"x": "Krông Nô"}}


def test_safe_storage_kwargs_and_dirs(tmp_path: Path) -> None:
    p = tmp_path / "new" / "sub" / "plain.json"
    with TinyDB(p, storage=SafeJSONStorage, create_dirs=True, indent=2) as db:
        db.insert({"a": "ê"})
    assert p.read_text(encoding="utf-8").startswith("{\n")
    with pytest.raises(ValueError):
        SafeJSONStorage(p, encoding="latin-1")
    with pytest.raises(FileNotFoundError):
        SafeJSONStorage(tmp_path / "missing" / "x.json", access_mode="r")


def test_safe_storage_empty_file_and_read_only(tmp_path: Path) -> None:
    p = tmp_path / "empty.json"
    p.write_bytes(b"")
    with TinyDB(p, storage=SafeJSONStorage) as db:
        assert db.all() == []
        assert db.tables() == set()
    assert p.read_bytes() == b""  # reading never writes
    ro = TinyDB(p, storage=SafeJSONStorage, access_mode="r")
    with pytest.raises(IOError):
        ro.insert({"a": 1})
    assert p.read_bytes() == b""


@pytest.mark.parametrize("content", [b"{", b"[]", b"\x00\x00", b"\xff", b'{"a": 1} x'])
def test_safe_storage_corrupt_never_overwritten(tmp_path: Path, content: bytes) -> None:
    p = tmp_path / "bad.json"
    p.write_bytes(content)
    db = TinyDB(p, storage=SafeJSONStorage)
    with pytest.raises(StoreCorrupt) as ei:
        db.insert({"a": 1})
    assert str(p) in ei.value.text("en")
    with pytest.raises(StoreCorrupt):
        db.all()
    assert p.read_bytes() == content


# --- schema migrations -------------------------------------------------------------------------------


@pytest.mark.parametrize("bumps_itself", [False, True], ids=["store-bumps-schema", "migration-bumps-schema"])
def test_migration_upgrades_on_next_write(store: Store, db_path: Path, monkeypatch, sha, bumps_itself) -> None:
    calls = []

    def v1_to_v2(data: dict) -> None:
        calls.append(1)
        for doc in data["tasks"].values():
            doc.setdefault("priority", "normal")
        if bumps_itself:
            for meta in data["meta"].values():
                meta["schema"] = 2

    monkeypatch.setattr(schema_mod, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(schema_mod.MIGRATIONS, 1, v1_to_v2)
    before = sha(db_path)
    # Reading an old file migrates in memory only.
    s = Store(db_path, user="tester")
    assert s.snapshot().revision == 0
    assert calls and sha(db_path) == before
    # The next write stores the upgraded document.
    s.set_value("krong_no", "members", 2020, 121)
    data = _raw(db_path)
    assert data["meta"]["1"]["schema"] == 2
    assert data["meta"]["1"]["revision"] == 1
    assert all(doc["priority"] == "normal" for doc in data["tasks"].values())
    assert data["records"]["1"]["values"]["members"]["v"] == 121
    # Once upgraded, it is not migrated again.
    calls.clear()
    assert Store(db_path).snapshot().reading("krong_no", "members", 2020).value == 121
    assert calls == []


def test_missing_migration_is_a_clear_error(store: Store, db_path: Path, monkeypatch, sha) -> None:
    monkeypatch.setattr(schema_mod, "SCHEMA_VERSION", 3)
    monkeypatch.setitem(schema_mod.MIGRATIONS, 1, lambda data: None)
    monkeypatch.delitem(schema_mod.MIGRATIONS, 2, raising=False)
    before = sha(db_path)
    with pytest.raises(StoreCorrupt) as ei:
        Store(db_path).snapshot()
    assert str(db_path) in ei.value.text("en")
    assert sha(db_path) == before


def test_newer_schema_refused_after_upgrade_by_newer_version(store: Store, db_path: Path, monkeypatch, sha) -> None:
    monkeypatch.setattr(schema_mod, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(schema_mod.MIGRATIONS, 1, lambda data: None)
    store.set_value("krong_no", "members", 2020, 121)
    monkeypatch.setattr(schema_mod, "SCHEMA_VERSION", 1)
    before = sha(db_path)
    with pytest.raises(StoreCorrupt) as ei:
        Store(db_path).set_value("krong_no", "members", 2020, 122)
    assert "2" in ei.value.text("en") and str(db_path) in ei.value.text("en")
    assert sha(db_path) == before


# --- locking ---------------------------------------------------------------------------------------------


def test_lock_timeout_in_process(store: Store, db_path: Path, sha) -> None:
    holder = filelock.FileLock(store.lock_path, timeout=1, thread_local=False)
    s = Store(db_path, lock_timeout=0.2)
    before = sha(db_path)
    with holder:
        with pytest.raises(StoreLocked) as ei:
            s.set_value("krong_no", "members", 2020, 121)
        assert ei.value.exit_code == 5
        assert str(db_path) in ei.value.text("vi") and str(db_path) in ei.value.text("en")
        # Reads need no lock.
        assert s.snapshot().reading("krong_no", "members", 2020).value == 120
    assert sha(db_path) == before
    s.set_value("krong_no", "members", 2020, 121)
    assert Store(db_path).snapshot().reading("krong_no", "members", 2020).value == 121


def test_lock_timeout_from_other_process(store: Store, db_path: Path, sha) -> None:
    code = ("import filelock, sys, time\n"
            "lock = filelock.FileLock(sys.argv[1]); lock.acquire()\n"
            "print('held', flush=True); time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(store.lock_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        before = sha(db_path)
        with pytest.raises(StoreLocked):
            Store(db_path, lock_timeout=0.2).add_task(2021, "x")
        assert sha(db_path) == before
    finally:
        proc.kill()
        proc.wait()
    # The lock dies with its holder.
    Store(db_path, lock_timeout=2).add_task(2021, "x")


# --- write failures -----------------------------------------------------------------------------------------


def _enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("target", ["replace", "fsync", "write", "fchmod"])
def test_write_failure(store: Store, db_path: Path, monkeypatch, sha, target: str) -> None:
    before = sha(db_path)
    s = Store(db_path, lock_timeout=0.5)
    monkeypatch.setattr(store_mod.os, target, _enospc)
    with pytest.raises(StoreWriteFailed) as ei:
        s.set_value("krong_no", "members", 2020, 121)
    monkeypatch.undo()
    err = ei.value
    assert err.exit_code == 5
    assert str(db_path) in err.text("vi")
    assert "đầy" in err.text("vi") and "full" in err.text("en")
    assert sha(db_path) == before
    assert not [n for n in os.listdir(db_path.parent) if n.endswith(".tmp")]
    # The lock was released: a later edit succeeds at once.
    s.set_value("krong_no", "members", 2020, 121)
    assert Store(db_path).snapshot().reading("krong_no", "members", 2020).value == 121


def test_write_failure_on_create(db_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(store_mod.os, "replace", _enospc)
    with pytest.raises(StoreWriteFailed):
        Store(db_path)
    monkeypatch.undo()
    assert not db_path.exists()
    assert not [n for n in os.listdir(db_path.parent) if n.endswith(".tmp")]
    assert Store(db_path).created


def test_interrupt_during_write_leaves_old_file(store: Store, db_path: Path, monkeypatch, sha) -> None:
    before = sha(db_path)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(store_mod.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.set_value("krong_no", "members", 2020, 121)
    monkeypatch.undo()
    assert sha(db_path) == before
    assert not [n for n in os.listdir(db_path.parent) if n.endswith(".tmp")]
    Store(db_path, lock_timeout=0.5).set_value("krong_no", "members", 2020, 121)
