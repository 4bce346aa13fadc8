"""Command line: headless subcommands, and the dashboard launched lazily (Textual is imported only then)."""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any, Callable, NoReturn, Sequence

from .argparse_i18n import argparse_language, current_language
from .core.domain import indicators, text
from .core.domain.errors import CcbError, UsageError
from .core.domain.fmt import NumberFormatError, parse_number
from .core.domain.models import QUALIFIER_ALIASES, TASK_STATE_ALIASES, Msg, Qualifier, Snapshot, TaskState
from .core.store.paths import check_store_path, resolve_db_path
from .core.store import ANY, Store

EXIT_OK, EXIT_USAGE, EXIT_INVALID, EXIT_CONFLICT, EXIT_STORE, EXIT_PROBLEMS = 0, 2, 3, 4, 5, 6


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error that says how to get help, exit code 2, and its own words
    ("usage:", "options", error messages) in ``lang`` (the top-level parser carries it; subparsers
    run inside its parse and leave ``lang`` None)."""

    def __init__(self, *args: Any, lang: str | None = None, **kwargs: Any) -> None:
        self.lang = lang
        with argparse_language(lang):
            super().__init__(*args, **kwargs)

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:
        with argparse_language(self.lang):  # "unrecognized arguments" is reported here
            return super().parse_args(args, namespace)

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        with argparse_language(self.lang):
            return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        with argparse_language(self.lang):
            return super().format_usage()

    def format_help(self) -> str:
        with argparse_language(self.lang):
            return super().format_help()

    def error(self, message: str) -> NoReturn:
        raise UsageError(Msg(f"{self.prog}: {message}. Xem: {self.prog} --help",
                             f"{self.prog}: {message}. See: {self.prog} --help"))


YEAR_MIN, YEAR_MAX = 1900, 2100


def _tr(vi: str, en: str) -> str:
    """Text for an argparse type error, in the language the command line is being parsed in."""
    return en if current_language() == "en" else vi


def _date(raw: str) -> date:
    """A day as 2021-03-31 or 31/3/2021 (argparse type)."""
    from datetime import datetime
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(raw.strip(), fmt).date()
        except ValueError:
            continue
    shown = text.sanitize(raw)
    raise argparse.ArgumentTypeError(_tr(f"'{shown}' không phải là ngày; viết 2021-03-31 hoặc 31/3/2021",
                                         f"'{shown}' is not a date; use 2021-03-31 or 31/3/2021"))


def _year(raw: str) -> int:
    """An argparse type for --year: a plausible calendar year.

    Plain ``int`` let ``--year 0`` or ``--year -5`` through, and ``set --year 0`` then wrote a
    figure for year 0 that ``check`` afterwards reports as a problem: refuse it as a usage error.
    """
    try:
        year = int(raw)
    except ValueError:
        shown = text.sanitize(raw)
        raise argparse.ArgumentTypeError(_tr(f"năm không hợp lệ: '{shown}'", f"invalid year: '{shown}'")) from None
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise argparse.ArgumentTypeError(_tr(f"năm {year} nằm ngoài {YEAR_MIN}..{YEAR_MAX}",
                                             f"year {year} is outside {YEAR_MIN}..{YEAR_MAX}"))
    return year


def _whole(raw: str) -> int:
    """An argparse type for a whole number (a port, a task number)."""
    try:
        return int(raw)
    except ValueError:
        shown = text.sanitize(raw)
        raise argparse.ArgumentTypeError(_tr(f"'{shown}' không phải là số nguyên",
                                             f"'{shown}' is not a whole number")) from None


def _common(h: Callable[[str, str], str]) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS,
                        help=h("tệp dữ liệu (mặc định: $CCB_DB, không có thì thư mục dữ liệu của người dùng)",
                               "store file (default: $CCB_DB, else the per-user data folder)"))
    common.add_argument("--lang", choices=("vi", "en"), default=argparse.SUPPRESS,
                        help=h("ngôn ngữ giao diện: vi (mặc định) hoặc en", "interface language (default: vi)"))
    common.add_argument("--demo", action="store_true", default=argparse.SUPPRESS,
                        help=h("dùng thử trên một bản sao dữ liệu mẫu trong thư mục tạm, xóa khi thoát; "
                               "không đụng tới tệp dữ liệu thật",
                               "try it on a scratch copy of the bundled data in a temporary folder, "
                               "removed on exit; your real store is never touched"))
    return common


def peek_lang(argv: Sequence[str]) -> str:
    """The ``--lang`` on a command line, before it is parsed (the help must be built in it).

    The last one wins, as with argparse; "--" ends the options.
    """
    lang = "vi"
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            lang = argv[i + 1]
        elif arg.startswith("--lang="):
            lang = arg.split("=", 1)[1]
    return "en" if lang == "en" else "vi"


def build_parser(lang: str = "vi") -> argparse.ArgumentParser:
    """The full command line, its help in ``lang`` ("vi" or "en")."""

    def h(vi: str, en: str) -> str:
        return en if lang == "en" else vi

    with argparse_language(lang):  # argparse's own words are fixed as the parsers are made
        return _build_parser(lang, h)


def _build_parser(lang: str, h: Callable[[str, str], str]) -> argparse.ArgumentParser:
    common = _common(h)
    p = _Parser(prog="ccb-tui", parents=[common], lang=lang,
                description=h("Bảng điều khiển Hội Cựu chiến binh cụm thi đua số 3 (Lắk, Đắk Lắk). "
                              "Không có LỆNH: mở bảng điều khiển.",
                              "Dashboard of the veterans' association (Hội CCB), competition cluster No. 3 "
                              "(Lắk, Đắk Lắk). Without a COMMAND: open the dashboard."),
                epilog=h("Mã thoát: 0 xong, 2 sai cách dùng, 3 giá trị không hợp lệ, 4 xung đột (người khác "
                         "đã sửa trước), 5 tệp dữ liệu không đọc được hoặc đang bị khóa, 6 check thấy vấn đề. "
                         "Trợ giúp cho từng lệnh: ccb-tui LỆNH --help.",
                         "Exit codes: 0 ok, 2 usage, 3 invalid value, 4 conflict (someone changed it first), "
                         "5 store unreadable or locked, 6 check found problems. Help on a command: ccb-tui COMMAND --help."))
    p.add_argument("--read-only", action="store_true",
                   help=h("chỉ xem; không bao giờ ghi vào tệp dữ liệu", "browse only; never write the store"))
    p.add_argument("--meeting", action="store_true",
                   help=h("mở chế độ họp (chỉ xem)", "open the read-only meeting mode"))
    p.add_argument("--year", type=_year, help=h("năm mở bảng điều khiển", "year to open the dashboard on"))
    sub = p.add_subparsers(dest="command", parser_class=_Parser, metavar=h("LỆNH", "COMMAND"),
                           title=h("lệnh", "commands"))

    def add(name: str, help_: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], help=help_, description=help_)

    def act(subs: Any, name: str, help_: str) -> argparse.ArgumentParser:
        return subs.add_parser(name, parents=[common], help=help_, description=help_)

    year_latest = h("năm (mặc định: năm hiện hành, xem `ccb-tui year`)", "year (default: the current year, see `ccb-tui year`)")
    unit_help = h("mã hoặc tên đơn vị, có dấu hay không đều được (\"lien son\")",
                  "unit code or name, accents optional (\"lien son\")")
    indicator_help = h("mã hoặc tên chỉ tiêu (xem `ccb-tui indicators`)",
                       "indicator code or name (see `ccb-tui indicators`)")
    task_id_help = h("số thứ tự nhiệm vụ (xem `ccb-tui task list`)", "task number (see `ccb-tui task list`)")
    force_help = h("ghi đè FILE nếu đã có", "overwrite FILE if it exists")

    add("where", h("in đường dẫn tệp dữ liệu đang dùng", "print the store path"))

    s = add("summary", h("số liệu từng đơn vị, tổng cụm, so với kế hoạch và đối chiếu với báo cáo",
                         "per-unit figures, cluster totals, plan vs actual and reconciliation"))
    s.add_argument("--year", type=_year, help=year_latest)
    s.add_argument("--json", action="store_true", help=h("in một đối tượng JSON", "print one JSON object"))

    s = add("set", h("ghi số liệu của một đơn vị cho một chỉ tiêu", "set a unit's figure for an indicator"))
    s.add_argument("unit", help=unit_help)
    s.add_argument("indicator", help=indicator_help)
    s.add_argument("value", nargs="?", help=h("giá trị viết kiểu Việt Nam: 1.500, 6,7 tỷ, 248,6 triệu",
                                              "value in Vietnamese style: 1.500, 6,7 tỷ, 248,6 triệu"))
    s.add_argument("--year", type=_year, help=year_latest)
    s.add_argument("--qualifier", "-q", help=h("mức ước lượng: chính xác | gần | trên | khoảng | hàng trăm",
                                               "exact | gần | trên | khoảng | hàng trăm"))
    s.add_argument("--not-reported", action="store_true",
                   help=h("đánh dấu chưa báo cáo (khác với số 0)", "mark as not reported (not zero)"))
    s.add_argument("--expect", metavar="OLD",
                   help=h("chỉ sửa nếu giá trị hiện tại là OLD (một số, hoặc 'none' nếu chưa báo cáo)",
                          "only change if the current value is OLD (a number, or 'none' for not reported)"))

    s = add("target", h("đặt kế hoạch của một đơn vị (hoặc của cả cụm) cho một chỉ tiêu",
                        "set a unit's (or the whole cluster's) target (kế hoạch) for an indicator"))
    s.add_argument("unit", help=h("mã hoặc tên đơn vị; \"cluster\" (hoặc \"cụm\") cho kế hoạch của cả cụm",
                                  "unit code or name; \"cluster\" (or \"cụm\") for the whole cluster's target"))
    s.add_argument("indicator", help=indicator_help)
    s.add_argument("value", help=h("giá trị kế hoạch, hoặc 'none' để bỏ", "target value, or 'none' to remove it"))
    s.add_argument("--year", type=_year, help=year_latest)
    s.add_argument("--expect", metavar="OLD", help=h("chỉ sửa nếu kế hoạch hiện tại là OLD ('none': chưa có)",
                                                     "only change if the current target is OLD ('none': no target)"))

    yr = add("year", h("năm hiện hành (mọi lệnh và bảng điều khiển mở năm này); mở năm mới",
                       "the current year every command and the dashboard open on; opening a new year"))
    ysub = yr.add_subparsers(dest="year_command", parser_class=_Parser, metavar=h("VIỆC", "ACTION"),
                             title=h("việc", "actions"))
    act(ysub, "list", h("các năm có trong dữ liệu, đánh dấu năm hiện hành",
                        "the years in the store, the current one marked"))
    yc = act(ysub, "current", h("đặt năm hiện hành cho mọi người", "set the current year, for everyone"))
    yc.add_argument("year", type=_year, help=h("một năm đã có trong dữ liệu", "a year the store already has"))
    yo = act(ysub, "open", h("mở một năm mới và đặt làm năm hiện hành (các đơn vị được giữ nguyên)",
                             "open a new year and make it current (the units carry forward)"))
    yo.add_argument("year", type=_year, help=h("năm cần mở, muộn nhất là năm sau", "the year to open, at most next year"))

    add("indicators", h("liệt kê danh mục chỉ tiêu", "list the indicator catalogue"))

    t = add("task", h("danh mục nhiệm vụ của năm", "the year's task checklist"))
    tsub = t.add_subparsers(dest="task_command", parser_class=_Parser, metavar=h("VIỆC", "ACTION"), required=True,
                            title=h("việc", "actions"))
    tl = act(tsub, "list", h("liệt kê nhiệm vụ và trạng thái của từng đơn vị", "list tasks and each unit's status"))
    tl.add_argument("--year", type=_year, help=year_latest)
    ts = act(tsub, "set", h("đặt trạng thái của một đơn vị với một nhiệm vụ", "set a unit's status on a task"))
    ts.add_argument("task_id", type=_whole, help=task_id_help)
    ts.add_argument("unit", help=unit_help)
    ts.add_argument("state", help=h("chưa | đang | xong", "todo | doing | done (or chưa | đang | xong)"))
    ts.add_argument("--note", help=h("ghi chú kèm trạng thái", "a note with the status"))
    ts.add_argument("--expect", metavar="STATE", help=h("chỉ sửa nếu trạng thái hiện tại là STATE",
                                                        "only change if the current status is STATE"))
    ta = act(tsub, "add", h("thêm một nhiệm vụ", "add a task"))
    ta.add_argument("title", help=h("tên nhiệm vụ", "the task's title"))
    ta.add_argument("--year", type=_year, help=year_latest)
    ta.add_argument("--note", default="", help=h("ghi chú", "a note"))
    te = act(tsub, "edit", h("sửa tên hoặc ghi chú của một nhiệm vụ", "change a task's title or note"))
    te.add_argument("task_id", type=_whole, help=task_id_help)
    te.add_argument("--title", help=h("tên mới", "the new title"))
    te.add_argument("--note", help=h("ghi chú mới", "the new note"))
    tr = act(tsub, "remove", h("xóa một nhiệm vụ", "remove a task"))
    tr.add_argument("task_id", type=_whole, help=task_id_help)

    u = add("unit", h("các đơn vị trong cụm", "the cluster's units"))
    usub = u.add_subparsers(dest="unit_command", parser_class=_Parser, metavar=h("VIỆC", "ACTION"), required=True,
                            title=h("việc", "actions"))
    ul = act(usub, "list", h("liệt kê đơn vị", "list units"))
    ul.add_argument("--year", type=_year, help=h("chỉ các đơn vị trong cụm năm đó, với tên năm đó",
                                                 "only the units in the cluster that year, named as then"))
    ua = act(usub, "add", h("thêm một đơn vị", "add a unit"))
    ua.add_argument("code", help=h("mã ngắn, không dấu, ví dụ ea_kiet", "short code without accents, e.g. ea_kiet"))
    ua.add_argument("name", help=h("tên chính thức, ví dụ \"Xã Ea Kiết\"", "official name, e.g. \"Xã Ea Kiết\""))
    ua.add_argument("--year", type=_year, required=True, help=h("năm đầu tiên trong cụm", "first year in the cluster"))
    ua.add_argument("--kind", default="xa", choices=("xa", "thi_tran", "phuong", "khac"),
                    help=h("loại đơn vị: xã, thị trấn, phường hoặc khác (mặc định: xa)",
                           "kind of unit: commune, township, ward or other (default: xa)"))
    ur = act(usub, "rename", h("đổi tên một đơn vị", "rename a unit"))
    ur.add_argument("unit", help=unit_help)
    ur.add_argument("name", help=h("tên mới", "the new name"))
    ur.add_argument("--year", type=_year,
                    help=h("tên mới dùng từ năm này (mặc định: sửa tên hiện tại)",
                           "the new name applies from this year (default: correct the current name)"))
    ut = act(usub, "retire", h("cho một đơn vị rời cụm từ một năm (giữ lịch sử)",
                               "retire a unit from a year on (history is kept)"))
    ut.add_argument("unit", help=unit_help)
    ut.add_argument("--year", type=_year, required=True, help=h("năm đầu tiên không còn trong cụm",
                                                                "the first year it is no longer in the cluster"))
    ut.add_argument("--drop-later", action="store_true",
                    help=h("xóa luôn số liệu và chỉ tiêu của đơn vị từ năm đó trở đi (có ghi nhật ký)",
                           "also remove the unit's figures and targets of that year and later (audited)"))

    add("check", h("kiểm tra tệp dữ liệu và đối chiếu tổng với số báo cáo; mã thoát 0 chỉ khi không có vấn đề",
                   "validate the store and reconcile totals with the reported figures; exit 0 only when clean"))

    lg = add("log", h("nhật ký thay đổi: ai sửa gì, lúc nào, cũ → mới", "the audit log: who changed what, when, old → new"))
    lg.add_argument("--since", type=_date, metavar="DATE", help=h("từ ngày này (2021-03-31 hoặc 31/3/2021)",
                                                                  "from this day on (2021-03-31 or 31/3/2021)"))
    lg.add_argument("--unit", help=h("chỉ các thay đổi của đơn vị này (mã hoặc tên)",
                                     "only changes of this unit (code or name)"))
    lg.add_argument("--json", action="store_true", help=h("in một mảng JSON", "print a JSON array"))

    add("undo", h("hoàn tác thay đổi gần nhất của bạn (từ chối nếu người khác đã sửa giá trị đó)",
                  "revert your last change (refused if someone changed that value since)"))

    bk = add("backup", h("sao lưu tệp dữ liệu ngay (các bản gần nhất cũng được giữ tự động)",
                         "take a backup of the store now (the last versions are also kept automatically)"))
    bk.add_argument("--list", action="store_true", help=h("liệt kê các bản sao lưu, mới nhất trước",
                                                          "list the backups instead, newest first"))

    rs = add("restore", h("khôi phục một bản sao lưu (mặc định: bản tốt mới nhất); tệp hiện tại được giữ lại",
                          "put a backup back (default: the newest good one); the current file is kept"))
    rs.add_argument("version", nargs="?", help=h("tên tệp sao lưu, số phiên bản (r42) hoặc vị trí (-1 là mới nhất)",
                                                 "backup file name, revision (r42) or position (-1 newest)"))

    ex = add("export", h("xuất dữ liệu của năm ra tệp: csv, xlsx, md (báo cáo họp) hoặc json",
                         "write the year's data to a file: csv, xlsx, md (meeting report) or json"))
    ex.add_argument("--format", "-f", choices=("csv", "xlsx", "md", "json"),
                    help=h("định dạng tệp (mặc định: theo đuôi của -o)", "file format (default: from the -o suffix)"))
    ex.add_argument("--year", type=_year, help=year_latest)
    ex.add_argument("-o", "--output", required=True, metavar="FILE",
                    help=h("tệp sẽ ghi ('-' là in ra màn hình)", "file to write ('-' for stdout)"))
    ex.add_argument("--force", action="store_true", help=force_help)
    ex.add_argument("--sep", default=",", metavar="SEP",
                    help=h("dấu phân cách cột của CSV: ',' (mặc định, RFC 4180), ';' (Excel cài tiếng Việt) hoặc 'tab'",
                           "CSV field separator: ',' (default, RFC 4180), ';' (Excel set to Vietnamese) or 'tab'"))

    im = add("import", h("nhập lại số liệu, kế hoạch và trạng thái nhiệm vụ từ tệp csv/xlsx/json đã xuất",
                         "read figures, targets and task statuses back from a csv/xlsx/json export"))
    im.add_argument("file", metavar="FILE", help=h("tệp theo mẫu của lệnh export (.xlsx, .csv hoặc .json)",
                                                   "a file in the export's layout (.xlsx, .csv or .json)"))
    im.add_argument("--dry-run", action="store_true", help=h("chỉ kiểm tra và cho xem thay đổi; không ghi gì",
                                                             "check and show the changes; write nothing"))
    im.add_argument("--year", type=_year, help=h("chỉ năm này: dòng của năm khác bị từ chối; "
                                                 "điền năm cho dòng để trống ô Năm",
                                                 "only this year: rows of another year are refused; "
                                                 "fills rows whose Năm cell is empty"))

    rp = add("report", h("lập báo cáo họp: tổng, so với kế hoạch, biểu đồ, nhiệm vụ, các thay đổi",
                         "write the meeting report: totals, plan vs actual, charts, checklist, changes"))
    rp.add_argument("--year", type=_year, help=year_latest)
    rp.add_argument("--since", type=_date, metavar="DATE",
                    help=h("liệt kê các thay đổi từ ngày này (theo nhật ký)", "list the changes from this day on (audit log)"))
    rp.add_argument("-o", "--output", required=True, metavar="FILE",
                    help=h("FILE.md, FILE.html hoặc FILE.pdf (khổ A4, cần WeasyPrint) ('-' là in ra màn hình, dạng md)",
                           "FILE.md, FILE.html or FILE.pdf (A4, needs WeasyPrint) ('-' for stdout, md)"))
    rp.add_argument("--format", "-f", choices=("md", "html", "pdf"),
                    help=h("định dạng (mặc định: theo đuôi của -o)", "format (default: from the -o suffix)"))
    rp.add_argument("--force", action="store_true", help=force_help)

    st = add("settings", h("các thiết lập chung: tiêu đề báo cáo, địa danh, người ký, múi giờ (liệt kê, hoặc set KHÓA GIÁ_TRỊ)",
                           "the store's settings: report header, place, signer, time zone (list, or set KEY VALUE)"))
    stsub = st.add_subparsers(dest="settings_command", parser_class=_Parser, metavar=h("VIỆC", "ACTION"),
                              title=h("việc", "actions"))
    act(stsub, "list", h("liệt kê mọi thiết lập (mặc định)", "list every setting (the default)"))
    ss = act(stsub, "set", h("đổi một thiết lập; in cũ → mới", "change one setting; prints old → new"))
    ss.add_argument("key", help=h("tên thiết lập: org_parent, org_name, place, signer_title, signer_name, timezone, "
                                  "current_year", "the setting: org_parent, org_name, place, signer_title, "
                                  "signer_name, timezone, current_year"))
    ss.add_argument("value", help=h("giá trị mới ('' để xóa một thiết lập chữ)", "the new value ('' to clear a text setting)"))

    sv = add("serve", h("mở bảng điều khiển trong trình duyệt web (textual-serve), mặc định chỉ trên máy này",
                        "serve the dashboard to a web browser (textual-serve), on localhost by default"))
    sv.add_argument("--host", default="127.0.0.1", help=h("địa chỉ lắng nghe (mặc định: 127.0.0.1)",
                                                          "address to listen on (default: 127.0.0.1)"))
    sv.add_argument("--port", type=_whole, default=8000, help=h("cổng (mặc định: 8000)", "port (default: 8000)"))
    sv.add_argument("--read-only", action="store_true", default=argparse.SUPPRESS,
                    help=h("chỉ xem; không bao giờ ghi vào tệp dữ liệu", "browse only; the store is never written"))
    sv.add_argument("--allow-remote", action="store_true",
                    help=h("cho phép --host không phải máy này (không có đăng nhập: ai tới được cổng đều sửa được)",
                           "allow a non-loopback --host (there is no login: anyone reaching the port can edit)"))
    sv.add_argument("--public-url", metavar="URL",
                    help=h("địa chỉ trình duyệt dùng, khi khác (ví dụ http://localhost:9000 qua đường hầm SSH)",
                           "the URL the browser uses, when it differs (e.g. http://localhost:9000 through a tunnel)"))
    return p


# --- helpers ---------------------------------------------------------------------------------

def _lang(args: argparse.Namespace) -> str:
    return getattr(args, "lang", "vi")


def _db_path(args: argparse.Namespace, *, check: bool = True) -> Path:
    """The store path from --db, $CCB_DB or the default.

    An explicitly empty ``--db ""`` (say ``--db "$UNSET_VAR"`` in a script) is refused rather than
    silently falling back to $CCB_DB or the per-user store, which would edit the wrong file. With
    ``check``, a path that exists but is not a regular file (FIFO, device, socket, folder, symlink
    loop) is refused at once, exit 5 (``core.paths.check_store_path``).
    """
    db = getattr(args, "db", None)
    if db is not None and not db.strip():
        raise UsageError(Msg("--db cần một đường dẫn tệp, nhưng đang để trống.",
                             "--db needs a file path, but it is empty."))
    path = resolve_db_path(db)
    if check:
        check_store_path(path)
    return path


def _open_store(args: argparse.Namespace) -> Store:
    path = _db_path(args)
    store = Store(path)
    if store.created:
        _err(Msg(f"Đã tạo tệp dữ liệu mới từ dữ liệu mẫu: {path}",
                 f"Created a new store from the bundled seed data: {path}"), _lang(args))
    return store


def _err(msg: Msg, lang: str) -> None:
    # Messages may quote what the user typed (a unit name holding ESC or a newline): sanitising
    # keeps the promise of one line on stderr and keeps escape sequences off the terminal.
    print(text.sanitize(msg.text(lang)), file=sys.stderr)


def _current_year(snap: Snapshot) -> int:
    """The store's current year (năm hiện hành), the default of every command."""
    year = snap.current_year()
    if year is None:
        raise UsageError(Msg("Kho dữ liệu chưa có năm nào; hãy dùng --year hoặc ccb-tui year open NĂM.",
                             "The store has no year yet; pass --year or run ccb-tui year open YEAR."))
    return year


def _edit_year(args: argparse.Namespace, snap: Snapshot) -> int:
    """The year an edit writes: --year, else the current year (see :func:`_said_year`)."""
    return args.year if getattr(args, "year", None) else _current_year(snap)


def _said_year(args: argparse.Namespace, year: int) -> None:
    """After an edit that defaulted to the current year and whose output does not name the year
    (figures and targets name it: "… Số hội viên 2020: 110 → 111"), say so on stderr."""
    if not getattr(args, "year", None):
        _err(Msg(f"(Đã ghi vào năm {year}, năm hiện hành; dùng --year để chọn năm khác.)",
                 f"(Written to {year}, the current year; pass --year for another.)"), _lang(args))


def _parse_value(raw: str, lang: str) -> Any:
    try:
        return parse_number(raw, lang=lang)  # --lang en reads 1,500 and 1.5 the English way
    except NumberFormatError as exc:
        from .core.domain.errors import InvalidValue
        raise InvalidValue(Msg(f"Giá trị '{text.sanitize(raw)}' không hợp lệ: {exc.message_vi}",
                               f"Invalid value '{text.sanitize(raw)}': {exc.message_en}")) from exc


def _is_none_word(raw: str | None) -> bool:
    return raw is not None and text.fold(raw) in ("none", "khong", "-", "chua bao cao", "not reported", "nr")


def _parse_qualifier(raw: str | None) -> Qualifier:
    if raw is None:
        return Qualifier.EXACT
    q = QUALIFIER_ALIASES.get(text.fold(raw))
    if q is None:
        raise UsageError(Msg(f"Không hiểu từ chỉ mức '{text.sanitize(raw)}'. Dùng: gần, trên, hơn, khoảng, hàng trăm.",
                             f"Unknown qualifier '{text.sanitize(raw)}'. Use: exact, nearly, over, about, hundreds."))
    return q


def _parse_state(raw: str) -> TaskState:
    st = TASK_STATE_ALIASES.get(text.fold(raw))
    if st is None:
        raise UsageError(Msg(f"Không hiểu trạng thái '{text.sanitize(raw)}'. Dùng: chưa, đang, xong.",
                             f"Unknown status '{text.sanitize(raw)}'. Use: todo, doing, done."))
    return st


def _zone(store: Store) -> str | None:
    """The cluster's time zone, or None (the default) when the store cannot be read."""
    try:
        return store.snapshot().settings.timezone
    except CcbError:
        return None


def _print_change(change: Any, lang: str = "vi") -> None:
    print(change.text(lang))


# --- commands --------------------------------------------------------------------------------

def cmd_where(args: argparse.Namespace) -> int:
    print(_db_path(args, check=False))  # only says where: a wrong kind of file is for the others to refuse
    return EXIT_OK


def cmd_summary(args: argparse.Namespace) -> int:
    from .core.report import text as report_text
    from .core.domain import totals
    store = _open_store(args)
    snap = store.snapshot()
    year = args.year or _current_year(snap)
    summary = totals.summarize(snap, year)
    if args.json:
        print(json.dumps(totals.to_json(summary), ensure_ascii=False, indent=2))
    else:
        print(report_text.summary_text(summary, _lang(args)))
    return EXIT_OK


def cmd_set(args: argparse.Namespace) -> int:
    from .core.domain.validation import resolve_indicator, resolve_unit
    lang = _lang(args)
    if args.value is None and not args.not_reported:
        raise UsageError(Msg("Thiếu giá trị. Ví dụ: ccb-tui set \"lien son\" members 120, hoặc --not-reported.",
                             "Missing value. Example: ccb-tui set \"lien son\" members 120, or --not-reported."))
    if args.value is not None and args.not_reported:
        raise UsageError(Msg("Không dùng cùng lúc giá trị và --not-reported.",
                             "Give either a value or --not-reported, not both."))
    value = None if args.not_reported else _parse_value(args.value, lang)
    qualifier = _parse_qualifier(args.qualifier)
    expect: object = ANY
    if args.expect is not None:
        expect = None if _is_none_word(args.expect) else _parse_value(args.expect, lang)
    store = _open_store(args)
    snap = store.snapshot()
    year = _edit_year(args, snap)
    unit = resolve_unit(snap, args.unit, year)
    ind = resolve_indicator(args.indicator)
    _print_change(store.set_value(unit.code, ind.code, year, value, qualifier=qualifier,
                                  reported=not args.not_reported, expect=expect), lang)
    return EXIT_OK


def cmd_target(args: argparse.Namespace) -> int:
    from .core.domain.validation import resolve_indicator, resolve_unit
    lang = _lang(args)
    value = None if _is_none_word(args.value) else _parse_value(args.value, lang)
    expect: object = ANY
    if args.expect is not None:
        expect = None if _is_none_word(args.expect) else _parse_value(args.expect, lang)
    store = _open_store(args)
    snap = store.snapshot()
    year = _edit_year(args, snap)
    ind = resolve_indicator(args.indicator)
    cluster = _cluster_word(snap, args.unit)
    if cluster is not None:
        _print_change(store.set_cluster_target(cluster, ind.code, year, value, expect=expect), lang)
    else:
        unit = resolve_unit(snap, args.unit, year)
        _print_change(store.set_target(unit.code, ind.code, year, value, expect=expect), lang)
    return EXIT_OK


def _cluster_word(snap: Snapshot, raw: str) -> str | None:
    """The cluster's code when ``raw`` names the cluster ("cluster", "cum", "cụm", its code or
    name) rather than a unit; None otherwise."""
    folded = text.fold(raw)
    if folded in ("cluster", "cum", "ca cum", "toan cum"):
        return snap.default_cluster()
    for c in snap.clusters.values():
        if folded in (text.fold(c.code), text.fold(c.name_vi), text.fold(c.name_en)):
            return c.code
    return None


def cmd_year(args: argparse.Namespace) -> int:
    lang = _lang(args)
    store = _open_store(args)
    snap = store.snapshot()
    action = args.year_command or "list"
    if action == "current":
        _print_change(store.set_setting("current_year", args.year), lang)
    elif action == "open":
        change, units = store.open_year(args.year)
        _print_change(change, lang)
        names = ", ".join(u.name(args.year) for u in units) or "—"
        print(f"{len(units)} đơn vị năm {args.year}: {names}" if lang == "vi"
              else f"{len(units)} units in {args.year}: {names}")
    else:
        current, stray = snap.current_year(), set(snap.stray_years())
        for y in snap.years():
            mark = ("  ← năm hiện hành" if lang == "vi" else "  ← current year") if y == current else ""
            if y in stray:
                mark = "  ⚠ " + ("vượt năm hiện hành + 1: xem ccb-tui check" if lang == "vi"
                                 else "beyond the current year + 1: see ccb-tui check")
            print(f"{y}{mark}")
    return EXIT_OK


def cmd_indicators(args: argparse.Namespace) -> int:
    lang = _lang(args)
    for ind in indicators.CATALOGUE:
        print(f"{ind.code:<15} {ind.label(lang):<32} {ind.unit(lang):<10} {ind.kind.value:<9} "
              f"{ind.temporal.value:<6} {ind.direction.value}")
    return EXIT_OK


def cmd_task(args: argparse.Namespace) -> int:
    from .core.report import text as report_text
    from .core.domain.validation import resolve_unit
    lang = _lang(args)
    store = _open_store(args)
    snap = store.snapshot()
    action = args.task_command
    if action == "list":
        from .core.domain.checklist import checklist_for
        cl = checklist_for(snap, args.year or _current_year(snap))
        if cl.fallback and cl.tasks:
            print(f"(Năm {cl.requested} chưa có danh sách nhiệm vụ; đây là danh sách năm {cl.year}.)" if lang == "vi"
                  else f"({cl.requested} has no checklist; this is the {cl.year} checklist.)")
        print(report_text.tasks_text(snap, cl.year, lang))
    elif action == "set":
        task = snap.task(args.task_id)
        unit = resolve_unit(snap, args.unit, task.year if task else None)
        expect: object = ANY if args.expect is None else _parse_state(args.expect)
        _print_change(store.set_task_status(args.task_id, unit.code, _parse_state(args.state),
                                            note=args.note, expect=expect), lang)
    elif action == "add":
        year = _edit_year(args, snap)
        task_id, change = store.add_task(year, args.title, args.note)
        print(f"{task_id}\t{change.new}")
        _said_year(args, year)
    elif action == "edit":
        if args.title is None and args.note is None:
            raise UsageError(Msg("Cần --title hoặc --note.", "Give --title or --note."))
        _print_change(store.edit_task(args.task_id, title=args.title, note=args.note), lang)
    elif action == "remove":
        _print_change(store.remove_task(args.task_id), lang)
    return EXIT_OK


def cmd_unit(args: argparse.Namespace) -> int:
    from .core.domain.validation import resolve_unit
    lang = _lang(args)
    store = _open_store(args)
    snap = store.snapshot()
    action = args.unit_command
    if action == "list":
        year = args.year
        units = snap.units if year is None else snap.units_in(year)
        for u in units:  # the cluster's usual order (the stored one), as on every screen
            retired = ""
            if u.retired_from is not None:
                retired = f"  (ngừng từ {u.retired_from})" if lang == "vi" else f"  (retired from {u.retired_from})"
            history = " ← ".join(p.name for p in reversed(u.periods[:-1]))
            print(f"{u.code:<12} {u.name(year)}{retired}" + (f"  [{history}]" if history else ""))
    elif action == "add":
        _print_change(store.add_unit(args.code, args.name, year=args.year, kind=args.kind), lang)
    elif action == "rename":
        unit = resolve_unit(snap, args.unit, args.year)
        _print_unit_change(store.rename_unit(unit.code, args.name, year=args.year), snap, lang, unit.code)
    elif action == "retire":
        unit = resolve_unit(snap, args.unit, args.year)
        change = store.retire_unit(unit.code, year=args.year, drop_later=args.drop_later)
        if not (change.dropped and change.old == change.new):  # else only the removal is news
            _print_unit_change(change, snap, lang, unit.code, retired=True)
        _print_later(change, unit.code, args.year, lang)
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


def _field_label(snap: Snapshot, field: str, lang: str) -> str:
    """A problem's field as a person reads it: "krong_no/members/2020" → "Xã Krông Nô · Số hội viên 2020"."""
    parts = field.split("/")
    if len(parts) == 3 and parts[1] in indicators.BY_CODE and parts[2].isdigit():
        unit = snap.unit(parts[0])
        year = int(parts[2])
        name = unit.name(year) if unit else parts[0]
        return f"{name} · {indicators.BY_CODE[parts[1]].label(lang)} {year}"
    if len(parts) == 4 and parts[0] == "reported" and parts[3] in indicators.BY_CODE:
        head = "tổng cụm đã báo cáo" if lang == "vi" else "reported cluster total"
        return f"{head} · {indicators.BY_CODE[parts[3]].label(lang)} {parts[2]}"
    return field


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
    _print_change(change, lang)


def cmd_check(args: argparse.Namespace) -> int:
    from .core.domain import totals, validation
    lang = _lang(args)
    store = _open_store(args)
    snap = store.snapshot()
    problems = validation.validate_snapshot(snap)
    bad = 0
    for p in problems:
        print(f"✘ {_field_label(snap, p.field, lang)}: {p.text(lang)}")
        bad += 1
    current, limit = snap.current_year(), snap.writable_until()
    for year in snap.stray_years():
        print(f"⚠ " + (f"Năm {year} có dữ liệu nhưng ở sau năm hiện hành {current} quá một năm (có thể do gõ "
                       f"nhầm --year). Xem: ccb-tui summary --year {year}; nếu đúng là năm đó: "
                       f"ccb-tui year open {year}" if lang == "vi" else
                       f"Year {year} holds data but is more than a year after the current year {current} "
                       f"(perhaps a mistyped --year). See: ccb-tui summary --year {year}; if it is right: "
                       f"ccb-tui year open {year}"))
        bad += 1
    for year in snap.years():
        if limit is not None and year > limit:
            continue
        for rec in totals.reconcile(snap, year):
            mark = "✔" if rec.ok else "⚠"
            ind = indicators.BY_CODE.get(rec.indicator)
            label = ind.label(lang) if ind else rec.indicator
            print(f"{mark} {year} · {label}: {rec.msg.text(lang)}")
            bad += 0 if rec.ok else 1
    if bad:
        _err(Msg(f"Kiểm tra: {bad} vấn đề cần xem lại.", f"Check: {bad} problem(s) to review."), lang)
        return EXIT_PROBLEMS
    print("Kiểm tra: không có vấn đề." if lang == "vi" else "Check: no problems.")
    return EXIT_OK


def cmd_log(args: argparse.Namespace) -> int:
    from .core.store import audit
    from .core.domain import clock
    from .core.domain.validation import resolve_unit
    lang = _lang(args)
    store = _open_store(args)
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
    store = _open_store(args)
    print(store.undo_last().what)
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    lang = _lang(args)
    store = _open_store(args)
    if args.list:
        found = store.backups()
        tz = _zone(store)
        for b in found:
            print(f"{b.name}\t{b.label(tz)}")
        if not found:
            print("Chưa có bản sao lưu nào." if lang == "vi" else "No backups yet.")
        return EXIT_OK
    b = store.backup()
    print(b.path)
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    lang = _lang(args)
    path = _db_path(args)
    store = Store(path, create=False, cleanup=False)  # a damaged file must not block its own repair
    backup, change = store.restore(args.version)
    label = backup.label(_zone(store))
    print((f"Đã khôi phục {backup.name} ({label}): revision {change.new}" if lang == "vi"
           else f"Restored {backup.name} ({label}): revision {change.new}"))
    return EXIT_OK


def _write_stdout(payload: bytes) -> None:
    sys.stdout.flush()
    sys.stdout.buffer.write(payload)
    sys.stdout.buffer.flush()


CSV_SEPARATORS = {",": ",", ";": ";", "tab": "\t", "\t": "\t", "\\t": "\t"}


def _csv_sep(raw: str, fmt: str) -> str:
    sep = CSV_SEPARATORS.get(raw.strip().lower() if raw.strip() else raw)
    if sep is None:
        raise UsageError(Msg(f"--sep '{text.sanitize(raw)}' không dùng được; chọn ',' hoặc ';' hoặc tab.",
                             f"--sep '{text.sanitize(raw)}' is not accepted; use ',', ';' or tab."))
    if sep != "," and fmt != "csv":
        raise UsageError(Msg("--sep chỉ dùng cho định dạng csv.", "--sep applies to the csv format only."))
    return sep


def cmd_export(args: argparse.Namespace) -> int:
    from .core.exchange import export as exchange
    to_stdout = args.output == "-"
    fmt = args.format or (None if not to_stdout else "csv")
    fmt = exchange.infer_format(args.output, fmt) if not to_stdout else fmt
    sep = _csv_sep(args.sep, fmt)
    if to_stdout and fmt == "xlsx":
        raise UsageError(Msg("Không in tệp xlsx ra màn hình; hãy dùng -o TỆP.xlsx.",
                             "An xlsx file cannot go to the terminal; use -o FILE.xlsx."))
    store = _open_store(args)
    snap = store.snapshot()
    year = args.year or _current_year(snap)
    if to_stdout:
        _write_stdout(exchange.render(snap, year, fmt, lang=_lang(args), sep=sep))
        return EXIT_OK
    path = exchange.export_file(snap, year, fmt, args.output, force=args.force, lang=_lang(args),
                                protect=(store.path, store.lock_path), sep=sep)
    _err(Msg(f"Đã xuất năm {year} ({fmt}): {path}", f"Exported {year} ({fmt}): {path}"), _lang(args))
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from .core.exchange import export as exchange
    from .core.domain.errors import InvalidValue
    lang = _lang(args)
    store = _open_store(args)
    snap = store.snapshot()  # the one snapshot the whole import is checked against
    try:
        plan = exchange.plan_import(snap, args.file, year=args.year)
    except InvalidValue as exc:
        shown = exc.problems[:200]
        for p in shown:
            _err(p.msg, lang)
        if len(exc.problems) > len(shown):
            _err(Msg(f"… và {len(exc.problems) - len(shown)} lỗi khác.",
                     f"… and {len(exc.problems) - len(shown)} more."), lang)
        raise InvalidValue(exc.msg) from exc
    for change in plan.changes:
        print(text.sanitize(change.text()))
    if args.dry_run:
        print(("Chạy thử, không ghi gì: " if lang == "vi" else "Dry run, nothing written: ") + plan.summary(lang))
        return EXIT_OK
    rev = exchange.apply_plan(store, plan)
    print(plan.summary(lang) + (f" (r{rev})" if plan.changes else ""))
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from .core.report import meeting as report
    lang = _lang(args)
    if args.output == "-" and args.format == "pdf":
        raise UsageError(Msg("Không in PDF ra màn hình; hãy dùng -o TỆP.pdf.",
                             "A PDF cannot go to the terminal; use -o FILE.pdf."))
    if args.output != "-":
        from .core.exchange.export import check_output, infer_format
        if infer_format(args.output, args.format, report.FORMATS) == "pdf":
            from .core.report.printed import weasyprint_missing
            missing = weasyprint_missing()  # before the store is opened or anything written
            if missing is not None:
                raise UsageError(missing)
        check_output(args.output, force=args.force)
    store = _open_store(args)
    snap = store.snapshot()
    year = args.year or _current_year(snap)
    entries = store.log_entries() if args.since else None
    if args.since:  # a day in the cluster's time zone: from 00:00 there
        from .core.domain.clock import day_start
        args.since = day_start(args.since, snap.settings.timezone)
    if args.output == "-":
        print(report.render(snap, year, args.format or "md", lang=lang, since=args.since, entries=entries), end="")
        return EXIT_OK
    from .core.exchange.export import infer_format
    fmt = infer_format(args.output, args.format, report.FORMATS)
    path = report.write_report(snap, year, args.output, fmt=fmt, force=args.force, lang=lang, since=args.since,
                               entries=entries, protect=(store.path, store.lock_path))
    _err(Msg(f"Đã lập báo cáo năm {year}: {path}", f"Wrote the {year} report: {path}"), lang)
    return EXIT_OK


SETTINGS_SHOWN = ("org_parent", "org_name", "place", "signer_title", "signer_name", "timezone", "current_year")


def cmd_settings(args: argparse.Namespace) -> int:
    from .core.domain.errors import InvalidValue
    from .core.domain.models import SETTING_KEYS
    lang = _lang(args)
    if getattr(args, "settings_command", None) == "set":
        key = args.key.strip()
        if key not in SETTING_KEYS:  # before the store is opened: one line, nothing touched
            raise InvalidValue(Msg(f"Không có thiết lập '{text.sanitize(key)}'. Dùng: {', '.join(SETTINGS_SHOWN)}.",
                                   f"There is no setting '{text.sanitize(key)}'. Use: {', '.join(SETTINGS_SHOWN)}."))
        value: Any = args.value
        if key == "current_year":
            try:
                value = _year(args.value)
            except argparse.ArgumentTypeError as exc:
                raise InvalidValue(Msg(f"current_year: {exc}", f"current_year: {exc}")) from None
        store = _open_store(args)
        before = getattr(store.snapshot().settings, key)
        store.set_setting(key, value)
        after = getattr(store.snapshot().settings, key)
        print(f"{key}: “{text.sanitize(str(before or ''))}” → “{text.sanitize(str(after or ''))}”")
        return EXIT_OK
    store = _open_store(args)
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


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import check_host, serve
    check_host(args.host, args.allow_remote)  # before touching anything
    path = _db_path(args)
    if args.read_only:
        Store(path, create=False, cleanup=False).snapshot()  # unreadable: exit 5 now, not in every tab
    else:
        _open_store(args).snapshot()
    return serve(path, host=args.host, port=args.port, read_only=args.read_only,
                 allow_remote=args.allow_remote, lang=_lang(args), public_url=args.public_url)


def cmd_tui(args: argparse.Namespace) -> int:
    path = _db_path(args)
    from .ui.app import run_app  # Textual is imported only here
    return run_app(path, lang=_lang(args), read_only=args.read_only, meeting=args.meeting, year=args.year)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "where": cmd_where, "summary": cmd_summary, "set": cmd_set, "target": cmd_target, "year": cmd_year,
    "indicators": cmd_indicators, "task": cmd_task, "unit": cmd_unit, "check": cmd_check,
    "log": cmd_log, "undo": cmd_undo, "backup": cmd_backup, "restore": cmd_restore,
    "export": cmd_export, "import": cmd_import, "report": cmd_report, "serve": cmd_serve,
    "settings": cmd_settings,
}


def _start_demo(args: argparse.Namespace, lang: str) -> Path:
    """Point ``args.db`` at a scratch store in a new temporary folder (made from the bundled data
    when first opened) and say so on stderr; returns the folder, removed by the caller."""
    import tempfile
    if getattr(args, "db", None) is not None:
        raise UsageError(Msg("--demo dùng một bản sao tạm, không dùng cùng --db.",
                             "--demo works on a scratch copy; it cannot be combined with --db."))
    folder = Path(tempfile.mkdtemp(prefix="ccb-tui-demo-"))
    args.db = str(folder / "ccb.json")
    _err(Msg(f"Chế độ thử (--demo): dùng bản sao dữ liệu mẫu trong {folder}, xóa khi thoát; "
             f"dữ liệu thật không bị động tới.",
             f"Demo mode (--demo): a scratch copy of the bundled data in {folder}, removed on exit; "
             f"your real store is not touched."), lang)
    return folder


_SURROGATE = re.compile("[\ud800-\udfff]")


def check_argv_text(argv: Sequence[str]) -> None:
    """Refuse (exit 2) an argument holding bytes that are not UTF-8.

    Python hands such bytes over as lone surrogates ("K\\xe0" arrives as 'K\\udce0'); kept, they
    would fail much later (NFC, JSON, the terminal) as a traceback, or be stored. Say which
    argument it is, its bad bytes shown as \\xNN.
    """
    for i, arg in enumerate(argv, 1):
        if not isinstance(arg, str) or not _SURROGATE.search(arg):
            continue
        try:  # the bytes as typed: the undecodable ones come back as \xNN
            raw = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:  # a lone surrogate that was never a byte (only from a caller)
            raw = arg.encode("utf-8", "backslashreplace").decode("utf-8")
        shown = text.sanitize(raw)
        prev = argv[i - 2] if i > 1 and isinstance(argv[i - 2], str) else ""
        after = text.sanitize(prev)[:40] if prev.startswith("-") and not _SURROGATE.search(prev) else ""
        raise UsageError(Msg(
            f"Đối số thứ {i}{f' (sau {after})' if after else ''} ('{shown}') không phải văn bản UTF-8 hợp lệ. "
            f"Hãy gõ lại bằng bảng mã UTF-8 (kiểm tra LANG/LC_ALL của terminal và bảng mã của tệp lệnh).",
            f"Argument {i}{f' (after {after})' if after else ''} ('{shown}') is not valid UTF-8 text. Type it "
            f"again in UTF-8 (check the terminal's LANG/LC_ALL and the script's encoding)."))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 2 usage, 3 invalid, 4 conflict, 5 store)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = peek_lang(argv)
    try:
        check_argv_text(argv)
        args = build_parser(lang).parse_args(argv)
        lang = _lang(args)
        handler = COMMANDS.get(args.command or "", cmd_tui)
        if handler is not cmd_tui:
            import gc
            gc.enable()  # off since __main__ (start-up); the dashboard turns it on after its first frame
        if getattr(args, "demo", False):
            import shutil
            demo = _start_demo(args, lang)
            try:
                return handler(args)
            finally:
                shutil.rmtree(demo, ignore_errors=True)
        return handler(args)
    except CcbError as exc:
        _err(exc.msg, lang)
        return exc.exit_code
    except SystemExit as exc:  # argparse's --help exits; main() returns a code instead
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `ccb-tui summary | head`
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
