"""Keys typed ahead of a dialog reach the dialog.

Over SSH a quick "e 4 Enter" arrives in one read. Textual 8 forwards every key of the read to the
widget focused *at that moment* (the sheet or table under the dialog-to-be), in order, before that
widget has run the first key's binding. The dialog is pushed while the later keys still wait in the
table's queue; when they bubble up unhandled, the app checks them against the bindings of the
screen that is current *now* (the dialog's input: Ctrl+U, Enter) but printable keys have no
binding there and are dropped. So "e Ctrl+U 4 Enter" saved an empty field.

:class:`TypeAhead` (mixed into the app) remembers which screen each key from the terminal was
aimed at; a key that comes back unhandled from a screen that has since been covered by another
(pushed on top of it) is taken away from that screen and delivered, in the order typed, to the
widget focused on the new top screen, as soon as it has one.
"""

from __future__ import annotations

from collections import OrderedDict, deque

from textual import events
from textual.screen import Screen

AIMED_KEPT = 64
"""Keys whose target screen is remembered (most are handled and never come back)."""
FOCUS_WAIT = 0.02
FOCUS_TRIES = 100
"""How long (tries × wait, 2 s) keys typed ahead wait for the new screen to focus a widget."""


class TypeAhead:
    """App mixin: keys typed ahead of a screen being opened are delivered to it (see the module)."""

    def _typeahead_state(self) -> tuple["OrderedDict[int, tuple[events.Key, Screen]]", deque[tuple[str, str | None]]]:
        state = self.__dict__.get("_typeahead")
        if state is None:
            state = self.__dict__["_typeahead"] = (OrderedDict(), deque())
        return state

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            aimed, _ = self._typeahead_state()
            try:
                aimed[id(event)] = (event, self.screen)  # type: ignore[attr-defined]
            except Exception:  # no screen yet
                pass
            while len(aimed) > AIMED_KEPT:
                aimed.popitem(last=False)
        await super().on_event(event)  # type: ignore[misc]

    async def _on_key(self, event: events.Key) -> None:
        """Runs before the App's own key handler (Textual walks the class hierarchy)."""
        aimed, pending = self._typeahead_state()
        found = aimed.pop(id(event), None)
        if found is None or found[0] is not event:
            return
        screen = found[1]
        stack = self.screen_stack  # type: ignore[attr-defined]
        if screen not in stack or stack[-1] is screen:
            return
        # Aimed at a screen now covered by a newer one: this key was typed for the newer one.
        event.prevent_default()
        event.stop()
        pending.append((event.key, event.character))
        self._typeahead_deliver(FOCUS_TRIES)

    def _typeahead_deliver(self, tries: int) -> None:
        _, pending = self._typeahead_state()
        if not pending:
            return
        target = self.screen.focused  # type: ignore[attr-defined]
        if target is None:
            if tries > 0:
                self.set_timer(FOCUS_WAIT, lambda: self._typeahead_deliver(tries - 1))  # type: ignore[attr-defined]
            else:
                pending.clear()
            return
        while pending:
            key, character = pending.popleft()
            target._forward_event(events.Key(key, character))
