"""Thi đua: the year's points table × units with the three stages, the ranking and the commendations.

Everything shown comes from :func:`ccb_tui.core.report.thidua.thidua_view` (the rankings are
:func:`scoring.rank`'s, the disagreements its ``differences``); nothing is summed here.

Layout. A unit's cell shows the three stages side by side (tự chấm · cụm thẩm định · huyện chấm)
when the terminal is wide enough for four units of them (about 110 columns); narrower, it shows
the chosen stage only, and ``v`` moves to the next stage. The chosen stage is the one ``e`` scores
and the ranking panel ranks. Under the sheet the ranking and the commendations stand side by side
when wide; on a narrow screen one of them at a time (``k`` switches).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Input, Static

from ...core.domain import scoring
from ...core.domain.fmt import NumberFormatError, parse_number
from ...core.domain.scoring import STAGES
from ...core.domain.scoring_text import no_template_msg
from ...core.domain.text import sanitize
from ...core.report import thidua as tdv
from ..safe import cut_cells, fit_cells, plain, right, show
from ..widgets.ranking import flag, short_flag
from ..widgets.tables import fill_table
from ..widgets.vninput import VnInput
from .base import CcbScreen
from .dialog import Edit, FormDialog

if TYPE_CHECKING:
    from ...core.domain.errors import ConflictError

UNSCORED = "○"
DIFFERS = "⚠"
RULE = "⇒"
WIDE_CELL = 17
"""A unit's cell with three stages: three values of up to 5 cells, each with room for a mark."""
NARROW_CELL = 8
FIXED = 6 + 5 + 3 * 2 + 2 + 1
"""Code, max and their padding, the table's border and scrollbar."""
MIN_TITLE = 18
COMMEND_ROOM = 32
"""Cells the commendations keep beside the ranking on a wide screen (their padding included)."""
TALL = 34
"""From this height the ranking and the commendations both show on a narrow screen."""
TITLE_ROOM = 64
"""A line's title in the score form: the dialog's width inside its border and padding."""
SHORT_STAGE = {"self": ("tự", "self"), "peer": ("cụm", "peer"), "final": ("huyện", "dist.")}


def _t(lang: str, vi: str, en: str) -> str:
    return en if lang == "en" else vi


def stage_short(stage: str, lang: str) -> str:
    """"tự" / "cụm" / "huyện": a stage in a column header."""
    vi, en = SHORT_STAGE[stage]
    return _t(lang, vi, en)


def disagreements(td: tdv.ThiDua) -> dict[tuple[str, str, str], tuple[Decimal, str]]:
    """(unit, line, stage) → (the difference, the stage before it), for the later stage of every
    difference the rankings list (the core's threshold): a stage that agrees with the one before
    it carries no mark, even when the stage after it departs from both."""
    out: dict[tuple[str, str, str], tuple[Decimal, str]] = {}
    for r in td.rankings.values():
        for d in r.differences:
            out[(d.unit, d.line, d.stage_b)] = (abs(d.points_a - d.points_b), d.stage_a)
    return out


def cell_value(td: tdv.ThiDua, diffs: dict[tuple[str, str, str], tuple[Decimal, str]], unit: str, line: str, stage: str,
               lang: str, *, words: bool) -> str:
    """One stage of a cell: "9,5", "⚠8" (differs from the stage before), "○" or "○ chưa" (unscored,
    ``words``)."""
    p = td.points(unit, line, stage)
    if p is None:
        return UNSCORED + (" " + _t(lang, "chưa", "none") if words else "")
    mark = DIFFERS if (unit, line, stage) in diffs else ""
    return mark + (" " if mark and words else "") + tdv.show_points(p, lang)


class ThiduaScreen(CcbScreen):
    """Scoring sheet, ranking and commendations of the year (see the module)."""

    CSS_PATH = "thidua.tcss"
    AUTO_FOCUS = "#td-sheet"
    BINDINGS = [
        Binding("e", "edit", "Chấm điểm"),
        Binding("v", "stage(1)", "Vòng chấm"),
        Binding("V", "stage(-1)", "Vòng trước", show=False),
        Binding("c", "panel('commend')", "Khen thưởng"),
        Binding("c", "panel('ranking')", "Xếp hạng"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.stage: str | None = None
        """The stage ``e`` scores and the ranking ranks; None until the first draw picks one."""
        self._stage_year: int | None = None
        self.td: tdv.ThiDua | None = None
        self.diffs: dict[tuple[str, str, str], tuple[Decimal, str]] = {}
        self.wide = False
        self.panel = "ranking"
        """On a short narrow screen, which of the ranking and the commendations shows."""

    def compose_body(self) -> ComposeResult:
        yield Static(id="td-title")
        yield DataTable(id="td-sheet", cursor_type="cell", zebra_stripes=True)
        yield Static(id="td-detail")
        yield Static(id="td-legend")
        with Horizontal(id="td-bottom"):
            yield Static(id="td-ranking")
            yield Static(id="td-commend")

    # --- drawing ----------------------------------------------------------------------------

    def refresh_data(self) -> None:
        app = self.ccb
        if app.snap is None:
            return
        self.td = tdv.thidua_view(app.snap, app.year)
        if self.stage is None or self._stage_year != app.year:
            # Another year: start on the stage its views lead with (the latest scored, else self).
            self.stage, self._stage_year = self.td.stage or "self", app.year
        self.diffs = disagreements(self.td)
        self._draw()

    def on_resize(self) -> None:
        if self.td is not None:
            self._draw()

    def _width(self) -> int:
        return self.size.width or self.app.size.width

    def _height(self) -> int:
        return self.size.height or self.app.size.height

    def _draw(self) -> None:
        td = self.td
        assert td is not None
        lang = self.ccb.lang
        show(self.query_one("#td-title", Static), self._title())
        sheet = self.query_one("#td-sheet", DataTable)
        bottom = self.query_one("#td-bottom", Horizontal)
        if td.template is None:
            sheet.display = False
            bottom.display = False
            self.query_one("#td-detail", Static).update(plain(no_template_msg(td.year).text(lang)))
            self.query_one("#td-legend", Static).update("")
            self.refresh_bindings()
            return
        sheet.display = True
        bottom.display = True
        n = max(1, len(td.units))
        self.wide = self._width() >= FIXED + MIN_TITLE + n * (WIDE_CELL + 2)
        self._fill_sheet()
        self.query_one("#td-legend", Static).update(self._legend())
        self._draw_bottom()
        self._show_detail()
        self.refresh_bindings()

    def _title(self) -> Text:
        """The title line; on a narrow screen the key hints go first, then the cluster's long
        name, so the stage and the [số liệu mẫu] tag always show."""
        for hints, cluster in ((True, "full"), (False, "full"), (False, "short"), (False, None)):
            out = self._title_text(hints, cluster)
            if out.cell_len <= self._width() - 2:
                return out
        return out

    def _title_text(self, hints: bool, cluster: str | None) -> Text:
        from ...core.report.clusters import short_name
        app, td = self.ccb, self.td
        assert td is not None and app.snap is not None
        out = Text()
        if app.snap.clusters and cluster is not None:
            c = app.snap.clusters[app.snap.default_cluster()]
            out.append_text(plain(c.name(app.lang) if cluster == "full" else short_name(c, app.lang), style="bold"))
            out.append(" · ")
        out.append(self.t(f"Thi đua năm {td.year}", f"Competition {td.year}"), style="bold")
        if hints:
            out.append(" ‹y›", style="dim")
        if td.template is not None and self.stage is not None:
            out.append(self.t("  Vòng: ", "  Stage: "))
            out.append(tdv.stage_label(self.stage, app.lang), style="bold reverse")
            if hints:
                out.append(" ‹v›", style="dim")
            if any(r.sample_scores for r in td.rankings.values()):
                out.append(f"  [{self.t('số liệu mẫu', 'sample data')}]", style="italic")
            elif td.template.sample:
                out.append(f"  [{self.t('bảng điểm mẫu', 'sample points table')}]", style="italic")
        if app.read_only:
            out.append(f"  {self.t('chỉ xem', 'read-only')}", style="dim")
        return out

    def _fill_sheet(self) -> None:
        td = self.td
        assert td is not None and td.template is not None and self.stage is not None
        lang = self.ccb.lang
        cell = WIDE_CELL if self.wide else NARROW_CELL
        unit_cells = {u.code: [self._cell(u.code, ln.code) for ln in td.template.lines] for u in td.units}
        # Each unit column is as wide as its name or its widest cell (at most ``cell``): the title
        # takes the rest, so headings and titles are cut only when the screen is really too narrow.
        used = sum(min(cell, max([cell_len(u.short_name(td.year))] + [c.cell_len for c in unit_cells[u.code]]))
                   + 2 for u in td.units)
        code_w = max([cell_len(ln.code) for ln in td.template.lines] + [cell_len(self.t("Mã", "Code"))])
        max_w = max([cell_len(tdv.show_points(ln.max_points, lang)) for ln in td.template.lines]
                    + [cell_len(self.t("Tối đa", "Max"))])
        title_w = max(MIN_TITLE, self._width() - used - (code_w + 2) - (max_w + 2) - 2 - 2 - 1)
        if self.wide:
            heads = " ".join(f"{stage_short(s, lang):>5}" for s in STAGES)
        columns: list[tuple[str, Text]] = [
            ("code", plain(self.t("Mã", "Code"))),
            ("title", plain(self.t("Nội dung", "Content"))),
            ("max", right(self.t("Tối đa", "Max"))),
        ]
        for u in td.units:
            name = cut_cells(u.short_name(td.year), cell)
            label = plain(name, style="bold")
            if self.wide:
                label = Text.assemble(label, "\n", Text(heads, style="dim"))
            columns.append((u.code, label))
        rows: list[tuple[str, list[Text]]] = []
        area = None
        for i, ln in enumerate(td.template.lines):
            if ln.area != area:
                area = ln.area
                head = area or "—"
                head = head if cell_len(head) <= title_w else cut_cells(head, title_w - 1) + "…"
                rows.append((f"area:{i}", [Text(""), plain(head, style="bold"),
                                           Text(""), *(Text("") for _ in td.units)]))
            title = (RULE + " " if ln.rule else "") + ln.title
            shown = title if cell_len(title) <= title_w else cut_cells(title, title_w - 1) + "…"
            cells = [plain(ln.code), plain(shown), right(tdv.show_points(ln.max_points, lang))]
            for u in td.units:
                cells.append(unit_cells[u.code][i])
            rows.append((f"line:{ln.code}", cells))
        totals = [Text(""), plain(self.t("Tổng điểm", "Total"), style="bold"),
                  right(tdv.show_points(td.template.max_total, lang), "bold")]
        for u in td.units:
            parts = []
            for s in (STAGES if self.wide else (self.stage,)):
                r = td.rankings.get(s)
                e = next((e for e in r.entries if e.code == u.code), None) if r else None
                parts.append(tdv.show_points(e.points, lang) if e else "—")
            totals.append(Text(" ".join(f"{p:>5}" for p in parts) if self.wide else parts[0], style="bold",
                               justify="right"))
        rows.append(("total", totals))
        sheet = self.query_one("#td-sheet", DataTable)
        sheet.header_height = 2 if self.wide else 1
        fill_table(sheet, columns, rows)
        # As tall as its rows (border and header included), so the panels sit right under it.
        sheet.styles.max_height = len(rows) + sheet.header_height + 2
        if sheet.cursor_column < 3 and sheet.row_count:
            sheet.move_cursor(column=3, row=max(sheet.cursor_row, 1), animate=False)

    def _cell(self, unit: str, line: str) -> Text:
        td, lang, stage = self.td, self.ccb.lang, self.stage
        assert td is not None and stage is not None
        if not self.wide:
            value = cell_value(td, self.diffs, unit, line, stage, lang, words=True)
            style = "dim italic" if value.startswith(UNSCORED) else ("bold" if value.startswith(DIFFERS) else "")
            return right(value, style)
        out = Text(justify="right")
        for i, s in enumerate(STAGES):
            value = cell_value(td, self.diffs, unit, line, s, lang, words=False)
            style = "bold underline" if s == stage else ("dim" if value.startswith(UNSCORED) else "")
            if i:
                out.append(" ")
            out.append(f"{value:>5}", style=style)
        return out

    def _legend(self) -> Text:
        lang = self.ccb.lang
        gap = tdv.show_points(scoring.DIFF_THRESHOLD, lang)
        out = Text(style="")
        if self.wide:
            out.append(self.t("Mỗi ô: tự chấm · cụm thẩm định · huyện chấm (vòng đang chọn gạch chân). ",
                              "Each cell: self · peer · district (the chosen stage underlined). "))
        out.append(self.t(f"{UNSCORED} chưa chấm · {DIFFERS} lệch từ {gap} điểm so với vòng trước · {RULE} có quy tắc đề xuất",
                          f"{UNSCORED} not scored · {DIFFERS} {gap}+ off the stage before · {RULE} a rule proposes points"))
        return out

    def _draw_bottom(self) -> None:
        narrow_short = not self.wide and self._height() < TALL
        ranking = self.query_one("#td-ranking", Static)
        commend = self.query_one("#td-commend", Static)
        self.query_one("#td-bottom", Horizontal).set_class(not self.wide, "-stacked")
        ranking.display = not narrow_short or self.panel == "ranking"
        commend.display = not narrow_short or self.panel == "commend"
        if ranking.display:
            ranking.update(self._ranking())
        if commend.display:
            commend.update(self._commendations())

    def _ranking(self) -> Text | Table:
        td, lang, stage = self.td, self.ccb.lang, self.stage
        assert td is not None and td.template is not None and stage is not None
        r = td.rankings.get(stage)
        head = self.t(f"Xếp hạng · {tdv.stage_label(stage, lang)} · tối đa {tdv.show_points(td.template.max_total, lang)}",
                      f"Ranking · {tdv.stage_label(stage, lang)} · out of {tdv.show_points(td.template.max_total, lang)}")
        if r is None:
            return Text.assemble((head + "\n", "bold"), self.t(
                f"Chưa có điểm {tdv.stage_label(stage, lang)} nào: chọn một ô và nhấn e để chấm.",
                f"Nothing is scored at the {tdv.stage_label(stage, lang)} yet: pick a cell and press e."))
        table = Table(box=None, padding=(0, 1), pad_edge=False, expand=False, title=head,
                      title_justify="left", title_style="bold", header_style="bold underline")
        heads = (self.t("Hạng", "Rank"), self.t("Đơn vị", "Unit"), self.t("Điểm", "Points"),
                 self.t("Xếp loại", "Band"), self.t("Chấm", "Scored"))
        rows = [(tdv.rank_text(e), sanitize(td.unit_name(e.code)), tdv.show_points(e.points, lang),
                 sanitize(e.band or "—"), flag(e, lang), short_flag(e), e.complete) for e in r.entries]
        widths = [max(cell_len(h), *(cell_len(row[i]) for row in rows)) for i, h in enumerate(heads)]
        # Only the unit's name gives way (cut with "…"): rank, points, band and the flag keep their
        # width; the flag drops its words only when the name would be narrower than its heading.
        # Side by side, the commendations keep COMMEND_ROOM.
        budget = self._width() - 2 - (COMMEND_ROOM if self.wide else 0)
        over = sum(widths) + 2 * (len(heads) - 1) - budget
        if over > 0 and widths[1] - over < cell_len(heads[1]):
            rows = [(*row[:4], row[5], *row[5:]) for row in rows]
            widths[4] = max(cell_len(heads[4]), *(cell_len(row[4]) for row in rows))
            over = sum(widths) + 2 * (len(heads) - 1) - budget
        if over > 0:
            widths[1] = max(1, widths[1] - over)
        table.add_column(heads[0], justify="right", no_wrap=True, width=widths[0])
        table.add_column(heads[1], no_wrap=True, overflow="ellipsis", width=widths[1])
        table.add_column(heads[2], justify="right", no_wrap=True, width=widths[2])
        table.add_column(heads[3], no_wrap=True, width=widths[3])
        table.add_column(heads[4], no_wrap=True, width=widths[4])
        for rank, name, points, band, shown, _, complete in rows:
            table.add_row(rank, plain(fit_cells(name, widths[1])), points, plain(band),
                          plain(shown, "" if complete else "bold"))
        return table

    def _commendations(self) -> Text | Table:
        td, lang = self.td, self.ccb.lang
        assert td is not None
        head = self.t(f"Khen thưởng năm {td.year}", f"Commendations {td.year}")
        if not td.commendations:
            return Text.assemble((head + "\n", "bold"), self.t(
                "Chưa có đề nghị nào. Thêm: ccb-tui commend add …", "None yet. Add one: ccb-tui commend add …"))
        table = Table(box=None, padding=(0, 1), pad_edge=False, title=head, title_justify="left",
                      title_style="bold", header_style="bold underline")
        table.add_column(self.t("Tập thể / cá nhân", "Unit / person"), no_wrap=True, overflow="ellipsis", max_width=30)
        table.add_column(self.t("Hình thức", "Form"), no_wrap=True, overflow="ellipsis", max_width=16)
        table.add_column(self.t("Trạng thái", "Status"), no_wrap=True)
        for c in td.commendations:
            table.add_row(plain(tdv.commendation_who(td, c, lang)), plain(c.form),
                          plain(tdv.commendation_status(c, lang)))
        return table

    # --- the cell under the cursor -----------------------------------------------------------

    def cursor_cell(self) -> tuple[str, scoring.Line] | None:
        """(unit code, line) under the cursor, or None on an area, total or non-unit cell."""
        td = self.td
        if td is None or td.template is None:
            return None
        sheet = self.query_one("#td-sheet", DataTable)
        if sheet.row_count == 0:
            return None
        cell = sheet.coordinate_to_cell_key(sheet.cursor_coordinate)
        row, col = str(cell.row_key.value), str(cell.column_key.value)
        if not row.startswith("line:") or col not in {u.code for u in td.units}:
            return None
        line = td.template.line(row.removeprefix("line:"))
        return (col, line) if line is not None else None

    @on(DataTable.CellSelected, "#td-sheet")
    def _selected(self) -> None:
        """Enter (or a click on the highlighted cell) scores it, like e."""
        if self.ccb.read_only:
            self.ccb.say_read_only()
        else:
            self.action_edit()

    @on(DataTable.CellHighlighted, "#td-sheet")
    def _moved(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#td-detail", Static)
        td, app = self.td, self.ccb
        at = self.cursor_cell()
        if td is None or at is None or app.snap is None:
            detail.update(plain(self.t("Chọn ô của một đơn vị ở một dòng điểm (← ↑ → ↓), rồi e để chấm.",
                                       "Move to a unit's cell on a scored line (arrows), then e to score it.")))
            return
        unit, ln = at
        lang = app.lang
        out = plain(f"{td.unit_name(unit)} · {ln.code}", style="bold")
        out.append(f" (≤ {tdv.show_points(ln.max_points, lang)}): ")
        for i, s in enumerate(STAGES):
            if i:
                out.append(" · ")
            p = td.points(unit, ln.code, s)
            label = tdv.stage_label(s, lang)
            value = tdv.show_points(p, lang) if p is not None else self.t("chưa chấm", "not scored")
            out.append(f"{label} {value}", style="bold underline" if s == self.stage else "")
            diff = self.diffs.get((unit, ln.code, s))
            if diff is not None and p is not None:
                gap, before = tdv.show_points(diff[0], lang), stage_short(diff[1], lang)
                out.append(self.t(f" {DIFFERS} lệch {gap} so với {before}", f" {DIFFERS} {gap} off {before}"),
                           style="bold")
        score = app.snap.scores.get((unit, ln.code, td.year, self.stage or ""))
        if score is not None and (score.note or score.evidence):
            out.append("\n")
            if score.note:
                out.append(self.t("Ghi chú: ", "Note: "), style="dim")
                out.append_text(plain(score.note.replace("\n", " "), style="italic"))
            if score.evidence:
                out.append(("  " if score.note else "") + self.t("Minh chứng: ", "Evidence: "), style="dim")
                out.append_text(plain(score.evidence.replace("\n", " "), style="italic"))
        proposal = scoring.propose(ln, app.snap, unit, td.year)
        if proposal is not None:
            out.append("\n")
            out.append(self.t(f"{RULE} quy tắc đề xuất {tdv.show_points(proposal[0], lang)} điểm ",
                              f"{RULE} the rule proposes {tdv.show_points(proposal[0], lang)} points "))
            out.append_text(plain(f"({proposal[1].text(lang)})", style="dim"))
        detail.update(out)

    # --- actions -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        allowed = super().check_action(action, parameters)
        if not allowed:
            return allowed
        no_template = self.td is not None and self.td.template is None
        if action in ("edit", "stage") and no_template:
            return None
        if action == "panel":  # one of the two "c" keys shows: the one naming what c switches to
            return (self.td is not None and not no_template and not self.wide and self._height() < TALL
                    and parameters[:1] != (self.panel,))
        return True

    def action_stage(self, step: int) -> None:
        idx = STAGES.index(self.stage) if self.stage in STAGES else 0
        self.stage = STAGES[(idx + step) % len(STAGES)]
        if self.td is not None:
            self._draw()  # the title line shows the stage: no toast for each press

    def action_panel(self, panel: str = "") -> None:
        self.panel = panel or ("commend" if self.panel == "ranking" else "ranking")
        if self.td is not None:
            self._draw_bottom()
        self.refresh_bindings()

    def action_edit(self) -> None:
        at = self.cursor_cell()
        if at is None or self.td is None or self.stage is None:
            self.ccb.announce(self.t("Chọn ô của một đơn vị ở một dòng điểm (← ↑ → ↓) để chấm.",
                                     "Move to a unit's cell on a scored line (arrows) to score it."), "warning")
            return
        unit, ln = at
        self.app.push_screen(EditScoreDialog(unit, ln.code, self.td.year, self.stage))


class EditScoreDialog(FormDialog):
    """Points of one unit on one line at one stage, with a note (the reason) and the evidence.

    A line with a rule shows the points it proposes and the figures behind them; an empty cell
    starts on that proposal (Enter confirms it), and other points need a reason in the note.
    """

    AUTO_FOCUS = "#points"
    """The points field has the focus from the start, also on a rule line, where the "use the
    proposal" button comes first: keys typed ahead of the dialog go to the field, and Enter
    submits what was typed rather than pressing that button."""

    def __init__(self, unit: str, line: str, year: int, stage: str) -> None:
        super().__init__()
        self.unit_code, self.line_code, self.year, self.stage = unit, line, year, stage
        self.base: Decimal | None = None
        self.proposal: tuple[Decimal, str] | None = None
        self.clearing = False
        """Set while the Xóa điểm button saves: the edit is "no score", whatever the field holds."""

    def _line(self) -> scoring.Line | None:
        snap = self.ccb.snap
        template = snap.templates.get(self.year) if snap else None
        return template.line(self.line_code) if template else None

    def heading(self) -> Text:
        snap = self.ccb.snap
        unit = snap.unit(self.unit_code) if snap else None
        ln = self._line()
        out = Text(self.t("Chấm điểm: ", "Score: "), style="bold")
        out.append_text(plain(f"{unit.name(self.year) if unit else self.unit_code} · {self.line_code} · "
                              f"{tdv.stage_label(self.stage, self.ccb.lang)} {self.year}"))
        if ln is not None:  # the line's title on one line of its own, cut to the box
            title = ln.title if cell_len(ln.title) <= TITLE_ROOM else cut_cells(ln.title, TITLE_ROOM - 1) + "…"
            out.append("\n")
            out.append_text(plain(title, style="dim"))
        return out

    def compose_body(self) -> ComposeResult:
        snap = self.ccb.snap
        assert snap is not None
        lang = self.ccb.lang
        ln = self._line()
        stored = snap.scores.get((self.unit_code, self.line_code, self.year, self.stage))
        self.base = stored.points if stored else None
        yield Static(id="current")
        if ln is not None:
            proposed = scoring.propose(ln, snap, self.unit_code, self.year)
            if proposed is not None:
                self.proposal = (proposed[0], proposed[1].text(lang))
                line = Text(self.t(f"{RULE} Quy tắc đề xuất: ", f"{RULE} The rule proposes: "))
                line.append(tdv.show_points(proposed[0], lang), style="bold")
                line.append(self.t(" điểm (", " points ("))
                line.append_text(plain(self.proposal[1]))
                line.append(")")
                yield Static(line, id="proposal")
                yield Button(self.t(f"Dùng điểm đề xuất ({tdv.show_points(proposed[0], lang)})",
                                    f"Use the proposed points ({tdv.show_points(proposed[0], lang)})"),
                             id="use-proposal", compact=True, variant="primary")
        low = tdv.show_points(ln.min_points, lang) if ln else "0"
        high = tdv.show_points(ln.max_points, lang) if ln else "?"
        yield Static(plain(self.t(f"Điểm ({low}..{high}), ví dụ 8 hoặc 8,25",
                                  f"Points ({low}..{high}), e.g. 8 or 8.25")),
                     classes="field-label")
        start = self.base if self.base is not None else (self.proposal[0] if self.proposal else None)
        yield VnInput(value=tdv.show_points(start, lang) if start is not None else "", id="points", compact=True)
        yield self.field_error("points")
        yield Static(plain(self.t("Ghi chú / lý do" + (" (bắt buộc khi khác điểm đề xuất)" if self.proposal else ""),
                                  "Note / reason" + (" (needed when not the proposed points)" if self.proposal else ""))),
                     classes="field-label")
        yield VnInput(value=stored.note if stored else "", id="note", compact=True)
        yield self.field_error("note")
        yield Static(plain(self.t("Minh chứng (biên bản, sổ sách…)", "Evidence (minutes, ledgers…)")),
                     classes="field-label")
        yield VnInput(value=stored.evidence if stored else "", id="evidence", compact=True)
        yield self.field_error("evidence")

    def compose_buttons(self) -> ComposeResult:
        if self.base is not None:  # clearing is its own action, showing what it clears
            yield Button(self.t(f"Xóa điểm (đang là {tdv.show_points(self.base, self.ccb.lang)})",
                                f"Clear the score (now {tdv.show_points(self.base, self.ccb.lang)})"),
                         id="clear-score", variant="warning", compact=True)
        yield Button(self.t("Lưu", "Save"), id="dialog-save", variant="primary", compact=True)
        yield Button(self.t("Hủy", "Cancel"), id="dialog-cancel", compact=True)

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one("#points", Input).focus()

    @on(Button.Pressed, "#clear-score")
    def _clear_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if self.saving:
            return
        self.clearing = True
        try:
            self.action_save()
        finally:
            self.clearing = False

    def refresh_data(self) -> None:
        """Show the stored points; say so if someone changed them since the form opened."""
        snap = self.ccb.snap
        if snap is None:
            return
        lang = self.ccb.lang
        now = snap.scores.get((self.unit_code, self.line_code, self.year, self.stage))
        line = Text(self.t("Hiện tại: ", "Stored: "))
        line.append(tdv.show_points(now.points, lang) if now else self.t("chưa chấm", "not scored"))
        if (now.points if now else None) != self.base:
            line.append(self.t("  ⚠ vừa được người khác thay đổi", "  ⚠ just changed by someone else"), style="bold")
        self.query_one("#current", Static).update(line)

    @on(Button.Pressed, "#use-proposal")
    def _use_proposal(self, event: Button.Pressed) -> None:
        event.stop()
        if self.proposal is not None:
            self.query_one("#points", Input).value = tdv.show_points(self.proposal[0], self.ccb.lang)
            self.query_one("#points", Input).focus()

    def error_field(self) -> str:
        return "points"

    def _stored_note(self) -> str:
        snap = self.ccb.snap
        now = snap.scores.get((self.unit_code, self.line_code, self.year, self.stage)) if snap else None
        return now.note if now else ""

    def build_edit(self) -> Edit | None:
        lang = self.ccb.lang
        raw = self.query_one("#points", Input).value.strip()
        note = self.query_one("#note", Input).value.strip()
        evidence = self.query_one("#evidence", Input).value.strip()
        for field in ("points", "note", "evidence"):
            self.show_error(field, "")
        value: Decimal | None = None
        unit, line, year, stage, base = self.unit_code, self.line_code, self.year, self.stage, self.base
        if self.clearing:  # the Xóa điểm button: the one way to clear, based on the points it showed
            return lambda store: store.set_score(unit, line, year, stage, None, expect=base)
        if not raw:  # an empty field never clears a score (keys typed ahead may have been lost)
            self.show_error("points", self.t(
                "Nhập số điểm." + (f" Muốn xóa điểm đang có ({tdv.show_points(base, lang)}) thì bấm “Xóa điểm”."
                                   if base is not None else ""),
                "Enter the points." + (f" To clear the stored {tdv.show_points(base, lang)}, press “Clear the score”."
                                       if base is not None else "")))
            return None
        if raw:
            try:
                value = scoring.points(str(parse_number(raw, lang)))
            except NumberFormatError as exc:
                self.show_error("points", exc.message(lang))
                return None
            except ValueError:
                self.show_error("points", self.t(f"'{raw}' không phải số điểm (tối đa 2 chữ số thập phân, ví dụ 9,5).",
                                                 f"'{raw}' is not a number of points (at most 2 decimals, e.g. 9.5)."))
                return None
        if value is not None and self.proposal is not None:
            stored_note = self._stored_note()
            # Overriding needs a reason given now: the note kept from the previous points does not count.
            if value != self.proposal[0] and (not note or (note == stored_note and value != self.base)):
                self.show_error("note", self.t(
                    f"Điểm khác điểm đề xuất ({tdv.show_points(self.proposal[0], lang)}): ghi lý do vào ghi chú.",
                    f"Not the proposed points ({tdv.show_points(self.proposal[0], lang)}): give the reason in the note."))
                self.query_one("#note", Input).focus()
                return None
            if value == self.proposal[0] and not evidence:
                evidence = self.t(f"theo quy tắc: {self.proposal[1]}", f"by the rule: {self.proposal[1]}")
        return lambda store: store.set_score(unit, line, year, stage, value, note=note, evidence=evidence,
                                             expect=base)

    def rebase(self, exc: "ConflictError") -> None:
        snap = self.ccb.snap
        if snap is not None:
            now = snap.scores.get((self.unit_code, self.line_code, self.year, self.stage))
            self.base = now.points if now else None
            for button in self.query("#clear-score").results(Button):  # it clears what it names
                button.label = self.t(f"Xóa điểm (đang là {tdv.show_points(self.base, self.ccb.lang)})",
                                      f"Clear the score (now {tdv.show_points(self.base, self.ccb.lang)})")


__all__ = ["EditScoreDialog", "ThiduaScreen", "disagreements"]
