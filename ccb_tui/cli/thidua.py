"""Thi đua commands: the points table (score template), scores (score set / show), the ranking
(rank), commendations (commend) and the pact day (pact sign)."""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..core.domain import clock, scoring, text
from ..core.domain.errors import InvalidValue
from ..core.domain.models import Msg, Snapshot
from ..core.domain.scoring_text import fmt_points, parse_stage
from ..core.report.thidua import missing_text
from ..core.report.thidua import rank_text as show_rank
from ..core.store import ANY
from .common import EXIT_OK, current_year, edit_year, is_none_word, lang_of, open_store, parse_value, said_year


def _cells(s: str) -> int:
    return text.cell_width(s)


def _pad(s: str, n: int, right: bool = False) -> str:
    gap = " " * max(0, n - _cells(s))
    return gap + s if right else s + gap


def _t(lang: str, vi: str, en: str) -> str:
    return en if lang == "en" else vi


def _template_or_fail(snap: Snapshot, year: int) -> scoring.Template:
    template = snap.templates.get(year)
    if template is None:
        raise InvalidValue(Msg(
            f"Năm {year} chưa có bảng điểm thi đua. Nhập bảng điểm: ccb-tui score template --import TỆP --year {year}, "
            f"hoặc mang sang từ năm trước: ccb-tui year open {year} --from {year - 1}",
            f"{year} has no points table. Import one: ccb-tui score template --import FILE --year {year}, "
            f"or carry last year's forward: ccb-tui year open {year} --from {year - 1}"))
    return template


def _points_arg(raw: str, lang: str) -> Decimal:
    """Points as typed: "88,25", "1,5", "-2" (Vietnamese decimals; English under --lang en)."""
    value = parse_value(raw, lang)
    try:
        return scoring.points(str(value))
    except ValueError:
        shown = text.sanitize(raw)[:40]
        raise InvalidValue(Msg(f"'{shown}' không phải số điểm (tối đa 2 chữ số thập phân, ví dụ 9,5 hoặc 88,25).",
                               f"'{shown}' is not a number of points (at most 2 decimals, e.g. 9.5 or 88.25).")) from None


def _rule_text(ln: scoring.Line, lang: str) -> str:
    r = ln.rule
    if r is None:
        return ""
    name = _indicator_name(r.indicator, lang)
    if r.kind == "target_ratio":
        return _t(lang, f"theo tỷ lệ đạt kế hoạch «{name}»", f"by share of the «{name}» target met")
    return _t(lang, f"{fmt_points(r.per)} điểm mỗi {fmt_points(r.step)} «{name}»",
              f"{fmt_points(r.per, 'en')} points per {fmt_points(r.step, 'en')} «{name}»")


def _indicator_name(code: str, lang: str) -> str:
    """An indicator's name ("Kết nạp hội viên mới"); the code for one the catalogue lacks."""
    from ..core.domain import indicators
    ind = indicators.BY_CODE.get(code)
    return ind.label(lang) if ind is not None else code


def _cut(s: str, cells: int) -> str:
    """``s`` within ``cells`` terminal cells: whole, or cut at a word with "…" (mid-word only when
    the first word alone is too long)."""
    if _cells(s) <= cells:
        return s
    head = text.cut_cells(s, cells - 1)
    at_word = head.rsplit(" ", 1)[0] if " " in head and not s[len(head):].startswith(" ") else head
    return (at_word if _cells(at_word) >= cells // 2 else head).rstrip(" ,;:·-") + "…"


def _by_area(template: scoring.Template) -> list[tuple[str, list[scoring.Line]]]:
    out: list[tuple[str, list[scoring.Line]]] = []
    for ln in template.lines:
        if out and out[-1][0] == ln.area:
            out[-1][1].append(ln)
        else:
            out.append((ln.area, [ln]))
    return out


# --- score ----------------------------------------------------------------------------------

def cmd_score(args: argparse.Namespace) -> int:
    action = args.score_command
    if action == "template":
        return _score_template(args)
    if action == "set":
        return _score_set(args)
    return _score_show(args)


def _score_template(args: argparse.Namespace) -> int:
    lang = lang_of(args)
    store = open_store(args)
    snap = store.snapshot()
    year = edit_year(args, snap)
    if args.import_file:
        from ..core.exchange.template import read_template
        template = read_template(Path(args.import_file), year)
        template = scoring.Template(year, template.lines, template.bands, False)
        print(store.set_template(year, template).text(lang))
        said_year(args, year)
        return EXIT_OK
    template = _template_or_fail(snap, year)
    if args.json:
        print(json.dumps({"year": year, "pact_signed": snap.pacts.get(year), **scoring.template_doc(template)},
                         ensure_ascii=False, indent=2))
        return EXIT_OK
    sample = _t(lang, "  (mẫu)", "  (sample)") if template.sample else ""
    print(_t(lang, f"Bảng điểm thi đua năm {year}: {len(template.lines)} dòng, tối đa "
                   f"{fmt_points(template.max_total)} điểm{sample}",
             f"Points table {year}: {len(template.lines)} lines, at most "
             f"{fmt_points(template.max_total, 'en')} points{sample}"))
    pact = snap.pacts.get(year)
    if pact:
        from ..core.domain.clock import show_day
        print(_t(lang, f"Ký giao ước thi đua: {show_day(pact)}", f"Pact signed: {show_day(pact)}"))
    width = max((_cells(ln.title) for ln in template.lines), default=10)
    width = min(width, 52)
    for area, lines in _by_area(template):
        print()
        print(text.sanitize(area) or "—")
        for ln in lines:
            title = ln.title if _cells(ln.title) <= width else text.cut_cells(ln.title, width - 1) + "…"
            span = _t(lang, f"tối đa {fmt_points(ln.max_points)}", f"max {fmt_points(ln.max_points, 'en')}")
            if ln.min_points < 0:
                span += _t(lang, f", tối thiểu {fmt_points(ln.min_points)}", f", min {fmt_points(ln.min_points, 'en')}")
            rule = _rule_text(ln, lang)
            print(f"  {_pad(ln.code, 6)} {_pad(title, width)}  {span}" + (f"  · {rule}" if rule else ""))
    print()
    print(_t(lang, "Xếp loại:", "Bands:"))
    spans = [(f"{fmt_points(b.low, lang)}–{fmt_points(b.high, lang)}", b.name)
             for b in sorted(template.bands, key=lambda b: -b.low)]
    sw = max((_cells(x) for x, _ in spans), default=0)
    for span, name in spans:
        print(f"  {_pad(span, sw, True)}  {text.sanitize(name)}")
    return EXIT_OK


def _score_set(args: argparse.Namespace) -> int:
    from ..core.domain.validation import resolve_unit
    from .clusters import cluster_view
    lang = lang_of(args)
    store = open_store(args)
    snap = cluster_view(args, store.snapshot())
    year = edit_year(args, snap)
    stage = parse_stage(args.stage)
    unit = resolve_unit(snap, args.unit, year)
    template = _template_or_fail(snap, year)
    line = _line_of(template, args.line, year)
    points = None if is_none_word(args.points) else _points_arg(args.points, lang)
    expect: object = ANY
    if args.expect is not None:
        expect = None if is_none_word(args.expect) else _points_arg(args.expect, lang)
    change = store.set_score(unit.code, line.code, year, stage, points, note=args.note or "",
                             evidence=args.evidence or "", expect=expect, cluster=snap.default_cluster())
    print(text.sanitize(change.text(lang)))
    proposal = scoring.propose(line, store.snapshot(), unit.code, year)
    if proposal is not None:
        pts, why = proposal
        print(_t(lang, f"Đề xuất theo quy tắc: {fmt_points(pts)} điểm ({why.vi})",
                 f"The rule proposes: {fmt_points(pts, 'en')} points ({why.en})"))
    elif line.rule is not None:
        print(_t(lang, f"Quy tắc ({_rule_text(line, lang)}) chưa đề xuất được: thiếu số liệu hoặc kế hoạch.",
                 f"The rule ({_rule_text(line, lang)}) proposes nothing yet: a figure or target is missing."))
    said_year(args, year)
    return EXIT_OK


def _line_of(template: scoring.Template, raw: str, year: int) -> scoring.Line:
    ln = template.line(raw) or next((x for x in template.lines if x.code.casefold() == raw.strip().casefold()), None)
    if ln is None:
        codes = ", ".join(x.code for x in template.lines[:15])
        shown = text.sanitize(raw)[:40]
        raise InvalidValue(Msg(f"Bảng điểm năm {year} không có dòng '{shown}' (có: {codes}). "
                               f"Xem: ccb-tui score template --year {year}",
                               f"The {year} points table has no line '{shown}' (it has: {codes}). "
                               f"See: ccb-tui score template --year {year}"))
    return ln


def _score_show(args: argparse.Namespace) -> int:
    from ..core.domain.validation import resolve_unit
    from .clusters import cluster_view, unit_in_view_or_fail
    lang = lang_of(args)
    store = open_store(args)
    snap = cluster_view(args, store.snapshot())
    year = args.year or current_year(snap)
    unit = resolve_unit(snap, args.unit, year)
    unit_in_view_or_fail(snap, unit, year)
    template = _template_or_fail(snap, year)
    stages = (parse_stage(args.stage),) if args.stage else scoring.STAGES
    short = {"self": _t(lang, "Tự chấm", "Self"), "peer": _t(lang, "Cụm", "Peer"), "final": _t(lang, "Huyện", "Final")}
    sample = _t(lang, "  (mẫu)", "  (sample)") if template.sample else ""
    print(f"{unit.name(year)} · " + _t(lang, f"điểm thi đua năm {year}", f"scores {year}") + sample)
    width = min(max((_cells(ln.title) for ln in template.lines), default=10), 40)
    head = f"  {_pad(_t(lang, 'Mã', 'Code'), 6)} {_pad(_t(lang, 'Nội dung', 'Line'), width)} {_pad(_t(lang, 'Tối đa', 'Max'), 7, True)}"
    head += "".join(f" {_pad(short[s], 8, True)}" for s in stages) + "  " + _t(lang, "Đề xuất", "Proposed")
    totals = {s: Decimal(0) for s in stages}
    notes: list[str] = []
    print()
    print(head)
    for area, lines in _by_area(template):
        print(text.sanitize(area) or "—")
        for ln in lines:
            title = ln.title if _cells(ln.title) <= width else text.cut_cells(ln.title, width - 1) + "…"
            row = f"  {_pad(ln.code, 6)} {_pad(title, width)} {_pad(fmt_points(ln.max_points, lang), 7, True)}"
            for s in stages:
                sc = snap.scores.get((unit.code, ln.code, year, s))
                row += f" {_pad(fmt_points(sc.points if sc else None, lang), 8, True)}"
                if sc is not None:
                    totals[s] += sc.points
                    extra = [x for x in (sc.note, sc.evidence) if x and x not in scoring.SAMPLE_NOTES]
                    if extra:
                        notes.append(f"  {ln.code} ({short[s]}): " + " · ".join(extra))
            proposal = scoring.propose(ln, snap, unit.code, year)
            if proposal is not None:
                row += f"  {fmt_points(proposal[0], lang)} ({proposal[1].text(lang)})"
            print(row)
    print()
    total_row = f"  {_pad(_t(lang, 'Tổng', 'Total'), 6)} {_pad('', width)} {_pad(fmt_points(template.max_total, lang), 7, True)}"
    total_row += "".join(f" {_pad(fmt_points(totals[s], lang), 8, True)}" for s in stages)
    print(total_row)
    for s in stages:
        band = template.band(totals[s])
        scored = sum(1 for ln in template.lines if (unit.code, ln.code, year, s) in snap.scores)
        missing = len(template.lines) - scored
        flag = _t(lang, f" · {missing}/{len(template.lines)} dòng chưa chấm", f" · {missing}/{len(template.lines)} lines not scored") \
            if missing else ""
        print(f"  {short[s]}: {fmt_points(totals[s], lang)} → {band.name if band else '—'}{flag}")
    if notes:
        print()
        print(_t(lang, "Ghi chú, minh chứng:", "Notes, evidence:"))
        for n in notes:
            print(text.sanitize(n))
    return EXIT_OK


# --- rank -----------------------------------------------------------------------------------

def default_stage(snap: Snapshot, year: int) -> str:
    """The latest stage with any points for ``year`` (final, else peer, else self)."""
    for stage in reversed(scoring.STAGES):
        if any(k[2] == year and k[3] == stage for k in snap.scores):
            return stage
    return "final"


def cmd_rank(args: argparse.Namespace) -> int:
    lang = lang_of(args)
    from .clusters import cluster_view
    store = open_store(args)
    snap = cluster_view(args, store.snapshot())
    year = args.year or current_year(snap)
    _template_or_fail(snap, year)
    stage = parse_stage(args.stage) if args.stage else default_stage(snap, year)
    ranking = scoring.rank(snap, year, stage)
    assert ranking is not None
    cluster = snap.clusters[snap.default_cluster()]
    if args.json:
        print(json.dumps({**scoring.ranking_json(ranking), "cluster": cluster.code}, ensure_ascii=False, indent=2))
        return EXIT_OK
    if len(snap.clusters) > 1:  # say which cluster's units these are
        print(text.sanitize(cluster.name(lang)))
    print(rank_text(ranking, snap, lang))
    return EXIT_OK


def rank_text(r: scoring.Ranking, snap: Snapshot, lang: str = "vi") -> str:
    """The ranking as `ccb-tui rank` prints it: a table, then the differences line by line."""
    stage_word = scoring.STAGE_LABELS[r.stage][1 if lang == "en" else 0]
    words = r.sample_words()
    sample = f"  ({words.text(lang)})" if words else ""
    out = [_t(lang, f"Xếp hạng thi đua năm {r.year} · {stage_word} · tối đa {fmt_points(r.max_total)} điểm{sample}",
              f"Ranking {r.year} · {stage_word} · at most {fmt_points(r.max_total, 'en')} points{sample}")]
    names = [text.sanitize(e.name) for e in r.entries]
    nw = max([_cells(n) for n in names] + [8])
    bw = max([_cells(e.band or "—") for e in r.entries] + [8])
    out.append(f"{_pad(_t(lang, 'Hạng', 'Rank'), 4, True)}  {_pad(_t(lang, 'Đơn vị', 'Unit'), nw)}  "
               f"{_pad(_t(lang, 'Điểm', 'Points'), 6, True)}  {_t(lang, 'Xếp loại', 'Band')}")
    for e, name in zip(r.entries, names):
        flag = f"  ⚠ {missing_text(e, lang)}" if not e.complete else ""
        out.append(f"{_pad(show_rank(e), 4, True)}  {_pad(name, nw)}  {_pad(fmt_points(e.points, lang), 6, True)}  "
                   f"{_pad(e.band or '—', bw)}{flag}".rstrip())
    ties = [e for e in r.entries if e.rank is not None and sum(1 for o in r.entries if o.rank == e.rank) > 1]
    if ties:
        out.append(_t(lang, "(Bằng điểm thì cùng hạng.)", "(Equal points share a rank.)"))
    if r.differences:
        a, b = r.differences[0].stage_a, r.differences[0].stage_b
        la = scoring.STAGE_LABELS[a][1 if lang == "en" else 0]
        lb = scoring.STAGE_LABELS[b][1 if lang == "en" else 0]
        out.append("")
        word = "point" if scoring.DIFF_THRESHOLD == 1 else "points"
        out.append(_t(lang, f"Chênh lệch từ {fmt_points(scoring.DIFF_THRESHOLD)} điểm trở lên ({la} → {lb}):",
                      f"Differences of {fmt_points(scoring.DIFF_THRESHOLD, 'en')} {word} or more ({la} → {lb}):"))
        template = snap.templates.get(r.year)
        for d in r.differences:
            u = snap.unit(d.unit)
            ln = template.line(d.line) if template else None
            title = f" {_cut(text.sanitize(ln.title), 40)}" if ln else ""
            name = text.sanitize(u.name(r.year) if u else d.unit)
            out.append(f"  {name} · {d.line}{title}: {fmt_points(d.points_a, lang)} → "
                       f"{fmt_points(d.points_b, lang)}")
    elif r.stage != "self":
        out.append("")
        out.append(_t(lang, "Không có dòng nào chênh lệch từ 1 điểm so với vòng trước.",
                      "No line differs from the previous stage by 1 point or more."))
    return "\n".join(out)


# --- commendations --------------------------------------------------------------------------

def cmd_commend(args: argparse.Namespace) -> int:
    from ..core.domain.validation import resolve_unit
    from .clusters import cluster_view
    lang = lang_of(args)
    store = open_store(args)
    action = args.commend_command
    snap = cluster_view(args, store.snapshot()) if action in ("add", "list") else store.snapshot()
    if action == "add":
        year = args.year
        unit = resolve_unit(snap, args.unit, year).code if args.unit else None
        cid = store.add_commendation(year, unit=unit, person=args.person or "", form=args.form, level=args.level,
                                     reason=args.reason, status=_status_arg(args.status),
                                     cluster=snap.default_cluster())
        print(_t(lang, f"Đã ghi đề nghị khen thưởng số {cid}.", f"Commendation {cid} recorded."))
    elif action == "list":
        year = args.year or current_year(snap)
        items = [c for c in snap.commendations if c.year == year and _in_view(snap, c.unit, year)]
        if args.json:
            print(json.dumps([{"id": c.id, "year": c.year, "unit": c.unit, "person": c.person or None, "form": c.form,
                               "level": c.level, "reason": c.reason, "status": c.status} for c in items],
                             ensure_ascii=False, indent=2))
            return EXIT_OK
        if not items:
            print(_t(lang, f"Năm {year} chưa có đề nghị khen thưởng nào.", f"No commendations for {year}."))
        for c in items:
            u = snap.unit(c.unit) if c.unit else None
            who = c.person or (u.name(year) if u else c.unit or "")
            if c.person and u:
                who += f" ({u.name(year)})"
            status = scoring.COMMENDATION_STATUS.get(c.status, (c.status, c.status))[1 if lang == "en" else 0]
            shown = " · ".join(text.sanitize(x) for x in (who, c.form, c.level, c.reason) if x)
            print(f"{c.id:>4}  [{status}]  {shown}")
    elif action == "approve":
        change = store.set_commendation_status(args.id, "approved")
        if change.old == change.new:
            print(_t(lang, f"Khen thưởng số {args.id} đã được duyệt rồi; không ghi gì.",
                     f"Commendation {args.id} is already approved; nothing written."))
        else:
            print(text.sanitize(change.text(lang)))
    elif action == "remove":
        print(text.sanitize(store.remove_commendation(args.id).text(lang)))
    return EXIT_OK


def _in_view(snap: Snapshot, unit: str | None, year: int) -> bool:
    """Whether a commendation of ``unit`` in ``year`` is listed for the cluster ``snap`` shows:
    its unit is in that cluster that year; one without a unit (a person only) belongs to no
    cluster and is listed for every one, never hidden."""
    u = snap.unit(unit) if unit else None
    return u is None or u.cluster(year) == snap.default_cluster()


def _status_arg(raw: str | None) -> str:
    if raw is None:
        return "proposed"
    folded = text.fold(raw)
    for key, (vi, en) in scoring.COMMENDATION_STATUS.items():
        if folded in (key, text.fold(vi), en):
            return key
    raise InvalidValue(Msg(f"Trạng thái '{text.sanitize(raw)[:30]}' không hợp lệ; dùng proposed (đề nghị) hoặc "
                           f"approved (được duyệt).",
                           f"Status '{text.sanitize(raw)[:30]}' is not valid; use proposed or approved."))


# --- pact -----------------------------------------------------------------------------------

def cmd_pact(args: argparse.Namespace) -> int:
    lang = lang_of(args)
    store = open_store(args)
    snap = store.snapshot()
    if args.pact_command == "show":
        return _pact_show(args, snap, lang)
    year = edit_year(args, snap)
    # Today in the cluster's time zone, not the machine's or UTC (06:23 on 30/11 in Lắk is 29/11 UTC).
    day: Any = args.date or clock.local_date(_utc_now(), snap.settings.timezone)
    print(text.sanitize(store.set_pact_date(year, day).text(lang)))
    said_year(args, year)
    return EXIT_OK


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _pact_show(args: argparse.Namespace, snap: Snapshot, lang: str) -> int:
    """`pact show`: the day each year's pact was signed (one year with --year)."""
    from ..core.domain.clock import show_day
    years = [args.year] if args.year else sorted(snap.templates)
    if args.json:
        print(json.dumps([{"year": y, "pact_signed": snap.pacts.get(y)} for y in years], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not years:
        print(_t(lang, "Chưa năm nào có bảng điểm thi đua (và giao ước).", "No year has a points table (or a pact) yet."))
    for y in years:
        if y not in snap.templates:
            print(_t(lang, f"Năm {y}: chưa có bảng điểm thi đua.", f"{y}: no points table yet."))
        elif snap.pacts.get(y):
            print(_t(lang, f"Giao ước thi đua năm {y}: ký ngày {show_day(snap.pacts[y])}",
                     f"Pact {y}: signed on {show_day(snap.pacts[y])}"))
        else:
            print(_t(lang, f"Giao ước thi đua năm {y}: chưa ghi ngày ký (ccb-tui pact sign --year {y} --date NGÀY)",
                     f"Pact {y}: no signing day recorded (ccb-tui pact sign --year {y} --date DAY)"))
    return EXIT_OK
