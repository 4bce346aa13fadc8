"""Where the store lives: --db PATH, else $CCB_DB, else the per-user data folder."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from ..domain.errors import StoreUnavailable
from ..domain.models import Msg

DB_ENV = "CCB_DB"
DB_NAME = "ccb.json"


def default_db_path() -> Path:
    """The per-user store (e.g. ~/.local/share/ccb-tui/ccb.json on Linux)."""
    import platformdirs  # only when no --db or $CCB_DB is given: keeps start-up lean
    return platformdirs.user_data_path("ccb-tui", appauthor=False) / DB_NAME


def resolve_db_path(arg: str | os.PathLike[str] | None = None) -> Path:
    """The store path chosen by the command line, the environment or the default, in that order."""
    if arg:
        return Path(arg).expanduser()
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    return default_db_path()


def file_kind(mode: int) -> tuple[str, str] | None:
    """What a non-regular file is, in words (vi, en); None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "một thư mục", "a folder"
    if stat.S_ISFIFO(mode):
        return "một ống có tên (FIFO)", "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "một thiết bị ký tự", "a character device"
    if stat.S_ISBLK(mode):
        return "một thiết bị khối", "a block device"
    if stat.S_ISSOCK(mode):
        return "một socket", "a socket"
    return "không phải tệp thường", "not a regular file"


def _not_a_store(path: Path, what_vi: str, what_en: str) -> StoreUnavailable:
    return StoreUnavailable(Msg(
        f"Tệp dữ liệu {path} là {what_vi}, không phải tệp thường; không mở. Hãy chỉ --db (hoặc $CCB_DB) "
        f"tới tệp .json của ccb-tui.",
        f"The store {path} is {what_en}, not a regular file; not opened. Point --db (or $CCB_DB) at a "
        f"ccb-tui .json file."), path)


def check_store_path(path: Path) -> None:
    """Refuse at once (``StoreUnavailable``, exit 5) a store path that is not a regular file.

    A FIFO would hang the first read, ``/dev/zero`` would be read until memory runs out, a
    symlink loop or a folder would end in a traceback. A path that does not exist yet is fine
    (the store is created there); a symlink to a regular file is fine too (the store follows a
    symlinked store, see ``files.atomic_write``); a dangling symlink is refused rather than
    creating a store wherever it points.

    ``os.stat`` decides before anything is opened (opening some devices has effects); the file
    is then opened with ``O_NONBLOCK`` (a FIFO swapped in meanwhile cannot block) and checked
    again with ``fstat``.
    """
    try:
        lst = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # a loop in a folder on the way
            raise _not_a_store(path, "một vòng liên kết tượng trưng", "a symlink loop") from None
        raise _unreadable(path, exc) from exc
    try:
        st = os.stat(path)
    except FileNotFoundError:
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        raise StoreUnavailable(Msg(
            f"Tệp dữ liệu {path} là một liên kết tượng trưng tới {target}, nơi không có tệp nào; không tạo tệp "
            f"dữ liệu theo liên kết. Hãy trỏ --db thẳng tới nơi cần tạo, hoặc sửa liên kết.",
            f"The store {path} is a symlink to {target}, where there is no file; no store is created through "
            f"a link. Point --db at the place itself, or fix the link."), path) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _not_a_store(path, "một vòng liên kết tượng trưng", "a symlink loop") from None
        raise _unreadable(path, exc) from exc
    kind = file_kind(st.st_mode)
    if kind is not None:
        if stat.S_ISLNK(lst.st_mode):
            kind = (f"một liên kết tượng trưng tới {kind[0]}", f"a symlink to {kind[1]}")
        raise _not_a_store(path, *kind)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return  # unreadable: the store says why, in its own words (permissions, ...)
    try:
        kind = file_kind(os.fstat(fd).st_mode)
    finally:
        os.close(fd)
    if kind is not None:
        raise _not_a_store(path, *kind)


def _unreadable(path: Path, exc: OSError) -> StoreUnavailable:
    reason = exc.strerror or str(exc)
    return StoreUnavailable(Msg(f"Không đọc được tệp dữ liệu {path}: {reason}. Kiểm tra --db.",
                                f"Cannot read the store {path}: {reason}. Check --db."), path)
