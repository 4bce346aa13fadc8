"""The meeting report (``ccb-tui report``): Markdown with text bars, HTML with inline SVG, every
string from data escaped, the checklist, and the changes since a date from the audit log."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from ccb_tui.cli import main
from ccb_tui.core.report import meeting as report
from ccb_tui.core.domain.models import TaskState
from ccb_tui.core.store.store import Store

HOSTILE = "<script>alert(1)</script> & [x](javascript:alert(2)) | *b* `code`"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(db_path: Path, capsys) -> str:
    s = Store(db_path, user="alice")
    s.set_value("krong_no", "members", 2020, 125)
    s.set_task_status(1, "krong_no", TaskState.DONE, note="Đã tổ chức 3 buổi")
    s.set_task_status(2, "nam_ka", TaskState.DOING)
    capsys.readouterr()
    return str(db_path)


def test_markdown_report_reads_as_a_meeting_report(db: str, tmp_path: Path, capsys) -> None:
    out = tmp_path / "hop.md"
    code, _, err = run(capsys, "report", "--year", "2020", "-o", str(out), "--db", db)
    assert code == 0, err
    md = out.read_text(encoding="utf-8")
    assert md.startswith("# Báo cáo họp Cụm thi đua số 3 — năm 2020")
    for heading in ("## 1. Tổng cụm, kế hoạch và đối chiếu báo cáo", "## 2. Số liệu theo đơn vị",
                    "## 3. Kế hoạch theo đơn vị", "## Biểu đồ", "## Nhiệm vụ năm 2021"):
        assert heading in md
    assert "| Kết nạp mới | 24 | 22 | ✔ ĐẠT 109% | ✔ 24 |" in md  # plan vs actual, reconciliation
    assert "| Dư nợ | 2,5 tỷ | 2,2 tỷ | chưa BC | 2,03 tỷ | 6,73 tỷ (3/4) |" in md  # not reported is not 0
    assert "Dư nợ: 3/4 đơn vị đã báo cáo" in md
    assert "Ea R'Bin chưa báo cáo: không tính vào tổng, không coi là 0" in md
    bars = md.split("```text", 1)[1].split("```", 1)[0]
    assert re.search(r"Krông Nô\s+█+ 125 \(\+7\)", bars)
    assert re.search(r"Ea R'Bin\s+—\s+chưa báo cáo", bars)  # no bar for a missing figure
    assert "**1/32 hoàn thành (3%) · 1 đang thực hiện · 30 chưa thực hiện**" in md
    assert "| 1 | Đẩy mạnh tuyên truyền" in md and "● xong ✎" in md
    assert "- Nhiệm vụ 1 · Krông Nô: Đã tổ chức 3 buổi" in md
    assert "Thay đổi từ" not in md  # no --since: no change list


def test_html_report_escapes_all_data_and_draws_svg(db: str, tmp_path: Path, capsys) -> None:
    Store(db).rename_unit("nam_ka", HOSTILE)
    Store(db).set_task_status(1, "nam_ka", TaskState.DONE, note="<img src=x onerror=alert(3)>\ndòng hai")
    out = tmp_path / "hop.html"
    code, _, err = run(capsys, "report", "--year", "2020", "-o", str(out), "--db", db)
    assert code == 0, err
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; [x](javascript:alert(2))" in page
    assert "&lt;img src=x onerror=alert(3)&gt;<br>dòng hai" in page
    assert "default-src 'none'" in page  # a CSP that would block any script anyway
    svgs = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    assert len(svgs) == 4  # members, fund, loans, plan vs actual
    for svg in svgs:
        root = ET.fromstring(svg)  # well-formed, so the escaping held inside the SVG too
        assert root.tag.endswith("svg")
    members = ET.fromstring(svgs[0])
    texts = [t.text for t in members.iter("{http://www.w3.org/2000/svg}text")]
    assert HOSTILE in texts  # the hostile name shows as text
    assert len(list(members.iter("{http://www.w3.org/2000/svg}rect"))) == 4
    loans = ET.fromstring(svgs[2])
    assert len(list(loans.iter("{http://www.w3.org/2000/svg}rect"))) == 3  # Ea R'Bin: not reported
    assert "chưa báo cáo" in [t.text for t in loans.iter("{http://www.w3.org/2000/svg}text")]


def test_markdown_escapes_data(db: str, tmp_path: Path, capsys) -> None:
    Store(db).rename_unit("nam_ka", HOSTILE + " ```")
    md = report.render_markdown(Store(db).snapshot(), 2020)
    table_line = next(line for line in md.splitlines() if line.startswith("| Chỉ tiêu | Krông Nô"))
    assert r"\<script>alert(1)\</script> & \[x\](javascript:alert(2)) \| \*b\* \`code\`" in table_line
    assert len(re.findall(r"(?<!\\)\|", table_line)) == 7  # 6 cells: the "|" in the name added no column
    fence = re.search(r"^(`{3,})text$", md, flags=re.M).group(1)
    assert len(fence) > 3  # longer than the ``` in the name, so the chart block cannot be closed early
    assert md.count(fence) == 2


def test_changes_since_a_date(db: str, tmp_path: Path, capsys) -> None:
    today = date.today()
    code, out, err = run(capsys, "report", "--year", "2020", "--since", today.isoformat(), "-o", "-", "--db", db)
    assert code == 0, err
    section = out.split(f"## Thay đổi từ ngày {today:%d/%m/%Y}", 1)[1]
    assert "alice · Xã Krông Nô · Số hội viên 2020: 120 → 125" in section
    assert "· alice · Xã Krông Nô · nhiệm vụ 1 “Đẩy mạnh" in section
    tomorrow = (today + timedelta(days=2)).isoformat()
    code, out, _ = run(capsys, "report", "--since", tomorrow, "-o", "-", "--db", db)
    assert "Không có thay đổi nào." in out
    code, _, err = run(capsys, "report", "--since", "hôm qua", "-o", "-", "--db", db)
    assert code == 2


def test_html_changes_and_english(db: str, tmp_path: Path, capsys) -> None:
    out = tmp_path / "r.html"
    code, _, err = run(capsys, "report", "--lang", "en", "--since", "2000-01-01", "-o", str(out), "--db", db)
    assert code == 0, err
    page = out.read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Meeting report" in page and "Changes since 2000-01-01" in page
    assert "Members 2020: 120 → 125" in page


def test_report_refuses_to_overwrite_and_checks_the_suffix(db: str, tmp_path: Path, capsys) -> None:
    out = tmp_path / "r.md"
    out.write_text("keep", encoding="utf-8")
    code, _, err = run(capsys, "report", "-o", str(out), "--db", db)
    assert code == 2 and out.read_text(encoding="utf-8") == "keep" and "--force" in err
    assert err.count("\n") == 1
    code, _, err = run(capsys, "report", "-o", str(out), "--db", db, "--force")
    assert code == 0 and out.read_text(encoding="utf-8").startswith("# ")
    code, _, err = run(capsys, "report", "-o", str(tmp_path / "r.docx"), "--db", db)
    assert code == 2 and "--format" in err
    code, _, err = run(capsys, "report", "-o", db, "--format", "md", "--force", "--db", db)
    assert code == 2  # never over the store


def test_text_bars_scale_and_mark_missing() -> None:
    chart = report.Chart("T", (report.Bar("A", 100.0, "100"), report.Bar("Bb", 50.0, "50"),
                               report.Bar("C", None, "chưa báo cáo"), report.Bar("D", 0.0, "0")))
    lines = report.text_bars(chart, width=10)
    assert lines[0] == "T"
    assert lines[1] == "A   ██████████ 100"
    assert lines[2] == "Bb  █████      50"
    assert lines[3] == "C   —          chưa báo cáo"
    assert lines[4] == "D              0"


def test_checklist_falls_back_to_the_latest_year(db: str) -> None:
    cl = report.checklist_for(Store(db).snapshot(), 2020)
    assert cl.year == 2021 and cl.requested == 2020 and len(cl.tasks) == 8
    md = report.render_markdown(Store(db).snapshot(), 2020, now=datetime(2021, 3, 31))
    assert "Lập ngày 31/03/2021" in md and "(Năm 2020 chưa có danh sách nhiệm vụ; đây là danh sách năm 2021.)" in md
