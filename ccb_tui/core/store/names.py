"""Unit names that read alike: the spans of years each name is used, and its folded forms."""

from __future__ import annotations

from ..domain import text
from ..domain.models import KIND_PREFIXES


def name_spans(periods: list[tuple[int, str]], retired_from: int | None) -> list[tuple[str, int, int | None]]:
    """(name, first year, year after the last or None) of each period of a unit."""
    ordered = sorted(periods)
    out = []
    for i, (start, name) in enumerate(ordered):
        end = ordered[i + 1][0] if i + 1 < len(ordered) else retired_from
        if retired_from is not None and end is not None:
            end = min(end, retired_from)
        if end is None or start < end:
            out.append((name, start, end))
    return out


def name_keys(name: str) -> set[str]:
    """What a unit name reads as, folded: the whole name and the name without its kind."""
    keys = {text.fold(name)}
    for prefix in KIND_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            keys.add(text.fold(name[len(prefix):]))
    keys.discard("")
    return keys
