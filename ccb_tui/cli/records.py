"""Commands on the checklist, the units and the store's history: task, unit, log, undo,
backup, restore, settings."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..core.domain import text
from ..core.domain.errors import UsageError
from ..core.domain.models import Msg, Snapshot
from ..core.domain.reorg import formed_text
from ..core.store import ANY, Store
from .common import (
    EXIT_OK, current_year, db_path, edit_year, lang_of,
    open_store, parse_state, print_change, said_year, zone,
)
from .parser import year_arg


def cmd_task(args: argparse.Namespace) -> int:
    from ..core.report import text as report_text
    from ..core.domain.validation import resolve_unit
    lang = lang_of(args)
    store = open_store(args)
    snap = store.snapshot()
    action = args.task_command
    if action == "list":
        from ..core.domain.checklist import checklist_for
        cl = checklist_for(snap, args.year or current_year(snap))
        if cl.fallback and cl.tasks:
            print(f"(Năm {cl.requested} chưa có danh sách nhiệm vụ; đây là danh sách năm {cl.year}.)" if lang == "vi"
                  else f"({cl.requested} has no checklist; this is the {cl.year} checklist.)")
        print(report_text.tasks_text(snap, cl.year, lang))
    elif action == "set":
        task = snap.task(args.task_id)
        unit = resolve_unit(snap, args.unit, task.year if task else None)
        expect: object = ANY if args.expect is None else parse_state(args.expect)
        print_change(store.set_task_status(args.task_id, unit.code, parse_state(args.state),
                                            note=args.note, expect=expect), lang)
    elif action == "add":
        year = edit_year(args, snap)
        task_id, change = store.add_task(year, args.title, args.note)
        print(f"{task_id}\t{change.new}")
        said_year(args, year)
    elif action == "edit":
        if args.title is None and args.note is None:
            raise UsageError(Msg("Cần --title hoặc --note.", "Give --title or --note."))
        print_change(store.edit_task(args.task_id, title=args.title, note=args.note), lang)
    elif action == "remove":
        print_change(store.remove_task(args.task_id), lang)
    return EXIT_OK


def cmd_unit(args: argparse.Namespace) -> int:
    from ..core.domain.validation import resolve_unit
    lang = lang_of(args)
    store = open_store(args)
    snap = store.snapshot()
    action = args.unit_command
    if action == "list":
        from .clusters import cluster_view
        year = args.year
        cluster = cluster_view(args, snap).default_cluster()
        # without --year: every unit that was ever in the cluster (retired ones too)
        units = [u for u in snap.units if any(p.cluster == cluster for p in u.periods)] if year is None \
            else snap.units_in(year, cluster)
        for u in units:  # the cluster's usual order (the stored one), as on every screen
            retired = ""
            if u.retired_from is not None:
                retired = f"  (ngừng từ {u.retired_from})" if lang == "vi" else f"  (retired from {u.retired_from})"
                after = [s.code for s in snap.successors(u.code) if s.formed_in == u.retired_from]
                if after:
                    retired = retired[:-1] + (f" → {', '.join(after)})")
            history = " ← ".join(p.name for p in reversed(u.periods[:-1]))
            formed = formed_text(snap, u, lang, before=False)
            print(f"{u.code:<12} {u.name(year)}{retired}" + (f"  ({formed})" if formed else "")
                  + (f"  [{history}]" if history else ""))
    elif action == "add":
        from .clusters import chosen_cluster
        print_change(store.add_unit(args.code, args.name, year=args.year, kind=args.kind,
                                    cluster=chosen_cluster(args, snap)), lang)
    elif action == "rename":
        unit = resolve_unit(snap, args.unit, args.year)
        _print_unit_change(store.rename_unit(unit.code, args.name, year=args.year), snap, lang, unit.code)
    elif action == "retire":
        unit = resolve_unit(snap, args.unit, args.year)
        change = store.retire_unit(unit.code, year=args.year, drop_later=args.drop_later)
        if not (change.dropped and change.old == change.new):  # else only the removal is news
            _print_unit_change(change, snap, lang, unit.code, retired=True)
        _print_later(change, unit.code, args.year, lang)
    elif action == "merge":
        codes = [resolve_unit(snap, raw, args.year - 1).code for raw in args.units]
        print_change(store.merge_units(codes, into=args.into, name=args.name, year=args.year, kind=args.kind,
                                       cluster=args.cluster), lang)
    elif action == "split":
        unit = resolve_unit(snap, args.unit, args.year - 1)
        print_change(store.split_unit(unit.code, into=[tuple(part) for part in args.into], year=args.year,
                                      cluster=args.cluster), lang)
    return EXIT_OK


def _print_later(change: Any, code: str, year: int, lang: str) -> None:
    """The retired unit's figures and targets of its retired years: removed, or kept and how to
    remove them (``check`` flags them)."""
    if not change.later:
        return
    n = len(change.later)
    if change.dropped:
        head = Msg(f"Đã xóa {n} số liệu/chỉ tiêu từ năm {year} trở đi (có ghi nhật ký):",
                   f"Removed {n} figure(s)/target(s) of {year} and later (audited):")
    else:
        head = Msg(f"Còn {n} số liệu/chỉ tiêu từ năm {year} trở đi; ccb-tui check sẽ báo là vấn đề:",
                   f"{n} figure(s)/target(s) of {year} and later remain; ccb-tui check will flag them:")
    print(text.sanitize(head.text(lang)))
    for item in change.later:
        print("  " + text.sanitize(item.text(lang)))
    if not change.dropped:
        print(text.sanitize(Msg(f"Để xóa chúng: ccb-tui unit retire {code} --year {year} --drop-later",
                                f"To remove them: ccb-tui unit retire {code} --year {year} --drop-later"
                                ).text(lang)))


def _print_unit_change(change: Any, before: Snapshot, lang: str, code: str, retired: bool = False) -> None:
    """The change, or that there was none (same name, already retired from that year): exit 0."""
    if change.revision == before.revision and change.old == change.new:
        if retired:
            said = Msg(f"Không có gì thay đổi: đơn vị {code} đã {change.new}.",
                       f"No change: unit {code} is already retired from {change.new.rsplit(' ', 1)[-1]}.")
        else:
            said = Msg(f"Không có gì thay đổi: đơn vị {code} đã mang tên “{change.new}”.",
                       f"No change: unit {code} is already named “{change.new}”.")
        print(text.sanitize(said.text(lang)))
        return
    print_change(change, lang)


def cmd_log(args: argparse.Namespace) -> int:
    from ..core.store import audit
    from ..core.domain import clock
    from ..core.domain.validation import resolve_unit
    lang = lang_of(args)
    store = open_store(args)
    snap = store.snapshot()
    unit = resolve_unit(snap, args.unit).code if args.unit else None
    tz = snap.settings.timezone
    entries = audit.filter_entries(store.log_entries(), since=args.since, unit=unit, tz=tz)
    if args.json:
        print(json.dumps([audit.to_json(e, snap, lang, tz) for e in entries], ensure_ascii=False, indent=2))
        return EXIT_OK
    for e in entries:
        when = text.sanitize(clock.local_time(e.at, tz))
        print(f"{e.id:>5}  {when}  {text.sanitize(e.user):<12} {audit.describe(e, snap, lang)}")
    if not entries:
        print("Không có thay đổi nào." if lang == "vi" else "No changes.")
    return EXIT_OK


def cmd_undo(args: argparse.Namespace) -> int:
    store = open_store(args)
    change = store.undo_last()
    print(("Undone: " if lang_of(args) == "en" else "Hoàn tác: ") + change.text(lang_of(args)))
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    lang = lang_of(args)
    store = open_store(args)
    if args.list:
        found = store.backups()
        tz = zone(store)
        for b in found:
            print(f"{b.name}\t{b.label(tz)}")
        if not found:
            print("Chưa có bản sao lưu nào." if lang == "vi" else "No backups yet.")
        return EXIT_OK
    b = store.backup()
    print(b.path)
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    lang = lang_of(args)
    path = db_path(args)
    store = Store(path, create=False, cleanup=False)  # a damaged file must not block its own repair
    backup, change = store.restore(args.version)
    label = backup.label(zone(store))
    print((f"Đã khôi phục {backup.name} ({label}): revision {change.new}" if lang == "vi"
           else f"Restored {backup.name} ({label}): revision {change.new}"))
    return EXIT_OK


SETTINGS_SHOWN = ("org_parent", "org_name", "place", "signer_title", "signer_name", "timezone", "current_year",
                  "current_cluster")


def cmd_settings(args: argparse.Namespace) -> int:
    from ..core.domain.errors import InvalidValue
    from ..core.domain.models import SETTING_KEYS
    lang = lang_of(args)
    if getattr(args, "settings_command", None) == "set":
        key = args.key.strip()
        if key not in SETTING_KEYS:  # before the store is opened: one line, nothing touched
            raise InvalidValue(Msg(f"Không có thiết lập '{text.sanitize(key)}'. Dùng: {', '.join(SETTINGS_SHOWN)}.",
                                   f"There is no setting '{text.sanitize(key)}'. Use: {', '.join(SETTINGS_SHOWN)}."))
        value: Any = args.value
        if key == "current_year":
            try:
                value = year_arg(args.value)
            except argparse.ArgumentTypeError as exc:
                raise InvalidValue(Msg(f"current_year: {exc}", f"current_year: {exc}")) from None
        store = open_store(args)
        before = getattr(store.snapshot().settings, key)
        store.set_setting(key, value)
        after = getattr(store.snapshot().settings, key)
        print(f"{key}: “{text.sanitize(str(before or ''))}” → “{text.sanitize(str(after or ''))}”")
        return EXIT_OK
    store = open_store(args)
    st = store.snapshot().settings
    width = max(len(k) for k in SETTINGS_SHOWN)
    empty = "(trống)" if lang == "vi" else "(empty)"
    for key in SETTINGS_SHOWN:
        value = getattr(st, key)
        shown = empty if value in (None, "") else text.sanitize(str(value))
        print(f"{key:<{width}}  {shown}")
    if st.open_years:
        print(f"{'open_years':<{width}}  {', '.join(str(y) for y in st.open_years)}")
    return EXIT_OK
