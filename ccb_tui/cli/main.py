"""The entry point: argument checks, --demo, dispatch to a command, and exit codes."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Callable, Sequence

from ..core.domain import text
from ..core.domain.errors import CcbError, UsageError
from ..core.domain.models import Msg
from .common import EXIT_OK, EXIT_USAGE, err, lang_of
from .figures import cmd_check, cmd_indicators, cmd_set, cmd_summary, cmd_target, cmd_where, cmd_year
from .files import cmd_export, cmd_import, cmd_report, cmd_serve, cmd_tui
from .parser import build_parser, peek_lang
from .thidua import cmd_commend, cmd_pact, cmd_rank, cmd_score
from .records import cmd_backup, cmd_log, cmd_restore, cmd_settings, cmd_task, cmd_undo, cmd_unit
from .years import cmd_compare
from .clusters import cmd_cluster


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "where": cmd_where, "summary": cmd_summary, "set": cmd_set, "target": cmd_target, "year": cmd_year,
    "indicators": cmd_indicators, "task": cmd_task, "unit": cmd_unit, "check": cmd_check,
    "log": cmd_log, "undo": cmd_undo, "backup": cmd_backup, "restore": cmd_restore,
    "export": cmd_export, "import": cmd_import, "report": cmd_report, "serve": cmd_serve,
    "settings": cmd_settings, "score": cmd_score, "rank": cmd_rank, "commend": cmd_commend, "pact": cmd_pact,
    "compare": cmd_compare, "cluster": cmd_cluster,
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
    err(Msg(f"Chế độ thử (--demo): dùng bản sao dữ liệu mẫu trong {folder}, xóa khi thoát; "
             f"dữ liệu thật không bị động tới.",
             f"Demo mode (--demo): a scratch copy of the bundled data in {folder}, removed on exit; "
             f"your real store is not touched."), lang)
    return folder


_SURROGATE = re.compile("[\ud800-\udfff]")


def check_argv_text(argv: Sequence[str]) -> None:
    """Refuse (exit 2) an argument holding bytes that are not UTF-8.

    Python hands such bytes over as lone surrogates ("K\\xe0" arrives as 'K\\udce0'); kept, they
    would fail much later (NFC, JSON, the terminal) as a traceback, or be stored. Say which
    argument it is, its bad bytes shown as \\xNN.
    """
    for i, arg in enumerate(argv, 1):
        if not isinstance(arg, str) or not _SURROGATE.search(arg):
            continue
        try:  # the bytes as typed: the undecodable ones come back as \xNN
            raw = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:  # a lone surrogate that was never a byte (only from a caller)
            raw = arg.encode("utf-8", "backslashreplace").decode("utf-8")
        shown = text.sanitize(raw)
        prev = argv[i - 2] if i > 1 and isinstance(argv[i - 2], str) else ""
        after = text.sanitize(prev)[:40] if prev.startswith("-") and not _SURROGATE.search(prev) else ""
        raise UsageError(Msg(
            f"Đối số thứ {i}{f' (sau {after})' if after else ''} ('{shown}') không phải văn bản UTF-8 hợp lệ. "
            f"Hãy gõ lại bằng bảng mã UTF-8 (kiểm tra LANG/LC_ALL của terminal và bảng mã của tệp lệnh).",
            f"Argument {i}{f' (after {after})' if after else ''} ('{shown}') is not valid UTF-8 text. Type it "
            f"again in UTF-8 (check the terminal's LANG/LC_ALL and the script's encoding)."))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 2 usage, 3 invalid, 4 conflict, 5 store)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = peek_lang(argv)
    try:
        check_argv_text(argv)
        args = build_parser(lang).parse_args(argv)
        lang = lang_of(args)
        handler = COMMANDS.get(args.command or "", cmd_tui)
        if handler is not cmd_tui:
            import gc
            gc.enable()  # off since __main__ (start-up); the dashboard turns it on after its first frame
        if getattr(args, "demo", False):
            import shutil
            demo = _start_demo(args, lang)
            try:
                return handler(args)
            finally:
                shutil.rmtree(demo, ignore_errors=True)
        return handler(args)
    except CcbError as exc:
        err(exc.msg, lang)
        return exc.exit_code
    except SystemExit as exc:  # argparse's --help exits; main() returns a code instead
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `ccb-tui summary | head`
        return EXIT_OK
