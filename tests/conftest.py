"""Shared fixtures: every test gets its own store path and never touches the real user folder."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point CCB_DB, HOME and the XDG folders at a private tmp folder for every test.

    A test that forgets --db then writes to this tmp store, not to ~/.local/share/ccb-tui.
    """
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.setenv("CCB_DB", str(home / "env-store" / "ccb.json"))
    return home


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A fresh store path in its own folder (the file does not exist yet)."""
    folder = tmp_path / "store"
    folder.mkdir()
    return folder / "ccb.json"


@pytest.fixture
def store(db_path: Path):
    """A store created from the seed at ``db_path``."""
    from ccb_tui.core.store.store import Store

    return Store(db_path, user="tester")


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes ("" when it does not exist), to prove a file is byte-identical."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        return ""


@pytest.fixture
def sha():
    """The ``file_hash`` helper, as a fixture so test modules need not import conftest."""
    return file_hash


def temp_files(folder: Path) -> list[str]:
    """Names of leftover atomic-write temp files in ``folder``."""
    return sorted(n for n in os.listdir(folder) if n.endswith(".tmp"))


@pytest.fixture
def tmp_leftovers():
    """The ``temp_files`` helper as a fixture."""
    return temp_files


@pytest.fixture(autouse=True)
def _pause_lets_saves_end(monkeypatch: pytest.MonkeyPatch) -> None:
    """``Pilot.pause`` (and so ``Pilot.press``) also waits for the dashboard's queued saves.

    The dashboard writes in a worker thread (the screen stays live while another session holds the
    lock); a test that presses Enter in a form and then looks at the file means "after the save".
    ``CcbApp.settle`` returns as soon as a save waits on another session's lock, so a test can
    still measure how the screen answers meanwhile.
    """
    from textual.pilot import Pilot

    original = Pilot.pause

    async def pause(self: Pilot, delay: float | None = None) -> None:  # type: ignore[type-arg]
        settle = getattr(self.app, "settle", None)
        if settle is not None:
            await settle()
        await original(self, delay)
        if settle is not None and getattr(self.app, "_writes", None) is not None:
            await settle()  # a save the pause let a dialog start
            await original(self, delay)

    monkeypatch.setattr(Pilot, "pause", pause)
