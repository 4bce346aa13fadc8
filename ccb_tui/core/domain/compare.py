"""Year over year: every unit's and the cluster's figures of two years side by side.

Pure: functions take a :class:`~.models.Snapshot` (or two :class:`~.totals.YearSummary`) and return
frozen dataclasses. The cluster totals come from :func:`~.totals.summarize` of each year — the
same computation as ``summary`` and the dashboard — and are then compared; nothing here sums the
store again. "Not reported" is never zero: a side that did not report gives no change.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Mapping

from .errors import InvalidValue
from .indicators import CATALOGUE, Indicator
from .models import Cluster, Msg, Number, Qualifier, Reading, Snapshot, Unit
# _sum is the totals' own way of adding figures (fsum, rounded to the indicator): a like-for-like
# total over fewer units must add up exactly as the full one does.
from .totals import YearSummary, _sum, summarize

__all__ = ["Change", "UnitComparison", "TotalComparison", "Comparison", "change", "compare",
           "compare_summaries", "check_years", "to_json"]


def _dec(x: Number) -> Decimal:
    # Exact decimal of a number as written: 1.7 - 1.5 is 0.2, not 0.19999999999999996.
    if isinstance(x, int):
        return Decimal(x)
    return Decimal(repr(float(x)))


def _number(d: Decimal, ind: Indicator) -> Number:
    """A difference back to a plain number: whole indicators as int, others to their decimals."""
    if ind.integral or d == d.to_integral_value():
        return int(d.to_integral_value())
    return float(round(d, max(ind.decimals, 2)))


@dataclass(frozen=True)
class Change:
    """One indicator of two years: the values, the change and the change in percent.

    ``before``/``after`` are None when that year has no reported figure (not reported, or the
    unit was not in the cluster); then ``delta`` and ``percent`` are None too. ``percent`` is
    ``delta / before * 100``, None when ``before`` is 0. ``approximate`` is True when either side
    was stated with a qualifier ("trên 6,7 tỷ"): the change is then only roughly known.
    """

    indicator: str
    before: Number | None
    after: Number | None
    delta: Number | None
    percent: float | None
    approximate: bool = False
    before_qualifier: Qualifier = Qualifier.EXACT
    after_qualifier: Qualifier = Qualifier.EXACT

    @property
    def computable(self) -> bool:
        """Whether both sides are known, so there is a change to show."""
        return self.delta is not None


def change(ind: Indicator, before: Number | None, after: Number | None, *,
           before_qualifier: Qualifier = Qualifier.EXACT,
           after_qualifier: Qualifier = Qualifier.EXACT) -> Change:
    """Compare two values of ``ind`` (None: not reported)."""
    approximate = before_qualifier is not Qualifier.EXACT or after_qualifier is not Qualifier.EXACT
    if before is None or after is None:
        return Change(ind.code, before, after, None, None, approximate, before_qualifier, after_qualifier)
    d = _dec(after) - _dec(before)
    percent = float(d / _dec(before) * 100) if before != 0 else None
    return Change(ind.code, before, after, _number(d, ind), percent, approximate,
                  before_qualifier, after_qualifier)


def _reading_change(ind: Indicator, r1: Reading | None, r2: Reading | None) -> Change:
    def side(r: Reading | None) -> tuple[Number | None, Qualifier]:
        if r is None or not r.reported:
            return None, Qualifier.EXACT
        return r.value, r.qualifier
    (v1, q1), (v2, q2) = side(r1), side(r2)
    return change(ind, v1, v2, before_qualifier=q1, after_qualifier=q2)


@dataclass(frozen=True)
class UnitComparison:
    """One unit of the cluster in either year, its figures of both years."""

    unit: Unit
    in_before: bool
    """Whether the unit was in the cluster in the first year."""
    in_after: bool
    values: Mapping[str, Change]
    predecessors: tuple[str, ...] = ()
    """Codes of units merged into this one between the two years. The store does not record
    merges yet, so this is always empty; a unit that appears or leaves shows as not in the
    cluster in that year instead."""


@dataclass(frozen=True)
class TotalComparison:
    """The cluster's total of one indicator, compared like for like.

    ``change`` compares only the units that reported in both years (``units_counted``): when that
    is every unit the two summaries counted, its values are the summaries' own totals; otherwise
    they are those units' figures summed the same way. ``total_before``/``total_after`` are the
    summaries' totals as ``summary`` shows them.
    """

    indicator: str
    change: Change
    units_counted: tuple[str, ...]
    units_total: int
    total_before: Number | None
    total_after: Number | None
    reported_before: tuple[str, ...]
    reported_after: tuple[str, ...]

    @property
    def partial(self) -> bool:
        """Whether the comparison leaves out units of either year."""
        return len(self.units_counted) < self.units_total


@dataclass(frozen=True)
class Comparison:
    """Two years of one cluster side by side."""

    before: int
    after: int
    cluster: Cluster
    units: tuple[UnitComparison, ...]
    totals: Mapping[str, TotalComparison]

    def unit_name(self, u: Unit) -> str:
        """The unit's name in the later year it was in the cluster."""
        return u.name(self.after if u.active(self.after) else self.before)

    def short_name(self, u: Unit) -> str:
        """The unit's short name ("Krông Nô") in the later year it was in the cluster."""
        return u.short_name(self.after if u.active(self.after) else self.before)


def _has_figures(snap: Snapshot, year: int, cluster: str) -> bool:
    units = {u.code for u in snap.units_in(year, cluster)}
    return any(r.reported for (u, _, y), r in snap.values.items() if y == year and u in units)


def check_years(snap: Snapshot, before: int, after: int, cluster: str | None = None) -> None:
    """Refuse (InvalidValue, exit 3) the same year twice, a year the store does not have, and a
    year without any reported figure of the cluster."""
    code = snap.default_cluster() if cluster is None else cluster
    if before == after:
        raise InvalidValue(Msg(f"Hai năm so sánh trùng nhau ({before}); chọn hai năm khác nhau, "
                               f"ví dụ --from {before - 1} --to {before}.",
                               f"Both years are {before}; pick two different years, "
                               f"e.g. --from {before - 1} --to {before}."))
    known = snap.years()
    shown = ", ".join(str(y) for y in known) or "—"
    for y in (before, after):
        if y not in known:
            raise InvalidValue(Msg(f"Không có năm {y} trong dữ liệu. Các năm hiện có: {shown}.",
                                   f"The store has no year {y}. Years in the store: {shown}."))
    for y in (before, after):
        if not _has_figures(snap, y, code):
            raise InvalidValue(Msg(f"Năm {y} chưa có số liệu nào được báo cáo, không có gì để so sánh. "
                                   f"Nhập số liệu trước (ccb-tui set … --year {y}).",
                                   f"Year {y} has no reported figures, so there is nothing to compare. "
                                   f"Enter figures first (ccb-tui set … --year {y})."))


def _total_comparison(ind: Indicator, s1: YearSummary, s2: YearSummary,
                      order: Mapping[str, int], units_total: int) -> TotalComparison:
    t1, t2 = s1.totals[ind.code], s2.totals[ind.code]
    both = set(t1.reported_units) & set(t2.reported_units)
    counted = tuple(sorted(both, key=lambda c: order[c]))
    r1 = [s1.readings[c][ind.code] for c in counted]
    r2 = [s2.readings[c][ind.code] for c in counted]
    if not counted:
        ch = change(ind, None, None)
    else:
        if set(counted) == set(t1.reported_units) == set(t2.reported_units):
            v1, v2 = t1.value, t2.value  # the summaries' own totals: every view agrees
        else:
            v1 = _sum([r.value for r in r1], ind)  # type: ignore[misc]
            v2 = _sum([r.value for r in r2], ind)  # type: ignore[misc]
        ch = change(ind, v1, v2)
        if any(r.qualifier is not Qualifier.EXACT for r in (*r1, *r2)):
            ch = Change(ch.indicator, ch.before, ch.after, ch.delta, ch.percent, True)
    return TotalComparison(ind.code, ch, counted, units_total, t1.value, t2.value,
                           t1.reported_units, t2.reported_units)


def compare_summaries(s1: YearSummary, s2: YearSummary) -> Comparison:
    """Compare two summaries of one cluster (``s1`` the earlier or first-named year)."""
    units: list[Unit] = list(s1.units) + [u for u in s2.units if u.code not in {x.code for x in s1.units}]
    in1 = {u.code for u in s1.units}
    in2 = {u.code for u in s2.units}
    order = {u.code: i for i, u in enumerate(units)}
    rows = []
    for u in units:
        values = {ind.code: _reading_change(ind, s1.readings.get(u.code, {}).get(ind.code),
                                            s2.readings.get(u.code, {}).get(ind.code))
                  for ind in CATALOGUE}
        rows.append(UnitComparison(u, u.code in in1, u.code in in2, values))
    totals = {ind.code: _total_comparison(ind, s1, s2, order, len(units)) for ind in CATALOGUE}
    return Comparison(s1.year, s2.year, s2.cluster, tuple(rows), totals)


def compare(snap: Snapshot, before: int, after: int, cluster: str | None = None) -> Comparison:
    """Check the two years (:func:`check_years`), summarise each once and compare the summaries."""
    check_years(snap, before, after, cluster)
    return compare_summaries(summarize(snap, before, cluster), summarize(snap, after, cluster))


def _json_number(v: Number | None) -> Number | None:
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _change_json(c: Change) -> dict[str, Any]:
    return {
        "from": _json_number(c.before),
        "to": _json_number(c.after),
        "delta": _json_number(c.delta),
        "percent": round(c.percent, 2) if c.percent is not None else None,
        "approximate": c.approximate,
    }


def to_json(cmp: Comparison) -> dict[str, Any]:
    """A json.dumps-able dict (money in whole đồng, percent to 2 decimals, null where not computable)."""
    units = []
    for row in cmp.units:
        values = {}
        for code, c in row.values.items():
            entry = _change_json(c)
            entry["from_qualifier"] = c.before_qualifier.value
            entry["to_qualifier"] = c.after_qualifier.value
            values[code] = entry
        units.append({
            "code": row.unit.code,
            "name": cmp.unit_name(row.unit),
            "predecessors": list(row.predecessors),
            "in_from": row.in_before,
            "in_to": row.in_after,
            "values": values,
        })
    totals = {}
    for code, t in cmp.totals.items():
        entry = _change_json(t.change)
        entry.update({
            "units_counted": list(t.units_counted),
            "units_total": t.units_total,
            "total_from": _json_number(t.total_before),
            "total_to": _json_number(t.total_after),
        })
        totals[code] = entry
    return {"from": cmp.before, "to": cmp.after, "cluster": cmp.cluster.code, "units": units, "totals": totals}
