"""A note saved on a task reads as a note change, in the store's Change and in the audit log."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccb_tui import cli
from ccb_tui.core.store import audit
from ccb_tui.core.domain.models import TaskState
from ccb_tui.core.store.store import Store


def test_note_change_reads_as_a_note_change(store: Store) -> None:
    store.set_task_status(1, "krong_no", TaskState.DOING)
    change = store.set_task_status(1, "krong_no", TaskState.DOING, note="Đã tổ chức 3 buổi")
    assert change.text("vi").endswith("Xã Krông Nô · ghi chú: '' → 'Đã tổ chức 3 buổi'")
    assert change.text("en").endswith("Xã Krông Nô · note: '' → 'Đã tổ chức 3 buổi'")
    assert "đang thực hiện → đang thực hiện" not in change.text("vi")
    entry = store.log_entries()[-1]
    said = audit.describe(entry, store.snapshot(), "vi")
    assert said.endswith("ghi chú: '' → 'Đã tổ chức 3 buổi'") and "Xã Krông Nô" in said
    # a state change alone still reads as before; both at once name both
    change = store.set_task_status(1, "krong_no", TaskState.DONE)
    assert change.text("vi").endswith(": đang thực hiện → hoàn thành")
    change = store.set_task_status(1, "nam_ka", TaskState.DOING, note="Xong 1 buổi")
    assert change.text("vi").endswith(": chưa thực hiện, ghi chú '' → đang thực hiện, ghi chú 'Xong 1 buổi'")


def test_cli_log_words_a_note_change(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", str(db_path)]
    assert cli.main(["task", "set", "2", "lien son", "đang", "--note", "Đã tổ chức 3 buổi", *db]) == 0
    capsys.readouterr()
    assert cli.main(["task", "set", "2", "lien son", "đang", "--note", "Đã tổ chức 4 buổi", *db]) == 0
    assert capsys.readouterr().out.strip().endswith("ghi chú: 'Đã tổ chức 3 buổi' → 'Đã tổ chức 4 buổi'")
    assert cli.main(["log", *db]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.endswith("ghi chú: 'Đã tổ chức 3 buổi' → 'Đã tổ chức 4 buổi'")
    assert "đang thực hiện → đang thực hiện" not in last
