"""Thi đua end to end: the sample ranking, score edits, templates, commendations, the pact day,
carrying a year forward, malformed store documents, undo and the audit log."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest

from ccb_tui.cli import main
from ccb_tui.core.domain import scoring
from ccb_tui.core.domain.errors import ConflictError, InvalidValue
from ccb_tui.core.store import ANY
from ccb_tui.core.store.store import Store

SAMPLE = [("krong_no", 86.25, "Xuất sắc", 1), ("nam_ka", 78.5, "Tiên tiến", 2),
          ("lien_son", 78.5, "Tiên tiến", 2), ("ea_rbin", 69, "Vững mạnh", 4)]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(db_path: Path, capsys) -> str:
    Store(db_path)
    capsys.readouterr()
    return str(db_path)


def ranking(capsys, db: str, *extra: str) -> dict:
    code, out, err = run(capsys, "rank", "--json", "--db", db, *extra)
    assert code == 0, err
    return json.loads(out)


# --- the sample -------------------------------------------------------------------------

def test_new_store_ranks_the_sample_at_once(capsys, db_path):
    code, out, err = run(capsys, "rank", "--json", "--db", str(db_path))  # the store does not exist yet
    assert code == 0, err
    r = json.loads(out)
    assert set(r) >= {"year", "stage", "max", "units", "differences"}
    assert (r["year"], r["stage"], r["max"], r["sample"]) == (2020, "final", 90, True)
    assert [(u["code"], u["points"], u["band"], u["rank"]) for u in r["units"]] == SAMPLE
    assert all(set(u) == {"code", "name", "points", "band", "rank", "scored_lines", "total_lines"} for u in r["units"])
    assert all(u["scored_lines"] == u["total_lines"] == 12 for u in r["units"])


def test_the_sample_tag_says_what_is_sample(capsys, db):
    # 2020: the bundled scores are the sample's; 2021 carries the sample points table forward,
    # and a real score ranked on it is not "sample data", only the table is.
    assert run(capsys, "rank", "--db", db)[1].splitlines()[0].endswith("(số liệu mẫu)")
    assert run(capsys, "year", "open", "2021", "--from", "2020", "--db", db)[0] == 0
    assert run(capsys, "score", "set", "krong_no", "TC1", "9", "--stage", "final", "--year", "2021",
               "--db", db)[0] == 0
    head = run(capsys, "rank", "--year", "2021", "--db", db)[1].splitlines()[0]
    assert head.endswith("(bảng điểm mẫu)") and "số liệu mẫu" not in head
    assert run(capsys, "--lang", "en", "rank", "--year", "2021", "--db", db)[1].splitlines()[0].endswith(
        "(sample points table)")
    assert ranking(capsys, db, "--year", "2021")["sample"] is True  # the table is still the sample


def test_sample_has_one_peer_disagreement_of_a_point_or_more(capsys, db):
    r = ranking(capsys, db, "--stage", "peer")
    assert r["differences"] == [{"unit": "ea_rbin", "line": "KT2", "self": 9, "peer": 7.5}]
    code, out, _ = run(capsys, "rank", "--stage", "peer", "--db", db)
    assert code == 0
    assert "Xã Ea R'Bin · KT2" in out and "9 → 7,5" in out


def test_sample_template_shape(store):
    snap = store.snapshot()
    t = snap.templates[2020]
    assert t.sample and snap.templates[2021].sample
    assert t.max_total == D(90) and len(t.lines) == 12
    assert scoring.validate_template(t) == []
    assert [(b.name, b.low, b.high) for b in sorted(t.bands, key=lambda b: -b.low)] == [
        ("Xuất sắc", 81, 90), ("Tiên tiến", 71, 80), ("Vững mạnh", 61, 70), ("Yếu", 0, 60)]
    assert {ln.area for ln in t.lines} >= {"Xây dựng tổ chức hội", "Công tác tuyên truyền",
                                          "Phát triển kinh tế, giảm nghèo", "Tham gia xây dựng Đảng, chính quyền",
                                          "Các hoạt động tình nghĩa"}
    rules = [ln for ln in t.lines if ln.rule]
    assert [(ln.rule.kind, ln.rule.indicator) for ln in rules] == [("target_ratio", "new_members")]
    assert any(ln.min_points < 0 for ln in t.lines)
    assert all(s.note == "mẫu" for s in snap.scores.values())


def test_rank_text_shows_ties_bands_and_vietnamese_decimals(capsys, db):
    code, out, _ = run(capsys, "rank", "--db", db)
    assert code == 0
    lines = out.splitlines()
    assert "Xếp hạng thi đua năm 2020" in lines[0] and "tối đa 90 điểm" in lines[0]
    assert any("1  Xã Krông Nô" in ln and "86,25" in ln and "Xuất sắc" in ln for ln in lines)
    assert sum(1 for ln in lines if ln.strip().startswith("2 ") and "78,5" in ln) == 2
    code, out, _ = run(capsys, "rank", "--db", db, "--lang", "en")
    assert "86.25" in out and "Ranking 2020" in out


# --- score set ------------------------------------------------------------------------------

def test_score_set_vietnamese_decimals_stay_exact(capsys, db):
    code, out, err = run(capsys, "score", "set", "krong no", "XD2", "6,75", "--stage", "final", "--db", db)
    assert code == 0, err
    assert "6,25 → 6,75" in out
    r = ranking(capsys, db)
    assert r["units"][0]["points"] == 86.75
    raw = json.loads(Path(db).read_text(encoding="utf-8"))
    doc = next(d for d in raw["scores"].values() if d["unit"] == "krong_no")
    assert doc["stages"]["final"]["XD2"]["p"] == "6.75"
    snap = Store(db).snapshot()
    assert snap.scores[("krong_no", "XD2", 2020, "final")].points == D("6.75")


def test_edits_make_a_tie_share_rank_one(capsys, db):
    # nam_ka 78,5 → 86,25 (+7,75), every line within its maximum
    for line, pts in (("TC3", "5"), ("TT1", "8"), ("TT2", "7"), ("KT2", "10"), ("XD1", "8"), ("XD2", "7"),
                      ("THUONG", "4,75")):
        assert run(capsys, "score", "set", "nam_ka", line, pts, "--stage", "final", "--db", db)[0] == 0
    r = ranking(capsys, db)
    top = [(u["code"], u["points"], u["rank"]) for u in r["units"][:2]]
    assert sorted(top) == [("krong_no", 86.25, 1), ("nam_ka", 86.25, 1)]
    assert r["units"][2]["rank"] == 3
    assert r["units"][1]["band"] == "Xuất sắc"


def test_rule_line_prints_its_proposal(capsys, db):
    code, out, _ = run(capsys, "score", "set", "ea_rbin", "TC2", "9", "--stage", "self", "--note",
                         "một hồ sơ chưa đủ", "--db", db)
    assert code == 0
    assert "Đề xuất theo quy tắc: 10 điểm (thực hiện 5 / kế hoạch 5)" in out


@pytest.mark.parametrize("argv, words", [
    (("krong_no", "TC1", "10,5"), "vượt điểm tối đa"),
    (("krong_no", "TRU", "-5,5"), "dưới điểm tối thiểu"),
    (("krong_no", "TC1", "9,555"), "2 chữ số thập phân"),
    (("krong_no", "NOPE", "1"), "không có dòng 'NOPE'"),
    (("nowhere", "TC1", "1"), "nowhere"),
    (("krong_no", "TC1", "abc"), "abc"),
])
def test_bad_scores_are_refused_and_nothing_is_written(capsys, db, sha, argv, words):
    before = sha(Path(db))
    code, out, err = run(capsys, "score", "set", *argv, "--stage", "final", "--db", db)
    assert code == 3, (out, err)
    assert words in err and len(err.strip().splitlines()) == 1
    assert sha(Path(db)) == before


def test_misspelt_stage_and_year_without_template_exit_3(capsys, db, sha):
    before = sha(Path(db))
    code, _, err = run(capsys, "score", "set", "krong_no", "TC1", "9", "--stage", "fnal", "--db", db)
    assert code == 3 and "self" in err
    code, _, err = run(capsys, "score", "set", "krong_no", "TC1", "9", "--stage", "self", "--year", "2019", "--db", db)
    assert code == 3 and "chưa có bảng điểm" in err and "score template --import" in err
    code, _, err = run(capsys, "rank", "--year", "2019", "--db", db)
    assert code == 3
    assert sha(Path(db)) == before


def test_score_above_max_is_refused_with_the_store_byte_identical(store, sha):
    before = sha(store.path)
    with pytest.raises(InvalidValue):
        store.set_score("krong_no", "TC1", 2020, "final", "10.5")
    assert sha(store.path) == before


def test_expect_conflict_exit_4(capsys, db, sha):
    before = sha(Path(db))
    code, _, err = run(capsys, "score", "set", "krong_no", "TC1", "10", "--stage", "final", "--expect", "8",
                       "--db", db)
    assert code == 4 and "9,5" in err
    assert sha(Path(db)) == before
    code, out, _ = run(capsys, "score", "set", "krong_no", "TC1", "10", "--stage", "final", "--expect", "9,5",
                       "--db", db)
    assert code == 0 and "9,5 → 10" in out


def test_store_expect_none_means_not_scored_yet(store):
    store.set_score("krong_no", "TC1", 2020, "final", None)
    with pytest.raises(ConflictError):
        store.set_score("krong_no", "TC2", 2020, "final", "1", expect=None)
    store.set_score("krong_no", "TC1", 2020, "final", "7", expect=None)
    assert store.snapshot().scores[("krong_no", "TC1", 2020, "final")].points == 7


def test_clearing_a_score_and_the_unscored_flag(capsys, db):
    assert run(capsys, "score", "set", "lien_son", "TN1", "none", "--stage", "final", "--db", db)[0] == 0
    r = ranking(capsys, db)
    ls = next(u for u in r["units"] if u["code"] == "lien_son")
    assert (ls["points"], ls["scored_lines"]) == (70, 11)
    code, out, _ = run(capsys, "rank", "--db", db)
    assert "1/12 dòng chưa chấm" in out


def test_score_show(capsys, db):
    code, out, _ = run(capsys, "score", "show", "ea rbin", "--db", db)
    assert code == 0
    assert "Xã Ea R'Bin" in out and "Tự chấm" in out and "Huyện" in out
    assert "10 (thực hiện 5 / kế hoạch 5)" in out
    assert "Huyện: 69 → Vững mạnh" in out


def test_undo_and_log_of_a_score(capsys, db):
    run(capsys, "score", "set", "krong_no", "TC1", "8,5", "--stage", "peer", "--db", db)
    code, out, _ = run(capsys, "log", "--db", db)
    assert "Xã Krông Nô · TC1 (cụm thẩm định) 2020: 9,5 → 8,5" in out
    assert run(capsys, "undo", "--db", db)[0] == 0
    snap = Store(db).snapshot()
    assert snap.scores[("krong_no", "TC1", 2020, "peer")].points == D("9.5")


# --- templates ------------------------------------------------------------------------------

def test_template_show_and_json(capsys, db):
    code, out, _ = run(capsys, "score", "template", "--db", db)
    assert code == 0
    assert "(mẫu)" in out and "Xây dựng tổ chức hội" in out and "81–90  Xuất sắc" in out
    assert "theo tỷ lệ đạt kế hoạch «Kết nạp hội viên mới»" in out and "tối thiểu -5" in out
    assert "new_members" not in out  # the indicator by its name, not its code
    code, out, _ = run(capsys, "score", "template", "--json", "--db", db)
    doc = json.loads(out)
    assert doc["year"] == 2020 and doc["pact_signed"] is None and len(doc["lines"]) == 12


def _template_json(capsys, db: str) -> dict:
    return json.loads(run(capsys, "score", "template", "--json", "--db", db)[1])


def test_template_import_json(capsys, db, tmp_path):
    doc = _template_json(capsys, db)
    doc["lines"][0]["title"] = "Củng cố tổ chức (sửa)"
    doc["lines"][0]["max"] = "12"
    doc["bands"][0]["high"] = "92"
    f = tmp_path / "t.json"
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    code, out, err = run(capsys, "score", "template", "--import", str(f), "--year", "2020", "--db", db)
    assert code == 0, err
    t = Store(db).snapshot().templates[2020]
    assert t.lines[0].max_points == 12 and t.max_total == 92 and not t.sample
    assert t.lines[0].title == "Củng cố tổ chức (sửa)"


@pytest.mark.parametrize("change, words", [
    (lambda d: d["bands"].__setitem__(0, {"name": "Xuất sắc", "low": "75", "high": "90"}), "chồng lên nhau"),
    (lambda d: d["lines"].append(dict(d["lines"][0])), "trùng"),
    (lambda d: d["lines"][0].__setitem__("max", "-1"), "điểm tối đa phải ≥ 0"),
    (lambda d: d["lines"][0].__setitem__("max", "abc"), "lines[0].max"),
    (lambda d: d["lines"].pop(0), "TC1"),  # a scored line dropped
    (lambda d: d["lines"][2].__setitem__("max", "4"), "TC3"),  # below stored points (5)
])
def test_bad_template_import_is_refused_whole(capsys, db, tmp_path, sha, change, words):
    doc = _template_json(capsys, db)
    change(doc)
    f = tmp_path / "t.json"
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    before = sha(Path(db))
    code, _, err = run(capsys, "score", "template", "--import", str(f), "--year", "2020", "--db", db)
    assert code == 3 and words in err, err
    assert sha(Path(db)) == before


def _rule_line(doc: dict) -> dict:
    return next(ln for ln in doc["lines"] if ln.get("rule"))


def _lowest_band(doc: dict) -> dict:
    return min(doc["bands"], key=lambda b: D(b["low"]))


def _lowest_total(doc: dict) -> D:
    return sum((D(ln.get("min") or 0) for ln in doc["lines"]), D(0))


@pytest.mark.parametrize("change, words", [
    # A rule on an indicator the catalogue does not have would never propose anything.
    (lambda d: _rule_line(d)["rule"].__setitem__("indicator", "[b]nope"),
     "TC2.rule.indicator: [b]nope không phải mã chỉ tiêu (dùng: branches, members, new_members"),
    (lambda d: _rule_line(d)["rule"].__setitem__("target", "new_members"),
     "TC2.rule: target không phải trường của quy tắc (dùng: kind, indicator, per, step)"),
    (lambda d: _rule_line(d).__setitem__("rule", {"per": "2"}), "TC2.rule.kind: bị thiếu"),
    # No unit can total below the lines' minimum points; a band starting lower is a mistake.
    (lambda d: _lowest_band(d).__setitem__("low", str(_lowest_total(d) - D("0.5"))), "thấp hơn tổng điểm thấp nhất"),
    (lambda d: _lowest_band(d).__setitem__("low", "-1000"), "Xếp loại Yếu: cận dưới -1000"),
], ids=["unknown-indicator", "unknown-rule-key", "rule-without-kind", "band-just-below", "band-far-below"])
def test_template_import_refuses_rules_and_bands_that_cannot_work(capsys, db, tmp_path, sha, change, words):
    doc = _template_json(capsys, db)
    change(doc)
    f = tmp_path / "t.json"
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    before = sha(Path(db))
    code, out, err = run(capsys, "score", "template", "--import", str(f), "--year", "2020", "--db", db)
    assert code == 3 and words in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err and out == ""
    assert sha(Path(db)) == before


def test_lowest_band_may_start_at_the_lowest_possible_total(capsys, db, tmp_path):
    doc = _template_json(capsys, db)
    lowest = _lowest_total(doc)
    assert lowest < 0  # the sample has a penalty line
    _lowest_band(doc)["low"] = str(lowest)
    f = tmp_path / "t.json"
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    code, _, err = run(capsys, "score", "template", "--import", str(f), "--year", "2020", "--db", db)
    assert code == 0, err
    t = Store(db).snapshot().templates[2020]
    assert min(b.low for b in t.bands) == lowest and t.band(lowest).name == _lowest_band(doc)["name"]


def test_validate_template_refuses_an_unknown_indicator_and_a_band_below_every_total(store):
    t = store.snapshot().templates[2020]
    ruled = next(ln for ln in t.lines if ln.rule)
    bad_rule = scoring.Rule(ruled.rule.kind, "nope", ruled.rule.per, ruled.rule.step)
    lines = tuple(scoring.Line(ln.code, ln.area, ln.title, ln.max_points, ln.min_points,
                               bad_rule if ln is ruled else ln.rule) for ln in t.lines)
    problems = scoring.validate_template(scoring.Template(2020, lines, t.bands))
    assert [p.field for p in problems] == [f"line/{ruled.code}"] and "nope" in problems[0].msg.vi
    lowest = sum((ln.min_points for ln in t.lines), D(0))
    bands = tuple(scoring.Band(b.name, lowest - 1 if b.low == min(x.low for x in t.bands) else b.low, b.high)
                  for b in t.bands)
    problems = scoring.validate_template(scoring.Template(2020, t.lines, bands))
    assert len(problems) == 1 and "thấp hơn tổng điểm thấp nhất" in problems[0].msg.vi


@pytest.mark.parametrize("raw, words", [
    ('{"lines": [], "bands": [], "lines": []}', "khóa lines có hai lần"),
    ('{"lines": [{"code": "A", "max": "5", "max": "50"}], "bands": []}', "khóa max có hai lần"),
    ("[" * 200_000 + "]" * 200_000, "JSON lồng nhau quá nhiều tầng"),
    ('{"lines": ' + "[" * 200_000 + "]" * 200_000 + ', "bands": []}', "JSON lồng nhau quá nhiều tầng"),
], ids=["repeated-top-key", "repeated-line-key", "deep-array", "deep-inside-object"])
def test_template_import_refuses_repeated_keys_and_deep_nesting(capsys, db, tmp_path, sha, raw, words):
    f = tmp_path / "t.json"
    f.write_text(raw, encoding="utf-8")
    before = sha(Path(db))
    code, out, err = run(capsys, "score", "template", "--import", str(f), "--year", "2020", "--db", db)
    assert code == 3 and words in err, err
    assert len(err.strip().splitlines()) == 1 and "Error" not in err and "Traceback" not in err
    assert sha(Path(db)) == before


def test_template_import_xlsx(capsys, db, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "lines"
    ws.append(["code", "area", "title", "max", "min"])
    ws.append(["A1", "Tổ chức", "Sinh hoạt chi hội", 50, 0])
    ws.append(["A2", "Kinh tế", "Giảm nghèo", 40.5, None])
    ws.append(["P", "Điểm trừ", "Vi phạm", 0, -5])
    bands = wb.create_sheet("bands")
    bands.append(["name", "low", "high"])
    bands.append(["Tốt", 0, 60])
    bands.append(["Rất tốt", 61, 90.5])
    f = tmp_path / "t.xlsx"
    wb.save(f)
    code, out, err = run(capsys, "score", "template", "--import", str(f), "--year", "2021", "--db", db)
    assert code == 0, err
    t = Store(db).snapshot().templates[2021]
    assert [ln.code for ln in t.lines] == ["A1", "A2", "P"] and t.max_total == D("90.5")
    assert t.band(D(70)).name == "Rất tốt"


def test_undo_template_import(capsys, db, tmp_path):
    doc = _template_json(capsys, db)
    doc["lines"][0]["title"] = "Khác"
    f = tmp_path / "t.json"
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert run(capsys, "score", "template", "--import", str(f), "--year", "2021", "--db", db)[0] == 0
    assert run(capsys, "undo", "--db", db)[0] == 0
    assert Store(db).snapshot().templates[2021].lines[0].title != "Khác"


# --- commendations and the pact ---------------------------------------------------------------

def test_commendations(capsys, db):
    code, out, err = run(capsys, "commend", "add", "--year", "2020", "--unit", "krong no", "--form", "Giấy khen",
                         "--level", "Hội CCB huyện", "--reason", "Dẫn đầu cụm thi đua", "--db", db)
    assert code == 0, err
    code, out, err = run(capsys, "commend", "add", "--year", "2020", "--person", "Nguyễn Văn Ba", "--unit",
                         "lien_son", "--form", "Giấy khen", "--level", "Hội CCB huyện", "--reason", "Gương mẫu",
                         "--db", db)
    assert code == 0, err
    items = json.loads(run(capsys, "commend", "list", "--json", "--db", db)[1])
    assert [(c["unit"], c["person"], c["status"]) for c in items] == [
        ("krong_no", None, "proposed"), ("lien_son", "Nguyễn Văn Ba", "proposed")]  # a missing field is null
    first = items[0]["id"]
    code, out, _ = run(capsys, "commend", "approve", str(first), "--db", db)
    assert code == 0 and "Khen thưởng số 1: đề nghị → được duyệt" in out
    before = Path(db).read_bytes()
    code, out, _ = run(capsys, "commend", "approve", str(first), "--db", db)  # again: nothing to do
    assert code == 0 and out.strip() == "Khen thưởng số 1 đã được duyệt rồi; không ghi gì."
    assert Path(db).read_bytes() == before
    code, out, _ = run(capsys, "commend", "list", "--db", db)
    assert "[được duyệt]  Xã Krông Nô · Giấy khen" in out and "Nguyễn Văn Ba (Thị trấn Liên Sơn)" in out
    assert run(capsys, "commend", "remove", str(items[1]["id"]), "--db", db)[0] == 0
    assert len(json.loads(run(capsys, "commend", "list", "--json", "--db", db)[1])) == 1
    assert run(capsys, "undo", "--db", db)[0] == 0  # the removal comes back, under its id
    assert [c["id"] for c in json.loads(run(capsys, "commend", "list", "--json", "--db", db)[1])] == \
        [items[0]["id"], items[1]["id"]]


def test_commendation_refusals(capsys, db, sha):
    before = sha(Path(db))
    code, _, err = run(capsys, "commend", "add", "--year", "2020", "--form", "Giấy khen", "--level", "huyện",
                       "--reason", "x", "--db", db)
    assert code == 3 and "--unit" in err
    code, _, err = run(capsys, "commend", "approve", "99", "--db", db)
    assert code == 3 and "99" in err
    code, _, err = run(capsys, "commend", "add", "--year", "2020", "--unit", "krong_no", "--form", "Giấy khen",
                       "--level", "huyện", "--reason", "x", "--status", "maybe", "--db", db)
    assert code == 3
    assert sha(Path(db)) == before


def test_pact_sign(capsys, db):
    code, out, _ = run(capsys, "pact", "sign", "--year", "2020", "--date", "15/1/2020", "--db", db)
    assert code == 0 and out.startswith("Ngày ký giao ước 2020: — → 15/01/2020")
    code, out, _ = run(capsys, "pact", "show", "--year", "2020", "--db", db)
    assert code == 0 and out.strip() == "Giao ước thi đua năm 2020: ký ngày 15/01/2020"
    assert "Ký giao ước thi đua: 15/01/2020" in run(capsys, "score", "template", "--db", db)[1]
    assert Store(db).snapshot().pacts == {2020: "2020-01-15"}
    doc = json.loads(run(capsys, "score", "template", "--json", "--db", db)[1])
    assert doc["pact_signed"] == "2020-01-15"
    raw = json.loads(Path(db).read_text(encoding="utf-8"))
    assert next(d for d in raw["templates"].values() if d["year"] == 2020)["pact_signed"] == "2020-01-15"


# --- year open --from ---------------------------------------------------------------------------

def test_year_open_carries_template_and_checklist(capsys, db):
    before = Store(db).snapshot()
    code, out, err = run(capsys, "year", "open", "2022", "--from", "2021", "--db", db)
    assert code == 0, err
    assert "mang sang từ năm 2021 (12 dòng)" in out and "8/8" in out
    snap = Store(db).snapshot()
    assert snap.current_year() == 2022
    assert scoring.template_doc(snap.templates[2022]) == scoring.template_doc(before.templates[2021])
    assert [t.title for t in snap.tasks_for(2022)] == [t.title for t in before.tasks_for(2021)]
    assert all(not t.statuses for t in snap.tasks_for(2022))
    assert run(capsys, "score", "set", "krong_no", "TC1", "9", "--stage", "self", "--year", "2022", "--db", db)[0] == 0
    # the plan for 2022 is the units' registered targets
    run(capsys, "target", "krong_no", "new_members", "7", "--year", "2022", "--db", db)
    summary = json.loads(run(capsys, "summary", "--year", "2022", "--json", "--db", db)[1])
    assert "7" in json.dumps(summary)


def test_year_open_carry_is_undone_in_one_step(capsys, db):
    assert run(capsys, "year", "open", "2022", "--from", "2021", "--db", db)[0] == 0
    assert run(capsys, "undo", "--db", db)[0] == 0
    snap = Store(db).snapshot()
    assert 2022 not in snap.templates and not snap.tasks_for(2022)
    assert run(capsys, "undo", "--db", db)[0] == 0
    assert Store(db).snapshot().current_year() == 2020


def test_year_open_keeps_an_existing_template(capsys, db):
    code, out, _ = run(capsys, "year", "open", "2021", "--from", "2020", "--db", db)
    assert code == 0 and "đã có, giữ nguyên" in out


# --- store documents ---------------------------------------------------------------------------

@pytest.mark.parametrize("mutate, words", [
    (lambda d: d["scores"]["1"]["stages"]["final"]["TC1"].__setitem__("p", "9.555"), "scores/1 (krong_no 2020)"),
    (lambda d: d["scores"]["1"]["stages"].__setitem__("fnal", {}), "stages.fnal"),
    (lambda d: d["scores"]["1"]["stages"]["self"]["TC1"].__setitem__("p", [1]), "stages.self.TC1.p"),
    (lambda d: d["templates"]["1"]["lines"][0].__setitem__("max", "x"), "templates/1 (2020): trường lines[0].max"),
    (lambda d: d["templates"]["1"].__setitem__("pact_signed", "15/1"), "pact_signed"),
    (lambda d: d["templates"]["2"].__setitem__("year", 2020), "templates/2"),
    (lambda d: d["commendations"].__setitem__("1", {"year": 2020, "status": "maybe"}), "commendations/1"),
])
def test_malformed_thidua_documents_exit_5_naming_record_and_field(capsys, db, mutate, words):
    data = json.loads(Path(db).read_text(encoding="utf-8"))
    mutate(data)
    Path(db).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, _, err = run(capsys, "rank", "--db", db)
    assert code == 5 and words in err, err


def test_rank_never_imports_textual(db):
    snippet = ("import sys; from ccb_tui.cli import main; main(['rank', '--db', %r]); "
               "main(['score', 'show', 'krong_no', '--db', %r]); "
               "print([m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'plotext')])") % (db, db)
    done = subprocess.run([sys.executable, "-c", snippet], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("[]")


def test_any_is_the_store_sentinel():
    from ccb_tui.core.store import store as store_module
    assert store_module.ANY is ANY


# --- a rule's proposal: other points need a reason ----------------------------------------------

def test_points_off_the_proposal_need_a_note_exit_3_byte_identical(capsys, db, sha):
    """TC2 proposes 10 for Krông Nô (7 new members against a target of 6): 5 without --note is
    refused by the store in one line naming the proposal and --note; with a note it is saved."""
    before = sha(Path(db))
    code, out, err = run(capsys, "score", "set", "krong_no", "TC2", "5", "--stage", "final", "--db", db)
    assert code == 3, (out, err)
    assert len(err.strip().splitlines()) == 1
    assert "khác điểm quy tắc đề xuất cho dòng TC2 (10 điểm: thực hiện 7 / kế hoạch 6)" in err and "--note" in err
    assert sha(Path(db)) == before
    code, out, err = run(capsys, "score", "set", "krong_no", "TC2", "5", "--stage", "final", "--note", "  ",
                         "--db", db)
    assert code == 3 and sha(Path(db)) == before  # a blank note is no reason
    code, out, err = run(capsys, "score", "set", "krong_no", "TC2", "5", "--stage", "final", "--note",
                         "hồ sơ kết nạp thiếu", "--db", db)
    assert code == 0 and "10 → 5" in out, err
    code, out, err = run(capsys, "score", "set", "krong_no", "TC2", "10", "--stage", "final", "--db", db)
    assert code == 0, err  # the proposal itself needs no reason


def test_store_refuses_points_off_the_proposal_without_a_note(store, sha):
    before = sha(store.path)
    with pytest.raises(InvalidValue) as err:
        store.set_score("krong_no", "TC2", 2020, "self", "9")
    assert "--note" in err.value.text("vi") and "10" in err.value.text("en")
    assert sha(store.path) == before


def test_a_year_nobody_scored_ranks_nobody(capsys, db):
    """After carrying 2020 forward, 2021 has a table and no scores: every unit reads "chưa chấm"
    with no rank and no band, in the text and the JSON alike; a unit scored later is ranked alone."""
    assert run(capsys, "year", "open", "2021", "--from", "2020", "--db", db)[0] == 0
    code, out, err = run(capsys, "rank", "--year", "2021", "--db", db)
    assert code == 0, err
    rows = [ln for ln in out.splitlines() if "Xã" in ln or "Thị trấn" in ln]
    assert len(rows) == 4 and all(ln.split()[0] == "—" and "⚠ chưa chấm" in ln and "Yếu" not in ln for ln in rows)
    assert "Bằng điểm" not in out  # nobody is tied on a rank
    r = ranking(capsys, db, "--year", "2021")
    assert [(u["rank"], u["points"], u["band"]) for u in r["units"]] == [(None, None, None)] * 4
    assert run(capsys, "score", "set", "lien_son", "TC1", "9", "--stage", "final", "--year", "2021", "--db", db)[0] == 0
    r = ranking(capsys, db, "--year", "2021")
    assert [(u["code"], u["rank"]) for u in r["units"]][0] == ("lien_son", 1)
    assert [u["rank"] for u in r["units"][1:]] == [None] * 3


def test_rank_difference_lines_cut_titles_at_a_word_with_an_ellipsis(capsys, db):
    assert run(capsys, "score", "set", "krong_no", "TC1", "8,25", "--stage", "final", "--db", db)[0] == 0
    code, out, _ = run(capsys, "rank", "--db", db)
    line = next(ln for ln in out.splitlines() if "· TC1" in ln)
    assert "TC1 Củng cố tổ chức, sinh hoạt chi hội đều…: 9,5 → 8,25" in line, line
    code, out, _ = run(capsys, "--lang", "en", "rank", "--db", db)
    assert "Differences of 1 point or more (peer check → district score):" in out
    code, out, _ = run(capsys, "--lang", "en", "score", "template", "--db", db)
    assert "by share of the «New members admitted» target met" in out


@pytest.mark.parametrize("day, words", [("31/12/2030", "01/01/2019–31/12/2020"), ("31/12/2018", "không hợp")])
def test_pact_day_outside_the_years_window_exit_3_byte_identical(capsys, db, sha, day, words):
    before = sha(Path(db))
    code, out, err = run(capsys, "pact", "sign", "--year", "2020", "--date", day, "--db", db)
    assert code == 3 and words in err and len(err.strip().splitlines()) == 1, (out, err)
    assert sha(Path(db)) == before


def test_pact_day_in_the_future_is_refused(store, sha, monkeypatch):
    """On 1/6/2020 (in Lắk) the 2020 pact cannot be recorded as signed on 2/6/2020."""
    from datetime import date
    from ccb_tui.core.store import thidua as store_thidua
    monkeypatch.setattr(store_thidua, "now_iso", lambda: "2020-05-31T20:00:00+00:00")  # 03:00 on 1/6 in Lắk
    before = sha(store.path)
    with pytest.raises(InvalidValue) as err:
        store.set_pact_date(2020, date(2020, 6, 2))
    assert "chưa tới (hôm nay là 01/06/2020)" in err.value.text("vi")
    assert sha(store.path) == before
    assert store.set_pact_date(2020, date(2020, 6, 1)).new == "01/06/2020"


def test_pact_sign_without_date_uses_the_clusters_day_not_utc(capsys, db, monkeypatch):
    """At 20:00 UTC on 31/12/2020 it is already 1/1/2021 in Lắk (UTC+7): that is the day recorded."""
    from datetime import datetime, timezone
    from ccb_tui.cli import thidua as cli_thidua
    assert run(capsys, "year", "open", "2021", "--from", "2020", "--db", db)[0] == 0
    monkeypatch.setattr(cli_thidua, "_utc_now", lambda: datetime(2020, 12, 31, 20, 0, tzinfo=timezone.utc))
    code, out, err = run(capsys, "pact", "sign", "--year", "2021", "--db", db)
    assert code == 0, err
    assert "— → 01/01/2021" in out
    assert Store(db).snapshot().pacts[2021] == "2021-01-01"
