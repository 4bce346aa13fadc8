"""The meeting report as Markdown or HTML: totals, plan vs actual, charts, checklist, changes.

Markdown draws its charts as text bars in a fenced block; HTML as inline SVG generated here. Every
string from data is escaped (``html.escape`` in HTML, backslash escapes in Markdown tables): a unit
named ``<script>`` shows as text. The HTML has no script and a Content-Security-Policy that allows
none. Headless: no textual, rich or plotext.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Iterable

from ..store import audit
from ..domain import indicators, totals
from ..store.audit import LogEntry
from ..domain.checklist import Checklist, checklist_for
from ..domain.clock import local_time
from ..domain.fmt import format_number
from ..domain.indicators import CATALOGUE, Indicator, Kind
from ..domain.models import Snapshot, Task, TaskState, Unit
from .text import (
    SAMPLE_LABEL, coverage_notes, ratio_line, sample_label, sample_notes, ratio_notes, show_number, show_progress, show_reading, show_reconciliation, show_total,
)
from ..domain.text import sanitize, sanitize_multiline
from . import thidua as td_view

FORMATS = ("md", "html", "pdf")
BAR_WIDTH = 28  # cells of the longest text bar
_EIGHTHS = " ▏▎▍▌▋▊▉"


def _t(lang: str, vi: str, en: str) -> str:
    return en if lang == "en" else vi


# --- what the report shows ------------------------------------------------------------------

@dataclass(frozen=True)
class Bar:
    """One bar of a chart: a label, a value (None: not reported, no bar) and the text beside it."""

    label: str
    value: float | None
    shown: str


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart."""

    title: str
    bars: tuple[Bar, ...]


def _not_reported(lang: str) -> str:
    return _t(lang, "chưa báo cáo", "not reported")


def charts(summary: totals.YearSummary, lang: str = "vi") -> list[Chart]:
    """The dashboard's charts (members, fund, loans) and plan vs actual, as data."""
    year = summary.year
    out: list[Chart] = []
    bars = []
    for u in summary.units:
        m, n = summary.readings[u.code]["members"], summary.readings[u.code]["new_members"]
        if m.reported:
            extra = f" (+{format_number(n.value, lang=lang)})" if n.reported else ""
            bars.append(Bar(u.short_name(year), float(m.value), show_reading(indicators.get("members"), m, lang) + extra))
        else:
            bars.append(Bar(u.short_name(year), None, _not_reported(lang)))
    out.append(Chart(_t(lang, "Hội viên (+ kết nạp mới)", "Members (+ new)"), tuple(bars)))
    for code in ("fund", "loans"):
        ind = indicators.get(code)
        bars = []
        for u in summary.units:
            r = summary.readings[u.code][code]
            bars.append(Bar(u.short_name(year), float(r.value) if r.reported else None,
                            show_reading(ind, r, lang) if r.reported else _not_reported(lang)))
        out.append(Chart(f"{ind.short(lang)} ({_t(lang, 'đồng', 'VND')})", tuple(bars)))
    plan = []
    for ind in CATALOGUE:
        p = summary.progress[ind.code]
        if p.target is None:
            continue
        shown = show_progress(p, lang) or _t(lang, "chưa có số thực hiện", "no actual yet")
        shown += f" ({show_number(ind, p.actual, lang)} / {show_number(ind, p.target, lang)})"
        plan.append(Bar(ind.short(lang), p.percent, shown))
    if plan:
        out.append(Chart(_t(lang, "Thực hiện so với kế hoạch (%)", "Actual against plan (%)"), tuple(plan)))
    return out


def changes_since(entries: Iterable[LogEntry], since: date | None) -> list[LogEntry]:
    """Audit entries on or after ``since``, newest last."""
    return audit.filter_entries(list(entries), since=since)


def _when(e: LogEntry, tz: str) -> str:
    """When a change was made, in the cluster's time zone (dd/mm/yyyy HH:MM)."""
    return sanitize(local_time(e.at, tz))


def _day(d: date, lang: str) -> str:
    return d.strftime("%d/%m/%Y" if lang == "vi" else "%Y-%m-%d")


def _total_cell(ind: Indicator, total: totals.Total, lang: str, units_total: int) -> str:
    return show_total(ind, total, lang, units_total=units_total, with_unit=True)


def _missing_lines(summary: totals.YearSummary, lang: str) -> list[str]:
    return coverage_notes(summary, lang)


def _ratio_line(summary: totals.YearSummary, lang: str) -> str:
    return ratio_line(summary, lang, sep=" · ")


def _heading(summary: totals.YearSummary, lang: str) -> tuple[str, str]:
    cluster = summary.cluster
    title = _t(lang, f"Báo cáo họp {cluster.name('vi')} — năm {summary.year}",
               f"Meeting report, {cluster.name('en')} — {summary.year}")
    parent = cluster.parent_en if lang == "en" else cluster.parent_vi
    return title, parent


def _plan_rows(snap: Snapshot, summary: totals.YearSummary, lang: str) -> list[list[str]]:
    rows = []
    for u in summary.units:
        for ind in CATALOGUE:
            t = snap.target(u.code, ind.code, summary.year)
            if t is None:
                continue
            p = summary.unit_progress[u.code][ind.code]
            r = summary.readings[u.code][ind.code]
            rows.append([u.short_name(summary.year), ind.short(lang), show_number(ind, t.value, lang),
                         show_reading(ind, r, lang), show_progress(p, lang)])
    return rows


def _notes(cl: Checklist) -> list[tuple[Task, Unit, str]]:
    return [(t, u, t.status(u.code).note) for t in cl.tasks for u in cl.units if t.status(u.code).note]


def _progress_line(cl: Checklist, lang: str) -> str:
    total = len(cl.tasks) * len(cl.units)
    done, doing, todo = (cl.count(s) for s in (TaskState.DONE, TaskState.DOING, TaskState.TODO))
    pct = f" ({round(done * 100 / total)}%)" if total else ""
    return (f"{done}/{total} {TaskState.DONE.label(lang)}{pct} · {doing} {TaskState.DOING.label(lang)} · "
            f"{todo} {TaskState.TODO.label(lang)}")


def _legend(lang: str) -> str:
    return " · ".join(f"{s.glyph} {s.label(lang)}" for s in TaskState)


# --- Markdown -------------------------------------------------------------------------------

# Backslash-escape what Markdown (or the HTML it may carry) would act on, and only that, so the
# report still reads well as plain text: "<" before a tag-like character, "&" before an entity,
# and the inline markers. Data never starts a line (block markers such as "#" or "-" are inert).
_MD_SPECIAL = re.compile(r"[\\`*_\[\]|~]|<(?=[A-Za-z/!?$])|&(?=[#A-Za-z])|!(?=\[)")


def md_escape(value: object) -> str:
    """Data as literal Markdown text: one line, punctuation that Markdown or HTML would act on
    backslash-escaped ("<script>" shows as typed, "|" does not split a table cell)."""
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), sanitize("" if value is None else str(value)))


def _md_table(head: list[str], rows: list[list[str]], right: Iterable[int] = ()) -> list[str]:
    right = set(right)
    lines = ["| " + " | ".join(md_escape(h) for h in head) + " |",
             "|" + "|".join("---:" if i in right else "---" for i in range(len(head))) + "|"]
    lines += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows]
    return lines


def text_bars(chart: Chart, width: int = BAR_WIDTH) -> list[str]:
    """A chart as lines of text bars ("Krông Nô  ██████████▍ 120 (+7)")."""
    from .text import pad, width as cells
    labels = [sanitize(b.label) for b in chart.bars]
    lw = max((cells(lbl) for lbl in labels), default=0)
    top = max((b.value for b in chart.bars if b.value is not None and b.value > 0), default=0)
    lines = [sanitize(chart.title)]
    for b, lbl in zip(chart.bars, labels):
        if b.value is None:
            bar = "—"
        elif top <= 0:
            bar = ""
        else:
            eighths = round(min(b.value, top) / top * width * 8)
            bar = "█" * (eighths // 8) + (_EIGHTHS[eighths % 8] if eighths % 8 else "")
        lines.append(f"{pad(lbl, lw)}  {pad(bar, width)} {sanitize(b.shown)}".rstrip())
    return lines


def render_markdown(snap: Snapshot, year: int, *, lang: str = "vi", since: date | None = None,
                    entries: Iterable[LogEntry] | None = None, now: datetime | None = None) -> str:
    """The meeting report in Markdown, readable as plain text too."""
    summary = totals.summarize(snap, year)
    title, parent = _heading(summary, lang)
    from .printed import today_in
    now = today_in(snap.settings.timezone, now)  # the day in the store's time zone
    out = [f"# {md_escape(title)}", ""]
    meta = [md_escape(parent)] if parent else []
    meta.append(_t(lang, f"Lập ngày {_day(now, lang)}", f"Prepared {_day(now, lang)}"))
    meta.append(_t(lang, f"dữ liệu phiên bản r{snap.revision}", f"data revision r{snap.revision}"))
    out += [" · ".join(meta), ""]
    for note in sample_notes(summary, lang):
        out += ["> " + md_escape("⚠ " + note), ""]

    out += [f"## {_t(lang, '1. Tổng cụm, kế hoạch và đối chiếu báo cáo', '1. Cluster totals, plan and reconciliation')}", ""]
    recs = {r.indicator: r for r in summary.reconciliations}
    rows = []
    for ind in CATALOGUE:
        rows.append([ind.short(lang), _total_cell(ind, summary.totals[ind.code], lang, len(summary.units)),
                     show_number(ind, summary.targets.get(ind.code), lang) if summary.targets.get(ind.code) is not None else "",
                     show_progress(summary.progress[ind.code], lang),
                     show_reconciliation(recs.get(ind.code), ind, lang)])
    out += _md_table([_t(lang, "Chỉ tiêu", "Indicator"), _t(lang, "Tổng cụm", "Total"), _t(lang, "Kế hoạch", "Plan"),
                      _t(lang, "Tiến độ", "Progress"), _t(lang, "Đối chiếu báo cáo", "Reported")], rows, right=(1, 2))
    out.append("")
    out += [f"- {md_escape(line)}" for line in [_ratio_line(summary, lang), *ratio_notes(summary, lang), *_missing_lines(summary, lang)]]
    if summary.reconciliations:
        out += ["", f"**{_t(lang, 'Đối chiếu với tổng cụm đã báo cáo', 'Against the totals the cluster reported')}**", ""]
        for rec in summary.reconciliations:
            ind = indicators.BY_CODE.get(rec.indicator)
            name = ind.short(lang) if ind else rec.indicator
            out.append(f"- {'✔' if rec.ok else '⚠'} {md_escape(name)}: {md_escape(rec.msg.text(lang))}")
    out.append("")

    out += [f"## {_t(lang, '2. Số liệu theo đơn vị', '2. Figures by unit')}", ""]
    head = [_t(lang, "Chỉ tiêu", "Indicator"), *(u.short_name(year) for u in summary.units), _t(lang, "Tổng cụm", "Total")]
    rows = [[ind.short(lang), *(show_reading(ind, summary.readings[u.code][ind.code], lang) for u in summary.units),
             show_total(ind, summary.totals[ind.code], lang, units_total=len(summary.units))] for ind in CATALOGUE]
    out += _md_table(head, rows, right=range(1, len(head)))
    out += ["", md_escape(_t(lang, "“chưa BC”: chưa báo cáo (không phải 0); tiền tính theo triệu (tr.) / tỷ đồng.",
                             "“n/r”: not reported (not 0); money in millions (M ₫) / billions (B ₫) of đồng.")), ""]

    plan_rows = _plan_rows(snap, summary, lang)
    if plan_rows:
        out += [f"## {_t(lang, '3. Kế hoạch theo đơn vị', '3. Targets by unit')}", ""]
        out += _md_table([_t(lang, "Đơn vị", "Unit"), _t(lang, "Chỉ tiêu", "Indicator"), _t(lang, "Kế hoạch", "Plan"),
                          _t(lang, "Thực hiện", "Actual"), _t(lang, "Tiến độ", "Progress")], plan_rows, right=(2, 3))
        out.append("")

    out += [f"## {_t(lang, 'Biểu đồ', 'Charts')}", ""]
    body: list[str] = []
    for chart in charts(summary, lang):
        body += text_bars(chart) + [""]
    text_block = "\n".join(body).rstrip()
    longest = max((len(m) for m in re.findall(r"`+", text_block)), default=0)
    fence = "`" * max(3, longest + 1)  # a name holding ``` cannot close the block early
    out += [f"{fence}text", text_block, fence, ""]

    cl = checklist_for(snap, year)
    out += [f"## {_t(lang, 'Nhiệm vụ năm', 'Tasks')} {cl.year}", ""]
    if cl.year != cl.requested:
        out += [md_escape(_t(lang, f"(Năm {cl.requested} chưa có danh sách nhiệm vụ; đây là danh sách năm {cl.year}.)",
                             f"({cl.requested} has no checklist; this is the {cl.year} checklist.)")), ""]
    if not cl.tasks:
        out += [md_escape(_t(lang, "Chưa có nhiệm vụ nào.", "No tasks yet.")), ""]
    else:
        out += [f"**{md_escape(_progress_line(cl, lang))}**", ""]
        head = ["#", _t(lang, "Nhiệm vụ", "Task"), *(u.short_name(cl.year) for u in cl.units), _t(lang, "Xong", "Done")]
        rows = []
        for t in cl.tasks:
            done = sum(t.status(u.code).state is TaskState.DONE for u in cl.units)
            rows.append([str(t.id), t.title, *(_state_cell(t.status(u.code), lang) for u in cl.units),
                         f"{done}/{len(cl.units)}"])
        out += _md_table(head, rows, right=(0, len(head) - 1))
        out += ["", md_escape(_legend(lang) + _t(lang, " · ✎ có ghi chú", " · ✎ has a note")), ""]
        notes = _notes(cl)
        if notes:
            out += [f"**{_t(lang, 'Ghi chú của đơn vị', 'Notes by unit')}**", ""]
            out += [f"- {md_escape(_t(lang, 'Nhiệm vụ', 'Task'))} {t.id} · {md_escape(u.short_name(cl.year))}: "
                    f"{md_escape(' / '.join(n.splitlines()))}"
                    for t, u, n in notes]
            out.append("")

    out += _thidua_markdown(td_view.thidua_view(snap, year), lang)

    if since is not None:
        found = changes_since(entries or [], since)
        out += [f"## {_t(lang, 'Thay đổi từ ngày', 'Changes since')} {_day(since, lang)}", ""]
        if not found:
            out.append(md_escape(_t(lang, "Không có thay đổi nào.", "No changes.")))
        for e in found:
            out.append(f"- {md_escape(_when(e, snap.settings.timezone))} · {md_escape(e.user)} · {md_escape(audit.describe(e, snap, lang))}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _state_cell(status: object, lang: str) -> str:
    st = status.state  # type: ignore[attr-defined]
    word = {TaskState.TODO: ("chưa", "todo"), TaskState.DOING: ("đang", "doing"),
            TaskState.DONE: ("xong", "done")}[st][1 if lang == "en" else 0]
    return f"{st.glyph} {word}" + (" ✎" if status.note else "")  # type: ignore[attr-defined]


def _thidua_markdown(td: td_view.ThiDua, lang: str) -> list[str]:
    """The ranking, the scoring sheet and the commendations; each absent when the year has none."""
    out: list[str] = []
    if td.template is not None:
        out += [f"## {_t(lang, 'Thi đua năm', 'Competition')} {td.year}", ""]
        if td.ranking is None:
            out += [md_escape(_t(lang, "Chưa có điểm chấm nào.", "Nothing scored yet.")), ""]
        else:
            out += [f"### {_t(lang, 'Xếp hạng', 'Ranking')}", "", md_escape(td_view.ranking_caption(td, lang)), ""]
            out += _md_table(td_view.ranking_head(lang), td_view.ranking_rows(td, lang), right=(0, 2))
            out.append("")
        out += [f"### {_t(lang, 'Bảng chấm điểm', 'Scoring sheet')}", ""]
        head = td_view.sheet_head(td, lang)
        out += _md_table(head, td_view.sheet_rows(td, lang), right=range(2, len(head)))
        out += ["", md_escape(td_view.sheet_legend(td, lang)), ""]
        diffs = td_view.differences_lines(td, lang)
        if diffs:
            out += [f"**{_t(lang, 'Chênh lệch từ 1 điểm giữa hai lần chấm', 'Lines where two stages differ by a point or more')}**", ""]
            out += [f"- {md_escape(d)}" for d in diffs] + [""]
    if td.commendations:
        out += [f"## {_t(lang, 'Khen thưởng năm', 'Commendations')} {td.year}", ""]
        out += _md_table(td_view.commendation_head(lang), td_view.commendation_rows(td, lang), right=(0,))
        out.append("")
    return out


def _thidua_html(td: td_view.ThiDua, lang: str) -> list[str]:
    """The HTML of :func:`_thidua_markdown`'s sections."""
    body: list[str] = []
    if td.template is not None:
        body.append(f'<section class="thidua"><h2>{esc(_t(lang, "Thi đua năm", "Competition"))} {td.year}</h2>')
        if td.ranking is None:
            body.append(f"<p>{esc(_t(lang, 'Chưa có điểm chấm nào.', 'Nothing scored yet.'))}</p>")
        else:
            body.append(f"<h3>{esc(_t(lang, 'Xếp hạng', 'Ranking'))}</h3>")
            body.append(f'<p class="meta">{esc(td_view.ranking_caption(td, lang))}</p>')
            body.append(_html_table(td_view.ranking_head(lang), td_view.ranking_rows(td, lang), (0, 2)))
        body.append(f"<h3>{esc(_t(lang, 'Bảng chấm điểm', 'Scoring sheet'))}</h3>")
        head = td_view.sheet_head(td, lang)
        compact = len(td.units) > 3  # three stages of four units do not fit an A4 page
        rows = td_view.sheet_rows(td, lang, compact)
        classes = [[""] * len(head) for _ in rows]
        if classes:
            classes[-1] = ["total"] * len(head)
        body.append(_html_table(head, rows, range(2, len(head)), classes).replace("<table>", '<table class="sheet">', 1))
        legend = td_view.sheet_legend(td, lang, compact)
        if compact:
            legend += _t(lang, " Điểm cụm thẩm định: xem tệp xuất (trang Chấm điểm).",
                         " Peer-check points: see the export (sheet Chấm điểm).")
        body.append(f'<p class="meta">{esc(legend)}</p>')
        diffs = td_view.differences_lines(td, lang)
        if diffs:
            body.append(f"<p><strong>{esc(_t(lang, 'Chênh lệch từ 1 điểm giữa hai lần chấm', 'Lines where two stages differ by a point or more'))}</strong></p>")
            body.append("<ul>" + "".join(f"<li>{esc(d)}</li>" for d in diffs) + "</ul>")
        body.append("</section>")
    if td.commendations:
        body.append(f"<section class=\"commendations\"><h2>{esc(_t(lang, 'Khen thưởng năm', 'Commendations'))} {td.year}</h2>")
        body.append(_html_table(td_view.commendation_head(lang), td_view.commendation_rows(td, lang), (0,)))
        body.append("</section>")
    return body


# --- HTML -----------------------------------------------------------------------------------

def esc(value: object) -> str:
    """Data as HTML text or attribute (``html.escape`` with quotes), control characters removed."""
    return html.escape(sanitize("" if value is None else str(value)), quote=True)


def svg_bars(chart: Chart, width: int = 640) -> str:
    """A chart as an inline SVG of horizontal bars; every label escaped."""
    row_h, top_pad, label_w, text_w = 28, 30, 150, 210
    bar_w = width - label_w - text_w
    height = top_pad + row_h * len(chart.bars) + 8
    top = max((b.value for b in chart.bars if b.value is not None and b.value > 0), default=0)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" aria-label="{esc(chart.title)}">',
             f"<title>{esc(chart.title)}</title>",
             f'<text x="0" y="18" class="chart-title">{esc(chart.title)}</text>']
    for i, b in enumerate(chart.bars):
        y = top_pad + i * row_h
        parts.append(f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end">{esc(b.label)}</text>')
        w = 0.0
        if b.value is not None and top > 0:
            w = max(0.0, min(b.value, top) / top * bar_w)
            # fill as an attribute too: a PDF renderer does not apply the page's CSS inside SVG
            parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="18" class="bar" fill="#666"/>')
        cls = "na" if b.value is None else "val"
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 17}" class="{cls}">{esc(b.shown)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)




def _html_table(head: list[str], rows: list[list[str]], right: Iterable[int] = (), classes: list[list[str]] | None = None) -> str:
    right = set(right)
    out = ["<table>", "<thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr></thead>", "<tbody>"]
    for r, row in enumerate(rows):
        cells = []
        for i, c in enumerate(row):
            cls = ["num"] if i in right else []
            if classes and classes[r][i]:
                cls.append(classes[r][i])
            attr = f' class="{" ".join(cls)}"' if cls else ""
            cells.append(f"<td{attr}>{esc(c)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def render_html(snap: Snapshot, year: int, *, lang: str = "vi", since: date | None = None,
                entries: Iterable[LogEntry] | None = None, now: datetime | None = None) -> str:
    """The meeting report as one self-contained HTML page (no script, inline SVG charts)."""
    from . import printed as doc
    summary = totals.summarize(snap, year)
    title, parent = _heading(summary, lang)
    day = doc.today_in(snap.settings.timezone, now)
    body = [doc.header_html(snap.settings, parent_fallback=parent, name_fallback=summary.cluster.name("vi"),
                            year=year, day=day, lang=lang),
            f'<p class="meta doc-meta">{esc(title)} · '
            f'{esc(_t(lang, f"dữ liệu phiên bản r{snap.revision}", f"data revision r{snap.revision}"))}</p>']
    for note in sample_notes(summary, lang):
        body.append(f'<p class="sample">{esc("⚠ " + note)} [{esc(sample_label(summary, lang))}]</p>')

    body.append(f"<h2>{esc(_t(lang, '1. Tổng cụm, kế hoạch và đối chiếu báo cáo', '1. Cluster totals, plan and reconciliation'))}</h2>")
    recs = {r.indicator: r for r in summary.reconciliations}
    rows, classes = [], []
    for ind in CATALOGUE:
        p, rec = summary.progress[ind.code], recs.get(ind.code)
        tgt = summary.targets.get(ind.code)
        rows.append([ind.short(lang), _total_cell(ind, summary.totals[ind.code], lang, len(summary.units)),
                     show_number(ind, tgt, lang) if tgt is not None else "", show_progress(p, lang),
                     show_reconciliation(rec, ind, lang)])
        classes.append(["", "", "", "" if p.met is None else ("ok" if p.met else "bad"),
                        "" if rec is None else ("ok" if rec.ok else "warn")])
    body.append(_html_table([_t(lang, "Chỉ tiêu", "Indicator"), _t(lang, "Tổng cụm", "Total"), _t(lang, "Kế hoạch", "Plan"),
                             _t(lang, "Tiến độ", "Progress"), _t(lang, "Đối chiếu báo cáo", "Reported")], rows, (1, 2), classes))
    body.append("<ul>" + "".join(f"<li>{esc(x)}</li>" for x in [_ratio_line(summary, lang), *ratio_notes(summary, lang), *_missing_lines(summary, lang)]) + "</ul>")
    if summary.reconciliations:
        items = []
        for rec in summary.reconciliations:
            ind = indicators.BY_CODE.get(rec.indicator)
            name = ind.short(lang) if ind else rec.indicator
            items.append(f'<li class="{"ok" if rec.ok else "warn"}">{"✔" if rec.ok else "⚠"} {esc(name)}: {esc(rec.msg.text(lang))}</li>')
        body.append(f"<p><strong>{esc(_t(lang, 'Đối chiếu với tổng cụm đã báo cáo', 'Against the totals the cluster reported'))}</strong></p>")
        body.append("<ul>" + "".join(items) + "</ul>")

    body.append(f"<h2>{esc(_t(lang, '2. Số liệu theo đơn vị', '2. Figures by unit'))}</h2>")
    head = [_t(lang, "Chỉ tiêu", "Indicator"), *(u.short_name(year) for u in summary.units), _t(lang, "Tổng cụm", "Total")]
    rows = [[ind.short(lang), *(show_reading(ind, summary.readings[u.code][ind.code], lang) for u in summary.units),
             show_total(ind, summary.totals[ind.code], lang, units_total=len(summary.units))] for ind in CATALOGUE]
    body.append(_html_table(head, rows, range(1, len(head))))
    body.append(f'<p class="meta">{esc(_t(lang, "“chưa BC”: chưa báo cáo (không phải 0); tiền tính theo triệu (tr.) / tỷ đồng.", "“n/r”: not reported (not 0); money in millions (M ₫) / billions (B ₫) of đồng."))}</p>')

    plan_rows = _plan_rows(snap, summary, lang)
    if plan_rows:
        body.append(f"<h2>{esc(_t(lang, '3. Kế hoạch theo đơn vị', '3. Targets by unit'))}</h2>")
        body.append(_html_table([_t(lang, "Đơn vị", "Unit"), _t(lang, "Chỉ tiêu", "Indicator"), _t(lang, "Kế hoạch", "Plan"),
                                 _t(lang, "Thực hiện", "Actual"), _t(lang, "Tiến độ", "Progress")], plan_rows, (2, 3)))

    body.append(f"<section class=\"charts\"><h2>{esc(_t(lang, 'Biểu đồ', 'Charts'))}</h2>")
    body += [svg_bars(c) for c in charts(summary, lang)]
    body.append("</section>")

    cl = checklist_for(snap, year)
    body.append(f"<section class=\"tasks\"><h2>{esc(_t(lang, 'Nhiệm vụ năm', 'Tasks'))} {cl.year}</h2>")
    if cl.year != cl.requested:
        body.append(f'<p class="meta">{esc(_t(lang, f"(Năm {cl.requested} chưa có danh sách nhiệm vụ; đây là danh sách năm {cl.year}.)", f"({cl.requested} has no checklist; this is the {cl.year} checklist.)"))}</p>')
    if not cl.tasks:
        body.append(f"<p>{esc(_t(lang, 'Chưa có nhiệm vụ nào.', 'No tasks yet.'))}</p>")
    else:
        body.append(f"<p><strong>{esc(_progress_line(cl, lang))}</strong></p>")
        head = ["#", _t(lang, "Nhiệm vụ", "Task"), *(u.short_name(cl.year) for u in cl.units), _t(lang, "Xong", "Done")]
        rows = [[str(t.id), t.title, *(_state_cell(t.status(u.code), lang) for u in cl.units),
                 f"{sum(t.status(u.code).state is TaskState.DONE for u in cl.units)}/{len(cl.units)}"] for t in cl.tasks]
        states = [["", "", *(["state"] * len(cl.units)), ""] for _ in rows]
        body.append(_html_table(head, rows, (0, len(head) - 1), states))
        body.append(f'<p class="meta">{esc(_legend(lang) + _t(lang, " · ✎ có ghi chú", " · ✎ has a note"))}</p>')
        notes = _notes(cl)
        if notes:
            body.append(f"<p><strong>{esc(_t(lang, 'Ghi chú của đơn vị', 'Notes by unit'))}</strong></p><ul>")
            body += [f"<li>{esc(_t(lang, 'Nhiệm vụ', 'Task'))} {t.id} · {esc(u.short_name(cl.year))}: "
                     + "<br>".join(esc(line) for line in sanitize_multiline(n).splitlines()) + "</li>"
                     for t, u, n in notes]
            body.append("</ul>")
    body.append("</section>")

    body += _thidua_html(td_view.thidua_view(snap, year), lang)

    if since is not None:
        found = changes_since(entries or [], since)
        body.append(f"<h2>{esc(_t(lang, 'Thay đổi từ ngày', 'Changes since'))} {esc(_day(since, lang))}</h2>")
        if not found:
            body.append(f"<p>{esc(_t(lang, 'Không có thay đổi nào.', 'No changes.'))}</p>")
        else:
            body.append("<ul>" + "".join(f"<li>{esc(_when(e, snap.settings.timezone))} · {esc(e.user)} · {esc(audit.describe(e, snap, lang))}</li>"
                                         for e in found) + "</ul>")
    body.append(doc.signature_html(snap.settings, lang))

    return "\n".join([
        "<!DOCTYPE html>", f'<html lang="{esc(lang)}">', "<head>", '<meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title>", f"<style>{doc.CSS}</style>", "</head>", "<body>", *body, "</body>", "</html>", ""])


def render(snap: Snapshot, year: int, fmt: str, **kwargs: object) -> str:
    """The report in ``fmt`` ("md" or "html"; a PDF is the HTML through :func:`render_pdf`)."""
    if fmt in ("html", "pdf"):
        return render_html(snap, year, **kwargs)  # type: ignore[arg-type]
    return render_markdown(snap, year, **kwargs)  # type: ignore[arg-type]


def render_pdf(snap: Snapshot, year: int, **kwargs: object) -> bytes:
    """The printable report as an A4 PDF (WeasyPrint; UsageError when it is not installed)."""
    from .printed import html_to_pdf
    return html_to_pdf(render_html(snap, year, **kwargs))  # type: ignore[arg-type]


def write_report(snap: Snapshot, year: int, path: str | Path, *, fmt: str | None = None, force: bool = False,
                 protect: Iterable[str | Path] = (), **kwargs: object) -> Path:
    """Render and write the report atomically; an existing file needs ``force``.

    Every check (format, existing file, WeasyPrint for a PDF) comes before any rendering or
    writing, so a refused command leaves nothing behind.
    """
    from ..exchange.output import check_output, infer_format, write_output
    fmt = infer_format(path, fmt, FORMATS) if fmt is None else fmt
    check_output(path, force=force, protect=protect)
    if fmt == "pdf":
        payload = render_pdf(snap, year, **kwargs)
    else:
        payload = render(snap, year, fmt, **kwargs).encode("utf-8")
    return write_output(path, payload, force=force, protect=protect)
