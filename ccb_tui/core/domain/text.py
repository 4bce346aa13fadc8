"""Text helpers for Vietnamese data: normalisation, sanitising, search and sorting.

Everything here is pure Python (stdlib only) so it can be used by the headless
core, the importers and the UI alike.

* :func:`nfc` / :func:`sanitize` / :func:`sanitize_multiline` make untrusted text
  safe to display in a terminal (no escape sequences, no control or bidi
  characters) and canonical (Unicode NFC).
* :func:`fold` / :func:`matches` implement accent- and case-insensitive search
  ("lien son" finds "Thị trấn Liên Sơn", "earbin" finds "Xã Ea R'Bin").
* :func:`vi_sort_key` sorts by the Vietnamese alphabet (a ă â b c d đ e ê ...)
  with tones as a secondary level.
* :func:`closest` powers "did you mean ...?" messages.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping

__all__ = [
    "nfc",
    "sanitize",
    "sanitize_multiline",
    "fold",
    "matches",
    "vi_sort_key",
    "closest",
    "cell_width",
    "graphemes",
    "cut_cells",
]


# ---------------------------------------------------------------------------
# Normalisation and sanitising
# ---------------------------------------------------------------------------

# Terminal escape sequences. String-type sequences (OSC, DCS, SOS, PM, APC) run
# until their terminator (BEL for OSC, ST = "ESC \" or 8-bit 0x9C); when the
# terminator is missing the payload runs to the end of the string and is
# dropped as well, so that a truncated sequence cannot leak its payload.
_ESCAPE_RE = re.compile(
    r"""
      (?:\x1b\[|\x9b) [\x30-\x3f]* [\x20-\x2f]* [\x40-\x7e]?       # CSI
    | (?:\x1b\]|\x9d) .*? (?:\x07|\x1b\\|\x9c|\Z)                  # OSC
    | (?:\x1b[PX^_]|[\x90\x98\x9e\x9f]) .*? (?:\x1b\\|\x9c|\x07|\Z)  # DCS SOS PM APC
    | \x1b [\x20-\x2f]* [\x30-\x7e]                                # ESC x, nF (ESC ( B ...)
    """,
    re.VERBOSE | re.DOTALL,
)

# Invisible formatting characters that can spoof the displayed text:
# zero-width space/non-joiner/joiner, BOM, bidi embeddings/overrides
# (U+202A-U+202E) and isolates (U+2066-U+2069). As a hardening measure the
# implicit bidi marks LRM/RLM (U+200E/U+200F) and ALM (U+061C) are removed too.
_INVISIBLE = "\u200b\u200c\u200d\ufeff\u200e\u200f\u061c" + "".join(
    chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
)

# Whitespace-like controls: become a space (later collapsed).
_SPACE_CONTROLS = "\t\n\r\x0b\x0c\x85"

_DROP_TABLE = {ord(c): None for c in _INVISIBLE}
for _c in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)):
    _DROP_TABLE[_c] = " " if chr(_c) in _SPACE_CONTROLS else None
del _c

_MULTILINE_TABLE = dict(_DROP_TABLE)
_MULTILINE_TABLE[ord("\n")] = "\n"

_WS_RE = re.compile(r"\s+")
_HSPACE_RE = re.compile(r"[^\S\n]+")
_NEWLINE_RE = re.compile(r"\r\n|\r|\u2028|\u2029")


def nfc(s: str) -> str:
    """Return *s* in Unicode normalisation form NFC (composed characters)."""
    return unicodedata.normalize("NFC", s)


def _strip_controls(s: str, table: dict[int, str | None]) -> str:
    s = nfc(s)
    s = _ESCAPE_RE.sub("", s)
    s = s.translate(table)
    # Removing invisible characters can bring a base letter and a combining
    # mark together again, so normalise once more.
    return nfc(s)


def sanitize(s: str) -> str:
    """Make a single-line string safe and canonical for display and storage.

    NFC-normalises, removes terminal escape sequences (7-bit and 8-bit CSI,
    OSC, DCS/SOS/PM/APC and two-character ``ESC x`` forms), removes every
    other C0/C1 control character and DEL, removes bidi override/isolate and
    zero-width characters, turns tabs/newlines into spaces, collapses runs of
    whitespace (including NBSP) to a single space and strips both ends.
    """
    s = _strip_controls(s, _DROP_TABLE)
    return _WS_RE.sub(" ", s).strip()


def sanitize_multiline(s: str) -> str:
    """Like :func:`sanitize` but keep line breaks (for free-text notes).

    ``\\r\\n``, lone ``\\r`` and U+2028/U+2029 become ``\\n``; whitespace runs
    inside a line collapse to one space, each line is stripped, and leading
    and trailing blank lines are removed. Blank lines in between are kept.
    """
    s = _NEWLINE_RE.sub("\n", nfc(s))
    s = _strip_controls(s, _MULTILINE_TABLE)
    lines = [_HSPACE_RE.sub(" ", line).strip() for line in s.split("\n")]
    return "\n".join(lines).strip("\n")


# ---------------------------------------------------------------------------
# Accent-insensitive search
# ---------------------------------------------------------------------------

_APOSTROPHES = "'’‘`´ʼʻʹ′"
_HYPHENS = "-‐‑‒–—―−"
_FOLD_TABLE = {ord(c): None for c in _APOSTROPHES}
_FOLD_TABLE.update({ord(c): " " for c in _HYPHENS})
_FOLD_TABLE[ord("đ")] = "d"
_FOLD_TABLE[ord("Đ")] = "d"


def fold(s: str) -> str:
    """Return an accent-, case- and punctuation-insensitive search key.

    ``fold("Xã Ea R'Bin") == "xa ea rbin"``, ``fold("ĐẮK LẮK") == "dak lak"``.
    Steps: sanitize, casefold, đ → d, strip all combining marks (tones and
    vowel modifiers), drop apostrophes, turn hyphens into spaces and collapse
    whitespace.
    """
    s = sanitize(s).casefold().translate(_FOLD_TABLE)
    s = unicodedata.normalize("NFD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return _WS_RE.sub(" ", s).strip()


def matches(query: str, text: str) -> bool:
    """Return True if *text* matches the search *query*.

    Every whitespace-separated token of ``fold(query)`` must occur (as a
    substring) in ``fold(text)``. As a fallback the folded strings are also
    compared with all spaces removed, so ``"earbin"`` matches ``"Ea R'Bin"``.
    An empty (or blank) query matches everything.
    """
    q = fold(query)
    if not q:
        return True
    t = fold(text)
    if all(token in t for token in q.split(" ")):
        return True
    return q.replace(" ", "") in t.replace(" ", "")


# ---------------------------------------------------------------------------
# Vietnamese collation
# ---------------------------------------------------------------------------

# Primary order of letters. Vietnamese has no f, j, w, z; they are placed
# where the Latin alphabet puts them so foreign names still sort sensibly.
_ALPHABET = [
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j",
    "k", "l", "m", "n", "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư",
    "v", "w", "x", "y", "z",
]  # fmt: skip
_LETTER_RANK = {letter: i for i, letter in enumerate(_ALPHABET)}

# Combining marks that form a distinct Vietnamese letter (primary level).
_MODIFIERS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn
# Tones (secondary level): none < huyền < hỏi < ngã < sắc < nặng.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}

# Primary classes: separators < digits < letters < everything else.
_SEP, _DIGIT, _LETTER, _OTHER = 0, 1, 2, 3
_SEPARATORS = set(_HYPHENS) | {"/", "_", ",", ";", ":", "."}
_IGNORABLE = set(_APOSTROPHES) | {'"', "(", ")", "[", "]", "“", "”", "«", "»"}
_DIGITS_RE = re.compile(r"\d+")


def vi_sort_key(s: str) -> tuple:
    """Return a key for sorting strings in Vietnamese alphabetical order.

    Levels, compared in order:

    1. primary - base letters case-insensitively in the Vietnamese alphabet
       ``a ă â b c d đ e ê (f) g h i (j) k l m n o ô ơ p q r s t u ư v (w) x
       y (z)``; whitespace/hyphens sort before digits, digit runs compare
       numerically ("Tổ 2" < "Tổ 10"), apostrophes and brackets are ignored;
    2. secondary - tones (none, huyền, hỏi, ngã, sắc, nặng), left to right;
    3. tertiary - case (lower case first);
    4. finally the NFC string itself, so the order is total and stable.

    Usage: ``sorted(names, key=vi_sort_key)``.
    """
    text = sanitize(s)
    primary: list[tuple[int, ...]] = []
    secondary: list[tuple[int, ...]] = []
    tertiary: list[int] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch.isdigit():
            m = _DIGITS_RE.match(text, pos)
            run = m.group() if m else ch
            try:
                value = int(run)
            except ValueError:  # digits that int() rejects; keep the order stable
                value = ord(ch)
                run = ch
            primary.append((_DIGIT, value))
            secondary.append((0,))
            tertiary.append(len(run))  # "02" after "2"
            pos += len(run)
            continue
        pos += 1
        if ch.isspace() or ch in _SEPARATORS:
            if primary and primary[-1] == (_SEP,):
                continue  # treat runs of separators as one
            primary.append((_SEP,))
            secondary.append((0,))
            tertiary.append(0)
            continue
        if ch in _IGNORABLE:
            continue
        p, sec, ter = _letter_key(ch)
        primary.append(p)
        secondary.append(sec)
        tertiary.append(ter)
    # Drop separators at both ends (sanitize already stripped whitespace, but
    # leading punctuation such as "- An" should not sort first).
    while primary and primary[0] == (_SEP,):
        del primary[0], secondary[0], tertiary[0]
    while primary and primary[-1] == (_SEP,):
        del primary[-1], secondary[-1], tertiary[-1]
    return (tuple(primary), tuple(secondary), tuple(tertiary), text)


def _letter_key(ch: str) -> tuple[tuple[int, ...], tuple[int, ...], int]:
    """One letter's (primary, secondary, tertiary) keys for :func:`vi_sort_key`: its place in the
    Vietnamese alphabet, its tone and other marks, and its case."""
    lower = ch.lower()
    decomposed = unicodedata.normalize("NFD", lower)
    base, marks = decomposed[0], decomposed[1:]
    letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in _MODIFIERS))
    tone = 0
    other_marks: list[int] = []
    for mark in marks:
        if mark in _TONES:
            tone = _TONES[mark]
        elif mark not in _MODIFIERS:
            other_marks.append(ord(mark))
    rank = _LETTER_RANK.get(letter)
    if rank is None:
        rank = _LETTER_RANK.get(base)
        if rank is not None and letter != base:
            # A modifier on a letter that does not take it (e.g. "ŭ"): keep the base letter and
            # push the modifier to level 2.
            other_marks.extend(ord(m) for m in marks if m in _MODIFIERS)
    primary = (_LETTER, rank) if rank is not None else (_OTHER, ord(unicodedata.normalize("NFC", lower)[0]))
    return primary, (tone, *sorted(other_marks)), 0 if ch == lower else 1


# ---------------------------------------------------------------------------
# "Did you mean ...?"
# ---------------------------------------------------------------------------


def closest(
    query: str,
    candidates: Mapping[str, str] | Iterable[str],
    n: int = 3,
    cutoff: float = 0.5,
) -> list[str]:
    """Return up to *n* candidates that look like *query*, best first.

    Comparison uses :mod:`difflib` similarity (as in
    :func:`difflib.get_close_matches`) on the :func:`fold`-ed forms, so case,
    accents and apostrophes do not matter. *candidates* is either a list of
    strings (the matching originals are returned) or a mapping of
    ``key -> display string``; for a mapping both the key and the display
    string are compared and the keys are returned. Returns ``[]`` when
    nothing reaches *cutoff* (0..1) or the query is blank.
    """
    q = fold(query)
    if not q or n <= 0:
        return []
    if isinstance(candidates, Mapping):
        pairs = [(key, (key, value)) for key, value in candidates.items()]
    else:
        pairs = [(c, (c,)) for c in candidates]

    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(q)
    best: dict[str, float] = {}
    order: dict[str, int] = {}
    for index, (result, texts) in enumerate(pairs):
        for text in texts:
            if not isinstance(text, str):
                continue
            matcher.set_seq1(fold(text))
            if (
                matcher.real_quick_ratio() >= cutoff
                and matcher.quick_ratio() >= cutoff
                and (score := matcher.ratio()) >= cutoff
            ):
                if score > best.get(result, -1.0):
                    best[result] = score
                    order.setdefault(result, index)
    ranked = sorted(best, key=lambda r: (-best[r], order[r]))
    return ranked[:n]


# ---------------------------------------------------------------------------
# Terminal cells (the core's own measure: no rich here)
# ---------------------------------------------------------------------------

_VS16 = "\ufe0f"
_ZERO_WIDTH_CATEGORIES = {"Mn", "Me", "Mc", "Cf", "Cc", "Zl", "Zp"}


def _char_cells(ch: str) -> int:
    if unicodedata.category(ch) in _ZERO_WIDTH_CATEGORIES or "\u1160" <= ch <= "\u11ff":
        return 0  # combining marks, variation selectors, Hangul medial/final jamo
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def graphemes(s: str) -> list[str]:
    """``s`` split into what a terminal draws as one glyph: a base character with the combining
    marks, variation selectors and joined characters that follow it ("Ẫ̃̃̃", "🎖️" stay whole)."""
    out: list[str] = []
    for ch in s:
        joined = bool(out) and out[-1].endswith("\u200d")
        flag = bool(out) and _is_regional(ch) and len(out[-1]) == 1 and _is_regional(out[-1])
        if flag or out and (joined or ch == "\u200d" or _char_cells(ch) == 0
                    or "\U0001f3fb" <= ch <= "\U0001f3ff"):  # skin-tone modifiers
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _is_regional(ch: str) -> bool:
    return "\U0001f1e6" <= ch <= "\U0001f1ff"  # a flag is a pair of these


def _grapheme_cells(g: str) -> int:
    if len(g) == 2 and _is_regional(g[0]) and _is_regional(g[1]):
        return 2
    base = _char_cells(g[0]) if g else 0
    if _VS16 in g and base == 1 and unicodedata.category(g[0]) == "So":
        return 2  # a symbol asked to be an emoji ("🎖️", "❤️") takes two cells
    return base if base or not g else 0


def cell_width(s: str) -> int:
    """How many terminal cells ``s`` takes: wide East Asian characters and emoji two, combining
    marks and invisible characters none. Close to what rich measures, without importing it."""
    return sum(_grapheme_cells(g) for g in graphemes(s))


def cut_cells(s: str, n: int) -> str:
    """The longest start of ``s`` that fits in ``n`` cells, cut between glyphs (never inside
    a wide character, between a letter and its marks, or before an emoji's selector)."""
    out, used = [], 0
    for g in graphemes(s):
        w = _grapheme_cells(g)
        if used + w > n:
            break
        out.append(g)
        used += w
    return "".join(out)


LONG_RUN = 120
"""Characters in one unbroken run of a message before :func:`shorten_runs` cuts it."""


def shorten_runs(s: str, limit: int = LONG_RUN) -> str:
    """``s`` with every unbroken run (no spaces) longer than ``limit`` cut in the middle with "…":
    a message quoting a 100.000-character argument stays one readable line, while words, paths
    and codes of ordinary length pass untouched."""
    if len(s) <= limit:
        return s
    head, tail = limit * 2 // 3, limit // 6
    return re.sub(r"\S{%d,}" % (limit + 1), lambda m: m.group(0)[:head] + "…" + m.group(0)[-tail:], s)

