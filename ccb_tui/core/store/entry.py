"""The audit entry an edit wrote, handed back on its ``Change`` (for ``Store.undo``)."""

from __future__ import annotations

import dataclasses
import functools
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from .changes import Change

if TYPE_CHECKING:
    from .store import Store

F = TypeVar("F", bound=Callable[..., Any])


def audited(method: F) -> F:
    """Give the ``Change`` a store edit returns the id of the audit entry it wrote.

    ``Store._log`` collects the ids of the entries written during the call; exactly one means
    ``Change.entry_id`` is that entry (what ``Store.undo`` takes); none (a no-op) or several (a
    retirement that also dropped later figures) leave it None. The Change may be returned alone
    or inside a tuple (``add_task``, ``open_year``).
    """
    @functools.wraps(method)
    def wrapper(store: "Store", *args: Any, **kwargs: Any) -> Any:
        store._entry_ids = []
        result = method(store, *args, **kwargs)
        ids, store._entry_ids = store._entry_ids, []
        entry_id = ids[0] if len(ids) == 1 else None
        if entry_id is None:
            return result
        if isinstance(result, tuple):
            return tuple(_with_id(item, entry_id) for item in result)
        return _with_id(result, entry_id)
    return wrapper  # type: ignore[return-value]


def _with_id(item: Any, entry_id: int) -> Any:

    return dataclasses.replace(item, entry_id=entry_id) if isinstance(item, Change) else item


