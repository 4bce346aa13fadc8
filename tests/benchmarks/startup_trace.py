"""Where the start-up time goes: ccb-tui and the bare app, phase by phase, on the benchmark's terminal.

Run:  python tests/benchmarks/startup_trace.py [--tries N] [--profile]

Each program is started on the same 80×24 pseudo-terminal as ``bench.py``'s start-up figure, through
this file's child mode, which reads the monotonic clock (the parent's clock too, on Linux) at each
phase and writes the marks to a file:

* ``python``    the child's first line: interpreter and site start-up since the process was started;
* ``textual``   after importing what the bare app imports (``textual.app``, ``DataTable``);
* ``imports``   (ccb-tui) after importing the CLI and the UI: our modules, the rest of Textual they
  use, TinyDB and the other libraries loaded at start;
* ``store``     (ccb-tui) ``CcbApp._open``: opening the store and reading the snapshot;
* ``fill``      (ccb-tui) ``DashboardScreen.refresh_data``: the totals, and filling the tables;
* ``frame``     the driver's write that carries the first frame (the benchmark's marker);
* ``settled``   the last byte before the terminal stays quiet (``bench.py``'s figure).

The import split comes from a second run of each program under ``python -X importtime`` (its
report goes to a file, not the terminal): self time of every module imported, summed per group.
These are inflated by ``-X importtime``'s own overhead; the phase times come from plain runs.
``--profile`` also runs ccb-tui once under cProfile until its first frame and prints the costliest
calls (cProfile roughly doubles the times; read them as shares).
"""

from __future__ import annotations

import json
import os
import sys
import time

if __name__ == "__main__" and len(sys.argv) >= 4 and sys.argv[1] == "--child":
    # --- the child: runs on the pseudo-terminal; nothing above imports more than the stdlib ---
    _MARKS: dict[str, object] = {"python": time.perf_counter()}
    _WHICH, _OUT, _MODE = sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else "plain"
    if _WHICH == "app":
        import importlib.util
        _spec = importlib.util.find_spec("ccb_tui")
        if _spec is not None and _spec.origin is not None:
            with open(os.path.join(os.path.dirname(_spec.origin), "__main__.py"), encoding="utf-8") as _fh:
                if "gc.disable()" in _fh.read():
                    import gc
                    gc.disable()  # as `python -m ccb_tui` does before its first import

    def _dump() -> None:
        with open(_OUT, "w", encoding="utf-8") as fh:
            json.dump(_MARKS, fh)

    if _MODE == "importtime":
        # -X importtime reports on file descriptor 2, which Textual also writes the screen to:
        # send the report to a file and give Textual the terminal on another descriptor.
        _tty = os.dup(2)
        _log = os.open(_OUT + ".imports", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(_log, 2)
        sys.stderr = sys.__stderr__ = open(_tty, "w", encoding="utf-8", errors="backslashreplace", buffering=1)
    _profiler = None
    if _MODE == "profile":
        import cProfile
        _profiler = cProfile.Profile()
        _profiler.enable()

    from textual.app import App  # noqa: E402,F401 - what the bare app imports, timed as such
    from textual.widgets import DataTable  # noqa: E402,F401

    _MARKS["textual"] = time.perf_counter()
    import textual.drivers.linux_driver as _linux  # noqa: E402

    _MARKER = "Tổng cụm" if _WHICH == "app" else "Krong"
    _write = _linux.LinuxDriver.write

    def _traced_write(self, data: str) -> None:  # noqa: ANN001
        _MARKS.setdefault("first_write", time.perf_counter())
        _write(self, data)
        if "frame" not in _MARKS and _MARKER in data:
            _MARKS["frame"] = time.perf_counter()
            if _MODE == "importtime":
                os.write(2, b"first frame written\n")  # what is imported after it is not counted
            if _profiler is not None:
                _profiler.disable()
                _profiler.dump_stats(_OUT + ".prof")
        _MARKS["last_write"] = time.perf_counter()
        _dump()

    _linux.LinuxDriver.write = _traced_write  # type: ignore[method-assign]

    if _WHICH == "bare":
        import runpy
        sys.argv = [sys.argv[0]]
        runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "bare_app.py"),
                       run_name="__main__")
        sys.exit(0)

    import ccb_tui.cli  # noqa: E402
    import ccb_tui.ui.app as _app  # noqa: E402
    from ccb_tui.ui.screens import dashboard as _dashboard  # noqa: E402

    _MARKS["imports"] = time.perf_counter()

    def _timed(cls: type, name: str, mark: str) -> None:
        original = getattr(cls, name, None)
        if original is None:  # an older version without this step
            return

        def wrapper(*args: object, **kwargs: object) -> object:
            first = mark + "_start" not in _MARKS
            if first:
                _MARKS[mark + "_start"] = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                if first:
                    _MARKS[mark + "_end"] = time.perf_counter()
                    _dump()

        setattr(cls, name, wrapper)

    _timed(_app.CcbApp, "_open", "store")
    _timed(_dashboard.DashboardScreen, "refresh_data", "fill")
    _timed(_dashboard.DashboardScreen, "after_first_frame", "charts")
    sys.argv = ["ccb-tui"]
    sys.exit(ccb_tui.cli.main())


# --- the parent ---------------------------------------------------------------------------------

import argparse  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

GROUPS = (  # import groups, by the top-level package of each module
    ("textual + rich", ("textual", "rich", "markdown_it", "mdurl", "pygments", "platformdirs",
                        "typing_extensions", "linkify_it", "uc_micro")),
    ("ccb-tui", ("ccb_tui",)),
    ("babel", ("babel",)),
    ("store libraries (tinydb, orjson, filelock)", ("tinydb", "orjson", "filelock")),
    ("plotext", ("plotext", "textual_plotext")),
)


def _run_child(which: str, db: Path, mode: str = "plain") -> tuple[dict, float, float, Path]:
    """One start of ``which`` on the pseudo-terminal: its marks, the process start, the settled
    time and the marks file's path (``.imports`` / ``.prof`` beside it in those modes)."""
    from bench import PtyProgram, _env

    fd, name = tempfile.mkstemp(prefix=f"ccb-trace-{which}-", suffix=".json")
    os.close(fd)
    out = Path(name)
    argv = [sys.executable, *(["-X", "importtime"] if mode == "importtime" else []), str(Path(__file__)),
            "--child", which, str(out), mode]
    p = PtyProgram(argv, _env(db))
    try:
        p.wait_for("Tổng cụm".encode() if which == "app" else b"Krong")
        settled = p.settle(quiet=0.4)
        time.sleep(0.1)  # the after-the-frame work (charts) writes its mark
    finally:
        p.close()
    marks = json.loads(out.read_text() or "{}")
    out.unlink()
    return marks, p.start, settled, out


def _phases(which: str, marks: dict, start: float, settled: float) -> dict[str, float]:
    """Milliseconds per phase, consecutive, adding up to the settled time."""
    def at(key: str) -> float:
        return (marks[key] - start) * 1000

    ph: dict[str, float] = {"interpreter start-up (python, site)": at("python"),
                            "import Textual (as the bare app does)": at("textual") - at("python")}
    if which == "app":
        ph["import ccb-tui + the Textual parts and libraries it uses"] = at("imports") - at("textual")
        ph["Textual app start until the store is opened"] = at("store_start") - at("imports")
        ph["open the store and read the snapshot"] = at("store_end") - at("store_start")
        ph["compose and mount until the dashboard is filled"] = at("fill_start") - at("store_end")
        ph["totals and table fill (refresh_data)"] = at("fill_end") - at("fill_start")
        ph["layout, render and write the first frame"] = at("frame") - at("fill_end")
    else:
        ph["app start, compose, mount, layout, render: first frame"] = at("frame") - at("textual")
    ph["first frame to settled (last byte)"] = settled * 1000 - at("frame")
    return ph


def phase_breakdown(db: Path, tries: int) -> dict[str, dict[str, float]]:
    """Median milliseconds per phase for ccb-tui and the bare app, runs interleaved."""
    runs: dict[str, list[dict[str, float]]] = {"app": [], "bare": []}
    for _ in range(tries):
        for which in ("app", "bare"):
            marks, start, settled, _out = _run_child(which, db)
            runs[which].append(_phases(which, marks, start, settled))
    out: dict[str, dict[str, float]] = {}
    for which, rows in runs.items():
        out[which] = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
        out[which]["total (median of the settled times)"] = statistics.median(sum(r.values()) for r in rows)
    return out


def import_split(db: Path, tries: int = 3) -> dict[str, dict[str, float]]:
    """Median import self time per group (ms, under -X importtime) for ccb-tui and the bare app."""
    result: dict[str, dict[str, float]] = {}
    for which in ("app", "bare"):
        per_run = []
        for _ in range(tries):
            out = _run_child(which, db, "importtime")[3]
            log = Path(str(out) + ".imports")
            groups: dict[str, float] = {name: 0.0 for name, _ in GROUPS}
            groups["Python standard library and others"] = 0.0
            for line in log.read_text().splitlines():
                if line == "first frame written":
                    break
                if not line.startswith("import time:") or "self [us]" in line:
                    continue
                self_us, _cum, name = (part.strip() for part in line[len("import time:"):].split("|"))
                top = name.split(".")[0]
                group = next((g for g, tops in GROUPS if top in tops), "Python standard library and others")
                groups[group] += int(self_us) / 1000
            log.unlink()
            per_run.append(groups)
        result[which] = {k: statistics.median(g[k] for g in per_run) for k in per_run[0]}
    return result


def profile_first_frame(db: Path, top: int = 25) -> str:
    """The costliest calls of one ccb-tui start until its first frame, under cProfile."""
    import io
    import pstats

    prof = Path(str(_run_child("app", db, "profile")[3]) + ".prof")
    buf = io.StringIO()
    stats = pstats.Stats(str(prof), stream=buf)
    stats.sort_stats("cumulative").print_stats(r"ccb_tui/", top)
    prof.unlink()
    return buf.getvalue()


def report(db: Path, tries: int, profile: bool = False) -> list[str]:
    """The breakdown as printable lines."""
    phases = phase_breakdown(db, tries)
    imports = import_split(db, max(1, min(tries, 5)))
    lines = [f"start-up breakdown, ms (median of {tries} interleaved starts each; phases run one after another)"]
    for which, title in (("app", "ccb-tui"), ("bare", "bare Textual DataTable app")):
        lines.append(f"  {title}")
        for name, ms in phases[which].items():
            lines.append(f"    {name:<58} {ms:7.1f}")
    lines.append("  import self time by group until the first frame, ms, under -X importtime (inflated by its overhead)")
    lines.append(f"    {'':<58} {'ccb-tui':>7}  {'bare':>7}")
    for name in imports["app"]:
        lines.append(f"    {name:<58} {imports['app'][name]:7.1f}  {imports['bare'][name]:7.1f}")
    lines.append(f"    {'all imports':<58} {sum(imports['app'].values()):7.1f}  {sum(imports['bare'].values()):7.1f}")
    if profile:
        lines.append("cProfile of one ccb-tui start until its first frame (cumulative, our functions; "
                     "cProfile slows everything ~2×):")
        lines += ["  " + line for line in profile_first_frame(db).splitlines() if line.strip()]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tries", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="also profile one start until its first frame")
    args = parser.parse_args(argv)
    from ccb_tui.core.store.store import Store
    from bench import compile_bytecode

    compile_bytecode()
    with tempfile.TemporaryDirectory(prefix="ccb-trace-") as work:
        db = Path(work) / "ccb.json"
        Store(db)
        print("\n".join(report(db, args.tries, args.profile)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
