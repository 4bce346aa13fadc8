"""Writing a file the user named (an export, a report): checked first, never over the store,
never following a symlink, an existing file only with ``force``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from ..domain.errors import UsageError
from ..domain.models import Msg
from ..store import output_exists_msg, write_user_file
from .layout import FORMATS, SUFFIXES

def infer_format(path: str | Path, fmt: str | None, allowed: Iterable[str] = FORMATS) -> str:
    """``fmt`` or the one ``path``'s suffix names; a clash between them is a usage error."""
    allowed = tuple(allowed)
    by_suffix = SUFFIXES.get(Path(str(path)).suffix.lower())
    if fmt is None:
        if by_suffix is None or by_suffix not in allowed:
            raise UsageError(Msg(f"Không đoán được định dạng từ tên tệp '{path}'. Dùng --format "
                                 f"({', '.join(allowed)}) hoặc đuôi tệp tương ứng.",
                                 f"Cannot tell the format from the file name '{path}'. Use --format "
                                 f"({', '.join(allowed)}) or a matching suffix."))
        return by_suffix
    if by_suffix is not None and by_suffix != fmt:
        raise UsageError(Msg(f"--format {fmt} nhưng tệp '{path}' có đuôi của {by_suffix}. Hãy sửa một trong hai.",
                             f"--format {fmt} but the file '{path}' has a {by_suffix} suffix. Fix one of them."))
    return fmt


def write_output(path: str | Path, payload: bytes, *, force: bool = False,
                 protect: Iterable[str | Path] = ()) -> Path:
    """Write ``payload`` atomically (temp file, fsync, rename); an existing file needs ``force``.

    ``protect`` lists files never to be overwritten (the store and its lock), even with force.
    """
    path = check_output(path, force=force, protect=protect)
    from ..domain.errors import StoreWriteFailed
    try:
        write_user_file(path, payload, force=force)  # never follows a symlink at path
    except StoreWriteFailed as exc:  # not the store: a usage problem (folder, permissions, disk)
        raise UsageError(exc.msg) from exc
    return path


def check_output(path: str | Path, *, force: bool = False, protect: Iterable[str | Path] = ()) -> Path:
    """Refuse (UsageError) an output path that is the store, a folder, an existing file without
    ``force`` or in a missing folder; returns the path. Called before slow rendering too."""
    path = Path(path).expanduser()
    real = os.path.realpath(path)
    for p in protect:
        if real == os.path.realpath(Path(p).expanduser()):
            raise UsageError(Msg(f"Không ghi đè lên tệp dữ liệu {path}. Hãy chọn tên tệp khác.",
                                 f"Refusing to overwrite the data file {path}. Choose another file name."))
    if path.is_dir():
        raise UsageError(Msg(f"{path} là một thư mục; hãy ghi rõ tên tệp.", f"{path} is a folder; give a file name."))
    if os.path.lexists(path) and not force:  # a dangling symlink too: see files.write_user_file
        raise UsageError(output_exists_msg(path))
    if not path.parent.is_dir():
        raise UsageError(Msg(f"Không có thư mục {path.parent}.", f"There is no folder {path.parent}."))
    return path
