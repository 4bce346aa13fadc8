"""TinyDB storages: ``SafeJSONStorage`` (a JSON file written atomically) and the in-memory
storage one store transaction works in."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any, Callable

from tinydb.storages import Storage

from .files import atomic_write, corrupt, dump_json_bytes, parse_json_bytes, shared_file_mode


class SafeJSONStorage(Storage):
    """A TinyDB storage like ``JSONStorage`` whose writes are atomic and durable.

    Each write replaces the file through a temp file, fsync and rename, so a writer killed at any
    moment leaves the previous or the next complete file. Invalid content raises ``StoreCorrupt``
    naming the file and is never overwritten by a read. Locking across read-modify-write is the
    caller's job (``Store`` does it); this class is safe for a single write on its own.
    """

    def __init__(self, path: str | os.PathLike[str], create_dirs: bool = False,
                 encoding: str | None = None, access_mode: str = "r+", **kwargs: Any) -> None:
        super().__init__()
        self.path = Path(path)
        self._mode = access_mode
        self.kwargs = kwargs
        if encoding not in (None, "utf-8", "utf8", "UTF-8"):
            raise ValueError("SafeJSONStorage always uses UTF-8")
        if any(c in access_mode for c in "+wa") and not self.path.exists():
            if create_dirs:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, shared_file_mode())
            try:
                # os.open applies the umask, which would take back the group write bit that
                # shared_file_mode() grants (0o664 would become 0o644 under umask 022).
                os.fchmod(fd, shared_file_mode())
            finally:
                os.close(fd)
        if not self.path.exists():
            raise FileNotFoundError(errno.ENOENT, "No such file", str(self.path))

    def read(self) -> dict[str, dict[str, Any]] | None:
        """The parsed file, or None when it is empty (TinyDB then starts a new database)."""
        raw = self.path.read_bytes()
        if not raw.strip():
            return None
        data = parse_json_bytes(raw, self.path)
        if not isinstance(data, dict):
            raise corrupt(self.path, "không chứa một đối tượng JSON", "does not hold a JSON object")
        return data

    def write(self, data: dict[str, dict[str, Any]], *,
              before_replace: Callable[[], Callable[[], None] | None] | None = None) -> bytes:
        """Atomically replace the file's contents; returns the bytes written.

        This is the store's one write path: ``Store`` commits every transaction through it (with
        ``before_replace`` keeping the previous version as a backup), and TinyDB's own test suite
        runs against it (``tests/reliability/test_tinydb_suite.py``).
        """
        if not any(c in self._mode for c in "+wa"):
            raise IOError(f'Cannot write to the database. Access mode is "{self._mode}"')
        payload = dump_json_bytes(data, **self.kwargs)
        atomic_write(self.path, payload, before_replace=before_replace)
        return payload

    def close(self) -> None:
        """Nothing is held open between calls."""


class TxStorage(Storage):
    """An in-memory view of one read of the file, used by TinyDB inside one locked transaction."""

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()
        self.data = data
        self.dirty = False

    def read(self) -> dict[str, Any]:
        return self.data

    def write(self, data: dict[str, Any]) -> None:
        self.data = data
        self.dirty = True
