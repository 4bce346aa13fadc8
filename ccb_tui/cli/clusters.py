"""Several competition clusters in one store: ``cluster list|add|rename|assign|current``, and the
``--cluster`` option of the commands that show or edit one cluster (default: the current one)."""

from __future__ import annotations

import argparse
import json
from typing import Any, Callable

from ..core.domain import text
from ..core.domain.clusters import not_in_cluster, resolve_cluster
from ..core.domain.errors import InvalidValue
from ..core.domain.models import Msg, Snapshot, Unit
from .common import EXIT_OK, current_year, lang_of, open_store, print_change

CLUSTER_COMMANDS = ("summary", "set", "target", "compare", "rank", "export", "report", "import",
                    "score set", "score show", "unit list", "commend list", "commend add")
"""The commands (and actions) that take ``--cluster`` (code or name; default: the store's current
cluster)."""


def cluster_parsers(add: Any, act: Any, h: Callable[[str, str], str], unit_help: str,
                    year_arg: Callable[[str], int]) -> None:
    """cluster (list, add, rename, assign, current); ``add``/``act`` and ``year_arg`` are the
    grammar's own (``cli.parser``), passed in so that this module does not import it."""
    cl = add("cluster", h("các cụm thi đua trong tệp dữ liệu: liệt kê, thêm, đổi tên, chuyển đơn vị, cụm hiện hành",
                          "the competition clusters in the store: list, add, rename, move a unit, the current one"))
    sub = cl.add_subparsers(dest="cluster_command", parser_class=type(cl), metavar=h("VIỆC", "ACTION"),
                            title=h("việc", "actions"))
    cl.set_defaults(year=None, json=False)  # a bare "cluster" is "cluster list"
    ls = act(sub, "list", h("liệt kê các cụm: mã, tên, số đơn vị trong năm, cụm hiện hành (mặc định)",
                            "list the clusters: code, name, units in the year, the current one (the default)"))
    ls.add_argument("--year", type=year_arg, help=h("năm đếm đơn vị (mặc định: năm hiện hành)",
                                                    "the year units are counted in (default: the current year)"))
    ls.add_argument("--json", action="store_true", help=h("in một đối tượng JSON", "print one JSON object"))
    name_help = h("tên cụm, ví dụ \"Cụm thi đua số 4\"", "the cluster's name, e.g. \"Cụm thi đua số 4\"")
    name_en_help = h("tên tiếng Anh (mặc định: như tên tiếng Việt)", "the English name (default: the Vietnamese one)")
    ad = act(sub, "add", h("thêm một cụm thi đua (chưa có đơn vị; chuyển đơn vị vào bằng assign)",
                           "add a cluster (no units yet: move units in with assign)"))
    ad.add_argument("code", help=h("mã ngắn, không dấu, ví dụ cum4", "short code without accents, e.g. cum4"))
    ad.add_argument("--name", required=True, help=name_help)
    ad.add_argument("--name-en", help=name_en_help)
    rn = act(sub, "rename", h("đổi tên một cụm", "rename a cluster"))
    rn.add_argument("cluster", help=h("mã hoặc tên cụm", "cluster code or name"))
    rn.add_argument("--name", required=True, help=name_help)
    rn.add_argument("--name-en", help=h("tên tiếng Anh mới", "the new English name"))
    asg = act(sub, "assign", h("chuyển một đơn vị sang một cụm từ một năm (mỗi năm một đơn vị thuộc một cụm)",
                               "move a unit into a cluster from a year on (a unit is in one cluster a year)"))
    asg.add_argument("unit", help=unit_help)
    asg.add_argument("cluster", help=h("mã hoặc tên cụm, có dấu hay không đều được", "cluster code or name, accents optional"))
    asg.add_argument("--year", type=year_arg, required=True, help=h("năm đầu tiên thuộc cụm mới",
                                                                   "the first year in the new cluster"))
    cu = act(sub, "current", h("xem hoặc đặt cụm hiện hành (mọi lệnh và bảng điều khiển mở cụm này)",
                               "show or set the current cluster (every command and the dashboard open it)"))
    cu.add_argument("cluster", nargs="?", help=h("mã hoặc tên cụm; bỏ trống để xem", "cluster code or name; omit to show"))


def add_cluster_options(sub: Any, h: Callable[[str, str], str]) -> None:
    """``--cluster`` on every command of :data:`CLUSTER_COMMANDS`."""
    help_ = h("cụm thi đua: mã hoặc tên, có dấu hay không đều được (mặc định: cụm hiện hành, xem `ccb-tui cluster`)",
              "competition cluster: code or name, accents optional (default: the current one, see `ccb-tui cluster`)")
    for name in CLUSTER_COMMANDS:
        command, _, action = name.partition(" ")
        parser = sub.choices[command]
        if action:
            actions = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
            parser = actions.choices[action]
        parser.add_argument("--cluster", metavar=h("CỤM", "CLUSTER"), help=help_)


def cluster_view(args: argparse.Namespace, snap: Snapshot) -> Snapshot:
    """``snap`` shown for the cluster named by ``--cluster`` (the current cluster without it);
    an unknown cluster is refused (exit 3) naming the known ones."""
    raw = getattr(args, "cluster", None)
    if raw is None:
        return snap
    return snap.with_cluster(resolve_cluster(snap, raw).code)


def chosen_cluster(args: argparse.Namespace, snap: Snapshot) -> str:
    """The code of ``--cluster``, else of the current cluster."""
    return cluster_view(args, snap).default_cluster()


def unit_in_view_or_fail(snap: Snapshot, unit: Unit, year: int) -> None:
    """Refuse (exit 3) ``unit`` when it is not in the cluster ``snap`` shows in ``year``: the
    message names its cluster and how to get there (``--cluster``, or ``cluster assign``)."""
    why = not_in_cluster(snap, unit, year, snap.default_cluster())
    if why is not None:
        raise InvalidValue(why)


def _print_or_unchanged(change: Any, snap: Any, unchanged: Msg, lang: str) -> None:
    """Print the change, or ``unchanged`` when the store was not written (same revision)."""
    if change.revision == snap.revision:
        _said(unchanged, lang)
    else:
        print_change(change, lang)


def cmd_cluster(args: argparse.Namespace) -> int:
    lang = lang_of(args)
    store = open_store(args)
    snap = store.snapshot()
    action = args.cluster_command or "list"
    if action == "list":
        return _list(args, snap, lang)
    if action == "add":
        print_change(store.add_cluster(args.code, args.name, name_en=args.name_en), lang)
    elif action == "rename":
        c = resolve_cluster(snap, args.cluster)
        change = store.rename_cluster(c.code, args.name, name_en=args.name_en)
        _print_or_unchanged(change, snap, Msg(
            f"Không có gì thay đổi: cụm {c.code} đã mang tên “{change.new}”.",
            f"No change: cluster {c.code} is already named “{change.en[2] if change.en else change.new}”."), lang)
    elif action == "assign":
        from ..core.domain.validation import resolve_unit
        unit = resolve_unit(snap, args.unit, args.year)
        c = resolve_cluster(snap, args.cluster)
        change = store.assign_unit(unit.code, c.code, year=args.year)
        _print_or_unchanged(change, snap, Msg(
            f"Không có gì thay đổi: {unit.name(args.year)} năm {args.year} đã thuộc {c.name_vi} ({c.code}).",
            f"No change: {unit.name(args.year)} is already in {c.name_en} ({c.code}) in {args.year}."), lang)
    elif action == "current":
        if args.cluster is None:
            c = snap.clusters[snap.default_cluster()]
            print(f"{c.code}  {text.sanitize(c.name(lang))}")
            return EXIT_OK
        change = store.set_current_cluster(args.cluster)
        if change.revision == snap.revision:
            _said(Msg(f"Không có gì thay đổi: {change.new} đã là cụm hiện hành.",
                      f"No change: {change.en[2] if change.en else change.new} is already the current cluster."), lang)
        else:
            print_change(change, lang)
    return EXIT_OK


def _said(msg: Msg, lang: str) -> None:
    print(text.sanitize(msg.text(lang)))


def _list(args: argparse.Namespace, snap: Snapshot, lang: str) -> int:
    year = args.year or current_year(snap)
    current = snap.default_cluster()
    rows = []
    for c in snap.clusters.values():
        units = snap.units_in(year, c.code)
        rows.append((c, units))
    if args.json:
        print(json.dumps({"year": year, "current": current, "clusters": [
            {"code": c.code, "name": c.name_vi, "name_en": c.name_en, "units": len(units),
             "unit_codes": [u.code for u in units], "current": c.code == current} for c, units in rows]},
            ensure_ascii=False, indent=2))
        return EXIT_OK
    code_w = max(len(c.code) for c, _ in rows)
    for c, units in rows:
        mark = "*" if c.code == current else " "
        count = f"{len(units)} đơn vị năm {year}" if lang == "vi" else f"{len(units)} units in {year}"
        now = ("  ← cụm hiện hành" if lang == "vi" else "  ← current cluster") if c.code == current else ""
        print(f"{mark} {c.code:<{code_w}}  {text.sanitize(c.name(lang))}  ({count}){now}")
    return EXIT_OK
