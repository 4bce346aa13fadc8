"""The checklist as a matrix, shared by the tasks screen and the meeting screen: a row per task,
a column per unit, a glyph and a short word per cell (never colour alone), progress and legend."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

from ...core.domain.checklist import Checklist
from ...core.domain.models import TaskState, TaskStatus
from ..safe import cut_cells, plain

if TYPE_CHECKING:
    from ..app import CcbApp

SHORT_WORDS: dict[TaskState, tuple[str, str]] = {
    TaskState.TODO: ("chưa", "todo"),
    TaskState.DOING: ("đang", "doing"),
    TaskState.DONE: ("xong", "done"),
}
STATE_STYLE = {TaskState.TODO: "", TaskState.DOING: "bold", TaskState.DONE: "bold green"}
NOTE_MARK = "✎"


def cell_text(status: TaskStatus, lang: str) -> Text:
    """"◐ đang": glyph and short word (never colour alone), ✎ when the unit left a note."""
    word = SHORT_WORDS[status.state][1 if lang == "en" else 0]
    out = Text(f"{status.state.glyph} {word}", style=STATE_STYLE[status.state])
    if status.note:
        out.append(f" {NOTE_MARK}", style="dim")
    return out


def progress_line(cl: Checklist, lang: str) -> Text:
    """"11/32 hoàn thành · 3 đang thực hiện · 18 chưa thực hiện"."""
    total = len(cl.tasks) * len(cl.units)
    done, doing, todo = (cl.count(s) for s in (TaskState.DONE, TaskState.DOING, TaskState.TODO))
    out = Text()
    out.append(f"{done}/{total} {TaskState.DONE.label(lang)}", style="bold")
    if total:
        out.append(f" ({round(done * 100 / total)}%)")
    out.append(f" · {doing} {TaskState.DOING.label(lang)} · {todo} {TaskState.TODO.label(lang)}")
    return out


def legend(lang: str) -> Text:
    """"○ chưa thực hiện · ◐ đang thực hiện · ● hoàn thành · ✎ có ghi chú"."""
    out = Text()
    for s in TaskState:
        out.append(f"{s.glyph} {s.label(lang)}", style=STATE_STYLE[s])
        out.append(" · ")
    out.append(f"{NOTE_MARK} {'has a note' if lang == 'en' else 'có ghi chú'}")
    return out


def truncate(s: str, n: int) -> str:
    """``s`` on one line in ``n`` terminal cells: runs of spaces made one, and when too long, cut
    at the last word boundary that fits (mid-word only when one word is most of the line, and
    then between glyphs), with "…" after the word and no trailing space or punctuation before it."""
    s = " ".join(s.split())
    if cell_len(s) <= n:
        return s
    out = cut_cells(s, n - 1)
    if s[len(out):len(out) + 1] != " " and " " in out:
        head = out[:out.rindex(" ")]
        if cell_len(head) >= n // 2:
            out = head
    return out.rstrip(" ,.;:-–—") + "…"


def fill_matrix(table: DataTable, cl: Checklist, lang: str, avail: int) -> None:
    """Rebuild ``table`` from ``cl`` in ``avail`` cells of width, keeping the cursor on its task."""
    old_row, old_col = table.cursor_coordinate
    old_key = None
    if 0 <= old_row < table.row_count:
        old_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    table.clear(columns=True)
    head_task = "Task" if lang == "en" else "Nhiệm vụ"
    head_done = "Done" if lang == "en" else "Xong"
    fixed = 0
    for u in cl.units:
        cells = [cell_len(cell_text(t.status(u.code), lang).plain) for t in cl.tasks]
        fixed += max([cell_len(u.short_name(cl.year)), *cells]) + 2
    n = len(cl.units)
    fixed += max(cell_len(head_done), len(f"{n}/{n}")) + 2
    title_w = max(16, avail - fixed - 2)
    table.add_column(plain(head_task), width=title_w, key="task")
    for u in cl.units:
        table.add_column(plain(u.short_name(cl.year), justify="center"), key=u.code)
    table.add_column(plain(head_done), key="progress")
    for t in cl.tasks:
        done = cl.done_in(t)
        table.add_row(
            plain(truncate(f"{t.id}. {t.title}", title_w)),
            *(cell_text(t.status(u.code), lang) for u in cl.units),
            plain(f"{done}/{n}", style="bold green" if n and done == n else "", justify="right"),
            key=str(t.id))
    if not cl.tasks:
        return
    row = next((i for i, t in enumerate(cl.tasks) if str(t.id) == old_key), min(old_row, len(cl.tasks) - 1))
    col = old_col if 0 < old_col < len(table.columns) else min(1, len(table.columns) - 1)
    table.move_cursor(row=max(0, row), column=col, animate=False)


def checklist_title(app: "CcbApp", cl: Checklist, brief: bool = False) -> Text:
    """Cluster · "Nhiệm vụ trọng tâm năm 2021", and why that year when it is not the app's.

    ``brief`` leaves out the cluster and the read-only mark (the meeting screen shows them).
    """
    snap = app.snap
    out = Text()
    if not brief and snap is not None and snap.clusters:
        out.append_text(plain(snap.clusters[snap.default_cluster()].name(app.lang), style="bold"))
        out.append(" · ")
    out.append(app.t(f"Nhiệm vụ trọng tâm năm {cl.year}", f"Checklist {cl.year}"), style="bold")
    if cl.fallback:
        out.append(app.t(f"  (năm {cl.requested} chưa có nhiệm vụ)",
                         f"  ({cl.requested} has no tasks)"), style="italic")
    if app.read_only and not brief:
        out.append(f"   {app.t('chỉ xem', 'read-only')}", style="dim")
    return out
