"""The key bar: every plain-letter key of the screen, in the interface language."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ..i18n import translate


class KeyBar(Static):
    """A one-line footer listing the active bindings that are shown (``show=True``).

    Built from ``screen.active_bindings`` so ``check_action`` hides what does not apply; it is
    one Static, redrawn only when the bindings or the language change.
    """

    DEFAULT_CSS = """
    KeyBar { height: 1; dock: bottom; background: $footer-background; color: $footer-foreground; }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, lambda _screen: self.rebuild())
        self.rebuild()

    def rebuild(self) -> None:
        """Re-render from the screen's active bindings."""
        lang = getattr(self.app, "lang", "vi")
        out = Text(no_wrap=True, overflow="ellipsis")
        seen: set[str] = set()
        for _key, (_node, binding, enabled, _tip) in self.screen.active_bindings.items():
            if not binding.show or not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            key = binding.key_display or self.app.get_key_display(binding)
            out.append(f" {key}", style="bold" if enabled else "dim")
            out.append(f" {translate(binding.description, lang)} ", style="" if enabled else "dim")
        self.update(out)
