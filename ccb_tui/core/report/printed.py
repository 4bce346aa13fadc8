"""The report as a document the association can file: header block, place and date, signature.

Vietnamese administrative documents share one layout: the issuing body top left (its parent body
over its own name in bold, a short rule under it), the national title top right ("CỘNG HÒA XÃ HỘI
CHỦ NGHĨA VIỆT NAM" over the motto "Độc lập - Tự do - Hạnh phúc", a short rule under it), the
place and date line ("Krông Nô, ngày 29 tháng 11 năm 2026", italic), the title, the body and a
signature block on the right (the signer's capacity, room to sign, the full name). This module
renders those parts as HTML from the store's settings, the A4 print CSS, and the PDF (WeasyPrint,
an optional dependency). Every string from the store is escaped. Headless: no textual, rich or
plotext.
"""

from __future__ import annotations

import html
from datetime import date, datetime, timezone
from typing import Any

from ..domain.errors import UsageError
from ..domain.models import DEFAULT_TIMEZONE, Msg, Settings
from ..domain.text import sanitize

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
DOTS = "…………………………"

PDF_INSTALL_VI = ("Cần WeasyPrint để xuất PDF: pip install 'ccb-tui[pdf]' (Debian/Ubuntu cần thêm: "
                  "apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core). "
                  "Hoặc xuất -o BÁO_CÁO.html rồi in từ trình duyệt.")
PDF_INSTALL_EN = ("Writing a PDF needs WeasyPrint: pip install 'ccb-tui[pdf]' (on Debian/Ubuntu also "
                  "apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core). "
                  "Or write -o REPORT.html and print it from a browser.")


def _esc(value: object) -> str:
    """Data as HTML text, control characters removed (as ``report.esc``)."""
    return html.escape(sanitize("" if value is None else str(value)), quote=True)


def today_in(tz_name: str | None, now: datetime | None = None) -> date:
    """The calendar day in the store's time zone (``now`` defaults to the current instant).

    A naive ``now`` is taken as the machine's local time. An unknown zone falls back to
    Asia/Ho_Chi_Minh: the settings are checked when set, so this only guards old files.
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    try:
        tz = ZoneInfo(tz_name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo(DEFAULT_TIMEZONE)
    now = now or datetime.now(timezone.utc)
    return now.astimezone(tz).date()


def vi_date(day: date) -> str:
    """"ngày 29 tháng 11 năm 2026"; a day below 10 and the months 1 and 2 get a leading zero, as
    the state's rules for documents ask ("ngày 05 tháng 02 năm 2026")."""
    dd = f"{day.day:02d}"
    mm = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {dd} tháng {mm} năm {day.year}"


def place_date(place: str, day: date, lang: str = "vi") -> str:
    """"Krông Nô, ngày 29 tháng 11 năm 2026" (dots for an unset place)."""
    if lang == "en":
        return f"{place or DOTS}, {day.day} {day.strftime('%B')} {day.year}"
    return f"{place or DOTS}, {vi_date(day)}"


def document_title(year: int, lang: str = "vi") -> tuple[str, str]:
    """The document's kind and subject, each a line of the centred title."""
    if lang == "en":
        return "REPORT", f"COMPETITION RESULTS, {year}"
    return "BÁO CÁO", f"KẾT QUẢ THI ĐUA NĂM {year}"


def header_html(settings: Settings, *, parent_fallback: str, name_fallback: str, year: int,
                day: date, lang: str = "vi") -> str:
    """The header block (issuing body | national title), the place and date line and the title."""
    parent = settings.org_parent or parent_fallback.upper()
    name = settings.org_name or name_fallback.upper()
    kind, subject = document_title(year, lang)
    return "\n".join([
        '<header class="doc-head">',
        '<table class="doc-head" role="presentation"><tr>',
        '<td class="issuer">'
        + (f'<div class="org-parent">{_esc(parent)}</div>' if parent else "")
        + f'<div class="org-name">{_esc(name)}</div><div class="rule"></div></td>',
        f'<td class="nation"><div class="national">{_esc(NATIONAL_TITLE)}</div>'
        f'<div class="motto">{_esc(MOTTO)}</div><div class="rule"></div></td>',
        "</tr><tr>",
        '<td class="issuer"></td>',
        f'<td class="place-date">{_esc(place_date(settings.place, day, lang))}</td>',
        "</tr></table>",
        f'<h1 class="doc-title"><span class="kind">{_esc(kind)}</span><br>'
        f'<span class="subject">{_esc(subject)}</span></h1>',
        "</header>",
    ])


def signature_html(settings: Settings, lang: str = "vi") -> str:
    """The signature block on the right: capacity, room to sign, full name (dots when unset)."""
    title = settings.signer_title or DOTS
    name = settings.signer_name
    hint = "(Ký, ghi rõ họ tên)" if lang != "en" else "(Signature and full name)"
    return "\n".join([
        '<table class="signature" role="presentation"><tr>',
        '<td class="sign-left"></td>',
        '<td class="sign-right">',
        f'<div class="signer-title">{_esc(title)}</div>',
        f'<div class="sign-hint">{_esc(hint)}</div>',
        '<div class="sign-space"></div>',
        f'<div class="signer-name">{_esc(name)}</div>' if name else f'<div class="signer-name dots">{DOTS}</div>',
        "</td></tr></table>",
    ])


CSS = """
body { font-family: "Times New Roman", Times, "Liberation Serif", "DejaVu Serif", "Noto Serif", serif;
       font-size: 13pt; line-height: 1.35; color: #000; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }
table.doc-head, table.signature { width: 100%; border: none; border-collapse: collapse; margin: 0; }
table.doc-head td, table.signature td { border: none; padding: 0; text-align: center; vertical-align: top; }
td.issuer { width: 40%; padding-right: 6pt; } td.nation { width: 60%; }
.org-parent { text-transform: uppercase; } .org-name { font-weight: bold; text-transform: uppercase; }
.national { font-weight: bold; font-size: 12pt; white-space: nowrap; } .motto { font-weight: bold; }
.rule { width: 35%; margin: 2pt auto 0; border-top: 1px solid #000; }
td.nation .rule { width: 62%; }
td.place-date { font-style: italic; padding-top: 8pt; }
h1.doc-title { text-align: center; font-size: 14pt; margin: 18pt 0 12pt; line-height: 1.4; }
h1.doc-title .subject { font-size: 13pt; }
h2 { font-size: 13pt; margin: 16pt 0 6pt; break-after: avoid; page-break-after: avoid; }
.meta { font-size: 11pt; color: #333; } .doc-meta { text-align: center; }
.sample { border: 1px solid #000; padding: 4pt 8pt; font-style: italic; }
table { border-collapse: collapse; margin: 6pt 0; font-size: 11.5pt; }
th, td { border: 1px solid #000; padding: 2pt 5pt; vertical-align: top; }
th { text-align: center; font-weight: bold; background: none; }
td.state { white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
thead { display: table-header-group; } tr, li { break-inside: avoid; page-break-inside: avoid; }
.ok, .bad, .warn { color: inherit; } .bad { font-weight: bold; }
li.ok, li.warn { list-style: none; margin-left: -1.1em; }  /* the ✔ / ⚠ is the marker */
svg.chart { display: block; margin: 6pt 0 12pt; font-size: 13px; max-width: 100%; height: auto;
            break-inside: avoid; page-break-inside: avoid; }
svg .bar { fill: #555; } svg .chart-title { font-weight: bold; } svg .na { fill: #444; font-style: italic; }
section.charts, section.tasks { break-before: page; page-break-before: always; }
section.thidua { break-before: page; page-break-before: always; }
h3 { font-size: 12.5pt; margin: 10pt 0 4pt; break-after: avoid; page-break-after: avoid; }
table.sheet { font-size: 10pt; width: 100%; } table.sheet td.num { white-space: nowrap; }
table.sheet td:nth-child(2) { min-width: 3cm; }
table.sheet tr:last-child td { font-weight: bold; }  /* the totals row */
table.signature { margin-top: 14pt; break-inside: avoid; page-break-inside: avoid;
                  break-before: avoid; page-break-before: avoid; }  /* never a signature page alone */
section.tasks table { font-size: 11pt; } section.tasks p.meta:last-child { break-after: avoid; }
td.sign-left { width: 45%; } td.sign-right { width: 55%; }
.signer-title { font-weight: bold; text-transform: uppercase; }
.sign-hint { font-style: italic; font-size: 11pt; }
.sign-space { height: 2.4cm; } .signer-name { font-weight: bold; }
@page { size: A4; margin: 2cm 2cm 2cm 3cm;
        @bottom-right { content: counter(page) "/" counter(pages); font-size: 10pt; font-family: serif; } }
@media print { body { margin: 0; max-width: none; padding: 0; } }
"""
"""A4 with the margins of Vietnamese administrative documents (3 cm on the binding side), serif
type, black on white (status is always a word or symbol too), rows and charts never split."""


# --- PDF ------------------------------------------------------------------------------------

def _no_fetch(url: str, *args: Any, **kwargs: Any) -> Any:
    """WeasyPrint's URL fetcher: nothing is fetched (the page is self-contained; data: URIs are
    decoded by WeasyPrint itself)."""
    raise ValueError(f"external resources are not loaded: {url[:80]}")


def weasyprint_missing() -> Msg | None:
    """None when WeasyPrint and its system libraries load; otherwise how to install them."""
    import warnings
    try:
        with warnings.catch_warnings():  # WeasyPrint warns at import about optional libraries
            warnings.simplefilter("ignore")
            import weasyprint  # noqa: F401
    except (ImportError, OSError):  # OSError: Pango/HarfBuzz shared libraries missing
        return Msg(PDF_INSTALL_VI, PDF_INSTALL_EN)
    return None


def html_to_pdf(page: str) -> bytes:
    """The report's HTML as a PDF (A4, per the page's CSS). Raises UsageError (exit 2) with the
    install line when WeasyPrint or its libraries are missing."""
    missing = weasyprint_missing()
    if missing is not None:
        raise UsageError(missing)
    import logging

    import weasyprint
    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # no CSS-support chatter on stderr
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return weasyprint.HTML(string=page, url_fetcher=_no_fetch).write_pdf()
