"""Import: the rows of a returned file turned into checked, conditional changes.

Every row is validated against ONE snapshot and every problem is collected with its cell
("Số liệu!G7 (Giá trị): 'mười hai' không phải là số") before anything is written; the changes then
go to ``Store.apply_batch`` in one transaction, each with the value it was planned from as
``expect``. The layout (parts, columns) is ``core.exchange``'s. Headless.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..domain import indicators, scoring, text
from ..domain.clusters import not_in_cluster
from ..domain.errors import InvalidValue, Problem, UsageError
from ..domain.fmt import NumberFormatError, parse_number
from ..domain.indicators import Indicator
from ..domain.models import (
    NOT_REPORTED, QUALIFIER_ALIASES, TASK_STATE_ALIASES, Msg, Number, Qualifier, Reading, Snapshot, Status,
    Target, Task, TaskState, TaskStatus, Unit,
)
from ..domain.validation import resolve_indicator, resolve_unit, validate_reading, validate_target, validate_unit_year
from ..store import THIDUA_TEXT_LIMIT, Store
from ..store import describe_value as describe
from .layout import HEADERS, IMPORTED, NO, SECTION_ALIASES, SHEETS, STATUS_ALIASES, YEAR_MAX, YEAR_MIN, YES
from .files import Cell, Row, Table, guarded, read_csv, read_json, read_xlsx, refuse
from .limits import MAX_PROBLEMS, QUOTE_CHARS, quote
from .commend_import import plan_commendations

MAX_MAGNITUDE = 10**15  # far above any indicator's bound (10¹³ đồng), far below float trouble


# --- import: reading --------------------------------------------------------------------------

class _Headers:
    """Maps header texts to column keys: the Vietnamese header or the key, accents optional."""

    def __init__(self) -> None:
        self.index = {text.fold(label): key for key, label in HEADERS.items()}
        self.index.update({key: key for key in HEADERS})
        self.index.update({text.fold(key.replace("_", " ")): key for key in HEADERS})

    def __call__(self, headers: list[str]) -> tuple[list[str | None], list[tuple[int, str, str]]]:
        keys: list[str | None] = []
        bad: list[tuple[int, str, str]] = []
        seen: dict[str, int] = {}
        for i, h in enumerate(headers):
            key = self.index.get(text.fold(h)) if h else None
            if key is not None and key in seen:
                bad.append((i, f"cột «{quote(h)}» bị lặp (đã có ở cột thứ {seen[key] + 1})",
                            f"column «{quote(h)}» appears twice (also column {seen[key] + 1})"))
                key = None
            if key is not None:
                seen[key] = i
            keys.append(key)
        return keys, bad

    @staticmethod
    def label(key: str) -> str:
        return HEADERS[key]


def match_section(name: Any) -> str | None:
    """The part a sheet name or "Phần" cell names ("Số liệu", "so lieu", "values"), or None."""
    if not isinstance(name, str):
        return None
    key = text.fold(name)
    for section, title in SHEETS.items():
        if key in (text.fold(title), section, *SECTION_ALIASES[section]):
            return section
    return None


def read_tables(path: str | Path) -> tuple[list[Table], list[Msg], str]:
    """The file's parts as tables of located cells, the problems met while reading, and the format."""
    path = Path(path).expanduser()
    suffix = path.suffix.lower()
    headers = _Headers()
    if suffix == ".csv":
        tables, problems = read_csv(path, match_section, headers, "section")
        return tables, problems, "csv"
    if suffix in (".xlsx", ".xlsm"):
        tables, problems = read_xlsx(path, match_section, headers)
        return tables, problems, "xlsx"
    if suffix == ".json":
        tables, problems = read_json(path, IMPORTED)
        return tables, problems, "json"
    raise UsageError(Msg(f"Chỉ nhập được tệp .xlsx, .csv hoặc .json (tệp xuất của ccb-tui), không phải '{path.name}'.",
                         f"Only .xlsx, .csv or .json files (a ccb-tui export) can be imported, not '{path.name}'."))


# --- import: planning -------------------------------------------------------------------------

@dataclass(frozen=True)
class PlannedChange:
    """One change an import would make, as the store will apply it and as a person reads it."""

    kind: str  # "value" | "target" | "task" | "score" | "commendation"
    what: str
    old: str
    new: str
    batch: tuple[Any, ...]

    def text(self) -> str:
        """"what: old → new"."""
        return f"{self.what}: {self.old} → {self.new}"


@dataclass(frozen=True)
class ImportPlan:
    """What an import would change, based on the snapshot at ``revision``."""

    source: str
    fmt: str
    revision: int
    changes: tuple[PlannedChange, ...]
    unchanged: int
    kept_commendations: int = 0
    """Commendations of the file's years that the file leaves out: kept, never removed."""
    cluster: str | None = None
    """The cluster every row's unit was checked to be in; checked again as the plan is applied."""

    def count(self, kind: str) -> int:
        """How many changes of ``kind``."""
        return sum(c.kind == kind for c in self.changes)

    def summary(self, lang: str = "vi") -> str:
        """"3 số liệu, 1 chỉ tiêu, 2 trạng thái nhiệm vụ thay đổi; 40 không đổi"."""
        v, t, s, p = self.count("value"), self.count("target"), self.count("task"), self.count("score")
        k, kept = self.count("commendation"), self.kept_commendations
        if lang == "en":
            scores = f", {p} score{'s' * (p != 1)}" if p else ""
            commends = f", {k} commendation{'s' * (k != 1)}" if k else ""
            left = (f"; {kept} commendation{'s' * (kept != 1)} not in the file kept (an import never removes one)"
                    if kept else "")
            return (f"{v} figure{'s' * (v != 1)}, {t} target{'s' * (t != 1)}, {s} task status"
                    f"{'es' * (s != 1)}{scores}{commends} changed; {self.unchanged} unchanged{left}")
        scores = f", {p} điểm chấm" if p else ""
        commends = f", {k} khen thưởng" if k else ""
        left = f"; {kept} khen thưởng không có trong tệp được giữ nguyên (nhập không xóa)" if kept else ""
        return (f"{v} số liệu, {t} chỉ tiêu, {s} trạng thái nhiệm vụ{scores}{commends} thay đổi; "
                f"{self.unchanged} không đổi{left}")


class _TooManyProblems(Exception):
    """Raised once :data:`MAX_PROBLEMS` are collected: the rest of the file is not checked."""


class _Planner:
    """Turns located rows into checked changes against one snapshot, collecting every problem
    (up to :data:`MAX_PROBLEMS`: a file with more is not worth checking to the end)."""

    def __init__(self, snap: Snapshot, year: int | None, problems: list[Problem] | None = None) -> None:
        self.snap = snap
        self.year = year
        self.cluster = snap.default_cluster()
        """Every row's unit must be in this cluster in the row's year (``--cluster``, else the
        current one), as ``set`` refuses a unit of another cluster."""
        self.problems: list[Problem] = problems if problems is not None else []
        self.changes: list[PlannedChange] = []
        self.unchanged = 0
        self.kept_commendations = 0
        self.value_locs: dict[tuple[str, str, int], Cell] = {}
        self.new_readings: dict[tuple[str, int], dict[str, Reading]] = defaultdict(dict)
        # The same unit or indicator text is looked up once (a miss costs a fuzzy "did you mean").
        self._units: dict[tuple[str, int], Unit | Msg] = {}
        self._indicators: dict[str, Indicator | Msg] = {}

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)
        if len(self.problems) >= MAX_PROBLEMS:
            raise _TooManyProblems()

    def planned(self, kind: str, what: str, old: str, new: str, batch: tuple[Any, ...]) -> None:
        """Record one change the import would make."""
        self.changes.append(PlannedChange(kind, what, old, new, batch))

    def bad(self, cell: Cell, vi: str, en: str) -> None:
        self.add(Problem(cell.loc_vi, cell.at(vi, en)))

    def bad_msg(self, cell: Cell, msg: Msg) -> None:
        self.add(Problem(cell.loc_vi, cell.at(msg.vi, msg.en)))

    def _resolve(self, cache: dict[Any, Any], key: Any, raw: str, resolve: Any, what_vi: str, what_en: str) -> Any:
        """A cached lookup; text longer than any code or name is refused without a fuzzy search
        (whose message would also echo all of it)."""
        if key not in cache:
            if len(raw) > QUOTE_CHARS:
                cache[key] = Msg(f"không có {what_vi} «{quote(raw)}»", f"there is no {what_en} «{quote(raw)}»")
            else:
                try:
                    cache[key] = resolve()
                except InvalidValue as exc:
                    cache[key] = exc.msg
        return cache[key]

    # cells

    def usable(self, cell: Cell) -> bool:
        """False (after saying why) for formulas and error values, which are never evaluated."""
        if cell.kind == "formula":
            self.bad(cell, f"công thức '{_short(cell.value)}' không được chấp nhận (không tính công thức); "
                           f"hãy nhập giá trị", f"formula '{_short(cell.value)}' refused (formulas are not "
                           f"evaluated); enter the value itself")
            return False
        if cell.kind == "error":
            self.bad(cell, f"ô lỗi '{_short(cell.value)}'", f"error value '{_short(cell.value)}'")
            return False
        return True

    def number(self, cell: Cell) -> tuple[bool, Number | None]:
        """(ok, value): None for an empty cell; Vietnamese text ("1.500", "6,7 tỷ") or a number cell."""
        if cell.empty:
            return True, None
        if not self.usable(cell):
            return False, None
        if cell.kind == "number":
            return self.sane(cell, cell.value)
        if cell.kind != "text":
            self.bad(cell, f"'{_short(cell.value)}' không phải là số", f"'{_short(cell.value)}' is not a number")
            return False, None
        raw = str(cell.value)
        try:
            return self.sane(cell, parse_number(raw))
        except NumberFormatError as exc:
            if exc.code == "dot_decimal":  # "1.5": a dot before 1-2 digits can only be a decimal point
                try:
                    return self.sane(cell, float(raw.strip()))
                except ValueError:
                    pass
            if exc.code == "not_a_number":
                self.bad(cell, f"'{_short(raw)}' không phải là số", f"'{_short(raw)}' is not a number")
            else:
                self.bad(cell, exc.message_vi, exc.message_en)
            return False, None

    def sane(self, cell: Cell, v: Number) -> tuple[bool, Number | None]:
        """Whole floats as ints; absurd magnitudes and inf/nan refused here (the validators would
        overflow on a 400-digit integer)."""
        if isinstance(v, float):
            if not math.isfinite(v):
                self.bad(cell, f"'{_short(cell.value)}' không phải là một số cụ thể", f"'{_short(cell.value)}' is not a finite number")
                return False, None
            if v.is_integer():
                v = int(v)
        if abs(v) > MAX_MAGNITUDE:
            self.bad(cell, f"'{_short(cell.value)}' quá lớn", f"'{_short(cell.value)}' is far too large")
            return False, None
        return True, v

    def integer(self, cell: Cell, what_vi: str, what_en: str) -> int | None:
        ok, v = self.number(cell)
        if not ok:
            return None
        if v is None or not float(v).is_integer():
            self.bad(cell, f"cần {what_vi} (số nguyên)", f"needs {what_en} (a whole number)")
            return None
        return int(v)

    def row_year(self, row: Row) -> int | None:
        cell = row.get("year")
        if cell.empty:
            if self.year is None:
                self.bad(cell, "thiếu năm (điền cột Năm hoặc dùng --year)", "no year (fill the Năm column or pass --year)")
            return self.year
        year = self.integer(cell, "năm", "a year")
        if year is None:
            return None
        if not YEAR_MIN <= year <= YEAR_MAX:
            self.bad(cell, f"năm {year} nằm ngoài {YEAR_MIN}..{YEAR_MAX}", f"year {year} is outside {YEAR_MIN}..{YEAR_MAX}")
            return None
        if self.year is not None and year != self.year:
            self.bad(cell, f"năm {year} khác với --year {self.year}", f"year {year} differs from --year {self.year}")
            return None
        return year

    def unit(self, row: Row, year: int) -> Unit | None:
        code, name = row.get("unit"), row.get("unit_name")
        cell = code if not code.empty else name
        if cell.empty:
            self.bad(cell, "thiếu đơn vị (Mã đơn vị hoặc Đơn vị)", "no unit (unit code or name)")
            return None
        if not self.usable(cell):
            return None
        raw = str(cell.value)
        u = self._resolve(self._units, (raw, year), raw, lambda: resolve_unit(self.snap, raw, year),
                          "đơn vị", "unit")
        if isinstance(u, Msg):
            self.bad_msg(cell, u)
            return None
        if not u.active(year):
            self.bad(cell, f"{u.name(year)} không có trong cụm năm {year}", f"{u.name(year)} is not in the cluster in {year}")
            return None
        return u if self.in_cluster(cell, u, year) else None

    def in_cluster(self, cell: Cell, u: Unit, year: int) -> bool:
        """False (after saying why, naming the unit's cluster) when ``u`` is in another cluster
        than the import's in ``year``."""
        why = not_in_cluster(self.snap, u, year, self.cluster)
        if why is not None:
            self.bad_msg(cell, why)
            return False
        return True

    def indicator(self, row: Row) -> Indicator | None:
        code, name = row.get("indicator"), row.get("indicator_name")
        cell = code if not code.empty else name
        if cell.empty:
            self.bad(cell, "thiếu chỉ tiêu (Mã chỉ tiêu hoặc Chỉ tiêu)", "no indicator (code or name)")
            return None
        if not self.usable(cell):
            return None
        raw = str(cell.value)
        ind = self._resolve(self._indicators, raw, raw, lambda: resolve_indicator(raw), "chỉ tiêu", "indicator")
        if isinstance(ind, Msg):
            self.bad_msg(cell, ind)
            return None
        return ind

    def word(self, cell: Cell, aliases: dict[str, Any], hint_vi: str, hint_en: str) -> tuple[bool, Any]:
        if cell.empty:
            return True, None
        if not self.usable(cell):
            return False, None
        if cell.kind == "bool":
            key = "true" if cell.value else "false"
        else:
            key = text.fold(str(cell.value))
        if key in aliases:
            return True, aliases[key]
        self.bad(cell, f"không hiểu '{_short(cell.value)}' (dùng: {hint_vi})", f"'{_short(cell.value)}' not understood (use: {hint_en})")
        return False, None

    def sample(self, row: Row, present: bool) -> tuple[bool, bool | None]:
        """(ok, flag): None when the file has no sample column (keep what the store says)."""
        if not present:
            return True, None
        aliases = {**{k: True for k in YES}, **{k: False for k in NO}}
        ok, flag = self.word(row.get("sample"), aliases, "mẫu hoặc để trống", "mẫu or blank")
        return ok, bool(flag)

    # rows

    def values(self, table: Table) -> None:
        seen: dict[tuple[str, str, int], int] = {}
        has_sample = "sample" in table.columns
        q_aliases = {**QUALIFIER_ALIASES, **{q.value: q for q in Qualifier}}
        for row in table.rows:
            year = self.row_year(row)
            u = self.unit(row, year) if year is not None else None
            ind = self.indicator(row)
            vcell = row.get("value")
            ok_v, value = self.number(vcell)
            ok_q, qualifier = self.word(row.get("qualifier"), q_aliases, "gần, trên, khoảng, hàng trăm hoặc để trống",
                                        "nearly, over, about, hundreds or blank")
            ok_s, status = self.word(row.get("status"), STATUS_ALIASES, "đã báo cáo, chưa báo cáo",
                                     "reported, not reported")
            ok_m, sample = self.sample(row, has_sample)
            if None in (year, u, ind) or not (ok_v and ok_q and ok_s and ok_m):
                continue
            key = (u.code, ind.code, year)
            if self.duplicate(seen, key, row, vcell, f"{u.name(year)} · {ind.label_vi} {year}",
                              f"{u.name(year)} · {ind.label_en} {year}"):
                continue
            status = status or (Status.REPORTED if value is not None else Status.NOT_REPORTED)
            qualifier = qualifier or Qualifier.EXACT
            probs = validate_reading(ind.code, value, qualifier, status)
            if probs:
                for p in probs:
                    self.bad_msg(vcell, p.msg)
                continue
            new = Reading(value, qualifier, status) if status is Status.REPORTED else NOT_REPORTED
            self.value_locs[key] = vcell
            self.new_readings[(u.code, year)][ind.code] = new
            cur = self.snap.reading(*key)
            confirm = cur.sample and cur.reported and sample is False
            if cur.same_as(new) and not confirm:
                self.unchanged += 1
                continue
            old_text = describe(ind.code, cur, "vi") + (" (số liệu mẫu)" if cur.sample and cur.reported else "")
            self.changes.append(PlannedChange("value", f"{u.name(year)} · {ind.label_vi} {year}", old_text,
                                              describe(ind.code, new, "vi"),
                                              ("value", u.code, ind.code, year, new, cur)))

    def targets(self, table: Table) -> None:
        seen: dict[tuple[str, str, int], int] = {}
        has_sample = "sample" in table.columns
        for row in table.rows:
            year = self.row_year(row)
            u = self.unit(row, year) if year is not None else None
            ind = self.indicator(row)
            tcell = row.get("target")
            ok_t, value = self.number(tcell)
            ok_m, sample = self.sample(row, has_sample)
            if None in (year, u, ind) or not (ok_t and ok_m):
                continue
            key = (u.code, ind.code, year)
            if self.duplicate(seen, key, row, tcell, f"{u.name(year)} · chỉ tiêu {ind.label_vi} {year}",
                              f"{u.name(year)} · target {ind.label_en} {year}"):
                continue
            if value is not None:
                probs = validate_target(ind.code, value)
                if probs:
                    for p in probs:
                        self.bad_msg(tcell, p.msg)
                    continue
            cur = self.snap.target(*key)
            cur_value = cur.value if cur else None
            confirm = cur is not None and cur.sample and sample is False
            if cur_value == value and not confirm:
                self.unchanged += 1
                continue
            new_t = Target(value) if value is not None else None
            self.changes.append(PlannedChange(
                "target", f"{u.name(year)} · chỉ tiêu {ind.label_vi} {year}",
                describe(ind.code, cur, "vi") + (" (số liệu mẫu)" if confirm or (cur and cur.sample) else ""),
                describe(ind.code, new_t, "vi"), ("target", u.code, ind.code, year, value, cur_value)))

    def tasks(self, table: Table) -> None:
        seen: dict[tuple[int, str], int] = {}
        has_note = "note" in table.columns
        for row in table.rows:
            year = self.row_year(row)
            task = self.task(row, year) if year is not None else None
            u = self.unit(row, year) if year is not None else None
            scell = row.get("status")
            ok_s, state = self.word(scell, TASK_STATE_ALIASES, "chưa thực hiện, đang thực hiện, hoàn thành",
                                    "todo, doing, done")
            ncell = row.get("note")
            note: str | None = None
            if has_note:
                if not self.usable(ncell):
                    continue
                note = "" if ncell.empty else text.sanitize_multiline(str(ncell.value))
            if None in (year, task, u) or not ok_s:
                continue
            if self.duplicate(seen, (task.id, u.code), row, scell, f"nhiệm vụ {task.id} · {u.name(year)}",
                              f"task {task.id} · {u.name(year)}"):
                continue
            state = state or TaskState.TODO
            cur = task.status(u.code)
            if cur.state is state and (note is None or note == cur.note):
                self.unchanged += 1
                continue
            old = cur.state.label("vi") + (f" «{cur.note}»" if cur.note and note is not None else "")
            new = state.label("vi") + (f" «{note}»" if note else "")
            self.changes.append(PlannedChange("task", f"{_short(task.title, 40)} · {u.name(year)}", old, new,
                                              ("task", task.id, u.code, state, note,
                                               TaskStatus(cur.state, cur.note))))

    def scores(self, table: Table) -> None:
        """A unit's filled scoring sheet: points (at most the line's maximum, 2 decimals), note and
        evidence per unit × line × stage; an empty Điểm is "not scored" and changes nothing."""
        seen: dict[tuple[str, str, int, str], int] = {}
        has_note, has_evidence = "note" in table.columns, "evidence" in table.columns
        stages = {**scoring.STAGE_ALIASES, **{text.fold(vi): code for code, (vi, _) in scoring.STAGE_LABELS.items()},
                  **{text.fold(en): code for code, (_, en) in scoring.STAGE_LABELS.items()}}
        for row in table.rows:
            year = self.row_year(row)
            template = self.template(row, year) if year is not None else None
            u = self.unit(row, year) if year is not None else None
            line = self.line(row, template) if template is not None else None
            scell = row.get("stage")
            ok_s, stage = self.word(scell, stages, "tự chấm, cụm thẩm định, huyện chấm", "self, peer, final")
            if ok_s and stage is None:
                self.bad(scell, "thiếu lần chấm (tự chấm, cụm thẩm định, huyện chấm)", "no stage (self, peer, final)")
                ok_s = False
            pcell = row.get("points")
            ok_p, pts = self.score_points(pcell, line)
            texts: dict[str, str | None] = {"note": None, "evidence": None}
            ok_t = True
            for key, present in (("note", has_note), ("evidence", has_evidence)):
                cell = row.get(key)
                if present and not cell.empty:
                    if not self.usable(cell):
                        ok_t = False
                        continue
                    clean = text.sanitize(str(cell.value))
                    if len(clean) > THIDUA_TEXT_LIMIT:  # the store's own limit, said per cell
                        self.bad(cell, f"dài {len(clean)} ký tự, tối đa {THIDUA_TEXT_LIMIT}",
                                 f"{len(clean)} characters long, at most {THIDUA_TEXT_LIMIT}")
                        ok_t = False
                        continue
                    texts[key] = clean
                elif present:
                    texts[key] = ""
            if None in (year, template, u, line) or not (ok_s and ok_p and ok_t):
                continue
            key = (u.code, line.code, year, stage)
            what_vi = f"{u.name(year)} · dòng {line.code} ({scoring.STAGE_LABELS[stage][0]}) {year}"
            if self.duplicate(seen, key, row, pcell, what_vi,
                              f"{u.name(year)} · line {line.code} ({scoring.STAGE_LABELS[stage][1]}) {year}"):
                continue
            if pts is None:  # not scored in the file: nothing to change
                self.unchanged += 1
                continue
            cur = self.snap.scores.get(key)
            note = texts["note"] if texts["note"] is not None else (cur.note if cur else "")
            evidence = texts["evidence"] if texts["evidence"] is not None else (cur.evidence if cur else "")
            if cur is not None and cur.points == pts and cur.note == note and cur.evidence == evidence:
                self.unchanged += 1
                continue
            from ..report.thidua import show_points
            proposal = scoring.propose(line, self.snap, u.code, year)
            if proposal is not None and proposal[0] != pts and not note.strip():
                # The store's rule (a reason for points other than the proposal), per cell.
                self.bad(pcell, f"{show_points(pts)} điểm khác điểm quy tắc đề xuất ({show_points(proposal[0])}: "
                                f"{proposal[1].vi}); ghi lý do vào cột Ghi chú",
                         f"{show_points(pts, 'en')} points is not what the rule proposes ({show_points(proposal[0], 'en')}: "
                         f"{proposal[1].en}); give the reason in the Ghi chú (note) column")
                continue
            old = show_points(cur.points) if cur is not None else "chưa chấm"
            new = show_points(pts) + (f" «{_short(note, 40)}»" if note and (cur is None or note != cur.note) else "")
            self.changes.append(PlannedChange("score", what_vi, old, new,
                                              ("score", u.code, line.code, year, stage, pts, note, evidence,
                                               cur.points if cur is not None else None)))

    def commendations(self, table: Table) -> None:
        """The Khen thưởng part (``commend_import``): changed and new commendations."""
        plan_commendations(self, table)

    def template(self, row: Row, year: int) -> scoring.Template | None:
        t = self.snap.templates.get(year)
        if t is None:
            cell = row.get("year")
            self.bad(cell, f"năm {year} chưa có bảng điểm thi đua (ccb-tui score template --import TỆP)",
                     f"{year} has no scoring template (ccb-tui score template --import FILE)")
        return t

    def line(self, row: Row, template: scoring.Template) -> scoring.Line | None:
        code, title = row.get("line"), row.get("line_title")
        if not code.empty:
            if not self.usable(code):
                return None
            raw = str(code.value).strip()
            if code.kind == "number" and isinstance(code.value, float):
                raw = repr(code.value)  # "1.2" typed into Excel comes back as the number 1.2
            found = template.line(raw)
            if found is None:
                self.bad(code, f"không có dòng «{quote(raw)}» trong bảng điểm năm {template.year}",
                         f"there is no line «{quote(raw)}» in the {template.year} template")
            return found
        if title.kind == "text":
            found_lines = [ln for ln in template.lines if text.fold(ln.title) == text.fold(str(title.value))]
            if len(found_lines) == 1:
                return found_lines[0]
            self.bad(title, f"không tìm thấy dòng «{_short(title.value, 60)}»; hãy điền Mã dòng",
                     f"no line «{_short(title.value, 60)}»; fill in the line code")
            return None
        self.bad(code, "thiếu mã dòng", "no line code")
        return None

    def score_points(self, cell: Cell, line: scoring.Line | None) -> tuple[bool, Decimal | None]:
        """(ok, points): None for an empty cell; Vietnamese text ("8,25") or a number cell, at
        most 2 decimals, within the line's minimum and maximum."""
        ok, v = self.number(cell)
        if not ok or v is None:
            return ok, None
        try:
            pts = scoring.points(repr(v) if isinstance(v, float) else v)
        except ValueError:
            self.bad(cell, f"điểm '{_short(cell.value)}' không hợp lệ (tối đa 2 chữ số thập phân, ví dụ 8,25)",
                     f"points '{_short(cell.value)}' are not valid (at most 2 decimals, e.g. 8.25)")
            return False, None
        if line is not None and not line.min_points <= pts <= line.max_points:
            from ..report.thidua import show_points
            if pts > line.max_points:
                self.bad(cell, f"{show_points(pts)} điểm vượt điểm tối đa {show_points(line.max_points)} của dòng {line.code}",
                         f"{show_points(pts, 'en')} points exceed line {line.code}'s maximum of "
                         f"{show_points(line.max_points, 'en')}")
            else:
                self.bad(cell, f"{show_points(pts)} điểm thấp hơn mức tối thiểu {show_points(line.min_points)} của dòng {line.code}",
                         f"{show_points(pts, 'en')} points are below line {line.code}'s minimum of "
                         f"{show_points(line.min_points, 'en')}")
            return False, None
        return True, pts

    def task(self, row: Row, year: int) -> Task | None:
        idc, titlec = row.get("task"), row.get("task_title")
        if not idc.empty:
            task_id = self.integer(idc, "mã nhiệm vụ", "a task id")
            if task_id is None:
                return None
            task = self.snap.task(task_id)
            if task is None:
                self.bad(idc, f"không có nhiệm vụ số {task_id} (xem: ccb-tui task list --year {year})",
                         f"there is no task {task_id} (see: ccb-tui task list --year {year})")
                return None
            if task.year != year:
                self.bad(idc, f"nhiệm vụ số {task_id} thuộc năm {task.year}, không phải {year}",
                         f"task {task_id} belongs to {task.year}, not {year}")
                return None
            if titlec.kind == "text" and text.fold(str(titlec.value)) != text.fold(task.title):
                self.bad(titlec, f"nhiệm vụ số {task_id} trong dữ liệu có tên khác: «{_short(task.title, 60)}»",
                         f"task {task_id} has another title in the store: «{_short(task.title, 60)}»")
                return None
            return task
        if titlec.kind != "text":
            self.bad(idc, "thiếu mã nhiệm vụ", "no task id")
            return None
        found = [t for t in self.snap.tasks_for(year) if text.fold(t.title) == text.fold(str(titlec.value))]
        if len(found) != 1:
            self.bad(titlec, f"không tìm thấy nhiệm vụ «{_short(titlec.value, 60)}» của năm {year}; hãy điền Mã nhiệm vụ",
                     f"no task «{_short(titlec.value, 60)}» in {year}; fill in the task id")
            return None
        return found[0]

    def duplicate(self, seen: dict[Any, int], key: Any, row: Row, cell: Cell, what_vi: str, what_en: str) -> bool:
        if key in seen:
            self.bad(cell, f"dòng trùng: {what_vi} đã có ở dòng {seen[key]}",
                     f"duplicate row: {what_en} is already on row {seen[key]}")
            return True
        seen[key] = row.number
        return False

    def cross_rules(self) -> None:
        """The unit-year rules (new members ≤ members, ...) over the result of the whole import."""
        for (unit, year), new in self.new_readings.items():
            readings = {c: new.get(c, self.snap.reading(unit, c, year)) for c in indicators.BY_CODE}
            for p in validate_unit_year(readings, unit, year):
                parts = p.field.split("/")
                cell = self.value_locs.get((unit, parts[1], year)) if len(parts) == 3 else None
                cell = cell or next(c for (u, _, y), c in self.value_locs.items() if (u, y) == (unit, year))
                self.bad_msg(cell, p.msg)


REQUIRED = {
    "values": (("value",), ("unit", "unit_name"), ("indicator", "indicator_name")),
    "targets": (("target",), ("unit", "unit_name"), ("indicator", "indicator_name")),
    "tasks": (("status",), ("unit", "unit_name"), ("task", "task_title")),
    "scores": (("points",), ("unit", "unit_name"), ("line", "line_title"), ("stage",)),
    "commendations": (("form",), ("level",), ("reason",), ("unit", "unit_name", "person")),
}


def _missing_columns(table: Table, year: int | None) -> list[Problem]:
    out = []
    needs = list(REQUIRED[table.section]) + ([] if year is not None else [("year",)])
    for options in needs:
        if not any(k in table.columns for k in options):
            names = " hoặc ".join(f"«{HEADERS[k]}»" for k in options)
            names_en = " or ".join(f"«{HEADERS[k]}»" for k in options)
            extra_vi = " (hoặc dùng --year)" if options == ("year",) else ""
            extra_en = " (or pass --year)" if options == ("year",) else ""
            out.append(Problem(table.header_loc_vi, Msg(
                f"{table.header_loc_vi}: thiếu cột {names}{extra_vi}. Các cột cần có: "
                + ", ".join(HEADERS[o[0]] for o in REQUIRED[table.section]),
                f"{table.header_loc_en}: missing column {names_en}{extra_en}. Required columns: "
                + ", ".join(HEADERS[o[0]] for o in REQUIRED[table.section]))))
    return out


def plan_import(snap: Snapshot, path: str | Path, *, year: int | None = None) -> ImportPlan:
    """Read ``path`` and work out every change against ``snap``; nothing is written.

    Raises InvalidValue listing every problem (each naming its cell) when any row is wrong.
    """
    name = Path(path).name
    tables, read_problems, fmt = read_tables(path)
    planner = _Planner(snap, year, [Problem(m.vi.split(":", 1)[0], m) for m in read_problems])
    usable = [t for t in tables if t.section in IMPORTED]
    if not usable and not planner.problems:
        raise refuse(f"{name}: không thấy phần nào để nhập (Số liệu, Chỉ tiêu, Nhiệm vụ, Chấm điểm, Khen thưởng).",
                     f"{name}: no part to import found (Số liệu, Chỉ tiêu, Nhiệm vụ, Chấm điểm, Khen thưởng).")
    stopped = False
    try:
        # A cell no check foresaw must still end as a refusal, never a traceback.
        with guarded(name, fmt.upper()):
            for table in usable:
                if not table.rows:
                    continue
                missing = _missing_columns(table, year)
                for p in missing:
                    planner.add(p)
                if not missing:
                    getattr(planner, table.section)(table)
            planner.cross_rules()
    except _TooManyProblems:
        stopped = True
    problems = planner.problems
    if problems:
        n = len(problems)
        if stopped:
            msg = Msg(f"Không nhập {name}: dừng lại sau {n} lỗi đầu tiên; dữ liệu không thay đổi.",
                      f"Not imported {name}: stopped after the first {n} problems; nothing changed.")
        else:
            msg = Msg(f"Không nhập {name}: {n} lỗi; dữ liệu không thay đổi.",
                      f"Not imported {name}: {n} problem{'s' * (n != 1)}; nothing changed.")
        raise InvalidValue(msg, problems)
    return ImportPlan(str(path), fmt, snap.revision, tuple(planner.changes), planner.unchanged,
                      planner.kept_commendations, planner.cluster)


def store_takes_scores(store: Store) -> bool:
    """Whether this store can write scores (``Store.set_score``, and the batch's "score" kind)."""
    return callable(getattr(store, "set_score", None))


def apply_plan(store: Store, plan: ImportPlan) -> int:
    """Apply a plan in one transaction, each change conditional on what it was planned from.

    A score change goes to the batch as ``("score", unit, line, year, stage, points, note,
    evidence, expect)``, ``expect`` being the points it was planned from (None: not scored); a
    commendation as ``("commendation", id or None, year, fields, expect)``, ``expect`` the
    Commendation it was planned from (None: a new proposal). A store without score support refuses
    the whole plan before anything is written.
    """
    if not plan.changes:
        return plan.revision
    if plan.count("score") and not store_takes_scores(store):
        raise UsageError(Msg("Phiên bản này chưa ghi được điểm chấm thi đua; không có gì được ghi.",
                             "This version cannot write thi đua scores yet; nothing was written."))
    return store.apply_batch([c.batch for c in plan.changes], via="import", cluster=plan.cluster)


def _short(value: Any, n: int = 30) -> str:
    s = text.sanitize(str(value))
    return s if len(s) <= n else s[: n - 1] + "…"
