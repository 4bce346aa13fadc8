"""Errors a user can cause or meet, each carrying its message in both languages and an exit code."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .models import Msg


@dataclass(frozen=True)
class Problem:
    """One validation problem: which field, and what is wrong with it (errors as data)."""

    field: str
    msg: Msg

    def text(self, lang: str = "vi") -> str:
        """The message in ``lang``."""
        return self.msg.text(lang)


class CcbError(Exception):
    """Base class: a message for the user and the CLI exit code that goes with it."""

    exit_code = 1

    def __init__(self, msg: Msg, path: Path | str | None = None) -> None:
        super().__init__(msg.en)
        self.msg = msg
        self.path = Path(path) if path is not None else None

    def text(self, lang: str = "vi") -> str:
        """The message in ``lang``."""
        return self.msg.text(lang)


class UsageError(CcbError):
    """The command was called wrongly."""

    exit_code = 2


class InvalidValue(CcbError):
    """A value, unit, indicator or task was refused; nothing was written."""

    exit_code = 3

    def __init__(self, msg: Msg, problems: list[Problem] | None = None) -> None:
        super().__init__(msg)
        self.problems = list(problems or [])

    @classmethod
    def from_problems(cls, problems: list[Problem]) -> "InvalidValue":
        """Wrap validation problems; the first one is the headline."""
        first = problems[0].msg
        if len(problems) > 1:
            more = len(problems) - 1
            first = Msg(f"{first.vi} (và {more} lỗi khác)", f"{first.en} (and {more} more)")
        return cls(first, problems)


class ConflictError(CcbError):
    """Someone changed the value this edit was based on: nothing was overwritten."""

    exit_code = 4

    def __init__(self, msg: Msg, what: str, expected: str, actual: str, attempted: str) -> None:
        super().__init__(msg)
        self.what = what
        self.expected = expected
        self.actual = actual
        self.attempted = attempted


class StoreUnavailable(CcbError):
    """The store file cannot be used (unreadable, damaged, unknown schema, locked, not writable)."""

    exit_code = 5


class StoreCorrupt(StoreUnavailable):
    """The file is not a ccb-tui store that this version can read. It is left untouched."""


class StoreLocked(StoreUnavailable):
    """Another session held the lock for too long."""


class StoreWriteFailed(StoreUnavailable):
    """Writing failed (disk full, permission denied, I/O error); the file is unchanged."""
