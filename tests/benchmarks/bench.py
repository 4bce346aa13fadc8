"""Benchmarks for a slow SSH link: start-up, bytes on the wire, live updates, edit cost, memory.

Run:  python tests/benchmarks/bench.py [--quick]

Prints one table: each figure with its goal. Timings are noisy on shared machines, so start-up and
edit cost are ratios against a baseline measured in the same run, each the median of several
tries. Nothing here asserts: this is a measuring tool, not a test.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from ccb_tui.core.store.files import dump_json_bytes  # noqa: E402
from ccb_tui.core.store.store import Store  # noqa: E402

ROWS, COLS = 24, 80


# --- a program on a pseudo-terminal ---------------------------------------------------------

class PtyProgram:
    """A program on a pseudo-terminal of ROWS×COLS, with every byte it writes counted."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        # The terminal has its size before the program starts, as a real one does (setting it
        # after a fork makes the program start at another size and repaint on SIGWINCH).
        self.fd, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))

        def controlling_tty() -> None:
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.start = time.perf_counter()
        self.proc = subprocess.Popen(argv, env=env, stdin=slave, stdout=slave, stderr=slave,
                                     preexec_fn=controlling_tty, close_fds=True)
        os.close(slave)
        self.pid = self.proc.pid
        self.out = bytearray()
        self.last_byte = self.start

    def pump(self, seconds: float) -> int:
        """Read for ``seconds``; returns how many bytes arrived."""
        before = len(self.out)
        end = time.perf_counter() + seconds
        while (left := end - time.perf_counter()) > 0:
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.05))
            if ready:
                try:
                    data = os.read(self.fd, 65536)
                except OSError:
                    break
                if not data:
                    break
                self.out += data
                self.last_byte = time.perf_counter()
        return len(self.out) - before

    def wait_for(self, marker: bytes, timeout: float = 30.0, since: int = 0) -> float | None:
        """Seconds until ``marker`` appears in the output after offset ``since`` (None on timeout)."""
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < timeout:
            if marker in self.out[since:]:
                return time.perf_counter() - t0
            self.pump(0.02)
        return None

    def settle(self, quiet: float = 0.5, timeout: float = 30.0) -> float:
        """Read until no byte arrives for ``quiet`` seconds; returns the time of the last byte."""
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < timeout:
            self.pump(0.05)
            if time.perf_counter() - self.last_byte >= quiet:
                break
        return self.last_byte - self.start

    def peak_rss_mb(self) -> float:
        """The process's peak resident memory (VmHWM), in MB."""
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return float("nan")

    def close(self) -> None:
        try:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.fd)


def compile_bytecode() -> None:
    """Compile ccb_tui's modules to bytecode first, as an installed copy has them: without it (an
    editable install run with PYTHONDONTWRITEBYTECODE set) every start compiles every module
    again, ~70 ms more here, which no user's start pays twice."""
    import compileall
    compileall.compile_dir(str(ROOT / "ccb_tui"), quiet=1)


def _env(db: Path) -> dict[str, str]:
    env = dict(os.environ, TERM="xterm-256color", CCB_DB=str(db), COLUMNS=str(COLS), LINES=str(ROWS))
    env.pop("NO_COLOR", None)
    return env


# --- measurements ---------------------------------------------------------------------------

@dataclass
class Figure:
    name: str
    value: float
    unit: str
    goal: str
    met: bool

    def row(self) -> str:
        shown = f"{self.value:,.2f}" if isinstance(self.value, float) else str(self.value)
        mark = "✔" if self.met else "✘"
        return f"{mark} {self.name:<46} {shown:>10} {self.unit:<6} goal {self.goal}"


def startup(db: Path, tries: int) -> tuple[float, float, float]:
    """Median seconds to the settled first frame: ccb-tui, the bare app, and their ratio."""
    ours, bare = [], []
    for _ in range(tries):
        for argv, marker, sink in (
            ([sys.executable, "-m", "ccb_tui"], "Tổng cụm".encode(), ours),
            ([sys.executable, str(HERE / "bare_app.py")], b"Krong", bare),
        ):
            p = PtyProgram(argv, _env(db))
            try:
                p.wait_for(marker)
                sink.append(p.settle(quiet=0.4))
            finally:
                p.close()
    a, b = statistics.median(ours), statistics.median(bare)
    return a, b, a / b


def session(db: Path, idle_seconds: float) -> dict[str, float]:
    """One dashboard session: first-frame bytes, another session's edit, idle bytes, peak memory."""
    p = PtyProgram([sys.executable, "-m", "ccb_tui"], _env(db))
    try:
        p.wait_for("Tổng cụm".encode())
        p.settle(quiet=0.6)
        first = len(p.out)
        # Another session edits a figure shown on the first screen (cluster members 438 → 448).
        mark = len(p.out)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "ccb_tui", "set", "krong_no", "members", "130",
                        "--year", "2020", "--db", str(db)], check=True, capture_output=True)
        t_saved = time.perf_counter()
        seen = p.wait_for(b"448", timeout=10, since=mark)
        latency = (t_saved - t0) + seen if seen is not None else float("inf")
        latency_after_save = seen if seen is not None else float("inf")
        p.settle(quiet=0.6)
        update = len(p.out) - mark
        idle = p.pump(idle_seconds)
        rss = p.peak_rss_mb()
    finally:
        p.close()
    return {"first": first, "update": update, "latency": latency_after_save, "latency_total": latency,
            "idle": idle, "rss": rss}


def province_store(path: Path, units: int = 200, years: int = 10) -> None:
    """A generated province-sized store: ``units`` units × ``years`` years of every indicator."""
    Store(path)
    data = json.loads(path.read_bytes())
    data["units"] = {}
    data["records"] = {}
    n = 0
    for u in range(units):
        code = f"u{u:03d}"
        data["units"][str(u + 1)] = {"code": code, "kind": "xa", "retired_from": None,
                                     "periods": [{"from": 2016, "name": f"Xã Thử Nghiệm {u}", "cluster": "cum3"}]}
        for y in range(2016, 2016 + years):
            n += 1
            data["records"][str(n)] = {"unit": code, "year": y, "values": {
                "branches": {"v": 10, "q": "exact", "s": "reported"},
                "members": {"v": 100 + u, "q": "exact", "s": "reported"},
                "new_members": {"v": 5, "q": "exact", "s": "reported"},
                "houses_removed": {"v": 1, "q": "exact", "s": "reported"},
                "houses_built": {"v": 1, "q": "exact", "s": "reported"},
                "fund": {"v": 60_000_000, "q": "exact", "s": "reported"},
                "loans": {"v": 2_000_000_000, "q": "exact", "s": "reported"},
                "workdays": {"v": 120, "q": "exact", "s": "reported"},
                "land_m2": {"v": 300, "q": "exact", "s": "reported"},
                "canal_km": {"v": 0.5, "q": "exact", "s": "reported"}},
                "targets": {"members": {"v": 110 + u}, "new_members": {"v": 5}}}
    data["tasks"] = {}
    path.write_bytes(dump_json_bytes(data))


def edit_cost(path: Path, unit: str, tries: int) -> tuple[float, float, float, float]:
    """Median seconds of one conditional edit and of a raw serialise+fsync+rename, their ratio,
    and the ratio to a raw write that also fsyncs the folder (as the store does, for durability)."""
    store = Store(path)
    edits, raws, raws_dir = [], [], []
    for i in range(tries):
        current = store.snapshot().reading(unit, "members", 2020)
        t0 = time.perf_counter()
        store.set_value(unit, "members", 2020, (current.value or 0) + 1, expect=current)
        edits.append(time.perf_counter() - t0)
        data = json.loads(path.read_bytes())
        t0 = time.perf_counter()
        payload = dump_json_bytes(data)
        tmp = path.with_name(".raw.tmp")
        with open(tmp, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path.with_name("raw-copy.json"))
        raws.append(time.perf_counter() - t0)
        folder = os.open(path.parent, os.O_RDONLY)
        os.fsync(folder)
        os.close(folder)
        raws_dir.append(time.perf_counter() - t0)
    a, b, c = statistics.median(edits), statistics.median(raws), statistics.median(raws_dir)
    return a, b, a / b, a / c


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer tries and a 3 s idle window")
    parser.add_argument("--profile", action="store_true",
                        help="also print a cProfile of one start until the first frame")
    args = parser.parse_args(argv)
    compile_bytecode()
    tries = 3 if args.quick else 7
    idle_s = 3.0 if args.quick else 10.0
    work = Path(tempfile.mkdtemp(prefix="ccb-bench-"))
    os.environ["CCB_BACKUPS"] = "30"
    try:
        db = work / "ccb.json"
        Store(db)
        ours, bare, ratio = startup(db, tries)
        s = session(db, idle_s)
        figures = [
            Figure("start-up to settled dashboard (s)", ours, "s", "—", True),
            Figure("start-up of a bare Textual DataTable app (s)", bare, "s", "—", True),
            Figure("start-up ratio ccb-tui / bare app", ratio, "×", "≤ 1.25×", ratio <= 1.25),
            Figure("first dashboard frame at 80×24", s["first"] / 1024, "KB", "≤ 16 KB", s["first"] <= 16 * 1024),
            Figure("update after another session's edit", s["update"] / 1024, "KB", "≤ 2 KB", s["update"] <= 2048),
            Figure(f"bytes while idle for {idle_s:g} s", float(s["idle"]), "B", "0", s["idle"] == 0),
            Figure("another session's edit → visible (after save)", s["latency"], "s", "≤ 1 s", s["latency"] <= 1),
            Figure("peak memory of the dashboard (VmHWM)", s["rss"], "MB", "≤ 60 MB", s["rss"] <= 60),
        ]
        seed_db = work / "edit-seed.json"
        Store(seed_db)
        e, r, q, qd = edit_cost(seed_db, "krong_no", tries * 3)
        figures += [
            Figure("conditional edit, seed store (ms)", e * 1000, "ms", "—", True),
            Figure("edit / raw serialise+fsync, seed", q, "×", "≤ 1.5×", q <= 1.5),
            Figure("edit / raw write + folder fsync, seed", qd, "×", "—", True),
        ]
        big = work / "province.json"
        province_store(big)
        e, r, q, qd = edit_cost(big, "u000", tries)
        figures += [
            Figure(f"conditional edit, province store {big.stat().st_size / 1e6:.1f} MB (ms)", e * 1000, "ms",
                   "—", True),
            Figure("edit / raw serialise+fsync, province", q, "×", "≤ 1.5×", q <= 1.5),
            Figure("edit / raw write + folder fsync, province", qd, "×", "—", True),
        ]
        print(f"ccb-tui benchmarks · {time.strftime('%Y-%m-%d %H:%M')} · python {sys.version.split()[0]} · "
              f"{os.cpu_count()} CPUs · terminal {COLS}×{ROWS}")
        for f in figures:
            print(f.row())
        met = sum(f.met for f in figures)
        print(f"{met}/{len(figures)} goals met")
        from startup_trace import report
        print("\n".join(report(db, tries, args.profile)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
