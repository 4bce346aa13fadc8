"""Year over year: every unit's and the cluster's figures of two years side by side.

Pure: functions take a :class:`~.models.Snapshot` (or two :class:`~.totals.YearSummary`) and return
frozen dataclasses. The cluster totals come from :func:`~.totals.summarize` of each year — the
same computation as ``summary`` and the dashboard — and are then compared; nothing here sums the
store again. "Not reported" is never zero: a side that did not report gives no change.

Across a reorganisation (``unit merge`` / ``unit split``) a unit's past is carried from the units
it was formed from: a merged unit's figure of an earlier year is the sum of its predecessors'
(summed as the totals sum, :func:`~.totals._sum`), a split unit's is its stated share of the old
unit's (approximate). A predecessor that did not report makes the sum not reported: a partial sum
would read as a fall. :func:`unit_history` gives one unit's figures over every year the same way,
for the trend charts and the ▲/▼ changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Mapping

from .errors import InvalidValue
from .indicators import BY_CODE, CATALOGUE, Indicator
from .models import NOT_REPORTED, Cluster, Msg, Number, Qualifier, Reading, Snapshot, Unit
from . import reorg
# _sum is the totals' own way of adding figures (fsum, rounded to the indicator): a like-for-like
# total over fewer units must add up exactly as the full one does.
from .totals import YearSummary, _sum, summarize

__all__ = ["Change", "UnitComparison", "TotalComparison", "Comparison", "HistoryPoint", "change", "compare",
           "compare_summaries", "check_years", "to_json", "unit_history", "origins_in"]


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


def origins_in(snap: Snapshot, unit: Unit, year: int, _depth: int = 0) -> tuple[tuple[Unit, Decimal], ...] | None:
    """The units whose ``year`` figures make up ``unit``'s, each with the share counted.

    ``((unit, 1),)`` when the unit itself existed in ``year``; for a unit formed later by a merge
    or split, its predecessors as they were in ``year`` (followed back through earlier
    reorganisations, shares multiplied); None when neither the unit nor every one of its
    predecessors existed then (a past that is only partly known is not given).
    """
    if unit.active(year):
        return ((unit, Decimal(1)),)
    if not unit.formed_from or unit.formed_in is None or year >= unit.formed_in or _depth > 20:
        return None
    out: list[tuple[Unit, Decimal]] = []
    for o in unit.formed_from:
        pred = snap.unit(o.unit)
        found = origins_in(snap, pred, year, _depth + 1) if pred is not None else None
        if found is None:
            return None
        out += [(u, share * o.share) for u, share in found]
    return tuple(out)


def _combined(ind: Indicator, readings: list[tuple[Reading, Decimal]]) -> Reading:
    """Readings of several units (each with the share counted) as one: summed as the totals sum;
    not reported when any is not reported. A qualifier carries over when all agree ("trên" +
    exact is still "trên"); mixed qualifiers or a share below 1 make it "khoảng"."""
    if any(not r.reported for r, _ in readings):
        return NOT_REPORTED
    parts: list[Number] = []
    for r, share in readings:
        assert r.value is not None
        parts.append(r.value if share == 1 else float(_dec(r.value) * share))
    kinds = {r.qualifier for r, _ in readings} - {Qualifier.EXACT}
    if any(share != 1 for _, share in readings) or len(kinds) > 1 or kinds - {Qualifier.OVER, Qualifier.NEARLY}:
        qualifier = Qualifier.ABOUT
    else:
        qualifier = next(iter(kinds), Qualifier.EXACT)
    return Reading(_sum(parts, ind), qualifier)


def _carried_reading(snap: Snapshot, ind: Indicator, origins: tuple[tuple[Unit, Decimal], ...], year: int) -> Reading:
    if len(origins) == 1 and origins[0][1] == 1:
        return snap.reading(origins[0][0].code, ind.code, year)
    return _combined(ind, [(snap.reading(u.code, ind.code, year), share) for u, share in origins])


@dataclass(frozen=True)
class HistoryPoint:
    """One unit's figure of one indicator in one year (see :func:`unit_history`)."""

    year: int
    value: Number | None
    """The figure; None when not reported, or when neither the unit nor its predecessors existed."""
    approximate: bool
    """Stated with a qualifier ("trên 6,7 tỷ"), or a share of a split unit's figure."""
    via: tuple[str, ...] = ()
    """The predecessors' codes when the figure is carried from them; empty for the unit's own."""
    qualifier: Qualifier = Qualifier.EXACT
    exists: bool = True
    """Whether the unit (or all its predecessors) existed that year: False is "not in the
    cluster yet", which is not "not reported"."""


def unit_history(snap: Snapshot, code: str, indicator: str) -> list[HistoryPoint]:
    """The unit's figure of ``indicator`` in every year of the store, oldest first.

    Merge- and split-aware exactly as :func:`compare`: before a merge the figure is the sum of the
    predecessors' (not reported when any did not report), before a split the stated share of the
    old unit's (approximate). The one computation behind a unit's ▲/▼ change from the previous
    year and its trend chart. Raises KeyError for an unknown unit or indicator code.
    """
    unit = snap.unit(code)
    if unit is None:
        raise KeyError(code)
    ind = BY_CODE[indicator]
    out = []
    for year in snap.years():
        origins = origins_in(snap, unit, year)
        if origins is None:
            out.append(HistoryPoint(year, None, False, (), Qualifier.EXACT, False))
            continue
        r = _carried_reading(snap, ind, origins, year)
        via = () if origins[0][0].code == code else tuple(u.code for u, _ in origins)
        value = r.value if r.reported else None
        q = r.qualifier if r.reported else Qualifier.EXACT
        out.append(HistoryPoint(year, value, q is not Qualifier.EXACT, via, q))
    return out


@dataclass(frozen=True)
class UnitComparison:
    """One unit of the cluster in either year, its figures of both years."""

    unit: Unit
    in_before: bool
    """Whether the unit was in the cluster in the first year."""
    in_after: bool
    values: Mapping[str, Change]
    predecessors: tuple[str, ...] = ()
    """Codes of the units this one was formed from (merge or split) between the two years, as
    they were in the first year; its first-year figures are theirs, summed (``in_before`` is then
    True). Empty for a unit that was not reorganised: a unit that appears or leaves shows as not
    in the cluster in that year instead."""
    shares: tuple[Decimal, ...] = ()
    """The share of each predecessor's figures counted (1 for a merge), in ``predecessors`` order."""
    origin_note: Msg | None = None
    """"gồm Krông Nô + Nam Ka trước 2025" for a reorganised unit, "thuộc Cụm 4 năm 2021" for a
    unit that moved into the cluster, "chuyển sang Cụm 4 năm 2022" for one that left, else None."""
    cluster_before: str | None = None
    """For a unit in the cluster in the second year that was in another cluster in the first: that
    cluster's code. Its first-year figures are its own, wherever it was (``in_before`` is False)."""
    cluster_after: str | None = None
    """For a unit of the cluster in the first year that is in another cluster in the second: that
    cluster's code (None when it left no cluster, or stayed)."""

    @property
    def left(self) -> bool:
        """A unit of the first year that is not in the cluster in the second: listed, never
        counted in the cluster's comparison (it is not "left out", it left)."""
        return not self.in_after


@dataclass(frozen=True)
class TotalComparison:
    """The cluster's total of one indicator, compared like for like.

    ``change`` compares only the units that reported in both years (``units_counted``): when that
    is every unit the two summaries counted, its values are the summaries' own totals; otherwise
    they are those units' figures summed the same way. ``units_total`` counts the cluster's units
    of the second year (a unit that left is not counted as left out). ``total_before``/``total_after``
    are the summaries' totals as ``summary`` shows them.
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


def _has_figures(snap: Snapshot, year: int, units: set[str]) -> bool:
    return any(r.reported for (u, _, y), r in snap.values.items() if y == year and u in units)


def check_years(snap: Snapshot, before: int, after: int, cluster: str | None = None) -> None:
    """Refuse (InvalidValue, exit 3) the same year twice, a year the store does not have, and a
    year without any reported figure of the cluster."""
    code = snap.default_cluster() if cluster is None else cluster
    known = snap.years()
    shown = ", ".join(str(y) for y in known) or "—"
    if before == after:
        others = [y for y in known if y != before]
        if others:
            other = max((y for y in others if y < before), default=min(others))
            pair = (other, before) if other < before else (before, other)
            vi_hint = f", ví dụ --from {pair[0]} --to {pair[1]}"
            en_hint = f", e.g. --from {pair[0]} --to {pair[1]}"
        else:
            vi_hint = f" (dữ liệu chỉ có năm {shown}; mở năm mới bằng ccb-tui year open)"
            en_hint = f" (the store has only {shown}; open a new year with ccb-tui year open)"
        raise InvalidValue(Msg(f"Hai năm so sánh trùng nhau ({before}); chọn hai năm khác nhau{vi_hint}.",
                               f"Both years are {before}; pick two different years{en_hint}."))
    for y in (before, after):
        if y not in known:
            raise InvalidValue(Msg(f"Không có năm {y} trong dữ liệu. Các năm hiện có: {shown}.",
                                   f"The store has no year {y}. Years in the store: {shown}."))
    # The first year's figures of the units of either year: a unit that moved into the cluster
    # brings its own figures of the year it was elsewhere.
    ends = {u.code for u in snap.units_in(after, code)}
    for y in (before, after):
        units = {u.code for u in snap.units_in(y, code)} | (ends if y == before else set())
        if not _has_figures(snap, y, units):
            raise InvalidValue(Msg(f"Năm {y} chưa có số liệu nào được báo cáo, không có gì để so sánh. "
                                   f"Nhập số liệu trước (ccb-tui set … --year {y}).",
                                   f"Year {y} has no reported figures, so there is nothing to compare. "
                                   f"Enter figures first (ccb-tui set … --year {y})."))


def _side_qualifier(qualifiers: list[Qualifier], whole: bool = True) -> Qualifier:
    """One side of a total made of several figures: exact when all are exact and ``whole`` (no
    figure is a share); the figures' own qualifier when they agree on "gần" or "trên"; otherwise
    "khoảng" (as :func:`_combined` states a sum)."""
    kinds = set(qualifiers) - {Qualifier.EXACT}
    if not whole or len(kinds) > 1 or kinds - {Qualifier.OVER, Qualifier.NEARLY}:
        return Qualifier.ABOUT
    return next(iter(kinds), Qualifier.EXACT)


def _total_comparison(ind: Indicator, s1: YearSummary, s2: YearSummary,
                      rows: list[UnitComparison], snap: Snapshot | None) -> TotalComparison:
    t1, t2 = s1.totals[ind.code], s2.totals[ind.code]
    counted_rows = [r for r in rows if r.in_after and r.values[ind.code].computable]
    counted = tuple(r.unit.code for r in counted_rows)
    units_total = sum(1 for r in rows if r.in_after)
    if not counted_rows:
        ch = change(ind, None, None)
    else:
        # The first year's side of the counted rows, unit by unit (a reorganised row stands for
        # its predecessors, each with the share counted).
        taken: dict[str, Decimal] = {}
        for r in counted_rows:
            for code, share in (zip(r.predecessors, r.shares) if r.predecessors else ((r.unit.code, Decimal(1)),)):
                taken[code] = taken.get(code, Decimal(0)) + share
        after = [s2.readings[c][ind.code] for c in counted]
        v2 = t2.value if set(counted) == set(t2.reported_units) else _sum([r.value for r in after], ind)  # type: ignore[misc]
        q2 = _side_qualifier([r.qualifier for r in after])
        if all(v == 1 for v in taken.values()):
            # Every first-year unit counted is taken whole (a split unit's parts all counted): its
            # own figures, exactly, as the summary adds them.
            before = [snap.reading(c, ind.code, s1.year) if c not in s1.readings else s1.readings[c][ind.code]
                      for c in taken] if snap is not None else [s1.readings[c][ind.code] for c in taken]
            v1 = t1.value if set(taken) == set(t1.reported_units) else _sum([r.value for r in before], ind)  # type: ignore[misc]
            q1 = _side_qualifier([r.qualifier for r in before])
        else:
            # Part of a split unit's figure is counted: its stated share, roughly known.
            v1 = _sum([r.values[ind.code].before for r in counted_rows], ind)  # type: ignore[misc]
            q1 = _side_qualifier([r.values[ind.code].before_qualifier for r in counted_rows], whole=False)
        ch = change(ind, v1, v2, before_qualifier=q1, after_qualifier=q2)
    return TotalComparison(ind.code, ch, counted, units_total, t1.value, t2.value,
                           t1.reported_units, t2.reported_units)


def compare_summaries(s1: YearSummary, s2: YearSummary, snap: Snapshot | None = None) -> Comparison:
    """Compare two summaries of one cluster (``s1`` the earlier or first-named year).

    The rows are the cluster's units of the second year, each with its own first-year figures;
    with ``snap``, wherever the unit was that year (a unit that moved into the cluster brings its
    past, ``cluster_before``), and (``s1`` the earlier year) a unit formed by a merge or split
    between the two years takes its predecessors' first-year figures (:func:`origins_in`), the
    predecessors not listed again. Then the cluster's units of the first year that are not in it
    in the second (``left``): listed, not counted in the totals nor in their ``units_total``.
    """
    y1, y2 = s1.year, s2.year
    in1 = {u.code for u in s1.units}
    in2 = {u.code for u in s2.units}
    carried: dict[str, tuple[tuple[Unit, Decimal], ...]] = {}
    moved_in: set[str] = set()
    for u in s2.units:
        if u.code in in1 or snap is None:
            continue
        if u.active(y1):
            moved_in.add(u.code)
        elif u.formed_from and y1 < y2:
            origins = origins_in(snap, u, y1)
            if origins:
                carried[u.code] = origins
    hidden = {p.code for origins in carried.values() for p, _ in origins} - in2
    # The cluster's order, a reorganised unit where its (first) predecessor stood.
    units: list[Unit] = []
    for u in s1.units:
        if u.code not in hidden:
            units.append(u)
            continue
        units += [n for n in s2.units if n.code in carried and n not in units
                  and any(p.code == u.code for p, _ in carried[n.code])]
    units += [u for u in s2.units if u.code not in in1 and u not in units]
    rows = []
    for u in units:
        origins = carried.get(u.code)
        values = {}
        for ind in CATALOGUE:
            before = s1.readings.get(u.code, {}).get(ind.code)
            if origins is not None:
                assert snap is not None
                before = _carried_reading(snap, ind, origins, y1)
            elif u.code in moved_in:
                assert snap is not None
                before = snap.reading(u.code, ind.code, y1)
            values[ind.code] = _reading_change(ind, before, s2.readings.get(u.code, {}).get(ind.code))
        if u.code in moved_in:
            assert snap is not None
            other = u.cluster(y1)
            name = snap.clusters[other].name if other in snap.clusters else None
            vi_name, en_name = (name("vi"), name("en")) if name is not None else (other, other)
            note = Msg(f"thuộc {vi_name} năm {y1}; số năm {y1} là số của đơn vị ở cụm đó",
                       f"in {en_name} in {y1}; its {y1} figures are its own from there")
            rows.append(UnitComparison(u, False, True, values, origin_note=note, cluster_before=other))
            continue
        if origins is None:
            note, after_cluster = None, None
            if u.code not in in2 and snap is not None and u.active(y2):
                after_cluster = u.cluster(y2)
                cl = snap.clusters.get(after_cluster)
                vi_name, en_name = (cl.name("vi"), cl.name("en")) if cl is not None else (after_cluster, after_cluster)
                note = Msg(f"chuyển sang {vi_name} năm {y2}: không tính vào tổng cụm",
                           f"moved to {en_name} in {y2}: not counted in the cluster total")
            rows.append(UnitComparison(u, u.code in in1, u.code in in2, values, origin_note=note,
                                       cluster_after=after_cluster))
            continue
        assert snap is not None
        parts = [(p.code, share) for p, share in origins]
        y = u.formed_in
        note = Msg(f"gồm {reorg.parts_text(snap, parts, y1, 'vi')} trước {y}",
                   f"includes {reorg.parts_text(snap, parts, y1, 'en')} before {y}")
        rows.append(UnitComparison(u, True, u.code in in2, values, tuple(c for c, _ in parts),
                                   tuple(sh for _, sh in parts), note))
    totals = {ind.code: _total_comparison(ind, s1, s2, rows, snap) for ind in CATALOGUE}
    return Comparison(y1, y2, s2.cluster, tuple(rows), totals)


def compare(snap: Snapshot, before: int, after: int, cluster: str | None = None) -> Comparison:
    """Check the two years (:func:`check_years`), summarise each once and compare the summaries."""
    check_years(snap, before, after, cluster)
    return compare_summaries(summarize(snap, before, cluster), summarize(snap, after, cluster), snap)


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


def _qualifiers(entry: dict[str, Any], c: Change) -> None:
    """Each side's qualifier; null for a side without a figure (there is nothing it qualifies)."""
    entry["from_qualifier"] = c.before_qualifier.value if c.before is not None else None
    entry["to_qualifier"] = c.after_qualifier.value if c.after is not None else None


def to_json(cmp: Comparison) -> dict[str, Any]:
    """A json.dumps-able dict (money in whole đồng, percent to 2 decimals, null where not computable)."""
    units = []
    for row in cmp.units:
        values = {}
        for code, c in row.values.items():
            entry = _change_json(c)
            _qualifiers(entry, c)
            values[code] = entry
        units.append({
            "code": row.unit.code,
            "name": cmp.unit_name(row.unit),
            "predecessors": list(row.predecessors),
            **({"shares": {c: str(sh) for c, sh in zip(row.predecessors, row.shares)},
                "formed_in": row.unit.formed_in} if row.predecessors else {}),
            "in_from": row.in_before,
            "in_to": row.in_after,
            "cluster_from": row.cluster_before,
            "cluster_to": row.cluster_after,
            "values": values,
        })
    totals = {}
    for code, t in cmp.totals.items():
        entry = _change_json(t.change)
        _qualifiers(entry, t.change)
        entry.update({
            "units_counted": list(t.units_counted),
            "units_total": t.units_total,
            "total_from": _json_number(t.total_before),
            "total_to": _json_number(t.total_after),
        })
        totals[code] = entry
    return {"from": cmp.before, "to": cmp.after, "cluster": cmp.cluster.code, "units": units, "totals": totals}
