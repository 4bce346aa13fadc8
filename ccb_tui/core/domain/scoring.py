"""Thi đua: the year's scoring template, the three stages of scores, bands and the ranking.

A *cụm thi đua* is scored every year against a points table (the template: lines grouped by
area, each with a maximum, some with a rule that proposes points from the figures). Each unit
scores itself (``self``), the peer units check it (``peer``) and the district scores again
(``final``). The ranking of a stage sums each unit's points, finds its band from the template's
thresholds (never from code) and ranks the units, ties sharing a rank (1, 1, 3).

Points are :class:`~decimal.Decimal`, so 88,25 stays 88.25. Everything here is pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from . import indicators
from .errors import Problem
from .models import Msg, Snapshot

STAGES = ("self", "peer", "final")
STAGE_LABELS = {"self": ("tự chấm", "self-score"), "peer": ("cụm thẩm định", "peer check"),
                "final": ("huyện chấm", "district score")}
STAGE_ALIASES = {"self": "self", "tu cham": "self", "tu": "self",
                 "peer": "peer", "cum": "peer", "tham dinh": "peer", "cum tham dinh": "peer",
                 "final": "final", "huyen": "final", "huyen cham": "final", "cap tren": "final"}
RULE_KINDS = ("target_ratio", "per_unit")
MAX_LINES = 200
MAX_POINTS = Decimal(1000)
SAMPLE_NOTES = ("sample", "mẫu")
"""A score whose note is one of these is sample data (the bundled seed's scores)."""
DIFF_THRESHOLD = Decimal(1)
"""A line whose points differ between two stages by at least this much is listed."""


def points(value: Any) -> Decimal:
    """A points value as a Decimal with at most 2 decimals; ValueError for anything else."""
    if isinstance(value, bool):
        raise ValueError(f"not a number of points: {value!r}")
    try:
        d = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not a number of points: {value!r}"[:80]) from exc
    if not d.is_finite() or abs(d) > MAX_POINTS or d != d.quantize(Decimal("0.01")):
        raise ValueError(f"not a number of points (at most 2 decimals, |p| ≤ {MAX_POINTS}): {value!r}"[:120])
    return d.normalize() if d != d.to_integral_value() else d.quantize(Decimal(1))


@dataclass(frozen=True)
class Rule:
    """How a line proposes points from the year's figures.

    ``target_ratio``: full points when the unit's figure meets its target for ``indicator``,
    proportionally fewer below it (no target or no figure: nothing proposed).
    ``per_unit``: ``per`` points for each ``step`` of the figure, capped at the line's maximum
    (a penalty line has a negative ``per``, floored at its minimum).
    """

    kind: str
    indicator: str
    per: Decimal = Decimal(0)
    step: Decimal = Decimal(1)


@dataclass(frozen=True)
class Line:
    """One line of the points table."""

    code: str
    area: str
    title: str
    max_points: Decimal
    min_points: Decimal = Decimal(0)
    rule: Rule | None = None


@dataclass(frozen=True)
class Band:
    """A classification by total points, both ends included ("Xuất sắc" 81–90)."""

    name: str
    low: Decimal
    high: Decimal


@dataclass(frozen=True)
class Template:
    """The year's points table and bands."""

    year: int
    lines: tuple[Line, ...]
    bands: tuple[Band, ...]
    sample: bool = False

    @property
    def max_total(self) -> Decimal:
        """The most a unit can score: the sum of the lines' maxima."""
        return sum((ln.max_points for ln in self.lines), Decimal(0))

    def line(self, code: str) -> Line | None:
        """The line with this code, or None."""
        return next((ln for ln in self.lines if ln.code == code), None)

    def band(self, total: Decimal) -> Band | None:
        """The band of ``total``: the highest band whose low end it reaches (80,5 is in 71–80
        when the next band starts at 81); below every band, the lowest one."""
        ordered = sorted(self.bands, key=lambda b: b.low)
        found = None
        for b in ordered:
            if total >= b.low:
                found = b
        return found or (ordered[0] if ordered else None)


@dataclass(frozen=True)
class Score:
    """One unit's points on one line at one stage."""

    unit: str
    line: str
    year: int
    stage: str
    points: Decimal
    note: str = ""
    evidence: str = ""
    changed_by: str | None = None
    changed_at: str | None = None


@dataclass(frozen=True)
class Commendation:
    """A proposal or award: to a unit (collective) or a person (individual)."""

    id: int
    year: int
    unit: str | None
    person: str
    form: str
    level: str
    reason: str
    status: str = "proposed"  # "proposed" (đề nghị) or "approved" (được duyệt)


COMMENDATION_STATUS = {"proposed": ("đề nghị", "proposed"), "approved": ("được duyệt", "approved")}


def _en(d: Decimal) -> str:
    return str(d if d != d.to_integral_value() else d.quantize(Decimal(1)))


def _vi(d: Decimal) -> str:
    return _en(d).replace(".", ",")


def validate_template(t: Template) -> list[Problem]:
    """Unique codes, max ≥ 0 ≥ min, at most ``MAX_LINES`` lines, known rules, and bands that
    cover 0..max total without gaps or overlaps (whole points: the next band starts at high + 1,
    or at high + 0,01 for bands with decimals)."""
    out: list[Problem] = []

    def bad(where: str, vi: str, en: str) -> None:
        out.append(Problem(where, Msg(vi, en)))

    if not t.lines:
        bad("lines", "Bảng điểm không có dòng nào.", "The points table has no lines.")
    if len(t.lines) > MAX_LINES:
        bad("lines", f"Bảng điểm quá {MAX_LINES} dòng.", f"The points table has over {MAX_LINES} lines.")
    seen: set[str] = set()
    for ln in t.lines:
        where = f"line/{ln.code}"
        if not ln.code or ln.code in seen:
            bad(where, f"Mã dòng '{ln.code}' trống hoặc bị trùng.", f"Line code '{ln.code}' is empty or repeated.")
        seen.add(ln.code)
        if ln.max_points < 0 or ln.min_points > 0 or ln.min_points > ln.max_points:
            bad(where, f"Dòng {ln.code}: điểm tối đa phải ≥ 0 và điểm tối thiểu ≤ 0.",
                f"Line {ln.code}: the maximum must be ≥ 0 and the minimum ≤ 0.")
        if ln.rule is not None and ln.rule.kind not in RULE_KINDS:
            bad(where, f"Dòng {ln.code}: không có kiểu quy tắc '{ln.rule.kind}' ({', '.join(RULE_KINDS)}).",
                f"Line {ln.code}: unknown rule kind '{ln.rule.kind}' ({', '.join(RULE_KINDS)}).")
        if ln.rule is not None and ln.rule.indicator not in indicators.BY_CODE:
            codes = ", ".join(indicators.BY_CODE)
            bad(where, f"Dòng {ln.code}: quy tắc dùng chỉ tiêu '{ln.rule.indicator}' không có trong danh mục ({codes}).",
                f"Line {ln.code}: the rule's indicator '{ln.rule.indicator}' is not in the catalogue ({codes}).")
    bands = sorted(t.bands, key=lambda b: b.low)
    if not bands:
        bad("bands", "Bảng điểm chưa có xếp loại.", "The points table has no bands.")
    for b in bands:
        if b.low > b.high:
            bad(f"band/{b.name}", f"Xếp loại {b.name}: cận dưới lớn hơn cận trên.",
                f"Band {b.name}: its low end is above its high end.")
    for a, b in zip(bands, bands[1:]):
        if b.low <= a.high:
            bad(f"band/{b.name}", f"Xếp loại {a.name} và {b.name} chồng lên nhau.",
                f"Bands {a.name} and {b.name} overlap.")
        elif b.low - a.high > Decimal(1):
            bad(f"band/{b.name}", f"Giữa xếp loại {a.name} và {b.name} có khoảng trống.",
                f"There is a gap between bands {a.name} and {b.name}.")
    if bands and t.lines:
        total_min = sum((ln.min_points for ln in t.lines), Decimal(0))
        if bands[0].low > max(total_min, Decimal(0)):  # totals below 0 (penalties) fall in the lowest band
            bad("bands", f"Các xếp loại phải bắt đầu từ {max(total_min, Decimal(0))} điểm.",
                f"The bands must start at {max(total_min, Decimal(0))} points.")
        elif bands[0].low < total_min:  # no unit can score that low: the band's start is a mistake
            lo, top = total_min, max(total_min, Decimal(0))
            name = bands[0].name
            bad(f"band/{name}",
                f"Xếp loại {name}: cận dưới {_vi(bands[0].low)} thấp hơn tổng điểm thấp nhất có thể "
                f"({_vi(lo)}, theo điểm tối thiểu các dòng); cho xếp loại thấp nhất bắt đầu từ {_vi(lo)} "
                f"đến {_vi(top)}.",
                f"Band {name}: its low end {_en(bands[0].low)} is below the lowest possible total "
                f"({_en(lo)}, from the lines' minimum points); start the lowest band between {_en(lo)} "
                f"and {_en(top)}.")
        if bands[-1].high < t.max_total:
            bad("bands", f"Các xếp loại phải phủ tới {t.max_total} điểm (tổng điểm tối đa).",
                f"The bands must reach {t.max_total} points (the maximum total).")
    return out


def propose(line: Line, snap: Snapshot, unit: str, year: int) -> tuple[Decimal, Msg] | None:
    """The points a rule proposes for ``unit`` and the figures behind them; None without a rule
    or without the figures the rule needs."""
    rule = line.rule
    if rule is None:
        return None
    reading = snap.reading(unit, rule.indicator, year)
    if not reading.reported:
        return None
    value = Decimal(str(reading.value))
    if rule.kind == "target_ratio":
        target = snap.target(unit, rule.indicator, year)
        if target is None or target.value <= 0:
            return None
        ratio = min(Decimal(1), value / Decimal(str(target.value)))
        got = (line.max_points * ratio).quantize(Decimal("0.01"))
        return got, Msg(f"thực hiện {reading.value} / kế hoạch {target.value}",
                        f"actual {reading.value} / target {target.value}")
    if rule.kind == "per_unit":
        raw = (value / rule.step).to_integral_value(rounding="ROUND_FLOOR") * rule.per
        got = max(line.min_points, min(line.max_points, raw)).quantize(Decimal("0.01"))
        return got, Msg(f"{reading.value} × {rule.per}/{rule.step}", f"{reading.value} × {rule.per}/{rule.step}")
    return None


@dataclass(frozen=True)
class RankEntry:
    """One unit's place in a stage's ranking.

    A unit with no line scored at the stage is "not scored": no points, no band, no rank (None
    for all three), listed after the ranked units; it never reads as last on 0 points.
    """

    code: str
    name: str
    points: Decimal | None
    band: str | None
    rank: int | None
    scored_lines: int
    total_lines: int

    @property
    def complete(self) -> bool:
        """Whether every line has points at this stage."""
        return self.scored_lines == self.total_lines

    @property
    def scored(self) -> bool:
        """Whether any line has points at this stage (otherwise the unit is not ranked)."""
        return self.scored_lines > 0


@dataclass(frozen=True)
class Difference:
    """A line where two stages disagree by at least ``DIFF_THRESHOLD`` points."""

    unit: str
    line: str
    stage_a: str
    points_a: Decimal
    stage_b: str
    points_b: Decimal


@dataclass(frozen=True)
class Ranking:
    """The units of a cluster ranked by one stage's points."""

    year: int
    stage: str
    max_total: Decimal
    entries: tuple[RankEntry, ...]
    differences: tuple[Difference, ...] = field(default_factory=tuple)
    sample: bool = False
    """The points table or the scores ranked are sample data."""
    sample_scores: bool = False
    """The scores ranked are the bundled sample's (else only the points table is a sample)."""

    def sample_words(self) -> Msg | None:
        """What is sample, for a view's tag: the scores ("số liệu mẫu") or only the points table
        ("bảng điểm mẫu"); None when neither."""
        if self.sample_scores:
            return Msg("số liệu mẫu", "sample data")
        if self.sample:
            return Msg("bảng điểm mẫu", "sample points table")
        return None


def rank(snap: Snapshot, year: int, stage: str = "final", cluster: str | None = None) -> Ranking | None:
    """The ranking of ``stage`` for the cluster's units of ``year``; None without a template.

    Ties share a rank (1, 1, 3). Unscored lines count 0 and the entry says how many are scored;
    a unit with no line scored at this stage is not ranked (see :class:`RankEntry`).
    Differences list, for each unit and line, where this stage and the one before it disagree.
    """
    template = snap.templates.get(year)
    if template is None:
        return None
    code = snap.default_cluster() if cluster is None else cluster
    units = snap.units_in(year, code)
    totals: list[tuple[str, str, Decimal, int]] = []
    for u in units:
        got = [snap.scores.get((u.code, ln.code, year, stage)) for ln in template.lines]
        total = sum((s.points for s in got if s is not None), Decimal(0))
        totals.append((u.code, u.name(year), total, sum(s is not None for s in got)))
    ranked = sorted((t for t in totals if t[3]), key=lambda t: -t[2])
    entries = []
    for code_, name, total, scored in ranked:
        position = 1 + sum(1 for other in ranked if other[2] > total)
        band = template.band(total)
        entries.append(RankEntry(code_, name, total, band.name if band else None, position, scored,
                                 len(template.lines)))
    entries += [RankEntry(code_, name, None, None, None, 0, len(template.lines))
                for code_, name, _total, scored in totals if not scored]
    differences = []
    before = STAGES[STAGES.index(stage) - 1] if STAGES.index(stage) > 0 else None
    if before is not None:
        for u in units:
            for ln in template.lines:
                a = snap.scores.get((u.code, ln.code, year, before))
                b = snap.scores.get((u.code, ln.code, year, stage))
                if a is not None and b is not None and abs(a.points - b.points) >= DIFF_THRESHOLD:
                    differences.append(Difference(u.code, ln.code, before, a.points, stage, b.points))
    sample_scores = any(s.year == year and s.stage == stage and s.note in SAMPLE_NOTES
                        for s in snap.scores.values())
    return Ranking(year, stage, template.max_total, tuple(entries), tuple(differences),
                   template.sample or sample_scores, sample_scores)


def json_points(d: Decimal) -> int | float:
    """A Decimal for JSON: whole points as int, others as the float that prints the same."""
    return int(d) if d == d.to_integral_value() else float(d)


def ranking_json(r: Ranking) -> dict[str, Any]:
    """``rank --json``: year, stage, max and the units sorted by rank."""
    return {
        "year": r.year, "stage": r.stage, "max": json_points(r.max_total), "sample": r.sample,
        "units": [{"code": e.code, "name": e.name,
                   "points": json_points(e.points) if e.points is not None else None, "band": e.band,
                   "rank": e.rank, "scored_lines": e.scored_lines, "total_lines": e.total_lines}
                  for e in r.entries],
        "differences": [{"unit": d.unit, "line": d.line, d.stage_a: json_points(d.points_a),
                         d.stage_b: json_points(d.points_b)} for d in r.differences],
    }


def template_from_doc(doc: Mapping[str, Any], year: int) -> Template:
    """A template from its document (the store, or an imported JSON); ValueError naming the part."""
    lines = []
    for i, ln in enumerate(doc.get("lines") or []):
        rule = ln.get("rule")
        lines.append(Line(
            str(ln["code"]), str(ln.get("area", "")), str(ln.get("title", "")),
            points(ln["max"]), points(ln.get("min", 0)),
            Rule(str(rule["kind"]), str(rule["indicator"]), points(rule.get("per", 0)), points(rule.get("step", 1)))
            if isinstance(rule, Mapping) else None))
    bands = tuple(Band(str(b["name"]), points(b["low"]), points(b["high"])) for b in doc.get("bands") or [])
    return Template(year, tuple(lines), bands, bool(doc.get("sample", False)))


def template_doc(t: Template) -> dict[str, Any]:
    """The document a template is stored as (points as strings, so 88.25 stays exact)."""
    return {
        "sample": t.sample,
        "lines": [{"code": ln.code, "area": ln.area, "title": ln.title, "max": str(ln.max_points),
                   "min": str(ln.min_points),
                   **({"rule": {"kind": ln.rule.kind, "indicator": ln.rule.indicator, "per": str(ln.rule.per),
                                "step": str(ln.rule.step)}} if ln.rule else {})}
                  for ln in t.lines],
        "bands": [{"name": b.name, "low": str(b.low), "high": str(b.high)} for b in t.bands],
    }
