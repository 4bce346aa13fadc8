"""What every command shares: exit codes, the store to open, the year to use, numbers, words
and messages as typed, and one-line errors on stderr."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..core.domain import text
from ..core.domain.errors import CcbError, UsageError
from ..core.domain.fmt import NumberFormatError, parse_number
from ..core.domain.models import QUALIFIER_ALIASES, TASK_STATE_ALIASES, Msg, Qualifier, Snapshot, TaskState
from ..core.store import Store
from ..core.store.paths import check_store_path, resolve_db_path


EXIT_OK, EXIT_USAGE, EXIT_INVALID, EXIT_CONFLICT, EXIT_STORE, EXIT_PROBLEMS = 0, 2, 3, 4, 5, 6


def lang_of(args: argparse.Namespace) -> str:
    return getattr(args, "lang", "vi")


def db_path(args: argparse.Namespace, *, check: bool = True) -> Path:
    """The store path from --db, $CCB_DB or the default.

    An explicitly empty ``--db ""`` (say ``--db "$UNSET_VAR"`` in a script) is refused rather than
    silently falling back to $CCB_DB or the per-user store, which would edit the wrong file. With
    ``check``, a path that exists but is not a regular file (FIFO, device, socket, folder, symlink
    loop) is refused at once, exit 5 (``core.paths.check_store_path``).
    """
    db = getattr(args, "db", None)
    if db is not None and not db.strip():
        raise UsageError(Msg("--db cần một đường dẫn tệp, nhưng đang để trống.",
                             "--db needs a file path, but it is empty."))
    path = resolve_db_path(db)
    if check:
        check_store_path(path)
    return path


def open_store(args: argparse.Namespace) -> Store:
    path = db_path(args)
    store = Store(path)
    if store.created:
        err(Msg(f"Đã tạo tệp dữ liệu mới từ dữ liệu mẫu: {path}",
                 f"Created a new store from the bundled seed data: {path}"), lang_of(args))
    return store


def err(msg: Msg, lang: str) -> None:
    # Messages may quote what the user typed (a unit name holding ESC or a newline): sanitising
    # keeps the promise of one line on stderr and keeps escape sequences off the terminal.
    # A run of over 120 characters (a pasted 100.000-character argument) is cut in the middle.
    print(text.shorten_runs(text.sanitize(msg.text(lang))), file=sys.stderr)


def current_year(snap: Snapshot) -> int:
    """The store's current year (năm hiện hành), the default of every command."""
    year = snap.current_year()
    if year is None:
        raise UsageError(Msg("Kho dữ liệu chưa có năm nào; hãy dùng --year hoặc ccb-tui year open NĂM.",
                             "The store has no year yet; pass --year or run ccb-tui year open YEAR."))
    return year


def edit_year(args: argparse.Namespace, snap: Snapshot) -> int:
    """The year an edit writes: --year, else the current year (see :func:`said_year`)."""
    return args.year if getattr(args, "year", None) else current_year(snap)


def said_year(args: argparse.Namespace, year: int) -> None:
    """After an edit that defaulted to the current year and whose output does not name the year
    (figures and targets name it: "… Số hội viên 2020: 110 → 111"), say so on stderr."""
    if not getattr(args, "year", None):
        err(Msg(f"(Đã ghi vào năm {year}, năm hiện hành; dùng --year để chọn năm khác.)",
                 f"(Written to {year}, the current year; pass --year for another.)"), lang_of(args))


def parse_value(raw: str, lang: str) -> Any:
    try:
        return parse_number(raw, lang=lang)  # --lang en reads 1,500 and 1.5 the English way
    except NumberFormatError as exc:
        from ..core.domain.errors import InvalidValue
        raise InvalidValue(Msg(f"Giá trị '{text.sanitize(raw)}' không hợp lệ: {exc.message_vi}",
                               f"Invalid value '{text.sanitize(raw)}': {exc.message_en}")) from exc


def is_none_word(raw: str | None) -> bool:
    return raw is not None and text.fold(raw) in ("none", "khong", "-", "chua bao cao", "not reported", "nr")


def parse_qualifier(raw: str | None) -> Qualifier:
    if raw is None:
        return Qualifier.EXACT
    q = QUALIFIER_ALIASES.get(text.fold(raw))
    if q is None:
        raise UsageError(Msg(f"Không hiểu từ chỉ mức '{text.sanitize(raw)}'. Dùng: gần, trên, hơn, khoảng, hàng trăm.",
                             f"Unknown qualifier '{text.sanitize(raw)}'. Use: exact, nearly, over, about, hundreds."))
    return q


def parse_state(raw: str) -> TaskState:
    st = TASK_STATE_ALIASES.get(text.fold(raw))
    if st is None:
        raise UsageError(Msg(f"Không hiểu trạng thái '{text.sanitize(raw)}'. Dùng: chưa, đang, xong.",
                             f"Unknown status '{text.sanitize(raw)}'. Use: todo, doing, done."))
    return st


def zone(store: Store) -> str | None:
    """The cluster's time zone, or None (the default) when the store cannot be read."""
    try:
        return store.snapshot().settings.timezone
    except CcbError:
        return None


def print_change(change: Any, lang: str = "vi") -> None:
    print(change.text(lang))
