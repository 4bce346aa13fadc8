"""Year over year (``ccb-tui compare``): per unit and for the cluster, on the bundled data with 2021
figures entered through ``Store.set_value``. Every expectation below is worked out by hand."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ccb_tui.cli import main
from ccb_tui.core.domain import compare, totals
from ccb_tui.core.domain.errors import InvalidValue
from ccb_tui.core.domain.models import Qualifier
from ccb_tui.core.store import Store


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def filled(db_path: Path) -> Store:
    """The seed (2020) plus some 2021 figures.

    2020 (seed): members 120 / 110 / 100 / 108 = 438; branches 10 / 9 / 8 / 9 = 36;
    loans 2,5 tỷ / 2,2 tỷ / not reported / 2,03 tỷ; canal_km 0,5 / 0,4 / 0,3 / 0,3;
    houses_removed 1 / 0 / 0 / 0. Krông Nô's 2020 loans are restated as "trên 6,7 tỷ".
    """
    s = Store(db_path, user="tester")
    s.set_value("krong_no", "loans", 2020, 6_700_000_000, qualifier=Qualifier.OVER)
    figures = {
        ("krong_no", "members"): 125, ("nam_ka", "members"): 108, ("lien_son", "members"): 112,
        # ea_rbin members 2021: not reported
        ("krong_no", "branches"): 11, ("nam_ka", "branches"): 9, ("ea_rbin", "branches"): 8,
        ("lien_son", "branches"): 10,
        ("krong_no", "loans"): 7_100_000_000, ("ea_rbin", "loans"): 1_200_000_000,
        ("lien_son", "canal_km"): 0.5,
        ("nam_ka", "houses_removed"): 1,
    }
    for (unit, ind), value in figures.items():
        s.set_value(unit, ind, 2021, value)
    return s


def by_code(cmp: compare.Comparison) -> dict[str, compare.UnitComparison]:
    return {row.unit.code: row for row in cmp.units}


def test_a_unit_change_and_its_percent(filled: Store) -> None:
    cmp = compare.compare(filled.snapshot(), 2020, 2021)
    c = by_code(cmp)["krong_no"].values["members"]
    assert (c.before, c.after, c.delta) == (120, 125, 5)
    assert round(c.percent, 2) == 4.17  # 5 / 120
    assert not c.approximate
    c = by_code(cmp)["nam_ka"].values["members"]
    assert (c.delta, round(c.percent, 2)) == (-2, -1.82)  # -2 / 110


def test_not_reported_is_not_zero(filled: Store) -> None:
    cmp = compare.compare(filled.snapshot(), 2020, 2021)
    c = by_code(cmp)["ea_rbin"].values["members"]
    assert (c.before, c.after, c.delta, c.percent) == (100, None, None, None)
    c = by_code(cmp)["ea_rbin"].values["loans"]  # not reported in 2020, 1,2 tỷ in 2021
    assert (c.before, c.after, c.delta, c.percent) == (None, 1_200_000_000, None, None)


def test_a_qualified_figure_gives_an_approximate_change(filled: Store) -> None:
    cmp = compare.compare(filled.snapshot(), 2020, 2021)
    c = by_code(cmp)["krong_no"].values["loans"]  # "trên 6,7 tỷ" → 7,1 tỷ
    assert (c.before, c.after, c.delta) == (6_700_000_000, 7_100_000_000, 400_000_000)
    assert c.approximate and c.before_qualifier is Qualifier.OVER
    assert round(c.percent, 2) == 5.97  # 0,4 / 6,7


def test_decimals_and_a_zero_base(filled: Store) -> None:
    cmp = compare.compare(filled.snapshot(), 2020, 2021)
    c = by_code(cmp)["lien_son"].values["canal_km"]
    assert c.delta == 0.2 and round(c.percent, 2) == 66.67  # not 0.19999999999999996
    c = by_code(cmp)["nam_ka"].values["houses_removed"]  # 0 → 1: a change, no percent
    assert (c.delta, c.percent) == (1, None)


def test_complete_totals_are_the_summaries_own(filled: Store) -> None:
    snap = filled.snapshot()
    cmp = compare.compare(snap, 2020, 2021)
    t = cmp.totals["branches"]  # every unit both years: 36 → 38
    assert t.units_counted == ("krong_no", "nam_ka", "ea_rbin", "lien_son") and not t.partial
    assert (t.change.before, t.change.after, t.change.delta) == (36, 38, 2)
    assert round(t.change.percent, 2) == 5.56
    assert t.change.before == totals.summarize(snap, 2020).totals["branches"].value
    assert t.change.after == totals.summarize(snap, 2021).totals["branches"].value


def test_totals_compare_only_units_reported_in_both_years(filled: Store) -> None:
    cmp = compare.compare(filled.snapshot(), 2020, 2021)
    t = cmp.totals["members"]  # Ea R'Bin has no 2021 figure: 120+110+108 = 338 → 125+108+112 = 345
    assert t.units_counted == ("krong_no", "nam_ka", "lien_son") and t.units_total == 4 and t.partial
    assert (t.change.before, t.change.after, t.change.delta) == (338, 345, 7)
    assert round(t.change.percent, 2) == 2.07
    assert (t.total_before, t.total_after) == (438, 345)  # what `summary` shows for each year
    t = cmp.totals["loans"]  # only Krông Nô both years, and its 2020 figure is "trên"
    assert t.units_counted == ("krong_no",) and t.change.approximate
    assert t.change.delta == 400_000_000
    t = cmp.totals["workdays"]  # nobody reported in 2021: nothing to compare
    assert t.units_counted == () and t.change.delta is None and t.total_before == 480


def test_a_unit_that_joins_later(filled: Store) -> None:
    filled.add_unit("ea_kiet", "Xã Ea Kiết", year=2021)
    filled.set_value("ea_kiet", "members", 2021, 90)
    cmp = compare.compare(filled.snapshot(), 2020, 2021)
    row = by_code(cmp)["ea_kiet"]
    assert (row.in_before, row.in_after) == (False, True)
    assert row.values["members"].delta is None
    assert cmp.totals["members"].units_total == 5
    assert cmp.totals["members"].change.delta == 7  # the newcomer is not counted as growth


@pytest.mark.parametrize("y1,y2,word", [(2020, 2020, "trùng"), (2019, 2020, "Không có năm 2019"),
                                        (2020, 2021, "chưa có số liệu")])
def test_bad_years_are_refused(store: Store, y1: int, y2: int, word: str) -> None:
    with pytest.raises(InvalidValue) as exc:
        compare.compare(store.snapshot(), y1, y2)  # the bare seed: 2021 has targets, no figures
    assert word in exc.value.msg.vi


@pytest.mark.parametrize("args", [("--from", "2020", "--to", "2020"), ("--from", "2019", "--to", "2020"),
                                  ("--from", "2020", "--to", "2021")])
def test_cli_bad_years_exit_3_with_one_line(store: Store, capsys, args: tuple[str, ...]) -> None:
    capsys.readouterr()
    code, out, err = run(capsys, "compare", "--db", str(store.path), *args)
    assert code == 3 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err


def test_cli_json(filled: Store, capsys) -> None:
    code, out, _ = run(capsys, "compare", "--db", str(filled.path), "--from", "2020", "--to", "2021", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["from"], data["to"]) == (2020, 2021)
    units = {u["code"]: u for u in data["units"]}
    kn = units["krong_no"]
    assert kn["name"] == "Xã Krông Nô" and kn["predecessors"] == []
    assert kn["values"]["members"] == {"from": 120, "to": 125, "delta": 5, "percent": 4.17,
                                       "approximate": False, "from_qualifier": "exact",
                                       "to_qualifier": "exact"}
    assert kn["values"]["loans"]["delta"] == 400_000_000 and kn["values"]["loans"]["approximate"] is True
    assert units["ea_rbin"]["values"]["loans"]["delta"] is None
    assert units["ea_rbin"]["values"]["loans"]["percent"] is None
    m = data["totals"]["members"]
    assert (m["from"], m["to"], m["delta"], m["percent"]) == (338, 345, 7, 2.07)
    assert m["units_counted"] == ["krong_no", "nam_ka", "lien_son"] and m["units_total"] == 4
    assert (m["total_from"], m["total_to"]) == (438, 345)
    assert data["totals"]["canal_km"]["delta"] == 0.2


def test_cli_text_in_vietnamese(filled: Store, capsys) -> None:
    code, out, _ = run(capsys, "compare", "--db", str(filled.path), "--from", "2020", "--to", "2021")
    assert code == 0
    lines = out.splitlines()
    kn = [ln for ln in lines if ln.strip().startswith("Krông Nô")]
    assert any("125" in ln and "▲ +5" in ln and "+4,17%" in ln for ln in kn)
    assert any("trên 6,7 tỷ" in ln and "7,1 tỷ" in ln and "≈ ▲ +0,4 tỷ" in ln for ln in kn)
    assert any("▼ -2" in ln and "-1,82%" in ln for ln in lines if ln.strip().startswith("Nam Ka"))
    assert any("chưa báo cáo" in ln and "1,2 tỷ" in ln for ln in lines if ln.strip().startswith("Ea R'Bin"))
    assert any(ln.strip().startswith("Tổng cụm (3/4)") and "338" in ln and "345" in ln for ln in lines)
    assert "chỉ so 3/4 đơn vị có số liệu cả hai năm (Ea R'Bin chưa báo cáo năm 2021)" in out


def test_cli_text_in_english(filled: Store, capsys) -> None:
    code, out, _ = run(capsys, "compare", "--db", str(filled.path), "--from", "2020", "--to", "2021",
                       "--lang", "en")
    assert code == 0
    assert "+4.17%" in out and "≈ ▲ +0.4 B ₫" in out and "not reported" in out
    assert "Cluster total (3/4)" in out


def test_compare_is_headless() -> None:
    import ccb_tui.core.domain.compare as mod
    tree = ast.parse(Path(mod.__file__).read_text(encoding="utf-8"))
    names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {(n.module or "").split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not names & {"textual", "rich", "plotext", "textual_plotext"}
    probe = ("import sys, ccb_tui.core.domain.compare, ccb_tui.cli.years; "
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'plotext')))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --- units that change cluster between the two years ------------------------------------------


@pytest.fixture
def moved(filled: Store) -> Store:
    """Liên Sơn moves to a new cluster 4 from 2022; 2022 has members for every unit, and Liên Sơn
    (in cluster 4) its fund."""
    filled.open_year(2022)
    filled.add_cluster("cum4", "Cụm 4")
    filled.assign_unit("lien_son", "cum4", year=2022)
    for unit, members in (("krong_no", 127), ("nam_ka", 110), ("ea_rbin", 101), ("lien_son", 115)):
        filled.set_value(unit, "members", 2022, members)
    return filled


def test_a_unit_that_moved_in_brings_its_own_first_year_figures(moved: Store) -> None:
    # Liên Sơn was in cluster 3 in 2021 (112 members): cluster 4's 2021 → 2022 is Liên Sơn's own
    cmp = compare.compare(moved.snapshot(), 2021, 2022, "cum4")
    row = by_code(cmp)["lien_son"]
    assert (row.in_before, row.in_after, row.cluster_before) == (False, True, "cum3")
    c = row.values["members"]
    assert (c.before, c.after, c.delta) == (112, 115, 3)
    t = cmp.totals["members"]
    assert (t.change.before, t.change.after, t.units_counted, t.units_total) == (112, 115, ("lien_son",), 1)
    assert not t.partial


def test_a_unit_that_left_is_listed_not_counted(moved: Store) -> None:
    # cluster 3 in 2022 is three units, all compared: 3/3, not "3/4"
    cmp = compare.compare(moved.snapshot(), 2021, 2022, "cum3")
    row = by_code(cmp)["lien_son"]
    assert row.left and row.cluster_after == "cum4" and row.in_before
    t = cmp.totals["members"]
    assert t.units_counted == ("krong_no", "nam_ka") and t.units_total == 3  # Ea R'Bin: no 2021 figure
    assert (t.change.before, t.change.after) == (125 + 108, 127 + 110)


def test_cli_compare_across_a_cluster_move(moved: Store, capsys) -> None:
    code, out, err = run(capsys, "compare", "--db", str(moved.path), "--from", "2021", "--to", "2022",
                         "--cluster", "cum4")
    assert code == 0, err
    assert "Liên Sơn: thuộc Cụm thi đua số 3 năm 2021" in out
    code, out, _ = run(capsys, "compare", "--db", str(moved.path), "--from", "2021", "--to", "2022", "--json")
    data = json.loads(out)
    ls = next(u for u in data["units"] if u["code"] == "lien_son")
    assert (ls["in_to"], ls["cluster_to"]) == (False, "cum4")
    assert ls["values"]["members"]["to_qualifier"] is None  # no 2022 figure in this cluster
    assert data["totals"]["members"]["units_total"] == 3
    code, out, _ = run(capsys, "compare", "--db", str(moved.path), "--from", "2021", "--to", "2022")
    assert "Liên Sơn: chuyển sang Cụm 4 năm 2022" in out
    assert "Liên Sơn không thuộc cụm" not in out  # not named as left out of the comparison


def test_the_dashboard_change_uses_the_same_denominator(moved: Store) -> None:
    from ccb_tui.core.domain import trends
    snap = moved.snapshot()
    prev = trends.previous_comparison(snap, totals.summarize(snap, 2022, "cum3"))
    assert prev is not None and prev.totals["members"].units_total == 3


def test_each_side_of_a_total_is_approximate_on_its_own(filled: Store, capsys) -> None:
    # loans: Krông Nô's 2020 figure is "trên 6,7 tỷ", its 2021 figure (7,1 tỷ) is exact
    t = compare.compare(filled.snapshot(), 2020, 2021).totals["loans"]
    assert t.change.before_qualifier is Qualifier.OVER and t.change.after_qualifier is Qualifier.EXACT
    assert t.change.approximate
    code, out, _ = run(capsys, "compare", "--db", str(filled.path), "--from", "2020", "--to", "2021")
    line = next(x for x in out.splitlines()[out.splitlines().index("Dư nợ vốn vay Ngân hàng CSXH (đồng)"):]
                if x.strip().startswith("Tổng cụm"))
    assert "≈ 6,7 tỷ" in line and "≈ 7,1" not in line and "7,1 tỷ" in line
    code, out, _ = run(capsys, "compare", "--db", str(filled.path), "--from", "2020", "--to", "2021", "--json")
    loans = json.loads(out)["totals"]["loans"]
    assert (loans["from_qualifier"], loans["to_qualifier"]) == ("over", "exact")
    assert json.loads(out)["totals"]["workdays"]["to_qualifier"] is None


def test_the_same_year_twice_suggests_years_the_store_has(store: Store) -> None:
    with pytest.raises(InvalidValue) as exc:
        compare.compare(store.snapshot(), 2020, 2020)
    assert "--from 2020 --to 2021" in exc.value.msg.vi and "2019" not in exc.value.msg.vi


def test_headings_name_the_unit_only_where_the_label_does_not(tmp_path) -> None:  # noqa: ANN001
    import subprocess
    import sys
    db = str(tmp_path / "ccb.json")
    run = [sys.executable, "-m", "ccb_tui", "--db", db]
    subprocess.run([*run, "year", "open", "2021"], check=True, capture_output=True)
    subprocess.run([*run, "set", "krong_no", "members", "125", "--year", "2021"], check=True, capture_output=True)
    for lang, want, unwanted in (("vi", ["Số hội viên", "Hiến đất (m²)", "Quỹ hội (đồng)"], "Số hội viên (hội viên)"),
                                 ("en", ["Members", "Land donated (m²)"], "Members (members)")):
        out = subprocess.run([*run, "--lang", lang, "compare", "--from", "2020", "--to", "2021"],
                             check=True, capture_output=True, text=True).stdout.splitlines()
        assert all(w in out for w in want), (lang, [x for x in out if x and not x.startswith(" ")])
        assert unwanted not in out
