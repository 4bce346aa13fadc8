"""A unit's figures through the years, and the change from one year to the next.

Every per-year lookup of the trend charts and of the "change from last year" in the unit detail
goes through :func:`unit_history`; changes are computed by :func:`.compare.change`, the same
function ``compare`` uses, so the TUI and ``ccb-tui compare`` cannot disagree. The dashboard's
cluster change is :func:`.compare.compare_summaries` of two year summaries (:func:`previous_comparison`).

Pure: functions take a :class:`~.models.Snapshot` and return frozen dataclasses. Not reported is
never zero: such a year's point has ``value`` None and draws as a gap.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import compare as cmp
from .indicators import BY_CODE
from .models import Number, Qualifier, Snapshot, Unit
from .totals import YearSummary, summarize

__all__ = ["HistoryPoint", "unit_history", "cluster_history", "change_between", "change_from_previous", "cluster_units",
           "previous_comparison"]


@dataclass(frozen=True)
class HistoryPoint:
    """One year of one unit's indicator.

    ``value`` is None when the unit did not report that year, or did not exist then (``active``
    False). ``approximate`` is True when the figure was stated with a qualifier ("trên 6,7 tỷ").
    ``predecessors`` names the units whose figures make up this point (units merged into this one
    later); empty for a unit's own figure.
    """

    year: int
    value: Number | None
    approximate: bool = False
    qualifier: Qualifier = Qualifier.EXACT
    active: bool = True
    predecessors: tuple[str, ...] = ()

    @property
    def reported(self) -> bool:
        """Whether there is a figure (not reported is not zero)."""
        return self.value is not None


def unit_history(snap: Snapshot, code: str, indicator: str) -> list[HistoryPoint]:
    """The unit's figure of ``indicator`` in every year of the store, oldest first.

    Years in which the unit did not exist or did not report are kept, with ``value`` None, so a
    chart shows them as gaps. Before a merge or split the point is carried from the unit's
    predecessors (:func:`.compare.unit_history`, the computation ``compare`` uses: their sum, or
    the stated share, marked approximate). Raises KeyError for an unknown indicator; an unknown
    unit gives points that are all not reported.
    """
    BY_CODE[indicator]  # an unknown indicator is a programming error, not "not reported"
    if snap.unit(code) is None:
        return [HistoryPoint(year, None, active=False) for year in snap.years()]
    return [HistoryPoint(p.year, p.value, p.approximate, p.qualifier, p.exists, p.via)
            for p in cmp.unit_history(snap, code, indicator)]


def cluster_history(snap: Snapshot, code: str, indicator: str, cluster: str | None = None) -> list[HistoryPoint]:
    """:func:`unit_history` as a chart of ``cluster`` (default: the current one) shows it: a year
    after the unit has left the cluster is a gap (its figure then belongs to the other cluster's
    chart). Years before it joined keep its own figures, as ``compare`` shows a unit that moved in.
    """
    code_c = snap.default_cluster() if cluster is None else cluster
    unit = snap.unit(code)
    points = unit_history(snap, code, indicator)
    if unit is None:
        return points
    out = []
    was_in = False
    for p in points:
        here = unit.active(p.year) and unit.cluster(p.year) == code_c
        left = unit.active(p.year) and not here and was_in
        was_in = was_in or here
        out.append(HistoryPoint(p.year, None, active=False) if left else p)
    return out


def change_between(indicator: str, before: HistoryPoint | None, after: HistoryPoint | None) -> cmp.Change:
    """The change between two points of a history (None: the year is not in the store), by
    :func:`.compare.change`: the same values, qualifiers and rounding as ``compare``."""
    ind = BY_CODE[indicator]
    b = before if before is not None and before.reported else None
    a = after if after is not None and after.reported else None
    return cmp.change(ind, b.value if b else None, a.value if a else None,
                      before_qualifier=b.qualifier if b else Qualifier.EXACT,
                      after_qualifier=a.qualifier if a else Qualifier.EXACT)


def change_from_previous(snap: Snapshot, code: str, indicator: str, year: int) -> cmp.Change:
    """The unit's change of ``indicator`` from ``year - 1`` to ``year`` (see :func:`change_between`).

    ``before`` is None when the store has no figure of the unit for the year before (the change
    is then not computable), ``after`` when it has none for ``year``.
    """
    by_year = {p.year: p for p in unit_history(snap, code, indicator)}
    return change_between(indicator, by_year.get(year - 1), by_year.get(year))


def cluster_units(snap: Snapshot, cluster: str | None = None) -> list[Unit]:
    """Units that belong to the cluster in any year of the store, in stored order: one line each
    on a trend chart. A unit merged or split into units of the cluster is left out: its figures
    are its successors' past (:func:`unit_history`), and drawing both would count them twice."""
    code = snap.default_cluster() if cluster is None else cluster
    years = snap.years()
    members = [u for u in snap.units if any(u.active(y) and u.cluster(y) == code for y in years)]
    drawn = {u.code for u in members}
    return [u for u in members if not any(s.code in drawn for s in snap.successors(u.code))]


def previous_comparison(snap: Snapshot, summary: YearSummary) -> cmp.Comparison | None:
    """The summary's year compared with the year before (:func:`.compare.compare_summaries`), or
    None when the store has no year before it. Totals are compared like for like
    (:class:`.compare.TotalComparison`)."""
    prev = summary.year - 1
    if prev not in snap.years():
        return None
    return cmp.compare_summaries(summarize(snap, prev, summary.cluster.code), summary, snap)
