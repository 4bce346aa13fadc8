"""The bundled seed store: found in the wheel (``ccb_tui/_data``) or in a source checkout (``data/``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SEED_NAME = "seed.json"


def seed_path() -> Path:
    """Where the seed file is, whether the package is installed as a wheel or editable."""
    from importlib import resources  # only when a store is created: not on every start
    try:
        packaged = resources.files("ccb_tui").joinpath("_data", SEED_NAME)
        if packaged.is_file():
            return Path(str(packaged))
    except (ModuleNotFoundError, NotADirectoryError):  # pragma: no cover - zip imports
        pass
    checkout = Path(__file__).resolve().parents[3] / "data" / SEED_NAME
    if checkout.is_file():
        return checkout
    raise FileNotFoundError(f"ccb-tui's seed data ({SEED_NAME}) is missing from the installation")


def load_seed() -> dict[str, Any]:
    """A fresh copy of the seed store's documents."""
    return json.loads(seed_path().read_text(encoding="utf-8"))
