"""What the meeting sees is right: the cluster's plan basis and coverage, one current year,
readable `check`, and exports of a year without its own checklist. Each test reproduces a
finding of the trial (issue "what the meeting sees is right")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ccb_tui.cli import main
from ccb_tui.core.exchange import export as exchange
from ccb_tui.core.report import text as report_text
from ccb_tui.core.domain import totals
from ccb_tui.core.domain.indicators import BY_CODE
from ccb_tui.core.store.store import Store


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(db_path: Path, capsys) -> str:
    Store(db_path, user="tester")
    capsys.readouterr()
    return str(db_path)


def summary_json(capsys, db: str, *extra: str) -> dict:
    code, out, err = run(capsys, "summary", "--json", "--db", db, *extra)
    assert code == 0, err
    return json.loads(out)


# --- plan basis -------------------------------------------------------------------------------


def test_one_unit_target_is_compared_with_that_unit_only(db: str, capsys) -> None:
    # Before: 438 / 115 = "ĐẠT 381%" while Nam Ka alone was at 96%.
    code, _, _ = run(capsys, "target", "nam_ka", "members", "115", "--year", "2020", "--db", db)
    assert code == 0
    data = summary_json(capsys, db, "--year", "2020")
    p = data["progress"]["members"]
    assert p["basis"] == "units"
    assert p["units_counted"] == ["nam_ka"] and p["units_total"] == 4
    assert (p["actual"], p["target"]) == (110, 115)
    assert p["percent"] == pytest.approx(95.65) and p["met"] is False
    assert data["totals"]["members"] == 438  # the total is still the whole cluster's
    code, out, _ = run(capsys, "summary", "--year", "2020", "--db", db)
    assert "CHƯA ĐẠT 96% (1/4)" in out and "381" not in out
    assert "1/4 đơn vị có kế hoạch (Nam Ka)" in out


def test_one_figure_against_four_targets_counts_that_unit_and_says_who_reported(db: str, capsys) -> None:
    # Before: "121 / 455 CHƯA ĐẠT 27%" with no word that only 1 of 4 units had reported.
    code, _, _ = run(capsys, "set", "krong_no", "members", "121", "--year", "2021", "--db", db)
    assert code == 0
    data = summary_json(capsys, db, "--year", "2021")
    p = data["progress"]["members"]
    assert (p["actual"], p["target"], p["basis"], p["units_counted"]) == (121, 125, "units", ["krong_no"])
    assert p["percent"] == pytest.approx(96.8)
    assert data["totals_reported"]["members"] == ["krong_no"]
    assert data["totals_reported"]["branches"] == []
    code, out, _ = run(capsys, "summary", "--year", "2021", "--db", db)
    assert "1/4 đơn vị đã báo cáo" in out and "27%" not in out


def test_cluster_target_compares_the_cluster_total(db: str, capsys) -> None:
    code, out, err = run(capsys, "target", "cluster", "members", "450", "--year", "2020", "--db", db)
    assert code == 0, err
    assert "kế hoạch cụm" in out
    p = summary_json(capsys, db, "--year", "2020")["progress"]["members"]
    assert (p["basis"], p["actual"], p["target"], p["met"]) == ("cluster", 438, 450, False)
    assert p["units_counted"] == ["krong_no", "nam_ka", "ea_rbin", "lien_son"]
    # a cluster target wins over the units' own
    run(capsys, "target", "nam_ka", "members", "100", "--year", "2020", "--db", db)
    assert summary_json(capsys, db, "--year", "2020")["progress"]["members"]["target"] == 450
    # removable, audited and undoable
    assert run(capsys, "target", "cum", "members", "none", "--year", "2020", "--db", db)[0] == 0
    assert summary_json(capsys, db, "--year", "2020")["progress"]["members"]["basis"] == "units"
    code, out, _ = run(capsys, "log", "--db", db)
    assert "kế hoạch cụm Số hội viên 2020: 450 → —" in out
    assert run(capsys, "undo", "--db", db)[0] == 0
    assert summary_json(capsys, db, "--year", "2020")["progress"]["members"]["target"] == 450


def test_seed_plan_claim_still_reconciles(db: str, capsys) -> None:
    data = summary_json(capsys, db, "--year", "2020")
    assert all(r["ok"] for r in data["reconciliation"])
    p = data["progress"]["new_members"]
    assert (p["basis"], p["actual"], p["target"], p["met"]) == ("units", 24, 22, True)


def test_not_reported_total_has_no_unit(db_path: Path) -> None:
    store = Store(db_path)
    store.set_value("krong_no", "workdays", 2021, 10)
    s = totals.summarize(store.snapshot(), 2021)
    ind = BY_CODE["workdays"]
    assert report_text.show_total(ind, s.totals["branches"], "vi", with_unit=True) == "chưa BC"
    assert report_text.show_total(ind, s.totals["workdays"], "vi", units_total=4, with_unit=True) == \
        "10 ngày công (1/4)"


# --- one current year -------------------------------------------------------------------------


def test_target_without_year_goes_to_the_current_year(db: str, capsys) -> None:
    # Before: `target "nam ka" members 115` changed 2021 (the latest year with targets).
    code, out, err = run(capsys, "target", "nam ka", "members", "115", "--db", db)
    assert code == 0
    assert "Số hội viên 2020: —" in out
    snap = Store(db).snapshot()
    assert snap.target("nam_ka", "members", 2020).value == 115
    assert snap.target("nam_ka", "members", 2021).value == 114


def test_a_mistyped_year_is_refused_and_moves_no_default(db: str, capsys, sha) -> None:
    before = sha(Path(db))
    code, _, err = run(capsys, "set", "nam_ka", "members", "111", "--year", "2100", "--db", db)
    assert code == 3
    assert "ccb-tui year open 2100" in err and err.count("\n") == 1
    assert sha(Path(db)) == before
    assert summary_json(capsys, db)["year"] == 2020
    for argv in (("target", "nam_ka", "members", "1", "--year", "2023"),
                 ("task", "add", "Việc mới", "--year", "2030"),
                 ("target", "cluster", "members", "1", "--year", "2022")):
        assert run(capsys, *argv, "--db", db)[0] == 3
    assert sha(Path(db)) == before


def test_year_current_and_open(db: str, capsys) -> None:
    code, out, _ = run(capsys, "year", "--db", db)
    assert out.splitlines() == ["2020  ← năm hiện hành", "2021"]
    assert run(capsys, "year", "current", "2021", "--db", db)[0] == 0
    assert summary_json(capsys, db)["year"] == 2021
    code, out, _ = run(capsys, "set", "nam_ka", "members", "111", "--db", db)
    assert "2021" in out
    assert Store(db).snapshot().reading("nam_ka", "members", 2021).value == 111
    # 2022 is current + 1: writable; 2023 is not until opened
    assert run(capsys, "target", "nam_ka", "members", "120", "--year", "2022", "--db", db)[0] == 0
    assert run(capsys, "target", "nam_ka", "members", "120", "--year", "2023", "--db", db)[0] == 3
    code, out, err = run(capsys, "year", "open", "2023", "--db", db)
    assert code == 0, err
    assert "4 đơn vị năm 2023" in out
    assert summary_json(capsys, db)["year"] == 2023
    assert run(capsys, "year", "current", "1999", "--db", db)[0] == 3
    assert run(capsys, "year", "open", "2999", "--db", db)[0] == 2  # outside argparse's range
    code, _, err = run(capsys, "year", "open", "2090", "--db", db)
    assert code == 3 and "quá xa" in err


def test_store_without_current_year_opens_on_latest_reported_year_not_a_stray_one(db_path: Path, capsys) -> None:
    Store(db_path)
    data = json.loads(db_path.read_text(encoding="utf-8"))
    del data["meta"]["1"]["settings"]["current_year"]
    data["records"]["99"] = {"unit": "nam_ka", "year": 2100, "values": {"members": {"v": 5}}, "targets": {}}
    db_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert summary_json(capsys, str(db_path))["year"] == 2020
    code, out, err = run(capsys, "check", "--db", str(db_path))
    assert code == 6
    assert "Năm 2100 có dữ liệu" in out


# --- check ------------------------------------------------------------------------------------


def test_check_words_problems_with_names_and_money(db: str, capsys) -> None:
    store = Store(db)
    store.set_value("nam_ka", "fund", 2020, 100_000_000)
    data = json.loads(Path(db).read_text(encoding="utf-8"))  # a hand edit the store would refuse
    rec = next(r for r in data["records"].values() if (r["unit"], r["year"]) == ("nam_ka", 2020))
    rec["values"]["new_members"]["v"] = 500  # more new members than members
    Path(db).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, err = run(capsys, "check", "--db", db)
    assert code == 6  # problems found: not 3, which means an invalid value
    assert "Xã Nam Ka · Kết nạp hội viên mới 2020" in out
    assert "2020 · Quỹ hội: Không khớp: 286,6 tr. ≥ 250 tr." in out
    assert "nam_ka/new_members" not in out and "286.600.000" not in out


# --- exports of a year without its own checklist ----------------------------------------------


def test_export_2020_carries_the_2021_checklist(db: str) -> None:
    snap = Store(db).snapshot()
    rows = exchange.build_rows(snap, 2020)
    assert len(rows["tasks"]) == 8 * 4
    assert {r["year"] for r in rows["tasks"]} == {2021}
    doc = json.loads(exchange.render(snap, 2020, "json"))
    assert doc["checklist_year"] == 2021 and len(doc["tasks"]) == 32
    basis = {r["indicator"]: r["plan_basis"] for r in rows["totals"]}
    assert basis["new_members"] == "4/4 đơn vị có kế hoạch" and basis["members"] is None


# --- what is sample, and what a year opened from another carries ---------------------------------


def test_figures_entered_for_a_year_are_not_called_sample(db: str, capsys) -> None:
    # the seed's 2021 has sample targets, no figures: the mark says the plan is sample, not the figures
    for unit in ("krong_no", "nam_ka", "ea_rbin", "lien_son"):
        assert run(capsys, "set", unit, "members", "100", "--year", "2021", "--db", db)[0] == 0
    data = summary_json(capsys, db, "--year", "2021")
    assert (data["sample"], data["sample_targets"]) == (False, True)
    code, out, _ = run(capsys, "summary", "--year", "2021", "--db", db)
    assert "[kế hoạch mẫu]" in out.splitlines()[0] and "số liệu mẫu" not in out
    snap = Store(Path(db)).snapshot()
    notes = report_text.sample_notes(totals.summarize(snap, 2021), "vi")
    assert notes == ["Kế hoạch (chỉ tiêu đăng ký) năm 2021 của các đơn vị là số mẫu cho đến khi được sửa."]
    data = summary_json(capsys, db, "--year", "2020")  # the seed's own figures are still sample
    assert data["sample"] is True


def test_year_open_from_a_year_without_tasks_says_so(db: str, capsys) -> None:
    code, out, err = run(capsys, "year", "open", "2021", "--from", "2020", "--db", db)
    assert code == 0, err
    assert "0/0" not in out
    assert "Nhiệm vụ: năm 2020 không có nhiệm vụ nào để mang sang; năm 2021 có sẵn 8 nhiệm vụ." in out
