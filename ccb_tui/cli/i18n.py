"""argparse's own words ("usage:", "options", its error messages) in the interface language.

argparse makes every word of its own translatable through gettext: it calls its module-level
``_`` (``gettext.gettext``) and ``ngettext`` when it builds a parser, formats help and reports an
error. Python's documentation ("Translating the argparse output") suggests a compiled catalogue
installed for the whole process; ccb-tui needs just these few strings, in one language chosen per
call by ``--lang``, so :func:`argparse_language` points those two names at a small in-memory
``gettext`` translation for the duration of a ``with`` block and puts them back afterwards.

Not thread-safe (nothing else runs while the command line is parsed). A string argparse adds in
a later Python version and missing below stays English: never wrong, only untranslated.
"""

from __future__ import annotations

import argparse
import contextlib
import gettext
from typing import Iterator

# msgid (as in CPython's Lib/argparse.py, 3.11 to 3.13) -> Vietnamese.
VI: dict[str, str] = {
    "usage: ": "cách dùng: ",
    "positional arguments": "tham số vị trí",
    "options": "tùy chọn",
    "optional arguments": "tùy chọn",
    "subcommands": "lệnh con",
    "show this help message and exit": "hiện trợ giúp này rồi thoát",
    "show program's version number and exit": "hiện số phiên bản rồi thoát",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "one of the arguments %s is required": "cần một trong các tham số %s",
    "unrecognized arguments: %s": "không hiểu tham số: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "lựa chọn không hợp lệ: %(value)r (chọn một trong: %(choices)s)",
    "invalid choice: %(value)r, choose from %(choices)s": "lựa chọn không hợp lệ: %(value)r, chọn một trong: %(choices)s",
    "invalid %(type)s value: %(value)r": "giá trị %(type)s không hợp lệ: %(value)r",
    "expected one argument": "cần một giá trị",
    "expected at most one argument": "cần nhiều nhất một giá trị",
    "expected at least one argument": "cần ít nhất một giá trị",
    "ambiguous option: %(option)s could match %(matches)s": "tùy chọn không rõ: %(option)s có thể là %(matches)s",
    "not allowed with argument %s": "không dùng cùng với %s",
    "ignored explicit argument %r": "giá trị %r bị bỏ qua",
    "unexpected option string: %s": "tùy chọn không đúng chỗ: %s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "không có lệnh %(parser_name)r (chọn một trong: %(choices)s)",
    "can't open '%(filename)s': %(error)s": "không mở được '%(filename)s': %(error)s",
    "argument \"-\" with mode %r": "tham số \"-\" với chế độ %r",
}

# (singular msgid, plural msgid) -> Vietnamese (one form: Vietnamese nouns do not inflect).
VI_PLURAL: dict[tuple[str, str], str] = {
    ("expected %s argument", "expected %s arguments"): "cần %s giá trị",
    ("conflicting option string: %s", "conflicting option strings: %s"): "tùy chọn trùng nhau: %s",
}


class _Catalogue(gettext.NullTranslations):
    """A gettext translation held in two dicts (no .mo file to compile or ship)."""

    def __init__(self, messages: dict[str, str], plurals: dict[tuple[str, str], str]) -> None:
        super().__init__()
        self._messages = messages
        self._plurals = plurals

    def gettext(self, message: str) -> str:
        # argparse calls _(None) for an add_subparsers() without a description.
        return self._messages.get(message, message) if message else message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        found = self._plurals.get((msgid1, msgid2))
        if found is not None:
            return found
        return msgid1 if n == 1 else msgid2


_CATALOGUES = {"vi": _Catalogue(VI, VI_PLURAL), "en": gettext.NullTranslations()}
_active: list[str] = []


def current_language(default: str = "vi") -> str:
    """The language of the innermost active :func:`argparse_language` block (else ``default``)."""
    return _active[-1] if _active else default


@contextlib.contextmanager
def argparse_language(lang: str | None) -> Iterator[None]:
    """Within the block, argparse speaks ``lang`` ("vi" or "en"); ``None`` changes nothing."""
    if lang is None:
        yield
        return
    catalogue = _CATALOGUES.get(lang, _CATALOGUES["vi"])
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = catalogue.gettext, catalogue.ngettext  # type: ignore[attr-defined]
    _active.append(lang)
    try:
        yield
    finally:
        _active.pop()
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]
