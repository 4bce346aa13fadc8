"""The report as a document to print and sign: the header block (issuing body, national title and
motto), the place and date line in the store's time zone, the signature block from the store's
settings, A4 print CSS, and the PDF (WeasyPrint) whose text is checked with a PDF text extractor."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from ccb_tui.cli import main
from ccb_tui.core.report import meeting as report, printed as report_print
from ccb_tui.core.domain.models import Msg
from ccb_tui.core.store.store import Store

NOW = datetime(2026, 11, 29, 20, 0, tzinfo=timezone.utc)  # 03:00 on 30 November in Việt Nam


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _text(page: str) -> str:
    """The page's visible text, tags removed and whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", page, flags=re.S)))


def test_html_has_the_document_layout(store: Store) -> None:
    page = report.render_html(store.snapshot(), 2020, now=NOW)
    head = page.split('<header class="doc-head">', 1)[1].split("</header>", 1)[0]
    issuer, nation = re.findall(r'<td class="(?:issuer|nation)">(.*?)</td>', head, flags=re.S)[:2]
    assert '<div class="org-parent">HỘI CCB HUYỆN LẮK</div>' in issuer
    assert '<div class="org-name">CỤM THI ĐUA SỐ 3</div>' in issuer and 'class="rule"' in issuer
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in nation and "Độc lập - Tự do - Hạnh phúc" in nation
    assert '<td class="place-date">Krông Nô, ngày 30 tháng 11 năm 2026</td>' in head  # Asia/Ho_Chi_Minh
    assert "BÁO CÁO" in head and "KẾT QUẢ THI ĐUA NĂM 2020" in head
    text = _text(page)
    # the order of a state document: header, title, body, then the signature block last
    order = [text.index(s) for s in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Krông Nô, ngày 30", "KẾT QUẢ THI ĐUA",
                                     "1. Tổng cụm", "Nhiệm vụ năm 2021", "TM. CỤM THI ĐUA SỐ 3")]
    assert order == sorted(order)
    sign = page.split('<table class="signature"', 1)[1]
    assert '<div class="signer-title">TM. CỤM THI ĐUA SỐ 3</div>' in sign
    assert '<div class="signer-name dots">' in sign  # no name in the seed: a dotted line to write it by hand
    assert "@page { size: A4; margin: 2cm 2cm 2cm 3cm;" in page and "Times New Roman" in page
    assert "break-inside: avoid" in page
    assert "default-src 'none'" in page and not re.search(r"(src|href)=\"(https?:)?//", page)  # nothing external


def test_date_follows_the_store_time_zone(store: Store) -> None:
    store.set_setting("timezone", "Europe/London")
    assert "Krông Nô, ngày 29 tháng 11 năm 2026" in report.render_html(store.snapshot(), 2020, now=NOW)
    store.set_setting("timezone", "Asia/Ho_Chi_Minh")
    early = datetime(2026, 2, 4, 18, 30, tzinfo=timezone.utc)  # 01:30 on 5 February in Việt Nam
    assert "Krông Nô, ngày 05 tháng 02 năm 2026" in report.render_html(store.snapshot(), 2020, now=early)
    md = report.render_markdown(store.snapshot(), 2020, now=early)
    assert "Lập ngày 05/02/2026" in md


def test_vi_date_form() -> None:
    from datetime import date
    assert report_print.vi_date(date(2026, 11, 29)) == "ngày 29 tháng 11 năm 2026"
    assert report_print.vi_date(date(2026, 1, 9)) == "ngày 09 tháng 01 năm 2026"
    assert report_print.vi_date(date(2026, 3, 1)) == "ngày 01 tháng 3 năm 2026"
    assert report_print.place_date("", date(2026, 3, 10)).startswith("……")


def test_settings_show_as_text_in_the_report(store: Store) -> None:
    store.set_setting("signer_name", "<script>alert(1)</script>")
    store.set_setting("signer_title", "KT. CHỦ TỊCH & <b>PHÓ</b>")
    store.set_setting("place", "Liên Sơn <i>")
    page = report.render_html(store.snapshot(), 2020, now=NOW)
    assert "<script" not in page.lower() and "<b>PHÓ" not in page
    assert '<div class="signer-name">&lt;script&gt;alert(1)&lt;/script&gt;</div>' in page
    assert "KT. CHỦ TỊCH &amp; &lt;b&gt;PHÓ&lt;/b&gt;" in page
    assert "Liên Sơn &lt;i&gt;, ngày 30 tháng 11 năm 2026" in page


def test_settings_command(db_path: Path, capsys, sha) -> None:
    db = str(db_path)
    code, out, err = run(capsys, "settings", "--db", db)
    assert code == 0, err
    assert re.search(r"^org_parent\s+HỘI CCB HUYỆN LẮK$", out, flags=re.M)
    assert re.search(r"^signer_name\s+\(trống\)$", out, flags=re.M)
    assert re.search(r"^timezone\s+Asia/Ho_Chi_Minh$", out, flags=re.M)
    code, out, err = run(capsys, "settings", "set", "signer_name", "Nguyễn Văn A", "--db", db)
    assert code == 0, err
    assert out == "signer_name: “” → “Nguyễn Văn A”\n"
    assert Store(db).snapshot().settings.signer_name == "Nguyễn Văn A"
    before = sha(db_path)
    code, out, err = run(capsys, "settings", "set", "signer", "x", "--db", db)
    assert code == 3 and out == "" and err.count("\n") == 1 and "signer_name" in err
    code, _, err = run(capsys, "settings", "set", "timezone", "Mars/Olympus", "--db", db)
    assert code == 3 and err.count("\n") == 1
    code, _, err = run(capsys, "settings", "set", "current_year", "năm nay", "--db", db)
    assert code == 3 and err.count("\n") == 1
    assert sha(db_path) == before
    code, out, err = run(capsys, "--lang", "en", "settings", "list", "--db", db)
    assert code == 0 and "Nguyễn Văn A" in out


def test_pdf_without_weasyprint_says_how_to_install(db_path: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(report_print, "weasyprint_missing",
                        lambda: Msg(report_print.PDF_INSTALL_VI, report_print.PDF_INSTALL_EN))
    out = tmp_path / "bc.pdf"
    code, stdout, err = run(capsys, "report", "-o", str(out), "--db", str(db_path))
    assert code == 2 and err.count("\n") == 1 and "pip install 'ccb-tui[pdf]'" in err
    assert not out.exists() and not db_path.exists()  # checked before anything was opened or written
    code, _, err = run(capsys, "report", "-o", "-", "--format", "pdf", "--db", str(db_path))
    assert code == 2 and err.count("\n") == 1


def _pdf_or_skip() -> None:
    missing = report_print.weasyprint_missing()
    if missing is not None:
        pytest.skip("WeasyPrint or its system libraries (Pango) are not installed: " + missing.text("en"))


def test_pdf_report_text_and_page_size(db_path: Path, tmp_path: Path, capsys) -> None:
    _pdf_or_skip()
    pypdf = pytest.importorskip("pypdf", reason="pypdf (in the test extra) extracts the PDF's text")
    Store(db_path).set_setting("signer_name", "Nguyễn Văn <A>")
    out = tmp_path / "bao-cao.pdf"
    code, _, err = run(capsys, "report", "--year", "2020", "-o", str(out), "--db", str(db_path))
    assert code == 0, err
    assert out.read_bytes().startswith(b"%PDF-")
    pdf = pypdf.PdfReader(str(out))
    width, height = (float(x) for x in pdf.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    pages = [p.extract_text() for p in pdf.pages]
    text = "\n".join(pages)
    flat = re.sub(r"\s+", " ", text)
    for expected in ("HỘI CCB HUYỆN LẮK", "CỤM THI ĐUA SỐ 3", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                     "Độc lập - Tự do - Hạnh phúc", "BÁO CÁO", "KẾT QUẢ THI ĐUA NĂM 2020",
                     "Hội viên 438", "Ea R'Bin", "Liên Sơn", "TM. CỤM THI ĐUA SỐ 3", "Nguyễn Văn <A>"):
        assert expected in flat, expected
    assert re.search(r"Krông Nô, ngày \d\d tháng \d{1,2} năm \d{4}", flat)
    assert "CỘNG HÒA" in pages[0] and "Nguyễn Văn <A>" in pages[-1]  # header first, signature last
    code, _, err = run(capsys, "report", "-o", str(out), "--db", str(db_path))
    assert code == 2 and "--force" in err  # an existing PDF is kept
