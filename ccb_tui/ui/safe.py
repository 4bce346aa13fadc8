"""Data is shown as text, never as markup, and never carries control sequences to the terminal."""

from __future__ import annotations

from rich.text import Text

from ..core.text import sanitize


def plain(value: object, style: str = "", justify: str | None = None) -> Text:
    """A Rich ``Text`` holding ``value`` literally: "[b]x[/]" shows as typed, escapes are stripped."""
    return Text(sanitize("" if value is None else str(value)), style=style, justify=justify)  # type: ignore[arg-type]


def right(value: object, style: str = "") -> Text:
    """Right-aligned literal text, for figures in tables."""
    return plain(value, style, justify="right")
