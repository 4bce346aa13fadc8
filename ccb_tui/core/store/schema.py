"""The store file's schema: what a ccb-tui store looks like, its version and the migrations
that bring an older file up to it (in memory; the next write keeps the result)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Callable

from . import documents
from .files import corrupt, parse_json_bytes

APP_ID = "ccb-tui"
SCHEMA_VERSION = 1
TABLES = ("meta", "clusters", "units", "records", "reported", "tasks", "log", "templates", "scores", "commendations")

# Schema migrations: MIGRATIONS[n] turns a schema-n document into a schema-(n+1) one, in place.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], None]] = {}


def check_store_bytes(raw: bytes, path: Path) -> dict[str, Any]:
    """Decode and check a store file's bytes: a ccb-tui store of a schema this version knows,
    migrated in memory to the current schema. Raises StoreCorrupt naming ``path``."""
    if not raw.strip():
        raise corrupt(path, "rỗng", "is empty")
    data = parse_json_bytes(raw, path)
    if not isinstance(data, dict):
        raise corrupt(path, "không chứa một đối tượng JSON", "does not hold a JSON object")
    meta = documents.meta_doc(data)
    if meta.get("app") != APP_ID or not isinstance(meta.get("schema"), int):
        raise corrupt(path, "không phải dữ liệu của ccb-tui (thiếu phần meta)",
                      "is not a ccb-tui store (no meta record)")
    schema = meta["schema"]
    if schema > SCHEMA_VERSION or schema < 1:
        raise corrupt(path, f"dùng lược đồ phiên bản {schema}, phiên bản này chỉ đọc được "
                            f"đến {SCHEMA_VERSION}; hãy cập nhật ccb-tui",
                      f"uses schema version {schema}; this version reads up to {SCHEMA_VERSION}; "
                      f"update ccb-tui")
    for table in TABLES:
        if not isinstance(data.setdefault(table, {}), dict):
            raise corrupt(path, f"có bảng '{table}' sai dạng", f"has a malformed '{table}' table")
    while meta["schema"] < SCHEMA_VERSION:
        step = meta["schema"]
        migrate = MIGRATIONS.get(step)
        if migrate is None:  # a KeyError here would be a traceback instead of a clear message
            raise corrupt(path, f"dùng lược đồ phiên bản {step} nhưng thiếu bước chuyển đổi "
                                f"{step}→{step + 1}; hãy cập nhật ccb-tui",
                          f"uses schema version {step} but the migration {step}→{step + 1} is "
                          f"missing; update ccb-tui")
        migrate(data)
        meta = documents.meta_doc(data)
        # Record the step here rather than trusting each migration to do it: a migration that
        # forgot would otherwise make this loop spin forever.
        if meta.get("schema") == step:
            meta["schema"] = step + 1
    _default_current_year(data)
    return data


def _default_current_year(data: dict[str, Any]) -> None:
    """Give a store written before the current year existed one: its latest year with reported
    figures, not later than next calendar year (so one stray mistyped year does not become it).
    Done in memory; the next write keeps it."""
    meta = documents.meta_doc(data)
    settings = meta.get("settings")
    if isinstance(settings, dict) and "current_year" in settings:
        return
    if settings is not None and not isinstance(settings, dict):
        return  # malformed: documents.settings() reports it
    limit = date.today().year + 1
    years = set()
    for rec in data.get("records", {}).values():
        if not isinstance(rec, dict) or not isinstance(rec.get("year"), int) or rec["year"] > limit:
            continue
        vals = rec.get("values")
        if isinstance(vals, dict) and any(isinstance(v, dict) and v.get("s", "reported") == "reported"
                                          and v.get("v") is not None for v in vals.values()):
            years.add(rec["year"])
    if years and meta:
        meta["settings"] = {**(settings or {}), "current_year": max(years)}
