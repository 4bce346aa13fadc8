"""File-level safety for the store: atomic, durable, group-shared writes and strict decoding.

No TinyDB here: ``core.store`` builds on these.
"""

from __future__ import annotations

import errno
import getpass
import json
import os
import stat
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from ..domain.errors import StoreCorrupt, StoreWriteFailed
from ..domain.models import Msg
from ..domain.text import sanitize

try:  # orjson is several times faster for the whole-file writes the store does on each edit
    import orjson
except ImportError:  # pragma: no cover - orjson is a declared dependency
    orjson = None


def current_user() -> str:
    """Who is editing: the OS user, or the user behind sudo."""
    sudo = os.environ.get("SUDO_USER")
    if sudo:
        return sudo
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry (containers): fall back to the uid
        return f"uid{os.getuid()}"


def now_iso() -> str:
    """The current time, UTC, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def shared_file_mode() -> int:
    """Permission bits for a new store or lock file.

    Start from what the umask allows; when the umask lets the group read, let it write too, so
    staff in one group can share the file. A umask that shuts the group out (077) is honoured.
    """
    mask = os.umask(0)
    os.umask(mask)
    mode = 0o666 & ~mask
    if not mask & 0o040:
        mode |= 0o060
    return mode


# --- file I/O -------------------------------------------------------------------------------

def os_error_msg(exc: OSError, path: Path, doing_vi: str, doing_en: str) -> Msg:
    hints = {
        errno.ENOSPC: ("ổ đĩa đầy; giải phóng chỗ trống rồi thử lại",
                       "the disk is full; free some space and try again"),
        errno.EDQUOT: ("hết hạn mức đĩa; giải phóng chỗ trống rồi thử lại",
                       "disk quota exceeded; free some space and try again"),
        errno.EACCES: ("không có quyền; kiểm tra quyền của tệp và thư mục (nhóm, chmod g+w)",
                       "permission denied; check the file's and folder's permissions (group, chmod g+w)"),
        errno.EPERM: ("không được phép; kiểm tra quyền của tệp và thư mục",
                      "operation not permitted; check the file's and folder's permissions"),
        errno.EROFS: ("hệ thống tệp chỉ đọc", "the file system is read-only"),
        errno.EIO: ("lỗi vào/ra của ổ đĩa; kiểm tra ổ đĩa", "an I/O error; check the disk"),
    }
    vi, en = hints.get(exc.errno, (exc.strerror or str(exc), exc.strerror or str(exc)))
    return Msg(f"Không {doing_vi} được {path}: {vi}. Dữ liệu chưa bị thay đổi.",
               f"Could not {doing_en} {path}: {en}. Nothing was changed.")


def atomic_write(path: Path, payload: bytes, mode: int | None = None, *,
                 before_replace: Callable[[], Callable[[], None] | None] | None = None) -> None:
    """Replace ``path`` with ``payload`` so that readers see the old file or the new, never a mix.

    The temp file lives in the same folder (a rename is atomic only within one file system), is
    fsynced before the rename, and the folder is fsynced after it so the rename itself survives.
    The new file keeps the old one's permission bits and group.

    ``before_replace`` runs once the new content is complete and synced, just before the rename
    (the store keeps the old version as a backup there); it returns how to undo itself, which is
    called if the rename then fails, so a failed write leaves nothing behind.
    """
    # Write through a symlinked store to its target, so the link stays a link.
    path = Path(os.path.realpath(path))
    try:
        st = os.stat(path)
        keep_mode, keep_gid = st.st_mode & 0o7777, st.st_gid
    except FileNotFoundError:
        keep_mode, keep_gid = (mode if mode is not None else shared_file_mode()), None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise StoreWriteFailed(os_error_msg(exc, path, "ghi", "write"), path) from exc
    try:
        _fill(fd, payload, keep_mode, keep_gid)
        undo = before_replace() if before_replace is not None else None
        try:
            os.replace(tmp, path)
        except BaseException:
            if undo is not None:
                undo()
            raise
    except BaseException as exc:
        _drop_temp(tmp)
        if isinstance(exc, OSError):
            raise StoreWriteFailed(os_error_msg(exc, path, "ghi", "write"), path) from exc
        raise
    _sync_folder_after_write(path)


def _fill(fd: int, payload: bytes, keep_mode: int, keep_gid: int | None) -> None:
    """Give the temp file the old file's mode and group, write ``payload``, fsync, close."""
    try:
        os.fchmod(fd, keep_mode)
        if keep_gid is not None and keep_gid != os.getegid():
            try:
                os.fchown(fd, -1, keep_gid)
            except OSError:  # not a member of that group: the folder's setgid bit decides
                pass
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder_after_write(path: Path) -> None:
    """Fsync the folder so the rename survives a crash; a real I/O error says the change may not."""
    try:
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError as exc:
        # Some file systems cannot open or fsync a folder at all: the data itself is synced, so
        # go on. A real I/O failure means the rename may not survive a crash: say so.
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EACCES, errno.EPERM,
                             errno.EBADF, errno.EISDIR):
            raise StoreWriteFailed(Msg(
                f"Đã ghi {path} nhưng ổ đĩa báo lỗi khi đồng bộ thư mục ({exc.strerror}); thay đổi có thể "
                f"mất nếu máy tắt đột ngột. Hãy kiểm tra ổ đĩa rồi lưu lại.",
                f"{path} was written but the disk reported an error syncing its folder ({exc.strerror}); "
                f"the change may be lost on a crash. Check the disk, then save again."), path) from exc


def _fsync_folder(folder: Path) -> None:
    try:
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:  # some file systems cannot; the file's own data is synced already
        pass


def output_exists_msg(path: Path) -> Msg:
    """Why an output file is not written without --force (a dangling symlink says where it points)."""
    if os.path.islink(path):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        return Msg(f"{path} đã có: một liên kết tượng trưng tới {target}. Thêm --force để thay chính liên kết "
                   f"đó bằng một tệp mới (nơi nó trỏ tới không bị ghi).",
                   f"{path} exists: a symlink to {target}. Add --force to replace the link itself with a new "
                   f"file (what it points to is not written).")
    return Msg(f"Tệp {path} đã có; thêm --force để ghi đè.", f"The file {path} exists; add --force to overwrite it.")


def write_user_file(path: Path, payload: bytes, *, force: bool = False) -> None:
    """Write a file the user named (an export, a report) without ever following a symlink there.

    The payload goes to a temp file beside ``path`` first (fsynced), then:

    - without ``force`` it is hard-linked to ``path``, which fails if anything at all is there,
      a dangling symlink included (``UsageError``, exit 2), with no window between check and
      creation; where hard links are not supported, ``path`` is created with
      ``O_CREAT | O_EXCL | O_NOFOLLOW`` instead;
    - with ``force`` it is renamed over ``path``: a symlink there is replaced by the new file,
      and the file it pointed to is never opened.

    In a shared folder anyone may plant a symlink at the name a colleague is about to export
    to; following it would write wherever it points, with the colleague's rights. An OS error is
    ``StoreWriteFailed`` naming the file; on any failure nothing is left behind.
    """
    path = Path(path)
    folder = path.parent
    mode = _mode_for(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise StoreWriteFailed(os_error_msg(exc, path, "ghi", "write"), path) from exc
    try:
        try:
            os.fchmod(fd, mode)
            _write_all(fd, payload)
            os.fsync(fd)
        finally:
            os.close(fd)
        _put_in_place(tmp, path, payload, mode, force=force)
    except BaseException as exc:
        _drop_temp(tmp)
        if isinstance(exc, OSError):
            raise StoreWriteFailed(os_error_msg(exc, path, "ghi", "write"), path) from exc
        raise
    try:
        os.unlink(tmp)
    except OSError:  # FileNotFoundError: renamed (force)
        pass
    _fsync_folder(folder)


def _mode_for(path: Path) -> int:
    """The permissions the written file gets: those of the regular file it replaces, else the
    umask's. Refuses (``UsageError``) a name that is there but is neither a file nor a symlink."""
    from ..domain.errors import UsageError
    try:
        st = os.lstat(path)
        keep_mode = stat.S_IMODE(st.st_mode) if stat.S_ISREG(st.st_mode) else None
        if not (stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode)):
            # Even with --force: renaming over /dev/null (as root) or a FIFO would replace it.
            from .paths import file_kind
            kind_vi, kind_en = file_kind(st.st_mode) or ("không phải tệp thường", "not a regular file")
            raise UsageError(Msg(f"{path} là {kind_vi}, không phải tệp thường; không ghi vào đó. Hãy chọn tên tệp khác.",
                                 f"{path} is {kind_en}, not a regular file; not written. Choose another file name."),
                             path)
    except FileNotFoundError:
        keep_mode = None
    except OSError as exc:
        raise StoreWriteFailed(os_error_msg(exc, path, "ghi", "write"), path) from exc
    if keep_mode is not None:
        return keep_mode
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _put_in_place(tmp: str, path: Path, payload: bytes, mode: int, *, force: bool) -> None:
    """Give the finished temp file its name: renamed over ``path`` with ``force``, else linked
    there only if nothing is (see :func:`write_user_file`)."""
    from ..domain.errors import UsageError
    if force:
        os.replace(tmp, path)  # replaces a symlink itself, never its target
        return
    try:
        os.link(tmp, path, follow_symlinks=False)
    except FileExistsError:
        raise UsageError(output_exists_msg(path), path) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK,
                             errno.ENOSYS):
            raise
        _create_exclusive(path, payload, mode)


def _drop_temp(tmp: str | os.PathLike[str]) -> None:
    """Remove a temp file a failed write leaves (gone already, or not removable: nothing to do)."""
    try:
        os.unlink(tmp)
    except OSError:
        pass


def _write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view):]


def _create_exclusive(path: Path, payload: bytes, mode: int) -> None:
    """Create ``path`` only if nothing is there (not even a dangling symlink) and fill it."""
    from ..domain.errors import UsageError
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, mode)
    except FileExistsError:
        raise UsageError(output_exists_msg(path), path) from None
    try:
        try:
            _write_all(fd, payload)
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        os.unlink(path)  # ours (O_EXCL): never leave half a file
        raise


def corrupt(path: Path, vi: str, en: str) -> StoreCorrupt:
    return StoreCorrupt(Msg(
        f"Tệp dữ liệu {path} {vi}. Tệp được giữ nguyên, không bị ghi đè. "
        f"Hãy khôi phục bản sao lưu hoặc chỉ định tệp khác bằng --db.",
        f"The data file {path} {en}. It has been left untouched. "
        f"Restore a backup or point --db at another file."), path)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


def parse_json_bytes(raw: bytes, path: Path) -> Any:
    """Decode a store file strictly, naming the file in any error."""
    if b"\x00" in raw:
        raise corrupt(path, "chứa byte NUL (tệp hỏng hoặc bị cắt)", "contains NUL bytes (damaged or truncated)")
    if orjson is not None:
        # orjson is strict already (UTF-8, no NaN/Infinity, nesting limit) and several times faster;
        # on an error fall through to the standard library for the detailed message.
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise corrupt(path, f"không phải UTF-8 (byte {exc.start})", f"is not UTF-8 (byte {exc.start})") from exc
    try:
        data = json.loads(decoded, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise corrupt(path, f"không phải JSON hợp lệ ({exc})", f"is not valid JSON ({exc})") from exc
    if "\\u" in decoded and (where := _lone_surrogate(data)) is not None:
        where = sanitize(where)[:200]
        # orjson refuses these; the standard library lets "\ud800" through as a string that can be
        # neither printed nor written back as UTF-8, so name where it is instead.
        raise corrupt(path, f"chứa ký tự Unicode không hợp lệ (nửa cặp thay thế đứng lẻ) ở {where}",
                      f"holds an invalid Unicode character (a lone surrogate) at {where}")
    return data


def _lone_surrogate(data: Any) -> str | None:
    """The path ("records/7/values/…") of the first string or key holding a lone surrogate."""
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            for k, v in node.items():
                if not k.isascii() and _has_surrogate(k):
                    return f"{where}/{k.encode('utf-8', 'replace').decode()}".lstrip("/")
                stack.append((v, f"{where}/{k}"))
        elif isinstance(node, list):
            stack.extend((v, f"{where}/{i}") for i, v in enumerate(node))
        elif isinstance(node, str) and not node.isascii() and _has_surrogate(node):
            return where.lstrip("/") or "/"
    return None


def _has_surrogate(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def dump_json_bytes(data: Any, **kwargs: Any) -> bytes:
    """Serialise the store compactly in UTF-8."""
    if orjson is not None and not kwargs:
        return orjson.dumps(data)
    kwargs.setdefault("ensure_ascii", False)  # TinyDB users may pass it themselves
    return json.dumps(data, **kwargs).encode("utf-8")
