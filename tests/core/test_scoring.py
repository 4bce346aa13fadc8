"""The pure thi đua core: points as Decimals, template validation, bands from data, the ranking."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from ccb_tui.core.domain import scoring
from ccb_tui.core.domain.models import Cluster, Snapshot, Unit, UnitPeriod
from ccb_tui.core.domain.scoring import Band, Line, Score, Template
from ccb_tui.core.domain.scoring_text import fmt_points, parse_stage
from ccb_tui.core.domain.errors import InvalidValue

BANDS = (Band("Xuất sắc", D(81), D(90)), Band("Tiên tiến", D(71), D(80)),
         Band("Vững mạnh", D(61), D(70)), Band("Yếu", D(0), D(60)))


def template(lines=None, bands=BANDS) -> Template:
    lines = lines or (Line("A", "x", "a", D(45)), Line("B", "x", "b", D(45)), Line("P", "y", "pen", D(0), D(-5)))
    return Template(2020, tuple(lines), tuple(bands))


def snapshot(t: Template, scores: dict[str, list[str]], stage: str = "final") -> Snapshot:
    units = tuple(Unit(code, "xa", (UnitPeriod(2019, f"Xã {code}", "c3"),)) for code in scores)
    sc = {}
    for code, pts in scores.items():
        for ln, p in zip(t.lines, pts):
            if p is not None:
                sc[(code, ln.code, 2020, stage)] = Score(code, ln.code, 2020, stage, scoring.points(p))
    return Snapshot(1, {"c3": Cluster("c3", "Cụm 3", "Cluster 3")}, units, {}, {}, {}, (),
                    templates={2020: t}, scores=sc)


@pytest.mark.parametrize("raw, expected", [
    ("88.25", "88.25"), (88.25, "88.25"), ("9.50", "9.5"), ("10", "10"), ("-1.5", "-1.5"), ("0", "0"),
])
def test_points_are_exact_decimals(raw, expected):
    assert str(scoring.points(raw)) == expected
    assert scoring.points(raw) == D(expected)


@pytest.mark.parametrize("raw", ["9.555", "abc", "NaN", "Infinity", "1e9", True, None, "1001"])
def test_points_refuses_what_is_not_points(raw):
    with pytest.raises(ValueError):
        scoring.points(raw)


def test_sums_stay_exact():
    # 0.1 + 0.2 as floats is 0.30000000000000004; as points it is 0,3
    total = scoring.points("0.1") + scoring.points("0.2") + scoring.points("88.25") - scoring.points("0.3")
    assert total == D("88.25")
    assert fmt_points(total) == "88,25" and fmt_points(total, "en") == "88.25"
    assert fmt_points(D("69.00")) == "69" and fmt_points(None) == "—"


def test_ties_share_a_rank_1_1_3():
    t = template()
    snap = snapshot(t, {"a": ["40", "40", "0"], "b": ["40", "40", "0"], "c": ["30", "30.5", "-1"],
                        "d": ["45", "35", None]})
    r = scoring.rank(snap, 2020, "final")
    assert [(e.code, e.rank) for e in r.entries] == [("a", 1), ("b", 1), ("d", 1), ("c", 4)]
    snap = snapshot(t, {"a": ["44", "44", "0"], "b": ["44", "44", "0"], "c": ["40", "40.25", "0"]})
    r = scoring.rank(snap, 2020, "final")
    assert [e.rank for e in r.entries] == [1, 1, 3]
    assert r.entries[2].points == D("80.25")
    assert scoring.ranking_json(r)["units"][2]["points"] == 80.25


def test_unscored_lines_count_zero_and_are_counted():
    t = template()
    r = scoring.rank(snapshot(t, {"a": ["40", None, None]}), 2020, "final")
    e = r.entries[0]
    assert (e.points, e.scored_lines, e.total_lines, e.complete) == (D(40), 1, 3, False)


def test_bands_come_from_the_template_data():
    t = template()
    assert t.band(D(90)).name == "Xuất sắc"
    assert t.band(D(81)).name == "Xuất sắc"
    assert t.band(D("80.5")).name == "Tiên tiến"
    assert t.band(D(61)).name == "Vững mạnh"
    assert t.band(D(0)).name == "Yếu"
    assert t.band(D(-3)).name == "Yếu"  # penalties below every band: the lowest one
    other = template(bands=(Band("Tốt", D(0), D(50)), Band("Rất tốt", D(51), D(90))))
    assert other.band(D(60)).name == "Rất tốt"
    r = scoring.rank(snapshot(other, {"a": ["30", "30", "0"]}), 2020, "final")
    assert r.entries[0].band == "Rất tốt"


def test_valid_template_has_no_problems():
    assert scoring.validate_template(template()) == []


@pytest.mark.parametrize("lines, bands, where", [
    ((Line("A", "x", "a", D(45)), Line("A", "x", "b", D(45))), BANDS, "line/A"),  # duplicate codes
    ((Line("A", "x", "a", D(-1)), Line("B", "x", "b", D(91))), BANDS, "line/A"),  # negative max
    ((Line("A", "x", "a", D(45)), Line("B", "x", "b", D(45), D(1))), BANDS, "line/B"),  # min above 0
    (None, (Band("A", D(75), D(90)), Band("B", D(61), D(80)), Band("C", D(0), D(60))), "band/A"),  # overlap
    (None, (Band("A", D(85), D(90)), Band("B", D(61), D(80)), Band("C", D(0), D(60))), "band/A"),  # gap
    (None, (Band("A", D(81), D(85)), Band("B", D(0), D(80))), "bands"),  # short of the maximum
    (None, (Band("A", D(81), D(90)), Band("B", D(10), D(80))), "bands"),  # does not start at 0
    (None, (), "bands"),
    ((), BANDS, "lines"),
])
def test_template_validation(lines, bands, where):
    problems = scoring.validate_template(template(lines, bands) if lines != () else Template(2020, (), bands))
    assert where in [p.field for p in problems], problems
    assert all(p.msg.vi and p.msg.en for p in problems)


def test_penalty_lines_let_bands_start_at_zero():
    t = template((Line("A", "x", "a", D(90)), Line("P", "x", "p", D(0), D(-5))))
    assert scoring.validate_template(t) == []


def test_template_doc_round_trip_keeps_decimals():
    t = Template(2020, (Line("A", "x", "a", D("9.5"), D(0), scoring.Rule("target_ratio", "new_members")),
                        Line("B", "x", "b", D("80.5"), D("-2.25"))),
                 (Band("Tốt", D(0), D(90)),), sample=True)
    doc = scoring.template_doc(t)
    assert doc["lines"][0]["max"] == "9.5" and doc["lines"][1]["min"] == "-2.25"
    assert scoring.template_from_doc(doc, 2020) == t


def test_differences_list_lines_a_stage_moved_by_one_point_or_more():
    t = template()
    snap = snapshot(t, {"a": ["40", "40", "0"]}, "self")
    peer = snapshot(t, {"a": ["38.5", "39.5", "0"]}, "peer")
    both = Snapshot(1, snap.clusters, snap.units, {}, {}, {}, (), templates={2020: t},
                    scores={**snap.scores, **peer.scores})
    r = scoring.rank(both, 2020, "peer")
    assert [(d.line, d.points_a, d.points_b) for d in r.differences] == [("A", D(40), D("38.5"))]


@pytest.mark.parametrize("raw, stage", [("self", "self"), ("Tự chấm", "self"), ("cụm", "peer"),
                                        ("huyện", "final"), ("FINAL", "final")])
def test_stage_aliases(raw, stage):
    assert parse_stage(raw) == stage


def test_misspelt_stage_is_refused_naming_the_choices():
    with pytest.raises(InvalidValue) as exc:
        parse_stage("fnal")
    assert "self" in exc.value.msg.vi and "final" in exc.value.msg.en


def test_a_unit_with_nothing_scored_is_not_ranked():
    """No line scored at the stage: no points, band or rank (not "last on 0 points, Yếu"), and
    it comes after the ranked units; the ranked ones rank among themselves."""
    t = template()
    r = scoring.rank(snapshot(t, {"a": [None, None, None], "b": ["10", None, None], "c": [None, None, None]}),
                     2020, "final")
    assert [(e.code, e.rank, e.points, e.band) for e in r.entries] == [
        ("b", 1, D(10), "Yếu"), ("a", None, None, None), ("c", None, None, None)]
    assert [e.scored for e in r.entries] == [True, False, False]
    units = scoring.ranking_json(r)["units"]
    assert units[1] == {"code": "a", "name": "Xã a", "points": None, "band": None, "rank": None,
                        "scored_lines": 0, "total_lines": 3}
    # a zero that was scored is ranked
    r = scoring.rank(snapshot(t, {"a": ["0", None, None]}), 2020, "final")
    assert (r.entries[0].rank, r.entries[0].points) == (1, D(0))


@pytest.mark.parametrize("points, vi, en", [("80.50", "80,5", "80.5"), ("80", "80", "80"), ("100", "100", "100"),
                                            ("88.25", "88,25", "88.25"), ("-1.50", "-1,5", "-1.5"), ("0.0", "0", "0")])
def test_points_read_the_same_in_every_view(points, vi, en):
    from decimal import Decimal
    from ccb_tui.core.domain.scoring_text import fmt_points
    from ccb_tui.core.report.thidua import show_points
    d = Decimal(points)
    assert (fmt_points(d), fmt_points(d, "en")) == (vi, en)
    assert show_points(d) == vi
