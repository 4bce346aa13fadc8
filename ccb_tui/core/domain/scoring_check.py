"""What ``ccb-tui check`` says about a year's thi đua: scores without a points table, lines not
scored at a stage that has begun, a ranking asked for (commendations proposed) before the district
scored, and the lines where two stages disagree (the threshold and the list are
:func:`scoring.rank`'s ``differences``).

Each finding is a problem to review (``ok`` False) or a note that needs nothing (``ok`` True): a
disagreement the district's final score has already settled is a note; one still waiting for it
is a problem. Pure: no store, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Msg, Snapshot
from .scoring import STAGE_LABELS, STAGES, rank
from .scoring_text import fmt_points, no_template_msg

TITLE_CUT = 40


@dataclass(frozen=True)
class Finding:
    """One line of ``check``'s thi đua part."""

    ok: bool
    year: int
    msg: Msg

    def text(self, lang: str = "vi") -> str:
        """The finding in ``lang``."""
        return self.msg.text(lang)


def _cut(title: str) -> str:
    return title if len(title) <= TITLE_CUT else title[:TITLE_CUT - 1].rstrip() + "…"


def _years(snap: Snapshot) -> list[int]:
    return sorted(set(snap.templates) | {y for (_, _, y, _) in snap.scores}
                  | {c.year for c in snap.commendations})


def check_thidua(snap: Snapshot, year: int) -> list[Finding]:
    """The findings for ``year`` (see the module), in a stable order."""
    template = snap.templates.get(year)
    # The snapshot's current cluster only (``Snapshot.with_cluster`` for another): a cluster's
    # stage has begun when one of its own units was scored at it.
    cluster = snap.default_cluster()
    members = {u.code for u in snap.units_in(year, cluster)}
    scored = {k: s for k, s in snap.scores.items() if k[2] == year and k[0] in members}
    out: list[Finding] = []
    if template is None:
        if scored:
            units = sorted({k[0] for k in scored})
            names = ", ".join((snap.unit(u).name(year) if snap.unit(u) else u) for u in units)  # type: ignore[union-attr]
            hint = no_template_msg(year)
            out.append(Finding(False, year, Msg(
                f"Năm {year} có {len(scored)} điểm chấm thi đua ({names}) nhưng chưa có bảng điểm: không xếp hạng được. "
                + hint.vi.split(". ", 1)[1],
                f"{year} has {len(scored)} thi đua scores ({names}) but no points table: no ranking can be made. "
                + hint.en.split(": ", 1)[1])))
        return out
    units = snap.units_in(year, cluster)
    started = [s for s in STAGES if any(k[3] == s for k in scored)]
    for stage in started:
        vi, en = STAGE_LABELS[stage]
        for u in units:
            missing = [ln.code for ln in template.lines if (u.code, ln.code, year, stage) not in scored]
            if missing:
                codes = ", ".join(missing[:12]) + (" …" if len(missing) > 12 else "")
                out.append(Finding(False, year, Msg(
                    f"{u.name(year)} · {vi} {year}: {len(missing)}/{len(template.lines)} dòng chưa chấm ({codes}). "
                    f"Chấm: ccb-tui score set {u.code} DÒNG ĐIỂM --stage {stage} --year {year}",
                    f"{u.name(year)} · {en} {year}: {len(missing)}/{len(template.lines)} lines not scored ({codes}). "
                    f"Score them: ccb-tui score set {u.code} LINE POINTS --stage {stage} --year {year}")))
    # A proposal for a person of no unit belongs to no cluster: it is counted with the first.
    first = next(iter(snap.clusters), None)
    proposals = [c for c in snap.commendations
                 if c.year == year and (c.unit in members if c.unit else cluster == first)]
    if proposals and "final" not in started:
        out.append(Finding(False, year, Msg(
            f"Năm {year} có {len(proposals)} đề nghị khen thưởng nhưng huyện chưa chấm điểm nào (huyện chấm): "
            f"bình xét chưa có xếp hạng cuối. Chấm: ccb-tui score set ĐƠN_VỊ DÒNG ĐIỂM --stage final --year {year}",
            f"{year} has {len(proposals)} commendation(s) proposed but no district score yet: the proposals rest on "
            f"no final ranking. Score: ccb-tui score set UNIT LINE POINTS --stage final --year {year}")))
    for stage in started:
        r = rank(snap, year, stage)
        for d in (r.differences if r else ()):
            u = snap.unit(d.unit)
            ln = template.line(d.line)
            name = u.name(year) if u else d.unit
            title = f" ({_cut(ln.title)})" if ln else ""
            gap = abs(d.points_a - d.points_b)
            a_vi, a_en = STAGE_LABELS[d.stage_a]
            b_vi, b_en = STAGE_LABELS[d.stage_b]
            head_vi = (f"{name} · dòng {d.line}{title} {year}: {a_vi} {fmt_points(d.points_a)} → {b_vi} "
                       f"{fmt_points(d.points_b)} (lệch {fmt_points(gap)} điểm)")
            head_en = (f"{name} · line {d.line}{title} {year}: {a_en} {fmt_points(d.points_a, 'en')} → {b_en} "
                       f"{fmt_points(d.points_b, 'en')} (off by {fmt_points(gap, 'en')})")
            final = scored.get((d.unit, d.line, year, "final"))
            if d.stage_b == "final":
                out.append(Finding(True, year, Msg(head_vi + "; điểm huyện chấm là điểm cuối.",
                                                   head_en + "; the district's score stands.")))
            elif final is not None:
                out.append(Finding(True, year, Msg(
                    head_vi + f"; huyện đã chấm {fmt_points(final.points)}.",
                    head_en + f"; settled by the district's {fmt_points(final.points, 'en')}.")))
            else:
                out.append(Finding(False, year, Msg(
                    head_vi + f"; chờ huyện chấm: ccb-tui score set {d.unit} {d.line} ĐIỂM --stage final --year {year}",
                    head_en + f"; awaiting the district: ccb-tui score set {d.unit} {d.line} POINTS --stage final "
                              f"--year {year}")))
    return out


def thidua_years(snap: Snapshot) -> list[int]:
    """The years that have a points table, scores or commendations."""
    return _years(snap)


__all__ = ["Finding", "check_thidua", "thidua_years"]
