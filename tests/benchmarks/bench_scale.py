"""The scale curve, measured: how the one-file store and the dashboard behave as the data grows.

Run:  python tests/benchmarks/bench_scale.py [--sizes cluster,province,national] [--fresh]

Three generated stores, each 6 years (2015–2020) of every indicator for every unit, written in the
store's own layout (the seed's tables, more clusters and units) and opened once by ``Store`` to
prove they are valid:

- cluster:  the bundled cluster, 4 units in 1 cluster;
- province: a province after the 2025 merger, about 100 communes in 8 clusters;
- national: the whole country, 3,321 communes in about 300 clusters.

Cluster No. 3 (the seed's 4 units and figures) is the first cluster in every store, so the
dashboard shows the same screen at every size and only the file around it grows.

For each size it prints the file size, the wall time of a whole ``ccb-tui summary`` process
(median of 3) and its peak memory, one conditional edit through ``Store.set_value`` (lock, read or
reuse, write, backup, rename, folder fsync; median of 5) and the reload that follows it (a new
snapshot of the changed file, as every open dashboard makes after anyone's edit), the dashboard's settled first frame on a
pseudo-terminal at 80×24 (the harness of ``bench.py``: from the start of the process until no byte
has arrived for 0.4 s after "Tổng cụm" appeared, minus that quiet time; median of 3) and its peak
memory (VmHWM). Nothing here asserts: this is a measuring tool, not a test.

Generated files are cached in ``$TMPDIR/ccb-bench-scale/`` (``--fresh`` makes them again); every
measurement works on a copy, so the cache stays as generated.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from bench import PtyProgram, _env  # noqa: E402
from ccb_tui.core.store import Store  # noqa: E402
from ccb_tui.core.store.files import dump_json_bytes  # noqa: E402

YEARS = range(2015, 2021)  # 6 years of figures; the seed's 2021 targets and checklist stay
GENERATOR_VERSION = 1  # bump when the generated layout changes, so cached files are remade


@dataclass(frozen=True)
class Size:
    name: str
    clusters: int
    units: int  # communes in all, the seed's 4 included


SIZES = {
    "cluster": Size("cluster", 1, 4),
    "province": Size("province", 8, 100),
    "national": Size("national", 300, 3321),
}


def _values(rng: random.Random) -> dict[str, dict[str, object]]:
    def v(x: object) -> dict[str, object]:
        return {"v": x, "q": "exact", "s": "reported"}
    members = rng.randint(60, 400)
    out = {
        "branches": v(rng.randint(4, 20)),
        "members": v(members),
        "new_members": v(rng.randint(0, 15)),
        "houses_removed": v(rng.randint(0, 3)),
        "houses_built": v(rng.randint(0, 5)),
        "fund": v(rng.randint(20, 200) * 1_000_000),
        "loans": v(rng.randint(5, 60) * 100_000_000),
        "workdays": v(rng.randint(50, 500)),
        "land_m2": v(rng.randint(0, 30) * 50),
        "canal_km": v(round(rng.randint(0, 30) / 10, 1)),
    }
    if rng.random() < 0.05:  # a few not reported, as in life
        out["loans"] = {"v": None, "q": "exact", "s": "not_reported"}
    return out


def generate(size: Size, path: Path) -> None:
    """Write a store of ``size`` at ``path`` in the store's own layout (see data/seed.json)."""
    rng = random.Random(13)
    seed = json.loads((ROOT / "data" / "seed.json").read_text(encoding="utf-8"))
    data = {k: v for k, v in seed.items()}
    clusters = dict(seed["clusters"])
    units = {}
    for doc_id, u in seed["units"].items():  # the seed's units, in the cluster from the first year
        units[doc_id] = {**u, "periods": [{**p, "from": YEARS[0]} for p in u["periods"]]}
    records = {}
    for r in seed["records"].values():
        records[str(len(records) + 1)] = r
    for u in seed["units"].values():
        for year in YEARS:
            if year != 2020:  # the seed has 2020
                records[str(len(records) + 1)] = {"unit": u["code"], "year": year, "values": _values(rng),
                                                  "targets": {"new_members": {"v": rng.randint(3, 10)}}}
    extra_clusters = [f"cum{i}" for i in range(1, size.clusters + 1) if i != 3][: size.clusters - 1]
    for code in extra_clusters:
        clusters[str(len(clusters) + 1)] = {
            "code": code, "name_vi": f"Cụm thi đua số {code[3:]}", "name_en": f"Competition cluster No. {code[3:]}",
            "parent_vi": "Hội CCB tỉnh (dữ liệu sinh để đo)", "parent_en": "Province association (generated)"}
    for i in range(size.units - len(seed["units"])):
        code = f"xa_{i:04d}"
        cluster = extra_clusters[i % len(extra_clusters)]
        units[str(len(units) + 1)] = {"code": code, "kind": "xa", "retired_from": None,
                                      "periods": [{"from": YEARS[0], "name": f"Xã Thử Nghiệm {i:04d}",
                                                   "cluster": cluster}]}
        for year in YEARS:
            records[str(len(records) + 1)] = {"unit": code, "year": year, "values": _values(rng),
                                              "targets": {"new_members": {"v": rng.randint(3, 10)}}}
    data["clusters"], data["units"], data["records"] = clusters, units, records
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(dump_json_bytes(data))
    os.replace(tmp, path)
    snap = Store(path, cleanup=False).snapshot()  # valid, or this raises naming what is wrong
    assert len(snap.units) == size.units and len(snap.clusters) == size.clusters, (len(snap.units), len(snap.clusters))


def cached(size: Size, cache: Path, fresh: bool) -> Path:
    path = cache / f"{size.name}-v{GENERATOR_VERSION}.json"
    if fresh or not path.exists():
        t0 = time.perf_counter()
        generate(size, path)
        print(f"  generated {path} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return path


def fresh_copy(src: Path, work: Path, name: str) -> Path:
    folder = work / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    dst = folder / "ccb.json"
    shutil.copyfile(src, dst)
    return dst


def summary_run(db: Path) -> tuple[float, float]:
    """Wall seconds and peak memory (MB) of one whole ``ccb-tui summary`` process."""
    env = dict(os.environ, CCB_DB=str(db))
    t0 = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-m", "ccb_tui", "summary", "--db", str(db)], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise RuntimeError(f"summary failed ({p.returncode}): {p.stderr.read().decode()[:300] if p.stderr else ''}")
    if p.stderr:
        p.stderr.close()
    return elapsed, usage.ru_maxrss / 1024


def edit_times(db: Path, tries: int) -> tuple[list[float], list[float]]:
    """Seconds of ``tries`` conditional edits in one session (as the dashboard does them), and of
    the reload after each (a new snapshot of the changed file: what every open dashboard does
    after anyone's edit)."""
    store = Store(db)
    store.snapshot()
    edits, reloads = [], []
    for _ in range(tries):
        t0 = time.perf_counter()
        current = store.snapshot().reading("krong_no", "members", 2020)
        reloads.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        store.set_value("krong_no", "members", 2020, (current.value or 0) + 1, expect=current)
        edits.append(time.perf_counter() - t0)
    return edits, reloads[1:]  # the first snapshot was already loaded: not a reload


def first_frame(db: Path, quiet: float = 0.4) -> tuple[float, float]:
    """Seconds from the start of the dashboard until its first frame has settled, and its peak
    memory (MB)."""
    p = PtyProgram([sys.executable, "-m", "ccb_tui"], _env(db))
    try:
        if p.wait_for("Tổng cụm".encode(), timeout=120) is None:
            raise RuntimeError("the dashboard did not show 'Tổng cụm' within 120 s")
        settled = p.settle(quiet=quiet, timeout=120)
        return settled, p.peak_rss_mb()
    finally:
        p.close()


@dataclass
class Row:
    size: Size
    file_mb: float
    records: int
    summary_s: float
    summary_mb: float
    edit_ms: float
    reload_s: float
    frame_s: float
    frame_mb: float


def measure(size: Size, src: Path, work: Path, tries_cmd: int, tries_edit: int) -> Row:
    db = fresh_copy(src, work, size.name)
    records = len(json.loads(src.read_bytes())["records"])
    runs = [summary_run(db) for _ in range(tries_cmd)]
    summary_s = statistics.median(r[0] for r in runs)
    summary_mb = max(r[1] for r in runs)
    frames = [first_frame(db) for _ in range(tries_cmd)]
    frame_s = statistics.median(f[0] for f in frames)
    frame_mb = max(f[1] for f in frames)
    edits, reloads = edit_times(db, tries_edit)
    edit_ms = statistics.median(edits) * 1000
    reload_s = statistics.median(reloads)
    shutil.rmtree(db.parent, ignore_errors=True)  # the backups of a national store add up
    return Row(size, src.stat().st_size / 1e6, records, summary_s, summary_mb, edit_ms, reload_s, frame_s,
               frame_mb)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="cluster,province,national",
                        help="comma-separated: cluster, province, national")
    parser.add_argument("--fresh", action="store_true", help="generate the stores again")
    args = parser.parse_args(argv)
    cache = Path(tempfile.gettempdir()) / "ccb-bench-scale"
    cache.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ccb-bench-scale-"))
    os.environ["CCB_BACKUPS"] = "30"
    rows: list[Row] = []
    try:
        for name in args.sizes.split(","):
            size = SIZES[name.strip()]
            src = cached(size, cache, args.fresh)
            rows.append(measure(size, src, work, tries_cmd=3, tries_edit=5))
            print(f"  measured {size.name}", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"ccb-tui scale · {time.strftime('%Y-%m-%d %H:%M')} · python {sys.version.split()[0]} · "
          f"{os.cpu_count()} CPUs · load {os.getloadavg()[0]:.1f} · 6 years · dashboard at 80×24 on a pseudo-terminal")
    head = (f"{'size':<9} {'units':>6} {'clusters':>8} {'records':>8} {'file':>9} {'summary':>9} "
            f"{'(RSS)':>8} {'edit':>9} {'reload':>8} {'1st frame':>10} {'(RSS)':>8}")
    print(head)
    for r in rows:
        print(f"{r.size.name:<9} {r.size.units:>6,} {r.size.clusters:>8,} {r.records:>8,} "
              f"{r.file_mb:>6.2f} MB {r.summary_s:>7.2f} s {r.summary_mb:>5.0f} MB {r.edit_ms:>6.1f} ms "
              f"{r.reload_s:>6.2f} s "
              f"{r.frame_s:>8.2f} s {r.frame_mb:>5.0f} MB")
    by = {r.size.name: r for r in rows}
    if "province" in by:
        p = by["province"]
        print(f"{'✔' if p.edit_ms <= 50 else '✘'} province: one edit {p.edit_ms:.1f} ms (goal ≤ 50 ms)")
        if "cluster" in by:
            ratio = p.frame_s / by["cluster"].frame_s
            print(f"{'✔' if ratio <= 1.5 else '✘'} province: first frame {ratio:.2f}× the cluster's (goal ≤ 1.5×)")
    if "national" in by and "cluster" in by:
        n, c = by["national"], by["cluster"]
        print(f"· national: one edit {n.edit_ms:.0f} ms, first frame {n.frame_s / c.frame_s:.2f}× the cluster's, "
              f"summary {n.summary_s / c.summary_s:.2f}× (no goal: where the one-file design stops)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
