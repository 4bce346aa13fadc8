"""Every cluster of the store side by side for one year: what the clusters overview shows.

Each row is built from the same computations every other view uses for that cluster — the year's
:func:`~..domain.totals.summarize` and the thi đua view (:func:`.thidua.thidua_view`, its ranking
of the cluster's units) — so the overview always agrees with the cluster's own dashboard, summary
and ranking. The clusters may share the year's points table: each is ranked among its own units.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..domain import totals
from ..domain.indicators import BY_CODE, CATALOGUE
from ..domain.models import Cluster, Snapshot
from ..domain.scoring import RankEntry, Ranking
from .text import show_total
from .thidua import thidua_view

MAIN_TOTALS = ("members", "fund", "loans")
"""The totals the overview shows for each cluster."""


@dataclass(frozen=True)
class ClusterRow:
    """One cluster in one year: its summary, its ranking (None before any score), and whether it
    is the cluster shown now."""

    cluster: Cluster
    summary: totals.YearSummary
    ranking: Ranking | None
    shown: bool

    @property
    def unit_count(self) -> int:
        """How many units the cluster has in the year."""
        return len(self.summary.units)

    def total_text(self, indicator: str, lang: str = "vi") -> str:
        """A main total with its coverage, as the dashboard shows it: "438", "6,71 tỷ (3/4)"."""
        return show_total(BY_CODE[indicator], self.summary.totals[indicator], lang, units_total=self.unit_count)

    @property
    def plan(self) -> tuple[int, int]:
        """(indicators that met their plan, indicators that have a plan and an actual)."""
        judged = [p for p in self.summary.progress.values() if p.met is not None]
        return sum(1 for p in judged if p.met), len(judged)

    def plan_text(self, lang: str = "vi", short: bool = False) -> str:
        """"✔ 3/3 đạt", "✘ 1/3 đạt" ("✔ 3/3" when ``short``), "—" without a plan to compare with
        (never colour alone)."""
        met, judged = self.plan
        if not judged:
            return "—"
        mark = "✔" if met == judged else "✘"
        return f"{mark} {met}/{judged}" + ("" if short else " " + ("met" if lang == "en" else "đạt"))

    @property
    def leaders(self) -> tuple[RankEntry, ...]:
        """The units ranked first (several on equal points), none before any score."""
        if self.ranking is None:
            return ()
        return tuple(e for e in self.ranking.entries if e.rank == 1)


_GENERIC = ("thi đua ", "competition ")


def short_name(cluster: Cluster, lang: str = "vi") -> str:
    """The name without the words every cluster's name has: "Cụm số 3", "Cluster No. 3"."""
    name = cluster.name(lang)
    for word in _GENERIC:
        at = name.casefold().find(word)
        if at >= 0 and len(name) > len(word):
            name = name[:at] + name[at + len(word):]
    name = name.strip()
    return name[:1].upper() + name[1:] if name else cluster.code


def overview(snap: Snapshot, year: int) -> tuple[ClusterRow, ...]:
    """Every cluster of the store for ``year``, in stored order."""
    shown = snap.default_cluster()
    rows = []
    for code, cluster in snap.clusters.items():
        view = snap.with_cluster(code)
        rows.append(ClusterRow(cluster, totals.summarize(view, year), thidua_view(view, year).ranking,
                               code == shown))
    return tuple(rows)


def plan_details(row: ClusterRow, lang: str = "vi") -> str:
    """The indicators judged against the plan: "Kết nạp mới ✔ ĐẠT · Quỹ hội ✘ CHƯA ĐẠT"."""
    parts = []
    for ind in CATALOGUE:
        p = row.summary.progress.get(ind.code)
        if p is not None and p.met is not None:
            parts.append(f"{ind.short(lang)} {p.symbol} {p.word(lang)}")
    return " · ".join(parts)
