"""A structure-aware fuzzer of hand-edited stores: every read command and the TUI's first screen
either work or refuse the store clearly (exit 5 naming the record and field), never a traceback,
and never change the file.

The seed store, after a few edits (so it has an audit log, who/when fields, task statuses and a
cluster target), is mutated by Hypothesis: a value anywhere in the tree replaced by another type, a
negative, huge or out-of-range number, odd Unicode (NFD, control characters, RTL overrides,
zero-width, lone surrogates escaped in JSON, markup) or deep nesting; a field removed or added; a
document duplicated; a unit code or a record's key reused; a key renamed. Each mutated store is
run through every read command in-process (``ccb_tui.cli.main``) and, for fewer examples, through
the TUI's first screen under Pilot.

The count of what was tried is printed in the terminal summary ("hostile stores: ..."). Set
``CCB_FUZZ_EXAMPLES`` / ``CCB_FUZZ_TUI_EXAMPLES`` to run more.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import io
import json
import os
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccb_tui.cli import main
from ccb_tui.core.domain.models import Qualifier, TaskState
from ccb_tui.core.store import Store

pytestmark = pytest.mark.timeout(600)

CLI_EXAMPLES = int(os.environ.get("CCB_FUZZ_EXAMPLES", "300"))
TUI_EXAMPLES = int(os.environ.get("CCB_FUZZ_TUI_EXAMPLES", "40"))
YEAR = 2020

# Every read command, with the exit codes it may give on a hand-edited store: 0 (works), 5 (the
# store is refused, naming the problem), 6 for check finding problems, 3 for a command that
# refuses a value (a year it cannot show).
READ_COMMANDS: list[tuple[list[str], set[int]]] = [
    (["summary"], {0, 3, 5}),
    (["summary", "--json"], {0, 3, 5}),
    (["--lang", "en", "summary"], {0, 3, 5}),
    (["check"], {0, 5, 6}),
    (["log"], {0, 5}),
    (["log", "--json"], {0, 5}),
    (["task", "list"], {0, 3, 5}),
    (["unit", "list"], {0, 5}),
    (["year"], {0, 5}),
    (["export", "-o", "{out}/x.json", "--format", "json"], {0, 3, 5}),
    (["export", "-o", "{out}/x.csv", "--format", "csv"], {0, 3, 5}),
    (["export", "-o", "{out}/x.xlsx", "--format", "xlsx"], {0, 3, 5}),
    (["export", "-o", "{out}/x.md", "--format", "md"], {0, 3, 5}),
    (["report", "-o", "{out}/r.md"], {0, 3, 5}),
    (["report", "-o", "{out}/r.html"], {0, 3, 5}),
    (["backup", "--list"], {0, 5}),
]

TALLY: Counter[str] = Counter()
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Control characters, C1 and bidi overrides: never printed to the terminal."""


# --- the valid store the mutations start from --------------------------------------------------------

@pytest.fixture(scope="module")
def base_store(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The seed after a few edits, parsed."""
    path = tmp_path_factory.mktemp("base") / "ccb.json"
    store = Store(path, user="tester")
    store.set_value("krong_no", "members", YEAR, 121)
    store.set_value("nam_ka", "fund", YEAR, 61_000_000, qualifier=Qualifier.NEARLY)
    store.set_target("ea_rbin", "workdays", YEAR, 120)
    store.set_cluster_target("cum3", "members", YEAR, 440)
    task = store.snapshot().tasks[0]
    store.set_task_status(task.id, "lien_son", TaskState.DOING)
    store.set_value("lien_son", "workdays", YEAR, None, reported=False)
    return json.loads(path.read_bytes())


@pytest.fixture(scope="module", autouse=True)
def _summary_line(request: pytest.FixtureRequest) -> Any:
    """Print what was tried, in the terminal summary (and on stdout with ``-s``)."""
    yield
    stores, runs, tui = TALLY["stores"], TALLY["runs"], TALLY["tui"]
    outcomes = ", ".join(f"exit {k[5:]}: {v}" for k, v in sorted(TALLY.items()) if k.startswith("exit "))
    line = (f"hostile stores: {stores} mutated stores × {len(READ_COMMANDS)} read commands = {runs} runs "
            f"({outcomes}); TUI first screen on {tui} stores ({TALLY['tui dashboard']} dashboard, "
            f"{TALLY['tui error']} error screen)")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capman = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capman is None:
        print("\n" + line)
        return
    with capman.global_and_fixture_disabled():  # past the output capture, as live logging does
        reporter.write_line("\n" + line)


# --- mutations ---------------------------------------------------------------------------------------

DEEP = "\x00deep\x00"  # replaced by deeply nested brackets in the JSON text
ODD_TEXT = [
    "", " ", "x" * 5000, "Liên Sơn", unicodedata.normalize("NFD", "Liên Sơn Đắk"), "a\x1b[2Jb", "\x1b]52;c;aGk=\x07",
    "\u202eevil\u202c", "zero\u200bwidth", "\ud800", "\udfff lone", "[b]x[/]", "[@click=app.quit]q",
    "line\nbreak", "\x00nul", "\u0085\u2028", "😀", "١٢٣", "krong_no", "cum3", "members", "done", "2020",
]
HUGE = [10**40, -(10**40), 1e308, -1e308, 10**15 + 1, 2**63, 2**64 + 1, 10**300, 1e-300, 5e-324]
NUMBERS = [0, -1, -0.5, 1, 2020, 1899, 2101, 99999, 0.1, 1.5, 123.456789, 10**13, *HUGE]

scalar = st.one_of(
    st.none(), st.booleans(), st.sampled_from(NUMBERS), st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(ODD_TEXT), st.text(max_size=20),
)
hostile_value = st.one_of(
    scalar,
    st.lists(scalar, max_size=3),
    st.dictionaries(st.sampled_from(["v", "q", "s", "code", "from", "name", "x"]), scalar, max_size=3),
    st.just(DEEP),
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (tuple of keys/indices) into the JSON tree, the root excluded."""
    out = []
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return out
    for k, v in items:
        out.append((*prefix, k))
        out.extend(_paths(v, (*prefix, k)))
    return out


def _get(node: Any, path: tuple) -> Any:
    for k in path:
        node = node[k]
    return node


TABLES_TO_DUPLICATE = ["units", "records", "tasks", "reported", "clusters"]


@st.composite
def mutation(draw: st.DrawFn, data: dict[str, Any]) -> str:
    """Apply one mutation to ``data`` in place; returns a short description."""
    kind = draw(st.sampled_from(["replace", "replace", "tweak", "tweak", "tweak", "delete", "add", "duplicate",
                                 "reuse code", "rename key"]))
    if kind == "duplicate":
        table = draw(st.sampled_from(TABLES_TO_DUPLICATE))
        docs = data.get(table)
        if not isinstance(docs, dict) or not docs:
            return "noop"
        key = draw(st.sampled_from(sorted(docs)))
        new_key = draw(st.sampled_from(["99", "100", "0", "-1", "1e3", "abc", " 7"]))
        docs[new_key] = copy.deepcopy(docs[key])
        return f"duplicate {table}/{key} as {new_key!r}"
    if kind == "reuse code":
        units = [d for d in data.get("units", {}).values() if isinstance(d, dict)]
        if len(units) < 2:
            return "noop"
        a, b = draw(st.permutations(units))[:2]
        a["code"] = b.get("code")
        return "reuse a unit code"
    paths = _paths(data)
    path = draw(st.sampled_from(paths))
    parent = _get(data, path[:-1])
    key = path[-1]
    if kind == "replace":
        parent[key] = draw(hostile_value)
        return f"replace {path}"
    if kind == "tweak":  # a value of the same type but odd: many such stores still load
        old = parent[key]
        if isinstance(old, str):
            parent[key] = draw(st.one_of(st.sampled_from(ODD_TEXT), st.text(max_size=30)))
        elif isinstance(old, bool) or old is None:
            parent[key] = draw(st.one_of(st.booleans(), st.none(), st.sampled_from(NUMBERS[:10])))
        elif isinstance(old, (int, float)):
            parent[key] = draw(st.one_of(st.sampled_from(NUMBERS), st.integers(-5, 10**14),
                                         st.floats(-1e6, 1e14, allow_nan=False)))
        else:
            return "noop"
        return f"tweak {path}"
    if kind == "delete":
        if isinstance(parent, dict):
            del parent[key]
        else:
            parent.pop(key)
        return f"delete {path}"
    if kind == "add":
        target = _get(data, path)
        if isinstance(target, dict):
            target[draw(st.sampled_from(["extra", "v", "s", "q", "by", "at", "note", "\u200bx"]))] = draw(hostile_value)
        elif isinstance(target, list):
            target.append(draw(hostile_value))
        else:
            return "noop"
        return f"add into {path}"
    # rename key
    if not isinstance(parent, dict):
        return "noop"
    new = draw(st.sampled_from(["abc", "", "99", "members", "unknown_ind", "2020", "1800", "krong_no",
                                unicodedata.normalize("NFD", "Đắk"), "\x1b[31m", "\ud800"]))
    parent[new] = parent.pop(key)
    return f"rename {path} -> {new!r}"


@st.composite
def mutated_store(draw: st.DrawFn, base: dict[str, Any]) -> tuple[bytes, list[str]]:
    """The base store with 1-3 mutations, as the bytes of a JSON file."""
    data = copy.deepcopy(base)
    done = [draw(mutation(data)) for _ in range(draw(st.integers(1, 3)))]
    text = json.dumps(data, ensure_ascii=True)  # lone surrogates become \\udXXX escapes
    depth = draw(st.sampled_from([50, 900, 5000]))
    text = text.replace(json.dumps(DEEP), "[" * depth + "]" * depth)
    return text.encode("utf-8"), done


# --- running the commands --------------------------------------------------------------------------

def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """``main(argv)`` with stdout and stderr captured; an uncaught exception propagates."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def _case_dir(tmp_path_factory: pytest.TempPathFactory, raw: bytes) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("case")
    (folder / "out").mkdir()
    db = folder / "ccb.json"
    db.write_bytes(raw)
    return db, folder / "out"


def _check_store_error(err: str, db: Path) -> None:
    """A refusal is one line naming the file (no traceback)."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines, "exit 5 without a message"
    assert "Traceback" not in err
    assert any(str(db) in line or db.name in line for line in lines), err


@pytest.fixture(scope="module")
def cli_strategy(base_store: dict[str, Any]) -> st.SearchStrategy:
    return mutated_store(base_store)


def test_read_commands_on_mutated_stores(base_store: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> None:
    @settings(max_examples=CLI_EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(case=mutated_store(base_store))
    def run(case: tuple[bytes, list[str]]) -> None:
        raw, done = case
        db, out = _case_dir(tmp_path_factory, raw)
        before = _sha(db)
        TALLY["stores"] += 1
        for argv, allowed in READ_COMMANDS:
            argv = [a.replace("{out}", str(out)) for a in argv]
            for leftover in out.iterdir():
                leftover.unlink()
            code, _stdout, err = run_cli([*argv, "--db", str(db)])
            TALLY["runs"] += 1
            TALLY[f"exit {code}"] += 1
            assert code in allowed, (argv, code, err, done)
            for shown in (_stdout, err):  # what reaches the terminal: printable UTF-8, no escapes
                shown.encode("utf-8")
                assert not UNSAFE.search(shown), (argv, UNSAFE.search(shown), done)
            if code == 5:
                _check_store_error(err, db)
            assert _sha(db) == before, (argv, "changed the store", done)

    run()


def test_tui_first_screen_on_mutated_stores(base_store: dict[str, Any],
                                            tmp_path_factory: pytest.TempPathFactory) -> None:
    from ccb_tui.ui.app import create_app
    from ccb_tui.ui.screens.dashboard import DashboardScreen
    from ccb_tui.ui.screens.error import StoreErrorScreen

    async def first_screen(db: Path) -> str:
        app = create_app(db, poll=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = app.screen
            if isinstance(screen, StoreErrorScreen):
                kind = "error"
            else:
                assert isinstance(screen, DashboardScreen), type(screen).__name__
                kind = "dashboard"
            await pilot.press("y")  # the next year: renders from the same snapshot once more
            await pilot.pause()
        assert app._exception is None, app._exception
        assert app.return_code in (None, 0), app.return_code
        return kind

    @settings(max_examples=TUI_EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(case=mutated_store(base_store))
    def run(case: tuple[bytes, list[str]]) -> None:
        raw, done = case
        db, _out = _case_dir(tmp_path_factory, raw)
        before = _sha(db)
        kind = asyncio.run(first_screen(db))
        TALLY["tui"] += 1
        TALLY[f"tui {kind}"] += 1
        assert _sha(db) == before, ("the TUI changed the store", done)

    run()
