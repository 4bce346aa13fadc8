"""Thi đua in the meeting report (Markdown, HTML) and the printed report: the ranking, the scoring
sheet and the commendations, each section absent when the year has no template or commendations."""

from __future__ import annotations

import dataclasses

import thidua_sample
from ccb_tui.core.domain.scoring import Line
from ccb_tui.core.report import meeting as report
from ccb_tui.core.store.store import Store


def test_markdown_has_ranking_sheet_and_commendations(store: Store) -> None:
    md = report.render(thidua_sample.with_thidua(store.snapshot()), 2020, "md")
    assert "## Thi đua năm 2020" in md and "### Xếp hạng" in md and "### Bảng chấm điểm" in md
    assert "| 1 | Krông Nô | 84,75 | Xuất sắc |  |" in md
    assert "| 1 | Nam Ka | 84,75 | Xuất sắc |  |" in md  # the tie shares rank 1
    assert "| 4 | Ea R'Bin | 49 | Yếu | 3/12 dòng chưa chấm |" in md
    assert "| 3.4 | Báo cáo đúng hạn | 5 | 4,75 / 4,25 / 4,25 |" in md  # the three stages
    assert "4 / 4 / —" in md  # not scored is a dash, not 0
    assert "Mỗi ô: tự chấm / cụm thẩm định / huyện chấm" in md
    assert "Nam Ka · dòng 1.2: tự chấm 10 → cụm thẩm định 8" in md
    assert "## Khen thưởng năm 2020" in md and "| 2 | Nguyễn Văn An (Nam Ka) | Giấy khen |" in md


def test_sections_absent_without_template_or_commendations(store: Store) -> None:
    md = report.render(thidua_sample.bare(store.snapshot()), 2020, "md")
    assert "Thi đua năm" not in md and "Khen thưởng" not in md
    snap = thidua_sample.with_thidua(store.snapshot(), with_commendations=False)
    md = report.render(snap, 2020, "md")
    assert "### Xếp hạng" in md and "Khen thưởng" not in md
    html = report.render(thidua_sample.with_thidua(store.snapshot(), with_scores=False), 2020, "html")
    assert "Chưa có điểm chấm nào." in html and "Bảng chấm điểm" in html and "Xếp hạng</h3>" not in html


def test_html_escapes_data_and_fits_a4(store: Store) -> None:
    snap = thidua_sample.with_thidua(store.snapshot())
    tpl = snap.templates[2020]
    evil = Line("1.1", "1", "<script>alert(1)</script> [b]x[/b]", tpl.lines[0].max_points)
    snap = dataclasses.replace(snap, templates={2020: dataclasses.replace(tpl, lines=(evil, *tpl.lines[1:]))})
    html = report.render(snap, 2020, "html", lang="en")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; [b]x[/b]" in html
    assert 'class="thidua"' in html and "Ranking" in html and "Scoring sheet" in html
    # Four units: the printed sheet shows the unit's own and the final points (A4 width).
    assert "Each cell: self-score / district score" in html
    assert "87.75 / 84.75" in html


def test_ranking_caption_names_the_stage_when_not_final(store: Store) -> None:
    snap = thidua_sample.with_thidua(store.snapshot())
    snap = dataclasses.replace(snap, scores={k: v for k, v in snap.scores.items() if k[3] != "final"})
    md = report.render(snap, 2020, "md", lang="en")
    assert "By the peer check · out of 90 points (no district score yet)" in md


def test_a_unit_not_scored_at_the_stage_is_not_ranked_in_every_view(store: Store) -> None:
    """Ea R'Bin without any district score: the report's ranking, the export's ranking part and
    `rank --json` (one computation, scoring.rank) all give it no rank, no points and no band."""
    from ccb_tui.core.domain import scoring
    from ccb_tui.core.exchange import export
    snap = thidua_sample.with_thidua(store.snapshot())
    snap = dataclasses.replace(snap, scores={k: v for k, v in snap.scores.items()
                                             if not (k[0] == "ea_rbin" and k[3] == "final")})
    md = report.render(snap, 2020, "md")
    assert "| — | Ea R'Bin | — | — | chưa chấm |" in md
    assert "| 3 | Liên Sơn | 72,5 | Tiên tiến |" in md
    r = scoring.rank(snap, 2020, "final")
    last = r.entries[-1]
    assert (last.code, last.rank, last.points, last.band) == ("ea_rbin", None, None, None)
    rows = [x for x in export.build_rows(snap, 2020)["ranking"] if x["stage"].code == "final"]
    ea = next(x for x in rows if x["unit"] == "ea_rbin")
    assert (ea["rank"], ea["points"], ea["band"], ea["scored"]) == (None, None, None, "0/12")
    csv = export.render(snap, 2020, "csv").decode("utf-8-sig")
    line = next(x for x in csv.splitlines() if x.startswith("Xếp hạng,2020,ea_rbin") and "huyện chấm" in x)
    assert line.endswith("huyện chấm,,,,,0/12,,,,,")  # no points, rank or band: empty cells, not 0
