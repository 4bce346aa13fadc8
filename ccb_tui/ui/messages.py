"""Messages between the store's worker threads and the UI, and what a save comes back as.

Workers never touch widgets: they post one of these to the app, whose handler (on the UI
thread) updates the screens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from textual.message import Message

from ..core.domain.errors import CcbError, ConflictError

if TYPE_CHECKING:
    from ..core.store import Change


@dataclass(frozen=True)
class SaveResult:
    """How one save through ``CcbApp.save`` ended: saved (with its Change), a conflict, or refused
    (with the store's error; None when the session is read-only)."""

    status: Literal["saved", "conflict", "refused"]
    change: "Change | None" = None
    error: CcbError | None = None

    @property
    def saved(self) -> bool:
        """The edit was written."""
        return self.status == "saved"

    @property
    def conflict(self) -> ConflictError | None:
        """The conflict, when someone changed the value this edit was based on."""
        return self.error if isinstance(self.error, ConflictError) else None


class StoreWaiting(Message):
    """A write found the store locked by another session and is waiting for it."""


class StoreWritten(Message):
    """The write at the head of the queue ended with ``result``."""

    def __init__(self, result: SaveResult) -> None:
        super().__init__()
        self.result = result
