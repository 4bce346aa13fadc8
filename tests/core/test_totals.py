"""Cluster totals, progress, ratios, reconciliation and the year summary."""

from __future__ import annotations

import dataclasses

import json

import pytest

from ccb_tui.core.domain.errors import InvalidValue
from ccb_tui.core.domain.indicators import CATALOGUE, Direction
from ccb_tui.core.domain.models import (
    NOT_REPORTED, Cluster, Qualifier, Reading, ReportedTotal, Snapshot, Status, Target, Unit, UnitPeriod,
)
from ccb_tui.core.domain.totals import (
    Bounds, Progress, Total, cluster_progress, cluster_targets, cluster_totals, progress, qualifier_bounds, ratios, reconcile, reconcile_one, significant_step, summarize, to_json, unit_progress,
)

E, N, O, A, H = (Qualifier.EXACT, Qualifier.NEARLY, Qualifier.OVER, Qualifier.ABOUT,
                 Qualifier.HUNDREDS)
UNITS = ("krong_no", "nam_ka", "ea_rbin", "lien_son")


# ---------------------------------------------------------------------------
# Fixture helper
# ---------------------------------------------------------------------------


def unit(code: str, name: str, kind: str = "xa", cluster: str = "cum3", from_year: int = 2015,
         retired_from: int | None = None) -> Unit:
    return Unit(code, kind, (UnitPeriod(from_year, name, cluster),), retired_from)


BASE_UNITS = (
    unit("krong_no", "Xã Krông Nô"),
    unit("nam_ka", "Xã Nam Ka"),
    unit("ea_rbin", "Xã Ea R'Bin"),
    unit("lien_son", "Thị trấn Liên Sơn", "thi_tran"),
)
CLUSTERS = {
    "cum3": Cluster("cum3", "Cụm thi đua số 3", "Competition cluster No. 3"),
    "cum4": Cluster("cum4", "Cụm thi đua số 4", "Competition cluster No. 4"),
}


def snap(values=None, targets=None, reported=None, units=BASE_UNITS) -> Snapshot:
    """A snapshot from plain dicts: values {(unit, ind, year): value | Reading}."""
    vals = {k: v if isinstance(v, Reading) else Reading(v) for k, v in (values or {}).items()}
    tgts = {k: v if isinstance(v, Target) else Target(v) for k, v in (targets or {}).items()}
    return Snapshot(revision=1, clusters=CLUSTERS, units=tuple(units), values=vals,
                    targets=tgts, reported=reported or {}, tasks=())


def per_unit(indicator: str, year: int, *figures) -> dict:
    """{(unit, indicator, year): figure} for the four units in order (None: leave out)."""
    return {(u, indicator, year): f for u, f in zip(UNITS, figures) if f is not None}


# The 2020 article, split over the units (the split is invented, the totals are not).
ARTICLE_VALUES = {
    **per_unit("branches", 2020, 10, 9, 8, 9),
    **per_unit("members", 2020, 120, 110, 98, 110),
    **per_unit("new_members", 2020, 6, 6, 6, 6),
    **per_unit("houses_removed", 2020, 1, 0, 0, 0),
    **per_unit("houses_built", 2020, 2, 1, 1, 1),
    **per_unit("fund", 2020, 70_000_000, 60_000_000, 55_000_000, 63_600_000),
    **per_unit("loans", 2020, 2_500_000_000, 2_100_000_000, NOT_REPORTED, 2_130_000_000),
    **per_unit("workdays", 2020, Reading(120, H), Reading(100, H), Reading(90), Reading(110, H)),
    **per_unit("land_m2", 2020, 500, 400, 300, 320),
    **per_unit("canal_km", 2020, 0.5, 0.4, 0.3, 0.3),
}
ARTICLE_TARGETS = per_unit("new_members", 2020, 5, 6, 6, 5)


def rt(indicator, value, qualifier=E, quote="", plan_met=None) -> ReportedTotal:
    return ReportedTotal(indicator, value, qualifier, quote or str(value), plan_met)


ARTICLE_REPORTED = {("cum3", 2020): {
    "branches": rt("branches", 36, E, "36 chi hội"),
    "members": rt("members", 438, E, "438 hội viên"),
    "new_members": rt("new_members", 24, E, "24 hội viên đạt kế hoạch trên giao", True),
    "houses_removed": rt("houses_removed", 1, E, "01 nhà"),
    "houses_built": rt("houses_built", 5, E, "05 nhà"),
    "fund": rt("fund", 250_000_000, N, "gần 250 triệu đồng"),
    "loans": rt("loans", 6_700_000_000, O, "trên 6,7 tỷ đồng"),
    "workdays": rt("workdays", None, H, "hàng trăm ngày công"),
    "land_m2": rt("land_m2", 1500, O, "trên 1.500m2"),
    "canal_km": rt("canal_km", 1.5, E, "1,5km"),
}}


def article() -> Snapshot:
    return snap(ARTICLE_VALUES, ARTICLE_TARGETS, ARTICLE_REPORTED)


# ---------------------------------------------------------------------------
# Totals
# ---------------------------------------------------------------------------


def test_totals_cover_every_catalogue_indicator():
    totals = cluster_totals(snap(), 2020)
    assert list(totals) == [ind.code for ind in CATALOGUE]
    assert all(t.value is None and t.reported_units == () for t in totals.values())
    assert totals["members"].missing_units == UNITS


def test_not_reported_is_excluded_and_listed_as_missing():
    s = snap({("krong_no", "fund", 2020): 100_000_000,
              ("nam_ka", "fund", 2020): 148_600_000,
              ("lien_son", "fund", 2020): NOT_REPORTED})
    t = cluster_totals(s, 2020)["fund"]
    assert t == Total("fund", 248_600_000, ("krong_no", "nam_ka"), ("ea_rbin", "lien_son"), False)
    assert not t.complete


def test_not_reported_with_value_zero_is_not_counted():
    s = snap({("krong_no", "members", 2020): 10,
              ("nam_ka", "members", 2020): Reading(None, status=Status.NOT_REPORTED)})
    t = cluster_totals(s, 2020)["members"]
    assert (t.value, t.reported_units) == (10, ("krong_no",))
    assert "nam_ka" in t.missing_units


@pytest.mark.parametrize("indicator, figures, expected, expected_type", [
    ("canal_km", (0.5, 0.4, 0.3, 0.3), 1.5, float),
    ("canal_km", (0.1, 0.2, 0.3, None), 0.6, float),  # naive sum: 0.6000000000000001
    ("canal_km", (1, 2, None, None), 3, int),  # ints stay int
    ("canal_km", (0.125, 0.125, None, None), 0.25, float),
    ("members", (120, 110, 98, 110), 438, int),
    ("members", (120.0, 110, None, None), 230, int),  # counts are whole
    ("fund", (70_000_000, 60_000_000, 55_000_000, 63_600_000), 248_600_000, int),
    ("land_m2", (500, 400.0, None, None), 900, int),
])
def test_sums_use_fsum_and_round_to_decimals(indicator, figures, expected, expected_type):
    t = cluster_totals(snap(per_unit(indicator, 2020, *figures)), 2020)[indicator]
    assert t.value == expected
    assert type(t.value) is expected_type


def test_approximate_when_any_reading_is_qualified():
    totals = cluster_totals(article(), 2020)
    assert totals["workdays"].approximate
    assert totals["workdays"].value == 420
    assert not totals["members"].approximate


def test_only_active_units_of_the_cluster_are_summed():
    units = (*BASE_UNITS,
             unit("other", "Xã Khác", cluster="cum4"),
             unit("gone", "Xã Cũ", retired_from=2020),
             unit("late", "Xã Mới", from_year=2021))
    values = {(u.code, "members", 2020): 1 for u in units}
    totals = cluster_totals(snap(values, units=units), 2020)
    assert totals["members"].value == 4
    assert totals["members"].reported_units == UNITS
    assert cluster_totals(snap(values, units=units), 2020, "cum4")["members"].value == 1


def test_unit_moving_cluster_counts_where_it_is_that_year():
    moved = Unit("mover", "xa", (UnitPeriod(2015, "Xã Di", "cum4"), UnitPeriod(2020, "Xã Di", "cum3")))
    values = {("mover", "members", 2019): 5, ("mover", "members", 2020): 7}
    s = snap(values, units=(moved,))
    assert cluster_totals(s, 2019, "cum3")["members"].value is None
    assert cluster_totals(s, 2019, "cum4")["members"].value == 5
    assert cluster_totals(s, 2020)["members"].value == 7


def test_cluster_targets_sum_the_targets_of_units_that_reported():
    s = snap(values={**per_unit("new_members", 2020, 7, 6, 5, 6), **per_unit("canal_km", 2020, 0.5, 0.4, 0.3, None)},
             targets={**per_unit("new_members", 2020, 5, 6, None, 5),
                      ("krong_no", "canal_km", 2020): 0.1, ("nam_ka", "canal_km", 2020): 0.2,
                      ("lien_son", "canal_km", 2020): 9.0})
    targets = cluster_targets(s, 2020)
    assert targets["new_members"] == 16  # Ea R'Bin has no target: left out of both sides
    assert targets["canal_km"] == 0.3  # Liên Sơn did not report: its target is left out
    assert targets["members"] is None
    p = cluster_progress(s, 2020)
    assert (p["new_members"].actual, p["new_members"].basis) == (19, "units")
    assert p["new_members"].units_counted == ("krong_no", "nam_ka", "lien_son")
    assert p["new_members"].units_total == 4 and p["new_members"].partial
    assert p["canal_km"].actual == 0.9 and p["canal_km"].units_counted == ("krong_no", "nam_ka")


def test_cluster_own_target_wins():
    s = snap(values=per_unit("members", 2020, 120, 110, None, 108),
             targets=per_unit("members", 2020, 125, 115, 105, 110))
    s = dataclasses.replace(s, cluster_targets={("cum3", "members", 2020): Target(450)})
    p = cluster_progress(s, 2020)["members"]
    assert (p.actual, p.target, p.basis, p.met) == (338, 450, "cluster", False)
    assert p.units_counted == ("krong_no", "nam_ka", "lien_son") and not p.partial


# ---------------------------------------------------------------------------
# Progress
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("actual, target, direction, percent, met, exceeded", [
    (24, 22, Direction.HIGHER, 24 / 22 * 100, True, True),
    (24, 24, Direction.HIGHER, 100.0, True, False),
    (20, 24, Direction.HIGHER, 20 / 24 * 100, False, False),
    (0, 10, Direction.HIGHER, 0.0, False, False),
    (5, 0, Direction.HIGHER, None, True, True),
    (None, 10, Direction.HIGHER, None, None, False),
    (10, None, Direction.HIGHER, None, None, False),
    (None, None, Direction.HIGHER, None, None, False),
    # lower is better: met when actual <= target, percent = target / actual * 100
    (2, 5, Direction.LOWER, 250.0, True, True),
    (5, 5, Direction.LOWER, 100.0, True, False),
    (8, 4, Direction.LOWER, 50.0, False, False),
    (0, 4, Direction.LOWER, None, True, True),
    (None, 4, Direction.LOWER, None, None, False),
])
def test_progress(actual, target, direction, percent, met, exceeded):
    p = progress(actual, target, direction)
    assert (p.actual, p.target, p.met, p.exceeded, p.direction) == (
        actual, target, met, exceeded, direction)
    assert p.percent == pytest.approx(percent) if percent is not None else p.percent is None


@pytest.mark.parametrize("met, vi, en, symbol", [
    (True, "ĐẠT", "MET", "✔"),
    (False, "CHƯA ĐẠT", "NOT MET", "✘"),
    (None, "—", "—", "·"),
])
def test_progress_words_and_symbols(met, vi, en, symbol):
    p = Progress(1, 1, 100.0, met)
    assert (p.word("vi"), p.word("en"), p.symbol) == (vi, en, symbol)


def test_exceeded_is_still_the_met_word():
    p = progress(30, 24)
    assert p.exceeded and p.word() == "ĐẠT"


def test_cluster_progress_uses_summed_targets():
    cp = cluster_progress(article(), 2020)
    p = cp["new_members"]
    assert (p.actual, p.target, p.met, p.exceeded) == (24, 22, True, True)
    assert cp["members"].met is None


def test_unit_progress():
    s = snap({("krong_no", "members", 2020): 120, ("krong_no", "fund", 2020): NOT_REPORTED},
             {("krong_no", "members", 2020): 125, ("krong_no", "fund", 2020): 1_000_000})
    up = unit_progress(s, "krong_no", 2020)
    assert set(up) == {ind.code for ind in CATALOGUE}
    assert (up["members"].met, up["members"].percent) == (False, pytest.approx(96.0))
    assert (up["fund"].actual, up["fund"].target, up["fund"].met) == (None, 1_000_000, None)


# ---------------------------------------------------------------------------
# Ratios
# ---------------------------------------------------------------------------


def _readings(**values) -> dict[str, dict[str, Reading]]:
    """Every unit reporting the same given figures (``values``: indicator -> value or None)."""
    return {"u1": {code: (NOT_REPORTED if v is None else Reading(v)) for code, v in values.items()}}


@pytest.mark.parametrize("values, per_branch, per_member", [
    (dict(members=438, branches=36, fund=248_600_000), 12.17, 567_580),
    (dict(members=100, branches=4, fund=1_000_000), 25.0, 10_000),
    (dict(members=100, branches=0, fund=None), None, None),
    (dict(members=None, branches=4, fund=1_000_000), None, None),
    (dict(members=0, branches=None, fund=1_000_000), None, None),
    ({}, None, None),
])
def test_ratios(values, per_branch, per_member):
    r = ratios(_readings(**values))
    assert {k: v.value for k, v in r.items()} == {"members_per_branch": per_branch, "fund_per_member": per_member}
    if per_member is not None:
        assert type(r["fund_per_member"].value) is int


def test_ratios_like_for_like():
    """The fund of Krông Nô, Nam Ka, Liên Sơn over the members of Krông Nô, Nam Ka, Ea R'Bin is no
    ratio: only the units that reported both are counted, and the ratio says how many."""
    fund = {"krong_no": 72_000_000, "nam_ka": 63_500_000, "lien_son": 61_600_000}
    members = {"krong_no": 123, "nam_ka": 110, "ea_rbin": 100}
    readings = {u: {"fund": Reading(fund[u]) if u in fund else NOT_REPORTED,
                    "members": Reading(members[u]) if u in members else NOT_REPORTED,
                    "branches": NOT_REPORTED} for u in UNITS}
    r = ratios(readings)["fund_per_member"]
    assert r.value == round((72_000_000 + 63_500_000) / (123 + 110))
    assert r.units_counted == ("krong_no", "nam_ka") and r.units_total == 4 and r.partial
    assert not r.approximate
    assert ratios(readings)["members_per_branch"].value is None
    readings["nam_ka"]["fund"] = Reading(63_500_000, O)
    assert ratios(readings)["fund_per_member"].approximate


# ---------------------------------------------------------------------------
# Qualified figures
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("x, step", [
    (250_000_000, 10_000_000), (1500, 100), (6_700_000_000, 100_000_000), (6.7e9, 100_000_000),
    (1.5, 0.1), (36, 1), (438, 1), (1, 1), (1000, 1000), (0.25, 0.01), (0, 1),
])
def test_significant_step(x, step):
    assert significant_step(x) == step


def test_qualifier_bounds():
    assert qualifier_bounds(250_000_000, N) == Bounds(240_000_000, 250_000_000, high_open=True)
    assert qualifier_bounds(1500, O) == Bounds(1500, 1600, low_open=True, high_open=True)
    assert qualifier_bounds(1500, A) == Bounds(1400, 1600)
    assert qualifier_bounds(None, H) == Bounds(100, 999)
    assert qualifier_bounds(36, E) == Bounds(36, 36)
    assert qualifier_bounds(None, N) is None


@pytest.mark.parametrize("qualifier, x, decimals, computed, ok", [
    # EXACT: equal after rounding to the indicator's decimals
    (E, 36, 0, 36, True), (E, 36, 0, 35, False), (E, 36, 0, 37, False),
    (E, 1.5, 2, 1.5, True), (E, 1.5, 2, 1.501, True), (E, 1.5, 2, 1.51, False),
    # NEARLY "gần 250 triệu": 240 triệu <= computed < 250 triệu
    (N, 250_000_000, 0, 248_600_000, True),
    (N, 250_000_000, 0, 240_000_000, True), (N, 250_000_000, 0, 239_999_999, False),
    (N, 250_000_000, 0, 249_999_999, True), (N, 250_000_000, 0, 250_000_000, False),
    (N, 1.5, 2, 1.4, True), (N, 1.5, 2, 1.39, False), (N, 1.5, 2, 1.49, True),
    (N, 1.5, 2, 1.5, False),
    # OVER "trên 6,7 tỷ": 6,7 tỷ < computed < 6,8 tỷ
    (O, 6_700_000_000, 0, 6_730_000_000, True),
    (O, 6_700_000_000, 0, 6_700_000_000, False), (O, 6_700_000_000, 0, 6_700_000_001, True),
    (O, 6_700_000_000, 0, 6_799_999_999, True), (O, 6_700_000_000, 0, 6_800_000_000, False),
    (O, 1500, 0, 1500, False), (O, 1500, 0, 1501, True), (O, 1500, 0, 1599, True),
    (O, 1500, 0, 1600, False),
    # ABOUT "khoảng 1.500": |computed - 1500| <= 100
    (A, 1500, 0, 1500, True), (A, 1500, 0, 1400, True), (A, 1500, 0, 1399, False),
    (A, 1500, 0, 1600, True), (A, 1500, 0, 1601, False),
    # HUNDREDS "hàng trăm": 100..999, the stated value is not needed
    (H, None, 0, 420, True), (H, None, 0, 100, True), (H, None, 0, 99, False),
    (H, None, 0, 999, True), (H, None, 0, 1000, False), (H, 300, 0, 420, True),
])
def test_reconcile_one_qualifier_rules(qualifier, x, decimals, computed, ok):
    r = reconcile_one(computed, rt("x", x, qualifier, "quote"), decimals)
    assert r.ok is ok
    assert r.value_ok is ok
    assert r.plan_ok is None
    assert r.msg.vi.startswith("Khớp" if ok else "Không khớp")
    assert r.msg.en.startswith("Matches" if ok else "Mismatch")


def test_reconcile_message_shows_numbers_in_each_language():
    r = reconcile_one(248_600_000, rt("fund", 250_000_000, N, "gần 250 triệu đồng"))
    assert "240.000.000 ≤ 248.600.000 < 250.000.000" in r.msg.vi
    assert "gần 250 triệu đồng" in r.msg.vi
    assert "240,000,000 ≤ 248,600,000 < 250,000,000" in r.msg.en
    bad = reconcile_one(251_000_000, rt("fund", 250_000_000, N, "gần 250 triệu đồng"))
    assert "251.000.000 ≥ 250.000.000" in bad.msg.vi
    low = reconcile_one(1.3, rt("canal_km", 1.5, N), 2)
    assert "1,3 < 1,4" in low.msg.vi and "1.3 < 1.4" in low.msg.en


@pytest.mark.parametrize("computed, reported", [
    (None, rt("fund", 250_000_000, N)),
    (None, rt("workdays", None, H)),
    (100, rt("fund", None, N)),
    (100, rt("fund", None, E)),
])
def test_reconcile_one_missing_values_are_not_ok(computed, reported):
    r = reconcile_one(computed, reported)
    assert not r.ok
    assert r.msg.vi and r.msg.en


@pytest.mark.parametrize("plan_met, plan, ok, plan_ok", [
    (True, progress(24, 22), True, True),
    (True, progress(24, 24), True, True),
    (True, progress(20, 24), False, False),
    (True, progress(24, None), False, False),  # the claim cannot be checked
    (True, None, False, False),
    (False, progress(20, 24), True, True),
    (False, progress(24, 22), False, False),
    (None, progress(20, 24), True, None),  # the source says nothing about the plan
])
def test_reconcile_one_plan_met(plan_met, plan, ok, plan_ok):
    r = reconcile_one(24, rt("new_members", 24, E, "24", plan_met), 0, plan)
    assert (r.ok, r.value_ok, r.plan_ok) == (ok, True, plan_ok)
    if plan_ok is False:
        assert "kế hoạch" in r.msg.vi


def test_reconcile_plan_met_lower_is_better():
    r = reconcile_one(3, rt("x", 3, E, "3", True), 0, progress(3, 5, Direction.LOWER))
    assert r.ok and r.plan_ok


def test_reconcile_the_article():
    recs = reconcile(article(), 2020)
    assert [r.indicator for r in recs] == [ind.code for ind in CATALOGUE]
    assert all(r.ok for r in recs), [r.msg.en for r in recs if not r.ok]
    by = {r.indicator: r for r in recs}
    assert by["fund"].computed == 248_600_000
    assert by["loans"].computed == 6_730_000_000
    assert by["canal_km"].computed == 1.5
    assert by["new_members"].plan_ok is True


def test_reconcile_detects_mismatches():
    values = dict(ARTICLE_VALUES)
    values[("krong_no", "fund", 2020)] = 80_000_000  # total 258,6 triệu: not "gần 250 triệu"
    values[("krong_no", "new_members", 2020)] = 2  # total 20 < plan 22
    recs = {r.indicator: r for r in reconcile(snap(values, ARTICLE_TARGETS, ARTICLE_REPORTED), 2020)}
    assert not recs["fund"].ok
    assert not recs["new_members"].ok and recs["new_members"].plan_ok is False
    assert recs["members"].ok


def test_reconcile_other_years_clusters_and_unknown_indicators():
    assert reconcile(article(), 2021) == []
    assert reconcile(article(), 2020, "cum4") == []
    s = snap(ARTICLE_VALUES, reported={("cum3", 2020): {"ghost": rt("ghost", 1)}})
    (r,) = reconcile(s, 2020)
    assert (r.indicator, r.ok) == ("ghost", False)


# ---------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------


def test_summarize():
    s = summarize(article(), 2020)
    assert s.year == 2020 and s.cluster.code == "cum3" and not s.sample
    assert [u.code for u in s.units] == list(UNITS)
    assert s.readings["ea_rbin"]["loans"] == NOT_REPORTED
    assert s.totals["members"].value == 438
    assert s.targets["new_members"] == 22
    assert s.progress["new_members"].met is True
    assert s.unit_progress["krong_no"]["new_members"].exceeded
    assert s.ratios["members_per_branch"].value == 12.17
    assert not s.ratios["fund_per_member"].partial
    assert len(s.reconciliations) == len(CATALOGUE)


def test_summarize_flags_sample_data():
    s = snap({("krong_no", "members", 2020): Reading(10, sample=True)})
    assert summarize(s, 2020).sample
    assert not summarize(s, 2021).sample


def test_summarize_unknown_cluster():
    with pytest.raises(InvalidValue) as err:
        summarize(article(), 2020, "cum9")
    assert "cum9" in err.value.msg.vi and "cum3" in err.value.msg.en


def test_to_json_shape():
    data = to_json(summarize(article(), 2020))
    json.dumps(data)  # must not raise
    codes = [ind.code for ind in CATALOGUE]
    assert set(data) == {"year", "cluster", "sample", "sample_targets", "totals", "totals_reported", "units_total",
                         "targets", "progress", "ratios", "ratios_counted", "reconciliation", "units"}
    assert (data["year"], data["cluster"], data["sample"], data["sample_targets"]) == (2020, "cum3", False, False)
    assert list(data["totals"]) == codes and list(data["targets"]) == codes
    assert data["totals"]["fund"] == 248_600_000 and type(data["totals"]["fund"]) is int
    assert data["totals"]["canal_km"] == 1.5
    assert data["targets"]["new_members"] == 22 and data["targets"]["members"] is None
    assert data["progress"]["new_members"] == {"actual": 24, "target": 22,
                                               "percent": 109.09, "met": True, "basis": "units",
                                               "units_counted": list(UNITS), "units_total": 4}
    assert data["progress"]["members"] == {"actual": 438, "target": None, "percent": None,
                                           "met": None, "basis": None, "units_counted": [],
                                           "units_total": 4}
    assert data["totals_reported"]["members"] == list(UNITS)
    assert data["ratios"] == {"members_per_branch": 12.17, "fund_per_member": 567_580}
    assert data["ratios_counted"]["fund_per_member"] == {"units_counted": list(UNITS), "units_total": 4,
                                                         "approximate": False}
    rec = {r["indicator"]: r for r in data["reconciliation"]}
    assert rec["fund"] == {"indicator": "fund", "computed": 248_600_000,
                           "reported": 250_000_000, "qualifier": "nearly",
                           "quote": "gần 250 triệu đồng", "ok": True}
    assert rec["workdays"]["reported"] is None
    units = {u["code"]: u for u in data["units"]}
    assert list(units) == list(UNITS)
    assert set(units["ea_rbin"]) == {"code", "name", "values", "qualifiers", "targets"}
    assert units["ea_rbin"]["name"] == "Xã Ea R'Bin"
    assert units["ea_rbin"]["values"]["loans"] is None
    assert units["krong_no"]["values"]["workdays"] == 120
    assert units["krong_no"]["qualifiers"]["workdays"] == "hundreds"
    assert units["krong_no"]["targets"] == {c: (5 if c == "new_members" else None) for c in codes}


def test_to_json_empty_year():
    data = to_json(summarize(snap(), 2030))
    json.dumps(data)
    assert all(v is None for v in data["totals"].values())
    assert data["reconciliation"] == []
    assert len(data["units"]) == 4


@pytest.mark.parametrize("actual, target, vi, en", [
    (454, 455, "✘ CHƯA ĐẠT 99,7%", "✘ NOT MET 99.7%"),   # rounds to 100: shown to a tenth, cut down
    (4549, 4550, "✘ CHƯA ĐẠT 99,9%", "✘ NOT MET 99.9%"),
    (450, 455, "✘ CHƯA ĐẠT 99%", "✘ NOT MET 99%"),       # 98,9: whole, as before
    (455, 455, "✔ ĐẠT 100%", "✔ MET 100%"),
    (456, 455, "✔ ĐẠT 100%", "✔ MET 100%"),              # 100,2: met, so 100 is right
])
def test_a_plan_not_met_never_reads_100_percent(actual, target, vi, en):
    from ccb_tui.core.report.text import show_progress
    p = progress(actual, target)
    assert (show_progress(p, "vi"), show_progress(p, "en")) == (vi, en)
