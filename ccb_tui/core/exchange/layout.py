"""The exchange files' layout: parts (sheets), columns and their headers, the words read back.

Shared by the export (which writes it) and the import (which reads it back).
"""

from __future__ import annotations

from ..domain.models import Status

FORMATS = ("csv", "xlsx", "md", "json")
SUFFIXES = {".csv": "csv", ".xlsx": "xlsx", ".md": "md", ".markdown": "md", ".json": "json",
            ".html": "html", ".htm": "html", ".pdf": "pdf"}
SHEETS = {"values": "Số liệu", "totals": "Tổng cụm", "targets": "Chỉ tiêu", "tasks": "Nhiệm vụ",
          "scores": "Chấm điểm", "ranking": "Xếp hạng", "commendations": "Khen thưởng"}
SECTION_ORDER = ("values", "totals", "targets", "tasks", "scores", "ranking", "commendations")
IMPORTED = ("values", "targets", "tasks", "scores", "commendations")
OPTIONAL = ("scores", "ranking", "commendations")
"""Parts a year may not have (no scoring template, no commendations): no sheet then."""
SECTION_ALIASES = {"values": ("figures", "so lieu"), "totals": ("tong cum", "total"),
                   "targets": ("chi tieu", "ke hoach", "plan"), "tasks": ("nhiem vu", "checklist"),
                   "scores": ("cham diem", "diem", "points", "thi dua"), "ranking": ("xep hang", "rank"),
                   "commendations": ("khen thuong", "awards")}

HEADERS: dict[str, str] = {
    "section": "Phần", "year": "Năm", "unit": "Mã đơn vị", "unit_name": "Đơn vị",
    "indicator": "Mã chỉ tiêu", "indicator_name": "Chỉ tiêu", "measure": "Đơn vị tính",
    "value": "Giá trị", "qualifier": "Ước lượng", "status": "Trạng thái", "sample": "Số liệu mẫu",
    "target": "Kế hoạch", "actual": "Thực hiện", "percent": "Tiến độ (%)", "assessment": "Đánh giá",
    "total": "Tổng cụm", "reporting": "Đơn vị đã báo cáo", "missing": "Chưa báo cáo",
    "reported": "Cụm báo cáo", "reported_q": "Ước lượng (cụm báo cáo)", "quote": "Trích báo cáo",
    "reconciliation": "Đối chiếu", "plan_basis": "Kế hoạch tính trên", "task": "Mã nhiệm vụ", "task_title": "Nhiệm vụ", "note": "Ghi chú",
    "line": "Mã dòng", "line_title": "Nội dung chấm", "max_points": "Điểm tối đa", "stage": "Lần chấm",
    "points": "Điểm", "evidence": "Minh chứng", "rank": "Hạng", "band": "Xếp loại", "scored": "Số dòng đã chấm",
    "commendation": "Mã khen thưởng", "person": "Cá nhân", "form": "Hình thức", "level": "Cấp khen",
    "reason": "Thành tích",
}
COLUMNS: dict[str, tuple[str, ...]] = {
    "values": ("year", "unit", "unit_name", "indicator", "indicator_name", "measure", "value", "qualifier",
               "status", "sample"),
    "totals": ("year", "indicator", "indicator_name", "measure", "total", "reporting", "missing", "target",
               "plan_basis", "percent", "assessment", "reported", "reported_q", "quote", "reconciliation", "note"),
    "targets": ("year", "unit", "unit_name", "indicator", "indicator_name", "measure", "target", "actual",
                "percent", "assessment", "sample"),
    "tasks": ("year", "task", "task_title", "unit", "unit_name", "status", "note"),
    "scores": ("year", "unit", "unit_name", "line", "line_title", "max_points", "stage", "points", "note", "evidence"),
    "ranking": ("year", "stage", "rank", "unit", "unit_name", "points", "band", "scored"),
    "commendations": ("year", "commendation", "unit", "unit_name", "person", "form", "level", "reason", "status"),
}
CSV_COLUMNS: tuple[str, ...] = (
    "section", "year", "unit", "unit_name", "indicator", "indicator_name", "measure", "value", "qualifier",
    "status", "sample", "target", "plan_basis", "actual", "percent", "assessment", "total", "reporting", "missing",
    "reported",
    "reported_q", "quote", "reconciliation", "task", "task_title", "note",
    "line", "line_title", "max_points", "stage", "points", "evidence", "rank", "band", "scored",
    "commendation", "person", "form", "level", "reason")
assert set(CSV_COLUMNS) == {k for cols in COLUMNS.values() for k in cols} | {"section"}
NUMERIC = {"value", "target", "actual", "total", "reported"}  # formatted like the row's indicator
# Columns the import reads; the others are there for the reader and are ignored on import.
EDITABLE = {"values": {"value", "qualifier", "status", "sample"}, "targets": {"target", "sample"},
            "tasks": {"status", "note"}, "scores": {"points", "note", "evidence"},
            "commendations": {"unit", "unit_name", "person", "form", "level", "reason", "status"}}

STATUS_WORDS = {Status.REPORTED: "đã báo cáo", Status.NOT_REPORTED: "chưa báo cáo"}
STATUS_ALIASES = {"da bao cao": Status.REPORTED, "reported": Status.REPORTED, "co": Status.REPORTED,
                  "chua bao cao": Status.NOT_REPORTED, "chua bc": Status.NOT_REPORTED,
                  "not reported": Status.NOT_REPORTED, "not_reported": Status.NOT_REPORTED,
                  "n/r": Status.NOT_REPORTED}
SAMPLE_WORD = "mẫu"
YES = {"mau", "x", "co", "sample", "yes", "true", "1", "so lieu mau"}
NO = {"khong", "no", "false", "0"}
YEAR_MIN, YEAR_MAX = 1900, 2100
