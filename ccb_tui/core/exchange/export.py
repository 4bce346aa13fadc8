"""Export a year's data (CSV, XLSX, Markdown, JSON) and import it back (CSV, XLSX, JSON).

The layout has four parts, one XLSX sheet each, or one long CSV with a "Phần" (part) column:

* **Số liệu** — one row per unit × indicator: value, qualifier ("gần", "trên", ...), status
  ("chưa báo cáo" is not 0) and whether it is still sample data. Imported.
* **Tổng cụm** — one row per indicator: cluster total, plan, progress, the total the cluster
  reported and the reconciliation. Computed: shown, never imported.
* **Chỉ tiêu** — one row per unit × indicator: the target (kế hoạch), with actual and progress
  for reading. The target is imported; an empty target cell removes the target.
* **Nhiệm vụ** — one row per task × unit: status and the unit's note. Imported.

An import reads only the rows present (a missing row changes nothing), validates every row
against one snapshot before anything is written, and applies the changes all or nothing through
``Store.apply_batch`` with each change conditional on the value it was planned from.
Headless: no textual, rich or plotext.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any, Iterable

from ..domain import indicators, totals
from ..domain.checklist import checklist_for
from ..domain.errors import UsageError
from ..domain.indicators import CATALOGUE, Indicator
from ..domain.models import Msg, Qualifier, Snapshot, Status, TaskState
from ..store import Store, now_iso, output_exists_msg, write_user_file
from .files import MAX_BYTES, MAX_ROWS, escape_text

__all__ = ["FORMATS", "SHEETS", "HEADERS", "build_rows", "render",
           "export_file", "write_output", "read_tables", "plan_import", "apply_plan", "MAX_BYTES", "MAX_ROWS"]

FORMATS = ("csv", "xlsx", "md", "json")
SUFFIXES = {".csv": "csv", ".xlsx": "xlsx", ".md": "md", ".markdown": "md", ".json": "json",
            ".html": "html", ".htm": "html", ".pdf": "pdf"}
SHEETS = {"values": "Số liệu", "totals": "Tổng cụm", "targets": "Chỉ tiêu", "tasks": "Nhiệm vụ"}
SECTION_ORDER = ("values", "totals", "targets", "tasks")
IMPORTED = ("values", "targets", "tasks")
SECTION_ALIASES = {"values": ("figures", "so lieu"), "totals": ("tong cum", "total"),
                   "targets": ("chi tieu", "ke hoach", "plan"), "tasks": ("nhiem vu", "checklist")}

HEADERS: dict[str, str] = {
    "section": "Phần", "year": "Năm", "unit": "Mã đơn vị", "unit_name": "Đơn vị",
    "indicator": "Mã chỉ tiêu", "indicator_name": "Chỉ tiêu", "measure": "Đơn vị tính",
    "value": "Giá trị", "qualifier": "Ước lượng", "status": "Trạng thái", "sample": "Số liệu mẫu",
    "target": "Kế hoạch", "actual": "Thực hiện", "percent": "Tiến độ (%)", "assessment": "Đánh giá",
    "total": "Tổng cụm", "reporting": "Đơn vị đã báo cáo", "missing": "Chưa báo cáo",
    "reported": "Cụm báo cáo", "reported_q": "Ước lượng (cụm báo cáo)", "quote": "Trích báo cáo",
    "reconciliation": "Đối chiếu", "plan_basis": "Kế hoạch tính trên", "task": "Mã nhiệm vụ", "task_title": "Nhiệm vụ", "note": "Ghi chú",
}
COLUMNS: dict[str, tuple[str, ...]] = {
    "values": ("year", "unit", "unit_name", "indicator", "indicator_name", "measure", "value", "qualifier",
               "status", "sample"),
    "totals": ("year", "indicator", "indicator_name", "measure", "total", "reporting", "missing", "target",
               "plan_basis", "percent", "assessment", "reported", "reported_q", "quote", "reconciliation", "note"),
    "targets": ("year", "unit", "unit_name", "indicator", "indicator_name", "measure", "target", "actual",
                "percent", "assessment", "sample"),
    "tasks": ("year", "task", "task_title", "unit", "unit_name", "status", "note"),
}
CSV_COLUMNS: tuple[str, ...] = (
    "section", "year", "unit", "unit_name", "indicator", "indicator_name", "measure", "value", "qualifier",
    "status", "sample", "target", "plan_basis", "actual", "percent", "assessment", "total", "reporting", "missing",
    "reported",
    "reported_q", "quote", "reconciliation", "task", "task_title", "note")
assert set(CSV_COLUMNS) == {k for cols in COLUMNS.values() for k in cols} | {"section"}
NUMERIC = {"value", "target", "actual", "total", "reported"}  # formatted like the row's indicator
# Columns the import reads; the others are there for the reader and are ignored on import.
EDITABLE = {"values": {"value", "qualifier", "status", "sample"}, "targets": {"target", "sample"},
            "tasks": {"status", "note"}}

STATUS_WORDS = {Status.REPORTED: "đã báo cáo", Status.NOT_REPORTED: "chưa báo cáo"}
STATUS_ALIASES = {"da bao cao": Status.REPORTED, "reported": Status.REPORTED, "co": Status.REPORTED,
                  "chua bao cao": Status.NOT_REPORTED, "chua bc": Status.NOT_REPORTED,
                  "not reported": Status.NOT_REPORTED, "not_reported": Status.NOT_REPORTED,
                  "n/r": Status.NOT_REPORTED}
SAMPLE_WORD = "mẫu"
YES = {"mau", "x", "co", "sample", "yes", "true", "1", "so lieu mau"}
NO = {"khong", "no", "false", "0"}
YEAR_MIN, YEAR_MAX = 1900, 2100


# --- export: rows -----------------------------------------------------------------------------

def build_rows(snap: Snapshot, year: int) -> dict[str, list[dict[str, Any]]]:
    """The year's data as rows per part, with domain values (enums, bools, numbers, None)."""
    summary = totals.summarize(snap, year)
    units = summary.units
    values, targets_rows, totals_rows, tasks = [], [], [], []
    for u in units:
        for ind in CATALOGUE:
            r = summary.readings[u.code][ind.code]
            base = {"year": year, "unit": u.code, "unit_name": u.name(year), "indicator": ind.code,
                    "indicator_name": ind.label_vi, "measure": ind.unit_vi}
            values.append({**base, "value": r.value if r.reported else None,
                           "qualifier": r.qualifier if r.reported else Qualifier.EXACT,
                           "status": Status.REPORTED if r.reported else Status.NOT_REPORTED,
                           "sample": r.sample and r.reported})
            t = snap.target(u.code, ind.code, year)
            p = summary.unit_progress[u.code][ind.code]
            targets_rows.append({**base, "target": t.value if t else None, "actual": p.actual,
                                 "percent": _pct(p), "assessment": p.word("vi") if p.met is not None else None,
                                 "sample": bool(t and t.sample)})
    recs = {r.indicator: r for r in summary.reconciliations}
    for ind in CATALOGUE:
        total = summary.totals[ind.code]
        p = summary.progress[ind.code]
        rec = recs.get(ind.code)
        missing = ", ".join(u.short_name(year) for u in units if u.code in total.missing_units)
        totals_rows.append({
            "year": year, "indicator": ind.code, "indicator_name": ind.label_vi, "measure": ind.unit_vi,
            "total": total.value, "reporting": f"{len(total.reported_units)}/{len(units)}", "missing": missing or None,
            "target": summary.targets.get(ind.code), "plan_basis": _basis(p), "percent": _pct(p),
            "assessment": p.word("vi") if p.met is not None else None,
            "reported": rec.reported.value if rec else None,
            "reported_q": rec.reported.qualifier if rec else None,
            "quote": rec.reported.quote if rec else None,
            "reconciliation": f"{'✔' if rec.ok else '⚠'} {rec.msg.vi}" if rec else None,
            "note": "tổng có số ước lượng (gần, trên, khoảng…)" if total.approximate else None})
    cl = checklist_for(snap, year)  # a year without its own checklist gets the one that applies
    for task in cl.tasks:
        for u in cl.units:
            st = task.status(u.code)
            tasks.append({"year": cl.year, "task": task.id, "task_title": task.title, "unit": u.code,
                          "unit_name": u.name(year), "status": st.state, "note": st.note or None})
    return {"values": values, "totals": totals_rows, "targets": targets_rows, "tasks": tasks}


def _basis(p: totals.Progress) -> str | None:
    if p.basis == "cluster":
        return "kế hoạch của cụm"
    if p.basis == "units":
        return f"{len(p.units_counted)}/{p.units_total} đơn vị có kế hoạch"
    return None


def _pct(p: totals.Progress) -> float | None:
    return round(p.percent, 1) if p.percent is not None else None


def sheet_value(value: Any) -> Any:
    """A domain value as a spreadsheet shows it: words for enums, "mẫu" for sample, numbers as numbers."""
    if isinstance(value, Qualifier):
        return value.label("vi") or None
    if isinstance(value, Status):
        return STATUS_WORDS[value]
    if isinstance(value, TaskState):
        return value.label("vi")
    if isinstance(value, bool):
        return SAMPLE_WORD if value else None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def json_value(value: Any) -> Any:
    """A domain value as JSON: enum codes ("nearly", "not_reported", "done"), bools, numbers."""
    if isinstance(value, (Qualifier, Status, TaskState)):
        return value.value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def number_format(key: str, ind: Indicator | None) -> str:
    """XLSX number format: thousands separators (Excel shows them in the reader's locale)."""
    if key in ("year", "task"):
        return "0"
    if key == "percent":
        return "#,##0.0"
    if ind is not None and ind.decimals:
        return "#,##0." + "0" * ind.decimals
    return "#,##0"


# --- export: formats --------------------------------------------------------------------------

def _csv_text(value: Any) -> str:
    v = sheet_value(value)
    if v is None:
        return ""
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v).replace(".", ",")  # Vietnamese decimal comma; no grouping, so no ambiguity
    return escape_text(str(v))


CSV_SEPARATORS = (",", ";", "\t")


def render_csv(rows: dict[str, list[dict[str, Any]]], sep: str = ",") -> bytes:
    """One long CSV, UTF-8 with a BOM; the first column names the part each row belongs to.

    ``sep`` is "," (RFC 4180, the default), ";" (what Excel set to Vietnamese, whose list
    separator is ";" and decimal mark ",", splits on when the file is double-clicked) or tab.
    """
    if sep not in CSV_SEPARATORS:
        raise UsageError(Msg("Dấu phân cách CSV chỉ được là ',' hoặc ';' hoặc tab.",
                             "The CSV separator must be ',', ';' or tab."))
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
    writer.writerow([HEADERS[k] for k in CSV_COLUMNS])
    for section in SECTION_ORDER:
        for row in rows[section]:
            writer.writerow([SHEETS[section], *(_csv_text(row.get(k)) for k in CSV_COLUMNS[1:])])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def render_json(snap: Snapshot, year: int, rows: dict[str, list[dict[str, Any]]]) -> bytes:
    """The year's full data: every part's rows with codes, the units, and the computed summary."""
    summary = totals.summarize(snap, year)
    doc = {
        "format": "ccb-tui-export", "version": 1, "year": year, "exported_at": now_iso(),
        "revision": snap.revision, "cluster": {"code": summary.cluster.code, "name": summary.cluster.name_vi},
        "units": [{"code": u.code, "name": u.name(year), "kind": u.kind} for u in summary.units],
        **{section: [{k: json_value(r.get(k)) for k in COLUMNS[section]} for r in rows[section]]
           for section in SECTION_ORDER},
        "checklist_year": checklist_for(snap, year).year,
        "summary": totals.to_json(summary),
    }
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def render_xlsx(snap: Snapshot, year: int, rows: dict[str, list[dict[str, Any]]]) -> bytes:
    """One sheet per part, with a bold frozen header, filters, number formats and pick lists."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    editable_fill = PatternFill("solid", fgColor="FFF2CC")
    info_fill = PatternFill("solid", fgColor="E7E6E6")
    picks = {"qualifier": ",".join(q.label("vi") for q in Qualifier if q.label("vi")),
             "status": ",".join(STATUS_WORDS.values()), "sample": SAMPLE_WORD}
    for section in SECTION_ORDER:
        ws = wb.create_sheet(SHEETS[section])
        cols = COLUMNS[section]
        for j, key in enumerate(cols, start=1):
            cell = ws.cell(1, j, HEADERS[key])
            cell.font = bold
            cell.fill = editable_fill if key in EDITABLE.get(section, ()) else info_fill
        widths = [len(HEADERS[k]) + 2 for k in cols]
        for i, row in enumerate(rows[section], start=2):
            ind = indicators.BY_CODE.get(row.get("indicator") or "")
            for j, key in enumerate(cols, start=1):
                v = sheet_value(row.get(key))
                if v is None:
                    continue
                cell = ws.cell(i, j)
                if isinstance(v, str):
                    cell.value = v
                    cell.data_type = "s"  # never a formula or an error code, whatever the text
                    if v.startswith(("=", "+", "-", "@")):
                        cell.quotePrefix = True  # stays text when the user edits the cell
                    if "\n" in v:
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
                    widths[j - 1] = max(widths[j - 1], min(60, max(len(x) for x in v.split("\n")) + 2))
                else:
                    cell.value = v
                    cell.number_format = number_format(key, ind)
                    widths[j - 1] = max(widths[j - 1], len(f"{v:,}") + 2)
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = w
        ws.freeze_panes = "A2"
        last = max(2, len(rows[section]) + 1)
        ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{last}"
        lists = dict(picks) if section != "tasks" else {"status": ",".join(s.label("vi") for s in TaskState)}
        for key, options in lists.items():
            if key in cols and key in EDITABLE.get(section, ()):
                dv = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True,
                                    showErrorMessage=True, errorStyle="warning")
                col = get_column_letter(cols.index(key) + 1)
                dv.add(f"{col}2:{col}{last}")
                ws.add_data_validation(dv)
    guide = wb.create_sheet("Hướng dẫn")
    for line in _guide_lines(snap, year):
        guide.append([line])
        guide.cell(guide.max_row, 1).data_type = "s"
    guide.column_dimensions["A"].width = 110
    guide["A1"].font = Font(bold=True, size=13)
    wb.properties.creator = "ccb-tui"
    wb.properties.title = f"Hội CCB cụm thi đua — năm {year}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _guide_lines(snap: Snapshot, year: int) -> list[str]:
    cluster = snap.clusters.get(snap.default_cluster())
    cl = checklist_for(snap, year)
    return [
        f"{cluster.name_vi if cluster else 'Cụm thi đua'} — số liệu năm {year} (xuất bởi ccb-tui {now_iso()})",
        *([f"Năm {year} chưa có danh sách nhiệm vụ riêng: trang Nhiệm vụ là danh sách năm {cl.year}."]
          if cl.fallback and cl.tasks else []),
        "",
        "Cách điền và gửi lại (ccb-tui import TỆP.xlsx --dry-run để xem trước):",
        "• Chỉ sửa các cột nền vàng: Giá trị, Ước lượng, Trạng thái, Số liệu mẫu (trang Số liệu); "
        "Kế hoạch (trang Chỉ tiêu); Trạng thái, Ghi chú (trang Nhiệm vụ). Cột nền xám chỉ để xem.",
        "• Số nhập kiểu Việt Nam (1.500; 1,5; 6,7 tỷ) hoặc ô số của Excel. Không dùng công thức (=...): ô có "
        "công thức bị từ chối.",
        "• Chưa báo cáo không phải là 0: để trống Giá trị (hoặc ghi “chưa báo cáo” ở cột Trạng thái).",
        "• Ước lượng: để trống nếu là số chính xác; gần, trên, khoảng, hàng trăm.",
        "• Xóa chữ “mẫu” ở cột Số liệu mẫu để xác nhận một số liệu mẫu là số thật.",
        "• Để trống Kế hoạch là bỏ chỉ tiêu. Dòng bị xóa khỏi bảng thì giữ nguyên dữ liệu cũ.",
        "• Trạng thái nhiệm vụ: chưa thực hiện, đang thực hiện, hoàn thành.",
        "• Trang Tổng cụm do máy tính ra, không được nhập lại.",
        "",
        "Mọi dòng được kiểm tra trước khi ghi; có một lỗi thì không ghi gì và báo đúng ô bị lỗi.",
    ]


def render(snap: Snapshot, year: int, fmt: str, *, lang: str = "vi", sep: str = ",") -> bytes:
    """The year's export in ``fmt`` ("csv", "xlsx", "md" or "json")."""
    if fmt == "md":
        from ..report import meeting as report
        return report.render_markdown(snap, year, lang=lang).encode("utf-8")
    rows = build_rows(snap, year)
    if fmt == "csv":
        return render_csv(rows, sep)
    if fmt == "xlsx":
        return render_xlsx(snap, year, rows)
    if fmt == "json":
        return render_json(snap, year, rows)
    raise UsageError(Msg(f"Không có định dạng '{fmt}'. Dùng: {', '.join(FORMATS)}.",
                         f"Unknown format '{fmt}'. Use: {', '.join(FORMATS)}."))


def infer_format(path: str | Path, fmt: str | None, allowed: Iterable[str] = FORMATS) -> str:
    """``fmt`` or the one ``path``'s suffix names; a clash between them is a usage error."""
    allowed = tuple(allowed)
    by_suffix = SUFFIXES.get(Path(str(path)).suffix.lower())
    if fmt is None:
        if by_suffix is None or by_suffix not in allowed:
            raise UsageError(Msg(f"Không đoán được định dạng từ tên tệp '{path}'. Dùng --format "
                                 f"({', '.join(allowed)}) hoặc đuôi tệp tương ứng.",
                                 f"Cannot tell the format from the file name '{path}'. Use --format "
                                 f"({', '.join(allowed)}) or a matching suffix."))
        return by_suffix
    if by_suffix is not None and by_suffix != fmt:
        raise UsageError(Msg(f"--format {fmt} nhưng tệp '{path}' có đuôi của {by_suffix}. Hãy sửa một trong hai.",
                             f"--format {fmt} but the file '{path}' has a {by_suffix} suffix. Fix one of them."))
    return fmt


def write_output(path: str | Path, payload: bytes, *, force: bool = False,
                 protect: Iterable[str | Path] = ()) -> Path:
    """Write ``payload`` atomically (temp file, fsync, rename); an existing file needs ``force``.

    ``protect`` lists files never to be overwritten (the store and its lock), even with force.
    """
    path = check_output(path, force=force, protect=protect)
    from ..domain.errors import StoreWriteFailed
    try:
        write_user_file(path, payload, force=force)  # never follows a symlink at path
    except StoreWriteFailed as exc:  # not the store: a usage problem (folder, permissions, disk)
        raise UsageError(exc.msg) from exc
    return path


def check_output(path: str | Path, *, force: bool = False, protect: Iterable[str | Path] = ()) -> Path:
    """Refuse (UsageError) an output path that is the store, a folder, an existing file without
    ``force`` or in a missing folder; returns the path. Called before slow rendering too."""
    path = Path(path).expanduser()
    real = os.path.realpath(path)
    for p in protect:
        if real == os.path.realpath(Path(p).expanduser()):
            raise UsageError(Msg(f"Không ghi đè lên tệp dữ liệu {path}. Hãy chọn tên tệp khác.",
                                 f"Refusing to overwrite the data file {path}. Choose another file name."))
    if path.is_dir():
        raise UsageError(Msg(f"{path} là một thư mục; hãy ghi rõ tên tệp.", f"{path} is a folder; give a file name."))
    if os.path.lexists(path) and not force:  # a dangling symlink too: see files.write_user_file
        raise UsageError(output_exists_msg(path))
    if not path.parent.is_dir():
        raise UsageError(Msg(f"Không có thư mục {path.parent}.", f"There is no folder {path.parent}."))
    return path


def export_file(snap: Snapshot, year: int, fmt: str, path: str | Path, *, force: bool = False,
                lang: str = "vi", protect: Iterable[str | Path] = (), sep: str = ",") -> Path:
    """Render the year's export and write it to ``path`` (refusing to overwrite without ``force``)."""
    return write_output(path, render(snap, year, fmt, lang=lang, sep=sep), force=force, protect=protect)


# --- import (in ``exchange_import``; these are the public entry points) ---------------------

def read_tables(path: str | Path) -> Any:
    """The file's parts as tables of located cells, the problems met reading, and the format."""
    from .importer import read_tables as _read
    return _read(path)


def plan_import(snap: Snapshot, path: str | Path, *, year: int | None = None) -> Any:
    """Read ``path`` and work out every change against ``snap`` (an ``ImportPlan``); nothing is
    written. Raises InvalidValue listing every problem, each naming its cell."""
    from .importer import plan_import as _plan
    return _plan(snap, path, year=year)


def apply_plan(store: Store, plan: Any) -> int:
    """Apply a plan in one transaction, each change conditional on what it was planned from."""
    from .importer import apply_plan as _apply
    return _apply(store, plan)


def default_name(year: int, fmt: str) -> str:
    """"ccb-2020.xlsx": a default file name for an export."""
    return f"ccb-{year}.{fmt}"
