"""Several competition clusters in one store: cluster list|add|rename|assign|current, --cluster on
summary, set, target, compare, rank, export and report, refusals, undo.

The store is the bundled one (cluster 3, the article's 2020 figures) plus cluster 4 with two new
units and figures of their own; cluster 3's article figures must come out exactly as before.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ccb_tui.cli import main
from ccb_tui.core.domain import totals
from ccb_tui.core.domain.errors import ConflictError, InvalidValue
from ccb_tui.core.store.store import Store

# What cluster 4's two units report (whole đồng for money), per year.
FIGURES = {
    2020: {"ea_kiet": {"members": 120, "fund": 30_000_000, "loans": 1_200_000_000, "branches": 5},
           "dak_nang": {"members": 80, "fund": 20_000_000, "branches": 4}},  # loans not reported
    2021: {"ea_kiet": {"members": 131, "fund": 33_000_000, "loans": 1_500_000_000, "branches": 5},
           "dak_nang": {"members": 86, "fund": 21_000_000, "branches": 4}},
}
CUM4_UNITS = ["ea_kiet", "dak_nang"]
CUM3_UNITS = ["krong_no", "nam_ka", "ea_rbin", "lien_son"]
POINTS = {"ea_kiet": {"TC1": "9", "TC2": "8,5"}, "dak_nang": {"TC1": "10", "TC2": "9"}}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """main() with (exit code, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys, db: str, *argv: str) -> str:
    code, out, err = run(capsys, *argv, "--db", db)
    assert code == 0, (argv, err)
    return out


@pytest.fixture
def seed(db_path: Path, capsys) -> str:
    Store(db_path)
    capsys.readouterr()
    return str(db_path)


@pytest.fixture
def two(seed: str, capsys) -> str:
    """The bundled store with cluster 4 (two units, their figures for 2020 and 2021, final points)."""
    ok(capsys, seed, "cluster", "add", "cum4", "--name", "Cụm thi đua số 4", "--name-en", "Competition cluster No. 4")
    ok(capsys, seed, "unit", "add", "ea_kiet", "Xã Ea Kiết", "--year", "2020", "--cluster", "cụm thi đua số 4")
    ok(capsys, seed, "unit", "add", "dak_nang", "Xã Đắk Nang", "--year", "2020", "--cluster", "cum4")
    for year, units in FIGURES.items():
        for unit, values in units.items():
            for ind, value in values.items():
                ok(capsys, seed, "set", unit, ind, str(value), "--year", str(year), "--cluster", "cum4")
    for unit, lines in POINTS.items():
        for line, p in lines.items():
            ok(capsys, seed, "score", "set", unit, line, p, "--stage", "final", "--year", "2020", "--cluster", "cum4")
    return seed


def summary_json(capsys, db: str, *extra: str) -> dict:
    return json.loads(ok(capsys, db, "summary", "--year", "2020", "--json", *extra))


def assert_article_figures(data: dict) -> None:
    """The 2020 figures of cluster 3 as the article gives them (as tests/test_cli.py checks them)."""
    t = data["totals"]
    assert data["year"] == 2020 and data["cluster"] == "cum3"
    assert [u["code"] for u in data["units"]] == CUM3_UNITS
    assert t["branches"] == 36 and t["members"] == 438 and t["new_members"] == 24
    assert data["progress"]["new_members"]["met"] is True
    assert t["houses_removed"] == 1 and t["houses_built"] == 5
    assert 240_000_000 <= t["fund"] < 250_000_000
    assert t["loans"] > 6_700_000_000
    ea_rbin = next(u for u in data["units"] if u["code"] == "ea_rbin")
    assert ea_rbin["values"]["loans"] is None
    assert t["land_m2"] > 1500 and 100 <= t["workdays"] <= 999 and t["canal_km"] == 1.5
    assert all(r["ok"] for r in data["reconciliation"]) and len(data["reconciliation"]) == 10
    assert data["sample"] is True


# --- one cluster per view ------------------------------------------------------------------------


def test_cluster_3_article_figures_are_unchanged(two: str, capsys) -> None:
    assert_article_figures(summary_json(capsys, two))
    assert_article_figures(summary_json(capsys, two, "--cluster", "cum3"))
    assert_article_figures(summary_json(capsys, two, "--cluster", "cum thi dua so 3"))


def test_summary_of_cluster_4_has_its_units_and_their_totals(two: str, capsys) -> None:
    data = summary_json(capsys, two, "--cluster", "Cụm 4")
    assert data["cluster"] == "cum4"
    assert [u["code"] for u in data["units"]] == CUM4_UNITS
    entered = FIGURES[2020]
    for ind in ("members", "fund", "branches"):
        assert data["totals"][ind] == sum(v[ind] for v in entered.values())
    assert data["totals"]["loans"] == entered["ea_kiet"]["loans"]  # Đắk Nang not reported: left out, not 0
    assert next(u for u in data["units"] if u["code"] == "dak_nang")["values"]["loans"] is None
    assert data["sample"] is False  # cluster 3's sample figures are not cluster 4's
    text = ok(capsys, two, "summary", "--year", "2020", "--cluster", "cum4")
    assert text.startswith("Cụm thi đua số 4 · năm 2020\n")
    assert "Ea Kiết" in text and "Đắk Nang" in text and "Krông Nô" not in text


def test_compare_per_cluster(two: str, capsys) -> None:
    data = json.loads(ok(capsys, two, "compare", "--from", "2020", "--to", "2021", "--cluster", "cum4", "--json"))
    assert data["cluster"] == "cum4" and [u["code"] for u in data["units"]] == CUM4_UNITS
    before = sum(v["members"] for v in FIGURES[2020].values())
    after = sum(v["members"] for v in FIGURES[2021].values())
    members = data["totals"]["members"]
    assert (members["from"], members["to"], members["delta"]) == (before, after, after - before)
    assert members["percent"] == pytest.approx((after - before) / before * 100, abs=0.01)
    # Loans: only Ea Kiết reported both years; Đắk Nang is kept apart, not counted as 0.
    assert data["totals"]["loans"]["units_counted"] == ["ea_kiet"]
    # Without --cluster: cluster 3, which has no 2021 figure (cluster 4's are not its own).
    code, out, err = run(capsys, "compare", "--from", "2020", "--to", "2021", "--json", "--db", two)
    assert code == 3 and out == "" and "Năm 2021 chưa có số liệu" in err


def test_rank_ranks_only_the_clusters_units(seed: str, capsys) -> None:
    before = ok(capsys, seed, "rank", "--year", "2020", "--json")
    before_text = ok(capsys, seed, "rank", "--year", "2020")
    # (the fixture, on the same file)
    two = seed
    ok(capsys, two, "cluster", "add", "cum4", "--name", "Cụm thi đua số 4")
    ok(capsys, two, "unit", "add", "ea_kiet", "Xã Ea Kiết", "--year", "2020", "--cluster", "cum4")
    ok(capsys, two, "unit", "add", "dak_nang", "Xã Đắk Nang", "--year", "2020", "--cluster", "cum4")
    for unit, lines in POINTS.items():
        for line, p in lines.items():
            ok(capsys, two, "score", "set", unit, line, p, "--stage", "final", "--year", "2020", "--cluster", "cum4")
    after = json.loads(ok(capsys, two, "rank", "--year", "2020", "--json"))
    assert after == json.loads(before)  # cluster 3's ranking: same units, same points, same order
    assert after["cluster"] == "cum3"
    r4 = json.loads(ok(capsys, two, "rank", "--year", "2020", "--json", "--cluster", "cum4"))
    assert r4["cluster"] == "cum4"
    assert [u["code"] for u in r4["units"]] == ["dak_nang", "ea_kiet"]  # 19 before 17,5
    assert [u["rank"] for u in r4["units"]] == [1, 2]
    assert [u["points"] for u in r4["units"]] == [19, 17.5]
    text = ok(capsys, two, "rank", "--year", "2020", "--cluster", "cum4")
    assert text.startswith("Cụm thi đua số 4\n") and "Krông Nô" not in text
    assert ok(capsys, two, "rank", "--year", "2020").endswith(before_text)


def test_export_and_report_follow_the_cluster(two: str, capsys) -> None:
    data = json.loads(ok(capsys, two, "export", "--year", "2020", "-o", "-", "-f", "json", "--cluster", "cum4"))
    assert data["cluster"]["code"] == "cum4"
    assert [u["code"] for u in data["units"]] == CUM4_UNITS
    md = ok(capsys, two, "report", "--year", "2020", "-o", "-", "--cluster", "cum4")
    assert "Cụm thi đua số 4" in md and "Ea Kiết" in md and "Krông Nô" not in md
    md3 = ok(capsys, two, "report", "--year", "2020", "-o", "-")
    assert "Cụm thi đua số 3" in md3 and "Ea Kiết" not in md3


def test_target_of_a_cluster_and_of_its_unit(two: str, capsys) -> None:
    ok(capsys, two, "target", "cluster", "members", "250", "--year", "2020", "--cluster", "cum4")
    ok(capsys, two, "target", "ea_kiet", "fund", "25 triệu", "--year", "2020", "--cluster", "cum4")
    snap = Store(two).snapshot()
    assert snap.cluster_target("cum4", "members", 2020).value == 250
    assert snap.cluster_target("cum3", "members", 2020) is None
    s4 = totals.summarize(snap, 2020, "cum4")
    assert s4.progress["members"].basis == "cluster" and s4.progress["members"].met is False  # 200 < 250
    assert snap.target("ea_kiet", "fund", 2020).value == 25_000_000


def test_the_current_cluster_is_the_default_everywhere(two: str, capsys) -> None:
    assert ok(capsys, two, "cluster", "current") == "cum3  Cụm thi đua số 3\n"
    assert ok(capsys, two, "cluster", "current", "cum 4") == "cụm hiện hành: Cụm thi đua số 3 → Cụm thi đua số 4\n"
    assert summary_json(capsys, two)["cluster"] == "cum4"
    ok(capsys, two, "set", "ea_kiet", "members", "121", "--year", "2020")  # no --cluster: the current one
    code, _, err = run(capsys, "set", "krong_no", "members", "1", "--year", "2020", "--db", two)
    assert code == 3 and "cum3" in err
    listed = json.loads(ok(capsys, two, "cluster", "list", "--json"))
    assert listed["current"] == "cum4"
    assert [(c["code"], c["units"], c["current"]) for c in listed["clusters"]] == [("cum3", 4, False), ("cum4", 2, True)]
    out = ok(capsys, two, "settings", "set", "current_cluster", "Cụm thi đua số 3")
    assert out == "current_cluster: “cum4” → “cum3”\n"
    assert_article_figures(summary_json(capsys, two))
    assert "current_cluster" in ok(capsys, two, "settings")


def test_cluster_list(two: str, capsys) -> None:
    out = ok(capsys, two, "cluster", "list", "--year", "2020")
    assert out.splitlines() == ["* cum3  Cụm thi đua số 3  (4 đơn vị năm 2020)  ← cụm hiện hành",
                                "  cum4  Cụm thi đua số 4  (2 đơn vị năm 2020)"]
    en = ok(capsys, two, "cluster", "list", "--lang", "en", "--year", "2020")
    assert "Competition cluster No. 4  (2 units in 2020)" in en


def test_bare_cluster_is_cluster_list(two: str, capsys) -> None:
    assert ok(capsys, two, "cluster") == ok(capsys, two, "cluster", "list")


def test_assign_moves_a_unit_from_a_year_on(two: str, capsys) -> None:
    out = ok(capsys, two, "cluster", "assign", "ea kiet", "cum3", "--year", "2021")
    assert out == "Xã Ea Kiết · cụm từ 2021: Cụm thi đua số 4 → Cụm thi đua số 3\n"
    snap = Store(two).snapshot()
    assert [u.code for u in snap.units_in(2020, "cum4")] == CUM4_UNITS  # 2020 keeps its cluster
    assert [u.code for u in snap.units_in(2021, "cum4")] == ["dak_nang"]
    assert [u.code for u in snap.units_in(2021, "cum3")] == [*CUM3_UNITS, "ea_kiet"]
    assert totals.summarize(snap, 2021, "cum4").totals["members"].value == FIGURES[2021]["dak_nang"]["members"]


def test_assigning_the_same_cluster_changes_nothing(two: str, capsys, sha) -> None:
    before = sha(Path(two))
    out = ok(capsys, two, "cluster", "assign", "ea_kiet", "cum4", "--year", "2020")
    assert out == "Không có gì thay đổi: Xã Ea Kiết năm 2020 đã thuộc Cụm thi đua số 4 (cum4).\n"
    assert sha(Path(two)) == before


@pytest.mark.parametrize("argv, words", [
    (("cluster", "add", "cum4", "--name", "Cụm khác"), "Đã có cụm mã 'cum4'"),
    (("cluster", "add", "CUM_4", "--name", "Cụm khác"), "Đã có cụm mã 'cum4'"),
    (("cluster", "add", "cum5", "--name", "CỤM THI ĐUA SO 4"), "trùng với cụm cum4"),
    (("cluster", "add", "cum5", "--name", "Cum thi dua so 3"), "trùng với cụm cum3"),
    (("cluster", "add", "cụm 5!", "--name", "Cụm 5"), "Mã cụm chỉ gồm"),
    (("cluster", "add", "cum5", "--name", "  "), "Tên cụm không được để trống"),
    (("cluster", "rename", "cum4", "--name", "Cụm thi đua số 3"), "trùng với cụm cum3"),
    (("cluster", "rename", "cum9", "--name", "Cụm 9"), "Không có cụm thi đua 'cum9'. Các cụm: cum3"),
    (("cluster", "assign", "ea_kiet", "cum9", "--year", "2020"), "Các cụm: cum3 (Cụm thi đua số 3), cum4"),
    (("cluster", "assign", "ai_do", "cum3", "--year", "2020"), "Không có đơn vị 'ai_do'"),
    (("cluster", "assign", "ea_kiet", "cum3", "--year", "2019"), "chỉ có trong cụm từ năm 2020"),
    (("cluster", "assign", "ea_kiet", "cum3", "--year", "2030"), "Năm 2030 chưa mở"),
    (("cluster", "current", "cum9"), "Không có cụm thi đua 'cum9'"),
    (("settings", "set", "current_cluster", "cum9"), "Không có cụm thi đua 'cum9'"),
    (("summary", "--cluster", "cum9"), "Các cụm: cum3 (Cụm thi đua số 3), cum4 (Cụm thi đua số 4)"),
    (("compare", "--from", "2020", "--to", "2021", "--cluster", "cum9"), "Không có cụm thi đua 'cum9'"),
    (("rank", "--cluster", "x9"), "Không có cụm thi đua 'x9'"),
    (("export", "-o", "-", "--cluster", "cum9"), "Không có cụm thi đua 'cum9'"),
    (("report", "-o", "-", "--cluster", "cum9"), "Không có cụm thi đua 'cum9'"),
    (("set", "krong_no", "members", "1", "--year", "2020", "--cluster", "cum4"), "không thuộc Cụm thi đua số 4"),
    (("set", "ea_kiet", "members", "1", "--year", "2020"), "không thuộc Cụm thi đua số 3"),
    (("target", "ea_kiet", "members", "1", "--year", "2020", "--cluster", "cum3"), "không thuộc Cụm thi đua số 3"),
    (("target", "cluster", "members", "1", "--year", "2020", "--cluster", "cum9"), "Không có cụm thi đua 'cum9'"),
    (("score", "set", "ea_kiet", "TC1", "5", "--stage", "self", "--year", "2020"), "không thuộc Cụm thi đua số 3"),
    (("score", "set", "krong_no", "TC1", "5", "--stage", "self", "--year", "2020", "--cluster", "cum4"),
     "Xã Krông Nô năm 2020 thuộc Cụm thi đua số 3 (cum3), không thuộc Cụm thi đua số 4 (cum4). Dùng --cluster cum3"),
    (("score", "show", "ea_kiet", "--year", "2020"), "không thuộc Cụm thi đua số 3"),
    (("score", "show", "ea_kiet", "--year", "2020", "--cluster", "cum9"), "Không có cụm thi đua 'cum9'"),
    (("unit", "list", "--cluster", "cum9"), "Không có cụm thi đua 'cum9'"),
    (("commend", "add", "--year", "2020", "--unit", "ea_kiet", "--form", "Giấy khen", "--level", "Hội CCB huyện",
      "--reason", "x"), "không thuộc Cụm thi đua số 3"),
    (("commend", "list", "--cluster", "cum9"), "Không có cụm thi đua 'cum9'"),
    (("import", "x.csv", "--cluster", "cum9"), "Không có cụm thi đua 'cum9'"),
])
def test_refusals_exit_3_one_line_store_untouched(two: str, capsys, sha, argv, words) -> None:
    before = sha(Path(two))
    code, out, err = run(capsys, *argv, "--db", two)
    assert code == 3, (out, err)
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert words in err
    assert sha(Path(two)) == before


def test_undo_every_cluster_edit(two: str, capsys) -> None:
    store = Store(two, user="tester")
    added = store.add_cluster("cum5", "Cụm thi đua số 5")
    renamed = store.rename_cluster("cum5", "Cụm thi đua Ea Súp")
    assert store.snapshot().clusters["cum5"].name_en == "Cụm thi đua Ea Súp"  # untranslated: follows
    moved = store.assign_unit("dak_nang", "cum5", year=2021)
    current = store.set_current_cluster("ea sup")
    assert store.snapshot().default_cluster() == "cum5"
    assert [u.code for u in store.snapshot().units_in(2021, "cum5")] == ["dak_nang"]
    # The cluster has a unit: adding it cannot be undone before the move is.
    with pytest.raises(InvalidValue, match="has units"):
        store.undo(added.entry_id)
    store.undo(current.entry_id)
    assert store.snapshot().default_cluster() == "cum3"
    store.undo(moved.entry_id)
    assert [u.code for u in store.snapshot().units_in(2021, "cum4")] == CUM4_UNITS
    store.undo(renamed.entry_id)
    assert store.snapshot().clusters["cum5"].name_vi == "Cụm thi đua số 5"
    store.undo(added.entry_id)
    assert "cum5" not in store.snapshot().clusters
    log = ok(capsys, two, "log")
    assert "[hoàn tác] Xã Đắk Nang · cụm từ 2021: cum5 → Cụm thi đua số 4" in log  # cum5 is gone by now
    assert "[hoàn tác] cụm cum5: Cụm thi đua số 5 → —" in log


def test_undo_command_reverts_an_assignment(two: str, capsys, sha) -> None:
    before = Store(two).snapshot().unit("ea_kiet").periods
    ok(capsys, two, "cluster", "assign", "ea_kiet", "cum3", "--year", "2021")
    assert Store(two).snapshot().unit("ea_kiet").cluster(2021) == "cum3"
    assert "Hoàn tác" in ok(capsys, two, "undo")
    assert Store(two).snapshot().unit("ea_kiet").periods == before


def test_undo_of_a_changed_assignment_is_a_conflict(two: str, capsys, sha) -> None:
    store = Store(two, user="tester")
    moved = store.assign_unit("ea_kiet", "cum3", year=2021)
    Store(two, user="other").assign_unit("ea_kiet", "cum4", year=2021)
    before = sha(Path(two))
    with pytest.raises(ConflictError):
        store.undo(moved.entry_id)
    assert sha(Path(two)) == before


# --- --cluster on score, unit list, commend and import ---------------------------------------------


def test_score_show_follows_the_cluster(two: str, capsys) -> None:
    shown = ok(capsys, two, "score", "show", "ea_kiet", "--year", "2020", "--stage", "final", "--cluster", "cum4")
    assert shown.startswith("Xã Ea Kiết · điểm thi đua năm 2020")
    assert "Huyện: 17,5" in shown  # 9 + 8,5, the points the fixture gave
    ok(capsys, two, "cluster", "current", "cum4")
    assert ok(capsys, two, "score", "show", "ea_kiet", "--year", "2020", "--stage", "final") == shown


def test_unit_list_per_cluster(two: str, capsys) -> None:
    codes = lambda out: [line.split()[0] for line in out.splitlines()]  # noqa: E731
    assert codes(ok(capsys, two, "unit", "list")) == CUM3_UNITS
    assert codes(ok(capsys, two, "unit", "list", "--cluster", "cum4")) == CUM4_UNITS
    assert codes(ok(capsys, two, "unit", "list", "--year", "2021", "--cluster", "Cụm thi đua số 4")) == CUM4_UNITS
    # moved to cluster 3 from 2021: listed there for 2021, in cluster 4 for 2020, in both without --year
    ok(capsys, two, "cluster", "assign", "dak_nang", "cum3", "--year", "2021")
    assert codes(ok(capsys, two, "unit", "list", "--year", "2021")) == CUM3_UNITS + ["dak_nang"]
    assert codes(ok(capsys, two, "unit", "list", "--year", "2020", "--cluster", "cum4")) == CUM4_UNITS
    assert codes(ok(capsys, two, "unit", "list", "--year", "2021", "--cluster", "cum4")) == ["ea_kiet"]
    assert codes(ok(capsys, two, "unit", "list")) == CUM3_UNITS + ["dak_nang"]


def test_commendations_per_cluster(two: str, capsys) -> None:
    common = ("--year", "2020", "--form", "Giấy khen", "--level", "Hội CCB huyện", "--reason")
    ok(capsys, two, "commend", "add", "--unit", "ea_kiet", *common, "Kết nạp vượt", "--cluster", "cum4")
    ok(capsys, two, "commend", "add", "--unit", "nam_ka", *common, "Quỹ hội")
    ok(capsys, two, "commend", "add", "--person", "Nguyễn Văn A", *common, "Gương điển hình")
    listed = lambda *extra: [json.loads(ok(capsys, two, "commend", "list", "--year", "2020", "--json", *extra))]  # noqa: E731
    four = listed("--cluster", "cum4")[0]
    three = listed()[0]
    assert [(c["unit"], c["person"]) for c in four] == [("ea_kiet", None), (None, "Nguyễn Văn A")]
    assert [(c["unit"], c["person"]) for c in three] == [("nam_ka", None), (None, "Nguyễn Văn A")]
    text_list = ok(capsys, two, "commend", "list", "--year", "2020", "--cluster", "cum4")
    assert "Ea Kiết" in text_list and "Nam Ka" not in text_list


def _exported(capsys, db: str, tmp: Path, *extra: str) -> Path:
    out = tmp / "cum4.csv"
    ok(capsys, db, "export", "--year", "2020", "-o", str(out), "--force", *extra)
    return out


def test_import_refuses_units_of_another_cluster_per_cell(two: str, capsys, sha, tmp_path: Path) -> None:
    path = _exported(capsys, two, tmp_path, "--cluster", "cum4")
    rows = path.read_text(encoding="utf-8-sig").splitlines()
    changed = [r.replace(",131,", ",132,") if r.startswith("Số liệu,2021,ea_kiet") else r for r in rows]
    changed = [r.replace(",120,", ",121,") if r.startswith("Số liệu,2020,ea_kiet,Xã Ea Kiết,members") else r
               for r in changed]
    path.write_text("\n".join(changed) + "\n", encoding="utf-8")
    before = sha(Path(two))
    code, out, err = run(capsys, "import", str(path), "--db", two)  # the current cluster is cum3
    assert code == 3 and out == "" and "Traceback" not in err
    lines = err.splitlines()
    assert lines[-1] == "Không nhập cum4.csv: " + lines[-1].split(": ", 1)[1]
    assert "dòng 3, cột C (Mã đơn vị): Xã Ea Kiết năm 2020 thuộc Cụm thi đua số 4 (cum4), không thuộc " \
           "Cụm thi đua số 3 (cum3). Dùng --cluster cum4" in err
    assert sha(Path(two)) == before
    code, out, err = run(capsys, "--lang", "en", "import", str(path), "--db", two, "--dry-run")
    assert code == 3 and "line 3, column C (Mã đơn vị): Xã Ea Kiết" in err and "is in Competition cluster No. 4 (cum4) in 2020, not in" in err
    assert sha(Path(two)) == before
    done = ok(capsys, two, "import", str(path), "--cluster", "cum4")
    assert "Xã Ea Kiết · Số hội viên 2020: 120 → 121" in done
    data = summary_json(capsys, two, "--cluster", "cum4")
    assert data["totals"]["members"] == 121 + 80


def test_import_rechecks_the_cluster_as_it_is_applied(two: str, capsys, sha, tmp_path: Path) -> None:
    from ccb_tui.core.exchange.importer import apply_plan, plan_import
    path = _exported(capsys, two, tmp_path, "--cluster", "cum4")
    path.write_text(path.read_text(encoding="utf-8-sig").replace(",120,", ",121,"), encoding="utf-8")
    store = Store(two, user="tester")
    plan = plan_import(store.snapshot().with_cluster("cum4"), path)
    assert plan.cluster == "cum4" and plan.count("value") == 1
    ok(capsys, two, "cluster", "assign", "ea_kiet", "cum3", "--year", "2020")  # meanwhile, someone moves it
    before = sha(Path(two))
    with pytest.raises(InvalidValue) as refused:
        apply_plan(store, plan)
    assert "thuộc Cụm thi đua số 3 (cum3), không thuộc Cụm thi đua số 4 (cum4)" in refused.value.msg.vi
    assert sha(Path(two)) == before


def test_store_edits_check_the_cluster_inside_the_transaction(two: str, sha) -> None:
    store = Store(two, user="tester")
    before = sha(Path(two))
    with pytest.raises(InvalidValue) as score:
        store.set_score("ea_kiet", "TC1", 2020, "self", 5, cluster="cum3")
    with pytest.raises(InvalidValue) as commend:
        store.add_commendation(2020, unit="ea_kiet", form="Giấy khen", level="Hội CCB huyện", reason="x",
                               cluster="cum3")
    for refused in (score, commend):
        assert "không thuộc Cụm thi đua số 3 (cum3)" in refused.value.msg.vi
    assert sha(Path(two)) == before
    store.set_score("ea_kiet", "TC1", 2020, "self", 5, cluster="cum4")
    assert store.snapshot().scores[("ea_kiet", "TC1", 2020, "self")].points == 5


# --- check -----------------------------------------------------------------------------------------


def _set_stored_cluster(db: str, code: str) -> None:
    """What a hand edit (or an older version) can leave: a current_cluster naming no cluster."""
    data = json.loads(Path(db).read_text(encoding="utf-8"))
    meta = next(iter(data["meta"].values()))
    meta.setdefault("settings", {})["current_cluster"] = code
    Path(db).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def check_problems(capsys, db: str, *extra: str) -> list[str]:  # noqa: ANN001
    """The lines ``check`` marks as problems (⚠ or ✘)."""
    return [x for x in run(capsys, *extra, "check", "--db", db)[1].splitlines() if x.startswith(("⚠", "✘"))]


def test_check_looks_at_every_cluster(two: str, capsys) -> None:
    # Cluster 4's district scoring has begun (two lines of each unit): the other ten lines of
    # each are flagged, under the cluster's name, whichever cluster is the current one.
    found = check_problems(capsys, two)
    assert len(found) == 2 and all(x.startswith("⚠ Cụm thi đua số 4 · 2020 · thi đua: ") for x in found)
    assert "Xã Ea Kiết · huyện chấm 2020: 10/12 dòng chưa chấm" in found[0]
    assert "Xã Đắk Nang · huyện chấm 2020: 10/12 dòng chưa chấm" in found[1]
    ok(capsys, two, "cluster", "current", "cum4")
    assert check_problems(capsys, two) == found
    # A stage begun in cluster 3 does not make cluster 4's units "not scored" at it.
    ok(capsys, two, "score", "set", "krong_no", "TC1", "9", "--stage", "final", "--year", "2021", "--cluster", "cum3")
    after = check_problems(capsys, two)
    assert [x for x in after if x not in found] == [x for x in after if x.startswith("⚠ Cụm thi đua số 3 · 2021")]
    assert any("Xã Nam Ka · huyện chấm 2021: 12/12" in x for x in after)


def test_check_reports_a_current_cluster_that_does_not_exist(two: str, capsys) -> None:
    base = check_problems(capsys, two)  # cluster 4's unscored lines
    _set_stored_cluster(two, "cum9")
    code, out, err = run(capsys, "check", "--db", two)
    assert code == 6 and err == f"Kiểm tra: {len(base) + 1} vấn đề cần xem lại.\n"
    line = next(x for x in out.splitlines() if "current_cluster" in x)
    assert line.startswith("⚠ Cụm hiện hành (thiết lập current_cluster) là 'cum9', nhưng không có cụm mã đó")
    assert "đang dùng cụm đầu tiên, cum3. Sửa: ccb-tui cluster current MÃ" in line
    en = run(capsys, "--lang", "en", "check", "--db", two)[1]
    assert "⚠ The current cluster (the current_cluster setting) is 'cum9', but there is no cluster" in en
    # the fix it names works, and is one audited, undoable step
    fixed = ok(capsys, two, "cluster", "current", "cum3")  # the cluster shown anyway: still mended
    assert fixed == "cụm hiện hành: cum9 (không có cụm này) → Cụm thi đua số 3\n"
    assert check_problems(capsys, two) == base
    ok(capsys, two, "undo")
    assert len(check_problems(capsys, two)) == len(base) + 1
    ok(capsys, two, "cluster", "current", "cum4")
    assert "current_cluster" not in run(capsys, "check", "--db", two)[1]


def test_check_notes_a_cluster_without_units(two: str, capsys) -> None:
    base = check_problems(capsys, two)  # cluster 4's unscored lines
    ok(capsys, two, "cluster", "add", "cum5", "--name", "Cụm thi đua số 5")
    code, out, err = run(capsys, "check", "--db", two)
    assert err == f"Kiểm tra: {len(base)} vấn đề cần xem lại.\n"  # a notice, not a problem
    assert [x for x in out.splitlines() if x.startswith(("⚠", "✘"))] == base
    notices = [x for x in out.splitlines() if x.startswith("ℹ")]
    year = Store(two).snapshot().current_year()
    assert notices == [f"ℹ Cụm thi đua số 5 (cum5) chưa có đơn vị nào năm {year}. Chuyển đơn vị vào: "
                       f"ccb-tui cluster assign ĐƠN_VỊ cum5 --year {year}"]
    ok(capsys, two, "cluster", "assign", "dak_nang", "cum5", "--year", str(year))
    assert not [x for x in run(capsys, "check", "--db", two)[1].splitlines() if x.startswith("ℹ")]
