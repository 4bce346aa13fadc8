"""Running an edit that waits patiently for another writer's lock, in small steps.

A dashboard runs its edits in a worker thread and must be able to say "waiting…" and to stop
waiting when it quits: so the lock is tried for ``store.lock_timeout`` at a time (keep it short)
every ``retry_every`` seconds,
``on_wait`` is called once the first try found it held, and ``cancelled`` is asked between tries.
A try that found the lock held wrote nothing (the lock is taken before anything is read), so
trying again is safe.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable, TypeVar

from ..domain.errors import StoreLocked
from ..domain.models import Msg

if TYPE_CHECKING:
    from .store import Store

T = TypeVar("T")


def patiently(store: "Store", edit: Callable[["Store"], T], *, patience: float,
              on_wait: Callable[[], None] = lambda: None,
              cancelled: Callable[[], bool] = lambda: False, retry_every: float = 0.2) -> T:
    """``edit(store)``, tried again every ``retry_every`` s while another session holds the lock,
    for up to ``patience`` s.

    Between tries the thread sleeps (a waiting writer costs next to no CPU, so the process stays
    idle for the UI). Raises StoreLocked naming the file when the lock stayed held that long (or
    ``cancelled()``).
    """
    deadline = time.monotonic() + patience
    waited = False
    while True:
        try:
            return edit(store)
        except StoreLocked:
            if cancelled() or time.monotonic() >= deadline:
                raise StoreLocked(Msg(
                    f"Tệp dữ liệu {store.path} đang bị một phiên khác khóa quá {patience:g} giây. "
                    f"Chưa lưu; thử lại sau giây lát.",
                    f"The data file {store.path} has been locked by another session for over {patience:g} s. "
                    f"Not saved; try again in a moment."), store.path) from None
            if not waited:
                waited = True
                on_wait()
            time.sleep(retry_every)
