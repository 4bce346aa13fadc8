"""Plain-text presentation shared by the CLI, the TUI and the reports: cells, tables, the checklist."""

from __future__ import annotations

import math


from ..domain import indicators
from ..domain.fmt import format_money, format_money_short, format_number, format_value
from ..domain.indicators import Indicator, Kind
from ..domain.models import Number, Reading, Snapshot, TaskState
from ..domain.text import cell_width, sanitize
from ..domain.totals import Progress, Ratio, Reconciliation, Total, YearSummary

NOT_REPORTED_SHORT = {"vi": "chưa BC", "en": "n/r"}
NOT_REPORTED_LONG = {"vi": "chưa báo cáo", "en": "not reported"}
SAMPLE_LABEL = {"vi": "số liệu mẫu", "en": "sample data"}
SAMPLE_TARGETS_LABEL = {"vi": "kế hoạch mẫu", "en": "sample targets"}


def sample_label(summary: "YearSummary", lang: str = "vi") -> str:
    """The header's mark of what is still sample: "số liệu mẫu" (some unit's figures),
    "kế hoạch mẫu" (only targets), "" (nothing)."""
    if summary.sample:
        return SAMPLE_LABEL[lang]
    if summary.sample_targets:
        return SAMPLE_TARGETS_LABEL[lang]
    return ""


def sample_notes(summary: "YearSummary", lang: str = "vi") -> list[str]:
    """What is sample, in a sentence each: the figures, the targets."""
    en = lang == "en"
    out = []
    if summary.sample:
        out.append("Per-unit figures are sample data (the source gives cluster totals only) until edited." if en
                   else "Số liệu từng đơn vị là số liệu mẫu (nguồn chỉ có tổng cụm) cho đến khi được sửa.")
    if summary.sample_targets:
        out.append(f"The units' targets for {summary.year} are sample data until edited." if en
                   else f"Kế hoạch (chỉ tiêu đăng ký) năm {summary.year} của các đơn vị là số mẫu cho đến khi được sửa.")
    return out


def show_number(ind: Indicator, value: Number | None, lang: str = "vi", short: bool = True) -> str:
    """A figure in the indicator's style; money shortened to triệu/tỷ when ``short``."""
    if value is None:
        return "—"
    if ind.kind is Kind.MONEY and short:
        return format_money_short(value, lang)
    if ind.kind is not Kind.COUNT and isinstance(value, float):
        value = round(value, ind.decimals)  # up to the indicator's decimals, no padding zeros
        if value.is_integer():
            value = int(value)
    return format_value(value, ind.kind.value, lang)


def show_reading(ind: Indicator, reading: Reading, lang: str = "vi", short: bool = True) -> str:
    """A unit's figure with its qualifier; "chưa BC" (not reported), never 0."""
    if not reading.reported:
        return (NOT_REPORTED_SHORT if short else NOT_REPORTED_LONG)[lang]
    shown = show_number(ind, reading.value, lang, short)
    q = reading.qualifier.label(lang)
    return f"{q} {shown}" if q else shown


def show_total(ind: Indicator, total: Total, lang: str = "vi", short: bool = True,
               units_total: int | None = None, with_unit: bool = False) -> str:
    """A cluster total; "≈" marks a sum of approximate figures. Given ``units_total``, a total
    that leaves out units says how many reported: "6,73 tỷ (3/4)". ``with_unit`` adds a
    quantity's unit ("480 ngày công"), never to "chưa BC"."""
    if total.value is None:
        return (NOT_REPORTED_SHORT if short else NOT_REPORTED_LONG)[lang]
    shown = ("≈" if total.approximate else "") + show_number(ind, total.value, lang, short)
    if with_unit and ind.kind is Kind.QUANTITY:
        shown += f" {ind.unit(lang)}"
    if units_total is not None and total.missing_units:
        shown += f" ({len(total.reported_units)}/{units_total})"
    return shown


def coverage_text(total: Total, units_total: int, lang: str = "vi") -> str:
    """"3/4 đơn vị đã báo cáo" for a total that leaves out units; "" when every unit reported."""
    if not total.missing_units:
        return ""
    n = len(total.reported_units)
    return f"{n}/{units_total} units reported" if lang == "en" else f"{n}/{units_total} đơn vị đã báo cáo"


def plan_basis_text(p: Progress, lang: str = "vi") -> str:
    """What the cluster's plan comparison rests on: "2/4 đơn vị có kế hoạch" when it counts only
    some units, "kế hoạch của cụm" for the cluster's own target, "" otherwise."""
    if p.basis == "cluster":
        return "cluster target" if lang == "en" else "kế hoạch của cụm"
    if p.partial:
        n = len(p.units_counted)
        return f"{n}/{p.units_total} units with a plan" if lang == "en" else f"{n}/{p.units_total} đơn vị có kế hoạch"
    return ""


def progress_percent(p: Progress, lang: str = "vi") -> str:
    """The percent of plan, whole ("96"), except where rounding would reach 100 while the plan is
    not met: 454 of 455 is "99,7", never a "✘ CHƯA ĐẠT 100%" that contradicts itself."""
    assert p.percent is not None
    whole = round(p.percent)
    if p.met is False and whole >= 100:
        return format_number(math.floor(p.percent * 10) / 10, 1, lang=lang)
    return format_number(whole, lang=lang)


def show_progress(p: Progress, lang: str = "vi", *, tight: int = 0) -> str:
    """"✔ ĐẠT 104%" / "✘ CHƯA ĐẠT 80%" / "" when there is no target; a comparison over only some
    units says how many: "✘ CHƯA ĐẠT 96% (1/4)". For a narrow table, ``tight`` 1 says "BELOW" for
    English "NOT MET", and 2 keeps only the symbol ("✘ 96% (1/4)": the status is still not colour
    alone)."""
    if p.met is None:
        return ""
    pct = f" {progress_percent(p, lang)}%" if p.percent is not None else ""
    part = f" ({len(p.units_counted)}/{p.units_total})" if p.partial else ""
    word = p.word(lang)
    if tight >= 2:
        return f"{p.symbol}{pct}{part}"
    if tight and lang == "en" and p.met is False:
        word = "BELOW"
    return f"{p.symbol} {word}{pct}{part}"


def coverage_notes(summary: YearSummary, lang: str = "vi") -> list[str]:
    """One line per indicator whose total leaves out units or whose plan counts only some:
    "Dư nợ: 3/4 đơn vị đã báo cáo (Ea R'Bin chưa báo cáo: không tính vào tổng, không coi là 0)"."""
    en = lang == "en"
    n = len(summary.units)
    names = {u.code: u.short_name(summary.year) for u in summary.units}
    lines = []
    for ind in indicators.CATALOGUE:
        total, p = summary.totals[ind.code], summary.progress[ind.code]
        if total.missing_units and total.value is not None:
            who = ", ".join(names.get(c, c) for c in total.missing_units)
            lines.append(f"{ind.short(lang)}: {coverage_text(total, n, lang)} " + (
                f"({who} not reported: left out of the total, not counted as 0)" if en
                else f"({who} chưa báo cáo: không tính vào tổng, không coi là 0)"))
        basis = plan_basis_text(p, lang)
        if p.partial:
            who = ", ".join(names.get(c, c) for c in p.units_counted)
            lines.append(f"{ind.short(lang)}: " + (f"plan compared over {basis} ({who})" if en
                                                   else f"so kế hoạch trên {basis} ({who})"))
        elif p.basis == "cluster":
            lines.append(f"{ind.short(lang)}: " + (f"compared with the {basis}" if en else f"so với {basis}"))
    return lines


def show_ratio(code: str, ratio: Ratio, lang: str = "vi") -> str:
    """A derived figure: "12,2", "≈ 581.545 đồng (2/4)" (over the units that reported both
    figures, how many of the cluster's), "—" when there is none."""
    if ratio.value is None:
        return "—"
    if code == "fund_per_member":
        shown = format_money(round(ratio.value), lang)
    else:
        shown = format_number(ratio.value, 1, lang)
    if ratio.approximate:
        shown = "≈ " + shown
    if ratio.partial:
        shown += f" ({len(ratio.units_counted)}/{ratio.units_total})"
    return shown


RATIO_LABELS = {"members_per_branch": ("Hội viên / chi hội", "Members per branch"),
                "fund_per_member": ("Quỹ hội / hội viên", "Fund per member")}


def ratio_line(summary: YearSummary, lang: str = "vi", sep: str = "   ") -> str:
    """"Hội viên / chi hội: 12,2   Quỹ hội / hội viên: 581.545 đồng (2/4)" — every view's line."""
    en = lang == "en"
    return sep.join(f"{RATIO_LABELS[code][1 if en else 0]}: {show_ratio(code, r, lang)}"
                    for code, r in summary.ratios.items())


def ratio_notes(summary: YearSummary, lang: str = "vi") -> list[str]:
    """For a ratio over only some units, which: "Quỹ hội / hội viên: chỉ tính 2/4 đơn vị có cả
    hai số (Krông Nô, Nam Ka)"."""
    en = lang == "en"
    names = {u.code: u.short_name(summary.year) for u in summary.units}
    lines = []
    for code, r in summary.ratios.items():
        if not r.partial:
            continue
        who = ", ".join(names.get(c, c) for c in r.units_counted)
        n = f"{len(r.units_counted)}/{r.units_total}"
        lines.append(f"{RATIO_LABELS[code][1]}: only the {n} units that reported both figures ({who})" if en
                     else f"{RATIO_LABELS[code][0]}: chỉ tính {n} đơn vị có cả hai số liệu ({who})")
    return lines


def show_reconciliation(rec: Reconciliation | None, ind: Indicator, lang: str = "vi") -> str:
    """"✔ gần 250 tr." / "⚠ trên 6,7 tỷ": the mark and what the source said."""
    if rec is None:
        return ""
    rep = rec.reported
    stated = show_number(ind, rep.value, lang) if rep.value is not None else ""
    q = rep.qualifier.label(lang)
    said = " ".join(x for x in (q, stated) if x)
    return f"{'✔' if rec.ok else '⚠'} {said}"


def width(s: str) -> int:
    """Display width in terminal cells (wide East Asian characters and emoji count two,
    combining marks none): :func:`~.text.cell_width`."""
    return cell_width(s)


def pad(s: str, n: int, right: bool = False) -> str:
    """Pad to ``n`` display cells."""
    gap = " " * max(0, n - width(s))
    return gap + s if right else s + gap


def summary_text(summary: YearSummary, lang: str = "vi") -> str:
    """The year's per-unit figures, totals, plan vs actual and reconciliation as a text table."""
    en = lang == "en"
    recs = {r.indicator: r for r in summary.reconciliations}
    parent = summary.cluster.parent_en if en else summary.cluster.parent_vi
    head = f"{summary.cluster.name(lang)} · " + (f"{parent} · " if parent else "")
    head += f"{'year' if en else 'năm'} {summary.year}"
    if sample_label(summary, lang):
        head += f"  [{sample_label(summary, lang)}]"
    names = [u.short_name(summary.year) for u in summary.units]
    cols = ["Indicator" if en else "Chỉ tiêu", *names, "Total" if en else "Tổng cụm",
            "Plan" if en else "Kế hoạch", "Progress" if en else "Tiến độ", "Reported" if en else "Báo cáo"]
    rows: list[list[str]] = []
    for ind in indicators.CATALOGUE:
        row = [ind.short(lang)]
        for u in summary.units:
            row.append(show_reading(ind, summary.readings[u.code][ind.code], lang))
        row.append(show_total(ind, summary.totals[ind.code], lang, units_total=len(summary.units)))
        tgt = summary.targets.get(ind.code)
        row.append(show_number(ind, tgt, lang) if tgt is not None else "")
        row.append(show_progress(summary.progress[ind.code], lang))
        row.append(show_reconciliation(recs.get(ind.code), ind, lang))
        rows.append(row)
    widths = [max(width(r[i]) for r in [cols, *rows]) for i in range(len(cols))]
    lines = [head, ""]
    for r in [cols, *rows]:
        cells = [pad(c, widths[i], right=0 < i < len(cols) - 2) for i, c in enumerate(r)]
        lines.append("  ".join(cells).rstrip())
    lines.append("")
    lines.append(ratio_line(summary, lang))
    lines += ratio_notes(summary, lang)
    lines += coverage_notes(summary, lang)
    return "\n".join(lines)


def tasks_text(snap: Snapshot, year: int, lang: str = "vi") -> str:
    """The year's checklist: per task a line with each unit's glyph, then the units' notes, then
    overall progress ("3/32 hoàn thành · 5 đang thực hiện · 24 chưa thực hiện")."""
    units = snap.units_in(year, snap.default_cluster())  # the current cluster's units
    tasks = snap.tasks_for(year)
    lines = []
    counts = {s: 0 for s in TaskState}
    for t in tasks:
        glyphs = []
        notes = []
        for u in units:
            st = t.status(u.code)
            counts[st.state] += 1
            glyphs.append(f"{st.state.glyph} {u.short_name(year)}")
            if st.note:
                notes.append(f"       ✎ {u.short_name(year)}: " + sanitize(" · ".join(st.note.splitlines())))
        lines.append(f"{t.id:>3}. {t.title}")
        lines.append("     " + "   ".join(glyphs))
        lines.extend(notes)
    total = len(tasks) * len(units)
    legend = "   ".join(f"{s.glyph} {s.label(lang)}" for s in TaskState)
    lines.append("")
    lines.append(f"{counts[TaskState.DONE]}/{total} {TaskState.DONE.label(lang)} · "
                 f"{counts[TaskState.DOING]} {TaskState.DOING.label(lang)} · "
                 f"{counts[TaskState.TODO]} {TaskState.TODO.label(lang)}   ({legend})")
    return "\n".join(lines)
