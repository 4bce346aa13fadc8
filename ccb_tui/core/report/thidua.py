"""Thi đua as every view shows it: the scoring sheet, the ranking and the commendations of a year.

:func:`thidua_view` works everything out once from a snapshot (the rankings are
:func:`scoring.rank`'s, never summed again here); the meeting page, the reports and the exports
render that one object. Points keep their Decimal exactness and are shown Vietnamese style
("88,25"). Headless: no textual, rich or plotext.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..domain import scoring
from ..domain.fmt import format_number
from ..domain.models import Snapshot, Unit
from ..domain.scoring import COMMENDATION_STATUS, STAGE_LABELS, STAGES, Commendation, Ranking, Template


def _t(lang: str, vi: str, en: str) -> str:
    return en if lang == "en" else vi


def decimals_of(d: Decimal) -> int:
    """How many fraction digits a points value needs (88 → 0, 88,5 → 1, 88,25 → 2)."""
    exp = d.normalize().as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 0


def show_points(d: Decimal | None, lang: str = "vi") -> str:
    """Points Vietnamese style with the decimals they have ("88,25", "90"); "—" for none."""
    if d is None:
        return "—"
    return format_number(d, decimals_of(d), lang)


def stage_label(stage: str, lang: str = "vi") -> str:
    """"huyện chấm" / "district score"."""
    vi, en = STAGE_LABELS[stage]
    return _t(lang, vi, en)


def missing_text(entry: scoring.RankEntry, lang: str = "vi") -> str:
    """"3/12 dòng chưa chấm" for an incomplete entry, "chưa chấm" for a unit with no line scored
    (not ranked); "" when every line has points."""
    if entry.complete:
        return ""
    if not entry.scored:
        return _t(lang, "chưa chấm", "not scored")
    n = entry.total_lines - entry.scored_lines
    return _t(lang, f"{n}/{entry.total_lines} dòng chưa chấm", f"{n}/{entry.total_lines} lines not scored")


def commendation_status(c: Commendation, lang: str = "vi") -> str:
    """"đề nghị" / "được duyệt"."""
    vi, en = COMMENDATION_STATUS.get(c.status, (c.status, c.status))
    return _t(lang, vi, en)


@dataclass(frozen=True)
class ThiDua:
    """A year's thi đua for the cluster: what every view shows.

    ``rankings`` holds :func:`scoring.rank` for each stage that has any score; ``stage`` is the
    stage the views lead with (the final when it has scores, else the latest that has any), None
    when nothing is scored yet.
    """

    year: int
    template: Template | None
    units: tuple[Unit, ...]
    rankings: dict[str, Ranking]
    stage: str | None
    commendations: tuple[Commendation, ...]
    scores: dict[tuple[str, str, str], Decimal]
    """(unit, line, stage) → points, for the cluster's units and the template's lines."""

    @property
    def ranking(self) -> Ranking | None:
        """The ranking the views lead with."""
        return self.rankings.get(self.stage) if self.stage else None

    @property
    def scored_stages(self) -> tuple[str, ...]:
        """The stages that have any score, in order."""
        return tuple(s for s in STAGES if s in self.rankings)

    def sheet_stages(self, compact: bool = False) -> tuple[str, ...]:
        """The stages the scoring sheet shows: every stage (a blank reads "not yet"), or only the
        unit's own and the final one when ``compact`` (an A4 page is too narrow for three stages
        of four units; the peer check's disagreements are listed under the sheet)."""
        return ("self", "final") if compact else STAGES

    def points(self, unit: str, line: str, stage: str) -> Decimal | None:
        """A unit's points on a line at a stage, None when not scored."""
        return self.scores.get((unit, line, stage))

    def unit_name(self, code: str | None) -> str:
        """The short name of a unit of the cluster (the code for any other)."""
        if code is None:
            return ""
        u = next((u for u in self.units if u.code == code), None)
        return u.short_name(self.year) if u else code


def thidua_view(snap: Snapshot, year: int) -> ThiDua:
    """The year's thi đua, worked out once."""
    template = snap.templates.get(year)
    units = tuple(snap.units_in(year, snap.default_cluster()))
    codes = {u.code for u in units}
    commendations = tuple(sorted((c for c in snap.commendations if c.year == year), key=lambda c: c.id))
    rankings: dict[str, Ranking] = {}
    scores: dict[tuple[str, str, str], Decimal] = {}
    if template is not None:
        lines = {ln.code for ln in template.lines}
        for (unit, line, y, stage), s in snap.scores.items():
            if y == year and unit in codes and line in lines and stage in STAGES:
                scores[(unit, line, stage)] = s.points
        for stage in STAGES:
            if any(k[2] == stage for k in scores):
                r = scoring.rank(snap, year, stage)
                if r is not None:
                    rankings[stage] = r
    lead = "final" if "final" in rankings else next((s for s in reversed(STAGES) if s in rankings), None)
    return ThiDua(year, template, units, rankings, lead, commendations, scores)


# --- plain rows shared by the reports -------------------------------------------------------

def ranking_head(lang: str = "vi") -> list[str]:
    """The ranking table's columns."""
    return [_t(lang, "Hạng", "Rank"), _t(lang, "Đơn vị", "Unit"), _t(lang, "Điểm", "Points"),
            _t(lang, "Xếp loại", "Band"), _t(lang, "Ghi chú", "Note")]


def ranking_rows(td: ThiDua, lang: str = "vi", stage: str | None = None) -> list[list[str]]:
    """One row per unit, by rank: rank, unit, points, band, "3/12 dòng chưa chấm"."""
    r = td.rankings.get(stage or td.stage or "")
    if r is None:
        return []
    return [[rank_text(e), td.unit_name(e.code), show_points(e.points, lang), e.band or "—", missing_text(e, lang)]
            for e in r.entries]


def rank_text(entry: scoring.RankEntry) -> str:
    """The rank as shown: "1", or "—" for a unit not ranked (nothing scored at the stage)."""
    return "—" if entry.rank is None else str(entry.rank)


def ranking_caption(td: ThiDua, lang: str = "vi") -> str:
    """"Theo điểm huyện chấm · tối đa 90 điểm" (and why this stage when it is not the final)."""
    r = td.ranking
    if r is None:
        return ""
    out = _t(lang, f"Theo điểm {stage_label(r.stage, lang)} · tối đa {show_points(r.max_total, lang)} điểm",
             f"By the {stage_label(r.stage, lang)} · out of {show_points(r.max_total, lang)} points")
    if r.stage != "final":
        out += _t(lang, " (huyện chưa chấm)", " (no district score yet)")
    words = r.sample_words()
    if words:
        out += f" · {words.text(lang)}"
    return out


def sheet_head(td: ThiDua, lang: str = "vi") -> list[str]:
    """The scoring sheet's columns: line, content, max, then one per unit."""
    return [_t(lang, "Dòng", "Line"), _t(lang, "Nội dung", "Content"), _t(lang, "Tối đa", "Max"),
            *(u.short_name(td.year) for u in td.units)]


def sheet_legend(td: ThiDua, lang: str = "vi", compact: bool = False) -> str:
    """What a cell of the sheet holds ("tự chấm / cụm thẩm định / huyện chấm; — chưa chấm")."""
    stages = " / ".join(stage_label(s, lang) for s in td.sheet_stages(compact))
    return _t(lang, f"Mỗi ô: {stages}; “—”: chưa chấm.", f"Each cell: {stages}; “—”: not scored.")


def sheet_rows(td: ThiDua, lang: str = "vi", compact: bool = False) -> list[list[str]]:
    """One row per line (each unit's cell: the stages' points joined by " / "), then the totals
    of each stage as the rankings have them."""
    if td.template is None:
        return []
    stages = td.sheet_stages(compact)
    rows = []
    for ln in td.template.lines:
        rows.append([ln.code, ln.title, show_points(ln.max_points, lang),
                     *(" / ".join(show_points(td.points(u.code, ln.code, s), lang) for s in stages)
                       for u in td.units)])
    totals = []
    for u in td.units:
        cells = []
        for s in stages:
            r = td.rankings.get(s)
            e = next((e for e in r.entries if e.code == u.code), None) if r else None
            cells.append(show_points(e.points if e else None, lang))
        totals.append(" / ".join(cells))
    rows.append(["", _t(lang, "Tổng điểm", "Total"), show_points(td.template.max_total, lang), *totals])
    return rows


def differences_lines(td: ThiDua, lang: str = "vi", stage: str | None = None) -> list[str]:
    """The lines where a stage and the one before disagree by at least a point: of ``stage``, or
    of every stage."""
    out = []
    for stage in ([stage] if stage in td.rankings else []) if stage else td.scored_stages:
        for d in td.rankings[stage].differences:
            out.append(f"{td.unit_name(d.unit)} · {_t(lang, 'dòng', 'line')} {d.line}: "
                       f"{stage_label(d.stage_a, lang)} {show_points(d.points_a, lang)} → "
                       f"{stage_label(d.stage_b, lang)} {show_points(d.points_b, lang)}")
    return out


def commendation_head(lang: str = "vi") -> list[str]:
    """The commendations table's columns."""
    return ["#", _t(lang, "Tập thể / cá nhân", "Unit / person"), _t(lang, "Hình thức", "Form"),
            _t(lang, "Cấp", "Level"), _t(lang, "Thành tích", "Reason"), _t(lang, "Trạng thái", "Status")]


def commendation_who(td: ThiDua, c: Commendation, lang: str = "vi") -> str:
    """"Tập thể Krông Nô" or "Nguyễn Văn An (Krông Nô)"."""
    unit = td.unit_name(c.unit)
    if not c.person:
        return _t(lang, f"Tập thể {unit}", f"{unit} (collective)") if unit else "—"
    return f"{c.person} ({unit})" if unit else c.person


def commendation_rows(td: ThiDua, lang: str = "vi") -> list[list[str]]:
    """One row per commendation of the year."""
    return [[str(c.id), commendation_who(td, c, lang), c.form, c.level, c.reason, commendation_status(c, lang)]
            for c in td.commendations]
