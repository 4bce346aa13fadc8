"""Data is shown as text, never as markup, and never carries control sequences to the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from ..core.domain.text import sanitize

if TYPE_CHECKING:
    from textual.widgets import Static


def plain(value: object, style: str = "", justify: str | None = None) -> Text:
    """A Rich ``Text`` holding ``value`` literally: "[b]x[/]" shows as typed, escapes are stripped."""
    return Text(sanitize("" if value is None else str(value)), style=style, justify=justify)  # type: ignore[arg-type]


def right(value: object, style: str = "") -> Text:
    """Right-aligned literal text, for figures in tables."""
    return plain(value, style, justify="right")


def show(widget: "Static", content: Text, *, layout: bool = True) -> None:
    """Update a Static only when what it shows changed: every update is redrawn over SSH."""
    key = (content.plain, str(content.style), tuple(content.spans))
    if getattr(widget, "_ccb_shown", None) == key:
        return
    widget._ccb_shown = key  # type: ignore[attr-defined]
    widget.update(content, layout=layout)


def cut_cells(s: str, n: int) -> str:
    """The longest start of ``s`` that fits in ``n`` terminal cells as rich measures them (what
    Textual draws with), cut between glyphs: never inside a wide character, between a letter and
    its combining marks, or between an emoji and its variation selector."""
    from rich.cells import cell_len

    from ..core.domain.text import graphemes
    out, used = [], 0
    for g in graphemes(s):
        w = cell_len(g)
        if used + w > n:
            break
        out.append(g)
        used += w
    return "".join(out)


def fit_cells(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal cells, ending in "…" when cut (between glyphs)."""
    from rich.cells import cell_len
    if cell_len(text) <= width:
        return text
    if width <= 0:
        return ""
    return cut_cells(text, width - 1) + "…"
