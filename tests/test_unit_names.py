"""Unit names that would read the same, and writes to a retired unit's years.

A name that differs from another unit's only by NFC/NFD, case, accents or the kind ("Xã ") would
make two columns read "Krông Nô"; it is refused. Once a unit is retired, nothing more is written to
its retired years (figures, targets, task states), and retiring says which of its figures and
targets of those years remain (``check`` flags them) or removes them with ``--drop-later``.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from ccb_tui.cli import main
from ccb_tui.core.domain.models import TaskState
from ccb_tui.core.store import Store


def run(capsys, *argv: str) -> tuple[int, str, str]:  # noqa: ANN001
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, repr(err)
    return err.strip()


@pytest.fixture
def db(db_path: Path, capsys) -> str:  # noqa: ANN001
    Store(db_path)
    capsys.readouterr()
    return str(db_path)


NFD = unicodedata.normalize("NFD", "Xã Krông Nô")


@pytest.mark.parametrize("name", ["Xã Krông Nô", NFD, "XÃ KRÔNG NÔ", "xa krong no", "Krông Nô", "Thị trấn KRONG NO"])
def test_unit_add_refuses_a_name_that_reads_like_another(db: str, capsys, name: str) -> None:  # noqa: ANN001
    code, _out, err = run(capsys, "unit", "add", "kn2", name, "--year", "2020", "--db", db)
    assert code == 3
    line = one_line(err)
    assert "krong_no" in line and "Xã Krông Nô" in line  # names the other unit
    assert Store(db).snapshot().unit("kn2") is None


def test_unit_add_refusal_in_english(db: str, capsys) -> None:  # noqa: ANN001
    code, _out, err = run(capsys, "--lang", "en", "unit", "add", "kn2", "krông nô", "--year", "2021", "--db", db)
    assert code == 3 and "krong_no" in one_line(err) and "accents and case" in err


def test_unit_rename_refuses_a_name_that_reads_like_another(db: str, capsys) -> None:  # noqa: ANN001
    code, _out, err = run(capsys, "unit", "rename", "nam_ka", unicodedata.normalize("NFD", "krông nô"), "--db", db)
    assert code == 3
    assert "krong_no" in one_line(err)
    assert Store(db).snapshot().unit("nam_ka").name() == "Xã Nam Ka"
    # From a year on as well, and against an old name still in force that year.
    code, _out, err = run(capsys, "unit", "rename", "nam_ka", "Xã Ea R'Bin", "--year", "2021", "--db", db)
    assert code == 3 and "ea_rbin" in one_line(err)


def test_distinct_names_and_other_years_are_fine(db: str, capsys) -> None:  # noqa: ANN001
    assert run(capsys, "unit", "add", "ea_kiet", "Xã Ea Kiết", "--year", "2020", "--db", db)[0] == 0
    # A unit may change its own name's case, and take a name another unit left before that year.
    assert run(capsys, "unit", "rename", "ea_kiet", "Xã EA KIẾT", "--db", db)[0] == 0
    assert run(capsys, "unit", "retire", "nam_ka", "--year", "2021", "--db", db)[0] == 0
    assert run(capsys, "unit", "add", "nam_ka2", "Xã Nam Ka", "--year", "2021", "--db", db)[0] == 0
    assert run(capsys, "unit", "add", "nam_ka3", "Xã Nam Ka", "--year", "2020", "--db", db)[0] == 3


def test_no_writes_to_a_retired_units_years(db: str, capsys) -> None:  # noqa: ANN001
    assert run(capsys, "unit", "retire", "ea_rbin", "--year", "2021", "--db", db)[0] == 0
    revision = Store(db).snapshot().revision
    code, _out, err = run(capsys, "task", "set", "1", "ea_rbin", "xong", "--db", db)
    assert code == 3 and "2021" in one_line(err)
    assert Store(db).snapshot().task(1).status("ea_rbin").state is TaskState.TODO
    code, _out, err = run(capsys, "set", "ea_rbin", "members", "120", "--year", "2021", "--db", db)
    assert code == 3 and "2021" in one_line(err)
    code, _out, err = run(capsys, "target", "ea_rbin", "members", "120", "--year", "2021", "--db", db)
    assert code == 3 and "2021" in one_line(err)
    assert Store(db).snapshot().revision == revision
    # Its years before retirement stay writable.
    assert run(capsys, "set", "ea_rbin", "members", "101", "--year", "2020", "--db", db)[0] == 0


def test_retire_reports_later_targets_and_keeps_them(db: str, capsys) -> None:  # noqa: ANN001
    later = {(k[1], k[2]) for k in Store(db).snapshot().targets if k[0] == "ea_rbin" and k[2] >= 2021}
    assert later  # the seed has 2021 targets for every unit
    code, out, err = run(capsys, "unit", "retire", "ea_rbin", "--year", "2021", "--db", db)
    assert code == 0 and not err
    assert f"Còn {len(later)} số liệu/chỉ tiêu từ năm 2021" in out
    assert "Xã Ea R'Bin · chỉ tiêu Số hội viên 2021" in out
    assert "ccb-tui unit retire ea_rbin --year 2021 --drop-later" in out
    snap = Store(db).snapshot()
    assert {(k[1], k[2]) for k in snap.targets if k[0] == "ea_rbin" and k[2] >= 2021} == later  # kept
    code, out, _err = run(capsys, "check", "--db", db)
    assert problems_naming("Ea R'Bin", out)


def problems_naming(name: str, check_out: str) -> list[str]:
    """The lines of ``check``'s output that name ``name`` and are not marked fine (✔): the
    bundled sample's thi đua has a settled ✔ line about Ea R'Bin in 2020."""
    return [line for line in check_out.splitlines() if name in line and not line.startswith("✔")]


def test_retire_drop_later_removes_them_in_one_audited_transaction(db: str, capsys) -> None:  # noqa: ANN001
    store = Store(db)
    store.set_value("ea_rbin", "members", 2021, 99)
    before = store.snapshot()
    later = [k for k in (*before.targets, *before.values) if k[0] == "ea_rbin" and k[2] >= 2021]
    code, out, err = run(capsys, "unit", "retire", "ea_rbin", "--year", "2021", "--drop-later", "--db", db)
    assert code == 0 and not err
    assert f"Đã xóa {len(later)} số liệu/chỉ tiêu" in out
    snap = Store(db).snapshot()
    assert snap.revision == before.revision + 1  # one transaction
    assert not [k for k in (*snap.targets, *snap.values) if k[0] == "ea_rbin" and k[2] >= 2021]
    assert snap.reading("ea_rbin", "members", 2020).value == 100  # earlier years untouched
    assert snap.unit("ea_rbin").retired_from == 2021
    code, out, _err = run(capsys, "check", "--db", db)
    assert not problems_naming("Ea R'Bin", out)
    code, out, _err = run(capsys, "log", "--db", db)
    assert "Xã Ea R'Bin · chỉ tiêu Số hội viên 2021: 104 → —" in out
    assert "Xã Ea R'Bin · Số hội viên 2021: 99 → chưa báo cáo" in out
    # Undo walks back: the retirement first, then the removed figures and targets.
    store = Store(db, user=Store(db).log_entries()[-1].user)
    for _ in range(len(later) + 1):
        store.undo_last()
    snap = Store(db).snapshot()
    assert snap.unit("ea_rbin").retired_from is None
    assert snap.reading("ea_rbin", "members", 2021).value == 99
    assert snap.target("ea_rbin", "members", 2021).value == 104


def test_drop_later_on_an_already_retired_unit(db: str, capsys) -> None:  # noqa: ANN001
    assert run(capsys, "unit", "retire", "ea_rbin", "--year", "2021", "--db", db)[0] == 0
    code, out, _err = run(capsys, "--lang", "en", "unit", "retire", "ea_rbin", "--year", "2021", "--drop-later",
                          "--db", db)
    assert code == 0 and "Removed" in out
    assert not [k for k in Store(db).snapshot().targets if k[0] == "ea_rbin" and k[2] >= 2021]
    code, out, _err = run(capsys, "unit", "retire", "ea_rbin", "--year", "2021", "--drop-later", "--db", db)
    assert code == 0 and "Không có gì thay đổi" in out


def test_retire_checks_what_it_was_based_on(db_path: Path) -> None:
    from ccb_tui.core.domain.errors import ConflictError
    Store(db_path, user="other").retire_unit("ea_rbin", year=2022)
    with pytest.raises(ConflictError) as exc:
        Store(db_path, user="me").retire_unit("ea_rbin", year=2021, expect=None)
    assert "2022" in exc.value.msg.vi and "đang hoạt động" in exc.value.msg.vi
    assert Store(db_path).snapshot().unit("ea_rbin").retired_from == 2022
