"""`task list` shows the units' notes and the in-progress count; `unit list` keeps the cluster's
order; a rename or retire that changes nothing is not logged and says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccb_tui.cli import main
from ccb_tui.core.store.store import Store


def run(capsys, *argv: str) -> tuple[int, str, str]:  # noqa: ANN001
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(db_path: Path, capsys) -> str:  # noqa: ANN001
    Store(db_path)
    capsys.readouterr()
    return str(db_path)


def test_task_list_shows_notes_and_counts(db: str, capsys) -> None:  # noqa: ANN001
    assert run(capsys, "task", "set", "1", "nam ka", "đang", "--note", "Đã tổ chức 3 buổi", "--db", db)[0] == 0
    assert run(capsys, "task", "set", "2", "krong no", "xong", "--db", db)[0] == 0
    code, out, _ = run(capsys, "task", "list", "--db", db)
    assert code == 0
    lines = out.splitlines()
    first = next(i for i, ln in enumerate(lines) if ln.strip().startswith("1. "))
    assert lines[first + 2].strip() == "✎ Nam Ka: Đã tổ chức 3 buổi"
    assert "1/32 hoàn thành · 1 đang thực hiện · 30 chưa thực hiện" in out
    code, out, _ = run(capsys, "task", "list", "--lang", "en", "--db", db)
    assert "1/32 done · 1 in progress · 30 not started" in out


def test_unit_list_keeps_the_cluster_order(db: str, capsys) -> None:  # noqa: ANN001
    code, out, _ = run(capsys, "unit", "list", "--db", db)
    assert code == 0
    assert [ln.split()[0] for ln in out.splitlines()] == ["krong_no", "nam_ka", "ea_rbin", "lien_son"]


def test_noop_rename_and_retire_are_not_logged(db: str, capsys) -> None:  # noqa: ANN001
    before = len(Store(db).log_entries())
    code, out, _ = run(capsys, "unit", "rename", "krong no", "Xã Krông Nô", "--db", db)
    assert code == 0 and "không có gì thay đổi" in out.lower()
    assert len(Store(db).log_entries()) == before
    assert run(capsys, "unit", "retire", "nam ka", "--year", "2030", "--db", db)[0] == 0
    rev = Store(db).snapshot().revision
    code, out, _ = run(capsys, "unit", "retire", "nam ka", "--year", "2030", "--db", db)
    assert code == 0 and "không có gì thay đổi" in out.lower()
    assert Store(db).snapshot().revision == rev and len(Store(db).log_entries()) == before + 1
    code, out, _ = run(capsys, "unit", "rename", "krong no", "Xã Krông Nô", "--lang", "en", "--db", db)
    assert code == 0 and out.startswith("No change")
