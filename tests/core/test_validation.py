"""Validation rules (errors as data) and resolving units and indicators from what users type."""

from __future__ import annotations

import unicodedata

import pytest

from ccb_tui.core.domain.errors import InvalidValue, Problem
from ccb_tui.core.domain.models import (
    NOT_REPORTED, Cluster, Qualifier, Reading, ReportedTotal, Snapshot, Status, Target, Task, TaskState, TaskStatus, Unit, UnitPeriod,
)
from ccb_tui.core.domain.validation import (
    resolve_indicator, resolve_unit, validate_reading, validate_snapshot, validate_target, validate_unit_year,
)

E, N, O, A, H = (Qualifier.EXACT, Qualifier.NEARLY, Qualifier.OVER, Qualifier.ABOUT,
                 Qualifier.HUNDREDS)
R, NR = Status.REPORTED, Status.NOT_REPORTED


# ---------------------------------------------------------------------------
# Fixture helper
# ---------------------------------------------------------------------------


def unit(code, name, kind="xa", cluster="cum3", from_year=2015, retired_from=None, periods=()):
    return Unit(code, kind, (UnitPeriod(from_year, name, cluster), *periods), retired_from)


BASE_UNITS = (
    unit("krong_no", "Xã Krông Nô"),
    unit("nam_ka", "Xã Nam Ka"),
    unit("ea_rbin", "Xã Ea R'Bin"),
    unit("lien_son", "Thị trấn Liên Sơn", "thi_tran"),
)
CLUSTERS = {"cum3": Cluster("cum3", "Cụm thi đua số 3", "Competition cluster No. 3")}


def snap(values=None, targets=None, reported=None, units=BASE_UNITS, tasks=()) -> Snapshot:
    vals = {k: v if isinstance(v, Reading) else Reading(v) for k, v in (values or {}).items()}
    tgts = {k: v if isinstance(v, Target) else Target(v) for k, v in (targets or {}).items()}
    return Snapshot(revision=1, clusters=CLUSTERS, units=tuple(units), values=vals,
                    targets=tgts, reported=reported or {}, tasks=tuple(tasks))


def en(problems: list[Problem]) -> str:
    return " | ".join(p.msg.en for p in problems)


# ---------------------------------------------------------------------------
# validate_reading
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("code, value, qualifier, status", [
    ("members", 438, E, R),
    ("members", 0, E, R),
    ("members", 438.0, E, R),  # a whole float is a whole number
    ("fund", 250_000_000, N, R),
    ("loans", 6_700_000_000, O, R),
    ("land_m2", 1500, A, R),
    ("workdays", 100, H, R),
    ("workdays", 999, H, R),
    ("canal_km", 1.5, E, R),
    ("canal_km", 1.25, E, R),
    ("canal_km", 0.1, N, R),
    ("members", 1_000_000, E, R),  # the upper bound itself
    ("loans", None, E, NR),
    ("fund", 250_000_000, "gần", "reported"),  # spellings
    ("fund", 250_000_000, "nearly", R),
    ("fund", 250_000_000, None, R),
    ("loans", None, "exact", "not_reported"),
])
def test_valid_readings(code, value, qualifier, status):
    assert validate_reading(code, value, qualifier, status) == []


@pytest.mark.parametrize("code, value, qualifier, status, expected", [
    # the indicator must exist; the closest ones are suggested
    ("memberz", 1, E, R, "No indicator 'memberz'. Did you mean: members"),
    ("", 1, E, R, "No indicator"),
    # reported needs a value; not reported has none, and no qualifier
    ("members", None, E, R, "needs a value"),
    ("members", 0, E, NR, "must have no value"),
    ("members", 12, E, NR, "not reported is not 0"),
    ("fund", None, N, NR, "takes no qualifier"),
    # numbers only
    ("members", "abc", E, R, "is not a number"),
    ("members", True, E, R, "is not a number"),
    ("members", float("nan"), E, R, "is not a number"),
    ("members", float("inf"), E, R, "is not a number"),
    # no negatives
    ("members", -1, E, R, "must not be negative"),
    ("canal_km", -0.5, E, R, "must not be negative"),
    # a sensible upper bound
    ("members", 1_000_001, E, R, "above the sensible upper bound"),
    ("fund", 10**12 + 1, E, R, "above the sensible upper bound"),
    # whole numbers: counts, money (whole đồng), workdays and land
    ("members", 12.5, E, R, "must be a whole number"),
    ("new_members", 0.1, E, R, "must be a whole number"),
    ("fund", 100.5, E, R, "money must be whole đồng"),
    ("loans", 1_000_000.25, E, R, "money must be whole đồng"),
    ("workdays", 100.5, E, R, "must be a whole number"),
    ("land_m2", 1500.5, E, R, "must be a whole number"),
    # at most `decimals` decimal places
    ("canal_km", 1.255, E, R, "at most 2 decimal places"),
    # qualifiers consistent with the value
    ("workdays", 99, H, R, "'hundreds' means 100 to 999"),
    ("workdays", 1000, H, R, "'hundreds' means 100 to 999"),
    ("fund", 0, N, R, "'nearly …' needs a value above 0"),
    ("land_m2", 0, O, R, "'over …' needs a value above 0"),
    ("land_m2", 0, A, R, "'about …' needs a value above 0"),
    ("fund", 1, "maybe", R, "unknown qualifier 'maybe'"),
    ("fund", 1, E, "lost", "unknown status 'lost'"),
])
def test_invalid_readings(code, value, qualifier, status, expected):
    problems = validate_reading(code, value, qualifier, status)
    assert problems, "expected a problem"
    assert expected in en(problems)
    assert all(p.field == code for p in problems)
    assert all(p.msg.vi and p.msg.vi != p.msg.en for p in problems)


def test_reading_problem_messages_are_vietnamese_with_diacritics():
    (p,) = validate_reading("fund", 100.5, E, R)
    assert "Quỹ hội" in p.msg.vi and "số đồng chẵn" in p.msg.vi and "100,5" in p.msg.vi
    (p,) = validate_reading("members", 1_000_001, E, R)
    assert "1.000.001" in p.msg.vi and "giới hạn hợp lý" in p.msg.vi
    (p,) = validate_reading("memberz", 1)
    assert p.msg.vi.startswith("Không có chỉ tiêu 'memberz'. Có phải: members")
    assert "ccb-tui indicators" in p.msg.vi


def test_reading_field_can_be_named():
    (p,) = validate_reading("members", -1, field="krong_no/members/2020")
    assert p.field == "krong_no/members/2020"


def test_reading_never_raises_and_reports_several_problems():
    problems = validate_reading("members", -1.5, E, R)
    assert len(problems) == 2  # negative and not whole
    problems = validate_reading("canal_km", -0.5, H, R)
    assert "negative" in en(problems) and "hundreds" in en(problems)


# ---------------------------------------------------------------------------
# validate_target
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("code, value, expected", [
    ("new_members", 20, None),
    ("canal_km", 1.5, None),
    ("fund", 250_000_000, None),
    ("new_members", 0, None),
    ("new_members", None, "a target needs a value"),
    ("new_members", -1, "must not be negative"),
    ("new_members", 2.5, "must be a whole number"),
    ("fund", 0.5, "money must be whole đồng"),
    ("canal_km", 1.234, "at most 2 decimal places"),
    ("members", 2_000_000, "above the sensible upper bound"),
    ("members", "20", "is not a number"),
    ("nope", 1, "No indicator 'nope'"),
])
def test_validate_target(code, value, expected):
    problems = validate_target(code, value)
    if expected is None:
        assert problems == []
    else:
        assert expected in en(problems)
        assert "target" in en(problems) or "No indicator" in en(problems)


# ---------------------------------------------------------------------------
# validate_unit_year (cross-field)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("readings, expected", [
    ({"members": Reading(100), "new_members": Reading(24)}, []),
    ({"members": Reading(24), "new_members": Reading(24)}, []),
    ({"members": Reading(20), "new_members": Reading(24)}, ["new_members"]),
    ({"members": Reading(20), "branches": Reading(21)}, ["branches"]),
    ({"members": Reading(20), "branches": Reading(21), "new_members": Reading(30)},
     ["new_members", "branches"]),
    # missing or not reported figures are not compared
    ({"new_members": Reading(24)}, []),
    ({"members": NOT_REPORTED, "new_members": Reading(24)}, []),
    ({"members": Reading(20), "new_members": NOT_REPORTED}, []),
    # qualified figures are compared by the range they allow
    ({"members": Reading(100, N), "new_members": Reading(95)}, []),  # members in [90; 100)
    ({"members": Reading(100, N), "new_members": Reading(90)}, []),
    ({"members": Reading(100, N), "new_members": Reading(100)}, ["new_members"]),  # 100 > [90; 100)
    ({"members": Reading(100, N), "new_members": Reading(100, N)}, []),  # both in [90; 100)
    ({"members": Reading(100, N), "new_members": Reading(101)}, ["new_members"]),
    ({"members": Reading(300, H), "new_members": Reading(999)}, []),  # members in 100..999
    ({"members": Reading(300, H), "new_members": Reading(1000)}, ["new_members"]),
    ({"members": Reading(100), "new_members": Reading(100, O)}, ["new_members"]),
    ({"members": Reading(100), "new_members": Reading(100, A)}, []),
])
def test_validate_unit_year(readings, expected):
    problems = validate_unit_year(readings)
    assert [p.field for p in problems] == expected


def test_unit_year_fields_and_messages():
    (p,) = validate_unit_year({"members": Reading(20), "new_members": Reading(24)},
                              "krong_no", 2020)
    assert p.field == "krong_no/new_members/2020"
    assert "Kết nạp hội viên mới (24) không thể lớn hơn số hội viên (20)" in p.msg.vi
    assert "cannot exceed members" in p.msg.en


# ---------------------------------------------------------------------------
# validate_snapshot
# ---------------------------------------------------------------------------


def test_clean_snapshot_has_no_problems():
    s = snap({("krong_no", "members", 2020): 120, ("krong_no", "new_members", 2020): 6,
              ("ea_rbin", "loans", 2020): NOT_REPORTED,
              ("nam_ka", "fund", 2020): Reading(60_000_000, N)},
             {("krong_no", "new_members", 2020): 5},
             {("cum3", 2020): {"fund": ReportedTotal("fund", 250_000_000, N, "gần 250 triệu")}},
             tasks=[Task(1, 2021, "Tuyên truyền", statuses={"krong_no": TaskStatus(TaskState.DONE)})])
    assert validate_snapshot(s) == []


@pytest.mark.parametrize("kwargs, field, expected", [
    (dict(values={("krong_no", "members", 2020): -5}), "krong_no/members/2020", "negative"),
    (dict(values={("krong_no", "members", 2020): Reading(5, status=NR)}),
     "krong_no/members/2020", "must have no value"),
    (dict(values={("krong_no", "ghost", 2020): 5}), "krong_no/ghost/2020", "No indicator"),
    (dict(values={("nobody", "members", 2020): 5}), "nobody/members/2020", "unknown unit"),
    (dict(values={("krong_no", "members", 2010): 5}), "krong_no/members/2010",
     "did not exist"),
    (dict(targets={("nam_ka", "fund", 2021): 0.5}), "nam_ka/fund/2021", "whole đồng"),
    (dict(targets={("nobody", "fund", 2021): 5}), "nobody/fund/2021", "unknown unit"),
    (dict(values={("lien_son", "members", 2020): 10, ("lien_son", "new_members", 2020): 11}),
     "lien_son/new_members/2020", "cannot exceed"),
    (dict(units=(*BASE_UNITS, unit("moved", "Xã Mới", cluster="cum9", from_year=2021))),
     "moved/cluster/2021", "unknown cluster 'cum9'"),
    (dict(units=(*BASE_UNITS, unit("twice", "Xã A", periods=(UnitPeriod(2010, "Xã B", "cum3"),)))),
     "twice/periods", "year order"),
    (dict(units=(*BASE_UNITS, unit("krong_no", "Xã Krông Nô 2"))), "krong_no", "used twice"),
    (dict(tasks=[Task(1, 2021, "Tuyên truyền", statuses={"ghost": TaskStatus()})]),
     "task/1/ghost", "unknown unit 'ghost'"),
    (dict(reported={("cum9", 2020): {"fund": ReportedTotal("fund", 1, E, "1")}}),
     "reported/cum9/2020/fund", "unknown cluster 'cum9'"),
    (dict(reported={("cum3", 2020): {"gold": ReportedTotal("gold", 1, E, "1")}}),
     "reported/cum3/2020/gold", "No indicator 'gold'"),
    (dict(reported={("cum3", 2020): {"fund": ReportedTotal("loans", 1, E, "1")}}),
     "reported/cum3/2020/fund", "stored under 'fund'"),
])
def test_snapshot_problems(kwargs, field, expected):
    problems = validate_snapshot(snap(**kwargs))
    assert [p.field for p in problems] == [field], en(problems)
    assert expected in problems[0].msg.en


# ---------------------------------------------------------------------------
# resolve_unit
# ---------------------------------------------------------------------------

NFD_LIEN_SON = unicodedata.normalize("NFD", "Thị trấn Liên Sơn")


@pytest.mark.parametrize("text, code", [
    ("krong_no", "krong_no"),  # code
    ("  lien_son ", "lien_son"),
    ("krong no", "krong_no"),
    ("Krông Nô", "krong_no"),
    ("Xã Krông Nô", "krong_no"),
    ("XA KRONG NO", "krong_no"),
    ("LIEN SON", "lien_son"),
    ("Thị trấn Liên Sơn", "lien_son"),
    ("TT Liên Sơn", "lien_son"),
    ("TT. Liên Sơn", "lien_son"),
    ("thi tran lien son", "lien_son"),
    (NFD_LIEN_SON, "lien_son"),
    ("ea rbin", "ea_rbin"),
    ("earbin", "ea_rbin"),
    ("Earbin", "ea_rbin"),
    ("Ea R'Bin", "ea_rbin"),
    ("Ea R’Bin", "ea_rbin"),
    ("ea-rbin", "ea_rbin"),
    ("nam ka", "nam_ka"),
    ("namka", "nam_ka"),
    ("krong", "krong_no"),  # a unique part
    ("rbin", "ea_rbin"),
])
def test_resolve_unit(text, code):
    assert NFD_LIEN_SON != "Thị trấn Liên Sơn"
    assert resolve_unit(snap(), text).code == code


def test_resolve_unit_by_old_name():
    renamed = unit("lien_son", "Xã Liên Sơn", periods=(UnitPeriod(2019, "Thị trấn Liên Sơn", "cum3"),))
    s = snap(units=(*BASE_UNITS[:3], renamed))
    assert resolve_unit(s, "Xã Liên Sơn").code == "lien_son"
    assert resolve_unit(s, "xa lien son", 2020).code == "lien_son"
    assert resolve_unit(s, "TT Liên Sơn").code == "lien_son"


def test_resolve_unit_prefers_the_unit_active_in_the_year():
    old = unit("dak_lieng_old", "Xã Đắk Liêng", retired_from=2019)
    new = unit("dak_lieng", "Xã Đắk Liêng", from_year=2019)
    s = snap(units=(*BASE_UNITS, old, new))
    assert resolve_unit(s, "dak lieng", 2020).code == "dak_lieng"
    assert resolve_unit(s, "Đắk Liêng", 2017).code == "dak_lieng_old"
    with pytest.raises(InvalidValue):
        resolve_unit(s, "dak lieng")


@pytest.mark.parametrize("text, vi, en_text", [
    ("Nam Kha", "Không có đơn vị 'Nam Kha'. Có phải: Xã Nam Ka", "Did you mean: Xã Nam Ka"),
    ("krong na", "Có phải: Xã Krông Nô", "Did you mean: Xã Krông Nô"),
    ("Lien Som", "Có phải: Thị trấn Liên Sơn", "Did you mean: Thị trấn Liên Sơn"),
    ("xyz", "Không có đơn vị 'xyz'.", "No unit 'xyz'."),
])
def test_resolve_unit_unknown_suggests_closest(text, vi, en_text):
    with pytest.raises(InvalidValue) as err:
        resolve_unit(snap(), text)
    assert vi in err.value.msg.vi
    assert en_text in err.value.msg.en
    assert err.value.msg.vi.endswith("Xem: ccb-tui unit list")
    assert err.value.msg.en.endswith("See: ccb-tui unit list")
    assert err.value.exit_code == 3


@pytest.mark.parametrize("text", ["xa", "Xã", "n"])
def test_resolve_unit_ambiguous_or_too_short(text):
    with pytest.raises(InvalidValue) as err:
        resolve_unit(snap(), text)
    assert text in err.value.msg.vi


def test_resolve_unit_ambiguous_lists_candidates():
    with pytest.raises(InvalidValue) as err:
        resolve_unit(snap(), "xa")
    assert "Xã Krông Nô, Xã Nam Ka, Xã Ea R'Bin" in err.value.msg.vi
    assert "nhiều đơn vị" in err.value.msg.vi


@pytest.mark.parametrize("text", ["", "   "])
def test_resolve_unit_empty(text):
    with pytest.raises(InvalidValue) as err:
        resolve_unit(snap(), text)
    assert "Chưa nhập đơn vị" in err.value.msg.vi


# ---------------------------------------------------------------------------
# resolve_indicator
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("text, code", [
    ("members", "members"),
    ("Members", "members"),
    ("Số hội viên", "members"),
    ("so hoi vien", "members"),
    ("Hội viên", "members"),  # short label
    ("fund", "fund"),
    ("Quỹ hội", "fund"),
    ("quy hoi", "fund"),
    ("Association fund", "fund"),
    ("new members", "new_members"),
    ("ket nap", "new_members"),
    ("Land donated", "land_m2"),
    ("hien dat", "land_m2"),
    ("canal", "canal_km"),
    ("kênh mương", "canal_km"),
    ("du no", "loans"),
    ("ngay cong", "workdays"),
    ("xoa nha", "houses_removed"),
    ("Xây nhà", "houses_built"),
    (unicodedata.normalize("NFD", "Chi hội"), "branches"),
])
def test_resolve_indicator(text, code):
    assert resolve_indicator(text).code == code


@pytest.mark.parametrize("text, expected", [
    ("memberz", "Did you mean: members"),
    ("quy hoj", "Did you mean: fund"),
    ("gold", "No indicator 'gold'."),
    ("nha", "matches several indicators"),
    ("", "No indicator given"),
])
def test_resolve_indicator_errors(text, expected):
    with pytest.raises(InvalidValue) as err:
        resolve_indicator(text)
    assert expected in err.value.msg.en
    assert err.value.msg.vi.startswith(("Không có chỉ tiêu", "Chưa nhập chỉ tiêu", "'nha' khớp"))
