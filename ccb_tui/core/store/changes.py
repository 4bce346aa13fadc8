"""What an edit did, as the store returns it: "what: old → new" in both languages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import documents

ANY = object()  # "not conditional": an edit that states no base value


@dataclass(frozen=True)
class Change:
    """What one successful edit did, for the caller to show ("old → new")."""

    what: str
    old: str
    new: str
    revision: int
    en: tuple[str, str, str] | None = None  # what, old, new in English, where the edit gives them
    entry_id: int | None = None
    """The audit-log entry this edit wrote, for ``Store.undo``; None for a no-op or a batch."""

    def text(self, lang: str = "vi") -> str:
        """"what: old → new" in ``lang`` (Vietnamese when no English was given)."""
        what, old, new = self.en if lang == "en" and self.en else (self.what, self.old, self.new)
        return f"{what}: {old} → {new}"


def value_change(what_vi: str, what_en: str, indicator: str, old: Any, new: Any, revision: int) -> Change:
    """A figure's or target's change, described in both languages."""
    return Change(what_vi, documents.describe(indicator, old, "vi"), documents.describe(indicator, new, "vi"),
                  revision, (what_en, documents.describe(indicator, old, "en"),
                             documents.describe(indicator, new, "en")))


@dataclass(frozen=True)
class LaterData:
    """A figure or target of a retired unit's year (``kind`` "figure" or "target")."""

    kind: str
    indicator: str
    year: int
    vi: str
    en: str

    def text(self, lang: str = "vi") -> str:
        """"Xã Ea R'Bin · Số hội viên 2021: 100" in ``lang``."""
        return self.en if lang == "en" else self.vi


@dataclass(frozen=True)
class RetireChange(Change):
    """A retirement, with the unit's figures and targets of the years it no longer exists
    (``later``) and whether they were removed with it (``dropped``)."""

    later: tuple[LaterData, ...] = ()
    dropped: bool = False
