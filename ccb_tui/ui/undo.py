"""One step of the session's undo stack."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..core.store import Change, Store


@dataclass(frozen=True)
class UndoStep:
    """How to revert one change made in this session: the edit to apply, and its description."""

    describe: str
    apply: Callable[[Store], Change]
