"""The cluster through the years: ``compare`` (two years side by side)."""

from __future__ import annotations

import argparse
import json

from ..core.domain import compare as cmp_mod
from ..core.domain.indicators import CATALOGUE, Indicator, Kind
from ..core.domain.models import Number, Qualifier
from ..core.report.change_text import show_delta, show_percent
from ..core.report.text import NOT_REPORTED_LONG, pad, show_number, width
from .clusters import cluster_view
from .common import EXIT_OK, lang_of, open_store

NOT_IN_CLUSTER = {"vi": "không thuộc cụm", "en": "not in the cluster"}


def _side(ind: Indicator, value: Number | None, qualifier: Qualifier, present: bool, lang: str) -> str:
    if not present:
        return NOT_IN_CLUSTER[lang]
    if value is None:
        return NOT_REPORTED_LONG[lang]
    q = qualifier.label(lang)
    shown = show_number(ind, value, lang)
    return f"{q} {shown}" if q else shown


def _left_out(cmp: cmp_mod.Comparison, t: cmp_mod.TotalComparison, lang: str) -> str:
    """Why units are left out of a total's comparison: "Ea R'Bin chưa báo cáo năm 2020"."""
    en = lang == "en"
    parts = []
    for row in cmp.units:
        code = row.unit.code
        if code in t.units_counted or row.left:  # a unit that left is not left out
            continue
        years = []
        c = row.values[t.indicator]  # a reorganised unit's first year is its predecessors' figures
        first = row.in_before or row.cluster_before is not None
        for year, present, value in ((cmp.before, first, c.before), (cmp.after, row.in_after, c.after)):
            if not present:
                years.append(f"not in the cluster in {year}" if en else f"không thuộc cụm năm {year}")
            elif value is None:
                years.append(f"not reported in {year}" if en else f"chưa báo cáo năm {year}")
        parts.append(f"{cmp.short_name(row.unit)} " + (" and " if en else " và ").join(years))
    return "; ".join(parts)


def compare_text(cmp: cmp_mod.Comparison, lang: str = "vi") -> str:
    """Per indicator a table: each unit's two figures, the change and the change in percent, then
    the cluster total compared like for like."""
    en = lang == "en"
    y1, y2 = str(cmp.before), str(cmp.after)
    lines = [f"{cmp.cluster.name(lang)} · " + (f"year {y1} → {y2}" if en else f"so sánh năm {y1} → {y2}")]
    for row in cmp.units:  # a unit formed by a merge or split: whose figures its first year shows
        if row.origin_note is not None:
            lines.append(f"  * {cmp.short_name(row.unit)}: {row.origin_note.text(lang)}")
    head = ["Unit" if en else "Đơn vị", y1, y2, "Change" if en else "Thay đổi", "%"]
    for ind in CATALOGUE:
        unit_word = ind.unit(lang)
        label = ind.label(lang)
        if ind.kind is Kind.MONEY:
            title = label + (" (VND)" if en else " (đồng)")
        else:  # "Số hội viên", not "Số hội viên (hội viên)"
            title = label if unit_word.lower() in label.lower() else f"{label} ({unit_word})"
        rows: list[list[str]] = []
        for row in cmp.units:
            c = row.values[ind.code]
            rows.append([cmp.short_name(row.unit),
                         _side(ind, c.before, c.before_qualifier, row.in_before or row.cluster_before is not None,
                               lang),
                         _side(ind, c.after, c.after_qualifier, row.in_after, lang),
                         show_delta(ind, c, lang), show_percent(c, lang)])
        t = cmp.totals[ind.code]
        tc = t.change
        label = "Cluster total" if en else "Tổng cụm"

        def total_side(v: Number | None, approximate: bool) -> str:
            if v is None:
                return NOT_REPORTED_LONG[lang]
            return ("≈ " if approximate else "") + show_number(ind, v, lang)
        if t.units_counted:
            if t.partial:
                label += f" ({len(t.units_counted)}/{t.units_total})"
            before = total_side(tc.before, tc.before_qualifier is not Qualifier.EXACT)
            after = total_side(tc.after, tc.after_qualifier is not Qualifier.EXACT)
        else:  # nothing to compare like for like: the years' own totals, and no change
            before, after = total_side(t.total_before, False), total_side(t.total_after, False)
        rows.append([label, before, after, show_delta(ind, tc, lang), show_percent(tc, lang)])
        widths = [max(width(r[i]) for r in [head, *rows]) for i in range(len(head))]
        lines += ["", title]
        for r in [head, *rows]:
            lines.append("  " + "  ".join(pad(c, widths[i], right=i > 0) for i, c in enumerate(r)).rstrip())
        if not t.units_counted:
            lines.append("  * " + ("no unit has figures in both years: no change is computed" if en
                                   else "không đơn vị nào có số liệu cả hai năm: không tính thay đổi"))
        elif t.partial:
            n = f"{len(t.units_counted)}/{t.units_total}"
            why = _left_out(cmp, t, lang)
            lines.append("  * " + (f"only the {n} units with figures in both years are compared ({why})" if en
                                   else f"chỉ so {n} đơn vị có số liệu cả hai năm ({why})"))
    lines += ["", ("▲ up · ▼ down · = unchanged · ≈ approximate (a figure stated as nearly, over, about…); "
                   "not reported is not zero and gives no change" if en else
                   "▲ tăng · ▼ giảm · = không đổi · ≈ ước lượng (số liệu có từ chỉ mức: gần, trên, khoảng…); "
                   "chưa báo cáo không phải là 0 và không tính thay đổi")]
    return "\n".join(lines)


def cmd_compare(args: argparse.Namespace) -> int:
    lang = lang_of(args)
    store = open_store(args)
    snap = cluster_view(args, store.snapshot())
    result = cmp_mod.compare(snap, args.from_year, args.to_year)
    if args.json:
        print(json.dumps(cmp_mod.to_json(result), ensure_ascii=False, indent=2))
    else:
        print(compare_text(result, lang))
    return EXIT_OK
