"""A newcomer's first minutes: ``--demo`` on a scratch copy of the bundled data (the real store is
never touched), and CSV for Excel set to Vietnamese (``--sep ';'``) that imports back."""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import pytest

from ccb_tui.cli import main
from ccb_tui.core.store.store import Store


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- --demo ---------------------------------------------------------------------------------

def test_demo_never_touches_the_real_store(capsys, tmp_path: Path) -> None:
    real = Path(os.environ["CCB_DB"])  # the conftest's private "real" store
    code, out, err = run(capsys, "--demo", "set", "krong_no", "members", "130", "--year", "2020")
    assert code == 0, err
    assert "120 → 130" in out
    assert "--demo" in err and "ccb-tui-demo-" in err
    folder = Path(re.search(r"(/\S*ccb-tui-demo-[^\s,]+)", err).group(1).rstrip(","))
    assert not folder.exists()  # removed on exit
    assert not real.exists()  # nothing created where $CCB_DB points
    code, out, err = run(capsys, "summary", "--demo", "--year", "2020")  # a fresh copy every time
    assert code == 0 and re.search(r"Hội viên\s+120\b", out)
    assert not real.exists()


def test_demo_and_db_together_are_refused(capsys, db_path: Path) -> None:
    code, _, err = run(capsys, "--demo", "summary", "--db", str(db_path))
    assert code == 2 and err.count("\n") == 1 and not db_path.exists()


def test_demo_report_writes_where_asked(capsys, tmp_path: Path) -> None:
    out = tmp_path / "bc.html"
    code, _, err = run(capsys, "report", "--demo", "-o", str(out))
    assert code == 0, err
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in out.read_text(encoding="utf-8")


# --- CSV separators -------------------------------------------------------------------------

@pytest.fixture
def db(db_path: Path) -> str:
    Store(db_path, user="alice")
    return str(db_path)


@pytest.mark.parametrize("sep, shown", [(";", ";"), ("\t", "tab")])
def test_csv_round_trip_with_another_separator(db: str, tmp_path: Path, capsys, sep: str, shown: str) -> None:
    out = tmp_path / "cum3.csv"
    code, _, err = run(capsys, "export", "--year", "2020", "-o", str(out), "--sep", shown, "--db", db)
    assert code == 0, err
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the diacritics right
    content = raw.decode("utf-8-sig")
    header = content.split("\r\n", 1)[0]
    assert header.startswith(f"Phần{sep}Năm{sep}") and "," not in header
    rows = list(csv.reader(io.StringIO(content, newline=""), delimiter=sep))
    cols = rows[0]
    assert all(len(r) == len(cols) for r in rows[1:] if r)
    # a decimal comma is not quoted with ";" (it is not the separator): Excel reads it as a number
    canal = next(r for r in rows if r[cols.index("Mã chỉ tiêu")] == "canal_km" and r[cols.index("Mã đơn vị")] == "krong_no")
    assert canal[cols.index("Giá trị")] == "0,5" and '"0,5"' not in content
    # nothing changed: the file reads back as no change at all
    code, outp, err = run(capsys, "import", str(out), "--dry-run", "--db", db)
    assert code == 0, err
    assert "0 số liệu, 0 chỉ tiêu, 0 trạng thái nhiệm vụ thay đổi" in outp
    # a commune edits two cells and sends it back
    members = next(i for i, r in enumerate(rows) if r[cols.index("Mã chỉ tiêu")] == "members"
                   and r[cols.index("Mã đơn vị")] == "lien_son" and r[0] == "Số liệu")
    rows[members][cols.index("Giá trị")] = "112"
    rows[rows.index(canal)][cols.index("Giá trị")] = "0,75"
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator="\r\n").writerows(rows)
    out.write_text(buf.getvalue(), encoding="utf-8-sig")
    code, outp, err = run(capsys, "import", str(out), "--db", db)
    assert code == 0, err
    snap = Store(db).snapshot()
    assert snap.reading("lien_son", "members", 2020).value == 112
    assert snap.reading("krong_no", "canal_km", 2020).value == 0.75


@pytest.mark.parametrize("bad", ["|", "::", "x"])
def test_csv_separator_is_checked(db: str, tmp_path: Path, capsys, bad: str) -> None:
    out = tmp_path / "x.csv"
    code, _, err = run(capsys, "export", "-o", str(out), "--sep", bad, "--db", db)
    assert code == 2 and err.count("\n") == 1 and not out.exists()
    code, _, err = run(capsys, "export", "-o", str(tmp_path / "x.xlsx"), "--sep", ";", "--db", db)
    assert code == 2 and err.count("\n") == 1


def test_csv_default_stays_rfc4180(db: str, capsys) -> None:
    code, out, err = run(capsys, "export", "--year", "2020", "-o", "-", "--db", db)
    assert code == 0
    assert out.lstrip("\ufeff").startswith("Phần,Năm,") and '"0,5"' in out
