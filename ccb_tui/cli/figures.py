"""Commands on the year's figures and plan: where, summary, set, target, year, indicators, check."""

from __future__ import annotations

import argparse
import json

from ..core.domain import indicators, text
from ..core.domain.errors import UsageError
from ..core.domain.models import Msg, Snapshot
from ..core.store import ANY
from .common import (
    EXIT_OK, EXIT_PROBLEMS, current_year, db_path, edit_year, err, is_none_word, lang_of, open_store,
    parse_qualifier, parse_value, print_change,
)
from .clusters import cluster_view


def cmd_where(args: argparse.Namespace) -> int:
    print(db_path(args, check=False))  # only says where: a wrong kind of file is for the others to refuse
    return EXIT_OK


def cmd_summary(args: argparse.Namespace) -> int:
    from ..core.report import text as report_text
    from ..core.domain import totals
    store = open_store(args)
    snap = cluster_view(args, store.snapshot())
    year = args.year or current_year(snap)
    summary = totals.summarize(snap, year)
    if args.json:
        print(json.dumps(totals.to_json(summary), ensure_ascii=False, indent=2))
    else:
        print(report_text.summary_text(summary, lang_of(args)))
    return EXIT_OK


def cmd_set(args: argparse.Namespace) -> int:
    from ..core.domain.validation import resolve_indicator, resolve_unit
    lang = lang_of(args)
    if args.value is None and not args.not_reported:
        raise UsageError(Msg("Thiếu giá trị. Ví dụ: ccb-tui set \"lien son\" members 120, hoặc --not-reported.",
                             "Missing value. Example: ccb-tui set \"lien son\" members 120, or --not-reported."))
    if args.value is not None and args.not_reported:
        raise UsageError(Msg("Không dùng cùng lúc giá trị và --not-reported.",
                             "Give either a value or --not-reported, not both."))
    value = None if args.not_reported else parse_value(args.value, lang)
    qualifier = parse_qualifier(args.qualifier)
    expect = _expect(args, lang)
    store = open_store(args)
    snap = cluster_view(args, store.snapshot())
    year = edit_year(args, snap)
    unit = resolve_unit(snap, args.unit, year)
    ind = resolve_indicator(args.indicator)
    print_change(store.set_value(unit.code, ind.code, year, value, qualifier=qualifier,
                                  reported=not args.not_reported, expect=expect,
                                  cluster=snap.default_cluster()), lang)
    return EXIT_OK


def _expect(args: argparse.Namespace, lang: str) -> object:
    """``--expect``: the value the edit expects to replace (``none``: nothing), else ANY."""
    if args.expect is None:
        return ANY
    return None if is_none_word(args.expect) else parse_value(args.expect, lang)


def cmd_target(args: argparse.Namespace) -> int:
    from ..core.domain.validation import resolve_indicator, resolve_unit
    lang = lang_of(args)
    value = None if is_none_word(args.value) else parse_value(args.value, lang)
    expect = _expect(args, lang)
    store = open_store(args)
    snap = cluster_view(args, store.snapshot())
    year = edit_year(args, snap)
    ind = resolve_indicator(args.indicator)
    cluster = _cluster_word(snap, args.unit)
    if cluster is not None:
        print_change(store.set_cluster_target(cluster, ind.code, year, value, expect=expect), lang)
    else:
        unit = resolve_unit(snap, args.unit, year)
        print_change(store.set_target(unit.code, ind.code, year, value, expect=expect,
                                      cluster=snap.default_cluster()), lang)
    return EXIT_OK


def _cluster_word(snap: Snapshot, raw: str) -> str | None:
    """The cluster's code when ``raw`` names the cluster ("cluster", "cum", "cụm", its code or
    name) rather than a unit; None otherwise."""
    folded = text.fold(raw)
    if folded in ("cluster", "cum", "ca cum", "toan cum"):
        return snap.default_cluster()
    for c in snap.clusters.values():
        if folded in (text.fold(c.code), text.fold(c.name_vi), text.fold(c.name_en)):
            return c.code
    return None


def cmd_year(args: argparse.Namespace) -> int:
    lang = lang_of(args)
    store = open_store(args)
    snap = store.snapshot()
    action = args.year_command or "list"
    if action == "current":
        print_change(store.set_setting("current_year", args.year), lang)
    elif action == "open":
        source = getattr(args, "from_year", None)
        change, units = store.open_year(args.year, carry_from=source)
        print_change(change, lang)
        names = ", ".join(u.name(args.year) for u in units) or "—"
        print(f"{len(units)} đơn vị năm {args.year}: {names}" if lang == "vi"
              else f"{len(units)} units in {args.year}: {names}")
        if source is not None:
            _print_carried(snap, store.snapshot(), source, args.year, lang)
    else:
        current, stray = snap.current_year(), set(snap.stray_years())
        for y in snap.years():
            mark = ("  ← năm hiện hành" if lang == "vi" else "  ← current year") if y == current else ""
            if y in stray:
                mark = "  ⚠ " + ("vượt năm hiện hành + 1: xem ccb-tui check" if lang == "vi"
                                 else "beyond the current year + 1: see ccb-tui check")
            print(f"{y}{mark}")
    return EXIT_OK


def _print_carried(before: Snapshot, after: Snapshot, source: int, year: int, lang: str) -> None:
    """What `year open --from` carried: the points table (or why not) and the checklist."""
    vi = lang != "en"
    if year in before.templates:
        print(f"Bảng điểm thi đua: năm {year} đã có, giữ nguyên." if vi else
              f"Points table: {year} already has one, kept.")
    elif year in after.templates:
        n = len(after.templates[year].lines)
        print(f"Bảng điểm thi đua: mang sang từ năm {source} ({n} dòng)." if vi else
              f"Points table: carried from {source} ({n} lines).")
    else:
        print(f"Bảng điểm thi đua: năm {source} không có bảng điểm để mang sang." if vi else
              f"Points table: {source} has none to carry.")
    added = len(after.tasks_for(year)) - len(before.tasks_for(year))
    total = len(before.tasks_for(source))
    have = len(after.tasks_for(year))
    if total == 0:
        print((f"Nhiệm vụ: năm {source} không có nhiệm vụ nào để mang sang"
               + (f"; năm {year} có sẵn {have} nhiệm vụ." if have else ".")) if vi else
              (f"Tasks: {source} has none to carry" + (f"; {year} already has {have}." if have else ".")))
    else:
        kept = total - added
        print((f"Nhiệm vụ: mang sang {added}/{total} nhiệm vụ của năm {source} (chưa có trạng thái)"
               + (f"; {kept} nhiệm vụ cùng tên đã có trong năm {year}." if kept else ".")) if vi else
              (f"Tasks: carried {added} of {source}'s {total} tasks (without statuses)"
               + (f"; {kept} of the same title were already in {year}." if kept else ".")))
    print(f"Kế hoạch (đăng ký chỉ tiêu) năm {year}: ccb-tui target ĐƠN_VỊ CHỈ_TIÊU GIÁ_TRỊ --year {year}; "
          f"ngày ký giao ước: ccb-tui pact sign --year {year}" if vi else
          f"Registered targets for {year}: ccb-tui target UNIT INDICATOR VALUE --year {year}; "
          f"pact day: ccb-tui pact sign --year {year}")


def cmd_indicators(args: argparse.Namespace) -> int:
    lang = lang_of(args)
    for ind in indicators.CATALOGUE:
        print(f"{ind.code:<15} {ind.label(lang):<32} {ind.unit(lang):<10} {ind.kind.value:<9} "
              f"{ind.temporal.value:<6} {ind.direction.value}")
    return EXIT_OK


def _field_label(snap: Snapshot, field: str, lang: str) -> str:
    """A problem's field as a person reads it: "krong_no/members/2020" → "Xã Krông Nô · Số hội viên 2020"."""
    parts = field.split("/")
    if len(parts) == 3 and parts[1] in indicators.BY_CODE and parts[2].isdigit():
        unit = snap.unit(parts[0])
        year = int(parts[2])
        name = unit.name(year) if unit else parts[0]
        return f"{name} · {indicators.BY_CODE[parts[1]].label(lang)} {year}"
    if len(parts) == 4 and parts[0] == "reported" and parts[3] in indicators.BY_CODE:
        head = "tổng cụm đã báo cáo" if lang == "vi" else "reported cluster total"
        return f"{head} · {indicators.BY_CODE[parts[3]].label(lang)} {parts[2]}"
    return field


def cmd_check(args: argparse.Namespace) -> int:
    from ..core.domain import totals, validation
    lang = lang_of(args)
    store = open_store(args)
    snap = store.snapshot()
    problems = validation.validate_snapshot(snap)
    bad = 0
    for p in problems:
        print(f"✘ {_field_label(snap, p.field, lang)}: {p.text(lang)}")
        bad += 1
    from ..core.domain.clusters import cluster_findings
    for problem, msg in cluster_findings(snap):  # ⚠ counts; ℹ is a notice only
        print(("⚠ " if problem else "ℹ ") + msg.text(lang))
        bad += 1 if problem else 0
    current, limit = snap.current_year(), snap.writable_until()
    for year in snap.stray_years():
        print("⚠ " + (f"Năm {year} có dữ liệu nhưng ở sau năm hiện hành {current} quá một năm (có thể do gõ "
                       f"nhầm --year). Xem: ccb-tui summary --year {year}; nếu đúng là năm đó: "
                       f"ccb-tui year open {year}" if lang == "vi" else
                       f"Year {year} holds data but is more than a year after the current year {current} "
                       f"(perhaps a mistyped --year). See: ccb-tui summary --year {year}; if it is right: "
                       f"ccb-tui year open {year}"))
        bad += 1
    # Every cluster of the store, not only the current one: the figures and the thi đua of a
    # cluster nobody is looking at need checking too. With one cluster the lines are unchanged.
    from ..core.domain.scoring_check import check_thidua, thidua_years
    many = len(snap.clusters) > 1
    for code, cluster in snap.clusters.items():
        view = snap.with_cluster(code)
        where = f"{cluster.name(lang)} · " if many else ""
        for year in snap.years():
            if limit is not None and year > limit:
                continue
            for rec in totals.reconcile(view, year, code):
                mark = "✔" if rec.ok else "⚠"
                ind = indicators.BY_CODE.get(rec.indicator)
                label = ind.label(lang) if ind else rec.indicator
                print(f"{mark} {where}{year} · {label}: {rec.msg.text(lang)}")
                bad += 0 if rec.ok else 1
        # Thi đua: ⚠ what needs doing (lines not scored, a ranking without the district's scores, a
        # disagreement still waiting for it) counts like a mismatch; ✔ a disagreement already settled.
        for year in thidua_years(view):
            if limit is not None and year > limit:
                continue
            for finding in check_thidua(view, year):
                print(f"{'✔' if finding.ok else '⚠'} {where}{year} · {'thi đua' if lang == 'vi' else 'competition'}: "
                      f"{finding.text(lang)}")
                bad += 0 if finding.ok else 1
    if bad:
        err(Msg(f"Kiểm tra: {bad} vấn đề cần xem lại.", f"Check: {bad} problem(s) to review."), lang)
        return EXIT_PROBLEMS
    print("Kiểm tra: không có vấn đề." if lang == "vi" else "Check: no problems.")
    return EXIT_OK
