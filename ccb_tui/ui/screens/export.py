"""The export dialog (key ``x`` on the dashboard): a format and a file name; never overwrites
an existing file unless the user confirms it with a second press.

The writing itself is ``core.exchange.export.export_file`` (atomic, refuses to overwrite the store), the
same as ``ccb-tui export``. Exporting only reads the store, so it works in read-only mode too.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Button, Input, Select, Static

from ...core.exchange import export as exchange
from ...core.exchange.layout import SUFFIXES
from ...core.exchange.output import infer_format
from ...core.domain.errors import CcbError
from ..safe import plain
from ..widgets.vninput import VnInput
from .dialog import FormDialog

FORMAT_LABELS = (
    ("xlsx", "Bảng tính Excel (.xlsx)", "Excel workbook (.xlsx)"),
    ("csv", "CSV UTF-8 (.csv)", "CSV UTF-8 (.csv)"),
    ("md", "Báo cáo họp Markdown (.md)", "Meeting report, Markdown (.md)"),
    ("json", "Toàn bộ dữ liệu JSON (.json)", "Full data, JSON (.json)"),
)


class ExportDialog(FormDialog):
    """Ask for a format and a file name, then write the year's export (reading ``app.snap`` only:
    no store write, so no background save)."""

    CSS_PATH = "export.tcss"

    def __init__(self, year: int, folder: Path | None = None) -> None:
        super().__init__()
        self.year = year
        self.folder = folder if folder is not None else Path.cwd()
        self.confirm_path: Path | None = None  # the existing file the user was warned about

    def heading(self) -> Text:
        return Text(self.t(f"Xuất dữ liệu năm {self.year}", f"Export {self.year}"), style="bold")

    def compose_body(self) -> ComposeResult:
        lang = self.ccb.lang
        yield Static(plain(self.t("Định dạng", "Format")), classes="field-label")
        yield Select([(en if lang == "en" else vi, code) for code, vi, en in FORMAT_LABELS],
                     value="xlsx", allow_blank=False, id="format")
        yield Static(plain(self.t("Tên tệp (đường dẫn tương đối tính từ ", "File name (relative to ")
                           + str(self.folder) + ")"), classes="field-label")
        yield VnInput(value=exchange.default_name(self.year, "xlsx"), id="path")
        yield self.field_error("path")

    def compose_buttons(self) -> ComposeResult:
        yield Button(self.t("Xuất", "Export"), id="export", variant="primary")
        yield Button(self.t("Hủy", "Cancel"), id="dialog-cancel")

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    def error_field(self) -> str:
        return "path"

    def _reset_confirmation(self) -> None:
        if self.confirm_path is not None:
            self.confirm_path = None
            self.query_one("#export", Button).label = self.t("Xuất", "Export")
            self.show_error("path", "")

    @on(Input.Changed, "#path")
    def _path_changed(self) -> None:
        self._reset_confirmation()

    @on(Select.Changed, "#format")
    def _format_changed(self, event: Select.Changed) -> None:
        fmt = str(event.value)
        field = self.query_one("#path", Input)
        current = Path(field.value.strip())
        if current.suffix.lower() in SUFFIXES:  # keep the name, follow the format
            field.value = str(current.with_suffix(f".{fmt}"))
        self._reset_confirmation()

    @on(Button.Pressed, "#export")
    def _export_pressed(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        self.action_export()

    def target_path(self) -> Path | None:
        """The file to write, resolved against the folder the app was started in."""
        raw = self.query_one("#path", Input).value.strip()
        if not raw:
            return None
        path = Path(raw).expanduser()
        return path if path.is_absolute() else self.folder / path

    def action_export(self) -> None:
        app = self.ccb
        fmt = str(self.query_one("#format", Select).value)
        path = self.target_path()
        if path is None:
            self.show_error("path", self.t("Nhập tên tệp.", "Enter a file name."))
            return
        if app.snap is None:
            return
        force = self.confirm_path == path
        if path.exists() and not force and not path.is_dir():
            self.confirm_path = path
            self.query_one("#export", Button).label = self.t("Ghi đè", "Overwrite")
            self.show_error("path", self.t(f"Tệp {path} đã có. Nhấn “Ghi đè” để thay, hoặc đổi tên tệp.",
                                   f"The file {path} exists. Press “Overwrite” to replace it, or change the name."))
            return
        protect = [app.store.path, app.store.lock_path] if app.store is not None else []
        try:
            infer_format(path, fmt)
            written = exchange.export_file(app.snap, self.year, fmt, path, force=force, lang=app.lang,
                                           protect=protect)
        except CcbError as exc:
            self.show_error("path", exc.text(app.lang))
            return
        app.notify(self.t(f"Đã xuất năm {self.year}: {written}", f"Exported {self.year}: {written}"),
                   markup=False, timeout=6)
        if app.is_web:  # served in a browser: the file is on the server, so offer it as a download too
            app.deliver_binary(written, save_filename=written.name)
        self.dismiss(written)
