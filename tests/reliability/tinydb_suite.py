"""Run TinyDB's own test suite against ``ccb_tui.core.store.SafeJSONStorage``.

    python tests/reliability/tinydb_suite.py [WORKDIR]

Downloads the source distribution of the *installed* tinydb version from the package index
(``pip download --no-deps --no-binary :all: tinydb==VERSION``), extracts its ``tests/`` folder (not
its ``tinydb/`` package: the installed one is tested), and runs those tests with pytest in a
subprocess with this file loaded as a plugin (``-p tinydb_suite``). Before any test module is
imported the plugin replaces ``JSONStorage`` with ``SafeJSONStorage`` everywhere TinyDB exposes it,
so every test that uses TinyDB's JSON storage, and every ``TinyDB(path)`` without a storage,
runs on ours. Each failure must be listed below, as an intended difference (with the reason and
a fragment of the failure it must show) or as a known bug of SafeJSONStorage; the exit status is
0 only then. Nothing from TinyDB is kept in this repository.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

REPORT_ENV = "TINYDB_SUITE_REPORT"

# nodeid -> (why SafeJSONStorage differs on purpose, a fragment the failure must show)
INTENDED_DIFFERENCES: dict[str, tuple[str, str]] = {
    "tests/test_storages.py::test_encoding": (
        "SafeJSONStorage always reads and writes UTF-8 (the store is shared between users and "
        "machines); any other encoding is refused when the storage is created",
        "SafeJSONStorage always uses UTF-8"),
    "tests/test_storages.py::test_json_invalid_mode_warning": (
        "JSONStorage warns that access_mode='w' truncates the file when it opens it; SafeJSONStorage "
        "never opens the file for writing (it replaces it atomically), so 'w' cannot lose data",
        "DID NOT WARN"),
    "tests/test_middlewares.py::test_caching_json_write": (
        "the test reads JSONStorage's private _handle; SafeJSONStorage keeps no file open between "
        "calls (each read opens and closes, each write replaces the file)",
        "has no attribute '_handle'"),
    "tests/test_tables.py::test_table_repr[json]": (
        "the repr names the storage class, which is SafeJSONStorage, not tinydb.storages.JSONStorage",
        "assert None"),
}

# nodeid -> the bug in SafeJSONStorage that makes it fail (tracked by xfail(strict=True) tests)
KNOWN_BUGS: dict[str, str] = {}


class Unavailable(Exception):
    """The suite cannot be fetched (no network, no index): the caller skips."""


@dataclass
class SuiteResult:
    """Outcomes of one run: nodeid -> "passed" / "failed" / "skipped", and failure messages."""

    version: str
    outcomes: dict[str, str]
    messages: dict[str, str]
    patched: bool
    tinydb_file: str
    modules: list[str]
    returncode: int
    output: str = field(repr=False)

    @property
    def failed(self) -> set[str]:
        return {n for n, o in self.outcomes.items() if o == "failed"}

    @property
    def passed(self) -> int:
        return sum(o == "passed" for o in self.outcomes.values())

    def unexpected(self) -> set[str]:
        """Failures that are neither intended differences nor known bugs."""
        return self.failed - set(INTENDED_DIFFERENCES) - set(KNOWN_BUGS)


def installed_version() -> str:
    return metadata.version("tinydb")



def _extract(tar: tarfile.TarFile, members: list[tarfile.TarInfo], dest: Path) -> None:
    """Extract ``members`` safely: the "data" filter where this Python has it (3.11.4+, 3.12);
    Debian 12's Python 3.11.2 lacks it, so there only regular files and folders inside ``dest``."""
    if hasattr(tarfile, "data_filter"):
        tar.extractall(dest, members=members, filter="data")
        return
    root = dest.resolve()
    safe = []
    for m in members:
        target = (dest / m.name).resolve()
        if (m.isfile() or m.isdir()) and (target == root or root in target.parents):
            safe.append(m)
    tar.extractall(dest, members=safe)  # noqa: S202 - members checked above

def fetch_tests(workdir: Path, version: str) -> Path:
    """Download and extract the sdist's tests/ into ``workdir/run/tests``; returns ``workdir/run``."""
    download = workdir / "sdist"
    download.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                           "--disable-pip-version-check", "--retries", "1", "--timeout", "20", "-q", f"tinydb=={version}", "-d", str(download)],
                          capture_output=True, text=True, timeout=300)
    archives = sorted(download.glob("tinydb-*.tar.gz"))
    if proc.returncode != 0 or not archives:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        tail = [line for line in lines if line.startswith("ERROR")] or lines[-2:]
        raise Unavailable(f"cannot download the tinydb {version} sdist: {' / '.join(tail) or 'no archive'}")
    run = workdir / "run"
    with tarfile.open(archives[0]) as tar:
        prefix = f"{tar.getnames()[0].split('/')[0]}/tests/"
        members = [m for m in tar.getmembers() if m.name.startswith(prefix)]
        if not members:
            raise Unavailable(f"the tinydb {version} sdist has no tests/ folder")
        _extract(tar, members, workdir / "extract")
    shutil.copytree(workdir / "extract" / prefix.rstrip("/"), run / "tests")
    (run / "pytest.ini").write_text("[pytest]\n")  # pin the rootdir; no options from elsewhere
    return run


def run_suite(workdir: Path) -> SuiteResult:
    """Fetch and run TinyDB's tests against SafeJSONStorage."""
    version = installed_version()
    run = fetch_tests(Path(workdir), version)
    report = Path(workdir) / "report.json"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")]),
               PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", **{REPORT_ENV: str(report)})
    proc = subprocess.run([sys.executable, "-m", "pytest", "tests", "-p", "tinydb_suite", "-p", "no:cacheprovider",
                           "-q", "-rfE", "--basetemp", str(Path(workdir) / "basetemp")],
                          cwd=run, env=env, capture_output=True, text=True, timeout=600)
    if not report.exists():
        raise RuntimeError(f"TinyDB's suite did not run:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    data = json.loads(report.read_text())
    return SuiteResult(version, data["outcomes"], data["messages"], data["patched"], data["tinydb_file"],
                       data["modules"], proc.returncode, proc.stdout + proc.stderr)


# --- the pytest plugin, active only inside the subprocess (-p tinydb_suite) -----------------------------

_outcomes: dict[str, str] = {}
_messages: dict[str, str] = {}
_state: dict[str, Any] = {"patched": False}


def pytest_load_initial_conftests(early_config: Any, parser: Any, args: list[str]) -> None:
    """Swap the storage before TinyDB's conftest and test modules import it (this hook runs for a
    ``-p`` plugin before the initial conftests are loaded)."""
    import tinydb
    import tinydb.database
    import tinydb.storages

    from ccb_tui.core.store.storage import SafeJSONStorage

    tinydb.storages.JSONStorage = SafeJSONStorage
    tinydb.JSONStorage = SafeJSONStorage
    tinydb.database.JSONStorage = SafeJSONStorage
    tinydb.database.TinyDB.default_storage_class = SafeJSONStorage
    _state["tinydb_file"] = tinydb.__file__


def pytest_collection_modifyitems(session: Any, config: Any, items: list[Any]) -> None:
    """Check the swap reached every test module and conftest that imported JSONStorage."""
    from tinydb.database import TinyDB

    from ccb_tui.core.store.storage import SafeJSONStorage

    modules = [m for name, m in list(sys.modules.items()) if name.split(".")[0] in ("tests", "conftest")]
    seen = [m for m in modules if hasattr(m, "JSONStorage")]
    _state["modules"] = sorted(m.__name__ for m in seen)
    _state["patched"] = (TinyDB.default_storage_class is SafeJSONStorage and bool(seen)
                         and all(m.JSONStorage is SafeJSONStorage for m in seen))


def pytest_runtest_logreport(report: Any) -> None:
    if report.when == "call" or report.outcome != "passed":
        if report.failed:
            _outcomes[report.nodeid] = "failed"
            _messages[report.nodeid] = str(report.longrepr)[-2000:]
        elif report.skipped:
            _outcomes.setdefault(report.nodeid, "skipped")
        elif report.when == "call":
            _outcomes.setdefault(report.nodeid, "passed")


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    path = os.environ.get(REPORT_ENV)
    if path:
        Path(path).write_text(json.dumps({"outcomes": _outcomes, "messages": _messages,
                                          "patched": _state["patched"], "tinydb_file": _state.get("tinydb_file", ""),
                                          "modules": _state.get("modules", [])}))


# --- the script -----------------------------------------------------------------------------------------

def main(argv: list[str]) -> int:
    workdir = Path(argv[0]) if argv else Path(tempfile.mkdtemp(prefix="tinydb-suite-"))
    try:
        result = run_suite(workdir)
    except Unavailable as exc:
        print(f"skipped: {exc}")
        return 0
    print(f"tinydb {result.version} ({result.tinydb_file}): {result.passed} passed, {len(result.failed)} failed, "
          f"storage swapped: {result.patched} in {', '.join(result.modules)}")
    for nodeid in sorted(result.failed):
        if nodeid in INTENDED_DIFFERENCES:
            print(f"  intended  {nodeid}: {INTENDED_DIFFERENCES[nodeid][0]}")
        elif nodeid in KNOWN_BUGS:
            print(f"  known bug {nodeid}: {KNOWN_BUGS[nodeid]}")
        else:
            print(f"  UNEXPECTED {nodeid}:\n{result.messages.get(nodeid, '')}")
    return 0 if result.patched and not result.unexpected() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
