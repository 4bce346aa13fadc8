"""Command line: headless subcommands, and the dashboard launched lazily (Textual is imported only then)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any, Callable, NoReturn, Sequence

from .core import indicators, text
from .core.errors import CcbError, UsageError
from .core.fmt import NumberFormatError, parse_number
from .core.models import QUALIFIER_ALIASES, TASK_STATE_ALIASES, Msg, Qualifier, Snapshot, TaskState
from .core.paths import resolve_db_path
from .core.store import ANY, Store

EXIT_OK, EXIT_USAGE, EXIT_INVALID, EXIT_CONFLICT, EXIT_STORE = 0, 2, 3, 4, 5


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error that says how to get help, and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(Msg(f"{self.prog}: {message}. Xem: {self.prog} --help",
                             f"{self.prog}: {message}. See: {self.prog} --help"))


YEAR_MIN, YEAR_MAX = 1900, 2100


def _date(raw: str) -> date:
    """A day as 2021-03-31 or 31/3/2021 (argparse type)."""
    from datetime import datetime
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(raw.strip(), fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"'{text.sanitize(raw)}' is not a date; use 2021-03-31 or 31/3/2021")


def _year(raw: str) -> int:
    """An argparse type for --year: a plausible calendar year.

    Plain ``int`` let ``--year 0`` or ``--year -5`` through, and ``set --year 0`` then wrote a
    figure for year 0 that ``check`` afterwards reports as a problem: refuse it as a usage error.
    """
    try:
        year = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid year: {raw!r}") from None
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise argparse.ArgumentTypeError(f"year {year} is outside {YEAR_MIN}..{YEAR_MAX}")
    return year


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS,
                        help="store file (default: $CCB_DB, else the per-user data folder)")
    common.add_argument("--lang", choices=("vi", "en"), default=argparse.SUPPRESS,
                        help="interface language (default: vi)")
    common.add_argument("--demo", action="store_true", default=argparse.SUPPRESS,
                        help="try it on a scratch copy of the bundled data in a temporary folder, "
                             "removed on exit; your real store is never touched")
    return common


def build_parser() -> argparse.ArgumentParser:
    """The full command line."""
    common = _common()
    p = _Parser(prog="ccb-tui", parents=[common],
                description="Bảng điều khiển Hội CCB cụm thi đua số 3 (Lắk, Đắk Lắk) — "
                            "dashboard of the veterans' association, competition cluster No. 3.")
    p.add_argument("--read-only", action="store_true", help="browse only; never write the store")
    p.add_argument("--meeting", action="store_true", help="open the read-only meeting mode")
    p.add_argument("--year", type=_year, help="year to open the dashboard on")
    sub = p.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    def add(name: str, help_: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], help=help_, description=help_)

    add("where", "print the store path")

    s = add("summary", "per-unit figures, cluster totals, plan vs actual and reconciliation")
    s.add_argument("--year", type=_year, help="year (default: the latest year with figures)")
    s.add_argument("--json", action="store_true", help="print one JSON object")

    s = add("set", "set a unit's figure for an indicator")
    s.add_argument("unit", help="unit code or name, accents optional (\"lien son\")")
    s.add_argument("indicator", help="indicator code or name (see `ccb-tui indicators`)")
    s.add_argument("value", nargs="?", help="value in Vietnamese style: 1.500, 6,7 tỷ, 248,6 triệu")
    s.add_argument("--year", type=_year, help="year (default: the latest year with figures)")
    s.add_argument("--qualifier", "-q", help="exact | gần | trên | khoảng | hàng trăm")
    s.add_argument("--not-reported", action="store_true", help="mark as not reported (not zero)")
    s.add_argument("--expect", metavar="OLD",
                   help="only change if the current value is OLD (a number, or 'none' for not reported)")

    s = add("target", "set a unit's target (kế hoạch) for an indicator")
    s.add_argument("unit")
    s.add_argument("indicator")
    s.add_argument("value", help="target value, or 'none' to remove it")
    s.add_argument("--year", type=_year, help="year (default: the latest year with targets)")
    s.add_argument("--expect", metavar="OLD", help="only change if the current target is OLD ('none': no target)")

    add("indicators", "list the indicator catalogue")

    t = add("task", "the year's task checklist")
    tsub = t.add_subparsers(dest="task_command", parser_class=_Parser, metavar="ACTION", required=True)
    tl = tsub.add_parser("list", parents=[common], help="list tasks and each unit's status")
    tl.add_argument("--year", type=_year)
    ts = tsub.add_parser("set", parents=[common], help="set a unit's status on a task")
    ts.add_argument("task_id", type=int)
    ts.add_argument("unit")
    ts.add_argument("state", help="chưa | đang | xong (todo | doing | done)")
    ts.add_argument("--note")
    ts.add_argument("--expect", metavar="STATE", help="only change if the current status is STATE")
    ta = tsub.add_parser("add", parents=[common], help="add a task")
    ta.add_argument("title")
    ta.add_argument("--year", type=_year)
    ta.add_argument("--note", default="")
    te = tsub.add_parser("edit", parents=[common], help="change a task's title or note")
    te.add_argument("task_id", type=int)
    te.add_argument("--title")
    te.add_argument("--note")
    tr = tsub.add_parser("remove", parents=[common], help="remove a task")
    tr.add_argument("task_id", type=int)

    u = add("unit", "the cluster's units")
    usub = u.add_subparsers(dest="unit_command", parser_class=_Parser, metavar="ACTION", required=True)
    ul = usub.add_parser("list", parents=[common], help="list units")
    ul.add_argument("--year", type=_year)
    ua = usub.add_parser("add", parents=[common], help="add a unit")
    ua.add_argument("code", help="short code without accents, e.g. ea_kiet")
    ua.add_argument("name", help="official name, e.g. \"Xã Ea Kiết\"")
    ua.add_argument("--year", type=_year, required=True, help="first year in the cluster")
    ua.add_argument("--kind", default="xa", choices=("xa", "thi_tran", "phuong", "khac"))
    ur = usub.add_parser("rename", parents=[common], help="rename a unit")
    ur.add_argument("unit")
    ur.add_argument("name")
    ur.add_argument("--year", type=_year,
                    help="the new name applies from this year (default: correct the current name)")
    ut = usub.add_parser("retire", parents=[common], help="retire a unit from a year on (history is kept)")
    ut.add_argument("unit")
    ut.add_argument("--year", type=_year, required=True)

    add("check", "validate the store and reconcile totals with the reported figures; exit 0 only when clean")

    lg = add("log", "the audit log: who changed what, when, old → new")
    lg.add_argument("--since", type=_date, metavar="DATE", help="from this day on (2021-03-31 or 31/3/2021)")
    lg.add_argument("--unit", help="only changes of this unit (code or name)")
    lg.add_argument("--json", action="store_true", help="print a JSON array")

    add("undo", "revert your last change (refused if someone changed that value since)")

    bk = add("backup", "take a backup of the store now (the last versions are also kept automatically)")
    bk.add_argument("--list", action="store_true", help="list the backups instead, newest first")

    rs = add("restore", "put a backup back (default: the newest good one); the current file is kept")
    rs.add_argument("version", nargs="?", help="backup file name, revision (r42) or position (-1 newest)")

    ex = add("export", "write the year's data to a file: csv, xlsx, md (meeting report) or json")
    ex.add_argument("--format", "-f", choices=("csv", "xlsx", "md", "json"),
                    help="file format (default: from the -o suffix)")
    ex.add_argument("--year", type=_year, help="year (default: the latest year with figures)")
    ex.add_argument("-o", "--output", required=True, metavar="FILE", help="file to write ('-' for stdout)")
    ex.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    ex.add_argument("--sep", default=",", metavar="SEP",
                    help="CSV field separator: ',' (default, RFC 4180), ';' (Excel set to Vietnamese) or 'tab'")

    im = add("import", "read figures, targets and task statuses back from a csv/xlsx/json export")
    im.add_argument("file", metavar="FILE", help="a file in the export's layout (.xlsx, .csv or .json)")
    im.add_argument("--dry-run", action="store_true", help="check and show the changes; write nothing")
    im.add_argument("--year", type=_year, help="only this year: rows of another year are refused; "
                                                "fills rows whose Năm cell is empty")

    rp = add("report", "write the meeting report: totals, plan vs actual, charts, checklist, changes")
    rp.add_argument("--year", type=_year, help="year (default: the latest year with figures)")
    rp.add_argument("--since", type=_date, metavar="DATE", help="list the changes from this day on (audit log)")
    rp.add_argument("-o", "--output", required=True, metavar="FILE",
                    help="FILE.md, FILE.html or FILE.pdf (A4, needs WeasyPrint) ('-' for stdout, md)")
    rp.add_argument("--format", "-f", choices=("md", "html", "pdf"), help="default: from the -o suffix")
    rp.add_argument("--force", action="store_true", help="overwrite FILE if it exists")

    st = add("settings", "the store's settings: report header, place, signer, time zone (list, or set KEY VALUE)")
    stsub = st.add_subparsers(dest="settings_command", parser_class=_Parser, metavar="ACTION")
    stsub.add_parser("list", parents=[common], help="list every setting (the default)")
    ss = stsub.add_parser("set", parents=[common], help="change one setting; prints old → new")
    ss.add_argument("key", help="org_parent, org_name, place, signer_title, signer_name, timezone, current_year")
    ss.add_argument("value", help="the new value ('' to clear a text setting)")

    sv = add("serve", "serve the dashboard to a web browser (textual-serve), on localhost by default")
    sv.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    sv.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    sv.add_argument("--read-only", action="store_true", default=argparse.SUPPRESS, help="browse only; the store is never written")
    sv.add_argument("--allow-remote", action="store_true",
                    help="allow a non-loopback --host (there is no login: anyone reaching the port can edit)")
    sv.add_argument("--public-url", metavar="URL",
                    help="the URL the browser uses, when it differs (e.g. http://localhost:9000 through a tunnel)")
    return p


# --- helpers ---------------------------------------------------------------------------------

def _lang(args: argparse.Namespace) -> str:
    return getattr(args, "lang", "vi")


def _db_path(args: argparse.Namespace) -> Path:
    """The store path from --db, $CCB_DB or the default.

    An explicitly empty ``--db ""`` (say ``--db "$UNSET_VAR"`` in a script) is refused rather than
    silently falling back to $CCB_DB or the per-user store, which would edit the wrong file.
    """
    db = getattr(args, "db", None)
    if db is not None and not db.strip():
        raise UsageError(Msg("--db cần một đường dẫn tệp, nhưng đang để trống.",
                             "--db needs a file path, but it is empty."))
    return resolve_db_path(db)


def _open_store(args: argparse.Namespace) -> Store:
    path = _db_path(args)
    store = Store(path)
    if store.created:
        _err(Msg(f"Đã tạo tệp dữ liệu mới từ dữ liệu mẫu: {path}",
                 f"Created a new store from the bundled seed data: {path}"), _lang(args))
    return store


def _err(msg: Msg, lang: str) -> None:
    # Messages may quote what the user typed (a unit name holding ESC or a newline): sanitising
    # keeps the promise of one line on stderr and keeps escape sequences off the terminal.
    print(text.sanitize(msg.text(lang)), file=sys.stderr)


def _latest_year(snap: Snapshot, kind: str = "values") -> int:
    year = snap.latest_year(kind)
    if year is None:
        raise UsageError(Msg("Kho dữ liệu chưa có năm nào; hãy dùng --year.",
                             "The store has no year yet; pass --year."))
    return year


def _parse_value(raw: str, lang: str) -> Any:
    try:
        return parse_number(raw, lang=lang)  # --lang en reads 1,500 and 1.5 the English way
    except NumberFormatError as exc:
        from .core.errors import InvalidValue
        raise InvalidValue(Msg(f"Giá trị '{text.sanitize(raw)}' không hợp lệ: {exc.message_vi}",
                               f"Invalid value '{text.sanitize(raw)}': {exc.message_en}")) from exc


def _is_none_word(raw: str | None) -> bool:
    return raw is not None and text.fold(raw) in ("none", "khong", "-", "chua bao cao", "not reported", "nr")


def _parse_qualifier(raw: str | None) -> Qualifier:
    if raw is None:
        return Qualifier.EXACT
    q = QUALIFIER_ALIASES.get(text.fold(raw))
    if q is None:
        raise UsageError(Msg(f"Không hiểu từ chỉ mức '{text.sanitize(raw)}'. Dùng: gần, trên, hơn, khoảng, hàng trăm.",
                             f"Unknown qualifier '{text.sanitize(raw)}'. Use: exact, nearly, over, about, hundreds."))
    return q


def _parse_state(raw: str) -> TaskState:
    st = TASK_STATE_ALIASES.get(text.fold(raw))
    if st is None:
        raise UsageError(Msg(f"Không hiểu trạng thái '{text.sanitize(raw)}'. Dùng: chưa, đang, xong.",
                             f"Unknown status '{text.sanitize(raw)}'. Use: todo, doing, done."))
    return st


def _print_change(change: Any, lang: str = "vi") -> None:
    print(change.text(lang))


# --- commands --------------------------------------------------------------------------------

def cmd_where(args: argparse.Namespace) -> int:
    print(_db_path(args))
    return EXIT_OK


def cmd_summary(args: argparse.Namespace) -> int:
    from .core import report_text, totals
    store = _open_store(args)
    snap = store.snapshot()
    year = args.year or _latest_year(snap)
    summary = totals.summarize(snap, year)
    if args.json:
        print(json.dumps(totals.to_json(summary), ensure_ascii=False, indent=2))
    else:
        print(report_text.summary_text(summary, _lang(args)))
    return EXIT_OK


def cmd_set(args: argparse.Namespace) -> int:
    from .core.validation import resolve_indicator, resolve_unit
    lang = _lang(args)
    if args.value is None and not args.not_reported:
        raise UsageError(Msg("Thiếu giá trị. Ví dụ: ccb-tui set \"lien son\" members 120, hoặc --not-reported.",
                             "Missing value. Example: ccb-tui set \"lien son\" members 120, or --not-reported."))
    if args.value is not None and args.not_reported:
        raise UsageError(Msg("Không dùng cùng lúc giá trị và --not-reported.",
                             "Give either a value or --not-reported, not both."))
    value = None if args.not_reported else _parse_value(args.value, lang)
    qualifier = _parse_qualifier(args.qualifier)
    expect: object = ANY
    if args.expect is not None:
        expect = None if _is_none_word(args.expect) else _parse_value(args.expect, lang)
    store = _open_store(args)
    snap = store.snapshot()
    year = args.year or _latest_year(snap)
    unit = resolve_unit(snap, args.unit, year)
    ind = resolve_indicator(args.indicator)
    _print_change(store.set_value(unit.code, ind.code, year, value, qualifier=qualifier,
                                  reported=not args.not_reported, expect=expect), lang)
    return EXIT_OK


def cmd_target(args: argparse.Namespace) -> int:
    from .core.validation import resolve_indicator, resolve_unit
    lang = _lang(args)
    value = None if _is_none_word(args.value) else _parse_value(args.value, lang)
    expect: object = ANY
    if args.expect is not None:
        expect = None if _is_none_word(args.expect) else _parse_value(args.expect, lang)
    store = _open_store(args)
    snap = store.snapshot()
    year = args.year or _latest_year(snap, "targets")
    unit = resolve_unit(snap, args.unit, year)
    ind = resolve_indicator(args.indicator)
    _print_change(store.set_target(unit.code, ind.code, year, value, expect=expect), lang)
    return EXIT_OK


def cmd_indicators(args: argparse.Namespace) -> int:
    lang = _lang(args)
    for ind in indicators.CATALOGUE:
        print(f"{ind.code:<15} {ind.label(lang):<32} {ind.unit(lang):<10} {ind.kind.value:<9} "
              f"{ind.temporal.value:<6} {ind.direction.value}")
    return EXIT_OK


def cmd_task(args: argparse.Namespace) -> int:
    from .core import report_text
    from .core.validation import resolve_unit
    lang = _lang(args)
    store = _open_store(args)
    snap = store.snapshot()
    action = args.task_command
    if action == "list":
        year = args.year or _latest_year(snap, "tasks")
        print(report_text.tasks_text(snap, year, lang))
    elif action == "set":
        task = snap.task(args.task_id)
        unit = resolve_unit(snap, args.unit, task.year if task else None)
        expect: object = ANY if args.expect is None else _parse_state(args.expect)
        _print_change(store.set_task_status(args.task_id, unit.code, _parse_state(args.state),
                                            note=args.note, expect=expect), lang)
    elif action == "add":
        year = args.year or _latest_year(snap, "tasks")
        task_id, change = store.add_task(year, args.title, args.note)
        print(f"{task_id}\t{change.new}")
    elif action == "edit":
        if args.title is None and args.note is None:
            raise UsageError(Msg("Cần --title hoặc --note.", "Give --title or --note."))
        _print_change(store.edit_task(args.task_id, title=args.title, note=args.note), lang)
    elif action == "remove":
        _print_change(store.remove_task(args.task_id), lang)
    return EXIT_OK


def cmd_unit(args: argparse.Namespace) -> int:
    from .core.validation import resolve_unit
    lang = _lang(args)
    store = _open_store(args)
    snap = store.snapshot()
    action = args.unit_command
    if action == "list":
        year = args.year
        units = snap.units if year is None else snap.units_in(year)
        for u in sorted(units, key=lambda u: text.vi_sort_key(u.name(year))):
            retired = ""
            if u.retired_from is not None:
                retired = f"  (ngừng từ {u.retired_from})" if lang == "vi" else f"  (retired from {u.retired_from})"
            history = " ← ".join(p.name for p in reversed(u.periods[:-1]))
            print(f"{u.code:<12} {u.name(year)}{retired}" + (f"  [{history}]" if history else ""))
    elif action == "add":
        _print_change(store.add_unit(args.code, args.name, year=args.year, kind=args.kind), lang)
    elif action == "rename":
        unit = resolve_unit(snap, args.unit, args.year)
        _print_change(store.rename_unit(unit.code, args.name, year=args.year), lang)
    elif action == "retire":
        unit = resolve_unit(snap, args.unit, args.year)
        _print_change(store.retire_unit(unit.code, year=args.year), lang)
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from .core import totals, validation
    lang = _lang(args)
    store = _open_store(args)
    snap = store.snapshot()
    problems = validation.validate_snapshot(snap)
    bad = 0
    for p in problems:
        print(f"✘ {p.field}: {p.text(lang)}")
        bad += 1
    for year in snap.years():
        for rec in totals.reconcile(snap, year):
            mark = "✔" if rec.ok else "⚠"
            print(f"{mark} {year} {rec.indicator}: {rec.msg.text(lang)}")
            bad += 0 if rec.ok else 1
    if bad:
        _err(Msg(f"Kiểm tra: {bad} vấn đề cần xem lại.", f"Check: {bad} problem(s) to review."), lang)
        return EXIT_INVALID
    print("Kiểm tra: không có vấn đề." if lang == "vi" else "Check: no problems.")
    return EXIT_OK


def cmd_log(args: argparse.Namespace) -> int:
    from .core import audit
    from .core.validation import resolve_unit
    lang = _lang(args)
    store = _open_store(args)
    snap = store.snapshot()
    unit = resolve_unit(snap, args.unit).code if args.unit else None
    entries = audit.filter_entries(store.log_entries(), since=args.since, unit=unit)
    if args.json:
        print(json.dumps([audit.to_json(e, snap, lang) for e in entries], ensure_ascii=False, indent=2))
        return EXIT_OK
    for e in entries:
        when = e.when.strftime("%Y-%m-%d %H:%M") if e.when else e.at
        print(f"{e.id:>5}  {when}  {text.sanitize(e.user):<12} {audit.describe(e, snap, lang)}")
    if not entries:
        print("Không có thay đổi nào." if lang == "vi" else "No changes.")
    return EXIT_OK


def cmd_undo(args: argparse.Namespace) -> int:
    store = _open_store(args)
    print(store.undo_last().what)
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    lang = _lang(args)
    store = _open_store(args)
    if args.list:
        found = store.backups()
        for b in found:
            print(f"{b.name}\t{b.label()}")
        if not found:
            print("Chưa có bản sao lưu nào." if lang == "vi" else "No backups yet.")
        return EXIT_OK
    b = store.backup()
    print(b.path)
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    lang = _lang(args)
    path = _db_path(args)
    store = Store(path, create=False, cleanup=False)  # a damaged file must not block its own repair
    backup, change = store.restore(args.version)
    print((f"Đã khôi phục {backup.name} ({backup.label()}): revision {change.new}" if lang == "vi"
           else f"Restored {backup.name} ({backup.label()}): revision {change.new}"))
    return EXIT_OK


def _write_stdout(payload: bytes) -> None:
    sys.stdout.flush()
    sys.stdout.buffer.write(payload)
    sys.stdout.buffer.flush()


CSV_SEPARATORS = {",": ",", ";": ";", "tab": "\t", "\t": "\t", "\\t": "\t"}


def _csv_sep(raw: str, fmt: str) -> str:
    sep = CSV_SEPARATORS.get(raw.strip().lower() if raw.strip() else raw)
    if sep is None:
        raise UsageError(Msg(f"--sep '{text.sanitize(raw)}' không dùng được; chọn ',' hoặc ';' hoặc tab.",
                             f"--sep '{text.sanitize(raw)}' is not accepted; use ',', ';' or tab."))
    if sep != "," and fmt != "csv":
        raise UsageError(Msg("--sep chỉ dùng cho định dạng csv.", "--sep applies to the csv format only."))
    return sep


def cmd_export(args: argparse.Namespace) -> int:
    from .core import exchange
    to_stdout = args.output == "-"
    fmt = args.format or (None if not to_stdout else "csv")
    fmt = exchange.infer_format(args.output, fmt) if not to_stdout else fmt
    sep = _csv_sep(args.sep, fmt)
    if to_stdout and fmt == "xlsx":
        raise UsageError(Msg("Không in tệp xlsx ra màn hình; hãy dùng -o TỆP.xlsx.",
                             "An xlsx file cannot go to the terminal; use -o FILE.xlsx."))
    store = _open_store(args)
    snap = store.snapshot()
    year = args.year or _latest_year(snap)
    if to_stdout:
        _write_stdout(exchange.render(snap, year, fmt, lang=_lang(args), sep=sep))
        return EXIT_OK
    path = exchange.export_file(snap, year, fmt, args.output, force=args.force, lang=_lang(args),
                                protect=(store.path, store.lock_path), sep=sep)
    _err(Msg(f"Đã xuất năm {year} ({fmt}): {path}", f"Exported {year} ({fmt}): {path}"), _lang(args))
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from .core import exchange
    from .core.errors import InvalidValue
    lang = _lang(args)
    store = _open_store(args)
    snap = store.snapshot()  # the one snapshot the whole import is checked against
    try:
        plan = exchange.plan_import(snap, args.file, year=args.year)
    except InvalidValue as exc:
        shown = exc.problems[:200]
        for p in shown:
            _err(p.msg, lang)
        if len(exc.problems) > len(shown):
            _err(Msg(f"… và {len(exc.problems) - len(shown)} lỗi khác.",
                     f"… and {len(exc.problems) - len(shown)} more."), lang)
        raise InvalidValue(exc.msg) from exc
    for change in plan.changes:
        print(text.sanitize(change.text()))
    if args.dry_run:
        print(("Chạy thử, không ghi gì: " if lang == "vi" else "Dry run, nothing written: ") + plan.summary(lang))
        return EXIT_OK
    rev = exchange.apply_plan(store, plan)
    print(plan.summary(lang) + (f" (r{rev})" if plan.changes else ""))
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from .core import report
    lang = _lang(args)
    if args.output == "-" and args.format == "pdf":
        raise UsageError(Msg("Không in PDF ra màn hình; hãy dùng -o TỆP.pdf.",
                             "A PDF cannot go to the terminal; use -o FILE.pdf."))
    if args.output != "-":
        from .core.exchange import check_output, infer_format
        if infer_format(args.output, args.format, report.FORMATS) == "pdf":
            from .core.report_print import weasyprint_missing
            missing = weasyprint_missing()  # before the store is opened or anything written
            if missing is not None:
                raise UsageError(missing)
        check_output(args.output, force=args.force)
    store = _open_store(args)
    snap = store.snapshot()
    year = args.year or _latest_year(snap)
    entries = store.log_entries() if args.since else None
    if args.output == "-":
        print(report.render(snap, year, args.format or "md", lang=lang, since=args.since, entries=entries), end="")
        return EXIT_OK
    from .core.exchange import infer_format
    fmt = infer_format(args.output, args.format, report.FORMATS)
    path = report.write_report(snap, year, args.output, fmt=fmt, force=args.force, lang=lang, since=args.since,
                               entries=entries, protect=(store.path, store.lock_path))
    _err(Msg(f"Đã lập báo cáo năm {year}: {path}", f"Wrote the {year} report: {path}"), lang)
    return EXIT_OK


SETTINGS_SHOWN = ("org_parent", "org_name", "place", "signer_title", "signer_name", "timezone", "current_year")


def cmd_settings(args: argparse.Namespace) -> int:
    from .core.errors import InvalidValue
    from .core.models import SETTING_KEYS
    lang = _lang(args)
    if getattr(args, "settings_command", None) == "set":
        key = args.key.strip()
        if key not in SETTING_KEYS:  # before the store is opened: one line, nothing touched
            raise InvalidValue(Msg(f"Không có thiết lập '{text.sanitize(key)}'. Dùng: {', '.join(SETTINGS_SHOWN)}.",
                                   f"There is no setting '{text.sanitize(key)}'. Use: {', '.join(SETTINGS_SHOWN)}."))
        value: Any = args.value
        if key == "current_year":
            try:
                value = _year(args.value)
            except argparse.ArgumentTypeError as exc:
                raise InvalidValue(Msg(f"current_year: {exc}", f"current_year: {exc}")) from None
        store = _open_store(args)
        change = store.set_setting(key, value)
        old, new = change.old, change.new
        print(f"{key}: “{text.sanitize(old or '')}” → “{text.sanitize(new or '')}”")
        return EXIT_OK
    store = _open_store(args)
    st = store.snapshot().settings
    width = max(len(k) for k in SETTINGS_SHOWN)
    empty = "(trống)" if lang == "vi" else "(empty)"
    for key in SETTINGS_SHOWN:
        value = getattr(st, key)
        shown = empty if value in (None, "") else text.sanitize(str(value))
        print(f"{key:<{width}}  {shown}")
    if st.open_years:
        print(f"{'open_years':<{width}}  {', '.join(str(y) for y in st.open_years)}")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import check_host, serve
    check_host(args.host, args.allow_remote)  # before touching anything
    path = _db_path(args)
    if args.read_only:
        Store(path, create=False, cleanup=False).snapshot()  # unreadable: exit 5 now, not in every tab
    else:
        _open_store(args).snapshot()
    return serve(path, host=args.host, port=args.port, read_only=args.read_only,
                 allow_remote=args.allow_remote, lang=_lang(args), public_url=args.public_url)


def cmd_tui(args: argparse.Namespace) -> int:
    path = _db_path(args)
    from .ui.app import run_app  # Textual is imported only here
    return run_app(path, lang=_lang(args), read_only=args.read_only, meeting=args.meeting, year=args.year)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "where": cmd_where, "summary": cmd_summary, "set": cmd_set, "target": cmd_target,
    "indicators": cmd_indicators, "task": cmd_task, "unit": cmd_unit, "check": cmd_check,
    "log": cmd_log, "undo": cmd_undo, "backup": cmd_backup, "restore": cmd_restore,
    "export": cmd_export, "import": cmd_import, "report": cmd_report, "serve": cmd_serve,
    "settings": cmd_settings,
}


def _start_demo(args: argparse.Namespace, lang: str) -> Path:
    """Point ``args.db`` at a scratch store in a new temporary folder (made from the bundled data
    when first opened) and say so on stderr; returns the folder, removed by the caller."""
    import tempfile
    if getattr(args, "db", None) is not None:
        raise UsageError(Msg("--demo dùng một bản sao tạm, không dùng cùng --db.",
                             "--demo works on a scratch copy; it cannot be combined with --db."))
    folder = Path(tempfile.mkdtemp(prefix="ccb-tui-demo-"))
    args.db = str(folder / "ccb.json")
    _err(Msg(f"Chế độ thử (--demo): dùng bản sao dữ liệu mẫu trong {folder}, xóa khi thoát; "
             f"dữ liệu thật không bị động tới.",
             f"Demo mode (--demo): a scratch copy of the bundled data in {folder}, removed on exit; "
             f"your real store is not touched."), lang)
    return folder


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 2 usage, 3 invalid, 4 conflict, 5 store)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = "en" if "--lang=en" in argv or ("--lang" in argv and argv[argv.index("--lang") + 1:][:1] == ["en"]) else "vi"
    try:
        args = build_parser().parse_args(argv)
        lang = _lang(args)
        handler = COMMANDS.get(args.command or "", cmd_tui)
        if getattr(args, "demo", False):
            import shutil
            demo = _start_demo(args, lang)
            try:
                return handler(args)
            finally:
                shutil.rmtree(demo, ignore_errors=True)
        return handler(args)
    except CcbError as exc:
        _err(exc.msg, lang)
        return exc.exit_code
    except SystemExit as exc:  # argparse's --help exits; main() returns a code instead
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `ccb-tui summary | head`
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
