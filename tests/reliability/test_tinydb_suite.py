"""TinyDB's own test suite, fetched at test time, run against SafeJSONStorage (see tinydb_suite.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tinydb import TinyDB

import tinydb_suite
from ccb_tui.core.store.storage import SafeJSONStorage
from tinydb_suite import INTENDED_DIFFERENCES, KNOWN_BUGS

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> tinydb_suite.SuiteResult:
    try:
        return tinydb_suite.run_suite(tmp_path_factory.mktemp("tinydb-suite"))
    except tinydb_suite.Unavailable as exc:
        pytest.skip(str(exc))


def test_suite_ran_on_safe_storage(suite: tinydb_suite.SuiteResult) -> None:
    assert suite.version == tinydb_suite.installed_version()
    assert "site-packages" in suite.tinydb_file or Path(suite.tinydb_file).parent.name == "tinydb"
    assert "/run/" not in suite.tinydb_file, "the sdist's own tinydb package was imported, not the installed one"
    assert suite.patched, "JSONStorage was not replaced in every module that uses it"
    assert {"tests.conftest", "tests.test_storages", "tests.test_tinydb"} <= set(suite.modules)
    assert suite.passed > 150, suite.output[-3000:]


def test_no_failure_outside_the_lists(suite: tinydb_suite.SuiteResult) -> None:
    unexpected = suite.unexpected()
    assert not unexpected, "\n\n".join(f"{n}:\n{suite.messages.get(n, '')}" for n in sorted(unexpected))


@pytest.mark.parametrize("nodeid", sorted(INTENDED_DIFFERENCES))
def test_intended_difference_still_shows(suite: tinydb_suite.SuiteResult, nodeid: str) -> None:
    """Each listed difference fails, and for the reason given (else the list is stale: trim it)."""
    reason, fragment = INTENDED_DIFFERENCES[nodeid]
    assert suite.outcomes.get(nodeid) == "failed", f"{nodeid} now passes; remove it from INTENDED_DIFFERENCES"
    assert fragment in suite.messages[nodeid], suite.messages[nodeid]


def test_ensure_ascii_option(tmp_path: Path) -> None:
    """Like JSONStorage, SafeJSONStorage accepts json.dumps options such as ensure_ascii (no network needed)."""
    path = tmp_path / "plain.json"
    with TinyDB(path, storage=SafeJSONStorage, ensure_ascii=False) as db:
        db.insert({"name": "Liên Sơn"})
    assert "Liên Sơn" in path.read_text(encoding="utf-8")
