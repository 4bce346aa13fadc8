"""Export a year's data to CSV, XLSX, Markdown or JSON (the import reads it back: ``importer``).

The layout (``layout``) has four parts, one XLSX sheet each, or one long CSV with a "Phần" (part) column:

* **Số liệu** — one row per unit × indicator: value, qualifier ("gần", "trên", ...), status
  ("chưa báo cáo" is not 0) and whether it is still sample data. Imported.
* **Tổng cụm** — one row per indicator: cluster total, plan, progress, the total the cluster
  reported and the reconciliation. Computed: shown, never imported.
* **Chỉ tiêu** — one row per unit × indicator: the target (kế hoạch), with actual and progress
  for reading. The target is imported; an empty target cell removes the target.
* **Nhiệm vụ** — one row per task × unit: status and the unit's note. Imported.
* **Chấm điểm** — one row per unit × line of the year's scoring template × stage (tự chấm, cụm
  thẩm định, huyện chấm): points, note, evidence; an empty Điểm is "not scored yet". Imported (a
  unit fills its self-scoring rows and sends the file back). Only when the year has a template.
* **Xếp hạng** — the ranking of each scored stage, as ``scoring.rank`` has it. Computed: shown,
  never imported.
* **Khen thưởng** — the year's commendations (proposed or approved), each with its number (Mã khen
  thưởng). Imported: a row with a number changes that commendation (status, unit, person, form,
  level, reason), a row without one proposes a new commendation; a commendation missing from the
  file is kept, never removed.

Headless: no textual, rich or plotext.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from ..domain import indicators, totals
from ..domain.checklist import checklist_for
from ..domain.errors import UsageError
from ..domain.indicators import CATALOGUE, Indicator
from ..domain.models import Msg, Qualifier, Snapshot, Status, TaskState
from ..domain.scoring import COMMENDATION_STATUS, STAGE_LABELS, json_points
from ..report.thidua import thidua_view
from ..store import now_iso
from .files import escape_text
from .layout import (
    COLUMNS, CSV_COLUMNS, EDITABLE, FORMATS, HEADERS, OPTIONAL, SAMPLE_WORD, SECTION_ORDER, SHEETS, STATUS_WORDS,
)
from .output import write_output

__all__ = ["build_rows", "render", "export_file", "default_name"]

# --- export: rows -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Coded:
    """A coded word: the code in JSON ("final", "approved"), the Vietnamese word in a sheet."""

    code: str
    word: str


def _stage(code: str) -> Coded:
    return Coded(code, STAGE_LABELS[code][0])


def thidua_rows(snap: Snapshot, year: int) -> dict[str, list[dict[str, Any]]]:
    """The scores (every unit × line × stage, blank points when not scored), the rankings of the
    scored stages (``scoring.rank``, through the one thi đua view) and the commendations."""
    td = thidua_view(snap, year)
    scores, ranking, commendations = [], [], []
    if td.template is not None:
        for u in td.units:
            for ln in td.template.lines:
                for stage in td.sheet_stages():
                    s = snap.scores.get((u.code, ln.code, year, stage))
                    scores.append({"year": year, "unit": u.code, "unit_name": u.name(year), "line": ln.code,
                                   "line_title": ln.title, "max_points": ln.max_points, "stage": _stage(stage),
                                   "points": s.points if s else None, "note": (s.note or None) if s else None,
                                   "evidence": (s.evidence or None) if s else None})
        for stage in td.scored_stages:
            for e in td.rankings[stage].entries:
                ranking.append({"year": year, "stage": _stage(stage), "rank": e.rank, "unit": e.code,
                                "unit_name": e.name, "points": e.points, "band": e.band,
                                "scored": f"{e.scored_lines}/{e.total_lines}"})
    names = {u.code: u.name(year) for u in td.units}
    for c in td.commendations:
        commendations.append({"year": year, "commendation": c.id, "unit": c.unit,
                              "unit_name": names.get(c.unit or "", c.unit), "person": c.person or None,
                              "form": c.form, "level": c.level, "reason": c.reason,
                              "status": Coded(c.status, COMMENDATION_STATUS.get(c.status, (c.status,))[0])})
    return {"scores": scores, "ranking": ranking, "commendations": commendations}


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
    return {"values": values, "totals": totals_rows, "targets": targets_rows, "tasks": tasks,
            **thidua_rows(snap, year)}


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
    if isinstance(value, Coded):
        return value.word
    if isinstance(value, bool):
        return SAMPLE_WORD if value else None
    if isinstance(value, Decimal):
        return json_points(value)  # points: 2 decimals at most, which a float shows exactly
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def json_value(value: Any) -> Any:
    """A domain value as JSON: enum codes ("nearly", "not_reported", "done"), bools, numbers."""
    if isinstance(value, (Qualifier, Status, TaskState)):
        return value.value
    if isinstance(value, Coded):
        return value.code
    if isinstance(value, Decimal):
        return json_points(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def number_format(key: str, ind: Indicator | None) -> str:
    """XLSX number format: thousands separators (Excel shows them in the reader's locale)."""
    if key in ("year", "task"):
        return "0"
    if key == "percent":
        return "#,##0.0"
    if key in ("points", "max_points"):
        return "General"  # 88.25 and 90 as they are, no padding zeros
    if key in ("rank", "commendation"):
        return "0"
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
           for section in SECTION_ORDER if rows[section] or section not in OPTIONAL},
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
        if section in OPTIONAL and not rows[section]:
            continue  # no template (or no commendations) this year: no sheet
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
        lists = {"tasks": {"status": ",".join(s.label("vi") for s in TaskState)},
                 "commendations": {"status": ",".join(w for w, _ in COMMENDATION_STATUS.values())}}.get(section, picks)
        for key, options in lists.items():
            if key in cols and key in EDITABLE.get(section, ()):
                dv = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True,
                                    showErrorMessage=True, errorStyle="warning")
                col = get_column_letter(cols.index(key) + 1)
                # Commendations are proposed by adding rows: the list reaches below the last one.
                dv.add(f"{col}2:{col}{last + (100 if section == 'commendations' else 0)}")
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
        *(["• Chấm điểm: mỗi đơn vị điền cột Điểm (và Ghi chú, Minh chứng) ở các dòng “tự chấm” của mình. Điểm "
           "kiểu Việt Nam, tối đa 2 chữ số thập phân (8,25), không quá Điểm tối đa của dòng. Để trống Điểm là "
           "chưa chấm (không xóa điểm đã có).",
           "• Trang Xếp hạng chỉ để xem, không được nhập lại."]
          if year in snap.templates else []),
        *(["• Khen thưởng: sửa Trạng thái (đề nghị, được duyệt), Hình thức, Cấp khen, Thành tích, Cá nhân, Đơn vị "
           "của dòng có Mã khen thưởng; thêm dòng không có mã để đề nghị khen thưởng mới. Dòng bị xóa khỏi bảng "
           "thì khen thưởng vẫn giữ nguyên (muốn xóa: ccb-tui commend remove SỐ)."]
          if any(c.year == year for c in snap.commendations) else []),
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


def export_file(snap: Snapshot, year: int, fmt: str, path: str | Path, *, force: bool = False,
                lang: str = "vi", protect: Iterable[str | Path] = (), sep: str = ",") -> Path:
    """Render the year's export and write it to ``path`` (refusing to overwrite without ``force``)."""
    return write_output(path, render(snap, year, fmt, lang=lang, sep=sep), force=force, protect=protect)


def default_name(year: int, fmt: str) -> str:
    """"ccb-2020.xlsx": a default file name for an export."""
    return f"ccb-{year}.{fmt}"
