"""Commands that write or read files, or open a view: export, import, report, serve, and the
dashboard itself (Textual is imported only there)."""

from __future__ import annotations

import argparse
import sys

from ..core.domain import text
from ..core.domain.errors import UsageError
from ..core.domain.models import Msg
from ..core.store import Store
from .common import EXIT_OK, current_year, db_path, err, lang_of, open_store


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
    from ..core.exchange import export as exchange
    from ..core.exchange.output import infer_format
    to_stdout = args.output == "-"
    fmt = args.format or (None if not to_stdout else "csv")
    fmt = infer_format(args.output, fmt) if not to_stdout else fmt
    sep = _csv_sep(args.sep, fmt)
    if to_stdout and fmt == "xlsx":
        raise UsageError(Msg("Không in tệp xlsx ra màn hình; hãy dùng -o TỆP.xlsx.",
                             "An xlsx file cannot go to the terminal; use -o FILE.xlsx."))
    from .clusters import cluster_view
    store = open_store(args)
    snap = cluster_view(args, store.snapshot())
    year = args.year or current_year(snap)
    if to_stdout:
        _write_stdout(exchange.render(snap, year, fmt, lang=lang_of(args), sep=sep))
        return EXIT_OK
    path = exchange.export_file(snap, year, fmt, args.output, force=args.force, lang=lang_of(args),
                                protect=(store.path, store.lock_path), sep=sep)
    err(Msg(f"Đã xuất năm {year} ({fmt}): {path}", f"Exported {year} ({fmt}): {path}"), lang_of(args))
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from ..core.exchange import importer as exchange
    from ..core.domain.errors import InvalidValue
    from .clusters import cluster_view
    lang = lang_of(args)
    store = open_store(args)
    snap = cluster_view(args, store.snapshot())  # the one snapshot the whole import is checked against
    try:
        plan = exchange.plan_import(snap, args.file, year=args.year)
    except InvalidValue as exc:
        shown = exc.problems[:200]
        for p in shown:
            err(p.msg, lang)
        if len(exc.problems) > len(shown):
            err(Msg(f"… và {len(exc.problems) - len(shown)} lỗi khác.",
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
    from ..core.report import meeting as report
    lang = lang_of(args)
    if args.output == "-" and args.format == "pdf":
        raise UsageError(Msg("Không in PDF ra màn hình; hãy dùng -o TỆP.pdf.",
                             "A PDF cannot go to the terminal; use -o FILE.pdf."))
    if args.output != "-":
        from ..core.exchange.output import check_output, infer_format
        if infer_format(args.output, args.format, report.FORMATS) == "pdf":
            from ..core.report.printed import weasyprint_missing
            missing = weasyprint_missing()  # before the store is opened or anything written
            if missing is not None:
                raise UsageError(missing)
        check_output(args.output, force=args.force)
    from .clusters import cluster_view
    store = open_store(args)
    snap = cluster_view(args, store.snapshot())
    year = args.year or current_year(snap)
    entries = store.log_entries() if args.since else None
    if args.since:  # a day in the cluster's time zone: from 00:00 there
        from ..core.domain.clock import day_start
        args.since = day_start(args.since, snap.settings.timezone)
    if args.output == "-":
        print(report.render(snap, year, args.format or "md", lang=lang, since=args.since, entries=entries), end="")
        return EXIT_OK
    from ..core.exchange.output import infer_format
    fmt = infer_format(args.output, args.format, report.FORMATS)
    path = report.write_report(snap, year, args.output, fmt=fmt, force=args.force, lang=lang, since=args.since,
                               entries=entries, protect=(store.path, store.lock_path))
    err(Msg(f"Đã lập báo cáo năm {year}: {path}", f"Wrote the {year} report: {path}"), lang)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from ..serve import check_host, serve
    check_host(args.host, args.allow_remote)  # before touching anything
    path = db_path(args)
    if args.read_only:
        Store(path, create=False, cleanup=False).snapshot()  # unreadable: exit 5 now, not in every tab
    else:
        open_store(args).snapshot()
    return serve(path, host=args.host, port=args.port, read_only=args.read_only,
                 allow_remote=args.allow_remote, lang=lang_of(args), public_url=args.public_url)


def cmd_tui(args: argparse.Namespace) -> int:
    path = db_path(args)
    from ..ui.app import run_app  # Textual is imported only here
    return run_app(path, lang=lang_of(args), read_only=args.read_only, meeting=args.meeting, year=args.year)
