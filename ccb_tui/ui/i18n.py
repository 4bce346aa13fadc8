"""Interface language. Screens pass both languages inline (``app.t("Đơn vị", "Units")``); key
descriptions, which Textual keeps on class-level bindings, are written in Vietnamese and looked up
here for English."""

from __future__ import annotations

EN: dict[str, str] = {
    "Tổng quan": "Dashboard",
    "Đơn vị": "Units",
    "Nhiệm vụ": "Tasks",
    "Họp": "Meeting",
    "Sửa": "Edit",
    "Chỉ tiêu": "Target",
    "Năm": "Year",
    "Năm trước": "Prev. year",
    "Hoàn tác": "Undo",
    "Trợ giúp": "Help",
    "Thoát": "Quit",
    "Tiếng Anh": "Tiếng Việt",
    "Giao diện": "Theme",
    "Biểu đồ": "Charts",
    "Tìm": "Search",
    "Sắp xếp": "Sort",
    "Chi tiết": "Details",
    "Đổi tên": "Rename",
    "Trạng thái": "Status",
    "Thêm": "Add",
    "Xóa": "Remove",
    "Ghi chú": "Note",
    "Trang sau": "Next page",
    "Trang trước": "Prev. page",
    "Tự chuyển": "Auto-advance",
    "Đóng": "Close",
    "Lưu": "Save",
    "Hủy": "Cancel",
    "Quay lại": "Back",
    "Giữ của tôi": "Keep mine",
    "Giữ của họ": "Keep theirs",
    "Lịch sử": "History",
    "Xuất": "Export",
    "Khôi phục bản sao lưu": "Restore backup",
    "Đảo thứ tự": "Reverse order",
    "Về bảng": "Back to table",
    "Thi đua": "Competition",
    "Chấm điểm": "Score",
    "Vòng chấm": "Stage",
    "Vòng trước": "Prev. stage",
    "Khen thưởng": "Commendations",
    "Xếp hạng": "Ranking",
    "Xu hướng": "Trends",
    "Các cụm": "Clusters",
    "Chỉ tiêu sau": "Next indicator",
    "Chỉ tiêu trước": "Prev. indicator",
    "Hội viên": "Members",
    "Quỹ hội": "Fund",
    "Dư nợ": "Loans",
}


def translate(vi: str, lang: str, en: str | None = None) -> str:
    """``vi`` in Vietnamese, else ``en`` or the English from the table (``vi`` when missing)."""
    if lang != "en":
        return vi
    return en if en is not None else EN.get(vi, vi)
