"""Filling a DataTable so that only what changed is redrawn (every cell is bytes over SSH)."""

from __future__ import annotations

from typing import Sequence

from rich.text import Text
from textual.widget import Widget
from textual.widgets import DataTable


def same_text(a: object, b: object) -> bool:
    """Equal as shown: rich's ``Text.__eq__`` ignores the base style and the justification."""
    if isinstance(a, Text) and isinstance(b, Text):
        return (a.plain, str(a.style), a.spans, a.justify) == (b.plain, str(b.style), b.spans, b.justify)
    return a == b


def set_border_title(widget: Widget, title: str) -> None:
    """Set a border title only when it differs: setting it always redraws the whole widget."""
    if str(widget.border_title or "") != title:
        widget.border_title = title


def fill_table(table: DataTable, columns: Sequence[tuple[str, Text]],
               rows: Sequence[tuple[str, Sequence[Text]]]) -> None:
    """Show ``rows`` under ``columns`` (each a key and its content).

    When the table already has the same column and row keys, only cells whose content changed
    are updated (one line redrawn per change); otherwise the table is rebuilt, keeping the cursor.
    Column labels that changed (language switch) force a rebuild too.
    """
    col_keys = [key for key, _ in columns]
    row_keys = [key for key, _ in rows]
    same_shape = (
        [c.key.value for c in table.columns.values()] == col_keys
        and [r.key.value for r in table.rows.values()] == row_keys
        and all(same_text(c.label, label) for c, (_, label) in zip(table.columns.values(), columns))
    )
    if same_shape:
        for row_key, cells in rows:
            for col_key, cell in zip(col_keys, cells):
                if not same_text(table.get_cell(row_key, col_key), cell):
                    _update_cell(table, row_key, col_key, cell)
        return
    cursor = table.cursor_coordinate
    table.clear(columns=True)
    for key, label in columns:
        table.add_column(label, key=key)
    for key, cells in rows:
        table.add_row(*cells, key=key)
    if cursor.row < table.row_count and cursor.column < len(table.columns):
        table.move_cursor(row=cursor.row, column=cursor.column, animate=False)


def _update_cell(table: DataTable, row_key: str, col_key: str, cell: Text) -> None:
    """Change one cell and redraw only its row.

    ``DataTable.update_cell`` refreshes the whole table, so every line of it is sent to the
    terminal again for one changed figure. This sets the cell the same way (data, then the
    update counter that keys the render caches) and refreshes just the row. It relies on
    DataTable internals of the pinned Textual version (8.2.8); when the new content is wider
    than its column, the public method runs instead, since the widths must be recomputed.
    """
    column = table.columns[col_key]  # type: ignore[index]
    if cell.cell_len > column.content_width:
        table.update_cell(row_key, col_key, cell, update_width=True)
        return
    table._data[row_key][column.key] = cell  # type: ignore[index]
    table._update_count += 1
    table.refresh_row(table.get_row_index(row_key))

