"""``--help`` and usage errors speak the interface language: Vietnamese by default, English with
``--lang en`` — argparse's own words included — and every command and argument is described."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import pytest

from ccb_tui.cli.i18n import VI, argparse_language
from ccb_tui.cli import build_parser, main, peek_lang


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _walk(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(command path, parser) for the parser and every subparser under it."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _walk(sub, path + (name,))


def _arguments(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions if not isinstance(a, argparse._SubParsersAction)]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_command_and_argument_is_described(lang: str) -> None:
    parsers = list(_walk(build_parser(lang)))
    assert len(parsers) > 20  # the walk reached the nested task/unit actions
    undocumented = []
    for path, parser in parsers:
        assert (parser.description or "").strip(), f"no description: {path}"
        for action in _arguments(parser):
            if not (action.help or "").strip() or action.help == argparse.SUPPRESS:
                undocumented.append((" ".join(path), action.dest))
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:
                    if not (choice.help or "").strip():
                        undocumented.append((" ".join(path), choice.dest))
    assert undocumented == []


def test_vietnamese_and_english_help_differ_for_every_argument() -> None:
    """No help string left in one language only: each differs between vi and en, and the Vietnamese
    one is written in Vietnamese (the few technical ones aside)."""
    vi = dict(_walk(build_parser("vi")))
    en = dict(_walk(build_parser("en")))
    assert vi.keys() == en.keys()
    same = []
    for path in vi:
        for a_vi, a_en in zip(_arguments(vi[path]), _arguments(en[path])):
            assert a_vi.dest == a_en.dest
            if a_vi.help == a_en.help:
                same.append((" ".join(path), a_vi.dest))
    assert same == []


def test_help_is_vietnamese_by_default(capsys) -> None:
    code, out, err = run(capsys, "--help")
    assert code == 0 and err == ""
    assert out.startswith("cách dùng: ccb-tui")
    for heading in ("tùy chọn:", "lệnh:", "hiện trợ giúp này rồi thoát", "Mã thoát:"):
        assert heading in out
    for words in ("tệp dữ liệu (mặc định: $CCB_DB", "ngôn ngữ giao diện", "mở chế độ họp (chỉ xem)",
                  "in đường dẫn tệp dữ liệu đang dùng", "mở bảng điều khiển trong trình duyệt web"):
        assert words in out
    for english in ("usage:", "options:", "show this help message", "positional arguments"):
        assert english not in out


def test_subcommand_help_in_vietnamese_describes_each_argument(capsys) -> None:
    code, out, _ = run(capsys, "set", "--help")
    assert code == 0
    assert out.startswith("cách dùng: ccb-tui set")
    assert "tham số vị trí:" in out and "tùy chọn:" in out
    parser = dict(_walk(build_parser("vi")))[("set",)]
    flat = " ".join(out.split())
    for action in _arguments(parser):
        assert " ".join(action.help.split()) in flat, action.dest
    assert "mã hoặc tên đơn vị" in out and "đánh dấu chưa báo cáo (khác với số 0)" in out


@pytest.mark.parametrize("argv", [["--lang", "en", "--help"], ["--help", "--lang=en"], ["set", "--help", "--lang", "en"]])
def test_help_in_english_with_lang_en(capsys, argv: list[str]) -> None:
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert out.startswith("usage: ccb-tui")
    assert "options:" in out and "show this help message and exit" in out
    assert "cách dùng" not in out and "tùy chọn:" not in out and "hiện trợ giúp" not in out


def test_nested_action_help_in_both_languages(capsys) -> None:
    _, out, _ = run(capsys, "task", "set", "--help")
    assert out.startswith("cách dùng: ccb-tui task set") and "số thứ tự nhiệm vụ" in out and "chưa | đang | xong" in out
    _, out, _ = run(capsys, "--lang", "en", "unit", "add", "--help")
    assert out.startswith("usage: ccb-tui unit add") and "first year in the cluster" in out


@pytest.mark.parametrize("argv, vi, en", [
    (["set"], "ccb-tui set: thiếu tham số bắt buộc: unit, indicator. Xem: ccb-tui set --help",
     "ccb-tui set: the following arguments are required: unit, indicator. See: ccb-tui set --help"),
    (["--bogus"], "ccb-tui: không hiểu tham số: --bogus. Xem: ccb-tui --help",
     "ccb-tui: unrecognized arguments: --bogus. See: ccb-tui --help"),
    (["task"], "ccb-tui task: thiếu tham số bắt buộc: VIỆC. Xem: ccb-tui task --help",
     "ccb-tui task: the following arguments are required: ACTION. See: ccb-tui task --help"),
    (["unit", "add", "a", "b", "--year", "2020", "--kind", "z"],
     "ccb-tui unit add: tham số --kind: lựa chọn không hợp lệ: 'z'",
     "ccb-tui unit add: argument --kind: invalid choice: 'z'"),
    (["summary", "--year", "abc"], "ccb-tui summary: tham số --year: năm không hợp lệ: 'abc'",
     "ccb-tui summary: argument --year: invalid year: 'abc'"),
    (["log", "--since", "32/13/2020"], "không phải là ngày", "is not a date"),
    (["serve", "--port", "x"], "ccb-tui serve: tham số --port: 'x' không phải là số nguyên",
     "ccb-tui serve: argument --port: 'x' is not a whole number"),
    (["summary", "--year"], "tham số --year: cần một giá trị", "argument --year: expected one argument"),
])
def test_usage_errors_are_one_line_in_the_interface_language(db_path, capsys, argv, vi, en) -> None:
    code, out, err = run(capsys, *argv, "--db", str(db_path)) if argv[-1] != "--year" else run(capsys, *argv)
    assert code == 2 and out == "" and err.count("\n") == 1 and vi in err, err
    code, out, err = run(capsys, "--lang", "en", *argv)
    assert code == 2 and err.count("\n") == 1 and en in err, err
    assert not db_path.exists()


def test_argparse_is_left_as_it_was() -> None:
    """The translation is scoped: after a Vietnamese parse, a plain parser speaks English again."""
    before = argparse._
    build_parser("vi").format_help()
    assert argparse._ is before
    assert "usage:" in argparse.ArgumentParser(prog="x").format_help()
    with argparse_language("vi"):
        assert argparse._("options") == VI["options"]
        with argparse_language("en"):
            assert argparse._("options") == "options"
        assert argparse._("options") == "tùy chọn"
    assert argparse._ is before


def test_catalogue_keys_are_argparse_msgids() -> None:
    """Each Vietnamese entry translates a string this Python's argparse really asks for (a renamed
    msgid would silently fall back to English). Older or newer spellings may be absent."""
    import inspect
    source = inspect.getsource(argparse)
    present = [k for k in VI if repr(k)[1:-1] in source or k in source]
    for key in ("usage: ", "positional arguments", "options", "show this help message and exit",
                "the following arguments are required: %s", "unrecognized arguments: %s",
                "argument %(argument_name)s: %(message)s"):
        assert key in present


@pytest.mark.parametrize("argv, lang", [
    ([], "vi"), (["--lang", "en"], "en"), (["--lang=en", "set"], "en"), (["set", "--lang", "en"], "en"),
    (["--lang", "en", "--lang", "vi"], "vi"), (["--", "--lang", "en"], "vi"), (["--lang"], "vi"),
    (["--lang", "fr"], "vi"),
])
def test_peek_lang(argv: list[str], lang: str) -> None:
    assert peek_lang(argv) == lang


def test_console_script_help_in_a_real_process() -> None:
    """``python -m ccb_tui --help`` in a fresh process, as a user types it (no Textual imported)."""
    env = dict(os.environ)
    env.pop("PYTHONSTARTUP", None)
    code = ("import sys, runpy; sys.argv = ['ccb-tui', '--help']\n"
            "try:\n    runpy.run_module('ccb_tui', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print('TEXTUAL' if any(m == 'textual' or m.startswith('textual.') for m in sys.modules) else 'NO-TEXTUAL')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert done.stdout.startswith("cách dùng: ccb-tui"), done.stdout + done.stderr
    assert done.stdout.rstrip().endswith("NO-TEXTUAL")
