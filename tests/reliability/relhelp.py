"""Helpers shared by the reliability tests: child processes, event files, store inspection.

Children are forked from the test process (no interpreter start-up, ccb_tui already imported) and
report what they did through an *event file*: one JSON object per line, written with a single
``os.write`` on an ``O_APPEND`` descriptor before the child goes on. Once ``os.write`` returns the
line is in the kernel's page cache, so it survives the child being SIGKILLed a microsecond later:
the parent always knows every edit the child had acknowledged, and the one it had in flight.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import shutil
import tempfile
import os
import signal
import stat
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Iterable

from ccb_tui.core.store.store import Store

PY = sys.executable
YEAR = 2020  # the seed's figures are for 2020, its checklist for 2021


# --- the store file, read directly ------------------------------------------------------------

def load(path: Path) -> dict[str, Any]:
    """The store file parsed strictly (raises on invalid JSON)."""
    return json.loads(Path(path).read_bytes())


def meta(data: dict[str, Any]) -> dict[str, Any]:
    """The store's single meta document."""
    (doc,) = data["meta"].values()
    return doc


def revision(data_or_path: dict[str, Any] | Path) -> int:
    """The revision counter in a parsed store or a store file."""
    data = data_or_path if isinstance(data_or_path, dict) else load(data_or_path)
    return int(meta(data).get("revision", 0))


def record(data: dict[str, Any], unit: str, year: int = YEAR) -> dict[str, Any]:
    """The (unit, year) document of the records table."""
    found = [d for d in data["records"].values() if d["unit"] == unit and d["year"] == year]
    assert len(found) == 1, (unit, year, len(found))
    return found[0]


def value_in(data: dict[str, Any], unit: str, indicator: str, year: int = YEAR) -> Any:
    """A figure's stored value (None when absent or not reported)."""
    doc = record(data, unit, year)["values"].get(indicator)
    return None if doc is None else doc.get("v")


def log_docs(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The audit log's documents in insertion (doc id) order."""
    return [v for _, v in sorted(data.get("log", {}).items(), key=lambda kv: int(kv[0]))]


def temp_leftovers(db: Path) -> list[Path]:
    """Atomic-write temp files of ``db`` left in its folder."""
    return sorted(db.parent.glob(f".{db.name}.*.tmp"))


def is_store_tmp_fd(db: Path, fd: int) -> bool:
    """Whether ``fd`` is open on one of ``db``'s atomic-write temp files (Linux: via /proc)."""
    try:
        name = os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        return False
    return name.startswith(f".{db.name}.") and name.endswith(".tmp")


def is_folder_fd(folder: Path, fd: int) -> bool:
    """Whether ``fd`` is open on ``folder`` itself."""
    try:
        st = os.fstat(fd)
        return stat.S_ISDIR(st.st_mode) and os.path.samestat(st, os.stat(folder))
    except OSError:
        return False


# --- event files ---------------------------------------------------------------------------------

class Events:
    """An append-only file of JSON lines, safe to write from a child that may be SIGKILLed."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    def open(self) -> "Events":
        """Open the file now (say, before dropping privileges); ``emit`` would open it lazily."""
        if self._fd is None:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        return self

    def emit(self, **fields: Any) -> None:
        """Append one event; on return it is in the kernel, whatever happens to this process."""
        self.open()
        line = (json.dumps(fields, ensure_ascii=False) + "\n").encode()
        assert len(line) < 4096, "one write() per event keeps it whole"
        os.write(self._fd, line)

    def read(self) -> list[dict[str, Any]]:
        """All complete events so far."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        complete = raw[: raw.rfind(b"\n") + 1]  # a line is only an event once its newline is written
        return [json.loads(line) for line in complete.decode().splitlines() if line.strip()]

    def wait_for(self, ev: str, timeout: float = 20.0) -> dict[str, Any]:
        """Block until an event named ``ev`` appears; returns it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for e in self.read():
                if e.get("ev") == ev:
                    return e
            time.sleep(0.005)
        raise AssertionError(f"no {ev!r} event in {self.path} after {timeout} s: {self.read()[-5:]}")


# --- forked children -----------------------------------------------------------------------------

def fork(fn: Callable[..., None], *args: Any) -> int:
    """Run ``fn(*args)`` in a forked child; returns its pid. The child never returns into pytest."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 0
        try:
            fn(*args)
        except BaseException:  # noqa: BLE001 - report anything, then leave without running pytest's code
            traceback.print_exc()
            code = 70
        finally:
            os._exit(code)
    return pid


def reap(pid: int, timeout: float = 30.0) -> int:
    """Wait for a child; returns the raw wait status. Kills it if it overstays ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise AssertionError(f"child {pid} still running after {timeout} s")
        time.sleep(0.005)


def sigkill(pid: int) -> int:
    """SIGKILL a child (it may already be dead) and reap it; returns the wait status."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    return reap(pid)


def exited_ok(status: int) -> bool:
    """Whether a wait status is a normal exit with code 0."""
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def killed_by(status: int, sig: int) -> bool:
    """Whether a wait status says the child died of ``sig``."""
    return os.WIFSIGNALED(status) and os.WTERMSIG(status) == sig


# --- the CLI ------------------------------------------------------------------------------------

def cli_in_process(argv: list[str]) -> tuple[int, str, str]:
    """``ccb_tui.cli.main(argv)`` with its output captured: (exit code, stdout, stderr)."""
    from ccb_tui import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


def cli_process(args: Iterable[str], timeout: float = 60, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """A real ``python -m ccb_tui ARGS`` process."""
    return subprocess.run([PY, "-m", "ccb_tui", *args], capture_output=True, text=True, timeout=timeout,
                          **kwargs)


def one_line(stderr: str) -> str:
    """The single line a failing command printed on stderr (asserts there is exactly one)."""
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@functools.lru_cache(maxsize=None)
def interpreter_usable_by(uid: int, gid: int) -> bool:
    """Whether ``uid`` can run this Python (it may be installed in a folder only root can enter)."""
    try:
        subprocess.run([PY, "-c", "pass"], user=uid, group=gid, extra_groups=[], check=True,
                       capture_output=True, timeout=60, cwd="/")
    except (PermissionError, subprocess.CalledProcessError):
        return False
    return True


def _warm_up_cli() -> None:
    """Run one ``set`` in this process so that every module it imports lazily is loaded."""
    folder = tempfile.mkdtemp(prefix="ccb-warm-")
    try:
        cli_in_process(["set", "krong_no", "workdays", "1", "--year", str(YEAR), "--db", f"{folder}/w.json"])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def cli_as(uid: int, gid: int, args: list[str], *, umask: int = 0o022, cwd: Path | str = "/",
           env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """``ccb-tui ARGS`` run as ``uid:gid`` (no supplementary groups) with ``umask`` and the extra
    environment ``env``: (code, stdout, stderr).

    A real ``python -m ccb_tui`` process when that user can run this interpreter; otherwise (say it
    lives under /root) the same ``cli.main`` in a forked child that has taken the user's identity,
    which is what the file system sees either way.
    """
    full_env = {k: v for k, v in os.environ.items() if k != "SUDO_USER"} | (env or {})
    if interpreter_usable_by(uid, gid):
        proc = subprocess.run([PY, "-m", "ccb_tui", *args], user=uid, group=gid, extra_groups=[], umask=umask,
                              cwd=cwd, env=full_env, capture_output=True, text=True, timeout=60)
        return proc.returncode, proc.stdout, proc.stderr
    _warm_up_cli()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 70
        try:
            os.close(r)
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            os.umask(umask)
            os.chdir(cwd)
            os.environ.clear()
            os.environ.update(full_env)
            result = cli_in_process(args)
            with os.fdopen(w, "w") as pipe:
                json.dump(result, pipe)
            code = 0
        except BaseException:  # noqa: BLE001
            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(w)
    with os.fdopen(r) as pipe:
        raw = pipe.read()
    assert exited_ok(reap(pid)), f"the CLI as uid {uid} crashed"
    code, out, err = json.loads(raw)
    return code, out, err


# --- the lock ------------------------------------------------------------------------------------

def assert_lock_free(db: Path, *, within: float = 1.0, unit: str = "nam_ka", indicator: str = "houses_built",
                     value: int | None = None) -> int:
    """A new edit succeeds within ``within`` seconds (the lock is free); returns the value written."""
    store = Store(db, user="after", lock_timeout=within)
    value = value if value is not None else (store.snapshot().reading(unit, indicator, YEAR).value or 0) + 1
    start = time.monotonic()
    store.set_value(unit, indicator, YEAR, value)
    elapsed = time.monotonic() - start
    assert elapsed < within, f"the edit after the kill took {elapsed:.2f} s"
    return value
