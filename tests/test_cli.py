"""Tests for the headless command line (ccb_tui.cli.main): success paths, exit codes, messages."""

from __future__ import annotations

import ast
import functools
import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import filelock
import pytest

import ccb_tui
from ccb_tui import cli
from ccb_tui.cli import common as cli_common
from ccb_tui.cli import main
from ccb_tui.core.store.paths import default_db_path
from ccb_tui.core.store.store import Store

FORBIDDEN = ("textual", "rich", "plotext", "textual_plotext")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Run main() and return (exit code, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(db_path: Path, capsys) -> str:
    """An existing store (created from the seed) as a --db argument."""
    Store(db_path)
    capsys.readouterr()
    return str(db_path)


def reading(db: str, unit: str, indicator: str, year: int = 2020):
    return Store(db).snapshot().reading(unit, indicator, year)


def _one_line(err: str) -> None:
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, repr(err)
    assert err.strip()
    assert "\x1b" not in err


# --- the done-when figures -------------------------------------------------------------------------


def test_summary_2020_json_on_new_store(db_path: Path, capsys) -> None:
    code, out, err = run(capsys, "summary", "--year", "2020", "--json", "--db", str(db_path))
    assert code == 0
    assert str(db_path) in err and err.count("\n") == 1  # "created from the seed"
    assert "dữ liệu mẫu" in err
    data = json.loads(out)
    t = data["totals"]
    assert data["year"] == 2020 and data["cluster"] == "cum3"
    assert t["branches"] == 36
    assert t["members"] == 438
    assert t["new_members"] == 24
    assert data["progress"]["new_members"]["met"] is True  # "đạt kế hoạch"
    assert t["houses_removed"] == 1
    assert t["houses_built"] == 5
    assert 240_000_000 <= t["fund"] < 250_000_000  # "gần 250 triệu đồng"
    assert t["loans"] > 6_700_000_000  # "trên 6,7 tỷ đồng"
    ea_rbin = next(u for u in data["units"] if u["code"] == "ea_rbin")
    assert "loans" in ea_rbin["values"] and ea_rbin["values"]["loans"] is None  # not reported, not 0
    assert t["land_m2"] > 1500
    assert 100 <= t["workdays"] <= 999  # "hàng trăm ngày công"
    assert t["canal_km"] == 1.5
    assert {r["indicator"]: r["ok"] for r in data["reconciliation"]} == {
        c: True for c in ("branches", "members", "new_members", "houses_removed", "houses_built", "fund",
                          "loans", "workdays", "land_m2", "canal_km")}
    assert data["sample"] is True
    assert [u["code"] for u in data["units"]] == ["krong_no", "nam_ka", "ea_rbin", "lien_son"]


def test_check_exits_0_on_new_store(db_path: Path, capsys) -> None:
    code, out, err = run(capsys, "check", "--db", str(db_path))
    assert code == 0
    assert "không có vấn đề" in out
    assert "✘" not in out and "⚠" not in out


def test_check_reports_mismatch(db: str, capsys) -> None:
    run(capsys, "set", "krong", "members", "150", "--db", db)
    code, out, err = run(capsys, "check", "--db", db)
    assert code == 6  # problems found (3 means an invalid value)
    assert "⚠ 2020 · Số hội viên" in out
    _one_line(err)


def test_created_message_only_once(db_path: Path, capsys) -> None:
    code, _, err = run(capsys, "unit", "list", "--db", str(db_path))
    assert code == 0 and str(db_path) in err
    code, _, err = run(capsys, "unit", "list", "--db", str(db_path))
    assert code == 0 and err == ""
    code, _, err = run(capsys, "--lang", "en", "unit", "list", "--db", str(db_path.with_name("other.json")))
    assert code == 0 and "Created a new store" in err


# --- where -------------------------------------------------------------------------------------------------


def test_where_db_then_env_then_default(tmp_path: Path, monkeypatch, capsys) -> None:
    env_path = tmp_path / "env.json"
    monkeypatch.setenv("CCB_DB", str(env_path))
    assert run(capsys, "where", "--db", str(tmp_path / "arg.json")) == (0, f"{tmp_path / 'arg.json'}\n", "")
    assert run(capsys, "where") == (0, f"{env_path}\n", "")
    monkeypatch.delenv("CCB_DB")
    code, out, _ = run(capsys, "where")
    assert code == 0 and out.strip() == str(default_db_path())
    # The default lives under the (tmp) XDG data folder, never the real home.
    assert out.strip().startswith(os.environ["XDG_DATA_HOME"])
    assert not env_path.exists()  # `where` creates nothing


@pytest.mark.parametrize("argv", [["where"], ["summary"], ["set", "krong", "members", "121"]])
def test_empty_db_is_refused_not_defaulted(monkeypatch, tmp_path: Path, capsys, argv) -> None:
    env_path = tmp_path / "env.json"
    monkeypatch.setenv("CCB_DB", str(env_path))
    code, out, err = run(capsys, *argv, "--db", "")
    assert (code, out) == (2, "")
    _one_line(err)
    assert "--db" in err
    assert not env_path.exists() and not default_db_path().exists()


def test_ccb_db_env_is_used_by_commands(tmp_path: Path, monkeypatch, capsys) -> None:
    env_path = tmp_path / "env.json"
    monkeypatch.setenv("CCB_DB", str(env_path))
    code, _, err = run(capsys, "set", "krong", "members", "121")
    assert code == 0 and str(env_path) in err
    assert reading(str(env_path), "krong_no", "members").value == 121


# --- success paths ---------------------------------------------------------------------------------------


def test_summary_text(db: str, capsys) -> None:
    code, out, err = run(capsys, "summary", "--db", db)
    assert code == 0 and err == ""
    assert "Tổng cụm" in out and "438" in out and "chưa BC" in out
    code, out, _ = run(capsys, "--lang", "en", "summary", "--year", "2020", "--db", db)
    assert code == 0 and "438" in out


def test_summary_year_without_data(db: str, capsys) -> None:
    code, out, _ = run(capsys, "summary", "--year", "2019", "--json", "--db", db)
    assert code == 0
    assert json.loads(out)["units"] == []


def test_set_and_expect(db: str, capsys) -> None:
    code, out, err = run(capsys, "set", "krong no", "members", "121", "--db", db)
    assert (code, err) == (0, "")
    assert "120 → 121" in out
    code, out, _ = run(capsys, "set", "krong no", "members", "122", "--expect", "121", "--year", "2020", "--db", db)
    assert code == 0 and "121 → 122" in out
    code, out, _ = run(capsys, "set", "ea rbin", "loans", "--not-reported", "--expect", "none", "--db", db)
    assert code == 0
    code, out, _ = run(capsys, "set", "nam ka", "loans", "--not-reported", "--db", db)
    assert code == 0 and "chưa báo cáo" in out
    r = reading(db, "nam_ka", "loans")
    assert not r.reported and r.value is None
    code, out, _ = run(capsys, "set", "nam ka", "fund", "63 triệu", "-q", "gần", "--db", db)
    assert code == 0 and "gần 63 triệu" in out
    code, out, _ = run(capsys, "set", "nam ka", "workdays", "150", "-q", "hàng trăm", "--db", db)
    assert code == 0
    assert reading(db, "nam_ka", "workdays").qualifier.value == "hundreds"


def test_target(db: str, capsys) -> None:
    # Without --year: the current year (2020 in the seed), not the latest year with targets.
    code, out, _ = run(capsys, "target", "krong", "new_members", "8", "--db", db)
    assert code == 0 and "2020" in out and "6 → 8" in out
    code, out, _ = run(capsys, "target", "krong", "members", "130", "--year", "2021", "--db", db)
    assert code == 0 and "125 → 130" in out
    code, out, _ = run(capsys, "target", "krong", "members", "135", "--year", "2021", "--expect", "130", "--db", db)
    assert code == 0
    code, out, _ = run(capsys, "target", "krong", "members", "none", "--year", "2021", "--expect", "135", "--db", db)
    assert code == 0
    assert Store(db).snapshot().target("krong_no", "members", 2021) is None
    code, _, _ = run(capsys, "target", "krong", "members", "100", "--year", "2021", "--expect", "none", "--db", db)
    assert code == 0
    assert Store(db).snapshot().target("krong_no", "members", 2021).value == 100


def test_indicators(db: str, capsys) -> None:
    code, out, _ = run(capsys, "indicators")
    assert code == 0
    lines = out.splitlines()
    assert [ln.split()[0] for ln in lines] == ["branches", "members", "new_members", "houses_removed",
                                                "houses_built", "fund", "loans", "workdays", "land_m2",
                                                "canal_km"]
    code, out, _ = run(capsys, "indicators", "--lang", "en")
    assert code == 0 and "Members" in out


def test_task_commands(db: str, capsys) -> None:
    code, out, _ = run(capsys, "task", "list", "--db", db)
    assert code == 0 and "Bộ đội Cụ Hồ" in out and "0/32" in out
    code, out, _ = run(capsys, "task", "add", "Kiểm tra quỹ hội", "--year", "2021", "--note", "ghi chú", "--db", db)
    assert code == 0
    task_id = int(out.split("\t")[0])
    assert out.rstrip().endswith("Kiểm tra quỹ hội")
    code, out, _ = run(capsys, "task", "set", str(task_id), "lien son", "đang", "--note", "bắt đầu", "--db", db)
    assert code == 0 and "đang thực hiện" in out
    code, out, _ = run(capsys, "task", "set", str(task_id), "LIEN SON", "xong", "--expect", "dang", "--db", db)
    assert code == 0 and "hoàn thành" in out
    code, out, _ = run(capsys, "task", "edit", str(task_id), "--title", "Kiểm tra quỹ", "--db", db)
    assert code == 0 and "Kiểm tra quỹ" in out
    code, out, _ = run(capsys, "task", "edit", str(task_id), "--note", "mới", "--db", db)
    assert code == 0
    task = Store(db).snapshot().task(task_id)
    assert (task.title, task.note, task.status("lien_son").state.value) == ("Kiểm tra quỹ", "mới", "done")
    code, out, _ = run(capsys, "task", "list", "--year", "2021", "--db", db)
    assert code == 0 and "1/36" in out
    code, out, _ = run(capsys, "task", "remove", str(task_id), "--db", db)
    assert code == 0
    assert Store(db).snapshot().task(task_id) is None


def test_unit_commands(db: str, capsys) -> None:
    code, out, _ = run(capsys, "unit", "list", "--db", db)
    assert code == 0
    # the cluster's usual (stored) order, not alphabetical
    assert [ln.split()[0] for ln in out.splitlines()] == ["krong_no", "nam_ka", "ea_rbin", "lien_son"]
    code, out, _ = run(capsys, "unit", "add", "ea_kiet", "Xã Ea Kiết", "--year", "2021", "--db", db)
    assert code == 0 and "Xã Ea Kiết" in out
    code, out, _ = run(capsys, "unit", "rename", "ea kiet", "Xã Ea Kiết Mới", "--year", "2022", "--db", db)
    assert code == 0 and "Xã Ea Kiết → Xã Ea Kiết Mới" in out
    u = Store(db).snapshot().unit("ea_kiet")
    assert (u.name(2021), u.name(2022)) == ("Xã Ea Kiết", "Xã Ea Kiết Mới")
    code, out, _ = run(capsys, "unit", "retire", "ea_kiet", "--year", "2023", "--db", db)
    assert code == 0
    code, out, _ = run(capsys, "unit", "list", "--year", "2020", "--db", db)
    assert "ea_kiet" not in out
    code, out, _ = run(capsys, "unit", "list", "--db", db)
    assert "ea_kiet" in out and "2023" in out
    code, out, _ = run(capsys, "unit", "rename", "krong no", "Xã Krông Nô (sửa)", "--db", db)
    assert code == 0
    assert Store(db).snapshot().unit("krong_no").name(2020) == "Xã Krông Nô (sửa)"


def test_help_returns_0(capsys) -> None:
    assert main(["--help"]) == 0
    assert "ccb-tui" in capsys.readouterr().out
    assert main(["set", "--help"]) == 0


# --- accent-insensitive units and Vietnamese numbers -------------------------------------------------------


@pytest.mark.parametrize(("typed", "code"), [
    ("krong no", "krong_no"),
    ("KRONG NO", "krong_no"),
    ("Xã Krông Nô", "krong_no"),
    ("krông nô", "krong_no"),
    (unicodedata.normalize("NFD", "Krông Nô"), "krong_no"),
    ("LIEN SON", "lien_son"),
    ("tt lien son", "lien_son"),
    ("Thị trấn Liên Sơn", "lien_son"),
    ("lien_son", "lien_son"),
    ("ea rbin", "ea_rbin"),
    ("earbin", "ea_rbin"),
    ("Ea R'Bin", "ea_rbin"),
    ("EA R’BIN", "ea_rbin"),
    ("nam ka", "nam_ka"),
])
def test_accent_insensitive_units(db: str, capsys, typed: str, code: str) -> None:
    rc, out, err = run(capsys, "set", typed, "houses_built", "3", "--db", db)
    assert (rc, err) == (0, "")
    snap = Store(db).snapshot()
    assert snap.reading(code, "houses_built", 2020).value == 3
    changed = [u.code for u in snap.units if snap.reading(u.code, "houses_built", 2020).changed_by]
    assert changed == [code]


@pytest.mark.parametrize(("unit", "indicator", "typed", "expected"), [
    ("ea rbin", "loans", "6,7 tỷ", 6_700_000_000),
    ("ea rbin", "loans", "6,7 ty dong", 6_700_000_000),
    ("krong no", "fund", "248,6 triệu", 248_600_000),
    ("krong no", "fund", "70.000.000", 70_000_000),
    ("krong no", "fund", "70 tr", 70_000_000),
    ("krong no", "land_m2", "1.500", 1500),
    ("krong no", "land_m2", "1.500 m²", 1500),
    ("krong no", "canal_km", "1,5", 1.5),
    ("krong no", "canal_km", "1,25 km", 1.25),
    ("krong no", "members", "1.500", 1500),
    ("krong no", "Hội viên", "121", 121),
    ("krong no", "so hoi vien", "121", 121),
])
def test_vietnamese_values(db: str, capsys, unit, indicator, typed, expected) -> None:
    rc, out, err = run(capsys, "set", unit, indicator, typed, "--db", db)
    assert (rc, err) == (0, ""), err
    snap = Store(db).snapshot()
    values = {(u, i): r.value for (u, i, y), r in snap.values.items() if y == 2020 and r.changed_by}
    assert list(values.values()) == [expected]
    assert type(list(values.values())[0]) is type(expected)


# --- errors ---------------------------------------------------------------------------------------------------

USAGE = [
    ["bogus"],
    ["set"],
    ["set", "krong"],
    ["set", "krong", "members"],
    ["set", "krong", "members", "5", "--not-reported"],
    ["set", "krong", "members", "5", "--bogus"],
    ["set", "krong", "members", "5", "-q", "xyz"],
    ["summary", "--year", "abc"],
    ["summary", "--year", "2020.5"],
    ["summary", "--year", "0"],
    ["summary", "--year", "-1"],
    ["set", "krong", "members", "5", "--year", "abc"],
    ["set", "krong", "members", "5", "--year", "0"],
    ["set", "krong", "members", "5", "--year", "99999"],
    ["target", "krong", "members"],
    ["task"],
    ["task", "bogus"],
    ["task", "set", "abc", "krong", "xong"],
    ["task", "set", "1", "krong", "maybe"],
    ["task", "set", "1", "krong", "xong", "--expect", "maybe"],
    ["task", "edit", "1"],
    ["unit"],
    ["unit", "add", "ea_kiet", "Xã Ea Kiết"],
    ["unit", "add", "ea_kiet", "Xã Ea Kiết", "--year", "2021", "--kind", "tinh"],
    ["unit", "retire", "krong"],
    ["--lang", "fr", "summary"],
]

INVALID = [
    (["set", "krong", "members", "abc"], "abc"),
    (["set", "krong", "members", "-5"], "âm"),
    (["set", "krong", "members", "1.5"], "1,5"),  # hint: write 1,5
    (["set", "krong", "members", "1,5"], "số nguyên"),
    (["set", "krong", "members", "1e5"], "100.000"),
    (["set", "krong", "members", "∞"], ""),
    (["set", "krong", "members", ""], ""),
    (["set", "kromg no", "members", "121"], "Krông Nô"),  # closest suggestion
    (["set", "lien sonn", "members", "121"], "Liên Sơn"),
    (["set", "xyz", "members", "121"], "unit list"),
    (["set", "krong", "memebrs", "121"], "memebrs"),
    (["set", "krong", "new_members", "500"], "500"),
    (["set", "krong", "workdays", "50", "-q", "hàng trăm"], "hàng trăm"),
    (["set", "krong", "members", "5", "--expect", "abc"], "abc"),
    (["set", "\x1b[2Jfoo\nbar", "members", "5"], "foo bar"),
    (["target", "krong", "members", "abc"], "abc"),
    (["target", "krong", "members", "-3"], "âm"),
    (["task", "set", "99", "krong", "xong"], "99"),
    (["task", "add", "  "], ""),
    (["task", "remove", "99"], "99"),
    (["task", "edit", "99", "--title", "x"], "99"),
    (["unit", "add", "ea_rbin", "X", "--year", "2021"], "ea_rbin"),
    (["unit", "add", "ea kiết!", "X", "--year", "2021"], ""),
    (["unit", "retire", "krong", "--year", "2020"], "2020"),
    (["unit", "rename", "nowhere", "X"], "nowhere"),
]

CONFLICT = [
    (["set", "krong", "members", "130", "--expect", "100"], ("100", "120")),
    (["set", "ea rbin", "loans", "6,7 tỷ", "--expect", "0"], ("chưa báo cáo", "0")),  # not reported is not 0
    (["set", "krong", "members", "--not-reported", "--expect", "none"], ("chưa báo cáo", "120")),
    (["target", "krong", "new_members", "9", "--year", "2020", "--expect", "5"], ("5", "6")),
    (["target", "krong", "members", "9", "--year", "2021", "--expect", "5"], ("5", "125")),
    (["task", "set", "1", "krong", "xong", "--expect", "dang"], ("đang thực hiện", "chưa thực hiện")),
]


def _refused(db: str, capsys, sha, argv: list[str], expected_code: int) -> str:
    before = sha(db)
    code, out, err = run(capsys, *argv, "--db", db) if argv and argv[0] != "--lang" else run(capsys, *argv)
    assert code == expected_code, (argv, code, err)
    _one_line(err)
    assert out == ""
    assert sha(db) == before
    return err


@pytest.mark.parametrize("argv", USAGE, ids=[" ".join(a) for a in USAGE])
def test_usage_errors(db: str, capsys, sha, argv) -> None:
    err = _refused(db, capsys, sha, argv, 2)
    assert "--help" in err or "--" in err or "Cần" in err or "Thiếu" in err or "Không" in err


@pytest.mark.parametrize(("argv", "hint"), INVALID, ids=[repr(" ".join(a)) for a, _ in INVALID])
def test_invalid_values(db: str, capsys, sha, argv, hint) -> None:
    err = _refused(db, capsys, sha, argv, 3)
    assert hint in err


def test_usage_error_does_not_create_store(db_path: Path, capsys) -> None:
    code, _, err = run(capsys, "set", "krong", "members", "--db", str(db_path))
    assert code == 2
    _one_line(err)
    assert not db_path.exists()


@pytest.mark.parametrize(("argv", "values"), CONFLICT, ids=[" ".join(a) for a, _ in CONFLICT])
def test_conflicts(db: str, capsys, sha, argv, values) -> None:
    err = _refused(db, capsys, sha, argv, 4)
    for v in values:
        assert v in err


def test_conflict_in_english(db: str, capsys, sha) -> None:
    err = _refused(db, capsys, sha, ["--lang", "en", "set", "krong", "members", "130", "--expect", "100",
                                     "--db", db], 4)
    assert "Conflict" in err and "100" in err and "120" in err


ALL_COMMANDS = [
    ["summary"], ["summary", "--json"], ["check"], ["set", "krong", "members", "121"],
    ["target", "krong", "members", "121"], ["task", "list"], ["task", "add", "x"],
    ["task", "set", "1", "krong", "xong"], ["unit", "list"], ["unit", "add", "ea_kiet", "X", "--year", "2021"],
]


@pytest.mark.parametrize("content", [b"", b"{not json", b"\x00" * 512, b"[]", b'{"records": {}}',
                                     b"\xff\xfe\x00"], ids=["empty", "not-json", "nul", "array", "no-meta", "binary"])
@pytest.mark.parametrize("argv", ALL_COMMANDS, ids=[" ".join(a) for a in ALL_COMMANDS])
def test_corrupt_store_exit_5(db_path: Path, capsys, sha, content, argv) -> None:
    db_path.write_bytes(content)
    err = _refused(str(db_path), capsys, sha, argv, 5)
    assert str(db_path) in err
    assert db_path.read_bytes() == content


def test_schema_99_exit_5(db: str, capsys, sha) -> None:
    data = json.loads(Path(db).read_bytes())
    data["meta"]["1"]["schema"] = 99
    Path(db).write_text(json.dumps(data), encoding="utf-8")
    err = _refused(db, capsys, sha, ["summary"], 5)
    assert "99" in err


def test_db_is_a_folder_exit_5(tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "summary", "--db", str(tmp_path))
    assert code == 5
    _one_line(err)


@pytest.mark.parametrize("argv", [["set", "krong", "members", "121"], ["target", "krong", "members", "1"],
                                  ["task", "add", "x"], ["unit", "retire", "krong", "--year", "2022"]],
                         ids=["set", "target", "task add", "unit retire"])
def test_locked_store_exit_5(db: str, capsys, sha, monkeypatch, argv) -> None:
    monkeypatch.setattr(cli_common, "Store", functools.partial(Store, lock_timeout=0.2))
    lock = filelock.FileLock(db + ".lock", timeout=1, thread_local=False)
    with lock:
        err = _refused(db, capsys, sha, argv, 5)
        # Reading needs no lock.
        assert run(capsys, "summary", "--db", db)[0] == 0
    assert db in err
    assert run(capsys, *argv, "--db", db)[0] == 0


# --- the console script and the headless promise -------------------------------------------------------------


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONSTARTUP", None)
    return env


def test_console_script_and_module(db_path: Path, tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "ccb-tui"
    commands = [[sys.executable, "-m", "ccb_tui"]]
    if script.exists():
        commands.insert(0, [str(script)])
    for i, cmd in enumerate(commands):
        p = db_path.with_name(f"s{i}.json")
        done = subprocess.run([*cmd, "summary", "--year", "2020", "--json", "--db", str(p)],
                              capture_output=True, text=True, env=_env(tmp_path), timeout=60)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["totals"]["members"] == 438
        assert str(p) in done.stderr
        bad = subprocess.run([*cmd, "set", "krong", "members", "abc", "--db", str(p)],
                             capture_output=True, text=True, env=_env(tmp_path), timeout=60)
        assert bad.returncode == 3
        _one_line(bad.stderr)
        assert bad.stdout == ""


def test_headless_commands_never_import_textual(db_path: Path, tmp_path: Path) -> None:
    snippet = ("import sys; from ccb_tui import cli; cli.main(['summary','--db',{p!r}]); "
               "print(any(m.startswith(('textual','rich','plotext','textual_plotext')) for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", snippet.format(p=str(db_path))], capture_output=True,
                          text=True, env=_env(tmp_path), timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False"
    # Every headless command, including failing ones.
    p = str(db_path)
    calls = [["where"], ["summary", "--json"], ["set", "krong", "members", "121"], ["target", "krong", "members", "1"],
             ["indicators"], ["task", "list"], ["task", "add", "x"], ["unit", "list"], ["check"],
             ["set", "krong", "members", "abc"], ["bogus"], ["--help"], ["set", "--help"]]
    snippet = ("import sys, json, contextlib, io\nfrom ccb_tui import cli\n"
               f"for argv in {calls!r}:\n"
               "    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
               f"        cli.main(argv + ['--db', {p!r}] if argv[0] not in ('indicators', '--help') else argv)\n"
               "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
               "('textual','rich','plotext','textual_plotext'))))")
    done = subprocess.run([sys.executable, "-c", snippet], capture_output=True, text=True,
                          env=_env(tmp_path), timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
                "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
            names.add(str(node.args[0].value))
    return names


def test_core_never_imports_ui_libraries() -> None:
    core = Path(ccb_tui.__file__).parent / "core"
    files = sorted(core.rglob("*.py"))
    assert files
    offenders = {}
    for f in files:
        bad = {m for m in _imported_modules(f) if m.split(".")[0] in FORBIDDEN}
        if bad:
            offenders[str(f.relative_to(core))] = sorted(bad)
    assert offenders == {}


def test_core_does_not_import_cli_or_ui() -> None:
    core = Path(ccb_tui.__file__).parent / "core"
    for f in core.rglob("*.py"):
        tree = ast.parse(f.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                mod = node.module or ""
                assert not (node.level >= 2 and mod.split(".")[0] in ("ui", "cli")), f
                assert not mod.startswith(("ccb_tui.ui", "ccb_tui.cli")), f


def test_only_the_store_touches_tinydb() -> None:
    package = Path(ccb_tui.__file__).parent
    users = sorted(str(f.relative_to(package)) for f in package.rglob("*.py")
                   if any(m.split(".")[0] == "tinydb" for m in _imported_modules(f)))
    assert users and all(u.startswith("core/store/") for u in users), users
