"""Cluster totals, plan-versus-actual progress and reconciliation with reported totals.

Everything here is pure: functions take a :class:`~.models.Snapshot` and return frozen
dataclasses. A unit that did not report a figure is listed as missing, never counted as 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Callable, Mapping

from . import indicators
from .errors import InvalidValue
from .fmt import format_money_short, format_number
from .indicators import CATALOGUE, Direction, Indicator, Kind
from .models import Cluster, Msg, Number, Qualifier, Reading, ReportedTotal, Snapshot, Unit

__all__ = [
    "Total",
    "Progress",
    "Bounds",
    "Reconciliation",
    "YearSummary",
    "cluster_totals",
    "cluster_targets",
    "progress",
    "cluster_progress",
    "unit_progress",
    "Ratio",
    "ratios",
    "significant_step",
    "qualifier_bounds",
    "reconcile_one",
    "reconcile",
    "summarize",
    "to_json",
]


# ---------------------------------------------------------------------------
# Number helpers
# ---------------------------------------------------------------------------


def _dec(x: Number) -> Decimal:
    """An exact decimal for a number as written (floats via their shortest repr)."""
    if isinstance(x, bool):
        return Decimal(int(x))
    if isinstance(x, int):
        return Decimal(x)
    return Decimal(repr(float(x)))


def _from_dec(d: Decimal) -> Number:
    """Back to int when whole, otherwise float."""
    if d == d.to_integral_value():
        return int(d)
    return float(d)


def _sum(values: list[Number], ind: Indicator) -> Number:
    """Sum with math.fsum and round to the indicator's decimals; whole indicators give int."""
    total = math.fsum(values)
    if ind.integral or all(isinstance(v, int) for v in values):
        return int(round(total))
    return round(total, ind.decimals)


def _num(value: Number | None, lang: str, decimals: int = 0) -> str:
    """A number in the interface language's style ("—" when missing).

    Whole values show no fraction; others show every significant decimal they have
    (bounds such as 1,4 km), since totals are already rounded to the indicator's decimals.
    """
    if value is None:
        return "—"
    places = 0
    if isinstance(value, float) and not value.is_integer():
        exponent = _dec(value).normalize().as_tuple().exponent
        places = min(max(0, -int(exponent)), 12)
    return format_number(value, places, lang)


# ---------------------------------------------------------------------------
# Totals
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Total:
    """A cluster total of one indicator for one year."""

    indicator: str
    value: Number | None
    reported_units: tuple[str, ...]
    missing_units: tuple[str, ...]
    approximate: bool = False

    @property
    def complete(self) -> bool:
        """Whether every active unit of the cluster reported this figure."""
        return not self.missing_units


def _cluster_code(snap: Snapshot, cluster: str | None) -> str:
    return snap.default_cluster() if cluster is None else cluster


def cluster_totals(snap: Snapshot, year: int, cluster: str | None = None) -> dict[str, Total]:
    """Totals of every catalogue indicator over the cluster's units active in ``year``.

    Units that did not report are listed in ``missing_units`` and left out of the sum;
    the value is None when no unit reported.
    """
    code = _cluster_code(snap, cluster)
    units = snap.units_in(year, code)
    out: dict[str, Total] = {}
    for ind in CATALOGUE:
        reported: list[str] = []
        missing: list[str] = []
        values: list[Number] = []
        approximate = False
        for u in units:
            r = snap.reading(u.code, ind.code, year)
            if r.reported:
                reported.append(u.code)
                values.append(r.value)  # type: ignore[arg-type]
                approximate = approximate or r.qualifier is not Qualifier.EXACT
            else:
                missing.append(u.code)
        value = _sum(values, ind) if values else None
        out[ind.code] = Total(ind.code, value, tuple(reported), tuple(missing), approximate)
    return out


def cluster_targets(snap: Snapshot, year: int, cluster: str | None = None) -> dict[str, Number | None]:
    """The plan each indicator's cluster progress is measured against (see :func:`cluster_progress`):
    the cluster's own target, else the sum of the targets of the units that have both a target
    and a reported figure; None when there is neither."""
    return {code: p.target for code, p in cluster_progress(snap, year, cluster).items()}


# ---------------------------------------------------------------------------
# Progress against the plan
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """Actual against target (kế hoạch) for one indicator.

    ``percent`` is how far along the plan the actual is, 100 meaning exactly on plan:
    actual/target*100 when higher is better, target/actual*100 when lower is better
    (so above 100 is better than planned either way). It is None when either figure is
    missing or the divisor is 0. ``met`` is None when there is no target or no actual;
    ``exceeded`` is True when strictly better than the target.
    """

    actual: Number | None
    target: Number | None
    percent: float | None
    met: bool | None
    exceeded: bool = False
    direction: Direction = Direction.HIGHER
    basis: str | None = None
    """For the cluster: "cluster" (its own target against its total), "units" (only the units
    with both a target and a figure), or None (no plan to compare with)."""
    units_counted: tuple[str, ...] = ()
    """For the cluster: the codes of the units whose figures the actual adds up."""
    units_total: int = 0
    """For the cluster: how many units it has in the year."""

    @property
    def partial(self) -> bool:
        """A units-basis comparison that leaves out some of the cluster's units."""
        return self.basis == "units" and len(self.units_counted) < self.units_total

    def word(self, lang: str = "vi") -> str:
        """The status in words: "ĐẠT", "CHƯA ĐẠT" or "—" (English "MET", "NOT MET")."""
        if self.met is None:
            return "—"
        if lang == "en":
            return "MET" if self.met else "NOT MET"
        return "ĐẠT" if self.met else "CHƯA ĐẠT"

    @property
    def symbol(self) -> str:
        """The status as a symbol ("✔", "✘", "·"), so it is never shown by colour alone."""
        if self.met is None:
            return "·"
        return "✔" if self.met else "✘"


def progress(actual: Number | None, target: Number | None,
             direction: Direction = Direction.HIGHER) -> Progress:
    """Compare an actual figure with its target, respecting which direction is better."""
    if actual is None or target is None:
        return Progress(actual, target, None, None, False, direction)
    if direction is Direction.LOWER:
        met = actual <= target
        exceeded = actual < target
        percent = target / actual * 100 if actual != 0 else None
    else:
        met = actual >= target
        exceeded = actual > target
        percent = actual / target * 100 if target != 0 else None
    return Progress(actual, target, percent, met, exceeded, direction)


def cluster_progress(snap: Snapshot, year: int, cluster: str | None = None) -> dict[str, Progress]:
    """The cluster's progress against its plan, per indicator.

    With a cluster target (kế hoạch trên giao cho cả cụm), the cluster total is compared with it
    (basis "cluster"). Otherwise only the units that have both a target and a reported figure
    are compared, their figures summed against their targets summed (basis "units"): a total of
    four units against the target of one would read 381%, and one unit's figure against four
    targets 27%.
    """
    code = _cluster_code(snap, cluster)
    units = snap.units_in(year, code)
    totals = cluster_totals(snap, year, code)
    out: dict[str, Progress] = {}
    for ind in CATALOGUE:
        own = snap.cluster_target(code, ind.code, year)
        if own is not None:
            total = totals[ind.code]
            p = progress(total.value, own.value, ind.direction)
            out[ind.code] = replace(p, basis="cluster", units_counted=total.reported_units,
                                    units_total=len(units))
            continue
        counted: list[str] = []
        actual: list[Number] = []
        planned: list[Number] = []
        for u in units:
            r = snap.reading(u.code, ind.code, year)
            t = snap.target(u.code, ind.code, year)
            if r.reported and t is not None:
                counted.append(u.code)
                actual.append(r.value)  # type: ignore[arg-type]
                planned.append(t.value)
        if not counted:
            out[ind.code] = Progress(totals[ind.code].value, None, None, None, False, ind.direction,
                                     None, (), len(units))
            continue
        p = progress(_sum(actual, ind), _sum(planned, ind), ind.direction)
        out[ind.code] = replace(p, basis="units", units_counted=tuple(counted), units_total=len(units))
    return out


def unit_progress(snap: Snapshot, unit: str, year: int) -> dict[str, Progress]:
    """Progress of one unit against its own targets, per indicator."""
    out: dict[str, Progress] = {}
    for ind in CATALOGUE:
        r = snap.reading(unit, ind.code, year)
        t = snap.target(unit, ind.code, year)
        out[ind.code] = progress(r.value if r.reported else None,
                                 t.value if t is not None else None, ind.direction)
    return out


# ---------------------------------------------------------------------------
# Ratios
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Ratio:
    """A derived figure (members per branch, fund per member) computed like for like.

    Both sides add up the same units: those that reported both figures (``units_counted``); a
    fund of three units over the members of three others is no ratio at all. ``value`` is None
    when no unit reported both or the divisor is 0. ``approximate`` when a counted figure was
    stated with a qualifier ("trên 2 tỷ").
    """

    value: Number | None
    units_counted: tuple[str, ...] = ()
    units_total: int = 0
    approximate: bool = False

    @property
    def partial(self) -> bool:
        """Whether the ratio leaves out some of the cluster's units."""
        return self.value is not None and len(self.units_counted) < self.units_total


RATIOS: tuple[tuple[str, str, str], ...] = (
    ("members_per_branch", "members", "branches"),
    ("fund_per_member", "fund", "members"),
)
"""(ratio code, numerator indicator, denominator indicator)."""


def ratios(readings: Mapping[str, Mapping[str, Reading]]) -> dict[str, Ratio]:
    """Derived figures over the units that reported both sides: members per branch (2 decimals)
    and fund per member (whole đồng). ``readings`` maps unit code -> indicator code -> reading,
    in the cluster's order (the units of the year)."""
    out: dict[str, Ratio] = {}
    for code, num_code, den_code in RATIOS:
        counted: list[str] = []
        nums: list[Number] = []
        dens: list[Number] = []
        approximate = False
        for unit, rs in readings.items():
            n, d = rs.get(num_code), rs.get(den_code)
            if n is None or d is None or not n.reported or not d.reported or n.value is None or d.value is None:
                continue
            counted.append(unit)
            nums.append(n.value)  # type: ignore[arg-type]
            dens.append(d.value)  # type: ignore[arg-type]
            approximate = approximate or n.qualifier is not Qualifier.EXACT or d.qualifier is not Qualifier.EXACT
        value: Number | None = None
        if counted:
            top = _sum(nums, indicators.get(num_code))
            bottom = _sum(dens, indicators.get(den_code))
            if bottom:
                value = round(top / bottom, 2) if code == "members_per_branch" else int(round(top / bottom))
        out[code] = Ratio(value, tuple(counted) if value is not None else (), len(readings),
                          approximate if value is not None else False)
    return out


# ---------------------------------------------------------------------------
# Qualified figures and reconciliation
# ---------------------------------------------------------------------------


def significant_step(x: Number) -> Number:
    """One unit of the last significant digit of ``x``.

    250_000_000 -> 10_000_000; 1500 -> 100; 6_700_000_000 -> 100_000_000; 1.5 -> 0.1;
    36 -> 1; 0 -> 1.
    """
    d = abs(_dec(x))
    if d == 0:
        return 1
    exponent = d.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return _from_dec(Decimal(1).scaleb(exponent))


@dataclass(frozen=True)
class Bounds:
    """The range of true values a qualified figure allows ("gần 250 triệu": [240; 250) triệu)."""

    low: Number
    high: Number
    low_open: bool = False
    high_open: bool = False

    def contains(self, x: Number) -> bool:
        """Whether ``x`` lies inside the range (compared exactly, as decimals)."""
        d, lo, hi = _dec(x), _dec(self.low), _dec(self.high)
        above = d > lo if self.low_open else d >= lo
        below = d < hi if self.high_open else d <= hi
        return above and below

    def relation(self, x: Number, lang: str, decimals: int = 0,
                 show: Callable[[Number, str], str] | None = None) -> str:
        """``x`` against the range, e.g. "240.000.000 ≤ 248.600.000 < 250.000.000"
        (or "240 tr. ≤ 248,6 tr. < 250 tr." with a money ``show``)."""
        def num(v: Number) -> str:
            return show(v, lang) if show is not None else _num(v, lang, decimals)
        xs = num(x)
        los, his = num(self.low), num(self.high)
        lo_op = "<" if self.low_open else "≤"
        hi_op = "<" if self.high_open else "≤"
        if self.contains(x):
            if self.low == self.high:
                return f"{xs} = {los}"
            return f"{los} {lo_op} {xs} {hi_op} {his}"
        if _dec(x) < _dec(self.low) or (self.low_open and _dec(x) == _dec(self.low)):
            if self.low == self.high:
                return f"{xs} ≠ {los}"
            return f"{xs} {'≤' if self.low_open else '<'} {los}"
        if self.low == self.high:
            return f"{xs} ≠ {his}"
        return f"{xs} {'≥' if self.high_open else '>'} {his}"


def qualifier_bounds(value: Number | None, qualifier: Qualifier) -> Bounds | None:
    """The range of true values a figure stated with ``qualifier`` allows.

    EXACT: [X; X]. NEARLY (gần X): [X − step; X). OVER (trên X): (X; X + step).
    ABOUT (khoảng X): [X − step; X + step]. HUNDREDS (hàng trăm): [100; 999], X ignored.
    ``step`` is :func:`significant_step` of X. None when X is needed but missing.
    """
    if qualifier is Qualifier.HUNDREDS:
        return Bounds(100, 999)
    if value is None:
        return None
    x = _dec(value)
    step = _dec(significant_step(value))
    if qualifier is Qualifier.NEARLY:
        return Bounds(_from_dec(x - step), value, high_open=True)
    if qualifier is Qualifier.OVER:
        return Bounds(value, _from_dec(x + step), low_open=True, high_open=True)
    if qualifier is Qualifier.ABOUT:
        return Bounds(_from_dec(x - step), _from_dec(x + step))
    return Bounds(value, value)


@dataclass(frozen=True)
class Reconciliation:
    """A computed cluster total checked against the total the source reports."""

    indicator: str
    computed: Number | None
    reported: ReportedTotal
    ok: bool
    msg: Msg
    value_ok: bool = False
    plan_ok: bool | None = None  # None when the source says nothing about the plan


def _round_to(x: Number, decimals: int) -> Decimal:
    return round(_dec(x), decimals)


def reconcile_one(computed: Number | None, reported: ReportedTotal, decimals: int = 0,
                  plan: Progress | None = None,
                  show: Callable[[Number, str], str] | None = None) -> Reconciliation:
    """Check a computed total against a reported one, by the reported qualifier.

    EXACT: equal after rounding to ``decimals``. NEARLY ("gần X"): X − step ≤ computed < X.
    OVER ("trên X"): X < computed < X + step. ABOUT ("khoảng X"): |computed − X| ≤ step.
    HUNDREDS ("hàng trăm"): 100 ≤ computed ≤ 999. ``step`` is one unit of the last
    significant digit of X (:func:`significant_step`). A missing computed value is not ok.
    When the source states ``plan_met``, ``plan`` (the cluster progress of the indicator)
    must agree: a claim that cannot be checked for want of a target or actual is not ok.
    """
    quote = reported.quote
    vi: list[str] = []
    en: list[str] = []
    bounds = qualifier_bounds(reported.value, reported.qualifier)
    if computed is None:
        value_ok = False
        vi.append(f"Không khớp: chưa đơn vị nào báo cáo số liệu để so với «{quote}»")
        en.append(f"Mismatch: no unit reported a figure to compare with “{quote}”")
    elif bounds is None:
        value_ok = False
        vi.append(f"Không khớp: tổng công bố «{quote}» không có giá trị để so sánh")
        en.append(f"Mismatch: the reported total “{quote}” has no value to compare with")
    else:
        if reported.qualifier is Qualifier.EXACT:
            value_ok = _round_to(computed, decimals) == _round_to(bounds.low, decimals)
        else:
            value_ok = bounds.contains(computed)
        head_vi, head_en = ("Khớp", "Matches") if value_ok else ("Không khớp", "Mismatch")
        vi.append(f"{head_vi}: {bounds.relation(computed, 'vi', decimals, show)} ({quote})")
        en.append(f"{head_en}: {bounds.relation(computed, 'en', decimals, show)} (“{quote}”)")

    plan_ok: bool | None = None
    if reported.plan_met is not None:
        claim_vi = "đạt kế hoạch" if reported.plan_met else "chưa đạt kế hoạch"
        claim_en = "the plan was met" if reported.plan_met else "the plan was not met"
        if plan is None or plan.met is None:
            plan_ok = False
            vi.append(f"nguồn ghi {claim_vi} nhưng chưa có kế hoạch hoặc số thực hiện để kiểm tra")
            en.append(f"the source says {claim_en} but there is no target or actual to check it")
        else:
            plan_ok = plan.met == reported.plan_met
            def num(v: Number | None, lang: str) -> str:
                return show(v, lang) if show is not None and v is not None else _num(v, lang, decimals)
            a_vi, t_vi = num(plan.actual, "vi"), num(plan.target, "vi")
            a_en, t_en = num(plan.actual, "en"), num(plan.target, "en")
            if plan_ok:
                vi.append(f"{claim_vi}: thực hiện {a_vi} / kế hoạch {t_vi} ({plan.word('vi')})")
                en.append(f"{claim_en}: actual {a_en} / target {t_en} ({plan.word('en')})")
            else:
                vi.append(f"nguồn ghi {claim_vi} nhưng thực hiện {a_vi} / kế hoạch {t_vi} "
                          f"là {plan.word('vi')}")
                en.append(f"the source says {claim_en} but actual {a_en} / target {t_en} "
                          f"is {plan.word('en')}")

    ok = value_ok and plan_ok is not False
    return Reconciliation(reported.indicator, computed, reported, ok,
                          Msg("; ".join(vi), "; ".join(en)), value_ok, plan_ok)


def reconcile(snap: Snapshot, year: int, cluster: str | None = None) -> list[Reconciliation]:
    """Check every total the source reports for (cluster, year) against the computed totals.

    Catalogue indicators come first, in catalogue order; a reported total of an unknown
    indicator is never ok.
    """
    code = _cluster_code(snap, cluster)
    reported = snap.reported.get((code, year), {})
    if not reported:
        return []
    totals = cluster_totals(snap, year, code)
    plans = cluster_progress(snap, year, code)
    order = {ind.code: i for i, ind in enumerate(CATALOGUE)}
    out: list[Reconciliation] = []
    for ind_code in sorted(reported, key=lambda c: (order.get(c, len(order)), c)):
        rt = reported[ind_code]
        if ind_code not in indicators.BY_CODE:
            out.append(Reconciliation(
                ind_code, None, rt, False,
                Msg(f"Không có chỉ tiêu '{ind_code}' để đối chiếu với «{rt.quote}»",
                    f"No indicator '{ind_code}' to check “{rt.quote}” against")))
            continue
        ind = indicators.get(ind_code)
        show = format_money_short if ind.kind is Kind.MONEY else None
        out.append(reconcile_one(totals[ind_code].value, rt, ind.decimals, plans[ind_code], show))
    return out


# ---------------------------------------------------------------------------
# Year summary (CLI summary, TUI dashboard, exports)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class YearSummary:
    """Everything shown for one cluster and year."""

    year: int
    cluster: Cluster
    units: tuple[Unit, ...]
    readings: Mapping[str, Mapping[str, Reading]]  # unit code -> indicator code -> reading
    unit_progress: Mapping[str, Mapping[str, Progress]]  # unit code -> indicator code -> progress
    totals: Mapping[str, Total]
    targets: Mapping[str, Number | None]  # the plan the cluster progress compares with
    progress: Mapping[str, Progress]  # cluster progress (its basis, units counted)
    ratios: Mapping[str, Ratio]  # like for like: over the units that reported both figures
    reconciliations: tuple[Reconciliation, ...] = field(default_factory=tuple)
    sample: bool = False
    """Whether some unit's figure of the year is still sample data (the source gives only totals)."""
    sample_targets: bool = False
    """Whether some unit's target (kế hoạch) of the year is still sample data."""


def summarize(snap: Snapshot, year: int, cluster: str | None = None) -> YearSummary:
    """Gather the year's readings, progress, totals, ratios and reconciliation for a cluster.

    Raises :class:`~.errors.InvalidValue` when the cluster is unknown.
    """
    code = _cluster_code(snap, cluster)
    if code not in snap.clusters:
        known = ", ".join(snap.clusters) or "—"
        raise InvalidValue(Msg(f"Không có cụm thi đua '{code}'. Các cụm hiện có: {known}",
                               f"No competition cluster '{code}'. Known clusters: {known}"))
    units = tuple(snap.units_in(year, code))
    readings = {u.code: {ind.code: snap.reading(u.code, ind.code, year) for ind in CATALOGUE}
                for u in units}
    per_unit = {u.code: unit_progress(snap, u.code, year) for u in units}
    totals = cluster_totals(snap, year, code)
    plan = cluster_progress(snap, year, code)
    return YearSummary(
        year=year,
        cluster=snap.clusters[code],
        units=units,
        readings=readings,
        unit_progress=per_unit,
        totals=totals,
        targets={c: p.target for c, p in plan.items()},
        progress=plan,
        ratios=ratios(readings),
        reconciliations=tuple(reconcile(snap, year, code)),
        sample=snap.has_sample(year, {u.code for u in units}, targets=False),
        sample_targets=snap.has_sample(year, {u.code for u in units}, figures=False),
    )


def _json_number(value: Number | None) -> Number | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def to_json(summary: YearSummary) -> dict[str, Any]:
    """A json.dumps-able dict of the summary (money in whole đồng, percent to 2 decimals)."""
    codes = [ind.code for ind in CATALOGUE]
    units = []
    for u in summary.units:
        rs = summary.readings[u.code]
        ps = summary.unit_progress[u.code]
        units.append({
            "code": u.code,
            "name": u.name(summary.year),
            "values": {c: _json_number(rs[c].value) if rs[c].reported else None for c in codes},
            "qualifiers": {c: rs[c].qualifier.value for c in codes},
            "targets": {c: _json_number(ps[c].target) for c in codes},
        })
    return {
        "year": summary.year,
        "cluster": summary.cluster.code,
        "sample": summary.sample,
        "sample_targets": summary.sample_targets,
        "totals": {c: _json_number(summary.totals[c].value) for c in codes},
        "totals_reported": {c: list(summary.totals[c].reported_units) for c in codes},
        "units_total": len(summary.units),
        "targets": {c: _json_number(summary.targets[c]) for c in codes},
        "progress": {
            c: {
                "actual": _json_number(p.actual),
                "target": _json_number(p.target),
                "percent": round(p.percent, 2) if p.percent is not None else None,
                "met": p.met,
                "basis": p.basis,
                "units_counted": list(p.units_counted),
                "units_total": p.units_total,
            }
            for c, p in summary.progress.items()
        },
        "ratios": {k: _json_number(r.value) for k, r in summary.ratios.items()},
        "ratios_counted": {k: {"units_counted": list(r.units_counted), "units_total": r.units_total,
                               "approximate": r.approximate} for k, r in summary.ratios.items()},
        "reconciliation": [
            {
                "indicator": r.indicator,
                "computed": _json_number(r.computed),
                "reported": _json_number(r.reported.value),
                "qualifier": r.reported.qualifier.value,
                "quote": r.reported.quote,
                "ok": r.ok,
            }
            for r in summary.reconciliations
        ],
        "units": units,
    }
