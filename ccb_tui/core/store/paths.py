"""Where the store lives: --db PATH, else $CCB_DB, else the per-user data folder."""

from __future__ import annotations

import os
from pathlib import Path

DB_ENV = "CCB_DB"
DB_NAME = "ccb.json"


def default_db_path() -> Path:
    """The per-user store (e.g. ~/.local/share/ccb-tui/ccb.json on Linux)."""
    import platformdirs  # only when no --db or $CCB_DB is given: keeps start-up lean
    return platformdirs.user_data_path("ccb-tui", appauthor=False) / DB_NAME


def resolve_db_path(arg: str | os.PathLike[str] | None = None) -> Path:
    """The store path chosen by the command line, the environment or the default, in that order."""
    if arg:
        return Path(arg).expanduser()
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    return default_db_path()
