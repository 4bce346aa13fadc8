"""The Textual interface. Imported only when the dashboard is launched."""
