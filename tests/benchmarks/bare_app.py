"""The start-up baseline: a bare Textual app showing one DataTable (same rows as the dashboard)."""

from textual.app import App, ComposeResult
from textual.widgets import DataTable


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Unit", "Branches", "Members")
        for row in (("Krong No", 10, 120), ("Nam Ka", 9, 110), ("Ea R'Bin", 8, 100), ("Lien Son", 9, 108)):
            table.add_row(*row)


if __name__ == "__main__":
    Bare().run()
