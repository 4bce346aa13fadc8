"""Reading a thi đua points table from a file: JSON in the stored form (``scoring.template_doc``)
or an XLSX workbook (a sheet of lines with columns code/area/title/max/min, a sheet of bands with
name/low/high). Every problem is an :class:`InvalidValue` naming the place; nothing is written
here (the store validates the whole table and writes it in one transaction)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..domain import indicators, scoring, text
from ..domain.errors import InvalidValue
from ..domain.models import Msg
from .files import check_size, guarded, read_xlsx
from .limits import quote, refuse

LINE_SHEETS = ("lines", "dong", "bang diem", "diem", "points")
BAND_SHEETS = ("bands", "xep loai", "thang diem")
LINE_HEADERS = {
    "code": ("code", "ma", "ma dong"), "area": ("area", "linh vuc", "nhom"),
    "title": ("title", "noi dung", "tieu chi", "ten"), "max": ("max", "toi da", "diem toi da"),
    "min": ("min", "toi thieu", "diem toi thieu"), "rule_kind": ("rule", "rule_kind", "quy tac"),
    "rule_indicator": ("indicator", "rule_indicator", "chi tieu"), "rule_per": ("per", "rule_per"),
    "rule_step": ("step", "rule_step"),
}
RULE_KEYS = ("kind", "indicator", "per", "step")
BAND_HEADERS = {"name": ("name", "xep loai", "ten"), "low": ("low", "tu", "tu diem"), "high": ("high", "den", "den diem")}


def read_template(path: Path, year: int) -> scoring.Template:
    """The points table in ``path`` (.json or .xlsx) for ``year``; InvalidValue naming the problem."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        check_size(path)
        with guarded(path.name, "JSON"):
            try:
                doc = json.loads(path.read_text(encoding="utf-8-sig"), object_pairs_hook=_no_repeated_keys)
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise refuse(f"{path.name} không phải JSON hợp lệ: {quote(exc)}.",
                             f"{path.name} is not valid JSON: {quote(exc)}.") from None
            except _RepeatedKey as exc:
                raise refuse(f"{path.name}: khóa {quote(exc.key)} có hai lần trong cùng một đối tượng JSON; "
                             f"giữ một lần thôi.",
                             f"{path.name}: the key {quote(exc.key)} appears twice in one JSON object; "
                             f"keep only one.") from None
            except RecursionError:
                raise refuse(f"{path.name}: JSON lồng nhau quá nhiều tầng, không phải một bảng điểm; "
                             f"xuất lại bằng ccb-tui score template --json.",
                             f"{path.name}: the JSON is nested too deep to be a points table; "
                             f"export one again with ccb-tui score template --json.") from None
        return template_of_doc(doc, year, path.name)
    if suffix == ".xlsx":
        return template_of_doc(_xlsx_doc(path), year, path.name)
    raise refuse(f"{path.name}: cần tệp .json hoặc .xlsx.", f"{path.name}: give a .json or .xlsx file.")


class _RepeatedKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refused when a key repeats (json keeps the last one silently)."""
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _RepeatedKey(k)
        out[k] = v
    return out


def _bad(where: str, value: Any, vi: str, en: str) -> InvalidValue:
    return InvalidValue(Msg(f"{where}: {quote(value)} {vi}.", f"{where}: {quote(value)} {en}."))


def _pts(value: Any, where: str, default: str | None = None) -> Decimal:
    if value is None or value == "":
        if default is None:
            raise InvalidValue(Msg(f"{where}: bị thiếu.", f"{where}: is missing."))
        value = default
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        raise _bad(where, value, "không phải số điểm", "is not a number of points")
    if isinstance(value, str):
        value = value.strip().replace(",", ".")
    try:
        return scoring.points(value)
    except ValueError:
        raise _bad(where, value, "không phải số điểm (tối đa 2 chữ số thập phân)",
                   "is not a number of points (at most 2 decimals)") from None


def _str(value: Any, where: str, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise _bad(where, value, "không phải chữ", "is not text")
    shown = text.sanitize(str(value))
    if len(shown) > 300:
        raise InvalidValue(Msg(f"{where}: dài quá 300 ký tự.", f"{where}: is over 300 characters."))
    if required and not shown:
        raise InvalidValue(Msg(f"{where}: bị thiếu.", f"{where}: is missing."))
    return shown


def template_of_doc(doc: Any, year: int, name: str = "") -> scoring.Template:
    """A template from its document form, every problem naming the line or band."""
    head = f"{name}: " if name else ""
    if not isinstance(doc, dict):
        raise refuse(f"{head}cần một đối tượng JSON có 'lines' và 'bands'.",
                     f"{head}expected a JSON object with 'lines' and 'bands'.")
    lines_raw, bands_raw = doc.get("lines"), doc.get("bands")
    if not isinstance(lines_raw, list) or not isinstance(bands_raw, list):
        raise refuse(f"{head}cần 'lines' (danh sách dòng) và 'bands' (danh sách xếp loại).",
                     f"{head}needs 'lines' (a list of lines) and 'bands' (a list of bands).")
    if len(lines_raw) > scoring.MAX_LINES or len(bands_raw) > 50:
        raise refuse(f"{head}quá nhiều dòng hoặc xếp loại.", f"{head}too many lines or bands.")
    lines = []
    for i, ln in enumerate(lines_raw):
        where = f"{head}{ln.get('_at') if isinstance(ln, dict) and ln.get('_at') else f'lines[{i}]'}"
        if not isinstance(ln, dict):
            raise _bad(where, ln, "không phải một dòng (đối tượng)", "is not a line (an object)")
        code = _str(ln.get("code"), f"{where}.code", required=True)
        rule = None
        r = ln.get("rule")
        if isinstance(r, dict) and r:
            at = f"{where} {code}.rule"
            unknown = sorted(str(k) for k in r if k not in RULE_KEYS)
            if unknown:
                raise _bad(at, unknown[0],
                           f"không phải trường của quy tắc (dùng: {', '.join(RULE_KEYS)})",
                           f"is not a field of a rule (use: {', '.join(RULE_KEYS)})")
            kind = _str(r.get("kind"), f"{at}.kind", required=True)
            if kind not in scoring.RULE_KINDS:
                raise _bad(f"{at}.kind", kind, f"không hợp lệ (dùng: {', '.join(scoring.RULE_KINDS)})",
                           f"is not valid (use: {', '.join(scoring.RULE_KINDS)})")
            indicator = _str(r.get("indicator"), f"{at}.indicator", required=True)
            if indicator not in indicators.BY_CODE:
                codes = ", ".join(indicators.BY_CODE)
                raise _bad(f"{at}.indicator", indicator, f"không phải mã chỉ tiêu (dùng: {codes})",
                           f"is not an indicator code (use: {codes})")
            step = _pts(r.get("step"), f"{at}.step", "1")
            if step <= 0:
                raise _bad(f"{at}.step", r.get("step"), "phải lớn hơn 0", "must be above 0")
            rule = scoring.Rule(kind, indicator, _pts(r.get("per"), f"{at}.per", "0"), step)
        elif r is not None and not isinstance(r, dict):
            raise _bad(f"{where} {code}.rule", r, "không phải một quy tắc (đối tượng)", "is not a rule (an object)")
        lines.append(scoring.Line(code, _str(ln.get("area"), f"{where}.area"), _str(ln.get("title"), f"{where}.title"),
                                  _pts(ln.get("max"), f"{where}.max"), _pts(ln.get("min"), f"{where}.min", "0"), rule))
    bands = []
    for i, b in enumerate(bands_raw):
        where = f"{head}{b.get('_at') if isinstance(b, dict) and b.get('_at') else f'bands[{i}]'}"
        if not isinstance(b, dict):
            raise _bad(where, b, "không phải một xếp loại (đối tượng)", "is not a band (an object)")
        bands.append(scoring.Band(_str(b.get("name"), f"{where}.name", required=True),
                                  _pts(b.get("low"), f"{where}.low"), _pts(b.get("high"), f"{where}.high")))
    sample = doc.get("sample") is True
    return scoring.Template(year, tuple(lines), tuple(bands), sample)


def _xlsx_doc(path: Path) -> dict[str, Any]:
    def match_section(title: str) -> str | None:
        folded = text.fold(title).strip()
        if folded in LINE_SHEETS:
            return "lines"
        if folded in BAND_SHEETS:
            return "bands"
        return None

    def header_keys_for(known: dict[str, tuple[str, ...]]) -> Any:
        def header_keys(headers: list[str]) -> tuple[list[str | None], list[tuple[int, str, str]]]:
            keys: list[str | None] = []
            for h in headers:
                folded = text.fold(h).strip()
                keys.append(next((k for k, names in known.items() if folded in names), None))
            return keys, []
        return header_keys

    def header_keys(headers: list[str]) -> Any:
        keys, _ = header_keys_for(LINE_HEADERS)(headers)
        if "code" in keys:
            return keys, []
        return header_keys_for(BAND_HEADERS)(headers)

    tables, problems = read_xlsx(path, match_section, header_keys)
    if problems:
        raise InvalidValue(problems[0])
    found = {t.section: t for t in tables}
    if "lines" not in found or "bands" not in found:
        raise refuse(f"{path.name}: cần một trang 'lines' (cột code, area, title, max, min) và một trang 'bands' "
                     f"(cột name, low, high).",
                     f"{path.name}: needs a sheet 'lines' (columns code, area, title, max, min) and a sheet 'bands' "
                     f"(columns name, low, high).")

    def value(row: Any, key: str) -> Any:
        cell = row.get(key)
        return None if cell.empty else cell.value

    lines = []
    for row in found["lines"].rows:
        ln: dict[str, Any] = {k: value(row, k) for k in ("code", "area", "title", "max", "min")}
        ln["_at"] = row.loc_en
        if value(row, "rule_kind"):
            ln["rule"] = {"kind": value(row, "rule_kind"), "indicator": value(row, "rule_indicator"),
                          "per": value(row, "rule_per"), "step": value(row, "rule_step")}
        lines.append(ln)
    bands = [{**{k: value(row, k) for k in ("name", "low", "high")}, "_at": row.loc_en} for row in found["bands"].rows]
    return {"lines": lines, "bands": bands}
