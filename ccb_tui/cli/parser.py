"""The command line's grammar: every command and option, its help in Vietnamese or English, and
the argument types (years, dates, whole numbers) with their messages."""

from __future__ import annotations

import argparse
import re
from datetime import date
from typing import Any, Callable, NoReturn, Sequence

from ..core.domain import text
from ..core.domain.errors import UsageError
from ..core.domain.models import Msg
from .clusters import add_cluster_options, cluster_parsers
from .i18n import argparse_language, current_language


class Parser(argparse.ArgumentParser):
    """argparse with a one-line error that says how to get help, exit code 2, and its own words
    ("usage:", "options", error messages) in ``lang`` (the top-level parser carries it; subparsers
    run inside its parse and leave ``lang`` None)."""

    def __init__(self, *args: Any, lang: str | None = None, **kwargs: Any) -> None:
        self.lang = lang
        with argparse_language(lang):
            super().__init__(*args, **kwargs)
        # "-1,5" (a penalty in Vietnamese decimals) is a number, not an option
        self._negative_number_matcher = re.compile(r"^-\d+$|^-\d*[.,]\d+$")

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


def tr(vi: str, en: str) -> str:
    """Text for an argparse type error, in the language the command line is being parsed in."""
    return en if current_language() == "en" else vi


def date_arg(raw: str) -> date:
    """A day as 2021-03-31 or 31/3/2021 (argparse type)."""
    from datetime import datetime
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(raw.strip(), fmt).date()
        except ValueError:
            continue
    shown = text.sanitize(raw)
    raise argparse.ArgumentTypeError(tr(f"'{shown}' không phải là ngày; viết 2021-03-31 hoặc 31/3/2021",
                                         f"'{shown}' is not a date; use 2021-03-31 or 31/3/2021"))


def year_arg(raw: str) -> int:
    """An argparse type for --year: a plausible calendar year.

    Plain ``int`` let ``--year 0`` or ``--year -5`` through, and ``set --year 0`` then wrote a
    figure for year 0 that ``check`` afterwards reports as a problem: refuse it as a usage error.
    """
    try:
        year = int(raw)
    except ValueError:
        shown = text.sanitize(raw)
        raise argparse.ArgumentTypeError(tr(f"năm không hợp lệ: '{shown}'", f"invalid year: '{shown}'")) from None
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise argparse.ArgumentTypeError(tr(f"năm {year} nằm ngoài {YEAR_MIN}..{YEAR_MAX}",
                                             f"year {year} is outside {YEAR_MIN}..{YEAR_MAX}"))
    return year


def whole_arg(raw: str) -> int:
    """An argparse type for a whole number (a port, a task number)."""
    try:
        return int(raw)
    except ValueError:
        shown = text.sanitize(raw)
        raise argparse.ArgumentTypeError(tr(f"'{shown}' không phải là số nguyên",
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


def _thidua_parsers(add: Any, act: Any, h: Callable[[str, str], str], year_latest: str, unit_help: str) -> None:
    """score (template, set, show), rank, commend (add, list, approve, remove), pact (sign)."""
    stage_help = h("vòng chấm: self (tự chấm), peer (cụm thẩm định) hoặc final (huyện chấm)",
                   "stage: self (self-score), peer (peer check) or final (district score)")
    sc = add("score", h("bảng điểm thi đua và điểm chấm của các đơn vị", "the points table and the units' scores"))
    ssub = sc.add_subparsers(dest="score_command", parser_class=Parser, metavar=h("VIỆC", "ACTION"), required=True,
                             title=h("việc", "actions"))
    stp = act(ssub, "template", h("xem bảng điểm của năm (dòng theo lĩnh vực, điểm tối đa, xếp loại) hoặc nhập bảng mới",
                                  "show the year's points table (lines by area, maxima, bands) or import a new one"))
    stp.add_argument("--year", type=year_arg, help=year_latest)
    stp.add_argument("--json", action="store_true", help=h("in một đối tượng JSON", "print one JSON object"))
    stp.add_argument("--import", dest="import_file", metavar=h("TỆP", "FILE"),
                     help=h("nhập bảng điểm từ tệp .json (dạng của --json) hoặc .xlsx (trang lines: code, area, title, "
                            "max, min; trang bands: name, low, high); sai thì không ghi gì",
                            "import the table from a .json (as --json prints it) or .xlsx file (sheet lines: code, "
                            "area, title, max, min; sheet bands: name, low, high); nothing is written on error"))
    sst = act(ssub, "set", h("chấm điểm một dòng cho một đơn vị; in cũ → mới", "score one line for a unit; prints old → new"))
    sst.add_argument("unit", help=unit_help)
    sst.add_argument("line", help=h("mã dòng trong bảng điểm (xem `ccb-tui score template`)",
                                    "line code in the points table (see `ccb-tui score template`)"))
    sst.add_argument("points", help=h("số điểm kiểu Việt Nam: 9,5 hoặc 88,25 ('none' để xóa)",
                                      "points, Vietnamese style: 9,5 or 88,25 ('none' to clear)"))
    sst.add_argument("--stage", required=True, help=stage_help)
    sst.add_argument("--year", type=year_arg, help=year_latest)
    sst.add_argument("--note", help=h("nhận xét kèm điểm", "a comment with the points"))
    sst.add_argument("--evidence", help=h("minh chứng (sổ sách, số liệu)", "evidence (ledgers, figures)"))
    sst.add_argument("--expect", metavar="OLD", help=h("chỉ sửa nếu điểm hiện tại là OLD ('none': chưa chấm)",
                                                       "only change if the current points are OLD ('none': not scored)"))
    ssh = act(ssub, "show", h("điểm của một đơn vị theo từng dòng và từng vòng chấm, kèm đề xuất theo quy tắc",
                              "a unit's points per line and stage, with the rules' proposals"))
    ssh.add_argument("unit", help=unit_help)
    ssh.add_argument("--stage", help=stage_help)
    ssh.add_argument("--year", type=year_arg, help=year_latest)

    rk = add("rank", h("xếp hạng thi đua của cụm: tổng điểm, xếp loại, bằng điểm cùng hạng, chênh lệch giữa các vòng",
                       "the cluster's ranking: totals, bands, shared ranks, differences between stages"))
    rk.add_argument("--year", type=year_arg, help=year_latest)
    rk.add_argument("--stage", help=h("vòng chấm (mặc định: vòng mới nhất đã có điểm)",
                                      "stage (default: the latest stage with points)"))
    rk.add_argument("--json", action="store_true", help=h("in một đối tượng JSON", "print one JSON object"))

    cm = add("commend", h("đề nghị khen thưởng tập thể, cá nhân", "commendations proposed for units and people"))
    csub = cm.add_subparsers(dest="commend_command", parser_class=Parser, metavar=h("VIỆC", "ACTION"), required=True,
                             title=h("việc", "actions"))
    ca = act(csub, "add", h("thêm một đề nghị khen thưởng", "add a commendation"))
    ca.add_argument("--year", type=year_arg, required=True, help=h("năm thi đua", "the emulation year"))
    ca.add_argument("--unit", help=h("đơn vị được khen (tập thể), hoặc đơn vị của người được khen",
                                     "the unit commended, or the person's unit"))
    ca.add_argument("--person", help=h("họ tên người được khen (cá nhân)", "the person commended (an individual)"))
    ca.add_argument("--form", required=True, help=h("hình thức: Giấy khen, Bằng khen, Cờ thi đua…",
                                                    "form: Giấy khen, Bằng khen, Cờ thi đua…"))
    ca.add_argument("--level", required=True, help=h("cấp khen: Hội CCB huyện, UBND huyện, Hội CCB tỉnh…",
                                                     "level: Hội CCB huyện, UBND huyện, Hội CCB tỉnh…"))
    ca.add_argument("--reason", required=True, help=h("thành tích, lý do khen", "the achievement, the reason"))
    ca.add_argument("--status", help=h("proposed (đề nghị, mặc định) hoặc approved (được duyệt)",
                                       "proposed (the default) or approved"))
    cl = act(csub, "list", h("liệt kê các đề nghị khen thưởng của năm", "list the year's commendations"))
    cl.add_argument("--year", type=year_arg, help=year_latest)
    cl.add_argument("--json", action="store_true", help=h("in một mảng JSON", "print a JSON array"))
    cap = act(csub, "approve", h("đánh dấu một đề nghị là được duyệt", "mark a commendation approved"))
    cap.add_argument("id", type=whole_arg, help=h("số của đề nghị (xem `ccb-tui commend list`)",
                                                  "the commendation's number (see `ccb-tui commend list`)"))
    crm = act(csub, "remove", h("xóa một đề nghị khen thưởng", "remove a commendation"))
    crm.add_argument("id", type=whole_arg, help=h("số của đề nghị (xem `ccb-tui commend list`)",
                                                  "the commendation's number (see `ccb-tui commend list`)"))

    pc = add("pact", h("giao ước thi đua: ghi, xem ngày ký", "the emulation pact: record or show the day it was signed"))
    psub = pc.add_subparsers(dest="pact_command", parser_class=Parser, metavar=h("VIỆC", "ACTION"), required=True,
                             title=h("việc", "actions"))
    ps = act(psub, "sign", h("ghi ngày ký giao ước thi đua của năm", "record the day the year's pact was signed"))
    ps.add_argument("--year", type=year_arg, help=year_latest)
    ps.add_argument("--date", type=date_arg, metavar=h("NGÀY", "DATE"),
                    help=h("ngày ký (15/1/2021 hoặc 2021-01-15; mặc định: hôm nay theo múi giờ của cụm)",
                           "the day signed (15/1/2021 or 2021-01-15; default: today in the cluster's time zone)"))
    pshow = act(psub, "show", h("xem ngày ký giao ước thi đua (mọi năm, hoặc một năm)",
                                "show the day each year's pact was signed (or one year's)"))
    pshow.add_argument("--year", type=year_arg, help=h("chỉ năm này", "only this year"))
    pshow.add_argument("--json", action="store_true", help=h("in một mảng JSON", "print a JSON array"))


def _build_parser(lang: str, h: Callable[[str, str], str]) -> argparse.ArgumentParser:
    common = _common(h)
    p = Parser(prog="ccb-tui", parents=[common], lang=lang,
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
    p.add_argument("--year", type=year_arg, help=h("năm mở bảng điều khiển", "year to open the dashboard on"))
    sub = p.add_subparsers(dest="command", parser_class=Parser, metavar=h("LỆNH", "COMMAND"),
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
    s.add_argument("--year", type=year_arg, help=year_latest)
    s.add_argument("--json", action="store_true", help=h("in một đối tượng JSON", "print one JSON object"))

    s = add("compare", h("so sánh hai năm: số liệu từng đơn vị và tổng cụm, mức thay đổi và phần trăm",
                         "compare two years: each unit's figures and the cluster totals, the change and percent"))
    s.add_argument("--from", dest="from_year", type=year_arg, required=True, metavar=h("NĂM", "YEAR"),
                   help=h("năm gốc để so sánh", "the year to compare from"))
    s.add_argument("--to", dest="to_year", type=year_arg, required=True, metavar=h("NĂM", "YEAR"),
                   help=h("năm so với năm gốc", "the year to compare with it"))
    s.add_argument("--json", action="store_true",
                   help=h("in một đối tượng JSON (tiền tính bằng đồng)", "print one JSON object (money in đồng)"))

    s = add("set", h("ghi số liệu của một đơn vị cho một chỉ tiêu", "set a unit's figure for an indicator"))
    s.add_argument("unit", help=unit_help)
    s.add_argument("indicator", help=indicator_help)
    s.add_argument("value", nargs="?", help=h("giá trị viết kiểu Việt Nam: 1.500, 6,7 tỷ, 248,6 triệu",
                                              "value in Vietnamese style: 1.500, 6,7 tỷ, 248,6 triệu"))
    s.add_argument("--year", type=year_arg, help=year_latest)
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
    s.add_argument("--year", type=year_arg, help=year_latest)
    s.add_argument("--expect", metavar="OLD", help=h("chỉ sửa nếu kế hoạch hiện tại là OLD ('none': chưa có)",
                                                     "only change if the current target is OLD ('none': no target)"))

    yr = add("year", h("năm hiện hành (mọi lệnh và bảng điều khiển mở năm này); mở năm mới",
                       "the current year every command and the dashboard open on; opening a new year"))
    ysub = yr.add_subparsers(dest="year_command", parser_class=Parser, metavar=h("VIỆC", "ACTION"),
                             title=h("việc", "actions"))
    act(ysub, "list", h("các năm có trong dữ liệu, đánh dấu năm hiện hành",
                        "the years in the store, the current one marked"))
    yc = act(ysub, "current", h("đặt năm hiện hành cho mọi người", "set the current year, for everyone"))
    yc.add_argument("year", type=year_arg, help=h("một năm đã có trong dữ liệu", "a year the store already has"))
    yo = act(ysub, "open", h("mở một năm mới và đặt làm năm hiện hành (các đơn vị được giữ nguyên)",
                             "open a new year and make it current (the units carry forward)"))
    yo.add_argument("year", type=year_arg, help=h("năm cần mở, muộn nhất là năm sau", "the year to open, at most next year"))
    yo.add_argument("--from", dest="from_year", type=year_arg, metavar=h("NĂM", "YEAR"),
                    help=h("mang bảng điểm thi đua và danh mục nhiệm vụ (chưa có trạng thái) của năm này sang",
                           "carry this year's points table and task checklist (without statuses) forward"))

    add("indicators", h("liệt kê danh mục chỉ tiêu", "list the indicator catalogue"))

    _thidua_parsers(add, act, h, year_latest, unit_help)
    cluster_parsers(add, act, h, unit_help, year_arg)

    t = add("task", h("danh mục nhiệm vụ của năm", "the year's task checklist"))
    tsub = t.add_subparsers(dest="task_command", parser_class=Parser, metavar=h("VIỆC", "ACTION"), required=True,
                            title=h("việc", "actions"))
    tl = act(tsub, "list", h("liệt kê nhiệm vụ và trạng thái của từng đơn vị", "list tasks and each unit's status"))
    tl.add_argument("--year", type=year_arg, help=year_latest)
    ts = act(tsub, "set", h("đặt trạng thái của một đơn vị với một nhiệm vụ", "set a unit's status on a task"))
    ts.add_argument("task_id", type=whole_arg, help=task_id_help)
    ts.add_argument("unit", help=unit_help)
    ts.add_argument("state", help=h("chưa | đang | xong", "todo | doing | done (or chưa | đang | xong)"))
    ts.add_argument("--note", help=h("ghi chú kèm trạng thái", "a note with the status"))
    ts.add_argument("--expect", metavar="STATE", help=h("chỉ sửa nếu trạng thái hiện tại là STATE",
                                                        "only change if the current status is STATE"))
    ta = act(tsub, "add", h("thêm một nhiệm vụ", "add a task"))
    ta.add_argument("title", help=h("tên nhiệm vụ", "the task's title"))
    ta.add_argument("--year", type=year_arg, help=year_latest)
    ta.add_argument("--note", default="", help=h("ghi chú", "a note"))
    te = act(tsub, "edit", h("sửa tên hoặc ghi chú của một nhiệm vụ", "change a task's title or note"))
    te.add_argument("task_id", type=whole_arg, help=task_id_help)
    te.add_argument("--title", help=h("tên mới", "the new title"))
    te.add_argument("--note", help=h("ghi chú mới", "the new note"))
    tr = act(tsub, "remove", h("xóa một nhiệm vụ", "remove a task"))
    tr.add_argument("task_id", type=whole_arg, help=task_id_help)

    u = add("unit", h("các đơn vị trong cụm", "the cluster's units"))
    usub = u.add_subparsers(dest="unit_command", parser_class=Parser, metavar=h("VIỆC", "ACTION"), required=True,
                            title=h("việc", "actions"))
    ul = act(usub, "list", h("liệt kê đơn vị", "list units"))
    ul.add_argument("--year", type=year_arg, help=h("chỉ các đơn vị trong cụm năm đó, với tên năm đó",
                                                 "only the units in the cluster that year, named as then"))
    ua = act(usub, "add", h("thêm một đơn vị", "add a unit"))
    ua.add_argument("code", help=h("mã ngắn, không dấu, ví dụ ea_kiet", "short code without accents, e.g. ea_kiet"))
    ua.add_argument("name", help=h("tên chính thức, ví dụ \"Xã Ea Kiết\"", "official name, e.g. \"Xã Ea Kiết\""))
    ua.add_argument("--year", type=year_arg, required=True, help=h("năm đầu tiên trong cụm", "first year in the cluster"))
    ua.add_argument("--kind", default="xa", choices=("xa", "thi_tran", "phuong", "khac"),
                    help=h("loại đơn vị: xã, thị trấn, phường hoặc khác (mặc định: xa)",
                           "kind of unit: commune, township, ward or other (default: xa)"))
    ua.add_argument("--cluster", metavar=h("CỤM", "CLUSTER"), help=h("cụm của đơn vị (mặc định: cụm hiện hành)",
                                                                     "the unit's cluster (default: the current one)"))
    ur = act(usub, "rename", h("đổi tên một đơn vị", "rename a unit"))
    ur.add_argument("unit", help=unit_help)
    ur.add_argument("name", help=h("tên mới", "the new name"))
    ur.add_argument("--year", type=year_arg,
                    help=h("tên mới dùng từ năm này (mặc định: sửa tên hiện tại)",
                           "the new name applies from this year (default: correct the current name)"))
    ut = act(usub, "retire", h("cho một đơn vị rời cụm từ một năm (giữ lịch sử)",
                               "retire a unit from a year on (history is kept)"))
    ut.add_argument("unit", help=unit_help)
    ut.add_argument("--year", type=year_arg, required=True, help=h("năm đầu tiên không còn trong cụm",
                                                                "the first year it is no longer in the cluster"))
    ut.add_argument("--drop-later", action="store_true",
                    help=h("xóa luôn số liệu và chỉ tiêu của đơn vị từ năm đó trở đi (có ghi nhật ký)",
                           "also remove the unit's figures and targets of that year and later (audited)"))

    um = act(usub, "merge", h("gộp hai hay nhiều đơn vị thành một đơn vị mới từ một năm (các đơn vị cũ ngừng từ năm đó)",
                              "merge two or more units into a new unit from a year on (the old ones are retired then)"))
    um.add_argument("units", nargs="+", metavar=h("ĐƠN_VỊ", "UNIT"),
                    help=h("các đơn vị được gộp (mã hoặc tên), ít nhất hai", "the units to merge (code or name), at least two"))
    um.add_argument("--into", required=True, metavar=h("MÃ", "CODE"),
                    help=h("mã của đơn vị mới, không dấu, ví dụ krong_nam", "the new unit's code, unaccented, e.g. krong_nam"))
    um.add_argument("--name", required=True, metavar=h("TÊN", "NAME"), help=h("tên của đơn vị mới, ví dụ \"Xã Krông Nam\"",
                                                    "the new unit's name, e.g. \"Xã Krông Nam\""))
    um.add_argument("--year", type=year_arg, required=True,
                    help=h("năm đầu tiên của đơn vị mới; các năm trước giữ nguyên đơn vị cũ",
                           "the new unit's first year; earlier years keep the old units"))
    um.add_argument("--kind", choices=("xa", "thi_tran", "phuong", "khac"),
                    help=h("loại đơn vị mới (mặc định: loại chung của các đơn vị cũ, không thì xa)",
                           "the new unit's kind (default: the old units' common kind, else xa)"))
    um.add_argument("--cluster", metavar=h("MÃ_CỤM", "CLUSTER"),
                    help=h("cụm của đơn vị mới; chỉ cần khi các đơn vị cũ thuộc các cụm khác nhau",
                           "the new unit's cluster; needed only when the old units are in different clusters"))
    usp = act(usub, "split", h("tách một đơn vị thành các đơn vị mới từ một năm, nêu tỷ lệ số liệu của mỗi đơn vị mới",
                               "split a unit into new units from a year on, stating each new unit's share of its figures"))
    usp.add_argument("unit", help=unit_help)
    usp.add_argument("--into", nargs=3, action="append", required=True,
                     metavar=(h("MÃ", "CODE"), h("TÊN", "NAME"), h("TỶ_LỆ", "SHARE")),
                     help=h("một đơn vị mới: mã, tên và tỷ lệ số liệu của đơn vị cũ (0,6 hoặc 60%%); "
                            "lặp lại cho mỗi đơn vị mới, các tỷ lệ cộng lại đúng 100%%",
                            "one new unit: code, name and its share of the old unit's figures (0,6 or 60%%); "
                            "repeat for each new unit, the shares adding up to exactly 100%%"))
    usp.add_argument("--year", type=year_arg, required=True,
                     help=h("năm đầu tiên của các đơn vị mới; các năm trước giữ nguyên đơn vị cũ",
                            "the new units' first year; earlier years keep the old unit"))
    usp.add_argument("--cluster", metavar=h("MÃ_CỤM", "CLUSTER"),
                     help=h("cụm của các đơn vị mới (mặc định: cụm của đơn vị cũ năm trước đó)",
                            "the new units' cluster (default: the old unit's the year before)"))

    add("check", h("kiểm tra tệp dữ liệu và đối chiếu tổng với số báo cáo; mã thoát 0 chỉ khi không có vấn đề",
                   "validate the store and reconcile totals with the reported figures; exit 0 only when clean"))

    lg = add("log", h("nhật ký thay đổi: ai sửa gì, lúc nào, cũ → mới", "the audit log: who changed what, when, old → new"))
    lg.add_argument("--since", type=date_arg, metavar="DATE", help=h("từ ngày này (2021-03-31 hoặc 31/3/2021)",
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
    ex.add_argument("--year", type=year_arg, help=year_latest)
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
    im.add_argument("--year", type=year_arg, help=h("chỉ năm này: dòng của năm khác bị từ chối; "
                                                 "điền năm cho dòng để trống ô Năm",
                                                 "only this year: rows of another year are refused; "
                                                 "fills rows whose Năm cell is empty"))

    rp = add("report", h("lập báo cáo họp: tổng, so với kế hoạch, biểu đồ, nhiệm vụ, các thay đổi",
                         "write the meeting report: totals, plan vs actual, charts, checklist, changes"))
    rp.add_argument("--year", type=year_arg, help=year_latest)
    rp.add_argument("--since", type=date_arg, metavar="DATE",
                    help=h("liệt kê các thay đổi từ ngày này (theo nhật ký)", "list the changes from this day on (audit log)"))
    rp.add_argument("-o", "--output", required=True, metavar="FILE",
                    help=h("FILE.md, FILE.html hoặc FILE.pdf (khổ A4, cần WeasyPrint) ('-' là in ra màn hình, dạng md)",
                           "FILE.md, FILE.html or FILE.pdf (A4, needs WeasyPrint) ('-' for stdout, md)"))
    rp.add_argument("--format", "-f", choices=("md", "html", "pdf"),
                    help=h("định dạng (mặc định: theo đuôi của -o)", "format (default: from the -o suffix)"))
    rp.add_argument("--force", action="store_true", help=force_help)

    st = add("settings", h("các thiết lập chung: tiêu đề báo cáo, địa danh, người ký, múi giờ (liệt kê, hoặc set KHÓA GIÁ_TRỊ)",
                           "the store's settings: report header, place, signer, time zone (list, or set KEY VALUE)"))
    stsub = st.add_subparsers(dest="settings_command", parser_class=Parser, metavar=h("VIỆC", "ACTION"),
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
    sv.add_argument("--port", type=whole_arg, default=8000, help=h("cổng (mặc định: 8000)", "port (default: 8000)"))
    sv.add_argument("--read-only", action="store_true", default=argparse.SUPPRESS,
                    help=h("chỉ xem; không bao giờ ghi vào tệp dữ liệu", "browse only; the store is never written"))
    sv.add_argument("--allow-remote", action="store_true",
                    help=h("cho phép --host không phải máy này (không có đăng nhập: ai tới được cổng đều sửa được)",
                           "allow a non-loopback --host (there is no login: anyone reaching the port can edit)"))
    sv.add_argument("--public-url", metavar="URL",
                    help=h("địa chỉ trình duyệt dùng, khi khác (ví dụ http://localhost:9000 qua đường hầm SSH)",
                           "the URL the browser uses, when it differs (e.g. http://localhost:9000 through a tunnel)"))
    add_cluster_options(sub, h)
    return p
