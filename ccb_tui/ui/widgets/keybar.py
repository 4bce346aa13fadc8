"""The key bar: every plain-letter key of the screen, in the interface language."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ..i18n import translate
from ..safe import show

WAITING = ("đang chờ… (người khác đang ghi)", "waiting… (someone else is writing)")
ESSENTIAL = frozenset({"help", "quit", "app.help", "app.quit"})


class KeyBar(Static):
    """A one-line footer listing the active bindings that are shown (``show=True``).

    Built from ``screen.active_bindings`` so ``check_action`` hides what does not apply. The
    screen's own keys come first; when the line is too narrow, app-wide keys are dropped (help
    and quit always stay, and ``?`` lists everything). One Static, redrawn only when the
    bindings, the language or the width change.
    """

    DEFAULT_CSS = """
    KeyBar { height: 1; dock: bottom; background: $footer-background; color: $footer-foreground; }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, lambda _screen: self.rebuild())
        self.rebuild()

    def on_resize(self) -> None:
        self.rebuild()

    def rebuild(self) -> None:
        """Re-render from the screen's active bindings."""
        lang = getattr(self.app, "lang", "vi")
        own: list[tuple[Text, bool]] = []
        shared: list[tuple[Text, bool]] = []
        seen: set[str] = set()
        for _key, (node, binding, enabled, _tip) in self.screen.active_bindings.items():
            if not binding.show or not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            key = binding.key_display or self.app.get_key_display(binding)
            item = Text(no_wrap=True)
            item.append(f" {key}", style="bold" if enabled else "dim")
            item.append(f" {translate(binding.description, lang)} ", style="" if enabled else "dim")
            essential = binding.action in ESSENTIAL
            (shared if node is self.app else own).append((item, essential))
        items = own + shared
        room = self.size.width or self.app.size.width
        if getattr(self.app, "store_waiting", False):
            room -= len(WAITING[1 if lang == "en" else 0]) + 2
        while sum(t.cell_len for t, _ in items) > room:
            droppable = [i for i, (_, essential) in enumerate(items) if not essential and items[i] in shared]
            if not droppable:
                break
            items.pop(droppable[-1])
        out = Text(no_wrap=True, overflow="ellipsis")
        if getattr(self.app, "store_waiting", False):  # a save waits on another session's lock
            out.append(f" {WAITING[1 if lang == 'en' else 0]} ", style="reverse")
        for item, _ in items:
            out.append_text(item)
        show(self, out, layout=False)  # always one line: no relayout, no full repaint
