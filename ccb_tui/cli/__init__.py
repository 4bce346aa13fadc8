"""The command line: headless subcommands, and the dashboard launched lazily (Textual is
imported only then). ``main`` is the entry point (``ccb-tui``, ``python -m ccb_tui``)."""

from .main import main
from .parser import build_parser, peek_lang

__all__ = ["build_parser", "main", "peek_lang"]
