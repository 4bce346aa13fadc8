"""Reorganised units (``unit merge``, ``unit split``): the store's edit (one transaction, one audit
entry, one undo), the refusals (exit 3, one line, the file byte-identical), and the figures carried
through the reorganisation by ``compare`` and ``unit_history``.

The store is the bundled data with 2021 figures entered through ``Store.set_value`` and 2022
opened; every expected figure below is worked out by hand from those figures.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from ccb_tui.cli import main
from ccb_tui.core.domain import compare, reorg, totals
from ccb_tui.core.domain.errors import InvalidValue
from ccb_tui.core.domain.models import Qualifier
from ccb_tui.core.store import Store

# 2021: members 125 / 108 / 100 / 112; loans 2,5 tỷ / "trên 2,2 tỷ" / 1,2 tỷ / not reported;
# branches 11 / 9 / not reported / 10.
FIGURES_2021 = {
    ("krong_no", "members"): 125, ("nam_ka", "members"): 108, ("ea_rbin", "members"): 100,
    ("lien_son", "members"): 112,
    ("krong_no", "loans"): 2_500_000_000, ("nam_ka", "loans"): 2_200_000_000, ("ea_rbin", "loans"): 1_200_000_000,
    ("krong_no", "branches"): 11, ("nam_ka", "branches"): 9, ("lien_son", "branches"): 10,
}


def run(capsys, *argv: str) -> tuple[int, str, str]:  # noqa: ANN001
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, repr(err)
    return err.strip()


@pytest.fixture
def filled(db_path: Path) -> Store:
    """The seed, 2021 figures entered, 2022 opened (the current year)."""
    s = Store(db_path, user="tester")
    for (unit, ind), value in FIGURES_2021.items():
        q = Qualifier.OVER if (unit, ind) == ("nam_ka", "loans") else Qualifier.EXACT
        s.set_value(unit, ind, 2021, value, qualifier=q)
    s.open_year(2022)
    return s


@pytest.fixture
def merged(filled: Store) -> Store:
    """Krông Nô and Nam Ka merged into Krông Nam from 2022, with 2022 figures for every unit."""
    filled.merge_units(["krong_no", "nam_ka"], into="krong_nam", name="Xã Krông Nam", year=2022)
    for unit, members in (("krong_nam", 240), ("ea_rbin", 101), ("lien_son", 115)):
        filled.set_value(unit, "members", 2022, members)
    filled.set_value("krong_nam", "loans", 2022, 5_000_000_000)
    return filled


def rows(cmp: compare.Comparison) -> dict[str, compare.UnitComparison]:
    return {row.unit.code: row for row in cmp.units}


# --- the store's edit ---------------------------------------------------------------------

def test_merge_forms_a_new_unit_and_retires_its_predecessors(filled: Store) -> None:
    change = filled.merge_units(["krong_no", "nam_ka"], into="krong_nam", name="Xã Krông Nam", year=2022)
    snap = filled.snapshot()
    new = snap.unit("krong_nam")
    assert new is not None and new.formed_in == 2022 and new.cluster(2022) == "cum3" and new.kind == "xa"
    assert [(o.unit, o.share) for o in new.formed_from] == [("krong_no", 1), ("nam_ka", 1)]
    assert snap.unit("krong_no").retired_from == 2022 and snap.unit("nam_ka").retired_from == 2022
    assert [u.code for u in snap.units_in(2021)] == ["krong_no", "nam_ka", "ea_rbin", "lien_son"]
    assert [u.code for u in snap.units_in(2022)] == ["ea_rbin", "lien_son", "krong_nam"]
    assert snap.reading("krong_no", "members", 2021).value == 125  # earlier years keep their figures
    assert change.entry_id is not None  # exactly one audit entry
    entries = [e for e in filled.log_entries() if e.action == "merge_units"]
    assert len(entries) == 1 and entries[0].id == change.entry_id
    assert change.text() == "Gộp đơn vị từ năm 2022: Xã Krông Nô + Xã Nam Ka → Xã Krông Nam (krong_nam)"


def test_a_merged_unit_may_keep_a_predecessors_name(filled: Store) -> None:
    filled.merge_units(["krong_no", "nam_ka"], into="krong_no_moi", name="Xã Krông Nô", year=2022)
    assert filled.snapshot().unit("krong_no_moi").name(2022) == "Xã Krông Nô"


def test_split_forms_units_with_their_shares(filled: Store) -> None:
    change = filled.split_unit("ea_rbin", into=[("ea_bac", "Xã Ea Bắc", "60%"), ("ea_nam", "Xã Ea Nam", "0,4")],
                               year=2022)
    snap = filled.snapshot()
    assert [(o.unit, o.share) for o in snap.unit("ea_bac").formed_from] == [("ea_rbin", Decimal("0.6"))]
    assert [(o.unit, o.share) for o in snap.unit("ea_nam").formed_from] == [("ea_rbin", Decimal("0.4"))]
    assert snap.unit("ea_rbin").retired_from == 2022
    assert change.entry_id is not None
    assert change.text("en") == "Unit split from 2022: Xã Ea R'Bin → Xã Ea Bắc (ea_bac) 60% + Xã Ea Nam (ea_nam) 40%"


@pytest.mark.parametrize("raw,share", [("0,6", "0.6"), ("0.6", "0.6"), ("60%", "0.6"), ("62,5%", "0.625"),
                                       ("1", "1"), ("100%", "1"), (" 33,34 % ", "0.3334")])
def test_shares_as_people_write_them(raw: str, share: str) -> None:
    assert reorg.parse_share(raw) == Decimal(share)


@pytest.mark.parametrize("raw", ["abc", "60", "0", "0%", "150%", "-0,5", "1/3", "", "٥٠%", "６０%"])
def test_bad_shares_are_refused(raw: str) -> None:
    with pytest.raises(InvalidValue):
        reorg.parse_share(raw)


def test_shares_must_make_exactly_100_percent() -> None:
    reorg.check_shares([Decimal("0.3334"), Decimal("0.3333"), Decimal("0.3333")])
    with pytest.raises(InvalidValue) as exc:
        reorg.check_shares([Decimal("0.3333")] * 3)
    assert "99,99%" in exc.value.msg.vi


# --- undo ---------------------------------------------------------------------------------

def test_undo_reverts_a_merge_in_one_step(filled: Store, capsys) -> None:  # noqa: ANN001
    before = filled.snapshot().units
    change = filled.merge_units(["krong_no", "nam_ka"], into="krong_nam", name="Xã Krông Nam", year=2022)
    undone = filled.undo(change.entry_id)
    assert filled.snapshot().units == before
    assert undone.text() == "gộp đơn vị từ năm 2022: Xã Krông Nam (krong_nam) → Xã Krông Nô + Xã Nam Ka"
    # and through the command line, as the user's last change
    Store(filled.path).merge_units(["krong_no", "nam_ka"], into="krong_nam", name="Xã Krông Nam", year=2022)
    code, out, _ = run(capsys, "undo", "--db", str(filled.path))
    assert code == 0 and "gộp đơn vị" in out
    assert filled.snapshot().units == before


def test_undo_of_a_merge_after_drop_later_keeps_that_retirement(filled: Store) -> None:
    filled.set_value("krong_no", "members", 2022, 130)
    filled.retire_unit("krong_no", year=2022, drop_later=True)
    retired = filled.snapshot().units
    change = filled.merge_units(["krong_no", "nam_ka"], into="krong_nam", name="Xã Krông Nam", year=2022)
    filled.undo(change.entry_id)
    assert filled.snapshot().units == retired
    assert filled.snapshot().unit("krong_no").retired_from == 2022


def test_undo_reverts_a_split(filled: Store) -> None:
    before = filled.snapshot().units
    change = filled.split_unit("ea_rbin", into=[("ea_bac", "Xã Ea Bắc", "60%"), ("ea_nam", "Xã Ea Nam", "40%")],
                               year=2022)
    filled.undo(change.entry_id)
    assert filled.snapshot().units == before


def test_undo_is_refused_once_the_new_unit_has_figures(merged: Store, sha) -> None:  # noqa: ANN001
    entry = next(e for e in merged.log_entries() if e.action == "merge_units")
    digest = sha(merged.path)
    with pytest.raises(InvalidValue) as exc:
        merged.undo(entry.id)
    assert "krong_nam" in exc.value.msg.vi
    assert sha(merged.path) == digest


# --- refusals: exit 3, one line, nothing written ------------------------------------------

REFUSED = [
    (["merge", "krong_no", "nam_ka", "--into", "krong_no", "--name", "X", "--year", "2022"], "chính đơn vị"),
    (["merge", "krong_no", "nam_ka", "--into", "lien_son", "--name", "X", "--year", "2022"], "Đã có đơn vị mã"),
    (["merge", "krong_no", "--into", "x", "--name", "X", "--year", "2022"], "ít nhất hai"),
    (["merge", "krong_no", "krong_no", "--into", "x", "--name", "X", "--year", "2022"], "hai lần"),
    (["merge", "krong_no", "khong_co_xa_nay", "--into", "x", "--name", "X", "--year", "2022"], "khong_co_xa_nay"),
    (["merge", "krong_no", "nam_ka", "--into", "x", "--name", "X", "--year", "2020"], "chỉ có từ năm 2020"),
    (["merge", "krong_no", "nam_ka", "--into", "x", "--name", "X", "--year", "2025"], "chưa mở"),
    (["merge", "krong_no", "nam_ka", "--into", "x", "--name", "Xã Liên Sơn", "--year", "2022"], "lien_son"),
    (["merge", "krong_no", "nam_ka", "--into", "x", "--name", "  ", "--year", "2022"], "để trống"),
    (["merge", "krong_no", "nam_ka", "--into", "Xã?", "--name", "X", "--year", "2022"], "không hợp lệ"),
    (["split", "ea_rbin", "--into", "a", "A", "50%", "--into", "b", "B", "0,4", "--year", "2022"], "90%"),
    (["split", "ea_rbin", "--into", "a", "A", "abc", "--into", "b", "B", "0,4", "--year", "2022"], "abc"),
    (["split", "ea_rbin", "--into", "a", "A", "100%", "--year", "2022"], "ít nhất hai"),
    (["split", "ea_rbin", "--into", "a", "A", "50%", "--into", "a", "B", "50%", "--year", "2022"], "hai lần"),
    (["split", "ea_rbin", "--into", "a", "Xã Ea Bắc", "50%", "--into", "b", "xa ea bac", "50%", "--year", "2022"],
     "cùng tên"),
    (["split", "ea_rbin", "--into", "ea_rbin", "A", "50%", "--into", "b", "B", "50%", "--year", "2022"],
     "chính đơn vị"),
    (["split", "ea_rbin", "--into", "a", "A", "50%", "--into", "b", "B", "50%", "--year", "2020"], "chỉ có từ năm 2020"),
    (["split", "ea_rbin", "--into", "a", "A", "50%", "--into", "b", "B", "50%", "--year", "2022",
      "--cluster", "cum9"], "cum9"),
]


@pytest.mark.parametrize("argv,word", REFUSED, ids=[" ".join(a[:4]) + f" [{w}]" for a, w in REFUSED])
def test_bad_reorganisations_exit_3_and_write_nothing(filled: Store, capsys, sha, argv: list[str],  # noqa: ANN001
                                                      word: str) -> None:
    digest = sha(filled.path)
    capsys.readouterr()
    code, out, err = run(capsys, "unit", *argv, "--db", str(filled.path))
    assert code == 3 and out == ""
    assert word in one_line(err)
    assert sha(filled.path) == digest


def test_a_retired_unit_is_refused(filled: Store, capsys, sha) -> None:  # noqa: ANN001
    filled.retire_unit("lien_son", year=2021)
    digest = sha(filled.path)
    code, _, err = run(capsys, "unit", "merge", "krong_no", "lien_son", "--into", "x", "--name", "X",
                       "--year", "2022", "--db", str(filled.path))
    assert code == 3 and "ngừng hoạt động từ năm 2021" in one_line(err)
    assert sha(filled.path) == digest


def test_a_unit_already_reorganised_that_year_is_refused(filled: Store, capsys, sha) -> None:  # noqa: ANN001
    """Nam Ka merged into M1 from 2022 cannot be merged or split again from 2022: its figures
    would be the past of two units and count twice."""
    db = str(filled.path)
    assert run(capsys, "unit", "merge", "nam_ka", "ea_rbin", "--into", "m1", "--name", "M1",
               "--year", "2022", "--db", db)[0] == 0
    digest = sha(filled.path)
    for argv in (("unit", "merge", "nam_ka", "lien_son", "--into", "m2", "--name", "M2", "--year", "2022"),
                 ("unit", "split", "nam_ka", "--into", "s1", "S1", "50%", "--into", "s2", "S2", "50%",
                  "--year", "2022")):
        code, _, err = run(capsys, *argv, "--db", db)
        assert code == 3 and "đã được gộp/tách thành M1 (m1) từ năm 2022" in one_line(err), err
        assert sha(filled.path) == digest


def test_a_unit_not_yet_in_the_cluster_the_year_before_is_refused(filled: Store, capsys, sha) -> None:  # noqa: ANN001
    filled.add_unit("ea_kiet", "Xã Ea Kiết", year=2022)
    digest = sha(filled.path)
    code, _, err = run(capsys, "unit", "merge", "ea_kiet", "lien_son", "--into", "x", "--name", "X",
                       "--year", "2022", "--db", str(filled.path))
    assert code == 3 and "chỉ có từ năm 2022" in one_line(err)
    assert sha(filled.path) == digest


def test_figures_of_the_year_already_entered_are_named_with_the_way_out(filled: Store, capsys, sha) -> None:  # noqa: ANN001
    filled.set_value("nam_ka", "members", 2022, 109)
    digest = sha(filled.path)
    code, _, err = run(capsys, "unit", "merge", "krong_no", "nam_ka", "--into", "x", "--name", "X",
                       "--year", "2022", "--db", str(filled.path))
    line = one_line(err)
    assert code == 3 and "Số hội viên 2022: 109" in line
    assert "ccb-tui unit retire nam_ka --year 2022 --drop-later" in line
    assert sha(filled.path) == digest


def test_units_of_different_clusters_need_the_cluster_named(filled: Store, sha) -> None:  # noqa: ANN001
    data = json.loads(filled.path.read_text(encoding="utf-8"))
    data["clusters"]["99"] = {"code": "cum4", "name_vi": "Cụm thi đua số 4", "name_en": "Cluster 4"}
    filled.path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    filled.add_unit("dak_nuem", "Xã Đắk Nuê", year=2021, cluster="cum4")
    digest = sha(filled.path)
    with pytest.raises(InvalidValue) as exc:
        filled.merge_units(["krong_no", "dak_nuem"], into="x", name="X", year=2022)
    assert "--cluster" in exc.value.msg.vi and "cum4" in exc.value.msg.vi
    assert sha(filled.path) == digest
    filled.merge_units(["krong_no", "dak_nuem"], into="x", name="X", year=2022, cluster="cum4")
    assert filled.snapshot().unit("x").cluster(2022) == "cum4"


# --- the file ------------------------------------------------------------------------------

@pytest.mark.parametrize("formed,field", [
    ([{"unit": "krong_no", "share": "2"}], "formed_from[0].share"),
    ([{"unit": "krong_no", "share": "x"}], "formed_from[0].share"),
    ([{"share": "1"}], "formed_from[0].unit"),
    ({"unit": "krong_no"}, "formed_from"),
    ([{"unit": "krong_nam", "share": "1"}], "formed_from[0].unit"),  # itself
])
def test_a_malformed_formed_from_is_exit_5_naming_record_and_field(merged: Store, capsys, formed, field: str) -> None:  # noqa: ANN001
    data = json.loads(merged.path.read_text(encoding="utf-8"))
    doc = next(d for d in data["units"].values() if d["code"] == "krong_nam")
    doc["formed_from"] = formed
    merged.path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, _, err = run(capsys, "summary", "--db", str(merged.path))
    assert code == 5 and "krong_nam" in err and field in err and "Traceback" not in err


def test_a_unit_without_formed_from_loads_as_before(filled: Store) -> None:
    data = json.loads(filled.path.read_text(encoding="utf-8"))
    assert all("formed_from" not in d for d in data["units"].values())
    assert all(u.formed_from == () and u.formed_in is None for u in filled.snapshot().units)


# --- compare and history across the reorganisation -----------------------------------------

def test_compare_across_a_merge_sums_the_predecessors(merged: Store) -> None:
    snap = merged.snapshot()
    cmp = compare.compare(snap, 2021, 2022)
    by = rows(cmp)
    assert list(by) == ["krong_nam", "ea_rbin", "lien_son"]  # the predecessors are not rows again
    kn = by["krong_nam"]
    assert kn.predecessors == ("krong_no", "nam_ka") and kn.in_before
    m = kn.values["members"]
    assert (m.before, m.after, m.delta) == (233, 240, 7)  # 125 + 108 → 240
    assert m.before == totals._sum([snap.reading(c, "members", 2021).value for c in kn.predecessors],
                                   snap_indicator("members"))
    loans = kn.values["loans"]  # 2,5 tỷ + "trên 2,2 tỷ" = "trên 4,7 tỷ" → 5 tỷ
    assert (loans.before, loans.after, loans.delta) == (4_700_000_000, 5_000_000_000, 300_000_000)
    assert loans.approximate and loans.before_qualifier is Qualifier.OVER
    assert kn.values["branches"].before == 20 and kn.values["branches"].after is None


def snap_indicator(code: str):  # noqa: ANN201
    from ccb_tui.core.domain.indicators import BY_CODE
    return BY_CODE[code]


def test_totals_across_a_merge_are_the_summaries_own(merged: Store) -> None:
    snap = merged.snapshot()
    t = compare.compare(snap, 2021, 2022).totals["members"]
    assert not t.partial and t.units_counted == ("krong_nam", "ea_rbin", "lien_son")
    assert (t.change.before, t.change.after) == (445, 456)  # 125+108+100+112 → 240+101+115
    assert t.change.before == totals.summarize(snap, 2021).totals["members"].value
    assert t.change.after == totals.summarize(snap, 2022).totals["members"].value


def test_a_predecessor_not_reported_makes_the_sum_not_reported(filled: Store) -> None:
    # Ea R'Bin reported no branches in 2021: Ea R'Bin + Liên Sơn has no 2021 branches figure
    filled.merge_units(["ea_rbin", "lien_son"], into="ea_lien", name="Xã Ea Liên", year=2022)
    filled.set_value("ea_lien", "branches", 2022, 18)
    filled.set_value("krong_no", "branches", 2022, 11)
    row = rows(compare.compare(filled.snapshot(), 2021, 2022))["ea_lien"]
    c = row.values["branches"]
    assert (c.before, c.after, c.delta, c.percent) == (None, 18, None, None)  # not 10, never a fall


def test_compare_across_a_split_takes_each_share(filled: Store) -> None:
    filled.split_unit("ea_rbin", into=[("ea_bac", "Xã Ea Bắc", "0,6"), ("ea_nam", "Xã Ea Nam", "40%")], year=2022)
    for unit, members in (("krong_no", 126), ("nam_ka", 108), ("ea_bac", 61), ("ea_nam", 41), ("lien_son", 112)):
        filled.set_value(unit, "members", 2022, members)
    snap = filled.snapshot()
    cmp = compare.compare(snap, 2021, 2022)
    by = rows(cmp)
    assert list(by) == ["krong_no", "nam_ka", "ea_bac", "ea_nam", "lien_son"]
    bac, nam = by["ea_bac"].values["members"], by["ea_nam"].values["members"]
    assert (bac.before, bac.after, bac.delta, bac.approximate) == (60, 61, 1, True)  # 0,6 × 100
    assert (nam.before, nam.after, nam.delta, nam.approximate) == (40, 41, 1, True)  # 0,4 × 100
    assert by["ea_bac"].predecessors == ("ea_rbin",) and by["ea_bac"].shares == (Decimal("0.6"),)
    loans = by["ea_bac"].values["loans"]
    assert loans.before == 720_000_000 and loans.before_qualifier is Qualifier.ABOUT  # 0,6 × 1,2 tỷ
    t = cmp.totals["members"]  # both parts counted: Ea R'Bin whole, the summary's own total, exact
    assert (t.change.before, t.change.after, t.change.approximate) == (445, 448, False)
    assert t.change.before == totals.summarize(snap, 2021).totals["members"].value


def test_cli_compare_json_after_a_merge(merged: Store, capsys) -> None:  # noqa: ANN001
    code, out, _ = run(capsys, "compare", "--json", "--from", "2021", "--to", "2022", "--db", str(merged.path))
    assert code == 0
    data = json.loads(out)
    units = {u["code"]: u for u in data["units"]}
    assert set(units) == {"krong_nam", "ea_rbin", "lien_son"}
    kn = units["krong_nam"]
    assert kn["predecessors"] == ["krong_no", "nam_ka"] and kn["formed_in"] == 2022
    assert kn["values"]["members"]["from"] == FIGURES_2021[("krong_no", "members")] + FIGURES_2021[("nam_ka", "members")]
    assert kn["values"]["members"] == {"from": 233, "to": 240, "delta": 7, "percent": 3.0, "approximate": False,
                                       "from_qualifier": "exact", "to_qualifier": "exact"}
    assert kn["values"]["loans"]["from"] == 4_700_000_000 and kn["values"]["loans"]["from_qualifier"] == "over"
    assert units["lien_son"]["predecessors"] == []
    assert (data["totals"]["members"]["from"], data["totals"]["members"]["to"]) == (445, 456)


def test_cli_compare_text_says_where_a_unit_came_from(merged: Store, capsys) -> None:  # noqa: ANN001
    code, out, _ = run(capsys, "compare", "--from", "2021", "--to", "2022", "--db", str(merged.path))
    assert code == 0 and "* Krông Nam: gồm Krông Nô + Nam Ka trước 2022" in out
    assert any(ln.strip().startswith("Krông Nam") and "233" in ln and "▲ +7" in ln for ln in out.splitlines())
    assert not any(ln.strip().startswith(("Krông Nô", "Nam Ka")) for ln in out.splitlines())
    code, out, _ = run(capsys, "compare", "--from", "2021", "--to", "2022", "--lang", "en", "--db", str(merged.path))
    assert "includes Krông Nô + Nam Ka before 2022" in out


def test_unit_history_follows_a_merge_over_every_year(merged: Store) -> None:
    snap = merged.snapshot()
    hist = compare.unit_history(snap, "krong_nam", "members")
    assert [h.year for h in hist] == snap.years() == [2020, 2021, 2022]
    assert [(h.value, h.via) for h in hist] == [(230, ("krong_no", "nam_ka")), (233, ("krong_no", "nam_ka")), (240, ())]
    # the same computation as compare
    assert hist[1].value == rows(compare.compare(snap, 2021, 2022))["krong_nam"].values["members"].before
    old = compare.unit_history(snap, "krong_no", "members")
    assert [(h.value, h.exists) for h in old] == [(120, True), (125, True), (None, False)]
    loans = compare.unit_history(snap, "krong_nam", "loans")
    assert loans[1].approximate and loans[1].qualifier is Qualifier.OVER


def test_unit_history_follows_a_split(filled: Store) -> None:
    filled.split_unit("ea_rbin", into=[("ea_bac", "Xã Ea Bắc", "0,6"), ("ea_nam", "Xã Ea Nam", "40%")], year=2022)
    hist = compare.unit_history(filled.snapshot(), "ea_nam", "members")
    assert [(h.year, h.value, h.approximate, h.via) for h in hist] == [
        (2020, 40, True, ("ea_rbin",)), (2021, 40, True, ("ea_rbin",)), (2022, None, False, ())]
    assert hist[2].exists  # exists, not reported yet


# --- the command line's words ---------------------------------------------------------------

def test_unit_list_and_log_say_it_in_words(merged: Store, capsys) -> None:  # noqa: ANN001
    code, out, _ = run(capsys, "unit", "list", "--db", str(merged.path))
    assert code == 0
    assert any(ln.startswith("krong_nam") and "(gồm Krông Nô + Nam Ka từ 2022)" in ln for ln in out.splitlines())
    assert any(ln.startswith("krong_no ") and "ngừng từ 2022 → krong_nam" in ln for ln in out.splitlines())
    code, out, _ = run(capsys, "log", "--db", str(merged.path))
    assert "gộp đơn vị từ năm 2022: Xã Krông Nô + Xã Nam Ka → Xã Krông Nam (krong_nam)" in out
    code, out, _ = run(capsys, "log", "--lang", "en", "--db", str(merged.path))
    assert "units merged from 2022: Xã Krông Nô + Xã Nam Ka → Xã Krông Nam (krong_nam)" in out


def test_cli_merge_and_split_by_name(filled: Store, capsys) -> None:  # noqa: ANN001
    code, out, _ = run(capsys, "unit", "merge", "krong no", "nam ka", "--into", "krong_nam", "--name",
                       "Xã Krông Nam", "--year", "2022", "--db", str(filled.path))
    assert code == 0 and out.strip() == "Gộp đơn vị từ năm 2022: Xã Krông Nô + Xã Nam Ka → Xã Krông Nam (krong_nam)"
    code, out, _ = run(capsys, "unit", "split", "ea rbin", "--into", "ea_bac", "Xã Ea Bắc", "62,5%", "--into",
                       "ea_nam", "Xã Ea Nam", "0,375", "--year", "2022", "--db", str(filled.path))
    assert code == 0 and "62,5%" in out and "37,5%" in out
    code, out, _ = run(capsys, "unit", "list", "--db", str(filled.path))
    assert "gồm 62,5% Ea R'Bin từ 2022" in out


def test_a_task_state_of_the_year_is_named_with_the_way_out(filled: Store, capsys, sha) -> None:  # noqa: ANN001
    from ccb_tui.core.domain.models import TaskState
    task_id, _ = filled.add_task(2022, "Tổng kết năm")
    filled.set_task_status(task_id, "nam_ka", TaskState.DOING)
    digest = sha(filled.path)
    code, _, err = run(capsys, "unit", "merge", "krong_no", "nam_ka", "--into", "x", "--name", "X",
                       "--year", "2022", "--db", str(filled.path))
    line = one_line(err)
    assert code == 3 and f"nhiệm vụ {task_id} năm 2022" in line and f"ccb-tui task set {task_id} nam_ka chưa" in line
    assert sha(filled.path) == digest
    # the way out it names works
    code, _, _ = run(capsys, "task", "set", str(task_id), "nam_ka", "chưa", "--note", "", "--db", str(filled.path))
    assert code == 0
    code, _, err = run(capsys, "unit", "merge", "krong_no", "nam_ka", "--into", "x", "--name", "X",
                       "--year", "2022", "--db", str(filled.path))
    assert code == 0, err


def test_check_flags_a_predecessor_that_did_not_end(merged: Store, capsys) -> None:  # noqa: ANN001
    code, _, _ = run(capsys, "check", "--db", str(merged.path))
    assert code == 0  # a merge leaves a clean store
    data = json.loads(merged.path.read_text(encoding="utf-8"))
    doc = next(d for d in data["units"].values() if d["code"] == "nam_ka")
    doc["retired_from"] = None
    merged.path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, err = run(capsys, "check", "--db", str(merged.path))
    assert code == 6 and "krong_nam/formed_from/nam_ka" in out + err


def test_the_log_of_a_predecessor_shows_its_merge(merged: Store, capsys) -> None:  # noqa: ANN001
    code, out, _ = run(capsys, "log", "--unit", "nam_ka", "--db", str(merged.path))
    assert code == 0 and "gộp đơn vị từ năm 2022" in out
    code, out, _ = run(capsys, "log", "--unit", "ea_rbin", "--db", str(merged.path))
    assert "gộp đơn vị" not in out


def test_a_total_counting_part_of_a_split_unit_is_approximate_on_that_side(filled: Store, capsys) -> None:  # noqa: ANN001
    filled.split_unit("ea_rbin", into=[("ea_bac", "Xã Ea Bắc", "0,6"), ("ea_nam", "Xã Ea Nam", "40%")], year=2022)
    for unit, members in (("krong_no", 126), ("nam_ka", 108), ("ea_bac", 61), ("lien_son", 112)):
        filled.set_value(unit, "members", 2022, members)  # Ea Nam: no 2022 figure
    t = compare.compare(filled.snapshot(), 2021, 2022).totals["members"]
    # 125 + 108 + 0,6 × 100 + 112 = 405 → 126 + 108 + 61 + 112 = 407: the first year is a share
    assert (t.change.before, t.change.after, t.change.delta) == (405, 407, 2)
    assert t.change.approximate
    assert (t.change.before_qualifier, t.change.after_qualifier) == (Qualifier.ABOUT, Qualifier.EXACT)
    code, out, _ = run(capsys, "compare", "--from", "2021", "--to", "2022", "--db", str(filled.path))
    line = next(x for x in out.splitlines() if x.strip().startswith("Tổng cụm (4/5)") and "405" in x)
    assert "≈ 405" in line and "≈ 407" not in line


def test_undo_of_a_split_after_a_figure_entered_and_undone(filled: Store, capsys) -> None:  # noqa: ANN001
    filled.split_unit("ea_rbin", into=[("ea_bac", "Xã Ea Bắc", "0,6"), ("ea_nam", "Xã Ea Nam", "40%")], year=2022)
    filled.set_value("ea_bac", "members", 2022, 62)
    change = filled.undo_last()
    assert change.text("en") == "Xã Ea Bắc · Members 2022: 62 → not reported"  # the reversal
    assert ("ea_bac", "members", 2022) not in filled.snapshot().values  # no placeholder left behind
    filled.undo_last()  # the split
    assert filled.snapshot().unit("ea_bac") is None and filled.snapshot().unit("ea_rbin").active(2022)


def test_cli_undo_prints_the_reversal(filled: Store, capsys) -> None:  # noqa: ANN001
    db = str(filled.path)
    assert run(capsys, "set", "krong_no", "members", "130", "--year", "2022", "--db", db)[0] == 0
    assert run(capsys, "set", "krong_no", "members", "131", "--year", "2022", "--db", db)[0] == 0
    code, out, _ = run(capsys, "undo", "--db", db)
    assert code == 0 and out == "Hoàn tác: Xã Krông Nô · Số hội viên 2022: 131 → 130\n"
    code, out, _ = run(capsys, "undo", "--db", db, "--lang", "en")
    assert code == 0 and out == "Undone: Xã Krông Nô · Members 2022: 130 → not reported\n"


def test_check_flags_a_unit_carried_twice(filled: Store, capsys) -> None:  # noqa: ANN001
    """A store edited by hand (or written before the refusal) where Nam Ka went into two merged
    units: check names it (✘, exit 6), as its figures would count twice."""
    import json
    db = str(filled.path)
    assert run(capsys, "unit", "merge", "nam_ka", "ea_rbin", "--into", "m1", "--name", "M1",
               "--year", "2022", "--db", db)[0] == 0
    data = json.loads(filled.path.read_text(encoding="utf-8"))
    m1 = next(d for d in data["units"].values() if d["code"] == "m1")
    twin = json.loads(json.dumps(m1))
    twin["code"] = "m2"
    for p in twin["periods"]:
        p["name"] = "M2"
    data["units"][str(max(int(k) for k in data["units"]) + 1)] = twin
    filled.path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, _ = run(capsys, "check", "--db", db)
    assert code == 6
    assert any(line.startswith("✘") and "Xã Nam Ka được chuyển vào m1, m2 tổng cộng 200% (phải đúng 100%)" in line
               for line in out.splitlines()), out
