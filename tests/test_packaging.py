"""The installed package, as a wheel (not only editable): the seed, the stylesheets and the web page's
template and font travel with it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        pytest.skip(f"could not build the wheel here (no package index?): {done.stderr[-300:]}")
    (found,) = out.glob("ccb_tui-*.whl")
    return found


def test_wheel_carries_seed_and_stylesheets(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "ccb_tui/_data/seed.json" in names
    for tcss in ("ccb_tui/ui/app.tcss", "ccb_tui/ui/screens/units.tcss", "ccb_tui/ui/screens/tasks.tcss",
                 "ccb_tui/ui/screens/meeting.tcss", "ccb_tui/ui/screens/export.tcss"):
        assert tcss in names
    # ccb-tui serve's page and the font it serves, with the font's licence.
    for asset in ("ccb_tui/serve_assets/templates/app_index.html", "ccb_tui/serve_assets/fonts/DejaVuSansMono.ttf",
                  "ccb_tui/serve_assets/fonts/LICENSE-DejaVu.txt"):
        assert asset in names
    seed = json.loads(zipfile.ZipFile(wheel).read("ccb_tui/_data/seed.json"))
    assert seed == json.loads((ROOT / "data" / "seed.json").read_text(encoding="utf-8"))


def test_installed_wheel_finds_its_own_seed(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    env = dict(os.environ, PYTHONPATH=str(target))
    db = tmp_path / "ccb.json"
    code = ("import json, sys; from ccb_tui.core.store.seed import seed_path; from ccb_tui import cli; "
            f"print(seed_path()); sys.exit(cli.main(['summary', '--json', '--db', {str(db)!r}]))")
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    first, _, rest = done.stdout.partition("\n")
    assert Path(first).is_relative_to(target)  # the wheel's copy, not the checkout's data/
    assert json.loads(rest)["totals"]["members"] == 438
