"""Help: every key and what each screen shows, in the interface language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from rich.text import Text

from .base import CcbModal

KEYS: tuple[tuple[str, str, str], ...] = (
    ("d", "Tổng quan: tổng cụm, kế hoạch, đối chiếu báo cáo, biểu đồ", "Dashboard: totals, plan, reconciliation, charts"),
    ("c", "Tổng quan: đổi khung “Theo đơn vị” giữa bảng và biểu đồ",
     "Dashboard: switch the “By unit” panel between the table and the charts"),
    ("u", "Đơn vị: danh sách, tìm không dấu, sắp xếp, chi tiết", "Units: list, accent-free search, sort, details"),
    ("v", "Xu hướng các năm: hội viên, quỹ, dư nợ (n/p, 1/2/3)",
     "Trends over the years: members, fund, loans (n/p, 1/2/3)"),
    ("t", "Nhiệm vụ năm: ma trận nhiệm vụ × đơn vị", "Year's tasks: task × unit matrix"),
    ("s", "Thi đua: bảng điểm × đơn vị (tự chấm · cụm thẩm định · huyện chấm), xếp hạng, khen thưởng",
     "Competition: points table × units (self · peer · district), ranking, commendations"),
    ("v / V", "Thi đua: vòng chấm sau / trước (vòng e chấm và bảng xếp hạng dùng)",
     "Competition: next / previous stage (the one e scores and the ranking ranks)"),
    ("c", "Thi đua: màn hình hẹp, đổi giữa xếp hạng và khen thưởng",
     "Competition: on a narrow screen, switch between ranking and commendations"),
    ("m", "Chế độ họp: trang chỉ xem cho máy chiếu (← → chuyển trang; trang 5: xếp hạng thi đua)",
     "Meeting mode: read-only pages (← → to move; page 5: the competition ranking)"),
    ("k", "Các cụm thi đua cạnh nhau; Enter: xem cụm đó", "Clusters side by side; Enter shows that one"),
    ("y / Y", "Xem năm sau / năm trước (chỉ màn hình này)", "Show the next / previous year (this screen only)"),
    ("N", "Đặt năm đang xem làm năm hiện hành cho mọi người (có hỏi lại)",
     "Make the year shown the current year for everyone (asks first)"),
    ("e", "Sửa số liệu của ô đang chọn; ở Thi đua: chấm điểm ô đang chọn",
     "Edit the selected figure; on Competition: score the selected cell"),
    ("g", "Sửa chỉ tiêu (kế hoạch)", "Edit the target (plan)"),
    ("r", "Đổi tên đơn vị (màn hình Đơn vị)", "Rename a unit (Units screen)"),
    ("space / x", "Đổi trạng thái nhiệm vụ: ○ chưa → ◐ đang → ● xong (Nhiệm vụ)",
     "Cycle a task's status: ○ → ◐ → ● (Tasks)"),
    ("a / n / X", "Thêm nhiệm vụ / ghi chú / xóa nhiệm vụ", "Add a task / note / remove a task"),
    ("/ · o · O", "Tìm · sắp xếp · đảo chiều sắp xếp (Đơn vị)", "Search · sort · reverse sort (Units)"),
    ("h", "Lịch sử thay đổi của đơn vị (chi tiết đơn vị)", "A unit's change history (unit details)"),
    ("x", "Xuất số liệu năm ra tệp: xlsx, csv, md, json (Tổng quan)",
     "Export the year to a file: xlsx, csv, md, json (Dashboard)"),
    ("z", "Hoàn tác thay đổi gần nhất của bạn", "Undo your last change"),
    ("l", "Tiếng Việt / English", "English / Tiếng Việt"),
    ("T", "Đổi giao diện (tối, sáng, ANSI)", "Cycle theme (dark, light, ANSI)"),
    ("Tab", "Chuyển giữa các bảng và ô nhập", "Move between tables and fields"),
    ("Enter / Esc", "Lưu / hủy trong biểu mẫu", "Save / cancel in a form"),
    ("?", "Trợ giúp này", "This help"),
    ("q", "Thoát", "Quit"),
)

NOTES_VI = """Ký hiệu: ✔ ĐẠT · ✘ CHƯA ĐẠT kế hoạch; ✔ khớp / ⚠ không khớp với tổng cụm đã báo cáo.
"chưa BC" = chưa báo cáo: không tính vào tổng, không phải 0. "≈" = tổng có số gần đúng.
▲ tăng · ▼ giảm · = không đổi so với năm trước; ≈ có số gần đúng.
"(3/4)" sau một tổng: 3 trong 4 đơn vị đã báo cáo. Sau tiến độ: chỉ so trên 3 đơn vị có cả kế
hoạch và số liệu (khi cụm chưa có kế hoạch chung của cả cụm).
Số liệu nhập theo kiểu Việt Nam: 1.500 · 1,5 · 6,7 tỷ · 248,6 triệu; điểm: 8 · 8,25.
Thi đua: ○ chưa chấm · ⚠ lệch từ 1 điểm so với vòng trước · ⇒ dòng có quy tắc đề xuất điểm từ số liệu.
Khi người khác sửa cùng tệp dữ liệu, màn hình tự cập nhật trong vòng 2 giây. Nếu hai người sửa
cùng một số, người lưu sau sẽ thấy hộp thoại xung đột để chọn giữ số nào; không có gì bị ghi đè lặng lẽ."""

NOTES_EN = """Symbols: ✔ MET · ✘ NOT MET plan; ✔ matches / ⚠ does not match the reported cluster total.
"n/r" = not reported: left out of totals, not zero. "≈" = a total of approximate figures.
▲ up · ▼ down · = unchanged from last year; ≈ approximate.
"(3/4)" after a total: 3 of 4 units reported. After a progress: only the 3 units with both a
target and a figure are compared (when the cluster has no target of its own).
Numbers are typed as the English interface shows them: 1,500 · 1.5 · 6.7 billion · 248.6 million.
Competition: ○ not scored · ⚠ 1+ point off the stage before · ⇒ a rule proposes points from figures.
When someone else edits the same store, the screen updates within 2 seconds. If two people edit
the same figure, the later one sees a conflict dialog to choose which to keep; nothing is lost silently."""


class HelpScreen(CcbModal):
    """Keys and symbols."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Đóng", key_display="q")]

    def compose(self) -> ComposeResult:
        lang = self.ccb.lang
        lines = [self.t("Phím tắt — ccb-tui", "Keys — ccb-tui"), ""]
        for key, vi, en in KEYS:
            lines.append(f"  {key:<12} {en if lang == 'en' else vi}")
        lines.append("")
        lines.append(NOTES_EN if lang == "en" else NOTES_VI)
        lines.append("")
        lines.append(self.t("Nhấn q, Esc hoặc ? để đóng.", "Press q, Esc or ? to close."))
        with VerticalScroll(classes="dialog help"):
            yield Static(Text("\n".join(lines)))

    def action_close(self) -> None:
        self.dismiss(None)

