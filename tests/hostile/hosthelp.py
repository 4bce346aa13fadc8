"""Helpers of the hostile tier: run an import through the real CLI and check what every hostile
file must give: exit 0, 2 or 3, never a traceback, short messages, the store byte-identical after a
refusal and after every ``--dry-run``."""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import subprocess
import sys
import traceback
from collections import Counter
from pathlib import Path

from ccb_tui.cli import main

ROOT = Path(__file__).resolve().parents[2]
MAX_LINE = 700  # a message line; a cell is quoted in at most ~80 characters
_BACKSTOP = re.compile(r"(?:hỏng hoặc không phải tệp|is damaged or not a well-formed) \w+ (?:đúng dạng |file )?\((\w+)")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_cli(argv: list[str]) -> tuple[int | None, str, str]:
    """``cli.main(argv)`` in this process: (exit code or None on an escaped exception, out, err)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code: int | None = main(argv)
        except BaseException:  # noqa: BLE001 - exactly what must never happen
            code = None
            err.write(traceback.format_exc())
    return code, out.getvalue(), err.getvalue()


def run_process(argv: list[str], timeout: float = 60) -> tuple[int, str, str]:
    """The CLI as a real process (``python -m ccb_tui``)."""
    p = subprocess.run([sys.executable, "-m", "ccb_tui", *argv], capture_output=True, text=True,
                       timeout=timeout, cwd=ROOT, encoding="utf-8", errors="replace")
    return p.returncode, p.stdout, p.stderr


def check_import(path: Path, db: Path, kind: str, tally: tuple[Counter, Counter, Counter], *,
                 dry_run: bool = True, pristine: bytes | None = None, process: bool = False,
                 lang: str | None = None) -> tuple[int, str]:
    """Import ``path`` into ``db`` and assert the hostile-file contract; count it under ``kind``.

    A real import that succeeds (exit 0) may change the store: it is then put back from
    ``pristine`` so the next file starts from the same data."""
    tried, outcomes, backstop = tally
    before = digest(db)
    argv = ["--db", str(db), "import", str(path)] + (["--dry-run"] if dry_run else []) + (
        ["--lang", lang] if lang else [])
    code, out, err = run_process(argv) if process else run_cli(argv)
    tried[kind] += 1
    outcomes[f"exit {code}"] += 1
    assert code in (0, 2, 3), f"{kind}: {path.name} ended with {code}\n{err[-3000:]}"
    assert "Traceback" not in err, f"{kind}: {path.name}\n{err[-3000:]}"
    long = [line for line in (out + err).splitlines() if len(line) > MAX_LINE]
    assert not long, f"{kind}: {path.name}: a {len(long[0])}-character line: {long[0][:200]}…"
    if code != 0 or dry_run:
        assert digest(db) == before, f"{kind}: {path.name} changed the store (exit {code}, dry run {dry_run})"
    elif pristine is not None:
        db.write_bytes(pristine)
    if code == 3 and (m := _BACKSTOP.search(err)):
        backstop[m.group(1)] += 1
    return code, err
