"""The dashboard application: one store, live updates, edits through the store, and the screens."""

from __future__ import annotations

import asyncio
import gc
import os
from collections import deque
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Callable

from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import get_current_worker

from ..core.domain.errors import CcbError, ConflictError
from ..core.domain.models import Msg, Snapshot
from ..core.store import Change, Store
from .i18n import translate
from .messages import SaveResult, StoreWaiting, StoreWritten
from .typeahead import TypeAhead
from .screens.dashboard import DashboardScreen

MIN_WIDTH, MIN_HEIGHT = 80, 20  # a projector or a short laptop window: 100×20 must work
POLL_SECONDS = 0.5  # one stat() per tick; nothing is redrawn unless the file changed
THEMES = ("textual-dark", "textual-light", "ansi-dark", "ansi-light")
LOCK_STEP = 0.05  # the writer thread tries the lock this long, every 0.2 s, so it notices a quit
WRITE_PATIENCE = 30.0  # then gives up, saying the file stayed locked; the screen stays live meanwhile


@dataclass
class _Write:
    """One queued save."""

    edit: Callable[[Store], Change]
    future: "asyncio.Future[SaveResult]"
    report: bool
    saved_as: str | None
    undoing: bool
    cancelled: bool = False


def _screen(module: str, name: str) -> Screen:
    """A screen of ``ccb_tui.ui.screens.<module>``, imported on first use."""
    import importlib
    return getattr(importlib.import_module(f"ccb_tui.ui.screens.{module}"), name)()


class CcbApp(TypeAhead, App[int]):
    """Hội CCB cụm thi đua số 3 — the cluster dashboard."""

    CSS_PATH = "app.tcss"
    DEFAULT_MODE = "dashboard"
    TITLE = "ccb-tui"
    ENABLE_COMMAND_PALETTE = False
    MODES = {  # the other screens are imported when first opened
        "dashboard": DashboardScreen,
        "units": lambda: _screen("units", "UnitsScreen"),
        "tasks": lambda: _screen("tasks", "TasksScreen"),
        "thidua": lambda: _screen("thidua", "ThiduaScreen"),
    }
    BINDINGS = [
        Binding("d", "mode('dashboard')", "Tổng quan"),
        Binding("u", "mode('units')", "Đơn vị"),
        Binding("t", "mode('tasks')", "Nhiệm vụ"),
        Binding("m", "meeting", "Họp"),
        # After "m": on a narrow key bar the app-wide keys are dropped from the end, and the
        # meeting key stays longer (? lists every key).
        # "k" twice: on the key bar only when there is a cluster to choose (check_action), and
        # with one cluster a hidden binding still opens the overview (Textual runs the first of a
        # key's bindings that is enabled). Where the bar is full, it gives way before "m".
        Binding("k", "clusters", "Các cụm"),
        Binding("k", "clusters('one')", "Các cụm", show=False),
        Binding("s", "mode('thidua')", "Thi đua"),
        Binding("y", "year(1)", "Năm"),
        Binding("Y", "year(-1)", "Năm trước", show=False),
        # After "y": where the key bar is full, "v" gives way first (help and README list it).
        Binding("v", "trends", "Xu hướng"),
        Binding("N", "current_year", "Năm hiện hành", show=False),
        Binding("z", "undo", "Hoàn tác"),
        Binding("l", "toggle_lang", "Tiếng Anh", show=False),
        Binding("T", "cycle_theme", "Giao diện", show=False),
        Binding("question_mark", "help", "Trợ giúp", key_display="?"),
        Binding("q", "quit", "Thoát"),
        # Edit keys that the meeting screen does not bind: they say it only views (see below).
        Binding("e,g,r,x,X", "explain_read_only", show=False),
    ]

    year: reactive[int] = reactive(0, init=False)
    """The year every screen shows."""
    lang: reactive[str] = reactive("vi", init=False)
    """Interface language: "vi" or "en"."""
    cluster: reactive[str | None] = reactive(None, init=False)
    """The cluster this session shows instead of the store's current one (None: the current one)."""
    store_waiting: reactive[bool] = reactive(False, init=False)
    """A save is waiting for another session's lock (the key bar says so)."""

    def __init__(self, db_path: Path | str, *, lang: str = "vi", read_only: bool = False,
                 meeting: bool = False, year: int | None = None, user: str | None = None,
                 poll: bool = True) -> None:
        super().__init__()
        self.db_path = Path(db_path)
        self.read_only = read_only or meeting
        self.start_meeting = meeting
        self.user = user
        self.poll = poll
        self.store: Store | None = None
        self.snap: Snapshot | None = None
        self.open_error: CcbError | None = None
        self._writes: deque[_Write] = deque()  # queued saves, the running one first
        self._writer: Store | None = None  # the writer thread's own Store (a Store is not shared)
        self.write_patience = WRITE_PATIENCE
        self.undo_stack: list[int] = []
        """Audit-log entry ids of this session's changes, newest last: ``z`` reverts the top one."""
        self._undo_changes: dict[int, Change] = {}  # what each entry did, to say what undoing it does
        self.set_reactive(CcbApp.lang, lang)
        self._start_year = year
        # No animations: over a slow SSH link every animated frame is bytes on the wire.
        self.animation_level = "none"
        self.theme = "textual-dark"
        if os.environ.get("NO_COLOR") is not None:
            self.theme = "ansi-dark"  # no colour: the monochrome filter keeps contrast with ANSI defaults

    # --- language ---------------------------------------------------------------------------

    def t(self, vi: str, en: str | None = None) -> str:
        """``vi`` or its English, by the interface language."""
        return translate(vi, self.lang, en)

    def tm(self, msg: Msg) -> str:
        """A core message in the interface language."""
        return msg.text(self.lang)

    @property
    def tz(self) -> str | None:
        """The cluster's time zone (the store's ``timezone`` setting); None before the store opens."""
        return self.snap.settings.timezone if self.snap is not None else None

    def local_time(self, iso: str | None, short: bool = False) -> str:
        """A stored (UTC) time in the cluster's time zone: "01/04/2026 01:30" ("01/04 01:30" short)."""
        from ..core.domain import clock
        return clock.local_time(iso, self.tz, clock.SHORT if short else clock.DATE_TIME)

    # --- start-up ---------------------------------------------------------------------------

    def on_load(self) -> None:
        # Open the store before the first screen is built, so the dashboard's first paint already
        # shows the figures (no blank screen painted first: fewer bytes over SSH).
        self._open()

    def on_mount(self) -> None:
        if self.open_error is not None:
            from .screens.error import StoreErrorScreen
            self.push_screen(StoreErrorScreen(self.open_error))
        else:
            self._opened()
        if self.poll:
            self.set_interval(POLL_SECONDS, self.check_store)

    _first_frame_shown = False

    def _display(self, screen: Screen, renderable: object) -> None:
        super()._display(screen, renderable)  # type: ignore[arg-type]
        # The first display outside Textual's start-up batch that has something to show puts the
        # first frame on screen (inside the batch, or with nothing to show, it writes nothing;
        # Textual's Ready event may come before it). Then add what that frame did not need: the
        # dashboard's charts. Relies on App._display of the pinned Textual (8.2.8).
        if not self._first_frame_shown and renderable is not None and not self._batch_count:
            self._first_frame_shown = True
            self.call_later(self._after_first_frame)

    gc_after_first_frame = False
    """Turn garbage collection back on after the first frame (``run_app`` turns it off to start)."""

    def _after_first_frame(self) -> None:
        if self.gc_after_first_frame:
            gc.enable()
        for screen in self._all_screens():
            after = getattr(screen, "after_first_frame", None)
            if after is not None and screen.is_mounted:
                after()

    def _open(self) -> bool:
        """Open the store and read it; on failure keep the error for the error screen."""
        try:
            self.store = Store(self.db_path, user=self.user, lock_timeout=3.0,
                               create=not self.read_only, cleanup=not self.read_only)
            self.snap = self._shown(self.store.snapshot())
        except CcbError as exc:
            self.store, self.snap = None, None
            self.open_error = exc
            return False
        self.open_error = None
        start = self._start_year or self.snap.current_year() or date.today().year
        self.set_reactive(CcbApp.year, start)
        return True

    def _opened(self) -> None:
        """What follows a successful open: say if the store was just created, meeting mode."""
        if self.store is not None and self.store.created:
            self.notify(self.t(f"Đã tạo tệp dữ liệu mới từ dữ liệu mẫu: {self.db_path}",
                               f"Created a new store from the bundled seed: {self.db_path}"), markup=False)
        if self.start_meeting:
            self.action_meeting()
        self._check_size()

    def open_store(self) -> None:
        """Open (again) after the store was repaired, and redraw every screen."""
        if self._open():
            self.refresh_screens()
            self._opened()
        else:
            from .screens.error import StoreErrorScreen
            self.push_screen(StoreErrorScreen(self.open_error))  # type: ignore[arg-type]

    # --- data -------------------------------------------------------------------------------

    def years(self) -> list[int]:
        """Years to choose from: those in the store, up to the latest year an edit may write."""
        ys = set(self.snap.years()) if self.snap else set()
        ys.add(self.year)
        limit = self.snap.writable_until() if self.snap else None
        if limit is not None:
            ys.add(limit)
        return sorted(ys)

    def check_store(self) -> None:
        """Poll: one stat; reload and refresh the screens only when another session wrote."""
        if self.store is None or not self.store.changed():
            return
        self.reload()

    def reload(self) -> None:
        """Re-read the store and refresh every screen that is mounted."""
        if self.store is None:
            return
        clusters = len(self.snap.clusters) if self.snap is not None else 0
        try:
            self.snap = self._shown(self.store.snapshot())
        except CcbError as exc:
            self.notify(self.tm(exc.msg), severity="error", markup=False, timeout=10)
            return
        self.refresh_screens()
        if len(self.snap.clusters) != clusters and self.screen_stack:
            self.screen.refresh_bindings()  # "k" joins (or leaves) the key bar

    def _shown(self, snap: Snapshot) -> Snapshot:
        """``snap`` as this session shows it: for the cluster chosen with ``k`` (when the store
        still has it), else for the store's current cluster."""
        if self.cluster is not None and self.cluster in snap.clusters:
            return snap.with_cluster(self.cluster)
        return snap

    def show_cluster(self, code: str) -> None:
        """Show cluster ``code`` on every screen of this session (the store is not changed)."""
        self.cluster = code
        if self.snap is not None and code in self.snap.clusters:
            name = self.snap.clusters[code].name(self.lang)
            self.notify(self.t(f"Đang xem {name} (chỉ trong phiên này)", f"Showing {name} (this session only)"),
                        markup=False, timeout=3)

    def watch_cluster(self) -> None:
        self.reload()

    def refresh_screens(self) -> None:
        """Ask each live screen (and open form) to redraw from ``self.snap``."""
        for screen in self._all_screens():
            refresh = getattr(screen, "refresh_data", None)
            if refresh is not None and screen.is_mounted:
                refresh()

    def _all_screens(self) -> list[Screen]:
        seen: list[Screen] = []
        for stack in self._screen_stacks.values():
            for screen in stack:
                if screen not in seen:
                    seen.append(screen)
        return seen

    def save(self, edit: Callable[[Store], Change], *, report: bool = True, saved_as: str | None = None,
             undoing: bool = False) -> "asyncio.Future[SaveResult]":
        """Queue one edit for the store's writer thread; the future resolves to a SaveResult.

        Writes run one at a time, in the order asked, in a worker thread: the screen stays live
        while another session holds the lock ("đang chờ…" in the key bar). On success the app
        reloads, offers undo (``z``) and says what was saved (``saved_as`` replaces the "Đã lưu: "
        in front). A conflict or refusal is notified when ``report``; a form that shows them
        beside its fields passes ``report=False`` and reads the result.
        """
        future: asyncio.Future[SaveResult] = asyncio.get_running_loop().create_future()
        if self.read_only or self.store is None:
            self.say_read_only()
            future.set_result(SaveResult("refused"))
            return future
        self._writes.append(_Write(edit, future, report, saved_as, undoing))
        if len(self._writes) == 1:
            self._write(self._writes[0])
        return future

    def cancel_save(self, future: "asyncio.Future[SaveResult]") -> None:
        """Give up a save that has not been written yet (its dialog was closed while it waited):
        a queued one is dropped, the one waiting on the lock stops at its next try. One that got
        the lock meanwhile is saved as usual."""
        for job in list(self._writes):
            if job.future is not future:
                continue
            if job is self._writes[0]:
                job.cancelled = True
            else:
                self._writes.remove(job)
                future.set_result(SaveResult("refused"))

    @work(thread=True, group="store-write")
    def _write(self, job: _Write) -> None:
        """The writer thread: run ``edit`` on the writer's own Store; post the result, never
        touching a widget."""
        from ..core.store import patiently
        worker = get_current_worker()
        if self._writer is None:
            self._writer = Store(self.db_path, user=self.store.user if self.store else self.user,
                                 lock_timeout=LOCK_STEP, create=False, cleanup=False)
        try:
            change = patiently(self._writer, job.edit, patience=self.write_patience,
                               on_wait=lambda: self.post_message(StoreWaiting()),
                               cancelled=lambda: worker.is_cancelled or job.cancelled)
        except ConflictError as exc:
            result = SaveResult("conflict", error=exc)
        except CcbError as exc:
            result = SaveResult("refused", error=exc)
        else:
            result = SaveResult("saved", change=change)
        self.post_message(StoreWritten(result))

    def on_store_waiting(self, _message: StoreWaiting) -> None:
        if self._writes:
            self.store_waiting = True

    def on_store_written(self, message: StoreWritten) -> None:
        job = self._writes.popleft()
        self.store_waiting = False
        if self._writes:
            self._write(self._writes[0])
        result = message.result
        if result.saved and result.change is not None:
            change = result.change
            if change.entry_id is not None and not job.undoing:
                self.undo_stack.append(change.entry_id)
                self._undo_changes[change.entry_id] = change
            self.reload()
            self.screen.refresh_bindings()
            self.announce((job.saved_as or self.t("Đã lưu: ", "Saved: ")) + change.text(self.lang))
        else:
            if result.conflict is not None:
                self.reload()  # someone else wrote: show what is stored now
            if job.report and result.error is not None and not job.cancelled:
                self.notify(self.tm(result.error.msg), severity="error", markup=False, timeout=10)
        if not job.future.done():
            job.future.set_result(result)

    async def settle(self) -> None:
        """Wait until every queued write has ended, or the one running waits on another session's
        lock (for tests: ``Pilot.pause`` then means "after the save")."""
        def busy() -> bool:
            restoring = any(w.group == "store-restore" and not w.is_finished for w in self.workers)
            return restoring or (bool(self._writes) and not self.store_waiting)

        while busy():
            await asyncio.sleep(0.005)

    def watch_store_waiting(self) -> None:
        for screen in self._all_screens():
            for bar in screen.query("KeyBar"):
                bar.rebuild()  # type: ignore[attr-defined]

    def announce(self, message: str, severity: str = "information") -> None:
        """Say what just happened: on the status line of the nearest screen that has one (the
        tasks screen, also under its dialogs), else as a notification. Data is never markup."""
        for screen in reversed(self.screen_stack):
            show_status = getattr(screen, "show_status", None)
            if show_status is not None and screen.is_mounted:
                show_status(message, severity)
                return
        if any(n.message == message and n.severity == severity for n in self._notifications):
            return  # the same words are still on screen: a key pressed twice does not stack toasts
        self.notify(message, severity=severity, markup=False)  # type: ignore[arg-type]

    def say_read_only(self) -> None:
        """Why an edit key did nothing: this session only views."""
        self.announce(self.t("Chế độ chỉ xem: không sửa được.", "Read-only: editing is off."), "warning")

    # --- actions ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        from .screens.error import TooSmallScreen
        stack = self.screen_stack
        if stack and isinstance(stack[-1], TooSmallScreen) and action != "quit":
            # Under the "too small" screen the other keys switched modes or pushed screens
            # behind or over it, and it was then left stranded once the terminal grew.
            return False
        if action == "undo":
            return not self.read_only and bool(self.undo_stack)
        if action == "current_year":
            return not self.read_only and self.store is not None
        if action == "explain_read_only":
            return self._meeting_on_top()
        if action in ("mode", "year", "meeting", "trends", "clusters") and self.store is None:
            return False  # no store: "m" on the error screen offered a meeting it could not open
        if action == "clusters":  # ("one"): the hidden binding, for a store of one cluster
            if self._clusters_on_top():
                return False  # already there: "k" would stack a second overview
            several = self.snap is not None and len(self.snap.clusters) > 1
            return several != bool(parameters)
        if action == "mode" and parameters and self.check_mode_hidden(str(parameters[0])):
            return False
        return True

    async def run_action(self, action, default_namespace=None, namespaces=None) -> bool:  # noqa: ANN001
        """Run ``action``; a key whose action does not apply says why rather than doing nothing.

        Textual skips a binding whose ``check_action`` is False (hidden from the key bar) without a
        word. Edit keys in read-only mode and ``z`` with nothing to undo stay hidden from the key bar,
        but pressing them now explains what happened (on the status line or as a notification).
        """
        if await super().run_action(action, default_namespace, namespaces):
            return True
        from .screens.base import EDIT_ACTIONS
        from .screens.error import TooSmallScreen
        if self.screen_stack and isinstance(self.screen_stack[-1], TooSmallScreen):
            return False
        try:
            _target, name, _params = self._parse_action(
                action, self if default_namespace is None else default_namespace, namespaces)
        except Exception:  # noqa: BLE001 - an unknown namespace: nothing to explain
            return False
        if name in EDIT_ACTIONS and self.read_only and self.store is not None:
            self.say_read_only()
            return True
        if name == "undo" and self.store is not None and not self.undo_stack:
            self.action_undo()
            return True
        return False

    def _meeting_on_top(self) -> bool:
        import sys
        meeting = sys.modules.get("ccb_tui.ui.screens.meeting")
        return meeting is not None and bool(self.screen_stack) and isinstance(self.screen_stack[-1],
                                                                              meeting.MeetingScreen)

    def _clusters_on_top(self) -> bool:
        import sys
        clusters = sys.modules.get("ccb_tui.ui.screens.clusters")
        return clusters is not None and bool(self.screen_stack) and isinstance(self.screen_stack[-1],
                                                                                clusters.ClustersScreen)

    def action_explain_read_only(self) -> None:
        """An edit key on the meeting screen: it only views."""
        self.announce(self.t("Màn hình họp chỉ để xem: không sửa được.",
                             "The meeting screen is read-only: editing is off."), "warning")

    def check_mode_hidden(self, mode: str) -> bool:
        """The key of the mode already shown is left out of the key bar."""
        return self.current_mode == mode

    def action_mode(self, mode: str) -> None:
        if self.store is None:
            return
        self.switch_mode(mode)

    def action_clusters(self, _one: str = "") -> None:
        """The clusters side by side (key k)."""
        from .screens.clusters import ClustersScreen
        if self.store is None:
            return
        self.push_screen(ClustersScreen())

    def action_meeting(self) -> None:
        from .screens.meeting import MeetingScreen
        if self.store is None:
            return
        self.push_screen(MeetingScreen())

    def action_trends(self) -> None:
        """Open the trend charts (members, fund, loans per unit over every year)."""
        from .screens.trends import TrendsScreen
        if self.store is None:
            return
        self.push_screen(TrendsScreen())

    def action_year(self, step: int) -> None:
        """Show the next or previous year here; the current year of everyone is changed by N."""
        years = self.years()
        idx = years.index(self.year) + step
        if 0 <= idx < len(years):
            self.year = years[idx]
        elif step > 0:
            self.notify(self.t(f"Năm {self.year + 1} chưa mở: mở bằng ccb-tui year open {self.year + 1}.",
                               f"{self.year + 1} is not open: open it with ccb-tui year open {self.year + 1}."),
                        markup=False, timeout=4)
            return
        current = self.snap.current_year() if self.snap else None
        if current is not None and self.year != current and not self.read_only:
            self.notify(self.t(f"Năm {self.year} (năm hiện hành là {current}; N để đặt {self.year} làm năm hiện hành)",
                               f"Year {self.year} (the current year is {current}; N makes {self.year} current)"),
                        markup=False, timeout=4)
        else:
            self.notify(self.t(f"Năm {self.year}", f"Year {self.year}"), markup=False, timeout=2)

    def action_current_year(self) -> None:
        """Ask, then make the year shown the current year for everyone."""
        from .screens.year import CurrentYearDialog
        if self.snap is None:
            return
        current = self.snap.current_year()
        if self.year == current:
            self.notify(self.t(f"Năm {self.year} đã là năm hiện hành.", f"{self.year} is already the current year."),
                        markup=False, timeout=3)
            return
        self.push_screen(CurrentYearDialog(self.year, current))

    def watch_year(self) -> None:
        self.refresh_screens()

    def watch_lang(self) -> None:
        self.refresh_screens()
        for screen in self._all_screens():
            if screen.is_mounted:
                screen.refresh_bindings()

    def action_toggle_lang(self) -> None:
        self.lang = "en" if self.lang == "vi" else "vi"

    def action_cycle_theme(self) -> None:
        idx = THEMES.index(self.theme) if self.theme in THEMES else -1
        self.theme = THEMES[(idx + 1) % len(THEMES)]

    def action_help(self) -> None:
        from .screens.help import HelpScreen
        self.push_screen(HelpScreen())

    def action_undo(self) -> None:
        if self.read_only:
            self.say_read_only()
            return
        if not self.undo_stack:
            self.announce(self.t("Không có gì để hoàn tác: phiên này không còn thay đổi nào của bạn.",
                                 "Nothing to undo: no change of yours is left in this session."))
            return
        entry_id = self.undo_stack.pop()
        done = self._undo_changes.get(entry_id)

        def revert(store: Store) -> Change:
            undone = store.undo(entry_id)
            if done is None:
                return undone
            # Said the way the change itself was said, reversed: "…: 65 triệu đồng → 62 triệu đồng".
            en = (done.en[0], done.en[2], done.en[1]) if done.en else None
            return replace(undone, what=done.what, old=done.new, new=done.old, en=en)

        future = self.save(revert, undoing=True, saved_as=self.t("Hoàn tác: ", "Undone: "))

        def ended(f: "asyncio.Future[SaveResult]") -> None:
            if not f.result().saved:  # refused (conflict or error): kept, to retry after a look
                self.undo_stack.append(entry_id)
                self.screen.refresh_bindings()

        future.add_done_callback(ended)

    # --- terminal size ----------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        # The event's size, not self.size: this handler runs before App._on_resize stores the
        # new size, so self.size was the previous one and the check lagged one resize behind
        # (shrinking below 80×20 showed no message; growing back left the message up).
        self._check_size(event.size)

    def _check_size(self, size: Size | None = None) -> None:
        from .screens.error import TooSmallScreen
        width, height = size if size is not None else self.size
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        showing = isinstance(self.screen, TooSmallScreen)
        if small and not showing:
            self.push_screen(TooSmallScreen())
        elif not small and showing:
            self.pop_screen()


def create_app(db_path: Path | str, **kwargs: object) -> CcbApp:
    """The app factory shared by the CLI and the tests."""
    return CcbApp(db_path, **kwargs)  # type: ignore[arg-type]


def run_app(db_path: Path | str, *, lang: str = "vi", read_only: bool = False, meeting: bool = False,
            year: int | None = None) -> int:
    """Run the dashboard in the terminal; returns the exit code."""
    app = create_app(db_path, lang=lang, read_only=read_only, meeting=meeting, year=year)
    # No garbage collection until the first frame is on screen: start-up creates ~100,000 objects
    # that stay alive, and the collector's passes over them cost ~40 ms of the start for nothing.
    gc.disable()
    app.gc_after_first_frame = True
    try:
        app.run()
    finally:
        gc.enable()
    if app.open_error is not None:
        return app.open_error.exit_code
    return app.return_code or 0
