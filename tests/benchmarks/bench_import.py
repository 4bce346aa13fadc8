"""Benchmark: hostile import files against the budget (≤ 10 s and ≤ 300 MB RSS per file).

Run:  python tests/benchmarks/bench_import.py [--only SUBSTRING]

Each adversarial file of ``tests/hostile/adversarial.py`` (all at most 10 MB) is written to a temp
folder and imported by a whole ``ccb-tui import FILE --dry-run`` process; the table gives its wall
time, its peak RSS (``RUSAGE_CHILDREN`` in a small wrapper process), the exit code, how many bytes it wrote to
stderr, whether the store is byte-identical, and the first line it printed. Exit status 1 when any
file passes the budget, ends otherwise than 0/2/3, prints a traceback or changes the store.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "hostile"))

from adversarial import ADVERSARIAL  # noqa: E402

from ccb_tui.core.exchange.limits import MAX_BYTES  # noqa: E402
from ccb_tui.core.store import Store  # noqa: E402

BUDGET_S = 10.0
BUDGET_MB = 300.0
KILL_AFTER_S = 60.0


# A small wrapper process runs the import and reports its child's peak RSS: Linux counts a forked
# child's peak from its parent's size at fork, so the (big) benchmark process must not be the parent.
WRAPPER = """
import json, resource, subprocess, sys, time
t = time.perf_counter()
try:
    code = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=open(sys.argv[1], "wb"),
                          timeout=%r).returncode
except subprocess.TimeoutExpired:
    code = -9
wall = time.perf_counter() - t
print(json.dumps([wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, code]))
""" % KILL_AFTER_S


def run_one(path: Path, db: Path) -> tuple[float, float, int, bytes]:
    """(wall seconds, peak RSS MB, exit code, stderr) of one import process."""
    err_path = path.with_suffix(".err")
    out = subprocess.run([sys.executable, "-c", WRAPPER, str(err_path), sys.executable, "-m", "ccb_tui",
                          "--db", str(db), "import", str(path), "--dry-run"],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    wall, rss, code = json.loads(out.stdout)
    return wall, rss, code, err_path.read_bytes()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="", help="run only files whose name contains this")
    opts = ap.parse_args()
    failures = 0
    rows: list[tuple[str, int, float, float, int, int, bool, str]] = []
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        folder = Path(tmp)
        db = folder / "ccb.json"
        Store(db, user="bench")
        before = hashlib.sha256(db.read_bytes()).hexdigest()
        for i, (name, (ext, build)) in enumerate(ADVERSARIAL.items()):
            if opts.only not in name:
                continue
            path = folder / f"f{i}.{ext}"
            path.write_bytes(build())
            size = path.stat().st_size
            wall, rss, code, err = run_one(path, db)
            same = hashlib.sha256(db.read_bytes()).hexdigest() == before
            first = err.decode("utf-8", "replace").strip().splitlines()[:1]
            line = first[0] if first else ""
            ok = (wall <= BUDGET_S and rss <= BUDGET_MB and code in (0, 2, 3) and same and size <= MAX_BYTES
                  and b"Traceback" not in err)
            failures += not ok
            rows.append((name, size, wall, rss, code, len(err), same, ("" if ok else "OVER/FAIL ") + line))
            path.unlink()
            print(f"  {name}: {wall:.2f} s, {rss:.0f} MB, exit {code}", file=sys.stderr, flush=True)
    print(f"\n{'file':40} {'size':>8} {'time s':>7} {'RSS MB':>7} {'exit':>4} {'stderr':>7} {'store':>6}  first line")
    for name, size, wall, rss, code, nerr, same, line in rows:
        print(f"{name[:40]:40} {size / 1024 / 1024:7.2f}M {wall:7.2f} {rss:7.0f} {code:4} {nerr:7} "
              f"{'same' if same else 'CHANGED':>6}  {line[:110]}")
    if rows:
        worst_t = max(rows, key=lambda r: r[2])
        worst_m = max(rows, key=lambda r: r[3])
        print(f"\nworst time: {worst_t[2]:.2f} s ({worst_t[0]}); worst RSS: {worst_m[3]:.0f} MB ({worst_m[0]}); "
              f"budget {BUDGET_S:.0f} s / {BUDGET_MB:.0f} MB; {failures} over budget or failing")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
